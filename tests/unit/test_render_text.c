/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The text renderer (report/render_text.c) on report models built by hand:
 * aligned columns, sections in order, hostile bytes as safe text, our own
 * color escapes only, write errors.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "model.h"
#include "output.h"
#include "render.h"

static void test_text_empty(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    assert_true(ea_report_finalize(&r));

    struct output o = do_render_text(&r, false);
    assert_printable(&o);
    static const char head[] = "SUMMARY\n0 hosts; not judged: ";
    assert_true(strncmp(o.buf, head, strlen(head)) == 0);
    assert_non_null(strstr(o.buf, "\nHOSTS\n(none)\n"));
    assert_non_null(strstr(o.buf, "\nDNS NAMES NEVER CONNECTED TO\n(none)\n"));
    assert_non_null(strstr(o.buf, "\nflows: 0\n"));
    output_free(&o);

    ea_report_finish(&r);
}

/* The titles, in the order of the report: the answer first. */
static void assert_sections(const struct output *o, const char *const *titles, size_t n)
{
    const char *prev = o->buf;
    for (size_t i = 0; i < n; i++) {
        char pat[64];
        snprintf(pat, sizeof pat, i ? "\n\n%s\n" : "%s\n", titles[i]);
        const char *at = strstr(o->buf, pat);
        if (!at || at < prev || (i == 0 && at != o->buf))
            fail_msg("section %s missing or out of order", titles[i]);
        prev = at;
    }
}

