/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Markdown, HTML and CSV renderers (report/render_md.c, render_html.c,
 * render_csv.c) on report models built by hand: their sections, their
 * tables' shape, every name escaped for the format, every byte value.
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

static const struct render_opts all = {.connections = true};

/* Pipes that are not escaped and not inside a code span. */
static size_t bare_pipes(const char *line, size_t len)
{
    size_t n = 0;
    bool code = false;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '`')
            code = !code;
        else if (line[i] == '|' && !code && (i == 0 || line[i - 1] != '\\'))
            n++;
    }
    return n;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_md(void **state)
{
    (void)state;
    struct ea_report r;
    build_report(&r);
    struct output o = do_render_opts(&r, RENDER_MD, &all);
    assert_printable(&o);
    static const char top[] = "# egress-audit report\n\n**7 hosts: 5 reached, 1 refused, "
                              "1 incomplete; not judged: ";
    assert_true(strncmp(o.buf, top, strlen(top)) == 0);
    static const char *const sections[] = {"\n## Hosts\n", "\n## DNS names never connected to\n",
                                           "\n## Connections\n", "\n## DNS\n", "\n## Capture\n"};
    const char *prev = o.buf;
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        const char *at = strstr(o.buf, sections[i]);
        assert_non_null(at);
        assert_true(at > prev);
        prev = at;
    }
    /* every table row has its head's cells; names in code spans, the evil one escaped */
    size_t head = 0;
    for (const char *p = o.buf; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = (size_t)(nl - p);
        if (*p == '|') {
            size_t n = bare_pipes(p, len);
            if (!head)
                head = n;
            if (n != head)
                fail_msg("row of %zu cells under a head of %zu: %.*s", n, head, (int)len, p);
        } else {
            head = 0;
        }
        p = nl + 1;
    }
    assert_non_null(strstr(o.buf, "| `" EVIL_SAFE "` | 8443/tcp | incomplete | 1 | from sni; "
                                  "port not 80/443 |"));
    assert_non_null(strstr(o.buf, "| `18.1.2.3` | 443/tcp | refused | 2 | resolved as "
                                  "`cdn-lfs.huggingface.co` |"));
    assert_non_null(strstr(o.buf, "<details><summary>9 connections</summary>"));
    assert_non_null(strstr(o.buf, "| `nx.example` | AAAA | NXDOMAIN |  |"));
    /* our words escaped where they hold Markdown: a counter name */
    assert_non_null(strstr(o.buf, "| ip\\_fragments | 3 |"));
    output_free(&o);
    /* without -v: a sentence where the connections would be */
    struct render_opts brief = {0};
    o = do_render_opts(&r, RENDER_MD, &brief);
    assert_null(strstr(o.buf, "\n## DNS\n"));
    assert_non_null(strstr(o.buf, "9 connections are in the JSON report"));
    output_free(&o);
    ea_report_finish(&r);
}

/* A name with a backtick and pipes: written as escapes inside its span. */
static void test_md_code_span(void **state)
{
    (void)state;
    struct ea_report r;
    build_report(&r);
    str_cset(&r.hosts[1].key, " a|`b` ");
    struct output o = do_render_opts(&r, RENDER_MD, &all);
    assert_non_null(strstr(o.buf, "`\\x20a\\x7c\\x60b\\x60\\x20`"));
    output_free(&o);
    ea_report_finish(&r);
}

