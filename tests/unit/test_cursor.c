/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The cursor: every read at the hostile lengths (0, 1, max-1, max, 0xFFFF,
 * remaining+1), and every failed read leaves the cursor and the output as
 * they were. Each row is its own cmocka test, named by the row.
 */
/* cmocka needs these three first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "guard.h"

#define ROWS(t) (sizeof(t) / sizeof((t)[0]) - 1) /* without the sentinel */

/* ---- integer reads: u8, be16, be24, be32, peek, QUIC varint ---- */

enum int_op {
    OP_U8,
    OP_BE16,
    OP_BE24,
    OP_BE32,
    OP_PEEK,
    OP_VARINT,
};

struct int_case {
    const char *what;
    enum int_op op;
    uint8_t in[10];
    size_t len;
    bool ok;
    uint64_t want;
    size_t used; /* bytes consumed on success */
};

static const struct int_case int_cases[] = {
    {.what = "u8 empty", .op = OP_U8, .len = 0, .ok = false},
    {.what = "u8 one", .op = OP_U8, .in = {0xAB}, .len = 1, .ok = true, .want = 0xAB, .used = 1},
    {.what = "u8 leaves rest",
     .op = OP_U8,
     .in = {0xFF, 1},
     .len = 2,
     .ok = true,
     .want = 0xFF,
     .used = 1},
    {.what = "be16 empty", .op = OP_BE16, .len = 0, .ok = false},
    {.what = "be16 1 of 2", .op = OP_BE16, .in = {0x12}, .len = 1, .ok = false},
    {.what = "be16 exact",
     .op = OP_BE16,
     .in = {0x12, 0x34},
     .len = 2,
     .ok = true,
     .want = 0x1234,
     .used = 2},
    {.what = "be16 0xFFFF leaves rest",
     .op = OP_BE16,
     .in = {0xFF, 0xFF, 0},
     .len = 3,
     .ok = true,
     .want = 0xFFFF,
     .used = 2},
    {.what = "be24 empty", .op = OP_BE24, .len = 0, .ok = false},
    {.what = "be24 1 of 3", .op = OP_BE24, .in = {1}, .len = 1, .ok = false},
    {.what = "be24 2 of 3", .op = OP_BE24, .in = {1, 2}, .len = 2, .ok = false},
    {.what = "be24 exact",
     .op = OP_BE24,
     .in = {0x01, 0x02, 0x03},
     .len = 3,
     .ok = true,
     .want = 0x010203,
     .used = 3},
    {.what = "be24 max leaves rest",
     .op = OP_BE24,
     .in = {0xFF, 0xFF, 0xFF, 9},
     .len = 4,
     .ok = true,
     .want = 0xFFFFFF,
     .used = 3},
    {.what = "be32 empty", .op = OP_BE32, .len = 0, .ok = false},
    {.what = "be32 1 of 4", .op = OP_BE32, .in = {1}, .len = 1, .ok = false},
    {.what = "be32 3 of 4", .op = OP_BE32, .in = {1, 2, 3}, .len = 3, .ok = false},
    {.what = "be32 exact",
     .op = OP_BE32,
     .in = {0xDE, 0xAD, 0xBE, 0xEF},
     .len = 4,
     .ok = true,
     .want = 0xDEADBEEF,
     .used = 4},
    {.what = "be32 max leaves rest",
     .op = OP_BE32,
     .in = {0xFF, 0xFF, 0xFF, 0xFF, 0},
     .len = 5,
     .ok = true,
     .want = 0xFFFFFFFF,
     .used = 4},
    {.what = "peek empty", .op = OP_PEEK, .len = 0, .ok = false},
    {.what = "peek does not move",
     .op = OP_PEEK,
     .in = {0x7F, 1},
     .len = 2,
     .ok = true,
     .want = 0x7F,
     .used = 0},
    /* RFC 9000 §A.1 examples */
    {.what = "varint 8 bytes (RFC 9000 A.1)",
     .op = OP_VARINT,
     .in = {0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c},
     .len = 8,
     .ok = true,
     .want = 151288809941952652u,
     .used = 8},
    {.what = "varint 4 bytes (RFC 9000 A.1)",
     .op = OP_VARINT,
     .in = {0x9d, 0x7f, 0x3e, 0x7d},
     .len = 4,
     .ok = true,
     .want = 494878333,
     .used = 4},
    {.what = "varint 2 bytes (RFC 9000 A.1)",
     .op = OP_VARINT,
     .in = {0x7b, 0xbd},
     .len = 2,
     .ok = true,
     .want = 15293,
     .used = 2},
    {.what = "varint 1 byte (RFC 9000 A.1)",
     .op = OP_VARINT,
     .in = {0x25},
     .len = 1,
     .ok = true,
     .want = 37,
     .used = 1},
    {.what = "varint 37 in 2 bytes (RFC 9000 A.1)",
     .op = OP_VARINT,
     .in = {0x40, 0x25},
     .len = 2,
     .ok = true,
     .want = 37,
     .used = 2},
    {.what = "varint max 2^62-1",
     .op = OP_VARINT,
     .in = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
     .len = 8,
     .ok = true,
     .want = 0x3fffffffffffffffu,
     .used = 8},
    {.what = "varint leaves rest",
     .op = OP_VARINT,
     .in = {0x25, 0x40},
     .len = 2,
     .ok = true,
     .want = 37,
     .used = 1},
    {.what = "varint empty", .op = OP_VARINT, .len = 0, .ok = false},
    {.what = "varint 8-byte form, 7 there",
     .op = OP_VARINT,
     .in = {0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8},
     .len = 7,
     .ok = false},
    {.what = "varint 8-byte form, 1 there", .op = OP_VARINT, .in = {0xc2}, .len = 1, .ok = false},
    {.what = "varint 4-byte form, 3 there",
     .op = OP_VARINT,
     .in = {0x9d, 0x7f, 0x3e},
     .len = 3,
     .ok = false},
    {.what = "varint 2-byte form, 1 there", .op = OP_VARINT, .in = {0x7b}, .len = 1, .ok = false},
    {.what = NULL},
};

