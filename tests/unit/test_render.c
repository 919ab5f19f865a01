/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report model (analyze/model.c), escaping and the text and JSON renderers. */
#include <arpa/inet.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emit.h"
#include "escape.h"
#include "model.h"
#include "render.h"

/* ---- helpers ---- */

static struct ea_addr addr(const char *text)
{
    struct ea_addr a = {0};
    if (inet_pton(AF_INET, text, a.b) == 1)
        a.family = 4;
    else if (inet_pton(AF_INET6, text, a.b) == 1)
        a.family = 6;
    else
        fail_msg("bad address %s", text);
    return a;
}

static void str_set(struct ea_str *s, const char *p, size_t len)
{
    assert_true(ea_str_set(s, p, len));
}

/* Output of a renderer, NUL-terminated (it is ASCII text, checked below). */
struct output {
    char *buf;
    size_t len;
};

static void output_free(struct output *o)
{
    free(o->buf);
    o->buf = NULL;
}

static struct output do_render_json(const struct ea_report *r)
{
    struct output o = {0};
    FILE *f = open_memstream(&o.buf, &o.len);
    assert_non_null(f);
    assert_int_equal(render_json(r, f), 0);
    assert_int_equal(fclose(f), 0);
    return o;
}

static struct output do_render_text(const struct ea_report *r, bool color)
{
    struct output o = {0};
    FILE *f = open_memstream(&o.buf, &o.len);
    assert_non_null(f);
    assert_int_equal(render_text(r, f, color), 0);
    assert_int_equal(fclose(f), 0);
    return o;
}

static json_t *parse(const struct output *o)
{
    json_error_t err;
    json_t *j = json_loadb(o->buf, o->len, 0, &err);
    if (!j)
        fail_msg("json: %s at line %d: %s", err.text, err.line, o->buf);
    return j;
}

/* Every byte is printable ASCII or a newline. */
static void assert_printable(const struct output *o)
{
    for (size_t i = 0; i < o->len; i++) {
        unsigned char b = (unsigned char)o->buf[i];
        if (b != '\n' && (b < 0x20 || b >= 0x7f))
            fail_msg("byte 0x%02x at offset %zu", b, i);
    }
}

/* The line of the output that starts with prefix (NUL-terminated copy). */
static char *line_starting(const struct output *o, const char *prefix, char *buf, size_t n)
{
    size_t plen = strlen(prefix);
    const char *p = o->buf;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len >= plen && memcmp(p, prefix, plen) == 0) {
            assert_true(len < n);
            memcpy(buf, p, len);
            buf[len] = '\0';
            return buf;
        }
        p = nl ? nl + 1 : NULL;
    }
    fail_msg("no line starting with '%s' in:\n%s", prefix, o->buf);
    return NULL;
}

/* The first line of the output that contains needle. */
static char *line_containing(const struct output *o, const char *needle, char *buf, size_t n)
{
    const char *at = strstr(o->buf, needle);
    if (!at)
        fail_msg("no line with '%s' in:\n%s", needle, o->buf);
    const char *start = at;
    while (start > o->buf && start[-1] != '\n')
        start--;
    const char *end = strchr(at, '\n');
    size_t len = end ? (size_t)(end - start) : strlen(start);
    assert_true(len < n);
    memcpy(buf, start, len);
    buf[len] = '\0';
    return buf;
}

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        fail_msg("key '%s' is not a string", key);
    return json_string_value(v);
}

static json_int_t jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("key '%s' is not an integer", key);
    return json_integer_value(v);
}

static void assert_jnull(const json_t *o, const char *key)
{
    if (!json_is_null(json_object_get(o, key)))
        fail_msg("key '%s' is not null", key);
}

/* ---- the sample report, built by hand ---- */

/* A name with a terminal escape, BEL, UTF-8, 0xff, NUL and a plain byte. */
static const char evil[] = "\x1b"
                           "[31mevil"
                           "\x07"
                           "\xc3\xa9"
                           "\xff"
                           "\0"
                           "x";
#define EVIL_LEN (sizeof evil - 1)
#define EVIL_SAFE "\\x1b[31mevil\\x07\\xc3\\xa9\\xff\\x00x"

