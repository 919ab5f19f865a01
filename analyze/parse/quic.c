/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * QUIC Initial packets (RFC 9000 §17.2, RFC 9001 §5, RFC 9369). The order
 * follows the RFCs: versions and keys (RFC 9001 §5.1, §5.2), the long
 * header (RFC 9000 §17.2), header protection (RFC 9001 §5.4), packet
 * numbers (RFC 9000 §A.3), the AEAD (RFC 9001 §5.3), frames (RFC 9000 §19),
 * the CRYPTO stream, then the two directions of a flow.
 */
#include "quic.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

/* RFC 9000 §16: the largest value a variable-length integer holds. */
#define VARINT_MAX (((uint64_t)1 << 62) - 1)

/* RFC 8446 §4: HandshakeType. */
enum {
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
};

/* RFC 9000 §19 (and §12.4: the frames an Initial packet may carry). */
enum {
    FRAME_PADDING = 0x00,
    FRAME_PING = 0x01,
    FRAME_ACK = 0x02,
    FRAME_ACK_ECN = 0x03,
    FRAME_CRYPTO = 0x06,
    FRAME_CLOSE_TRANSPORT = 0x1c,
    FRAME_CLOSE_APPLICATION = 0x1d,
};

/* ---- names ---------------------------------------------------------------- */

static const struct {
    enum quic_drop value;
    const char *name;
} drop_names[] = {
    {QUIC_DROP_TRUNCATED, "truncated"},
    {QUIC_DROP_BAD_HEADER, "bad-header"},
    {QUIC_DROP_UNKNOWN_VERSION, "unknown-version"},
    {QUIC_DROP_TOO_SHORT, "too-short"},
    {QUIC_DROP_NO_KEYS, "no-keys"},
    {QUIC_DROP_DECRYPT, "decrypt"},
    {QUIC_DROP_CRYPTO_LIB, "libcrypto"},
    {QUIC_DROP_FRAME_UNKNOWN, "frame-unknown"},
    {QUIC_DROP_FRAME_MALFORMED, "frame-malformed"},
    {QUIC_DROP_CRYPTO_CAP, "crypto-cap"},
    {QUIC_DROP_CRYPTO_RANGES, "crypto-ranges"},
    {QUIC_DROP_HELLO_NOT_CH, "hello-not-client-hello"},
    {QUIC_DROP_HELLO_TOO_BIG, "hello-too-big"},
    {QUIC_DROP_HELLO_MALFORMED, "hello-malformed"},
    {QUIC_DROP_RETRY_BAD, "retry-bad"},
};
_Static_assert(sizeof drop_names / sizeof drop_names[0] == QUIC_DROP__COUNT,
               "one name per drop reason");

const char *quic_drop_name(enum quic_drop d)
{
    for (size_t i = 0; i < sizeof drop_names / sizeof drop_names[0]; i++)
        if (drop_names[i].value == d)
            return drop_names[i].name;
    return NULL;
}

/* ---- versions (RFC 9001 §5.2, RFC 9369 §3) ---------------------------------- */

/* Long header packet types, whatever their wire value in a version. */
enum ptype {
    PT_INITIAL,
    PT_0RTT,
    PT_HANDSHAKE,
    PT_RETRY,
    PT_VERSION_NEGOTIATION,
};

static const uint8_t salt_v1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
static const uint8_t salt_v2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
/* draft-ietf-quic-tls-29 §5.2 (drafts 29 to 32) */
static const uint8_t salt_d29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                                     0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
/* draft-ietf-quic-tls-23 §5.2 (drafts 23 to 28) */
static const uint8_t salt_d23[20] = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
                                     0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};

/* RFC 9001 §5.8 and RFC 9369 §3.3.3: the Retry Integrity Tag's key and nonce. */
static const uint8_t retry_key_v1[16] = {0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a,
                                         0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e};
static const uint8_t retry_nonce_v1[12] = {0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63,
                                           0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb};
static const uint8_t retry_key_v2[16] = {0x8f, 0xb4, 0xb0, 0x1b, 0x56, 0xac, 0x48, 0xe2,
                                         0x60, 0xfb, 0xcb, 0xce, 0xad, 0x7c, 0xcc, 0x92};
static const uint8_t retry_nonce_v2[12] = {0xd8, 0x69, 0x69, 0xbc, 0x2d, 0x7c,
                                           0x6d, 0x99, 0x90, 0xef, 0xb0, 0x4a};

struct version_info {
    uint32_t version;
    const char *name;
    const uint8_t *salt; /* 20 bytes */
    const char *key_label, *iv_label, *hp_label;
    bool v2_types;            /* RFC 9369 §3.2 packet type numbers */
    const uint8_t *retry_key; /* NULL: a Retry's tag is not checked */
    const uint8_t *retry_nonce;
};

/* The one version table: what we can decrypt, and each version's name. */
static const struct version_info versions[] = {
    {QUIC_VERSION_1, "1", salt_v1, "quic key", "quic iv", "quic hp", false, retry_key_v1,
     retry_nonce_v1},
    {QUIC_VERSION_2, "2", salt_v2, "quicv2 key", "quicv2 iv", "quicv2 hp", true, retry_key_v2,
     retry_nonce_v2},
    {0xff000020, "draft-32", salt_d29, "quic key", "quic iv", "quic hp", false, NULL, NULL},
    {0xff00001f, "draft-31", salt_d29, "quic key", "quic iv", "quic hp", false, NULL, NULL},
    {0xff00001e, "draft-30", salt_d29, "quic key", "quic iv", "quic hp", false, NULL, NULL},
    {0xff00001d, "draft-29", salt_d29, "quic key", "quic iv", "quic hp", false, NULL, NULL},
    {0xff00001c, "draft-28", salt_d23, "quic key", "quic iv", "quic hp", false, NULL, NULL},
    {0xff00001b, "draft-27", salt_d23, "quic key", "quic iv", "quic hp", false, NULL, NULL},
    {0xff00001a, "draft-26", salt_d23, "quic key", "quic iv", "quic hp", false, NULL, NULL},
    {0xff000019, "draft-25", salt_d23, "quic key", "quic iv", "quic hp", false, NULL, NULL},
    {0xff000018, "draft-24", salt_d23, "quic key", "quic iv", "quic hp", false, NULL, NULL},
    {0xff000017, "draft-23", salt_d23, "quic key", "quic iv", "quic hp", false, NULL, NULL},
};

