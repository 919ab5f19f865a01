/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * TLS hello parser tests. ClientHellos and ServerHellos are assembled by a
 * small builder (records, handshake header, fields, extension list) so that
 * each case says what it changes. Every input is copied flush against a
 * PROT_NONE page (guard.h).
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <string.h>

#include "guard.h"
#include "tls.h"

/* ---- builder ------------------------------------------------------------ */

#define BLD_MAX (1u << 17)
#define BLD_DEPTH 8

/* Offsets of length fields that the hostile-length sweep rewrites. */
enum mark {
    MARK_SESSION_ID,
    MARK_SUITES,
    MARK_EXT_BLOCK,
    MARK_SNI_EXT,
    MARK_SNI_LIST,
    MARK_SNI_NAME,
    MARK_ALPN_PROTO,
    MARK_LAST_EXT,
    MARK_COUNT,
};

struct bld {
    uint8_t b[BLD_MAX];
    size_t n;
    size_t open_at[BLD_DEPTH];
    unsigned open_width[BLD_DEPTH];
    unsigned depth;
    size_t mark[MARK_COUNT];
};

static struct bld g_msg;    /* a handshake message */
static struct bld g_stream; /* records around it */

static void put_u8(struct bld *b, unsigned v)
{
    assert_true(b->n < BLD_MAX);
    b->b[b->n++] = (uint8_t)v;
}

static void put_u16(struct bld *b, unsigned v)
{
    put_u8(b, v >> 8 & 0xff);
    put_u8(b, v & 0xff);
}

