/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The JSON report (doc/report-schema.md). Keys are inserted in the order of
 * the schema document and dumped in that order. Every string that is not a
 * name from one of our tables goes through ea_escape() first, so the output
 * is ASCII whatever the capture held.
 */
#include "render.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "phrase.h"

#define EA_TOOL_NAME "egress-audit"

/* ---- values; each returns NULL on ENOMEM, and json_object_set_new() and
 * json_array_append_new() then fail cleanly ---- */

static json_t *j_text(const char *s, size_t len)
{
    size_t n;
    char *e = ea_escape_dup(s, len, &n);
    if (!e)
        return NULL;
    json_t *v = json_stringn(e, n);
    free(e);
    return v;
}

static json_t *j_str(const struct ea_str *s)
{
    return j_text(s->s ? s->s : "", s->len);
}

static json_t *j_str_or_null(const struct ea_str *s)
{
    return s->len ? j_str(s) : json_null();
}

/* Our own static text (a table name, outcome_why): escaped all the same. */
static json_t *j_cstr(const char *s)
{
    return s ? j_text(s, strlen(s)) : json_null();
}

static json_t *j_int(long long v)
{
    return json_integer((json_int_t)v);
}

static json_t *j_u64(uint64_t v)
{
    /* Never reached by a real capture; a real keeps the magnitude. */
    if (v > (uint64_t)INT64_MAX)
        return json_real((double)v);
    return json_integer((json_int_t)v);
}

/* A name from a table, or the number when the table has none. */
static json_t *j_name(const char *name, long long v)
{
    return name ? j_cstr(name) : j_int(v);
}

/* Seconds since the epoch; printed with JSON_REAL_PRECISION(16), which is
 * exact to the microsecond for any date before 2^33 seconds (the year 2242:
 * past it a double's step is more than a microsecond). */
static json_t *j_time(const struct timeval *tv)
{
    return json_real((double)tv->tv_sec + (double)tv->tv_usec / 1e6);
}

static json_t *j_addr(const struct ea_addr *a)
{
    if (a->family != 4 && a->family != 6)
        return json_null();
    char buf[64];
    return j_cstr(ea_addr_text(a, buf, sizeof buf));
}

static bool set(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v) == 0;
}
static bool append(json_t *a, json_t *v)
{
    return json_array_append_new(a, v) == 0;
}

static json_t *j_flags(uint32_t flags)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < 32 && a; i++) {
        uint32_t bit = UINT32_C(1) << i;
        if ((flags & bit) && !append(a, j_name(ea_conn_flag_name(bit), bit))) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *j_strs(const struct ea_str *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n && a; i++) {
        if (!append(a, j_str(&v[i]))) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* ---- objects ---- */

/* A live capture's figures (only on inputs that egress-audit capture made). */
static json_t *j_capture(const struct ea_capture_stats *cs)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "interface", j_str(&cs->interface));
    ok = ok && set(o, "written", json_boolean(cs->written));
    ok = ok && set(o, "cutoff", j_u64(cs->cutoff));
    ok = ok && set(o, "cutoff_headers", json_boolean(cs->cutoff_headers));
    ok = ok && set(o, "packets_seen", j_u64(cs->packets_seen));
    ok = ok && set(o, "bytes_seen", j_u64(cs->bytes_seen));
    ok = ok && set(o, "packets_written", j_u64(cs->packets_written));
    ok = ok && set(o, "bytes_written", j_u64(cs->bytes_written));
    ok = ok && set(o, "cut_packets", j_u64(cs->cut_packets));
    ok = ok && set(o, "cut_bytes", j_u64(cs->cut_bytes));
    ok = ok && set(o, "kernel_drops", j_u64(cs->kernel_drops));
    ok = ok && set(o, "interface_drops", j_u64(cs->interface_drops));
    ok = ok && set(o, "write_error", j_str_or_null(&cs->write_error));
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

static json_t *j_input(const struct ea_input *in)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "path", j_str(&in->path));
    ok = ok && set(o, "linktype", j_int(in->linktype));
    ok = ok && set(o, "linktype_name", j_str_or_null(&in->linktype_name));
    ok = ok && set(o, "packets", j_u64(in->packets));
    ok = ok && set(o, "truncated", json_boolean(in->truncated));
    ok = ok &&
         set(o, "truncated_offset",
             in->truncated && in->truncated_offset ? j_u64(in->truncated_offset) : json_null());
    if (in->given_position) /* only when the files were read in another order */
        ok = ok && set(o, "given_position", j_u64(in->given_position));
    if (in->capture.live)
        ok = ok && set(o, "capture", j_capture(&in->capture));
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

