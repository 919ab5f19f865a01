/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Several runs: the union of reports (egress-audit report A.json B.json),
 * and what changed from an older report (--diff OLD.json). Both work on
 * whole report models (read back by report_read.c), host by host, and keep
 * the model's own rules: hosts are one per (name, or address; port;
 * transport), names compared without ASCII case, the earliest spelling kept.
 */
#include "model.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "hash.h"

static const char *str_or_empty(const struct ea_str *s)
{
    return s->s ? s->s : "";
}

static bool copy_str(struct ea_str *dst, const struct ea_str *src)
{
    return ea_str_set(dst, str_or_empty(src), src->len);
}

static int cmp_tv(const struct timeval *a, const struct timeval *b)
{
    if (a->tv_sec != b->tv_sec)
        return a->tv_sec < b->tv_sec ? -1 : 1;
    if (a->tv_usec != b->tv_usec)
        return a->tv_usec < b->tv_usec ? -1 : 1;
    return 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint32_t sat_add32(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/* ---- an index of hosts by (named, key without case, port, transport) ---- */

struct host_map {
    size_t *slots; /* host index + 1; 0: empty */
    size_t mask;
};

static uint64_t host_key_hash(bool named, const struct ea_str *key, uint16_t port,
                              enum ea_transport t)
{
    uint64_t h = ea_hash_u64(EA_FNV_OFFSET, (uint64_t)named << 40 | (uint64_t)t << 16 | port);
    return ea_hash_bytes_ci(h, str_or_empty(key), key->len);
}

static bool same_host(const struct ea_host *h, bool named, const struct ea_str *key, uint16_t port,
                      enum ea_transport t)
{
    return h->named == named && h->port == port && h->transport == t && h->key.len == key->len &&
           ea_ascii_ieq(str_or_empty(&h->key), str_or_empty(key), key->len);
}

static bool host_map_init(struct host_map *m, size_t n)
{
    size_t slots = 16;
    while (slots < 2 * n && slots < SIZE_MAX / 4)
        slots *= 2;
    m->slots = calloc(slots, sizeof *m->slots);
    m->mask = slots - 1;
    return m->slots != NULL;
}

/* The slot for (named, key, port, t) among hosts: its own, or the empty one
 * where it would go. */
static size_t *host_map_slot(const struct host_map *m, const struct ea_host *hosts, bool named,
                             const struct ea_str *key, uint16_t port, enum ea_transport t)
{
    for (size_t at = host_key_hash(named, key, port, t) & m->mask;; at = (at + 1) & m->mask) {
        size_t *slot = &m->slots[at];
        if (!*slot || same_host(&hosts[*slot - 1], named, key, port, t))
            return slot;
    }
}

/* ---- the union ---- */

static bool add_strs_ci(struct ea_str **v, size_t *n, const struct ea_str *s)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].len == s->len && ea_ascii_ieq(str_or_empty(&(*v)[i]), str_or_empty(s), s->len))
            return true;
    if (*n >= EA_HOST_MAX_ADDRS)
        return true; /* bounded, as a host counted from a capture */
    struct ea_str *nv = realloc(*v, (*n + 1) * sizeof **v);
    if (!nv)
        return false;
    *v = nv;
    memset(&nv[*n], 0, sizeof nv[*n]);
    if (!copy_str(&nv[*n], s))
        return false;
    (*n)++;
    return true;
}

static bool add_run(struct ea_host *h, uint32_t run)
{
    for (size_t i = 0; i < h->n_runs; i++)
        if (h->runs[i] == run)
            return true;
    uint32_t *v = realloc(h->runs, (h->n_runs + 1) * sizeof *v);
    if (!v)
        return false;
    h->runs = v;
    /* runs arrive in order, but a union of unions may interleave: keep it sorted */
    size_t at = h->n_runs;
    while (at > 0 && v[at - 1] > run) {
        v[at] = v[at - 1];
        at--;
    }
    v[at] = run;
    h->n_runs++;
    return true;
}

