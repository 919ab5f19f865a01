/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The JSON report (doc/report-schema.md). Keys are written in the order of
 * the schema document. Every string that is not a name from one of our
 * tables goes through ea_escape() first, so the output is ASCII whatever the
 * capture held.
 *
 * The report is streamed through json_out.c, value by value, straight from
 * the model: no tree is built (a jansson tree costs kilobytes per
 * connection, and building and dumping one per element was two thirds of
 * the run time on a large capture). The bytes are those json_dumpf writes
 * for the whole report as a tree with JSON_INDENT(2) | JSON_PRESERVE_ORDER |
 * JSON_ENSURE_ASCII | JSON_REAL_PRECISION(16), and a final newline; the
 * reader (report_read.c) still uses jansson.
 *
 * Every function here writes one value or member; a failure (write error,
 * ENOMEM) sticks in the writer and render_json reports it at the end.
 */
#include "render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "json_out.h"
#include "phrase.h"

#define EA_TOOL_NAME "egress-audit"

/* ---- values ---- */

/* The safe text of s[0..len) as a JSON string. */
static void w_text(struct json_out *w, const char *s, size_t len)
{
    /* Most names need no escape at all: written as they are, no copy. */
    size_t plain = 0;
    while (plain < len && (unsigned char)s[plain] >= 0x20 && (unsigned char)s[plain] <= 0x7e &&
           s[plain] != '\\')
        plain++;
    if (plain == len) {
        jo_string(w, s, len);
        return;
    }
    char small[256];
    size_t need = ea_escape(s, len, small, sizeof small);
    if (need < sizeof small) {
        jo_string(w, small, need);
        return;
    }
    char *big = need < SIZE_MAX ? malloc(need + 1) : NULL;
    if (!big) {
        jo_fail(w);
        return;
    }
    ea_escape(s, len, big, need + 1);
    jo_string(w, big, need);
    free(big);
}

static void w_str(struct json_out *w, const struct ea_str *s)
{
    w_text(w, s->s ? s->s : "", s->len);
}

static void w_str_or_null(struct json_out *w, const struct ea_str *s)
{
    if (s->len)
        w_str(w, s);
    else
        jo_null(w);
}

/* Our own static text (a table name, outcome_why): escaped all the same. */
static void w_cstr(struct json_out *w, const char *s)
{
    if (s)
        w_text(w, s, strlen(s));
    else
        jo_null(w);
}

/* A name from a table, or the number when the table has none. */
static void w_name(struct json_out *w, const char *name, long long v)
{
    if (name)
        w_cstr(w, name);
    else
        jo_int(w, v);
}

/* Seconds since the epoch; printed with 16 significant digits, which is
 * exact to the microsecond for any date before 2^33 seconds (the year 2242:
 * past it a double's step is more than a microsecond). */
static void w_time(struct json_out *w, const struct timeval *tv)
{
    jo_real(w, (double)tv->tv_sec + (double)tv->tv_usec / 1e6);
}

static void w_addr(struct json_out *w, const struct ea_addr *a)
{
    if (a->family != 4 && a->family != 6) {
        jo_null(w);
        return;
    }
    char buf[64];
    w_cstr(w, ea_addr_text(a, buf, sizeof buf));
}

static void w_flags(struct json_out *w, uint32_t flags)
{
    jo_begin_array(w);
    for (unsigned i = 0; i < 32; i++) {
        uint32_t bit = UINT32_C(1) << i;
        if (flags & bit)
            w_name(w, ea_conn_flag_name(bit), bit);
    }
    jo_end_array(w);
}

static void w_strs(struct json_out *w, const struct ea_str *v, size_t n)
{
    jo_begin_array(w);
    for (size_t i = 0; i < n; i++)
        w_str(w, &v[i]);
    jo_end_array(w);
}

/* ---- members: a key and its value ---- */

static void k_str(struct json_out *w, const char *key, const struct ea_str *s)
{
    jo_key(w, key);
    w_str(w, s);
}

static void k_str_or_null(struct json_out *w, const char *key, const struct ea_str *s)
{
    jo_key(w, key);
    w_str_or_null(w, s);
}

static void k_name(struct json_out *w, const char *key, const char *name, long long v)
{
    jo_key(w, key);
    w_name(w, name, v);
}

static void k_int(struct json_out *w, const char *key, long long v)
{
    jo_key(w, key);
    jo_int(w, v);
}

