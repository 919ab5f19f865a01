/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Verdicts against the loaded rules, as Azure Firewall and the managed
 * network would judge a destination:
 *  - a name (SNI, Host, CONNECT) on TCP 80/443: FQDN rules (application
 *    rules) judge it: allowed by the most specific active rule, else denied;
 *  - any destination whose address a CIDR rule or a service tag with known
 *    prefixes covers (port and protocol too): infrastructure;
 *  - a name on another port: port-not-coverable (FQDN rules cover 80/443);
 *  - no name (IP only, TLS without SNI) and QUIC, even named (application
 *    rules do not inspect QUIC; clients fall back to TCP 443): no-name;
 *  - service-tag rules without prefixes cannot be matched from a capture:
 *    traffic they may cover is "infrastructure?" with the tag, never a guess
 *    presented as a fact.
 */
#include "policy.h"

#include "ascii.h"
#include "hash.h"
#include <stdlib.h>
#include <string.h>

#include "rules.h"

struct target {
    bool named;
    const char *name;
    size_t name_len;
    uint16_t port;
    enum ea_transport transport;
    uint32_t flags;
    const struct ea_str *addrs; /* text addresses (hosts) */
    size_t n_addrs;
    const struct ea_addr *addr;    /* or one binary address (connections) */
    const struct ea_str *resolved; /* DNS names the capture resolved to the address */
    size_t n_resolved;
};

/* Names under which a service tag's services live: a hint that a named
 * destination "may be covered" by a tag rule without addresses. */
static const struct {
    const char *tag;
    const char *suffix;
} tag_domains[] = {
    {"AzureActiveDirectory", "login.microsoftonline.com"},
    {"AzureActiveDirectory", "login.windows.net"},
    {"AzureActiveDirectory", "graph.microsoft.com"},
    {"AzureMachineLearning", "api.azureml.ms"},
    {"AzureMachineLearning", "instances.azureml.ms"},
    {"AzureMachineLearning", "azureml.net"},
    {"AzureMachineLearning", "ml.azure.com"},
    {"AzureMachineLearning", "inference.ml.azure.com"},
    {"AzureResourceManager", "management.azure.com"},
    {"Storage", "blob.core.windows.net"},
    {"Storage", "queue.core.windows.net"},
    {"Storage", "table.core.windows.net"},
    {"Storage", "file.core.windows.net"},
    {"Storage", "dfs.core.windows.net"},
    {"AzureContainerRegistry", "azurecr.io"},
    {"MicrosoftContainerRegistry", "mcr.microsoft.com"},
    {"AzureFrontDoor.FirstParty", "mcr.microsoft.com"},
    {"AzureMonitor", "monitor.azure.com"},
    {"AzureMonitor", "applicationinsights.azure.com"},
    {"AzureMonitor", "ods.opinsights.azure.com"},
    {"AzureKeyVault", "vault.azure.net"},
    {"BatchNodeManagement", "batch.azure.com"},
};

static bool name_under(const char *name, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    if (len > 1 && name[len - 1] == '.')
        len--;
    if (len < n || !ea_ascii_ieq(name + len - n, suffix, n))
        return false;
    return len == n || name[len - n - 1] == '.';
}

/* "Storage.WestEurope" matches the table's "Storage". */
static bool tag_is(const struct ea_str *tag, const char *base)
{
    size_t n = strlen(base);
    if (tag->len < n || !ea_ascii_ieq(tag->s, base, n))
        return false;
    return tag->len == n || tag->s[n] == '.';
}

static bool tag_may_cover_name(const struct ea_rule *rule, const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(tag_domains) / sizeof(tag_domains[0]); i++)
        if (tag_is(&rule->service_tag, tag_domains[i].tag) &&
            name_under(name, len, tag_domains[i].suffix))
            return true;
    return false;
}

/* Higher is more specific: exact, then longer "*.d", then suffix, then "*". */
static size_t specificity(const struct ea_rule *rule)
{
    switch (rule->form) {
    case EA_FQDN_EXACT:
        return 3000 + rule->fqdn.len;
    case EA_FQDN_SUBDOMAINS:
        return 2000 + rule->fqdn.len;
    case EA_FQDN_SUFFIX:
        return 1000 + rule->fqdn.len;
    case EA_FQDN_ANY:
        return 1;
    }
    return 0;
}