static const struct version_info *version_find(uint32_t version)
{
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (versions[i].version == version)
            return &versions[i];
    return NULL;
}

const char *quic_version_name(uint32_t version)
{
    const struct version_info *vi = version_find(version);
    return vi ? vi->name : NULL;
}

/* RFC 9000 §17.2 Table 5; RFC 9369 §3.2: Initial 0b01, 0-RTT 0b10,
 * Handshake 0b11, Retry 0b00. */
static enum ptype ptype_of(const struct version_info *vi, uint8_t first)
{
    static const enum ptype v1[4] = {PT_INITIAL, PT_0RTT, PT_HANDSHAKE, PT_RETRY};
    static const enum ptype v2[4] = {PT_RETRY, PT_INITIAL, PT_0RTT, PT_HANDSHAKE};
    unsigned bits = (unsigned)(first >> 4) & 3u;
    return vi->v2_types ? v2[bits] : v1[bits];
}

static unsigned ptype_bits(const struct version_info *vi, enum ptype t)
{
    for (unsigned bits = 0; bits < 4; bits++)
        if (ptype_of(vi, (uint8_t)(bits << 4)) == t)
            return bits;
    return 0;
}

/* ---- keys (RFC 9001 §5.1, §5.2) ------------------------------------------- */

/*
 * OpenSSL 3 looks an algorithm up by name on every implicit use, which costs
 * more than a derivation itself (an EVP_PKEY HKDF took ~30 us). The three
 * algorithms are fetched once for the process and only read afterwards (two
 * threads racing here would fetch twice and keep one: a leak, not a fault).
 */
struct algs {
    EVP_KDF *hkdf;
    EVP_CIPHER *gcm, *ecb;
};

static const struct algs *algs_get(void)
{
    static struct algs a;
    static bool ok;
    if (!ok) {
        if (!a.hkdf)
            a.hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
        if (!a.gcm)
            a.gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
        if (!a.ecb)
            a.ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
        ok = a.hkdf && a.gcm && a.ecb;
    }
    return ok ? &a : NULL;
}

/* RFC 5869 with SHA-256, one step: Extract (salt) or Expand (info). */
static bool hkdf(int mode, const uint8_t *key, size_t key_len, const uint8_t *extra,
                 size_t extra_len, uint8_t *out, size_t out_len)
{
    static char digest[] = "SHA256";
    static const uint8_t none[1] = {0};
    const struct algs *a = algs_get();
    EVP_KDF_CTX *ctx = a ? EVP_KDF_CTX_new(a->hkdf) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        /* a zero-length connection ID (a Retry may choose one) is valid
         * keying material; libcrypto wants a pointer all the same */
        OSSL_PARAM_octet_string(OSSL_KDF_PARAM_KEY, (void *)(key_len ? key : none), key_len),
        OSSL_PARAM_octet_string(mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY ? OSSL_KDF_PARAM_SALT
                                                                       : OSSL_KDF_PARAM_INFO,
                                (void *)extra, extra_len),
        OSSL_PARAM_END,
    };
    bool ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) > 0;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

/* RFC 8446 §7.1 HKDF-Expand-Label(Secret, Label, "", Length), which RFC 9001
 * §5.1 uses with the labels of the version. */
static bool hkdf_expand_label(const uint8_t secret[32], const char *label, uint8_t *out,
                              size_t out_len)
{
    static const char prefix[] = "tls13 ";
    uint8_t info[2 + 1 + 32 + 1];
    size_t label_len = strlen(label); /* our own constant, not wire data */
    size_t full = sizeof prefix - 1 + label_len;
    size_t n = 0;
    if (full > 32 || out_len > 255)
        return false;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)(out_len & 0xff);
    info[n++] = (uint8_t)full;
    memcpy(info + n, prefix, sizeof prefix - 1);
    n += sizeof prefix - 1;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = 0; /* empty Context */
    return hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, 32, info, n, out, out_len);
}

/* RFC 9001 §5.2: initial_secret = HKDF-Extract(initial_salt, client_dst_connection_id) */
static bool initial_secret(const struct version_info *vi, const uint8_t *dcid, size_t dcid_len,
                           uint8_t out[32])
{
    return dcid_len <= 255 &&
           hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, dcid, dcid_len, vi->salt, 20, out, 32);
}

/* RFC 9001 §5.2, §5.1: a direction's secret, then its key, iv and hp with
 * the version's labels. */
static bool direction_keys(const struct version_info *vi, const uint8_t initial[32], bool server,
                           struct quic_key_set *out)
{
    uint8_t secret[32];
    struct quic_key_set ks;
    if (!hkdf_expand_label(initial, server ? "server in" : "client in", secret, 32) ||
        !hkdf_expand_label(secret, vi->key_label, ks.key, sizeof ks.key) ||
        !hkdf_expand_label(secret, vi->iv_label, ks.iv, sizeof ks.iv) ||
        !hkdf_expand_label(secret, vi->hp_label, ks.hp, sizeof ks.hp))
        return false;
    *out = ks;
    return true;
}

bool quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool server,
                       struct quic_key_set *out)
{
    const struct version_info *vi = version_find(version);
    uint8_t initial[32];
    return vi && initial_secret(vi, dcid, dcid_len, initial) &&
           direction_keys(vi, initial, server, out);
}

/* Key one direction's contexts. Each context is allocated once per flow;
 * the cipher is set again with every key (rare: first Initial, Retry, a
 * new connection attempt), only the IV changes per packet. */
static bool dir_install(struct quic_dir_keys *d, uint32_t version, const struct quic_key_set *ks)
{
    const struct algs *a = algs_get();
    d->ok = false;
    if (!a)
        return false;
    if (!d->aead)
        d->aead = EVP_CIPHER_CTX_new();
    if (!d->hp)
        d->hp = EVP_CIPHER_CTX_new();
    if (!d->aead || !d->hp)
        return false;
    if (EVP_DecryptInit_ex(d->aead, a->gcm, NULL, ks->key, NULL) <= 0 ||
        EVP_EncryptInit_ex(d->hp, a->ecb, NULL, ks->hp, NULL) <= 0 ||
        EVP_CIPHER_CTX_set_padding(d->hp, 0) <= 0)
        return false;
    d->ks = *ks;
    d->version = version;
    d->ok = true;
    return true;
}