static void put_mem(struct bld *b, const void *p, size_t n)
{
    assert_true(n <= BLD_MAX - b->n);
    if (n)
        memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void put_str(struct bld *b, const char *s)
{
    put_mem(b, s, strlen(s));
}

static void put_fill(struct bld *b, unsigned v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_u8(b, v);
}

/* Open a length-prefixed vector of width 1, 2 or 3 bytes; returns the
 * offset of its length field. */
static size_t vec_open(struct bld *b, unsigned width)
{
    size_t at = b->n;
    assert_true(b->depth < BLD_DEPTH);
    b->open_at[b->depth] = at;
    b->open_width[b->depth] = width;
    b->depth++;
    put_fill(b, 0, width);
    return at;
}

static void patch(struct bld *b, size_t at, unsigned width, size_t v)
{
    for (unsigned i = 0; i < width; i++)
        b->b[at + i] = (uint8_t)(v >> (8 * (width - 1 - i)) & 0xff);
}

static void vec_close(struct bld *b)
{
    assert_true(b->depth > 0);
    b->depth--;
    size_t at = b->open_at[b->depth];
    unsigned width = b->open_width[b->depth];
    size_t len = b->n - at - width;
    assert_true(len < ((size_t)1 << (8 * width)));
    patch(b, at, width, len);
}

static void bld_reset(struct bld *b)
{
    b->n = 0;
    b->depth = 0;
    for (int i = 0; i < MARK_COUNT; i++)
        b->mark[i] = SIZE_MAX;
}

/* ---- extensions ---------------------------------------------------------- */

static void ext_raw(struct bld *b, unsigned type, const void *body, size_t n)
{
    put_u16(b, type);
    vec_open(b, 2);
    put_mem(b, body, n);
    vec_close(b);
}

/* server_name with entries given as "name" (host_name) or "\x01name" (type 1) */
static void ext_sni_list(struct bld *b, const char *const *names)
{
    put_u16(b, TLS_EXT_SERVER_NAME);
    b->mark[MARK_SNI_EXT] = vec_open(b, 2);
    b->mark[MARK_SNI_LIST] = vec_open(b, 2);
    for (size_t i = 0; names[i]; i++) {
        const char *s = names[i];
        unsigned type = 0;
        if (s[0] == '\x01') {
            type = 1;
            s++;
        }
        put_u8(b, type);
        size_t at = vec_open(b, 2);
        if (b->mark[MARK_SNI_NAME] == SIZE_MAX)
            b->mark[MARK_SNI_NAME] = at;
        put_str(b, s);
        vec_close(b);
    }
    vec_close(b);
    vec_close(b);
}

static void ext_sni(struct bld *b, const char *name)
{
    const char *names[] = {name, NULL};
    ext_sni_list(b, names);
}

static void ext_alpn(struct bld *b, const char *const *protos)
{
    put_u16(b, TLS_EXT_ALPN);
    vec_open(b, 2);
    vec_open(b, 2);
    for (size_t i = 0; protos[i]; i++) {
        size_t at = vec_open(b, 1);
        if (i == 0)
            b->mark[MARK_ALPN_PROTO] = at;
        put_str(b, protos[i]);
        vec_close(b);
    }
    vec_close(b);
    vec_close(b);
}

static void ext_versions(struct bld *b, const unsigned *v, size_t n)
{
    put_u16(b, TLS_EXT_SUPPORTED_VERSIONS);
    vec_open(b, 2);
    vec_open(b, 1);
    for (size_t i = 0; i < n; i++)
        put_u16(b, v[i]);
    vec_close(b);
    vec_close(b);
}

static void ext_versions_13(struct bld *b)
{
    const unsigned v[] = {0x0a0a, 0x0304, 0x0303};
    ext_versions(b, v, 3);
}

static void ext_groups(struct bld *b)
{
    const uint8_t body[] = {0x00, 0x04, 0x00, 0x1d, 0x00, 0x17};
    ext_raw(b, 0x000a, body, sizeof body);
}

/* key_share with one X25519 share */
static void ext_key_share(struct bld *b)
{
    uint8_t share[32];
    memset(share, 0x5a, sizeof share);
    put_u16(b, 0x0033);
    vec_open(b, 2);
    vec_open(b, 2);
    put_u16(b, 0x001d);
    vec_open(b, 2);
    put_mem(b, share, sizeof share);
    vec_close(b);
    vec_close(b);
    vec_close(b);
}

/* padding (RFC 7685) of n zero bytes */
static void ext_padding(struct bld *b, size_t n)
{
    put_u16(b, 0x0015);
    vec_open(b, 2);
    put_fill(b, 0, n);
    vec_close(b);
}

/* ---- extension lists of the table rows ----------------------------------- */

static void exts_sni(struct bld *b)
{
    ext_sni(b, "example.com");
    ext_versions_13(b);
    ext_key_share(b);
}

static void exts_no_sni(struct bld *b)
{
    ext_groups(b);
    ext_versions_13(b);
}

static void exts_empty_block(struct bld *b)
{
    (void)b;
}

static void exts_sni_255(struct bld *b)
{
    char name[256];
    memset(name, 'a', 255);
    name[255] = 0;
    ext_sni(b, name);
}

static void exts_sni_256(struct bld *b)
{
    char name[257];
    memset(name, 'b', 256);
    name[256] = 0;
    ext_sni(b, name);
}

static void exts_sni_4000(struct bld *b)
{
    static char name[4001];
    memset(name, 'c', 4000);
    name[4000] = 0;
    ext_sni(b, name);
}

static void exts_sni_many(struct bld *b)
{
    const char *names[] = {"\x01opaque-type-1",
                           "first.example",
                           "second.example",
                           "third.example",
                           "4.example",
                           "5.example",
                           NULL};
    ext_sni_list(b, names);
}

static void exts_sni_many_one_empty(struct bld *b)
{
    const char *names[] = {"first.example", "second.example", "", "4.example", NULL};
    ext_sni_list(b, names);
}

static void exts_sni_other_type_only(struct bld *b)
{
    const char *names[] = {"\x01not-a-host", NULL};
    ext_sni_list(b, names);
}

static void exts_sni_empty_list(struct bld *b)
{
    const char *names[] = {NULL};
    ext_sni_list(b, names);
}

static void exts_sni_twice(struct bld *b)
{
    ext_sni(b, "one.example");
    ext_groups(b);
    ext_sni(b, "two.example");
}

/* server_name whose body has one byte after its list (child not used up) */
static void exts_sni_trailing(struct bld *b)
{
    put_u16(b, TLS_EXT_SERVER_NAME);
    vec_open(b, 2);
    vec_open(b, 2);
    put_u8(b, 0);
    vec_open(b, 2);
    put_str(b, "x.example");
    vec_close(b);
    vec_close(b);
    put_u8(b, 0);
    vec_close(b);
}

static void exts_alpn(struct bld *b)
{
    const char *protos[] = {"h2", "http/1.1", NULL};
    ext_sni(b, "www.example.org");
    ext_alpn(b, protos);
}

static void exts_alpn_long(struct bld *b)
{
    char p[101];
    memset(p, 'p', 100);
    p[100] = 0;
    const char *protos[] = {p, "h2", NULL};
    ext_alpn(b, protos);
}

static void exts_alpn_empty_proto(struct bld *b)
{
    const char *protos[] = {"h2", "", NULL};
    ext_alpn(b, protos);
}

static void exts_ech(struct bld *b)
{
    const uint8_t ech[] = {0x00, 0x00, 0x01, 0x00, 0x01, 0x42, 0x00, 0x20};
    ext_sni(b, "public.example");
    ext_versions_13(b);
    ext_raw(b, TLS_EXT_ECH, ech, sizeof ech);
}

static void exts_tls12_only(struct bld *b)
{
    const unsigned v[] = {0x0303, 0x0302};
    ext_sni(b, "old.example");
    ext_versions(b, v, 2);
}

static void exts_versions_odd(struct bld *b)
{
    const uint8_t body[] = {0x03, 0x03, 0x04, 0x03};
    ext_raw(b, TLS_EXT_SUPPORTED_VERSIONS, body, sizeof body);
}

/* an extension whose length runs 100 bytes past the end of its block */
static void exts_past_block(struct bld *b)
{
    ext_sni(b, "a.example");
    put_u16(b, 0x1234);
    put_u16(b, 104);
    put_fill(b, 0, 4);
}

/* 3 bytes after the last extension: not even an extension header */
static void exts_ragged_tail(struct bld *b)
{
    ext_sni(b, "a.example");
    put_fill(b, 0, 3);
}

/* Grow the hello past the size of one record. */
static void exts_big(struct bld *b)
{
    ext_sni(b, "big.example");
    ext_versions_13(b);
    ext_key_share(b);
    ext_padding(b, 1200);
}

/* The layout the hostile-length sweep rewrites. */
static void exts_sweep(struct bld *b)
{
    const char *protos[] = {"h2", "http/1.1", NULL};
    uint8_t tail[8];
    memset(tail, 0xaa, sizeof tail);
    ext_sni(b, "a.example");
    ext_alpn(b, protos);
    b->mark[MARK_LAST_EXT] = b->n + 2;
    ext_raw(b, 0x7777, tail, sizeof tail);
}

/* ---- ClientHello and records --------------------------------------------- */

/* Field lengths: 0 takes the usual value, ZERO stands for an empty field. */
#define ZERO (-1)

struct hello_spec {
    void (*exts)(struct bld *); /* NULL: no extension block at all */
    int session_id_len;         /* 0: 32 */
    int suites_len;             /* 0: 6 bytes (three suites) */
    int compression_len;        /* 0: 1 */
    unsigned hs_type;           /* 0: 1 (client_hello) */
};

static size_t len_or(int v, size_t usual)
{
    if (v == 0)
        return usual;
    return v < 0 ? 0 : (size_t)v;
}

/* RFC 8446 §4 header + §4.1.2 body into b. */
static void build_client_hello(struct bld *b, const struct hello_spec *h)
{
    bld_reset(b);
    put_u8(b, h->hs_type ? h->hs_type : 1);
    vec_open(b, 3);
    put_u16(b, 0x0303);
    put_fill(b, 0x11, 32);
    b->mark[MARK_SESSION_ID] = vec_open(b, 1);
    put_fill(b, 0x00, len_or(h->session_id_len, 32));
    vec_close(b);
    b->mark[MARK_SUITES] = vec_open(b, 2);
    size_t suites = len_or(h->suites_len, 6);
    for (size_t i = 0; i < suites; i++)
        put_u8(b, i % 2 ? 0x01 + (unsigned)i / 2 : 0x13);
    vec_close(b);
    vec_open(b, 1);
    put_fill(b, 0, len_or(h->compression_len, 1));
    vec_close(b);
    if (h->exts) {
        b->mark[MARK_EXT_BLOCK] = vec_open(b, 2);
        h->exts(b);
        vec_close(b);
    }
    vec_close(b);
}

/* Wrap msg in handshake records: the fragment sizes in splits (0-ended),
 * then one record with the rest. */
static void build_records(struct bld *out, const uint8_t *msg, size_t n, const size_t *splits)
{
    size_t off = 0;
    size_t i = 0;

    bld_reset(out);
    while (off < n) {
        size_t frag = n - off;
        if (splits && splits[i]) {
            if (splits[i] < frag)
                frag = splits[i];
            i++;
        }
        put_u8(out, 0x16);
        put_u16(out, i <= 1 ? 0x0301 : 0x0303);
        put_u16(out, (unsigned)frag);
        put_mem(out, msg + off, frag);
        off += frag;
    }
}

static uint8_t g_scratch[TLS_HS_MAX];

static enum parse_result run_stream(const uint8_t *p, size_t n, struct tls_client_hello *ch,
                                    const char **why)
{
    struct guarded g = {0};
    const uint8_t *in = guard_copy(&g, p, n);
    enum parse_result r = tls_parse_client_hello_stream(in, n, g_scratch, ch, why);
    guard_free(&g);
    return r;
}

static enum parse_result run_msg(const uint8_t *p, size_t n, struct tls_client_hello *ch,
                                 const char **why)
{
    struct guarded g = {0};
    const uint8_t *in = guard_copy(&g, p, n);
    enum parse_result r = tls_parse_client_hello_msg(in, n, ch, why);
    guard_free(&g);
    return r;
}

static void expect_reason(const char *name, const char *why, const char *want)
{
    if (!want)
        return;
    if (!why || !strstr(why, want)) {
        print_error("%s: reason '%s', want '%s'\n", name, why ? why : "(none)", want);
        fail();
    }
}

static void expect_result(const char *name, enum parse_result got, enum parse_result want)
{
    if (got != want) {
        print_error("%s: got %s, want %s\n", name, parse_result_name(got), parse_result_name(want));
        fail();
    }
}

/* ---- the ClientHello table ------------------------------------------------ */

struct ch_case {
    const char *name;
    struct hello_spec hello;
    size_t splits[6]; /* record fragment sizes, 0-ended; the rest in one record */
    enum parse_result want;
    const char *reason; /* substring of the reason when not OK */
    bool has_sni;
    const char *sni;
    uint16_t sni_len;
    bool sni_cut;
    uint16_t n_sni;
    const char *alpn;
    bool ech;
    bool tls13;
    int n_ext;
};

#define OK_SNI(name, n) .has_sni = true, .sni = (name), .sni_len = (n), .n_sni = 1

static const struct ch_case ch_cases[] = {
    {.name = "sni",
     .hello = {.exts = exts_sni},
     .want = PARSE_OK,
     OK_SNI("example.com", 11),
     .tls13 = true,
     .n_ext = 3},
    {.name = "no sni", .hello = {.exts = exts_no_sni}, .want = PARSE_OK, .tls13 = true, .n_ext = 2},
    {.name = "no extensions at all", .hello = {.exts = NULL}, .want = PARSE_OK, .n_ext = 0},
    {.name = "empty extension block",
     .hello = {.exts = exts_empty_block},
     .want = PARSE_OK,
     .n_ext = 0},
    {.name = "sni of 255",
     .hello = {.exts = exts_sni_255},
     .want = PARSE_OK,
     OK_SNI(NULL, 255),
     .n_ext = 1},
    {.name = "sni of 256 is cut",
     .hello = {.exts = exts_sni_256},
     .want = PARSE_OK,
     OK_SNI(NULL, 255),
     .sni_cut = true,
     .n_ext = 1},
    {.name = "sni of 4000 is cut",
     .hello = {.exts = exts_sni_4000},
     .want = PARSE_OK,
     OK_SNI(NULL, 255),
     .sni_cut = true,
     .n_ext = 1},
    {.name = "sni list of many names",
     .hello = {.exts = exts_sni_many},
     .want = PARSE_OK,
     .has_sni = true,
     .sni = "first.example",
     .sni_len = 13,
     .n_sni = 5,
     .n_ext = 1},
    {.name = "sni list with an empty name",
     .hello = {.exts = exts_sni_many_one_empty},
     .want = PARSE_MALFORMED,
     .reason = "empty server name"},
    {.name = "sni of another name type only",
     .hello = {.exts = exts_sni_other_type_only},
     .want = PARSE_OK,
     .n_ext = 1},
    {.name = "sni empty list",
     .hello = {.exts = exts_sni_empty_list},
     .want = PARSE_MALFORMED,
     .reason = "empty server name list"},
    {.name = "sni extension twice",
     .hello = {.exts = exts_sni_twice},
     .want = PARSE_MALFORMED,
     .reason = "duplicate server_name"},
    {.name = "sni extension with a byte after its list",
     .hello = {.exts = exts_sni_trailing},
     .want = PARSE_MALFORMED,
     .reason = "after the server name list"},
    {.name = "alpn h2 and http/1.1",
     .hello = {.exts = exts_alpn},
     .want = PARSE_OK,
     OK_SNI("www.example.org", 15),
     .alpn = "h2",
     .n_ext = 2},
    {.name = "alpn long protocol is cut",
     .hello = {.exts = exts_alpn_long},
     .want = PARSE_OK,
     .alpn = "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp",
     .n_ext = 1},
    {.name = "alpn empty protocol",
     .hello = {.exts = exts_alpn_empty_proto},
     .want = PARSE_MALFORMED,
     .reason = "empty ALPN protocol"},
    {.name = "ech",
     .hello = {.exts = exts_ech},
     .want = PARSE_OK,
     OK_SNI("public.example", 14),
     .ech = true,
     .tls13 = true,
     .n_ext = 3},
    {.name = "supported_versions without 1.3",
     .hello = {.exts = exts_tls12_only},
     .want = PARSE_OK,
     OK_SNI("old.example", 11),
     .n_ext = 2},
    {.name = "supported_versions odd length",
     .hello = {.exts = exts_versions_odd},
     .want = PARSE_MALFORMED,
     .reason = "supported_versions"},
    {.name = "two records",
     .hello = {.exts = exts_big},
     .splits = {700},
     .want = PARSE_OK,
     OK_SNI("big.example", 11),
     .tls13 = true,
     .n_ext = 4},
    {.name = "three records",
     .hello = {.exts = exts_big},
     .splits = {300, 500},
     .want = PARSE_OK,
     OK_SNI("big.example", 11),
     .tls13 = true,
     .n_ext = 4},
    {.name = "handshake header split over records",
     .hello = {.exts = exts_sni},
     .splits = {1, 2, 3, 50},
     .want = PARSE_OK,
     OK_SNI("example.com", 11),
     .tls13 = true,
     .n_ext = 3},
    {.name = "header alone, body in the next record",
     .hello = {.exts = exts_sni},
     .splits = {4},
     .want = PARSE_OK,
     OK_SNI("example.com", 11),
     .tls13 = true,
     .n_ext = 3},
    {.name = "empty session id",
     .hello = {.exts = exts_sni, .session_id_len = ZERO},
     .want = PARSE_OK,
     OK_SNI("example.com", 11),
     .tls13 = true,
     .n_ext = 3},
    {.name = "session id of 33",
     .hello = {.exts = exts_sni, .session_id_len = 33},
     .want = PARSE_MALFORMED,
     .reason = "session id longer than 32"},
    {.name = "odd cipher suites length",
     .hello = {.exts = exts_sni, .suites_len = 3},
     .want = PARSE_MALFORMED,
     .reason = "cipher suites length"},
    {.name = "no cipher suites",
     .hello = {.exts = exts_sni, .suites_len = ZERO},
     .want = PARSE_MALFORMED,
     .reason = "cipher suites length"},
    {.name = "no compression methods",
     .hello = {.exts = exts_sni, .compression_len = ZERO},
     .want = PARSE_MALFORMED,
     .reason = "no compression methods"},
    {.name = "extension length past its block",
     .hello = {.exts = exts_past_block},
     .want = PARSE_MALFORMED,
     .reason = "extension past its block"},
    {.name = "ragged bytes after the last extension",
     .hello = {.exts = exts_ragged_tail},
     .want = PARSE_MALFORMED,
     .reason = "extension past its block"},
    {.name = "server hello where a client hello belongs",
     .hello = {.exts = exts_sni, .hs_type = 2},
     .want = PARSE_MALFORMED,
     .reason = "not a client hello"},
    {.name = NULL},
};

static void check_client_hello(const struct ch_case *tc, const struct tls_client_hello *ch)
{
    assert_int_equal(ch->has_sni, tc->has_sni);
    assert_int_equal(ch->sni_len, tc->sni_len);
    assert_int_equal(ch->sni_cut, tc->sni_cut);
    assert_int_equal(ch->n_sni_names, tc->n_sni);
    assert_int_equal(ch->sni[ch->sni_len], 0);
    if (tc->sni)
        assert_string_equal((const char *)ch->sni, tc->sni);
    assert_int_equal(ch->has_alpn, tc->alpn != NULL);
    if (tc->alpn) {
        assert_int_equal(ch->alpn_len, strlen(tc->alpn));
        assert_string_equal((const char *)ch->alpn, tc->alpn);
    }
    assert_int_equal(ch->has_ech, tc->ech);
    assert_int_equal(ch->supports_tls13, tc->tls13);
    assert_int_equal(ch->n_extensions, tc->n_ext);
    assert_int_equal(ch->legacy_version, 0x0303);
}

static void test_client_hello_table(void **state)
{
    (void)state;
    for (const struct ch_case *tc = ch_cases; tc->name; tc++) {
        struct tls_client_hello ch;
        const char *why = NULL;
        enum parse_result r;

        build_client_hello(&g_msg, &tc->hello);
        build_records(&g_stream, g_msg.b, g_msg.n, tc->splits);

        memset(&ch, 0xee, sizeof ch);
        memset(g_scratch, 0xcc, sizeof g_scratch);
        r = run_stream(g_stream.b, g_stream.n, &ch, &why);
        expect_result(tc->name, r, tc->want);
        if (r == PARSE_OK) {
            check_client_hello(tc, &ch);
            assert_int_equal(ch.record_version, 0x0301);
            /* A hello inside one record is parsed in place, not copied. */
            if (tc->splits[0] == 0)
                for (size_t i = 0; i < sizeof g_scratch; i++)
                    assert_int_equal(g_scratch[i], 0xcc);
        } else {
            expect_reason(tc->name, why, tc->reason);
            assert_int_equal(((const uint8_t *)&ch)[0], 0xee); /* not written */
        }

        /* The same message without records. */
        memset(&ch, 0xee, sizeof ch);
        why = NULL;
        r = run_msg(g_msg.b, g_msg.n, &ch, &why);
        expect_result(tc->name, r, tc->want);
        if (r == PARSE_OK) {
            check_client_hello(tc, &ch);
            assert_int_equal(ch.record_version, 0);
        } else {
            expect_reason(tc->name, why, tc->reason);
        }
    }
}

/* Every prefix of the stream is incomplete; the whole stream parses. */
static void check_every_prefix(const size_t *splits)
{
    const struct hello_spec h = {.exts = exts_big};

    build_client_hello(&g_msg, &h);
    build_records(&g_stream, g_msg.b, g_msg.n, splits);
    for (size_t k = 0; k <= g_stream.n; k++) {
        struct tls_client_hello ch;
        const char *why = NULL;
        enum parse_result r = run_stream(g_stream.b, k, &ch, &why);
        if (k < g_stream.n) {
            if (r != PARSE_INCOMPLETE) {
                print_error("prefix %zu of %zu: %s (%s)\n", k, g_stream.n, parse_result_name(r),
                            why ? why : "");
                fail();
            }
        } else {
            assert_int_equal(r, PARSE_OK);
            assert_string_equal((const char *)ch.sni, "big.example");
        }
    }
}

static void test_client_hello_every_prefix(void **state)
{
    (void)state;
    const size_t one[] = {0};
    const size_t two[] = {600, 0};
    const size_t three[] = {2, 700, 0};
    check_every_prefix(one);
    check_every_prefix(two);
    check_every_prefix(three);
}

/* A stream cut after k bytes (snaplen, gap, capture end): the partial
 * parser finds the SNI exactly when its extension is wholly before the cut,
 * says INCOMPLETE before the extension block, and is whole at the end. */
static void check_partial(const size_t *splits)
{
    const struct hello_spec h = {.exts = exts_big};
    static const char name[] = "big.example";

    build_client_hello(&g_msg, &h);
    build_records(&g_stream, g_msg.b, g_msg.n, splits);
    size_t sni_end = 0;
    for (size_t i = 0; i + sizeof name - 1 <= g_stream.n; i++)
        if (memcmp(g_stream.b + i, name, sizeof name - 1) == 0)
            sni_end = i + sizeof name - 1;
    assert_true(sni_end > 0);
    for (size_t k = 0; k <= g_stream.n; k++) {
        struct tls_client_hello ch;
        const char *why = NULL;
        struct guarded g = {0};
        const uint8_t *in = guard_copy(&g, g_stream.b, k);
        memset(&ch, 0x5a, sizeof ch);
        enum parse_result r = tls_parse_client_hello_partial(in, k, g_scratch, &ch, &why);
        guard_free(&g);
        bool want_sni = k >= sni_end;
        if (want_sni && (r != PARSE_OK || !ch.has_sni)) {
            print_error("cut at %zu (SNI ends at %zu): %s (%s), no SNI\n", k, sni_end,
                        parse_result_name(r), why ? why : "");
            fail();
        }
        if (!want_sni && r == PARSE_OK && ch.has_sni) {
            print_error("cut at %zu: an SNI before its extension is whole\n", k);
            fail();
        }
        if (r == PARSE_OK) {
            assert_true(ch.cut == (k < g_stream.n));
            if (ch.has_sni)
                assert_string_equal((const char *)ch.sni, name);
        } else {
            assert_int_equal(r, PARSE_INCOMPLETE);
        }
    }
}

static void test_client_hello_partial(void **state)
{
    (void)state;
    const size_t one[] = {0};
    const size_t two[] = {600, 0};
    const size_t three[] = {2, 700, 0};
    check_partial(one);
    check_partial(two);
    check_partial(three);
    /* not a hello at all: malformed, cut or not */
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    struct tls_client_hello ch;
    assert_int_equal(tls_parse_client_hello_partial(alert, sizeof alert, g_scratch, &ch, NULL),
                     PARSE_MALFORMED);
    static const uint8_t sh[] = {0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00, 0x3c};
    assert_int_equal(tls_parse_client_hello_partial(sh, sizeof sh, g_scratch, &ch, NULL),
                     PARSE_MALFORMED);
}

/* Body of exactly TLS_HS_MAX bytes fits the scratch buffer; one more does not. */
static size_t g_pad;

static void exts_padded(struct bld *b)
{
    exts_sni(b);
    ext_padding(b, g_pad);
}

static void test_client_hello_size_limit(void **state)
{
    (void)state;
    const size_t splits[] = {16384, 0};
    const struct hello_spec h = {.exts = exts_padded};

    g_pad = 0;
    build_client_hello(&g_msg, &h);
    size_t base = g_msg.n - 4;
    for (size_t extra = 0; extra <= 1; extra++) {
        struct tls_client_hello ch;
        const char *why = NULL;

        g_pad = TLS_HS_MAX + extra - base;
        build_client_hello(&g_msg, &h);
        assert_int_equal(g_msg.n - 4, TLS_HS_MAX + extra);
        build_records(&g_stream, g_msg.b, g_msg.n, splits);
        enum parse_result r = run_stream(g_stream.b, g_stream.n, &ch, &why);
        if (extra == 0) {
            assert_int_equal(r, PARSE_OK);
            assert_string_equal((const char *)ch.sni, "example.com");
            assert_int_equal(ch.n_extensions, 4);
            /* Incomplete while the second record is missing. */
            r = run_stream(g_stream.b, 5 + 16384, &ch, &why);
            assert_int_equal(r, PARSE_INCOMPLETE);
        } else {
            assert_int_equal(r, PARSE_MALFORMED);
            assert_string_equal(why, "client hello too large");
            /* Known as soon as the first record is in. */
            r = run_stream(g_stream.b, 5 + 16384, &ch, &why);
            assert_int_equal(r, PARSE_MALFORMED);
        }
    }
}

/* 65535-byte extension block of thousands of tiny extensions. */
static void test_client_hello_huge_extension_block(void **state)
{
    (void)state;
    struct tls_client_hello ch;
    const char *why = NULL;
    size_t tiny = 0;

    bld_reset(&g_msg);
    put_u8(&g_msg, 1);
    vec_open(&g_msg, 3);
    put_u16(&g_msg, 0x0303);
    put_fill(&g_msg, 0x11, 32);
    put_u8(&g_msg, 0);
    put_u16(&g_msg, 2);
    put_u16(&g_msg, 0x1301);
    put_u8(&g_msg, 1);
    put_u8(&g_msg, 0);
    size_t block = vec_open(&g_msg, 2);
    ext_sni(&g_msg, "a.example");
    /* Empty extensions of unknown types until fewer than 8 bytes are left. */
    while (0xffff - (g_msg.n - block - 2) >= 8) {
        put_u16(&g_msg, 0xff00 | (tiny & 0xff));
        put_u16(&g_msg, 0);
        tiny++;
    }
    size_t last = 0xffff - (g_msg.n - block - 2) - 4;
    put_u16(&g_msg, 0x7777);
    put_u16(&g_msg, (unsigned)last);
    put_fill(&g_msg, 0, last);
    vec_close(&g_msg);
    vec_close(&g_msg);
    assert_int_equal(g_msg.n - block - 2, 0xffff);
    assert_true(tiny > 16000);

    assert_int_equal(run_msg(g_msg.b, g_msg.n, &ch, &why), PARSE_OK);
    assert_int_equal(ch.n_extensions, tiny + 2);
    assert_string_equal((const char *)ch.sni, "a.example");

    /* Through records it is larger than TLS_HS_MAX. */
    const size_t splits[] = {16384, 16384, 16384, 16384, 0};
    build_records(&g_stream, g_msg.b, g_msg.n, splits);
    assert_int_equal(run_stream(g_stream.b, g_stream.n, &ch, &why), PARSE_MALFORMED);
    assert_string_equal(why, "client hello too large");
}

/* libssh's sweep: rewrite one length field with 0, 1, max-1, max, 0xFFFF,
 * remaining+1; only the true value parses. */
static void test_client_hello_hostile_lengths(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum mark mark;
        unsigned width;
    } fields[] = {
        {"session id", MARK_SESSION_ID, 1},
        {"cipher suites", MARK_SUITES, 2},
        {"extension block", MARK_EXT_BLOCK, 2},
        {"server_name extension", MARK_SNI_EXT, 2},
        {"server name list", MARK_SNI_LIST, 2},
        {"host_name", MARK_SNI_NAME, 2},
        {"ALPN protocol", MARK_ALPN_PROTO, 1},
        {"last extension", MARK_LAST_EXT, 2},
        {NULL, MARK_COUNT, 0},
    };
    const struct hello_spec h = {.exts = exts_sweep};

    for (size_t f = 0; fields[f].name; f++) {
        build_client_hello(&g_msg, &h);
        size_t at = g_msg.mark[fields[f].mark];
        unsigned width = fields[f].width;
        assert_true(at != SIZE_MAX);
        size_t max = 0;
        for (unsigned i = 0; i < width; i++)
            max = max << 8 | g_msg.b[at + i];
        size_t remaining = g_msg.n - at - width;
        size_t cap = width == 1 ? 0xff : 0xffff;
        size_t values[] = {0, 1, max - 1, max, 0xffff, remaining + 1};

        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            struct tls_client_hello ch;
            const char *why = NULL;
            size_t value = values[v] > cap ? cap : values[v];

            build_client_hello(&g_msg, &h);
            patch(&g_msg, at, width, value);
            enum parse_result r = run_msg(g_msg.b, g_msg.n, &ch, &why);
            enum parse_result want = value == max ? PARSE_OK : PARSE_MALFORMED;
            if (r != want) {
                print_error("%s = %zu (true %zu): got %s (%s)\n", fields[f].name, value, max,
                            parse_result_name(r), why ? why : "");
                fail();
            }
            /* And through a record. */
            build_records(&g_stream, g_msg.b, g_msg.n, NULL);
            assert_int_equal(run_stream(g_stream.b, g_stream.n, &ch, &why), want);
        }
    }
}

