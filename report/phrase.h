/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The sentences every format writes (the summary, findings, near misses,
 * what a cap left out), worded once. A sentence is a list of parts: our own
 * words, and names (from the wire or a rule file) that stay raw bytes here;
 * each renderer escapes every part for its format and marks names up its
 * own way (a code span in Markdown, <code> in HTML, safe text on a
 * terminal). JSON takes the raw concatenation and escapes it whole: the
 * safe-text escape maps byte by byte, so that is escaping each part.
 * Nothing here computes: every number is the model's (ea_report_derive).
 */
#ifndef EA_PHRASE_H
#define EA_PHRASE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>

#include "model.h"

enum phrase_kind {
    PHRASE_TEXT = 0, /* our words */
    PHRASE_NAME,     /* a name, a path, a rule pattern: hostile bytes */
};

struct phrase_part {
    enum phrase_kind kind;
    const char *s; /* a view, or own */
    size_t len;
    char *own;
    bool whole; /* a name that is prose (a service's guidance): never shortened */
};

struct phrase {
    struct phrase_part *parts;
    size_t n, cap;
    bool oom; /* some part could not be added */
};

void phrase_init(struct phrase *p);
void phrase_free(struct phrase *p);
/* Drop the parts, keep the memory for the next sentence. */
void phrase_clear(struct phrase *p);

/* Our words: a static string (a view), or formatted (a copy). */
void phrase_text(struct phrase *p, const char *s);
__attribute__((format(printf, 2, 3))) void phrase_printf(struct phrase *p, const char *fmt, ...);
/* A name (a view into the model). */
void phrase_name(struct phrase *p, const struct ea_str *s);
/* Untrusted prose (escaped like a name, wrapped but never shortened). */
void phrase_prose(struct phrase *p, const struct ea_str *s);
/* "pattern (origin)": how a rule is cited. */
void phrase_rule(struct phrase *p, const struct ea_rule *rule);
/* "name port/transport" of a host. */
void phrase_host(struct phrase *p, const struct ea_host *h);
/* "2026-11-27 07:40:24.456" (UTC) or "07:40:24.456"; "16.512" seconds. */
void phrase_clock(struct phrase *p, const struct timeval *when, bool with_date);
void phrase_seconds(struct phrase *p, long long us);

/* The parts joined, raw: a new heap string (NUL-terminated; *out_len its
 * length). NULL on ENOMEM or when p->oom. */
char *phrase_join(const struct phrase *p, size_t *out_len);

/* ---- the sentences ---- */

/* The answer in one line: "6 denied, 2 allowed, 5 no-name; 3 unused rules;
 * 4 hosts denied by the rules but reached on the wire"; without an
 * allowlist the hosts per outcome. */
void phrase_summary(struct phrase *p, const struct ea_report *r);
/* "36 connections to 13 hosts in 16.512 s", and the runs of a union. */
void phrase_overview(struct phrase *p, const struct ea_report *r);
/* "2026-11-27 07:40:24.456 to 07:40:40.968 UTC (16.512 s)" */
void phrase_time_span(struct phrase *p, const struct ea_report *r);
/* What a kind of finding means, for its count of hosts. */
void phrase_finding_group(struct phrase *p, const struct ea_report *r, enum ea_finding_kind k);
/* One finding's host and the numbers: "pypi.org 443/tcp: 1 of 1 connection
 * reached; denied: no rule permits this name". */
void phrase_finding_item(struct phrase *p, const struct ea_report *r, const struct ea_finding *f);
/* The whole finding in one sentence (JSON "text"). */
void phrase_finding(struct phrase *p, const struct ea_report *r, const struct ea_finding *f);
/* A near miss in one sentence; m's indexes in range. */
void phrase_near_miss(struct phrase *p, const struct ea_report *r, const struct ea_near_miss *m);
/* What the caps left out, said where the rows would be; nothing when
 * nothing was left out. listed: the connections are shown (-v). */
void phrase_conns_cap(struct phrase *p, const struct ea_report *r);
/* A service's rotating-hosts guidance, the denied names it concerns, its source. */
void phrase_service_note(struct phrase *p, const struct ea_service_note *n);
/* "X 443/tcp is permitted by the built-in profiles a, b" (drift). */
void phrase_known_in(struct phrase *p, const struct ea_host *h);
void phrase_hosts_cap(struct phrase *p, const struct ea_report *r);
/* DNS messages for names past the DNS row cap (dns_not_listed); nothing when none. */
void phrase_dns_cap(struct phrase *p, const struct ea_report *r);
/* "36 connections are in the JSON report; -v (--connections) lists them
 * here" */
void phrase_conns_hidden(struct phrase *p, const struct ea_report *r);
/* A change of a diff in words: "new: reached, denied", "gone (was reached,
 * allowed)", "outcome reached -> denied, verdict ...". */
void phrase_change(struct phrase *p, const struct ea_change *c);
/* "2 new hosts, 1 no longer contacted, 1 changed since old.json" or "no
 * change since old.json". */
void phrase_diff_summary(struct phrase *p, const struct ea_report *r);
/* What the catalog says a host is: "Hugging Face Hub: Xet storage" (the
 * service's name and role); nothing when the catalog does not know it. */
void phrase_host_service(struct phrase *p, const struct ea_host *h);
/* A connection's details past its name and outcome, each after "; ":
 * "inner sni X" (the name inside CONNECT or SOCKS), "JA4 X", "server ALPN
 * X", "certificate names X, Y"; nothing when it has none of them. */
void phrase_conn_details(struct phrase *p, const struct ea_conn *c);
/* egress-audit capture's figures, summed over the live inputs: "on eth0,
 * 1200 packets (3.4 MB), 1100 written to 1 file (2.9 MB); the cutoff (...)
 * left out 100 packets, 0.5 MB; dropped: 0 by the kernel, 0 by the
 * interface"; nothing when no input is a live capture. */
void phrase_live_capture(struct phrase *p, const struct ea_report *r);
/* "writing 'x.pcap' stopped after 10 packets: No space left on device (the
 * file is valid; the analysis went on)"; nothing unless in is a live
 * capture whose writing stopped. */
void phrase_capture_write_error(struct phrase *p, const struct ea_input *in);
/* The runs a host was contacted in: "all", or "1, 3" (runs numbered from
 * 1, as the reports list them). */
void phrase_host_runs(struct phrase *p, const struct ea_report *r, const struct ea_host *h);

#endif