static void dir_free(struct quic_dir_keys *d)
{
    EVP_CIPHER_CTX_free(d->aead);
    EVP_CIPHER_CTX_free(d->hp);
    d->aead = NULL;
    d->hp = NULL;
    d->ok = false;
}

static bool cid_equal(const struct cur *a, const uint8_t *b, size_t b_len)
{
    const uint8_t *p;
    struct cur c = *a;
    return cur_left(&c) == b_len && cur_bytes(&c, b_len, &p) &&
           (b_len == 0 || !memcmp(p, b, b_len));
}

static bool cid_copy(const struct cur *cid, uint8_t out[QUIC_CID_MAX], uint8_t *out_len)
{
    const uint8_t *p;
    struct cur c = *cid;
    size_t n = cur_left(&c);
    if (n > QUIC_CID_MAX || !cur_bytes(&c, n, &p))
        return false;
    if (n)
        memcpy(out, p, n);
    *out_len = (uint8_t)n;
    return true;
}

/* Derive both directions' keys of a version from a connection ID (one
 * HKDF-Extract for the two) and remember it. */
static bool flow_derive(struct quic_flow *f, uint32_t version, const struct cur *dcid)
{
    const struct version_info *vi = version_find(version);
    struct quic_key_set c, s;
    uint8_t initial[32], id[QUIC_CID_MAX];
    uint8_t id_len;
    if (!vi || !cid_copy(dcid, id, &id_len) || !initial_secret(vi, id, id_len, initial) ||
        !direction_keys(vi, initial, false, &c) || !direction_keys(vi, initial, true, &s) ||
        !dir_install(&f->in.client, version, &c) || !dir_install(&f->in.server, version, &s))
        return false;
    memcpy(f->in.key_dcid, id, id_len);
    f->in.key_dcid_len = id_len;
    return true;
}

/* The same connection ID with another version's salt and labels: after
 * compatible version negotiation (RFC 9368 §2.3; RFC 9369 §4) both sides
 * switch versions and keep the client's original DCID. */
static bool dir_rederive(struct quic_flow *f, struct quic_dir_keys *d, uint32_t version,
                         bool server)
{
    struct quic_key_set ks;
    return quic_initial_keys(version, f->in.key_dcid, f->in.key_dcid_len, server, &ks) &&
           dir_install(d, version, &ks);
}

/* ---- the long header (RFC 9000 §17.2) ------------------------------------- */

struct lhdr {
    uint8_t first; /* still protected */
    uint32_t version;
    const struct version_info *vi; /* NULL: a version we cannot read */
    enum ptype type;
    struct cur dcid, scid;
    struct cur token; /* Initial: Token; Retry: Retry Token */
    struct cur pkt;   /* the whole packet (Retry: without its tag) */
    struct cur tag;   /* Retry: Retry Integrity Tag */
    size_t pn_off;    /* offset of the Packet Number field in pkt */
    uint64_t length;  /* the Length field */
    bool cut;         /* the packet runs past the datagram: pkt is what is there */
};

/*
 * Read one long-header packet from the datagram and move past it. The
 * packet boundary is known for Initial, 0-RTT and Handshake (Length field);
 * a Retry and a Version Negotiation packet take the rest of the datagram.
 * For a version we do not know, only the invariant fields are read (RFC
 * 8999 §5.1) and vi is NULL. PARSE_INCOMPLETE: the header itself is cut.
 */
static enum parse_result long_header(struct cur *d, struct lhdr *h, enum quic_drop *out_why)
{
    struct cur start = *d;
    struct cur c = *d;
    uint8_t dcid_len, scid_len;

    memset(h, 0, sizeof *h);
    if (!cur_u8(&c, &h->first) || !cur_be32(&c, &h->version) || !cur_u8(&c, &dcid_len) ||
        !cur_sub(&c, dcid_len, &h->dcid) || !cur_u8(&c, &scid_len) ||
        !cur_sub(&c, scid_len, &h->scid)) {
        *out_why = QUIC_DROP_TRUNCATED;
        return PARSE_INCOMPLETE;
    }
    if (h->version == QUIC_VERSION_NEGOTIATION) {
        /* §17.2.1: Supported Versions run to the end of the datagram */
        h->type = PT_VERSION_NEGOTIATION;
        h->pkt = start;
        h->token = c;
        (void)cur_skip(d, cur_left(d));
        return PARSE_OK;
    }
    h->vi = version_find(h->version);
    if (!h->vi)
        return PARSE_OK;
    /* §17.2: "Endpoints that receive a version 1 long header with a value
     * larger than 20 MUST drop the packet." */
    if (dcid_len > QUIC_CID_MAX || scid_len > QUIC_CID_MAX) {
        *out_why = QUIC_DROP_BAD_HEADER;
        return PARSE_MALFORMED;
    }
    h->type = ptype_of(h->vi, h->first);
    if (h->type == PT_RETRY) {
        /* §17.2.5: Retry Token, then a 128-bit Retry Integrity Tag */
        size_t token_len = cur_left(&c);
        if (token_len < 16) {
            *out_why = QUIC_DROP_RETRY_BAD;
            return PARSE_MALFORMED;
        }
        token_len -= 16;
        if (!cur_sub(&c, token_len, &h->token) || !cur_sub(&c, 16, &h->tag) ||
            !cur_sub(&start, cur_left(d) - 16, &h->pkt))
            return PARSE_MALFORMED;
        (void)cur_skip(d, cur_left(d));
        return PARSE_OK;
    }
    if (h->type == PT_INITIAL) {
        /* §17.2.2: Token Length (i), Token (..) */
        uint64_t token_len;
        if (!cur_quic_varint(&c, &token_len) || token_len > cur_left(&c) ||
            !cur_sub(&c, (size_t)token_len, &h->token)) {
            *out_why = QUIC_DROP_TRUNCATED;
            return PARSE_INCOMPLETE;
        }
    }
    /* §17.2.2-§17.2.4: Length (i) covers the Packet Number and the payload */
    if (!cur_quic_varint(&c, &h->length)) {
        *out_why = QUIC_DROP_TRUNCATED;
        return PARSE_INCOMPLETE;
    }
    h->pn_off = cur_left(&start) - cur_left(&c);
    if (h->length > cur_left(&c)) {
        h->cut = true;
        h->pkt = start;
        (void)cur_skip(d, cur_left(d));
        return PARSE_OK;
    }
    if (!cur_sub(&start, h->pn_off + (size_t)h->length, &h->pkt))
        return PARSE_MALFORMED;
    *d = start;
    return PARSE_OK;
}