/* The run of src's host or connection numbered in src (0 for a single report). */
static uint32_t run_of(const struct ea_report *src, uint32_t base, uint32_t run_in_src)
{
    return base + (src->n_runs ? run_in_src : 0);
}

/* s's counts added to h (saturating), its addresses and resolved names
 * merged in (bounded, without case); false on ENOMEM. */
static bool add_host_counts(struct ea_host *h, const struct ea_host *s)
{
    h->n_conns = h->n_conns > SIZE_MAX - s->n_conns ? SIZE_MAX : h->n_conns + s->n_conns;
    for (unsigned o = 0; o < EA_OUT__COUNT; o++)
        h->outcomes[o] = sat_add32(h->outcomes[o], s->outcomes[o]);
    h->flags |= s->flags;
    h->bytes_out = sat_add(h->bytes_out, s->bytes_out);
    h->bytes_in = sat_add(h->bytes_in, s->bytes_in);
    for (size_t i = 0; i < s->n_addrs; i++)
        if (!add_strs_ci(&h->addrs, &h->n_addrs, &s->addrs[i]))
            return false;
    for (size_t i = 0; i < s->n_resolved_as; i++)
        if (!add_strs_ci(&h->resolved_as, &h->n_resolved_as, &s->resolved_as[i]))
            return false;
    return true;
}

static bool merge_host(struct ea_report *dst, struct host_map *map, const struct ea_report *src,
                       const struct ea_host *s, uint32_t base)
{
    size_t *slot = host_map_slot(map, dst->hosts, s->named, &s->key, s->port, s->transport);
    struct ea_host *h;
    if (*slot) {
        h = &dst->hosts[*slot - 1];
        if (cmp_tv(&s->first, &h->first) < 0) { /* the earliest spelling and name source */
            h->first = s->first;
            h->name_source = s->name_source;
            if (!copy_str(&h->key, &s->key))
                return false;
        }
        if (cmp_tv(&s->last, &h->last) > 0)
            h->last = s->last;
    } else {
        size_t max = dst->max_hosts ? dst->max_hosts : EA_DEFAULT_MAX_HOSTS;
        if (dst->n_hosts >= max) {
            dst->counters[EA_C_HOSTS_NOT_LISTED] =
                sat_add(dst->counters[EA_C_HOSTS_NOT_LISTED], s->n_conns);
            return true;
        }
        h = ea_report_add_host(dst);
        if (!h || !copy_str(&h->key, &s->key))
            return false;
        h->named = s->named;
        h->name_source = s->name_source;
        h->port = s->port;
        h->transport = s->transport;
        h->first = s->first;
        h->last = s->last;
        if (s->service) { /* the catalog describes it again after the union anyway */
            struct ea_service *sv = ea_host_service(h);
            if (!sv || !copy_str(&sv->name, &s->service->name) ||
                !copy_str(&sv->role, &s->service->role) ||
                !copy_str(&sv->source, &s->service->source))
                return false;
        }
        *slot = dst->n_hosts;
    }
    if (!add_host_counts(h, s))
        return false;
    if (src->n_runs) {
        for (size_t i = 0; i < s->n_runs; i++)
            if (!add_run(h, run_of(src, base, s->runs[i])))
                return false;
    } else if (!add_run(h, base)) {
        return false;
    }
    return true;
}

