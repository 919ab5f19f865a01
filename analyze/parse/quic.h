/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * QUIC Initial packets: the ClientHello of a QUIC connection, read the way
 * any observer may read it (RFC 9001 §5.2: Initial keys come from a
 * published salt and the client's first Destination Connection ID).
 *
 * One `struct quic_flow` per UDP flow (caller-allocated): feed it the UDP
 * payloads of each direction in capture order. It walks every packet
 * coalesced in a datagram (RFC 9000 §12.2), removes header protection from
 * the client's Initial packets (RFC 9001 §5.4), decrypts them (AES-128-GCM,
 * §5.3), gathers the CRYPTO frames by offset (out of order, overlapping,
 * spread over several packets) and hands the ClientHello to
 * tls_parse_client_hello_msg(). Versions: 1 (RFC 9000), 2 (RFC 9369), and
 * the drafts 23..32 that older captures still hold. Google QUIC's long
 * headers (Q046, Q050, T051) are reported as unknown versions.
 *
 * Nothing is allocated per packet: the decrypted payload goes to the
 * caller's scratch buffer, CRYPTO bytes to a bounded buffer inside the flow.
 * libcrypto contexts are allocated once per flow, when its keys are first
 * derived (a spare pair when another connection ID is tried), and released
 * by quic_flow_finish(). Keys cost a few HKDF steps per flow (tens of
 * microseconds); a decrypted Initial a few microseconds.
 */
#ifndef EA_QUIC_H
#define EA_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "tls.h"

enum {
    QUIC_VERSION_NEGOTIATION = 0x00000000, /* RFC 9000 §17.2.1 */
    QUIC_VERSION_1 = 0x00000001,           /* RFC 9000 */
    QUIC_VERSION_2 = 0x6b3343cf,           /* RFC 9369 §3.1 */
};

/* RFC 9000 §17.2: connection IDs of versions 1 and 2 are at most 20 bytes. */
#define QUIC_CID_MAX 20
/* Bytes of the client's Initial CRYPTO stream kept (offsets 0..max-1). */
#define QUIC_CRYPTO_MAX TLS_HS_MAX
/* Disjoint pieces of that stream tracked at once. */
#define QUIC_CRYPTO_RANGES 32
/* The caller's scratch buffer: one whole UDP payload fits. */
#define QUIC_SCRATCH_MAX 65536

/* Why a packet, or part of one, was given up; each has a counter in
 * struct quic_flow. Names: quic_drop_name(). */
enum quic_drop {
    QUIC_DROP_TRUNCATED = 0,   /* the packet runs past the datagram (snaplen cut) */
    QUIC_DROP_BAD_HEADER,      /* a long header that does not parse */
    QUIC_DROP_UNKNOWN_VERSION, /* a version whose Initial keys we do not know */
    QUIC_DROP_TOO_SHORT,       /* too short for the header protection sample */
    QUIC_DROP_NO_KEYS,         /* a server Initial before any client Initial */
    QUIC_DROP_DECRYPT,         /* the AEAD tag did not verify */
    QUIC_DROP_CRYPTO_LIB,      /* libcrypto failed (out of memory) */
    QUIC_DROP_FRAME_UNKNOWN,   /* an unknown frame type: rest of the packet skipped */
    QUIC_DROP_FRAME_MALFORMED, /* a frame that does not parse: rest skipped */
    QUIC_DROP_CRYPTO_CAP,      /* CRYPTO bytes at or past QUIC_CRYPTO_MAX */
    QUIC_DROP_CRYPTO_RANGES,   /* CRYPTO frame dropped: too many disjoint pieces */
    QUIC_DROP_HELLO_NOT_CH,    /* the CRYPTO stream does not start with a ClientHello */
    QUIC_DROP_HELLO_TOO_BIG,   /* the ClientHello is longer than QUIC_CRYPTO_MAX */
    QUIC_DROP_HELLO_MALFORMED, /* tls_parse_client_hello_msg() refused it */
    QUIC_DROP_RETRY_BAD,       /* a Retry that is cut, misaddressed or fails its tag */
    QUIC_DROP__COUNT,
};

