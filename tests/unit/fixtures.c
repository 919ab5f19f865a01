/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Report models built by hand (fixtures.h). */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include "fixtures.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

struct ea_addr addr(const char *text)
{
    struct ea_addr a = {0};
    if (inet_pton(AF_INET, text, a.b) == 1)
        a.family = 4;
    else if (inet_pton(AF_INET6, text, a.b) == 1)
        a.family = 6;
    else
        fail_msg("bad address %s", text);
    return a;
}

void str_set(struct ea_str *s, const char *p, size_t len)
{
    assert_true(ea_str_set(s, p, len));
}

void str_cset(struct ea_str *s, const char *p)
{
    if (p)
        str_set(s, p, strlen(p));
}

/* A name with a terminal escape, BEL, UTF-8, 0xff, NUL and a plain byte. */
const char evil[] = "\x1b"
                    "[31mevil"
                    "\x07"
                    "\xc3\xa9"
                    "\xff"
                    "\0"
                    "x";
_Static_assert(sizeof evil - 1 == EVIL_LEN, "EVIL_LEN is the length of evil");

/* Added out of order on purpose; finalize sorts them (see the indexes). */
const struct conn_row conn_rows[N_CONNS] = {
    /* sorted 3 */
    {"10.0.0.4",
     50001,
     "20.1.1.1",
     443,
     EA_TCP,
     "pypi.org",
     0,
     EA_NAME_SNI,
     EA_OUT_REACHED,
     "TLS ServerHello received",
     EA_CF_TLS,
     100,
     500000,
     500,
     4000,
     {"PYPI.org", NULL},
     0x0304,
     0},
    /* sorted 2: same host as the one above, spelled differently, and earlier */
    {"10.0.0.4",
     50000,
     "20.1.1.2",
     443,
     EA_TCP,
     "PyPI.org",
     0,
     EA_NAME_SNI,
     EA_OUT_DENIED,
     "reset after ClientHello, no ServerHello",
     EA_CF_TLS,
     100,
     100000,
     300,
     0,
     {NULL},
     0,
     0},
    /* sorted 4: no name, a DNS chain */
    {"10.0.0.4",
     50002,
     "18.1.2.3",
     443,
     EA_TCP,
     NULL,
     0,
     EA_NAME_NONE,
     EA_OUT_NO_ANSWER,
     "no answer to SYN",
     0,
     101,
     0,
     120,
     0,
     {"cdn-lfs.huggingface.co", "d1x.cloudfront.net", NULL},
     0,
     0},
    /* sorted 5: same IP host; the same query name in other case */
    {"10.0.0.4",
     50003,
     "18.1.2.3",
     443,
     EA_TCP,
     NULL,
     0,
     EA_NAME_NONE,
     EA_OUT_REFUSED,
     "reset in answer to SYN",
     0,
     101,
     500000,
     60,
     40,
     {"CDN-LFS.huggingface.co", "d1x.cloudfront.net", NULL},
     0,
     0},
    /* sorted 6 */
    {"10.0.0.4",
     50004,
     "20.9.9.9",
     8443,
     EA_TCP,
     evil,
     EVIL_LEN,
     EA_NAME_SNI,
     EA_OUT_INCOMPLETE,
     "no ServerHello before the capture ended",
     EA_CF_TLS | EA_CF_PORT,
     102,
     0,
     700,
     0,
     {NULL},
     0,
     0},
    /* sorted 7 */
    {"2001:db8::1",
     50010,
     "2001:db8::53",
     443,
     EA_UDP,
     "quic.example",
     0,
     EA_NAME_QUIC_SNI,
     EA_OUT_REACHED,
     "reply received",
     EA_CF_QUIC,
     103,
     0,
     1200,
     2400,
     {NULL},
     0x1234,
     0},
    /* sorted 1: same time as "PyPI.org", same dst and port, lower source port */
    {"10.0.0.4",
     49999,
     "20.1.1.2",
     443,
     EA_TCP,
     "files.pythonhosted.org",
     0,
     EA_NAME_SNI,
     EA_OUT_REACHED,
     "TLS ServerHello received",
     EA_CF_TLS,
     100,
     100000,
     10,
     20,
     {"files.pythonhosted.org", "dualstack.python.map.fastly.net", NULL},
     0x0303,
     0},
    /* sorted 0: the first */
    {"10.0.0.4",
     40000,
     "9.9.9.9",
     53,
     EA_UDP,
     NULL,
     0,
     EA_NAME_NONE,
     EA_OUT_REACHED,
     "reply received",
     EA_CF_DNS,
     99,
     0,
     40,
     80,
     {NULL},
     0,
     0},
    /* sorted 8 */
    {"10.0.0.4",
     50020,
     "20.1.1.3",
     80,
     EA_TCP,
     "example.com",
     0,
     EA_NAME_HTTP_HOST,
     EA_OUT_REACHED,
     "HTTP response received",
     EA_CF_HTTP,
     105,
     0,
     90,
     900,
     {NULL},
     0,
     200},
};
const size_t sorted_conn[N_CONNS] = {7, 6, 1, 0, 2, 3, 4, 5, 8};

