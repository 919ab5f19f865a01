/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The layout follows jansson's do_dump() for JSON_INDENT(2): a container's
 * first member goes after "\n" and the indentation of its own level, every
 * further one after ",\n" and the same; a container with members closes on
 * a new line at its parent's indentation, an empty one closes at once ("{}",
 * "[]"). Keys are followed by ": ". So the writer only has to remember, per
 * open container, its kind and whether it has a member yet.
 */
#include "json_out.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum jo_kind { JO_OBJECT, JO_ARRAY };

struct json_out {
    FILE *f;
    size_t cap, used;
    unsigned depth; /* containers open */
    bool after_key; /* a key was written; its value comes next */
    bool root_done; /* the one top-level value has begun */
    bool failed;
    unsigned char kind[JO_MAX_DEPTH]; /* enum jo_kind of each open container */
    bool has_member[JO_MAX_DEPTH];
    char buf[]; /* cap bytes */
};

/* A newline and the indentation of the deepest level. */
#define SP8 "        "
static const char nl_indent[] = "\n" SP8 SP8 SP8 SP8 SP8 SP8 SP8 SP8;
_Static_assert(sizeof nl_indent - 1 == 1 + 2 * JO_MAX_DEPTH, "one newline, 2 spaces a level");

static const char hex_upper[] = "0123456789ABCDEF";

struct json_out *jo_new(FILE *f, size_t bufsize)
{
    if (bufsize == 0)
        bufsize = JO_BUF_DEFAULT;
    else if (bufsize < JO_BUF_MIN)
        bufsize = JO_BUF_MIN;
    else if (bufsize > JO_BUF_MAX)
        bufsize = JO_BUF_MAX;
    struct json_out *w = malloc(sizeof *w + bufsize);
    if (!w)
        return NULL;
    *w = (struct json_out){.f = f, .cap = bufsize};
    return w;
}

void jo_free(struct json_out *w)
{
    free(w);
}

bool jo_failed(const struct json_out *w)
{
    return w->failed;
}

void jo_fail(struct json_out *w)
{
    w->failed = true;
}

/* Hand the buffer to stdio. */
static void drain(struct json_out *w)
{
    if (w->used && !w->failed && fwrite(w->buf, 1, w->used, w->f) != w->used)
        w->failed = true;
    w->used = 0;
}

int jo_flush(struct json_out *w)
{
    drain(w);
    return w->failed ? -1 : 0;
}

static void put(struct json_out *w, const char *s, size_t n)
{
    while (n > w->cap - w->used) {
        size_t room = w->cap - w->used;
        memcpy(w->buf + w->used, s, room);
        w->used = w->cap;
        s += room;
        n -= room;
        drain(w);
        if (w->failed)
            return;
    }
    memcpy(w->buf + w->used, s, n);
    w->used += n;
}

static void put_char(struct json_out *w, char c)
{
    if (w->used == w->cap) {
        drain(w);
        if (w->failed)
            return;
    }
    w->buf[w->used++] = c;
}

/* Where the next n bytes go (the caller then adds n to used), draining the
 * buffer first when they do not fit; NULL when w failed or n is more than
 * the whole buffer (the caller then takes the slow path through put). */
static char *room(struct json_out *w, size_t n)
{
    if (n > w->cap - w->used) {
        if (n > w->cap)
            return NULL;
        drain(w);
        if (w->failed)
            return NULL;
    }
    return w->buf + w->used;
}

void jo_raw(struct json_out *w, const char *s, size_t len)
{
    if (!w->failed && len)
        put(w, s, len);
}

/* ---- strings ---- */

/* The code point of the UTF-8 sequence at s[0..left) in *out_cp, and its
 * length; 0 when it is not valid UTF-8 (as jansson's utf8_iterate: no
 * overlong forms, no surrogates, nothing past U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, size_t left, uint32_t *out_cp)
{
    unsigned char b = s[0];
    size_t n;
    uint32_t cp;
    if (b < 0x80) {
        *out_cp = b;
        return 1;
    }
    if (b >= 0xc2 && b <= 0xdf) {
        n = 2;
        cp = b & 0x1fu;
    } else if (b >= 0xe0 && b <= 0xef) {
        n = 3;
        cp = b & 0x0fu;
    } else if (b >= 0xf0 && b <= 0xf4) {
        n = 4;
        cp = b & 0x07u;
    } else { /* a continuation byte, 0xc0/0xc1 (overlong) or past 0xf4 */
        return 0;
    }
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
        return 0;
    *out_cp = cp;
    return n;
}

