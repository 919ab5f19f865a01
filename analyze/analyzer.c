/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The push API (analyzer.h) over the pipeline in flow/: set-up with the
 * resource bounds, one input at a time, frames pushed one by one, and the
 * end of the capture.
 */
#include "analyzer.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "pipeline.h"

struct analyzer *analyzer_new(const struct analyze_opts *opts, struct ea_report *out, char *err,
                              size_t errlen)
{
    struct analyzer *a = calloc(1, sizeof(*a));
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->cutoff = opts->cutoff ? opts->cutoff : EA_DEFAULT_CUTOFF;
    a->max_conns = opts->max_conns ? opts->max_conns : EA_DEFAULT_MAX_CONNS;
    a->report = out;
    out->max_conns = a->max_conns;
    a->n_shards = opts->n_shards > 1 ? opts->n_shards : 1;
    a->shard = opts->shard < a->n_shards ? opts->shard : 0;
    a->global_here = a->shard == 0;
    if (!flow_table_init(&a->flows, opts->max_flows ? opts->max_flows : EA_DEFAULT_MAX_FLOWS) ||
        !attrib_init(&a->attrib, opts->dns_cache ? opts->dns_cache : EA_DEFAULT_DNS_CACHE)) {
        snprintf(err, errlen, "out of memory");
        flow_table_finish(&a->flows);
        attrib_finish(&a->attrib);
        free(a);
        return NULL;
    }
    a->frag6 = frag6_new(EA_FRAG6_DATAGRAMS);
    if (!a->frag6 || !reasm_init(a, err, errlen)) {
        if (!a->frag6)
            snprintf(err, errlen, "out of memory");
        frag6_free(a->frag6);
        flow_table_finish(&a->flows);
        attrib_finish(&a->attrib);
        free(a);
        return NULL;
    }
    return a;
}

unsigned analyzer_shard_of(const struct ea_addr *src, const struct ea_addr *dst, uint16_t sport,
                           uint16_t dport, uint8_t proto, unsigned n_shards)
{
    return flow_shard(flow_tuple_hash(src, dst, sport, dport, proto), n_shards);
}

bool analyzer_link_supported(int dlt)
{
    enum link_kind k;
    return decode_link_of_dlt(dlt, &k);
}

struct ea_input *analyzer_input(struct analyzer *a, const char *path, int dlt,
                                const char *linktype_name)
{
    enum link_kind kind;
    if (!decode_link_of_dlt(dlt, &kind))
        return NULL;
    struct ea_input *in = ea_report_add_input(a->report);
    if (!in)
        return NULL;
    in->linktype = dlt;
    if (!ea_str_set(&in->path, path, strlen(path)) ||
        !ea_str_set(&in->linktype_name, linktype_name, strlen(linktype_name)))
        return NULL; /* freed with the report */
    a->link = kind;
    return in;
}

bool analyzer_feed(struct analyzer *a, const struct ea_frame *fr)
{
    if (a->failed)
        return false;
    track_frame(a, fr);
    return !a->failed;
}

bool analyzer_finish(struct analyzer *a)
{
    /* libnids delivers what it holds, then every flow ends. */
    if (!a->finished)
        reasm_finish(a);
    a->finished = true;
    track_end_all(a);
    /* the bounded tables' drops: every cap has its counter */
    a->report->counters[EA_C_DNS_CACHE_EVICTED] = a->attrib.evicted;
    a->report->counters[EA_C_IPV6_REASM_DROPPED] = frag6_given_up(a->frag6);
    return !a->failed && ea_report_finalize(a->report);
}

/* The pipeline (flow/) knows no analyzer.h: the event is made here. */
static void observe(struct analyzer *a, const struct ea_conn *c, bool ended, uint32_t *tag)
{
    struct analyzer_conn_event ev = {.conn = c, .ended = ended, .tag = tag};
    ((analyzer_conn_fn)a->on_conn)(&ev, a->on_conn_ctx);
}

void analyzer_on_conn(struct analyzer *a, analyzer_conn_fn fn, void *ctx)
{
    a->observe = fn ? observe : NULL;
    a->on_conn = (void (*)(void))fn;
    a->on_conn_ctx = ctx;
}

size_t analyzer_hosts(const struct analyzer *a)
{
    return a->report->n_hosts;
}

void analyzer_free(struct analyzer *a)
{
    if (!a)
        return;
    if (!a->finished) /* a run given up early */
        reasm_finish(a);
    track_end_all(a);
    flow_table_finish(&a->flows);
    attrib_finish(&a->attrib);
    quic_track_finish(a);
    frag6_free(a->frag6);
    free(a);
}
