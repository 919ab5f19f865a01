/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Verdicts: what the loaded rules permit, what they would block, which
 * rules nothing used, near misses, and what to add (DESIGN.md). */
#ifndef EA_POLICY_H
#define EA_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "model.h"

/*
 * What every renderer and emitter prints about the loaded rules, computed
 * once into the model: each rule's pattern ("*.hf.co") and the name it is
 * emitted under (its own, or one made unique from its destination), the
 * Inactive rules, and the distinct rule sources in load order. Called by
 * policy_judge; call it directly when rules are only printed. false on ENOMEM.
 */
bool policy_prepare_rules(struct ea_report *r);

/*
 * Judge every host and connection of a finalized report against r->rules:
 * fills verdict, rule and verdict_why on hosts and connections,
 * hosts_permitted on rules, unused_rules and duplicate_rules (a rule that
 * permitted nothing while one with the same destination did is a duplicate,
 * not unused), near_misses, verdict_hosts, and remedies
 * (policy_build_remedies); then ea_report_derive (findings, the order hosts
 * are listed in). Sets r->has_policy. false on ENOMEM.
 */
bool policy_judge(struct ea_report *r);

/*
 * describe.c: each host's service from the catalog (by its name, or by the
 * first name DNS resolved to its address); c may be NULL (no catalog).
 */
bool policy_describe_hosts(struct ea_report *r, const struct catalog *c);

/*
 * describe.c, after policy_judge: for denied hosts, near misses of kind
 * "service" (a rule permits other hosts of the host's service, not this one),
 * the owner's rotating-hosts guidance per service (service_notes), and the
 * built-in profiles not loaded that already permit the name (known_in).
 * c may be NULL. false on ENOMEM.
 */
bool policy_explain(struct ea_report *r, const struct catalog *c);

/*
 * Judge one host as policy_judge would, without touching anything else in r:
 * fills h->verdict, h->rule and h->verdict_why from r->rules. For views of a
 * capture still running (capture --live); the report itself is judged by
 * policy_judge at the end.
 */
void policy_judge_host(const struct ea_report *r, struct ea_host *h);

/*
 * remedy.c: the rules to add for the denied names. First one activation per
 * Inactive rule that a denied host cites (host->rule; policy.c cites it when
 * only an Inactive rule matches): activate, the rule's index, its pattern and
 * own name, the names it covers. Then one exact-FQDN remedy per other
 * distinct denied name (lower case, sorted), then a wildcard suggestion
 * "*.PARENT" wherever two or more of those share PARENT, PARENT being at or
 * below the name's registrable domain (Public Suffix List via libpsl) and
 * never a public suffix itself; only the deepest such parent is suggested
 * for a group. Every new rule gets a rule name (rule_names_make).
 */
bool policy_build_remedies(struct ea_report *r);

/*
 * An Azure outbound-rule name for a destination: 3-33 characters of
 * [a-zA-Z0-9_-], starting with a letter or digit, derived from the
 * destination ("*.xethub.hf.co" -> "allow-xethub-hf-co") by whole labels:
 * those that do not fit are dropped from the right, never cut (only a first
 * label too long alone is); unique against the names of r->rules and
 * r->remedies (a numeric suffix after the labels that still fit).
 * out has room for 34 bytes. false only on an impossible input.
 */
bool policy_rule_name(const struct ea_report *r, const char *dest, size_t len, char out[34]);

/* The same for many names at once: a set of the names in use (r's rules
 * and remedies), each made name added to it. Naming n rules costs O(n). */
struct rule_names;
struct rule_names *rule_names_new(const struct ea_report *r);
bool rule_names_make(struct rule_names *set, const char *dest, size_t len, char out[34]);
void rule_names_free(struct rule_names *set);

/*
 * Do two reports hold the same rules, in the same order (kind, destination,
 * name, origin, status, addresses, ports, protocol, service tag)? The union
 * of reports judged against the same allowlist is judged against it again.
 */
bool policy_same_rules(const struct ea_report *a, const struct ea_report *b);

/* Copy src's rules (read back from a report) into dst, which has none, as
 * a rule loader would have made them (FQDN patterns parsed again). false on
 * ENOMEM. */
bool policy_copy_rules(struct ea_report *dst, const struct ea_report *src);

/* The registrable domain of name (libpsl), or NULL; a view into name. */
const char *policy_registrable_domain(const char *name);

#endif
