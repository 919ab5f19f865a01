/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The allowlist sections of both renderers: verdicts, the rules, unused and
 * Inactive rules, near misses and remedies, set by hand on a report model
 * (test_judge.c tests how policy.c fills them).
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "fixtures.h"
#include "model.h"
#include "output.h"
#include "render.h"

/* ---- the allowlist: verdicts, rules, near misses, remedies ---- */

/*
 * The renderers do not judge: verdicts, near misses and remedies below are
 * set by hand (policy.c fills them in a real run), so that every verdict,
 * every rule kind and every near-miss kind is shown at least once.
 */

struct rule_row {
    enum ea_rule_kind kind;
    bool evil; /* name, destination and origin are the hostile bytes */
    const char *name, *dest, *origin, *category, *status;
    bool inactive;
    enum ea_fqdn_form form;
    const char *tag;
    const char *nets[2];           /* CIDR text, also the expected output */
    struct ea_port_range ports[2]; /* lo 0: end */
    const char *port_text[2];      /* expected */
    uint8_t protocol;
    uint64_t hosts_permitted;
    const char *form_name, *protocol_name; /* expected; NULL: null */
};

#define EVIL_ORIGIN_SAFE EVIL_SAFE ":9"
#define PE_ID "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa"

static const struct rule_row rule_rows[] = {
    /* 0 */ {EA_RULE_FQDN,
             false,
             NULL,
             "huggingface.co",
             "profile huggingface",
             NULL,
             NULL,
             false,
             EA_FQDN_EXACT,
             NULL,
             {NULL},
             {{0, 0}},
             {NULL},
             0,
             1,
             "exact",
             NULL},
    /* 1 */
    {EA_RULE_FQDN,
     false,
     NULL,
     "*.anaconda.org",
     "profile curated",
     NULL,
     NULL,
     false,
     EA_FQDN_SUBDOMAINS,
     NULL,
     {NULL},
     {{0, 0}},
     {NULL},
     0,
     0,
     "subdomains",
     NULL},
    /* 2 */
    {EA_RULE_FQDN,
     false,
     NULL,
     "*pythonhosted.org",
     "rules.txt:3",
     NULL,
     NULL,
     false,
     EA_FQDN_SUFFIX,
     NULL,
     {NULL},
     {{0, 0}},
     {NULL},
     0,
     1,
     "suffix",
     NULL},
    /* 3 */
    {EA_RULE_FQDN,
     false,
     NULL,
     "*",
     "rules.txt:4",
     NULL,
     "Inactive",
     true,
     EA_FQDN_ANY,
     NULL,
     {NULL},
     {{0, 0}},
     {NULL},
     0,
     0,
     "any",
     NULL},
    /* 4 */
    {EA_RULE_FQDN,
     false,
     NULL,
     "docker.io",
     "profile huggingface",
     NULL,
     NULL,
     false,
     EA_FQDN_EXACT,
     NULL,
     {NULL},
     {{0, 0}},
     {NULL},
     0,
     0,
     "exact",
     NULL},
    /* 5 */
    {EA_RULE_CIDR,
     false,
     NULL,
     "10.20.0.0/16:443,8000-8100/tcp",
     "rules.txt:7",
     NULL,
     NULL,
     false,
     EA_FQDN_EXACT,
     NULL,
     {"10.20.0.0/16"},
     {{443, 443}, {8000, 8100}},
     {"443", "8000-8100"},
     EA_TCP,
     1,
     NULL,
     "tcp"},
    /* 6 */
    {EA_RULE_CIDR,
     false,
     NULL,
     "[2001:db8:aa::/48]:53/udp",
     "rules.txt:8",
     NULL,
     NULL,
     false,
     EA_FQDN_EXACT,
     NULL,
     {"2001:db8:aa::/48"},
     {{53, 53}},
     {"53"},
     EA_UDP,
     0,
     NULL,
     "udp"},
    /* 7 */
    {EA_RULE_SERVICE_TAG,
     false,
     "AzureML",
     "AzureMachineLearning",
     "ws.yml:20",
     "required",
     "Active",
     false,
     EA_FQDN_EXACT,
     "AzureMachineLearning",
     {"20.37.0.0/16", "2603:1000::/40"},
     {{443, 443}},
     {"443"},
     EA_TCP,
     1,
     NULL,
     "tcp"},
    /* 8 */
    {EA_RULE_SERVICE_TAG,
     false,
     "storage",
     "Storage.westeurope",
     "ws.yml:30",
     "recommended",
     "Active",
     false,
     EA_FQDN_EXACT,
     "Storage.westeurope",
     {NULL},
     {{443, 443}},
     {"443"},
     0,
     0,
     NULL,
     NULL},
    /* 9 */
    {EA_RULE_PRIVATE_ENDPOINT,
     false,
     "pe-storage",
     PE_ID,
     "ws.yml:40",
     "user_defined",
     NULL,
     false,
     EA_FQDN_EXACT,
     NULL,
     {NULL},
     {{0, 0}},
     {NULL},
     0,
     0,
     NULL,
     NULL},
    /* 10 */
    {EA_RULE_FQDN,
     true,
     NULL,
     NULL,
     NULL,
     NULL,
     "Inactive",
     true,
     EA_FQDN_EXACT,
     NULL,
     {NULL},
     {{0, 0}},
     {NULL},
     0,
     0,
     "exact",
     NULL},
};
#define N_RULES (sizeof rule_rows / sizeof rule_rows[0])
static const char *const rule_kind_names[] = {"fqdn", "cidr", "service_tag", "private_endpoint"};
static const size_t unused_idx[] = {1, 4, 6};
static const size_t inactive_idx[] = {3, 10};