/* ---- packet protection (RFC 9001 §5.3, §5.4; RFC 9000 §A.3) --------------- */

/* RFC 9000 §A.3: the packet number closest to the next one expected. */
static uint64_t pn_decode(const struct quic_dir_keys *k, uint64_t truncated, unsigned bits)
{
    uint64_t expected = k->have_pn ? k->largest_pn + 1 : 0;
    uint64_t win = (uint64_t)1 << bits;
    uint64_t hwin = win / 2;
    uint64_t candidate = (expected & ~(win - 1)) | truncated;
    /* "candidate_pn <= expected_pn - pn_hwin", without going below zero */
    if (candidate + hwin <= expected && candidate < ((uint64_t)1 << 62) - win)
        return candidate + win;
    if (candidate > expected + hwin && candidate >= win)
        return candidate - win;
    return candidate;
}

/*
 * Remove header protection and decrypt one Initial packet of a direction.
 * The plaintext goes to scratch; *out_plain views it. On failure *out_why
 * says why and nothing of k changes.
 */
static bool packet_open(struct quic_dir_keys *k, const struct lhdr *h, uint8_t *scratch,
                        struct cur *out_plain, enum quic_drop *out_why)
{
    struct cur c = h->pkt;
    struct cur s;
    const uint8_t *sample, *mid, *ct, *tag;
    uint8_t mask[16], first, pn_bytes[4], nonce[12], tag_copy[16];
    uint64_t truncated = 0, pn;
    size_t pn_len, ct_len;
    int n = 0, n_final = 0;
    EVP_CIPHER_CTX *aead = k->aead;

    /* §5.4.2: the sample is 16 bytes from 4 bytes after the start of the
     * Packet Number field (as if it were 4 bytes long) */
    if (!cur_at(&c, h->pn_off + 4, &s) || !cur_bytes(&s, 16, &sample)) {
        *out_why = QUIC_DROP_TOO_SHORT;
        return false;
    }
    /* §5.4.3: mask = AES-ECB(hp_key, sample) */
    if (EVP_EncryptUpdate(k->hp, mask, &n, sample, 16) <= 0 || n != 16) {
        *out_why = QUIC_DROP_CRYPTO_LIB;
        return false;
    }
    /* §5.4.1: a long header protects the low 4 bits of the first byte,
     * then the Packet Number Length bits say how many PN bytes follow */
    first = (uint8_t)(h->first ^ (mask[0] & 0x0f));
    pn_len = (size_t)(first & 0x03) + 1;
    if (!cur_skip(&c, 1) || !cur_bytes(&c, h->pn_off - 1, &mid)) {
        *out_why = QUIC_DROP_TOO_SHORT;
        return false;
    }
    for (size_t i = 0; i < pn_len; i++) {
        uint8_t b;
        if (!cur_u8(&c, &b)) {
            *out_why = QUIC_DROP_TOO_SHORT;
            return false;
        }
        pn_bytes[i] = (uint8_t)(b ^ mask[1 + i]);
        truncated = truncated << 8 | pn_bytes[i];
    }
    /* what follows the packet number: ciphertext, then the 16-byte tag */
    if (cur_left(&c) < 16) {
        *out_why = QUIC_DROP_TOO_SHORT;
        return false;
    }
    ct_len = cur_left(&c) - 16;
    if (ct_len > QUIC_SCRATCH_MAX) {
        *out_why = QUIC_DROP_BAD_HEADER;
        return false;
    }
    if (!cur_bytes(&c, ct_len, &ct) || !cur_bytes(&c, 16, &tag)) {
        *out_why = QUIC_DROP_TOO_SHORT;
        return false;
    }
    memcpy(tag_copy, tag, sizeof tag_copy);
    pn = pn_decode(k, truncated, (unsigned)(8 * pn_len));