static void k_u64(struct json_out *w, const char *key, uint64_t v)
{
    jo_key(w, key);
    jo_u64(w, v);
}

static void k_bool(struct json_out *w, const char *key, bool v)
{
    jo_key(w, key);
    jo_bool(w, v);
}

static void k_null(struct json_out *w, const char *key)
{
    jo_key(w, key);
    jo_null(w);
}

static void k_time(struct json_out *w, const char *key, const struct timeval *tv)
{
    jo_key(w, key);
    w_time(w, tv);
}

static void k_strs(struct json_out *w, const char *key, const struct ea_str *v, size_t n)
{
    jo_key(w, key);
    w_strs(w, v, n);
}

/* ---- objects ---- */

/* A live capture's figures (only on inputs that egress-audit capture made). */
static void w_capture(struct json_out *w, const struct ea_capture_stats *cs)
{
    jo_begin_object(w);
    k_str(w, "interface", &cs->interface);
    k_bool(w, "written", cs->written);
    k_u64(w, "cutoff", cs->cutoff);
    k_bool(w, "cutoff_headers", cs->cutoff_headers);
    k_u64(w, "packets_seen", cs->packets_seen);
    k_u64(w, "bytes_seen", cs->bytes_seen);
    k_u64(w, "packets_written", cs->packets_written);
    k_u64(w, "bytes_written", cs->bytes_written);
    k_u64(w, "cut_packets", cs->cut_packets);
    k_u64(w, "cut_bytes", cs->cut_bytes);
    k_u64(w, "kernel_drops", cs->kernel_drops);
    k_u64(w, "interface_drops", cs->interface_drops);
    k_str_or_null(w, "write_error", &cs->write_error);
    jo_end_object(w);
}

static void w_input(struct json_out *w, const struct ea_input *in)
{
    jo_begin_object(w);
    k_str(w, "path", &in->path);
    k_int(w, "linktype", in->linktype);
    k_str_or_null(w, "linktype_name", &in->linktype_name);
    k_u64(w, "packets", in->packets);
    k_bool(w, "truncated", in->truncated);
    if (in->truncated && in->truncated_offset)
        k_u64(w, "truncated_offset", in->truncated_offset);
    else
        k_null(w, "truncated_offset");
    if (in->given_position) /* only when the files were read in another order */
        k_u64(w, "given_position", in->given_position);
    if (in->capture.live) {
        jo_key(w, "capture");
        w_capture(w, &in->capture);
    }
    jo_end_object(w);
}

/* ---- the allowlist (only when r->has_policy) ---- */

/* "pattern" and "origin": how a rule is cited in lists, as members of an
 * object the caller opened. */
static void k_rule_ref(struct json_out *w, const struct ea_rule *rule)
{
    k_str(w, "pattern", &rule->destination);
    k_str(w, "origin", &rule->origin);
}

/* {"pattern", "origin"} */
static void w_rule_ref(struct json_out *w, const struct ea_rule *rule)
{
    jo_begin_object(w);
    k_rule_ref(w, rule);
    jo_end_object(w);
}

/* {"pattern", "origin", "kind"} for a verdict, or null. */
static void w_rule_cite(struct json_out *w, const struct ea_report *r, long index)
{
    const struct ea_rule *rule = ea_report_rule(r, index);
    if (!rule) {
        jo_null(w);
        return;
    }
    jo_begin_object(w);
    k_rule_ref(w, rule);
    k_name(w, "kind", ea_rule_kind_name(rule->kind), rule->kind);
    jo_end_object(w);
}

/* verdict, rule and verdict_why, appended to a host or a connection. */
static void k_verdict(struct json_out *w, const struct ea_report *r, enum ea_verdict v, long rule,
                      enum ea_verdict_why why)
{
    k_name(w, "verdict", ea_verdict_name(v), v);
    jo_key(w, "rule");
    w_rule_cite(w, r, rule);
    jo_key(w, "verdict_why");
    w_cstr(w, ea_verdict_why_text(why));
}

static void w_net(struct json_out *w, const struct ea_net *n)
{
    char buf[64];
    char text[80];
    ea_addr_text(&n->addr, buf, sizeof buf);
    snprintf(text, sizeof text, "%s/%u", buf, (unsigned)n->len);
    w_cstr(w, text);
}

