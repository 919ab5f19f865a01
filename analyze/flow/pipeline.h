/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Internal state of one analysis run, shared by the pipeline's modules:
 * the flow table (flow.c), tracking and outcomes (track.c), the stream sink
 * (stream.c), reassembly glue (reasm.c), DNS attribution (attrib.c), and
 * the push API that drives them (../analyzer.c). Nothing outside this
 * folder and analyzer.c includes it.
 */
#ifndef EA_PIPELINE_H
#define EA_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "addr.h"
#include "decode.h"
#include "dns.h"
#include "frame.h"
#include "ja4.h"
#include "lru.h"
#include "model.h"
#include "tls.h"

/* ---- streams: the first bytes of each TCP direction ---- */

enum stream_kind {
    SK_UNKNOWN = 0,
    SK_TLS,
    SK_HTTP,
    SK_DNS,
    SK_OTHER,
    SK_PRELUDE, /* plaintext before TLS: SOCKS, STARTTLS, SSLRequest (prelude.h) */
};

struct own_reasm; /* reasm.c: our reassembly for IPv6 and mid-stream flows */

struct stream_dir {
    uint8_t kind;          /* enum stream_kind */
    bool done;             /* nothing more wanted from this direction */
    bool gap;              /* reassembly lost bytes before we were done */
    uint32_t dns_off;      /* DNS over TCP: bytes of whole messages consumed */
    uint32_t seen;         /* contiguous bytes handed to the sink so far */
    uint32_t tls_off;      /* where TLS begins after a prelude (CONNECT, SOCKS, STARTTLS) */
    uint8_t prelude;       /* enum prelude_kind of an SK_PRELUDE direction */
    bool lost;             /* payload arrived that reassembly could not place */
    struct own_reasm *own; /* our reassembly: everything libnids does not deliver */
};

/* ---- flows ---- */

/* What the first payload bytes named: most flows (a SYN flood, a scan,
 * UDP) never need it, so it lives apart from the flow. */
/* Longest name a flow keeps (SNI, Host, CONNECT or SOCKS target); longer
 * ones are cut and flagged EA_CF_NAME_CUT. */
#define FLOW_NAME_MAX 255

struct flow_app {
    uint16_t name_len;
    char *name; /* owned, NUL-terminated, allocated to its length; NULL: none */
    uint8_t alpn_len;
    char alpn[TLS_ALPN_MAX + 1];
    char http_method[16];
    uint8_t server_alpn_len;
    char server_alpn[TLS_ALPN_MAX + 1]; /* chosen by the ServerHello (TLS 1.2 and older) */
    char ja4[JA4_TEXT_MAX + 1];         /* empty when none */
    struct ea_str *cert_names;          /* owned; moved into the connection */
    size_t n_cert_names;
    bool cert_mismatch; /* no name of the certificate (kept or not) covers the SNI */
    uint16_t inner_len;
    char *inner_name;                    /* SNI inside CONNECT or SOCKS; owned, as name */
    enum ea_name_source inner_source;    /* EA_NAME_NONE: no inner name */
    struct ea_addr outer_src, outer_dst; /* the tunnel's, when flow->tunnel is set */
    bool name_is_addr;                   /* the prelude asked for an address, not a name */
};

enum { DIR_C2S = 0, DIR_S2C = 1 };