static void run_int_case(void **state)
{
    const struct int_case *t = *state;
    struct guarded g;
    const uint8_t *p = guard_copy(&g, t->in, t->len);
    struct cur c;
    cur_init(&c, p, t->len);

    /* Outputs start as a poison value: a failed read must not write them. */
    uint8_t v8 = 0xA5;
    uint16_t v16 = 0xA5A5;
    uint32_t v32 = 0xA5A5A5A5;
    uint64_t v64 = 0xA5A5A5A5A5A5A5A5u;
    uint64_t got = 0;
    bool ok = false;
    switch (t->op) {
    case OP_U8:
        ok = cur_u8(&c, &v8);
        got = ok ? v8 : 0;
        if (!ok)
            assert_int_equal(v8, 0xA5);
        break;
    case OP_PEEK:
        ok = cur_peek_u8(&c, &v8);
        got = ok ? v8 : 0;
        if (!ok)
            assert_int_equal(v8, 0xA5);
        break;
    case OP_BE16:
        ok = cur_be16(&c, &v16);
        got = ok ? v16 : 0;
        if (!ok)
            assert_int_equal(v16, 0xA5A5);
        break;
    case OP_BE24:
        ok = cur_be24(&c, &v32);
        got = ok ? v32 : 0;
        if (!ok)
            assert_int_equal(v32, 0xA5A5A5A5);
        break;
    case OP_BE32:
        ok = cur_be32(&c, &v32);
        got = ok ? v32 : 0;
        if (!ok)
            assert_int_equal(v32, 0xA5A5A5A5);
        break;
    case OP_VARINT:
        ok = cur_quic_varint(&c, &v64);
        got = ok ? v64 : 0;
        if (!ok)
            assert_true(v64 == 0xA5A5A5A5A5A5A5A5u);
        break;
    }
    assert_int_equal(ok, t->ok);
    if (ok) {
        assert_true(got == t->want);
        assert_ptr_equal(c.p, p + t->used);
        assert_int_equal(cur_left(&c), t->len - t->used);
    } else {
        assert_ptr_equal(c.p, p); /* unmoved */
        assert_int_equal(cur_left(&c), t->len);
    }
    guard_free(&g);
}