struct conn_row {
    const char *src;
    uint16_t sport;
    const char *dst;
    uint16_t dport;
    enum ea_transport transport;
    const char *name; /* NULL: none */
    size_t name_len;  /* 0: strlen */
    enum ea_name_source source;
    enum ea_outcome outcome;
    const char *why;
    uint32_t flags;
    long sec, usec;
    uint64_t bytes_out, bytes_in;
    const char *chain[3];
    uint16_t tls_version, http_status;
};

/* Added out of order on purpose; finalize sorts them (see the indexes). */
static const struct conn_row conn_rows[] = {
    /* sorted 3 */
    {"10.0.0.4",
     50001,
     "20.1.1.1",
     443,
     EA_TCP,
     "pypi.org",
     0,
     EA_NAME_SNI,
     EA_OUT_REACHED,
     "TLS ServerHello received",
     EA_CF_TLS,
     100,
     500000,
     500,
     4000,
     {"PYPI.org", NULL},
     0x0304,
     0},
    /* sorted 2: same host as the one above, spelled differently, and earlier */
    {"10.0.0.4",
     50000,
     "20.1.1.2",
     443,
     EA_TCP,
     "PyPI.org",
     0,
     EA_NAME_SNI,
     EA_OUT_DENIED,
     "reset after ClientHello, no ServerHello",
     EA_CF_TLS,
     100,
     100000,
     300,
     0,
     {NULL},
     0,
     0},
    /* sorted 4: no name, a DNS chain */
    {"10.0.0.4",
     50002,
     "18.1.2.3",
     443,
     EA_TCP,
     NULL,
     0,
     EA_NAME_NONE,
     EA_OUT_NO_ANSWER,
     "no answer to SYN",
     0,
     101,
     0,
     120,
     0,
     {"cdn-lfs.huggingface.co", "d1x.cloudfront.net", NULL},
     0,
     0},
    /* sorted 5: same IP host; the same query name in other case */
    {"10.0.0.4",
     50003,
     "18.1.2.3",
     443,
     EA_TCP,
     NULL,
     0,
     EA_NAME_NONE,
     EA_OUT_REFUSED,
     "reset in answer to SYN",
     0,
     101,
     500000,
     60,
     40,
     {"CDN-LFS.huggingface.co", "d1x.cloudfront.net", NULL},
     0,
     0},
    /* sorted 6 */
    {"10.0.0.4",
     50004,
     "20.9.9.9",
     8443,
     EA_TCP,
     evil,
     EVIL_LEN,
     EA_NAME_SNI,
     EA_OUT_INCOMPLETE,
     "no ServerHello before the capture ended",
     EA_CF_TLS | EA_CF_PORT,
     102,
     0,
     700,
     0,
     {NULL},
     0,
     0},
    /* sorted 7 */
    {"2001:db8::1",
     50010,
     "2001:db8::53",
     443,
     EA_UDP,
     "quic.example",
     0,
     EA_NAME_QUIC_SNI,
     EA_OUT_REACHED,
     "reply received",
     EA_CF_QUIC,
     103,
     0,
     1200,
     2400,
     {NULL},
     0x1234,
     0},
    /* sorted 1: same time as "PyPI.org", same dst and port, lower source port */
    {"10.0.0.4",
     49999,
     "20.1.1.2",
     443,
     EA_TCP,
     "files.pythonhosted.org",
     0,
     EA_NAME_SNI,
     EA_OUT_REACHED,
     "TLS ServerHello received",
     EA_CF_TLS,
     100,
     100000,
     10,
     20,
     {"files.pythonhosted.org", "dualstack.python.map.fastly.net", NULL},
     0x0303,
     0},
    /* sorted 0: the first */
    {"10.0.0.4",
     40000,
     "9.9.9.9",
     53,
     EA_UDP,
     NULL,
     0,
     EA_NAME_NONE,
     EA_OUT_REACHED,
     "reply received",
     EA_CF_DNS,
     99,
     0,
     40,
     80,
     {NULL},
     0,
     0},
    /* sorted 8 */
    {"10.0.0.4",
     50020,
     "20.1.1.3",
     80,
     EA_TCP,
     "example.com",
     0,
     EA_NAME_HTTP_HOST,
     EA_OUT_REACHED,
     "HTTP response received",
     EA_CF_HTTP,
     105,
     0,
     90,
     900,
     {NULL},
     0,
     200},
};
#define N_CONNS (sizeof conn_rows / sizeof conn_rows[0])
/* conn_rows index of each sorted position */
static const size_t sorted_conn[N_CONNS] = {7, 6, 1, 0, 2, 3, 4, 5, 8};

