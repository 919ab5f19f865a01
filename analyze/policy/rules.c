/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Rule destinations and matching, as Azure Firewall judges them. */
#include "rules.h"
#include "ascii.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

enum {
    FQDN_MAX = 253,
    LABEL_MAX = 63,
    PORTS_MAX = 64,
};

static bool label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* Labels separated by single dots; no empty label. */
static bool valid_name(const char *s, size_t len, const char **why)
{
    size_t label = 0;
    if (len == 0) {
        *why = "empty name after the wildcard";
        return false;
    }
    if (len > FQDN_MAX) {
        *why = "name longer than 253 characters";
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '*') {
            *why = "a wildcard is only valid as the first character ('*.example.com' or '*')";
            return false;
        }
        if (c == '.') {
            if (label == 0) {
                *why = "empty label (two dots, or a leading dot)";
                return false;
            }
            label = 0;
            continue;
        }
        if ((unsigned char)c >= 0x80) {
            *why = "non-ASCII name: write internationalized names in punycode (xn--...)";
            return false;
        }
        if (!label_char(c)) {
            *why = "a name may hold only letters, digits, '-', '_' and dots";
            return false;
        }
        if (++label > LABEL_MAX) {
            *why = "label longer than 63 characters";
            return false;
        }
    }
    if (label == 0) {
        *why = "empty label at the end";
        return false;
    }
    return true;
}

bool rules_parse_fqdn(const char *s, size_t len, struct ea_rule *rule, bool *out_lookalike,
                      const char **out_why)
{
    const char *why = NULL;
    enum ea_fqdn_form form = EA_FQDN_EXACT;
    bool lookalike = false;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    while (len && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        len--;
    }
    if (len == 0) {
        *out_why = "empty destination";
        return false;
    }
    if (len > 1 && s[len - 1] == '.')
        len--; /* a trailing dot is ignored */
    if (len == 1 && s[0] == '*') {
        form = EA_FQDN_ANY;
        len = 0;
        s++;
    } else if (s[0] == '*' && len > 1 && s[1] == '.') {
        form = EA_FQDN_SUBDOMAINS;
        s += 2;
        len -= 2;
    } else if (s[0] == '*') {
        form = EA_FQDN_SUFFIX;
        lookalike = true;
        s++;
        len--;
    }
    if (form != EA_FQDN_ANY && !valid_name(s, len, &why)) {
        *out_why = why;
        return false;
    }
    char buf[FQDN_MAX + 1];
    for (size_t i = 0; i < len; i++)
        buf[i] = ea_ascii_lower_c(s[i]);
    buf[len] = '\0';
    if (!ea_str_set(&rule->fqdn, buf, len)) {
        *out_why = "out of memory";
        return false;
    }
    rule->form = form;
    if (out_lookalike)
        *out_lookalike = lookalike;
    return true;
}

bool rules_parse_cidr(const char *s, size_t len, struct ea_net *out, const char **out_why)
{
    char buf[INET6_ADDRSTRLEN + 8];
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    if (alen == 0 || alen >= sizeof(buf)) {
        *out_why = alen ? "address too long" : "empty address";
        return false;
    }
    if (memchr(s, '\0', alen)) {
        *out_why = "NUL byte in the address";
        return false;
    }
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    struct ea_net net = {0};
    if (inet_pton(AF_INET, buf, net.addr.b) == 1) {
        net.addr.family = 4;
    } else if (inet_pton(AF_INET6, buf, net.addr.b) == 1) {
        net.addr.family = 6;
    } else {
        *out_why = "not an IPv4 or IPv6 address";
        return false;
    }
    unsigned max = net.addr.family == 4 ? 32 : 128;
    unsigned plen = max;
    if (slash) {
        size_t i = alen + 1;
        if (i == len) {
            *out_why = "no prefix length after '/'";
            return false;
        }
        plen = 0;
        for (; i < len; i++) {
            if (s[i] < '0' || s[i] > '9' || plen > max) {
                *out_why = "bad prefix length";
                return false;
            }
            plen = plen * 10 + (unsigned)(s[i] - '0');
        }
        if (plen > max) {
            *out_why = "prefix length too long for the address family";
            return false;
        }
    }
    for (unsigned bit = plen; bit < max; bit++) {
        if (net.addr.b[bit / 8] & (0x80u >> (bit % 8))) {
            *out_why = "host bits set (the address is not the network's first address)";
            return false;
        }
    }
    net.len = (uint8_t)plen;
    *out = net;
    return true;
}

