/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DNS messages: RFC 1035 §4.1 in wire order (header, question, answer,
 * authority, additional), RFC 3596 AAAA and RFC 9460 SVCB/HTTPS RDATA.
 * Every byte is read through the cursor; nothing here allocates.
 */
#include "dns.h"

#include <stdio.h>
#include <string.h>

enum {
    DNS_HEADER_LEN = 12, /* RFC 1035 §4.1.1 */
    DNS_NAME_WIRE_MAX = 255,
    /* A name holds at most 127 labels (255 wire bytes), so an honest encoder
     * needs at most one pointer per label. The jump barrier alone already
     * ends every pointer chain, but a chain of thousands of backward
     * pointers, reused by every record of a 64 KiB message, only burns CPU. */
    DNS_NAME_MAX_JUMPS = 128,
};

static enum parse_result malformed(const char **out_reason, const char *why)
{
    if (out_reason)
        *out_reason = why;
    return PARSE_MALFORMED;
}

/* Where c points inside msg, as an offset from its start. */
static bool offset_in(const struct cur *msg, const struct cur *c, size_t *out)
{
    uintptr_t base = (uintptr_t)msg->p;
    uintptr_t at = (uintptr_t)c->p;
    if (at < base)
        return false;
    size_t off = (size_t)(at - base);
    if (off > msg->left || c->left > msg->left - off)
        return false;
    *out = off;
    return true;
}

/* Append k bytes of presentation text; once something did not fit, the name
 * is cut there and nothing more is appended (the text stays a prefix). */
static void text_put(struct dns_name *n, const char *s, size_t k)
{
    if (n->cut)
        return;
    if (k > DNS_NAME_TEXT_MAX - (size_t)n->len) {
        n->cut = true;
        return;
    }
    memcpy(n->s + n->len, s, k);
    n->len = (uint16_t)(n->len + k);
    n->s[n->len] = '\0';
}

/* One label: bytes kept raw except '.' and '\', written "\." and "\\". */
static void text_label(struct dns_name *n, bool first, struct cur label)
{
    if (!first)
        text_put(n, ".", 1);
    uint8_t b;
    while (cur_u8(&label, &b)) {
        char pair[2] = {'\\', (char)b};
        if (b == '.' || b == '\\')
            text_put(n, pair, 2);
        else
            text_put(n, pair + 1, 1);
    }
}

/*
 * RFC 1035 §3.1 names, §4.1.4 compression. Reads the name at c (inside msg)
 * into out (NULL: only check it). c moves past the name as it appears in
 * place, only on PARSE_OK. On PARSE_INCOMPLETE, *out_in_place tells whether
 * the bytes ran out at c itself (false: after following a pointer, at the
 * end of msg); a caller whose c is a complete RDATA turns the first case
 * into MALFORMED.
 */
static enum parse_result name_read(const struct cur *msg, struct cur *c, struct dns_name *out,
                                   const char **out_reason, bool *out_in_place)
{
    size_t barrier; /* a pointer must point before this offset */
    if (!offset_in(msg, c, &barrier))
        return malformed(out_reason, "name cursor outside the message");
    if (out) {
        out->len = 0;
        out->cut = false;
        out->s[0] = '\0';
    }
    struct cur r = *c;
    struct cur after = *c;
    bool jumped = false;
    unsigned jumps = 0;
    size_t wire = 1; /* the final zero-length label */
    size_t labels = 0;
    *out_in_place = true;
    for (;;) {
        uint8_t len;
        if (!cur_u8(&r, &len))
            return PARSE_INCOMPLETE;
        if ((len & 0xC0) == 0xC0) {
            /* RFC 1035 §4.1.4: a pointer, 14 bits of offset from the
             * start of the message. Only backwards, strictly before the
             * last place we started reading from (the jump barrier), so
             * every chain ends. */
            uint8_t lo;
            if (!cur_u8(&r, &lo))
                return PARSE_INCOMPLETE;
            size_t target = (size_t)(len & 0x3F) << 8 | lo;
            if (target >= barrier)
                return malformed(out_reason, "compression pointer does not point backwards");
            if (++jumps > DNS_NAME_MAX_JUMPS)
                return malformed(out_reason, "too many compression pointers");
            if (!jumped) {
                after = r;
                jumped = true;
                *out_in_place = false;
            }
            if (!cur_at(msg, target, &r))
                return malformed(out_reason, "compression pointer outside the message");
            barrier = target;
            continue;
        }
        if (len & 0xC0) {
            /* 0x40 (extended label types, deprecated by RFC 6891 §5)
             * and 0x80 (reserved). This is also what keeps labels ≤ 63
             * bytes (RFC 1035 §2.3.4): a 64-byte label is type 0x40. */
            return malformed(out_reason, "bad label type");
        }
        if (len == 0)
            break;
        /* RFC 1035 §2.3.4: ≤ 255 bytes, counting each length byte and the
         * final zero. Checked before the label bytes are there: no byte
         * that follows could make this name valid. */
        wire += 1u + len;
        if (wire > DNS_NAME_WIRE_MAX)
            return malformed(out_reason, "name longer than 255 bytes");
        struct cur label;
        if (!cur_sub(&r, len, &label))
            return PARSE_INCOMPLETE;
        if (out)
            text_label(out, labels == 0, label);
        labels++;
    }
    if (out && labels == 0)
        text_put(out, ".", 1); /* the root */
    *c = jumped ? after : r;
    return PARSE_OK;
}