struct answer_row {
    uint16_t type;
    const char *owner, *data;
};

struct dns_row {
    const char *qname;
    size_t qlen; /* 0: strlen */
    uint16_t qtype;
    int rcode;
    long sec;
    uint32_t queries, responses;
    bool udp, tcp;
    struct answer_row answers[3];
};

static const struct dns_row dns_rows[] = {
    {"pypi.org",
     0,
     1 /* A */,
     0,
     100,
     1,
     1,
     true,
     false,
     {{1 /* A */, "pypi.org", "20.1.1.1"}, {0, NULL, NULL}}},
    {"cdn-lfs.huggingface.co",
     0,
     1 /* A */,
     0,
     100,
     2,
     2,
     true,
     true,
     {{5 /* CNAME */, "cdn-lfs.huggingface.co", "d1x.cloudfront.net"},
      {1 /* A */, "d1x.cloudfront.net", "18.1.2.3"},
      {0, NULL, NULL}}},
    {"nx.example", 0, 28 /* AAAA */, 3 /* NXDOMAIN */, 98, 1, 1, true, false, {{0, NULL, NULL}}},
    {"lost.example", 0, 1 /* A */, -1, 100, 3, 0, true, false, {{0, NULL, NULL}}},
    {"bad\\name\x7f", 0, 999, 15, 104, 1, 1, false, true, {{0, NULL, NULL}}},
};
#define N_DNS (sizeof dns_rows / sizeof dns_rows[0])
/* by time, then query name: nx (98), then at 100 cdn-lfs < lost < pypi, then bad (104) */
static const char *const sorted_dns[N_DNS] = {"nx.example", "cdn-lfs.huggingface.co",
                                              "lost.example", "pypi.org", "bad\\\\name\\x7f"};