static void w_port_range(struct json_out *w, const struct ea_port_range *p)
{
    char text[16];
    if (p->lo == p->hi)
        snprintf(text, sizeof text, "%u", (unsigned)p->lo);
    else
        snprintf(text, sizeof text, "%u-%u", (unsigned)p->lo, (unsigned)p->hi);
    w_cstr(w, text);
}

static void w_rule(struct json_out *w, const struct ea_rule *rule)
{
    jo_begin_object(w);
    k_name(w, "kind", ea_rule_kind_name(rule->kind), rule->kind);
    k_str(w, "destination", &rule->destination);
    k_str_or_null(w, "name", &rule->name);
    k_str(w, "origin", &rule->origin);
    k_str_or_null(w, "category", &rule->category);
    k_str_or_null(w, "status", &rule->status);
    k_bool(w, "active", !rule->inactive);
    if (rule->kind == EA_RULE_FQDN)
        k_name(w, "form", ea_fqdn_form_name(rule->form), rule->form);
    else
        k_null(w, "form");
    k_str_or_null(w, "service_tag", &rule->service_tag);
    jo_key(w, "addresses");
    jo_begin_array(w);
    for (size_t i = 0; i < rule->n_nets; i++)
        w_net(w, &rule->nets[i]);
    jo_end_array(w);
    jo_key(w, "ports");
    jo_begin_array(w);
    for (size_t i = 0; i < rule->n_ports; i++)
        w_port_range(w, &rule->ports[i]);
    jo_end_array(w);
    if (rule->protocol)
        k_name(w, "protocol", ea_transport_name((enum ea_transport)rule->protocol), rule->protocol);
    else
        k_null(w, "protocol");
    k_u64(w, "hosts_permitted", rule->hosts_permitted);
    k_str_or_null(w, "subresource_target", &rule->subresource_target);
    if (rule->has_spark_enabled)
        k_bool(w, "spark_enabled", rule->spark_enabled);
    else
        k_null(w, "spark_enabled");
    jo_end_object(w);
}

/* A sentence (phrase.h) as one safe-text string; ph is freed. */
static void w_phrase(struct json_out *w, struct phrase *ph)
{
    size_t len;
    char *raw = phrase_join(ph, &len);
    phrase_free(ph);
    if (!raw) {
        jo_fail(w);
        return;
    }
    w_text(w, raw, len);
    free(raw);
}

/* m's indexes are in range (the caller checks). */
static void w_near_miss(struct json_out *w, const struct ea_report *r, const struct ea_near_miss *m)
{
    const struct ea_host *h = &r->hosts[m->host];
    jo_begin_object(w);
    k_str(w, "host", &h->key);
    k_int(w, "port", h->port);
    jo_key(w, "rule");
    w_rule_ref(w, &r->rules[m->rule]);
    k_name(w, "kind", ea_near_kind_name(m->kind), m->kind);
    struct phrase ph;
    phrase_init(&ph);
    phrase_near_miss(&ph, r, m);
    jo_key(w, "text");
    w_phrase(w, &ph);
    jo_end_object(w);
}

static void w_outcomes(struct json_out *w, const uint32_t *outcomes)
{
    jo_begin_object(w);
    for (unsigned i = 0; i < EA_OUT__COUNT; i++)
        if (outcomes[i])
            k_int(w, ea_outcome_name((enum ea_outcome)i), outcomes[i]);
    jo_end_object(w);
}

/* f->host is in range (the caller checks). */
static void w_finding(struct json_out *w, const struct ea_report *r, const struct ea_finding *f)
{
    const struct ea_host *h = &r->hosts[f->host];
    jo_begin_object(w);
    k_name(w, "kind", ea_finding_kind_name(f->kind), f->kind);
    k_str(w, "host", &h->key);
    k_int(w, "port", h->port);
    k_name(w, "transport", ea_transport_name(h->transport), h->transport);
    k_name(w, "verdict", ea_verdict_name(h->verdict), h->verdict);
    jo_key(w, "rule");
    w_rule_cite(w, r, h->rule);
    k_u64(w, "connections", h->n_conns);
    k_u64(w, "contradicting", f->conns);
    jo_key(w, "outcomes");
    w_outcomes(w, h->outcomes);
    struct phrase ph;
    phrase_init(&ph);
    phrase_finding(&ph, r, f);
    jo_key(w, "text");
    w_phrase(w, &ph);
    jo_end_object(w);
}