static bool copy_conn(struct ea_report *dst, const struct ea_report *src, const struct ea_conn *s,
                      uint32_t base)
{
    struct ea_conn *c = ea_report_add_conn(dst);
    if (!c)
        return false;
    /* the scalars, then each string and the chain as copies of their own */
    *c = *s;
    c->name = (struct ea_str){0};
    c->alpn = (struct ea_str){0};
    c->http_method = (struct ea_str){0};
    c->resolved = (struct ea_chain){0};
    c->inner_name = (struct ea_str){0};
    c->server_alpn = (struct ea_str){0};
    c->ja4 = (struct ea_str){0};
    c->cert_names = NULL;
    c->n_cert_names = 0;
    c->verdict = EA_V_NONE; /* the union is judged again */
    c->rule = -1;
    c->verdict_why = EA_VW_NONE;
    c->host = EA_NO_HOST;
    c->run = run_of(src, base, s->run);
    if ((s->name.len && !copy_str(&c->name, &s->name)) ||
        (s->alpn.len && !copy_str(&c->alpn, &s->alpn)) ||
        (s->http_method.len && !copy_str(&c->http_method, &s->http_method)) ||
        (s->inner_name.len && !copy_str(&c->inner_name, &s->inner_name)) ||
        (s->server_alpn.len && !copy_str(&c->server_alpn, &s->server_alpn)) ||
        (s->ja4.len && !copy_str(&c->ja4, &s->ja4)))
        return false;
    if (s->n_cert_names) {
        c->cert_names = calloc(s->n_cert_names, sizeof *c->cert_names);
        if (!c->cert_names)
            return false;
        for (size_t i = 0; i < s->n_cert_names; i++) {
            if (!copy_str(&c->cert_names[i], &s->cert_names[i]))
                return false;
            c->n_cert_names++;
        }
    }
    if (s->has_resolved && s->resolved.n_names) {
        c->resolved.names = calloc(s->resolved.n_names, sizeof *c->resolved.names);
        if (!c->resolved.names)
            return false;
        for (size_t i = 0; i < s->resolved.n_names; i++) {
            if (!copy_str(&c->resolved.names[i], &s->resolved.names[i]))
                return false;
            c->resolved.n_names++;
        }
    }
    return true;
}

static bool merge_dns(struct ea_report *dst, const struct ea_dns *s)
{
    bool full;
    struct ea_dns *d =
        ea_report_dns_entry(dst, str_or_empty(&s->qname), s->qname.len, s->qtype, &s->first, &full);
    if (!d && full) {
        uint64_t n = (uint64_t)s->n_queries + s->n_responses;
        dst->counters[EA_C_DNS_NOT_LISTED] = sat_add(dst->counters[EA_C_DNS_NOT_LISTED], n);
        return true;
    }
    if (!d)
        return false;
    bool fresh = d->n_queries == 0 && d->n_responses == 0 && d->n_answers == 0;
    /* the rcode of the latest response */
    if (s->rcode >= 0 && (d->rcode < 0 || cmp_tv(&s->last, &d->last) >= 0))
        d->rcode = s->rcode;
    if (fresh || cmp_tv(&s->first, &d->first) < 0)
        d->first = s->first;
    if (fresh || cmp_tv(&s->last, &d->last) > 0)
        d->last = s->last;
    d->n_queries = sat_add32(d->n_queries, s->n_queries);
    d->n_responses = sat_add32(d->n_responses, s->n_responses);
    d->over_tcp |= s->over_tcp;
    d->over_udp |= s->over_udp;
    d->answers_dropped |= s->answers_dropped;
    d->local |= s->local;
    if (!d->port)
        d->port = s->port;
    for (size_t i = 0; i < s->n_answers; i++) {
        const struct ea_dns_answer *a = &s->answers[i];
        if (!ea_dns_add_answer(d, a->type, str_or_empty(&a->owner), a->owner.len,
                               str_or_empty(&a->data), a->data.len, a->ttl))
            return false;
    }
    return true;
}

static bool add_run_entry(struct ea_report *dst, const struct ea_str *path, size_t first_input,
                          size_t n_inputs)
{
    struct ea_run *v = realloc(dst->runs, (dst->n_runs + 1) * sizeof *v);
    if (!v)
        return false;
    dst->runs = v;
    struct ea_run *run = &v[dst->n_runs];
    memset(run, 0, sizeof *run);
    if (!copy_str(&run->path, path))
        return false;
    run->first_input = first_input;
    run->n_inputs = n_inputs;
    dst->n_runs++;
    return true;
}

/* A copy of input s as dst's next input (with its command-line position
 * when position is set: the shards of one run share it). */