static long best_fqdn_rule(const struct ea_report *r, const struct target *t, bool inactive)
{
    long best = -1;
    size_t best_spec = 0;
    for (size_t i = 0; i < r->n_rules; i++) {
        const struct ea_rule *rule = &r->rules[i];
        if (rule->kind != EA_RULE_FQDN || rule->inactive != inactive)
            continue;
        if (!rules_match_fqdn(rule, t->name, t->name_len))
            continue;
        size_t spec = specificity(rule);
        if (spec > best_spec) {
            best = (long)i;
            best_spec = spec;
        }
    }
    return best;
}

static bool parse_addr_text(const struct ea_str *s, struct ea_addr *out)
{
    struct ea_net n;
    const char *why;
    if (!rules_parse_cidr(s->s, s->len, &n, &why))
        return false;
    *out = n.addr;
    return true;
}

static long addr_rule(const struct ea_report *r, const struct target *t)
{
    for (size_t i = 0; i < r->n_rules; i++) {
        const struct ea_rule *rule = &r->rules[i];
        if (rule->inactive || rule->n_nets == 0)
            continue;
        if (t->addr && rules_match_addr(rule, t->addr, t->port, (uint8_t)t->transport))
            return (long)i;
        for (size_t k = 0; k < t->n_addrs; k++) {
            struct ea_addr a;
            if (parse_addr_text(&t->addrs[k], &a) &&
                rules_match_addr(rule, &a, t->port, (uint8_t)t->transport))
                return (long)i;
        }
    }
    return -1;
}

static long maybe_tag_rule(const struct ea_report *r, const struct target *t)
{
    for (size_t i = 0; i < r->n_rules; i++) {
        const struct ea_rule *rule = &r->rules[i];
        if (rule->inactive || rule->kind != EA_RULE_SERVICE_TAG || rule->n_nets != 0)
            continue;
        if (!rules_match_port(rule, t->port, (uint8_t)t->transport))
            continue;
        if (t->named) {
            if (tag_may_cover_name(rule, t->name, t->name_len))
                return (long)i;
            continue;
        }
        /* No name: the names DNS gave the address say whose it is. An
         * address resolved only for names the tag does not serve (an IP of
         * huggingface.co) is not "maybe" the tag's; one without names may be. */
        bool any = t->n_resolved == 0;
        for (size_t k = 0; k < t->n_resolved && !any; k++)
            any = tag_may_cover_name(rule, t->resolved[k].s, t->resolved[k].len);
        if (any)
            return (long)i;
    }
    return -1;
}

static enum ea_verdict judge(const struct ea_report *r, const struct target *t, long *out_rule,
                             enum ea_verdict_why *out_why)
{
    bool web = t->transport == EA_TCP && (t->port == 80 || t->port == 443);
    bool judgeable = t->named && web && !(t->flags & EA_CF_QUIC);
    long rule;
    *out_rule = -1;
    if (judgeable && (rule = best_fqdn_rule(r, t, false)) >= 0) {
        *out_rule = rule;
        *out_why = (t->flags & EA_CF_ECH_REAL) ? EA_VW_FQDN_ECH_REAL
                   : (t->flags & EA_CF_ECH)    ? EA_VW_FQDN_ECH
                                               : EA_VW_FQDN;
        return EA_V_ALLOWED;
    }
    if ((rule = addr_rule(r, t)) >= 0) {
        *out_rule = rule;
        *out_why = r->rules[rule].kind == EA_RULE_CIDR ? EA_VW_CIDR : EA_VW_TAG_PREFIXES;
        return EA_V_INFRA;
    }
    if ((rule = maybe_tag_rule(r, t)) >= 0) {
        *out_rule = rule;
        *out_why = EA_VW_TAG_MAYBE;
        return EA_V_INFRA_MAYBE;
    }
    /* QUIC before the port: a QUIC name is known (its SNI), but Azure
     * Firewall application rules do not inspect QUIC at all; blocked UDP 443
     * makes the client fall back to TCP 443, judged by name as its own host. */
    if (t->flags & EA_CF_QUIC) {
        *out_why = t->named ? EA_VW_QUIC_NAMED : EA_VW_QUIC;
        return EA_V_NO_NAME;
    }
    if (t->named && !web) {
        *out_why = t->transport == EA_UDP ? EA_VW_PORT_UDP : EA_VW_PORT;
        return EA_V_PORT;
    }
    if (!t->named) {
        if (t->flags & EA_CF_TLS_NO_SNI)
            *out_why = EA_VW_TLS_NO_SNI;
        else if (t->flags & EA_CF_HELLO_CUT)
            *out_why = EA_VW_HELLO_UNREADABLE;
        else
            *out_why = EA_VW_IP_ONLY;
        return EA_V_NO_NAME;
    }
    if ((rule = best_fqdn_rule(r, t, true)) >= 0) {
        *out_rule = rule;
        *out_why = EA_VW_INACTIVE_ONLY;
        return EA_V_DENIED;
    }
    *out_why = EA_VW_NO_RULE;
    return EA_V_DENIED;
}

