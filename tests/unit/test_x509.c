/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * X.509 subject names (analyze/parse/x509.c). The certificates were made
 * once with `openssl req -x509` (P-256 keys; the commands are beside each)
 * and are kept here as bytes. Every input is copied flush against a
 * PROT_NONE page (guard.h); every prefix and hostile lengths are tried.
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
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "x509.h"

/* -subj "/C=US/O=Example/CN=www.example.com" -addext
 * "subjectAltName=DNS:www.example.com,DNS:*.cdn.example.com,IP:192.0.2.1,DNS:example.com" */
static const char cert_san_hex[] = "308201f93082019fa00302010202021234300a06082a8648ce3d04030230393"
                                   "10b30090603550406130255533110300e"
                                   "060355040a0c074578616d706c653118301606035504030c0f7777772e65786"
                                   "16d706c652e636f6d301e170d32363132"
                                   "30313135303332365a170d3336313132383135303332365a3039310b3009060"
                                   "3550406130255533110300e060355040a"
                                   "0c074578616d706c653118301606035504030c0f7777772e6578616d706c652"
                                   "e636f6d3059301306072a8648ce3d0201"
                                   "06082a8648ce3d03010703420004682e28df4076f7e5ee022dffef85521ec80"
                                   "b25b30e484d23cadf452a468ea8623489"
                                   "dceb0f57ecdc3ad7c48e0b02d2e94548f1f1dfcda4104b3bc61e4246d3b5a38"
                                   "196308193301d0603551d0e04160414a4"
                                   "05cabf96651a64294f9d2da458ec8b82276865301f0603551d2304183016801"
                                   "4a405cabf96651a64294f9d2da458ec8b"
                                   "82276865300f0603551d130101ff040530030101ff30400603551d110439303"
                                   "7820f7777772e6578616d706c652e636f"
                                   "6d82112a2e63646e2e6578616d706c652e636f6d8704c0000201820b6578616"
                                   "d706c652e636f6d300a06082a8648ce3d"
                                   "04030203480030450220352ea428353623a4976a887b1dce48dd22f51472706"
                                   "9916b8e5ef4434dfd429302210089e0e1"
                                   "d646904ba60be7c33120f659ba0c119de96fd769dfc2322c825ac61b52";
/* -subj "/CN=only-cn.example", no extensions asked for */
static const char cert_cn_only_hex[] =
    "308201753082011ca003020102020105300a06082a8648ce3d040302301a3118301606035504030c0f6f6e6c792d63"
    "6e"
    "2e6578616d706c65301e170d3236313230313135303332365a170d3336313132383135303332365a301a3118301606"
    "03"
    "5504030c0f6f6e6c792d636e2e6578616d706c653059301306072a8648ce3d020106082a8648ce3d03010703420004"
    "68"
    "2e28df4076f7e5ee022dffef85521ec80b25b30e484d23cadf452a468ea8623489dceb0f57ecdc3ad7c48e0b02d2e9"
    "45"
    "48f1f1dfcda4104b3bc61e4246d3b5a3533051301d0603551d0e04160414a405cabf96651a64294f9d2da458ec8b82"
    "27"
    "6865301f0603551d23041830168014a405cabf96651a64294f9d2da458ec8b82276865300f0603551d130101ff0405"
    "30"
    "030101ff300a06082a8648ce3d040302034700304402204b8376de776bd42967e6811caf816de277354eec41fd38af"
    "25"
    "93ac4ad4d9f74e022022f53fad2c9b4f26d83dc936c136ec3b2c280727ba22d5799d951f50454a1bf0";