static void test_text_plain(void **state)
{
    (void)state;
    struct ea_report r;
    build_report(&r);
    struct output o = do_render_text(&r, false);
    assert_printable(&o);
    assert_null(memchr(o.buf, 0x1b, o.len));
    char line[1024];

    static const char *const titles[] = {"SUMMARY",     "HOSTS", "DNS NAMES NEVER CONNECTED TO",
                                         "CONNECTIONS", "DNS",   "CAPTURE"};
    assert_sections(&o, titles, sizeof titles / sizeof titles[0]);
    assert_null(strstr(o.buf, "FINDINGS"));   /* no allowlist */
    assert_null(strstr(o.buf, "WHAT TO DO")); /* no allowlist */
    assert_string_equal(line_starting(&o, "7 hosts: ", line, sizeof line),
                        "7 hosts: 5 reached, 1 refused, 1 incomplete; not judged: no allowlist "
                        "given (-p PROFILE or -a FILE)");
    assert_string_equal(line_starting(&o, "9 connections ", line, sizeof line),
                        "9 connections to 7 hosts in 12.250 s");
    line_starting(&o, "warning: 'run1.pcap' ends inside a record at byte 98765", line, sizeof line);
    assert_string_equal(line_starting(&o, "inputs: ", line, sizeof line),
                        "inputs: run1.pcap (EN10MB, 1234 packets)");

    /* HOSTS: aligned columns, the names in order */
    const char *hosts = strstr(o.buf, "\nHOSTS\n");
    assert_non_null(hosts);
    hosts += strlen("\nHOSTS\n");
    char head[512];
    const char *nl = strchr(hosts, '\n');
    memcpy(head, hosts, (size_t)(nl - hosts));
    head[nl - hosts] = '\0';
    assert_true(strncmp(head, "HOST ", 5) == 0);
    size_t port_at = (size_t)(strstr(head, "PORT") - head);
    size_t outcome_at = (size_t)(strstr(head, "OUTCOME") - head);
    assert_non_null(strstr(head, "  EVIDENCE"));
    static const char *const host_names[] = {EVIL_SAFE,  "example.com",  "files.pythonhosted.org",
                                             "PyPI.org", "quic.example", "18.1.2.3",
                                             "9.9.9.9"};
    static const char *const host_outcomes[] = {"incomplete", "reached", "reached", "reached",
                                                "reached",    "refused", "reached"};
    const char *p = nl + 1;
    for (size_t i = 0; i < 7; i++) {
        nl = strchr(p, '\n');
        assert_non_null(nl);
        size_t len = (size_t)(nl - p);
        assert_true(len < sizeof line);
        memcpy(line, p, len);
        line[len] = '\0';
        assert_true(strncmp(line, host_names[i], strlen(host_names[i])) == 0);
        assert_true(line[strlen(host_names[i])] == ' ');
        assert_true(line[port_at] >= '0' && line[port_at] <= '9');
        assert_true(line[port_at - 1] == ' ');
        assert_true(strncmp(line + outcome_at, host_outcomes[i], strlen(host_outcomes[i])) == 0);
        assert_true(len == 0 || line[len - 1] != ' '); /* no trailing blanks */
        p = nl + 1;
    }
    assert_int_equal(*p, '\n'); /* the table ends there */
    assert_non_null(strstr(line_starting(&o, "PyPI.org ", line, sizeof line), "443/tcp"));
    assert_non_null(strstr(line, " sni "));
    assert_null(strstr(line, "resolved as")); /* only its own name */
    assert_non_null(strstr(line_starting(&o, "18.1.2.3 ", line, sizeof line),
                           "resolved as cdn-lfs.huggingface.co"));
    assert_null(strstr(line, "CDN-LFS"));
    assert_non_null(strstr(line_starting(&o, EVIL_SAFE " ", line, sizeof line), "port not 80/443"));
    assert_non_null(strstr(line_starting(&o, "quic.example ", line, sizeof line),
                           "QUIC: application rules do not inspect it"));
    assert_non_null(strstr(line, "443/udp"));

    /* DNS names never connected to: address queries only */
    const char *unused = strstr(o.buf, "\nDNS NAMES NEVER CONNECTED TO\n");
    const char *conns = strstr(o.buf, "\n\nCONNECTIONS\n");
    assert_non_null(strstr(unused, "\nnx.example  "));
    assert_non_null(strstr(unused, "\nlost.example  "));
    assert_true(strstr(unused, "\nnx.example  ") < conns);
    assert_true(strstr(unused, "\nlost.example  ") < conns);
    assert_true(strstr(unused, "pypi.org") == NULL || strstr(unused, "pypi.org") > conns);
    assert_true(strstr(unused, "bad\\\\name") > conns); /* TYPE999: not an address query */

    /* CONNECTIONS: relative times, chains, "-" for no name */
    line_starting(&o, " TIME  ", line, sizeof line); /* right-aligned like its cells */
    assert_non_null(strstr(line, "SOURCE"));
    assert_non_null(strstr(line, "WHY / NOTES"));
    assert_non_null(strstr(o.buf, "10.0.0.4:40000  9.9.9.9:53/udp"));
    assert_non_null(strstr(o.buf, "resolved as cdn-lfs.huggingface.co -> d1x.cloudfront.net"));
    assert_non_null(strstr(o.buf, "resolved as CDN-LFS.huggingface.co -> d1x.cloudfront.net"));
    assert_non_null(strstr(o.buf, "[2001:db8::1]:50010  [2001:db8::53]:443/udp"));
    assert_non_null(strstr(line_starting(&o, "1.000 ", line, sizeof line), " 9.9.9.9:53/udp "));
    assert_non_null(strstr(line, "  -  "));
    assert_non_null(strstr(line, "  reply received"));
    line_containing(&o, "reset after ClientHello, no ServerHello", line, sizeof line);
    assert_true(strncmp(line, "2.100 ", 6) == 0);
    assert_non_null(strstr(line, "  PyPI.org  "));
    assert_non_null(strstr(line, "  denied  "));
    assert_non_null(strstr(line_starting(&o, "4.000 ", line, sizeof line), EVIL_SAFE));
    /* a named connection's chain only when it says more than the name */
    line_starting(&o, "2.500 ", line, sizeof line);
    assert_non_null(strstr(line, "  pypi.org  "));
    assert_null(strstr(line, "PYPI.org"));
    assert_non_null(strstr(o.buf, "files.pythonhosted.org -> dualstack.python.map.fastly.net"));
    assert_non_null(strstr(line_starting(&o, "7.000 ", line, sizeof line), "example.com"));

    /* DNS */
    const char *dns = strstr(o.buf, "\n\nDNS\n");
    assert_non_null(dns);
    assert_non_null(strstr(dns, "\nlost.example "));
    assert_non_null(strstr(strstr(dns, "\nlost.example "), "no response"));
    assert_non_null(
        strstr(strstr(dns, "\ncdn-lfs.huggingface.co "), "CNAME d1x.cloudfront.net, 18.1.2.3"));
    assert_non_null(strstr(strstr(dns, "\nnx.example "), "NXDOMAIN"));
    assert_non_null(strstr(line_starting(&o, "bad\\\\name\\x7f ", line, sizeof line), "TYPE999"));
    assert_non_null(strstr(line, " 15 "));

    /* CAPTURE: the non-zero counters, and flows */
    assert_non_null(strstr(o.buf, "\ninputs: run1.pcap (EN10MB, 1234 packets)\n"
                                  "time: 1970-01-01 00:01:38.000 to 00:01:50.250 UTC (12.250 s)\n"
                                  "packets:      1234\n"
                                  "ip_fragments: 3\n"
                                  "flows:        9\n"));
    assert_null(strstr(o.buf, "dns_malformed"));
    assert_int_equal(o.buf[o.len - 1], '\n');

    output_free(&o);
    ea_report_finish(&r);
}

/* Without -v: no connection rows, no DNS table; a line that says where
 * they are; and a capped report says so where the rows would be, with the
 * flag that raises the cap. */
