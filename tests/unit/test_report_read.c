/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The JSON report read back (report/report_read.c): good reports render to
 * the same bytes (JSON) and the same text after the round trip; malformed
 * ones, each beside a good one, are refused with one line naming the key.
 * Every input lies flush against a PROT_NONE page (guard.h).
 */
#include <errno.h>
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
#include "guard.h"
#include "model.h"
#include "policy.h"
#include "render.h"
#include "report_read.h"
#include "rules.h"

static bool dns_full; /* ea_report_dns_entry: the row cap was reached */

/* ---- helpers ---- */

struct output {
    char *buf;
    size_t len;
};

static struct output out_json(const struct ea_report *r)
{
    struct output o = {0};
    FILE *f = open_memstream(&o.buf, &o.len);
    assert_non_null(f);
    assert_int_equal(render_json(r, f), 0);
    assert_int_equal(fclose(f), 0);
    return o;
}

static struct output out_text(const struct ea_report *r, bool color)
{
    struct output o = {0};
    FILE *f = open_memstream(&o.buf, &o.len);
    assert_non_null(f);
    struct render_opts opts = {.color = color, .connections = true};
    assert_int_equal(render_text(r, f, &opts), 0);
    if (r->has_policy)
        assert_int_equal(emit_remedies(r, EMIT_YAML, NULL, f), 0);
    assert_int_equal(fclose(f), 0);
    return o;
}

static void assert_same(const struct output *a, const struct output *b, const char *what)
{
    if (a->len == b->len && memcmp(a->buf, b->buf, a->len) == 0)
        return;
    size_t i = 0;
    while (i < a->len && i < b->len && a->buf[i] == b->buf[i])
        i++;
    fail_msg("%s differs at byte %zu:\n--- before:\n%.200s\n--- after:\n%.200s", what, i,
             a->buf + (i > 80 ? i - 80 : 0), b->buf + (i > 80 ? i - 80 : 0));
}

/* Read len bytes of buf (copied flush against a guard page). */
static bool read_guarded(const char *buf, size_t len, struct ea_report *out, char *err,
                         size_t errlen)
{
    struct guarded g = {0};
    const uint8_t *p = guard_copy(&g, buf, len);
    bool ok = report_read_json_buffer((const char *)p, len, "t.json", out, err, errlen);
    int e = errno;
    guard_free(&g);
    errno = e;
    return ok;
}

static void str_set(struct ea_str *s, const char *p, size_t len)
{
    assert_true(ea_str_set(s, p, len));
}

static struct ea_addr addr(const char *text)
{
    struct ea_addr a;
    if (!ea_addr_parse(text, &a))
        fail_msg("bad address %s", text);
    return a;
}

/* ---- the good reports, built by hand ---- */

/* A terminal escape, BEL, UTF-8, 0xff, NUL, a backslash. */
static const char evil[] = "\x1b[31mevil\x07\xc3\xa9\xff\0x\\y";
#define EVIL_LEN (sizeof evil - 1)

struct conn_row {
    const char *dst;
    uint16_t dport;
    enum ea_transport transport;
    const char *name; /* NULL: none; "evil": the evil name */
    enum ea_name_source source;
    enum ea_outcome outcome;
    enum ea_outcome_why why;
    uint32_t flags;
    long sec, usec;
    const char *chain[3];
};

static const struct conn_row conn_rows[] = {
    {"20.1.1.1",
     443,
     EA_TCP,
     "huggingface.co",
     EA_NAME_SNI,
     EA_OUT_REACHED,
     EA_OW_SERVER_HELLO,
     EA_CF_TLS,
     100,
     123456,
     {"huggingface.co", NULL}},
    {"20.1.1.2",
     443,
     EA_TCP,
     "anaconda.org",
     EA_NAME_SNI,
     EA_OUT_DENIED,
     EA_OW_RESET_AFTER_HELLO,
     EA_CF_TLS,
     100,
     999999,
     {NULL}},
    {"20.1.1.3",
     443,
     EA_TCP,
     "registry-1.docker.io",
     EA_NAME_SNI,
     EA_OUT_DENIED,
     EA_OW_CLOSED_AFTER_HELLO,
     EA_CF_TLS,
     101,
     0,
     {NULL}},
    {"20.1.1.4",
     80,
     EA_TCP,
     "files.example",
     EA_NAME_HTTP_HOST,
     EA_OUT_DENIED,
     EA_OW_HTTP_470,
     EA_CF_HTTP,
     101,
     1,
     {NULL}},
    {"20.1.1.5",
     443,
     EA_TCP,
     "a.xethub.example",
     EA_NAME_SNI,
     EA_OUT_DENIED,
     EA_OW_TLS_ALERT,
     EA_CF_TLS | EA_CF_ECH,
     102,
     500000,
     {NULL}},
    {"2a00:1450::5",
     443,
     EA_TCP,
     "b.xethub.example",
     EA_NAME_SNI,
     EA_OUT_INCOMPLETE,
     EA_OW_NO_SERVER_HELLO,
     EA_CF_TLS,
     102,
     500001,
     {NULL}},
    {"10.1.2.3",
     443,
     EA_TCP,
     NULL,
     EA_NAME_NONE,
     EA_OUT_NO_ANSWER,
     EA_OW_NO_SYN_ANSWER,
     0,
     103,
     250000,
     {"cdn-lfs.huggingface.co", "d1x.cloudfront.net", NULL}},
    {"20.0.0.1",
     443,
     EA_TCP,
     NULL,
     EA_NAME_NONE,
     EA_OUT_UNKNOWN,
     EA_OW_MIDSTREAM,
     EA_CF_MIDSTREAM | EA_CF_TLS_NO_SNI,
     103,
     250000,
     {NULL}},
    {"2001:db8::53",
     443,
     EA_UDP,
     "quic.example",
     EA_NAME_QUIC_SNI,
     EA_OUT_REACHED,
     EA_OW_UDP_REPLY,
     EA_CF_QUIC,
     104,
     42,
     {NULL}},
    {"20.9.9.9",
     8443,
     EA_TCP,
     "evil",
     EA_NAME_SNI,
     EA_OUT_REFUSED,
     EA_OW_RESET_TO_SYN,
     EA_CF_TLS | EA_CF_PORT,
     105,
     0,
     {"evil", NULL}},
    {"20.1.1.1",
     443,
     EA_TCP,
     "HuggingFace.co",
     EA_NAME_SNI,
     EA_OUT_REACHED,
     EA_OW_SERVER_HELLO,
     EA_CF_TLS,
     106,
     7,
     {NULL}},
};
#define N_CONNS (sizeof conn_rows / sizeof conn_rows[0])

static void name_of(const char *name, const char **p, size_t *len)
{
    if (name && strcmp(name, "evil") == 0) {
        *p = evil;
        *len = EVIL_LEN;
    } else {
        *p = name;
        *len = name ? strlen(name) : 0;
    }
}