static bool copy_input(struct ea_report *dst, const struct ea_input *s, bool position)
{
    struct ea_input *in = ea_report_add_input(dst);
    if (!in)
        return false;
    in->linktype = s->linktype;
    in->packets = s->packets;
    in->truncated = s->truncated;
    in->truncated_offset = s->truncated_offset;
    if (position)
        in->given_position = s->given_position;
    return copy_str(&in->path, &s->path) &&
           (!s->linktype_name.len || copy_str(&in->linktype_name, &s->linktype_name));
}

/* One report into the union; its runs numbered from dst->n_runs on. */
static bool merge_one(struct ea_report *dst, struct host_map *map, const struct ea_report *src,
                      const char *path)
{
    uint32_t base = (uint32_t)dst->n_runs;
    size_t first_input = dst->n_inputs;
    for (size_t i = 0; i < src->n_inputs; i++)
        if (!copy_input(dst, &src->inputs[i], false))
            return false;
    if (src->n_runs) { /* a union already: its runs, as they were */
        for (size_t i = 0; i < src->n_runs; i++)
            if (!add_run_entry(dst, &src->runs[i].path, first_input + src->runs[i].first_input,
                               src->runs[i].n_inputs))
                return false;
    } else {
        struct ea_str p = {(char *)(uintptr_t)path, strlen(path)};
        if (!add_run_entry(dst, &p, first_input, src->n_inputs))
            return false;
    }
    if (!dst->tool_version && src->tool_version) {
        dst->tool_version_copy = strdup(src->tool_version);
        if (!dst->tool_version_copy)
            return false;
        dst->tool_version = dst->tool_version_copy;
    }
    dst->truncated |= src->truncated;
    if (src->have_time) {
        if (!dst->have_time || cmp_tv(&src->first, &dst->first) < 0)
            dst->first = src->first;
        if (!dst->have_time || cmp_tv(&src->last, &dst->last) > 0)
            dst->last = src->last;
        dst->have_time = true;
    }
    for (unsigned i = 0; i < EA_C__COUNT; i++)
        dst->counters[i] = sat_add(dst->counters[i], src->counters[i]);
    for (size_t i = 0; i < src->n_conns; i++)
        if (!copy_conn(dst, src, &src->conns[i], base))
            return false;
    for (size_t i = 0; i < src->n_dns; i++)
        if (!merge_dns(dst, &src->dns[i]))
            return false;
    for (size_t i = 0; i < src->n_hosts; i++)
        if (!merge_host(dst, map, src, &src->hosts[i], base))
            return false;
    return true;
}

bool ea_report_union(struct ea_report *dst, const struct ea_report *const *srcs,
                     const char *const *paths, size_t n)
{
    size_t hosts = 0;
    for (size_t i = 0; i < n; i++)
        hosts += srcs[i]->n_hosts;
    struct host_map map;
    if (!host_map_init(&map, hosts))
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = merge_one(dst, &map, srcs[i], paths[i]);
    free(map.slots);
    /* sorted as one capture's report would be; derived again */
    return ok && ea_report_finalize(dst);
}

/* ---- the shards of one run (analyze -j) ----
 *
 * Each shard read every frame and reported only its own flows (analyzer.h).
 * Where each part of the report comes from:
 *
 *   part of the report                          taken from
 *   ------------------------------------------  ---------------------------------
 *   inputs[] (path, linktype, packets,          shards[0]: every shard read every
 *     truncated, offset, given_position),       frame, so all hold the same
 *     time first/last, snaplen_cut (frames,
 *     snaplen seen)
 *   counters packets, bytes, wire_bytes,        shards[0]: counted per frame or
 *     link_*, not_ip, ipv4, ipv6, ip_*, tcp*,   per datagram (defragmentation is
 *     udp* (decode and defragmentation)         every shard's)
 *   counters flows, flows_evicted               shards[0]: every shard tracks every
 *                                               flow's life (not its payload)
 *   counters dns_cache_evicted,                 shards[0]: every shard reads every
 *     ipv6_reassembly_dropped                   answer and joins every fragment
 *   counters dns_messages, dns_malformed,       sum: a message is recorded by one
 *     dns_truncated; dns[] rows                 shard (UDP and port-53 TCP: shard
 *                                               0; other TCP: the flow's shard)
 *   counters tls_malformed, http_malformed,     sum: payload is read by the flow's
 *     quic_* (every one)                        shard only
 *   counter connections_not_listed; conns[]     sum, concatenated: the flow's shard
 *                                               (listed by the run's end count)
 *   counter reasm_warnings                      sum: fragments' by shard 0, a TCP
 *                                               flow's by its shard
 *   hosts[]; counter hosts_not_listed           merged per host here, the cap
 *                                               applied in the run's order (seq)
 *   counter dns_not_listed                      the DNS row cap is applied here
 *                                               (shards keep every row): what
 *                                               merge_dns drops, summed
 */