static void test_text_connections_hidden(void **state)
{
    (void)state;
    struct ea_report r;
    build_report(&r);
    r.counters[EA_C_CONNS_NOT_LISTED] = 159761;
    r.counters[EA_C_HOSTS_NOT_LISTED] = 3;
    struct render_opts ro = {.width = 0};
    struct output o = do_render_opts(&r, RENDER_TEXT, &ro);
    assert_printable(&o);
    assert_null(strstr(o.buf, "\n\nDNS\n"));
    assert_null(strstr(o.buf, "reply received"));
    const char *conns = strstr(o.buf, "\n\nCONNECTIONS\n");
    assert_non_null(conns);
    static const char want[] =
        "\n\nCONNECTIONS\n9 connections are in the JSON report (-F json); -v (--connections) "
        "lists them here, with every DNS query\n159761 more connections are not listed: the "
        "report keeps the first 9 (egress-audit analyze --max-connections N keeps more)";
    if (strncmp(conns, want, strlen(want)) != 0)
        fail_msg("CONNECTIONS is:\n%.400s", conns);
    char line[1024];
    line_starting(&o,
                  "3 connections to further hosts are not counted: the report keeps 7 "
                  "hosts (egress-audit analyze --max-hosts N keeps more)",
                  line, sizeof line);
    output_free(&o);
    /* with -v, the notice follows the rows */
    o = do_render_text(&r, false);
    const char *dns = strstr(o.buf, "\n\nDNS\n");
    const char *cap = strstr(o.buf, "\n159761 more connections are not listed");
    assert_true(cap && dns && cap < dns);
    output_free(&o);
    ea_report_finish(&r);
}

/* --width: every line fits, names shortened in the middle, sentences and
 * lists wrapped; 0: no limit. */
static void test_text_width(void **state)
{
    (void)state;
    struct ea_report r;
    build_report(&r);
    /* a 213-byte name: it widened every row of the old report */
    char long_name[214];
    for (size_t i = 0; i < sizeof long_name - 1; i++)
        long_name[i] = (char)(i % 10 == 9 ? '.' : 'a' + (char)(i % 26));
    long_name[sizeof long_name - 1] = '\0';
    str_set(&r.hosts[1].key, long_name, sizeof long_name - 1);
    static const unsigned widths[] = {60, 80, 100, 150};
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
        assert_null(strstr(o.buf, long_name)); /* shortened */
        char head[16];
        memcpy(head, long_name, 8);
        memcpy(head + 8, "", 1);
        assert_non_null(strstr(o.buf, head));
        assert_non_null(strstr(o.buf, "..."));
        output_free(&o);
    }
    struct render_opts wide = {.width = 0, .connections = true};
    struct output o = do_render_opts(&r, RENDER_TEXT, &wide);
    assert_non_null(strstr(o.buf, long_name)); /* no limit: whole */
    output_free(&o);
    ea_report_finish(&r);
}

static void test_text_color(void **state)
{
    (void)state;
    static const char *const ours[] = {"\x1b[0m",  "\x1b[1m",  "\x1b[31m",
                                       "\x1b[32m", "\x1b[33m", NULL};
    struct ea_report r;
    build_report(&r);
    struct output o = do_render_text(&r, true);
    size_t n_esc = 0;
    for (size_t i = 0; i < o.len; i++) {
        unsigned char b = (unsigned char)o.buf[i];
        if (b == 0x1b) {
            size_t k = 0;
            while (ours[k] && strncmp(o.buf + i, ours[k], strlen(ours[k])) != 0)
                k++;
            if (!ours[k])
                fail_msg("foreign escape at offset %zu", i);
            n_esc++;
            continue;
        }
        if (b != '\n' && (b < 0x20 || b >= 0x7f))
            fail_msg("byte 0x%02x at offset %zu", b, i);
    }
    assert_true(n_esc > 0);
    assert_non_null(strstr(o.buf, "\x1b[32mreached\x1b[0m"));
    assert_non_null(strstr(o.buf, "\x1b[31mdenied\x1b[0m"));
    assert_non_null(strstr(o.buf, "\x1b[33mincomplete\x1b[0m"));
    assert_non_null(strstr(o.buf, "\x1b[1mSUMMARY\x1b[0m\n"));
    assert_non_null(strstr(o.buf, EVIL_SAFE));
    assert_null(strstr(o.buf, "\x1b[31mevil"));
    output_free(&o);
    ea_report_finish(&r);
}

/* Every byte value in a name, a DNS query and a path: the output stays
 * printable ASCII, color or not. */
static void test_text_all_bytes(void **state)
{
    (void)state;
    char all[256];
    struct ea_report r;
    build_all_bytes_report(&r, all);

    struct output o = do_render_text(&r, false);
    assert_printable(&o);
    output_free(&o);
    o = do_render_text(&r, true);
    for (size_t i = 0; i < o.len; i++)
        assert_true(o.buf[i] == '\n' || o.buf[i] == 0x1b ||
                    ((unsigned char)o.buf[i] >= 0x20 && (unsigned char)o.buf[i] < 0x7f));
    output_free(&o);
    ea_report_finish(&r);
}

static void test_text_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    struct ea_report r;
    build_report(&r);
    assert_int_equal(render_text(&r, f, NULL), -1);
    fclose(f);
    ea_report_finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_empty),
        cmocka_unit_test(test_text_plain),
        cmocka_unit_test(test_text_connections_hidden),
        cmocka_unit_test(test_text_width),
        cmocka_unit_test(test_text_color),
        cmocka_unit_test(test_text_all_bytes),
        cmocka_unit_test(test_text_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