static void w_remedy(struct json_out *w, const struct ea_report *r, const struct ea_remedy *m)
{
    bool activate = m->activate && m->rule < r->n_rules; /* always in range, from policy */
    jo_begin_object(w);
    k_str(w, "destination", &m->destination);
    k_str(w, "rule_name", &m->rule_name);
    k_bool(w, "wildcard", m->wildcard);
    k_strs(w, "covers", m->covers, m->n_covers);
    if (activate) { /* only on an activation: other entries keep the keys they had */
        k_bool(w, "activate", true);
        jo_key(w, "rule");
        w_rule_ref(w, &r->rules[m->rule]);
    }
    jo_end_object(w);
}

/* A service's rotating-hosts guidance and the denied names it concerns. */
static void w_service_note(struct json_out *w, const struct ea_service_note *n)
{
    jo_begin_object(w);
    k_str(w, "service", &n->service);
    k_str(w, "guidance", &n->guidance);
    k_str(w, "source", &n->source);
    k_str(w, "date", &n->date);
    k_strs(w, "covers", n->covers, n->n_covers);
    jo_end_object(w);
}

/* {"name", "role", "source"} of a host's service, or null. */
static void w_service(struct json_out *w, const struct ea_host *h)
{
    if (!h->service) {
        jo_null(w);
        return;
    }
    jo_begin_object(w);
    k_str(w, "name", &h->service->name);
    k_str(w, "role", &h->service->role);
    k_str(w, "source", &h->service->source);
    jo_end_object(w);
}

/* What to know before adding FQDN rules (DESIGN.md "Remediation"). */
static const char *const remediation_notes[] = {
    "FQDN outbound rules make the managed network provision an Azure Firewall, which is billed "
    "separately (standard SKU by default; basic can be selected with firewall_sku)",
    "az ml workspace provision-network provisions the managed network ahead of the first "
    "compute; otherwise it is provisioned when the first compute is created",
};

/* The allowlist members of the top level, in the order of the schema page. */
static void k_policy(struct json_out *w, const struct ea_report *r)
{
    jo_key(w, "rules");
    jo_begin_array(w);
    for (size_t i = 0; i < r->n_rules; i++)
        w_rule(w, &r->rules[i]);
    jo_end_array(w);

    jo_key(w, "unused_rules");
    jo_begin_array(w);
    for (size_t i = 0; i < r->n_unused_rules; i++)
        if (r->unused_rules[i] < r->n_rules)
            w_rule_ref(w, &r->rules[r->unused_rules[i]]);
    jo_end_array(w);

    jo_key(w, "duplicate_rules");
    jo_begin_array(w);
    for (size_t i = 0; i < r->n_duplicate_rules; i++) {
        const struct ea_duplicate *d = &r->duplicate_rules[i];
        if (d->rule >= r->n_rules || d->of >= r->n_rules) /* never, from policy.c */
            continue;
        jo_begin_object(w);
        k_rule_ref(w, &r->rules[d->rule]);
        jo_key(w, "duplicate_of");
        w_rule_ref(w, &r->rules[d->of]);
        jo_end_object(w);
    }
    jo_end_array(w);

    jo_key(w, "inactive_rules");
    jo_begin_array(w);
    for (size_t i = 0; i < r->n_inactive_rules; i++)
        if (r->inactive_rules[i] < r->n_rules)
            w_rule_ref(w, &r->rules[r->inactive_rules[i]]);
    jo_end_array(w);

    jo_key(w, "near_misses");
    jo_begin_array(w);
    for (size_t i = 0; i < r->n_near_misses; i++) {
        const struct ea_near_miss *m = &r->near_misses[i];
        if (m->host < r->n_hosts && m->rule < r->n_rules) /* always, from policy.c */
            w_near_miss(w, r, m);
    }
    jo_end_array(w);

    jo_key(w, "findings");
    jo_begin_array(w);
    for (size_t i = 0; i < r->n_findings; i++)
        if (r->findings[i].host < r->n_hosts) /* always, from ea_report_derive */
            w_finding(w, r, &r->findings[i]);
    jo_end_array(w);

    jo_key(w, "verdicts");
    jo_begin_object(w);
    for (unsigned v = EA_V_NONE + 1; v < EA_V__COUNT; v++) {
        const char *name = ea_verdict_name((enum ea_verdict)v);
        if (r->verdict_hosts[v] && name)
            k_int(w, name, r->verdict_hosts[v]);
    }
    jo_end_object(w);

    jo_key(w, "remediation");
    jo_begin_object(w);
    jo_key(w, "add");
    jo_begin_array(w);
    for (size_t i = 0; i < r->n_remedies; i++)
        w_remedy(w, r, &r->remedies[i]);
    jo_end_array(w);
    jo_key(w, "service_notes");
    jo_begin_array(w);
    for (size_t i = 0; i < r->n_service_notes; i++)
        w_service_note(w, &r->service_notes[i]);
    jo_end_array(w);
    jo_key(w, "notes");
    jo_begin_array(w);
    size_t n_notes = r->n_remedies ? sizeof remediation_notes / sizeof *remediation_notes : 0;
    for (size_t i = 0; i < n_notes; i++)
        w_cstr(w, remediation_notes[i]);
    jo_end_array(w);
    jo_end_object(w);
}

