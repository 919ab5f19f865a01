/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the model derives for reports (ea_report_derive: the summary,
 * findings, the order hosts are listed in, each connection's host, the DNS
 * names never connected to) and several runs (runs.c: the union of reports,
 * a diff of two), on the sample report of fixtures.c.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "model.h"

static long find_host(const struct ea_report *r, const char *key, uint16_t port)
{
    for (size_t i = 0; i < r->n_hosts; i++)
        if (r->hosts[i].port == port && r->hosts[i].key.len == strlen(key) &&
            memcmp(r->hosts[i].key.s, key, strlen(key)) == 0)
            return (long)i;
    return -1;
}

static bool eq_ci(const char *a, size_t al, const char *b, size_t bl)
{
    if (al != bl)
        return false;
    for (size_t i = 0; i < al; i++) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? (char)(b[i] + 32) : b[i];
        if (x != y)
            return false;
    }
    return true;
}

static void test_derive(void **state)
{
    (void)state;
    struct ea_report r;
    build_report(&r);
    assert_true(r.derived);
    /* every connection counted in a host */
    assert_int_equal(r.summary.connections, N_CONNS);
    assert_int_equal(r.summary.host_outcomes[EA_OUT_REACHED], 5);
    assert_int_equal(r.summary.host_outcomes[EA_OUT_REFUSED], 1);
    assert_int_equal(r.summary.host_outcomes[EA_OUT_INCOMPLETE], 1);
    /* without an allowlist: no findings, hosts in their own order */
    assert_int_equal(r.n_findings, 0);
    for (size_t i = 0; i < r.n_hosts; i++)
        assert_int_equal(r.host_order[i], i);
    /* each connection's host: its name, or its address */
    for (size_t i = 0; i < r.n_conns; i++) {
        const struct ea_conn *c = &r.conns[i];
        assert_true(c->host < r.n_hosts);
        const struct ea_host *h = &r.hosts[c->host];
        assert_int_equal(h->port, c->dport);
        assert_int_equal(h->transport, c->transport);
        if (c->name_source != EA_NAME_NONE) {
            assert_true(eq_ci(h->key.s, h->key.len, c->name.s, c->name.len));
        } else {
            char buf[64];
            ea_addr_text(&c->dst, buf, sizeof buf);
            assert_string_equal(h->key.s, buf);
        }
    }
    /* DNS names never connected to: address queries only; pypi.org was
     * connected to, cdn-lfs.huggingface.co resolved for 18.1.2.3 */
    assert_int_equal(r.n_dns_unused, 2);
    for (size_t i = 0; i < r.n_dns_unused; i++) {
        const struct ea_dns *d = &r.dns[r.dns_unused[i]];
        assert_true(strcmp(d->qname.s, "nx.example") == 0 ||
                    strcmp(d->qname.s, "lost.example") == 0);
    }
    ea_report_finish(&r);
}

/* Verdicts set by hand: a host allowed but refused on the wire, one denied
 * but reached, listed by verdict, denied first. */
static void test_derive_findings(void **state)
{
    (void)state;
    struct ea_report r;
    build_report(&r);
    r.has_policy = true;
    for (size_t i = 0; i < r.n_hosts; i++)
        r.hosts[i].verdict = EA_V_NO_NAME;
    long pypi = find_host(&r, "PyPI.org", 443);                /* reached 1, denied 1 */
    long files = find_host(&r, "files.pythonhosted.org", 443); /* reached */
    long ip = find_host(&r, "18.1.2.3", 443);                  /* refused, no-answer */
    assert_true(pypi >= 0 && files >= 0 && ip >= 0);
    r.hosts[pypi].verdict = EA_V_ALLOWED;
    r.hosts[files].verdict = EA_V_DENIED;
    r.hosts[ip].verdict = EA_V_INFRA;
    assert_true(ea_report_derive(&r));
    assert_int_equal(r.n_findings, 3);
    assert_int_equal(r.summary.findings[EA_FIND_ALLOWED_REFUSED], 2);
    assert_int_equal(r.summary.findings[EA_FIND_DENIED_REACHED], 1);
    /* by kind, then in the order hosts are listed */
    assert_int_equal(r.findings[0].kind, EA_FIND_ALLOWED_REFUSED);
    assert_int_equal(r.findings[1].kind, EA_FIND_ALLOWED_REFUSED);
    assert_int_equal(r.findings[2].kind, EA_FIND_DENIED_REACHED);
    assert_int_equal(r.findings[2].host, (size_t)files);
    assert_int_equal(r.findings[2].conns, 1);
    for (size_t i = 0; i < 2; i++) {
        /* PyPI.org: its denied connection; 18.1.2.3: its refused one (not no-answer) */
        const struct ea_finding *f = &r.findings[i];
        assert_true(f->host == (size_t)pypi || f->host == (size_t)ip);
        assert_int_equal(f->conns, 1);
    }
    /* denied first, allowed last */
    assert_int_equal(r.host_order[0], (size_t)files);
    assert_int_equal(r.host_order[r.n_hosts - 1], (size_t)pypi);
    ea_report_finish(&r);
}