enum parse_result dns_parse_name(const struct cur *msg, struct cur *c, struct dns_name *out,
                                 const char **out_reason)
{
    struct dns_name name;
    bool in_place;
    enum parse_result res = name_read(msg, c, &name, out_reason, &in_place);
    if (res == PARSE_OK)
        *out = name;
    return res;
}

/* A name that must lie inside a complete RDATA (rd): running out of rd is
 * malformed, not incomplete. */
static enum parse_result rdata_name(const struct cur *msg, struct cur *rd, struct dns_name *out,
                                    const char **out_reason, const char *overrun)
{
    bool in_place;
    enum parse_result res = name_read(msg, rd, out, out_reason, &in_place);
    if (res == PARSE_INCOMPLETE && in_place)
        return malformed(out_reason, overrun);
    return res;
}

/* RFC 9460 §14.3.2: SvcParamKeys read here */
enum {
    SVC_KEY_ALPN = 1,
    SVC_KEY_NO_DEFAULT_ALPN = 2,
    SVC_KEY_PORT = 3,
    SVC_KEY_ECH = 5,
};

/* RFC 9460 §7.1.1: alpn-ids, each a length-prefixed protocol id (1..255
 * bytes), at least one; joined by ',' into bounded text. */
static enum parse_result svc_alpn(struct cur *value, struct dns_rr *rr, const char **out_reason)
{
    if (cur_empty(value))
        return malformed(out_reason, "empty alpn SvcParam");
    while (!cur_empty(value)) {
        struct cur id;
        const uint8_t *p = NULL;
        if (!cur_vec8(value, &id) || cur_empty(&id))
            return malformed(out_reason, "bad alpn-id");
        size_t n = cur_left(&id), sep = rr->svc_alpn_len ? 1 : 0;
        if (rr->svc_alpn_cut || sep + n > (size_t)DNS_SVC_ALPN_MAX - rr->svc_alpn_len) {
            rr->svc_alpn_cut = true;
            continue;
        }
        if (!cur_bytes(&id, n, &p))
            return malformed(out_reason, "bad alpn-id");
        if (sep)
            rr->svc_alpn[rr->svc_alpn_len++] = ',';
        memcpy(rr->svc_alpn + rr->svc_alpn_len, p, n);
        rr->svc_alpn_len = (uint16_t)(rr->svc_alpn_len + n);
        rr->svc_alpn[rr->svc_alpn_len] = '\0';
    }
    return PARSE_OK;
}

/*
 * RFC 9848 §4 (draft-ietf-tls-esni): ECHConfig ECHConfigList<4..2^16-1>;
 * struct { uint16 version; uint16 length; contents } ECHConfig; for version
 * 0xfe0d: HpkeKeyConfig { uint8 config_id; uint16 kem_id;
 * opaque public_key<1..2^16-1>; HpkeSymmetricCipherSuite
 * cipher_suites<4..2^16-4>; }, uint8 maximum_name_length,
 * opaque public_name<1..255>, extensions<0..2^16-1>. The first readable
 * config's public_name is kept: the visible SNI of the client that uses it.
 * A list that does not parse only leaves the name unknown.
 */