static bool counter_per_flow(enum ea_counter c)
{
    switch (c) {
    case EA_C_DNS_MESSAGES:
    case EA_C_DNS_MALFORMED:
    case EA_C_DNS_TRUNCATED:
    case EA_C_TLS_MALFORMED:
    case EA_C_HTTP_MALFORMED:
    case EA_C_REASM_WARNINGS:
    case EA_C_CONNS_NOT_LISTED:
    case EA_C_HOSTS_NOT_LISTED:
    case EA_C_DNS_NOT_LISTED:
    case EA_C_HOST_VALUES_NOT_LISTED: /* counted where the connection was (the merge's
                                         own drops are the documented -j limit) */
    case EA_C_CERT_NAMES_NOT_LISTED:
        return true;
    case EA_C_PACKETS:
    case EA_C_BYTES:
    case EA_C_WIRE_BYTES:
    case EA_C_LINK_MALFORMED:
    case EA_C_LINK_TRUNCATED:
    case EA_C_NOT_IP:
    case EA_C_IPV4:
    case EA_C_IPV6:
    case EA_C_IP_MALFORMED:
    case EA_C_IP_TRUNCATED:
    case EA_C_IP_FRAGMENTS:
    case EA_C_IP_OTHER_PROTO:
    case EA_C_TCP:
    case EA_C_TCP_MALFORMED:
    case EA_C_TCP_TRUNCATED:
    case EA_C_UDP:
    case EA_C_UDP_MALFORMED:
    case EA_C_UDP_TRUNCATED:
    case EA_C_FLOWS:
    case EA_C_FLOWS_EVICTED:
    case EA_C_DNS_CACHE_EVICTED:  /* every shard reads every DNS answer */
    case EA_C_IPV6_REASM_DROPPED: /* and joins every fragment */
        return false;
    case EA_C__COUNT:
        return false;
    default:
        return c >= EA_C_QUIC_FLOWS; /* every QUIC counter: the flow's shard reads it */
    }
}

static void host_clear(struct ea_host *h)
{
    ea_str_clear(&h->key);
    for (size_t i = 0; i < h->n_addrs; i++)
        ea_str_clear(&h->addrs[i]);
    free(h->addrs);
    for (size_t i = 0; i < h->n_resolved_as; i++)
        ea_str_clear(&h->resolved_as[i]);
    free(h->resolved_as);
    ea_host_service_drop(h);
    for (size_t i = 0; i < h->n_known_in; i++)
        ea_str_clear(&h->known_in[i]);
    free(h->known_in);
    free(h->runs);
    memset(h, 0, sizeof *h);
}

/* One shard's host into dst: counts summed, the spelling of the earliest
 * connection (the first counted among equally early ones), the seq of the
 * first connection counted. Uncapped here: a host the run kept is within
 * its shard's cap, as the shard met its hosts in the run's order. */