struct verdict_row {
    const char *name; /* NULL: by address */
    const char *dst;
    uint16_t dport;
    enum ea_transport transport;
    uint32_t flags;
    enum ea_verdict verdict;
    long rule;
    const char *why;
    const char *rule_cell; /* the text report's RULE cell */
};

static const struct verdict_row verdict_rows[] = {
    {"huggingface.co", "20.2.0.1", 443, EA_TCP, EA_CF_TLS, EA_V_ALLOWED, 0,
     "an FQDN rule permits this name", "huggingface.co (profile huggingface)"},
    {"files.pythonhosted.org", "20.2.0.2", 443, EA_TCP, EA_CF_TLS, EA_V_ALLOWED, 2,
     "an FQDN rule permits this name", "*pythonhosted.org (rules.txt:3)"},
    {"anaconda.org", "20.2.0.3", 443, EA_TCP, EA_CF_TLS, EA_V_DENIED, -1,
     "no rule permits this name", "no rule permits this name"},
    {"registry-1.docker.io", "20.2.0.4", 443, EA_TCP, EA_CF_TLS, EA_V_DENIED, -1,
     "no rule permits this name", "no rule permits this name"},
    {"telemetry.example", "20.2.0.5", 443, EA_TCP, EA_CF_TLS, EA_V_DENIED, 3,
     "only an Inactive rule matches this name",
     "only an Inactive rule matches this name: * (rules.txt:4)"},
    {"cas-bridge.xethub.hf.co", "20.2.0.6", 443, EA_TCP, EA_CF_TLS, EA_V_DENIED, 10,
     "only an Inactive rule matches this name",
     "only an Inactive rule matches this name: " EVIL_SAFE " (" EVIL_ORIGIN_SAFE ")"},
    {"transfer.xethub.hf.co", "20.2.0.7", 443, EA_TCP, EA_CF_TLS, EA_V_DENIED, -1,
     "no rule permits this name", "no rule permits this name"},
    {"grpc.example", "20.2.0.8", 8443, EA_TCP, EA_CF_TLS | EA_CF_PORT, EA_V_PORT, -1,
     "FQDN rules cover ports 80 and 443 only", "FQDN rules cover ports 80 and 443 only"},
    {"quic.example", "20.2.0.9", 443, EA_UDP, EA_CF_QUIC, EA_V_NO_NAME, -1,
     "QUIC (UDP 443): FQDN rules cannot judge it", "QUIC (UDP 443): FQDN rules cannot judge it"},
    {NULL, "10.20.1.1", 8000, EA_TCP, 0, EA_V_INFRA, 5, "a CIDR rule covers the address",
     "10.20.0.0/16:443,8000-8100/tcp (rules.txt:7)"},
    {NULL, "20.37.1.2", 443, EA_TCP, EA_CF_TLS | EA_CF_TLS_NO_SNI, EA_V_INFRA, 7,
     "a service tag's published prefixes cover the address", "AzureMachineLearning (ws.yml:20)"},
    {NULL, "52.1.1.1", 443, EA_TCP, EA_CF_TLS | EA_CF_TLS_NO_SNI, EA_V_INFRA_MAYBE, 8,
     "a service-tag rule without known prefixes may cover it "
     "(--service-tags FILE resolves tags to addresses)",
     "Storage.westeurope (ws.yml:30)"},
    {NULL, "9.9.9.9", 53, EA_UDP, EA_CF_DNS, EA_V_NO_NAME, -1,
     "no name (IP only): FQDN rules cannot judge it",
     "no name (IP only): FQDN rules cannot judge it"},
};
#define N_VROWS (sizeof verdict_rows / sizeof verdict_rows[0])

struct near_row {
    const char *host;
    size_t rule;
    enum ea_near_kind kind;
    const char *kind_name, *text;
};

static const struct near_row near_rows[] = {
    {"anaconda.org", 1, EA_NEAR_APEX, "apex",
     "anaconda.org was denied: only *.anaconda.org is allowed (profile curated), and "
     "*.anaconda.org never matches the apex anaconda.org"},
    {"registry-1.docker.io", 4, EA_NEAR_SUBDOMAIN, "subdomain",
     "registry-1.docker.io was denied: only docker.io is allowed (profile huggingface), which "
     "matches no other name"},
    {"telemetry.example", 3, EA_NEAR_INACTIVE, "inactive",
     "telemetry.example was denied: rule * (rules.txt:4) would permit it but is Inactive"},
    {"cas-bridge.xethub.hf.co", 10, EA_NEAR_INACTIVE, "inactive",
     "cas-bridge.xethub.hf.co was denied: rule " EVIL_SAFE "/" EVIL_SAFE " (" EVIL_ORIGIN_SAFE
     ") would permit it but is Inactive"},
};
#define N_NEAR (sizeof near_rows / sizeof near_rows[0])

struct remedy_row {
    const char *dest, *rule_name;
    bool wildcard;
    const char *covers[3];
};

static const struct remedy_row remedy_rows[] = {
    {"anaconda.org", "allow-anaconda-org", false, {"anaconda.org"}},
    {"cas-bridge.xethub.hf.co",
     "allow-cas-bridge-xethub-hf-co",
     false,
     {"cas-bridge.xethub.hf.co"}},
    {"registry-1.docker.io", "allow-registry-1-docker-io", false, {"registry-1.docker.io"}},
    {"telemetry.example", "allow-telemetry-example", false, {"telemetry.example"}},
    {"transfer.xethub.hf.co", "allow-transfer-xethub-hf-co", false, {"transfer.xethub.hf.co"}},
    {"*.xethub.hf.co",
     "allow-xethub-hf-co",
     true,
     {"cas-bridge.xethub.hf.co", "transfer.xethub.hf.co"}},
};
#define N_REMEDIES (sizeof remedy_rows / sizeof remedy_rows[0])