/* -subj "/CN=many.example", SAN DNS:n0.many.example ... DNS:n19.many.example */
static const char cert_many_hex[] = "308202e230820289a003020102020106300a06082a8648ce3d040302301731"
                                    "15301306035504030c0c6d616e792e6578"
                                    "616d706c65301e170d3236313230313135303332365a170d33363131323831"
                                    "35303332365a3017311530130603550403"
                                    "0c0c6d616e792e6578616d706c653059301306072a8648ce3d020106082a86"
                                    "48ce3d03010703420004682e28df4076f7"
                                    "e5ee022dffef85521ec80b25b30e484d23cadf452a468ea8623489dceb0f57"
                                    "ecdc3ad7c48e0b02d2e94548f1f1dfcda4"
                                    "104b3bc61e4246d3b5a38201c4308201c0301d0603551d0e04160414a405ca"
                                    "bf96651a64294f9d2da458ec8b82276865"
                                    "301f0603551d23041830168014a405cabf96651a64294f9d2da458ec8b8227"
                                    "6865300f0603551d130101ff0405300301"
                                    "01ff3082016b0603551d11048201623082015e820f6e302e6d616e792e6578"
                                    "616d706c65820f6e312e6d616e792e6578"
                                    "616d706c65820f6e322e6d616e792e6578616d706c65820f6e332e6d616e79"
                                    "2e6578616d706c65820f6e342e6d616e79"
                                    "2e6578616d706c65820f6e352e6d616e792e6578616d706c65820f6e362e6d"
                                    "616e792e6578616d706c65820f6e372e6d"
                                    "616e792e6578616d706c65820f6e382e6d616e792e6578616d706c65820f6e"
                                    "392e6d616e792e6578616d706c6582106e"
                                    "31302e6d616e792e6578616d706c6582106e31312e6d616e792e6578616d70"
                                    "6c6582106e31322e6d616e792e6578616d"
                                    "706c6582106e31332e6d616e792e6578616d706c6582106e31342e6d616e79"
                                    "2e6578616d706c6582106e31352e6d616e"
                                    "792e6578616d706c6582106e31362e6d616e792e6578616d706c6582106e31"
                                    "372e6d616e792e6578616d706c6582106e"
                                    "31382e6d616e792e6578616d706c6582106e31392e6d616e792e6578616d70"
                                    "6c65300a06082a8648ce3d040302034700"
                                    "304402207b4ae1db7675ffb4a5ad7bc7067640685f9b05622a274041560ef4"
                                    "ffc71f214e0220288a536c9f20f85c7a93"
                                    "c443d9ed01c7b84b4d4d505f407c1ea94dfb5ae5360b";

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
    size_t n = strlen(hex) / 2;
    assert_true(n <= max);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

struct cert_row {
    const char *what;
    const char *hex;
    const char *host; /* asked about; NULL: none */
    enum parse_result want;
    const char *names[X509_NAMES_MAX + 1]; /* kept, in order; NULL ends */
    bool cut;
    bool covers;
};

static const struct cert_row cert_rows[] = {
    {"CN and SANs (the CN again, an IP skipped)",
     cert_san_hex,
     "www.example.com",
     PARSE_OK,
     {"www.example.com", "*.cdn.example.com", "example.com", NULL},
     false,
     true},
    {"a wildcard SAN covers one label",
     cert_san_hex,
     "img.cdn.example.com",
     PARSE_OK,
     {"www.example.com", "*.cdn.example.com", "example.com", NULL},
     false,
     true},
    {"not two labels",
     cert_san_hex,
     "a.b.cdn.example.com",
     PARSE_OK,
     {"www.example.com", "*.cdn.example.com", "example.com", NULL},
     false,
     false},
    {"another name",
     cert_san_hex,
     "huggingface.co",
     PARSE_OK,
     {"www.example.com", "*.cdn.example.com", "example.com", NULL},
     false,
     false},
    {"CN only",
     cert_cn_only_hex,
     "ONLY-CN.example.",
     PARSE_OK,
     {"only-cn.example", NULL},
     false,
     true},
    {"more SANs than kept: a late one still covers",
     cert_many_hex,
     "n19.many.example",
     PARSE_OK,
     {"many.example", "n0.many.example", "n1.many.example", "n2.many.example", "n3.many.example",
      "n4.many.example", "n5.many.example", "n6.many.example", "n7.many.example", "n8.many.example",
      "n9.many.example", "n10.many.example", "n11.many.example", "n12.many.example",
      "n13.many.example", "n14.many.example", NULL},
     true,
     true},
    {"no host asked", cert_cn_only_hex, NULL, PARSE_OK, {"only-cn.example", NULL}, false, false},
    {NULL, NULL, NULL, PARSE_OK, {NULL}, false, false},
};

