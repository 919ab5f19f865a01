/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The streaming JSON writer (report/json_out.c): every value and every
 * layout compared with what jansson itself dumps for the same value or tree
 * (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII |
 * JSON_REAL_PRECISION(16)), plus the writer's own failures: bad UTF-8,
 * non-finite reals, calls out of order, the depth limit, write errors.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <float.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"

#define DUMP_FLAGS                                                                                 \
    (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(16))

/* A writer into memory. */
struct mem {
    char *buf;
    size_t len;
    FILE *f;
    struct json_out *w;
};

static void mem_open(struct mem *m, size_t bufsize)
{
    m->buf = NULL;
    m->len = 0;
    m->f = open_memstream(&m->buf, &m->len);
    assert_non_null(m->f);
    m->w = jo_new(m->f, bufsize);
    assert_non_null(m->w);
}

/* Flush and close; the result of jo_flush. m->buf holds the bytes. */
static int mem_close(struct mem *m)
{
    int rc = jo_flush(m->w);
    jo_free(m->w);
    m->w = NULL;
    assert_int_equal(fclose(m->f), 0);
    return rc;
}

static void mem_free(struct mem *m)
{
    free(m->buf);
    m->buf = NULL;
}

/* What jansson dumps for v (taking the reference); NULL when v is NULL. */
static char *jansson_text(json_t *v)
{
    if (!v)
        return NULL;
    char *s = json_dumps(v, DUMP_FLAGS | JSON_ENCODE_ANY);
    json_decref(v);
    assert_non_null(s);
    return s;
}

/* The writer's text of one string, or NULL when it fails. */
static char *jo_string_text(const char *s, size_t len)
{
    struct mem m;
    mem_open(&m, 0);
    jo_string(m.w, s, len);
    if (mem_close(&m) != 0) {
        mem_free(&m);
        return NULL;
    }
    return m.buf;
}

static void assert_same_string(const char *s, size_t len)
{
    char *want = jansson_text(json_stringn(s, len));
    char *got = jo_string_text(s, len);
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    free(want);
    free(got);
}

/* ---- strings ---- */

struct string_case {
    const char *in;
    size_t len;
    const char *out; /* NULL: the writer fails */
};

static const struct string_case string_cases[] = {
    {"", 0, "\"\""},
    {"abc", 3, "\"abc\""},
    {"\"", 1, "\"\\\"\""},
    {"\\", 1, "\"\\\\\""},
    {"/", 1, "\"/\""},
    {"\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\""},
    {"\0", 1, "\"\\u0000\""},
    {"a\0b", 3, "\"a\\u0000b\""},
    {"\x01\x1b\x1f", 3, "\"\\u0001\\u001B\\u001F\""},
    {"\x0b", 1, "\"\\u000B\""},
    {"\x7f", 1, "\"\x7f\""}, /* DEL is not escaped */
    {" ~", 2, "\" ~\""},
    {"\xc3\xa9", 2, "\"\\u00E9\""},
    {"\xc2\x80", 2, "\"\\u0080\""},
    {"\xdf\xbf", 2, "\"\\u07FF\""},
    {"\xe2\x82\xac", 3, "\"\\u20AC\""},
    {"\xef\xbf\xbf", 3, "\"\\uFFFF\""},
    {"\xf0\x9f\x98\x80", 4, "\"\\uD83D\\uDE00\""},
    {"\xf4\x8f\xbf\xbf", 4, "\"\\uDBFF\\uDFFF\""},
    {"\xf0\x90\x80\x80", 4, "\"\\uD800\\uDC00\""},
    /* not UTF-8: json_stringn refuses them, the writer fails */
    {"\x80", 1, NULL},
    {"\xff", 1, NULL},
    {"\xc0\x80", 2, NULL},         /* overlong NUL */
    {"\xc1\xbf", 2, NULL},         /* overlong */
    {"\xe0\x80\x80", 3, NULL},     /* overlong */
    {"\xed\xa0\x80", 3, NULL},     /* a surrogate half */
    {"\xf4\x90\x80\x80", 4, NULL}, /* past U+10FFFF */
    {"\xf5\x80\x80\x80", 4, NULL},
    {"\xc3", 1, NULL},                            /* cut short */
    {"\xe2\x82", 2, NULL},                        /* cut short */
    {"a\xc3(", 3, NULL},                          /* not a continuation byte */
    {"\\x1b[31mevil", 12, "\"\\\\x1b[31mevil\""}, /* safe text, escaped again */
    {NULL, 0, NULL},
};

