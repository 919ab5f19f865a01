/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the rule loaders share (rules_load.c implements it; rules_yaml.c and
 * rules_json.c use it): one source being loaded all or nothing, the one-line
 * error, duplicate names, the look-alike warning, and turning destination
 * text into rule fields with the parsers of rules.c. Not installed.
 */
#ifndef EA_RULES_LOAD_INT_H
#define EA_RULES_LOAD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

struct rules_src;
struct rules_src *rules_src_open(struct ea_report *r, const char *origin_name, FILE *warn,
                                 char *err, size_t errlen);
bool rules_src_close(struct rules_src *s, bool ok);
bool rules_src_fail(struct rules_src *s, const char *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *rules_src_quote(char *buf, size_t n, const char *p, size_t len);
struct ea_rule *rules_src_add(struct rules_src *s, const char *loc);
bool rules_src_kind(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                    const char *loc);
bool rules_src_name(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                    const char *loc);
bool rules_src_fqdn(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                    const char *loc);
bool rules_src_tag(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                   const char *loc);
bool rules_src_net(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len, size_t max,
                   const char *loc);
bool rules_src_ports(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                     const char *loc);
bool rules_src_protocol(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                        const char *loc);
bool rules_src_resource(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                        const char *loc);
bool rules_src_subresource(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                           const char *loc);
bool rules_src_spark(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                     const char *loc);
bool rules_src_category(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                        const char *loc);
bool rules_src_status(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                      const char *loc);
bool rules_src_read(const char *path, char **out, size_t *out_len, char *err, size_t errlen);

#endif