static bool is_parent_of(const struct ea_str *parent, const char *name, size_t len)
{
    if (len > 1 && name[len - 1] == '.')
        len--;
    return len > parent->len + 1 && name[len - parent->len - 1] == '.' &&
           ea_ascii_ieq(name + len - parent->len, parent->s, parent->len);
}

static bool add_near(struct ea_report *r, size_t *cap, size_t host, size_t rule,
                     enum ea_near_kind kind)
{
    if (r->n_near_misses == *cap) {
        size_t n = *cap ? *cap * 2 : 8;
        struct ea_near_miss *v = realloc(r->near_misses, n * sizeof(*v));
        if (!v)
            return false;
        r->near_misses = v;
        *cap = n;
    }
    r->near_misses[r->n_near_misses++] = (struct ea_near_miss){host, rule, kind};
    return true;
}

/* Denied names that a rule almost permits: d while only *.d is allowed,
 * x.d while only d is allowed, or only an Inactive rule matches. */
static bool near_misses(struct ea_report *r)
{
    size_t cap = 0;
    for (size_t h = 0; h < r->n_hosts; h++) {
        const struct ea_host *host = &r->hosts[h];
        if (host->verdict != EA_V_DENIED)
            continue;
        if (host->rule >= 0 && !add_near(r, &cap, h, (size_t)host->rule, EA_NEAR_INACTIVE))
            return false;
        for (size_t i = 0; i < r->n_rules; i++) {
            const struct ea_rule *rule = &r->rules[i];
            if (rule->kind != EA_RULE_FQDN || rule->inactive)
                continue;
            size_t len = host->key.len;
            if (len > 1 && host->key.s[len - 1] == '.')
                len--;
            if (rule->form == EA_FQDN_SUBDOMAINS && len == rule->fqdn.len &&
                ea_ascii_ieq(host->key.s, rule->fqdn.s, len)) {
                if (!add_near(r, &cap, h, i, EA_NEAR_APEX))
                    return false;
            } else if (rule->form == EA_FQDN_EXACT &&
                       is_parent_of(&rule->fqdn, host->key.s, host->key.len)) {
                if (!add_near(r, &cap, h, i, EA_NEAR_SUBDOMAIN))
                    return false;
            }
        }
    }
    return true;
}

static bool can_be_unused(const struct ea_rule *rule)
{
    /* A tag without prefixes or a private endpoint cannot be matched from a
     * capture: silence is not evidence that it is unneeded. */
    if (rule->inactive || rule->kind == EA_RULE_PRIVATE_ENDPOINT)
        return false;
    return !(rule->kind == EA_RULE_SERVICE_TAG && rule->n_nets == 0);
}

/*
 * Do two rules stand for the same destination? FQDN rules: the same form and
 * name (fqdn is lower case without the trailing dot, so case and a trailing
 * dot do not matter); CIDR and service-tag rules: the same tag (any case),
 * prefixes, ports and protocol. Private endpoints are never unused, so never
 * duplicates.
 */