static void test_string_table(void **state)
{
    (void)state;
    for (const struct string_case *c = string_cases; c->in; c++) {
        char *got = jo_string_text(c->in, c->len);
        if (!c->out) {
            assert_null(got);
        } else {
            assert_non_null(got);
            assert_string_equal(got, c->out);
        }
        free(got);
        assert_same_string(c->in, c->len);
    }
}

/* Every byte alone, and every byte between two letters, as jansson. */
static void test_string_bytes(void **state)
{
    (void)state;
    for (unsigned b = 0; b < 256; b++) {
        char one[3] = {'a', (char)b, 'z'};
        assert_same_string(one + 1, 1);
        assert_same_string(one, 3);
    }
    /* every two-byte lead with every continuation-range byte */
    for (unsigned a = 0xc0; a < 0x100; a++)
        for (unsigned b = 0x70; b < 0xd0; b++) {
            char two[2] = {(char)a, (char)b};
            assert_same_string(two, 2);
        }
}

/* Strings longer than the buffer, escapes straddling its edge. */
static void test_string_long(void **state)
{
    (void)state;
    size_t len = 3 * JO_BUF_MIN + 7;
    for (size_t shift = 0; shift < 8; shift++) {
        char *s = malloc(len);
        assert_non_null(s);
        for (size_t i = 0; i < len; i++)
            s[i] = (i + shift) % 5 == 0 ? '\n' : (char)('a' + i % 26);
        char *want = jansson_text(json_stringn(s, len));
        struct mem m;
        mem_open(&m, JO_BUF_MIN);
        jo_raw(m.w, "xxxxxxxx", shift); /* move the edge */
        jo_string(m.w, s, len);
        assert_int_equal(mem_close(&m), 0);
        assert_int_equal(m.len, shift + strlen(want));
        assert_string_equal(m.buf + shift, want);
        mem_free(&m);
        free(want);
        free(s);
    }
}

/* ---- numbers ---- */

static const long long int_cases[] = {
    0,
    1,
    -1,
    9,
    10,
    -10,
    99,
    100,
    12345,
    -98765,
    4294967295LL,
    4294967296LL,
    -4294967296LL,
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    INT64_MAX - 1,
    INT64_MIN,
    INT64_MIN + 1,
};

static void test_int(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof int_cases / sizeof *int_cases; i++) {
        long long v = int_cases[i];
        char *want = jansson_text(json_integer((json_int_t)v));
        struct mem m;
        mem_open(&m, 0);
        jo_int(m.w, v);
        assert_int_equal(mem_close(&m), 0);
        assert_string_equal(m.buf, want);
        mem_free(&m);
        free(want);
    }
    /* LLONG_MIN spelled out: its magnitude does not fit a long long */
    struct mem m;
    mem_open(&m, 0);
    jo_int(m.w, LLONG_MIN);
    assert_int_equal(mem_close(&m), 0);
    assert_string_equal(m.buf, "-9223372036854775808");
    mem_free(&m);
}

struct u64_case {
    uint64_t v;
    const char *out;
};

static const struct u64_case u64_cases[] = {
    {0, "0"},
    {1, "1"},
    {UINT32_MAX, "4294967295"},
    {(uint64_t)INT64_MAX, "9223372036854775807"},
    /* past INT64_MAX: a real of the same magnitude, as json_real((double)v) */
    {(uint64_t)INT64_MAX + 1, "9.223372036854776e18"},
    {UINT64_MAX, "1.844674407370955e19"},
    {0, NULL},
};

static void test_u64(void **state)
{
    (void)state;
    for (const struct u64_case *c = u64_cases; c->out; c++) {
        char *want = c->v > (uint64_t)INT64_MAX ? jansson_text(json_real((double)c->v))
                                                : jansson_text(json_integer((json_int_t)c->v));
        assert_string_equal(want, c->out);
        struct mem m;
        mem_open(&m, 0);
        jo_u64(m.w, c->v);
        assert_int_equal(mem_close(&m), 0);
        assert_string_equal(m.buf, c->out);
        mem_free(&m);
        free(want);
    }
}

static const char *real_text(double v, char *buf, size_t n)
{
    struct mem m;
    mem_open(&m, 0);
    jo_real(m.w, v);
    int rc = mem_close(&m);
    if (rc == 0)
        snprintf(buf, n, "%s", m.buf);
    mem_free(&m);
    return rc == 0 ? buf : NULL;
}