/* Insert a new container under key and hand it back, borrowed (the parent
 * owns it), to be filled in place; NULL once anything failed. Keys keep the
 * order of insertion, so a container takes its place before it is filled. */
static json_t *attach(json_t *parent, const char *key, json_t *child, bool *ok)
{
    if (!*ok) {
        json_decref(child);
        return NULL;
    }
    *ok = set(parent, key, child);
    return *ok ? child : NULL;
}

/* ---- the allowlist (only when r->has_policy) ---- */

/* {"pattern", "origin"}: how a rule is cited in lists. */
static json_t *j_rule_ref(const struct ea_rule *rule)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "pattern", j_str(&rule->destination));
    ok = ok && set(o, "origin", j_str(&rule->origin));
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

/* {"pattern", "origin", "kind"} for a verdict, or null. */
static json_t *j_rule_cite(const struct ea_report *r, long index)
{
    const struct ea_rule *rule = ea_report_rule(r, index);
    if (!rule)
        return json_null();
    json_t *o = j_rule_ref(rule);
    if (o && !set(o, "kind", j_name(ea_rule_kind_name(rule->kind), rule->kind))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* verdict, rule and verdict_why, appended to a host or a connection. */
static bool set_verdict(json_t *o, const struct ea_report *r, enum ea_verdict v, long rule,
                        enum ea_verdict_why why)
{
    bool ok = set(o, "verdict", j_name(ea_verdict_name(v), v));
    ok = ok && set(o, "rule", j_rule_cite(r, rule));
    ok = ok && set(o, "verdict_why", j_cstr(ea_verdict_why_text(why)));
    return ok;
}

static json_t *j_form(const struct ea_rule *rule)
{
    if (rule->kind != EA_RULE_FQDN)
        return json_null();
    return j_name(ea_fqdn_form_name(rule->form), rule->form);
}

static json_t *j_net(const struct ea_net *n)
{
    char buf[64];
    char text[80];
    ea_addr_text(&n->addr, buf, sizeof buf);
    snprintf(text, sizeof text, "%s/%u", buf, (unsigned)n->len);
    return j_cstr(text);
}

static json_t *j_port_range(const struct ea_port_range *p)
{
    char text[16];
    if (p->lo == p->hi)
        snprintf(text, sizeof text, "%u", (unsigned)p->lo);
    else
        snprintf(text, sizeof text, "%u-%u", (unsigned)p->lo, (unsigned)p->hi);
    return j_cstr(text);
}

static json_t *j_protocol(uint8_t proto)
{
    if (proto == 0)
        return json_null();
    return j_name(ea_transport_name((enum ea_transport)proto), proto);
}

static json_t *j_rule(const struct ea_rule *rule)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "kind", j_name(ea_rule_kind_name(rule->kind), rule->kind));
    ok = ok && set(o, "destination", j_str(&rule->destination));
    ok = ok && set(o, "name", j_str_or_null(&rule->name));
    ok = ok && set(o, "origin", j_str(&rule->origin));
    ok = ok && set(o, "category", j_str_or_null(&rule->category));
    ok = ok && set(o, "status", j_str_or_null(&rule->status));
    ok = ok && set(o, "active", json_boolean(!rule->inactive));
    ok = ok && set(o, "form", j_form(rule));
    ok = ok && set(o, "service_tag", j_str_or_null(&rule->service_tag));
    json_t *addrs = attach(o, "addresses", json_array(), &ok);
    for (size_t i = 0; ok && i < rule->n_nets; i++)
        ok = append(addrs, j_net(&rule->nets[i]));
    json_t *ports = attach(o, "ports", json_array(), &ok);
    for (size_t i = 0; ok && i < rule->n_ports; i++)
        ok = append(ports, j_port_range(&rule->ports[i]));
    ok = ok && set(o, "protocol", j_protocol(rule->protocol));
    ok = ok && set(o, "hosts_permitted", j_u64(rule->hosts_permitted));
    ok = ok && set(o, "subresource_target", j_str_or_null(&rule->subresource_target));
    ok = ok && set(o, "spark_enabled",
                   rule->has_spark_enabled ? json_boolean(rule->spark_enabled) : json_null());
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

/* A sentence (phrase.h) as one safe-text string. */
static json_t *j_phrase(const struct phrase *ph)
{
    size_t len;
    char *raw = phrase_join(ph, &len);
    if (!raw)
        return NULL;
    json_t *v = j_text(raw, len);
    free(raw);
    return v;
}

static json_t *j_near_text(const struct ea_report *r, const struct ea_near_miss *m)
{
    struct phrase ph;
    phrase_init(&ph);
    phrase_near_miss(&ph, r, m);
    json_t *v = j_phrase(&ph);
    phrase_free(&ph);
    return v;
}

/* m's indexes are in range (the caller checks). */
static json_t *j_near_miss(const struct ea_report *r, const struct ea_near_miss *m)
{
    const struct ea_host *h = &r->hosts[m->host];
    const struct ea_rule *rule = &r->rules[m->rule];
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "host", j_str(&h->key));
    ok = ok && set(o, "port", j_int(h->port));
    ok = ok && set(o, "rule", j_rule_ref(rule));
    ok = ok && set(o, "kind", j_name(ea_near_kind_name(m->kind), m->kind));
    ok = ok && set(o, "text", j_near_text(r, m));
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

static json_t *j_outcomes(const uint32_t *outcomes)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    for (unsigned i = 0; ok && i < EA_OUT__COUNT; i++)
        if (outcomes[i])
            ok = set(o, ea_outcome_name((enum ea_outcome)i), j_int(outcomes[i]));
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

/* f->host is in range (the caller checks). */
static json_t *j_finding(const struct ea_report *r, const struct ea_finding *f)
{
    const struct ea_host *h = &r->hosts[f->host];
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "kind", j_name(ea_finding_kind_name(f->kind), f->kind));
    ok = ok && set(o, "host", j_str(&h->key));
    ok = ok && set(o, "port", j_int(h->port));
    ok = ok && set(o, "transport", j_name(ea_transport_name(h->transport), h->transport));
    ok = ok && set(o, "verdict", j_name(ea_verdict_name(h->verdict), h->verdict));
    ok = ok && set(o, "rule", j_rule_cite(r, h->rule));
    ok = ok && set(o, "connections", j_u64(h->n_conns));
    ok = ok && set(o, "contradicting", j_u64(f->conns));
    ok = ok && set(o, "outcomes", j_outcomes(h->outcomes));
    struct phrase ph;
    phrase_init(&ph);
    phrase_finding(&ph, r, f);
    ok = ok && set(o, "text", j_phrase(&ph));
    phrase_free(&ph);
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

static json_t *j_remedy(const struct ea_report *r, const struct ea_remedy *m)
{
    bool activate = m->activate && m->rule < r->n_rules; /* always in range, from policy */
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "destination", j_str(&m->destination));
    ok = ok && set(o, "rule_name", j_str(&m->rule_name));
    ok = ok && set(o, "wildcard", json_boolean(m->wildcard));
    ok = ok && set(o, "covers", j_strs(m->covers, m->n_covers));
    if (activate) { /* only on an activation: other entries keep the keys they had */
        ok = ok && set(o, "activate", json_true());
        ok = ok && set(o, "rule", j_rule_ref(&r->rules[m->rule]));
    }
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

/* A service's rotating-hosts guidance and the denied names it concerns. */
static json_t *j_service_note(const struct ea_service_note *n)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "service", j_str(&n->service));
    ok = ok && set(o, "guidance", j_str(&n->guidance));
    ok = ok && set(o, "source", j_str(&n->source));
    ok = ok && set(o, "date", j_str(&n->date));
    ok = ok && set(o, "covers", j_strs(n->covers, n->n_covers));
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