static void check_row(const struct cert_row *r, const uint8_t *der, size_t len)
{
    struct x509_names xn;
    const char *why = NULL;
    enum parse_result res =
        x509_subject_names(der, len, r->host, r->host ? strlen(r->host) : 0, &xn, &why);
    if (res != r->want)
        fail_msg("%s: result %d (%s)", r->what, res, why ? why : "");
    size_t n = 0;
    while (r->names[n])
        n++;
    assert_int_equal(xn.n, n);
    for (size_t i = 0; i < n; i++) {
        struct cur c = xn.names[i];
        const uint8_t *p = NULL;
        assert_int_equal(cur_left(&c), strlen(r->names[i]));
        assert_true(cur_bytes(&c, cur_left(&c), &p));
        assert_memory_equal(p, r->names[i], strlen(r->names[i]));
        /* views point into the input */
        assert_true(p >= der && p + strlen(r->names[i]) <= der + len);
    }
    assert_int_equal(xn.cut, r->cut);
    assert_int_equal(xn.covers, r->covers);
}

static void test_cert_rows(void **state)
{
    (void)state;
    for (const struct cert_row *r = cert_rows; r->what; r++) {
        uint8_t der[2048];
        size_t len = unhex(r->hex, der, sizeof der);
        struct guarded g;
        const uint8_t *p = guard_copy(&g, der, len);
        check_row(r, p, len);
        guard_free(&g);
    }
}

/* Every prefix is malformed (a DER length then runs past the input), never
 * read past the end; *out untouched. */
static void test_cert_prefixes(void **state)
{
    (void)state;
    const char *hexes[] = {cert_san_hex, cert_cn_only_hex, cert_many_hex};
    for (size_t h = 0; h < 3; h++) {
        uint8_t der[2048];
        size_t len = unhex(hexes[h], der, sizeof der);
        for (size_t cut = 0; cut < len; cut++) {
            struct guarded g;
            const uint8_t *p = guard_copy(&g, der, cut);
            struct x509_names xn;
            memset(&xn, 0x5a, sizeof xn);
            const char *why = NULL;
            assert_int_equal(x509_subject_names(p, cut, "x", 1, &xn, &why), PARSE_MALFORMED);
            assert_non_null(why);
            assert_int_equal(xn.n, 0x5a5a5a5a5a5a5a5aULL);
            guard_free(&g);
        }
    }
}

