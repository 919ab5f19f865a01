/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Attribution of addresses to DNS names: for each (client, address) the
 * chain of the client's latest answer (query name, CNAME targets), and the
 * same per address for any client (captures where the resolver's client
 * address differs from the connection's, e.g. tcpdump -i any with a local
 * stub resolver). Bounded: the oldest entries are evicted.
 */
#include "ascii.h"
#include "hash.h"
#include "pipeline.h"
#include <stdlib.h>
#include <string.h>

enum { MAX_CHAIN = 16 };

struct attrib_entry {
    struct attrib_entry *hnext;
    struct ea_lru_node lru;
    uint64_t hash;
    struct ea_addr client; /* family 0: any client */
    struct ea_addr addr;
    struct timeval ts;
    struct ea_chain chain;
};

void ea_chain_free(struct ea_chain *c)
{
    for (size_t i = 0; i < c->n_names; i++)
        ea_str_clear(&c->names[i]);
    free(c->names);
    c->names = NULL;
    c->n_names = 0;
}

static bool chain_copy(struct ea_chain *dst, const struct ea_chain *src)
{
    dst->names = calloc(src->n_names ? src->n_names : 1, sizeof(*dst->names));
    dst->n_names = 0;
    if (!dst->names)
        return false;
    for (size_t i = 0; i < src->n_names; i++) {
        if (!ea_str_set(&dst->names[i], src->names[i].s, src->names[i].len)) {
            ea_chain_free(dst);
            return false;
        }
        dst->n_names++;
    }
    return true;
}

static uint64_t key_hash(const struct ea_addr *client, const struct ea_addr *addr)
{
    uint64_t h = EA_FNV_OFFSET;
    const struct ea_addr *parts[2] = {client, addr};
    for (int p = 0; p < 2; p++) {
        h = ea_hash_byte(h, parts[p]->family);
        h = ea_hash_bytes(h, parts[p]->b, sizeof(parts[p]->b));
    }
    return h;
}

bool attrib_init(struct attrib *t, size_t max_entries)
{
    memset(t, 0, sizeof(*t));
    t->max_entries = max_entries;
    t->n_buckets = 1024;
    while (t->n_buckets < t->max_entries)
        t->n_buckets <<= 1;
    t->buckets = calloc(t->n_buckets, sizeof(*t->buckets));
    return t->buckets != NULL;
}

static struct attrib_entry *oldest(const struct attrib *t)
{
    return t->lru.head ? EA_LRU_ENTRY(t->lru.head, struct attrib_entry, lru) : NULL;
}

static void entry_remove(struct attrib *t, struct attrib_entry *e)
{
    struct attrib_entry **p = &t->buckets[e->hash & (t->n_buckets - 1)];
    while (*p && *p != e)
        p = &(*p)->hnext;
    if (*p)
        *p = e->hnext;
    ea_lru_remove(&t->lru, &e->lru);
    ea_chain_free(&e->chain);
    free(e);
    t->n_entries--;
}

void attrib_finish(struct attrib *t)
{
    struct attrib_entry *e;
    while ((e = oldest(t)) != NULL)
        entry_remove(t, e);
    free(t->buckets);
    memset(t, 0, sizeof(*t));
}

static struct attrib_entry *entry_find(const struct attrib *t, const struct ea_addr *client,
                                       const struct ea_addr *addr, uint64_t h)
{
    for (struct attrib_entry *e = t->buckets[h & (t->n_buckets - 1)]; e; e = e->hnext)
        if (e->hash == h && ea_addr_eq(&e->addr, addr) &&
            (client->family == 0 ? e->client.family == 0 : ea_addr_eq(&e->client, client)))
            return e;
    return NULL;
}

static void entry_put(struct attrib *t, const struct ea_addr *client, const struct ea_addr *addr,
                      const struct ea_chain *chain, const struct timeval *ts)
{
    uint64_t h = key_hash(client, addr);
    struct attrib_entry *e = entry_find(t, client, addr, h);
    if (e) {
        ea_chain_free(&e->chain);
        ea_lru_remove(&t->lru, &e->lru);
    } else {
        if (t->n_entries >= t->max_entries && oldest(t)) {
            entry_remove(t, oldest(t));
            t->evicted++;
        }
        e = calloc(1, sizeof(*e));
        if (!e)
            return;
        e->hash = h;
        e->client = *client;
        e->addr = *addr;
        struct attrib_entry **b = &t->buckets[h & (t->n_buckets - 1)];
        e->hnext = *b;
        *b = e;
        t->n_entries++;
    }
    ea_lru_append(&t->lru, &e->lru);
    e->ts = *ts;
    if (!chain_copy(&e->chain, chain))
        e->chain.n_names = 0;
}

static bool name_eq(const struct dns_name *a, const struct dns_name *b)
{
    return a->len == b->len && ea_ascii_ieq(a->s, b->s, a->len);
}

void attrib_add_response(struct attrib *t, const struct ea_addr *client, const struct dns_msg *m,
                         const struct timeval *ts)
{
    if (!m->has_question || m->rcode != DNS_RCODE_NOERROR)
        return;
    /* RFC 1034 §3.6.2: follow CNAMEs from the query name, bounded. */
    const struct dns_name *path[MAX_CHAIN];
    size_t n = 0;
    path[n++] = &m->qname;
    for (bool moved = true; moved && n < MAX_CHAIN;) {
        moved = false;
        for (size_t i = 0; i < m->n_answers; i++) {
            const struct dns_rr *rr = &m->answers[i];
            if (rr->type != DNS_TYPE_CNAME || !name_eq(&rr->owner, path[n - 1]))
                continue;
            bool loop = false;
            for (size_t k = 0; k < n; k++)
                loop |= name_eq(&rr->target, path[k]);
            if (loop)
                break;
            path[n++] = &rr->target;
            moved = true;
            break;
        }
    }
    struct ea_str names[MAX_CHAIN];
    memset(names, 0, sizeof(names));
    for (size_t i = 0; i < m->n_answers; i++) {
        const struct dns_rr *rr = &m->answers[i];
        if (rr->type != DNS_TYPE_A && rr->type != DNS_TYPE_AAAA)
            continue;
        size_t upto = 0;
        while (upto < n && !name_eq(&rr->owner, path[upto]))
            upto++;
        struct ea_chain chain = {.names = names, .n_names = 0};
        if (upto == n) {
            /* An address for a name outside the chain: attribute to its owner. */
            chain.n_names = 1;
            names[0].s = (char *)rr->owner.s;
            names[0].len = rr->owner.len;
        } else {
            for (size_t k = 0; k <= upto; k++) {
                names[k].s = (char *)path[k]->s;
                names[k].len = path[k]->len;
            }
            chain.n_names = upto + 1;
        }
        struct ea_addr addr = {.family = rr->type == DNS_TYPE_A ? 4 : 6};
        memcpy(addr.b, rr->addr, rr->type == DNS_TYPE_A ? 4 : 16);
        struct ea_addr any = {0};
        entry_put(t, client, &addr, &chain, ts);
        entry_put(t, &any, &addr, &chain, ts);
    }
}

bool attrib_lookup(const struct attrib *t, const struct ea_addr *client, const struct ea_addr *addr,
                   struct ea_chain *out)
{
    struct ea_addr any = {0};
    const struct attrib_entry *e = entry_find(t, client, addr, key_hash(client, addr));
    if (!e)
        e = entry_find(t, &any, addr, key_hash(&any, addr));
    if (!e || e->chain.n_names == 0)
        return false;
    return chain_copy(out, &e->chain);
}