/* The capture's side: inputs, connections, DNS, hosts, counters. */
static void build_capture(struct ea_report *r)
{
    ea_report_init(r);
    r->tool_version = "0.1.0-test";
    struct ea_input *in = ea_report_add_input(r);
    assert_non_null(in);
    str_set(&in->path, "run\\1.pcap", 10);
    in->linktype = 276;
    str_set(&in->linktype_name, "LINUX_SLL2", 10);
    in->packets = 1234;
    in = ea_report_add_input(r);
    assert_non_null(in);
    str_set(&in->path, evil, EVIL_LEN);
    in->linktype = 1;
    in->packets = 7;
    in->truncated = true;
    in->truncated_offset = 98765;
    r->have_time = true;
    r->first = (struct timeval){99, 999999};
    r->last = (struct timeval){106, 500000};
    for (size_t i = 0; i < N_CONNS; i++) {
        const struct conn_row *w = &conn_rows[i];
        struct ea_conn *c = ea_report_add_conn(r);
        assert_non_null(c);
        c->src = addr(strchr(w->dst, ':') ? "2001:db8::1" : "10.0.0.4");
        c->sport = (uint16_t)(40000 + i);
        c->dst = addr(w->dst);
        c->dport = w->dport;
        c->transport = w->transport;
        const char *p;
        size_t len;
        name_of(w->name, &p, &len);
        if (p)
            str_set(&c->name, p, len);
        c->name_source = w->source;
        c->outcome = w->outcome;
        c->outcome_why = w->why;
        c->flags = w->flags;
        c->first = (struct timeval){w->sec, w->usec};
        c->last = (struct timeval){w->sec + 1, (w->usec + 1) % 1000000};
        c->pkts_out = 3 + i;
        c->pkts_in = i;
        c->bytes_out = 300 + i;
        c->bytes_in = 1000 * i;
        if (w->flags & EA_CF_TLS) {
            str_set(&c->alpn, "h2", 2);
            c->tls_version = w->outcome == EA_OUT_REACHED ? 0x0304 : 0;
        }
        if (w->flags & EA_CF_HTTP) {
            str_set(&c->http_method, "GET", 3);
            c->http_status = 470;
        }
        if (w->chain[0]) {
            size_t n = 0;
            while (n < 3 && w->chain[n])
                n++;
            c->has_resolved = true;
            c->resolved.names = calloc(n, sizeof *c->resolved.names);
            assert_non_null(c->resolved.names);
            for (size_t k = 0; k < n; k++) {
                name_of(w->chain[k], &p, &len);
                str_set(&c->resolved.names[k], p, len);
                c->resolved.n_names++;
            }
        }
    }
    struct timeval t = {100, 5};
    struct ea_dns *d = ea_report_dns_entry(r, "cdn-lfs.huggingface.co", 22, 1, &t, &dns_full);
    assert_non_null(d);
    assert_true(
        ea_dns_add_answer(d, 5, "cdn-lfs.huggingface.co", 22, "d1x.cloudfront.net", 18, 60));
    assert_true(ea_dns_add_answer(d, 1, "d1x.cloudfront.net", 18, "10.1.2.3", 8, 4294967295u));
    d->rcode = 0;
    d->n_queries = 2;
    d->n_responses = 2;
    d->over_udp = d->over_tcp = true;
    d->last = (struct timeval){100, 6};
    d = ea_report_dns_entry(r, evil, EVIL_LEN, 65, &t, &dns_full);
    assert_non_null(d);
    assert_true(ea_dns_add_answer(d, 65, evil, EVIL_LEN, "1 . alpn=h2", 11, 0));
    d->rcode = 3;
    d->n_queries = 1;
    d->n_responses = 1;
    d->over_udp = true;
    d->answers_dropped = true;
    d = ea_report_dns_entry(r, "lost.example", 12, 28, &t, &dns_full);
    assert_non_null(d);
    d->n_queries = 3;
    d->over_tcp = true;
    for (unsigned i = 0; i < EA_C__COUNT; i++)
        r->counters[i] = i * 3;
    r->counters[EA_C_PACKETS] = 1241;
    assert_true(ea_report_finalize(r));
    r->truncated = true;
}

static const char rules_text[] = "# test rules\n"
                                 "huggingface.co\n"
                                 "*.anaconda.org\n"
                                 "docker.io\n"
                                 "*.hf.co\n"
                                 "10.0.0.0/8:443,8000-8100/tcp\n"
                                 "2001:db8::/32\n"
                                 "tag:AzureMachineLearning:443/tcp\n"
                                 "huggingface.co\n";

static const char rules_json[] =
    "[{\"name\": \"allow-files\", \"type\": \"fqdn\", \"destination\": "
    "\"files.example\", \"status\": \"Inactive\", \"category\": "
    "\"user_defined\"}]";

/* The capture judged by rules of every kind: verdicts of every kind, near
 * misses of every kind, unused and Inactive rules, remedies. */
static void build_judged(struct ea_report *r)
{
    char err[512];
    build_capture(r);
    assert_true(rules_load_buffer(r, "rules.txt", rules_text, sizeof rules_text - 1, RULES_TEXT,
                                  NULL, err, sizeof err));
    assert_true(rules_load_buffer(r, "ws.json", rules_json, sizeof rules_json - 1, RULES_JSON, NULL,
                                  err, sizeof err));
    assert_true(policy_judge(r));
    assert_true(r->n_near_misses >= 3);
    assert_true(r->n_remedies >= 3);
}

/* An allowlist that holds no rule at all. */
static void build_empty_policy(struct ea_report *r)
{
    build_capture(r);
    assert_true(policy_judge(r));
}

/* Nothing: no input, no packet, no time, no version. */
static void build_empty(struct ea_report *r)
{
    ea_report_init(r);
    assert_true(ea_report_finalize(r));
}

/* Values without names (written as numbers), the edges of times and
 * ranges; a policy set by hand. */
static void build_odd(struct ea_report *r)
{
    ea_report_init(r);
    r->tool_version = "9.9";
    struct ea_conn *c = ea_report_add_conn(r);
    assert_non_null(c);
    c->dst = addr("::ffff:1.2.3.4");
    c->dport = 65535;
    c->transport = (enum ea_transport)132;
    str_set(&c->name, "", 0);
    c->name_source = (enum ea_name_source)7;
    c->outcome = (enum ea_outcome)9;
    c->flags = UINT32_C(1) << 20 | UINT32_C(1) << 31 | EA_CF_DNS;
    c->tls_version = 0x7f1c;
    c->http_status = 65535;
    c->first = (struct timeval){0, 1};
    c->last = (struct timeval){9999999999, 999999};
    c->bytes_out = (uint64_t)INT64_MAX;
    c->pkts_out = (uint64_t)INT64_MAX;
    c->has_resolved = true; /* an empty chain */
    c->verdict = (enum ea_verdict)42;
    c->rule = 1;
    c = ea_report_add_conn(r);
    assert_non_null(c);
    c->first = (struct timeval){-5, 250000};
    c->last = (struct timeval){4102444800, 999999};
    c->transport = EA_UDP;
    c->rule = 0;
    c->verdict_why = EA_VW_CIDR;
    struct timeval t = {1, 0};
    struct ea_dns *d = ea_report_dns_entry(r, "", 0, 999, &t, &dns_full);
    assert_non_null(d);
    d->rcode = 300;
    assert_true(ea_dns_add_answer(d, 4242, "", 0, "", 0, 1));
    d = ea_report_dns_entry(r, "x", 1, 0, &t, &dns_full);
    assert_non_null(d);
    d->rcode = 9;
    d->n_queries = UINT32_MAX;
    r->counters[EA_C_BYTES] = (uint64_t)INT64_MAX - 1;
    assert_true(ea_report_finalize(r));
    /* the policy, by hand */
    r->has_policy = true;
    struct ea_rule *rule = ea_report_add_rule(r);
    assert_non_null(rule);
    rule->kind = (enum ea_rule_kind)9;
    str_set(&rule->destination, "odd\\dest", 8);
    str_set(&rule->origin, "profile odd", 11);
    rule->form = (enum ea_fqdn_form)7;
    rule->protocol = 99;
    rule->hosts_permitted = (uint64_t)INT64_MAX;
    rule->inactive = true;
    rule->nets = calloc(2, sizeof *rule->nets);
    assert_non_null(rule->nets);
    rule->nets[0] = (struct ea_net){addr("0.0.0.0"), 0};
    rule->nets[1] = (struct ea_net){addr("2001:db8::"), 128};
    rule->n_nets = 2;
    rule->ports = calloc(2, sizeof *rule->ports);
    assert_non_null(rule->ports);
    rule->ports[0] = (struct ea_port_range){0, 65535};
    rule->ports[1] = (struct ea_port_range){7, 7};
    rule->n_ports = 2;
    rule = ea_report_add_rule(r);
    assert_non_null(rule);
    rule->kind = EA_RULE_FQDN;
    str_set(&rule->destination, evil, EVIL_LEN);
    str_set(&rule->name, evil, EVIL_LEN);
    str_set(&rule->origin, "odd.txt:1", 9);
    rule->form = EA_FQDN_SUFFIX;
    assert_true(ea_report_index_rules(r));
    r->unused_rules = calloc(2, sizeof *r->unused_rules);
    assert_non_null(r->unused_rules);
    r->unused_rules[0] = 1;
    r->unused_rules[1] = 1;
    r->n_unused_rules = 2;
    for (size_t i = 0; i < r->n_hosts; i++) {
        r->hosts[i].verdict = (enum ea_verdict)(i ? EA_V_DENIED : 42);
        r->hosts[i].rule = (long)i - 1;
        r->hosts[i].verdict_why = i ? EA_VW_INACTIVE_ONLY : EA_VW_NONE;
    }
    r->near_misses = calloc(1, sizeof *r->near_misses);
    assert_non_null(r->near_misses);
    r->near_misses[0] = (struct ea_near_miss){0, 1, (enum ea_near_kind)5};
    r->n_near_misses = 1;
    r->verdict_hosts[EA_V_DENIED] = UINT32_MAX;
    r->remedies = calloc(1, sizeof *r->remedies);
    assert_non_null(r->remedies);
    r->n_remedies = 1;
    str_set(&r->remedies[0].destination, evil, EVIL_LEN);
    str_set(&r->remedies[0].rule_name, "allow-evil", 10);
    r->remedies[0].wildcard = true;
}

