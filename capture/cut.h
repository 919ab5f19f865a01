/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The per-connection cutoff of a live capture: what of each frame goes into
 * the written file. DNS, handshakes and the first bytes of every TCP
 * connection and UDP flow (QUIC) are written whole; once a direction has
 * carried `cutoff` payload bytes, its later packets (and the empty ACKs
 * that answer them) are dropped, or cut to their headers. Packets with SYN,
 * FIN or RST are always written (cut to their headers past the cutoff), so
 * the file still shows how each connection ended.
 *
 * A small flow table keyed by the 5-tuple (both directions in one entry),
 * counting payload bytes per direction; idle flows are evicted by packet
 * time and, at the bound, the least recently active one. The transport
 * header is found by the project's decoder (parse/decode.h), so what counts
 * as a header here is what the analyzer decodes.
 */
#ifndef EA_CUT_H
#define EA_CUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "decode.h"
#include "lru.h"

#define CUT_DEFAULT_MAX_FLOWS 65536
#define CUT_TCP_IDLE_SECONDS 600   /* an open TCP connection without packets */
#define CUT_CLOSED_IDLE_SECONDS 60 /* closed TCP, and UDP */

enum cut_action {
    CUT_WHOLE = 0, /* write the frame as captured */
    CUT_HEADERS,   /* write only its first *out_keep bytes (the headers) */
    CUT_DROP,      /* leave it out */
};

struct cut_flow;

struct cut_table {
    struct cut_flow **buckets;
    size_t n_buckets; /* power of two */
    size_t n_flows, max_flows;
    struct ea_lru lru; /* by last packet time, oldest first */
    uint64_t cutoff;   /* payload bytes per direction; 0: keep everything */
    bool headers;      /* past the cutoff: headers instead of nothing */
    enum link_kind link;
    uint64_t evicted; /* flows evicted at the bound while still active */
};

/* cutoff 0 keeps every frame whole (no table is used). max_flows 0: the
 * default. false on ENOMEM. */
bool cut_init(struct cut_table *t, uint64_t cutoff, bool headers, size_t max_flows,
              enum link_kind link);
void cut_finish(struct cut_table *t);

/* What to write of one captured frame; *out_keep is the number of bytes to
 * write (caplen for CUT_WHOLE, the headers for CUT_HEADERS, 0 for CUT_DROP).
 * A frame that cannot be tracked (no memory, not TCP/UDP, an IP fragment)
 * is written whole. */
enum cut_action cut_frame(struct cut_table *t, const struct timeval *ts, const uint8_t *frame,
                          size_t caplen, size_t *out_keep);

#endif