/* "truncated", "decrypt", ...; NULL for a value that is not a reason. */
const char *quic_drop_name(enum quic_drop d);
/* "1", "2", "draft-29", ...; NULL for a version we cannot decrypt. */
const char *quic_version_name(uint32_t version);

/* Initial packet protection keys of one direction (RFC 9001 §5.1, §5.2). */
struct quic_key_set {
    uint8_t key[16]; /* AEAD_AES_128_GCM key */
    uint8_t iv[12];
    uint8_t hp[16]; /* header protection key (AES-128-ECB) */
};

/*
 * Derive the Initial keys of a version from the Destination Connection ID
 * the client chose (or the Source Connection ID of a Retry): the client's
 * ("client in") or, with server set, the server's ("server in"). False for
 * an unknown version or when libcrypto fails; *out is written only on
 * success.
 */
bool quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool server,
                       struct quic_key_set *out);

struct evp_cipher_ctx_st; /* libcrypto's EVP_CIPHER_CTX */

/* One direction's keys, installed in libcrypto contexts. Internal. */
struct quic_dir_keys {
    bool ok;
    uint32_t version;
    struct quic_key_set ks;
    struct evp_cipher_ctx_st *aead; /* AES-128-GCM, keyed */
    struct evp_cipher_ctx_st *hp;   /* AES-128-ECB, keyed */
    bool have_pn;
    uint64_t largest_pn; /* RFC 9000 §A.3 decoding: largest PN seen */
};

struct quic_range {
    uint32_t start, end; /* [start, end) of the CRYPTO stream, end > start */
};

struct quic_flow {
    /* ---- what the caller reads ---- */
    uint32_t version;     /* of the client's latest long header; 0 if none */
    bool unknown_version; /* a client long header with a version we cannot read */
    uint32_t last_unknown_version;
    bool saw_version_negotiation; /* a Version Negotiation packet (either direction) */
    uint16_t n_vn_versions;       /* versions the server listed in it */
    uint32_t vn_versions[8];      /* the first eight of them */

    bool has_hello;                /* hello holds a ClientHello */
    uint32_t n_hellos;             /* ClientHellos parsed (a new one per connection attempt) */
    struct tls_client_hello hello; /* the latest; SNI, ALPN, has_ech */
    const char *hello_reason;      /* why the last one was refused (static string) */

    uint32_t client_initials;  /* client Initial packets decrypted */
    uint32_t client_other;     /* client 0-RTT and Handshake packets (skipped) */
    uint32_t client_short;     /* datagrams ending in a short-header packet */
    uint32_t server_initials;  /* server Initial packets with a plausible header */
    uint32_t server_decrypted; /* of those, decrypted with the server's Initial keys */
    uint32_t server_handshakes;
    uint32_t retries;            /* Retry packets accepted (keys derived again) */
    bool server_hello;           /* a decrypted server Initial's CRYPTO starts with ServerHello */
    bool client_close;           /* CONNECTION_CLOSE in a client Initial */
    bool server_close;           /* CONNECTION_CLOSE in a server Initial */
    uint64_t close_error;        /* its error code (the latest) */
    uint64_t last_unknown_frame; /* type of the latest unknown frame */

    uint32_t drops[QUIC_DROP__COUNT]; /* by enum quic_drop */

    /* ---- internal ---- */
    struct {
        uint8_t key_dcid[QUIC_CID_MAX]; /* the DCID the keys come from */
        uint8_t key_dcid_len;
        bool have_client_scid;
        uint8_t client_scid[QUIC_CID_MAX];
        uint8_t client_scid_len;
        bool retried; /* a Retry was accepted (only one per connection) */
        struct quic_dir_keys client, server;
        struct quic_dir_keys trial; /* spare contexts for keys from another DCID */
        bool have_tried;            /* the last DCID whose own keys failed */
        uint8_t tried_dcid[QUIC_CID_MAX];
        uint8_t tried_dcid_len;
        /* the client's Initial CRYPTO stream of the current attempt */
        bool crypto_done; /* hello parsed or given up for this attempt */
        unsigned n_ranges;
        struct quic_range ranges[QUIC_CRYPTO_RANGES]; /* sorted, disjoint, not adjacent */
        uint8_t crypto[QUIC_CRYPTO_MAX];
    } in;
};