static void test_union_with_itself(void **state)
{
    (void)state;
    struct ea_report a, u;
    build_report(&a);
    ea_report_init(&u);
    const struct ea_report *srcs[] = {&a, &a};
    const char *paths[] = {"a.json", "a.json"};
    assert_true(ea_report_union(&u, srcs, paths, 2));
    assert_int_equal(u.n_runs, 2);
    assert_int_equal(u.n_inputs, 2 * a.n_inputs);
    assert_int_equal(u.runs[1].first_input, a.n_inputs);
    assert_int_equal(u.n_conns, 2 * a.n_conns);
    assert_int_equal(u.n_hosts, a.n_hosts);
    assert_int_equal(u.n_dns, a.n_dns);
    assert_int_equal(u.summary.connections, 2 * a.summary.connections);
    for (size_t i = 0; i < a.n_hosts; i++) {
        const struct ea_host *x = &a.hosts[i], *y = &u.hosts[i];
        assert_int_equal(x->key.len, y->key.len);
        assert_memory_equal(x->key.s, y->key.s, x->key.len);
        assert_int_equal(y->n_conns, 2 * x->n_conns);
        assert_int_equal(y->bytes_out, 2 * x->bytes_out);
        assert_int_equal(y->outcome, x->outcome);
        assert_int_equal(y->n_addrs, x->n_addrs);
        assert_int_equal(y->n_resolved_as, x->n_resolved_as);
        assert_int_equal(y->n_runs, 2);
        assert_int_equal(y->runs[0], 0);
        assert_int_equal(y->runs[1], 1);
    }
    for (size_t i = 0; i < a.n_dns; i++) {
        assert_int_equal(u.dns[i].n_queries, 2 * a.dns[i].n_queries);
        assert_int_equal(u.dns[i].n_answers, a.dns[i].n_answers);
        assert_int_equal(u.dns[i].rcode, a.dns[i].rcode);
    }
    for (unsigned c = 0; c < EA_C__COUNT; c++)
        assert_int_equal(u.counters[c], 2 * a.counters[c]);
    /* every connection twice, once per run */
    for (size_t i = 0; i < u.n_conns; i++)
        assert_int_equal(u.conns[i].run, i % 2);
    assert_true(u.truncated);
    assert_int_equal(u.first.tv_sec, a.first.tv_sec);
    /* a union of the union flattens its runs */
    struct ea_report uu;
    ea_report_init(&uu);
    const struct ea_report *srcs2[] = {&u, &a};
    const char *paths2[] = {"u.json", "b.json"};
    assert_true(ea_report_union(&uu, srcs2, paths2, 2));
    assert_int_equal(uu.n_runs, 3);
    assert_string_equal(uu.runs[2].path.s, "b.json");
    assert_int_equal(uu.runs[2].first_input, 2 * a.n_inputs);
    assert_int_equal(uu.hosts[0].n_runs, 3);
    ea_report_finish(&uu);
    ea_report_finish(&u);
    ea_report_finish(&a);
}