/* {"name", "role", "source"} of a host's service, or null. */
static json_t *j_service(const struct ea_host *h)
{
    if (!h->has_service)
        return json_null();
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "name", j_str(&h->service.name));
    ok = ok && set(o, "role", j_str(&h->service.role));
    ok = ok && set(o, "source", j_str(&h->service.source));
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

/* What to know before adding FQDN rules (DESIGN.md "Remediation"). */
static const char *const remediation_notes[] = {
    "FQDN outbound rules make the managed network provision an Azure Firewall, which is billed "
    "separately (standard SKU by default; basic can be selected with firewall_sku)",
    "az ml workspace provision-network provisions the managed network ahead of the first "
    "compute; otherwise it is provisioned when the first compute is created",
};

/* The allowlist keys of the top level, in the order of the schema page. */
static bool set_policy(json_t *o, const struct ea_report *r)
{
    bool ok = true;
    json_t *rules = attach(o, "rules", json_array(), &ok);
    for (size_t i = 0; ok && i < r->n_rules; i++)
        ok = append(rules, j_rule(&r->rules[i]));
    json_t *unused = attach(o, "unused_rules", json_array(), &ok);
    for (size_t i = 0; ok && i < r->n_unused_rules; i++)
        if (r->unused_rules[i] < r->n_rules)
            ok = append(unused, j_rule_ref(&r->rules[r->unused_rules[i]]));
    json_t *dups = attach(o, "duplicate_rules", json_array(), &ok);
    for (size_t i = 0; ok && i < r->n_duplicate_rules; i++) {
        const struct ea_duplicate *d = &r->duplicate_rules[i];
        if (d->rule >= r->n_rules || d->of >= r->n_rules) /* never, from policy.c */
            continue;
        json_t *ref = j_rule_ref(&r->rules[d->rule]);
        ok = append(dups, ref) && set(ref, "duplicate_of", j_rule_ref(&r->rules[d->of]));
    }
    json_t *inactive = attach(o, "inactive_rules", json_array(), &ok);
    for (size_t i = 0; ok && i < r->n_inactive_rules; i++)
        if (r->inactive_rules[i] < r->n_rules)
            ok = append(inactive, j_rule_ref(&r->rules[r->inactive_rules[i]]));
    json_t *near = attach(o, "near_misses", json_array(), &ok);
    for (size_t i = 0; ok && i < r->n_near_misses; i++) {
        const struct ea_near_miss *m = &r->near_misses[i];
        if (m->host < r->n_hosts && m->rule < r->n_rules) /* always, from policy.c */
            ok = append(near, j_near_miss(r, m));
    }
    json_t *findings = attach(o, "findings", json_array(), &ok);
    for (size_t i = 0; ok && i < r->n_findings; i++)
        if (r->findings[i].host < r->n_hosts) /* always, from ea_report_derive */
            ok = append(findings, j_finding(r, &r->findings[i]));
    json_t *verdicts = attach(o, "verdicts", json_object(), &ok);
    for (unsigned v = EA_V_NONE + 1; ok && v < EA_V__COUNT; v++) {
        const char *name = ea_verdict_name((enum ea_verdict)v);
        if (r->verdict_hosts[v] && name)
            ok = set(verdicts, name, j_int(r->verdict_hosts[v]));
    }
    json_t *remediation = attach(o, "remediation", json_object(), &ok);
    json_t *add = attach(remediation, "add", json_array(), &ok);
    for (size_t i = 0; ok && i < r->n_remedies; i++)
        ok = append(add, j_remedy(r, &r->remedies[i]));
    json_t *svc = attach(remediation, "service_notes", json_array(), &ok);
    for (size_t i = 0; ok && i < r->n_service_notes; i++)
        ok = append(svc, j_service_note(&r->service_notes[i]));
    json_t *notes = attach(remediation, "notes", json_array(), &ok);
    size_t n_notes = r->n_remedies ? sizeof remediation_notes / sizeof *remediation_notes : 0;
    for (size_t i = 0; ok && i < n_notes; i++)
        ok = append(notes, j_cstr(remediation_notes[i]));
    return ok;
}

