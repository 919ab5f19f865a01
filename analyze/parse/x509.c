/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * X.509 subject names (x509.h): DER (ITU-T X.690 §8.1, §10) read through
 * the cursor, only along the path to the subject and the extensions.
 */
#include "x509.h"

#include <string.h>

#include "ascii.h"

/* X.690 §8.1.2 identifier octets used here */
enum {
    DER_BOOLEAN = 0x01,
    DER_INTEGER = 0x02,
    DER_OCTET_STRING = 0x04,
    DER_OID = 0x06,
    DER_UTF8_STRING = 0x0c,
    DER_PRINTABLE_STRING = 0x13,
    DER_T61_STRING = 0x14,
    DER_IA5_STRING = 0x16,
    DER_SEQUENCE = 0x30,
    DER_SET = 0x31,
    DER_CTX0_CONS = 0xa0, /* [0] EXPLICIT: version */
    DER_CTX3_CONS = 0xa3, /* [3] EXPLICIT: extensions */
    DER_GN_DNS = 0x82,    /* GeneralName dNSName [2] IMPLICIT IA5String */
};

/* 2.5.4.3 id-at-commonName, 2.5.29.17 id-ce-subjectAltName (contents octets) */
static const uint8_t oid_cn[] = {0x55, 0x04, 0x03};
static const uint8_t oid_san[] = {0x55, 0x1d, 0x11};

static enum parse_result bad(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return PARSE_MALFORMED;
}

/*
 * X.690 §8.1: one TLV with a single-byte tag (every tag on the path is
 * one) and a definite length in at most 4 bytes (§8.1.3; DER forbids the
 * indefinite form, §10.1). The value becomes a child cursor.
 */
static bool der_tlv(struct cur *c, uint8_t *tag, struct cur *val)
{
    struct cur save = *c;
    uint8_t t, l;
    uint32_t len = 0;
    if (!cur_u8(c, &t) || (t & 0x1f) == 0x1f || !cur_u8(c, &l))
        goto fail;
    if (l < 0x80) {
        len = l;
    } else {
        unsigned n = l & 0x7f;
        if (n == 0 || n > 4)
            goto fail;
        for (unsigned i = 0; i < n; i++) {
            uint8_t b;
            if (!cur_u8(c, &b))
                goto fail;
            len = len << 8 | b;
        }
    }
    if (!cur_sub(c, len, val))
        goto fail;
    *tag = t;
    return true;
fail:
    *c = save;
    return false;
}

static bool der_expect(struct cur *c, uint8_t want, struct cur *val)
{
    struct cur save = *c;
    uint8_t tag;
    if (der_tlv(c, &tag, val) && tag == want)
        return true;
    *c = save;
    return false;
}

static bool cur_is(const struct cur *c, const uint8_t *want, size_t n)
{
    struct cur v = *c;
    const uint8_t *p;
    return cur_left(&v) == n && cur_bytes(&v, n, &p) && memcmp(p, want, n) == 0;
}

/* What a walk collects: the names, and the host asked about. */
struct walk {
    struct x509_names *out;
    const char *host;
    size_t host_len;
};

static void keep(struct walk *w, const struct cur *name)
{
    struct x509_names *out = w->out;
    struct cur v = *name;
    const uint8_t *p = NULL;
    size_t n = cur_left(name);
    if (n == 0 || !cur_bytes(&v, n, &p))
        return;
    if (w->host && x509_name_covers(p, n, w->host, w->host_len))
        out->covers = true;
    for (size_t i = 0; i < out->n; i++) {
        struct cur k = out->names[i];
        const uint8_t *q = NULL;
        if (cur_left(&k) == n && cur_bytes(&k, n, &q) && ea_ascii_ieq(p, q, n))
            return;
    }
    if (out->n == X509_NAMES_MAX) {
        out->cut = true;
        return;
    }
    out->names[out->n++] = *name;
}

/* RFC 5280 §4.1.2.4: Name ::= SEQUENCE OF RelativeDistinguishedName,
 * RDN ::= SET OF AttributeTypeAndValue ::= SEQUENCE { type OID, value ANY } */
static enum parse_result subject_cn(struct cur *name, struct walk *out, const char **why)
{
    while (!cur_empty(name)) {
        struct cur rdn;
        if (!der_expect(name, DER_SET, &rdn))
            return bad(why, "bad RDN in subject");
        while (!cur_empty(&rdn)) {
            struct cur atv, oid, value;
            uint8_t tag;
            if (!der_expect(&rdn, DER_SEQUENCE, &atv) || !der_expect(&atv, DER_OID, &oid) ||
                !der_tlv(&atv, &tag, &value) || !cur_empty(&atv))
                return bad(why, "bad attribute in subject");
            if (!cur_is(&oid, oid_cn, sizeof oid_cn))
                continue;
            /* DirectoryString: the 8-bit forms hold a host name as is;
             * UniversalString and BMPString (UCS-4, UCS-2) are not read. */
            if (tag == DER_UTF8_STRING || tag == DER_PRINTABLE_STRING || tag == DER_IA5_STRING ||
                tag == DER_T61_STRING)
                keep(out, &value);
        }
    }
    return PARSE_OK;
}