/* Counts past INT64_MAX, written as reals of 16 digits: not exact (the
 * text report shows the difference), but the JSON reads back the same. */
static void build_huge(struct ea_report *r)
{
    build_judged(r);
    r->counters[EA_C_BYTES] = UINT64_MAX;
    r->counters[EA_C_WIRE_BYTES] = UINT64_MAX - 1;
    r->counters[EA_C_TCP] = (uint64_t)INT64_MAX + 1;
    r->counters[EA_C_UDP] = (uint64_t)INT64_MAX + 4097;
    r->inputs[0].packets = UINT64_MAX;
    r->rules[0].hosts_permitted = UINT64_MAX / 3;
    r->conns[0].bytes_out = UINT64_MAX;
    r->hosts[0].bytes_in = (uint64_t)1 << 63;
}

/* A union of two reports, with what changed from the judged one. */
static void build_union_diff(struct ea_report *r)
{
    struct ea_report a, b;
    build_capture(&a);
    build_judged(&b);
    assert_true(ea_report_derive(&b));
    ea_report_init(r);
    const struct ea_report *srcs[] = {&a, &b};
    const char *paths[] = {"a.json", evil};
    assert_true(ea_report_union(r, srcs, paths, 2));
    assert_true(ea_report_diff(r, &b, "old\\.json"));
    assert_int_equal(r->n_runs, 2);
    ea_report_finish(&a);
    ea_report_finish(&b);
}

typedef void (*build_fn)(struct ea_report *r);

/* ---- good reports: the same bytes, the same text ---- */

static void round_trip(build_fn build, bool json_only)
{
    struct ea_report a, b;
    char err[512] = "";
    build(&a);
    assert_true(ea_report_derive(&a)); /* policies set by hand: their findings */
    struct output ja = out_json(&a);
    memset(&b, 0, sizeof b);
    if (!read_guarded(ja.buf, ja.len, &b, err, sizeof err))
        fail_msg("refused: %s\n%s", err, ja.buf);
    assert_true(b.hosts_counted);
    assert_int_equal(b.has_policy, a.has_policy);
    assert_int_equal(b.unreached_hosts, a.unreached_hosts);
    struct output jb = out_json(&b);
    assert_same(&ja, &jb, "JSON");
    for (int color = 0; color < 2 && !json_only; color++) {
        struct output ta = out_text(&a, color), tb = out_text(&b, color);
        assert_same(&ta, &tb, "text");
        free(ta.buf);
        free(tb.buf);
    }
    /* finalize is not needed, and does no harm */
    assert_true(ea_report_finalize(&b));
    struct output jc = out_json(&b);
    assert_same(&ja, &jc, "JSON after finalize");
    free(ja.buf);
    free(jb.buf);
    free(jc.buf);
    ea_report_finish(&a);
    ea_report_finish(&b);
}

static void test_round_trip(void **state)
{
    (void)state;
    static const build_fn builds[] = {build_capture, build_judged, build_empty_policy,
                                      build_empty,   build_odd,    build_union_diff,
                                      NULL};
    for (size_t i = 0; builds[i]; i++)
        round_trip(builds[i], false);
    round_trip(build_huge, true);
}

/* Times: back to the same timeval, rounded (not truncated). */
static void test_times(void **state)
{
    (void)state;
    static const struct timeval times[] = {
        {0, 0},
        {0, 1},
        {0, 999999},
        {1, 500000},
        {-1, 999999},
        {-5, 1},
        {1714564800, 123456},
        {1714564800, 999999},
        /* 2^33 - 1 (2242): past it a double's step is more than a microsecond */
        {2147483647, 7},
        {4102444800, 1},
        {8589934591, 999999},
        {1418145369, 999999},
        {1000000, 100},
        {123456789, 1001},
        {-1, 0},
    };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        struct ea_report a, b;
        char err[512];
        ea_report_init(&a);
        a.have_time = true;
        a.first = a.last = times[i];
        struct output o = out_json(&a);
        assert_true(read_guarded(o.buf, o.len, &b, err, sizeof err));
        if (b.first.tv_sec != times[i].tv_sec || b.first.tv_usec != times[i].tv_usec)
            fail_msg("%lld.%06ld read back as %lld.%06ld", (long long)times[i].tv_sec,
                     (long)times[i].tv_usec, (long long)b.first.tv_sec, (long)b.first.tv_usec);
        free(o.buf);
        ea_report_finish(&a);
        ea_report_finish(&b);
    }
}

/* ---- variations of a good report that read back the same ---- */

static struct output json_of(build_fn build)
{
    struct ea_report r;
    build(&r);
    assert_true(ea_report_derive(&r));
    struct output o = out_json(&r);
    ea_report_finish(&r);
    return o;
}

static json_t *tree_of(const struct output *o)
{
    json_error_t e;
    json_t *j = json_loadb(o->buf, o->len, 0, &e);
    if (!j)
        fail_msg("json: %s", e.text);
    return j;
}

static struct output dump(const json_t *j, size_t flags)
{
    struct output o = {0};
    o.buf = json_dumps(j, flags | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17));
    assert_non_null(o.buf);
    o.len = strlen(o.buf);
    return o;
}

/* Sorted keys (jq -S), no indentation, keys this reader does not know, and
 * a counter of a later version: the same report. */
