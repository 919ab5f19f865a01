/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HTTP/1.x head parser tests: table-driven, malformed and cut rows beside
 * good ones, every input copied flush against a PROT_NONE page (guard.h).
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
#include <string.h>

#include "guard.h"
#include "http.h"

static void expect_view(const char *name, const char *what, struct http_view v, const char *want)
{
    size_t n = want ? strlen(want) : 0;
    if (v.len != n || (n && memcmp(v.p, want, n) != 0)) {
        print_error("%s: %s is '%.*s', want '%s'\n", name, what, (int)v.len,
                    v.p ? (const char *)v.p : "", want ? want : "");
        fail();
    }
}

static void expect_result(const char *name, enum parse_result got, enum parse_result want,
                          const char *why)
{
    if (got != want) {
        print_error("%s: got %s (%s), want %s\n", name, parse_result_name(got), why ? why : "",
                    parse_result_name(want));
        fail();
    }
}

static void expect_reason(const char *name, const char *why, const char *want)
{
    if (want && (!why || !strstr(why, want))) {
        print_error("%s: reason '%s', want '%s'\n", name, why ? why : "(none)", want);
        fail();
    }
}

/* ---- requests ------------------------------------------------------------- */

struct rq_case {
    const char *name;
    const char *in;
    enum parse_result want;
    const char *reason; /* substring of the reason when not OK */
    const char *method;
    const char *target;
    uint8_t minor;
    const char *host; /* NULL: no Host field */
    const char *authority;
    bool connect;
    bool absolute;
    size_t head_len; /* 0: the whole input */
};