/* verdict → hosts, as verdict_rows says */
static uint32_t vcount(enum ea_verdict v)
{
    uint32_t n = 0;
    for (size_t i = 0; i < N_VROWS; i++)
        n += verdict_rows[i].verdict == v;
    return n;
}

static size_t host_index(const struct ea_report *r, const char *key, uint16_t port)
{
    for (size_t i = 0; i < r->n_hosts; i++)
        if (r->hosts[i].port == port && strcmp(r->hosts[i].key.s, key) == 0)
            return i;
    fail_msg("no host %s:%u", key, (unsigned)port);
    return 0;
}
static void add_rules(struct ea_report *r)
{
    for (size_t i = 0; i < N_RULES; i++) {
        const struct rule_row *w = &rule_rows[i];
        struct ea_rule *rule = ea_report_add_rule(r);
        assert_non_null(rule);
        rule->kind = w->kind;
        if (w->evil) {
            str_set(&rule->name, evil, EVIL_LEN);
            str_set(&rule->destination, evil, EVIL_LEN);
            char origin[EVIL_LEN + 2];
            memcpy(origin, evil, EVIL_LEN);
            memcpy(origin + EVIL_LEN, ":9", 2);
            str_set(&rule->origin, origin, sizeof origin);
            str_set(&rule->fqdn, evil, EVIL_LEN);
        } else {
            str_cset(&rule->name, w->name);
            str_cset(&rule->destination, w->dest);
            str_cset(&rule->origin, w->origin);
            if (w->kind == EA_RULE_FQDN) /* the pattern without "*." or "*" */
                str_cset(&rule->fqdn, w->dest + strspn(w->dest, "*."));
        }
        str_cset(&rule->category, w->category);
        str_cset(&rule->status, w->status);
        rule->inactive = w->inactive;
        rule->form = w->form;
        str_cset(&rule->service_tag, w->tag);
        size_t n = 0;
        while (n < 2 && w->nets[n])
            n++;
        if (n) {
            rule->nets = calloc(n, sizeof *rule->nets);
            assert_non_null(rule->nets);
            for (size_t k = 0; k < n; k++) {
                char text[64];
                snprintf(text, sizeof text, "%s", w->nets[k]);
                char *slash = strchr(text, '/');
                assert_non_null(slash);
                *slash = '\0';
                rule->nets[k].addr = addr(text);
                rule->nets[k].len = (uint8_t)strtoul(slash + 1, NULL, 10);
            }
            rule->n_nets = n;
        }
        n = 0;
        while (n < 2 && w->ports[n].lo)
            n++;
        if (n) {
            rule->ports = calloc(n, sizeof *rule->ports);
            assert_non_null(rule->ports);
            memcpy(rule->ports, w->ports, n * sizeof *rule->ports);
            rule->n_ports = n;
        }
        rule->protocol = w->protocol;
        rule->hosts_permitted = w->hosts_permitted;
    }
}

/* The verdict reason a row's text names (it must name one). */
static enum ea_verdict_why why_of(const char *text)
{
    enum ea_verdict_why w = EA_VW_NONE;
    if (text)
        assert_true(ea_verdict_why_parse(text, strlen(text), &w));
    return w;
}

/* A report with one host (and one connection) per verdict row, judged by
 * hand against rule_rows. */
static void build_policy_report(struct ea_report *r)
{
    ea_report_init(r);
    r->tool_version = "0.1.0-test";
    for (size_t i = 0; i < N_VROWS; i++) {
        const struct verdict_row *w = &verdict_rows[i];
        struct ea_conn *c = ea_report_add_conn(r);
        assert_non_null(c);
        c->src = addr("10.0.0.4");
        c->sport = (uint16_t)(40000 + i);
        c->dst = addr(w->dst);
        c->dport = w->dport;
        c->transport = w->transport;
        if (w->name) {
            str_cset(&c->name, w->name);
            c->name_source = w->transport == EA_UDP ? EA_NAME_QUIC_SNI : EA_NAME_SNI;
        }
        c->outcome = w->verdict == EA_V_DENIED ? EA_OUT_DENIED : EA_OUT_REACHED;
        c->outcome_why = EA_OW_SERVER_HELLO;
        c->flags = w->flags;
        c->first = (struct timeval){100 + (long)i, 0};
        c->last = (struct timeval){101 + (long)i, 0};
        c->verdict = w->verdict;
        c->rule = w->rule;
        c->verdict_why = why_of(w->why);
    }
    r->first = (struct timeval){100, 0};
    r->last = (struct timeval){100 + (long)N_VROWS, 0};
    r->have_time = true;
    r->counters[EA_C_FLOWS] = N_VROWS;
    assert_true(ea_report_finalize(r));
    assert_int_equal(r->n_hosts, N_VROWS);

    r->has_policy = true;
    add_rules(r);
    assert_true(ea_report_index_rules(r)); /* the model's lists of rules */
    for (size_t i = 0; i < N_VROWS; i++) {
        const struct verdict_row *w = &verdict_rows[i];
        struct ea_host *h = &r->hosts[host_index(r, w->name ? w->name : w->dst, w->dport)];
        h->verdict = w->verdict;
        h->rule = w->rule;
        h->verdict_why = why_of(w->why);
        r->verdict_hosts[w->verdict]++;
    }
    r->unused_rules = calloc(sizeof unused_idx / sizeof unused_idx[0], sizeof *r->unused_rules);
    assert_non_null(r->unused_rules);
    memcpy(r->unused_rules, unused_idx, sizeof unused_idx);
    r->n_unused_rules = sizeof unused_idx / sizeof unused_idx[0];
    r->near_misses = calloc(N_NEAR, sizeof *r->near_misses);
    assert_non_null(r->near_misses);
    for (size_t i = 0; i < N_NEAR; i++)
        r->near_misses[i] = (struct ea_near_miss){host_index(r, near_rows[i].host, 443),
                                                  near_rows[i].rule, near_rows[i].kind};
    r->n_near_misses = N_NEAR;
    r->remedies = calloc(N_REMEDIES, sizeof *r->remedies);
    assert_non_null(r->remedies);
    for (size_t i = 0; i < N_REMEDIES; i++) {
        const struct remedy_row *w = &remedy_rows[i];
        struct ea_remedy *m = &r->remedies[i];
        r->n_remedies = i + 1;
        str_cset(&m->destination, w->dest);
        str_cset(&m->rule_name, w->rule_name);
        m->wildcard = w->wildcard;
        size_t n = 0;
        while (n < 3 && w->covers[n])
            n++;
        m->covers = calloc(n, sizeof *m->covers);
        assert_non_null(m->covers);
        for (size_t k = 0; k < n; k++)
            str_cset(&m->covers[k], w->covers[k]);
        m->n_covers = n;
    }
    assert_true(ea_report_derive(r)); /* the findings, the order of the hosts */
}

