/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Safe text (report/escape.c): every byte that is not printable ASCII, and
 * the backslash, written as an escape; cut only between escapes.
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
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "output.h"

struct escape_case {
    const char *in;
    size_t len;
    const char *out;
};

static const struct escape_case escape_cases[] = {
    {"", 0, ""},
    {"abc", 3, "abc"},
    {" ~", 2, " ~"},
    {"a\\b", 3, "a\\\\b"},
    {"\\", 1, "\\\\"},
    {"\0", 1, "\\x00"},
    {"a\0b", 3, "a\\x00b"},
    {"\x1f", 1, "\\x1f"},
    {"\n\t\r", 3, "\\x0a\\x09\\x0d"},
    {"\x7f", 1, "\\x7f"},
    {"\x80\xff", 2, "\\x80\\xff"},
    {"\xc3\xa9t\xc3\xa9", 5, "\\xc3\\xa9t\\xc3\\xa9"},
    {"\x1b[2J", 4, "\\x1b[2J"},
    {"\\x41", 4, "\\\\x41"}, /* a literal "\x41" stays distinguishable */
    {NULL, 0, NULL},
};

static void test_escape_table(void **state)
{
    (void)state;
    for (const struct escape_case *c = escape_cases; c->in; c++) {
        size_t want = strlen(c->out);
        char buf[64];
        assert_int_equal(ea_escape(c->in, c->len, NULL, 0), want);
        assert_int_equal(ea_escape(c->in, c->len, buf, sizeof buf), want);
        assert_string_equal(buf, c->out);

        size_t n = 99;
        char *d = ea_escape_dup(c->in, c->len, &n);
        assert_non_null(d);
        assert_int_equal(n, want);
        assert_string_equal(d, c->out);
        free(d);

        char *mem = NULL;
        size_t mlen = 0;
        FILE *f = open_memstream(&mem, &mlen);
        assert_non_null(f);
        assert_int_equal(ea_escape_fwrite(c->in, c->len, f), 0);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(mlen, want);
        assert_memory_equal(mem, c->out, want);
        free(mem);
    }
    assert_int_equal(ea_escape(NULL, 0, NULL, 0), 0);
}

static void test_escape_small_buffers(void **state)
{
    (void)state;
    char buf[16];

    memset(buf, 'Z', sizeof buf);
    assert_int_equal(ea_escape("ab", 2, buf, 0), 2);
    assert_int_equal(buf[0], 'Z'); /* outsz 0 writes nothing */

    assert_int_equal(ea_escape("ab", 2, buf, 1), 2);
    assert_string_equal(buf, "");

    /* exact fit: need + 1 */
    assert_int_equal(ea_escape("ab\x01", 3, buf, 7), 6);
    assert_string_equal(buf, "ab\\x01");
    /* one short: the escape is not split, it is left out whole */
    for (size_t sz = 3; sz <= 6; sz++) {
        memset(buf, 'Z', sizeof buf);
        assert_int_equal(ea_escape("ab\x01", 3, buf, sz), 6);
        assert_string_equal(buf, "ab");
    }
    assert_int_equal(ea_escape("ab\x01", 3, buf, 2), 6);
    assert_string_equal(buf, "a");
    /* nothing after the cut, even if it would fit */
    assert_int_equal(ea_escape("\x01z", 2, buf, 3), 5);
    assert_string_equal(buf, "");
    assert_int_equal(ea_escape("\\", 1, buf, 2), 2);
    assert_string_equal(buf, "");
}

static void test_escape_all_bytes(void **state)
{
    (void)state;
    char in[256];
    for (unsigned i = 0; i < 256; i++)
        in[i] = (char)i;
    /* 94 bytes kept, backslash doubled, 161 bytes as \xNN */
    const size_t need = 94 + 2 + 161 * 4;
    assert_int_equal(ea_escape(in, sizeof in, NULL, 0), need);

    char out[1024];
    assert_int_equal(ea_escape(in, sizeof in, out, sizeof out), need);
    assert_int_equal(strlen(out), need);
    for (size_t i = 0; i < need; i++)
        assert_true(out[i] >= 0x20 && out[i] <= 0x7e);
    unsigned char back[256];
    assert_int_equal(unescape(out, back), 256);
    assert_memory_equal(back, in, 256);

    /* Every buffer size gives the escape of some prefix of the input. */
    for (size_t sz = 1; sz <= need + 1; sz++) {
        char cut[1024];
        char ref[1024];
        assert_int_equal(ea_escape(in, sizeof in, cut, sz), need);
        size_t clen = strlen(cut);
        assert_true(clen < sz);
        size_t k = unescape(cut, back);
        assert_memory_equal(back, in, k);
        assert_int_equal(ea_escape(in, k, ref, sizeof ref), clen);
        assert_string_equal(cut, ref);
        if (sz == need + 1)
            assert_int_equal(k, 256);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_table),
        cmocka_unit_test(test_escape_small_buffers),
        cmocka_unit_test(test_escape_all_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