/* Hand-made streams: records that are wrong or cut. */
struct stream_case {
    const char *name;
    const uint8_t *bytes;
    size_t len;
    enum parse_result want;
    const char *reason;
};

static const uint8_t s_app_data[] = {0x17, 0x03, 0x03, 0x00, 0x02, 0x01, 0x02};
static const uint8_t s_alert[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28};
static const uint8_t s_http[] = "GET / HTTP/1.1\r\n";
static const uint8_t s_ssl2_version[] = {0x16, 0x02, 0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};
static const uint8_t s_record_too_long[] = {0x16, 0x03, 0x01, 0x48, 0x01, 0x01};
static const uint8_t s_empty_record[] = {0x16, 0x03, 0x01, 0x00, 0x00, 0x16, 0x03, 0x01};
static const uint8_t s_record_past_end[] = {0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00};
static const uint8_t s_header_only[] = {0x16, 0x03, 0x01, 0x00};
static const uint8_t s_first_byte[] = {0x16};
static const uint8_t s_certificate[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x0b, 0x00, 0x00, 0x00};
/* a hello record followed by an alert record before the hello is whole */
static const uint8_t s_then_alert[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00,
                                       0x40, 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28};
/* empty ClientHello body */
static const uint8_t s_empty_body[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};

static const struct stream_case stream_cases[] = {
    {"empty stream", NULL, 0, PARSE_INCOMPLETE, NULL},
    {"first byte only", s_first_byte, sizeof s_first_byte, PARSE_INCOMPLETE, NULL},
    {"record header cut", s_header_only, sizeof s_header_only, PARSE_INCOMPLETE, NULL},
    {"record length past the end", s_record_past_end, sizeof s_record_past_end, PARSE_INCOMPLETE,
     "record cut"},
    {"application data first", s_app_data, sizeof s_app_data, PARSE_MALFORMED,
     "not a handshake record"},
    {"alert first", s_alert, sizeof s_alert, PARSE_MALFORMED, "not a handshake record"},
    {"plain HTTP", s_http, sizeof s_http - 1, PARSE_MALFORMED, "not a handshake record"},
    {"record version 2.0", s_ssl2_version, sizeof s_ssl2_version, PARSE_MALFORMED, "version"},
    {"record longer than 2^14+2048", s_record_too_long, sizeof s_record_too_long, PARSE_MALFORMED,
     "record too long"},
    {"empty record", s_empty_record, sizeof s_empty_record, PARSE_MALFORMED, "empty record"},
    {"certificate message", s_certificate, sizeof s_certificate, PARSE_MALFORMED,
     "not a client hello"},
    {"alert before the hello is whole", s_then_alert, sizeof s_then_alert, PARSE_MALFORMED,
     "not a handshake record"},
    {"empty client hello body", s_empty_body, sizeof s_empty_body, PARSE_MALFORMED, "too short"},
    {NULL, NULL, 0, PARSE_OK, NULL},
};