static json_t *j_host(const struct ea_report *r, const struct ea_host *h)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "name", h->named ? j_str(&h->key) : json_null());
    ok = ok && set(o, "key", j_str(&h->key));
    ok = ok && set(o, "port", j_int(h->port));
    ok = ok && set(o, "transport", j_name(ea_transport_name(h->transport), h->transport));
    ok = ok && set(o, "name_source", j_name(ea_name_source_name(h->name_source), h->name_source));
    ok = ok && set(o, "outcome", j_name(ea_outcome_name(h->outcome), h->outcome));
    ok = ok && set(o, "outcomes", j_outcomes(h->outcomes));
    ok = ok && set(o, "connections", j_u64(h->n_conns));
    ok = ok && set(o, "addresses", j_strs(h->addrs, h->n_addrs));
    ok = ok && set(o, "resolved_as", j_strs(h->resolved_as, h->n_resolved_as));
    ok = ok && set(o, "flags", j_flags(h->flags));
    ok = ok && set(o, "bytes_out", j_u64(h->bytes_out));
    ok = ok && set(o, "bytes_in", j_u64(h->bytes_in));
    ok = ok && set(o, "first", j_time(&h->first));
    ok = ok && set(o, "last", j_time(&h->last));
    ok = ok && set(o, "service", j_service(h));
    if (r->has_policy) {
        ok = ok && set_verdict(o, r, h->verdict, h->rule, h->verdict_why);
        ok = ok && set(o, "known_in", j_strs(h->known_in, h->n_known_in));
    }
    if (r->n_runs) {
        json_t *runs = attach(o, "runs", json_array(), &ok);
        for (size_t i = 0; ok && i < h->n_runs; i++)
            ok = append(runs, j_int(h->runs[i]));
    }
    if (r->shard) { /* analyze -j: a worker's report, for the merge (runs.c) only */
        ok = ok && set(o, "shard_seq", j_u64(h->seq));
        ok = ok && set(o, "shard_first_seq", j_u64(h->first_seq));
    }
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