static void test_same_report(void **state)
{
    (void)state;
    struct output want = json_of(build_judged);
    json_t *j = tree_of(&want);
    json_object_set_new(j, "future", json_pack("{s:[i,{s:n}]}", "x", 1, "y"));
    json_object_set_new(json_array_get(json_object_get(j, "hosts"), 0), "future", json_true());
    json_object_set_new(json_object_get(json_object_get(j, "stats"), "counters"), "later",
                        json_integer(5));
    static const size_t flags[] = {JSON_SORT_KEYS | JSON_INDENT(1), JSON_COMPACT, 0};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        struct output in = dump(j, flags[i]);
        struct ea_report r;
        char err[512];
        if (!read_guarded(in.buf, in.len, &r, err, sizeof err))
            fail_msg("refused: %s", err);
        struct output got = out_json(&r);
        assert_same(&want, &got, "JSON");
        free(in.buf);
        free(got.buf);
        ea_report_finish(&r);
    }
    json_decref(j);
    free(want.buf);
}

/* The golden reports of the sample capture (tests/e2e/golden), when the
 * source tree is there: read from a FILE, written again, the same bytes. */
static void test_golden(void **state)
{
    (void)state;
    static const char *const files[] = {
        "hf-deploy/report.json",
        "hf-deploy/policy/format-arm-json.json",
        "hf-deploy/policy/format-az-json.json",
        "hf-deploy/policy/format-text.json",
        "hf-deploy/policy/format-yaml-list.json",
        "hf-deploy/policy/format-yaml-map.json",
        "hf-deploy/policy/profile-meta+aml-default.json",
        NULL,
    };
    const char *src = getenv("EA_SRC");
    if (!src)
        skip();
    for (size_t i = 0; files[i]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/tests/e2e/golden/%s", src, files[i]);
        FILE *f = fopen(path, "r");
        if (!f)
            fail_msg("cannot open %s", path);
        struct ea_report r;
        char err[512];
        if (!report_read_json(f, path, &r, err, sizeof err))
            fail_msg("%s", err);
        assert_int_equal(fseek(f, 0, SEEK_SET), 0);
        struct output want = {0};
        FILE *m = open_memstream(&want.buf, &want.len);
        assert_non_null(m);
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            fwrite(chunk, 1, n, m);
        assert_int_equal(fclose(m), 0);
        fclose(f);
        struct output got = out_json(&r);
        assert_same(&want, &got, files[i]);
        free(want.buf);
        free(got.buf);
        ea_report_finish(&r);
    }
}

/* ---- malformed reports ---- */

enum base { B_JUDGED = 0, B_CAPTURE, B_RAW, B__COUNT };

struct bad_row {
    enum base base;
    /* a tree edit: set the value at path ("hosts.0.port") to the JSON text
     * value (NULL: delete the key) ... */
    const char *path;
    const char *value;
    /* ... or a text edit: the first find replaced (B_RAW: value is the input) */
    const char *find;
    /* err after "'t.json': "; a trailing '*' matches any rest */
    const char *expect;
};

#define DEEP "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["

