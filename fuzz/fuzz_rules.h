/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The body shared by fuzz_rules_{text,yaml,json}.c and fuzz_service_tags.c. */
#ifndef EA_FUZZ_RULES_H
#define EA_FUZZ_RULES_H

#include "fuzz.h"

#include "emit.h"
#include "model.h"
#include "policy.h"
#include "rules.h"

static inline void fuzz_rules_emit_all(struct ea_report *r)
{
    static const enum emit_format formats[] = {EMIT_TEXT, EMIT_AZ, EMIT_YAML, EMIT_BICEP};
    const struct emit_opts none = {0};
    const struct emit_opts named = {.resource_group = "my-rg", .workspace = "my-ws"};
    FILE *out = fuzz_devnull();
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        (void)emit_rules(r, formats[i], &none, out);
        (void)emit_rules(r, formats[i], &named, out);
    }
    /* an empty capture judged by these rules: every rule is unused */
    if (ea_report_finalize(r) && policy_judge(r)) {
        for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
            (void)emit_remedies(r, formats[i], &named, out);
    }
}

static inline void fuzz_rules_one(const uint8_t *data, size_t size, enum rules_format fmt)
{
    struct ea_report r;
    char err[1024] = "";
    ea_report_init(&r);
    if (rules_load_buffer(&r, "fuzz.rules", (const char *)data, size, fmt, fuzz_devnull(), err,
                          sizeof(err)))
        fuzz_rules_emit_all(&r);
    else
        fuzz_touch_str(err);
    ea_report_finish(&r);
}

#endif
