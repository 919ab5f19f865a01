/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The report model (analyze/model/model.c): name tables and their reverse
 * lookups, strings, growth, finalize (sorting, hosts counted from the
 * connections), with the sample report of fixtures.c.
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

static void test_names(void **state)
{
    (void)state;
    static const struct {
        int v;
        const char *name;
    } outcomes[] =
        {
            {EA_OUT_REACHED, "reached"},
            {EA_OUT_DENIED, "denied"},
            {EA_OUT_REFUSED, "refused"},
            {EA_OUT_NO_ANSWER, "no-answer"},
            {EA_OUT_INCOMPLETE, "incomplete"},
            {EA_OUT_UNKNOWN, "unknown"},
            {EA_OUT__COUNT, NULL},
            {-1, NULL},
            {1000, NULL},
        },
      sources[] =
          {
              {EA_NAME_NONE, "none"},           {EA_NAME_SNI, "sni"},
              {EA_NAME_HTTP_HOST, "http_host"}, {EA_NAME_CONNECT, "connect"},
              {EA_NAME_QUIC_SNI, "quic_sni"},   {EA_NAME__COUNT, NULL},
          },
      transports[] = {{EA_TCP, "tcp"}, {EA_UDP, "udp"}, {0, NULL}, {1, NULL}},
      flags[] =
          {
              {EA_CF_TLS, "tls"},
              {EA_CF_TLS_NO_SNI, "no-sni"},
              {EA_CF_ECH, "ech"},
              {EA_CF_HTTP, "http"},
              {EA_CF_QUIC, "quic"},
              {EA_CF_PORT, "port-not-80-443"},
              {EA_CF_MIDSTREAM, "mid-stream"},
              {EA_CF_DNS, "dns"},
              {EA_CF_NAME_CUT, "name-cut"},
              {EA_CF_REASM_GAP, "reassembly-gap"},
              {0, NULL},
              {EA_CF_TLS | EA_CF_ECH, NULL}, /* not a single bit */
              {1 << 30, NULL},
          },
      tls[] = {
          {0x0303, "TLS 1.2"}, {0x0304, "TLS 1.3"}, {0x0301, "TLS 1.0"}, {0, NULL}, {0x7f1c, NULL}};
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++) {
        const char *n = ea_outcome_name((enum ea_outcome)outcomes[i].v);
        if (outcomes[i].name)
            assert_string_equal(n, outcomes[i].name);
        else
            assert_null(n);
    }
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
        const char *n = ea_name_source_name((enum ea_name_source)sources[i].v);
        if (sources[i].name)
            assert_string_equal(n, sources[i].name);
        else
            assert_null(n);
    }
    for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++) {
        const char *n = ea_transport_name((enum ea_transport)transports[i].v);
        if (transports[i].name)
            assert_string_equal(n, transports[i].name);
        else
            assert_null(n);
    }
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        const char *n = ea_conn_flag_name((uint32_t)flags[i].v);
        if (flags[i].name)
            assert_string_equal(n, flags[i].name);
        else
            assert_null(n);
    }
    for (size_t i = 0; i < sizeof tls / sizeof tls[0]; i++) {
        const char *n = ea_tls_version_name((uint16_t)tls[i].v);
        if (tls[i].name)
            assert_string_equal(n, tls[i].name);
        else
            assert_null(n);
    }
    /* counters: every one named, snake_case, distinct */
    for (unsigned i = 0; i < EA_C__COUNT; i++) {
        const char *n = ea_counter_name((enum ea_counter)i);
        assert_non_null(n);
        assert_true(n[0] >= 'a' && n[0] <= 'z');
        assert_int_equal(strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_"), strlen(n));
        for (unsigned k = 0; k < i; k++)
            assert_string_not_equal(n, ea_counter_name((enum ea_counter)k));
    }
    assert_string_equal(ea_counter_name(EA_C_IP_FRAGMENTS), "ip_fragments");
    assert_string_equal(ea_counter_name(EA_C_DNS_MALFORMED), "dns_malformed");
    assert_string_equal(ea_counter_name(EA_C_FLOWS_EVICTED), "flows_evicted");
    assert_null(ea_counter_name(EA_C__COUNT));
}