static void test_html(void **state)
{
    (void)state;
    struct ea_report r;
    build_report(&r);
    str_cset(&r.hosts[1].key, "<script>alert('x')&\"</script>");
    struct output o = do_render_opts(&r, RENDER_HTML, &all);
    assert_printable(&o);
    static const char top[] = "<!DOCTYPE html>\n<html lang=\"en\">\n";
    assert_true(strncmp(o.buf, top, strlen(top)) == 0);
    assert_non_null(strstr(o.buf, "Content-Security-Policy\" content=\"default-src 'none'; "
                                  "style-src 'unsafe-inline'\""));
    assert_null(strstr(o.buf, "<script"));
    assert_null(strstr(o.buf, "src="));
    assert_null(strstr(o.buf, "href="));
    assert_null(strstr(o.buf, "url("));
    assert_non_null(strstr(o.buf, "<code>&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script"
                                  "&gt;</code>"));
    assert_non_null(strstr(o.buf, "<code>" EVIL_SAFE "</code>"));
    /* the timeline: a mark per connection, a legend of six */
    assert_non_null(strstr(o.buf, "<svg viewBox="));
    assert_int_equal(count(o.buf, "<g>"), N_CONNS);
    assert_non_null(strstr(o.buf, ">no-answer</text>"));
    assert_non_null(strstr(o.buf, "@page{size:A4"));
    assert_true(strcmp(o.buf + o.len - 8, "</html>\n") == 0);
    output_free(&o);
    ea_report_finish(&r);
}

/* The cells of a CSV line (quoted cells unquoted), into cells[]; their count. */
static size_t csv_cells(const char *line, size_t len, char cells[32][256])
{
    size_t n = 0, at = 0;
    bool quoted = false;
    cells[0][0] = '\0';
    for (size_t i = 0; i < len && n < 32; i++) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < len && line[i + 1] == '"') {
                i++;
            } else if (c == '"') {
                quoted = false;
                continue;
            }
        } else if (c == '"') {
            quoted = true;
            continue;
        } else if (c == ',') {
            cells[n][at] = '\0';
            n++;
            at = 0;
            if (n < 32)
                cells[n][0] = '\0';
            continue;
        }
        if (at < 255)
            cells[n][at++] = c;
    }
    if (n < 32)
        cells[n][at] = '\0';
    return n + 1;
}

static void test_csv(void **state)
{
    (void)state;
    struct ea_report r;
    build_report(&r);
    /* a name a spreadsheet would run, and one with quotes and commas */
    str_cset(&r.conns[0].name, "=cmd()|'/c calc'!A1");
    r.conns[0].name_source = EA_NAME_SNI;
    str_cset(&r.conns[1].name, "a,\"b\"");
    struct output o = do_render_opts(&r, RENDER_CSV, NULL);
    for (size_t i = 0; i < o.len; i++) {
        unsigned char b = (unsigned char)o.buf[i];
        assert_true(b == '\r' || b == '\n' || (b >= 0x20 && b < 0x7f));
    }
    size_t rows = 0, width = 0;
    static char cells[32][256];
    for (const char *p = o.buf; *p;) {
        const char *nl = strstr(p, "\r\n");
        assert_non_null(nl);
        size_t n = csv_cells(p, (size_t)(nl - p), cells);
        if (rows == 0) {
            width = n;
            assert_string_equal(cells[0], "time_utc");
            assert_string_equal(cells[18], "verdict");
        }
        assert_int_equal(n, width);
        for (size_t k = 0; k < n; k++)
            assert_true(cells[k][0] != '=' && cells[k][0] != '+' && cells[k][0] != '@' &&
                        !(cells[k][0] == '-' && cells[k][1] != '\0'));
        rows++;
        p = nl + 2;
    }
    assert_int_equal(rows, 1 + N_CONNS);
    assert_non_null(strstr(o.buf, ",\"'=cmd()|'/c calc'!A1\","));
    assert_non_null(strstr(o.buf, ",\"a,\"\"b\"\"\","));
    assert_non_null(strstr(o.buf, "\"" EVIL_SAFE "\""));
    output_free(&o);
    ea_report_finish(&r);
}

/* The details the text report shows: a host's service, a connection's inner
 * name, JA4, server ALPN and certificate names, a live capture's figures;
 * every one hostile. */
