/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Renderers of the report model. They only format and escape: sorting,
 * aggregation and everything a report says but nobody measured (the
 * summary, findings, the order hosts are listed in) happened in the model
 * (ea_report_finalize, policy_judge, ea_report_derive), which must have run.
 */
#ifndef EA_RENDER_H
#define EA_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "emit.h"
#include "model.h"

/* How the text, Markdown and HTML reports are laid out. */
struct render_opts {
    bool color;                   /* text: SGR colour sequences */
    unsigned width;               /* text: columns to fit; 0: no limit */
    bool connections;             /* list every connection and every DNS query (-v) */
    const struct emit_opts *emit; /* names for the az CLI lines; NULL: placeholders */
};

/* The terminal report: the answer first (summary, findings, what to do),
 * then hosts, DNS names never connected to, connections (with
 * o->connections) and the capture's facts, fitted to o->width. o may be
 * NULL (no colour, no width limit). 0, or -1 on a write error or ENOMEM. */
int render_text(const struct ea_report *r, FILE *out, const struct render_opts *o);

/* The JSON report (doc/report-schema.md, "schema": EA_SCHEMA), ending in a
 * newline. 0, or -1 on a write error or ENOMEM. */
int render_json(const struct ea_report *r, FILE *out);

/* The same sections as the text report in Markdown (GitHub and Azure DevOps
 * flavour): tables that stay readable when pasted, long lists folded in
 * <details>, every name in a code span. 0, or -1. */
int render_md(const struct ea_report *r, FILE *out, const struct render_opts *o);

/* One self-contained HTML file (inline CSS, no script, nothing fetched):
 * the same sections, verdict colours that read in greyscale, an inline SVG
 * timeline of the connections per host; prints on A4. 0, or -1. */
int render_html(const struct ea_report *r, FILE *out, const struct render_opts *o);

/* One CSV row per listed connection, with its host's verdict, rule and finding
 * (RFC 4180; cells that a spreadsheet would take for a formula are
 * quoted and prefixed with '). 0, or -1. */
int render_csv(const struct ea_report *r, FILE *out);

#endif
