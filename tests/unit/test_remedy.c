/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Remediation (analyze/remedy.c): activations of Inactive rules, exact rules,
 * wildcard suggestions, rule names; and the policy's lists of unused and
 * duplicate rules (analyze/policy.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "policy.h"
#include "rules.h"

/* ---- helpers ---- */

static void str_set(struct ea_str *s, const char *p, size_t len)
{
    assert_true(ea_str_set(s, p, len));
}

/*
 * Hosts from a NULL-terminated list of "V:key": D denied, A allowed, P
 * port-not-coverable, U denied but unnamed (an address), C denied with the
 * name cut short on capture.
 */
static void set_hosts(struct ea_report *r, const char *const *spec)
{
    size_t n = 0;
    while (spec[n])
        n++;
    r->hosts = calloc(n ? n : 1, sizeof *r->hosts);
    assert_non_null(r->hosts);
    r->n_hosts = n;
    for (size_t i = 0; i < n; i++) {
        struct ea_host *h = &r->hosts[i];
        const char *key = spec[i] + 2;
        str_set(&h->key, key, strlen(key));
        h->named = spec[i][0] != 'U';
        h->port = 443;
        h->transport = EA_TCP;
        h->rule = -1;
        switch (spec[i][0]) {
        case 'A':
            h->verdict = EA_V_ALLOWED;
            break;
        case 'P':
            h->verdict = EA_V_PORT;
            break;
        case 'C':
            h->verdict = EA_V_DENIED;
            h->flags = EA_CF_NAME_CUT;
            break;
        case 'D':
        case 'U':
            h->verdict = EA_V_DENIED;
            break;
        default:
            fail_msg("bad host spec %s", spec[i]);
        }
    }
}

static void add_rule_named(struct ea_report *r, const char *name)
{
    struct ea_rule *rule = ea_report_add_rule(r);
    assert_non_null(rule);
    str_set(&rule->name, name, strlen(name));
    str_set(&rule->destination, "example.org", 11);
    str_set(&rule->fqdn, "example.org", 11);
}

/*
 * The remedies as one line: exact ones by destination, wildcards as
 * "*.p=a,b", activations as "!NAME:PATTERN=a,b". Checks the invariants on
 * the way: exact remedies cover just themselves, every new rule has a valid
 * name unique against the rules and the other remedies; an activation keeps
 * its rule's name.
 */
static char *remedies_text(const struct ea_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    for (size_t i = 0; i < r->n_remedies; i++) {
        const struct ea_remedy *m = &r->remedies[i];
        if (i)
            fputc(' ', f);
        if (m->activate) {
            assert_true(m->rule < r->n_rules);
            assert_true(r->rules[m->rule].inactive);
            assert_false(m->wildcard);
            assert_string_equal(m->rule_name.s, r->rules[m->rule].name.s);
            assert_true(m->n_covers >= 1);
            fprintf(f, "!%s:%s=", m->rule_name.s, m->destination.s);
            for (size_t k = 0; k < m->n_covers; k++)
                fprintf(f, "%s%s", k ? "," : "", m->covers[k].s);
            continue;
        }
        fputs(m->destination.s, f);
        assert_int_equal(strlen(m->destination.s), m->destination.len);
        if (!m->wildcard) {
            assert_int_equal(m->n_covers, 1);
            assert_string_equal(m->covers[0].s, m->destination.s);
        } else {
            assert_true(m->n_covers >= 2);
            fputc('=', f);
            for (size_t k = 0; k < m->n_covers; k++)
                fprintf(f, "%s%s", k ? "," : "", m->covers[k].s);
        }
        /* 3..33 of [a-zA-Z0-9_-], alnum first, unique case-insensitively */
        const struct ea_str *n = &m->rule_name;
        assert_true(n->len >= 3 && n->len <= 33);
        assert_true(strspn(n->s, "abcdefghijklmnopqrstuvwxyz0123456789") >= 1);
        assert_int_equal(strspn(n->s, "abcdefghijklmnopqrstuvwxyz"
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"),
                         n->len);
        for (size_t k = 0; k < i; k++)
            assert_true(r->remedies[k].activate ||
                        strcasecmp(r->remedies[k].rule_name.s, n->s) != 0);
        for (size_t k = 0; k < r->n_rules; k++)
            assert_true(strcasecmp(r->rules[k].name.s ? r->rules[k].name.s : "", n->s) != 0);
    }
    assert_int_equal(fclose(f), 0);
    return buf;
}

/* ---- remedies: a table ---- */

struct remedy_case {
    const char *title;
    const char *hosts[16];
    const char *want; /* remedies_text() */
};

static const struct remedy_case remedy_cases[] = {
    {"exact: sorted, deduplicated, case-folded, trailing dot dropped",
     {"D:pypi.org", "D:PyPI.org", "D:pypi.org.", "D:files.pythonhosted.org", "D:Huggingface.CO",
      "A:github.com", NULL},
     "files.pythonhosted.org huggingface.co pypi.org"},
    {"only named, denied hosts",
     {"U:10.0.0.1", "P:smtp.example.com", "A:a.example.com", "D:b.example.com", NULL},
     "b.example.com"},
    {"no remedies", {"A:pypi.org", NULL}, ""},
    {"no hosts", {NULL}, ""},
    {"two names under xethub.hf.co: the deepest parent only",
     {"D:cas-bridge.xethub.hf.co", "D:transfer.xethub.hf.co", NULL},
     "cas-bridge.xethub.hf.co transfer.xethub.hf.co "
     "*.xethub.hf.co=cas-bridge.xethub.hf.co,transfer.xethub.hf.co"},
    {"one name: no wildcard", {"D:cas-bridge.xethub.hf.co", NULL}, "cas-bridge.xethub.hf.co"},
    {"the wider parent when it covers more",
     {"D:transfer.xethub.hf.co", "D:cdn-lfs-us-1.hf.co", "D:cas-bridge.xethub.hf.co", NULL},
     "cas-bridge.xethub.hf.co cdn-lfs-us-1.hf.co transfer.xethub.hf.co "
     "*.hf.co=cas-bridge.xethub.hf.co,cdn-lfs-us-1.hf.co,transfer.xethub.hf.co "
     "*.xethub.hf.co=cas-bridge.xethub.hf.co,transfer.xethub.hf.co"},
    {"levels with the same names collapse to the deepest",
     {"D:a.b.c.example.com", "D:d.b.c.example.com", "D:e.c.example.com", NULL},
     "a.b.c.example.com d.b.c.example.com e.c.example.com "
     "*.b.c.example.com=a.b.c.example.com,d.b.c.example.com "
     "*.c.example.com=a.b.c.example.com,d.b.c.example.com,e.c.example.com"},
    {"*.P does not match P: the apex keeps its exact rule",
     {"D:hf.co", "D:a.hf.co", "D:b.hf.co", NULL},
     "a.hf.co b.hf.co hf.co *.hf.co=a.hf.co,b.hf.co"},
    {"never a public suffix: co.uk",
     {"D:a.example.co.uk", "D:b.other.co.uk", NULL},
     "a.example.co.uk b.other.co.uk"},
    {"under one registrable domain in co.uk",
     {"D:a.example.co.uk", "D:b.example.co.uk", NULL},
     "a.example.co.uk b.example.co.uk *.example.co.uk=a.example.co.uk,b.example.co.uk"},
    {"github.io is a public suffix (private section)",
     {"D:x.github.io", "D:y.github.io", NULL},
     "x.github.io y.github.io"},
    {"below a github.io registrable domain",
     {"D:a.x.github.io", "D:b.x.github.io", NULL},
     "a.x.github.io b.x.github.io *.x.github.io=a.x.github.io,b.x.github.io"},
    {"two top-level names: nothing shared",
     {"D:example.com", "D:example.net", NULL},
     "example.com example.net"},
    {"unusable names get no remedy",
     {"D:10.1.2.3", "D:127.1", "D:2001:db8::1", "D:[2001:db8::1]", "D:bad\x01name.example.com",
      "D:bad name.example.com", "D:*.example.com", "D:a..example.com", "D:.example.com", "D:..",
      "D:.", "D:caf\xc3\xa9.example.com", "D:ok.example.com", "C:cut.example.com", NULL},
     "ok.example.com"},
    {"unusable names are not counted for wildcards",
     {"D:a.example.com", "D:b\x7f.example.com", NULL},
     "a.example.com"},
    {"a trailing dot does not make two names",
     {"D:a.example.com.", "D:A.EXAMPLE.COM", "D:b.example.com", NULL},
     "a.example.com b.example.com *.example.com=a.example.com,b.example.com"},
    {"single labels and unknown top-level domains",
     {"D:localhost", "D:a.corp.internal", "D:b.corp.internal", NULL},
     "a.corp.internal b.corp.internal localhost "
     "*.corp.internal=a.corp.internal,b.corp.internal"},
    {NULL, {NULL}, NULL},
};

static void test_remedy_table(void **state)
{
    (void)state;
    for (const struct remedy_case *c = remedy_cases; c->title; c++) {
        struct ea_report r;
        ea_report_init(&r);
        set_hosts(&r, c->hosts);
        assert_true(policy_build_remedies(&r));
        char *got = remedies_text(&r);
        if (strcmp(got, c->want) != 0)
            fail_msg("%s:\n got  '%s'\n want '%s'", c->title, got, c->want);
        free(got);
        ea_report_finish(&r);
    }
}

/* Names with embedded NUL bytes, and hostile lengths. */
static void test_remedy_lengths(void **state)
{
    (void)state;
    struct ea_report r;
    char label63[64], label64[65], long253[254], long254[255];
    memset(label63, 'a', 63);
    label63[63] = '\0';
    memset(label64, 'b', 64);
    label64[64] = '\0';
    /* 253 = 4 * 63 + 1 ... built as labels of 49 + dots */
    memset(long253, 'c', 253);
    for (size_t i = 49; i < 253; i += 50)
        long253[i] = '.';
    long253[253] = '\0';
    memcpy(long254, long253, 253);
    long254[253] = 'd';
    long254[254] = '\0';

    ea_report_init(&r);
    r.hosts = calloc(6, sizeof *r.hosts);
    assert_non_null(r.hosts);
    r.n_hosts = 6;
    char buf[300];
    snprintf(buf, sizeof buf, "%s.example.com", label63);
    str_set(&r.hosts[0].key, buf, strlen(buf));
    snprintf(buf, sizeof buf, "%s.example.com", label64);
    str_set(&r.hosts[1].key, buf, strlen(buf));
    str_set(&r.hosts[2].key, long253, 253);
    str_set(&r.hosts[3].key, long254, 254);
    str_set(&r.hosts[4].key, "pypi.org\0evil.com", 17); /* a NUL inside */
    snprintf(buf, sizeof buf, "%s.", long253);          /* 253 and a trailing dot */
    str_set(&r.hosts[5].key, buf, 254);
    for (size_t i = 0; i < r.n_hosts; i++) {
        r.hosts[i].named = true;
        r.hosts[i].verdict = EA_V_DENIED;
    }
    assert_true(policy_build_remedies(&r));
    assert_int_equal(r.n_remedies, 2);
    snprintf(buf, sizeof buf, "%s.example.com", label63);
    assert_string_equal(r.remedies[0].destination.s, buf);
    assert_string_equal(r.remedies[1].destination.s, long253);
    ea_report_finish(&r);
}

/* Building twice replaces the old remedies. */
static void test_remedy_rebuild(void **state)
{
    (void)state;
    static const char *const hosts[] = {"D:b.example.com", "D:a.example.com", NULL};
    struct ea_report r;
    ea_report_init(&r);
    set_hosts(&r, hosts);
    assert_true(policy_build_remedies(&r));
    assert_int_equal(r.n_remedies, 3);
    r.hosts[0].verdict = EA_V_ALLOWED;
    assert_true(policy_build_remedies(&r));
    assert_int_equal(r.n_remedies, 1);
    assert_string_equal(r.remedies[0].destination.s, "a.example.com");
    assert_string_equal(r.remedies[0].rule_name.s, "allow-a-example-com");
    ea_report_finish(&r);
}

/* Remedy rule names: unique against the loaded rules and each other. */
static void test_remedy_names(void **state)
{
    (void)state;
    static const char *const hosts[] = {
        "D:pypi.org", "D:a.b", "D:a-b", "D:cas-bridge.xethub.hf.co", "D:transfer.xethub.hf.co",
        NULL};
    struct ea_report r;
    ea_report_init(&r);
    add_rule_named(&r, "Allow-PyPI-org");
    add_rule_named(&r, "allow-xethub-hf-co");
    set_hosts(&r, hosts);
    assert_true(policy_build_remedies(&r));
    static const char *const want[][2] = {
        {"a-b", "allow-a-b"},
        {"a.b", "allow-a-b-2"},
        {"cas-bridge.xethub.hf.co", "allow-cas-bridge-xethub-hf-co"},
        {"pypi.org", "allow-pypi-org-2"},
        {"transfer.xethub.hf.co", "allow-transfer-xethub-hf-co"},
        {"*.xethub.hf.co", "allow-xethub-hf-co-2"},
    };
    assert_int_equal(r.n_remedies, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < r.n_remedies; i++) {
        assert_string_equal(r.remedies[i].destination.s, want[i][0]);
        assert_string_equal(r.remedies[i].rule_name.s, want[i][1]);
    }
    free(remedies_text(&r)); /* the invariants */
    ea_report_finish(&r);
}

/* ---- policy_rule_name: a table ---- */

struct name_case {
    const char *dest;
    size_t len;           /* 0: strlen(dest) */
    const char *taken[4]; /* names of loaded rules */
    const char *want;     /* NULL: false */
};

#define S(lit) lit, sizeof(lit) - 1

static const struct name_case name_cases[] = {
    {"pypi.org", 0, {NULL}, "allow-pypi-org"},
    {"*.xethub.hf.co", 0, {NULL}, "allow-xethub-hf-co"},
    {"*", 0, {NULL}, "allow"},
    {"*example.com", 0, {NULL}, "allow-example-com"},
    {"", 0, {NULL}, "allow"},
    {"Foo_Bar..baz", 0, {NULL}, "allow-foo_bar-baz"},
    {"a--b", 0, {NULL}, "allow-a-b"},
    {"-a-", 0, {NULL}, "allow-a"},
    {S("b\x01"
       "d\xc3\xa9.com"),
     {NULL},
     "allow-b-d-com"},
    {S("nul\0byte"), {NULL}, "allow-nul-byte"},
    {"10.0.0.0/8", 0, {NULL}, "allow-10-0-0-0-8"},
    /* 27 characters after "allow-": cut at 33 */
    {"averyveryverylongsubdomainname.example.com", 0, {NULL}, "allow-averyveryverylongsubdomainn"},
    /* the cut lands on a '-': dropped */
    {"abcdefghijklmnopqrstuvwxyz.example.com", 0, {NULL}, "allow-abcdefghijklmnopqrstuvwxyz"},
    /* clashes, case-insensitive */
    {"pypi.org", 0, {"ALLOW-PYPI-ORG", NULL}, "allow-pypi-org-2"},
    {"pypi.org", 0, {"allow-pypi-org", "Allow-Pypi-Org-2", NULL}, "allow-pypi-org-3"},
    {"*", 0, {"allow", "allow-2", "allow-3", NULL}, "allow-4"},
    /* a clash at full length: the base is cut for the suffix */
    {"averyveryverylongsubdomainname.example.com",
     0,
     {"allow-averyveryverylongsubdomainn", NULL},
     "allow-averyveryverylongsubdomai-2"},
    /* ... and a '-' left at the end of the cut base is dropped */
    {"abcdefghijklmnopqrstuvwx.yz",
     0,
     {"allow-abcdefghijklmnopqrstuvwx-yz", NULL},
     "allow-abcdefghijklmnopqrstuvwx-2"},
    /* whole labels: the ones that do not fit are dropped from the right,
     * never cut ("vendor-e" was cut from "vendor.example") */
    {"telemetry.unlisted-vendor.example", 0, {NULL}, "allow-telemetry-unlisted-vendor"},
    {"*.us-central1.us.gcp.cdn.hf.co", 0, {NULL}, "allow-us-central1-us-gcp-cdn-hf"},
    {"abcdefghijklmn.opqrstuvwxyz.com", 0, {NULL}, "allow-abcdefghijklmn-opqrstuvwxyz"},
    /* a short first label, then one that does not fit: only the first */
    {"a.averyveryverylongsubdomainnamexx.com", 0, {NULL}, "allow-a"},
    /* a first label too long even alone is cut, at most 33 in all */
    {"abcdefghijklmnopqrstuvwxyzabcdefghijklmn.com",
     0,
     {NULL},
     "allow-abcdefghijklmnopqrstuvwxyza"},
    {"abcdefghijklmnopqrstuvwxyz-abc.com", 0, {NULL}, "allow-abcdefghijklmnopqrstuvwxyz"},
    /* bytes that are not [a-zA-Z0-9_] inside a label: one '-', none at its ends */
    {"-x--y-..z.", 0, {NULL}, "allow-x-y-z"},
    /* a clash: the suffix goes after the labels that still fit whole */
    {"abcdefghijklmn.opqrstuvwxyz.com",
     0,
     {"allow-abcdefghijklmn-opqrstuvwxyz", NULL},
     "allow-abcdefghijklmn-2"},
    {"telemetry.unlisted-vendor.example",
     0,
     {"allow-telemetry-unlisted-vendor", NULL},
     "allow-telemetry-unlisted-vendor-2"},
    {NULL, 0, {NULL}, NULL},
};

static void test_rule_name_table(void **state)
{
    (void)state;
    for (const struct name_case *c = name_cases; c->dest; c++) {
        struct ea_report r;
        ea_report_init(&r);
        for (size_t k = 0; c->taken[k]; k++)
            add_rule_named(&r, c->taken[k]);
        char out[34];
        memset(out, 'X', sizeof out);
        size_t len = c->len ? c->len : strlen(c->dest);
        bool ok = policy_rule_name(&r, c->dest, len, out);
        if (!c->want) {
            assert_false(ok);
        } else {
            if (!ok || strcmp(out, c->want) != 0)
                fail_msg("'%s': got '%s', want '%s'", c->dest, ok ? out : "(false)", c->want);
            assert_true(strlen(out) <= 33);
        }
        ea_report_finish(&r);
    }
}

/* Ten clashes: "-10" no longer fits after every label, so fewer labels
 * (whole) come before it; every name stays valid and unique. */
static void test_rule_name_suffix_labels(void **state)
{
    (void)state;
    static const char dest[] = "telemetry.unlisted-vendor.example";
    static const char *const want[] = {
        "allow-telemetry-unlisted-vendor",
        "allow-telemetry-unlisted-vendor-2",
        "allow-telemetry-unlisted-vendor-3",
        "allow-telemetry-unlisted-vendor-4",
        "allow-telemetry-unlisted-vendor-5",
        "allow-telemetry-unlisted-vendor-6",
        "allow-telemetry-unlisted-vendor-7",
        "allow-telemetry-unlisted-vendor-8",
        "allow-telemetry-unlisted-vendor-9",
        "allow-telemetry-10",
        "allow-telemetry-11",
    };
    struct rule_names *set = rule_names_new(NULL);
    assert_non_null(set);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char out[34];
        assert_true(rule_names_make(set, dest, sizeof dest - 1, out));
        assert_string_equal(out, want[i]);
    }
    /* "allow-telemetry" itself is still free, and then taken */
    char out[34];
    assert_true(rule_names_make(set, "telemetry", 9, out));
    assert_string_equal(out, "allow-telemetry");
    assert_true(rule_names_make(set, "telemetry", 9, out));
    assert_string_equal(out, "allow-telemetry-2");
    rule_names_free(set);
}

static void test_rule_name_edges(void **state)
{
    (void)state;
    struct ea_report r;
    char out[34];
    ea_report_init(&r);
    assert_true(policy_rule_name(&r, NULL, 0, out));
    assert_string_equal(out, "allow");
    assert_false(policy_rule_name(&r, NULL, 5, out));
    /* remedy names count as taken too */
    r.remedies = calloc(1, sizeof *r.remedies);
    assert_non_null(r.remedies);
    r.n_remedies = 1;
    str_set(&r.remedies[0].rule_name, "allow-hf-co", 11);
    assert_true(policy_rule_name(&r, "*.hf.co", 7, out));
    assert_string_equal(out, "allow-hf-co-2");
    /* a rule with a name holding a NUL does not match by prefix */
    add_rule_named(&r, "allow-x");
    str_set(&r.rules[0].name, "allow-y\0z", 9);
    assert_true(policy_rule_name(&r, "y", 1, out));
    assert_string_equal(out, "allow-y");
    ea_report_finish(&r);
}

/* ---- activating Inactive rules ---- */

static struct ea_rule *add_fqdn_rule(struct ea_report *r, const char *dest, const char *name,
                                     const char *origin, bool inactive)
{
    struct ea_rule *rule = ea_report_add_rule(r);
    assert_non_null(rule);
    bool lookalike;
    const char *why;
    assert_true(rules_parse_fqdn(dest, strlen(dest), rule, &lookalike, &why));
    rule->kind = EA_RULE_FQDN;
    str_set(&rule->destination, dest, strlen(dest));
    if (name)
        str_set(&rule->name, name, strlen(name));
    str_set(&rule->origin, origin, strlen(origin));
    rule->inactive = inactive;
    return rule;
}

/*
 * A denied name that an Inactive rule would permit (policy.c cites that
 * rule) gets no new rule: one remedy per such rule says to activate it,
 * under its own name and pattern, first and in rule order; its names take
 * no part in the exact rules or the wildcard suggestions.
 */
static void test_remedy_activate(void **state)
{
    (void)state;
    static const char *const hosts[] = {"D:files.pythonhosted.org",
                                        "D:FILES.pythonhosted.org.",
                                        "D:x.pythonhosted.org",
                                        "D:y.pythonhosted.org",
                                        "D:cdn.hf.co",
                                        "D:a.example.com",
                                        "D:b.example.com",
                                        "D:c.example.com",
                                        "C:cut.pythonhosted.org",
                                        NULL};
    struct ea_report r;
    ea_report_init(&r);
    add_fqdn_rule(&r, "pypi.org", "allow-pypi", "ws.yml:2", false);
    add_fqdn_rule(&r, "cdn.hf.co", "hf-cdn", "outbound-rules.json:rule 2", true);
    add_fqdn_rule(&r, "*.pythonhosted.org", "allow-pythonhosted", "ws.yml:14", true);
    assert_true(policy_prepare_rules(&r));
    set_hosts(&r, hosts);
    r.hosts[0].rule = 2; /* files.pythonhosted.org: only the Inactive rule matches */
    r.hosts[1].rule = 2;
    r.hosts[2].rule = 2;
    /* y.pythonhosted.org cites no rule: an exact remedy of its own */
    r.hosts[4].rule = 1;
    r.hosts[5].rule = 0;  /* an active rule: not an activation */
    r.hosts[6].rule = 99; /* out of range: as none */
    r.hosts[8].rule = 2;  /* a name cut on capture: no remedy at all */
    assert_true(policy_build_remedies(&r));
    char *got = remedies_text(&r);
    assert_string_equal(got, "!hf-cdn:cdn.hf.co=cdn.hf.co "
                             "!allow-pythonhosted:*.pythonhosted.org="
                             "files.pythonhosted.org,x.pythonhosted.org "
                             "a.example.com b.example.com c.example.com y.pythonhosted.org "
                             "*.example.com=a.example.com,b.example.com,c.example.com");
    free(got);
    assert_int_equal(r.remedies[0].rule, 1);
    assert_int_equal(r.remedies[1].rule, 2);
    assert_false(r.remedies[2].activate);
    ea_report_finish(&r);
}

/* ---- unused and duplicate rules (policy.c) ---- */

static void load_text(struct ea_report *r, const char *name, const char *text)
{
    char err[256] = "";
    if (!rules_load_buffer(r, name, text, strlen(text), RULES_TEXT, NULL, err, sizeof err))
        fail_msg("%s", err);
}

static void add_host(struct ea_report *r, const char *key, bool named)
{
    struct ea_host *v = realloc(r->hosts, (r->n_hosts + 1) * sizeof *v);
    assert_non_null(v);
    r->hosts = v;
    struct ea_host *h = &r->hosts[r->n_hosts++];
    memset(h, 0, sizeof *h);
    str_set(&h->key, key, strlen(key));
    h->named = named;
    h->port = 443;
    h->transport = EA_TCP;
    h->rule = -1;
    if (!named) {
        h->addrs = calloc(1, sizeof *h->addrs);
        assert_non_null(h->addrs);
        str_set(&h->addrs[0], key, strlen(key));
        h->n_addrs = 1;
    }
}

static const char *origin_of(const struct ea_report *r, size_t i)
{
    assert_true(i < r->n_rules);
    return r->rules[i].origin.s;
}

/*
 * A rule that permitted nothing while another rule with the same
 * destination (case, a trailing dot and the form compared as Azure does)
 * permitted hosts is a duplicate of the first such rule, not unused: with
 * -p huggingface -p huggingface-hub, huggingface.co of the second profile got
 * no credit because the first one's rule was cited.
 */
static void test_policy_duplicates(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    load_text(&r, "a.txt", "huggingface.co\n*.hf.co\n10.0.0.0/8:443/tcp\ndocker.io\n");
    load_text(&r, "b.txt",
              "HuggingFace.CO.\n*.HF.co\nhf.co\n*hf.co\n10.0.0.0/8:443/tcp\n10.0.0.0/8\n"
              "docker.io\nhuggingface.co\n");
    add_host(&r, "huggingface.co", true);
    add_host(&r, "x.hf.co", true);
    add_host(&r, "10.1.2.3", false);
    assert_true(policy_judge(&r));

    static const char *const unused[] = {"a.txt:4", "b.txt:3", "b.txt:4", "b.txt:6", "b.txt:7"};
    assert_int_equal(r.n_unused_rules, sizeof unused / sizeof unused[0]);
    for (size_t i = 0; i < r.n_unused_rules; i++)
        assert_string_equal(origin_of(&r, r.unused_rules[i]), unused[i]);
    static const char *const dup[][2] = {
        {"b.txt:1", "a.txt:1"},
        {"b.txt:2", "a.txt:2"},
        {"b.txt:5", "a.txt:3"},
        {"b.txt:8", "a.txt:1"},
    };
    assert_int_equal(r.n_duplicate_rules, sizeof dup / sizeof dup[0]);
    for (size_t i = 0; i < r.n_duplicate_rules; i++) {
        assert_string_equal(origin_of(&r, r.duplicate_rules[i].rule), dup[i][0]);
        assert_string_equal(origin_of(&r, r.duplicate_rules[i].of), dup[i][1]);
    }
    /* judging again starts afresh */
    assert_true(policy_judge(&r));
    assert_int_equal(r.n_duplicate_rules, sizeof dup / sizeof dup[0]);
    ea_report_finish(&r);
}

/* ---- policy_registrable_domain ---- */

struct rd_case {
    const char *name;
    const char *want; /* NULL: none */
};

static const struct rd_case rd_cases[] = {
    {"www.example.co.uk", "example.co.uk"},
    {"WWW.Example.COM", "Example.COM"},
    {"example.com.", "example.com."},
    {"cas-bridge.xethub.hf.co", "hf.co"},
    {"x.github.io", "x.github.io"},
    {"a.x.github.io", "x.github.io"},
    {"co.uk", NULL},
    {"github.io", NULL},
    {"com", NULL},
    {"192.168.1.1", NULL},
    {"2001:db8::1", NULL},
    {"", NULL},
    {".", NULL},
    {NULL, NULL},
};

static void test_registrable_domain(void **state)
{
    (void)state;
    for (const struct rd_case *c = rd_cases; c->name; c++) {
        const char *got = policy_registrable_domain(c->name);
        if (!c->want) {
            if (got)
                fail_msg("'%s': got '%s', want none", c->name, got);
            continue;
        }
        if (!got || strcmp(got, c->want) != 0)
            fail_msg("'%s': got '%s', want '%s'", c->name, got ? got : "(none)", c->want);
        /* a view into the name */
        assert_true(got >= c->name && got < c->name + strlen(c->name));
    }
    assert_null(policy_registrable_domain(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remedy_table),       cmocka_unit_test(test_remedy_lengths),
        cmocka_unit_test(test_remedy_rebuild),     cmocka_unit_test(test_remedy_names),
        cmocka_unit_test(test_rule_name_table),    cmocka_unit_test(test_rule_name_edges),
        cmocka_unit_test(test_registrable_domain), cmocka_unit_test(test_rule_name_suffix_labels),
        cmocka_unit_test(test_remedy_activate),    cmocka_unit_test(test_policy_duplicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