    /* §5.3: nonce = iv XOR the packet number, left-padded to the IV size */
    memcpy(nonce, k->ks.iv, sizeof nonce);
    for (unsigned i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
    /* associated data: the unprotected header, first byte to packet number */
    if (EVP_DecryptInit_ex(aead, NULL, NULL, NULL, nonce) <= 0 ||
        EVP_DecryptUpdate(aead, NULL, &n, &first, 1) <= 0 ||
        EVP_DecryptUpdate(aead, NULL, &n, mid, (int)(h->pn_off - 1)) <= 0 ||
        EVP_DecryptUpdate(aead, NULL, &n, pn_bytes, (int)pn_len) <= 0 ||
        EVP_DecryptUpdate(aead, scratch, &n, ct, (int)ct_len) <= 0 ||
        EVP_CIPHER_CTX_ctrl(aead, EVP_CTRL_AEAD_SET_TAG, 16, tag_copy) <= 0) {
        *out_why = QUIC_DROP_CRYPTO_LIB;
        return false;
    }
    if (EVP_DecryptFinal_ex(aead, scratch + n, &n_final) <= 0 ||
        (size_t)n + (size_t)n_final != ct_len) {
        *out_why = QUIC_DROP_DECRYPT;
        return false;
    }
    /* §A.3: only an authenticated packet moves the largest packet number */
    if (!k->have_pn || pn > k->largest_pn)
        k->largest_pn = pn;
    k->have_pn = true;
    cur_init(out_plain, scratch, ct_len);
    return true;
}

/* ---- the CRYPTO stream ------------------------------------------------------ */

/* Copy [from, to) of the stream out of a frame whose data starts at `at`. */
static void crypto_copy(struct quic_flow *f, const struct cur *data, uint32_t at, uint32_t from,
                        uint32_t to)
{
    struct cur src;
    const uint8_t *p;
    if (to > from && cur_at(data, from - at, &src) && cur_bytes(&src, to - from, &p))
        memcpy(f->in.crypto + from, p, to - from);
}

static void hello_try(struct quic_flow *f)
{
    struct tls_client_hello hello;
    const char *why = NULL;
    struct cur c;
    uint8_t type;
    uint32_t body_len;

    if (f->in.n_ranges == 0 || f->in.ranges[0].start != 0)
        return;
    cur_init(&c, f->in.crypto, f->in.ranges[0].end);
    /* RFC 8446 §4: Handshake { msg_type; uint24 length; body } */
    if (!cur_u8(&c, &type))
        return;
    if (type != HS_CLIENT_HELLO) {
        f->drops[QUIC_DROP_HELLO_NOT_CH]++;
        f->in.crypto_done = true;
        return;
    }
    if (!cur_be24(&c, &body_len))
        return;
    if (body_len > QUIC_CRYPTO_MAX - 4) {
        f->drops[QUIC_DROP_HELLO_TOO_BIG]++;
        f->in.crypto_done = true;
        return;
    }
    if (cur_left(&c) < body_len)
        return;
    f->in.crypto_done = true;
    if (tls_parse_client_hello_msg(f->in.crypto, 4 + (size_t)body_len, &hello, &why) != PARSE_OK) {
        f->drops[QUIC_DROP_HELLO_MALFORMED]++;
        f->hello_reason = why;
        return;
    }
    f->hello = hello;
    f->has_hello = true;
    f->n_hellos++;
    f->hello_reason = NULL;
}

/*
 * Take the data of a CRYPTO frame at stream offset off (off + length below
 * 2^62, checked by the caller). The stream is kept up to QUIC_CRYPTO_MAX;
 * coverage is a sorted list of disjoint ranges. Where frames overlap, the
 * bytes that came first stay. A frame that would need more ranges than
 * there are is dropped whole, so coverage never claims bytes not written.
 */
static void crypto_add(struct quic_flow *f, uint64_t off, const struct cur *data)
{
    struct quic_range *r = f->in.ranges;
    uint64_t len = cur_left(data);
    unsigned lo, hi;
    uint32_t s, e, at;

    if (f->in.crypto_done || len == 0)
        return;
    if (off >= QUIC_CRYPTO_MAX) {
        f->drops[QUIC_DROP_CRYPTO_CAP]++;
        return;
    }
    if (len > QUIC_CRYPTO_MAX - off) {
        f->drops[QUIC_DROP_CRYPTO_CAP]++;
        len = QUIC_CRYPTO_MAX - off; /* keep what fits */
    }
    s = (uint32_t)off;
    e = (uint32_t)(off + len);
    /* ranges lo..hi-1 overlap or touch [s, e): they merge into one */
    lo = 0;
    while (lo < f->in.n_ranges && r[lo].end < s)
        lo++;
    hi = lo;
    while (hi < f->in.n_ranges && r[hi].start <= e)
        hi++;
    if (f->in.n_ranges - (hi - lo) + 1 > QUIC_CRYPTO_RANGES) {
        f->drops[QUIC_DROP_CRYPTO_RANGES]++;
        return;
    }
    /* fill the gaps only */
    at = s;
    for (unsigned i = lo; i < hi && at < e; i++) {
        crypto_copy(f, data, s, at, r[i].start < e ? r[i].start : e);
        if (r[i].end > at)
            at = r[i].end;
    }
    if (at < e)
        crypto_copy(f, data, s, at, e);

    struct quic_range merged = {s, e};
    if (hi > lo) {
        if (r[lo].start < merged.start)
            merged.start = r[lo].start;
        if (r[hi - 1].end > merged.end)
            merged.end = r[hi - 1].end;
    }
    /* replace r[lo..hi) by the merged range */
    size_t tail = f->in.n_ranges - hi;
    if (hi != lo + 1 && tail)
        memmove(&r[lo + 1], &r[hi], tail * sizeof r[0]);
    r[lo] = merged;
    f->in.n_ranges = f->in.n_ranges - (hi - lo) + 1;
    hello_try(f);
}

/* A new connection attempt: its CRYPTO stream starts again, so do the
 * server's packet numbers (the client's come with its new keys). */
static void attempt_reset(struct quic_flow *f)
{
    f->in.crypto_done = false;
    f->in.n_ranges = 0;
    f->in.retried = false;
    f->in.server.have_pn = false;
    f->in.have_client_scid = false;
}

/* ---- frames (RFC 9000 §19) -------------------------------------------------- */

/* §19.3: ACK and ACK_ECN */
static bool frame_ack(struct cur *p, bool ecn)
{
    uint64_t largest, delay, count, first, gap, len, ect0, ect1, ce;
    if (!cur_quic_varint(p, &largest) || !cur_quic_varint(p, &delay) ||
        !cur_quic_varint(p, &count) || !cur_quic_varint(p, &first))
        return false;
    /* each ACK Range is two varints of at least one byte each: a count
     * larger than that is malformed, and the loop stays short */
    if (count > cur_left(p) / 2)
        return false;
    for (uint64_t i = 0; i < count; i++)
        if (!cur_quic_varint(p, &gap) || !cur_quic_varint(p, &len))
            return false;
    /* §19.3.2: ECN Counts */
    if (ecn &&
        (!cur_quic_varint(p, &ect0) || !cur_quic_varint(p, &ect1) || !cur_quic_varint(p, &ce)))
        return false;
    return true;
}

/* §19.6: CRYPTO */
static bool frame_crypto(struct quic_flow *f, struct cur *p, bool server)
{
    uint64_t off, len;
    struct cur data;
    uint8_t type;
    if (!cur_quic_varint(p, &off) || !cur_quic_varint(p, &len) || len > cur_left(p) ||
        !cur_sub(p, (size_t)len, &data))
        return false;
    /* "The largest offset delivered on a stream -- the sum of the offset
     * and data length -- cannot exceed 2^62-1" */
    if (len > VARINT_MAX - off)
        return false;
    if (!server)
        crypto_add(f, off, &data);
    else if (off == 0 && cur_peek_u8(&data, &type) && type == HS_SERVER_HELLO)
        f->server_hello = true;
    return true;
}

/* §19.19: CONNECTION_CLOSE */
static bool frame_close(struct quic_flow *f, struct cur *p, uint64_t type, bool server)
{
    uint64_t error, frame_type, reason_len;
    if (!cur_quic_varint(p, &error))
        return false;
    if (type == FRAME_CLOSE_TRANSPORT && !cur_quic_varint(p, &frame_type))
        return false;
    if (!cur_quic_varint(p, &reason_len) || reason_len > cur_left(p) ||
        !cur_skip(p, (size_t)reason_len))
        return false;
    if (server)
        f->server_close = true;
    else
        f->client_close = true;
    f->close_error = error;
    return true;
}

/* The frames of a decrypted Initial. An unknown or broken frame ends the
 * packet; what came before it (CRYPTO data) is kept. */
static void frames(struct quic_flow *f, struct cur *p, bool server)
{
    while (!cur_empty(p)) {
        uint64_t type;
        bool ok;
        if (!cur_quic_varint(p, &type)) {
            f->drops[QUIC_DROP_FRAME_MALFORMED]++;
            return;
        }
        switch (type) {
        case FRAME_PADDING: /* §19.1: one byte each */
        case FRAME_PING:    /* §19.2 */
            ok = true;
            break;
        case FRAME_ACK:
        case FRAME_ACK_ECN:
            ok = frame_ack(p, type == FRAME_ACK_ECN);
            break;
        case FRAME_CRYPTO:
            ok = frame_crypto(f, p, server);
            break;
        case FRAME_CLOSE_TRANSPORT:
        case FRAME_CLOSE_APPLICATION:
            ok = frame_close(f, p, type, server);
            break;
        default:
            /* §12.4: no other frame may appear in an Initial packet, and
             * without knowing a frame we cannot know its length */
            f->drops[QUIC_DROP_FRAME_UNKNOWN]++;
            f->last_unknown_frame = type;
            return;
        }
        if (!ok) {
            f->drops[QUIC_DROP_FRAME_MALFORMED]++;
            return;
        }
    }
}

/* ---- the flow --------------------------------------------------------------- */

void quic_flow_init(struct quic_flow *f)
{
    memset(f, 0, sizeof *f);
}

void quic_flow_finish(struct quic_flow *f)
{
    if (!f)
        return;
    dir_free(&f->in.client);
    dir_free(&f->in.server);
    dir_free(&f->in.trial);
}

bool quic_looks_like_initial(const uint8_t *dgram, size_t len)
{
    struct cur d;
    struct lhdr h;
    enum quic_drop why;
    cur_init(&d, dgram, len);
    /* RFC 9000 §17.2: Header Form 1 and Fixed Bit 1 (RFC 9287 greasing of
     * the fixed bit is negotiated later: a first Initial has it set) */
    uint8_t first = 0;
    if (!cur_peek_u8(&d, &first) || (first & 0xc0) != 0xc0)
        return false;
    return long_header(&d, &h, &why) == PARSE_OK && h.vi != NULL && h.type == PT_INITIAL;
}

bool quic_flow_reached(const struct quic_flow *f)
{
    return f->server_initials > 0 || f->server_handshakes > 0;
}

/*
 * A client Initial whose keys do not open it, with a DCID other than the
 * one the keys come from: try keys from its own DCID, in the flow's spare
 * contexts. If they open it, this is a new connection attempt on the same
 * addresses (or follows a Retry we did not see) and the flow moves to those
 * keys. A DCID that failed is remembered, so that its retransmissions (or a
 * flood of one bad packet) cost no more key derivations.
 */
static bool client_try_own_keys(struct quic_flow *f, const struct lhdr *h, uint8_t *scratch,
                                struct cur *out_plain)
{
    struct quic_key_set c, s;
    struct quic_dir_keys spare;
    uint8_t initial[32], id[QUIC_CID_MAX];
    uint8_t id_len;
    enum quic_drop why;