/* The object of a JSON array whose field is value and whose port is port. */
static json_t *find_entry(json_t *arr, const char *field, const char *value, uint16_t port)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const json_t *v = json_object_get(e, field);
        if (json_is_string(v) && strcmp(json_string_value(v), value) == 0 &&
            json_integer_value(json_object_get(e, "port")) == port)
            return e;
    }
    fail_msg("no entry %s = %s", field, value);
    return NULL;
}

/* {"pattern", "origin"} (and "kind" when with_kind) of rule i */
static void assert_rule_ref(const json_t *o, size_t i, bool with_kind)
{
    assert_true(json_is_object(o));
    assert_int_equal(json_object_size(o), with_kind ? 3 : 2);
    const struct rule_row *w = &rule_rows[i];
    assert_string_equal(jstr(o, "pattern"), w->evil ? EVIL_SAFE : w->dest);
    assert_string_equal(jstr(o, "origin"), w->evil ? EVIL_ORIGIN_SAFE : w->origin);
    if (with_kind)
        assert_string_equal(jstr(o, "kind"), rule_kind_names[w->kind]);
}

static void assert_str_or_null(const json_t *o, const char *key, const char *want)
{
    if (want)
        assert_string_equal(jstr(o, key), want);
    else
        assert_jnull(o, key);
}

