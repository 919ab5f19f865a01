/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * TLS hellos: the ClientHello at the start of the client→server stream
 * (joined across records and across calls) and the first server record
 * (ServerHello or alert). Every byte is read through the cursor (cursor.h);
 * nothing is allocated.
 */
#include "tls.h"

#include <string.h>

/* RFC 8446 §5.1: ContentType. */
enum {
    TLS_CT_ALERT = 21,
    TLS_CT_HANDSHAKE = 22,
};

/* RFC 8446 §4: HandshakeType. */
enum {
    TLS_HS_CLIENT_HELLO = 1,
    TLS_HS_SERVER_HELLO = 2,
    TLS_HS_CERTIFICATE = 11,
};

#define TLS_RECORD_HDR_LEN 5
/* RFC 8446 §5.1 caps TLSPlaintext at 2^14; RFC 5246 §6.2.3 allows a
 * TLSCiphertext of 2^14 + 2048. Accept the larger one. */
#define TLS_RECORD_MAX (16384 + 2048)
#define TLS_HS_HDR_LEN 4
#define TLS_RANDOM_LEN 32
#define TLS_SESSION_ID_MAX 32
#define TLS_VERSION_1_3 0x0304
#define TLS_NAME_TYPE_HOST_NAME 0

/* RFC 8446 §4.1.3: the Random of a HelloRetryRequest, SHA-256("HelloRetryRequest"). */
static const uint8_t tls_hrr_random[TLS_RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

bool tls_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Keep a value of a JA4 list: GREASE left out, the count kept whole. */
static void ja4_keep(uint16_t *list, uint16_t *n, size_t max, uint16_t v, bool *cut)
{
    if (tls_is_grease(v))
        return;
    if (*n < max)
        list[*n] = v;
    else
        *cut = true;
    if (*n < UINT16_MAX)
        (*n)++;
}

static enum parse_result fail(const char **why, enum parse_result r, const char *reason)
{
    *why = reason;
    return r;
}

static enum parse_result give_reason(const char **out_reason, enum parse_result r, const char *why)
{
    if (r != PARSE_OK && out_reason)
        *out_reason = why;
    return r;
}

struct tls_record {
    uint8_t type;
    uint16_t version;
    uint16_t len;
};

/*
 * RFC 8446 §5.1: struct { ContentType type; ProtocolVersion
 * legacy_record_version; uint16 length; ... } TLSPlaintext. Each field is
 * checked as soon as its bytes are there, so that bytes which are not TLS
 * are malformed at once rather than incomplete.
 */
static enum parse_result tls_record_header(struct cur *c, bool alert_ok, struct tls_record *out,
                                           const char **why)
{
    struct tls_record rec;
    uint8_t major;
    uint8_t minor;

    if (!cur_u8(c, &rec.type))
        return fail(why, PARSE_INCOMPLETE, "record header cut");
    if (rec.type != TLS_CT_HANDSHAKE && !(alert_ok && rec.type == TLS_CT_ALERT))
        return fail(why, PARSE_MALFORMED, "not a handshake record");
    if (!cur_u8(c, &major))
        return fail(why, PARSE_INCOMPLETE, "record header cut");
    if (major != 3)
        return fail(why, PARSE_MALFORMED, "record version is not 3.x");
    if (!cur_u8(c, &minor) || !cur_be16(c, &rec.len))
        return fail(why, PARSE_INCOMPLETE, "record header cut");
    if (rec.len > TLS_RECORD_MAX)
        return fail(why, PARSE_MALFORMED, "record too long");
    /* RFC 8446 §5.1: no zero-length handshake fragments; an alert is 2 bytes. */
    if (rec.len == 0)
        return fail(why, PARSE_MALFORMED, "empty record");
    rec.version = (uint16_t)((unsigned)major << 8 | minor);
    *out = rec;
    return PARSE_OK;
}

/* Copy a name view into bounded storage with a NUL after it. */
static uint16_t tls_copy_cut(struct cur *from, uint8_t *to, size_t max, bool *cut)
{
    size_t keep = cur_left(from);
    const uint8_t *p = NULL;

    if (keep > max) {
        keep = max;
        *cut = true;
    }
    if (keep > 0 && cur_bytes(from, keep, &p))
        memcpy(to, p, keep);
    else
        keep = 0;
    to[keep] = 0;
    return (uint16_t)keep;
}

/*
 * RFC 8446 §4.2.1, ClientHello form:
 * struct { ProtocolVersion versions<2..254>; } SupportedVersions.
 */
static enum parse_result
tls_client_supported_versions(struct cur *data, struct tls_client_hello *ch, const char **why)
{
    struct cur list;

    if (!cur_vec8(data, &list))
        return fail(why, PARSE_MALFORMED, "supported_versions past its extension");
    if (!cur_empty(data))
        return fail(why, PARSE_MALFORMED, "bytes after the supported_versions list");
    if (cur_left(&list) < 2 || cur_left(&list) % 2 != 0)
        return fail(why, PARSE_MALFORMED, "bad supported_versions length");
    while (!cur_empty(&list)) {
        uint16_t v;
        if (!cur_be16(&list, &v))
            return fail(why, PARSE_MALFORMED, "bad supported_versions length");
        if (v == TLS_VERSION_1_3)
            ch->supports_tls13 = true;
        if (!tls_is_grease(v) && v > ch->max_version)
            ch->max_version = v;
    }
    return PARSE_OK;
}

/*
 * RFC 8446 §4.2.3: struct { SignatureScheme
 * supported_signature_algorithms<2..2^16-2>; } SignatureSchemeList.
 * Kept for JA4 only; an odd list is malformed.
 */
static enum parse_result tls_sig_algs(struct cur *data, struct tls_client_hello *ch,
                                      const char **why)
{
    struct cur list;

    if (!cur_vec16(data, &list))
        return fail(why, PARSE_MALFORMED, "signature_algorithms past its extension");
    if (!cur_empty(data))
        return fail(why, PARSE_MALFORMED, "bytes after the signature_algorithms list");
    if (cur_left(&list) % 2 != 0)
        return fail(why, PARSE_MALFORMED, "bad signature_algorithms length");
    while (!cur_empty(&list)) {
        uint16_t v;
        if (!cur_be16(&list, &v))
            return fail(why, PARSE_MALFORMED, "bad signature_algorithms length");
        ja4_keep(ch->sig_algs, &ch->n_sig_algs, TLS_JA4_LIST_MAX, v, &ch->ja4_cut);
    }
    return PARSE_OK;
}

/*
 * RFC 6066 §3:
 * struct { NameType name_type; select (name_type) { case host_name: HostName; } name; } ServerName;
 * opaque HostName<1..2^16-1>;
 * struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
 * Only host_name (0) is defined. Entries of other types are read in the same
 * opaque<1..2^16-1> form, as every implementation does, and skipped. The RFC
 * forbids two names of one type; we keep the first host_name and count them.
 */
static enum parse_result tls_server_name(struct cur *data, struct tls_client_hello *ch,
                                         const char **why)
{
    struct cur list;

    if (!cur_vec16(data, &list))
        return fail(why, PARSE_MALFORMED, "server name list past its extension");
    if (!cur_empty(data))
        return fail(why, PARSE_MALFORMED, "bytes after the server name list");
    if (cur_empty(&list))
        return fail(why, PARSE_MALFORMED, "empty server name list");
    while (!cur_empty(&list)) {
        uint8_t name_type;
        struct cur name;

        if (!cur_u8(&list, &name_type) || !cur_vec16(&list, &name))
            return fail(why, PARSE_MALFORMED, "server name past its list");
        if (cur_empty(&name))
            return fail(why, PARSE_MALFORMED, "empty server name");
        if (name_type != TLS_NAME_TYPE_HOST_NAME)
            continue;
        ch->n_sni_names++; /* ≤ 16383 entries fit in 2^16 bytes */
        if (ch->has_sni)
            continue;
        ch->sni_len = tls_copy_cut(&name, ch->sni, TLS_SNI_MAX, &ch->sni_cut);
        ch->has_sni = true;
    }
    return PARSE_OK;
}

/*
 * RFC 7301 §3.1:
 * opaque ProtocolName<1..2^8-1>;
 * struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
 * The first protocol is kept (cut to TLS_ALPN_MAX).
 */
static enum parse_result tls_alpn(struct cur *data, struct tls_client_hello *ch, const char **why)
{
    struct cur list;

    if (!cur_vec16(data, &list))
        return fail(why, PARSE_MALFORMED, "ALPN list past its extension");
    if (!cur_empty(data))
        return fail(why, PARSE_MALFORMED, "bytes after the ALPN list");
    if (cur_empty(&list))
        return fail(why, PARSE_MALFORMED, "empty ALPN list");
    while (!cur_empty(&list)) {
        struct cur proto;
        bool cut = false;

        if (!cur_vec8(&list, &proto))
            return fail(why, PARSE_MALFORMED, "ALPN protocol past its list");
        if (cur_empty(&proto))
            return fail(why, PARSE_MALFORMED, "empty ALPN protocol");
        if (ch->has_alpn)
            continue;
        /* JA4 reads the first and last byte of the whole value */
        struct cur last = proto;
        (void)cur_peek_u8(&proto, &ch->alpn_first_raw);
        (void)(cur_skip(&last, cur_left(&last) - 1) && cur_u8(&last, &ch->alpn_last_raw));
        ch->alpn_len = tls_copy_cut(&proto, ch->alpn, TLS_ALPN_MAX, &cut);
        ch->has_alpn = true;
    }
    return PARSE_OK;
}

/*
 * RFC 8446 §4.2: struct { ExtensionType extension_type;
 * opaque extension_data<0..2^16-1>; } Extension. Unknown types are skipped.
 */
static enum parse_result tls_client_extensions(struct cur *exts, struct tls_client_hello *ch,
                                               const char **why)
{
    bool seen_server_name = false;

    while (!cur_empty(exts)) {
        uint16_t type;
        struct cur data;
        enum parse_result r = PARSE_OK;

        if (!cur_be16(exts, &type) || !cur_vec16(exts, &data))
            return fail(why, PARSE_MALFORMED, "extension past its block");
        ch->n_extensions++; /* ≤ 16384 four-byte extensions fit in 2^16 bytes */
        ja4_keep(ch->exts, &ch->n_exts, TLS_JA4_LIST_MAX, type, &ch->ja4_cut);
        switch (type) {
        case TLS_EXT_SERVER_NAME:
            /* RFC 8446 §4.2 forbids two extensions of one type. Only
             * server_name is checked: a second one would make the name we
             * report ambiguous, and checking every type needs a set. */
            if (seen_server_name)
                return fail(why, PARSE_MALFORMED, "duplicate server_name extension");
            seen_server_name = true;
            r = tls_server_name(&data, ch, why);
            break;
        case TLS_EXT_ALPN:
            r = tls_alpn(&data, ch, why);
            break;
        case TLS_EXT_SUPPORTED_VERSIONS:
            r = tls_client_supported_versions(&data, ch, why);
            break;
        case TLS_EXT_SIGNATURE_ALGORITHMS:
            r = tls_sig_algs(&data, ch, why);
            break;
        case TLS_EXT_ECH:
            /* Its body is opaque here (and often GREASE): presence is enough. */
            ch->has_ech = true;
            break;
        default:
            break;
        }
        if (r != PARSE_OK)
            return r;
    }
    return PARSE_OK;
}

/*
 * RFC 8446 §4.1.2 (RFC 5246 §7.4.1.2): the ClientHello body after its
 * handshake header. Its length is known, so a short field is malformed.
 */
static enum parse_result tls_client_hello_body(struct cur *body, struct tls_client_hello *ch,
                                               const char **why)
{
    struct cur session_id;
    struct cur suites;
    struct cur compression;
    struct cur exts;

    if (!cur_be16(body, &ch->legacy_version) || !cur_skip(body, TLS_RANDOM_LEN))
        return fail(why, PARSE_MALFORMED, "client hello too short");
    if (!cur_vec8(body, &session_id))
        return fail(why, PARSE_MALFORMED, "session id past the message");
    if (cur_left(&session_id) > TLS_SESSION_ID_MAX)
        return fail(why, PARSE_MALFORMED, "session id longer than 32");
    if (!cur_vec16(body, &suites))
        return fail(why, PARSE_MALFORMED, "cipher suites past the message");
    if (cur_empty(&suites) || cur_left(&suites) % 2 != 0)
        return fail(why, PARSE_MALFORMED, "bad cipher suites length");
    while (!cur_empty(&suites)) {
        uint16_t v;
        if (!cur_be16(&suites, &v))
            return fail(why, PARSE_MALFORMED, "bad cipher suites length");
        ja4_keep(ch->ciphers, &ch->n_ciphers, TLS_JA4_CIPHERS_MAX, v, &ch->ja4_cut);
    }
    if (!cur_vec8(body, &compression))
        return fail(why, PARSE_MALFORMED, "compression methods past the message");
    if (cur_empty(&compression))
        return fail(why, PARSE_MALFORMED, "no compression methods");
    /* RFC 8446 §4.1.2, RFC 5246 §7.4.1.2: a hello from before extensions
     * ends here; bytes after compression_methods mean extensions. */
    if (cur_empty(body))
        return PARSE_OK;
    if (!cur_vec16(body, &exts))
        return fail(why, PARSE_MALFORMED, "extensions past the message");
    if (!cur_empty(body))
        return fail(why, PARSE_MALFORMED, "bytes after the extensions");
    return tls_client_extensions(&exts, ch, why);
}

/* Parse a whole ClientHello body; *out is written only on PARSE_OK. */
static enum parse_result tls_client_hello_finish(struct cur *body, uint16_t record_version,
                                                 struct tls_client_hello *out,
                                                 const char **out_reason)
{
    struct tls_client_hello ch;
    const char *why = NULL;
    enum parse_result r;

    memset(&ch, 0, sizeof ch);
    ch.record_version = record_version;
    r = tls_client_hello_body(body, &ch, &why);
    if (r != PARSE_OK)
        return give_reason(out_reason, r, why);
    *out = ch;
    return PARSE_OK;
}

enum parse_result tls_parse_client_hello_msg(const uint8_t *msg, size_t len,
                                             struct tls_client_hello *out, const char **out_reason)
{
    struct cur c;
    struct cur body;
    uint8_t type;
    uint32_t body_len;

    cur_init(&c, msg, len);
    /* RFC 8446 §4: struct { HandshakeType msg_type; uint24 length; ... } Handshake. */
    if (!cur_u8(&c, &type))
        return give_reason(out_reason, PARSE_INCOMPLETE, "handshake header cut");
    if (type != TLS_HS_CLIENT_HELLO)
        return give_reason(out_reason, PARSE_MALFORMED, "not a client hello");
    if (!cur_be24(&c, &body_len))
        return give_reason(out_reason, PARSE_INCOMPLETE, "handshake header cut");
    if (!cur_sub(&c, body_len, &body))
        return give_reason(out_reason, PARSE_INCOMPLETE, "client hello cut");
    /* Bytes after the message are not part of it (the caller's buffer may
     * be longer); they are left alone. */
    return tls_client_hello_finish(&body, 0, out, out_reason);
}

/*
 * A ClientHello body of which only the first `have` bytes are known (the
 * rest was cut by the snaplen, lost in a gap, or never captured): the fixed
 * fields must be there; then each extension whose bytes are all present is
 * read, up to the first that is cut. PARSE_INCOMPLETE when the cut comes
 * before the extensions. *out is written only on PARSE_OK, with cut set.
 */
static enum parse_result tls_client_hello_partial_body(struct cur *body, uint32_t body_len,
                                                       uint16_t record_version,
                                                       struct tls_client_hello *out,
                                                       const char **why)
{
    struct tls_client_hello ch;
    struct cur session_id, suites, compression, exts;
    uint16_t exts_len;

    memset(&ch, 0, sizeof ch);
    ch.record_version = record_version;
    ch.cut = true;
    if (!cur_be16(body, &ch.legacy_version) || !cur_skip(body, TLS_RANDOM_LEN) ||
        !cur_vec8(body, &session_id) || !cur_vec16(body, &suites) ||
        !cur_vec8(body, &compression) || !cur_be16(body, &exts_len))
        return fail(why, PARSE_INCOMPLETE, "client hello cut before its extensions");
    if (cur_left(&session_id) > TLS_SESSION_ID_MAX || cur_empty(&suites) ||
        cur_left(&suites) % 2 != 0 || cur_empty(&compression))
        return fail(why, PARSE_MALFORMED, "client hello fixed fields");
    /* The extensions must fit in the message the header announced. */
    if ((size_t)body_len < (size_t)exts_len)
        return fail(why, PARSE_MALFORMED, "extensions past the message");
    exts = *body;
    if (cur_left(&exts) > exts_len)
        exts.left = exts_len;
    while (!cur_empty(&exts)) {
        struct cur look = exts, data;
        uint16_t type;
        enum parse_result r = PARSE_OK;
        if (!cur_be16(&look, &type) || !cur_vec16(&look, &data))
            break; /* this extension is cut: stop before it */
        exts = look;
        ch.n_extensions++;
        switch (type) {
        case TLS_EXT_SERVER_NAME:
            if (ch.n_sni_names > 0 || ch.has_sni)
                return fail(why, PARSE_MALFORMED, "duplicate server_name extension");
            r = tls_server_name(&data, &ch, why);
            break;
        case TLS_EXT_ALPN:
            r = tls_alpn(&data, &ch, why);
            break;
        case TLS_EXT_SUPPORTED_VERSIONS:
            r = tls_client_supported_versions(&data, &ch, why);
            break;
        case TLS_EXT_ECH:
            ch.has_ech = true;
            break;
        default:
            break;
        }
        if (r != PARSE_OK)
            return r;
    }
    *out = ch;
    return PARSE_OK;
}

static enum parse_result hello_stream(const uint8_t *stream, size_t len,
                                      uint8_t scratch[TLS_HS_MAX], bool partial,
                                      struct tls_client_hello *out, const char **out_reason);

enum parse_result tls_parse_client_hello_stream(const uint8_t *stream, size_t len,
                                                uint8_t scratch[TLS_HS_MAX],
                                                struct tls_client_hello *out,
                                                const char **out_reason)
{
    return hello_stream(stream, len, scratch, false, out, out_reason);
}

enum parse_result tls_parse_client_hello_partial(const uint8_t *stream, size_t len,
                                                 uint8_t scratch[TLS_HS_MAX],
                                                 struct tls_client_hello *out,
                                                 const char **out_reason)
{
    return hello_stream(stream, len, scratch, true, out, out_reason);
}

static enum parse_result hello_stream(const uint8_t *stream, size_t len,
                                      uint8_t scratch[TLS_HS_MAX], bool partial,
                                      struct tls_client_hello *out, const char **out_reason)
{
    struct cur s;
    const char *why = NULL;
    uint16_t record_version = 0;
    bool first_record = true;
    size_t hdr_have = 0;   /* handshake header bytes seen, 0..4 */
    uint32_t body_len = 0; /* from the handshake header */
    size_t body_have = 0;  /* body bytes copied to scratch */

    cur_init(&s, stream, len);
    /* Every pass consumes a record of at least 6 bytes or returns. */
    for (;;) {
        struct tls_record rec;
        struct cur frag;
        struct cur body;
        const uint8_t *p = NULL;
        size_t take;
        enum parse_result r;

        /* RFC 8446 §5.1: records; the hello may be split over several. */
        r = tls_record_header(&s, false, &rec, &why);
        if (r == PARSE_INCOMPLETE && partial && hdr_have == TLS_HS_HDR_LEN) {
            /* The cut is in the next record's header: the body so far. */
            cur_init(&body, scratch, body_have);
            r = tls_client_hello_partial_body(&body, body_len, record_version, out, &why);
            return give_reason(out_reason, r, why);
        }
        if (r != PARSE_OK)
            return give_reason(out_reason, r, why);
        if (first_record) {
            record_version = rec.version;
            first_record = false;
        }
        bool last = false;
        if (!cur_sub(&s, rec.len, &frag)) {
            if (!partial)
                return give_reason(out_reason, PARSE_INCOMPLETE, "record cut");
            /* What follows is lost: the record's bytes that are there. */
            cur_sub(&s, cur_left(&s), &frag);
            last = true;
        }

        /* RFC 8446 §4: the handshake header, itself maybe split over records. */
        while (hdr_have < TLS_HS_HDR_LEN && !cur_empty(&frag)) {
            uint8_t b;
            if (!cur_u8(&frag, &b))
                return give_reason(out_reason, PARSE_MALFORMED, "bad record fragment");
            if (hdr_have == 0 && b != TLS_HS_CLIENT_HELLO)
                return give_reason(out_reason, PARSE_MALFORMED, "not a client hello");
            if (hdr_have > 0)
                body_len = body_len << 8 | b;
            hdr_have++;
        }
        if (hdr_have < TLS_HS_HDR_LEN) {
            if (last)
                return give_reason(out_reason, PARSE_INCOMPLETE, "handshake header cut");
            continue;
        }
        if (body_len > TLS_HS_MAX)
            return give_reason(out_reason, PARSE_MALFORMED, "client hello too large");

        /* RFC 8446 §5.1 lets several handshake messages share a record:
         * bytes of the record after the hello are not ours and are left. */
        if (body_have == 0 && body_len <= cur_left(&frag)) {
            /* The whole body is in this record: parse it in place. */
            if (!cur_sub(&frag, body_len, &body))
                return give_reason(out_reason, PARSE_MALFORMED, "bad record fragment");
            return tls_client_hello_finish(&body, record_version, out, out_reason);
        }
        take = body_len - body_have;
        if (take > cur_left(&frag))
            take = cur_left(&frag);
        if (take > 0) {
            if (!cur_bytes(&frag, take, &p))
                return give_reason(out_reason, PARSE_MALFORMED, "bad record fragment");
            memcpy(scratch + body_have, p, take);
            body_have += take;
        }
        if (body_have == body_len) {
            cur_init(&body, scratch, body_have);
            return tls_client_hello_finish(&body, record_version, out, out_reason);
        }
        if (partial && (last || cur_empty(&s))) {
            enum parse_result pr;
            cur_init(&body, scratch, body_have);
            pr = tls_client_hello_partial_body(&body, body_len, record_version, out, &why);
            return give_reason(out_reason, pr, why);
        }
    }
}

/* TLS 1.3 drafts before -22 (0x7f00 + n) sent a ServerHello without the
 * legacy session id and compression fields; -22 and later use the final form. */
static bool tls_is_early_draft(uint16_t version)
{
    return (version & 0xff00) == 0x7f00 && (version & 0xff) < 22;
}

/*
 * RFC 8446 §4.1.3: struct { ProtocolVersion legacy_version; Random random;
 * opaque legacy_session_id_echo<0..32>; CipherSuite cipher_suite;
 * uint8 legacy_compression_method; Extension extensions<6..2^16-1>; }
 * ServerHello (extensions optional before TLS 1.3, RFC 5246 §7.4.1.3).
 */
static enum parse_result tls_server_hello_body(struct cur *body, struct tls_server_first *sf,
                                               const char **why)
{
    const uint8_t *random = NULL;
    struct cur session_id;
    struct cur exts;
    uint8_t compression;

    if (!cur_be16(body, &sf->version) || !cur_bytes(body, TLS_RANDOM_LEN, &random))
        return fail(why, PARSE_MALFORMED, "server hello too short");
    sf->hello_retry = memcmp(random, tls_hrr_random, TLS_RANDOM_LEN) == 0;
    if (tls_is_early_draft(sf->version)) {
        /* draft-ietf-tls-tls13-18 §4.1.3: version, random, cipher_suite,
         * extensions; no session id or compression method. */
        if (!cur_be16(body, &sf->cipher_suite))
            return fail(why, PARSE_MALFORMED, "server hello too short");
    } else {
        if (!cur_vec8(body, &session_id))
            return fail(why, PARSE_MALFORMED, "session id past the message");
        if (cur_left(&session_id) > TLS_SESSION_ID_MAX)
            return fail(why, PARSE_MALFORMED, "session id longer than 32");
        if (!cur_be16(body, &sf->cipher_suite) || !cur_u8(body, &compression))
            return fail(why, PARSE_MALFORMED, "server hello too short");
        if (cur_empty(body))
            return PARSE_OK;
    }
    if (!cur_vec16(body, &exts))
        return fail(why, PARSE_MALFORMED, "extensions past the message");
    if (!cur_empty(body))
        return fail(why, PARSE_MALFORMED, "bytes after the extensions");
    /* RFC 8446 §4.2 */
    while (!cur_empty(&exts)) {
        uint16_t type;
        struct cur data;

        if (!cur_be16(&exts, &type) || !cur_vec16(&exts, &data))
            return fail(why, PARSE_MALFORMED, "extension past its block");
        if (type == TLS_EXT_ALPN) {
            /* RFC 7301 §3.1: the server's list holds exactly one protocol */
            struct cur list, proto;
            bool cut = false;
            if (!cur_vec16(&data, &list) || !cur_empty(&data) || !cur_vec8(&list, &proto) ||
                !cur_empty(&list) || cur_empty(&proto))
                return fail(why, PARSE_MALFORMED, "bad ALPN in server hello");
            sf->alpn_len = tls_copy_cut(&proto, sf->alpn, TLS_ALPN_MAX, &cut);
            continue;
        }
        if (type != TLS_EXT_SUPPORTED_VERSIONS)
            continue;
        /* RFC 8446 §4.2.1, ServerHello form: ProtocolVersion selected_version. */
        if (!cur_be16(&data, &sf->version) || !cur_empty(&data))
            return fail(why, PARSE_MALFORMED, "bad supported_versions in server hello");
    }
    return PARSE_OK;
}

enum parse_result tls_parse_server_first(const uint8_t *stream, size_t len,
                                         struct tls_server_first *out, const char **out_reason)
{
    struct cur s;
    struct cur frag;
    struct cur body;
    struct tls_record rec;
    struct tls_server_first sf;
    const char *why = NULL;
    size_t avail;
    uint8_t type;
    uint32_t body_len;
    enum parse_result r;

    cur_init(&s, stream, len);
    memset(&sf, 0, sizeof sf);
    /* RFC 8446 §5.1 */
    r = tls_record_header(&s, true, &rec, &why);
    if (r != PARSE_OK)
        return give_reason(out_reason, r, why);
    /* The record may be cut after the part we need: take what is there. */
    avail = rec.len;
    if (avail > cur_left(&s))
        avail = cur_left(&s);
    if (!cur_sub(&s, avail, &frag))
        return give_reason(out_reason, PARSE_INCOMPLETE, "record cut");

    if (rec.type == TLS_CT_ALERT) {
        /* RFC 8446 §5.1: an alert record holds exactly one alert;
         * RFC 8446 §6: struct { AlertLevel level; AlertDescription description; } Alert. */
        if (rec.len != 2)
            return give_reason(out_reason, PARSE_MALFORMED, "alert record is not 2 bytes");
        if (!cur_u8(&frag, &sf.alert_level) || !cur_u8(&frag, &sf.alert_desc))
            return give_reason(out_reason, PARSE_INCOMPLETE, "alert cut");
        sf.kind = TLS_SERVER_ALERT;
        *out = sf;
        return PARSE_OK;
    }

    /* RFC 8446 §4: the handshake header. */
    if (!cur_u8(&frag, &type))
        return give_reason(out_reason, PARSE_INCOMPLETE, "handshake header cut");
    if (type != TLS_HS_SERVER_HELLO)
        return give_reason(out_reason, PARSE_MALFORMED, "not a server hello");
    if (!cur_be24(&frag, &body_len)) {
        if (avail == rec.len)
            return give_reason(out_reason, PARSE_MALFORMED, "server hello spans records");
        return give_reason(out_reason, PARSE_INCOMPLETE, "handshake header cut");
    }
    /* A ServerHello fragmented over several records is legal but is not
     * joined here (no scratch buffer in this API): it is reported as such. */
    if (body_len > (size_t)rec.len - TLS_HS_HDR_LEN)
        return give_reason(out_reason, PARSE_MALFORMED, "server hello spans records");
    if (!cur_sub(&frag, body_len, &body))
        return give_reason(out_reason, PARSE_INCOMPLETE, "server hello cut");
    /* RFC 8446 §5.1: later messages of the flight may share the record. */
    r = tls_server_hello_body(&body, &sf, &why);
    if (r != PARSE_OK)
        return give_reason(out_reason, r, why);
    sf.kind = TLS_SERVER_HELLO;
    *out = sf;
    return PARSE_OK;
}

/* The first certificate of a Certificate body, if it is all there. */
static enum parse_result first_certificate(struct cur *msgs, struct cur *out_leaf, const char **why)
{
    /* RFC 8446 §4: the handshake messages, one after the other */
    for (;;) {
        uint8_t type;
        uint32_t body_len;
        struct cur list, leaf;
        if (!cur_u8(msgs, &type) || !cur_be24(msgs, &body_len))
            return fail(why, PARSE_INCOMPLETE, "handshake header cut");
        if (type != TLS_HS_CERTIFICATE) {
            if (type != TLS_HS_SERVER_HELLO)
                return fail(why, PARSE_MALFORMED, "no certificate after the server hello");
            if (!cur_skip(msgs, body_len))
                return fail(why, PARSE_INCOMPLETE, "server hello cut");
            continue;
        }
        /* RFC 5246 §7.4.2: opaque ASN.1Cert<1..2^24-1>;
         * struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
         * the leaf comes first and is all we need of the message */
        uint32_t list_len;
        if (!cur_be24(msgs, &list_len))
            return fail(why, PARSE_INCOMPLETE, "certificate list cut");
        if (list_len + 3 != body_len)
            return fail(why, PARSE_MALFORMED, "bad certificate list length");
        if (list_len == 0)
            return fail(why, PARSE_MALFORMED, "empty certificate list");
        list = *msgs;
        if (!cur_vec24(&list, &leaf))
            return fail(why, PARSE_INCOMPLETE, "certificate cut");
        if (cur_left(&leaf) == 0 || cur_left(&leaf) + 3 > list_len)
            return fail(why, PARSE_MALFORMED, "bad certificate length");
        *out_leaf = leaf;
        return PARSE_OK;
    }
}

enum parse_result tls_parse_server_certificate(const uint8_t *stream, size_t len,
                                               uint8_t scratch[TLS_HS_MAX], struct cur *out_leaf,
                                               const char **out_reason)
{
    struct cur s, msgs, leaf;
    const char *why = NULL;
    size_t have = 0;
    enum parse_result r = PARSE_INCOMPLETE;

    cur_init(&s, stream, len);
    /* RFC 8446 §5.1: the handshake records of the flight, joined */
    while (!cur_empty(&s)) {
        struct tls_record rec;
        struct cur frag;
        const uint8_t *p = NULL;
        r = tls_record_header(&s, false, &rec, &why);
        if (r == PARSE_MALFORMED)
            return give_reason(out_reason, r, "no certificate in the server's handshake records");
        if (r != PARSE_OK)
            break;
        size_t take = rec.len;
        if (take > cur_left(&s))
            take = cur_left(&s);
        if (!cur_sub(&s, take, &frag))
            break;
        if (take > TLS_HS_MAX - have)
            take = TLS_HS_MAX - have;
        if (take > 0 && cur_bytes(&frag, take, &p)) {
            memcpy(scratch + have, p, take);
            have += take;
        }
        if (have == TLS_HS_MAX)
            break;
    }
    cur_init(&msgs, scratch, have);
    r = first_certificate(&msgs, &leaf, &why);
    if (r == PARSE_INCOMPLETE && have == TLS_HS_MAX)
        return give_reason(out_reason, PARSE_MALFORMED, "certificate too large");
    if (r != PARSE_OK)
        return give_reason(out_reason, r, why);
    *out_leaf = leaf;
    return PARSE_OK;
}

bool tls_looks_like_handshake(const uint8_t *stream, size_t len)
{
    struct cur c;
    uint8_t type;
    uint8_t major;
    uint8_t minor;

    cur_init(&c, stream, len);
    /* RFC 8446 §5.1 (versions 3.0 to 3.4) */
    if (!cur_u8(&c, &type) || !cur_u8(&c, &major) || !cur_u8(&c, &minor))
        return false;
    return type == TLS_CT_HANDSHAKE && major == 3 && minor <= 4;
}