static void build_report(struct ea_report *r)
{
    ea_report_init(r);
    r->tool_version = "0.1.0-test";

    struct ea_input *in = ea_report_add_input(r);
    assert_non_null(in);
    str_set(&in->path, "run1.pcap", 9);
    in->linktype = 1;
    str_set(&in->linktype_name, "EN10MB", 6);
    in->packets = 1234;
    in->truncated = true;
    in->truncated_offset = 98765;
    r->truncated = true;

    for (size_t i = 0; i < N_CONNS; i++) {
        const struct conn_row *w = &conn_rows[i];
        struct ea_conn *c = ea_report_add_conn(r);
        assert_non_null(c);
        c->src = addr(w->src);
        c->dst = addr(w->dst);
        c->sport = w->sport;
        c->dport = w->dport;
        c->transport = w->transport;
        if (w->name)
            str_set(&c->name, w->name, w->name_len ? w->name_len : strlen(w->name));
        c->name_source = w->source;
        c->outcome = w->outcome;
        assert_true(ea_outcome_why_parse(w->why, strlen(w->why), &c->outcome_why));
        c->flags = w->flags;
        c->first = (struct timeval){w->sec, w->usec};
        c->last = (struct timeval){w->sec + 1, w->usec};
        c->pkts_out = 3;
        c->pkts_in = 2;
        c->bytes_out = w->bytes_out;
        c->bytes_in = w->bytes_in;
        c->tls_version = w->tls_version;
        c->http_status = w->http_status;
        if (w->http_status)
            str_set(&c->http_method, "GET", 3);
        if (w->tls_version)
            str_set(&c->alpn, "h2", 2);
        size_t n = 0;
        while (n < 3 && w->chain[n])
            n++;
        if (n) {
            c->has_resolved = true;
            c->resolved.names = calloc(n, sizeof *c->resolved.names);
            assert_non_null(c->resolved.names);
            for (size_t k = 0; k < n; k++)
                str_set(&c->resolved.names[k], w->chain[k], strlen(w->chain[k]));
            c->resolved.n_names = n;
        }
    }

    for (size_t i = 0; i < N_DNS; i++) {
        const struct dns_row *w = &dns_rows[i];
        struct ea_dns *d = ea_report_add_dns(r);
        assert_non_null(d);
        assert_int_equal(d->rcode, -1);
        str_set(&d->qname, w->qname, w->qlen ? w->qlen : strlen(w->qname));
        d->qtype = w->qtype;
        d->rcode = w->rcode;
        d->n_queries = w->queries;
        d->n_responses = w->responses;
        d->over_udp = w->udp;
        d->over_tcp = w->tcp;
        d->first = (struct timeval){w->sec, 0};
        d->last = (struct timeval){w->sec, 5000};
        size_t n = 0;
        while (n < 3 && w->answers[n].owner)
            n++;
        if (n) {
            d->answers = calloc(n, sizeof *d->answers);
            assert_non_null(d->answers);
            for (size_t k = 0; k < n; k++) {
                d->answers[k].type = w->answers[k].type;
                d->answers[k].ttl = 300;
                str_set(&d->answers[k].owner, w->answers[k].owner, strlen(w->answers[k].owner));
                str_set(&d->answers[k].data, w->answers[k].data, strlen(w->answers[k].data));
            }
            d->n_answers = n;
        }
    }

    r->counters[EA_C_PACKETS] = 1234;
    r->counters[EA_C_IP_FRAGMENTS] = 3;
    r->counters[EA_C_FLOWS] = 9;
    r->first = (struct timeval){98, 0};
    r->last = (struct timeval){110, 250000};
    r->have_time = true;

    assert_true(ea_report_finalize(r));
}

/* ---- escaping ---- */

struct escape_case {
    const char *in;
    size_t len;
    const char *out;
};

static const struct escape_case escape_cases[] = {
    {"", 0, ""},
    {"abc", 3, "abc"},
    {" ~", 2, " ~"},
    {"a\\b", 3, "a\\\\b"},
    {"\\", 1, "\\\\"},
    {"\0", 1, "\\x00"},
    {"a\0b", 3, "a\\x00b"},
    {"\x1f", 1, "\\x1f"},
    {"\n\t\r", 3, "\\x0a\\x09\\x0d"},
    {"\x7f", 1, "\\x7f"},
    {"\x80\xff", 2, "\\x80\\xff"},
    {"\xc3\xa9t\xc3\xa9", 5, "\\xc3\\xa9t\\xc3\\xa9"},
    {"\x1b[2J", 4, "\\x1b[2J"},
    {"\\x41", 4, "\\\\x41"}, /* a literal "\x41" stays distinguishable */
    {NULL, 0, NULL},
};

static void test_escape_table(void **state)
{
    (void)state;
    for (const struct escape_case *c = escape_cases; c->in; c++) {
        size_t want = strlen(c->out);
        char buf[64];
        assert_int_equal(ea_escape(c->in, c->len, NULL, 0), want);
        assert_int_equal(ea_escape(c->in, c->len, buf, sizeof buf), want);
        assert_string_equal(buf, c->out);

        size_t n = 99;
        char *d = ea_escape_dup(c->in, c->len, &n);
        assert_non_null(d);
        assert_int_equal(n, want);
        assert_string_equal(d, c->out);
        free(d);

        char *mem = NULL;
        size_t mlen = 0;
        FILE *f = open_memstream(&mem, &mlen);
        assert_non_null(f);
        assert_int_equal(ea_escape_fwrite(c->in, c->len, f), 0);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(mlen, want);
        assert_memory_equal(mem, c->out, want);
        free(mem);
    }
    assert_int_equal(ea_escape(NULL, 0, NULL, 0), 0);
}