static void test_client_hello_streams(void **state)
{
    (void)state;
    for (const struct stream_case *tc = stream_cases; tc->name; tc++) {
        struct tls_client_hello ch;
        const char *why = NULL;
        enum parse_result r = run_stream(tc->bytes, tc->len, &ch, &why);
        expect_result(tc->name, r, tc->want);
        expect_reason(tc->name, why, tc->reason);
    }
}

/* The record length field of a one-record hello. */
static void test_client_hello_record_lengths(void **state)
{
    (void)state;
    const struct hello_spec h = {.exts = exts_sni};
    build_client_hello(&g_msg, &h);
    build_records(&g_stream, g_msg.b, g_msg.n, NULL);
    size_t max = g_msg.n;
    static const struct {
        size_t delta_or_value;
        bool is_value;
        enum parse_result want;
    } rows[] = {
        {0, true, PARSE_MALFORMED},      /* empty record */
        {1, true, PARSE_MALFORMED},      /* next "record" starts inside the hello */
        {0, false, PARSE_OK},            /* max */
        {1, false, PARSE_INCOMPLETE},    /* remaining + 1 */
        {0xffff, true, PARSE_MALFORMED}, /* over 2^14 + 2048 */
        {16384 + 2048, true, PARSE_INCOMPLETE},
        {16384 + 2049, true, PARSE_MALFORMED},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct tls_client_hello ch;
        const char *why = NULL;
        size_t v = rows[i].is_value ? rows[i].delta_or_value : max + rows[i].delta_or_value;
        build_records(&g_stream, g_msg.b, g_msg.n, NULL);
        patch(&g_stream, 3, 2, v);
        enum parse_result r = run_stream(g_stream.b, g_stream.n, &ch, &why);
        if (r != rows[i].want) {
            print_error("record length %zu: got %s (%s)\n", v, parse_result_name(r),
                        why ? why : "");
            fail();
        }
    }
    /* max - 1: the hello continues in a second record that is not there yet. */
    {
        struct tls_client_hello ch;
        const char *why = NULL;
        const size_t splits[] = {max - 1, 0};
        build_records(&g_stream, g_msg.b, g_msg.n, splits);
        assert_int_equal(run_stream(g_stream.b, g_stream.n - 6, &ch, &why), PARSE_INCOMPLETE);
        assert_int_equal(run_stream(g_stream.b, g_stream.n, &ch, &why), PARSE_OK);
    }
}

