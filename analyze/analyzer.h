/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The analyzer's push API: frames in, one at a time, the report model out.
 * Reading capture files and live capture (capture/) drive the same code:
 *
 *     struct analyzer *a = analyzer_new(&opts, &report, err, sizeof err);
 *     analyzer_input(a, "x.pcap", DLT_EN10MB, "EN10MB");
 *     while (next frame) analyzer_feed(a, &frame);
 *     analyzer_finish(a);          // ends every flow, sorts the model
 *     analyzer_free(a);
 *
 * One analyzer per process at a time: libnids, which reassembles IPv4, is
 * global state.
 */
#ifndef EA_ANALYZER_H
#define EA_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include "frame.h"
#include "model.h"

/* Resource bounds (README "Resource bounds"). */
#define EA_DEFAULT_CUTOFF                                                                          \
    32768                           /* bytes kept per TCP direction: a full-size                   \
                                       TLS record (16389) and more fit */
#define EA_DEFAULT_MAX_FLOWS 262144 /* concurrent flows tracked */
#define EA_DEFAULT_DNS_CACHE 65536  /* (client, address) → name entries */
#define EA_DEFAULT_MAX_CONNS 100000 /* connection rows kept in the report */

struct analyze_opts {
    size_t cutoff;    /* 0: default */
    size_t max_flows; /* 0: default */
    size_t dns_cache; /* 0: default */
    size_t max_conns; /* connection rows kept; 0: default */
    /* analyze -j N: this process is shard `shard` of `n_shards` (0 or 1: the
     * whole run). Every shard reads every frame: defragmentation, DNS and its
     * attribution, and each flow's life (its packets, idle and cap evictions,
     * the order flows end in) are the same in all; a flow's payload is read
     * and its connection reported only by the shard analyzer_shard_of names
     * (TCP flows on port 53 are read by all: DNS over TCP feeds attribution).
     * What each shard's report holds: ea_report_merge_shards (runs.c). */
    unsigned shard, n_shards;
};

/* The shard (0 .. n_shards - 1) that reports the flow of this 5-tuple: the
 * same for both directions (src and dst swapped, with their ports). */
unsigned analyzer_shard_of(const struct ea_addr *src, const struct ea_addr *dst, uint16_t sport,
                           uint16_t dport, uint8_t proto, unsigned n_shards);

struct analyzer;

/* A new analysis run writing into out (initialised by the caller). NULL on
 * failure with one line in err ("out of memory", "cannot set up libnids"). */
struct analyzer *analyzer_new(const struct analyze_opts *opts, struct ea_report *out, char *err,
                              size_t errlen);

/* Does the decoder read this link type (libpcap's DLT_* number)? */
bool analyzer_link_supported(int dlt);

/* Frames that follow come from this input (a file, "-", or an interface),
 * of link type dlt (must be supported); it is listed in the report's inputs.
 * Returns the input's record, or NULL on ENOMEM. */
struct ea_input *analyzer_input(struct analyzer *a, const char *path, int dlt,
                                const char *linktype_name);

/* Analyze one frame of the current input. false once out of memory: the
 * run cannot go on. */
bool analyzer_feed(struct analyzer *a, const struct ea_frame *fr);

/* The capture is over: reassembly delivers what it holds, every flow ends
 * into a connection, and the model is sorted and aggregated. false on ENOMEM. */
bool analyzer_finish(struct analyzer *a);

/*
 * A live view of the connections (egress-audit capture --live): fn is told
 * about a connection each time its name or its outcome so far changes, and
 * once more when it ends (ended: conn is final and in the report). conn is a
 * view, valid during the call only; its verdict is not judged. tag is the
 * observer's own value for this connection, 0 at its first event and kept
 * until it ends. fn must not call back into the analyzer. NULL fn: no view.
 */
struct analyzer_conn_event {
    const struct ea_conn *conn;
    bool ended;
    uint32_t *tag;
};
typedef void (*analyzer_conn_fn)(const struct analyzer_conn_event *ev, void *ctx);
void analyzer_on_conn(struct analyzer *a, analyzer_conn_fn fn, void *ctx);

/* Hosts counted so far (for progress lines and live views). */
size_t analyzer_hosts(const struct analyzer *a);

void analyzer_free(struct analyzer *a);

#endif