/* ---- lengths: skip, bytes, sub, at ---- */

enum len_op {
    OP_SKIP,
    OP_BYTES,
    OP_SUB,
    OP_AT,
};

struct len_case {
    const char *what;
    enum len_op op;
    size_t len; /* bytes in the buffer */
    size_t n;   /* the length asked for */
    bool ok;
};

#define LEN_ROWS(o, name)                                                                          \
    {.what = name " 0 of 16", .op = o, .len = 16, .n = 0, .ok = true},                             \
        {.what = name " 1 of 16", .op = o, .len = 16, .n = 1, .ok = true},                         \
        {.what = name " 15 of 16", .op = o, .len = 16, .n = 15, .ok = true},                       \
        {.what = name " 16 of 16", .op = o, .len = 16, .n = 16, .ok = true},                       \
        {.what = name " 17 of 16", .op = o, .len = 16, .n = 17, .ok = false},                      \
        {.what = name " 0xFFFF of 16", .op = o, .len = 16, .n = 0xFFFF, .ok = false},              \
        {.what = name " SIZE_MAX of 16", .op = o, .len = 16, .n = SIZE_MAX, .ok = false},          \
        {.what = name " 0 of 0", .op = o, .len = 0, .n = 0, .ok = true},                           \
        {.what = name " 1 of 0", .op = o, .len = 0, .n = 1, .ok = false},                          \
        {.what = name " 0xFFFF of 0xFFFF", .op = o, .len = 0xFFFF, .n = 0xFFFF, .ok = true},       \
    {                                                                                              \
        .what = name " 0x10000 of 0xFFFF", .op = o, .len = 0xFFFF, .n = 0x10000, .ok = false       \
    }

static const struct len_case len_cases[] = {
    LEN_ROWS(OP_SKIP, "skip"),
    LEN_ROWS(OP_BYTES, "bytes"),
    LEN_ROWS(OP_SUB, "sub"),
    LEN_ROWS(OP_AT, "at"),
    {.what = NULL},
};

static void run_len_case(void **state)
{
    const struct len_case *t = *state;
    uint8_t *src = malloc(t->len ? t->len : 1);
    assert_non_null(src);
    for (size_t i = 0; i < t->len; i++)
        src[i] = (uint8_t)i;
    struct guarded g;
    const uint8_t *p = guard_copy(&g, src, t->len);
    free(src);
    struct cur c;
    cur_init(&c, p, t->len);

    const uint8_t *view = NULL;
    struct cur child = {NULL, 12345};
    bool ok = false;
    size_t moved = t->n; /* how far c moves on success */
    switch (t->op) {
    case OP_SKIP:
        ok = cur_skip(&c, t->n);
        break;
    case OP_BYTES:
        ok = cur_bytes(&c, t->n, &view);
        if (ok)
            assert_ptr_equal(view, p);
        else
            assert_null(view);
        break;
    case OP_SUB:
        ok = cur_sub(&c, t->n, &child);
        if (ok) {
            assert_ptr_equal(child.p, p);
            assert_int_equal(child.left, t->n);
        }
        break;
    case OP_AT:
        ok = cur_at(&c, t->n, &child);
        moved = 0; /* whole is const */
        if (ok) {
            assert_ptr_equal(child.p, p + t->n);
            assert_int_equal(child.left, t->len - t->n);
        }
        break;
    }
    assert_int_equal(ok, t->ok);
    if (!ok) {
        moved = 0;
        if (t->op == OP_SUB || t->op == OP_AT) {
            assert_null(child.p); /* not written */
            assert_int_equal(child.left, 12345);
        }
    }
    assert_ptr_equal(c.p, p + moved);
    assert_int_equal(cur_left(&c), t->len - moved);
    guard_free(&g);
}

