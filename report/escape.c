/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

static const char hex[] = "0123456789abcdef";

/* The escape of one byte into e[4]; returns its length (1, 2 or 4). */
static size_t escape_byte(unsigned char b, char e[EA_ESCAPE_MAX_PER_BYTE])
{
    if (b == '\\') {
        e[0] = '\\';
        e[1] = '\\';
        return 2;
    }
    if (b >= 0x20 && b <= 0x7e) {
        e[0] = (char)b;
        return 1;
    }
    e[0] = '\\';
    e[1] = 'x';
    e[2] = hex[b >> 4];
    e[3] = hex[b & 0xf];
    return 4;
}

size_t ea_escape(const char *s, size_t len, char *out, size_t outsz)
{
    size_t need = 0, used = 0;
    bool full = outsz == 0;
    for (size_t i = 0; i < len; i++) {
        char e[EA_ESCAPE_MAX_PER_BYTE];
        size_t n = escape_byte((unsigned char)s[i], e);
        need = need > SIZE_MAX - n ? SIZE_MAX : need + n; /* saturates */
        if (full)
            continue;
        if (n > outsz - 1 - used) { /* room for the NUL stays reserved */
            full = true;
            continue;
        }
        for (size_t k = 0; k < n; k++)
            out[used++] = e[k];
    }
    if (outsz > 0)
        out[used] = '\0';
    return need;
}

int ea_escape_fwrite(const char *s, size_t len, FILE *f)
{
    /* Runs of bytes that need no escape go out in one call. */
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b >= 0x20 && b <= 0x7e && b != '\\')
            continue;
        if (i > run && fwrite(s + run, 1, i - run, f) != i - run)
            return -1;
        char e[EA_ESCAPE_MAX_PER_BYTE];
        size_t n = escape_byte(b, e);
        if (fwrite(e, 1, n, f) != n)
            return -1;
        run = i + 1;
    }
    if (len > run && fwrite(s + run, 1, len - run, f) != len - run)
        return -1;
    return 0;
}

char *ea_escape_dup(const char *s, size_t len, size_t *out_len)
{
    size_t need = ea_escape(s, len, NULL, 0);
    if (need == SIZE_MAX)
        return NULL;
    char *p = malloc(need + 1);
    if (!p)
        return NULL;
    ea_escape(s, len, p, need + 1);
    if (out_len)
        *out_len = need;
    return p;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1; /* upper case too: ea_escape writes lower case only */
}

/* The byte the escape at s[0..left) stands for, and its length (2 or 4);
 * 0 with a reason when it is not an escape ea_escape writes. */
static size_t unescape_one(const char *s, size_t left, unsigned char *out, const char **why)
{
    if (left >= 2 && s[1] == '\\') {
        *out = '\\';
        return 2;
    }
    if (left < 4 || s[1] != 'x' || hex_value(s[2]) < 0 || hex_value(s[3]) < 0) {
        *why = "a '\\' not followed by '\\' or 'x' and two lower-case hex digits";
        return 0;
    }
    unsigned v = (unsigned)(hex_value(s[2]) << 4 | hex_value(s[3]));
    if (v >= 0x20 && v <= 0x7e) {
        *why = "an escape of a printable character (written as itself, '\\' as '\\\\')";
        return 0;
    }
    *out = (unsigned char)v;
    return 4;
}

bool ea_unescape(const char *s, size_t len, char *out, size_t *out_len, size_t *out_bad,
                 const char **out_why)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        unsigned char b = (unsigned char)s[i];
        size_t used = 1;
        const char *why = NULL;
        if (b < 0x20 || b > 0x7e)
            why = "a byte outside printable ASCII (written \\xNN)";
        else if (b == '\\')
            used = unescape_one(s + i, len - i, &b, &why);
        if (why) {
            *out_bad = i;
            *out_why = why;
            return false;
        }
        out[n++] = (char)b;
        i += used;
    }
    *out_len = n;
    return true;
}