static json_t *j_conn(const struct ea_report *r, const struct ea_conn *c)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    bool named = c->name_source != EA_NAME_NONE;
    ok = ok && set(o, "name", named ? j_str(&c->name) : json_null());
    ok = ok && set(o, "name_source", j_name(ea_name_source_name(c->name_source), c->name_source));
    bool inner = c->inner_source != EA_NAME_NONE;
    ok = ok && set(o, "inner_name", inner ? j_str(&c->inner_name) : json_null());
    ok = ok &&
         set(o, "inner_name_source", j_name(ea_name_source_name(c->inner_source), c->inner_source));
    ok = ok && set(o, "dst", j_addr(&c->dst));
    ok = ok && set(o, "dport", j_int(c->dport));
    ok = ok && set(o, "src", j_addr(&c->src));
    ok = ok && set(o, "sport", j_int(c->sport));
    ok = ok && set(o, "transport", j_name(ea_transport_name(c->transport), c->transport));
    ok = ok && set(o, "outcome", j_name(ea_outcome_name(c->outcome), c->outcome));
    ok = ok && set(o, "outcome_why", j_cstr(ea_outcome_why_text(c->outcome_why)));
    ok = ok && set(o, "flags", j_flags(c->flags));
    ok = ok && set(o, "alpn", j_str_or_null(&c->alpn));
    ok = ok && set(o, "tls_version",
                   c->tls_version ? j_name(ea_tls_version_name(c->tls_version), c->tls_version)
                                  : json_null());
    /* schema 1 gained these: written only when there is something */
    if (c->server_alpn.len)
        ok = ok && set(o, "server_alpn", j_str(&c->server_alpn));
    if (c->ja4.len)
        ok = ok && set(o, "ja4", j_str(&c->ja4));
    if (c->n_cert_names)
        ok = ok && set(o, "cert_names", j_strs(c->cert_names, c->n_cert_names));
    ok = ok && set(o, "http_status", c->http_status ? j_int(c->http_status) : json_null());
    ok = ok && set(o, "http_method", j_str_or_null(&c->http_method));
    ok = ok && set(o, "first", j_time(&c->first));
    ok = ok && set(o, "last", j_time(&c->last));
    ok = ok && set(o, "packets_out", j_u64(c->pkts_out));
    ok = ok && set(o, "packets_in", j_u64(c->pkts_in));
    ok = ok && set(o, "bytes_out", j_u64(c->bytes_out));
    ok = ok && set(o, "bytes_in", j_u64(c->bytes_in));
    ok = ok && set(o, "payload_out", j_u64(c->payload_out));
    ok = ok && set(o, "payload_in", j_u64(c->payload_in));
    if (c->tunnel != EA_TUN_NONE) {
        json_t *t = attach(o, "tunnel", json_object(), &ok);
        ok = ok && set(t, "kind", j_name(ea_tunnel_name(c->tunnel), c->tunnel));
        ok = ok && set(t, "outer_src", j_addr(&c->outer_src));
        ok = ok && set(t, "outer_dst", j_addr(&c->outer_dst));
    } else {
        ok = ok && set(o, "tunnel", json_null());
    }
    ok = ok && set(o, "resolved_as",
                   c->has_resolved ? j_strs(c->resolved.names, c->resolved.n_names) : json_null());
    if (r->has_policy)
        ok = ok && set_verdict(o, r, c->verdict, c->rule, c->verdict_why);
    if (r->n_runs)
        ok = ok && set(o, "run", j_int(c->run));
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

