/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Capture: where frames come from. Every libpcap call of the project is in
 * this folder; the frames are pushed into the analyzer (analyzer.h), the
 * same way for files (files.c) and live interfaces (live.c, which also
 * writes the cut pcap files: cut.c, dump.c).
 */
#ifndef EA_CAPTURE_H
#define EA_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer.h"

struct capture_files_opts {
    const char *bpf;      /* capture filter (tcpdump syntax), or NULL */
    FILE *progress;       /* progress lines, or NULL */
    FILE *warnings;       /* warnings (cut files), or NULL */
    uint64_t max_packets; /* stop after this many packets of all files (-c); 0: all */
};

enum capture_status {
    CAPTURE_OK = 0,
    CAPTURE_INPUT_ERROR, /* err names the file and the problem */
    CAPTURE_NO_MEMORY,
};

/* Push every frame of the files, in order, into a as one run ("-" is
 * stdin). A file cut off inside a record is read up to the cut, with a
 * warning, and its input is marked truncated. On error err holds one line:
 * "cannot read 'x.pcap': No such file or directory". */
enum capture_status capture_read_files(struct analyzer *a, const char *const *paths, size_t n_paths,
                                       const struct capture_files_opts *opts, char *err,
                                       size_t errlen);

/* The whole run over files: a new analyzer, every file, the end. */
enum capture_status capture_analyze_files(const char *const *paths, size_t n_paths,
                                          const struct capture_files_opts *copts,
                                          const struct analyze_opts *aopts, struct ea_report *out,
                                          char *err, size_t errlen);

/* ---- live capture (live.c) ---- */

/* The default capture filter: DNS, every TCP connection, QUIC. */
#define CAPTURE_DEFAULT_FILTER "udp port 53 or tcp or udp port 443"
#define CAPTURE_DEFAULT_SNAPLEN 262144 /* GRO/TSO frames are larger than the MTU */
#define CAPTURE_DEFAULT_BUFFER (32u << 20)
#define CAPTURE_DEFAULT_CUTOFF 32768

struct capture_live_opts {
    const char *interface;   /* -i; "any" for all */
    const char *bpf;         /* NULL: CAPTURE_DEFAULT_FILTER */
    int snaplen;             /* 0: CAPTURE_DEFAULT_SNAPLEN */
    size_t buffer_bytes;     /* kernel buffer; 0: CAPTURE_DEFAULT_BUFFER */
    uint64_t max_packets;    /* -c: stop after this many; 0: no limit */
    const char *write;       /* -w: file (or strftime pattern with -G); NULL: analyze only */
    uint64_t cutoff;         /* payload bytes written per connection direction; 0: all */
    bool cutoff_headers;     /* past the cutoff, write packets cut to their headers */
    unsigned rotate_seconds; /* -G */
    uint64_t rotate_bytes;   /* -C, in bytes */
    unsigned keep_files;     /* -W */
    bool set_owner;          /* -Z: chown the files made as root to uid:gid */
    unsigned owner_uid, owner_gid;
    /* Warnings while running (a write error, stopped writing), one line
     * without the "egress-audit capture: " prefix. NULL: none. */
    void (*warn)(const char *line, void *ctx);
    void *warn_ctx;
};

/* Running totals of a live capture, over all its files. */
struct capture_live_totals {
    uint64_t packets_seen, bytes_seen;
    uint64_t packets_written, bytes_written; /* records, and file bytes with headers */
    uint64_t cut_packets, cut_bytes;
    uint64_t kernel_drops, interface_drops;
    size_t files;
    bool writing; /* false when there is no file, or writing stopped */
};

struct capture_live;

/*
 * Open the interface (snaplen, kernel buffer, immediate mode off), set the
 * filter, open the first file (its header on disk) and start the first
 * input of a in report r (the file, or the interface when nothing is
 * written). CAPTURE_INPUT_ERROR with one line in err: "no interface 'eth9'
 * (egress-audit capture -D lists them)", a missing permission naming the
 * capabilities, "bad filter '...': ...", "cannot write 'x.pcap': ...".
 */
enum capture_status capture_live_open(const struct capture_live_opts *o, struct analyzer *a,
                                      struct ea_report *r, struct capture_live **out, char *err,
                                      size_t errlen);

enum capture_step {
    CAPTURE_STEP_OK = 0,
    CAPTURE_STEP_COUNT,  /* -c packets were seen */
    CAPTURE_STEP_FAILED, /* the interface failed (err), or out of memory */
};

/* Wait up to timeout_ms for packets and handle every one that is there:
 * cut, written, rotated, analyzed. Flushes the file once a second. */
enum capture_step capture_live_step(struct capture_live *l, int timeout_ms, char *err,
                                    size_t errlen);

/* Make a step in progress return: async-signal-safe (pcap_breakloop). */
void capture_live_break(struct capture_live *l);
/* After a stop (a signal, --duration, the command's end): read what the
 * kernel already captured, briefly and bounded, so nothing seen is lost. */
void capture_live_drain(struct capture_live *l);

void capture_live_totals(struct capture_live *l, struct capture_live_totals *out);
int capture_live_linktype(const struct capture_live *l);
const char *capture_live_linktype_name(const struct capture_live *l);
const char *capture_live_filter(const struct capture_live *l);

/* Flush and close the file, record the last figures in the input, close
 * the interface, free l; the final totals go to *out (may be NULL). false
 * when the file could not be completed (a warning said so). */
bool capture_live_close(struct capture_live *l, struct capture_live_totals *out);

/* egress-audit capture -D: the interfaces, numbered, as tcpdump -D lists
 * them. false with err when libpcap cannot list them. */
bool capture_list_interfaces(FILE *out, char *err, size_t errlen);

#endif