    if (!cid_copy(&h->dcid, id, &id_len))
        return false;
    if (f->in.have_tried && id_len == f->in.tried_dcid_len &&
        (id_len == 0 || !memcmp(id, f->in.tried_dcid, id_len)))
        return false;
    if (!initial_secret(h->vi, id, id_len, initial) || !direction_keys(h->vi, initial, false, &c) ||
        !dir_install(&f->in.trial, h->version, &c)) {
        f->drops[QUIC_DROP_CRYPTO_LIB]++;
        return false;
    }
    f->in.trial.have_pn = false;
    if (!packet_open(&f->in.trial, h, scratch, out_plain, &why)) {
        if (id_len)
            memcpy(f->in.tried_dcid, id, id_len);
        f->in.tried_dcid_len = id_len;
        f->in.have_tried = true;
        return false;
    }
    /* the trial contexts become the client's, the client's the spare */
    spare = f->in.client;
    f->in.client = f->in.trial;
    f->in.trial = spare;
    f->in.trial.ok = false;
    if (id_len)
        memcpy(f->in.key_dcid, id, id_len);
    f->in.key_dcid_len = id_len;
    if (!direction_keys(h->vi, initial, true, &s) || !dir_install(&f->in.server, h->version, &s))
        f->drops[QUIC_DROP_CRYPTO_LIB]++;
    attempt_reset(f);
    return true;
}

static void client_initial(struct quic_flow *f, const struct lhdr *h, uint8_t *scratch)
{
    struct quic_dir_keys *k = &f->in.client;
    struct cur plain;
    enum quic_drop why = QUIC_DROP_DECRYPT;
    bool opened;

    if (!k->ok) {
        /* RFC 9001 §5.2: the first client Initial's DCID gives the keys */
        if (!flow_derive(f, h->version, &h->dcid)) {
            f->drops[QUIC_DROP_CRYPTO_LIB]++;
            return;
        }
    } else if (k->version != h->version && !dir_rederive(f, k, h->version, false)) {
        f->drops[QUIC_DROP_CRYPTO_LIB]++;
        return;
    }
    opened = packet_open(k, h, scratch, &plain, &why);
    if (!opened && why == QUIC_DROP_DECRYPT &&
        !cid_equal(&h->dcid, f->in.key_dcid, f->in.key_dcid_len))
        opened = client_try_own_keys(f, h, scratch, &plain);
    if (!opened) {
        f->drops[why]++;
        return;
    }
    f->client_initials++;
    if (!f->in.have_client_scid)
        f->in.have_client_scid = cid_copy(&h->scid, f->in.client_scid, &f->in.client_scid_len);
    frames(f, &plain, false);
}

enum parse_result quic_flow_client_datagram(struct quic_flow *f, const uint8_t *dgram, size_t len,
                                            uint8_t scratch[QUIC_SCRATCH_MAX])
{
    struct cur d;
    cur_init(&d, dgram, len);
    /* RFC 9000 §12.2: several packets may share a datagram */
    while (!cur_empty(&d)) {
        struct lhdr h;
        enum quic_drop why = QUIC_DROP_BAD_HEADER;
        uint8_t first;
        enum parse_result r;

        (void)cur_peek_u8(&d, &first);
        if (!(first & 0x80)) {
            /* §17.3: a short header has no Length, so it is the last
             * packet; so is the zero padding some stacks put after the
             * coalesced packets */
            f->client_short++;
            return PARSE_OK;
        }
        r = long_header(&d, &h, &why);
        if (r != PARSE_OK) {
            f->drops[why]++;
            return r;
        }
        if (h.type == PT_VERSION_NEGOTIATION) {
            /* only a server sends one */
            f->drops[QUIC_DROP_BAD_HEADER]++;
            return PARSE_MALFORMED;
        }
        f->version = h.version;
        if (!h.vi) {
            f->unknown_version = true;
            f->last_unknown_version = h.version;
            f->drops[QUIC_DROP_UNKNOWN_VERSION]++;
            return PARSE_MALFORMED;
        }
        if (h.cut) {
            f->drops[QUIC_DROP_TRUNCATED]++;
            return PARSE_INCOMPLETE;
        }
        switch (h.type) {
        case PT_INITIAL:
            client_initial(f, &h, scratch);
            break;
        case PT_0RTT:
        case PT_HANDSHAKE:
            f->client_other++;
            break;
        case PT_RETRY:
        case PT_VERSION_NEGOTIATION:
            f->drops[QUIC_DROP_BAD_HEADER]++; /* only a server sends a Retry */
            return PARSE_MALFORMED;
        }
    }
    return PARSE_OK;
}

/* §17.2.1: the versions a server offers */
static void version_negotiation(struct quic_flow *f, const struct lhdr *h)
{
    struct cur c = h->token;
    uint32_t v;
    f->saw_version_negotiation = true;
    /* a ragged tail (not a whole version) is left unread */
    while (cur_be32(&c, &v)) {
        if (f->n_vn_versions < sizeof f->vn_versions / sizeof f->vn_versions[0])
            f->vn_versions[f->n_vn_versions] = v;
        if (f->n_vn_versions < UINT16_MAX)
            f->n_vn_versions++;
    }
}

/* RFC 9001 §5.8: the Retry Integrity Tag is AEAD_AES_128_GCM over an empty
 * plaintext, with the Retry Pseudo-Packet (ODCID Length, ODCID, the Retry
 * packet without its tag) as associated data. */
static bool retry_tag_ok(const struct quic_flow *f, const struct lhdr *h)
{
    const uint8_t *pkt, *tag;
    struct cur c = h->pkt, t = h->tag;
    uint8_t odcid_len = f->in.key_dcid_len, want[16];
    int n = 0;
    bool ok;
    EVP_CIPHER_CTX *ctx;

    if (!h->vi->retry_key)
        return true; /* drafts: not checked (the DCID was) */
    if (!cur_bytes(&c, cur_left(&c), &pkt) || !cur_bytes(&t, 16, &tag))
        return false;
    ctx = EVP_CIPHER_CTX_new();
    ok = ctx &&
         EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, h->vi->retry_key, h->vi->retry_nonce) >
             0 &&
         EVP_EncryptUpdate(ctx, NULL, &n, &odcid_len, 1) > 0 &&
         EVP_EncryptUpdate(ctx, NULL, &n, f->in.key_dcid, (int)odcid_len) > 0 &&
         EVP_EncryptUpdate(ctx, NULL, &n, pkt, (int)cur_left(&h->pkt)) > 0 &&
         EVP_EncryptFinal_ex(ctx, want, &n) > 0 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, want) > 0 && !memcmp(want, tag, 16);
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* RFC 9000 §17.2.5.2: the client's next Initials go to the Retry's Source
 * Connection ID, and RFC 9001 §5.2 derives their keys from it. */
