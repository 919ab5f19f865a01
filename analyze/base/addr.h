/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An IPv4 or IPv6 address as the decoder and the report model hold it. */
#ifndef EA_ADDR_H
#define EA_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ea_addr {
    uint8_t family; /* 4 or 6; 0 = none */
    uint8_t b[16];
};

/* Bytes of the address that count: 4, 16, or 0 for no address. */
static inline size_t ea_addr_size(const struct ea_addr *a)
{
    return a->family == 4 ? 4 : a->family == 6 ? 16 : 0;
}

static inline bool ea_addr_eq(const struct ea_addr *x, const struct ea_addr *y)
{
    if (x->family != y->family)
        return false;
    size_t n = ea_addr_size(x);
    for (size_t i = 0; i < n; i++)
        if (x->b[i] != y->b[i])
            return false;
    return true;
}

#define EA_ADDR_TEXT_MAX 46

/* Address as text (inet_ntop); buf at least EA_ADDR_TEXT_MAX bytes. Family
 * 0 (none) or any other family gives "-". Always returns buf. */
const char *ea_addr_text(const struct ea_addr *a, char *buf, size_t n);

/* A dotted quad (what inet_ntop writes) into buf; returns its length. */
size_t ea_ipv4_text(const uint8_t b[4], char buf[16]);

/* Parse the text form back (inet_pton); false if it is not an address. */
bool ea_addr_parse(const char *text, struct ea_addr *out);

#endif