static void test_escape_small_buffers(void **state)
{
    (void)state;
    char buf[16];

    memset(buf, 'Z', sizeof buf);
    assert_int_equal(ea_escape("ab", 2, buf, 0), 2);
    assert_int_equal(buf[0], 'Z'); /* outsz 0 writes nothing */

    assert_int_equal(ea_escape("ab", 2, buf, 1), 2);
    assert_string_equal(buf, "");

    /* exact fit: need + 1 */
    assert_int_equal(ea_escape("ab\x01", 3, buf, 7), 6);
    assert_string_equal(buf, "ab\\x01");
    /* one short: the escape is not split, it is left out whole */
    for (size_t sz = 3; sz <= 6; sz++) {
        memset(buf, 'Z', sizeof buf);
        assert_int_equal(ea_escape("ab\x01", 3, buf, sz), 6);
        assert_string_equal(buf, "ab");
    }
    assert_int_equal(ea_escape("ab\x01", 3, buf, 2), 6);
    assert_string_equal(buf, "a");
    /* nothing after the cut, even if it would fit */
    assert_int_equal(ea_escape("\x01z", 2, buf, 3), 5);
    assert_string_equal(buf, "");
    assert_int_equal(ea_escape("\\", 1, buf, 2), 2);
    assert_string_equal(buf, "");
}

/* Decode the safe text back to bytes (the test's own reading of the rule). */
static size_t unescape(const char *s, unsigned char *out)
{
    size_t n = 0;
    while (*s) {
        if (s[0] != '\\') {
            out[n++] = (unsigned char)*s++;
        } else if (s[1] == '\\') {
            out[n++] = '\\';
            s += 2;
        } else {
            assert_int_equal(s[1], 'x');
            char hex[3] = {s[2], s[3], 0};
            assert_true(strspn(hex, "0123456789abcdef") == 2);
            out[n++] = (unsigned char)strtoul(hex, NULL, 16);
            s += 4;
        }
    }
    return n;
}

static void test_escape_all_bytes(void **state)
{
    (void)state;
    char in[256];
    for (unsigned i = 0; i < 256; i++)
        in[i] = (char)i;
    /* 94 bytes kept, backslash doubled, 161 bytes as \xNN */
    const size_t need = 94 + 2 + 161 * 4;
    assert_int_equal(ea_escape(in, sizeof in, NULL, 0), need);

    char out[1024];
    assert_int_equal(ea_escape(in, sizeof in, out, sizeof out), need);
    assert_int_equal(strlen(out), need);
    for (size_t i = 0; i < need; i++)
        assert_true(out[i] >= 0x20 && out[i] <= 0x7e);
    unsigned char back[256];
    assert_int_equal(unescape(out, back), 256);
    assert_memory_equal(back, in, 256);

    /* Every buffer size gives the escape of some prefix of the input. */
    for (size_t sz = 1; sz <= need + 1; sz++) {
        char cut[1024];
        char ref[1024];
        assert_int_equal(ea_escape(in, sizeof in, cut, sz), need);
        size_t clen = strlen(cut);
        assert_true(clen < sz);
        size_t k = unescape(cut, back);
        assert_memory_equal(back, in, k);
        assert_int_equal(ea_escape(in, k, ref, sizeof ref), clen);
        assert_string_equal(cut, ref);
        if (sz == need + 1)
            assert_int_equal(k, 256);
    }
}

/* ---- the model ---- */

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
              {1 << 20, NULL},
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

    o = do_render_text(&r, false);
    assert_printable(&o);
    assert_non_null(strstr(o.buf, "HOSTS\n  (none)\n"));
    assert_non_null(strstr(o.buf, "\nflows: 0\n"));
    output_free(&o);

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

/* ---- JSON ---- */

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

/* ---- text ---- */

