/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TLS handshake hellos (RFC 8446 §4.1.2, §4.1.3; RFC 5246 §7.4.1; RFC 6066 §3
 * server_name; RFC 7301 ALPN; draft-ietf-tls-esni encrypted_client_hello). */
#ifndef EA_TLS_H
#define EA_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

#define TLS_SNI_MAX 255
#define TLS_ALPN_MAX 64
/* Largest handshake message we reassemble from several records. */
#define TLS_HS_MAX 16384

/* Values kept per list (cipher suites, extension types, signature
 * algorithms) for the JA4 fingerprint; a longer list sets ja4_cut. */
#define TLS_JA4_CIPHERS_MAX 256
#define TLS_JA4_LIST_MAX 128

enum {
    TLS_EXT_SERVER_NAME = 0x0000,
    TLS_EXT_SIGNATURE_ALGORITHMS = 0x000d,
    TLS_EXT_ALPN = 0x0010,
    TLS_EXT_SUPPORTED_VERSIONS = 0x002b,
    TLS_EXT_ECH = 0xfe0d,
};

struct tls_client_hello {
    uint16_t record_version; /* of the first record */
    uint16_t legacy_version; /* client_version field */
    uint16_t n_extensions;
    bool has_sni;                 /* a server_name extension with a host_name entry */
    uint16_t sni_len;             /* bytes kept in sni (≤ TLS_SNI_MAX) */
    bool sni_cut;                 /* the host_name was longer than TLS_SNI_MAX */
    uint8_t sni[TLS_SNI_MAX + 1]; /* raw bytes of the first host_name, NUL after */
    uint16_t n_sni_names;         /* host_name entries in the extension */
    bool has_alpn;
    uint16_t alpn_len; /* first protocol in the ALPN list */
    uint8_t alpn[TLS_ALPN_MAX + 1];
    bool has_ech;        /* extension 0xfe0d present (maybe GREASE) */
    bool supports_tls13; /* supported_versions lists 0x0304 */
    /* For JA4 (ja4.h): GREASE values (RFC 8701) left out, message order. */
    uint16_t max_version;   /* highest in supported_versions; 0 without it */
    uint8_t alpn_first_raw; /* first and last byte of the first ALPN protocol */
    uint8_t alpn_last_raw;  /* (before any cut) */
    bool ja4_cut;           /* a list below was longer than kept */
    uint16_t n_ciphers;     /* counted; the first TLS_JA4_CIPHERS_MAX kept */
    uint16_t n_exts;        /* extension types, counted; the first TLS_JA4_LIST_MAX kept */
    uint16_t n_sig_algs;    /* signature_algorithms, counted; ditto */
    uint16_t ciphers[TLS_JA4_CIPHERS_MAX];
    uint16_t exts[TLS_JA4_LIST_MAX];
    uint16_t sig_algs[TLS_JA4_LIST_MAX];
    bool cut; /* read from a hello that was cut (partial parse): fields
                 of extensions past the cut are unknown */
};

/* RFC 8701 §2: GREASE values for cipher suites, extensions, versions,
 * groups and signature algorithms are 0x?A?A with both bytes equal. */
bool tls_is_grease(uint16_t v);

/*
 * Parse a ClientHello from the first bytes of the client→server TCP stream
 * (TLS records, RFC 8446 §5.1). The handshake message may span several
 * records and may arrive in several calls: call again with the longer prefix
 * while the result is PARSE_INCOMPLETE. Fragments are joined in the caller's
 * scratch buffer (TLS_HS_MAX bytes); a ClientHello longer than that is
 * PARSE_MALFORMED with reason "client hello too large". *out is written only
 * on PARSE_OK.
 */
enum parse_result tls_parse_client_hello_stream(const uint8_t *stream, size_t len,
                                                uint8_t scratch[TLS_HS_MAX],
                                                struct tls_client_hello *out,
                                                const char **out_reason);

/*
 * The same for a stream whose bytes after len are lost (the snaplen cut a
 * segment, reassembly has a gap, or the capture ended): the ClientHello is
 * read as far as it goes, and the fields of every extension wholly present
 * are filled in (a server_name before the cut is found). PARSE_OK with
 * out->cut set when the hello is cut but its fixed fields are there (or
 * out->cut clear when it was whole after all); PARSE_INCOMPLETE when the cut
 * comes earlier; PARSE_MALFORMED as for the stream parser.
 */
enum parse_result tls_parse_client_hello_partial(const uint8_t *stream, size_t len,
                                                 uint8_t scratch[TLS_HS_MAX],
                                                 struct tls_client_hello *out,
                                                 const char **out_reason);

/* Parse a ClientHello handshake message (type 1, with its 4-byte handshake
 * header) already reassembled, e.g. from QUIC CRYPTO frames. */
enum parse_result tls_parse_client_hello_msg(const uint8_t *msg, size_t len,
                                             struct tls_client_hello *out, const char **out_reason);

enum tls_server_kind {
    TLS_SERVER_HELLO = 1, /* a ServerHello (or HelloRetryRequest) */
    TLS_SERVER_ALERT,     /* the first record is an alert */
};

struct tls_server_first {
    enum tls_server_kind kind;
    uint16_t version; /* negotiated: supported_versions if present */
    uint16_t cipher_suite;
    bool hello_retry; /* the ServerHello is a HelloRetryRequest */
    uint8_t alert_level;
    uint8_t alert_desc;
    uint16_t alpn_len; /* ALPN the server chose (RFC 7301 §3.1), 0 if none */
    uint8_t alpn[TLS_ALPN_MAX + 1];
};

/*
 * Parse the first server→client record of the stream: a handshake record
 * starting with a ServerHello, or an alert. Only the ServerHello's fixed part
 * and its extensions are needed, so the remainder of the flight may be
 * missing. Anything else (not TLS) is PARSE_MALFORMED. *out written only on
 * PARSE_OK.
 */
enum parse_result tls_parse_server_first(const uint8_t *stream, size_t len,
                                         struct tls_server_first *out, const char **out_reason);

/*
 * The server's leaf certificate in a TLS 1.2 (or older) server flight: the
 * handshake messages after the ServerHello, joined across records in
 * scratch (at most TLS_HS_MAX bytes), up to the first certificate of the
 * Certificate message (RFC 5246 §7.4.2). *out_leaf is a view into stream or
 * scratch (DER, for x509.h). PARSE_INCOMPLETE: more bytes are needed;
 * PARSE_MALFORMED: no certificate there (a resumed session, anonymous
 * suites, encrypted TLS 1.3 records) or it does not fit.
 */
enum parse_result tls_parse_server_certificate(const uint8_t *stream, size_t len,
                                               uint8_t scratch[TLS_HS_MAX], struct cur *out_leaf,
                                               const char **out_reason);

/* Does this look like the start of a TLS handshake record (0x16 0x03 0x00..0x04)? */
bool tls_looks_like_handshake(const uint8_t *stream, size_t len);

#endif