static void test_client_hello_msg_edges(void **state)
{
    (void)state;
    struct tls_client_hello ch;
    const char *why = NULL;
    const struct hello_spec h = {.exts = exts_sni};

    assert_int_equal(run_msg(NULL, 0, &ch, &why), PARSE_INCOMPLETE);
    build_client_hello(&g_msg, &h);
    for (size_t k = 0; k < g_msg.n; k++)
        assert_int_equal(run_msg(g_msg.b, k, &ch, &why), PARSE_INCOMPLETE);
    /* Bytes after the message are not part of it. */
    put_fill(&g_msg, 0xaa, 10);
    assert_int_equal(run_msg(g_msg.b, g_msg.n, &ch, &why), PARSE_OK);
    assert_string_equal((const char *)ch.sni, "example.com");
    /* A NULL reason pointer is allowed. */
    assert_int_equal(tls_parse_client_hello_msg((const uint8_t *)"\x02", 1, &ch, NULL),
                     PARSE_MALFORMED);
}

/* ---- ServerHello ---------------------------------------------------------- */

static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

struct server_spec {
    unsigned version;
    bool hrr;
    bool draft;         /* TLS 1.3 draft-18 layout: no session id, no compression */
    int session_id_len; /* 0: 32, ZERO: none */
    unsigned suite;
    void (*exts)(struct bld *); /* NULL: no extension block */
};