static void build_details(struct ea_report *r)
{
    build_report(r);
    struct ea_conn *c = &r->conns[0];
    str_cset(&c->inner_name, "<i>in|`x`</i>\n");
    c->inner_source = EA_NAME_SNI;
    str_cset(&c->ja4, "=ja4|x");
    str_cset(&c->server_alpn, "h2\"&");
    c->cert_names = calloc(2, sizeof *c->cert_names);
    assert_non_null(c->cert_names);
    str_cset(&c->cert_names[0], "a.example");
    str_cset(&c->cert_names[1], "-b\x1b");
    c->n_cert_names = 2;
    assert_true(c->host < r->n_hosts);
    struct ea_service *sv = ea_host_service(&r->hosts[c->host]);
    assert_non_null(sv);
    str_cset(&sv->name, "Svc|<s>");
    str_cset(&sv->role, "=role`");
    struct ea_capture_stats *cs = &r->inputs[0].capture;
    cs->live = true;
    str_cset(&cs->interface, "eth<0>|");
    cs->written = true;
    cs->cutoff = 4096;
    cs->packets_seen = 10;
    cs->bytes_seen = 2000000;
    cs->packets_written = 9;
    cs->bytes_written = 1500000;
    cs->cut_packets = 1;
    cs->cut_bytes = 500000;
    cs->kernel_drops = 2;
    cs->interface_drops = 3;
    str_cset(&cs->write_error, "disk full <x>");
}

static void test_md_details(void **state)
{
    (void)state;
    struct ea_report r;
    build_details(&r);
    struct output o = do_render_opts(&r, RENDER_MD, &all);
    assert_printable(&o);
    assert_non_null(strstr(o.buf, "`Svc\\x7c<s>`: `=role\\x60` |"));
    assert_non_null(strstr(o.buf, "; inner sni `<i>in\\x7c\\x60x\\x60</i>\\x0a`; JA4 "
                                  "`=ja4\\x7cx`; server ALPN `h2\"&`; certificate names "
                                  "`a.example`, `-b\\x1b`"));
    assert_non_null(strstr(o.buf, "- Live capture: on `eth<0>\\x7c`, 10 packets (2.0 MB), 9 "
                                  "written to 1 file (1.5 MB); the cutoff (4096 bytes per "
                                  "direction) left out 1 packets, 0.5 MB; dropped: 2 by the "
                                  "kernel, 3 by the interface\n"));
    assert_non_null(strstr(o.buf, " stopped after 9 packets: `disk full <x>` (the file is "
                                  "valid; the analysis went on)\n"));
    output_free(&o);
    /* without -v the connections are not listed, nor their details */
    o = do_render_opts(&r, RENDER_MD, NULL);
    assert_null(strstr(o.buf, "JA4"));
    assert_null(strstr(o.buf, "inner sni"));
    assert_non_null(strstr(o.buf, "`Svc\\x7c<s>`"));
    assert_non_null(strstr(o.buf, "- Live capture: "));
    output_free(&o);
    ea_report_finish(&r);
}

/* The text report's capture line is the same sentence (phrase_live_capture),
 * and its write warning names the file. Width 0: one line each. */
static void test_text_capture_line(void **state)
{
    (void)state;
    struct ea_report r;
    build_details(&r);
    static const struct render_opts wide = {.width = 0};
    struct output o = do_render_opts(&r, RENDER_TEXT, &wide);
    assert_non_null(strstr(o.buf, "capture: on eth<0>|, 10 packets (2.0 MB), 9 written to 1 "
                                  "file (1.5 MB); the cutoff (4096 bytes per direction) left "
                                  "out 1 packets, 0.5 MB; dropped: 2 by the kernel, 3 by the "
                                  "interface\n"));
    assert_non_null(strstr(o.buf, "stopped after 9 packets: disk full <x> (the file is valid; "
                                  "the analysis went on)\n"));
    output_free(&o);
    ea_report_finish(&r);
}