static void test_text_plain(void **state)
{
    (void)state;
    struct ea_report r;
    build_report(&r);
    struct output o = do_render_text(&r, false);
    assert_printable(&o);
    assert_null(memchr(o.buf, 0x1b, o.len));
    char line[1024];

    assert_non_null(strstr(line_starting(&o, "inputs: ", line, sizeof line),
                           "run1.pcap (EN10MB, 1234 packets)"));
    assert_non_null(
        strstr(line_starting(&o, "packets: 1234, ", line, sizeof line), "UTC (12.250 s)"));
    line_starting(&o, "warning: 'run1.pcap' ends inside a record at byte 98765", line, sizeof line);

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
                           "QUIC: FQDN rules cannot judge"));
    assert_non_null(strstr(line, "443/udp"));

    /* CONNECTIONS: relative times, chains, "-" for no name */
    line_starting(&o, " TIME  ", line, sizeof line); /* right-aligned like its cells */
    assert_non_null(strstr(line, "SOURCE"));
    assert_non_null(strstr(line, "RESOLVED AS / NOTES"));
    assert_non_null(strstr(o.buf, "10.0.0.4:40000  ->  9.9.9.9:53"));
    assert_non_null(strstr(o.buf, "cdn-lfs.huggingface.co -> d1x.cloudfront.net"));
    assert_non_null(strstr(o.buf, "CDN-LFS.huggingface.co -> d1x.cloudfront.net"));
    assert_non_null(strstr(o.buf, "[2001:db8::1]:50010  ->  [2001:db8::53]:443"));
    assert_non_null(strstr(line_starting(&o, "1.000 ", line, sizeof line), " 9.9.9.9:53 "));
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
    assert_non_null(strstr(line_starting(&o, "lost.example ", line, sizeof line), "no response"));
    assert_non_null(strstr(line_starting(&o, "cdn-lfs.huggingface.co ", line, sizeof line),
                           "CNAME d1x.cloudfront.net, 18.1.2.3"));
    assert_non_null(strstr(line_starting(&o, "nx.example ", line, sizeof line), "NXDOMAIN"));
    assert_non_null(strstr(line_starting(&o, "bad\\\\name\\x7f ", line, sizeof line), "TYPE999"));
    assert_non_null(strstr(line, " 15 "));

    /* COUNTERS: the non-zero ones, and flows */
    assert_non_null(strstr(o.buf, "\nCOUNTERS\n"
                                  "packets:      1234\n"
                                  "ip_fragments: 3\n"
                                  "flows:        9\n"));
    assert_null(strstr(o.buf, "dns_malformed"));
    assert_int_equal(o.buf[o.len - 1], '\n');

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
    assert_non_null(strstr(o.buf, EVIL_SAFE));
    assert_null(strstr(o.buf, "\x1b[31mevil"));
    output_free(&o);
    ea_report_finish(&r);
}

/* Every byte value in a name, a DNS query and a path: the output stays
 * printable ASCII, and the JSON text decodes back to the bytes. */
static void test_render_all_bytes(void **state)
{
    (void)state;
    char all[256];
    for (unsigned i = 0; i < 256; i++)
        all[i] = (char)i;
    struct ea_report r;
    ea_report_init(&r);
    struct ea_input *in = ea_report_add_input(&r);
    assert_non_null(in);
    str_set(&in->path, all, sizeof all);
    struct ea_conn *c = ea_report_add_conn(&r);
    assert_non_null(c);
    c->src = addr("10.0.0.1");
    c->dst = addr("10.0.0.2");
    c->transport = EA_TCP;
    c->dport = 443;
    c->name_source = EA_NAME_SNI;
    str_set(&c->name, all, sizeof all);
    str_set(&c->alpn, all + 250, 6);
    struct ea_dns *d = ea_report_add_dns(&r);
    assert_non_null(d);
    str_set(&d->qname, all, sizeof all);
    assert_true(ea_report_finalize(&r));

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

    o = do_render_text(&r, false);
    assert_printable(&o);
    output_free(&o);
    o = do_render_text(&r, true);
    for (size_t i = 0; i < o.len; i++)
        assert_true(o.buf[i] == '\n' || o.buf[i] == 0x1b ||
                    ((unsigned char)o.buf[i] >= 0x20 && (unsigned char)o.buf[i] < 0x7f));
    output_free(&o);
    ea_report_finish(&r);
}

