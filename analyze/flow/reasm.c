/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reassembly of the first bytes of each TCP direction, delivered in order to
 * the stream sink (stream.c).
 *  - IPv4 flows whose SYN we saw: libnids, fed bare IPv4 through a
 *    pcap_open_dead(DLT_RAW) descriptor after our own link decoding (so every
 *    link type we decode works). libnids also defragments IPv4; datagrams it
 *    completes from fragments are handed back to the caller (track.c).
 *  - IPv6 flows and flows that began before the capture: our own bounded
 *    reassembly below (libnids has no IPv6 and starts streams only at a SYN).
 * The only file that includes nids.h (which pulls in pcap.h).
 */
#include <arpa/inet.h>
#include <nids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"

static struct analyzer *g_an; /* libnids is global state: one run per process */
static bool g_feeding_fragment;
static bool g_feed_ours; /* analyze -j: the packet being fed is this shard's to count */
/* A datagram that defragmentation completed, kept until libnids returns:
 * handling it may feed libnids again, which must not happen re-entrantly. */
static uint8_t g_defragged[65535 + 64];
static size_t g_defragged_len;

/* ---- libnids ---- */

/* libnids keeps this pointer: it must outlive the run (PITFALLS.md). */
static struct nids_chksum_ctl no_checksums[1] = {{0, 0, NIDS_DONT_CHKSUM, 0}};

/* analyze -j: a TCP complaint is the shard's that owns its flow (libnids
 * may meet another shard's flow in a datagram it defragmented itself); any
 * other is about a fragment or a packet every shard or only its owner fed. */
static bool warning_ours(int type, const struct ip *iph, const void *data)
{
    struct analyzer *a = g_an;
    if (a->n_shards < 2)
        return true;
    if (type != NIDS_WARN_TCP || !iph || !data)
        return g_feed_ours;
    const uint8_t *th = data; /* the TCP header libnids read: the ports first */
    struct ea_addr src = {.family = 4}, dst = {.family = 4};
    memcpy(src.b, &iph->ip_src, 4);
    memcpy(dst.b, &iph->ip_dst, 4);
    uint16_t sport = (uint16_t)(th[0] << 8 | th[1]), dport = (uint16_t)(th[2] << 8 | th[3]);
    uint64_t h = flow_tuple_hash(&src, &dst, sport, dport, EA_TCP);
    return flow_shard(h, a->n_shards) == a->shard;
}

static void nids_warning(int type, int err, struct ip *iph, void *data)
{
    (void)err;
    if (g_an && warning_ours(type, iph, data))
        g_an->report->counters[EA_C_REASM_WARNINGS]++;
}

static void nids_out_of_memory(char *where)
{
    fprintf(stderr, "egress-audit: out of memory in libnids (%s)\n", where ? where : "?");
    exit(3);
}

static struct flow *flow_of_stream(struct analyzer *a, const struct tcp_stream *ts)
{
    struct ea_addr cli = {.family = 4}, srv = {.family = 4};
    int dir;
    memcpy(cli.b, &ts->addr.saddr, 4);
    memcpy(srv.b, &ts->addr.daddr, 4);
    struct flow *f =
        flow_table_find(&a->flows, &cli, &srv, ts->addr.source, ts->addr.dest, EA_TCP, &dir);
    if (!f || dir != DIR_C2S || !f->via_nids || !f->inspect)
        return NULL;
    /* A reused port: libnids' stream may still be the earlier connection's. */
    if (f->have_isn[DIR_C2S] && ts->client.first_data_seq != f->isn[DIR_C2S] + 1)
        return NULL;
    return f;
}

static void nids_tcp(struct tcp_stream *ts, void **param)
{
    (void)param;
    struct analyzer *a = g_an;
    struct flow *f = a ? flow_of_stream(a, ts) : NULL;
    if (ts->nids_state == NIDS_JUST_EST) {
        if (!f)
            return;
        /* server.collect: data the server receives (client to server) */
        if (stream_wants(f, DIR_C2S))
            ts->server.collect++;
        if (stream_wants(f, DIR_S2C))
            ts->client.collect++;
        return;
    }
    if (ts->nids_state != NIDS_DATA)
        return; /* close, reset, timeout, exit: our flow table tracks those */
    struct half_stream *half[2] = {&ts->server, &ts->client};
    for (int dir = 0; dir < 2; dir++) {
        struct half_stream *h = half[dir];
        if (!h->collect || h->count_new == 0)
            continue;
        if (f && h->offset == 0 && h->count >= 0)
            stream_feed(a, f, dir, (const uint8_t *)h->data, (size_t)h->count);
        if (!f || h->offset != 0 || !stream_wants(f, dir)) {
            h->collect--; /* lowered, never freed here: libnids frees the stream */
            continue;
        }
        nids_discard(ts, 0); /* keep the bytes: the hello may span segments */
    }
    if (f && !stream_wants(f, DIR_C2S) && !stream_wants(f, DIR_S2C))
        f->nids_done = true;
}