static void test_html_details(void **state)
{
    (void)state;
    struct ea_report r;
    build_details(&r);
    struct output o = do_render_opts(&r, RENDER_HTML, &all);
    assert_printable(&o);
    assert_null(strstr(o.buf, "<s>"));
    assert_null(strstr(o.buf, "<i>"));
    assert_non_null(strstr(o.buf, "<code>Svc|&lt;s&gt;</code>: <code>=role`</code></td></tr>"));
    assert_non_null(strstr(o.buf, "; inner sni <code>&lt;i&gt;in|`x`&lt;/i&gt;\\x0a</code>; JA4 "
                                  "<code>=ja4|x</code>; server ALPN <code>h2&quot;&amp;</code>; "
                                  "certificate names <code>a.example</code>, "
                                  "<code>-b\\x1b</code>"));
    assert_non_null(strstr(o.buf, "<li>Live capture: on <code>eth&lt;0&gt;|</code>, 10 packets "
                                  "(2.0 MB), 9 written to 1 file (1.5 MB); the cutoff (4096 "
                                  "bytes per direction) left out 1 packets, 0.5 MB; dropped: 2 "
                                  "by the kernel, 3 by the interface</li>\n"));
    assert_non_null(strstr(o.buf, " stopped after 9 packets: <code>disk full &lt;x&gt;</code> "
                                  "(the file is valid; the analysis went on)</li>\n"));
    output_free(&o);
    o = do_render_opts(&r, RENDER_HTML, NULL);
    assert_null(strstr(o.buf, "JA4"));
    assert_non_null(strstr(o.buf, "<code>Svc|&lt;s&gt;</code>"));
    assert_non_null(strstr(o.buf, "<li>Live capture: "));
    output_free(&o);
    ea_report_finish(&r);
}

static void test_csv_details(void **state)
{
    (void)state;
    struct ea_report r;
    build_details(&r);
    struct output o = do_render_opts(&r, RENDER_CSV, NULL);
    static char cells[32][256];
    const char *nl = strstr(o.buf, "\r\n");
    assert_non_null(nl);
    size_t n = csv_cells(o.buf, (size_t)(nl - o.buf), cells);
    static const char *const tail[] = {"run",         "service",           "service_role",
                                       "inner_name",  "inner_name_source", "ja4",
                                       "server_alpn", "cert_names"};
    size_t nt = sizeof tail / sizeof tail[0];
    assert_int_equal(n, 23 + nt);
    for (size_t i = 0; i < nt; i++)
        assert_string_equal(cells[23 + i], tail[i]);
    assert_non_null(strstr(o.buf, ",\"Svc|<s>\",\"'=role`\",\"<i>in|`x`</i>\\x0a\",\"sni\","
                                  "\"'=ja4|x\",\"h2\"\"&\",\"a.example, -b\\x1b\"\r\n"));
    /* a connection without them: empty cells, its inner name's source "none" */
    assert_non_null(strstr(o.buf, ",,,,\"none\",,,\r\n"));
    /* the capture's figures are not a connection's */
    assert_null(strstr(o.buf, "eth<0>"));
    assert_null(strstr(o.buf, "disk full"));
    output_free(&o);
    ea_report_finish(&r);
}

/* Every byte value in a name, a DNS query and a path: printable output. */
static void test_all_bytes(void **state)
{
    (void)state;
    char bytes[256];
    struct ea_report r;
    build_all_bytes_report(&r, bytes);
    static const enum render_kind kinds[] = {RENDER_MD, RENDER_HTML};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        struct output o = do_render_opts(&r, kinds[k], &all);
        assert_printable(&o);
        assert_null(strstr(o.buf, "<script"));
        output_free(&o);
    }
    struct output o = do_render_opts(&r, RENDER_CSV, NULL);
    for (size_t i = 0; i < o.len; i++) {
        unsigned char b = (unsigned char)o.buf[i];
        assert_true(b == '\r' || b == '\n' || (b >= 0x20 && b < 0x7f));
    }
    output_free(&o);
    ea_report_finish(&r);
}

static void test_write_errors(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    struct ea_report r;
    build_report(&r);
    assert_int_equal(render_md(&r, f, &all), -1);
    clearerr(f);
    assert_int_equal(render_html(&r, f, &all), -1);
    clearerr(f);
    assert_int_equal(render_csv(&r, f), -1);
    fclose(f);
    ea_report_finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md),
        cmocka_unit_test(test_md_code_span),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_all_bytes),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_md_details),
        cmocka_unit_test(test_html_details),
        cmocka_unit_test(test_text_capture_line),
        cmocka_unit_test(test_csv_details),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