static void w_host(struct json_out *w, const struct ea_report *r, const struct ea_host *h)
{
    jo_begin_object(w);
    if (h->named)
        k_str(w, "name", &h->key);
    else
        k_null(w, "name");
    k_str(w, "key", &h->key);
    k_int(w, "port", h->port);
    k_name(w, "transport", ea_transport_name(h->transport), h->transport);
    k_name(w, "name_source", ea_name_source_name(h->name_source), h->name_source);
    k_name(w, "outcome", ea_outcome_name(h->outcome), h->outcome);
    jo_key(w, "outcomes");
    w_outcomes(w, h->outcomes);
    k_u64(w, "connections", h->n_conns);
    k_strs(w, "addresses", h->addrs, h->n_addrs);
    k_strs(w, "resolved_as", h->resolved_as, h->n_resolved_as);
    jo_key(w, "flags");
    w_flags(w, h->flags);
    k_u64(w, "bytes_out", h->bytes_out);
    k_u64(w, "bytes_in", h->bytes_in);
    k_time(w, "first", &h->first);
    k_time(w, "last", &h->last);
    jo_key(w, "service");
    w_service(w, h);
    if (r->has_policy) {
        k_verdict(w, r, h->verdict, h->rule, h->verdict_why);
        k_strs(w, "known_in", h->known_in, h->n_known_in);
    }
    if (r->n_runs) {
        jo_key(w, "runs");
        jo_begin_array(w);
        for (size_t i = 0; i < h->n_runs; i++)
            jo_int(w, h->runs[i]);
        jo_end_array(w);
    }
    if (r->shard) { /* analyze -j: a worker's report, for the merge (runs.c) only */
        k_u64(w, "shard_seq", h->seq);
        k_u64(w, "shard_first_seq", h->first_seq);
    }
    jo_end_object(w);
}

static void w_conn(struct json_out *w, const struct ea_report *r, const struct ea_conn *c)
{
    jo_begin_object(w);
    if (c->name_source != EA_NAME_NONE)
        k_str(w, "name", &c->name);
    else
        k_null(w, "name");
    k_name(w, "name_source", ea_name_source_name(c->name_source), c->name_source);
    if (c->inner_source != EA_NAME_NONE)
        k_str(w, "inner_name", &c->inner_name);
    else
        k_null(w, "inner_name");
    k_name(w, "inner_name_source", ea_name_source_name(c->inner_source), c->inner_source);
    jo_key(w, "dst");
    w_addr(w, &c->dst);
    k_int(w, "dport", c->dport);
    jo_key(w, "src");
    w_addr(w, &c->src);
    k_int(w, "sport", c->sport);
    k_name(w, "transport", ea_transport_name(c->transport), c->transport);
    k_name(w, "outcome", ea_outcome_name(c->outcome), c->outcome);
    jo_key(w, "outcome_why");
    w_cstr(w, ea_outcome_why_text(c->outcome_why));
    jo_key(w, "flags");
    w_flags(w, c->flags);
    k_str_or_null(w, "alpn", &c->alpn);
    if (c->tls_version)
        k_name(w, "tls_version", ea_tls_version_name(c->tls_version), c->tls_version);
    else
        k_null(w, "tls_version");
    /* schema 1 gained these: written only when there is something */
    if (c->server_alpn.len)
        k_str(w, "server_alpn", &c->server_alpn);
    if (c->ja4.len)
        k_str(w, "ja4", &c->ja4);
    if (c->n_cert_names)
        k_strs(w, "cert_names", c->cert_names, c->n_cert_names);
    if (c->http_status)
        k_int(w, "http_status", c->http_status);
    else
        k_null(w, "http_status");
    k_str_or_null(w, "http_method", &c->http_method);
    k_time(w, "first", &c->first);
    k_time(w, "last", &c->last);
    k_u64(w, "packets_out", c->pkts_out);
    k_u64(w, "packets_in", c->pkts_in);
    k_u64(w, "bytes_out", c->bytes_out);
    k_u64(w, "bytes_in", c->bytes_in);
    k_u64(w, "payload_out", c->payload_out);
    k_u64(w, "payload_in", c->payload_in);
    jo_key(w, "tunnel");
    if (c->tunnel != EA_TUN_NONE) {
        jo_begin_object(w);
        k_name(w, "kind", ea_tunnel_name(c->tunnel), c->tunnel);
        jo_key(w, "outer_src");
        w_addr(w, &c->outer_src);
        jo_key(w, "outer_dst");
        w_addr(w, &c->outer_dst);
        jo_end_object(w);
    } else {
        jo_null(w);
    }
    if (c->has_resolved)
        k_strs(w, "resolved_as", c->resolved.names, c->resolved.n_names);
    else
        k_null(w, "resolved_as");
    if (r->has_policy)
        k_verdict(w, r, c->verdict, c->rule, c->verdict_why);
    if (r->n_runs)
        k_int(w, "run", c->run);
    jo_end_object(w);
}