static void nids_ip(struct ip *iph, int len)
{
    /* len is libnids' buffer accounting (it counts sk_buff overhead), not
     * the datagram's length: the reassembled header's total length is. */
    (void)len;
    if (!g_feeding_fragment)
        return;
    size_t total = ntohs(iph->ip_len);
    if (total >= sizeof(struct ip) && total <= sizeof(g_defragged)) {
        memcpy(g_defragged, iph, total);
        g_defragged_len = total;
    }
}

bool reasm_init(struct analyzer *a, char *err, size_t errlen)
{
    static pcap_t *dead; /* kept for the process: libnids holds it */
    if (!dead)
        dead = pcap_open_dead(DLT_RAW, 262144);
    if (!dead) {
        snprintf(err, errlen, "cannot set up libnids: pcap_open_dead failed");
        return false;
    }
    g_an = a;
    nids_params.pcap_desc = dead;
    nids_params.filename = NULL;
    nids_params.device = NULL;
    nids_params.pcap_filter = NULL;
    nids_params.scan_num_hosts = 0; /* port-scan detection: wall clock, leaks, OOB read */
    nids_params.syslog = nids_warning;
    nids_params.no_mem = nids_out_of_memory;
    nids_params.n_tcp_streams = 16384;
    nids_params.multiproc = 0;
    nids_params.dev_addon = 0;
    if (!nids_init()) {
        snprintf(err, errlen, "cannot set up libnids: %s", nids_errbuf);
        return false;
    }
    nids_register_chksum_ctl(no_checksums, 1);
    /* nids.h declares the callbacks as void pointers (`void (*)`). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
    nids_register_tcp(nids_tcp);
    nids_register_ip(nids_ip);
#pragma GCC diagnostic pop
    return true;
}

void reasm_finish(struct analyzer *a)
{
    (void)a;
    /* nids_exit() frees only the head of its IP callback list, and none of
     * the TCP one: take ours off first so nothing leaks. Streams keep their
     * own listener lists, so NIDS_EXITING still reaches nids_tcp. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
    nids_unregister_ip(nids_ip);
    nids_exit();
    nids_unregister_tcp(nids_tcp);
#pragma GCC diagnostic pop
    g_an = NULL;
}

size_t reasm_nids_packet(struct analyzer *a, const struct pkt *p, const struct timeval *ts,
                         const uint8_t **out_whole)
{
    struct pcap_pkthdr h;
    /* A fragment: every shard feeds it, shard 0 counts; a TCP segment: fed
     * by the shards that read its flow, counted by the one that reports it. */
    g_feed_ours = p->fragment
                      ? a->global_here
                      : flow_shard(flow_tuple_hash(&p->src, &p->dst, p->sport, p->dport, EA_TCP),
                                   a->n_shards) == a->shard;
    h.ts = *ts;
    h.caplen = (bpf_u_int32)p->ip_caplen;
    h.len = (bpf_u_int32)p->ip_len;
    g_feeding_fragment = p->fragment;
    g_defragged_len = 0;
    /* libnids does not write into the packet; its API lacks const. */
    nids_pcap_handler(NULL, &h, (u_char *)(uintptr_t)p->ip);
    g_feeding_fragment = false;
    size_t n = g_defragged_len;
    g_defragged_len = 0;
    if (!n || !out_whole)
        return 0;
    *out_whole = g_defragged;
    return n;
}

/* ---- our own reassembly ---- */

/* Every IPv4 flow whose stream libnids has not finished now has one of
 * these per direction, so it grows with the bytes it holds (from
 * OWN_FIRST_SIZE, doubling, up to the cutoff) instead of taking the cutoff
 * at once. */
enum { OWN_FIRST_SIZE = 2048 };