static void test_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    struct ea_report r;
    build_report(&r);
    assert_int_equal(render_json(&r, f), -1);
    clearerr(f);
    assert_int_equal(render_text(&r, f, false), -1);
    fclose(f);
    ea_report_finish(&r);
}

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

static void str_cset(struct ea_str *s, const char *p)
{
    if (p)
        str_set(s, p, strlen(p));
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
    static const char *const top[] = {"schema",      "tool",     "inputs",       "truncated",
                                      "snaplen_cut", "time",     "hosts",        "connections",
                                      "dns",         "rules",    "unused_rules", "inactive_rules",
                                      "near_misses", "verdicts", "remediation",  "stats"};
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
    static const char *const rule_keys[] = {
        "kind", "destination", "name",      "origin", "category", "status",         "active",
        "form", "service_tag", "addresses", "ports",  "protocol", "hosts_permitted"};
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
    assert_int_equal(json_object_size(rem), 2);
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

    /* hosts and connections: verdict, rule, verdict_why at the end */
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
            size_t n = json_object_size(e);
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

static void test_policy_text(void **state)
{
    (void)state;
    struct ea_report r;
    build_policy_report(&r);
    struct output o = do_render_text(&r, false);
    assert_printable(&o);
    assert_null(memchr(o.buf, 0x1b, o.len));
    char line[2048];

    /* HOSTS: VERDICT after OUTCOME, then RULE */
    line_starting(&o, "HOST ", line, sizeof line);
    const char *outcome = strstr(line, "  OUTCOME  ");
    const char *verdict = strstr(line, "  VERDICT  ");
    const char *rule = strstr(line, "  RULE  ");
    const char *conns = strstr(line, "  CONNS");
    assert_true(outcome && verdict && rule && conns);
    assert_true(outcome < verdict && verdict < rule && rule < conns);
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
        assert_true(at_col(line, r_at)[strlen(w->rule_cell)] == ' ');
    }

    /* CONNECTIONS: VERDICT after WHY */
    line_starting(&o, "  TIME ", line, sizeof line);
    const char *why = strstr(line, "  WHY  ");
    verdict = strstr(line, "  VERDICT  ");
    assert_true(why && verdict && why < verdict);
    v_at = (size_t)(verdict - line) + 2;
    line_containing(&o, "10.0.0.4:40002  ->  20.2.0.3:443", line, sizeof line);
    assert_true(strncmp(at_col(line, v_at), "denied ", 7) == 0);
    line_containing(&o, "10.0.0.4:40011  ->  52.1.1.1:443", line, sizeof line);
    assert_true(strncmp(at_col(line, v_at), "infrastructure? ", 16) == 0);

    /* POLICY, after COUNTERS */
    const char *counters = strstr(o.buf, "\nCOUNTERS\n");
    const char *policy = strstr(o.buf, "\nPOLICY\n");
    const char *to_add = strstr(o.buf, "\nTO ADD\n");
    assert_true(counters && policy && to_add && counters < policy && policy < to_add);
    char want[1024];
    snprintf(want, sizeof want,
             "\nPOLICY\n"
             "verdicts: %u allowed, %u denied, %u port-not-coverable, %u no-name, "
             "%u infrastructure, %u infrastructure?\n"
             "rules loaded: %zu (from: profile huggingface, profile curated, rules.txt, "
             "ws.yml, " EVIL_SAFE ")\n"
             "unused rules (candidates to remove): *.anaconda.org (profile curated), docker.io "
             "(profile huggingface), [2001:db8:aa::/48]:53/udp (rules.txt:8)\n"
             "inactive rules (permit nothing): * (rules.txt:4), " EVIL_SAFE " (" EVIL_ORIGIN_SAFE
             ")\n"
             "near misses:\n",
             (unsigned)vcount(EA_V_ALLOWED), (unsigned)vcount(EA_V_DENIED),
             (unsigned)vcount(EA_V_PORT), (unsigned)vcount(EA_V_NO_NAME),
             (unsigned)vcount(EA_V_INFRA), (unsigned)vcount(EA_V_INFRA_MAYBE), N_RULES);
    if (strncmp(policy, want, strlen(want)) != 0)
        fail_msg("POLICY is:\n%s\nwant:\n%s", policy, want);
    const char *p = policy + strlen(want);
    for (size_t i = 0; i < N_NEAR; i++) {
        snprintf(want, sizeof want, "  %s\n", near_rows[i].text);
        if (strncmp(p, want, strlen(want)) != 0)
            fail_msg("near miss %zu is:\n%s\nwant:\n%s", i, p, want);
        p += strlen(want);
    }
    assert_ptr_equal(p, to_add); /* a blank line, then the title */

    /* TO ADD: one line per remedy, the wildcard marked, then the az lines */
    p = to_add + strlen("\nTO ADD\n");
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
        assert_true(strncmp(line, w->dest, strlen(w->dest)) == 0);
        assert_true(strncmp(line + dest_w + 2, w->rule_name, strlen(w->rule_name)) == 0);
        const char *cov = line + dest_w + 2 + name_w + 2;
        assert_true(strncmp(cov, "covers: ", 8) == 0);
        assert_true(strncmp(cov + 8, w->covers[0], strlen(w->covers[0])) == 0);
        if (w->covers[1]) {
            snprintf(want, sizeof want, "%s, %s", w->covers[0], w->covers[1]);
            assert_non_null(strstr(cov, want));
        }
        const char *mark = strstr(line, "(suggestion, instead of the exact rules it covers)");
        assert_true(w->wildcard ? mark != NULL : mark == NULL);
        assert_true(line[strlen(line) - 1] != ' ');
        p = nl + 1;
    }
    assert_int_equal(*p, '\n');
    p++;
    /* the rest is emit_remedies(EMIT_AZ) with default options, to the end */
    struct output az = {0};
    FILE *f = open_memstream(&az.buf, &az.len);
    assert_non_null(f);
    struct emit_opts opts = {0};
    assert_int_equal(emit_remedies(&r, EMIT_AZ, &opts, f), 0);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(strlen(p), az.len);
    assert_memory_equal(p, az.buf, az.len);
    output_free(&az);

    output_free(&o);
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
        {"\x1b[32mallowed\x1b[0m"}, {"\x1b[32minfrastructure\x1b[0m"},
        {"\x1b[31mdenied\x1b[0m"},  {"\x1b[33mport-not-coverable\x1b[0m"},
        {"\x1b[33mno-name\x1b[0m"}, {"\x1b[33minfrastructure?\x1b[0m"},
        {"\x1b[1mPOLICY\x1b[0m\n"}, {"\x1b[1mTO ADD\x1b[0m\n"},
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
        assert_null(strstr(o.buf, "POLICY"));
        assert_null(strstr(o.buf, "TO ADD"));
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
    const char *policy = strstr(o.buf, "\nPOLICY\n");
    assert_non_null(policy);
    assert_string_equal(policy, "\nPOLICY\n"
                                "verdicts: none\n"
                                "rules loaded: 0\n"
                                "unused rules (candidates to remove): none\n"
                                "inactive rules (permit nothing): none\n"
                                "near misses: none\n"
                                "\n"
                                "TO ADD\n"
                                "  (none)\n");
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
    assert_int_equal(render_text(&r, f, false), -1);
    fclose(f);
    ea_report_finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_table),       cmocka_unit_test(test_escape_small_buffers),
        cmocka_unit_test(test_escape_all_bytes),   cmocka_unit_test(test_names),
        cmocka_unit_test(test_addr_text),          cmocka_unit_test(test_str),
        cmocka_unit_test(test_growth_and_finish),  cmocka_unit_test(test_finalize_empty),
        cmocka_unit_test(test_model_sorted),       cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_times),         cmocka_unit_test(test_text_plain),
        cmocka_unit_test(test_text_color),         cmocka_unit_test(test_render_all_bytes),
        cmocka_unit_test(test_write_error),        cmocka_unit_test(test_policy_json),
        cmocka_unit_test(test_policy_text),        cmocka_unit_test(test_policy_color),
        cmocka_unit_test(test_policy_absent),      cmocka_unit_test(test_policy_empty),
        cmocka_unit_test(test_policy_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
