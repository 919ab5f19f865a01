/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ASCII case folding for names from the wire and from rule files. Every
 * comparison takes explicit lengths and compares byte-wise: a hostile name
 * may carry a NUL, at which strncasecmp() would stop and call two different
 * names equal. Only A-Z fold (RFC 4343); other bytes compare as they are. */
#ifndef EA_ASCII_H
#define EA_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint8_t ea_ascii_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* The same for a char of a C string. */
static inline char ea_ascii_lower_c(char c)
{
    return (char)ea_ascii_lower((uint8_t)c);
}

/* Equal ignoring ASCII case: exactly n bytes of each. */
static inline bool ea_ascii_ieq(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (ea_ascii_lower(x[i]) != ea_ascii_lower(y[i]))
            return false;
    return true;
}

/* Case-insensitive order of two length-counted strings; a prefix sorts
 * first. */
static inline int ea_ascii_icmp(const void *a, size_t al, const void *b, size_t bl)
{
    const uint8_t *x = a, *y = b;
    size_t n = al < bl ? al : bl;
    for (size_t i = 0; i < n; i++) {
        uint8_t p = ea_ascii_lower(x[i]), q = ea_ascii_lower(y[i]);
        if (p != q)
            return p < q ? -1 : 1;
    }
    return al < bl ? -1 : al > bl;
}

/* Does s (len bytes) end with suffix (n bytes), ignoring ASCII case? */
static inline bool ea_ascii_iends_with(const void *s, size_t len, const void *suffix, size_t n)
{
    return len >= n && ea_ascii_ieq((const uint8_t *)s + (len - n), suffix, n);
}

#endif