/* RFC 8446 §4 + §4.1.3 into b (no record). */
static void build_server_hello(struct bld *b, const struct server_spec *s)
{
    put_u8(b, 2);
    vec_open(b, 3);
    put_u16(b, s->version);
    if (s->hrr)
        put_mem(b, hrr_random, sizeof hrr_random);
    else
        put_fill(b, 0x22, 32);
    if (!s->draft) {
        vec_open(b, 1);
        put_fill(b, 0x33, len_or(s->session_id_len, 32));
        vec_close(b);
    }
    put_u16(b, s->suite);
    if (!s->draft)
        put_u8(b, 0);
    if (s->exts) {
        vec_open(b, 2);
        s->exts(b);
        vec_close(b);
    }
    vec_close(b);
}

static void sx_tls12(struct bld *b)
{
    const uint8_t reneg[] = {0x00};
    const uint8_t formats[] = {0x01, 0x00};
    ext_raw(b, 0xff01, reneg, sizeof reneg);
    ext_raw(b, 0x000b, formats, sizeof formats);
}

static void sx_tls13(struct bld *b)
{
    uint8_t share[32];
    memset(share, 0x44, sizeof share);
    put_u16(b, TLS_EXT_SUPPORTED_VERSIONS);
    put_u16(b, 2);
    put_u16(b, 0x0304);
    put_u16(b, 0x0033);
    vec_open(b, 2);
    put_u16(b, 0x001d);
    vec_open(b, 2);
    put_mem(b, share, sizeof share);
    vec_close(b);
    vec_close(b);
}

static void sx_hrr(struct bld *b)
{
    const uint8_t cookie[] = {0x00, 0x04, 0xde, 0xad, 0xbe, 0xef};
    put_u16(b, TLS_EXT_SUPPORTED_VERSIONS);
    put_u16(b, 2);
    put_u16(b, 0x0304);
    put_u16(b, 0x0033);
    put_u16(b, 2);
    put_u16(b, 0x11ec); /* X25519MLKEM768 */
    ext_raw(b, 0x002c, cookie, sizeof cookie);
}

static void sx_draft18(struct bld *b)
{
    uint8_t share[32];
    memset(share, 0x45, sizeof share);
    put_u16(b, 0x0028); /* key_share in the drafts before -23 */
    vec_open(b, 2);
    put_u16(b, 0x001d);
    vec_open(b, 2);
    put_mem(b, share, sizeof share);
    vec_close(b);
    vec_close(b);
}

static void sx_versions_long(struct bld *b)
{
    const uint8_t v[] = {0x03, 0x04, 0x03, 0x03};
    ext_raw(b, TLS_EXT_SUPPORTED_VERSIONS, v, sizeof v);
}

static void sx_trailing(struct bld *b)
{
    sx_tls13(b);
    put_u8(b, 0);
}

/* A server flight: how the ServerHello is framed and what follows it. */
enum server_frame {
    FRAME_ALONE,         /* one record, the ServerHello only */
    FRAME_THEN_RECORDS,  /* then change_cipher_spec and application data */
    FRAME_COALESCED_CUT, /* a Certificate in the same record, cut after 10 bytes */
    FRAME_CUT,           /* the ServerHello cut 5 bytes before its end */
    FRAME_TWO_RECORDS,   /* the ServerHello fragmented over two records */
};

static void build_server_flight(struct bld *out, const struct server_spec *s,
                                enum server_frame frame)
{
    bld_reset(&g_msg);
    build_server_hello(&g_msg, s);
    bld_reset(out);
    if (frame == FRAME_TWO_RECORDS) {
        const size_t splits[] = {20, 0};
        build_records(out, g_msg.b, g_msg.n, splits);
        return;
    }
    put_u8(out, 0x16);
    put_u16(out, 0x0303);
    size_t rec = vec_open(out, 2);
    put_mem(out, g_msg.b, g_msg.n);
    if (frame == FRAME_COALESCED_CUT) {
        put_u8(out, 11);
        put_u8(out, 0);
        put_u16(out, 3000);
        put_fill(out, 0x55, 3000);
    }
    vec_close(out);
    if (frame == FRAME_COALESCED_CUT)
        out->n = rec + 2 + g_msg.n + 10;
    if (frame == FRAME_CUT)
        out->n -= 5;
    if (frame == FRAME_THEN_RECORDS) {
        put_mem(out, "\x14\x03\x03\x00\x01\x01", 6);
        put_mem(out, "\x17\x03\x03\x00\x20", 5);
        put_fill(out, 0x66, 0x20);
    }
}

struct sh_case {
    const char *name;
    struct server_spec spec;
    enum server_frame frame;
    enum parse_result want;
    const char *reason;
    unsigned version;
    unsigned suite;
    bool hrr;
};