static json_t *j_answer(const struct ea_dns_answer *a)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "type", j_name(ea_dns_type_name(a->type), a->type));
    ok = ok && set(o, "name", j_str(&a->owner));
    ok = ok && set(o, "data", j_str(&a->data));
    ok = ok && set(o, "ttl", j_u64(a->ttl));
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

static json_t *j_rcode(int rcode)
{
    if (rcode < 0)
        return json_null();
    if (rcode <= UINT8_MAX)
        return j_name(ea_dns_rcode_name(rcode), rcode);
    return j_int(rcode);
}

static json_t *j_dns(const struct ea_dns *d)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "query", j_str(&d->qname));
    ok = ok && set(o, "qtype", j_name(ea_dns_type_name(d->qtype), d->qtype));
    ok = ok && set(o, "rcode", j_rcode(d->rcode));
    json_t *answers = attach(o, "answers", json_array(), &ok);
    for (size_t i = 0; ok && i < d->n_answers; i++)
        ok = append(answers, j_answer(&d->answers[i]));
    ok = ok && set(o, "answers_dropped", json_boolean(d->answers_dropped));
    ok = ok && set(o, "queries", j_u64(d->n_queries));
    ok = ok && set(o, "responses", j_u64(d->n_responses));
    json_t *tr = attach(o, "transport", json_array(), &ok);
    ok = ok && (!d->over_udp || append(tr, j_cstr("udp")));
    ok = ok && (!d->over_tcp || append(tr, j_cstr("tcp")));
    ok = ok && set(o, "first", j_time(&d->first));
    ok = ok && set(o, "last", j_time(&d->last));
    ok = ok && set(o, "local", json_boolean(d->local));
    ok = ok && set(o, "port", d->port ? j_int(d->port) : json_null());
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

/* ---- writing: the report is streamed, element by element ----
 *
 * A jansson tree of a whole report costs kilobytes per connection (a hash
 * table per object); 100000 connections would take hundreds of megabytes.
 * So the small parts are built as objects and dumped with their braces
 * stripped, and the three long arrays are written one element at a time,
 * each element built, dumped at its depth and freed. The bytes are the same
 * as one json_dumpf of the whole tree. */

#define DUMP_FLAGS                                                                                 \
    (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(16))