struct flow {
    struct flow *hnext;     /* hash chain */
    struct ea_lru_node lru; /* by last packet time, oldest first */
    uint64_t hash;
    struct ea_addr cli, srv;
    uint16_t cport, sport;
    uint8_t proto;
    struct timeval first, last;
    uint64_t pkts[2], bytes[2];
    uint64_t payload[2]; /* transport payload bytes per direction */
    /* TCP state */
    bool syn, synack, midstream;
    bool rst_from[2], fin_from[2];
    bool rst_to_syn;   /* the server reset instead of SYN-ACK */
    bool client_acked; /* the client acknowledged: a SYN-ACK it got, captured or not */
    uint32_t isn[2];
    bool have_isn[2];
    bool ours;      /* this shard reports it (always, when the run is not split: -j) */
    bool inspect;   /* its payload is read here: ours, or shared (TCP port 53: DNS for all) */
    bool shared;    /* read by every shard: its DNS rows are shard 0's to record */
    bool via_nids;  /* IPv4 with a SYN: libnids reassembles */
    bool nids_done; /* libnids need not see this flow any more */
    struct stream_dir dir[2];
    /* what the payload told us */
    uint32_t flags; /* enum ea_conn_flag */
    enum ea_name_source name_source;
    struct flow_app *app; /* allocated when payload names something */
    bool client_hello, server_hello, tls_alert;
    uint16_t tls_version;
    bool http_request, http_response, http_deny;
    uint16_t http_status;
    bool has_resolved;
    struct ea_chain resolved; /* owned; moved into the connection */
    /* what the live view (analyzer_on_conn) was last told */
    bool obs_told;
    uint8_t obs_outcome, obs_name; /* enum ea_outcome, enum ea_name_source */
    uint32_t obs_tag;              /* the observer's value */
    struct quic_track *quic;       /* quic_flow.c: QUIC flows only, while there is more to read */
    uint8_t quic_seen;             /* enum quic_seen bits: what QUIC taught about this flow */
    uint8_t tunnel;                /* enum ea_tunnel of the first packet; outer addresses in app */
    bool dns_tried;                /* UDP on another port: its first query was looked at */
    struct dns_pending *dns_q;     /* ... and kept while it waits for a matching response */
};

/* DNS over UDP on another port: the client's query, kept until a response
 * matches it (then both count). Rare: allocated apart from the flow. */
struct dns_pending {
    struct timeval ts;
    uint16_t len;
    uint8_t msg[];
};

struct flow_table {
    struct flow **buckets;
    size_t n_buckets; /* power of two */
    size_t n_flows, max_flows;
    struct ea_lru lru;
};

/* ---- DNS name → address attribution ---- */

struct attrib_entry;
struct attrib {
    struct attrib_entry **buckets;
    size_t n_buckets;
    size_t n_entries, max_entries;
    struct ea_lru lru;
    uint64_t evicted; /* entries dropped for room (dns_cache_evicted) */
};

/* ---- the analyzer ---- */

struct dns_index;
struct quic_track;

/* What a UDP flow's QUIC packets showed (struct flow's quic_seen). */
enum quic_seen {
    QS_QUIC = 1u << 0,    /* handled as QUIC (port 443, or a decrypted Initial) */
    QS_INITIAL = 1u << 1, /* a client Initial was decrypted */
    QS_REACHED = 1u << 2, /* a server Initial or Handshake packet */
    QS_VN = 1u << 3,      /* Version Negotiation */
};

/* Concurrent QUIC flows whose Initials are being decrypted (about 17 KiB
 * each); past it a QUIC flow is counted in quic_not_tracked, not read. */
#define EA_QUIC_MAX_TRACKED 4096
/* ECH public names learnt from DNS HTTPS/SVCB answers in the capture. */
#define EA_ECH_NAMES_MAX 64

#define EA_FRAG6_DATAGRAMS 256    /* IPv6 datagrams being joined at once */
#define EA_TCP_IDLE_SECONDS 600   /* open TCP flow without packets */
#define EA_CLOSED_IDLE_SECONDS 60 /* closed TCP, and UDP flows */

struct analyzer {
    size_t cutoff;            /* bytes reassembled per TCP direction */
    size_t max_conns;         /* connection rows listed */
    unsigned shard, n_shards; /* analyze -j: this process's share of flows (analyzer.h) */
    bool global_here;         /* shard 0 (or not split): records what every shard sees */
    uint64_t ends;            /* flows ended so far, in every shard: the row cap's count */
    enum link_kind link;      /* of the current input */
    struct ea_report *report;
    struct flow_table flows;
    struct attrib attrib;
    struct timeval now; /* time of the packet being processed */
    uint8_t tls_scratch[TLS_HS_MAX];
    struct dns_msg dns_scratch;
    uint8_t *quic_scratch; /* QUIC_SCRATCH_MAX bytes, allocated with the first QUIC flow */
    size_t quic_tracked;   /* flows holding a struct quic_track */
    size_t n_ech_names;    /* public names of ECH configs seen in DNS, oldest first */
    struct ea_str ech_names[EA_ECH_NAMES_MAX];
    struct frag6_table *frag6;
    bool failed;   /* out of memory */
    bool finished; /* reassembly has been shut down */
    /* the live view, if any (analyzer_on_conn) */
    void (*observe)(struct analyzer *a, const struct ea_conn *c, bool ended, uint32_t *tag);
    void (*on_conn)(void); /* analyzer.c: the observer's analyzer_conn_fn */
    void *on_conn_ctx;
};