static void retry(struct quic_flow *f, const struct lhdr *h)
{
    if (!f->in.client.ok)
        return; /* no Initial seen: the client's next one gives the keys */
    /* "A client MUST accept and process at most one Retry packet" and,
     * once it processed an Initial from the server, none; it "MUST discard
     * a Retry packet with a zero-length Retry Token field", and one whose
     * SCID equals the DCID it sent (§7.3: never from a server) */
    if (f->in.retried || f->in.server.have_pn || cur_empty(&h->token) ||
        cid_equal(&h->scid, f->in.key_dcid, f->in.key_dcid_len) || !retry_tag_ok(f, h)) {
        f->drops[QUIC_DROP_RETRY_BAD]++;
        return;
    }
    if (!flow_derive(f, h->version, &h->scid)) {
        f->drops[QUIC_DROP_CRYPTO_LIB]++;
        return;
    }
    /* the client's packet numbers go on; the server starts afresh */
    f->in.server.have_pn = false;
    f->in.retried = true;
    f->retries++;
}

static void server_initial(struct quic_flow *f, const struct lhdr *h, uint8_t *scratch)
{
    struct quic_dir_keys *k = &f->in.server;
    struct cur plain;
    enum quic_drop why = QUIC_DROP_DECRYPT;
    if (!k->ok) {
        f->drops[QUIC_DROP_NO_KEYS]++;
        return;
    }
    if (k->version != h->version && !dir_rederive(f, k, h->version, true)) {
        f->drops[QUIC_DROP_CRYPTO_LIB]++;
        return;
    }
    if (!packet_open(k, h, scratch, &plain, &why)) {
        f->drops[why]++;
        return;
    }
    f->server_decrypted++;
    frames(f, &plain, true);
}