struct jw {
    FILE *out;
    unsigned depth; /* levels of 2 spaces added after every newline */
    bool first;     /* no member written yet at the top level */
    bool err;
};

static int jw_cb(const char *buf, size_t size, void *data)
{
    struct jw *w = data;
    for (size_t i = 0; i < size; i++) {
        if (fputc(buf[i], w->out) == EOF) {
            w->err = true;
            return -1;
        }
        if (buf[i] == '\n')
            for (unsigned d = 0; d < w->depth; d++)
                fputs("  ", w->out);
    }
    return 0;
}

/* Dump v (taking the reference) at the current depth. */
static bool jw_value(struct jw *w, json_t *v)
{
    if (!v)
        return false;
    int rc = json_dump_callback(v, jw_cb, w, DUMP_FLAGS);
    json_decref(v);
    return rc == 0 && !w->err;
}

/* Write the members of object o (taking the reference) as members of the
 * top-level object: its dump without the outer braces. */
static bool jw_members(struct jw *w, json_t *o)
{
    if (!o)
        return false;
    char *text = json_dumps(o, DUMP_FLAGS);
    json_decref(o);
    if (!text)
        return false;
    size_t len = strlen(text);
    bool ok = true;
    /* "{\n  ...\n}" or "{}" */
    if (len > 4 && text[0] == '{' && text[1] == '\n' && text[len - 1] == '}') {
        if (!w->first)
            ok = fputc(',', w->out) != EOF;
        ok = ok && fputc('\n', w->out) != EOF;
        ok = ok && fwrite(text + 2, 1, len - 4, w->out) == len - 4;
        w->first = false;
    }
    free(text);
    return ok;
}

static bool jw_key(struct jw *w, const char *key)
{
    int n = fprintf(w->out, "%s\n  \"%s\": ", w->first ? "" : ",", key);
    w->first = false;
    return n > 0;
}

typedef json_t *(*elem_fn)(const struct ea_report *r, size_t i);

/* A long array member, one element at a time. */
static bool jw_array(struct jw *w, const char *key, const struct ea_report *r, size_t n,
                     elem_fn elem)
{
    if (!jw_key(w, key))
        return false;
    if (n == 0)
        return fputs("[]", w->out) != EOF;
    if (fputs("[", w->out) == EOF)
        return false;
    w->depth = 2;
    for (size_t i = 0; i < n; i++) {
        if (fputs(i ? ",\n    " : "\n    ", w->out) == EOF || !jw_value(w, elem(r, i)))
            return false;
    }
    w->depth = 0;
    return fputs("\n  ]", w->out) != EOF;
}

static json_t *elem_host(const struct ea_report *r, size_t i)
{
    return j_host(r, &r->hosts[i]);
}
static json_t *elem_conn(const struct ea_report *r, size_t i)
{
    return j_conn(r, &r->conns[i]);
}
static json_t *elem_dns(const struct ea_report *r, size_t i)
{
    return j_dns(&r->dns[i]);
}

static json_t *j_run(const struct ea_run *run)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "path", j_str(&run->path));
    json_t *inputs = attach(o, "inputs", json_array(), &ok);
    for (size_t i = 0; ok && i < run->n_inputs; i++)
        ok = append(inputs, j_u64(run->first_input + i));
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

