/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Capture: where frames come from. Every libpcap call of the project is in
 * this folder; the frames are pushed into the analyzer (analyzer.h), the
 * same way for files and (to come) live interfaces.
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

#endif
