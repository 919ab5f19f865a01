/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The report model: storage, name tables, and the one place where
 * connections and DNS are sorted and hosts are aggregated (renderers only
 * read the result).
 */
#include "model.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- name tables: one {value, "name"} table and one lookup each ---- */

struct tok {
    unsigned v;
    const char *s;
};

static const char *tok_name(const struct tok *t, unsigned v)
{
    for (; t->s; t++)
        if (t->v == v)
            return t->s;
    return NULL;
}

static const struct tok outcome_tab[] = {
    {EA_OUT_REACHED, "reached"},
    {EA_OUT_DENIED, "denied"},
    {EA_OUT_REFUSED, "refused"},
    {EA_OUT_NO_ANSWER, "no-answer"},
    {EA_OUT_INCOMPLETE, "incomplete"},
    {EA_OUT_UNKNOWN, "unknown"},
    {0, NULL},
};
_Static_assert(sizeof outcome_tab / sizeof outcome_tab[0] == EA_OUT__COUNT + 1,
               "one name per outcome");

static const struct tok name_source_tab[] = {
    {EA_NAME_NONE, "none"},       {EA_NAME_SNI, "sni"},           {EA_NAME_HTTP_HOST, "http_host"},
    {EA_NAME_CONNECT, "connect"}, {EA_NAME_QUIC_SNI, "quic_sni"}, {0, NULL},
};
_Static_assert(sizeof name_source_tab / sizeof name_source_tab[0] == EA_NAME__COUNT + 1,
               "one name per name source");

static const struct tok transport_tab[] = {
    {EA_TCP, "tcp"},
    {EA_UDP, "udp"},
    {0, NULL},
};

static const struct tok counter_tab[] = {
    {EA_C_PACKETS, "packets"},
    {EA_C_BYTES, "bytes"},
    {EA_C_WIRE_BYTES, "wire_bytes"},
    {EA_C_LINK_MALFORMED, "link_malformed"},
    {EA_C_LINK_TRUNCATED, "link_truncated"},
    {EA_C_NOT_IP, "not_ip"},
    {EA_C_IPV4, "ipv4"},
    {EA_C_IPV6, "ipv6"},
    {EA_C_IP_MALFORMED, "ip_malformed"},
    {EA_C_IP_TRUNCATED, "ip_truncated"},
    {EA_C_IP_FRAGMENTS, "ip_fragments"},
    {EA_C_IP_OTHER_PROTO, "ip_other_proto"},
    {EA_C_TCP, "tcp"},
    {EA_C_TCP_MALFORMED, "tcp_malformed"},
    {EA_C_TCP_TRUNCATED, "tcp_truncated"},
    {EA_C_UDP, "udp"},
    {EA_C_UDP_MALFORMED, "udp_malformed"},
    {EA_C_UDP_TRUNCATED, "udp_truncated"},
    {EA_C_DNS_MESSAGES, "dns_messages"},
    {EA_C_DNS_MALFORMED, "dns_malformed"},
    {EA_C_DNS_TRUNCATED, "dns_truncated"},
    {EA_C_TLS_MALFORMED, "tls_malformed"},
    {EA_C_HTTP_MALFORMED, "http_malformed"},
    {EA_C_FLOWS, "flows"},
    {EA_C_FLOWS_EVICTED, "flows_evicted"},
    {EA_C_REASM_WARNINGS, "reasm_warnings"},
    {EA_C_CONNS_NOT_LISTED, "connections_not_listed"},
    {0, NULL},
};
_Static_assert(sizeof counter_tab / sizeof counter_tab[0] == EA_C__COUNT + 1,
               "one name per counter");

