/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The pcap files a live capture writes (pcap_dump), rotated by time (-G,
 * strftime names) and size (-C), the newest -W kept, as tcpdump does. What
 * is on disk is always a valid pcap file: records are buffered and written
 * whole, and when a write fails (disk full) the file is cut back to the last
 * whole record. Internal to capture/.
 */
#ifndef EA_DUMP_H
#define EA_DUMP_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct dump_opts {
    const char *pattern;     /* -w: a path; a strftime pattern with -G */
    unsigned rotate_seconds; /* -G: a new file every so many seconds; 0: never */
    uint64_t rotate_bytes;   /* -C: a new file once this size is passed; 0: never */
    unsigned keep;           /* -W: files kept (older ones removed); 0: all */
    bool set_owner;          /* chown new files (made as root) to uid:gid (-Z) */
    uid_t uid;
    gid_t gid;
};

struct dump;

/* A writer for pcap (its link type, snaplen and time precision). NULL on
 * ENOMEM. Opens nothing yet. */
struct dump *dump_new(pcap_t *pcap, const struct dump_opts *o);
void dump_free(struct dump *d); /* closes the current file first */

/* Open the next file (the first at the start; close the current one with
 * dump_close first), named for now; its pcap header is on disk when this
 * returns.
 * new_interval: a time rotation (or the first file), which restarts -C's
 * count. false with err ("cannot write 'x.pcap': Permission denied"). */
bool dump_open_next(struct dump *d, time_t now, bool new_interval, char *err, size_t errlen);

/* Is a rotation due: by time at now, or by size before the next record? */
bool dump_time_due(const struct dump *d, time_t now);
bool dump_size_due(const struct dump *d);

/* Append one record. false once writing failed (now or earlier): the file
 * then stays as it was at its last whole record, and dump_error says why. */
bool dump_write(struct dump *d, const struct pcap_pkthdr *h, const uint8_t *data);

/* Write what is buffered. false on a write error. */
bool dump_flush(struct dump *d);

/* Flush and close the current file. false on a write error. */
bool dump_close(struct dump *d);

const char *dump_path(const struct dump *d); /* the current file; "" before the first */
uint64_t dump_records(const struct dump *d); /* records of the current file on disk or buffered */
uint64_t dump_bytes(const struct dump *d);   /* its size, headers included */
int dump_error(const struct dump *d);        /* errno of the failure, or 0 */
time_t dump_opened(const struct dump *d);

#endif