static void test_policy_json(void **state)
{
    (void)state;
    struct ea_report r;
    build_policy_report(&r);
    struct output o = do_render_json(&r);
    assert_printable(&o);
    assert_null(memchr(o.buf, 0x1b, o.len));

    /* the new top-level keys, after dns and before stats */
    static const char *const top[] = {
        "schema",         "tool",        "inputs",   "truncated", "snaplen_cut",  "time",
        "hosts",          "connections", "dns",      "rules",     "unused_rules", "duplicate_rules",
        "inactive_rules", "near_misses", "findings", "verdicts",  "remediation",  "stats"};
    const char *prev = o.buf;
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++) {
        char pat[32];
        snprintf(pat, sizeof pat, "\n  \"%s\":", top[i]);
        const char *at = strstr(o.buf, pat);
        if (!at)
            fail_msg("no top-level key %s", top[i]);
        assert_true(at > prev);
        prev = at;
    }
    json_t *j = parse(&o);
    assert_int_equal(json_object_size(j), sizeof top / sizeof top[0]);
    assert_int_equal(jint(j, "schema"), 1);

    /* rules, in load order */
    json_t *rules = json_object_get(j, "rules");
    assert_int_equal(json_array_size(rules), N_RULES);
    static const char *const rule_keys[] = {"kind",
                                            "destination",
                                            "name",
                                            "origin",
                                            "category",
                                            "status",
                                            "active",
                                            "form",
                                            "service_tag",
                                            "addresses",
                                            "ports",
                                            "protocol",
                                            "hosts_permitted",
                                            "subresource_target",
                                            "spark_enabled"};
    for (size_t i = 0; i < N_RULES; i++) {
        const struct rule_row *w = &rule_rows[i];
        json_t *e = json_array_get(rules, i);
        assert_int_equal(json_object_size(e), sizeof rule_keys / sizeof rule_keys[0]);
        const char *k0 = NULL;
        size_t at = 0;
        json_t *v;
        json_object_foreach(e, k0, v)
        {
            assert_string_equal(k0, rule_keys[at]); /* in schema order */
            at++;
        }
        assert_string_equal(jstr(e, "kind"), rule_kind_names[w->kind]);
        assert_string_equal(jstr(e, "destination"), w->evil ? EVIL_SAFE : w->dest);
        assert_str_or_null(e, "name", w->evil ? EVIL_SAFE : w->name);
        assert_string_equal(jstr(e, "origin"), w->evil ? EVIL_ORIGIN_SAFE : w->origin);
        assert_str_or_null(e, "category", w->category);
        assert_str_or_null(e, "status", w->status);
        assert_true(json_is_boolean(json_object_get(e, "active")));
        assert_int_equal(json_is_true(json_object_get(e, "active")), !w->inactive);
        assert_str_or_null(e, "form", w->form_name);
        assert_str_or_null(e, "service_tag", w->tag);
        json_t *addrs = json_object_get(e, "addresses");
        size_t n = 0;
        while (n < 2 && w->nets[n])
            n++;
        assert_true(json_is_array(addrs));
        assert_int_equal(json_array_size(addrs), n);
        for (size_t k = 0; k < n; k++)
            assert_string_equal(json_string_value(json_array_get(addrs, k)), w->nets[k]);
        json_t *ports = json_object_get(e, "ports");
        n = 0;
        while (n < 2 && w->port_text[n])
            n++;
        assert_true(json_is_array(ports));
        assert_int_equal(json_array_size(ports), n);
        for (size_t k = 0; k < n; k++)
            assert_string_equal(json_string_value(json_array_get(ports, k)), w->port_text[k]);
        assert_str_or_null(e, "protocol", w->protocol_name);
        assert_int_equal(jint(e, "hosts_permitted"), w->hosts_permitted);
    }

    json_t *unused = json_object_get(j, "unused_rules");
    assert_int_equal(json_array_size(unused), sizeof unused_idx / sizeof unused_idx[0]);
    for (size_t i = 0; i < sizeof unused_idx / sizeof unused_idx[0]; i++)
        assert_rule_ref(json_array_get(unused, i), unused_idx[i], false);
    json_t *inactive = json_object_get(j, "inactive_rules");
    assert_int_equal(json_array_size(inactive), sizeof inactive_idx / sizeof inactive_idx[0]);
    for (size_t i = 0; i < sizeof inactive_idx / sizeof inactive_idx[0]; i++)
        assert_rule_ref(json_array_get(inactive, i), inactive_idx[i], false);

    json_t *near = json_object_get(j, "near_misses");
    assert_int_equal(json_array_size(near), N_NEAR);
    for (size_t i = 0; i < N_NEAR; i++) {
        json_t *e = json_array_get(near, i);
        assert_int_equal(json_object_size(e), 5);
        assert_string_equal(jstr(e, "host"), near_rows[i].host);
        assert_int_equal(jint(e, "port"), 443);
        assert_rule_ref(json_object_get(e, "rule"), near_rows[i].rule, false);
        assert_string_equal(jstr(e, "kind"), near_rows[i].kind_name);
        assert_string_equal(jstr(e, "text"), near_rows[i].text);
    }

    /* verdicts: the non-zero counts, never "none" */
    json_t *verdicts = json_object_get(j, "verdicts");
    static const struct {
        const char *name;
        enum ea_verdict v;
    } vnames[] = {{"allowed", EA_V_ALLOWED},         {"denied", EA_V_DENIED},
                  {"port-not-coverable", EA_V_PORT}, {"no-name", EA_V_NO_NAME},
                  {"infrastructure", EA_V_INFRA},    {"infrastructure?", EA_V_INFRA_MAYBE}};
    assert_int_equal(json_object_size(verdicts), sizeof vnames / sizeof vnames[0]);
    for (size_t i = 0; i < sizeof vnames / sizeof vnames[0]; i++)
        assert_int_equal(jint(verdicts, vnames[i].name), vcount(vnames[i].v));
    assert_null(json_object_get(verdicts, "none"));

    json_t *rem = json_object_get(j, "remediation");
    assert_int_equal(json_object_size(rem), 3); /* add, service_notes, notes */
    assert_int_equal(json_array_size(json_object_get(rem, "service_notes")), 0);
    json_t *add = json_object_get(rem, "add");
    assert_int_equal(json_array_size(add), N_REMEDIES);
    for (size_t i = 0; i < N_REMEDIES; i++) {
        const struct remedy_row *w = &remedy_rows[i];
        json_t *e = json_array_get(add, i);
        assert_int_equal(json_object_size(e), 4);
        assert_string_equal(jstr(e, "destination"), w->dest);
        assert_string_equal(jstr(e, "rule_name"), w->rule_name);
        assert_true(json_is_boolean(json_object_get(e, "wildcard")));
        assert_int_equal(json_is_true(json_object_get(e, "wildcard")), w->wildcard);
        json_t *covers = json_object_get(e, "covers");
        size_t n = 0;
        while (n < 3 && w->covers[n])
            n++;
        assert_int_equal(json_array_size(covers), n);
        for (size_t k = 0; k < n; k++)
            assert_string_equal(json_string_value(json_array_get(covers, k)), w->covers[k]);
    }
    json_t *notes = json_object_get(rem, "notes");
    assert_int_equal(json_array_size(notes), 2);
    const char *fw = json_string_value(json_array_get(notes, 0));
    assert_non_null(fw);
    assert_non_null(strstr(fw, "Azure Firewall"));
    assert_non_null(strstr(fw, "billed"));
    assert_non_null(strstr(fw, "standard"));
    assert_non_null(strstr(fw, "basic"));
    const char *pn = json_string_value(json_array_get(notes, 1));
    assert_non_null(pn);
    assert_non_null(strstr(pn, "az ml workspace provision-network"));

    /* hosts and connections: verdict, rule, verdict_why at the end (hosts
     * then known_in, the built-in profiles that permit a denied name) */
    json_t *hosts = json_object_get(j, "hosts");
    json_t *conns = json_object_get(j, "connections");
    assert_int_equal(json_array_size(hosts), N_VROWS);
    assert_int_equal(json_array_size(conns), N_VROWS);
    for (size_t i = 0; i < N_VROWS; i++) {
        const struct verdict_row *w = &verdict_rows[i];
        json_t *h = find_entry(hosts, "key", w->name ? w->name : w->dst, w->dport);
        json_t *c = json_array_get(conns, i); /* one per second, in row order */
        assert_int_equal(jint(c, "sport"), 40000 + (json_int_t)i);
        for (int pass = 0; pass < 2; pass++) {
            json_t *e = pass ? c : h;
            size_t n = json_object_size(e) - (pass ? 0 : 1);
            if (!pass)
                assert_true(json_is_array(json_object_get(e, "known_in")));
            const char *key;
            json_t *v;
            size_t at = 0;
            json_object_foreach(e, key, v)
            {
                if (at == n - 3)
                    assert_string_equal(key, "verdict");
                if (at == n - 2)
                    assert_string_equal(key, "rule");
                if (at == n - 1)
                    assert_string_equal(key, "verdict_why");
                at++;
            }
            assert_string_equal(jstr(e, "verdict"), ea_verdict_name(w->verdict));
            if (w->rule < 0)
                assert_jnull(e, "rule");
            else
                assert_rule_ref(json_object_get(e, "rule"), (size_t)w->rule, true);
            assert_string_equal(jstr(e, "verdict_why"), w->why);
        }
    }
    json_decref(j);
    /* a verdict without a why is null; a rule index out of range is no rule */
    output_free(&o);
    r.hosts[0].verdict_why = EA_VW_NONE;
    r.hosts[0].rule = (long)N_RULES;
    o = do_render_json(&r);
    j = parse(&o);
    json_t *h0 = json_array_get(json_object_get(j, "hosts"), 0);
    assert_jnull(h0, "verdict_why");
    assert_jnull(h0, "rule");
    json_decref(j);
    output_free(&o);
    ea_report_finish(&r);
}