static void assert_same_real(double v)
{
    char *want = jansson_text(json_real(v));
    char buf[64];
    const char *got = real_text(v, buf, sizeof buf);
    assert_non_null(want);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(want);
}

struct real_case {
    double v;
    const char *out;
};

static const struct real_case real_cases[] = {
    {1795765224.456845, "1795765224.456845"},
    {1700000000.0, "1700000000.0"},
    {0.0, "0.0"},
    {-0.0, "-0.0"},
    {123.0, "123.0"},
    {-123.5, "-123.5"},
    {0.1, "0.1"},
    {1e300, "1e300"},
    {-1e300, "-1e300"},
    {1e16, "1e16"},
    {1e15, "1000000000000000.0"},
    {1234567890123456.0, "1234567890123456.0"},
    {12345678901234567.0, "1.234567890123457e16"},
    {1e-5, "1e-5"},
    {1.5e-7, "1.5e-7"},
    {0.0001, "0.0001"},
    {1e-300, "1e-300"},
    {DBL_MAX, "1.797693134862316e308"},
    {DBL_MIN, "2.225073858507201e-308"},
    {5e-324, "4.940656458412465e-324"},
    {1.0 / 3.0, "0.3333333333333333"},
    {9007199254740993.0, "9007199254740992.0"},
    {1796132765.144577, "1796132765.144577"},
    {42.0, "42.0"},
    {-1.25, "-1.25"},
    {1.0, "1.0"},
    {0, NULL},
};

static void test_real_table(void **state)
{
    (void)state;
    for (const struct real_case *c = real_cases; c->out; c++) {
        char buf[64];
        const char *got = real_text(c->v, buf, sizeof buf);
        assert_non_null(got);
        assert_string_equal(got, c->out);
        assert_same_real(c->v);
    }
}

/* Random finite doubles (a fixed xorshift seed), and times to the
 * microsecond as the report writes them, as jansson prints them. */
static void test_real_sweep(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        memcpy(&v, &x, sizeof v);
        if (isfinite(v))
            assert_same_real(v);
        assert_same_real((double)(x % 4000000000u) + (double)(x % 1000000u) / 1e6);
        /* every binary magnitude from 1 to 2^55, where the writer does its
         * own digits; and its negative */
        uint64_t mant = (x >> 11) | (UINT64_C(1) << 52);
        double b = ldexp((double)mant, (int)(x % 56) - 52);
        assert_same_real(b);
        assert_same_real(-b);
        /* short decimals and integers there, and halves (ties at 16 digits) */
        assert_same_real((double)(x % 10000000000000000u) / pow(10, (double)(x % 17)));
        assert_same_real((double)(x % 20000000000000000u) + 0.5);
        assert_same_real((double)(x % 10000000000000000u) + 0.25);
    }
}

/* Exact ties and the rounding to 1e16: printf's answer each time. */
static const double real_edges[] = {
    1234567890123456.5,
    1234567890123457.5,
    123456789012345.25,
    123456789012345.75,
    9999999999999999.0,
    9999999999999998.0,
    9999999999999999.5,
    99999999999999.995,
    0.99999999999999994,
    1.0,
    1.0000000000000002,
    1e16 - 1,
    1e16 + 2,
    4503599627370496.5,
    9007199254740991.0,
    9007199254740992.0,
    0.5,
    1.5,
    2.5,
    1e15 + 0.5,
};

static void test_real_edges(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof real_edges / sizeof *real_edges; i++) {
        assert_same_real(real_edges[i]);
        assert_same_real(-real_edges[i]);
        assert_same_real(nextafter(real_edges[i], 0));
        assert_same_real(nextafter(real_edges[i], INFINITY));
    }
}

static void test_real_nonfinite(void **state)
{
    (void)state;
    char buf[64];
    assert_null(json_real(NAN));
    assert_null(real_text(NAN, buf, sizeof buf));
    assert_null(real_text(INFINITY, buf, sizeof buf));
    assert_null(real_text(-INFINITY, buf, sizeof buf));
}

/* ---- layout: random trees, written and dumped ---- */

struct rng {
    uint64_t x;
};

static unsigned rng_next(struct rng *r, unsigned n)
{
    r->x ^= r->x << 13;
    r->x ^= r->x >> 7;
    r->x ^= r->x << 17;
    return (unsigned)(r->x % n);
}