static bool shard_host(struct ea_report *dst, struct host_map *map, const struct ea_host *s)
{
    size_t *slot = host_map_slot(map, dst->hosts, s->named, &s->key, s->port, s->transport);
    struct ea_host *h;
    if (*slot) {
        h = &dst->hosts[*slot - 1];
        int c = cmp_tv(&s->first, &h->first);
        if (c < 0 || (c == 0 && s->first_seq < h->first_seq)) {
            h->first = s->first;
            h->first_seq = s->first_seq;
            h->name_source = s->name_source;
            if (!copy_str(&h->key, &s->key))
                return false;
        }
        if (cmp_tv(&s->last, &h->last) > 0)
            h->last = s->last;
        if (s->seq < h->seq)
            h->seq = s->seq;
    } else {
        h = ea_report_add_host(dst);
        if (!h || !copy_str(&h->key, &s->key))
            return false;
        h->named = s->named;
        h->name_source = s->name_source;
        h->port = s->port;
        h->transport = s->transport;
        h->first = s->first;
        h->last = s->last;
        h->seq = s->seq;
        h->first_seq = s->first_seq;
        *slot = dst->n_hosts;
    }
    return add_host_counts(h, s);
}

static int cmp_u64_p(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

/* Past the cap the run kept its first hosts, in the order it met them
 * (seq): the others' connections are counted in hosts_not_listed. */
static bool shard_host_cap(struct ea_report *dst)
{
    size_t max = dst->max_hosts ? dst->max_hosts : EA_DEFAULT_MAX_HOSTS;
    if (dst->n_hosts <= max)
        return true;
    uint64_t *seqs = malloc(dst->n_hosts * sizeof *seqs);
    if (!seqs)
        return false;
    for (size_t i = 0; i < dst->n_hosts; i++)
        seqs[i] = dst->hosts[i].seq;
    qsort(seqs, dst->n_hosts, sizeof *seqs, cmp_u64_p);
    uint64_t last_kept = seqs[max - 1]; /* seqs are distinct: one connection makes one host */
    free(seqs);
    size_t kept = 0;
    for (size_t i = 0; i < dst->n_hosts; i++) {
        struct ea_host *h = &dst->hosts[i];
        if (h->seq > last_kept) {
            dst->counters[EA_C_HOSTS_NOT_LISTED] =
                sat_add(dst->counters[EA_C_HOSTS_NOT_LISTED], h->n_conns);
            host_clear(h);
            continue;
        }
        if (kept != i)
            dst->hosts[kept] = *h;
        kept++;
    }
    dst->n_hosts = kept;
    return true;
}

bool ea_report_merge_shards(struct ea_report *dst, struct ea_report *const *shards, size_t n)
{
    if (n == 0)
        return ea_report_finalize(dst);
    const struct ea_report *s0 = shards[0];
    for (size_t i = 0; i < s0->n_inputs; i++)
        if (!copy_input(dst, &s0->inputs[i], true))
            return false;
    dst->have_time = s0->have_time;
    dst->first = s0->first;
    dst->last = s0->last;
    dst->snaplen_cut_frames = s0->snaplen_cut_frames;
    dst->snaplen_seen = s0->snaplen_seen;
    size_t hosts = 0;
    for (size_t k = 0; k < n; k++) {
        for (unsigned i = 0; i < EA_C__COUNT; i++)
            if (k == 0 || counter_per_flow((enum ea_counter)i))
                dst->counters[i] = sat_add(dst->counters[i], shards[k]->counters[i]);
        hosts += shards[k]->n_hosts;
    }
    struct host_map map;
    if (!host_map_init(&map, hosts))
        return false;
    bool ok = true;
    for (size_t k = 0; ok && k < n; k++) {
        const struct ea_report *src = shards[k];
        for (size_t i = 0; ok && i < src->n_conns; i++)
            ok = copy_conn(dst, src, &src->conns[i], 0);
        for (size_t i = 0; ok && i < src->n_dns; i++)
            ok = merge_dns(dst, &src->dns[i]);
        for (size_t i = 0; ok && i < src->n_hosts; i++)
            ok = shard_host(dst, &map, &src->hosts[i]);
    }
    free(map.slots);
    /* sorted as the run's report: connections by first time and address
     * (a 5-tuple's connections are all one shard's, in the order they ended) */
    return ok && shard_host_cap(dst) && ea_report_finalize(dst);
}

/* ---- a diff ---- */

static int cmp_change_p(const void *pa, const void *pb)
{
    const struct ea_change *a = pa, *b = pb;
    if (a->named != b->named)
        return a->named ? -1 : 1;
    int c = ea_ascii_icmp(str_or_empty(&a->key), a->key.len, str_or_empty(&b->key), b->key.len);
    if (c)
        return c;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    if (a->transport != b->transport)
        return a->transport < b->transport ? -1 : 1;
    return (int)a->kind - (int)b->kind;
}

static struct ea_change *add_change(struct ea_diff *d, size_t *cap)
{
    if (d->n_changes == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct ea_change *v = realloc(d->changes, ncap * sizeof *v);
        if (!v)
            return NULL;
        d->changes = v;
        *cap = ncap;
    }
    struct ea_change *c = &d->changes[d->n_changes++];
    memset(c, 0, sizeof *c);
    c->old_outcome = c->new_outcome = EA_OUT__COUNT;
    return c;
}

static enum ea_verdict verdict_of(const struct ea_report *r, const struct ea_host *h)
{
    return r->has_policy ? h->verdict : EA_V_NONE;
}

bool ea_report_diff(struct ea_report *r, const struct ea_report *old, const char *old_path)
{
    ea_diff_clear(&r->diff);
    struct ea_diff *d = &r->diff;
    struct host_map map;
    size_t cap = 0;
    bool *seen = calloc(old->n_hosts ? old->n_hosts : 1, sizeof *seen);
    if (!seen || !host_map_init(&map, old->n_hosts)) {
        free(seen);
        return false;
    }
    bool ok = ea_str_set(&d->base, old_path, strlen(old_path));
    for (size_t i = 0; ok && i < old->n_hosts; i++) {
        const struct ea_host *h = &old->hosts[i];
        size_t *slot = host_map_slot(&map, old->hosts, h->named, &h->key, h->port, h->transport);
        if (!*slot)
            *slot = i + 1;
    }
    for (size_t i = 0; ok && i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[i];
        size_t at = *host_map_slot(&map, old->hosts, h->named, &h->key, h->port, h->transport);
        const struct ea_host *o = at ? &old->hosts[at - 1] : NULL;
        if (o)
            seen[at - 1] = true;
        enum ea_verdict nv = verdict_of(r, h), ov = o ? verdict_of(old, o) : EA_V_NONE;
        /* a verdict counts where both reports were judged */
        bool verdict_changed = r->has_policy && old->has_policy && ov != nv;
        if (o && o->outcome == h->outcome && !verdict_changed)
            continue;
        struct ea_change *c = add_change(d, &cap);
        ok = c && copy_str(&c->key, &h->key);
        if (!ok)
            break;
        c->kind = o ? EA_CHANGE_CHANGED : EA_CHANGE_NEW;
        c->named = h->named;
        c->port = h->port;
        c->transport = h->transport;
        c->new_outcome = h->outcome;
        c->new_verdict = nv;
        c->new_conns = h->n_conns;
        if (o) {
            c->old_outcome = o->outcome;
            c->old_verdict = ov;
            c->old_conns = o->n_conns;
        }
    }
    for (size_t i = 0; ok && i < old->n_hosts; i++) {
        if (seen[i])
            continue;
        const struct ea_host *o = &old->hosts[i];
        struct ea_change *c = add_change(d, &cap);
        ok = c && copy_str(&c->key, &o->key);
        if (!ok)
            break;
        c->kind = EA_CHANGE_GONE;
        c->named = o->named;
        c->port = o->port;
        c->transport = o->transport;
        c->old_outcome = o->outcome;
        c->old_verdict = verdict_of(old, o);
        c->old_conns = o->n_conns;
    }
    free(seen);
    free(map.slots);
    if (!ok) {
        ea_diff_clear(d);
        return false;
    }
    if (d->n_changes > 1)
        qsort(d->changes, d->n_changes, sizeof *d->changes, cmp_change_p);
    for (size_t i = 0; i < d->n_changes; i++)
        d->counts[d->changes[i].kind]++;
    d->present = true;
    return ea_report_derive(r);
}