static const struct bad_row bad_rows[] = {
    /* not JSON, not a report */
    {B_RAW, NULL, "", NULL, "not JSON: unexpected token near end of file at line 1 column 0"},
    {B_RAW, NULL, "hello", NULL, "not JSON: invalid token near 'hello' at line 1 column 5"},
    {B_RAW, NULL, "  \n[1, 2]", NULL, "not an egress-audit report (a JSON array, not an object)"},
    {B_RAW, NULL, "\"report\"", NULL, "not an egress-audit report (not a JSON object)"},
    {B_RAW, NULL, "{}", NULL, "not an egress-audit report (no \"schema\")"},
    {B_RAW, NULL, "{\"schema\": 1", NULL, "not JSON: unexpected end of input at line 1 column 12"},
    {B_RAW, NULL, "{\"schema\": 1,}", NULL, "not JSON: string or '}' expected at line 1 column 14"},
    {B_RAW, NULL, "{\"schema\" 1}", NULL, "not JSON: ':' expected at line 1 column 11"},
    {B_RAW, NULL, "{\"schema\": 1 \"tool\": 2}", NULL,
     "not JSON: ',' or '}' expected at line 1 column 14"},
    {B_RAW, NULL, "{\"schema\": 1}\n}", NULL, "not JSON: end of file expected at line 2 column 1"},
    {B_RAW, NULL, "{\"schema\": 1, \"schema\": 1}", NULL,
     "not JSON: duplicate object key at line 1 column 22"},
    {B_RAW, NULL, "{\"schema\": [1, 2}", NULL,
     "not JSON: ']' expected near '}' at line 1 column 17"},
    {B_RAW, NULL, "{\"schema\": \"\\u0000\"}", NULL, "not JSON: \\\\u0000 is not allowed*"},
    {B_RAW, NULL,
     "{\"x\": " DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP
         DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP "}",
     NULL, "not JSON: maximum parsing depth reached*"},
    {B_RAW, NULL,
     "{\"schema\": 1, \"hosts\": [" DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP
         DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP DEEP "]}",
     NULL, "not JSON: maximum parsing depth reached*"},
    {B_RAW, NULL, "{\"hosts\": [{\"a\": 1]}], \"schema\": 2}", NULL,
     "not JSON: '}' expected near ']' at line 1 column 19"},
    {B_RAW, NULL, "{\"hosts\": [1, 2", NULL,
     "not JSON: unexpected end of input at line 1 column 15"},
    {B_RAW, NULL, "{\"hosts\": [\"]\\\"\", 2] x}", NULL,
     "not JSON: ',' or '}' expected at line 1 column 22"},
    {B_JUDGED, NULL, "\"schema\": 1, \"schema\": 1,", "\"schema\": 1,",
     "not JSON: duplicate object key at line 2 column 23"},
    {B_JUDGED, NULL, "\"bytes_in\": 1, \"bytes_in\":", "\"bytes_in\":",
     "not JSON: duplicate object key near '\"bytes_in\"'*"},
    {B_JUDGED, NULL, "\"stats\": {,", "\"stats\": {", "not JSON: string or '}' expected near ','*"},
    /* the schema */
    {B_JUDGED, "schema", NULL, NULL, "not an egress-audit report (no \"schema\")"},
    {B_JUDGED, "schema", "2", NULL, "schema 2 is newer than this egress-audit reads (1)"},
    {B_JUDGED, "schema", "\"1\"", NULL, "schema: expected an integer, found a string"},
    {B_JUDGED, "schema", "1.0", NULL, "schema: expected an integer, found a real"},
    {B_JUDGED, "schema", "0", NULL, "schema 0 is not one this egress-audit reads (1)"},
    {B_JUDGED, "tool.name", "\"tcpdump\"", NULL,
     "not an egress-audit report (tool.name is 'tcpdump')"},
    /* each top-level key: missing, of the wrong type */
    {B_JUDGED, "tool", NULL, NULL, "no \"tool\""},
    {B_JUDGED, "tool", "\"x\"", NULL, "tool: expected an object, found a string"},
    {B_JUDGED, "tool.version", "5", NULL,
     "tool.version: expected a string or null, found an integer"},
    {B_JUDGED, "inputs", "{}", NULL, "inputs: expected an array, found an object"},
    {B_JUDGED, "truncated", "1", NULL, "truncated: expected a boolean, found an integer"},
    {B_JUDGED, "time", "\"x\"", NULL, "time: expected an object or null, found a string"},
    {B_CAPTURE, "time", NULL, NULL, "no \"time\""},
    {B_JUDGED, "hosts", "{}", NULL, "hosts: expected an array, found an object"},
    {B_JUDGED, "hosts", NULL, NULL, "no \"hosts\""},
    {B_JUDGED, "connections", "\"x\"", NULL, "connections: expected an array, found a string"},
    {B_JUDGED, "dns", "null", NULL, "dns: expected an array, found null"},
    {B_JUDGED, "rules", "{}", NULL, "rules: expected an array, found an object"},
    {B_JUDGED, "unused_rules", "1", NULL, "unused_rules: expected an array, found an integer"},
    {B_JUDGED, "inactive_rules", "true", NULL,
     "inactive_rules: expected an array, found a boolean"},
    {B_JUDGED, "near_misses", "{}", NULL, "near_misses: expected an array, found an object"},
    {B_JUDGED, "verdicts", "[]", NULL, "verdicts: expected an object, found an array"},
    {B_JUDGED, "verdicts", NULL, NULL, "no \"verdicts\""},
    {B_JUDGED, "remediation", "[]", NULL, "remediation: expected an object, found an array"},
    {B_JUDGED, "remediation.add", NULL, NULL, "remediation: no \"add\""},
    {B_JUDGED, "stats", "[]", NULL, "stats: expected an object, found an array"},
    {B_JUDGED, "stats", NULL, NULL, "no \"stats\""},
    {B_JUDGED, "stats.counters", "3", NULL, "stats.counters: expected an object, found an integer"},
    {B_JUDGED, "stats.counters.flows", "-1", NULL, "stats.counters.flows: negative: -1"},
    /* elements */
    {B_JUDGED, "inputs.0", "[]", NULL, "inputs[0]: expected an object, found an array"},
    {B_JUDGED, "inputs.1.linktype", "\"x\"", NULL,
     "inputs[1].linktype: expected an integer, found a string"},
    {B_JUDGED, "inputs.0.linktype", "4294967296", NULL,
     "inputs[0].linktype: 4294967296 is not in [-2147483648, 2147483647]"},
    {B_JUDGED, "inputs.0.packets", "-1", NULL, "inputs[0].packets: negative: -1"},
    {B_JUDGED, "inputs.0.packets", "1.5", NULL,
     "inputs[0].packets: expected an integer, found the real 1.5"},
    {B_JUDGED, "inputs.1.truncated_offset", NULL, NULL, "inputs[1]: no \"truncated_offset\""},
    {B_JUDGED, "time.first", "\"x\"", NULL,
     "time.first: expected a number (seconds), found a string"},
    {B_JUDGED, "time.last", "1e300", NULL, "time.last: 1.0000000000000001e+300 is not a time"},
    {B_JUDGED, "hosts.0", "7", NULL, "hosts[0]: expected an object, found an integer"},
    {B_JUDGED, "hosts.0.port", NULL, NULL, "hosts[0]: no \"port\""},
    {B_JUDGED, "hosts.0.port", "\"443\"", NULL,
     "hosts[0].port: expected an integer, found a string"},
    {B_JUDGED, "hosts.0.port", "65536", NULL, "hosts[0].port: 65536 is more than 65535"},
    {B_JUDGED, "hosts.1.name", "1", NULL,
     "hosts[1].name: expected a string or null, found an integer"},
    {B_JUDGED, "hosts.0.outcomes", "[]", NULL,
     "hosts[0].outcomes: expected an object, found an array"},
    {B_JUDGED, "hosts.0.outcomes", "{\"lost\": 1}", NULL,
     "hosts[0].outcomes: unknown value 'lost'"},
    {B_JUDGED, "hosts.0.outcomes", "{\"denied\": 4294967296}", NULL,
     "hosts[0].outcomes.denied: 4294967296 is more than 4294967295"},
    {B_JUDGED, "hosts.2.transport", "\"sctp\"", NULL, "hosts[2].transport: unknown value 'sctp'"},
    {B_JUDGED, "hosts.2.transport", "256", NULL, "hosts[2].transport: 256 is not in [0, 255]"},
    {B_JUDGED, "hosts.2.flags", "[\"tls\", \"bogus\"]", NULL,
     "hosts[2].flags[1]: unknown value 'bogus'"},
    {B_JUDGED, "hosts.2.flags", "[3]", NULL, "hosts[2].flags[0]: 3 is not a single flag bit"},
    {B_JUDGED, "hosts.2.flags", "\"tls\"", NULL,
     "hosts[2].flags: expected an array, found a string"},
    {B_JUDGED, "hosts.2.verdict", "\"maybe\"", NULL, "hosts[2].verdict: unknown value 'maybe'"},
    {B_JUDGED, "hosts.2.verdict_why", "3", NULL,
     "hosts[2].verdict_why: expected a string or null, found an integer"},
    {B_JUDGED, "hosts.2.verdict_why", "\"because\"", NULL,
     "hosts[2].verdict_why: unknown value 'because'"},
    {B_JUDGED, "hosts.2.rule", NULL, NULL, "hosts[2]: no \"rule\""},
    {B_JUDGED, "hosts.2.rule", "{\"pattern\": \"nope\", \"origin\": \"x\", \"kind\": \"fqdn\"}",
     NULL, "hosts[2].rule: names no rule of \"rules\" ('nope' from 'x')"},
    {B_JUDGED, "hosts.2.rule",
     "{\"pattern\": \"huggingface.co\", \"origin\": \"rules.txt:2\", \"kind\": \"cidr\"}", NULL,
     "hosts[2].rule: \"kind\" is not the kind of the rule it names"},
    {B_JUDGED, "hosts.2.rule", "{\"pattern\": \"huggingface.co\", \"kind\": \"fqdn\"}", NULL,
     "hosts[2].rule: no \"origin\""},
    {B_JUDGED, "hosts.2.rule", "[]", NULL, "hosts[2].rule: expected an object, found an array"},
    {B_JUDGED, "hosts.0.first", "null", NULL,
     "hosts[0].first: expected a number (seconds), found null"},
    {B_JUDGED, "hosts.0.bytes_out", "18446744073709551616.5e10", NULL,
     "hosts[0].bytes_out: expected an integer, found the real 1.8446744073709552e+29"},
    {B_JUDGED, "connections.3.outcome", "\"foo\"", NULL,
     "connections[3].outcome: unknown value 'foo'"},
    {B_JUDGED, "connections.3.outcome", "1.5", NULL,
     "connections[3].outcome: expected a name or a number, found a real"},
    {B_JUDGED, "connections.0.outcome_why", "\"because\"", NULL,
     "connections[0].outcome_why: unknown value 'because'"},
    {B_JUDGED, "connections.0.name_source", "\"dns\"", NULL,
     "connections[0].name_source: unknown value 'dns'"},
    /* keys schema 1 gained later: optional, but checked when present */
    {B_JUDGED, "hosts.0.service", "7", NULL,
     "hosts[0].service: expected an object or null, found an integer"},
    {B_JUDGED, "hosts.0.service", "{\"name\": \"x\"}", NULL, "hosts[0].service: no \"role\""},
    {B_JUDGED, "hosts.0.known_in", "\"x\"", NULL,
     "hosts[0].known_in: expected an array, found a string"},
    {B_JUDGED, "remediation.service_notes", "{}", NULL,
     "remediation.service_notes: expected an array, found an object"},
    {B_JUDGED, "remediation.service_notes", "[{\"service\": \"x\"}]", NULL,
     "remediation.service_notes[0]: no \"guidance\""},
    {B_JUDGED, "connections.0.tunnel",
     "{\"kind\": \"nope\", \"outer_src\": null, \"outer_dst\": null}", NULL,
     "connections[0].tunnel: \"kind\": not a tunnel this version knows"},
    {B_JUDGED, "snaplen_cut", "3", NULL,
     "snaplen_cut: expected an object or null, found an integer"},
    {B_JUDGED, "inputs.0.given_position", "0", NULL, "inputs[0]: \"given_position\" counts from 1"},
    {B_JUDGED, "inputs.0.capture", "[]", NULL,
     "inputs[0].capture: expected an object, found an array"},
    {B_JUDGED, "duplicate_rules", "[{\"pattern\": \"nope\", \"origin\": \"x\"}]", NULL,
     "duplicate_rules[0]: names no rule of \"rules\" ('nope' from 'x')"},
    {B_JUDGED, "connections.0.dst", "\"not-an-ip\"", NULL,
     "connections[0].dst: not an address: 'not-an-ip'"},
    {B_JUDGED, "connections.0.src", "4", NULL,
     "connections[0].src: expected an address or null, found an integer"},
    {B_JUDGED, "connections.0.tls_version", "\"TLS 9\"", NULL,
     "connections[0].tls_version: unknown value 'TLS 9'"},
    {B_JUDGED, "connections.0.http_status", "70000", NULL,
     "connections[0].http_status: 70000 is not in [0, 65535]"},
    {B_JUDGED, "connections.0.resolved_as", "{}", NULL,
     "connections[0].resolved_as: expected an array or null, found an object"},
    {B_JUDGED, "connections.0.resolved_as", "[\"a\", 2]", NULL,
     "connections[0].resolved_as[1]: expected a string, found an integer"},
    {B_JUDGED, "connections.0.verdict", NULL, NULL, "connections[0]: no \"verdict\""},
    {B_JUDGED, "dns.0.qtype", "\"BOGUS\"", NULL, "dns[0].qtype: unknown value 'BOGUS'"},
    {B_JUDGED, "dns.0.qtype", "65536", NULL, "dns[0].qtype: 65536 is not in [0, 65535]"},
    {B_JUDGED, "dns.0.rcode", "\"WHATEVER\"", NULL, "dns[0].rcode: unknown value 'WHATEVER'"},
    {B_JUDGED, "dns.0.queries", "5000000000", NULL,
     "dns[0].queries: 5000000000 is more than 4294967295"},
    {B_JUDGED, "dns.0.transport", "[\"sctp\"]", NULL, "dns[0].transport[0]: unknown value 'sctp'"},
    {B_JUDGED, "dns.0.transport", "[\"udp\", \"tcp\", \"udp\"]", NULL,
     "dns[0].transport: more than 2 entries"},
    {B_JUDGED, "dns.0.answers.0.ttl", "4294967296", NULL,
     "dns[0].answers[0].ttl: 4294967296 is more than 4294967295"},
    {B_JUDGED, "dns.1.answers.1", "[]", NULL,
     "dns[1].answers[1]: expected an object, found an array"},
    {B_JUDGED, "rules.0.kind", "\"dns\"", NULL, "rules[0].kind: unknown value 'dns'"},
    {B_JUDGED, "rules.0.form", "\"prefix\"", NULL, "rules[0].form: unknown value 'prefix'"},
    {B_JUDGED, "rules.0.protocol", "\"icmp\"", NULL, "rules[0].protocol: unknown value 'icmp'"},
    {B_JUDGED, "rules.0.protocol", "0", NULL, "rules[0].protocol: 0 is not in [1, 255]"},
    {B_JUDGED, "rules.0.active", "\"yes\"", NULL,
     "rules[0].active: expected a boolean, found a string"},
    {B_JUDGED, "rules.4.addresses", "[\"10.0.0.0/33\"]", NULL,
     "rules[4].addresses[0]: not an address prefix: '10.0.0.0/33'"},
    {B_JUDGED, "rules.4.addresses", "[\"10.0.0.0\"]", NULL,
     "rules[4].addresses[0]: not an address prefix: '10.0.0.0'"},
    {B_JUDGED, "rules.4.addresses", "[\"/8\"]", NULL,
     "rules[4].addresses[0]: not an address prefix: '/8'"},
    {B_JUDGED, "rules.4.ports", "[\"70000\"]", NULL,
     "rules[4].ports[0]: not a port or a port range: '70000'"},
    {B_JUDGED, "rules.4.ports", "[\"9-1\"]", NULL,
     "rules[4].ports[0]: not a port or a port range: '9-1'"},
    {B_JUDGED, "rules.4.ports", "[\"1-\"]", NULL,
     "rules[4].ports[0]: not a port or a port range: '1-'"},
    {B_JUDGED, "rules.4.ports", "[443]", NULL,
     "rules[4].ports[0]: expected a string, found an integer"},
    {B_JUDGED, "unused_rules.0", "{\"pattern\": \"nope\", \"origin\": \"x\"}", NULL,
     "unused_rules[0]: names no rule of \"rules\" ('nope' from 'x')"},
    {B_JUDGED, "inactive_rules.0", "\"files.example\"", NULL,
     "inactive_rules[0]: expected an object, found a string"},
    {B_JUDGED, "near_misses.0.host", "\"nohost.example\"", NULL,
     "near_misses[0].host: names no host of \"hosts\" ('nohost.example' port 443)"},
    {B_JUDGED, "near_misses.0.kind", "\"far\"", NULL, "near_misses[0].kind: unknown value 'far'"},
    {B_JUDGED, "near_misses.0.text", NULL, NULL, "near_misses[0]: no \"text\""},
    /* keys added within schema 1: findings, runs, diff */
    {B_JUDGED, "findings", "{}", NULL, "findings: expected an array, found an object"},
    {B_JUDGED, "findings",
     "[{\"kind\": \"odd\", \"host\": \"x\", \"port\": 1, \"transport\": \"tcp\"}]", NULL,
     "findings[0].kind: unknown value 'odd'"},
    {B_JUDGED, "findings",
     "[{\"kind\": \"denied-but-reached\", \"host\": \"nohost\", \"port\": 1, "
     "\"transport\": \"tcp\"}]",
     NULL, "findings[0].host: names no host of \"hosts\" ('nohost' port 1)"},
    {B_JUDGED, "findings", "[{\"kind\": \"denied-but-reached\"}]", NULL,
     "findings[0]: no \"host\""},
    {B_JUDGED, "runs", "7", NULL, "runs: expected an array, found an integer"},
    {B_JUDGED, "runs", "[{\"path\": \"a.json\", \"inputs\": [1]}]", NULL,
     "runs[0].inputs[0]: not the next input of \"inputs\" (0)"},
    {B_JUDGED, "runs", "[{\"path\": \"a.json\", \"inputs\": [0, 1, 2]}]", NULL,
     "runs[0].inputs[2]: not the next input of \"inputs\" (2)"},
    {B_JUDGED, "runs", "[{\"inputs\": []}]", NULL, "runs[0]: no \"path\""},
    {B_JUDGED, "runs", "[{\"path\": \"a.json\", \"inputs\": [0, 1]}]", NULL,
     "hosts[0]: no \"runs\""},
    {B_JUDGED, "diff", "[]", NULL, "diff: expected an object, found an array"},
    {B_JUDGED, "diff", "{\"changes\": []}", NULL, "diff: no \"base\""},
    {B_JUDGED, "diff", "{\"base\": \"o.json\", \"changes\": [{\"change\": \"odd\"}]}", NULL,
     "diff.changes[0].change: unknown value 'odd'"},
    {B_JUDGED, "diff",
     "{\"base\": \"o.json\", \"changes\": [{\"change\": \"new\", \"key\": \"x\", \"port\": 1, "
     "\"transport\": \"tcp\", \"name\": null, \"outcome\": {\"old\": null}}]}",
     NULL, "diff.changes[0].outcome: no \"new\""},
    {B_JUDGED, "verdicts", "{\"maybe\": 1}", NULL, "verdicts: unknown value 'maybe'"},
    {B_JUDGED, "verdicts", "{\"denied\": \"1\"}", NULL,
     "verdicts.denied: expected an integer, found a string"},
    {B_JUDGED, "remediation.add.0.wildcard", "0", NULL,
     "remediation.add[0].wildcard: expected a boolean, found an integer"},
    {B_JUDGED, "remediation.add.0.covers", "[1]", NULL,
     "remediation.add[0].covers[0]: expected a string, found an integer"},
    {B_JUDGED, "remediation.notes", "[1]", NULL,
     "remediation.notes[0]: expected a string, found an integer"},
    /* strings not in the safe text form */
    {B_JUDGED, "hosts.0.key", "\"a\\\\qb\"", NULL,
     "hosts[0].key: not in the safe text form at byte 1: a '\\' not followed by '\\' or 'x' and "
     "two lower-case hex digits"},
    {B_JUDGED, "hosts.0.key", "\"ab\\\\\"", NULL,
     "hosts[0].key: not in the safe text form at byte 2: a '\\' not followed by '\\' or 'x' and "
     "two lower-case hex digits"},
    {B_JUDGED, "hosts.0.key", "\"\\\\x4\"", NULL,
     "hosts[0].key: not in the safe text form at byte 0*"},
    {B_JUDGED, "hosts.0.key", "\"\\\\xAB\"", NULL,
     "hosts[0].key: not in the safe text form at byte 0*"},
    {B_JUDGED, "hosts.0.key", "\"\\\\x41\"", NULL,
     "hosts[0].key: not in the safe text form at byte 0: an escape of a printable character*"},
    {B_JUDGED, "hosts.0.key", "\"\\\\x5c\"", NULL,
     "hosts[0].key: not in the safe text form at byte 0: an escape of a printable character*"},
    {B_JUDGED, "hosts.0.key", "\"caf\\u00e9\"", NULL,
     "hosts[0].key: not in the safe text form at byte 3: a byte outside printable ASCII*"},
    {B_JUDGED, "connections.0.name", "\"a\\tb\"", NULL,
     "connections[0].name: not in the safe text form at byte 1: a byte outside printable ASCII*"},
    {B_JUDGED, "tool.version", "\"1\\\\x00\"", NULL, "tool.version: has a NUL byte"},
    /* bounds */
    {B_JUDGED, "hosts.0.addresses",
     "["
     "\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\","
     "\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\","
     "\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\","
     "\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\","
     "\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\"]",
     NULL, "hosts[0].addresses: more than 64 entries"},
    {B_JUDGED, "hosts.0.flags",
     "[1,2,4,8,16,32,64,128,256,512,1024,2048,4096,8192,16384,32768,"
     "65536,131072,262144,524288,1048576,2097152,4194304,8388608,16777216,33554432,67108864,"
     "134217728,268435456,536870912,1073741824,2147483648,1]",
     NULL, "hosts[0].flags: more than 32 entries"},
    {B_JUDGED, "hosts.0.flags", "[4294967296]", NULL,
     "hosts[0].flags[0]: 4294967296 is not in [1, 4294967295]"},
    /* a name and its source go together */
    {B_JUDGED, "hosts.0.name_source", "\"none\"", NULL,
     "hosts[0]: 'name' is given but 'name_source' is \"none\""},
    {B_JUDGED, "hosts.0.name", "null", NULL,
     "hosts[0]: 'name_source' is \"sni\" but 'name' is null"},
    {B_JUDGED, "connections.0.name_source", "\"none\"", NULL,
     "connections[0]: 'name' is given but 'name_source' is \"none\""},
    {B_JUDGED, "connections.0.name", "null", NULL,
     "connections[0]: 'name_source' is \"sni\" but 'name' is null"},
    {B_JUDGED, "connections.0.inner_name", "\"x.example\"", NULL,
     "connections[0]: 'inner_name' is given but 'inner_name_source' is \"none\""},
    {B_JUDGED, "connections.0.inner_name_source", "\"sni\"", NULL,
     "connections[0]: 'inner_name_source' is \"sni\" but 'inner_name' is null"},
    /* a worker's keys (analyze -j): both or neither */
    {B_JUDGED, "hosts.0.shard_seq", "3", NULL, "hosts[0]: no \"shard_first_seq\""},
    {B_JUDGED, "hosts.0.shard_seq", "\"3\"", NULL,
     "hosts[0].shard_seq: expected an integer, found a string"},
};
#define N_BAD (sizeof bad_rows / sizeof bad_rows[0])

