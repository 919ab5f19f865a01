/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HTTP/1.x heads: the request line and the fields that name the server
 * (Host, CONNECT and absolute-form targets), and the status line of the
 * answer. Results are views into the caller's buffer; every byte is read
 * through the cursor (cursor.h); nothing is allocated.
 */
#include "http.h"

#include "ascii.h"

#include <string.h>

#define HTTP_METHOD_MAX 32
#define HTTP_TARGET_MAX 8192

static enum parse_result fail(const char **why, enum parse_result r, const char *reason)
{
    *why = reason;
    return r;
}

/* RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" /
 * "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
static bool http_is_tchar(uint8_t b)
{
    if ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))
        return true;
    switch (b) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

/* RFC 5234 Appendix B.1: CTL = %x00-1F / %x7F */
static bool http_is_ctl(uint8_t b)
{
    return b < 0x20 || b == 0x7f;
}

/* A view of the first n bytes under cursor from. */
static struct http_view http_view_of(struct cur from, size_t n)
{
    struct http_view v = {NULL, 0};

    if (cur_bytes(&from, n, &v.p))
        v.len = n;
    return v;
}

/* Does view v equal the ASCII string s (case-insensitive if fold)? */
static bool http_view_eq(struct http_view v, const char *s, bool fold)
{
    struct cur c;
    size_t n = strlen(s);
    uint8_t b;

    if (v.len != n)
        return false;
    cur_init(&c, v.p, v.len);
    for (size_t i = 0; i < n; i++) {
        uint8_t want = (uint8_t)s[i];
        if (!cur_u8(&c, &b))
            return false;
        if (fold ? ea_ascii_lower(b) != ea_ascii_lower(want) : b != want)
            return false;
    }
    return true;
}

/* Consume the ASCII string s from c (case-insensitive) if c starts with it. */
static bool http_eat_prefix_fold(struct cur *c, const char *s)
{
    struct cur t = *c;
    uint8_t b;

    for (size_t i = 0; s[i] != '\0'; i++) {
        if (!cur_u8(&t, &b) || ea_ascii_lower(b) != ea_ascii_lower((uint8_t)s[i]))
            return false;
    }
    *c = t;
    return true;
}

/* Expect the exact bytes of s next: incomplete if they run out. */
static enum parse_result http_expect(struct cur *c, const char *s, const char *reason,
                                     const char **why)
{
    uint8_t b;

    for (size_t i = 0; s[i] != '\0'; i++) {
        if (!cur_u8(c, &b))
            return fail(why, PARSE_INCOMPLETE, "line cut");
        if (b != (uint8_t)s[i])
            return fail(why, PARSE_MALFORMED, reason);
    }
    return PARSE_OK;
}

/* RFC 9112 §2.2: a line ends in CRLF; a bare LF is accepted, a bare CR is not. */
static enum parse_result http_line_end(struct cur *c, const char **why)
{
    uint8_t b;

    if (!cur_u8(c, &b))
        return fail(why, PARSE_INCOMPLETE, "line cut");
    if (b == '\n')
        return PARSE_OK;
    if (b != '\r')
        return fail(why, PARSE_MALFORMED, "junk at the end of the line");
    if (!cur_u8(c, &b))
        return fail(why, PARSE_INCOMPLETE, "line cut");
    if (b != '\n')
        return fail(why, PARSE_MALFORMED, "bare CR");
    return PARSE_OK;
}

/* RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT; only 1.x here. */
static enum parse_result http_version(struct cur *c, uint8_t *minor, const char **why)
{
    uint8_t b;
    enum parse_result r = http_expect(c, "HTTP/1.", "not HTTP/1.x", why);

    if (r != PARSE_OK)
        return r;
    if (!cur_u8(c, &b))
        return fail(why, PARSE_INCOMPLETE, "line cut");
    if (b < '0' || b > '9')
        return fail(why, PARSE_MALFORMED, "not HTTP/1.x");
    *minor = (uint8_t)(b - '0');
    return PARSE_OK;
}