static const struct tok conn_flag_tab[] = {
    {EA_CF_TLS, "tls"},
    {EA_CF_TLS_NO_SNI, "no-sni"},
    {EA_CF_ECH, "ech"},
    {EA_CF_HTTP, "http"},
    {EA_CF_QUIC, "quic"},
    {EA_CF_PORT, "port-not-80-443"},
    {EA_CF_MIDSTREAM, "mid-stream"},
    {EA_CF_DNS, "dns"},
    {EA_CF_NAME_CUT, "name-cut"},
    {EA_CF_REASM_GAP, "reassembly-gap"},
    {EA_CF_HELLO_CUT, "hello-unreadable"},
    {0, NULL},
};

static const struct tok tls_version_tab[] = {
    {0x0300, "SSL 3.0"}, {0x0301, "TLS 1.0"}, {0x0302, "TLS 1.1"},
    {0x0303, "TLS 1.2"}, {0x0304, "TLS 1.3"}, {0, NULL},
};

const char *ea_outcome_name(enum ea_outcome o)
{
    return tok_name(outcome_tab, (unsigned)o);
}

const char *ea_name_source_name(enum ea_name_source s)
{
    return tok_name(name_source_tab, (unsigned)s);
}

const char *ea_transport_name(enum ea_transport t)
{
    return tok_name(transport_tab, (unsigned)t);
}
const char *ea_counter_name(enum ea_counter c)
{
    return tok_name(counter_tab, (unsigned)c);
}

const char *ea_conn_flag_name(uint32_t single_bit)
{
    if (single_bit == 0 || (single_bit & (single_bit - 1)) != 0)
        return NULL;
    return tok_name(conn_flag_tab, single_bit);
}

const char *ea_tls_version_name(uint16_t version)
{
    return tok_name(tls_version_tab, version);
}

static const struct tok verdict_tab[] = {
    {EA_V_NONE, "none"},
    {EA_V_ALLOWED, "allowed"},
    {EA_V_DENIED, "denied"},
    {EA_V_PORT, "port-not-coverable"},
    {EA_V_NO_NAME, "no-name"},
    {EA_V_INFRA, "infrastructure"},
    {EA_V_INFRA_MAYBE, "infrastructure?"},
    {0, NULL},
};

static const struct tok rule_kind_tab[] = {
    {EA_RULE_FQDN, "fqdn"},
    {EA_RULE_CIDR, "cidr"},
    {EA_RULE_SERVICE_TAG, "service_tag"},
    {EA_RULE_PRIVATE_ENDPOINT, "private_endpoint"},
    {0, NULL},
};

static const struct tok near_kind_tab[] = {
    {EA_NEAR_APEX, "apex"},
    {EA_NEAR_SUBDOMAIN, "subdomain"},
    {EA_NEAR_INACTIVE, "inactive"},
    {0, NULL},
};

const char *ea_verdict_name(enum ea_verdict v)
{
    return tok_name(verdict_tab, v);
}
const char *ea_rule_kind_name(enum ea_rule_kind k)
{
    return tok_name(rule_kind_tab, k);
}
const char *ea_near_kind_name(enum ea_near_kind k)
{
    return tok_name(near_kind_tab, k);
}

const char *ea_addr_text(const struct ea_addr *a, char *buf, size_t n)
{
    int af = a->family == 4 ? AF_INET : a->family == 6 ? AF_INET6 : 0;
    if (n == 0)
        return buf;
    if (af == 0 || n > (size_t)INT32_MAX || !inet_ntop(af, a->b, buf, (socklen_t)n)) {
        buf[0] = '\0';
        if (n >= 2) {
            buf[0] = '-';
            buf[1] = '\0';
        }
    }
    return buf;
}

/* ---- strings ---- */

bool ea_str_set(struct ea_str *s, const void *p, size_t len)
{
    if (len == SIZE_MAX)
        return false;
    char *n = malloc(len + 1);
    if (!n)
        return false;
    if (len)
        memcpy(n, p, len); /* before freeing: p may point into s->s */
    n[len] = '\0';
    free(s->s);
    s->s = n;
    s->len = len;
    return true;
}

void ea_str_clear(struct ea_str *s)
{
    free(s->s);
    s->s = NULL;
    s->len = 0;
}