/* flow.c */
/* The flow table's hash of a 5-tuple: the same for both directions. */
uint64_t flow_tuple_hash(const struct ea_addr *s, const struct ea_addr *d, uint16_t sp, uint16_t dp,
                         uint8_t proto);
/* Which of n shards a flow of this hash belongs to (its high bits: the
 * table's buckets use the low ones). */
unsigned flow_shard(uint64_t hash, unsigned n);
bool flow_table_init(struct flow_table *t, size_t max_flows);
void flow_table_finish(struct flow_table *t);
/* Find the flow of a packet; *out_dir is DIR_C2S when src is the client. */
struct flow *flow_table_find(struct flow_table *t, const struct ea_addr *src,
                             const struct ea_addr *dst, uint16_t sport, uint16_t dport,
                             uint8_t proto, int *out_dir);
/* Insert a new flow with src as the client; the caller fills the rest. */
struct flow *flow_table_insert(struct flow_table *t, const struct ea_addr *src,
                               const struct ea_addr *dst, uint16_t sport, uint16_t dport,
                               uint8_t proto);
void flow_table_touch(struct flow_table *t, struct flow *f);
void flow_table_unlink(struct flow_table *t, struct flow *f);
struct flow *flow_table_oldest(const struct flow_table *t);

/* stream.c: data = the first len bytes of direction dir, contiguous. */
void stream_feed(struct analyzer *a, struct flow *f, int dir, const uint8_t *data, size_t len);
bool stream_wants(const struct flow *f, int dir);
/* The flow ends: what a direction holds that never completed (cut by the
 * snaplen, a gap, or the capture's end) is parsed as far as it goes, and a
 * connection with client payload but no name gets the flag saying why. */
void stream_end(struct analyzer *a, struct flow *f, int dir, const uint8_t *data, size_t len);

/* reasm.c */
bool reasm_init(struct analyzer *a, char *err, size_t errlen);
void reasm_finish(struct analyzer *a);
/* An IPv4 packet (whole or fragment) for libnids. When it completes a
 * fragmented datagram, returns its length and points *out_whole at it (valid
 * until the next call; out_whole may be NULL for unfragmented packets);
 * otherwise 0. Never calls back into tracking with datagrams. */
size_t reasm_nids_packet(struct analyzer *a, const struct pkt *p, const struct timeval *ts,
                         const uint8_t **out_whole);
/* A TCP segment of a flow libnids does not carry (IPv6, or mid-stream). */
void reasm_own_segment(struct analyzer *a, struct flow *f, int dir, const struct pkt *p);
/* The flow ends: each direction's held bytes go to stream_end, then are freed. */
void reasm_own_end(struct analyzer *a, struct flow *f);
void reasm_own_free(struct flow *f);
void reasm_own_free_dir(struct stream_dir *d);
/* IPv6 fragments (RFC 8200 §4.5): a bounded table of datagrams being
 * joined. Returns the whole datagram's length and points *out_whole at it
 * (valid until the next call) when this fragment completes one; else 0. */
struct frag6_table;
struct frag6_table *frag6_new(size_t max_datagrams);
void frag6_free(struct frag6_table *t);
/* Datagrams given up unjoined because every slot was taken. */
uint64_t frag6_given_up(const struct frag6_table *t);
size_t frag6_packet(struct frag6_table *t, const struct pkt *p, const struct timeval *now,
                    const uint8_t **out_whole, bool *out_overlap);