/*
 * RFC 9112 §3: request-line = method SP request-target SP HTTP-version CRLF.
 * Each byte is checked as it comes, so that bytes which are not HTTP are
 * malformed before the line is complete.
 */
static enum parse_result http_request_line(struct cur *c, struct http_request *rq, const char **why)
{
    struct cur start = *c;
    size_t n = 0;
    uint8_t b;
    enum parse_result r;

    /* RFC 9110 §9.1: method = token */
    for (;;) {
        if (!cur_u8(c, &b))
            return fail(why, PARSE_INCOMPLETE, "request line cut");
        if (b == ' ')
            break;
        if (!http_is_tchar(b))
            return fail(why, PARSE_MALFORMED, "bad method");
        if (++n > HTTP_METHOD_MAX)
            return fail(why, PARSE_MALFORMED, "method too long");
    }
    if (n == 0)
        return fail(why, PARSE_MALFORMED, "empty method");
    rq->method = http_view_of(start, n);

    /* RFC 9112 §3.2: request-target, here any bytes but CTLs and SP. */
    start = *c;
    n = 0;
    for (;;) {
        if (!cur_u8(c, &b))
            return fail(why, PARSE_INCOMPLETE, "request line cut");
        if (b == ' ')
            break;
        if (http_is_ctl(b))
            return fail(why, PARSE_MALFORMED, "control character in request target");
        if (++n > HTTP_TARGET_MAX)
            return fail(why, PARSE_MALFORMED, "request target too long");
    }
    if (n == 0)
        return fail(why, PARSE_MALFORMED, "empty request target");
    rq->target = http_view_of(start, n);

    r = http_version(c, &rq->version_minor, why);
    if (r != PARSE_OK)
        return r;
    return http_line_end(c, why);
}

/*
 * RFC 9112 §5: field-line = field-name ":" OWS field-value OWS, one a line.
 * No whitespace may come before the colon (RFC 9112 §5.1). The value is
 * handed back without its OWS.
 */
static enum parse_result http_field_line(struct cur *c, struct http_view *name,
                                         struct http_view *value, const char **why)
{
    struct cur start = *c;
    size_t n = 0;
    size_t keep = 0;
    uint8_t b;

    for (;;) {
        if (!cur_u8(c, &b))
            return fail(why, PARSE_INCOMPLETE, "header field cut");
        if (b == ':')
            break;
        if (!http_is_tchar(b))
            return fail(why, PARSE_MALFORMED, "bad header field name");
        n++;
    }
    if (n == 0)
        return fail(why, PARSE_MALFORMED, "empty header field name");
    *name = http_view_of(start, n);

    while (cur_peek_u8(c, &b) && (b == ' ' || b == '\t'))
        (void)cur_skip(c, 1);
    start = *c;
    n = 0;
    for (;;) {
        if (!cur_u8(c, &b))
            return fail(why, PARSE_INCOMPLETE, "header field cut");
        if (b == '\n')
            break;
        if (b == '\r') {
            if (!cur_u8(c, &b))
                return fail(why, PARSE_INCOMPLETE, "header field cut");
            if (b != '\n')
                return fail(why, PARSE_MALFORMED, "bare CR");
            break;
        }
        /* RFC 9110 §5.5: NUL in a field value is invalid and dangerous. */
        if (b == 0)
            return fail(why, PARSE_MALFORMED, "NUL in header field value");
        n++;
        if (b != ' ' && b != '\t')
            keep = n;
    }
    *value = http_view_of(start, keep);
    return PARSE_OK;
}