static bool same_destination(const struct ea_rule *a, const struct ea_rule *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind == EA_RULE_FQDN) {
        if (a->form != b->form)
            return false;
        return a->form == EA_FQDN_ANY ||
               (a->fqdn.len == b->fqdn.len && ea_ascii_ieq(a->fqdn.s, b->fqdn.s, a->fqdn.len));
    }
    if (a->kind == EA_RULE_PRIVATE_ENDPOINT)
        return false;
    if (a->service_tag.len != b->service_tag.len ||
        !ea_ascii_ieq(a->service_tag.s, b->service_tag.s, a->service_tag.len) ||
        a->n_nets != b->n_nets || a->n_ports != b->n_ports || a->protocol != b->protocol)
        return false;
    for (size_t i = 0; i < a->n_nets; i++) {
        const struct ea_net *x = &a->nets[i], *y = &b->nets[i];
        if (x->len != y->len || x->addr.family != y->addr.family ||
            memcmp(x->addr.b, y->addr.b, ea_addr_size(&x->addr)) != 0)
            return false;
    }
    for (size_t i = 0; i < a->n_ports; i++)
        if (a->ports[i].lo != b->ports[i].lo || a->ports[i].hi != b->ports[i].hi)
            return false;
    return true;
}

/* A hash that same_destination() agrees with. */
static uint64_t destination_hash(const struct ea_rule *rule)
{
    uint64_t h = ea_hash_u64(EA_FNV_OFFSET, (uint64_t)rule->kind);
    if (rule->kind == EA_RULE_FQDN) {
        h = ea_hash_u64(h, (uint64_t)rule->form);
        return rule->form == EA_FQDN_ANY ? h : ea_hash_bytes_ci(h, rule->fqdn.s, rule->fqdn.len);
    }
    h = ea_hash_bytes_ci(h, rule->service_tag.s, rule->service_tag.len);
    for (size_t i = 0; i < rule->n_nets; i++)
        h = ea_hash_bytes(h, rule->nets[i].addr.b, ea_addr_size(&rule->nets[i].addr));
    return ea_hash_u64(h, ((uint64_t)rule->n_ports << 8) | rule->protocol);
}

/*
 * The rules that permitted nothing: unused, unless another rule with the
 * same destination permitted hosts (a verdict cites one rule, so the other
 * got no credit): then it is a duplicate of the first such rule. The rules
 * that permitted hosts go into a hash table first: O(n) for n rules.
 */
static bool unused_and_duplicates(struct ea_report *r)
{
    size_t n_slots = 64;
    while (n_slots < 2 * r->n_rules)
        n_slots *= 2;
    size_t *slots = calloc(n_slots, sizeof(*slots)); /* rule index + 1; 0: empty */
    free(r->unused_rules);
    free(r->duplicate_rules);
    r->unused_rules = calloc(r->n_rules ? r->n_rules : 1, sizeof(*r->unused_rules));
    r->duplicate_rules = calloc(r->n_rules ? r->n_rules : 1, sizeof(*r->duplicate_rules));
    r->n_unused_rules = 0;
    r->n_duplicate_rules = 0;
    if (!slots || !r->unused_rules || !r->duplicate_rules) {
        free(slots);
        return false;
    }
    size_t mask = n_slots - 1;
    for (size_t i = 0; i < r->n_rules; i++) {
        const struct ea_rule *rule = &r->rules[i];
        if (rule->hosts_permitted == 0 || rule->kind == EA_RULE_PRIVATE_ENDPOINT)
            continue;
        size_t at = (size_t)destination_hash(rule) & mask;
        while (slots[at] && !same_destination(rule, &r->rules[slots[at] - 1]))
            at = (at + 1) & mask;
        if (!slots[at])
            slots[at] = i + 1; /* the first one keeps the slot */
    }
    for (size_t i = 0; i < r->n_rules; i++) {
        const struct ea_rule *rule = &r->rules[i];
        if (rule->hosts_permitted != 0 || !can_be_unused(rule))
            continue;
        size_t at = (size_t)destination_hash(rule) & mask;
        while (slots[at] && !same_destination(rule, &r->rules[slots[at] - 1]))
            at = (at + 1) & mask;
        if (slots[at])
            r->duplicate_rules[r->n_duplicate_rules++] = (struct ea_duplicate){i, slots[at] - 1};
        else
            r->unused_rules[r->n_unused_rules++] = i;
    }
    free(slots);
    return true;
}

/* ---- rules as printed ---- */