static const char *const tree_keys[] = {"a", "key", "with \"quote\"", "tab\t", "\xc3\xa9t\xc3\xa9"};

/* A random value, built in jansson and written to w at the same time. */
static json_t *tree(struct rng *r, struct json_out *w, unsigned depth)
{
    unsigned kind = rng_next(r, depth >= 5 ? 6 : 8);
    switch (kind) {
    case 0:
        jo_null(w);
        return json_null();
    case 1: {
        bool b = rng_next(r, 2);
        jo_bool(w, b);
        return json_boolean(b);
    }
    case 2: {
        long long v = (long long)rng_next(r, 2000000) - 1000000;
        jo_int(w, v);
        return json_integer(v);
    }
    case 3: {
        double v = (double)rng_next(r, 1000000) / 7.0;
        jo_real(w, v);
        return json_real(v);
    }
    case 4:
    case 5: {
        const char *k = tree_keys[rng_next(r, sizeof tree_keys / sizeof *tree_keys)];
        jo_string(w, k, strlen(k));
        return json_string(k);
    }
    case 6: {
        json_t *a = json_array();
        jo_begin_array(w);
        unsigned n = rng_next(r, 4);
        for (unsigned i = 0; i < n; i++)
            json_array_append_new(a, tree(r, w, depth + 1));
        jo_end_array(w);
        return a;
    }
    default: {
        json_t *o = json_object();
        jo_begin_object(w);
        unsigned n = rng_next(r, 4);
        /* distinct keys: jansson replaces a repeated key in place */
        unsigned first = rng_next(r, sizeof tree_keys / sizeof *tree_keys);
        for (unsigned i = 0; i < n && i < sizeof tree_keys / sizeof *tree_keys; i++) {
            const char *k = tree_keys[(first + i) % (sizeof tree_keys / sizeof *tree_keys)];
            jo_key(w, k);
            json_object_set_new(o, k, tree(r, w, depth + 1));
        }
        jo_end_object(w);
        return o;
    }
    }
}

static void test_layout_random(void **state)
{
    (void)state;
    struct rng r = {0x2545f4914f6cdd1du};
    for (int i = 0; i < 3000; i++) {
        struct mem m;
        mem_open(&m, i % 2 ? JO_BUF_MIN : 0);
        json_t *t = tree(&r, m.w, 0);
        assert_int_equal(mem_close(&m), 0);
        char *want = jansson_text(t);
        assert_string_equal(m.buf, want);
        free(want);
        mem_free(&m);
    }
}

/* The shapes the report has: empty containers in containers, the report's
 * trailing newline written raw. */
static void test_layout_fixed(void **state)
{
    (void)state;
    struct mem m;
    mem_open(&m, 0);
    jo_begin_object(m.w);
    jo_key(m.w, "hosts");
    jo_begin_array(m.w);
    jo_end_array(m.w);
    jo_key(m.w, "o");
    jo_begin_object(m.w);
    jo_end_object(m.w);
    jo_key(m.w, "a");
    jo_begin_array(m.w);
    jo_begin_array(m.w);
    jo_end_array(m.w);
    jo_begin_object(m.w);
    jo_key(m.w, "k");
    jo_int(m.w, 1);
    jo_end_object(m.w);
    jo_end_array(m.w);
    jo_end_object(m.w);
    jo_raw(m.w, "\n", 1);
    assert_int_equal(mem_close(&m), 0);
    assert_string_equal(m.buf, "{\n"
                               "  \"hosts\": [],\n"
                               "  \"o\": {},\n"
                               "  \"a\": [\n"
                               "    [],\n"
                               "    {\n"
                               "      \"k\": 1\n"
                               "    }\n"
                               "  ]\n"
                               "}\n");
    mem_free(&m);

    mem_open(&m, 0);
    jo_begin_object(m.w);
    jo_end_object(m.w);
    assert_int_equal(mem_close(&m), 0);
    assert_string_equal(m.buf, "{}");
    mem_free(&m);
}

/* ---- failures ---- */

