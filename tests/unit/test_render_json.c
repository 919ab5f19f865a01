/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The JSON renderer (report/render_json.c) on report models built by hand:
 * the schema's keys in order, every field of the sample report, times,
 * hostile bytes as safe text, write errors.
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

#include "fixtures.h"
#include "model.h"
#include "output.h"
#include "render.h"

static void test_json_empty(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    assert_true(ea_report_finalize(&r));

    struct output o = do_render_json(&r);
    assert_printable(&o);
    json_t *j = parse(&o);
    assert_int_equal(jint(j, "schema"), 1);
    assert_jnull(json_object_get(j, "tool"), "version");
    assert_jnull(j, "time");
    assert_int_equal(json_array_size(json_object_get(j, "hosts")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "connections")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "dns")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "inputs")), 0);
    assert_true(json_is_false(json_object_get(j, "truncated")));
    json_t *counters = json_object_get(json_object_get(j, "stats"), "counters");
    assert_int_equal(json_object_size(counters), EA_C__COUNT);
    json_decref(j);
    output_free(&o);

    ea_report_finish(&r);
}

static void test_json(void **state)
{
    (void)state;
    struct ea_report r;
    build_report(&r);
    struct output o = do_render_json(&r);

    /* ASCII only, the ESC byte never; the evil name as escaped text */
    assert_printable(&o);
    assert_null(memchr(o.buf, 0x1b, o.len));
    assert_non_null(strstr(o.buf, "\"\\\\x1b[31mevil\\\\x07\\\\xc3\\\\xa9\\\\xff\\\\x00x\""));
    assert_int_equal(o.buf[o.len - 1], '\n');

    /* top-level keys in schema order */
    static const char *const top[] = {"schema", "tool",  "inputs",      "truncated", "snaplen_cut",
                                      "time",   "hosts", "connections", "dns",       "stats"};
    const char *prev = o.buf;
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++) {
        char pat[32];
        snprintf(pat, sizeof pat, "\n  \"%s\":", top[i]);
        const char *at = strstr(o.buf, pat);
        assert_non_null(at);
        assert_true(at > prev);
        prev = at;
    }

    json_t *j = parse(&o);
    assert_int_equal(json_object_size(j), sizeof top / sizeof top[0]);
    assert_int_equal(jint(j, "schema"), EA_SCHEMA);
    assert_int_equal(jint(j, "schema"), 1);
    json_t *tool = json_object_get(j, "tool");
    assert_string_equal(jstr(tool, "name"), "egress-audit");
    assert_string_equal(jstr(tool, "version"), "0.1.0-test");
    assert_true(json_is_true(json_object_get(j, "truncated")));

    json_t *in = json_array_get(json_object_get(j, "inputs"), 0);
    assert_string_equal(jstr(in, "path"), "run1.pcap");
    assert_int_equal(jint(in, "linktype"), 1);
    assert_string_equal(jstr(in, "linktype_name"), "EN10MB");
    assert_int_equal(jint(in, "packets"), 1234);
    assert_true(json_is_true(json_object_get(in, "truncated")));
    assert_int_equal(jint(in, "truncated_offset"), 98765);

    json_t *time = json_object_get(j, "time");
    assert_float_equal(json_real_value(json_object_get(time, "first")), 98.0, 1e-9);
    assert_float_equal(json_real_value(json_object_get(time, "last")), 110.25, 1e-9);

    /* hosts */
    json_t *hosts = json_object_get(j, "hosts");
    assert_int_equal(json_array_size(hosts), 7);
    static const char *const keys[] = {EVIL_SAFE,  "example.com",  "files.pythonhosted.org",
                                       "PyPI.org", "quic.example", "18.1.2.3",
                                       "9.9.9.9"};
    for (size_t i = 0; i < 7; i++) {
        json_t *h = json_array_get(hosts, i);
        assert_string_equal(jstr(h, "key"), keys[i]);
        if (i < 5)
            assert_string_equal(jstr(h, "name"), keys[i]);
        else
            assert_jnull(h, "name");
    }
    json_t *h = json_array_get(hosts, 3);
    assert_int_equal(jint(h, "port"), 443);
    assert_string_equal(jstr(h, "transport"), "tcp");
    assert_string_equal(jstr(h, "name_source"), "sni");
    assert_string_equal(jstr(h, "outcome"), "reached");
    json_t *outs = json_object_get(h, "outcomes");
    assert_int_equal(json_object_size(outs), 2);
    assert_int_equal(jint(outs, "reached"), 1);
    assert_int_equal(jint(outs, "denied"), 1);
    assert_int_equal(jint(h, "connections"), 2);
    assert_int_equal(json_array_size(json_object_get(h, "addresses")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(h, "addresses"), 1)),
                        "20.1.1.2");
    json_t *hras = json_object_get(h, "resolved_as");
    assert_int_equal(json_array_size(hras), 1);
    assert_string_equal(json_string_value(json_array_get(hras, 0)), "PYPI.org");
    assert_string_equal(json_string_value(json_array_get(json_object_get(h, "flags"), 0)), "tls");
    assert_int_equal(jint(h, "bytes_out"), 800);
    assert_int_equal(jint(h, "bytes_in"), 4000);
    assert_float_equal(json_real_value(json_object_get(h, "first")), 100.1, 1e-9);

    h = json_array_get(hosts, 5);
    assert_string_equal(jstr(h, "name_source"), "none");
    assert_string_equal(jstr(h, "outcome"), "refused");
    assert_int_equal(jint(json_object_get(h, "outcomes"), "no-answer"), 1);
    json_t *ras = json_object_get(h, "resolved_as");
    assert_int_equal(json_array_size(ras), 1);
    assert_string_equal(json_string_value(json_array_get(ras, 0)), "cdn-lfs.huggingface.co");
    json_t *fl = json_object_get(json_array_get(hosts, 0), "flags");
    assert_int_equal(json_array_size(fl), 2);
    assert_string_equal(json_string_value(json_array_get(fl, 1)), "port-not-80-443");
    assert_string_equal(jstr(json_array_get(hosts, 4), "name_source"), "quic_sni");
    assert_string_equal(jstr(json_array_get(hosts, 4), "transport"), "udp");

    /* connections */
    json_t *conns = json_object_get(j, "connections");
    assert_int_equal(json_array_size(conns), N_CONNS);
    static const char *const conn_keys[] = {
        "name",        "name_source", "inner_name",  "inner_name_source", "dst",
        "dport",       "src",         "sport",       "transport",         "outcome",
        "outcome_why", "flags",       "alpn",        "tls_version",       "http_status",
        "http_method", "first",       "last",        "packets_out",       "packets_in",
        "bytes_out",   "bytes_in",    "payload_out", "payload_in",        "tunnel",
        "resolved_as"};
    for (size_t i = 0; i < N_CONNS; i++) {
        json_t *c = json_array_get(conns, i);
        assert_int_equal(json_object_size(c), sizeof conn_keys / sizeof conn_keys[0]);
        for (size_t k = 0; k < sizeof conn_keys / sizeof conn_keys[0]; k++)
            assert_non_null(json_object_get(c, conn_keys[k]));
        assert_int_equal(jint(c, "sport"), conn_rows[sorted_conn[i]].sport);
        assert_string_equal(jstr(c, "outcome"), ea_outcome_name(conn_rows[sorted_conn[i]].outcome));
    }
    json_t *c = json_array_get(conns, 0); /* the DNS flow, unnamed */
    assert_jnull(c, "name");
    assert_string_equal(jstr(c, "name_source"), "none");
    assert_string_equal(jstr(c, "dst"), "9.9.9.9");
    assert_int_equal(jint(c, "dport"), 53);
    assert_string_equal(jstr(c, "src"), "10.0.0.4");
    assert_string_equal(jstr(c, "transport"), "udp");
    assert_jnull(c, "alpn");
    assert_jnull(c, "tls_version");
    assert_jnull(c, "http_status");
    assert_jnull(c, "http_method");
    assert_jnull(c, "resolved_as");
    assert_float_equal(json_real_value(json_object_get(c, "first")), 99.0, 1e-9);
    assert_int_equal(jint(c, "packets_out"), 3);
    assert_int_equal(jint(c, "packets_in"), 2);
    c = json_array_get(conns, 3); /* pypi.org */
    assert_string_equal(jstr(c, "name"), "pypi.org");
    assert_string_equal(jstr(c, "tls_version"), "TLS 1.3");
    assert_string_equal(jstr(c, "alpn"), "h2");
    assert_string_equal(jstr(c, "outcome_why"), "TLS ServerHello received");
    assert_int_equal(json_array_size(json_object_get(c, "resolved_as")), 1);
    c = json_array_get(conns, 4); /* IP only, with a chain */
    json_t *chain = json_object_get(c, "resolved_as");
    assert_int_equal(json_array_size(chain), 2);
    assert_string_equal(json_string_value(json_array_get(chain, 0)), "cdn-lfs.huggingface.co");
    assert_string_equal(json_string_value(json_array_get(chain, 1)), "d1x.cloudfront.net");
    c = json_array_get(conns, 6); /* evil */
    assert_string_equal(jstr(c, "name"), EVIL_SAFE);
    c = json_array_get(conns, 7); /* QUIC over IPv6, unknown TLS version as a number */
    assert_string_equal(jstr(c, "dst"), "2001:db8::53");
    assert_int_equal(jint(c, "tls_version"), 0x1234);
    c = json_array_get(conns, 8);
    assert_int_equal(jint(c, "http_status"), 200);
    assert_string_equal(jstr(c, "http_method"), "GET");
    assert_string_equal(jstr(c, "name_source"), "http_host");

    /* dns */
    json_t *dns = json_object_get(j, "dns");
    assert_int_equal(json_array_size(dns), N_DNS);
    for (size_t i = 0; i < N_DNS; i++)
        assert_string_equal(jstr(json_array_get(dns, i), "query"), sorted_dns[i]);
    json_t *d = json_array_get(dns, 0);
    assert_string_equal(jstr(d, "qtype"), "AAAA");
    assert_string_equal(jstr(d, "rcode"), "NXDOMAIN");
    d = json_array_get(dns, 1);
    assert_string_equal(jstr(d, "qtype"), "A");
    assert_string_equal(jstr(d, "rcode"), "NOERROR");
    json_t *ans = json_object_get(d, "answers");
    assert_int_equal(json_array_size(ans), 2);
    assert_string_equal(jstr(json_array_get(ans, 0), "type"), "CNAME");
    assert_string_equal(jstr(json_array_get(ans, 0), "name"), "cdn-lfs.huggingface.co");
    assert_string_equal(jstr(json_array_get(ans, 0), "data"), "d1x.cloudfront.net");
    assert_int_equal(jint(json_array_get(ans, 1), "ttl"), 300);
    json_t *tr = json_object_get(d, "transport");
    assert_int_equal(json_array_size(tr), 2);
    assert_string_equal(json_string_value(json_array_get(tr, 0)), "udp");
    assert_string_equal(json_string_value(json_array_get(tr, 1)), "tcp");
    assert_int_equal(jint(d, "queries"), 2);
    assert_int_equal(jint(d, "responses"), 2);
    assert_true(json_is_false(json_object_get(d, "answers_dropped")));
    d = json_array_get(dns, 2);
    assert_jnull(d, "rcode");
    assert_int_equal(json_array_size(json_object_get(d, "answers")), 0);
    d = json_array_get(dns, 4);
    assert_int_equal(jint(d, "qtype"), 999);
    assert_int_equal(jint(d, "rcode"), 15);
    tr = json_object_get(d, "transport");
    assert_int_equal(json_array_size(tr), 1);
    assert_string_equal(json_string_value(json_array_get(tr, 0)), "tcp");

    /* every counter, zero or not */
    json_t *counters = json_object_get(json_object_get(j, "stats"), "counters");
    assert_int_equal(json_object_size(counters), EA_C__COUNT);
    assert_int_equal(jint(counters, "packets"), 1234);
    assert_int_equal(jint(counters, "ip_fragments"), 3);
    assert_int_equal(jint(counters, "dns_malformed"), 0);

    json_decref(j);
    output_free(&o);
    ea_report_finish(&r);
}