static void svc_ech(struct cur *value, struct dns_rr *rr)
{
    struct cur list;
    if (!cur_vec16(value, &list))
        return;
    while (!cur_empty(&list)) {
        uint16_t version;
        struct cur cfg, pk, suites, name;
        uint8_t config_id, max_len;
        uint16_t kem;
        const uint8_t *p = NULL;
        if (!cur_be16(&list, &version) || !cur_vec16(&list, &cfg))
            return;
        if (version != 0xfe0d)
            continue;
        if (!cur_u8(&cfg, &config_id) || !cur_be16(&cfg, &kem) || !cur_vec16(&cfg, &pk) ||
            !cur_vec16(&cfg, &suites) || !cur_u8(&cfg, &max_len) || !cur_vec8(&cfg, &name))
            return;
        size_t n = cur_left(&name);
        if (n == 0 || !cur_bytes(&name, n, &p))
            return;
        memcpy(rr->ech_public, p, n); /* n ≤ 255: a one-byte length */
        rr->ech_public[n] = '\0';
        rr->ech_public_len = (uint8_t)n;
        return;
    }
}

/* RFC 9460 §2.2: SvcPriority, TargetName, SvcParams. TargetName is sent
 * uncompressed, but a pointer is accepted: it costs nothing to follow. */
static enum parse_result svcb_rdata(const struct cur *msg, struct cur rd, struct dns_rr *rr,
                                    const char **out_reason)
{
    if (!cur_be16(&rd, &rr->svc_priority))
        return malformed(out_reason, "SVCB RDATA too short");
    enum parse_result res =
        rdata_name(msg, &rd, &rr->target, out_reason, "SVCB TargetName overruns RDATA");
    if (res != PARSE_OK)
        return res;
    /* SvcParams fill the rest of the RDATA; §2.2 makes the RR malformed if
     * the RDATA ends inside one or if the keys do not strictly increase.
     * alpn, no-default-alpn, port and ech are read (§7); the rest skipped. */
    uint32_t prev_key = 0;
    bool first = true;
    while (!cur_empty(&rd)) {
        uint16_t key;
        struct cur value;
        if (!cur_be16(&rd, &key) || !cur_vec16(&rd, &value))
            return malformed(out_reason, "SvcParam overruns RDATA");
        if (!first && key <= prev_key)
            return malformed(out_reason, "SvcParamKeys not in increasing order");
        prev_key = key;
        first = false;
        switch (key) {
        case SVC_KEY_ALPN:
            res = svc_alpn(&value, rr, out_reason);
            break;
        case SVC_KEY_NO_DEFAULT_ALPN: /* §7.1.1: an empty value */
            if (!cur_empty(&value))
                return malformed(out_reason, "no-default-alpn with a value");
            rr->svc_no_default_alpn = true;
            break;
        case SVC_KEY_PORT: /* §7.2: a 16-bit port */
            if (!cur_be16(&value, &rr->svc_port) || !cur_empty(&value))
                return malformed(out_reason, "port SvcParam is not 2 bytes");
            rr->svc_has_port = true;
            break;
        case SVC_KEY_ECH:
            rr->svc_ech = true;
            svc_ech(&value, rr);
            break;
        default:
            break;
        }
        if (res != PARSE_OK)
            return res;
    }
    return PARSE_OK;
}

