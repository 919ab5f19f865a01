/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Renderers of the report model. They only format and escape: sorting and
 * aggregation happened in ea_report_finalize(), which must have been called.
 */
#ifndef EA_RENDER_H
#define EA_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

/* The terminal report: header, HOSTS, CONNECTIONS, DNS, COUNTERS. Colour
 * escape sequences are written only when color is true. 0, or -1 on a
 * write error or ENOMEM. */
int render_text(const struct ea_report *r, FILE *out, bool color);

/* The JSON report (doc/report-schema.md, "schema": EA_SCHEMA), ending in a
 * newline. 0, or -1 on a write error or ENOMEM. */
int render_json(const struct ea_report *r, FILE *out);

#endif