/* RFC 5280 §4.2.1.6: GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName */
static enum parse_result san(struct cur *value, struct walk *out, const char **why)
{
    struct cur names;
    if (!der_expect(value, DER_SEQUENCE, &names) || !cur_empty(value))
        return bad(why, "bad subjectAltName");
    while (!cur_empty(&names)) {
        struct cur gn;
        uint8_t tag;
        if (!der_tlv(&names, &tag, &gn))
            return bad(why, "bad GeneralName");
        if (tag == DER_GN_DNS)
            keep(out, &gn);
    }
    return PARSE_OK;
}

/* RFC 5280 §4.1: Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension,
 * Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
 * extnValue OCTET STRING } */
static enum parse_result extensions(struct cur *wrapped, struct walk *out, const char **why)
{
    struct cur exts;
    if (!der_expect(wrapped, DER_SEQUENCE, &exts) || !cur_empty(wrapped))
        return bad(why, "bad extensions");
    while (!cur_empty(&exts)) {
        struct cur ext, oid, crit, value;
        if (!der_expect(&exts, DER_SEQUENCE, &ext) || !der_expect(&ext, DER_OID, &oid))
            return bad(why, "bad extension");
        (void)der_expect(&ext, DER_BOOLEAN, &crit);
        if (!der_expect(&ext, DER_OCTET_STRING, &value) || !cur_empty(&ext))
            return bad(why, "bad extension");
        if (cur_is(&oid, oid_san, sizeof oid_san)) {
            enum parse_result r = san(&value, out, why);
            if (r != PARSE_OK)
                return r;
        }
    }
    return PARSE_OK;
}

enum parse_result x509_subject_names(const uint8_t *der, size_t len, const char *host,
                                     size_t host_len, struct x509_names *out,
                                     const char **out_reason)
{
    struct cur c, cert, tbs, skip, subject;
    struct x509_names names;
    struct walk w = {&names, host, host_len};
    const char *why = NULL;
    enum parse_result r;
    uint8_t tag;

    memset(&names, 0, sizeof names);
    cur_init(&c, der, len);
    /* RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
     * signatureValue }; TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1,
     * serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo,
     * issuerUniqueID [1], subjectUniqueID [2], extensions [3] EXPLICIT } */
    if (!der_expect(&c, DER_SEQUENCE, &cert) || !der_expect(&cert, DER_SEQUENCE, &tbs))
        return bad(out_reason, "not a certificate");
    (void)der_expect(&tbs, DER_CTX0_CONS, &skip);
    if (!der_expect(&tbs, DER_INTEGER, &skip) || !der_expect(&tbs, DER_SEQUENCE, &skip) ||
        !der_expect(&tbs, DER_SEQUENCE, &skip) || !der_expect(&tbs, DER_SEQUENCE, &skip) ||
        !der_expect(&tbs, DER_SEQUENCE, &subject) || !der_expect(&tbs, DER_SEQUENCE, &skip))
        return bad(out_reason, "certificate fields out of order");
    r = subject_cn(&subject, &w, &why);
    if (r != PARSE_OK)
        return bad(out_reason, why);
    while (!cur_empty(&tbs)) {
        struct cur v;
        if (!der_tlv(&tbs, &tag, &v))
            return bad(out_reason, "bad certificate field");
        if (tag != DER_CTX3_CONS)
            continue; /* issuerUniqueID, subjectUniqueID */
        r = extensions(&v, &w, &why);
        if (r != PARSE_OK)
            return bad(out_reason, why);
    }
    *out = names;
    return PARSE_OK;
}

bool x509_name_covers(const uint8_t *name, size_t name_len, const char *host, size_t host_len)
{
    if (host_len > 1 && host[host_len - 1] == '.')
        host_len--;
    if (name_len > 1 && name[name_len - 1] == '.')
        name_len--;
    if (name_len == 0 || host_len == 0)
        return false;
    if (name_len == host_len && ea_ascii_ieq(name, host, host_len))
        return true;
    /* "*.example.com" covers "a.example.com", not "example.com" or "a.b.example.com" */
    if (name_len < 3 || name[0] != '*' || name[1] != '.')
        return false;
    const void *dot = memchr(host, '.', host_len);
    if (!dot || dot == (const void *)host)
        return false;
    size_t rest = host_len - (size_t)((const char *)dot - host);
    return rest == name_len - 1 && ea_ascii_ieq((const char *)dot, name + 1, rest);
}
