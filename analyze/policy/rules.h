/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Allowlist rules: parsing destinations, matching them as Azure Firewall
 * would (DESIGN.md "Azure FQDN rule matching"), and loading rule sources
 * (built-in profiles, text files, workspace YAML, az CLI / ARM JSON,
 * Microsoft's service-tag JSON). Rules live in the report model
 * (struct ea_rule in model.h) so every verdict can cite one.
 */
#ifndef EA_RULES_H
#define EA_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

/* ---- destinations (rules.c) ---- */

/*
 * An FQDN pattern: "example.com", "*.example.com", "*example.com" (a plain
 * suffix: sets *out_lookalike), or "*". Case-insensitive; one trailing dot
 * is dropped. Labels of letters, digits, '-' and '_' (punycode "xn--" names
 * are plain labels), 1..63 bytes, name ≤ 253. A '*' anywhere else is
 * rejected. Fills rule->form and rule->fqdn (lower case). On failure
 * *out_why is a static message and rule is untouched.
 */
bool rules_parse_fqdn(const char *s, size_t len, struct ea_rule *rule, bool *out_lookalike,
                      const char **out_why);

/* "10.0.0.0/8", "2001:db8::/32", or a bare address (/32, /128). Host bits
 * set is an error ("host bits set (...)"), and so is a NUL in the address. */
bool rules_parse_cidr(const char *s, size_t len, struct ea_net *out, const char **out_why);

/* "443", "80,8080", "80, 8080", "1000-2000", "*" (any: *out_n = 0).
 * Allocates *out; 0 is not a port; lo ≤ hi. */
bool rules_parse_ports(const char *s, size_t len, struct ea_port_range **out, size_t *out_n,
                       const char **out_why);

/* "TCP", "UDP", "ANY", "*" (case-insensitive; ICMP is refused). */
bool rules_parse_protocol(const char *s, size_t len, uint8_t *out, const char **out_why);

/* ---- matching (rules.c) ---- */

/* Does an active or inactive FQDN rule's pattern match name (raw bytes from
 * the wire, any case, maybe a trailing dot)? Status is the caller's business. */
bool rules_match_fqdn(const struct ea_rule *rule, const char *name, size_t len);

/* Does a CIDR or service-tag rule with addresses cover addr:port/proto? */
bool rules_match_addr(const struct ea_rule *rule, const struct ea_addr *addr, uint16_t port,
                      uint8_t proto);

/* Does a rule's port/protocol part allow port/proto (addresses aside)? */
bool rules_match_port(const struct ea_rule *rule, uint16_t port, uint8_t proto);

/* ---- loading (rules_load.c, rules_yaml.c, rules_json.c) ---- */

enum rules_format {
    RULES_AUTO = 0, /* by content: JSON if it starts with '{' or '[', YAML if it
                       has "outbound_rules" or "managed_network", else text */
    RULES_TEXT,
    RULES_YAML,
    RULES_JSON,
};

/*
 * Append the rules of one source to r->rules. All or nothing: on error no
 * rule of this source is kept, and err holds one line "PATH:LINE[:COL]: what
 * is wrong" (unknown rule type, wildcard in an invalid position, a CIDR with
 * host bits, an empty destination, a duplicate rule name, YAML that is not a
 * mapping, ...). Warnings (a look-alike suffix rule "*contoso.com") go to
 * warn as "egress-audit: warning: PATH:LINE: ..." when warn is not NULL.
 * Every rule's origin is "PATH:LINE".
 */
bool rules_load_file(struct ea_report *r, const char *path, enum rules_format fmt, FILE *warn,
                     char *err, size_t errlen);

/* The same from memory; origin_name stands for the path in origins and
 * messages. */
bool rules_load_buffer(struct ea_report *r, const char *origin_name, const char *buf, size_t len,
                       enum rules_format fmt, FILE *warn, char *err, size_t errlen);

/*
 * Text: one rule per line, '#' starts a comment, blank lines ignored.
 *   huggingface.co | *.hf.co | *suffix.com | *        FQDN rules
 *   10.0.0.0/8 | 10.0.0.0/8:443 | 10.0.0.0/8:8000-8100/tcp
 *   2001:db8::/32 | [2001:db8::/32]:443/tcp           (brackets when a port follows)
 *   tag:AzureMachineLearning | tag:Storage:443/tcp    service tag (no addresses)
 */
bool rules_load_text(struct ea_report *r, const char *origin_name, const char *buf, size_t len,
                     FILE *warn, char *err, size_t errlen);

/* Workspace YAML (libyaml): managed_network.outbound_rules as a list of
 * {name, type, destination, category, status} or the older map form
 * {rule-name: {type, destination, ...}}; also a bare outbound_rules
 * list/map at the top. type: fqdn | service_tag | private_endpoint;
 * service_tag destination {service_tag, protocol, port_ranges,
 * address_prefixes}; private_endpoint destination {service_resource_id,
 * subresource_target, spark_enabled (true/false, yes/no, on/off)}. */
bool rules_load_yaml(struct ea_report *r, const char *origin_name, const char *buf, size_t len,
                     FILE *warn, char *err, size_t errlen);

/* JSON (jansson): `az ml workspace outbound-rule list -o json` (an array of
 * snake_case rules as in the YAML) and ARM/REST ({"value": [{"name",
 * "properties": {"type": "FQDN|ServiceTag|PrivateEndpoint", "destination",
 * "category", "status"}}]}, or a single such object, or an array of them).
 * A private endpoint's destination keeps subresource_target/subresourceTarget
 * and spark_enabled/sparkEnabled (a boolean, or "true"/"false"). */
bool rules_load_json(struct ea_report *r, const char *origin_name, const char *buf, size_t len,
                     FILE *warn, char *err, size_t errlen);

/*
 * Microsoft's published service tags (ServiceTags_Public_*.json:
 * {"values": [{"name": "Storage.WestEurope", "properties": {"addressPrefixes":
 * [...]}}]}): every loaded service-tag rule without addresses whose tag
 * matches a value's name (case-insensitive) gets that value's prefixes.
 * Returns false with err "PATH: ..." if the file cannot be read or parsed.
 */
bool rules_load_service_tags(struct ea_report *r, const char *path, char *err, size_t errlen);

/* ---- built-in profiles (profiles.c): data files in analyze/policy/profiles/ ---- */

/* Where profiles are read from: $EGRESS_AUDIT_PROFILES, else the installed
 * directory, else the source tree (an uninstalled build). */
const char *rules_profile_dir(void);
bool rules_load_profile(struct ea_report *r, const char *name, FILE *warn, char *err,
                        size_t errlen);
/* One line per profile: name, title, source document and its date. */
bool rules_list_profiles(FILE *out, char *err, size_t errlen);
/* The names of the built-in profiles, sorted, at most max; each to be freed. */
size_t rules_profile_names(char **names, size_t max);
/* A profile's header, its history of changes (with their sources), its
 * rules and the lines that record removed ones. */
bool rules_explain_profile(FILE *out, const char *name, char *err, size_t errlen);

#endif
