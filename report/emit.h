/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Rules as something to paste: az CLI lines, a workspace YAML fragment,
 * Bicep, or plain text (the text rule-file format). */
#ifndef EA_EMIT_H
#define EA_EMIT_H

#include <stdio.h>

#include "model.h"

enum emit_format {
    EMIT_TEXT = 0,
    EMIT_AZ,
    EMIT_YAML,
    EMIT_BICEP,
};

struct emit_opts {
    const char *resource_group; /* NULL: "RG" placeholder */
    const char *workspace;      /* NULL: "WS" placeholder */
};

/* Parse "text", "az", "yaml", "bicep"; false if unknown. */
bool emit_format_parse(const char *s, enum emit_format *out);

/* The loaded rules (egress-audit rules --emit). 0 on success, -1 on a write error. */
int emit_rules(const struct ea_report *r, enum emit_format f, const struct emit_opts *o, FILE *out);

/* The remediation: the rules to add (egress-audit analyze --emit, and the
 * text report's last section). 0 on success, -1 on a write error. */
int emit_remedies(const struct ea_report *r, enum emit_format f, const struct emit_opts *o,
                  FILE *out);

#endif
