/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The flow table: a chained hash keyed by the unordered 5-tuple, and a
 * list by last packet time so that idle flows are evicted by packet time. */
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"

static uint64_t mix(uint64_t h, uint64_t v)
{
    /* splitmix64 finaliser over a running sum */
    h += v + 0x9e3779b97f4a7c15ULL;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

static uint64_t addr_hash(const struct ea_addr *a, uint16_t port)
{
    uint64_t w0 = 0, w1 = 0;
    memcpy(&w0, a->b, 8);
    memcpy(&w1, a->b + 8, 8);
    return mix(mix(mix(0, w0), w1), (uint64_t)a->family << 16 | port);
}

/* Symmetric: the same for both directions of a flow. */
uint64_t flow_tuple_hash(const struct ea_addr *s, const struct ea_addr *d, uint16_t sp, uint16_t dp,
                         uint8_t proto)
{
    uint64_t a = addr_hash(s, sp), b = addr_hash(d, dp);
    return mix(a ^ b, (a + b) ^ proto);
}

unsigned flow_shard(uint64_t hash, unsigned n)
{
    return n > 1 ? (unsigned)((hash >> 32) % n) : 0;
}

bool flow_table_init(struct flow_table *t, size_t max_flows)
{
    memset(t, 0, sizeof(*t));
    t->max_flows = max_flows;
    t->n_buckets = 1024;
    while (t->n_buckets < t->max_flows && t->n_buckets < ((size_t)1 << 22))
        t->n_buckets <<= 1;
    t->buckets = calloc(t->n_buckets, sizeof(*t->buckets));
    return t->buckets != NULL;
}

void flow_table_finish(struct flow_table *t)
{
    /* Flows are ended and freed by the driver before this. */
    free(t->buckets);
    memset(t, 0, sizeof(*t));
}

struct flow *flow_table_find(struct flow_table *t, const struct ea_addr *src,
                             const struct ea_addr *dst, uint16_t sport, uint16_t dport,
                             uint8_t proto, int *out_dir)
{
    uint64_t h = flow_tuple_hash(src, dst, sport, dport, proto);
    for (struct flow *f = t->buckets[h & (t->n_buckets - 1)]; f; f = f->hnext) {
        if (f->hash != h || f->proto != proto)
            continue;
        if (f->cport == sport && f->sport == dport && ea_addr_eq(&f->cli, src) &&
            ea_addr_eq(&f->srv, dst)) {
            *out_dir = DIR_C2S;
            return f;
        }
        if (f->cport == dport && f->sport == sport && ea_addr_eq(&f->cli, dst) &&
            ea_addr_eq(&f->srv, src)) {
            *out_dir = DIR_S2C;
            return f;
        }
    }
    return NULL;
}

struct flow *flow_table_insert(struct flow_table *t, const struct ea_addr *src,
                               const struct ea_addr *dst, uint16_t sport, uint16_t dport,
                               uint8_t proto)
{
    struct flow *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->cli = *src;
    f->srv = *dst;
    f->cport = sport;
    f->sport = dport;
    f->proto = proto;
    f->hash = flow_tuple_hash(src, dst, sport, dport, proto);
    struct flow **b = &t->buckets[f->hash & (t->n_buckets - 1)];
    f->hnext = *b;
    *b = f;
    ea_lru_append(&t->lru, &f->lru);
    t->n_flows++;
    return f;
}

void flow_table_touch(struct flow_table *t, struct flow *f)
{
    ea_lru_touch(&t->lru, &f->lru);
}

void flow_table_unlink(struct flow_table *t, struct flow *f)
{
    struct flow **p = &t->buckets[f->hash & (t->n_buckets - 1)];
    while (*p && *p != f)
        p = &(*p)->hnext;
    if (*p)
        *p = f->hnext;
    ea_lru_remove(&t->lru, &f->lru);
    t->n_flows--;
}

struct flow *flow_table_oldest(const struct flow_table *t)
{
    return t->lru.head ? EA_LRU_ENTRY(t->lru.head, struct flow, lru) : NULL;
}