/* A line from column at on ("" when it is shorter). */
static const char *at_col(const char *line, size_t at)
{
    return strlen(line) > at ? line + at : "";
}

/* Where a verdict's hosts are listed: denied first (render order). */
static unsigned rank(enum ea_verdict v)
{
    static const enum ea_verdict order[] = {EA_V_DENIED,      EA_V_PORT,  EA_V_NO_NAME,
                                            EA_V_INFRA_MAYBE, EA_V_INFRA, EA_V_ALLOWED};
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
        if (order[i] == v)
            return i;
    return 99;
}

static void test_policy_text(void **state)
{
    (void)state;
    struct ea_report r;
    build_policy_report(&r);
    struct output o = do_render_text(&r, false);
    assert_printable(&o);
    assert_null(memchr(o.buf, 0x1b, o.len));
    char line[2048], want[2048];

    /* the answer first, then the rest in order */
    static const char *const titles[] = {"SUMMARY\n",
                                         "\n\nFINDINGS\n",
                                         "\n\nWHAT TO DO\n",
                                         "\n\nHOSTS\n",
                                         "\n\nDNS NAMES NEVER CONNECTED TO\n",
                                         "\n\nCONNECTIONS\n",
                                         "\n\nDNS\n",
                                         "\n\nCAPTURE\n"};
    const char *prev = o.buf;
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
        const char *at = strstr(o.buf, titles[i]);
        if (!at || at < prev)
            fail_msg("%s missing or out of order", titles[i] + strspn(titles[i], "\n"));
        prev = at;
    }
    assert_true(strncmp(o.buf, "SUMMARY\n", 8) == 0);
    size_t n_port = vcount(EA_V_PORT);
    snprintf(want, sizeof want,
             "%u denied, %u allowed, %u port-not-coverable, %u no-name, %u infrastructure, "
             "%u infrastructure?; 3 unused rules; %zu %s denied by the rules but reached on the "
             "wire\n",
             (unsigned)vcount(EA_V_DENIED), (unsigned)vcount(EA_V_ALLOWED), (unsigned)n_port,
             (unsigned)vcount(EA_V_NO_NAME), (unsigned)vcount(EA_V_INFRA),
             (unsigned)vcount(EA_V_INFRA_MAYBE), n_port, n_port == 1 ? "host" : "hosts");
    if (strncmp(o.buf + 8, want, strlen(want)) != 0)
        fail_msg("summary is:\n%.300s\nwant:\n%s", o.buf + 8, want);
    line_starting(&o, "rules: ", line, sizeof line);
    snprintf(want, sizeof want,
             "rules: %zu from profile huggingface, profile curated, rules.txt, ws.yml, " EVIL_SAFE,
             N_RULES);
    assert_string_equal(line, want);

    /* FINDINGS: the port-not-coverable hosts were reached */
    line_starting(&o, "  ", line, sizeof line);
    for (size_t i = 0; i < N_VROWS; i++) {
        const struct verdict_row *w = &verdict_rows[i];
        if (w->verdict != EA_V_PORT)
            continue;
        snprintf(want, sizeof want, "  %s %u/%s: 1 of 1 connection reached; port-not-coverable",
                 w->name ? w->name : w->dst, (unsigned)w->dport,
                 w->transport == EA_UDP ? "udp" : "tcp");
        assert_non_null(strstr(o.buf, want));
    }

    /* HOSTS: VERDICT after CONNS, then RULE / EVIDENCE; denied first */
    line_starting(&o, "HOST ", line, sizeof line);
    const char *conns = strstr(line, "  CONNS");
    const char *verdict = strstr(line, "  VERDICT  ");
    const char *rule = strstr(line, "  RULE / EVIDENCE");
    assert_true(conns && verdict && rule && conns < verdict && verdict < rule);
    size_t v_at = (size_t)(verdict - line) + 2, r_at = (size_t)(rule - line) + 2;
    for (size_t i = 0; i < N_VROWS; i++) {
        const struct verdict_row *w = &verdict_rows[i];
        char prefix[128];
        snprintf(prefix, sizeof prefix, "%s ", w->name ? w->name : w->dst);
        line_starting(&o, prefix, line, sizeof line);
        const char *vname = ea_verdict_name(w->verdict);
        assert_true(strncmp(at_col(line, v_at), vname, strlen(vname)) == 0);
        assert_true(at_col(line, v_at)[strlen(vname)] == ' ');
        if (strncmp(at_col(line, r_at), w->rule_cell, strlen(w->rule_cell)) != 0)
            fail_msg("RULE of %s: %s", prefix, at_col(line, r_at));
    }
    const char *hosts = strstr(o.buf, "\nHOSTS\n");
    const char *end = strstr(hosts, "\n\n");
    unsigned last = 0;
    for (const char *p = strchr(hosts + 7, '\n') + 1; p < end; p = strchr(p, '\n') + 1) {
        enum ea_verdict v;
        const char *cell = p + v_at;
        size_t n = strcspn(cell, " \n");
        assert_true(ea_verdict_parse(cell, n, &v));
        assert_true(rank(v) >= last);
        last = rank(v);
    }

    /* CONNECTIONS: VERDICT after OUTCOME */
    line_starting(&o, "  TIME ", line, sizeof line);
    const char *outcome = strstr(line, "  OUTCOME  ");
    verdict = strstr(line, "  VERDICT  ");
    assert_true(outcome && verdict && outcome < verdict);
    v_at = (size_t)(verdict - line) + 2;
    line_containing(&o, "10.0.0.4:40002  20.2.0.3:443/tcp", line, sizeof line);
    assert_true(strncmp(at_col(line, v_at), "denied ", 7) == 0);
    line_containing(&o, "10.0.0.4:40011  52.1.1.1:443/tcp", line, sizeof line);
    assert_true(strncmp(at_col(line, v_at), "infrastructure? ", 16) == 0);

    /* WHAT TO DO: the rules to add, the near misses, the unused rules */
    const char *to_do = strstr(o.buf, "\nWHAT TO DO\n") + strlen("\nWHAT TO DO\n");
    size_t n_exact = 0, n_wild = 0;
    for (size_t i = 0; i < N_REMEDIES; i++)
        remedy_rows[i].wildcard ? n_wild++ : n_exact++;
    snprintf(want, sizeof want,
             "Add %zu rules, or the %zu wildcard suggestion that covers several of them (az CLI "
             "lines below):\n",
             n_exact, n_wild);
    if (strncmp(to_do, want, strlen(want)) != 0)
        fail_msg("WHAT TO DO is:\n%.300s\nwant:\n%s", to_do, want);
    const char *p = to_do + strlen(want);
    assert_true(strncmp(p, "  DESTINATION ", 14) == 0);
    p = strchr(p, '\n') + 1;
    size_t dest_w = 0, name_w = 0;
    for (size_t i = 0; i < N_REMEDIES; i++) {
        if (strlen(remedy_rows[i].dest) > dest_w)
            dest_w = strlen(remedy_rows[i].dest);
        if (strlen(remedy_rows[i].rule_name) > name_w)
            name_w = strlen(remedy_rows[i].rule_name);
    }
    for (size_t i = 0; i < N_REMEDIES; i++) {
        const struct remedy_row *w = &remedy_rows[i];
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        memcpy(line, p, (size_t)(nl - p));
        line[nl - p] = '\0';
        assert_true(strncmp(line, "  ", 2) == 0);
        assert_true(strncmp(line + 2, w->dest, strlen(w->dest)) == 0);
        assert_true(strncmp(line + 2 + dest_w + 2, w->rule_name, strlen(w->rule_name)) == 0);
        const char *mark = strstr(line, "suggestion, instead of the exact rules; covers: ");
        assert_true(w->wildcard ? mark != NULL : mark == NULL);
        if (w->wildcard) {
            snprintf(want, sizeof want, "covers: %s, %s", w->covers[0], w->covers[1]);
            assert_non_null(strstr(line, want));
        }
        assert_true(line[strlen(line) - 1] != ' ');
        p = nl + 1;
    }
    assert_true(strncmp(p, "Near misses:\n", 13) == 0);
    p += 13;
    for (size_t i = 0; i < N_NEAR; i++) {
        snprintf(want, sizeof want, "  %s\n", near_rows[i].text);
        if (strncmp(p, want, strlen(want)) != 0)
            fail_msg("near miss %zu is:\n%s\nwant:\n%s", i, p, want);
        p += strlen(want);
    }
    snprintf(want, sizeof want,
             "Unused rules, candidates to remove (3): *.anaconda.org (profile curated), docker.io "
             "(profile huggingface), [2001:db8:aa::/48]:53/udp (rules.txt:8)\n\n");
    if (strncmp(p, want, strlen(want)) != 0)
        fail_msg("unused rules:\n%.300s\nwant:\n%s", p, want);
    p += strlen(want);
    /* then emit_remedies(EMIT_AZ) with default options (no width: as it is) */
    struct output az = {0};
    FILE *f = open_memstream(&az.buf, &az.len);
    assert_non_null(f);
    struct emit_opts opts = {0};
    assert_int_equal(emit_remedies(&r, EMIT_AZ, &opts, f), 0);
    assert_int_equal(fclose(f), 0);
    assert_true(strncmp(p, az.buf, az.len) == 0);
    assert_true(strncmp(p + az.len, "\nHOSTS\n", 7) == 0);
    output_free(&az);

    /* CAPTURE: the Inactive rules */
    line_starting(&o, "inactive rules (permit nothing): ", line, sizeof line);
    assert_string_equal(line, "inactive rules (permit nothing): * (rules.txt:4), " EVIL_SAFE
                              " (" EVIL_ORIGIN_SAFE ")");

    output_free(&o);
    ea_report_finish(&r);
}