static void chain_clear(struct ea_chain *c)
{
    for (size_t i = 0; i < c->n_names; i++)
        ea_str_clear(&c->names[i]);
    free(c->names);
    c->names = NULL;
    c->n_names = 0;
}

static void strs_free(struct ea_str *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ea_str_clear(&v[i]);
    free(v);
}

/* ---- lifetime ---- */

void ea_report_init(struct ea_report *r)
{
    memset(r, 0, sizeof *r);
}

static void hosts_free(struct ea_report *r)
{
    for (size_t i = 0; i < r->n_hosts; i++) {
        struct ea_host *h = &r->hosts[i];
        ea_str_clear(&h->key);
        strs_free(h->addrs, h->n_addrs);
        strs_free(h->resolved_as, h->n_resolved_as);
    }
    free(r->hosts);
    r->hosts = NULL;
    r->n_hosts = 0;
}

void ea_report_finish(struct ea_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_inputs; i++)
        ea_str_clear(&r->inputs[i].path);
    free(r->inputs);
    for (size_t i = 0; i < r->n_conns; i++) {
        struct ea_conn *c = &r->conns[i];
        ea_str_clear(&c->name);
        ea_str_clear(&c->alpn);
        ea_str_clear(&c->http_method);
        chain_clear(&c->resolved);
    }
    free(r->conns);
    for (size_t i = 0; i < r->n_dns; i++) {
        struct ea_dns *d = &r->dns[i];
        ea_str_clear(&d->qname);
        for (size_t j = 0; j < d->n_answers; j++) {
            ea_str_clear(&d->answers[j].owner);
            ea_str_clear(&d->answers[j].data);
        }
        free(d->answers);
    }
    free(r->dns);
    hosts_free(r);
    for (size_t i = 0; i < r->n_rules; i++)
        ea_rule_finish(&r->rules[i]);
    free(r->rules);
    free(r->unused_rules);
    free(r->near_misses);
    for (size_t i = 0; i < r->n_remedies; i++) {
        ea_str_clear(&r->remedies[i].destination);
        ea_str_clear(&r->remedies[i].rule_name);
        strs_free(r->remedies[i].covers, r->remedies[i].n_covers);
    }
    free(r->remedies);
    memset(r, 0, sizeof *r);
}

void ea_rule_finish(struct ea_rule *rule)
{
    if (!rule)
        return;
    ea_str_clear(&rule->name);
    ea_str_clear(&rule->destination);
    ea_str_clear(&rule->origin);
    ea_str_clear(&rule->category);
    ea_str_clear(&rule->status);
    ea_str_clear(&rule->fqdn);
    ea_str_clear(&rule->service_tag);
    free(rule->nets);
    free(rule->ports);
    memset(rule, 0, sizeof *rule);
}

/* Make room for one more element of size sz, doubling; false on overflow or
 * ENOMEM (the array is then unchanged). */
static bool grow(void **arr, size_t n, size_t *cap, size_t sz)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap : 8;
    while (ncap <= n) {
        if (ncap > SIZE_MAX / 2)
            return false;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / sz)
        return false;
    void *p = realloc(*arr, ncap * sz);
    if (!p)
        return false;
    *arr = p;
    *cap = ncap;
    return true;
}

struct ea_conn *ea_report_add_conn(struct ea_report *r)
{
    void *p = r->conns;
    if (!grow(&p, r->n_conns, &r->cap_conns, sizeof *r->conns))
        return NULL;
    r->conns = p;
    struct ea_conn *c = &r->conns[r->n_conns++];
    memset(c, 0, sizeof *c);
    return c;
}

struct ea_rule *ea_report_add_rule(struct ea_report *r)
{
    void *p = r->rules;
    if (!grow(&p, r->n_rules, &r->cap_rules, sizeof *r->rules))
        return NULL;
    r->rules = p;
    struct ea_rule *rule = &r->rules[r->n_rules++];
    memset(rule, 0, sizeof *rule);
    return rule;
}