static void w_answer(struct json_out *w, const struct ea_dns_answer *a)
{
    jo_begin_object(w);
    k_name(w, "type", ea_dns_type_name(a->type), a->type);
    k_str(w, "name", &a->owner);
    k_str(w, "data", &a->data);
    k_u64(w, "ttl", a->ttl);
    jo_end_object(w);
}

static void w_rcode(struct json_out *w, int rcode)
{
    if (rcode < 0)
        jo_null(w);
    else if (rcode <= UINT8_MAX)
        w_name(w, ea_dns_rcode_name(rcode), rcode);
    else
        jo_int(w, rcode);
}

static void w_dns(struct json_out *w, const struct ea_dns *d)
{
    jo_begin_object(w);
    k_str(w, "query", &d->qname);
    k_name(w, "qtype", ea_dns_type_name(d->qtype), d->qtype);
    jo_key(w, "rcode");
    w_rcode(w, d->rcode);
    jo_key(w, "answers");
    jo_begin_array(w);
    for (size_t i = 0; i < d->n_answers; i++)
        w_answer(w, &d->answers[i]);
    jo_end_array(w);
    k_bool(w, "answers_dropped", d->answers_dropped);
    k_u64(w, "queries", d->n_queries);
    k_u64(w, "responses", d->n_responses);
    jo_key(w, "transport");
    jo_begin_array(w);
    if (d->over_udp)
        w_cstr(w, "udp");
    if (d->over_tcp)
        w_cstr(w, "tcp");
    jo_end_array(w);
    k_time(w, "first", &d->first);
    k_time(w, "last", &d->last);
    k_bool(w, "local", d->local);
    if (d->port)
        k_int(w, "port", d->port);
    else
        k_null(w, "port");
    jo_end_object(w);
}

static void w_run(struct json_out *w, const struct ea_run *run)
{
    jo_begin_object(w);
    k_str(w, "path", &run->path);
    jo_key(w, "inputs");
    jo_begin_array(w);
    for (size_t i = 0; i < run->n_inputs; i++)
        jo_u64(w, run->first_input + i);
    jo_end_array(w);
    jo_end_object(w);
}

static void w_side_outcome(struct json_out *w, enum ea_outcome o)
{
    if ((unsigned)o >= EA_OUT__COUNT)
        jo_null(w);
    else
        w_name(w, ea_outcome_name(o), o);
}

static void w_side_verdict(struct json_out *w, enum ea_verdict v)
{
    if (v == EA_V_NONE)
        jo_null(w);
    else
        w_name(w, ea_verdict_name(v), v);
}

