/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What egress-audit capture shows while it runs, on standard error: with
 * --live one line per host as it appears (time, name, port, outcome so far,
 * verdict against the loaded rules), and again when its outcome or verdict
 * changes; on a terminal, a status line kept at the bottom. The hosts come
 * from the analyzer's connection events (analyzer_on_conn); the report
 * itself is made and judged at the end, as for analyze.
 */
#ifndef EA_CLI_CAPTURE_VIEW_H
#define EA_CLI_CAPTURE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "analyzer.h"
#include "model.h"

struct capture_view;

/* rules: the report whose rules judge hosts (none loaded: no verdicts).
 * lines: print the --live lines (else only count hosts for the status).
 * NULL on ENOMEM. */
struct capture_view *capture_view_new(const struct ea_report *rules, FILE *out, bool lines,
                                      bool color);
void capture_view_free(struct capture_view *v);

/* analyzer_on_conn's function; ctx is the view. */
void capture_view_on_conn(const struct analyzer_conn_event *ev, void *ctx);

/* Once a second: hosts whose outcome is still open after a moment are
 * shown as they are. */
void capture_view_tick(struct capture_view *v, time_t now);
/* Show every host not shown yet (the capture is over). */
void capture_view_flush(struct capture_view *v);

size_t capture_view_hosts(const struct capture_view *v);

/* The status line (a terminal only): drawn in place, cleared before any
 * other line is written to out. */
void capture_view_status(struct capture_view *v, const char *text);
void capture_view_clear_status(struct capture_view *v);

#endif