struct ea_dns *ea_report_add_dns(struct ea_report *r)
{
    void *p = r->dns;
    if (!grow(&p, r->n_dns, &r->cap_dns, sizeof *r->dns))
        return NULL;
    r->dns = p;
    struct ea_dns *d = &r->dns[r->n_dns++];
    memset(d, 0, sizeof *d);
    d->rcode = -1; /* zeroed would claim NOERROR; no response seen yet */
    return d;
}

struct ea_input *ea_report_add_input(struct ea_report *r)
{
    void *p = r->inputs;
    if (!grow(&p, r->n_inputs, &r->cap_inputs, sizeof *r->inputs))
        return NULL;
    r->inputs = p;
    struct ea_input *in = &r->inputs[r->n_inputs++];
    memset(in, 0, sizeof *in);
    return in;
}

/* ---- comparisons ---- */

static int cmp_tv(const struct timeval *a, const struct timeval *b)
{
    if (a->tv_sec != b->tv_sec)
        return a->tv_sec < b->tv_sec ? -1 : 1;
    if (a->tv_usec != b->tv_usec)
        return a->tv_usec < b->tv_usec ? -1 : 1;
    return 0;
}

static int cmp_uint(uintmax_t a, uintmax_t b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

static int cmp_addr(const struct ea_addr *a, const struct ea_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    size_t n = a->family == 4 ? 4 : a->family == 6 ? 16 : 0;
    return n ? memcmp(a->b, b->b, n) : 0;
}

static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int c = n ? memcmp(a, b, n) : 0;
    return c ? c : cmp_uint(al, bl);
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* ASCII case-insensitive (DNS names: RFC 4343), then by length. */
static int cmp_ci(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = ascii_lower((unsigned char)a[i]);
        unsigned char y = ascii_lower((unsigned char)b[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return cmp_uint(al, bl);
}

static const char *str_or_empty(const struct ea_str *s)
{
    return s->s ? s->s : "";
}

/* Sorting pointers into the array, with the pointer as the last key, makes
 * every sort stable: equal elements keep their order of arrival. */
static int cmp_conn_p(const void *pa, const void *pb)
{
    const struct ea_conn *a = *(const struct ea_conn *const *)pa;
    const struct ea_conn *b = *(const struct ea_conn *const *)pb;
    int c;
    if ((c = cmp_tv(&a->first, &b->first)) != 0 || (c = cmp_addr(&a->dst, &b->dst)) != 0 ||
        (c = cmp_uint(a->dport, b->dport)) != 0 || (c = cmp_addr(&a->src, &b->src)) != 0 ||
        (c = cmp_uint(a->sport, b->sport)) != 0 ||
        (c = cmp_uint((unsigned)a->transport, (unsigned)b->transport)) != 0)
        return c;
    return a < b ? -1 : a > b;
}

static int cmp_dns_p(const void *pa, const void *pb)
{
    const struct ea_dns *a = *(const struct ea_dns *const *)pa;
    const struct ea_dns *b = *(const struct ea_dns *const *)pb;
    int c;
    if ((c = cmp_tv(&a->first, &b->first)) != 0 ||
        (c = cmp_bytes(str_or_empty(&a->qname), a->qname.len, str_or_empty(&b->qname),
                       b->qname.len)) != 0 ||
        (c = cmp_uint(a->qtype, b->qtype)) != 0)
        return c;
    return a < b ? -1 : a > b;
}

/* Sort an array of n elements of size sz by permuting through a pointer
 * array (stable, see above). */
static bool sort_stable(void *arr, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
    if (n < 2)
        return true;
    if (n > SIZE_MAX / sz)
        return false;
    char *base = arr;
    char **ptrs = malloc(n * sizeof *ptrs);
    char *tmp = malloc(n * sz);
    if (!ptrs || !tmp) {
        free(ptrs);
        free(tmp);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        ptrs[i] = base + i * sz;
    qsort(ptrs, n, sizeof *ptrs, cmp);
    for (size_t i = 0; i < n; i++)
        memcpy(tmp + i * sz, ptrs[i], sz);
    memcpy(base, tmp, n * sz);
    free(ptrs);
    free(tmp);
    return true;
}

/* ---- hosts ---- */

#define ADDR_TEXT_MAX 46

/* A connection as the host table sees it. */
struct hitem {
    const struct ea_conn *c;
    size_t i; /* index in the sorted connections: first seen first */
    bool named;
    const char *name; /* the connection's name, when named */
    size_t name_len;
    char addr[ADDR_TEXT_MAX];
};

/* The host key: the name, or the address text. Not stored as a pointer:
 * qsort moves the items, and addr with them. */
static const char *hitem_key(const struct hitem *it, size_t *out_len)
{
    if (it->named) {
        *out_len = it->name_len;
        return it->name;
    }
    *out_len = strlen(it->addr);
    return it->addr;
}

static int cmp_hitem_key(const struct hitem *a, const struct hitem *b)
{
    size_t al, bl;
    const char *ak = hitem_key(a, &al), *bk = hitem_key(b, &bl);
    return cmp_ci(ak, al, bk, bl);
}

static int cmp_hitem(const void *pa, const void *pb)
{
    const struct hitem *a = pa, *b = pb;
    int c;
    if (a->named != b->named)
        return a->named ? -1 : 1;
    if ((c = cmp_hitem_key(a, b)) != 0 || (c = cmp_uint(a->c->dport, b->c->dport)) != 0 ||
        (c = cmp_uint((unsigned)a->c->transport, (unsigned)b->c->transport)) != 0)
        return c;
    return cmp_uint(a->i, b->i);
}

static bool same_host(const struct hitem *a, const struct hitem *b)
{
    return a->named == b->named && cmp_hitem_key(a, b) == 0 && a->c->dport == b->c->dport &&
           a->c->transport == b->c->transport;
}

static int cmp_addr_p(const void *pa, const void *pb)
{
    return cmp_addr(*(const struct ea_addr *const *)pa, *(const struct ea_addr *const *)pb);
}

struct rname {
    const struct ea_str *s;
    size_t i; /* connection index: keeps the first spelling first */
};

static int cmp_rname(const void *pa, const void *pb)
{
    const struct rname *a = pa, *b = pb;
    int c = cmp_ci(str_or_empty(a->s), a->s->len, str_or_empty(b->s), b->s->len);
    return c ? c : cmp_uint(a->i, b->i);
}

/* Fill h from the group g[0..n); scratch arrays hold at least n entries. */
static bool host_build(struct ea_host *h, const struct hitem *g, size_t n,
                       const struct ea_addr **addrs, struct rname *names)
{
    const struct ea_conn *c0 = g[0].c;
    h->named = g[0].named;
    h->port = c0->dport;
    h->transport = c0->transport;
    h->name_source = h->named ? c0->name_source : EA_NAME_NONE;
    /* g is in connection order within the group: g[0] is the first spelling. */
    size_t key_len;
    const char *key = hitem_key(&g[0], &key_len);
    if (!ea_str_set(&h->key, key, key_len))
        return false;
    h->n_conns = n;
    h->first = c0->first;
    h->last = c0->last;
    size_t n_names = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ea_conn *c = g[i].c;
        unsigned o = (unsigned)c->outcome < EA_OUT__COUNT ? (unsigned)c->outcome : EA_OUT_UNKNOWN;
        h->outcomes[o]++;
        h->flags |= c->flags;
        h->bytes_out += c->bytes_out;
        h->bytes_in += c->bytes_in;
        if (cmp_tv(&c->first, &h->first) < 0)
            h->first = c->first;
        if (cmp_tv(&c->last, &h->last) > 0)
            h->last = c->last;
        addrs[i] = &c->dst;
        if (c->has_resolved && c->resolved.n_names > 0)
            names[n_names++] = (struct rname){&c->resolved.names[0], g[i].i};
    }
    h->outcome = EA_OUT_UNKNOWN;
    for (unsigned o = 0; o < EA_OUT__COUNT; o++) {
        if (h->outcomes[o]) {
            h->outcome = (enum ea_outcome)o;
            break;
        }
    }

    qsort(addrs, n, sizeof *addrs, cmp_addr_p);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || cmp_addr(addrs[i - 1], addrs[i]) != 0)
            distinct++;
    h->addrs = calloc(distinct, sizeof *h->addrs);
    if (!h->addrs)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && cmp_addr(addrs[i - 1], addrs[i]) == 0)
            continue;
        char buf[ADDR_TEXT_MAX];
        ea_addr_text(addrs[i], buf, sizeof buf);
        if (!ea_str_set(&h->addrs[h->n_addrs], buf, strlen(buf)))
            return false;
        h->n_addrs++;
    }

    if (n_names == 0)
        return true;
    qsort(names, n_names, sizeof *names, cmp_rname);
    distinct = 0;
    for (size_t i = 0; i < n_names; i++)
        if (i == 0 || cmp_ci(str_or_empty(names[i - 1].s), names[i - 1].s->len,
                             str_or_empty(names[i].s), names[i].s->len) != 0)
            distinct++;
    h->resolved_as = calloc(distinct, sizeof *h->resolved_as);
    if (!h->resolved_as)
        return false;
    for (size_t i = 0; i < n_names; i++) {
        if (i > 0 && cmp_ci(str_or_empty(names[i - 1].s), names[i - 1].s->len,
                            str_or_empty(names[i].s), names[i].s->len) == 0)
            continue;
        if (!ea_str_set(&h->resolved_as[h->n_resolved_as], str_or_empty(names[i].s),
                        names[i].s->len))
            return false;
        h->n_resolved_as++;
    }
    return true;
}