/* The reverse lookups, one adapter pair per table: the name of a value
 * (NULL: none), and the value of a name, written only when found. */
#define NAME_TABLE(kind, name_fn, parse_fn, type)                                                  \
    static const char *kind##_name(long v)                                                         \
    {                                                                                              \
        return name_fn((type)v);                                                                   \
    }                                                                                              \
    static bool kind##_parse(const char *s, size_t len, long *out)                                 \
    {                                                                                              \
        type t = (type)0x5a;                                                                       \
        bool ok = parse_fn(s, len, &t);                                                            \
        if (!ok && t != (type)0x5a)                                                                \
            fail_msg(#parse_fn " wrote its output on failure");                                    \
        *out = ok ? (long)t : -12345;                                                              \
        return ok;                                                                                 \
    }
NAME_TABLE(outcome, ea_outcome_name, ea_outcome_parse, enum ea_outcome)
NAME_TABLE(name_source, ea_name_source_name, ea_name_source_parse, enum ea_name_source)
NAME_TABLE(transport, ea_transport_name, ea_transport_parse, enum ea_transport)
NAME_TABLE(counter, ea_counter_name, ea_counter_parse, enum ea_counter)
NAME_TABLE(conn_flag, ea_conn_flag_name, ea_conn_flag_parse, uint32_t)
NAME_TABLE(tls_version, ea_tls_version_name, ea_tls_version_parse, uint16_t)
NAME_TABLE(verdict, ea_verdict_name, ea_verdict_parse, enum ea_verdict)
NAME_TABLE(rule_kind, ea_rule_kind_name, ea_rule_kind_parse, enum ea_rule_kind)
NAME_TABLE(near_kind, ea_near_kind_name, ea_near_kind_parse, enum ea_near_kind)
NAME_TABLE(outcome_why, ea_outcome_why_text, ea_outcome_why_parse, enum ea_outcome_why)
NAME_TABLE(verdict_why, ea_verdict_why_text, ea_verdict_why_parse, enum ea_verdict_why)
NAME_TABLE(fqdn_form, ea_fqdn_form_name, ea_fqdn_form_parse, enum ea_fqdn_form)
NAME_TABLE(dns_rcode, ea_dns_rcode_name, ea_dns_rcode_parse, int)
/* ea_dns_type_name takes an unsigned, its parse a uint16_t */
static const char *dns_type_name(long v)
{
    return ea_dns_type_name((unsigned)v);
}
static bool dns_type_parse(const char *s, size_t len, long *out)
{
    uint16_t t = 0x5a;
    bool ok = ea_dns_type_parse(s, len, &t);
    if (!ok && t != 0x5a)
        fail_msg("ea_dns_type_parse wrote its output on failure");
    *out = ok ? (long)t : -12345;
    return ok;
}

struct name_table {
    const char *what;
    const char *(*name)(long v);
    bool (*parse)(const char *s, size_t len, long *out);
    long lo, hi; /* values tried: lo..hi, or the bits 0..31 when bits */
    bool bits;
    size_t names; /* how many of them have a name */
};

static const struct name_table name_tables[] = {
    {"outcome", outcome_name, outcome_parse, -1, EA_OUT__COUNT + 5, false, EA_OUT__COUNT},
    {"name source", name_source_name, name_source_parse, -1, EA_NAME__COUNT + 5, false,
     EA_NAME__COUNT},
    {"transport", transport_name, transport_parse, -1, 300, false, 2},
    {"counter", counter_name, counter_parse, -1, EA_C__COUNT + 5, false, EA_C__COUNT},
    {"connection flag", conn_flag_name, conn_flag_parse, 0, 0, true, 25},
    {"TLS version", tls_version_name, tls_version_parse, 0, 0xffff, false, 5},
    {"verdict", verdict_name, verdict_parse, -1, EA_V__COUNT + 5, false, EA_V__COUNT},
    {"rule kind", rule_kind_name, rule_kind_parse, -1, EA_RULE__COUNT + 5, false, EA_RULE__COUNT},
    {"near-miss kind", near_kind_name, near_kind_parse, -1, 10, false, 4},
    {"outcome why", outcome_why_name, outcome_why_parse, -1, EA_OW__COUNT + 5, false,
     EA_OW__COUNT - 1},
    {"verdict why", verdict_why_name, verdict_why_parse, -1, EA_VW__COUNT + 5, false,
     EA_VW__COUNT - 1},
    {"FQDN form", fqdn_form_name, fqdn_form_parse, -1, 10, false, 4},
    {"DNS type", dns_type_name, dns_type_parse, 0, 0xffff, false, 13},
    {"DNS rcode", dns_rcode_name, dns_rcode_parse, -1, 4096, false, 6},
    {NULL, NULL, NULL, 0, 0, false, 0},
};

/* Every name each table prints reads back to its value (so no two values
 * share a name), and the count of names is the table's. */
static void test_names_round_trip(void **state)
{
    (void)state;
    for (const struct name_table *t = name_tables; t->what; t++) {
        size_t named = 0;
        long hi = t->bits ? 31 : t->hi;
        for (long i = t->bits ? 0 : t->lo; i <= hi; i++) {
            long v = t->bits ? (long)(1ul << i) : i;
            const char *n = t->name(v);
            if (!n)
                continue;
            named++;
            long back = -1;
            if (!t->parse(n, strlen(n), &back) || back != v)
                fail_msg("%s %ld: '%s' reads back as %ld", t->what, v, n, back);
            /* exact names only: another case or a longer or shorter text is none */
            char buf[128];
            size_t len = strlen(n);
            assert_true(len + 2 < sizeof buf);
            memcpy(buf, n, len + 1);
            if (t->parse(buf, len - 1, &back)) /* "infrastructure?" less '?' is a name */
                assert_int_not_equal(back, v);
            buf[len] = 'x';
            if (t->parse(buf, len + 1, &back))
                assert_int_not_equal(back, v);
            buf[len] = '\0';
            assert_false(t->parse(buf, len + 1, &back)); /* a NUL inside the length */
            for (size_t k = 0; k < len; k++) {
                if (buf[k] >= 'a' && buf[k] <= 'z') {
                    buf[k] = (char)(buf[k] - 'a' + 'A');
                    assert_false(t->parse(buf, len, &back));
                    break;
                }
                if (buf[k] >= 'A' && buf[k] <= 'Z') {
                    buf[k] = (char)(buf[k] - 'A' + 'a');
                    assert_false(t->parse(buf, len, &back));
                    break;
                }
            }
        }
        if (named != t->names)
            fail_msg("%s: %zu names, want %zu", t->what, named, t->names);
        long back = 7;
        assert_false(t->parse("", 0, &back));
        assert_false(t->parse("no such name", 12, &back));
        assert_false(t->parse(NULL, 0, &back));
    }
}

/* A name read from a longer buffer: only len bytes count. */
struct parse_case {
    const char *text;
    size_t len;
    bool ok;
    long want;
};

static const struct parse_case outcome_cases[] = {
    {"reached", 7, true, EA_OUT_REACHED},
    {"reached, and more", 7, true, EA_OUT_REACHED},
    {"no-answer", 9, true, EA_OUT_NO_ANSWER},
    {"no-answer", 2, false, 0},
    {"Reached", 7, false, 0},
    {" reached", 8, false, 0},
    {"reached ", 8, false, 0},
    {NULL, 0, false, 0},
};

static void test_names_parse_lengths(void **state)
{
    (void)state;
    for (const struct parse_case *c = outcome_cases; c->text; c++) {
        long v = -1;
        bool ok = outcome_parse(c->text, c->len, &v);
        if (ok != c->ok || (ok && v != c->want))
            fail_msg("'%.*s': %s %ld", (int)c->len, c->text, ok ? "found" : "not found", v);
    }
}

static void test_addr_text(void **state)
{
    (void)state;
    static const char *const addrs[] = {"10.0.0.4", "255.255.255.255", "2001:db8::1",
                                        "::1",      "::ffff:1.2.3.4",  NULL};
    char buf[46];
    for (size_t i = 0; addrs[i]; i++) {
        struct ea_addr a = addr(addrs[i]);
        assert_ptr_equal(ea_addr_text(&a, buf, sizeof buf), buf);
        assert_string_equal(buf, addrs[i]);
    }
    struct ea_addr none = {0};
    assert_string_equal(ea_addr_text(&none, buf, sizeof buf), "-");
    struct ea_addr odd = {.family = 5};
    assert_string_equal(ea_addr_text(&odd, buf, sizeof buf), "-");
}

static void test_str(void **state)
{
    (void)state;
    struct ea_str s = {0};
    str_set(&s, "a\0b", 3);
    assert_int_equal(s.len, 3);
    assert_memory_equal(s.s, "a\0b", 4);
    str_set(&s, s.s + 2, 1); /* from its own bytes */
    assert_int_equal(s.len, 1);
    assert_string_equal(s.s, "b");
    str_set(&s, NULL, 0);
    assert_non_null(s.s);
    assert_int_equal(s.len, 0);
    assert_string_equal(s.s, "");
    ea_str_clear(&s);
    assert_null(s.s);
    assert_int_equal(s.len, 0);
    ea_str_clear(&s);
}

static void test_growth_and_finish(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    for (size_t i = 0; i < 1000; i++) {
        struct ea_conn *c = ea_report_add_conn(&r);
        assert_non_null(c);
        assert_int_equal(c->dport, 0);
        assert_int_equal(c->name_source, EA_NAME_NONE);
        assert_null(c->name.s);
        c->dport = (uint16_t)i;
        c->dst = addr("192.0.2.1");
        c->transport = EA_TCP;
        c->first = (struct timeval){(long)(1000 - i), 0};
    }
    for (size_t i = 0; i < 40; i++)
        assert_non_null(ea_report_add_dns(&r));
    for (size_t i = 0; i < 20; i++)
        assert_non_null(ea_report_add_input(&r));
    assert_int_equal(r.n_conns, 1000);
    assert_true(r.cap_conns >= 1000 && r.cap_conns < 4000);
    assert_int_equal(r.n_dns, 40);
    assert_int_equal(r.n_inputs, 20);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(r.conns[i].dport, i);

    assert_true(ea_report_finalize(&r));
    for (size_t i = 0; i < 1000; i++) /* by time: the last added first */
        assert_int_equal(r.conns[i].dport, 999 - i);
    /* one IP host per port, by port */
    assert_int_equal(r.n_hosts, 1000);
    assert_int_equal(r.hosts[0].port, 0);
    assert_int_equal(r.hosts[999].port, 999);
    assert_int_equal(r.hosts[5].n_addrs, 1);
    assert_string_equal(r.hosts[5].addrs[0].s, "192.0.2.1");
    /* finalize again rebuilds, without leaking the first hosts */
    assert_true(ea_report_finalize(&r));
    assert_int_equal(r.n_hosts, 1000);

    ea_report_finish(&r);
    assert_null(r.conns);
    assert_int_equal(r.n_conns, 0);
    ea_report_finish(&r); /* twice */
    ea_report_finish(NULL);

    struct ea_report z;
    memset(&z, 0, sizeof z);
    ea_report_finish(&z); /* zeroed, never initialised */
}

static void test_finalize_empty(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    assert_true(ea_report_finalize(&r));
    assert_int_equal(r.n_hosts, 0);

    ea_report_finish(&r);
    ea_report_finish(&r);
}

static void test_model_sorted(void **state)
{
    (void)state;
    struct ea_report r;
    build_report(&r);

    assert_int_equal(r.n_conns, N_CONNS);
    for (size_t i = 0; i < N_CONNS; i++)
        assert_int_equal(r.conns[i].sport, conn_rows[sorted_conn[i]].sport);

    assert_int_equal(r.n_dns, N_DNS);
    assert_string_equal(r.dns[0].qname.s, "nx.example");
    assert_string_equal(r.dns[1].qname.s, "cdn-lfs.huggingface.co");
    assert_string_equal(r.dns[2].qname.s, "lost.example");
    assert_string_equal(r.dns[3].qname.s, "pypi.org");
    assert_int_equal(r.dns[4].qtype, 999);

    /* named first by name (case-insensitive), then IP hosts by address text */
    static const struct {
        const char *key;
        size_t key_len;
        uint16_t port;
        enum ea_transport tr;
        size_t n_conns;
        enum ea_outcome outcome;
        size_t n_addrs, n_resolved;
    } hosts[] = {
        {evil, EVIL_LEN, 8443, EA_TCP, 1, EA_OUT_INCOMPLETE, 1, 0},
        {"example.com", 0, 80, EA_TCP, 1, EA_OUT_REACHED, 1, 0},
        {"files.pythonhosted.org", 0, 443, EA_TCP, 1, EA_OUT_REACHED, 1, 1},
        {"PyPI.org", 0, 443, EA_TCP, 2, EA_OUT_REACHED, 2, 1},
        {"quic.example", 0, 443, EA_UDP, 1, EA_OUT_REACHED, 1, 0},
        {"18.1.2.3", 0, 443, EA_TCP, 2, EA_OUT_REFUSED, 1, 1},
        {"9.9.9.9", 0, 53, EA_UDP, 1, EA_OUT_REACHED, 1, 0},
    };
    assert_int_equal(r.n_hosts, sizeof hosts / sizeof hosts[0]);
    for (size_t i = 0; i < r.n_hosts; i++) {
        const struct ea_host *h = &r.hosts[i];
        size_t kl = hosts[i].key_len ? hosts[i].key_len : strlen(hosts[i].key);
        assert_int_equal(h->key.len, kl);
        assert_memory_equal(h->key.s, hosts[i].key, kl);
        assert_int_equal(h->port, hosts[i].port);
        assert_int_equal(h->transport, hosts[i].tr);
        assert_int_equal(h->n_conns, hosts[i].n_conns);
        assert_int_equal(h->outcome, hosts[i].outcome);
        assert_int_equal(h->n_addrs, hosts[i].n_addrs);
        assert_int_equal(h->n_resolved_as, hosts[i].n_resolved);
        assert_int_equal(h->named, i < 5);
    }
    const struct ea_host *pypi = &r.hosts[3];
    assert_int_equal(pypi->outcomes[EA_OUT_REACHED], 1);
    assert_int_equal(pypi->outcomes[EA_OUT_DENIED], 1);
    assert_int_equal(pypi->bytes_out, 800);
    assert_int_equal(pypi->bytes_in, 4000);
    assert_int_equal(pypi->first.tv_sec, 100);
    assert_int_equal(pypi->first.tv_usec, 100000);
    assert_int_equal(pypi->last.tv_sec, 101);
    assert_int_equal(pypi->last.tv_usec, 500000);
    assert_int_equal(pypi->name_source, EA_NAME_SNI);
    assert_string_equal(pypi->addrs[0].s, "20.1.1.1");
    assert_string_equal(pypi->addrs[1].s, "20.1.1.2");
    const struct ea_host *ip = &r.hosts[5];
    assert_int_equal(ip->name_source, EA_NAME_NONE);
    assert_string_equal(ip->resolved_as[0].s, "cdn-lfs.huggingface.co"); /* first spelling */
    assert_int_equal(ip->outcomes[EA_OUT_REFUSED], 1);
    assert_int_equal(ip->outcomes[EA_OUT_NO_ANSWER], 1);
    assert_int_equal(r.hosts[0].flags, EA_CF_TLS | EA_CF_PORT);

    ea_report_finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_names_parse_lengths),
        cmocka_unit_test(test_addr_text),
        cmocka_unit_test(test_str),
        cmocka_unit_test(test_growth_and_finish),
        cmocka_unit_test(test_finalize_empty),
        cmocka_unit_test(test_model_sorted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