/* Every line within the width, for widths from narrow to wide, with the az
 * lines continued and names shortened in the middle. */
static void test_policy_text_width(void **state)
{
    (void)state;
    struct ea_report r;
    build_policy_report(&r);
    static const unsigned widths[] = {60, 72, 80, 100, 132};
    for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++) {
        struct render_opts ro = {.width = widths[k], .connections = true};
        struct output o = do_render_opts(&r, RENDER_TEXT, &ro);
        assert_printable(&o);
        for (const char *p = o.buf; *p;) {
            const char *nl = strchr(p, '\n');
            assert_non_null(nl);
            if ((size_t)(nl - p) > widths[k])
                fail_msg("width %u: a line of %zu: %.*s", widths[k], (size_t)(nl - p),
                         (int)(nl - p), p);
            p = nl + 1;
        }
        assert_non_null(strstr(o.buf, " \\\n  --"));
        output_free(&o);
    }
    ea_report_finish(&r);
}

static void test_policy_color(void **state)
{
    (void)state;
    static const char *const ours[] = {"\x1b[0m",  "\x1b[1m",  "\x1b[31m",
                                       "\x1b[32m", "\x1b[33m", NULL};
    static const struct {
        const char *text;
    } want[] = {
        {"\x1b[32mallowed\x1b[0m"},   {"\x1b[32minfrastructure\x1b[0m"},
        {"\x1b[31mdenied\x1b[0m"},    {"\x1b[33mport-not-coverable\x1b[0m"},
        {"\x1b[33mno-name\x1b[0m"},   {"\x1b[33minfrastructure?\x1b[0m"},
        {"\x1b[1mFINDINGS\x1b[0m\n"}, {"\x1b[1mWHAT TO DO\x1b[0m\n"},
    };
    struct ea_report r;
    build_policy_report(&r);
    struct output o = do_render_text(&r, true);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(o.buf, want[i].text))
            fail_msg("no '%s'", want[i].text + 1);
    /* the evil bytes stay text; every ESC is one of ours */
    for (size_t i = 0; i < o.len; i++) {
        if (o.buf[i] != 0x1b)
            continue;
        size_t k = 0;
        while (ours[k] && strncmp(o.buf + i, ours[k], strlen(ours[k])) != 0)
            k++;
        if (!ours[k])
            fail_msg("foreign escape at offset %zu", i);
    }
    assert_non_null(strstr(o.buf, EVIL_SAFE));
    output_free(&o);
    ea_report_finish(&r);
}

