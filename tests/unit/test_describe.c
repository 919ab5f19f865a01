/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the service catalog and the other built-in profiles add to a judged
 * report (analyze/policy/describe.c): each host's service (by name, or by
 * the name DNS resolved for an address), near misses of kind "service" (a
 * wildcard for the service that misses this host), the owner's guidance on
 * rotating hosts, and the built-in profiles that already permit a denied
 * name. The shipped catalog and profiles are read from the source tree.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "model.h"
#include "policy.h"
#include "rules.h"

struct host_row {
    const char *name;     /* NULL: IP only */
    const char *resolved; /* for IP only: the name DNS gave the address */
    const char *service;  /* expected; NULL: none */
    const char *role;
    enum ea_verdict verdict; /* expected, against the rules below */
    const char *near_rule;   /* expected service near miss: the rule's destination */
    const char *known_in;    /* expected first profile permitting it; NULL: none */
};

static const char rules_txt[] = "huggingface.co\n"
                                "*.xethub.hf.co\n"
                                "auth.docker.io\n";

static const struct host_row rows[] = {
    {"huggingface.co", NULL, "Hugging Face Hub", "API", EA_V_ALLOWED, NULL, NULL},
    {"transfer.xethub.hf.co", NULL, "Hugging Face Hub", "Xet storage", EA_V_ALLOWED, NULL, NULL},
    /* the EU hosts are under xethub-eu.hf.co: *.xethub.hf.co misses them */
    {"cas-server.xethub-eu.hf.co", NULL, "Hugging Face Hub", "Xet CAS", EA_V_DENIED,
     "*.xethub.hf.co", "huggingface-hub"},
    {"us.aws.cdn.hf.co", NULL, "Hugging Face Hub", NULL, EA_V_DENIED, "*.xethub.hf.co",
     "huggingface-hub"},
    {"production.cloudfront.docker.com", NULL, "Docker Hub", NULL, EA_V_DENIED, NULL, "docker-hub"},
    {"files.pythonhosted.org", NULL, "PyPI", "files", EA_V_DENIED, NULL, "curated"},
    {"unknown.example", NULL, NULL, NULL, EA_V_DENIED, NULL, NULL},
    {NULL, "transfer.xethub.hf.co", "Hugging Face Hub", "Xet storage", EA_V_NO_NAME, NULL, NULL},
    {NULL, NULL, NULL, NULL, EA_V_NO_NAME, NULL, NULL},
};
#define N_ROWS (sizeof rows / sizeof rows[0])

static void str_set(struct ea_str *s, const char *t)
{
    assert_true(ea_str_set(s, t, strlen(t)));
}

static struct catalog *shipped_catalog(void)
{
    const char *src = getenv("EA_SRC");
    char dir[4096], err[1024];
    struct catalog *c = catalog_new();
    assert_non_null(c);
    if (src) {
        snprintf(dir, sizeof dir, "%s/analyze/policy/services", src);
    } else {
        snprintf(dir, sizeof dir, "%s", catalog_dir());
    }
    if (!catalog_load_dir(c, dir, err, sizeof err))
        fail_msg("%s", err);
    return c;
}

static void build(struct ea_report *r)
{
    char err[1024];
    ea_report_init(r);
    for (size_t i = 0; i < N_ROWS; i++) {
        const struct host_row *w = &rows[i];
        struct ea_conn *c = ea_report_add_conn(r);
        assert_non_null(c);
        c->src.family = 4;
        inet_pton(AF_INET, "10.0.0.4", c->src.b);
        c->dst.family = 4;
        c->dst.b[0] = 198;
        c->dst.b[1] = 18;
        c->dst.b[3] = (uint8_t)(10 + i);
        c->sport = (uint16_t)(40000 + i);
        c->dport = 443;
        c->transport = EA_TCP;
        c->outcome = EA_OUT_REACHED;
        c->first = (struct timeval){100 + (long)i, 0};
        c->last = c->first;
        if (w->name) {
            str_set(&c->name, w->name);
            c->name_source = EA_NAME_SNI;
            c->flags = EA_CF_TLS;
        }
        if (w->resolved) {
            c->has_resolved = true;
            c->resolved.names = calloc(1, sizeof *c->resolved.names);
            assert_non_null(c->resolved.names);
            str_set(&c->resolved.names[0], w->resolved);
            c->resolved.n_names = 1;
        }
    }
    assert_true(ea_report_finalize(r));
    assert_true(rules_load_buffer(r, "rules.txt", rules_txt, strlen(rules_txt), RULES_TEXT, NULL,
                                  err, sizeof err));
    assert_true(policy_judge(r));
}