static void test_union_merges(void **state)
{
    (void)state;
    struct ea_report a, b, u;
    build_report(&a);
    build_report(&b);
    /* b: PyPI.org spelled otherwise and later, a host of its own */
    long pypi = find_host(&b, "PyPI.org", 443);
    assert_true(pypi >= 0);
    str_cset(&b.hosts[pypi].key, "PYPI.ORG");
    b.hosts[pypi].first.tv_sec += 1000;
    long ex = find_host(&b, "example.com", 80);
    str_cset(&b.hosts[ex].key, "other.example");
    ea_report_init(&u);
    const struct ea_report *srcs[] = {&a, &b};
    const char *paths[] = {"a.json", "b.json"};
    assert_true(ea_report_union(&u, srcs, paths, 2));
    assert_int_equal(u.n_hosts, a.n_hosts + 1);
    long up = find_host(&u, "PyPI.org", 443);
    assert_true(up >= 0); /* the earliest spelling */
    assert_int_equal(u.hosts[up].n_runs, 2);
    long only_a = find_host(&u, "example.com", 80), only_b = find_host(&u, "other.example", 80);
    assert_true(only_a >= 0 && only_b >= 0);
    assert_int_equal(u.hosts[only_a].n_runs, 1);
    assert_int_equal(u.hosts[only_a].runs[0], 0);
    assert_int_equal(u.hosts[only_b].n_runs, 1);
    assert_int_equal(u.hosts[only_b].runs[0], 1);
    ea_report_finish(&u);
    ea_report_finish(&a);
    ea_report_finish(&b);
}

static void test_diff(void **state)
{
    (void)state;
    struct ea_report a, b;
    build_report(&a);
    build_report(&b);
    assert_true(ea_report_diff(&a, &b, "old.json"));
    assert_true(a.diff.present);
    assert_string_equal(a.diff.base.s, "old.json");
    assert_int_equal(a.diff.n_changes, 0);
    /* old: example.com renamed (so new here, and gone there), 9.9.9.9 refused */
    long ex = find_host(&b, "example.com", 80), dns = find_host(&b, "9.9.9.9", 53);
    str_cset(&b.hosts[ex].key, "gone.example");
    b.hosts[dns].outcome = EA_OUT_REFUSED;
    /* verdicts count only where both were judged */
    a.has_policy = true;
    for (size_t i = 0; i < a.n_hosts; i++)
        a.hosts[i].verdict = EA_V_DENIED;
    assert_true(ea_report_diff(&a, &b, "old.json"));
    assert_int_equal(a.diff.n_changes, 3);
    assert_int_equal(a.diff.counts[EA_CHANGE_NEW], 1);
    assert_int_equal(a.diff.counts[EA_CHANGE_GONE], 1);
    assert_int_equal(a.diff.counts[EA_CHANGE_CHANGED], 1);
    for (size_t i = 0; i < a.diff.n_changes; i++) {
        const struct ea_change *c = &a.diff.changes[i];
        switch (c->kind) {
        case EA_CHANGE_NEW:
            assert_string_equal(c->key.s, "example.com");
            assert_int_equal(c->old_outcome, EA_OUT__COUNT);
            assert_int_equal(c->new_verdict, EA_V_DENIED);
            break;
        case EA_CHANGE_GONE:
            assert_string_equal(c->key.s, "gone.example");
            assert_int_equal(c->new_outcome, EA_OUT__COUNT);
            assert_int_equal(c->old_verdict, EA_V_NONE);
            break;
        default:
            assert_string_equal(c->key.s, "9.9.9.9");
            assert_int_equal(c->old_outcome, EA_OUT_REFUSED);
            assert_int_equal(c->new_outcome, EA_OUT_REACHED);
            break;
        }
    }
    /* both judged: another verdict is a change */
    b.has_policy = true;
    for (size_t i = 0; i < b.n_hosts; i++)
        b.hosts[i].verdict = EA_V_DENIED;
    long q = find_host(&b, "quic.example", 443);
    b.hosts[q].verdict = EA_V_PORT;
    assert_true(ea_report_diff(&a, &b, "old.json"));
    assert_int_equal(a.diff.counts[EA_CHANGE_CHANGED], 2);
    ea_report_finish(&a);
    ea_report_finish(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_derive),
        cmocka_unit_test(test_derive_findings),
        cmocka_unit_test(test_union_with_itself),
        cmocka_unit_test(test_union_merges),
        cmocka_unit_test(test_diff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