/* Without an allowlist nothing of it is written, whatever the fields hold. */
static void test_policy_absent(void **state)
{
    (void)state;
    struct ea_report r;
    build_policy_report(&r);
    r.has_policy = false;

    struct output o = do_render_json(&r);
    json_t *j = parse(&o);
    static const char *const none[] = {"rules",       "unused_rules", "inactive_rules",
                                       "near_misses", "verdicts",     "remediation"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        assert_null(json_object_get(j, none[i]));
    assert_int_equal(json_object_size(j), 10);
    for (int pass = 0; pass < 2; pass++) {
        json_t *arr = json_object_get(j, pass ? "connections" : "hosts");
        for (size_t i = 0; i < json_array_size(arr); i++) {
            json_t *e = json_array_get(arr, i);
            assert_null(json_object_get(e, "verdict"));
            assert_null(json_object_get(e, "rule"));
            assert_null(json_object_get(e, "verdict_why"));
        }
    }
    assert_null(strstr(o.buf, "verdict"));
    json_decref(j);
    output_free(&o);

    for (int color = 0; color < 2; color++) {
        o = do_render_text(&r, color);
        assert_null(strstr(o.buf, "VERDICT"));
        assert_null(strstr(o.buf, "RULE"));
        assert_null(strstr(o.buf, "FINDINGS"));
        assert_null(strstr(o.buf, "WHAT TO DO"));
        assert_null(strstr(o.buf, "allowed"));
        assert_null(strstr(o.buf, "profile huggingface"));
        output_free(&o);
    }
    ea_report_finish(&r);
}

/* An allowlist that is empty: every key still there, empty; "none"s. */
static void test_policy_empty(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    assert_true(ea_report_finalize(&r));
    r.has_policy = true;

    struct output o = do_render_json(&r);
    json_t *j = parse(&o);
    assert_int_equal(json_array_size(json_object_get(j, "rules")), 0);
    assert_true(json_is_array(json_object_get(j, "unused_rules")));
    assert_int_equal(json_array_size(json_object_get(j, "unused_rules")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "inactive_rules")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "near_misses")), 0);
    assert_true(json_is_object(json_object_get(j, "verdicts")));
    assert_int_equal(json_object_size(json_object_get(j, "verdicts")), 0);
    json_t *rem = json_object_get(j, "remediation");
    assert_int_equal(json_array_size(json_object_get(rem, "add")), 0);
    assert_true(json_is_array(json_object_get(rem, "notes")));
    assert_int_equal(json_array_size(json_object_get(rem, "notes")), 0);
    json_decref(j);
    output_free(&o);

    o = do_render_text(&r, false);
    const char *to_do = strstr(o.buf, "\nWHAT TO DO\n");
    assert_non_null(to_do);
    assert_true(strncmp(o.buf, "SUMMARY\n0 denied, 0 allowed\n", 28) == 0);
    assert_null(strstr(o.buf, "FINDINGS"));
    static const char want[] = "\nWHAT TO DO\n"
                               "Nothing to add: no name on ports 80 and 443 is denied.\n"
                               "\nHOSTS\n(none)\n";
    assert_true(strncmp(to_do, want, strlen(want)) == 0);
    assert_non_null(strstr(o.buf, "inactive rules (permit nothing): none\n"));
    output_free(&o);
    ea_report_finish(&r);
}

static void test_policy_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    struct ea_report r;
    build_policy_report(&r);
    assert_int_equal(render_json(&r, f), -1);
    clearerr(f);
    assert_int_equal(render_text(&r, f, NULL), -1);
    fclose(f);
    ea_report_finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_json),        cmocka_unit_test(test_policy_text),
        cmocka_unit_test(test_policy_text_width),  cmocka_unit_test(test_policy_color),
        cmocka_unit_test(test_policy_absent),      cmocka_unit_test(test_policy_empty),
        cmocka_unit_test(test_policy_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