static bool rule_pattern(struct ea_rule *rule)
{
    if (rule->kind != EA_RULE_FQDN || (!rule->fqdn.s && rule->form != EA_FQDN_ANY))
        return ea_str_set(&rule->pattern, rule->destination.s, rule->destination.len);
    const char *pre = rule->form == EA_FQDN_SUBDOMAINS ? "*."
                      : rule->form == EA_FQDN_SUFFIX   ? "*"
                      : rule->form == EA_FQDN_ANY      ? "*"
                                                       : "";
    size_t pl = strlen(pre), nl = rule->form == EA_FQDN_ANY ? 0 : rule->fqdn.len;
    char buf[2 + 253 + 1];
    if (pl + nl >= sizeof buf) /* not parsed: as written */
        return ea_str_set(&rule->pattern, rule->destination.s, rule->destination.len);
    memcpy(buf, pre, pl);
    if (nl)
        memcpy(buf + pl, rule->fqdn.s, nl);
    return ea_str_set(&rule->pattern, buf, pl + nl);
}

/* The text to derive a missing rule name from: the pattern, the tag, or a
 * private endpoint's resource name (the last segment of its id). */
static void name_basis(const struct ea_rule *rule, const char **out, size_t *out_len)
{
    const struct ea_str *s = &rule->destination;
    if (rule->kind == EA_RULE_FQDN)
        s = &rule->pattern;
    else if (rule->kind == EA_RULE_SERVICE_TAG && rule->service_tag.len)
        s = &rule->service_tag;
    *out = s->s ? s->s : "";
    *out_len = s->len;
    if (rule->kind == EA_RULE_PRIVATE_ENDPOINT) {
        size_t n = *out_len;
        while (n > 0 && (*out)[n - 1] == '/')
            n--;
        size_t b = n;
        while (b > 0 && (*out)[b - 1] != '/')
            b--;
        *out += b;
        *out_len = n - b;
    }
}

bool policy_prepare_rules(struct ea_report *r)
{
    struct rule_names *names = rule_names_new(r);
    if (!names)
        return false;
    bool ok = ea_report_index_rules(r);
    for (size_t i = 0; ok && i < r->n_rules; i++) {
        struct ea_rule *rule = &r->rules[i];
        ok = rule_pattern(rule);
        if (!ok || rule->name.len) {
            ok = ok && ea_str_set(&rule->emit_name, rule->name.s, rule->name.len);
            continue;
        }
        const char *from;
        size_t len;
        char made[34];
        name_basis(rule, &from, &len);
        ok = rule_names_make(names, from, len, made) &&
             ea_str_set(&rule->emit_name, made, strlen(made));
    }
    rule_names_free(names);
    return ok;
}

void policy_judge_host(const struct ea_report *r, struct ea_host *h)
{
    struct target t = {
        .named = h->named,
        .name = h->key.s,
        .name_len = h->key.len,
        .port = h->port,
        .transport = h->transport,
        .flags = h->flags,
        .addrs = h->addrs,
        .n_addrs = h->n_addrs,
        .resolved = h->resolved_as,
        .n_resolved = h->n_resolved_as,
    };
    h->verdict = judge(r, &t, &h->rule, &h->verdict_why);
}

bool policy_judge(struct ea_report *r)
{
    r->has_policy = true;
    if (!policy_prepare_rules(r))
        return false;
    memset(r->verdict_hosts, 0, sizeof(r->verdict_hosts));
    for (size_t i = 0; i < r->n_rules; i++)
        r->rules[i].hosts_permitted = 0;
    for (size_t i = 0; i < r->n_hosts; i++) {
        struct ea_host *h = &r->hosts[i];
        policy_judge_host(r, h);
        r->verdict_hosts[h->verdict]++;
        if (h->rule >= 0 && (h->verdict == EA_V_ALLOWED || h->verdict == EA_V_INFRA))
            r->rules[h->rule].hosts_permitted++;
    }
    for (size_t i = 0; i < r->n_conns; i++) {
        struct ea_conn *c = &r->conns[i];
        bool named = c->name_source != EA_NAME_NONE;
        struct target t = {
            .named = named,
            .name = c->name.s,
            .name_len = c->name.len,
            .port = c->dport,
            .transport = c->transport,
            .flags = c->flags,
            .addr = &c->dst,
            .resolved = c->has_resolved ? c->resolved.names : NULL,
            .n_resolved = c->has_resolved && c->resolved.n_names ? 1 : 0,
        };
        c->verdict = judge(r, &t, &c->rule, &c->verdict_why);
    }
    if (!unused_and_duplicates(r))
        return false;
    free(r->near_misses);
    r->near_misses = NULL;
    r->n_near_misses = 0;
    if (!near_misses(r))
        return false;
    /* the findings, and the hosts listed by verdict */
    return policy_build_remedies(r) && ea_report_derive(r);
}