static bool hosts_build(struct ea_report *r)
{
    size_t n = r->n_conns;
    if (n == 0)
        return true;
    if (n > SIZE_MAX / sizeof(struct hitem))
        return false;
    bool ok = false;
    struct hitem *items = malloc(n * sizeof *items);
    const struct ea_addr **addrs = malloc(n * sizeof *addrs);
    struct rname *names = malloc(n * sizeof *names);
    if (!items || !addrs || !names)
        goto out;

    for (size_t i = 0; i < n; i++) {
        struct hitem *it = &items[i];
        it->c = &r->conns[i];
        it->i = i;
        it->named = it->c->name_source != EA_NAME_NONE;
        ea_addr_text(&it->c->dst, it->addr, sizeof it->addr);
        it->name = str_or_empty(&it->c->name);
        it->name_len = it->c->name.len;
    }
    /* Sorting by the host key puts each host's connections together, and
     * the hosts in their output order: named by name, then by address. */
    qsort(items, n, sizeof *items, cmp_hitem);

    size_t n_hosts = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || !same_host(&items[i - 1], &items[i]))
            n_hosts++;
    r->hosts = calloc(n_hosts, sizeof *r->hosts);
    if (!r->hosts)
        goto out;

    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_host(&items[i], &items[j]))
            j++;
        /* Counted before filling so that hosts_free sees what was built. */
        struct ea_host *h = &r->hosts[r->n_hosts++];
        if (!host_build(h, &items[i], j - i, addrs, names))
            goto out;
        i = j;
    }
    ok = true;
out:
    if (!ok)
        hosts_free(r);
    free(items);
    free(addrs);
    free(names);
    return ok;
}

bool ea_report_finalize(struct ea_report *r)
{
    hosts_free(r);
    if (!sort_stable(r->conns, r->n_conns, sizeof *r->conns, cmp_conn_p) ||
        !sort_stable(r->dns, r->n_dns, sizeof *r->dns, cmp_dns_p))
        return false;
    return hosts_build(r);
}