static bool parse_u16(const char *s, size_t len, uint16_t *out)
{
    unsigned v = 0;
    if (len == 0 || len > 5)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

bool rules_parse_ports(const char *s, size_t len, struct ea_port_range **out, size_t *out_n,
                       const char **out_why)
{
    struct ea_port_range tmp[PORTS_MAX];
    size_t n = 0, i = 0;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (len - i == 1 && s[i] == '*') {
        *out = NULL;
        *out_n = 0;
        return true;
    }
    if (i == len) {
        *out_why = "empty port list";
        return false;
    }
    while (i < len) {
        size_t start = i;
        while (i < len && s[i] != ',')
            i++;
        size_t end = i;
        while (start < end && s[start] == ' ')
            start++;
        while (end > start && s[end - 1] == ' ')
            end--;
        const char *dash = memchr(s + start, '-', end - start);
        struct ea_port_range pr;
        bool ok;
        if (dash) {
            size_t d = (size_t)(dash - s);
            ok = parse_u16(s + start, d - start, &pr.lo) &&
                 parse_u16(s + d + 1, end - d - 1, &pr.hi);
        } else {
            ok = parse_u16(s + start, end - start, &pr.lo);
            pr.hi = pr.lo;
        }
        if (!ok) {
            *out_why = "bad port (1-65535, a range lo-hi, a comma-separated list, or *)";
            return false;
        }
        if (pr.lo > pr.hi) {
            *out_why = "port range upside down (lo > hi)";
            return false;
        }
        if (n == PORTS_MAX) {
            *out_why = "too many port ranges";
            return false;
        }
        tmp[n++] = pr;
        if (i < len)
            i++; /* the comma */
        if (i == len && s[len - 1] == ',') {
            *out_why = "port list ends with a comma";
            return false;
        }
    }
    struct ea_port_range *v = malloc(n * sizeof(*v));
    if (!v) {
        *out_why = "out of memory";
        return false;
    }
    memcpy(v, tmp, n * sizeof(*v));
    *out = v;
    *out_n = n;
    return true;
}

static bool word_is(const char *s, size_t len, const char *w)
{
    size_t n = strlen(w);
    if (len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ea_ascii_lower_c(s[i]) != w[i])
            return false;
    return true;
}

bool rules_parse_protocol(const char *s, size_t len, uint8_t *out, const char **out_why)
{
    if (word_is(s, len, "tcp"))
        *out = EA_TCP;
    else if (word_is(s, len, "udp"))
        *out = EA_UDP;
    else if (word_is(s, len, "any") || word_is(s, len, "*"))
        *out = 0;
    else {
        *out_why = "unknown protocol (TCP, UDP, ANY or *)";
        return false;
    }
    return true;
}

bool rules_match_fqdn(const struct ea_rule *rule, const char *name, size_t len)
{
    if (rule->kind != EA_RULE_FQDN)
        return false;
    if (len > 1 && name[len - 1] == '.')
        len--;
    if (len == 0)
        return false;
    if (rule->form == EA_FQDN_ANY)
        return true;
    if (len > FQDN_MAX)
        return false; /* not a DNS name: nothing but '*' permits it */
    const char *pat = rule->fqdn.s;
    size_t plen = rule->fqdn.len;
    switch (rule->form) {
    case EA_FQDN_ANY:
        break;
    case EA_FQDN_EXACT:
        if (len != plen)
            return false;
        break;
    case EA_FQDN_SUBDOMAINS:
        /* any depth below, never the apex: needs ".pattern" at the end */
        if (len < plen + 2 || name[len - plen - 1] != '.')
            return false;
        break;
    case EA_FQDN_SUFFIX:
        if (len < plen)
            return false;
        break;
    }
    const char *tail = name + (len - plen);
    for (size_t i = 0; i < plen; i++)
        if (ea_ascii_lower_c(tail[i]) != pat[i])
            return false;
    /* The part a wildcard covers must itself be name text: labels of letters,
     * digits, '-' and '_' ("*.d": whole labels; "*d": may end mid-label). A
     * NUL, a control byte or a raw UTF-8 byte in a name from the wire never
     * matches. */
    size_t head = len - plen;
    if (rule->form == EA_FQDN_SUBDOMAINS)
        head--; /* the dot before the tail, checked above */
    size_t label = 0;
    for (size_t i = 0; i < head; i++) {
        if (name[i] == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if (!label_char(name[i]) || ++label > LABEL_MAX) {
            return false;
        }
    }
    return rule->form != EA_FQDN_SUBDOMAINS || label > 0;
}

bool rules_match_port(const struct ea_rule *rule, uint16_t port, uint8_t proto)
{
    if (rule->protocol && rule->protocol != proto)
        return false;
    if (rule->n_ports == 0)
        return true;
    for (size_t i = 0; i < rule->n_ports; i++)
        if (port >= rule->ports[i].lo && port <= rule->ports[i].hi)
            return true;
    return false;
}

static bool net_contains(const struct ea_net *n, const struct ea_addr *a)
{
    if (n->addr.family != a->family)
        return false;
    unsigned full = n->len / 8u, rest = n->len % 8u;
    if (memcmp(n->addr.b, a->b, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (n->addr.b[full] & mask) == (a->b[full] & mask);
}

bool rules_match_addr(const struct ea_rule *rule, const struct ea_addr *addr, uint16_t port,
                      uint8_t proto)
{
    if (rule->kind != EA_RULE_CIDR && rule->kind != EA_RULE_SERVICE_TAG)
        return false;
    if (!rules_match_port(rule, port, proto))
        return false;
    for (size_t i = 0; i < rule->n_nets; i++)
        if (net_contains(&rule->nets[i], addr))
            return true;
    return false;
}