/* Hostile lengths and tags at the top and inside. */
struct bad_row {
    const char *what;
    const uint8_t *der;
    size_t len;
};
#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
static const struct bad_row bad_rows[] = {
    {"empty", (const uint8_t *)"", 0},
    {"not a SEQUENCE", BYTES(0x31, 0x00)},
    {"indefinite length", BYTES(0x30, 0x80, 0x00, 0x00)},
    {"length in 5 bytes", BYTES(0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00)},
    {"length 0xffffffff", BYTES(0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30, 0x00)},
    {"length one past the end", BYTES(0x30, 0x03, 0x30, 0x01, 0x02)},
    {"high tag number form", BYTES(0x3f, 0x01, 0x00)},
    {"empty tbsCertificate", BYTES(0x30, 0x02, 0x30, 0x00)},
    {"fields missing after serial", BYTES(0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01)},
    {"subject not a SEQUENCE", BYTES(0x30, 0x11, 0x30, 0x0f, 0x02, 0x01, 0x01, 0x30, 0x00, 0x30,
                                     0x00, 0x30, 0x00, 0x31, 0x00, 0x30, 0x00, 0x00, 0x00)},
    {"RDN not a SET", BYTES(0x30, 0x10, 0x30, 0x0e, 0x02, 0x01, 0x01, 0x30, 0x00, 0x30, 0x00, 0x30,
                            0x00, 0x30, 0x02, 0x30, 0x00, 0x30, 0x00)},
    {"extension without extnValue",
     BYTES(0x30, 0x19, 0x30, 0x17, 0x02, 0x01, 0x01, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00,
           0x30, 0x00, 0xa3, 0x09, 0x30, 0x07, 0x30, 0x05, 0x06, 0x03, 0x55, 0x1d, 0x11)},
    {"SAN not a SEQUENCE", BYTES(0x30, 0x1d, 0x30, 0x1b, 0x02, 0x01, 0x01, 0x30, 0x00, 0x30, 0x00,
                                 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0xa3, 0x0d, 0x30, 0x0b, 0x30,
                                 0x09, 0x06, 0x03, 0x55, 0x1d, 0x11, 0x04, 0x02, 0x04, 0x00)},
    {NULL, NULL, 0},
};

static void test_cert_bad(void **state)
{
    (void)state;
    for (const struct bad_row *r = bad_rows; r->what; r++) {
        struct guarded g;
        const uint8_t *p = guard_copy(&g, r->der, r->len);
        struct x509_names xn;
        const char *why = NULL;
        if (x509_subject_names(p, r->len, "x", 1, &xn, &why) != PARSE_MALFORMED)
            fail_msg("%s: not malformed", r->what);
        assert_non_null(why);
        guard_free(&g);
    }
}

/* The smallest certificate with a SAN, built here: one dNSName. */
static void test_cert_minimal_san(void **state)
{
    (void)state;
    static const uint8_t der[] = {
        0x30, 0x25, 0x30, 0x23, 0x02, 0x01, 0x01, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00,
        0x30, 0x00, 0x30, 0x00, 0xa3, 0x14, 0x30, 0x12, 0x30, 0x10, 0x06, 0x03, 0x55,
        0x1d, 0x11, 0x04, 0x09, 0x30, 0x07, 0x82, 0x05, 'a',  '.',  'e',  'x',  'z',
    };
    struct guarded g;
    const uint8_t *p = guard_copy(&g, der, sizeof der);
    struct x509_names xn;
    const char *why = NULL;
    assert_int_equal(x509_subject_names(p, sizeof der, "A.EXZ", 5, &xn, &why), PARSE_OK);
    assert_int_equal(xn.n, 1);
    assert_true(xn.covers);
    guard_free(&g);
}

struct cover_row {
    const char *name, *host;
    bool covers;
};

static const struct cover_row cover_rows[] = {
    {"example.com", "example.com", true},
    {"Example.COM", "example.com.", true},
    {"example.com.", "EXAMPLE.com", true},
    {"*.example.com", "www.example.com", true},
    {"*.example.com", "example.com", false},
    {"*.example.com", "a.b.example.com", false},
    {"*.example.com", ".example.com", false},
    {"w*.example.com", "www.example.com", false},
    {"*", "example", false},
    {"*.", "a.", false},
    {"example.com", "www.example.com", false},
    {"", "", false},
    {NULL, NULL, false},
};

static void test_name_covers(void **state)
{
    (void)state;
    for (const struct cover_row *r = cover_rows; r->name; r++)
        if (x509_name_covers((const uint8_t *)r->name, strlen(r->name), r->host, strlen(r->host)) !=
            r->covers)
            fail_msg("%s covers %s: want %d", r->name, r->host, r->covers);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cert_rows),   cmocka_unit_test(test_cert_prefixes),
        cmocka_unit_test(test_cert_bad),    cmocka_unit_test(test_cert_minimal_san),
        cmocka_unit_test(test_name_covers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