/* ---- length-prefixed vectors (RFC 8446 §3.4) ---- */

enum vec_op {
    OP_VEC8 = 1, /* the value is the width of the length */
    OP_VEC16 = 2,
    OP_VEC24 = 3,
};

struct vec_case {
    const char *what;
    enum vec_op op;
    uint8_t in[8];
    size_t len;
    bool ok;
    size_t body; /* child length on success */
};

static const struct vec_case vec_cases[] = {
    {.what = "vec8 empty input", .op = OP_VEC8, .len = 0, .ok = false},
    {.what = "vec8 empty body", .op = OP_VEC8, .in = {0}, .len = 1, .ok = true, .body = 0},
    {.what = "vec8 exact body",
     .op = OP_VEC8,
     .in = {3, 'a', 'b', 'c'},
     .len = 4,
     .ok = true,
     .body = 3},
    {.what = "vec8 body leaves rest",
     .op = OP_VEC8,
     .in = {2, 'a', 'b', 'c'},
     .len = 4,
     .ok = true,
     .body = 2},
    {.what = "vec8 body 1 short", .op = OP_VEC8, .in = {3, 'a', 'b'}, .len = 3, .ok = false},
    {.what = "vec8 length 0xFF", .op = OP_VEC8, .in = {0xFF, 'a'}, .len = 2, .ok = false},
    {.what = "vec16 empty input", .op = OP_VEC16, .len = 0, .ok = false},
    {.what = "vec16 length cut", .op = OP_VEC16, .in = {0}, .len = 1, .ok = false},
    {.what = "vec16 empty body", .op = OP_VEC16, .in = {0, 0}, .len = 2, .ok = true, .body = 0},
    {.what = "vec16 child exactly covers body",
     .op = OP_VEC16,
     .in = {0, 3, 'a', 'b', 'c'},
     .len = 5,
     .ok = true,
     .body = 3},
    {.what = "vec16 body leaves rest",
     .op = OP_VEC16,
     .in = {0, 1, 'a', 'b'},
     .len = 4,
     .ok = true,
     .body = 1},
    {.what = "vec16 body 1 short", .op = OP_VEC16, .in = {0, 3, 'a', 'b'}, .len = 4, .ok = false},
    {.what = "vec16 length 0xFFFF", .op = OP_VEC16, .in = {0xFF, 0xFF, 'a'}, .len = 3, .ok = false},
    {.what = "vec24 empty input", .op = OP_VEC24, .len = 0, .ok = false},
    {.what = "vec24 length cut", .op = OP_VEC24, .in = {0, 0}, .len = 2, .ok = false},
    {.what = "vec24 empty body", .op = OP_VEC24, .in = {0, 0, 0}, .len = 3, .ok = true, .body = 0},
    {.what = "vec24 exact body",
     .op = OP_VEC24,
     .in = {0, 0, 2, 'a', 'b'},
     .len = 5,
     .ok = true,
     .body = 2},
    {.what = "vec24 body 1 short", .op = OP_VEC24, .in = {0, 0, 2, 'a'}, .len = 4, .ok = false},
    {.what = "vec24 length 0xFFFFFF",
     .op = OP_VEC24,
     .in = {0xFF, 0xFF, 0xFF, 'a'},
     .len = 4,
     .ok = false},
    {.what = "vec24 length 0x010000",
     .op = OP_VEC24,
     .in = {0x01, 0, 0, 'a'},
     .len = 4,
     .ok = false},
    {.what = NULL},
};

static bool vec_read(enum vec_op op, struct cur *c, struct cur *out)
{
    switch (op) {
    case OP_VEC8:
        return cur_vec8(c, out);
    case OP_VEC16:
        return cur_vec16(c, out);
    case OP_VEC24:
        return cur_vec24(c, out);
    }
    return false;
}

