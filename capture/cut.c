/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The per-connection cutoff of a live capture (cut.h). */
#include "cut.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "hash.h"

/* One connection, both directions: side 0 is the lower (address, port). */
struct cut_flow {
    struct cut_flow *hnext;
    struct ea_lru_node lru;
    uint64_t hash;
    struct ea_addr addr[2];
    uint16_t port[2];
    uint8_t proto;
    bool fin[2], rst;
    time_t last; /* seconds of the latest packet */
    uint64_t payload[2];
};

bool cut_init(struct cut_table *t, uint64_t cutoff, bool headers, size_t max_flows,
              enum link_kind link)
{
    memset(t, 0, sizeof *t);
    t->cutoff = cutoff;
    t->headers = headers;
    t->link = link;
    t->max_flows = max_flows ? max_flows : CUT_DEFAULT_MAX_FLOWS;
    if (!cutoff)
        return true;
    size_t n = 64;
    while (n < t->max_flows && n < ((size_t)1 << 30))
        n <<= 1;
    t->buckets = calloc(n, sizeof *t->buckets);
    if (!t->buckets)
        return false;
    t->n_buckets = n;
    return true;
}

static void flow_unlink(struct cut_table *t, struct cut_flow *f)
{
    struct cut_flow **pp = &t->buckets[f->hash & (t->n_buckets - 1)];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    ea_lru_remove(&t->lru, &f->lru);
    t->n_flows--;
    free(f);
}

void cut_finish(struct cut_table *t)
{
    while (t->lru.head)
        flow_unlink(t, EA_LRU_ENTRY(t->lru.head, struct cut_flow, lru));
    free(t->buckets);
    memset(t, 0, sizeof *t);
}

/* Which endpoint sorts first: the flow's side 0. */
static int endpoint_cmp(const struct ea_addr *a, uint16_t pa, const struct ea_addr *b, uint16_t pb)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    int c = memcmp(a->b, b->b, ea_addr_size(a));
    if (c)
        return c;
    return pa == pb ? 0 : pa < pb ? -1 : 1;
}

static uint64_t flow_hash(const struct ea_addr *a0, uint16_t p0, const struct ea_addr *a1,
                          uint16_t p1, uint8_t proto)
{
    uint64_t h = ea_hash_byte(EA_FNV_OFFSET, proto);
    h = ea_hash_bytes(h, a0->b, ea_addr_size(a0));
    h = ea_hash_u64(h, p0);
    h = ea_hash_bytes(h, a1->b, ea_addr_size(a1));
    return ea_hash_u64(h, p1);
}

static bool flow_closed(const struct cut_flow *f)
{
    return f->rst || (f->fin[0] && f->fin[1]);
}

/* Flows idle by packet time go first, oldest first. */
static void evict_idle(struct cut_table *t, time_t now)
{
    while (t->lru.head) {
        struct cut_flow *f = EA_LRU_ENTRY(t->lru.head, struct cut_flow, lru);
        time_t idle = f->proto == DECODE_PROTO_TCP && !flow_closed(f) ? CUT_TCP_IDLE_SECONDS
                                                                      : CUT_CLOSED_IDLE_SECONDS;
        if (now - f->last <= idle)
            return;
        flow_unlink(t, f);
    }
}

/* The flow of a packet, made on first sight; *out_side is the sender's
 * side. NULL only on ENOMEM. */
static struct cut_flow *flow_get(struct cut_table *t, const struct pkt *p, int *out_side)
{
    bool src_first = endpoint_cmp(&p->src, p->sport, &p->dst, p->dport) <= 0;
    const struct ea_addr *a0 = src_first ? &p->src : &p->dst;
    const struct ea_addr *a1 = src_first ? &p->dst : &p->src;
    uint16_t p0 = src_first ? p->sport : p->dport;
    uint16_t p1 = src_first ? p->dport : p->sport;
    uint64_t h = flow_hash(a0, p0, a1, p1, p->proto);
    *out_side = src_first ? 0 : 1;
    struct cut_flow **bucket = &t->buckets[h & (t->n_buckets - 1)];
    for (struct cut_flow *f = *bucket; f; f = f->hnext)
        if (f->hash == h && f->proto == p->proto && f->port[0] == p0 && f->port[1] == p1 &&
            ea_addr_eq(&f->addr[0], a0) && ea_addr_eq(&f->addr[1], a1))
            return f;
    if (t->n_flows >= t->max_flows && t->lru.head) {
        flow_unlink(t, EA_LRU_ENTRY(t->lru.head, struct cut_flow, lru));
        t->evicted++;
    }
    struct cut_flow *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->hash = h;
    f->addr[0] = *a0;
    f->addr[1] = *a1;
    f->port[0] = p0;
    f->port[1] = p1;
    f->proto = p->proto;
    f->hnext = *bucket;
    *bucket = f;
    ea_lru_append(&t->lru, &f->lru);
    t->n_flows++;
    return f;
}

enum cut_action cut_frame(struct cut_table *t, const struct timeval *ts, const uint8_t *frame,
                          size_t caplen, size_t *out_keep)
{
    *out_keep = caplen;
    if (!t->cutoff)
        return CUT_WHOLE;
    evict_idle(t, ts->tv_sec);
    struct pkt p;
    if (decode_frame(t->link, frame, caplen, &p) != DECODE_OK)
        return CUT_WHOLE; /* not TCP/UDP, a fragment, or cut: rare, and written as is */
    if (p.sport == 53 || p.dport == 53)
        return CUT_WHOLE; /* DNS, over UDP or TCP: always whole */
    int side;
    struct cut_flow *f = flow_get(t, &p, &side);
    if (!f)
        return CUT_WHOLE;
    bool tcp = p.proto == DECODE_PROTO_TCP;
    bool control = tcp && (p.tcp_flags & (TCP_SYN | TCP_FIN | TCP_RST));
    /* A new SYN on a finished 4-tuple is a new connection: count afresh. */
    if (tcp && (p.tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && flow_closed(f)) {
        f->payload[0] = f->payload[1] = 0;
        f->fin[0] = f->fin[1] = f->rst = false;
    }
    if (tcp && (p.tcp_flags & TCP_FIN))
        f->fin[side] = true;
    if (tcp && (p.tcp_flags & TCP_RST))
        f->rst = true;
    f->last = ts->tv_sec;
    ea_lru_touch(&t->lru, &f->lru);
    /* Data counts against its own direction; an empty segment (an ACK)
     * follows the direction it acknowledges. */
    uint64_t before = p.payload_wire_len ? f->payload[side] : f->payload[!side];
    if (f->payload[side] <= UINT64_MAX - p.payload_wire_len)
        f->payload[side] += p.payload_wire_len;
    if (before < t->cutoff)
        return CUT_WHOLE;
    size_t headers = p.payload ? (size_t)(p.payload - frame) : caplen;
    if (headers > caplen)
        headers = caplen;
    if (control || t->headers) {
        if (p.payload_wire_len == 0 || headers == caplen)
            return CUT_WHOLE; /* nothing past the headers but padding */
        *out_keep = headers;
        return CUT_HEADERS;
    }
    *out_keep = 0;
    return CUT_DROP;
}
