/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * JA4 (analyze/parse/ja4.c) from ClientHellos built here and parsed by
 * tls_parse_client_hello_msg(), each flush against a PROT_NONE page. The
 * first row is the worked example of FoxIO's JA4.md; the others change one
 * thing each. Real hellos are compared with FoxIO's published fingerprints
 * in tests/e2e/e2e_ja4.py.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "guard.h"
#include "ja4.h"
#include "tls.h"

#define MAXV 320

/* JA4.md's example, in its order */
static const uint16_t ex_ciphers[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                      0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
                                      0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t ex_exts[] = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                                   0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
static const uint16_t ex_sigs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};

struct spec {
    const char *what;
    char transport;
    uint16_t legacy;     /* 0: 0x0303 */
    size_t n_ciphers;    /* 0: the example's; else 0x0100.. counting up */
    bool grease;         /* GREASE in every list */
    uint16_t drop_ext;   /* an extension of the example left out (0xffff: none) */
    bool no_exts;        /* no extensions block at all */
    const char *alpn;    /* NULL: "h2"; "": no change */
    size_t alpn_len;     /* 0: strlen */
    bool empty_sig_algs; /* signature_algorithms with an empty list */
    const char *want;    /* the whole JA4, or its start (prefix) */
    bool prefix;
    bool ok; /* ja4_client_hello answers */
};

