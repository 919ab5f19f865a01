/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The JSON report read back (doc/report-schema.md): the report model that
 * render_json() wrote, rebuilt so that rendering it again gives the same
 * bytes, and the text report the same text. No capture, libpcap or libnids
 * is needed; the allowlist part is read as written (re-judging it against
 * other rules is policy_judge()'s business, after ea_report_drop_policy()).
 */
#ifndef EA_REPORT_READ_H
#define EA_REPORT_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

/* Bounds on hostile input; past any of them the report is refused. */
#define REPORT_READ_MAX_BYTES ((size_t)1 << 30) /* the whole file */
#define REPORT_READ_MAX_ROWS ((size_t)1 << 26)  /* hosts, connections, dns (--max-connections) */
#define REPORT_READ_MAX_LIST ((size_t)1 << 20)  /* inputs, rules and any other array */
#define REPORT_READ_MAX_CHAIN 64                /* names of one resolved_as chain */
#define REPORT_READ_MAX_STRING 65536            /* bytes of one string, as written */

/*
 * Read a schema-1 report from in (path names it in messages; "-" for
 * standard input). On success *out is the report (overwritten, not
 * finished: initialize it or finish it before) ready to render: sorted as
 * written, hosts counted, has_policy when the report has "rules", and the
 * rule lists (rule_sources) rebuilt; ea_report_finalize() is not needed.
 * On failure *out is untouched, err holds one line naming the file and the
 * problem ("'x.json': connections[3].outcome: unknown value 'foo'"), and
 * errno is ENOMEM when memory ran out, EIO when the file could not be
 * read, EINVAL for anything else.
 */
bool report_read_json(FILE *in, const char *path, struct ea_report *out, char *err, size_t errlen);

/* The same from memory (len bytes of buf). */
bool report_read_json_buffer(const char *buf, size_t len, const char *path, struct ea_report *out,
                             char *err, size_t errlen);

#endif