/* RFC 9112 §5 and §2.1: field lines up to the empty line that ends the head. */
static enum parse_result http_fields(struct cur *c, struct http_request *rq, const char **why)
{
    for (;;) {
        struct http_view name;
        struct http_view value;
        uint8_t b;
        enum parse_result r;

        if (!cur_peek_u8(c, &b))
            return fail(why, PARSE_INCOMPLETE, "head cut");
        if (b == '\r' || b == '\n')
            return http_line_end(c, why);
        /* RFC 9112 §5.2 obs-fold (and §2.2: whitespace before the first field). */
        if (b == ' ' || b == '\t')
            return fail(why, PARSE_MALFORMED, "folded header line");
        r = http_field_line(c, &name, &value, why);
        if (r != PARSE_OK)
            return r;
        /* RFC 9110 §7.2 Host; RFC 9112 §3.2: more than one Host line is a 400. */
        if (http_view_eq(name, "host", true)) {
            if (rq->has_host)
                return fail(why, PARSE_MALFORMED, "two Host header fields");
            rq->has_host = true;
            rq->host = value;
        }
    }
}

/* RFC 9112 §3.2.2 absolute-form: the authority of an "http://" or
 * "https://" target, up to the first '/', '?' or '#', userinfo dropped
 * (RFC 3986 §3.2: userinfo ends at the last '@'). */
static bool http_absolute_authority(struct http_view target, struct http_view *out)
{
    struct cur c;
    struct cur start;
    size_t n = 0;
    size_t from = 0;
    uint8_t b;

    cur_init(&c, target.p, target.len);
    if (!http_eat_prefix_fold(&c, "http://") && !http_eat_prefix_fold(&c, "https://"))
        return false;
    start = c;
    while (cur_u8(&c, &b) && b != '/' && b != '?' && b != '#') {
        n++;
        if (b == '@')
            from = n;
    }
    if (!cur_skip(&start, from))
        return false;
    *out = http_view_of(start, n - from);
    return true;
}

enum parse_result http_parse_request(const uint8_t *buf, size_t len, struct http_request *out,
                                     const char **out_reason)
{
    struct http_request rq;
    struct cur c;
    const char *why = NULL;
    /* The head must end within HTTP_HEAD_MAX bytes: look no further. */
    size_t view = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
    enum parse_result r;

    memset(&rq, 0, sizeof rq);
    cur_init(&c, buf, view);
    r = http_request_line(&c, &rq, &why);
    if (r == PARSE_OK)
        r = http_fields(&c, &rq, &why);
    if (r == PARSE_INCOMPLETE && len >= HTTP_HEAD_MAX) {
        r = PARSE_MALFORMED;
        why = "head longer than HTTP_HEAD_MAX";
    }
    if (r != PARSE_OK) {
        if (out_reason)
            *out_reason = why;
        return r;
    }
    rq.head_len = view - cur_left(&c);

    if (http_view_eq(rq.method, "CONNECT", false)) {
        /* RFC 9110 §9.3.6, RFC 9112 §3.2.3: the target is authority-form. */
        rq.is_connect = true;
        rq.authority = rq.target;
    } else if (http_absolute_authority(rq.target, &rq.authority)) {
        rq.absolute_form = true;
    }
    *out = rq;
    return PARSE_OK;
}

bool http_looks_like_request(const uint8_t *buf, size_t len)
{
    struct http_request rq;
    struct cur c;
    const char *why = NULL;

    memset(&rq, 0, sizeof rq);
    cur_init(&c, buf, len);
    return http_request_line(&c, &rq, &why) == PARSE_OK;
}

/* Does the needle occur anywhere under c? (Naive search, bounded by c.) */
static bool http_contains(struct cur c, const char *needle)
{
    size_t n = strlen(needle);

    while (cur_left(&c) >= n) {
        struct cur t = c;
        size_t i = 0;
        uint8_t b;

        while (i < n && cur_u8(&t, &b) && b == (uint8_t)needle[i])
            i++;
        if (i == n)
            return true;
        if (!cur_skip(&c, 1))
            break;
    }
    return false;
}

/* The length of the head: up to and including the first empty line after
 * the status line, or 0 if it is not in c. */
