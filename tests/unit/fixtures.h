/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Report models built by hand for the model and renderer tests: the sample
 * report (connections and DNS added out of order, a name with hostile
 * bytes), and the helpers that build them. The model only: no renderer.
 * Include after <cmocka.h>.
 */
#ifndef EA_TEST_FIXTURES_H
#define EA_TEST_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* The address of its text form; fails the test on a typo. */
struct ea_addr addr(const char *text);
/* ea_str_set that fails the test on ENOMEM; str_cset copies a C string or
 * leaves s alone for NULL. */
void str_set(struct ea_str *s, const char *p, size_t len);
void str_cset(struct ea_str *s, const char *p);

/* A name with a terminal escape, BEL, UTF-8, 0xff, NUL and a plain byte,
 * and how every renderer must write it. */
extern const char evil[];
#define EVIL_LEN 15
#define EVIL_SAFE "\\x1b[31mevil\\x07\\xc3\\xa9\\xff\\x00x"

struct conn_row {
    const char *src;
    uint16_t sport;
    const char *dst;
    uint16_t dport;
    enum ea_transport transport;
    const char *name; /* NULL: none */
    size_t name_len;  /* 0: strlen */
    enum ea_name_source source;
    enum ea_outcome outcome;
    const char *why;
    uint32_t flags;
    long sec, usec;
    uint64_t bytes_out, bytes_in;
    const char *chain[3];
    uint16_t tls_version, http_status;
};

/* Added out of order on purpose; finalize sorts them (see the indexes). */
#define N_CONNS 9
extern const struct conn_row conn_rows[N_CONNS];
/* conn_rows index of each sorted position */
extern const size_t sorted_conn[N_CONNS];

struct answer_row {
    uint16_t type;
    const char *owner, *data;
};

struct dns_row {
    const char *qname;
    size_t qlen; /* 0: strlen */
    uint16_t qtype;
    int rcode;
    long sec;
    uint32_t queries, responses;
    bool udp, tcp;
    struct answer_row answers[3];
};

#define N_DNS 5
extern const struct dns_row dns_rows[N_DNS];
/* by time, then query name: nx (98), then at 100 cdn-lfs < lost < pypi, then bad (104) */
extern const char *const sorted_dns[N_DNS];

/* The sample report: one input (cut), conn_rows, dns_rows, counters and
 * time, finalized. */
void build_report(struct ea_report *r);

/* A report whose input path, connection name and DNS query are every byte
 * value (all[i] == i), finalized. */
void build_all_bytes_report(struct ea_report *r, char all[256]);

#endif