void quic_flow_init(struct quic_flow *f);
/* Release the libcrypto contexts; f may be NULL. Init again to reuse. */
void quic_flow_finish(struct quic_flow *f);

/*
 * One client→server UDP payload (the bytes captured; a packet cut by the
 * snaplen is counted as QUIC_DROP_TRUNCATED). Every long-header packet in it
 * is walked; Initial packets are decrypted and their frames read (PADDING,
 * PING, ACK, CRYPTO, CONNECTION_CLOSE); 0-RTT and Handshake packets are
 * skipped by their length; a short-header packet ends the walk.
 *
 * Keys come from the first client Initial's Destination Connection ID and
 * stay for the flow's later Initials (whose DCID is the server's choice once
 * it answered). They are derived again after a Retry, and when an Initial
 * that fails to decrypt opens with keys from its own DCID (a new connection
 * attempt on the same addresses: its ClientHello is read as a new one).
 *
 * Returns PARSE_OK when the datagram was walked to its end, PARSE_INCOMPLETE
 * when a packet runs past it (cut by the snaplen), PARSE_MALFORMED when it
 * does not hold a QUIC packet we can read (bad header, unknown version).
 * What the datagram taught is in the flow: a ClientHello that completes
 * sets has_hello and increments n_hellos (copy f->hello then).
 * scratch holds the decrypted payload while a packet is read.
 */
enum parse_result quic_flow_client_datagram(struct quic_flow *f, const uint8_t *dgram, size_t len,
                                            uint8_t scratch[QUIC_SCRATCH_MAX]);

/*
 * One server→client UDP payload. Counts server Initial and Handshake
 * packets whose long header is plausible (a version we know or the
 * client's, connection IDs within limits, and, once the client's Source
 * Connection ID is known, addressed to it); Initials are also decrypted
 * with the server's Initial keys when the client's Initial came first.
 * Handles Version Negotiation and Retry (RFC 9001 §5.8: the integrity tag
 * is checked for versions 1 and 2; the client's next Initials then use keys
 * from the Retry's Source Connection ID). Returns as the client side does.
 */
enum parse_result quic_flow_server_datagram(struct quic_flow *f, const uint8_t *dgram, size_t len,
                                            uint8_t scratch[QUIC_SCRATCH_MAX]);

/* Does a datagram start with a long-header Initial packet of a version we
 * can decrypt (header only: nothing is decrypted)? Used to find QUIC on
 * ports other than 443 without mistaking other UDP for it. */
bool quic_looks_like_initial(const uint8_t *dgram, size_t len);

/* The server answered with an Initial or Handshake packet: outcome reached. */
bool quic_flow_reached(const struct quic_flow *f);

/*
 * For tests and fuzzing (the analyzer only reads): build a protected Initial
 * packet of s->version with the client's (or, with server set, the
 * server's) keys from s->key_dcid, carrying `frames` as its payload. The
 * header holds dcid, scid, token, the shortest Length and the low pn_len
 * (1..4) bytes of pn. PADDING is the caller's: the header protection sample
 * needs frames_len + pn_len >= 4 (RFC 9001 §5.4.2). Returns the packet's
 * length, or 0 when it does not fit out_max or an argument is out of range.
 */
struct quic_seal {
    uint32_t version;
    bool server;
    const uint8_t *key_dcid;
    size_t key_dcid_len;
    const uint8_t *dcid;
    size_t dcid_len;
    const uint8_t *scid;
    size_t scid_len;
    const uint8_t *token;
    size_t token_len;
    uint64_t pn;
    unsigned pn_len;
};
size_t quic_seal_initial(const struct quic_seal *s, const uint8_t *frames, size_t frames_len,
                         uint8_t *out, size_t out_max);

#endif