/* "\uXXXX" into e[6]. */
static void u_escape(uint32_t unit, char *e)
{
    e[0] = '\\';
    e[1] = 'u';
    e[2] = hex_upper[(unit >> 12) & 0xf];
    e[3] = hex_upper[(unit >> 8) & 0xf];
    e[4] = hex_upper[(unit >> 4) & 0xf];
    e[5] = hex_upper[unit & 0xf];
}

/* The escape of code point cp into e[12]; its length. */
static size_t escape_cp(uint32_t cp, char e[12])
{
    char c = 0;
    switch (cp) {
    case '\\':
        c = '\\';
        break;
    case '"':
        c = '"';
        break;
    case '\b':
        c = 'b';
        break;
    case '\f':
        c = 'f';
        break;
    case '\n':
        c = 'n';
        break;
    case '\r':
        c = 'r';
        break;
    case '\t':
        c = 't';
        break;
    default:
        break;
    }
    if (c) {
        e[0] = '\\';
        e[1] = c;
        return 2;
    }
    if (cp < 0x10000) {
        u_escape(cp, e);
        return 6;
    }
    cp -= 0x10000; /* a UTF-16 surrogate pair */
    u_escape(0xd800 | (cp >> 10), e);
    u_escape(0xdc00 | (cp & 0x3ff), e + 6);
    return 12;
}

/* Bytes copied as they are: printable ASCII and DEL, but '"' and '\'. */
static bool plain(unsigned char b)
{
    return b >= 0x20 && b < 0x80 && b != '"' && b != '\\';
}

/* How many bytes at the start of s[0..len) are plain. */
static size_t plain_prefix(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && plain((unsigned char)s[i]))
        i++;
    return i;
}

static void put_string(struct json_out *w, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    put_char(w, '"');
    size_t run = 0, i = 0;
    while (i < len && !w->failed) {
        if (plain(s[i])) {
            i++;
            continue;
        }
        if (i > run)
            put(w, str + run, i - run);
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0) {
            w->failed = true;
            return;
        }
        char e[12];
        put(w, e, escape_cp(cp, e));
        i += n;
        run = i;
    }
    if (len > run)
        put(w, str + run, len - run);
    put_char(w, '"');
}

/* ---- structure ---- */

/* "\n" or ",\n" and the indentation of the members of the innermost
 * container, before its next member. */
static void separate(struct json_out *w)
{
    unsigned top = w->depth - 1;
    if (w->has_member[top])
        put_char(w, ',');
    w->has_member[top] = true;
    put(w, nl_indent, 1 + 2 * (size_t)w->depth);
}

/* Before any value: checks its place, writes what separates it from the
 * one before. false when w has failed. */
static bool begin_value(struct json_out *w)
{
    if (w->failed)
        return false;
    if (w->depth == 0) {
        if (w->root_done)
            w->failed = true;
        w->root_done = true;
    } else if (w->kind[w->depth - 1] == JO_OBJECT) {
        if (!w->after_key)
            w->failed = true;
        w->after_key = false;
    } else {
        separate(w);
    }
    return !w->failed;
}

static void begin_container(struct json_out *w, enum jo_kind kind, char open)
{
    if (!w->failed && w->depth >= JO_MAX_DEPTH)
        w->failed = true;
    if (!begin_value(w))
        return;
    put_char(w, open);
    w->kind[w->depth] = (unsigned char)kind;
    w->has_member[w->depth] = false;
    w->depth++;
}

static void end_container(struct json_out *w, enum jo_kind kind, char close)
{
    if (w->failed)
        return;
    if (w->depth == 0 || w->kind[w->depth - 1] != kind || w->after_key) {
        w->failed = true;
        return;
    }
    w->depth--;
    if (w->has_member[w->depth])
        put(w, nl_indent, 1 + 2 * (size_t)w->depth);
    put_char(w, close);
}

