/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * IPv6 fragment reassembly (RFC 8200 §4.5). libnids joins IPv4 fragments;
 * IPv6 has no such help, and a ClientHello larger than the path MTU (a
 * post-quantum key share over a tunnel, say) arrives in fragments. A small
 * table of datagrams being joined, keyed by (source, destination,
 * identification), each with a fill map; bounded in count and by packet
 * time. The datagram handed back is a plain IPv6 header whose Next Header is
 * the fragmentable part's, then that part: the decoder reads it as if it had
 * been captured whole. Per-fragment extension headers are dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"

enum {
    FRAG6_HDR = 40,
    FRAG6_MAX_PAYLOAD = 65535,  /* a datagram's payload length field */
    FRAG6_TIMEOUT_SECONDS = 60, /* RFC 8200 §4.5: 60 s after the first fragment */
};

struct frag6 {
    bool used;
    struct ea_addr src, dst;
    uint32_t id;
    struct timeval first;
    uint8_t next;    /* Next Header of the fragmentable part (from offset 0) */
    bool have_first; /* the offset-0 fragment arrived */
    bool have_last;  /* the fragment without M arrived: total is known */
    uint32_t total;  /* fragmentable bytes, once have_last */
    uint32_t filled; /* distinct bytes filled */
    uint8_t hdr[FRAG6_HDR];
    uint8_t *data; /* FRAG6_MAX_PAYLOAD bytes + a fill map */
    uint8_t *map;  /* one bit per byte */
};

struct frag6_table {
    struct frag6 *slots;
    size_t n;
    uint64_t given_up; /* datagrams dropped unjoined for room */
    uint8_t out[FRAG6_HDR + FRAG6_MAX_PAYLOAD];
};

struct frag6_table *frag6_new(size_t max_datagrams)
{
    struct frag6_table *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->slots = calloc(max_datagrams, sizeof(*t->slots));
    if (!t->slots) {
        free(t);
        return NULL;
    }
    t->n = max_datagrams;
    return t;
}

static void slot_clear(struct frag6 *s)
{
    free(s->data);
    memset(s, 0, sizeof(*s));
}

void frag6_free(struct frag6_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        slot_clear(&t->slots[i]);
    free(t->slots);
    free(t);
}

static bool map_bit(const uint8_t *map, uint32_t i)
{
    return (map[i >> 3] >> (i & 7)) & 1;
}

/* The slot of this datagram, or a free one (the oldest is given up when
 * none is free, as a receiver drops what it cannot hold). */
static struct frag6 *slot_for(struct frag6_table *t, const struct pkt *p, const struct timeval *now)
{
    struct frag6 *free_slot = NULL, *oldest = NULL;
    for (size_t i = 0; i < t->n; i++) {
        struct frag6 *s = &t->slots[i];
        if (s->used && now->tv_sec - s->first.tv_sec > FRAG6_TIMEOUT_SECONDS)
            slot_clear(s);
        if (!s->used) {
            if (!free_slot)
                free_slot = s;
            continue;
        }
        if (s->id == p->frag_id && ea_addr_eq(&s->src, &p->src) && ea_addr_eq(&s->dst, &p->dst))
            return s;
        if (!oldest || timercmp(&s->first, &oldest->first, <))
            oldest = s;
    }
    struct frag6 *s = free_slot ? free_slot : oldest;
    if (!s)
        return NULL;
    if (!free_slot)
        t->given_up++;
    slot_clear(s);
    s->data = malloc(FRAG6_MAX_PAYLOAD + (FRAG6_MAX_PAYLOAD + 7) / 8);
    if (!s->data)
        return NULL;
    s->map = s->data + FRAG6_MAX_PAYLOAD;
    memset(s->map, 0, (FRAG6_MAX_PAYLOAD + 7) / 8);
    s->used = true;
    s->src = p->src;
    s->dst = p->dst;
    s->id = p->frag_id;
    s->first = *now;
    return s;
}

size_t frag6_packet(struct frag6_table *t, const struct pkt *p, const struct timeval *now,
                    const uint8_t **out_whole, bool *out_overlap)
{
    *out_overlap = false;
    if (!t || !p->fragment || p->ipver != 6 || p->ip_caplen < FRAG6_HDR)
        return 0;
    /* RFC 8200 §4.5: every fragment but the last is a multiple of 8 bytes. */
    if (p->frag_more && (p->payload_wire_len == 0 || p->payload_wire_len % 8 != 0))
        return 0;
    uint32_t off = p->frag_off;
    uint32_t n = (uint32_t)p->payload_len; /* what the capture kept */
    if (p->payload_wire_len > FRAG6_MAX_PAYLOAD - 8 ||
        off > FRAG6_MAX_PAYLOAD - 8 - (uint32_t)p->payload_wire_len)
        return 0; /* RFC 8200 §4.5: past 65535 bytes: discard */
    struct frag6 *s = slot_for(t, p, now);
    if (!s)
        return 0;
    if (off == 0) {
        memcpy(s->hdr, p->ip, FRAG6_HDR);
        s->next = p->frag_next;
        s->have_first = true;
    }
    if (!p->frag_more) {
        uint32_t end = off + (uint32_t)p->payload_wire_len;
        if (s->have_last && end != s->total) {
            slot_clear(s); /* two different ends: not one datagram */
            return 0;
        }
        s->have_last = true;
        s->total = end;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t at = off + i;
        if (map_bit(s->map, at)) {
            /* RFC 5722: overlapping fragments drop the datagram; we keep the
             * first copy, as our TCP reassembly does, and say so. */
            if (s->data[at] != p->payload[i])
                *out_overlap = true;
            continue;
        }
        s->data[at] = p->payload[i];
        s->map[at >> 3] = (uint8_t)(s->map[at >> 3] | (1u << (at & 7)));
        s->filled++;
    }
    if (!s->have_first || !s->have_last || s->filled < s->total)
        return 0;
    for (uint32_t i = 0; i < s->total; i++)
        if (!map_bit(s->map, i))
            return 0; /* bytes past the end were counted: a hole remains */
    /* Whole: a plain header with the fragmentable part's Next Header. A
     * fragment cut by the snaplen leaves a hole and never completes. */
    uint8_t *o = t->out;
    memcpy(o, s->hdr, FRAG6_HDR);
    o[4] = (uint8_t)(s->total >> 8);
    o[5] = (uint8_t)s->total;
    o[6] = s->next;
    memcpy(o + FRAG6_HDR, s->data, s->total);
    size_t len = FRAG6_HDR + (size_t)s->total;
    slot_clear(s);
    *out_whole = o;
    return len;
}

uint64_t frag6_given_up(const struct frag6_table *t)
{
    return t ? t->given_up : 0;
}