static void test_depth_limit(void **state)
{
    (void)state;
    struct mem m;
    mem_open(&m, 0);
    for (int i = 0; i < JO_MAX_DEPTH; i++)
        jo_begin_array(m.w);
    assert_false(jo_failed(m.w));
    for (int i = 0; i < JO_MAX_DEPTH; i++)
        jo_end_array(m.w);
    assert_int_equal(mem_close(&m), 0);
    /* as deep as jansson writes it: 32 levels, 64 spaces at the innermost */
    json_t *t = json_array();
    for (int i = 1; i < JO_MAX_DEPTH; i++) {
        json_t *outer = json_array();
        json_array_append_new(outer, t);
        t = outer;
    }
    char *want = jansson_text(t);
    assert_string_equal(m.buf, want);
    free(want);
    mem_free(&m);

    mem_open(&m, 0);
    for (int i = 0; i < JO_MAX_DEPTH; i++) {
        jo_begin_object(m.w);
        jo_key(m.w, "k");
    }
    assert_false(jo_failed(m.w));
    jo_begin_array(m.w); /* one too many */
    assert_true(jo_failed(m.w));
    jo_int(m.w, 1); /* later calls do nothing */
    assert_int_equal(mem_close(&m), -1);
    mem_free(&m);
}

enum misuse {
    MIS_VALUE_WITHOUT_KEY,
    MIS_KEY_IN_ARRAY,
    MIS_KEY_AT_TOP,
    MIS_KEY_TWICE,
    MIS_NULL_KEY,
    MIS_END_WRONG_KIND,
    MIS_END_AFTER_KEY,
    MIS_END_NOTHING_OPEN,
    MIS_TWO_ROOTS,
    MIS_BAD_UTF8_KEY,
    MIS_FAIL,
    MIS__COUNT
};

static void test_misuse(void **state)
{
    (void)state;
    for (int k = 0; k < MIS__COUNT; k++) {
        struct mem m;
        mem_open(&m, 0);
        struct json_out *w = m.w;
        switch ((enum misuse)k) {
        case MIS_VALUE_WITHOUT_KEY:
            jo_begin_object(w);
            jo_int(w, 1);
            break;
        case MIS_KEY_IN_ARRAY:
            jo_begin_array(w);
            jo_key(w, "k");
            break;
        case MIS_KEY_AT_TOP:
            jo_key(w, "k");
            break;
        case MIS_KEY_TWICE:
            jo_begin_object(w);
            jo_key(w, "k");
            jo_key(w, "k");
            break;
        case MIS_NULL_KEY:
            jo_begin_object(w);
            jo_key(w, NULL);
            break;
        case MIS_END_WRONG_KIND:
            jo_begin_object(w);
            jo_end_array(w);
            break;
        case MIS_END_AFTER_KEY:
            jo_begin_object(w);
            jo_key(w, "k");
            jo_end_object(w);
            break;
        case MIS_END_NOTHING_OPEN:
            jo_end_object(w);
            break;
        case MIS_TWO_ROOTS:
            jo_null(w);
            jo_null(w);
            break;
        case MIS_BAD_UTF8_KEY:
            jo_begin_object(w);
            jo_key(w, "\xff");
            break;
        case MIS_FAIL:
            jo_null(w);
            jo_fail(w);
            break;
        case MIS__COUNT:
            break;
        }
        assert_true(jo_failed(w));
        assert_int_equal(mem_close(&m), -1);
        mem_free(&m);
    }
}

/* A write error shows at the flush that hits it, or at the final one. */
static void test_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    setvbuf(f, NULL, _IONBF, 0); /* the error at the writer's own fwrite */
    struct json_out *w = jo_new(f, JO_BUF_MIN);
    assert_non_null(w);
    jo_begin_array(w);
    for (int i = 0; i < 1000 && !jo_failed(w); i++)
        jo_string(w, "0123456789", 10);
    assert_true(jo_failed(w)); /* failed before the end: the buffer filled */
    jo_end_array(w);
    assert_int_equal(jo_flush(w), -1);
    jo_free(w);
    fclose(f);

    /* a small output: the error comes at jo_flush */
    f = fopen("/dev/full", "w");
    assert_non_null(f);
    setvbuf(f, NULL, _IONBF, 0);
    w = jo_new(f, 0);
    assert_non_null(w);
    jo_null(w);
    assert_false(jo_failed(w));
    assert_int_equal(jo_flush(w), -1);
    jo_free(w);
    fclose(f);

    jo_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_table),
        cmocka_unit_test(test_string_bytes),
        cmocka_unit_test(test_string_long),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_u64),
        cmocka_unit_test(test_real_table),
        cmocka_unit_test(test_real_sweep),
        cmocka_unit_test(test_real_edges),
        cmocka_unit_test(test_real_nonfinite),
        cmocka_unit_test(test_layout_random),
        cmocka_unit_test(test_layout_fixed),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