struct buf {
    uint8_t b[4096];
    size_t n;
};
static void put8(struct buf *w, unsigned v)
{
    assert_true(w->n < sizeof w->b);
    w->b[w->n++] = (uint8_t)v;
}
static void put16(struct buf *w, unsigned v)
{
    put8(w, v >> 8);
    put8(w, v & 0xff);
}
static void put(struct buf *w, const void *p, size_t n)
{
    assert_true(n <= sizeof w->b - w->n);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void ext_body(struct buf *e, uint16_t type, const struct spec *s)
{
    switch (type) {
    case 0x0000: /* server_name */
        put16(e, 3 + 11);
        put8(e, 0);
        put16(e, 11);
        put(e, "example.com", 11);
        break;
    case 0x0010: { /* ALPN */
        const char *a = s->alpn ? s->alpn : "h2";
        size_t n = s->alpn_len ? s->alpn_len : strlen(a);
        put16(e, (unsigned)(n + 1 + 3));
        put8(e, (unsigned)n);
        put(e, a, n);
        put8(e, 2);
        put(e, "zz", 2); /* a second protocol: only the first counts */
        break;
    }
    case 0x000d: /* signature_algorithms */
        if (s->empty_sig_algs) {
            put16(e, 0);
            break;
        }
        put16(e, (unsigned)(sizeof ex_sigs + (s->grease ? 2 : 0)));
        if (s->grease)
            put16(e, 0x3a3a);
        for (size_t i = 0; i < sizeof ex_sigs / sizeof ex_sigs[0]; i++)
            put16(e, ex_sigs[i]);
        break;
    case 0x002b: /* supported_versions */
        put8(e, s->grease ? 6 : 4);
        if (s->grease)
            put16(e, 0x2a2a);
        put16(e, 0x0304);
        put16(e, 0x0303);
        break;
    default:
        break;
    }
}

static size_t build(const struct spec *s, struct buf *msg)
{
    struct buf body = {.n = 0}, exts = {.n = 0};
    put16(&body, s->legacy ? s->legacy : 0x0303);
    for (unsigned i = 0; i < 32; i++)
        put8(&body, i);
    put8(&body, 0);
    size_t nc = s->n_ciphers ? s->n_ciphers : sizeof ex_ciphers / sizeof ex_ciphers[0];
    put16(&body, (unsigned)(2 * nc + (s->grease ? 2 : 0)));
    if (s->grease)
        put16(&body, 0x0a0a);
    for (size_t i = 0; i < nc; i++)
        put16(&body, s->n_ciphers ? (unsigned)(0x0100 + i) : ex_ciphers[i]);
    put8(&body, 1);
    put8(&body, 0);
    if (!s->no_exts) {
        if (s->grease) {
            put16(&exts, 0x1a1a);
            put16(&exts, 0);
        }
        for (size_t i = 0; i < sizeof ex_exts / sizeof ex_exts[0]; i++) {
            if (ex_exts[i] == s->drop_ext)
                continue;
            struct buf e = {.n = 0};
            ext_body(&e, ex_exts[i], s);
            put16(&exts, ex_exts[i]);
            put16(&exts, (unsigned)e.n);
            put(&exts, e.b, e.n);
        }
        put16(&body, (unsigned)exts.n);
        put(&body, exts.b, exts.n);
    }
    put8(msg, 1);
    put8(msg, 0);
    put16(msg, (unsigned)body.n);
    put(msg, body.b, body.n);
    return msg->n;
}

static const struct spec specs[] = {
    {"JA4.md's example", 't', .drop_ext = 0xffff, .want = "t13d1516h2_8daaf6152771_e5627efa2ab1",
     .ok = true},
    {"GREASE everywhere changes nothing", 't', .grease = true, .drop_ext = 0xffff,
     .want = "t13d1516h2_8daaf6152771_e5627efa2ab1", .ok = true},
    {"QUIC", 'q', .drop_ext = 0xffff, .want = "q13d1516h2_8daaf6152771_e5627efa2ab1", .ok = true},
    {"no server_name: i, one extension fewer, same hash", 't', .drop_ext = 0x0000,
     .want = "t13i1515h2_8daaf6152771_e5627efa2ab1", .ok = true},
    {"no ALPN: 00", 't', .drop_ext = 0x0010, .want = "t13d151500_8daaf6152771_e5627efa2ab1",
     .ok = true},
    {"empty signature algorithms: no '_' before them (JA4.md)", 't', .drop_ext = 0xffff,
     .empty_sig_algs = true, .want = "t13d1516h2_8daaf6152771_6d807ffa2a79", .ok = true},
    {"no supported_versions: the legacy version", 't', .drop_ext = 0x002b,
     .want = "t12d1515h2_8daaf6152771_", .prefix = true, .ok = true},
    {"TLS 1.0 without extensions", 't', .legacy = 0x0301, .no_exts = true,
     .want = "t10i150000_8daaf6152771_000000000000", .ok = true},
    {"SSL 3.0", 't', .legacy = 0x0300, .no_exts = true, .want = "ts3i150000_", .prefix = true,
     .ok = true},
    {"an unknown version: 00", 't', .legacy = 0x0200, .no_exts = true, .want = "t00i150000_",
     .prefix = true, .ok = true},
    {"http/1.1: h1", 't', .drop_ext = 0xffff, .alpn = "http/1.1", .want = "t13d1516h1_",
     .prefix = true, .ok = true},
    {"one byte: twice", 't', .drop_ext = 0xffff, .alpn = "x", .want = "t13d1516xx_", .prefix = true,
     .ok = true},
    {"non-ASCII bytes: 9 (FoxIO's published outputs)", 't', .drop_ext = 0xffff, .alpn = "\xba\xad",
     .want = "t13d151699_", .prefix = true, .ok = true},
    {"a non-alphanumeric last byte: 9", 't', .drop_ext = 0xffff, .alpn = "h/",
     .want = "t13d1516h9_", .prefix = true, .ok = true},
    {"a long protocol: its real last byte", 't', .drop_ext = 0xffff,
     .alpn = "a0123456789012345678901234567890123456789012345678901234567890123456789z",
     .want = "t13d1516az_", .prefix = true, .ok = true},
    {"100 ciphers: 99", 't', .n_ciphers = 100, .drop_ext = 0xffff, .want = "t13d9916h2_",
     .prefix = true, .ok = true},
    {"more ciphers than kept: no JA4", 't', .n_ciphers = TLS_JA4_CIPHERS_MAX + 1,
     .drop_ext = 0xffff, .ok = false},
    {NULL, 0, .ok = false},
};

static void test_ja4_rows(void **state)
{
    (void)state;
    for (const struct spec *s = specs; s->what; s++) {
        static struct buf msg;
        msg.n = 0;
        size_t len = build(s, &msg);
        struct guarded g;
        const uint8_t *p = guard_copy(&g, msg.b, len);
        struct tls_client_hello ch;
        const char *why = NULL;
        if (tls_parse_client_hello_msg(p, len, &ch, &why) != PARSE_OK)
            fail_msg("%s: hello does not parse: %s", s->what, why);
        char out[JA4_TEXT_MAX + 1];
        memset(out, 'Z', sizeof out);
        bool ok = ja4_client_hello(&ch, s->transport, out);
        if (ok != s->ok)
            fail_msg("%s: ja4_client_hello %d", s->what, ok);
        if (ok) {
            assert_int_equal(strlen(out), JA4_TEXT_MAX);
            bool same =
                s->prefix ? strncmp(out, s->want, strlen(s->want)) == 0 : strcmp(out, s->want) == 0;
            if (!same)
                fail_msg("%s: %s, want %s%s", s->what, out, s->want, s->prefix ? "..." : "");
        } else {
            assert_int_equal(out[0], 'Z'); /* untouched */
        }
        guard_free(&g);
    }
}

/* Without ciphers or extensions the hashes are twelve zeros (JA4.md). */
static void test_ja4_empty_lists(void **state)
{
    (void)state;
    static struct tls_client_hello ch;
    memset(&ch, 0, sizeof ch);
    ch.legacy_version = 0x0303;
    char out[JA4_TEXT_MAX + 1];
    assert_true(ja4_client_hello(&ch, 'd', out));
    assert_string_equal(out, "d12i000000_000000000000_000000000000");
    /* only SNI and ALPN: counted, but nothing to hash */
    ch.exts[0] = 0x0000;
    ch.exts[1] = 0x0010;
    ch.n_exts = 2;
    ch.has_alpn = true;
    ch.alpn_first_raw = 'h';
    ch.alpn_last_raw = '3';
    assert_true(ja4_client_hello(&ch, 'q', out));
    assert_string_equal(out, "q12d0002h3_000000000000_000000000000");
    /* a count past what is kept (a struct not from the parser) */
    ch.n_sig_algs = TLS_JA4_LIST_MAX + 1;
    assert_false(ja4_client_hello(&ch, 'q', out));
}

static void test_grease(void **state)
{
    (void)state;
    unsigned n = 0;
    for (unsigned v = 0; v <= 0xffff; v++)
        n += tls_is_grease((uint16_t)v);
    assert_int_equal(n, 16);
    assert_true(tls_is_grease(0x0a0a));
    assert_true(tls_is_grease(0xfafa));
    assert_false(tls_is_grease(0x0a1a));
    assert_false(tls_is_grease(0xeaea + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ja4_rows),
        cmocka_unit_test(test_ja4_empty_lists),
        cmocka_unit_test(test_grease),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