size_t dns_svcb_text(const struct dns_rr *rr, char *out, size_t cap)
{
    size_t at = 0;
    if (cap == 0)
        return 0;
    int n = snprintf(out, cap, "%u ", rr->svc_priority);
    at = n > 0 && (size_t)n < cap ? (size_t)n : 0;
    /* the target and the protocol ids are raw bytes (renderers escape them) */
    const struct {
        const char *pre;
        const char *p;
        size_t len;
        bool on;
    } parts[] = {
        {"", rr->target.s, rr->target.len, true},
        {" alpn=", rr->svc_alpn, rr->svc_alpn_len, rr->svc_alpn_len > 0},
        {" no-default-alpn", "", 0, rr->svc_no_default_alpn},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!parts[i].on)
            continue;
        size_t pl = strlen(parts[i].pre);
        if (pl + parts[i].len >= cap - at)
            break;
        memcpy(out + at, parts[i].pre, pl);
        at += pl;
        memcpy(out + at, parts[i].p, parts[i].len);
        at += parts[i].len;
    }
    if (rr->svc_has_port) {
        char port[16];
        int pn = snprintf(port, sizeof port, " port=%u", rr->svc_port);
        if (pn > 0 && (size_t)pn < cap - at) {
            memcpy(out + at, port, (size_t)pn);
            at += (size_t)pn;
        }
    }
    /* ech last (key 5): its value is binary; its public name is what matters */
    if (rr->svc_ech && 4 < cap - at) {
        memcpy(out + at, " ech", 4);
        at += 4;
        if (rr->ech_public_len && 13 + (size_t)rr->ech_public_len < cap - at) {
            memcpy(out + at, " public_name=", 13);
            memcpy(out + at + 13, rr->ech_public, rr->ech_public_len);
            at += 13 + (size_t)rr->ech_public_len;
        }
    }
    out[at] = '\0';
    return at;
}

static bool dns_type_kept(uint16_t type)
{
    return type == DNS_TYPE_A || type == DNS_TYPE_AAAA || type == DNS_TYPE_CNAME ||
           type == DNS_TYPE_SVCB || type == DNS_TYPE_HTTPS;
}

/*
 * RFC 1035 §4.1.3: NAME, TYPE, CLASS, TTL, RDLENGTH, RDATA. With rr set, the
 * RDATA of kept types is decoded into it; with rr NULL the record is only
 * walked over (owner name and bounds checked, RDATA not looked at).
 */
static void name_clear(struct dns_name *n)
{
    n->len = 0;
    n->cut = false;
    n->s[0] = '\0';
}

/* Everything of a record that a reader may look at, without the bytes past
 * each text's NUL. */
static void rr_clear(struct dns_rr *rr)
{
    name_clear(&rr->owner);
    rr->type = rr->rclass = 0;
    rr->ttl = 0;
    memset(rr->addr, 0, sizeof rr->addr);
    name_clear(&rr->target);
    rr->svc_priority = 0;
    rr->svc_alpn_len = 0;
    rr->svc_alpn_cut = false;
    rr->svc_alpn[0] = '\0';
    rr->svc_no_default_alpn = false;
    rr->svc_has_port = false;
    rr->svc_port = 0;
    rr->svc_ech = false;
    rr->ech_public_len = 0;
    rr->ech_public[0] = '\0';
}

static enum parse_result rr_read(const struct cur *msg, struct cur *c, struct dns_rr *rr,
                                 const char **out_reason)
{
    bool in_place;
    enum parse_result res = name_read(msg, c, rr ? &rr->owner : NULL, out_reason, &in_place);
    if (res != PARSE_OK)
        return res;
    uint16_t type, rclass, rdlength;
    uint32_t ttl;
    if (!cur_be16(c, &type) || !cur_be16(c, &rclass) || !cur_be32(c, &ttl) ||
        !cur_be16(c, &rdlength))
        return PARSE_INCOMPLETE;
    if (rr) {
        /* Fixed sizes are checked before the RDATA is there: an A record
         * of 5 bytes is never valid, whatever follows. */
        if (type == DNS_TYPE_A && rdlength != 4)
            return malformed(out_reason, "A RDATA is not 4 bytes");
        if (type == DNS_TYPE_AAAA && rdlength != 16) /* RFC 3596 §2.2 */
            return malformed(out_reason, "AAAA RDATA is not 16 bytes");
    }
    struct cur rd;
    if (!cur_sub(c, rdlength, &rd))
        return PARSE_INCOMPLETE;
    if (!rr)
        return PARSE_OK;
    rr->type = type;
    rr->rclass = rclass;
    rr->ttl = ttl;

    const uint8_t *addr;
    switch (type) {
    case DNS_TYPE_A: /* RFC 1035 §3.4.1 */
    case DNS_TYPE_AAAA:
        if (!cur_bytes(&rd, rdlength, &addr))
            return PARSE_INCOMPLETE; /* not reached: rd holds rdlength bytes */
        memcpy(rr->addr, addr, rdlength);
        return PARSE_OK;
    case DNS_TYPE_CNAME: /* RFC 1035 §3.3.1 */
        res = rdata_name(msg, &rd, &rr->target, out_reason, "CNAME name overruns RDATA");
        if (res != PARSE_OK)
            return res;
        if (!cur_empty(&rd))
            return malformed(out_reason, "CNAME name does not fill RDATA");
        return PARSE_OK;
    case DNS_TYPE_SVCB:
    case DNS_TYPE_HTTPS:
        return svcb_rdata(msg, rd, rr, out_reason);
    default:
        return PARSE_OK; /* RDATA skipped (bounds checked by cur_sub) */
    }
}