static const struct ea_host *host_of(const struct ea_report *r, size_t row)
{
    char addr[32];
    const struct host_row *w = &rows[row];
    snprintf(addr, sizeof addr, "198.18.0.%zu", 10 + row);
    const char *key = w->name ? w->name : addr;
    for (size_t i = 0; i < r->n_hosts; i++)
        if (r->hosts[i].key.len == strlen(key) && memcmp(r->hosts[i].key.s, key, strlen(key)) == 0)
            return &r->hosts[i];
    fail_msg("no host %s", key);
    return NULL;
}

static bool str_is(const struct ea_str *s, const char *t)
{
    return s->len == strlen(t) && memcmp(s->s, t, s->len) == 0;
}

static void test_describe(void **state)
{
    (void)state;
    char profiles[4096];
    const char *src = getenv("EA_SRC");
    if (src) {
        snprintf(profiles, sizeof profiles, "%s/analyze/policy/profiles", src);
        setenv("EGRESS_AUDIT_PROFILES", profiles, 1);
    }
    struct catalog *cat = shipped_catalog();
    struct ea_report r;
    build(&r);
    assert_true(policy_describe_hosts(&r, cat));
    assert_true(policy_explain(&r, cat));
    for (size_t i = 0; i < N_ROWS; i++) {
        const struct host_row *w = &rows[i];
        const struct ea_host *h = host_of(&r, i);
        const char *what = w->name ? w->name : w->resolved ? w->resolved : "IP only";
        if (h->verdict != w->verdict)
            fail_msg("%s: verdict %s", what, ea_verdict_name(h->verdict));
        if (!w->service) {
            if (h->service)
                fail_msg("%s: a service where none is known", what);
        } else {
            if (!h->service || !str_is(&h->service->name, w->service))
                fail_msg("%s: service %s, want %s", what, h->service ? h->service->name.s : "-",
                         w->service);
            if (w->role && !str_is(&h->service->role, w->role))
                fail_msg("%s: role %s, want %s", what, h->service->role.s, w->role);
            assert_true(h->service->source.len > 0);
        }
        /* the service near miss, and only where expected */
        const struct ea_near_miss *near = NULL;
        for (size_t k = 0; k < r.n_near_misses; k++)
            if (&r.hosts[r.near_misses[k].host] == h && r.near_misses[k].kind == EA_NEAR_SERVICE)
                near = &r.near_misses[k];
        if (w->near_rule) {
            if (!near || !str_is(&r.rules[near->rule].destination, w->near_rule))
                fail_msg("%s: no service near miss citing %s", what, w->near_rule);
        } else if (near) {
            fail_msg("%s: an unexpected service near miss", what);
        }
        /* drift: the newer profiles that already know the name */
        bool found = !w->known_in;
        for (size_t k = 0; k < h->n_known_in; k++)
            found = found || str_is(&h->known_in[k], w->known_in);
        if (!found)
            fail_msg("%s: not known in %s", what, w->known_in);
        if (!w->known_in && h->verdict == EA_V_DENIED && w->service == NULL)
            assert_int_equal(h->n_known_in, 0);
    }
    /* the rotating-hosts guidance of Hugging Face, citing its source, for the
     * two denied Hugging Face hosts and nothing else */
    const struct ea_service_note *hf = NULL;
    for (size_t k = 0; k < r.n_service_notes; k++)
        if (str_is(&r.service_notes[k].service, "Hugging Face Hub"))
            hf = &r.service_notes[k];
    assert_non_null(hf);
    assert_int_equal(hf->n_covers, 2);
    assert_non_null(strstr(hf->guidance.s, "hf.co"));
    assert_non_null(strstr(hf->source.s, "https://"));
    ea_report_finish(&r);
    catalog_free(cat);
}

/* Without a catalog, hosts have no service and nothing breaks. */
static void test_no_catalog(void **state)
{
    (void)state;
    struct ea_report r;
    build(&r);
    assert_true(policy_describe_hosts(&r, NULL));
    assert_true(policy_explain(&r, NULL));
    for (size_t i = 0; i < r.n_hosts; i++)
        assert_false(r.hosts[i].service != NULL);
    assert_int_equal(r.n_service_notes, 0);
    ea_report_finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_no_catalog),
    };
    return cmocka_run_group_tests_name("describe", tests, NULL, NULL);
}