/* ---- rules read back from a report ---- */

static bool str_same(const struct ea_str *a, const struct ea_str *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

bool policy_same_rules(const struct ea_report *a, const struct ea_report *b)
{
    if (a->n_rules != b->n_rules)
        return false;
    for (size_t i = 0; i < a->n_rules; i++) {
        const struct ea_rule *x = &a->rules[i], *y = &b->rules[i];
        if (x->kind != y->kind || x->inactive != y->inactive || x->form != y->form ||
            x->protocol != y->protocol || x->n_nets != y->n_nets || x->n_ports != y->n_ports ||
            !str_same(&x->destination, &y->destination) || !str_same(&x->name, &y->name) ||
            !str_same(&x->origin, &y->origin) || !str_same(&x->status, &y->status) ||
            !str_same(&x->service_tag, &y->service_tag))
            return false;
        for (size_t k = 0; k < x->n_nets; k++)
            if (x->nets[k].len != y->nets[k].len ||
                x->nets[k].addr.family != y->nets[k].addr.family ||
                memcmp(x->nets[k].addr.b, y->nets[k].addr.b, ea_addr_size(&x->nets[k].addr)) != 0)
                return false;
        for (size_t k = 0; k < x->n_ports; k++)
            if (x->ports[k].lo != y->ports[k].lo || x->ports[k].hi != y->ports[k].hi)
                return false;
    }
    return true;
}

static bool copy_rule_str(struct ea_str *dst, const struct ea_str *src)
{
    return !src->len || ea_str_set(dst, src->s, src->len);
}

bool policy_copy_rules(struct ea_report *dst, const struct ea_report *src)
{
    for (size_t i = 0; i < src->n_rules; i++) {
        const struct ea_rule *s = &src->rules[i];
        struct ea_rule *d = ea_report_add_rule(dst);
        if (!d)
            return false;
        d->kind = s->kind;
        d->inactive = s->inactive;
        d->form = s->form;
        d->protocol = s->protocol;
        d->has_spark_enabled = s->has_spark_enabled;
        d->spark_enabled = s->spark_enabled;
        if (!copy_rule_str(&d->name, &s->name) ||
            !copy_rule_str(&d->destination, &s->destination) ||
            !copy_rule_str(&d->origin, &s->origin) || !copy_rule_str(&d->category, &s->category) ||
            !copy_rule_str(&d->status, &s->status) ||
            !copy_rule_str(&d->service_tag, &s->service_tag) ||
            !copy_rule_str(&d->subresource_target, &s->subresource_target))
            return false;
        if (s->n_nets) {
            d->nets = malloc(s->n_nets * sizeof *d->nets);
            if (!d->nets)
                return false;
            memcpy(d->nets, s->nets, s->n_nets * sizeof *d->nets);
            d->n_nets = s->n_nets;
        }
        if (s->n_ports) {
            d->ports = malloc(s->n_ports * sizeof *d->ports);
            if (!d->ports)
                return false;
            memcpy(d->ports, s->ports, s->n_ports * sizeof *d->ports);
            d->n_ports = s->n_ports;
        }
        if (d->kind == EA_RULE_FQDN) {
            /* a report keeps the destination as written: parse it as the
             * loaders did (a pattern that no longer parses matches nothing) */
            bool lookalike;
            const char *why;
            struct ea_rule parsed = {0};
            if (rules_parse_fqdn(d->destination.s ? d->destination.s : "", d->destination.len,
                                 &parsed, &lookalike, &why)) {
                d->form = parsed.form;
                d->fqdn = parsed.fqdn;
            }
        }
    }
    return ea_report_index_rules(dst);
}
