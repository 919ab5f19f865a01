/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The analysis run: capture files in, report model out. */
#ifndef EA_ANALYZE_H
#define EA_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

/* Resource bounds (README "Resource bounds"). */
#define EA_DEFAULT_CUTOFF                                                                          \
    32768                           /* bytes kept per TCP direction: a full-size                   \
                                       TLS record (16389) and more fit */
#define EA_DEFAULT_MAX_FLOWS 262144 /* concurrent flows tracked */
#define EA_DEFAULT_DNS_CACHE 65536  /* (client, address) → name entries */
#define EA_DEFAULT_MAX_CONNS 100000 /* connection rows kept in the report */
#define EA_TCP_IDLE_SECONDS 600     /* open TCP flow without packets */
#define EA_CLOSED_IDLE_SECONDS 60   /* closed TCP, and UDP flows */

struct analyze_opts {
    const char *bpf;  /* capture filter, or NULL */
    size_t cutoff;    /* 0: default */
    size_t max_flows; /* 0: default */
    size_t dns_cache; /* 0: default */
    size_t max_conns; /* connection rows kept; 0: default */
    FILE *progress;   /* progress lines, or NULL */
    FILE *warnings;   /* warnings (cut files), or NULL */
};

enum analyze_status {
    ANALYZE_OK = 0,
    ANALYZE_INPUT_ERROR, /* err names the file and the problem */
    ANALYZE_NO_MEMORY,
};

/* Analyze the files in order as one run ("-" is stdin). On error, err holds
 * one line: "cannot open 'x.pcap': No such file or directory". */
enum analyze_status analyze_files(const char *const *paths, size_t n_paths,
                                  const struct analyze_opts *opts, struct ea_report *out, char *err,
                                  size_t errlen);

#endif