static void run_vec_case(void **state)
{
    const struct vec_case *t = *state;
    struct guarded g;
    const uint8_t *p = guard_copy(&g, t->in, t->len);
    struct cur c;
    cur_init(&c, p, t->len);
    struct cur child = {NULL, 12345};
    size_t width = (size_t)t->op;

    bool ok = vec_read(t->op, &c, &child);
    assert_int_equal(ok, t->ok);
    if (ok) {
        assert_ptr_equal(child.p, p + width);
        assert_int_equal(cur_left(&child), t->body);
        assert_ptr_equal(c.p, p + width + t->body);
        assert_int_equal(cur_left(&c), t->len - width - t->body);
    } else {
        assert_ptr_equal(c.p, p); /* unmoved, even after reading the length */
        assert_int_equal(cur_left(&c), t->len);
        assert_null(child.p);
        assert_int_equal(child.left, 12345);
    }
    guard_free(&g);
}

/* vec16 at its largest: a 0xFFFF body, present, then one byte short. */
static void test_vec16_max(void **state)
{
    size_t len = 2 + 0xFFFF;
    uint8_t *src = calloc(1, len);
    assert_non_null(src);
    src[0] = 0xFF;
    src[1] = 0xFF;
    for (size_t cut = 0; cut < 2; cut++) {
        struct guarded g;
        const uint8_t *p = guard_copy(&g, src, len - cut);
        struct cur c, child;
        cur_init(&c, p, len - cut);
        bool ok = cur_vec16(&c, &child);
        assert_int_equal(ok, cut == 0);
        if (ok) {
            assert_ptr_equal(child.p, p + 2);
            assert_int_equal(cur_left(&child), 0xFFFF);
            assert_true(cur_empty(&c));
        } else {
            assert_ptr_equal(c.p, p);
            assert_int_equal(cur_left(&c), len - cut);
        }
        guard_free(&g);
    }
    free(src);
}

/* Reading a child to its end, then one more read fails on the child only. */
static void test_child_used_up(void **state)
{
    static const uint8_t in[] = {0, 3, 0x12, 0x34, 0x56, 0x99};
    struct guarded g;
    const uint8_t *p = guard_copy(&g, in, sizeof in);
    struct cur c, child;
    cur_init(&c, p, sizeof in);
    assert_true(cur_vec16(&c, &child));
    uint32_t v = 0;
    assert_true(cur_be24(&child, &v));
    assert_int_equal(v, 0x123456);
    assert_true(cur_empty(&child));
    uint8_t b = 0;
    assert_false(cur_u8(&child, &b));
    assert_true(cur_u8(&c, &b)); /* the parent goes on after the body */
    assert_int_equal(b, 0x99);
    assert_true(cur_empty(&c));
    guard_free(&g);
}

static void test_init_null(void **state)
{
    struct cur c;
    cur_init(&c, NULL, 100); /* no bytes behind a NULL pointer */
    assert_int_equal(cur_left(&c), 0);
    assert_true(cur_empty(&c));
    uint8_t b = 7;
    assert_false(cur_u8(&c, &b));
    assert_int_equal(b, 7);
}

static void test_parse_result_name(void **state)
{
    static const struct {
        enum parse_result r;
        const char *name;
    } rows[] = {
        {PARSE_OK, "ok"},
        {PARSE_INCOMPLETE, "incomplete"},
        {PARSE_MALFORMED, "malformed"},
        {(enum parse_result)7, "?"},
        {PARSE_OK, NULL},
    };
    for (size_t i = 0; rows[i].name; i++)
        assert_string_equal(parse_result_name(rows[i].r), rows[i].name);
}

int main(void)
{
    static struct CMUnitTest tests[ROWS(int_cases) + ROWS(len_cases) + ROWS(vec_cases) + 4];
    size_t n = 0;
    for (const struct int_case *t = int_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_int_case, NULL, NULL, (void *)t};
    for (const struct len_case *t = len_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_len_case, NULL, NULL, (void *)t};
    for (const struct vec_case *t = vec_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_vec_case, NULL, NULL, (void *)t};
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_vec16_max);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_child_used_up);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_init_null);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_parse_result_name);
    if (n != sizeof tests / sizeof tests[0])
        abort(); /* the array size above does not match the rows */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