enum parse_result quic_flow_server_datagram(struct quic_flow *f, const uint8_t *dgram, size_t len,
                                            uint8_t scratch[QUIC_SCRATCH_MAX])
{
    struct cur d;
    cur_init(&d, dgram, len);
    while (!cur_empty(&d)) {
        struct lhdr h;
        enum quic_drop why = QUIC_DROP_BAD_HEADER;
        uint8_t first;
        enum parse_result r;

        (void)cur_peek_u8(&d, &first);
        if (!(first & 0x80))
            return PARSE_OK; /* §17.3: a short header ends the datagram */
        r = long_header(&d, &h, &why);
        if (r != PARSE_OK) {
            f->drops[why]++;
            return r;
        }
        if (h.type == PT_VERSION_NEGOTIATION) {
            version_negotiation(f, &h);
            return PARSE_OK;
        }
        if (!h.vi) {
            f->drops[QUIC_DROP_UNKNOWN_VERSION]++;
            return PARSE_MALFORMED;
        }
        /* plausible: addressed to the client's Source Connection ID */
        if (f->in.have_client_scid &&
            !cid_equal(&h.dcid, f->in.client_scid, f->in.client_scid_len)) {
            f->drops[QUIC_DROP_BAD_HEADER]++;
            if (h.cut)
                return PARSE_INCOMPLETE;
            continue;
        }
        if (h.type == PT_RETRY) {
            retry(f, &h);
            return PARSE_OK;
        }
        if (h.type == PT_0RTT) {
            f->drops[QUIC_DROP_BAD_HEADER]++; /* only a client sends 0-RTT */
            if (h.cut)
                return PARSE_INCOMPLETE;
            continue;
        }
        /* §5.4.2: every protected packet has room for the sample */
        if (h.length < 20) {
            f->drops[QUIC_DROP_TOO_SHORT]++;
            if (h.cut)
                return PARSE_INCOMPLETE;
            continue;
        }
        if (h.type == PT_HANDSHAKE)
            f->server_handshakes++;
        else
            f->server_initials++;
        if (h.cut) {
            f->drops[QUIC_DROP_TRUNCATED]++;
            return PARSE_INCOMPLETE;
        }
        if (h.type == PT_INITIAL)
            server_initial(f, &h, scratch);
    }
    return PARSE_OK;
}

/* ---- building packets (tests and fuzzing) ----------------------------------- */

struct wbuf {
    uint8_t *p;
    size_t n, max;
    bool ok;
};

static void put(struct wbuf *w, const void *src, size_t n)
{
    if (!w->ok || n > w->max - w->n) {
        w->ok = false;
        return;
    }
    if (n)
        memcpy(w->p + w->n, src, n);
    w->n += n;
}

static void put_u8(struct wbuf *w, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(w, &b, 1);
}

/* RFC 9000 §16: the shortest encoding */
static void put_varint(struct wbuf *w, uint64_t v)
{
    unsigned bytes = v < 64 ? 1 : v < 16384 ? 2 : v < ((uint64_t)1 << 30) ? 4 : 8;
    unsigned prefix = bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 4 ? 2 : 3;
    for (unsigned i = 0; i < bytes; i++) {
        unsigned b = (unsigned)(v >> (8 * (bytes - 1 - i))) & 0xff;
        put_u8(w, i == 0 ? b | prefix << 6 : b);
    }
}

size_t quic_seal_initial(const struct quic_seal *s, const uint8_t *frames_in, size_t frames_len,
                         uint8_t *out, size_t out_max)
{
    const struct version_info *vi = version_find(s->version);
    struct quic_key_set ks;
    struct wbuf w = {out, 0, out_max, true};
    uint8_t nonce[12], mask[16];
    size_t pn_off;
    int n = 0;
    bool ok;
    EVP_CIPHER_CTX *gcm, *ecb;

    if (!vi || s->pn_len < 1 || s->pn_len > 4 || s->dcid_len > QUIC_CID_MAX ||
        s->scid_len > QUIC_CID_MAX || frames_len > QUIC_SCRATCH_MAX || frames_len + s->pn_len < 4 ||
        s->pn > VARINT_MAX ||
        !quic_initial_keys(s->version, s->key_dcid, s->key_dcid_len, s->server, &ks))
        return 0;
    /* RFC 9000 §17.2.2 */
    put_u8(&w, 0xc0 | ptype_bits(vi, PT_INITIAL) << 4 | (s->pn_len - 1));
    put_u8(&w, s->version >> 24 & 0xff);
    put_u8(&w, s->version >> 16 & 0xff);
    put_u8(&w, s->version >> 8 & 0xff);
    put_u8(&w, s->version & 0xff);
    put_u8(&w, (unsigned)s->dcid_len);
    put(&w, s->dcid, s->dcid_len);
    put_u8(&w, (unsigned)s->scid_len);
    put(&w, s->scid, s->scid_len);
    put_varint(&w, s->token_len);
    put(&w, s->token, s->token_len);
    put_varint(&w, s->pn_len + frames_len + 16);
    pn_off = w.n;
    for (unsigned i = 0; i < s->pn_len; i++)
        put_u8(&w, (unsigned)(s->pn >> (8 * (s->pn_len - 1 - i))) & 0xff);
    if (!w.ok || frames_len + 16 > w.max - w.n)
        return 0;

    /* RFC 9001 §5.3 */
    memcpy(nonce, ks.iv, sizeof nonce);
    for (unsigned i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(s->pn >> (8 * i));
    gcm = EVP_CIPHER_CTX_new();
    ecb = EVP_CIPHER_CTX_new();
    ok = gcm && ecb && EVP_EncryptInit_ex(gcm, EVP_aes_128_gcm(), NULL, ks.key, nonce) > 0 &&
         EVP_EncryptUpdate(gcm, NULL, &n, out, (int)w.n) > 0 &&
         (frames_len == 0 ||
          EVP_EncryptUpdate(gcm, out + w.n, &n, frames_in, (int)frames_len) > 0) &&
         EVP_EncryptFinal_ex(gcm, out + w.n + frames_len, &n) > 0 &&
         EVP_CIPHER_CTX_ctrl(gcm, EVP_CTRL_AEAD_GET_TAG, 16, out + w.n + frames_len) > 0 &&
         /* §5.4: the sample starts 4 bytes after the Packet Number field */
         EVP_EncryptInit_ex(ecb, EVP_aes_128_ecb(), NULL, ks.hp, NULL) > 0 &&
         EVP_CIPHER_CTX_set_padding(ecb, 0) > 0 &&
         EVP_EncryptUpdate(ecb, mask, &n, out + pn_off + 4, 16) > 0 && n == 16;
    EVP_CIPHER_CTX_free(gcm);
    EVP_CIPHER_CTX_free(ecb);
    if (!ok)
        return 0;
    out[0] ^= mask[0] & 0x0f;
    for (unsigned i = 0; i < s->pn_len; i++)
        out[pn_off + i] ^= mask[1 + i];
    return w.n + frames_len + 16;
}