/* The value at path ("hosts.0.port"): its parent and last segment. */
static json_t *parent_of(json_t *root, const char *path, char *last, size_t lastlen)
{
    json_t *cur = root;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        assert_true(n < lastlen);
        memcpy(last, p, n);
        last[n] = '\0';
        if (!dot)
            return cur;
        cur = json_is_array(cur) ? json_array_get(cur, strtoul(last, NULL, 10))
                                 : json_object_get(cur, last);
        if (!cur)
            fail_msg("no %s in the good report", path);
        p = dot + 1;
    }
}

static struct output make_bad(const struct bad_row *row, const struct output *good)
{
    struct output o = {0};
    if (row->base == B_RAW) {
        o.buf = strdup(row->value);
        assert_non_null(o.buf);
        o.len = strlen(o.buf);
        return o;
    }
    if (row->find) {
        const char *at = strstr(good->buf, row->find);
        if (!at)
            fail_msg("'%s' is not in the good report", row->find);
        size_t pre = (size_t)(at - good->buf), fl = strlen(row->find), vl = strlen(row->value);
        o.len = good->len - fl + vl;
        o.buf = malloc(o.len + 1);
        assert_non_null(o.buf);
        memcpy(o.buf, good->buf, pre);
        memcpy(o.buf + pre, row->value, vl);
        memcpy(o.buf + pre + vl, at + fl, good->len - pre - fl);
        o.buf[o.len] = '\0';
        return o;
    }
    json_t *root = tree_of(good);
    char last[64];
    json_t *parent = parent_of(root, row->path, last, sizeof last);
    if (!row->value) {
        if (json_object_del(parent, last) != 0)
            fail_msg("no %s to delete", row->path);
    } else {
        json_error_t e;
        json_t *v = json_loads(row->value, JSON_DECODE_ANY, &e);
        if (!v)
            fail_msg("row value %s: %s", row->value, e.text);
        int rc = json_is_array(parent) ? json_array_set_new(parent, strtoul(last, NULL, 10), v)
                                       : json_object_set_new(parent, last, v);
        if (rc != 0)
            fail_msg("no %s in the good report", row->path);
    }
    o = dump(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return o;
}

static bool err_matches(const char *err, const char *expect)
{
    static const char prefix[] = "'t.json': ";
    if (strncmp(err, prefix, sizeof prefix - 1) != 0)
        return false;
    err += sizeof prefix - 1;
    size_t n = strlen(expect);
    if (n && expect[n - 1] == '*')
        return strncmp(err, expect, n - 1) == 0;
    return strcmp(err, expect) == 0;
}

/* Refused, with one line; *out untouched; errno EINVAL. */
static void assert_refused(const char *buf, size_t len, const char *expect, const char *what)
{
    struct ea_report out;
    char err[1024] = "";
    memset(&out, 0xa5, sizeof out);
    struct ea_report before = out;
    errno = 0;
    if (read_guarded(buf, len, &out, err, sizeof err))
        fail_msg("%s: accepted", what);
    assert_int_equal(errno, EINVAL);
    assert_memory_equal(&out, &before, sizeof out);
    assert_null(strchr(err, '\n'));
    for (const char *p = err; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            fail_msg("%s: err has byte 0x%02x: %s", what, (unsigned char)*p, err);
    if (expect && !err_matches(err, expect))
        fail_msg("%s:\n  got    %s\n  wanted 't.json': %s", what, err, expect);
}

static void test_malformed(void **state)
{
    (void)state;
    struct output good[B__COUNT] = {json_of(build_judged), json_of(build_capture)};
    for (size_t i = 0; i < N_BAD; i++) {
        const struct bad_row *row = &bad_rows[i];
        /* the good report beside it is read */
        if (row->base != B_RAW) {
            struct ea_report r;
            char err[512];
            assert_true(
                read_guarded(good[row->base].buf, good[row->base].len, &r, err, sizeof err));
            ea_report_finish(&r);
        }
        struct output bad = make_bad(row, &good[row->base]);
        char what[128];
        snprintf(what, sizeof what, "row %zu (%s)", i, row->path ? row->path : row->expect);
        assert_refused(bad.buf, bad.len, row->expect, what);
        free(bad.buf);
    }
    free(good[0].buf);
    free(good[1].buf);
}

/* A good report cut short is refused (but when only the final newline is
 * cut), without reading past the cut: every length of a small report, and
 * every 7th of a larger one (jansson is not fast; each read is a new
 * guard page). */
static void test_prefixes(void **state)
{
    (void)state;
    static const struct {
        build_fn build;
        size_t step;
    } rows[] = {{build_empty, 1}, {build_capture, 7}, {NULL, 0}};
    for (size_t i = 0; rows[i].build; i++) {
        struct output good = json_of(rows[i].build);
        for (size_t len = 0; len + 1 < good.len; len += rows[i].step)
            assert_refused(good.buf, len, NULL, "a prefix");
        struct ea_report r;
        char err[512];
        assert_true(read_guarded(good.buf, good.len - 1, &r, err, sizeof err));
        ea_report_finish(&r);
        free(good.buf);
    }
}

/* Sizes past the bounds: a string, a list, rows of nothing. */
static void test_bounds(void **state)
{
    (void)state;
    struct output good = json_of(build_judged);
    json_t *root = tree_of(&good);
    /* a key of REPORT_READ_MAX_STRING bytes is read, one more is not */
    for (size_t extra = 0; extra < 2; extra++) {
        size_t n = REPORT_READ_MAX_STRING + extra;
        char *s = malloc(n + 1);
        assert_non_null(s);
        memset(s, 'a', n);
        s[n] = '\0';
        json_object_set_new(json_array_get(json_object_get(root, "hosts"), 0), "key",
                            json_string(s));
        free(s);
        struct output in = dump(root, JSON_INDENT(2));
        struct ea_report r;
        char err[512];
        if (extra) {
            assert_refused(in.buf, in.len, "hosts[0].key: longer than 65536 bytes", "long key");
        } else {
            assert_true(read_guarded(in.buf, in.len, &r, err, sizeof err));
            assert_int_equal(r.hosts[0].key.len, n);
            ea_report_finish(&r);
        }
        free(in.buf);
    }
    /* more inputs than REPORT_READ_MAX_LIST: refused before their type */
    json_t *inputs = json_array();
    for (size_t i = 0; i <= REPORT_READ_MAX_LIST; i++)
        json_array_append_new(inputs, json_integer(0));
    json_object_set_new(root, "inputs", inputs);
    struct output in = dump(root, JSON_COMPACT);
    assert_refused(in.buf, in.len, "inputs: more than 1048576 entries", "many inputs");
    free(in.buf);
    json_decref(root);
    free(good.buf);
}

/* ---- the safe text backwards (escape.c) ---- */

static void test_unescape(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *out; /* NULL: refused */
        size_t out_len;
        size_t bad;
    } rows[] = {
        {"", "", 0, 0},
        {"plain.example", "plain.example", 13, 0},
        {"a\\\\b", "a\\b", 3, 0},
        {"\\x00\\x1b\\x7f\\x80\\xff", "\0\x1b\x7f\x80\xff", 5, 0},
        {"\\\\x41", "\\x41", 4, 0},
        {"\\", NULL, 0, 0},
        {"ab\\x", NULL, 0, 2},
        {"ab\\x0", NULL, 0, 2},
        {"\\x0g", NULL, 0, 0},
        {"\\xAb", NULL, 0, 0},
        {"\\x20", NULL, 0, 0},
        {"\\x5c", NULL, 0, 0},
        {"\\x7e", NULL, 0, 0},
        {"\\n", NULL, 0, 0},
        {"ok\x01", NULL, 0, 2},
        {"ok\x7f", NULL, 0, 2},
        {"ok\xc3\xa9", NULL, 0, 2},
        {NULL, NULL, 0, 0},
    };
    for (size_t i = 0; rows[i].in; i++) {
        size_t len = strlen(rows[i].in), n = 99, bad = 99;
        const char *why = NULL;
        struct guarded g = {0};
        const char *s = (const char *)guard_copy(&g, rows[i].in, len);
        char out[64];
        bool ok = ea_unescape(s, len, out, &n, &bad, &why);
        guard_free(&g);
        if (!rows[i].out) {
            assert_false(ok);
            assert_int_equal(bad, rows[i].bad);
            assert_non_null(why);
            continue;
        }
        assert_true(ok);
        assert_int_equal(n, rows[i].out_len);
        assert_memory_equal(out, rows[i].out, n);
        /* and escaping gives the text back */
        char back[64];
        assert_int_equal(ea_escape(out, n, back, sizeof back), len);
        assert_string_equal(back, rows[i].in);
    }
}

/* Every byte value survives the round trip in a name. */
static void test_all_bytes(void **state)
{
    (void)state;
    struct ea_report a, b;
    char all[256], err[512];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    ea_report_init(&a);
    struct ea_input *in = ea_report_add_input(&a);
    assert_non_null(in);
    str_set(&in->path, all, sizeof all);
    struct output o = out_json(&a);
    assert_true(read_guarded(o.buf, o.len, &b, err, sizeof err));
    assert_int_equal(b.inputs[0].path.len, sizeof all);
    assert_memory_equal(b.inputs[0].path.s, all, sizeof all);
    free(o.buf);
    ea_report_finish(&a);
    ea_report_finish(&b);
}

/* A FILE: read to its end; a directory is a read error (EIO). */
static void test_file(void **state)
{
    (void)state;
    struct output good = json_of(build_judged);
    FILE *f = fmemopen(good.buf, good.len, "r");
    assert_non_null(f);
    struct ea_report r;
    char err[512];
    assert_true(report_read_json(f, "mem.json", &r, err, sizeof err));
    fclose(f);
    struct output again = out_json(&r);
    assert_same(&good, &again, "JSON from a FILE");
    ea_report_finish(&r);
    free(again.buf);
    free(good.buf);
    f = fopen("/", "r");
    if (f) {
        errno = 0;
        assert_false(report_read_json(f, "/", &r, err, sizeof err));
        assert_int_equal(errno, EIO);
        assert_string_equal(err, "'/': Is a directory");
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),  cmocka_unit_test(test_times),
        cmocka_unit_test(test_same_report), cmocka_unit_test(test_golden),
        cmocka_unit_test(test_malformed),   cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_bounds),      cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_all_bytes),   cmocka_unit_test(test_file),
    };
    if (argc > 1) /* a test's name (or a pattern): only that one */
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
