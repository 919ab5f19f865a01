/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The shared helpers that are not inline: addresses as text, name tables. */
#include <arpa/inet.h>
#include <string.h>

#include "addr.h"
#include "ascii.h"
#include "names.h"

/* Dotted quad of b[0..4) into buf (at least 16 bytes): inet_ntop formats
 * IPv4 through sprintf, ~1,800 instructions an address, and every host and
 * DNS answer is one (bench/RESULTS.md, issue 12). Returns the length. */
size_t ea_ipv4_text(const uint8_t b[4], char buf[16])
{
    size_t at = 0;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (i)
            buf[at++] = '.';
        if (v >= 100)
            buf[at++] = (char)('0' + v / 100);
        if (v >= 10)
            buf[at++] = (char)('0' + v / 10 % 10);
        buf[at++] = (char)('0' + v % 10);
    }
    buf[at] = '\0';
    return at;
}

const char *ea_addr_text(const struct ea_addr *a, char *buf, size_t n)
{
    if (!n)
        return buf;
    if (a->family == 4 && n >= 16) {
        ea_ipv4_text(a->b, buf);
        return buf;
    }
    if (a->family == 4 || a->family == 6) {
        if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, buf, (socklen_t)n))
            return buf;
    }
    if (n >= 2) {
        buf[0] = '-';
        buf[1] = '\0';
    } else {
        buf[0] = '\0';
    }
    return buf;
}

bool ea_addr_parse(const char *text, struct ea_addr *out)
{
    struct ea_addr a = {0};
    if (inet_pton(AF_INET, text, a.b) == 1)
        a.family = 4;
    else if (inet_pton(AF_INET6, text, a.b) == 1)
        a.family = 6;
    else
        return false;
    *out = a;
    return true;
}

const char *ea_name_of(const struct ea_name *tab, size_t n, int value)
{
    for (size_t i = 0; i < n; i++)
        if (tab[i].value == value)
            return tab[i].name;
    return NULL;
}

bool ea_name_find(const struct ea_name *tab, size_t n, const char *name, size_t len, bool fold_case,
                  int *out)
{
    for (size_t i = 0; i < n; i++) {
        if (!tab[i].name || strlen(tab[i].name) != len)
            continue;
        if (fold_case ? ea_ascii_ieq(tab[i].name, name, len)
                      : memcmp(tab[i].name, name, len) == 0) {
            *out = tab[i].value;
            return true;
        }
    }
    return false;
}