/* {"old": old, "new": new}, taking both references. */
static json_t *j_sides(json_t *old, json_t *new)
{
    json_t *o = json_object();
    if (!o || !old || !new) {
        json_decref(o);
        json_decref(old);
        json_decref(new);
        return NULL;
    }
    if (!set(o, "old", old)) { /* set() took old */
        json_decref(new);
        json_decref(o);
        return NULL;
    }
    if (!set(o, "new", new)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *j_side_outcome(enum ea_outcome o)
{
    return (unsigned)o >= EA_OUT__COUNT ? json_null() : j_name(ea_outcome_name(o), o);
}

static json_t *j_side_verdict(enum ea_verdict v)
{
    return v == EA_V_NONE ? json_null() : j_name(ea_verdict_name(v), v);
}

static json_t *j_change(const struct ea_change *c)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "change", j_name(ea_change_kind_name(c->kind), c->kind));
    ok = ok && set(o, "name", c->named ? j_str(&c->key) : json_null());
    ok = ok && set(o, "key", j_str(&c->key));
    ok = ok && set(o, "port", j_int(c->port));
    ok = ok && set(o, "transport", j_name(ea_transport_name(c->transport), c->transport));
    ok = ok &&
         set(o, "outcome", j_sides(j_side_outcome(c->old_outcome), j_side_outcome(c->new_outcome)));
    ok = ok &&
         set(o, "verdict", j_sides(j_side_verdict(c->old_verdict), j_side_verdict(c->new_verdict)));
    ok = ok && set(o, "connections", j_sides(j_u64(c->old_conns), j_u64(c->new_conns)));
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

static json_t *j_head(const struct ea_report *r)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "schema", j_int(EA_SCHEMA));
    json_t *tool = attach(o, "tool", json_object(), &ok);
    ok = ok && set(tool, "name", j_cstr(EA_TOOL_NAME));
    ok = ok && set(tool, "version", j_cstr(r->tool_version));
    json_t *inputs = attach(o, "inputs", json_array(), &ok);
    for (size_t i = 0; ok && i < r->n_inputs; i++)
        ok = append(inputs, j_input(&r->inputs[i]));
    ok = ok && set(o, "truncated", json_boolean(r->truncated));
    if (r->snaplen_cut_frames) {
        json_t *cut = attach(o, "snaplen_cut", json_object(), &ok);
        ok = ok && set(cut, "frames", j_u64(r->snaplen_cut_frames));
        ok = ok && set(cut, "snaplen", j_u64(r->snaplen_seen));
    } else {
        ok = ok && set(o, "snaplen_cut", json_null());
    }
    if (r->have_time) {
        json_t *time = attach(o, "time", json_object(), &ok);
        ok = ok && set(time, "first", j_time(&r->first));
        ok = ok && set(time, "last", j_time(&r->last));
    } else {
        ok = ok && set(o, "time", json_null());
    }
    if (r->n_runs) { /* a union of reports */
        json_t *runs = attach(o, "runs", json_array(), &ok);
        for (size_t i = 0; ok && i < r->n_runs; i++)
            ok = append(runs, j_run(&r->runs[i]));
    }
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

static json_t *j_tail(const struct ea_report *r)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    if (r->has_policy)
        ok = ok && set_policy(o, r);
    if (r->diff.present) {
        json_t *diff = attach(o, "diff", json_object(), &ok);
        ok = ok && set(diff, "base", j_str(&r->diff.base));
        json_t *changes = attach(diff, "changes", json_array(), &ok);
        for (size_t i = 0; ok && i < r->diff.n_changes; i++)
            ok = append(changes, j_change(&r->diff.changes[i]));
    }
    json_t *stats = attach(o, "stats", json_object(), &ok);
    json_t *counters = attach(stats, "counters", json_object(), &ok);
    for (unsigned i = 0; ok && i < EA_C__COUNT; i++) {
        const char *name = ea_counter_name((enum ea_counter)i);
        char num[16];
        if (!name) { /* cannot happen: model.c asserts one name per counter */
            snprintf(num, sizeof num, "%u", i);
            name = num;
        }
        ok = set(counters, name, j_u64(r->counters[i]));
    }
    if (!ok)
        json_decref(o);
    return ok ? o : NULL;
}

int render_json(const struct ea_report *r, FILE *out)
{
    struct jw w = {.out = out, .first = true};
    bool ok = fputc('{', out) != EOF;
    ok = ok && jw_members(&w, j_head(r));
    ok = ok && jw_array(&w, "hosts", r, r->n_hosts, elem_host);
    ok = ok && jw_array(&w, "connections", r, r->n_conns, elem_conn);
    ok = ok && jw_array(&w, "dns", r, r->n_dns, elem_dns);
    ok = ok && jw_members(&w, j_tail(r));
    ok = ok && fputs("\n}\n", out) != EOF;
    if (!ok || fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