enum parse_result dns_parse_message(const uint8_t *buf, size_t len, struct dns_msg *out,
                                    const char **out_reason)
{
    /* Field by field, not one memset: answers[] is 32 records of about a
     * kilobyte each, and clearing it cost more than the whole parse
     * (bench/RESULTS.md, issue 12). A record is cleared as it is read. */
    out->id = 0;
    out->qr = out->tc = false;
    out->opcode = out->rcode = 0;
    out->qdcount = out->ancount = out->nscount = out->arcount = 0;
    out->has_question = false;
    name_clear(&out->qname);
    out->qtype = out->qclass = 0;
    out->n_answers = 0;
    out->n_skipped = 0;
    out->answers_dropped = false;
    struct cur msg;
    cur_init(&msg, buf, len);
    struct cur c = msg;

    /* RFC 1035 §4.1.1: ID, QR|Opcode|AA|TC|RD|RA|Z|RCODE, four counts. */
    struct cur h;
    uint16_t flags;
    if (!cur_sub(&c, DNS_HEADER_LEN, &h))
        return PARSE_INCOMPLETE;
    if (!cur_be16(&h, &out->id) || !cur_be16(&h, &flags) || !cur_be16(&h, &out->qdcount) ||
        !cur_be16(&h, &out->ancount) || !cur_be16(&h, &out->nscount) ||
        !cur_be16(&h, &out->arcount))
        return PARSE_INCOMPLETE; /* not reached: h holds 12 bytes */
    out->qr = (flags & 0x8000) != 0;
    out->opcode = (uint8_t)(flags >> 11 & 0x0F);
    out->tc = (flags & 0x0200) != 0;
    out->rcode = (uint8_t)(flags & 0x0F);

    /* Counts are not checked against the length up front: every record
     * consumes at least 5 bytes or fails, so a count that cannot fit ends
     * in PARSE_INCOMPLETE after at most len / 5 rounds. */

    /* RFC 1035 §4.1.2: QNAME, QTYPE, QCLASS. Only the first is kept. */
    for (unsigned i = 0; i < out->qdcount; i++) {
        struct dns_name qname;
        uint16_t qtype, qclass;
        bool in_place;
        enum parse_result res = name_read(&msg, &c, &qname, out_reason, &in_place);
        if (res != PARSE_OK)
            return res;
        if (!cur_be16(&c, &qtype) || !cur_be16(&c, &qclass))
            return PARSE_INCOMPLETE;
        if (i == 0) {
            out->has_question = true;
            out->qname = qname;
            out->qtype = qtype;
            out->qclass = qclass;
        }
    }

    /* RFC 1035 §4.1.3: the answer section. */
    struct dns_rr spill; /* a kept type past DNS_MAX_ANSWERS: read, not kept */
    for (unsigned i = 0; i < out->ancount; i++) {
        struct dns_rr *rr =
            out->n_answers < DNS_MAX_ANSWERS ? &out->answers[out->n_answers] : &spill;
        rr_clear(rr);
        enum parse_result res = rr_read(&msg, &c, rr, out_reason);
        if (res != PARSE_OK)
            return res;
        if (!dns_type_kept(rr->type))
            out->n_skipped++;
        else if (rr != &spill)
            out->n_answers++;
        else
            out->answers_dropped = true;
    }

    /* Authority and additional sections: walked over, not kept, so that a
     * message cut inside them is reported as incomplete. */
    unsigned rest = (unsigned)out->nscount + out->arcount;
    for (unsigned i = 0; i < rest; i++) {
        enum parse_result res = rr_read(&msg, &c, NULL, out_reason);
        if (res != PARSE_OK)
            return res;
    }

    /* Bytes after the last declared section are allowed and ignored: RFC
     * 1035 does not forbid them and some servers and middleboxes pad. */
    return PARSE_OK;
}