static const struct rq_case rq_cases[] = {
    {.name = "GET with Host",
     .in = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "/",
     .minor = 1,
     .host = "example.com"},
    {.name = "Host with port",
     .in = "GET /a?b=c HTTP/1.1\r\nUser-Agent: x\r\nHost: example.com:8080\r\nAccept: */*\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "/a?b=c",
     .minor = 1,
     .host = "example.com:8080"},
    {.name = "IPv6 Host",
     .in = "GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "/",
     .minor = 1,
     .host = "[2001:db8::1]:8080"},
    {.name = "Host with OWS",
     .in = "GET / HTTP/1.0\r\nHost:  \t example.com \t \r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "/",
     .minor = 0,
     .host = "example.com"},
    {.name = "empty Host",
     .in = "GET / HTTP/1.1\r\nHost:\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "/",
     .minor = 1,
     .host = ""},
    {.name = "lower-case host",
     .in = "GET / HTTP/1.1\r\nhost: lower.example\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "/",
     .minor = 1,
     .host = "lower.example"},
    {.name = "mixed-case HOST",
     .in = "GET / HTTP/1.1\r\nHOST: upper.example\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "/",
     .minor = 1,
     .host = "upper.example"},
    {.name = "no Host",
     .in = "GET / HTTP/1.0\r\nAccept: */*\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "/",
     .minor = 0},
    {.name = "Hostname is not Host",
     .in = "GET / HTTP/1.1\r\nHostname: a\r\nHos: b\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "/",
     .minor = 1},
    {.name = "CONNECT host:443",
     .in = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
     .want = PARSE_OK,
     .method = "CONNECT",
     .target = "example.com:443",
     .minor = 1,
     .host = "example.com:443",
     .authority = "example.com:443",
     .connect = true},
    {.name = "CONNECT, then the tunnel's TLS (issue 11: TLS begins at head_len)",
     .in = "CONNECT hf.co:443 HTTP/1.1\r\nHost: hf.co:443\r\n\r\n\x16\x03\x01\x02\x00\x01",
     .want = PARSE_OK,
     .method = "CONNECT",
     .target = "hf.co:443",
     .minor = 1,
     .host = "hf.co:443",
     .authority = "hf.co:443",
     .connect = true,
     .head_len = 47},
    {.name = "CONNECT without a port",
     .in = "CONNECT hf.co HTTP/1.1\r\n\r\n",
     .want = PARSE_OK,
     .method = "CONNECT",
     .target = "hf.co",
     .minor = 1,
     .authority = "hf.co",
     .connect = true},
    {.name = "CONNECT IPv6",
     .in = "CONNECT [2001:db8::2]:443 HTTP/1.1\r\n\r\n",
     .want = PARSE_OK,
     .method = "CONNECT",
     .target = "[2001:db8::2]:443",
     .minor = 1,
     .authority = "[2001:db8::2]:443",
     .connect = true},
    {.name = "connect in lower case is another method",
     .in = "connect example.com:443 HTTP/1.1\r\n\r\n",
     .want = PARSE_OK,
     .method = "connect",
     .target = "example.com:443",
     .minor = 1},
    {.name = "absolute-form",
     .in = "GET http://proxy.example/path?q HTTP/1.1\r\nHost: proxy.example\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "http://proxy.example/path?q",
     .minor = 1,
     .host = "proxy.example",
     .authority = "proxy.example",
     .absolute = true},
    {.name = "absolute-form with userinfo",
     .in = "GET http://user:pw@secret.example:8080/x HTTP/1.1\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "http://user:pw@secret.example:8080/x",
     .minor = 1,
     .authority = "secret.example:8080",
     .absolute = true},
    {.name = "absolute-form HTTPS upper case, no path",
     .in = "OPTIONS HTTPS://Q.example:443 HTTP/1.1\r\n\r\n",
     .want = PARSE_OK,
     .method = "OPTIONS",
     .target = "HTTPS://Q.example:443",
     .minor = 1,
     .authority = "Q.example:443",
     .absolute = true},
    {.name = "absolute-form ends at ? and #",
     .in = "GET http://a.example?x=/ HTTP/1.1\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "http://a.example?x=/",
     .minor = 1,
     .authority = "a.example",
     .absolute = true},
    {.name = "absolute-form with two @",
     .in = "GET http://a@b@c.example/ HTTP/1.1\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "http://a@b@c.example/",
     .minor = 1,
     .authority = "c.example",
     .absolute = true},
    {.name = "ftp scheme is not absolute-form here",
     .in = "GET ftp://f.example/ HTTP/1.1\r\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "ftp://f.example/",
     .minor = 1},
    {.name = "asterisk-form",
     .in = "OPTIONS * HTTP/1.1\r\nHost: s.example\r\n\r\n",
     .want = PARSE_OK,
     .method = "OPTIONS",
     .target = "*",
     .minor = 1,
     .host = "s.example"},
    {.name = "bare LF",
     .in = "GET /lf HTTP/1.1\nHost: lf.example\n\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "/lf",
     .minor = 1,
     .host = "lf.example"},
    {.name = "mixed line ends",
     .in = "GET / HTTP/1.1\r\nHost: m.example\n\r\n",
     .want = PARSE_OK,
     .method = "GET",
     .target = "/",
     .minor = 1,
     .host = "m.example"},
    {.name = "body after the head",
     .in = "POST /p HTTP/1.1\r\nHost: b.example\r\nContent-Length: 4\r\n\r\nbody",
     .want = PARSE_OK,
     .method = "POST",
     .target = "/p",
     .minor = 1,
     .host = "b.example",
     .head_len = 56},
    {.name = "two Host headers",
     .in = "GET / HTTP/1.1\r\nHost: a.example\r\nhost: b.example\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "two Host"},
    {.name = "obs-fold",
     .in = "GET / HTTP/1.1\r\nX-A: 1\r\n  continued\r\nHost: h\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "folded"},
    {.name = "whitespace before the first field",
     .in = "GET / HTTP/1.1\r\n\tHost: h\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "folded"},
    {.name = "space before the colon",
     .in = "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "field name"},
    {.name = "field without a colon",
     .in = "GET / HTTP/1.1\r\nHost h\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "field name"},
    {.name = "empty field name",
     .in = "GET / HTTP/1.1\r\n: h\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "empty header field name"},
    {.name = "CTL in target",
     .in = "GET /a\x01z HTTP/1.1\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "control character"},
    {.name = "DEL in target",
     .in = "GET /a\x7f HTTP/1.1\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "control character"},
    {.name = "tab in target",
     .in = "GET /a\tb HTTP/1.1\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "control character"},
    {.name = "bare CR in the request line",
     .in = "GET / HTTP/1.1\rHost: h\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "bare CR"},
    {.name = "bare CR in a field value",
     .in = "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "bare CR"},
    {.name = "two spaces after the method",
     .in = "GET  / HTTP/1.1\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "empty request target"},
    {.name = "empty method",
     .in = " / HTTP/1.1\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "empty method"},
    {.name = "bad method",
     .in = "GE(T / HTTP/1.1\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "bad method"},
    {.name = "method of 33",
     .in = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG / HTTP/1.1\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "method too long"},
    {.name = "method of 32",
     .in = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF / HTTP/1.1\r\n\r\n",
     .want = PARSE_OK,
     .method = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF",
     .target = "/",
     .minor = 1},
    {.name = "HTTP/2 version",
     .in = "GET / HTTP/2.0\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "HTTP/1.x"},
    {.name = "lower-case version",
     .in = "GET / http/1.1\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "HTTP/1.x"},
    {.name = "HTTP/0.9 request",
     .in = "GET /\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "control character"},
    {.name = "junk after the version",
     .in = "GET / HTTP/1.1 x\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "junk"},
    {.name = "NUL in a field value",
     .in = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n",
     .want = PARSE_MALFORMED,
     .reason = "NUL"},
    {.name = "TLS bytes",
     .in = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
     .want = PARSE_MALFORMED,
     .reason = "bad method"},
    {.name = "SSH banner", .in = "SSH-2.0-OpenSSH_9.2p1\r\n", .want = PARSE_MALFORMED},
    {.name = "empty", .in = "", .want = PARSE_INCOMPLETE},
    {.name = "request line only", .in = "GET / HTTP/1.1\r\n", .want = PARSE_INCOMPLETE},
    {.name = "head without its empty line",
     .in = "GET / HTTP/1.1\r\nHost: a\r\n",
     .want = PARSE_INCOMPLETE},
    {.name = "cut after CR", .in = "GET / HTTP/1.1\r\nHost: a\r\n\r", .want = PARSE_INCOMPLETE},
    {.name = NULL},
};

/* Inputs with a NUL inside are measured by hand. */
static size_t rq_len(const struct rq_case *tc)
{
    if (strcmp(tc->name, "NUL in a field value") == 0)
        return sizeof "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n" - 1;
    return strlen(tc->in);
}

static enum parse_result run_request(const void *p, size_t n, struct http_request *rq,
                                     const char **why, const uint8_t **base)
{
    static struct guarded g;
    guard_free(&g);
    const uint8_t *in = guard_copy(&g, p, n);
    *base = in;
    return http_parse_request(in, n, rq, why);
}

static void test_request_table(void **state)
{
    (void)state;
    for (const struct rq_case *tc = rq_cases; tc->name; tc++) {
        struct http_request rq;
        const char *why = NULL;
        const uint8_t *base;
        size_t n = rq_len(tc);

        memset(&rq, 0xee, sizeof rq);
        enum parse_result r = run_request(tc->in, n, &rq, &why, &base);
        expect_result(tc->name, r, tc->want, why);
        if (r != PARSE_OK) {
            expect_reason(tc->name, why, tc->reason);
            assert_int_equal(((const uint8_t *)&rq)[0], 0xee); /* not written */
            continue;
        }
        expect_view(tc->name, "method", rq.method, tc->method);
        expect_view(tc->name, "target", rq.target, tc->target);
        assert_int_equal(rq.version_minor, tc->minor);
        assert_int_equal(rq.has_host, tc->host != NULL);
        expect_view(tc->name, "host", rq.host, tc->host);
        expect_view(tc->name, "authority", rq.authority, tc->authority);
        assert_int_equal(rq.is_connect, tc->connect);
        assert_int_equal(rq.absolute_form, tc->absolute);
        assert_int_equal(rq.head_len, tc->head_len ? tc->head_len : n);
        /* Views point into the input. */
        assert_true(rq.method.p == base);
        /* The request line alone is enough for the quick test. */
        assert_true(http_looks_like_request(base, n));
    }
}

/* Every prefix of a good head is incomplete; the request line test turns
 * true once the first line is whole. */
static void test_request_every_prefix(void **state)
{
    (void)state;
    static const char *const heads[] = {
        "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nAccept: */*\r\n\r\n",
        "CONNECT [2001:db8::1]:443 HTTP/1.1\nHost: [2001:db8::1]:443\n\n",
        "GET http://u@h.example/ HTTP/1.0\r\n\r\n",
        NULL,
    };
    for (size_t h = 0; heads[h]; h++) {
        size_t n = strlen(heads[h]);
        size_t line_end = (size_t)(strchr(heads[h], '\n') - heads[h]) + 1;
        for (size_t k = 0; k <= n; k++) {
            struct http_request rq;
            const char *why = NULL;
            const uint8_t *base;
            enum parse_result r = run_request(heads[h], k, &rq, &why, &base);
            if (r != (k < n ? PARSE_INCOMPLETE : PARSE_OK)) {
                print_error("head %zu prefix %zu: %s (%s)\n", h, k, parse_result_name(r),
                            why ? why : "");
                fail();
            }
            assert_int_equal(http_looks_like_request(base, k), k >= line_end);
        }
    }
}

/* Heads near HTTP_HEAD_MAX: a head that ends within it parses, one that
 * does not is malformed once HTTP_HEAD_MAX bytes are there. */
static void test_request_head_max(void **state)
{
    (void)state;
    static uint8_t buf[HTTP_HEAD_MAX + 200];
    const char *line = "GET / HTTP/1.1\r\nHost: big.example\r\nX-Pad: ";
    size_t pre = strlen(line);
    struct http_request rq;
    const char *why = NULL;
    const uint8_t *base;

    /* A head of exactly HTTP_HEAD_MAX bytes. */
    memcpy(buf, line, pre);
    memset(buf + pre, 'a', HTTP_HEAD_MAX - pre - 4);
    memcpy(buf + HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
    assert_int_equal(run_request(buf, HTTP_HEAD_MAX, &rq, &why, &base), PARSE_OK);
    assert_int_equal(rq.head_len, HTTP_HEAD_MAX);
    expect_view("max head", "host", rq.host, "big.example");
    assert_int_equal(run_request(buf, HTTP_HEAD_MAX - 1, &rq, &why, &base), PARSE_INCOMPLETE);
    /* Bytes after it do not matter. */
    memset(buf + HTTP_HEAD_MAX, 'z', 200);
    assert_int_equal(run_request(buf, sizeof buf, &rq, &why, &base), PARSE_OK);

    /* One byte longer: malformed as soon as HTTP_HEAD_MAX bytes are in. */
    memset(buf + pre, 'a', HTTP_HEAD_MAX - pre - 3);
    memcpy(buf + HTTP_HEAD_MAX - 3, "\r\n\r\n", 4);
    assert_int_equal(run_request(buf, HTTP_HEAD_MAX - 1, &rq, &why, &base), PARSE_INCOMPLETE);
    assert_int_equal(run_request(buf, HTTP_HEAD_MAX, &rq, &why, &base), PARSE_MALFORMED);
    expect_reason("head over max", why, "HTTP_HEAD_MAX");
    assert_int_equal(run_request(buf, HTTP_HEAD_MAX + 1, &rq, &why, &base), PARSE_MALFORMED);
    assert_int_equal(run_request(buf, sizeof buf, &rq, &why, &base), PARSE_MALFORMED);
}

/* The request-target limit (8 KiB) and the request line test around it. */
static void test_request_target_max(void **state)
{
    (void)state;
    static uint8_t buf[9000];
    struct http_request rq;
    const char *why = NULL;
    const uint8_t *base;

    for (size_t target = 8192; target <= 8193; target++) {
        memcpy(buf, "GET /", 5);
        memset(buf + 5, 't', target - 1);
        memcpy(buf + 4 + target, " HTTP/1.1\r\n\r\n", 13);
        size_t n = 4 + target + 13;
        enum parse_result r = run_request(buf, n, &rq, &why, &base);
        if (target == 8192) {
            assert_int_equal(r, PARSE_OK);
            assert_int_equal(rq.target.len, 8192);
            assert_true(http_looks_like_request(base, n));
        } else {
            assert_int_equal(r, PARSE_MALFORMED);
            expect_reason("target 8193", why, "request target too long");
            assert_false(http_looks_like_request(base, n));
        }
    }
}

struct looks_case {
    const char *name;
    const char *in;
    bool want;
};

static const struct looks_case looks_cases[] = {
    {"request line", "GET / HTTP/1.1\r\n", true},
    {"request line with bare LF", "HEAD /x HTTP/1.0\n", true},
    {"request line and some fields", "GET / HTTP/1.1\r\nHost: a\r\nX-Cut: ", true},
    {"cut request line", "GET / HTTP/1.1", false},
    {"cut at CR", "GET / HTTP/1.1\r", false},
    {"no version", "GET /\r\n", false},
    {"status line", "HTTP/1.1 200 OK\r\n", false},
    {"TLS bytes", "\x16\x03\x01\x00\x10", false},
    {"empty", "", false},
    {NULL, NULL, false},
};

static void test_looks_like_request(void **state)
{
    (void)state;
    for (const struct looks_case *tc = looks_cases; tc->name; tc++) {
        struct guarded g = {0};
        size_t n = strlen(tc->in);
        const uint8_t *in = guard_copy(&g, tc->in, n);
        bool got = http_looks_like_request(in, n);
        guard_free(&g);
        if (got != tc->want) {
            print_error("%s: got %d\n", tc->name, got);
            fail();
        }
    }
    assert_false(http_looks_like_request(NULL, 0));
}

/* ---- responses ------------------------------------------------------------ */

struct rs_case {
    const char *name;
    const char *in;
    enum parse_result want;
    const char *reason;
    uint16_t status;
    uint8_t minor;
    const char *phrase;
    size_t head_len;
    bool deny;
};

static const struct rs_case rs_cases[] = {
    {.name = "200 OK",
     .in = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
     .want = PARSE_OK,
     .status = 200,
     .minor = 1,
     .phrase = "OK",
     .head_len = 38},
    {.name = "470 Azure Firewall deny",
     .in = "HTTP/1.1 470 status code 470\r\nContent-Type: text/plain\r\nContent-Length: 70\r\n"
           "\r\nAction: Deny. Reason: No rule matched. Proceeding with default action.",
     .want = PARSE_OK,
     .status = 470,
     .minor = 1,
     .phrase = "status code 470",
     .head_len = 78,
     .deny = true},
    {.name = "Action: Deny in a header, head cut",
     .in = "HTTP/1.1 403 Forbidden\r\nAction: Deny\r\nX-Cut",
     .want = PARSE_OK,
     .status = 403,
     .minor = 1,
     .phrase = "Forbidden",
     .head_len = 0,
     .deny = true},
    {.name = "Action: Deny at the very end",
     .in = "HTTP/1.1 200 OK\n\nAction: Deny",
     .want = PARSE_OK,
     .status = 200,
     .minor = 1,
     .phrase = "OK",
     .head_len = 17,
     .deny = true},
    {.name = "action: deny in lower case is not it",
     .in = "HTTP/1.1 200 OK\r\n\r\naction: deny",
     .want = PARSE_OK,
     .status = 200,
     .minor = 1,
     .phrase = "OK",
     .head_len = 19},
    {.name = "Action: Den cut",
     .in = "HTTP/1.1 200 OK\r\n\r\nAction: Den",
     .want = PARSE_OK,
     .status = 200,
     .minor = 1,
     .phrase = "OK",
     .head_len = 19},
    {.name = "301 without reason",
     .in = "HTTP/1.1 301\r\nLocation: /x\r\n\r\n",
     .want = PARSE_OK,
     .status = 301,
     .minor = 1,
     .phrase = "",
     .head_len = 30},
    {.name = "301 with SP and empty reason",
     .in = "HTTP/1.0 301 \r\n\r\n",
     .want = PARSE_OK,
     .status = 301,
     .minor = 0,
     .phrase = "",
     .head_len = 17},
    {.name = "status line only",
     .in = "HTTP/1.1 204 No Content\r\n",
     .want = PARSE_OK,
     .status = 204,
     .minor = 1,
     .phrase = "No Content",
     .head_len = 0},
    {.name = "bare LF head",
     .in = "HTTP/1.1 404 Not Found\nServer: x\n\n",
     .want = PARSE_OK,
     .status = 404,
     .minor = 1,
     .phrase = "Not Found",
     .head_len = 34},
    {.name = "reason with tab and obs-text",
     .in = "HTTP/1.1 200 \tOK \xc3\xa9\r\n\r\n",
     .want = PARSE_OK,
     .status = 200,
     .minor = 1,
     .phrase = "\tOK \xc3\xa9",
     .head_len = 23},
    {.name = "status 999",
     .in = "HTTP/1.1 999 x\r\n",
     .want = PARSE_OK,
     .status = 999,
     .minor = 1,
     .phrase = "x"},
    {.name = "status cut", .in = "HTTP/1.1 20", .want = PARSE_INCOMPLETE},
    {.name = "reason cut", .in = "HTTP/1.1 200 O", .want = PARSE_INCOMPLETE},
    {.name = "cut after CR", .in = "HTTP/1.1 200 OK\r", .want = PARSE_INCOMPLETE},
    {.name = "empty", .in = "", .want = PARSE_INCOMPLETE},
    {.name = "two-digit status",
     .in = "HTTP/1.1 20 OK\r\n",
     .want = PARSE_MALFORMED,
     .reason = "status code"},
    {.name = "four-digit status",
     .in = "HTTP/1.1 2000 OK\r\n",
     .want = PARSE_MALFORMED,
     .reason = "status code"},
    {.name = "status 099",
     .in = "HTTP/1.1 099 x\r\n",
     .want = PARSE_MALFORMED,
     .reason = "status code"},
    {.name = "HTTP/2", .in = "HTTP/2 200\r\n\r\n", .want = PARSE_MALFORMED, .reason = "HTTP/1.x"},
    {.name = "no SP after the version",
     .in = "HTTP/1.1\t200 OK\r\n",
     .want = PARSE_MALFORMED,
     .reason = "SP"},
    {.name = "CTL in reason",
     .in = "HTTP/1.1 200 O\x01K\r\n",
     .want = PARSE_MALFORMED,
     .reason = "control character"},
    {.name = "bare CR", .in = "HTTP/1.1 200 OK\rX", .want = PARSE_MALFORMED, .reason = "bare CR"},
    {.name = "request instead", .in = "GET / HTTP/1.1\r\n\r\n", .want = PARSE_MALFORMED},
    {.name = "garbage", .in = "\x15\x03\x03\x00\x02\x02\x28", .want = PARSE_MALFORMED},
    {.name = "ICY", .in = "ICY 200 OK\r\n", .want = PARSE_MALFORMED},
    {.name = NULL},
};

static void test_response_table(void **state)
{
    (void)state;
    for (const struct rs_case *tc = rs_cases; tc->name; tc++) {
        struct http_response rs;
        const char *why = NULL;
        struct guarded g = {0};
        size_t n = strlen(tc->in);
        const uint8_t *in = guard_copy(&g, tc->in, n);

        memset(&rs, 0xee, sizeof rs);
        enum parse_result r = http_parse_response(in, n, &rs, &why);
        expect_result(tc->name, r, tc->want, why);
        if (r != PARSE_OK) {
            expect_reason(tc->name, why, tc->reason);
            assert_int_equal(((const uint8_t *)&rs)[0], 0xee);
        } else {
            assert_int_equal(rs.status, tc->status);
            assert_int_equal(rs.version_minor, tc->minor);
            expect_view(tc->name, "reason", rs.reason, tc->phrase);
            if (rs.head_len != tc->head_len) {
                print_error("%s: head_len %zu, want %zu\n", tc->name, rs.head_len, tc->head_len);
                fail();
            }
            assert_int_equal(rs.firewall_deny, tc->deny);
        }
        guard_free(&g);
    }
}

/* Every prefix of a response: incomplete until the status line is whole. */
static void test_response_every_prefix(void **state)
{
    (void)state;
    const char *full = "HTTP/1.1 470 status code 470\r\nContent-Length: 12\r\n\r\nAction: Deny";
    size_t n = strlen(full);
    size_t line_end = (size_t)(strchr(full, '\n') - full) + 1;
    size_t head_end = (size_t)(strstr(full, "\r\n\r\n") - full) + 4;

    for (size_t k = 0; k <= n; k++) {
        struct http_response rs;
        const char *why = NULL;
        struct guarded g = {0};
        const uint8_t *in = guard_copy(&g, full, k);
        enum parse_result r = http_parse_response(in, k, &rs, &why);
        guard_free(&g);
        assert_int_equal(r, k < line_end ? PARSE_INCOMPLETE : PARSE_OK);
        if (r != PARSE_OK)
            continue;
        assert_int_equal(rs.head_len, k < head_end ? 0 : head_end);
        assert_int_equal(rs.firewall_deny, k == n);
    }
}

/* A status line that never ends within HTTP_HEAD_MAX is malformed. */
static void test_response_head_max(void **state)
{
    (void)state;
    static uint8_t buf[HTTP_HEAD_MAX + 10];
    struct http_response rs;
    const char *why = NULL;
    struct guarded g = {0};

    memcpy(buf, "HTTP/1.1 200 ", 13);
    memset(buf + 13, 'r', sizeof buf - 13);
    const uint8_t *in = guard_copy(&g, buf, HTTP_HEAD_MAX - 1);
    assert_int_equal(http_parse_response(in, HTTP_HEAD_MAX - 1, &rs, &why), PARSE_INCOMPLETE);
    guard_free(&g);
    in = guard_copy(&g, buf, sizeof buf);
    assert_int_equal(http_parse_response(in, sizeof buf, &rs, &why), PARSE_MALFORMED);
    guard_free(&g);

    /* A status line in time and a deny page far past HTTP_HEAD_MAX. */
    static uint8_t big[3 * HTTP_HEAD_MAX];
    memset(big, 'b', sizeof big);
    memcpy(big, "HTTP/1.1 470 x\r\n\r\n", 18);
    memcpy(big + sizeof big - 12, "Action: Deny", 12);
    in = guard_copy(&g, big, sizeof big);
    assert_int_equal(http_parse_response(in, sizeof big, &rs, &why), PARSE_OK);
    assert_true(rs.firewall_deny);
    assert_int_equal(rs.head_len, 18);
    guard_free(&g);
}

/* ---- authority ------------------------------------------------------------ */

struct auth_case {
    const char *in;
    const char *host;
};

static const struct auth_case auth_cases[] = {
    {"example.com:443", "example.com"},
    {"example.com", "example.com"},
    {"example.com:", "example.com"},
    {"[2001:db8::1]:8443", "2001:db8::1"},
    {"[2001:db8::1]", "2001:db8::1"},
    {"[::1", "[::1"},
    {"2001:db8::1", "2001:db8::1"},
    {"::1", "::1"},
    {"192.0.2.1:80", "192.0.2.1"},
    {":80", ""},
    {"", ""},
    {NULL, NULL},
};

static void test_authority_host(void **state)
{
    (void)state;
    for (const struct auth_case *tc = auth_cases; tc->in; tc++) {
        struct guarded g = {0};
        size_t n = strlen(tc->in);
        struct http_view a = {guard_copy(&g, tc->in, n), n};
        struct http_view h = http_authority_host(a);
        expect_view(tc->in, "host", h, tc->host);
        if (h.len)
            assert_true(h.p >= a.p && h.p + h.len <= a.p + a.len);
        guard_free(&g);
    }
    struct http_view none = {NULL, 0};
    assert_int_equal(http_authority_host(none).len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_table),         cmocka_unit_test(test_request_every_prefix),
        cmocka_unit_test(test_request_head_max),      cmocka_unit_test(test_request_target_max),
        cmocka_unit_test(test_looks_like_request),    cmocka_unit_test(test_response_table),
        cmocka_unit_test(test_response_every_prefix), cmocka_unit_test(test_response_head_max),
        cmocka_unit_test(test_authority_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