static size_t http_head_end(struct cur c, size_t view)
{
    for (;;) {
        size_t n = 0;
        bool cr = false;
        uint8_t b;

        for (;;) {
            if (!cur_u8(&c, &b))
                return 0;
            if (b == '\n')
                break;
            cr = b == '\r';
            n++;
        }
        if (n == 0 || (n == 1 && cr))
            return view - cur_left(&c);
    }
}

/* RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF */
static enum parse_result http_status_line(struct cur *c, struct http_response *rs, const char **why)
{
    struct cur start;
    size_t n = 0;
    uint8_t b;
    enum parse_result r = http_version(c, &rs->version_minor, why);

    if (r != PARSE_OK)
        return r;
    r = http_expect(c, " ", "no SP after the version", why);
    if (r != PARSE_OK)
        return r;
    /* RFC 9110 §15: status-code = 3DIGIT; 100..999 here. */
    for (int i = 0; i < 3; i++) {
        if (!cur_u8(c, &b))
            return fail(why, PARSE_INCOMPLETE, "status line cut");
        if (b < '0' || b > '9' || (i == 0 && b == '0'))
            return fail(why, PARSE_MALFORMED, "bad status code");
        rs->status = (uint16_t)(rs->status * 10 + (b - '0'));
    }
    if (!cur_peek_u8(c, &b))
        return fail(why, PARSE_INCOMPLETE, "status line cut");
    /* The SP before an empty reason is often missing: accepted. */
    if (b == '\r' || b == '\n')
        return http_line_end(c, why);
    if (b != ' ')
        return fail(why, PARSE_MALFORMED, "bad status code");
    (void)cur_skip(c, 1);
    /* RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ) */
    start = *c;
    for (;;) {
        if (!cur_peek_u8(c, &b))
            return fail(why, PARSE_INCOMPLETE, "status line cut");
        if (b == '\r' || b == '\n')
            break;
        if (http_is_ctl(b) && b != '\t')
            return fail(why, PARSE_MALFORMED, "control character in reason phrase");
        (void)cur_skip(c, 1);
        n++;
    }
    rs->reason = http_view_of(start, n);
    return http_line_end(c, why);
}

enum parse_result http_parse_response(const uint8_t *buf, size_t len, struct http_response *out,
                                      const char **out_reason)
{
    struct http_response rs;
    struct cur c;
    struct cur all;
    const char *why = NULL;
    size_t view = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
    enum parse_result r;

    memset(&rs, 0, sizeof rs);
    cur_init(&c, buf, view);
    r = http_status_line(&c, &rs, &why);
    if (r == PARSE_INCOMPLETE && len >= HTTP_HEAD_MAX) {
        r = PARSE_MALFORMED;
        why = "status line longer than HTTP_HEAD_MAX";
    }
    if (r != PARSE_OK) {
        if (out_reason)
            *out_reason = why;
        return r;
    }
    rs.head_len = http_head_end(c, view);
    /* Azure Firewall's deny page; the search is bounded by the bytes given. */
    cur_init(&all, buf, len);
    rs.firewall_deny = http_contains(all, "Action: Deny");
    *out = rs;
    return PARSE_OK;
}

struct http_view http_authority_host(struct http_view authority)
{
    struct cur c;
    struct cur start;
    size_t n = 0;
    size_t colons = 0;
    size_t first_colon = 0;
    uint8_t b;

    cur_init(&c, authority.p, authority.len);
    /* RFC 3986 §3.2.2: IP-literal = "[" ( IPv6address / IPvFuture ) "]" */
    if (cur_peek_u8(&c, &b) && b == '[') {
        (void)cur_skip(&c, 1);
        start = c;
        while (cur_u8(&c, &b)) {
            if (b == ']')
                return http_view_of(start, n);
            n++;
        }
        return authority; /* no closing bracket: the whole string */
    }
    start = c;
    while (cur_u8(&c, &b)) {
        if (b == ':' && colons++ == 0)
            first_colon = n;
        n++;
    }
    /* One colon is host:port; more is a bare IPv6 address. */
    if (colons == 1)
        return http_view_of(start, first_colon);
    return authority;
}