void jo_begin_object(struct json_out *w)
{
    begin_container(w, JO_OBJECT, '{');
}

void jo_end_object(struct json_out *w)
{
    end_container(w, JO_OBJECT, '}');
}

void jo_begin_array(struct json_out *w)
{
    begin_container(w, JO_ARRAY, '[');
}

void jo_end_array(struct json_out *w)
{
    end_container(w, JO_ARRAY, ']');
}

void jo_key(struct json_out *w, const char *key)
{
    if (w->failed)
        return;
    if (!key || w->depth == 0 || w->kind[w->depth - 1] != JO_OBJECT || w->after_key) {
        w->failed = true;
        return;
    }
    size_t len = strlen(key);
    size_t indent = 1 + 2 * (size_t)w->depth;
    char *d;
    if (plain_prefix(key, len) == len && (d = room(w, 1 + indent + len + 4)) != NULL) {
        /* the common case in one piece: [,]\n<indent>"key": */
        char *p = d;
        if (w->has_member[w->depth - 1])
            *p++ = ',';
        w->has_member[w->depth - 1] = true;
        memcpy(p, nl_indent, indent);
        p += indent;
        *p++ = '"';
        memcpy(p, key, len);
        p += len;
        memcpy(p, "\": ", 3);
        p += 3;
        w->used += (size_t)(p - d);
    } else {
        separate(w);
        put_string(w, key, len);
        put(w, ": ", 2);
    }
    w->after_key = true;
}

/* ---- scalars ---- */

void jo_string(struct json_out *w, const char *s, size_t len)
{
    if (!begin_value(w))
        return;
    if (len == 0) {
        put(w, "\"\"", 2);
        return;
    }
    char *d;
    if (plain_prefix(s, len) == len && (d = room(w, len + 2)) != NULL) {
        d[0] = '"';
        memcpy(d + 1, s, len);
        d[len + 1] = '"';
        w->used += len + 2;
        return;
    }
    put_string(w, s, len);
}

void jo_null(struct json_out *w)
{
    if (begin_value(w))
        put(w, "null", 4);
}

void jo_bool(struct json_out *w, bool v)
{
    if (begin_value(w))
        put(w, v ? "true" : "false", v ? 4 : 5);
}

/* The decimal digits of v, preceded by '-' when negative. */
static void put_decimal(struct json_out *w, bool negative, uint64_t v)
{
    char d[24]; /* 20 digits of UINT64_MAX and a sign */
    size_t at = sizeof d;
    do {
        d[--at] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (negative)
        d[--at] = '-';
    put(w, d + at, sizeof d - at);
}

void jo_int(struct json_out *w, long long v)
{
    if (!begin_value(w))
        return;
    /* the magnitude in unsigned arithmetic: -LLONG_MIN does not fit */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    put_decimal(w, v < 0, mag);
}

void jo_u64(struct json_out *w, uint64_t v)
{
    if (v > (uint64_t)INT64_MAX) {
        jo_real(w, (double)v);
        return;
    }
    if (begin_value(w))
        put_decimal(w, false, v);
}

/* ---- reals ----
 *
 * jansson prints a real with snprintf("%.16g") (JSON_REAL_PRECISION(16)):
 * the exact binary value rounded to 16 significant digits. printf's
 * multi-precision path costs thousands of instructions a number, and the
 * report has two times per host, connection and DNS name. For 1 <= |v| <
 * 1e16 (every time, every count) the 16 digits are worked out here exactly,
 * in integers; a value that lies exactly half-way between two 16-digit
 * decimals, one that rounds up to 1e16, and every other magnitude take
 * snprintf, so the bytes are printf's either way. */

static const double pow10_tab[17] = {1e0, 1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7, 1e8,
                                     1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16};

/* a * b as a 128-bit number hi:lo. */
static void mul_64x64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    const uint64_t m32 = 0xffffffffu;
    uint64_t a0 = a & m32, a1 = a >> 32, b0 = b & m32, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & m32) + (p10 & m32);
    *lo = (mid << 32) | (p00 & m32);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* The text "%.16g" and jsonp_dtostr give for 1 <= v < 1e16 into out[24]
 * (16 digits, a point, maybe ".0"): its length, or 0 when printf has to
 * decide. */