/* attrib.c */
bool attrib_init(struct attrib *t, size_t max_entries);
void attrib_finish(struct attrib *t);
/* Record a DNS response seen by client. */
void attrib_add_response(struct attrib *t, const struct ea_addr *client, const struct dns_msg *m,
                         const struct timeval *ts);
/* The client's latest chain for addr (falling back to any client's);
 * copies into *out. false if none. */
bool attrib_lookup(const struct attrib *t, const struct ea_addr *client, const struct ea_addr *addr,
                   struct ea_chain *out);
void ea_chain_free(struct ea_chain *c);

/* stream.c (flow_client_hello: hello.c): the flow's app data (allocated on first use; NULL on
 * ENOMEM, with a->failed set), and its name: the first one set wins. */
struct flow_app *flow_app(struct analyzer *a, struct flow *f);
void flow_set_name(struct analyzer *a, struct flow *f, enum ea_name_source src, const uint8_t *p,
                   size_t len);
/* The ClientHello's fields that every transport keeps: name (TLS or QUIC
 * SNI), flags, ALPN and the JA4 fingerprint ('t' TCP, 'q' QUIC). */
void flow_client_hello(struct analyzer *a, struct flow *f, const struct tls_client_hello *ch,
                       char ja4_transport);
/* hello.c: the ClientHello's ALPN and JA4 fingerprint, once per flow (the
 * name and flags are the caller's: stream.c judges preludes itself). */
void flow_hello_details(struct analyzer *a, struct flow *f, const struct tls_client_hello *ch,
                        char ja4_transport);

/* hello.c */
/* After a TLS 1.2 ServerHello: the leaf certificate's names (first bytes
 * of the server's side); true when nothing more is to be read there. */
bool flow_server_certificate(struct analyzer *a, struct flow *f, const uint8_t *data, size_t len);
/* Into the ending connection: JA4, server ALPN, certificate names (moved),
 * and the ECH and certificate flags. */
void flow_hello_to_conn(struct analyzer *a, struct flow *f, struct ea_conn *c);
void flow_app_free(struct flow_app *app);
void flow_copy_field(char *dst, size_t cap, const uint8_t *p, size_t len);

/* quic_flow.c: a UDP datagram of flow f in direction dir (first: the flow's
 * first packet); whether the flow is QUIC is decided here. */
void quic_track_datagram(struct analyzer *a, struct flow *f, int dir, const struct pkt *p,
                         bool first);
/* The outcome of a QUIC flow; false when f is not one. */
bool quic_track_outcome(const struct flow *f, enum ea_outcome *out, enum ea_outcome_why *why);
/* Release f's QUIC state (counting what it dropped); f may hold none. */
void quic_track_end(struct analyzer *a, struct flow *f);
/* The analyzer's QUIC and ECH storage. */
void quic_track_finish(struct analyzer *a);
/* A public name from an ECH configuration in a DNS answer; does the
 * connection's visible (outer) SNI look like a real ECH public name? */
void ech_note_public_name(struct analyzer *a, const char *name, size_t len);
bool ech_is_public_name(const struct analyzer *a, const char *name, size_t len);

/* track.c */
/* A DNS message seen by client (over UDP, or whole from a TCP stream):
 * counted, attributed (responses) and aggregated into the model. */
/* record: this shard counts it and keeps its DNS row (each message is
 * recorded by one shard; every shard attributes it). */
void track_dns_message(struct analyzer *a, const uint8_t *msg, size_t len,
                       const struct ea_addr *client, bool over_tcp, uint16_t port, bool record);
/* Does this shard record the DNS messages of TCP flow f's streams? */
bool track_dns_records(const struct analyzer *a, const struct flow *f);
/* One frame of link kind a->link. */
void track_frame(struct analyzer *a, const struct ea_frame *fr);
/* End every flow into a connection (the capture is over). */
void track_end_all(struct analyzer *a);
/* The outcome of a TCP flow and its evidence (DESIGN.md "Outcome"). */
enum ea_outcome flow_tcp_outcome(const struct flow *f, enum ea_outcome_why *why);

#endif
