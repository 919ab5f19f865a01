/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The packet source: capture files (pcap, pcapng, stdin) through libpcap.
 * Only capture/ (and the libnids glue, whose header pulls it in) includes
 * pcap.h. */
#ifndef EA_SOURCE_H
#define EA_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "analyzer.h"

struct source;

enum source_status {
    SOURCE_FRAME = 1,
    SOURCE_END = 0,
    SOURCE_CUT = -1,  /* the file ends inside a record, or a record is corrupt */
    SOURCE_FAIL = -2, /* the file cannot be read on: err says why (no report) */
};

/*
 * Open a capture file ("-" = stdin) and compile the BPF filter (may be NULL).
 * On failure returns NULL and writes a message without the file name
 * ("empty file", "not a pcap or pcapng file", "a gzip-compressed file, not a
 * capture: read it with 'zcat x.pcap.gz | egress-audit analyze -'",
 * "unsupported link type IEEE802_11 (105)") into err; when the filter is
 * what failed, *out_bad_filter is set and err says "bad filter 'F': ...".
 */
struct source *source_open(const char *path, const char *bpf, char *err, size_t errlen,
                           bool *out_bad_filter);

/* Next frame. SOURCE_CUT: err holds what libpcap said and *out_offset the
 * byte offset of the record that could not be read (0 if unknown). */
enum source_status source_next(struct source *s, struct ea_frame *out, char *err, size_t errlen,
                               uint64_t *out_offset);

int source_linktype(const struct source *s);
const char *source_linktype_name(const struct source *s);
void source_close(struct source *s);
/* Bytes of the file read so far (up to a megabyte ahead of the packets), and
 * its size when it is a regular file (0: unknown, e.g. a pipe). */
uint64_t source_bytes_read(const struct source *s);
uint64_t source_size(const struct source *s);

#endif