static size_t real_digits(double v, char *out)
{
    int e10 = 0; /* v in [10^e10, 10^(e10+1)) */
    while (e10 < 15 && v >= pow10_tab[e10 + 1])
        e10++;
    int k = 15 - e10; /* N = round(v * 10^k) has 16 digits */

    int e2;
    double frac = frexp(v, &e2);                      /* v = frac * 2^e2, frac in [0.5, 1) */
    uint64_t m = (uint64_t)ldexp(frac, DBL_MANT_DIG); /* exact: v = m * 2^(e2 - 53) */
    int shift = e2 - DBL_MANT_DIG + k;                /* v * 10^k = m * 5^k * 2^shift */
    uint64_t five_k = 1;
    for (int i = 0; i < k; i++)
        five_k *= 5;
    uint64_t hi, lo;
    mul_64x64(m, five_k, &hi, &lo);

    uint64_t n;
    if (shift >= 0) { /* v is an integer of 16 digits: v * 10^0 */
        if (hi != 0 || shift > 10 || lo > (UINT64_MAX >> shift))
            return 0;
        n = lo << shift;
    } else {
        int s = -shift; /* 1..52 here: v >= 1 and k <= 15 */
        if (s >= 64 || (hi >> s) != 0)
            return 0;
        uint64_t rest = lo & ((UINT64_C(1) << s) - 1);
        uint64_t half = UINT64_C(1) << (s - 1);
        n = (lo >> s) | (s ? hi << (64 - s) : 0);
        if (rest == half) /* a tie: printf's rounding rule decides */
            return 0;
        if (rest > half)
            n++;
    }
    if (n >= UINT64_C(10000000000000000)) /* rounded up to 1e16: another exponent */
        return 0;

    char d[16];
    for (int i = 15; i >= 0; i--) {
        d[i] = (char)('0' + n % 10);
        n /= 10;
    }
    size_t int_len = (size_t)e10 + 1, frac_len = (size_t)k;
    while (frac_len && d[int_len + frac_len - 1] == '0') /* %g drops trailing zeros */
        frac_len--;
    memcpy(out, d, int_len);
    out[int_len] = '.';
    if (frac_len) {
        memcpy(out + int_len + 1, d + int_len, frac_len);
        return int_len + 1 + frac_len;
    }
    out[int_len + 1] = '0'; /* no point in "%.16g": jsonp_dtostr adds ".0" */
    return int_len + 2;
}

/* "%.16g" as jsonp_dtostr turns it: ".0" added when it reads as an integer,
 * the exponent without '+' or leading zeros. */
static size_t real_printf(double v, char *b, size_t bsize)
{
    int n = snprintf(b, bsize, "%.16g", v);
    if (n < 0 || (size_t)n >= bsize - 2)
        return 0;
    size_t len = (size_t)n;
    char *e = memchr(b, 'e', len);
    if (!e && !memchr(b, '.', len)) { /* would read back as an integer */
        b[len++] = '.';
        b[len++] = '0';
    }
    if (e) { /* "e+05" -> "e5", "e-05" -> "e-5" */
        char *from = e + 1, *to = e + 1;
        if (*from == '-')
            *to++ = *from++;
        else if (*from == '+')
            from++;
        while (*from == '0' && from + 1 < b + len)
            from++;
        size_t tail = (size_t)(b + len - from);
        memmove(to, from, tail);
        len = (size_t)(to - b) + tail;
    }
    return len;
}

void jo_real(struct json_out *w, double v)
{
    if (!w->failed && !isfinite(v))
        w->failed = true;
    if (!begin_value(w))
        return;
    /* "%.16g" is at most 23 bytes ("-1.234567890123456e-308"); +2 for ".0" */
    char b[40];
    size_t len = 0;
    double mag = fabs(v);
    if (mag >= 1.0 && mag < 1e16) {
        b[0] = '-';
        size_t sign = signbit(v) ? 1 : 0;
        len = real_digits(mag, b + sign);
        if (len)
            len += sign;
    }
    if (!len)
        len = real_printf(v, b, sizeof b);
    if (!len) {
        w->failed = true;
        return;
    }
    put(w, b, len);
}