static const struct sh_case sh_cases[] = {
    {.name = "tls 1.2",
     .spec = {.version = 0x0303, .suite = 0xc02f, .exts = sx_tls12},
     .want = PARSE_OK,
     .version = 0x0303,
     .suite = 0xc02f},
    {.name = "tls 1.2 with a certificate cut after it",
     .spec = {.version = 0x0303, .suite = 0xc02f, .exts = sx_tls12},
     .frame = FRAME_COALESCED_CUT,
     .want = PARSE_OK,
     .version = 0x0303,
     .suite = 0xc02f},
    {.name = "tls 1.3 supported_versions",
     .spec = {.version = 0x0303, .suite = 0x1301, .exts = sx_tls13},
     .frame = FRAME_THEN_RECORDS,
     .want = PARSE_OK,
     .version = 0x0304,
     .suite = 0x1301},
    {.name = "hello retry request",
     .spec = {.version = 0x0303, .hrr = true, .suite = 0x1302, .exts = sx_hrr},
     .want = PARSE_OK,
     .version = 0x0304,
     .suite = 0x1302,
     .hrr = true},
    {.name = "tls 1.0 without extensions",
     .spec = {.version = 0x0301, .session_id_len = ZERO, .suite = 0x002f},
     .want = PARSE_OK,
     .version = 0x0301,
     .suite = 0x002f},
    {.name = "tls 1.3 draft 18 layout",
     .spec = {.version = 0x7f12, .draft = true, .suite = 0x1301, .exts = sx_draft18},
     .want = PARSE_OK,
     .version = 0x7f12,
     .suite = 0x1301},
    {.name = "tls 1.3 draft 18 without extensions",
     .spec = {.version = 0x7f12, .draft = true, .suite = 0x1301},
     .want = PARSE_MALFORMED,
     .reason = "extensions past the message"},
    {.name = "server hello cut",
     .spec = {.version = 0x0303, .suite = 0x1301, .exts = sx_tls13},
     .frame = FRAME_CUT,
     .want = PARSE_INCOMPLETE,
     .reason = "server hello cut"},
    {.name = "session id of 33",
     .spec = {.version = 0x0303, .session_id_len = 33, .suite = 0x1301, .exts = sx_tls13},
     .want = PARSE_MALFORMED,
     .reason = "session id longer than 32"},
    {.name = "supported_versions of two versions",
     .spec = {.version = 0x0303, .suite = 0x1301, .exts = sx_versions_long},
     .want = PARSE_MALFORMED,
     .reason = "supported_versions"},
    {.name = "byte after the extensions",
     .spec = {.version = 0x0303, .suite = 0x1301, .exts = sx_trailing},
     .want = PARSE_MALFORMED,
     .reason = "extension past its block"},
    {.name = "server hello over two records",
     .spec = {.version = 0x0303, .suite = 0x1301, .exts = sx_tls13},
     .frame = FRAME_TWO_RECORDS,
     .want = PARSE_MALFORMED,
     .reason = "spans records"},
    {.name = NULL},
};

static enum parse_result run_server(const uint8_t *p, size_t n, struct tls_server_first *sf,
                                    const char **why)
{
    struct guarded g = {0};
    const uint8_t *in = guard_copy(&g, p, n);
    enum parse_result r = tls_parse_server_first(in, n, sf, why);
    guard_free(&g);
    return r;
}

static void test_server_hello_table(void **state)
{
    (void)state;
    for (const struct sh_case *tc = sh_cases; tc->name; tc++) {
        struct tls_server_first sf;
        const char *why = NULL;

        build_server_flight(&g_stream, &tc->spec, tc->frame);
        memset(&sf, 0xee, sizeof sf);
        enum parse_result r = run_server(g_stream.b, g_stream.n, &sf, &why);
        expect_result(tc->name, r, tc->want);
        if (r != PARSE_OK) {
            expect_reason(tc->name, why, tc->reason);
            assert_int_equal(((const uint8_t *)&sf)[0], 0xee);
            continue;
        }
        assert_int_equal(sf.kind, TLS_SERVER_HELLO);
        assert_int_equal(sf.version, tc->version);
        assert_int_equal(sf.cipher_suite, tc->suite);
        assert_int_equal(sf.hello_retry, tc->hrr);
    }
}

static void test_server_hello_every_prefix(void **state)
{
    (void)state;
    const struct server_spec s = {.version = 0x0303, .suite = 0x1301, .exts = sx_tls13};

    build_server_flight(&g_stream, &s, FRAME_THEN_RECORDS);
    size_t hello_end = 5 + g_msg.n;
    for (size_t k = 0; k <= g_stream.n; k++) {
        struct tls_server_first sf;
        const char *why = NULL;
        enum parse_result r = run_server(g_stream.b, k, &sf, &why);
        if (r != (k < hello_end ? PARSE_INCOMPLETE : PARSE_OK)) {
            print_error("prefix %zu: %s (%s)\n", k, parse_result_name(r), why ? why : "");
            fail();
        }
    }
}

struct server_bytes_case {
    const char *name;
    const uint8_t *bytes;
    size_t len;
    enum parse_result want;
    const char *reason;
    uint8_t level;
    uint8_t desc;
};

static const uint8_t sv_alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
static const uint8_t sv_alert_warning[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x01, 0x70, 0xff};
static const uint8_t sv_alert_long[] = {0x15, 0x03, 0x03, 0x00, 0x03, 0x02, 0x28, 0x00};
static const uint8_t sv_alert_cut[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02};
static const uint8_t sv_http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
static const uint8_t sv_app_data[] = {0x17, 0x03, 0x03, 0x00, 0x01, 0x00};
static const uint8_t sv_certificate[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x0b, 0x00, 0x00, 0x00};
static const uint8_t sv_client_hello[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};
static const uint8_t sv_hs_header_spans[] = {0x16, 0x03, 0x03, 0x00, 0x02, 0x02, 0x00};
static const uint8_t sv_hs_header_cut[] = {0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00};
static const uint8_t sv_empty_hello[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00};
static const uint8_t sv_garbage[] = {0xde, 0xad, 0xbe, 0xef};

static const struct server_bytes_case server_bytes_cases[] = {
    {"fatal alert", sv_alert, sizeof sv_alert, PARSE_OK, NULL, 2, 40},
    {"warning alert and more", sv_alert_warning, sizeof sv_alert_warning, PARSE_OK, NULL, 1, 112},
    {"alert record of 3 bytes", sv_alert_long, sizeof sv_alert_long, PARSE_MALFORMED, "alert", 0,
     0},
    {"alert cut", sv_alert_cut, sizeof sv_alert_cut, PARSE_INCOMPLETE, "alert cut", 0, 0},
    {"http answer", sv_http, sizeof sv_http - 1, PARSE_MALFORMED, "not a handshake record", 0, 0},
    {"application data first", sv_app_data, sizeof sv_app_data, PARSE_MALFORMED,
     "not a handshake record", 0, 0},
    {"certificate first", sv_certificate, sizeof sv_certificate, PARSE_MALFORMED,
     "not a server hello", 0, 0},
    {"client hello echoed", sv_client_hello, sizeof sv_client_hello, PARSE_MALFORMED,
     "not a server hello", 0, 0},
    {"handshake header over records", sv_hs_header_spans, sizeof sv_hs_header_spans,
     PARSE_MALFORMED, "spans records", 0, 0},
    {"handshake header cut", sv_hs_header_cut, sizeof sv_hs_header_cut, PARSE_INCOMPLETE,
     "handshake header cut", 0, 0},
    {"empty server hello", sv_empty_hello, sizeof sv_empty_hello, PARSE_MALFORMED, "too short", 0,
     0},
    {"garbage", sv_garbage, sizeof sv_garbage, PARSE_MALFORMED, "not a handshake record", 0, 0},
    {"nothing", NULL, 0, PARSE_INCOMPLETE, NULL, 0, 0},
    {NULL, NULL, 0, PARSE_OK, NULL, 0, 0},
};

static void test_server_first_bytes(void **state)
{
    (void)state;
    for (const struct server_bytes_case *tc = server_bytes_cases; tc->name; tc++) {
        struct tls_server_first sf;
        const char *why = NULL;
        enum parse_result r = run_server(tc->bytes, tc->len, &sf, &why);
        expect_result(tc->name, r, tc->want);
        if (r != PARSE_OK) {
            expect_reason(tc->name, why, tc->reason);
            continue;
        }
        assert_int_equal(sf.kind, TLS_SERVER_ALERT);
        assert_int_equal(sf.alert_level, tc->level);
        assert_int_equal(sf.alert_desc, tc->desc);
    }
}

/* ---- tls_looks_like_handshake -------------------------------------------- */

struct looks_case {
    const char *name;
    const uint8_t *bytes;
    size_t len;
    bool want;
};