static void test_json_times(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    r.have_time = true;
    r.first = (struct timeval){1714564800, 123456};
    r.last = (struct timeval){1714564801, 5};
    assert_true(ea_report_finalize(&r));
    struct output o = do_render_json(&r);
    assert_non_null(strstr(o.buf, "\"first\": 1714564800.123456,"));
    assert_non_null(strstr(o.buf, "\"last\": 1714564801.000005\n"));
    output_free(&o);
    ea_report_finish(&r);
}

/* Every byte value in a name, a DNS query and a path: the output stays
 * printable ASCII, and the JSON text decodes back to the bytes. */
static void test_json_all_bytes(void **state)
{
    (void)state;
    char all[256];
    struct ea_report r;
    build_all_bytes_report(&r, all);

    struct output o = do_render_json(&r);
    assert_printable(&o);
    json_t *j = parse(&o);
    unsigned char back[256];
    const char *name = jstr(json_array_get(json_object_get(j, "connections"), 0), "name");
    assert_int_equal(unescape(name, back), 256);
    assert_memory_equal(back, all, 256);
    const char *key = jstr(json_array_get(json_object_get(j, "hosts"), 0), "key");
    assert_string_equal(key, name);
    const char *q = jstr(json_array_get(json_object_get(j, "dns"), 0), "query");
    assert_string_equal(q, name);
    const char *path = jstr(json_array_get(json_object_get(j, "inputs"), 0), "path");
    assert_string_equal(path, name);
    json_decref(j);
    output_free(&o);

    ea_report_finish(&r);
}

static void test_json_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    struct ea_report r;
    build_report(&r);
    assert_int_equal(render_json(&r, f), -1);
    fclose(f);
    ea_report_finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_empty),       cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_times),       cmocka_unit_test(test_json_all_bytes),
        cmocka_unit_test(test_json_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