const struct dns_row dns_rows[N_DNS] = {
    {"pypi.org",
     0,
     1 /* A */,
     0,
     100,
     1,
     1,
     true,
     false,
     {{1 /* A */, "pypi.org", "20.1.1.1"}, {0, NULL, NULL}}},
    {"cdn-lfs.huggingface.co",
     0,
     1 /* A */,
     0,
     100,
     2,
     2,
     true,
     true,
     {{5 /* CNAME */, "cdn-lfs.huggingface.co", "d1x.cloudfront.net"},
      {1 /* A */, "d1x.cloudfront.net", "18.1.2.3"},
      {0, NULL, NULL}}},
    {"nx.example", 0, 28 /* AAAA */, 3 /* NXDOMAIN */, 98, 1, 1, true, false, {{0, NULL, NULL}}},
    {"lost.example", 0, 1 /* A */, -1, 100, 3, 0, true, false, {{0, NULL, NULL}}},
    {"bad\\name\x7f", 0, 999, 15, 104, 1, 1, false, true, {{0, NULL, NULL}}},
};
const char *const sorted_dns[N_DNS] = {"nx.example", "cdn-lfs.huggingface.co", "lost.example",
                                       "pypi.org", "bad\\\\name\\x7f"};

void build_report(struct ea_report *r)
{
    ea_report_init(r);
    r->tool_version = "0.1.0-test";

    struct ea_input *in = ea_report_add_input(r);
    assert_non_null(in);
    str_set(&in->path, "run1.pcap", 9);
    in->linktype = 1;
    str_set(&in->linktype_name, "EN10MB", 6);
    in->packets = 1234;
    in->truncated = true;
    in->truncated_offset = 98765;
    r->truncated = true;

    for (size_t i = 0; i < N_CONNS; i++) {
        const struct conn_row *w = &conn_rows[i];
        struct ea_conn *c = ea_report_add_conn(r);
        assert_non_null(c);
        c->src = addr(w->src);
        c->dst = addr(w->dst);
        c->sport = w->sport;
        c->dport = w->dport;
        c->transport = w->transport;
        if (w->name)
            str_set(&c->name, w->name, w->name_len ? w->name_len : strlen(w->name));
        c->name_source = w->source;
        c->outcome = w->outcome;
        assert_true(ea_outcome_why_parse(w->why, strlen(w->why), &c->outcome_why));
        c->flags = w->flags;
        c->first = (struct timeval){w->sec, w->usec};
        c->last = (struct timeval){w->sec + 1, w->usec};
        c->pkts_out = 3;
        c->pkts_in = 2;
        c->bytes_out = w->bytes_out;
        c->bytes_in = w->bytes_in;
        c->tls_version = w->tls_version;
        c->http_status = w->http_status;
        if (w->http_status)
            str_set(&c->http_method, "GET", 3);
        if (w->tls_version)
            str_set(&c->alpn, "h2", 2);
        size_t n = 0;
        while (n < 3 && w->chain[n])
            n++;
        if (n) {
            c->has_resolved = true;
            c->resolved.names = calloc(n, sizeof *c->resolved.names);
            assert_non_null(c->resolved.names);
            for (size_t k = 0; k < n; k++)
                str_set(&c->resolved.names[k], w->chain[k], strlen(w->chain[k]));
            c->resolved.n_names = n;
        }
    }

    for (size_t i = 0; i < N_DNS; i++) {
        const struct dns_row *w = &dns_rows[i];
        struct ea_dns *d = ea_report_add_dns(r);
        assert_non_null(d);
        assert_int_equal(d->rcode, -1);
        str_set(&d->qname, w->qname, w->qlen ? w->qlen : strlen(w->qname));
        d->qtype = w->qtype;
        d->rcode = w->rcode;
        d->n_queries = w->queries;
        d->n_responses = w->responses;
        d->over_udp = w->udp;
        d->over_tcp = w->tcp;
        d->first = (struct timeval){w->sec, 0};
        d->last = (struct timeval){w->sec, 5000};
        size_t n = 0;
        while (n < 3 && w->answers[n].owner)
            n++;
        if (n) {
            d->answers = calloc(n, sizeof *d->answers);
            assert_non_null(d->answers);
            for (size_t k = 0; k < n; k++) {
                d->answers[k].type = w->answers[k].type;
                d->answers[k].ttl = 300;
                str_set(&d->answers[k].owner, w->answers[k].owner, strlen(w->answers[k].owner));
                str_set(&d->answers[k].data, w->answers[k].data, strlen(w->answers[k].data));
            }
            d->n_answers = n;
        }
    }

    r->counters[EA_C_PACKETS] = 1234;
    r->counters[EA_C_IP_FRAGMENTS] = 3;
    r->counters[EA_C_FLOWS] = 9;
    r->first = (struct timeval){98, 0};
    r->last = (struct timeval){110, 250000};
    r->have_time = true;

    assert_true(ea_report_finalize(r));
}
void build_all_bytes_report(struct ea_report *r, char all[256])
{
    for (unsigned i = 0; i < 256; i++)
        all[i] = (char)i;
    ea_report_init(r);
    struct ea_input *in = ea_report_add_input(r);
    assert_non_null(in);
    str_set(&in->path, all, 256);
    struct ea_conn *c = ea_report_add_conn(r);
    assert_non_null(c);
    c->src = addr("10.0.0.1");
    c->dst = addr("10.0.0.2");
    c->transport = EA_TCP;
    c->dport = 443;
    c->name_source = EA_NAME_SNI;
    str_set(&c->name, all, 256);
    str_set(&c->alpn, all + 250, 6);
    struct ea_dns *d = ea_report_add_dns(r);
    assert_non_null(d);
    str_set(&d->qname, all, 256);
    assert_true(ea_report_finalize(r));
}