static const uint8_t lk_tls10[] = {0x16, 0x03, 0x01, 0x02, 0x00};
static const uint8_t lk_ssl3[] = {0x16, 0x03, 0x00};
static const uint8_t lk_tls13[] = {0x16, 0x03, 0x04};
static const uint8_t lk_minor5[] = {0x16, 0x03, 0x05};
static const uint8_t lk_major2[] = {0x16, 0x02, 0x00};
static const uint8_t lk_app[] = {0x17, 0x03, 0x03};
static const uint8_t lk_two[] = {0x16, 0x03};

static const struct looks_case looks_cases[] = {
    {"tls 1.0 record", lk_tls10, sizeof lk_tls10, true},
    {"ssl 3.0 record", lk_ssl3, sizeof lk_ssl3, true},
    {"3.4 record", lk_tls13, sizeof lk_tls13, true},
    {"3.5 record", lk_minor5, sizeof lk_minor5, false},
    {"2.0 record", lk_major2, sizeof lk_major2, false},
    {"application data", lk_app, sizeof lk_app, false},
    {"two bytes", lk_two, sizeof lk_two, false},
    {"nothing", NULL, 0, false},
    {NULL, NULL, 0, false},
};

/* RFC 7301 §3.1: the server's ALPN names one protocol. */
static void sx_alpn(struct bld *b)
{
    const uint8_t alpn[] = {0x00, 0x03, 0x02, 'h', '2'};
    sx_tls12(b);
    ext_raw(b, TLS_EXT_ALPN, alpn, sizeof alpn);
}

static void sx_alpn_two(struct bld *b)
{
    const uint8_t alpn[] = {0x00, 0x06, 0x02, 'h', '2', 0x02, 'h', '3'};
    ext_raw(b, TLS_EXT_ALPN, alpn, sizeof alpn);
}

static void test_server_hello_alpn(void **state)
{
    (void)state;
    struct tls_server_first sf;
    const char *why = NULL;
    const struct server_spec one = {.version = 0x0303, .suite = 0xc02f, .exts = sx_alpn};
    build_server_flight(&g_stream, &one, FRAME_ALONE);
    assert_int_equal(run_server(g_stream.b, g_stream.n, &sf, &why), PARSE_OK);
    assert_int_equal(sf.alpn_len, 2);
    assert_string_equal((const char *)sf.alpn, "h2");
    const struct server_spec two = {.version = 0x0303, .suite = 0xc02f, .exts = sx_alpn_two};
    build_server_flight(&g_stream, &two, FRAME_ALONE);
    assert_int_equal(run_server(g_stream.b, g_stream.n, &sf, &why), PARSE_MALFORMED);
    expect_reason("two protocols", why, "ALPN");
}

/* A TLS 1.2 flight: ServerHello, then Certificate (RFC 5246 §7.4.2) with a
 * leaf of leaf_len bytes and a second certificate, cut over records of
 * record_max bytes. */
static void build_cert_flight(struct bld *out, size_t leaf_len, size_t record_max,
                              unsigned next_type)
{
    static struct bld msgs;
    const struct server_spec sh = {.version = 0x0303, .suite = 0xc02f, .exts = sx_tls12};
    bld_reset(&g_msg);
    build_server_hello(&g_msg, &sh);
    bld_reset(&msgs);
    put_mem(&msgs, g_msg.b, g_msg.n);
    put_u8(&msgs, next_type);
    size_t body = vec_open(&msgs, 3);
    size_t list = vec_open(&msgs, 3);
    size_t leaf = vec_open(&msgs, 3);
    put_fill(&msgs, 0x30, leaf_len);
    vec_close(&msgs);
    vec_open(&msgs, 3);
    put_fill(&msgs, 0x31, 100);
    vec_close(&msgs);
    vec_close(&msgs);
    vec_close(&msgs);
    (void)body;
    (void)list;
    (void)leaf;
    bld_reset(out);
    for (size_t at = 0; at < msgs.n; at += record_max) {
        size_t n = msgs.n - at < record_max ? msgs.n - at : record_max;
        put_u8(out, 0x16);
        put_u16(out, 0x0303);
        put_u16(out, (unsigned)n);
        put_mem(out, msgs.b + at, n);
    }
}

static void test_server_certificate(void **state)
{
    (void)state;
    static uint8_t scratch[TLS_HS_MAX];
    const struct {
        const char *name;
        size_t leaf_len, record_max;
        unsigned type;
        enum parse_result want;
        const char *reason;
    } rows[] = {
        {"one record", 600, 16384, 11, PARSE_OK, NULL},
        {"records of 100 bytes", 600, 100, 11, PARSE_OK, NULL},
        {"records of 1 byte", 300, 1, 11, PARSE_OK, NULL},
        {"a ServerKeyExchange instead", 600, 16384, 12, PARSE_MALFORMED, "no certificate"},
        {"a leaf larger than the scratch", TLS_HS_MAX, 16000, 11, PARSE_MALFORMED, "too large"},
        {NULL, 0, 0, 0, PARSE_OK, NULL},
    };
    for (size_t i = 0; rows[i].name; i++) {
        build_cert_flight(&g_stream, rows[i].leaf_len, rows[i].record_max, rows[i].type);
        struct guarded g = {0};
        const uint8_t *in = guard_copy(&g, g_stream.b, g_stream.n);
        struct cur leaf = {0};
        const char *why = NULL;
        enum parse_result r = tls_parse_server_certificate(in, g_stream.n, scratch, &leaf, &why);
        expect_result(rows[i].name, r, rows[i].want);
        if (r == PARSE_OK) {
            assert_int_equal(cur_left(&leaf), rows[i].leaf_len);
        } else {
            expect_reason(rows[i].name, why, rows[i].reason);
        }
        /* every prefix: incomplete until the leaf is whole, then OK */
        if (rows[i].want == PARSE_OK && rows[i].record_max > 1) {
            for (size_t k = 0; k < g_stream.n; k++) {
                r = tls_parse_server_certificate(in, k, scratch, &leaf, &why);
                assert_true(r == PARSE_INCOMPLETE || r == PARSE_OK);
            }
        }
        guard_free(&g);
    }
    /* an alert or change_cipher_spec where a handshake record should be */
    static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    struct cur leaf;
    const char *why = NULL;
    assert_int_equal(tls_parse_server_certificate(ccs, sizeof ccs, scratch, &leaf, &why),
                     PARSE_MALFORMED);
}

static void test_looks_like_handshake(void **state)
{
    (void)state;
    for (const struct looks_case *tc = looks_cases; tc->name; tc++) {
        struct guarded g = {0};
        const uint8_t *in = guard_copy(&g, tc->bytes, tc->len);
        bool got = tls_looks_like_handshake(in, tc->len);
        guard_free(&g);
        if (got != tc->want) {
            print_error("%s: got %d\n", tc->name, got);
            fail();
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_hello_table),
        cmocka_unit_test(test_client_hello_every_prefix),
        cmocka_unit_test(test_client_hello_partial),
        cmocka_unit_test(test_client_hello_size_limit),
        cmocka_unit_test(test_client_hello_huge_extension_block),
        cmocka_unit_test(test_client_hello_hostile_lengths),
        cmocka_unit_test(test_client_hello_streams),
        cmocka_unit_test(test_client_hello_record_lengths),
        cmocka_unit_test(test_client_hello_msg_edges),
        cmocka_unit_test(test_server_hello_table),
        cmocka_unit_test(test_server_hello_every_prefix),
        cmocka_unit_test(test_server_first_bytes),
        cmocka_unit_test(test_looks_like_handshake),
        cmocka_unit_test(test_server_hello_alpn),
        cmocka_unit_test(test_server_certificate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