struct own_reasm {
    uint32_t base;   /* sequence number of stream byte 0 */
    uint32_t prefix; /* contiguous bytes from 0 */
    uint32_t cap;    /* the most it may hold: the cutoff */
    uint32_t size;   /* bytes allocated in buf (a multiple of 8) */
    bool beyond;     /* bytes past the prefix are waiting (a gap) */
    uint8_t *buf;
    uint8_t *map; /* one bit per byte of buf: filled */
};

static bool bit(const uint8_t *map, uint32_t i)
{
    return map[i >> 3] & (1u << (i & 7));
}

/* Room for bytes [0, end); false on ENOMEM (nothing changed). */
static bool own_grow(struct own_reasm *o, uint32_t end)
{
    if (end <= o->size)
        return true;
    uint32_t size = o->size ? o->size : OWN_FIRST_SIZE;
    while (size < end)
        size = size > o->cap / 2 ? o->cap : size * 2;
    size = (size + 7) & ~7u;
    uint8_t *buf = realloc(o->buf, size);
    if (!buf)
        return false;
    o->buf = buf;
    uint8_t *map = realloc(o->map, size / 8);
    if (!map)
        return false;
    memset(map + o->size / 8, 0, (size - o->size) / 8);
    o->map = map;
    o->size = size;
    return true;
}

void reasm_own_segment(struct analyzer *a, struct flow *f, int dir, const struct pkt *p)
{
    struct stream_dir *d = &f->dir[dir];
    if (d->done || p->payload_len == 0)
        return;
    /* RFC 9293 §3.4: a SYN takes one sequence number; its data (TCP Fast
     * Open, RFC 7413) starts after it. */
    uint32_t seq = p->seq + ((p->tcp_flags & TCP_SYN) ? 1u : 0u);
    if (!d->own) {
        uint32_t cap = (uint32_t)a->cutoff;
        struct own_reasm *o = calloc(1, sizeof(*o));
        if (!o) {
            a->failed = true;
            return;
        }
        o->cap = cap;
        /* Byte 0 follows the SYN; without one (mid-stream), start here. */
        o->base = f->have_isn[dir] ? f->isn[dir] + 1 : seq;
        d->own = o;
    }
    struct own_reasm *o = d->own;
    uint32_t rel = seq - o->base; /* modulo 2^32 */
    size_t n = p->payload_len;
    size_t skip = 0;
    if (rel > 0x7fffffffu) {
        /* Starts before byte 0 (retransmitted SYN data, or a wrong guess). */
        uint32_t before = o->base - seq;
        if (before >= n)
            return;
        skip = before;
        rel = 0;
    }
    if (rel >= o->cap) {
        d->lost = true; /* past what we keep, before the sink was done */
        return;
    }
    size_t room = o->cap - rel;
    size_t take = n - skip < room ? n - skip : room;
    if (!own_grow(o, rel + (uint32_t)take)) {
        a->failed = true;
        return;
    }
    const uint8_t *src = p->payload + skip;
    for (size_t i = 0; i < take; i++) {
        uint32_t at = rel + (uint32_t)i;
        if (bit(o->map, at))
            continue; /* first copy wins, as the receiver would keep it */
        o->buf[at] = src[i];
        o->map[at >> 3] = (uint8_t)(o->map[at >> 3] | (1u << (at & 7)));
    }
    uint32_t old = o->prefix;
    while (o->prefix < o->size && bit(o->map, o->prefix))
        o->prefix++;
    o->beyond = rel + take > o->prefix;
    if (o->prefix > old)
        stream_feed(a, f, dir, o->buf, o->prefix);
    if (d->done)
        reasm_own_free_dir(d);
}

void reasm_own_free_dir(struct stream_dir *d)
{
    if (d->own) {
        free(d->own->buf);
        free(d->own->map);
    }
    free(d->own);
    d->own = NULL;
}

void reasm_own_end(struct analyzer *a, struct flow *f)
{
    for (int dir = 0; dir < 2; dir++) {
        struct stream_dir *d = &f->dir[dir];
        if (d->own && !d->done) {
            if (d->own->beyond)
                d->lost = true;
            stream_end(a, f, dir, d->own->buf, d->own->prefix);
        }
    }
    reasm_own_free(f);
}

void reasm_own_free(struct flow *f)
{
    for (int dir = 0; dir < 2; dir++) {
        if (f->dir[dir].own && !f->dir[dir].done && f->dir[dir].own->beyond)
            f->flags |= EA_CF_REASM_GAP;
        reasm_own_free_dir(&f->dir[dir]);
    }
}
