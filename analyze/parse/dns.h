/* SPDX-License-Identifier: GPL-3.0-or-later */
/* DNS messages (RFC 1035 §4, RFC 3596 AAAA, RFC 9460 SVCB/HTTPS). */
#ifndef EA_DNS_H
#define EA_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

/* A name in presentation form: labels joined by '.', label bytes kept raw
 * (renderers escape them); a '.' or '\' inside a label is written "\." and
 * "\\". The root name is ".". 255 wire bytes fit in 254 text bytes; with
 * escapes a name may not fit, then it is cut and `cut` is set. */
#define DNS_NAME_TEXT_MAX 320
struct dns_name {
    uint16_t len;
    bool cut;
    char s[DNS_NAME_TEXT_MAX + 1]; /* NUL-terminated; may hold NUL bytes: use len */
};

enum {
    DNS_TYPE_A = 1,
    DNS_TYPE_NS = 2,
    DNS_TYPE_CNAME = 5,
    DNS_TYPE_SOA = 6,
    DNS_TYPE_PTR = 12,
    DNS_TYPE_MX = 15,
    DNS_TYPE_TXT = 16,
    DNS_TYPE_AAAA = 28,
    DNS_TYPE_SRV = 33,
    DNS_TYPE_OPT = 41,
    DNS_TYPE_SVCB = 64,
    DNS_TYPE_HTTPS = 65,
    DNS_TYPE_ANY = 255,
};

enum {
    DNS_RCODE_NOERROR = 0,
    DNS_RCODE_FORMERR = 1,
    DNS_RCODE_SERVFAIL = 2,
    DNS_RCODE_NXDOMAIN = 3,
    DNS_RCODE_NOTIMP = 4,
    DNS_RCODE_REFUSED = 5,
};

/* Bytes of an SVCB/HTTPS alpn list kept as text. */
#define DNS_SVC_ALPN_MAX 96

/* One resource record of the answer section that matters for attribution. */
struct dns_rr {
    struct dns_name owner;
    uint16_t type;
    uint16_t rclass;
    uint32_t ttl;
    uint8_t addr[16];       /* A: 4 bytes, AAAA: 16 bytes */
    struct dns_name target; /* CNAME target; SVCB/HTTPS TargetName */
    uint16_t svc_priority;  /* SVCB/HTTPS SvcPriority (0 = alias mode) */
    /* SVCB/HTTPS SvcParams (RFC 9460 §7) that say what comes next */
    uint16_t svc_alpn_len; /* alpn: protocol ids joined by ',' (cut: svc_alpn_cut) */
    bool svc_alpn_cut;
    char svc_alpn[DNS_SVC_ALPN_MAX + 1];
    bool svc_no_default_alpn;
    bool svc_has_port;
    uint16_t svc_port;
    bool svc_ech;           /* ech: an ECHConfigList (RFC 9848) */
    uint8_t ech_public_len; /* public_name of its first ECHConfig we can read; 0: none */
    char ech_public[256];
};

/* RFC 9460 presentation of an SVCB/HTTPS record's data as egress-audit
 * shows it: "1 . alpn=h3,h2 ech public_name=cloudflare-ech.com" (priority,
 * target, then alpn, no-default-alpn, port and ech when present). Writes at
 * most cap - 1 bytes and a NUL; returns the length written. */
#define DNS_SVCB_TEXT_MAX 1024
size_t dns_svcb_text(const struct dns_rr *rr, char *out, size_t cap);

#define DNS_MAX_ANSWERS 32

struct dns_msg {
    uint16_t id;
    bool qr; /* response */
    bool tc; /* truncated flag (TC bit) */
    uint8_t opcode;
    uint8_t rcode;
    uint16_t qdcount, ancount, nscount, arcount;
    bool has_question;
    struct dns_name qname;
    uint16_t qtype;
    uint16_t qclass;
    /* Answer-section records of type A, AAAA, CNAME, SVCB, HTTPS only,
     * in message order. Others are skipped (bounds-checked) and counted. */
    size_t n_answers;
    struct dns_rr answers[DNS_MAX_ANSWERS];
    size_t n_skipped;     /* answer records of other types */
    bool answers_dropped; /* more than DNS_MAX_ANSWERS kept records */
};

/*
 * Parse one DNS message (the UDP payload, or one TCP message without its
 * 2-byte length). Compression pointers may only point backwards, to an
 * offset before the start of the name being read (RFC 1035 §4.1.4; the jump
 * barrier of systemd-resolved), labels are ≤ 63 bytes and names ≤ 255 wire
 * bytes; any first byte 0x40..0xBF is a malformed label type.
 *
 * *out is always initialised: on PARSE_INCOMPLETE (message cut short, e.g.
 * by the snaplen) it holds what was parsed before the cut (the header, and
 * the question if it was complete), so DNS can be reported from what is
 * there. On PARSE_MALFORMED *out_reason (if given) names the problem.
 */
enum parse_result dns_parse_message(const uint8_t *buf, size_t len, struct dns_msg *out,
                                    const char **out_reason);

/* Read a possibly compressed name at the cursor (which is inside msg);
 * advances c past the name as it appears in place. */
enum parse_result dns_parse_name(const struct cur *msg, struct cur *c, struct dns_name *out,
                                 const char **out_reason);

#endif