static void w_change(struct json_out *w, const struct ea_change *c)
{
    jo_begin_object(w);
    k_name(w, "change", ea_change_kind_name(c->kind), c->kind);
    if (c->named)
        k_str(w, "name", &c->key);
    else
        k_null(w, "name");
    k_str(w, "key", &c->key);
    k_int(w, "port", c->port);
    k_name(w, "transport", ea_transport_name(c->transport), c->transport);
    /* {"old": ..., "new": ...} */
    jo_key(w, "outcome");
    jo_begin_object(w);
    jo_key(w, "old");
    w_side_outcome(w, c->old_outcome);
    jo_key(w, "new");
    w_side_outcome(w, c->new_outcome);
    jo_end_object(w);
    jo_key(w, "verdict");
    jo_begin_object(w);
    jo_key(w, "old");
    w_side_verdict(w, c->old_verdict);
    jo_key(w, "new");
    w_side_verdict(w, c->new_verdict);
    jo_end_object(w);
    jo_key(w, "connections");
    jo_begin_object(w);
    k_u64(w, "old", c->old_conns);
    k_u64(w, "new", c->new_conns);
    jo_end_object(w);
    jo_end_object(w);
}

/* The members before the hosts. */
static void k_head(struct json_out *w, const struct ea_report *r)
{
    k_int(w, "schema", EA_SCHEMA);
    jo_key(w, "tool");
    jo_begin_object(w);
    jo_key(w, "name");
    w_cstr(w, EA_TOOL_NAME);
    jo_key(w, "version");
    w_cstr(w, r->tool_version);
    jo_end_object(w);
    jo_key(w, "inputs");
    jo_begin_array(w);
    for (size_t i = 0; i < r->n_inputs; i++)
        w_input(w, &r->inputs[i]);
    jo_end_array(w);
    k_bool(w, "truncated", r->truncated);
    jo_key(w, "snaplen_cut");
    if (r->snaplen_cut_frames) {
        jo_begin_object(w);
        k_u64(w, "frames", r->snaplen_cut_frames);
        k_u64(w, "snaplen", r->snaplen_seen);
        jo_end_object(w);
    } else {
        jo_null(w);
    }
    jo_key(w, "time");
    if (r->have_time) {
        jo_begin_object(w);
        k_time(w, "first", &r->first);
        k_time(w, "last", &r->last);
        jo_end_object(w);
    } else {
        jo_null(w);
    }
    if (r->n_runs) { /* a union of reports */
        jo_key(w, "runs");
        jo_begin_array(w);
        for (size_t i = 0; i < r->n_runs; i++)
            w_run(w, &r->runs[i]);
        jo_end_array(w);
    }
}

/* The members after the DNS queries. */
static void k_tail(struct json_out *w, const struct ea_report *r)
{
    if (r->has_policy)
        k_policy(w, r);
    if (r->diff.present) {
        jo_key(w, "diff");
        jo_begin_object(w);
        k_str(w, "base", &r->diff.base);
        jo_key(w, "changes");
        jo_begin_array(w);
        for (size_t i = 0; i < r->diff.n_changes; i++)
            w_change(w, &r->diff.changes[i]);
        jo_end_array(w);
        jo_end_object(w);
    }
    jo_key(w, "stats");
    jo_begin_object(w);
    jo_key(w, "counters");
    jo_begin_object(w);
    for (unsigned i = 0; i < EA_C__COUNT; i++) {
        const char *name = ea_counter_name((enum ea_counter)i);
        char num[16];
        if (!name) { /* cannot happen: model.c asserts one name per counter */
            snprintf(num, sizeof num, "%u", i);
            name = num;
        }
        k_u64(w, name, r->counters[i]);
    }
    jo_end_object(w);
    jo_end_object(w);
}

int render_json(const struct ea_report *r, FILE *out)
{
    struct json_out *w = jo_new(out, 0);
    if (!w)
        return -1;
    jo_begin_object(w);
    k_head(w, r);
    jo_key(w, "hosts");
    jo_begin_array(w);
    for (size_t i = 0; i < r->n_hosts; i++)
        w_host(w, r, &r->hosts[i]);
    jo_end_array(w);
    jo_key(w, "connections");
    jo_begin_array(w);
    for (size_t i = 0; i < r->n_conns; i++)
        w_conn(w, r, &r->conns[i]);
    jo_end_array(w);
    jo_key(w, "dns");
    jo_begin_array(w);
    for (size_t i = 0; i < r->n_dns; i++)
        w_dns(w, &r->dns[i]);
    jo_end_array(w);
    k_tail(w, r);
    jo_end_object(w);
    jo_raw(w, "\n", 1);
    int rc = jo_flush(w);
    jo_free(w);
    if (rc != 0 || fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
