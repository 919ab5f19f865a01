/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The stream sink: the first bytes of each TCP direction, in order, from
 * libnids (IPv4) or our own reassembly (IPv6, mid-stream). Decides what the
 * stream carries, runs the parser, and copies the few fields that matter
 * into the flow (views inside the parsers, copies here).
 */
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "http.h"
#include "pipeline.h"
#include "prelude.h"

/* How much of a response we read looking for a firewall's deny page. */
enum { HTTP_RESPONSE_LOOK = 4096 };

static bool is_dns_port(const struct flow *f)
{
    return f->sport == 53 || f->cport == 53;
}

struct flow_app *flow_app(struct analyzer *a, struct flow *f)
{
    if (!f->app) {
        f->app = calloc(1, sizeof(*f->app));
        if (!f->app)
            a->failed = true;
    }
    return f->app;
}

/* A name as the flow keeps it: cut at FLOW_NAME_MAX (flagged), NUL-ended,
 * allocated to its length (a flow lives on for a minute after it closes,
 * and two fixed 256-byte buffers were most of its memory). *len becomes the
 * kept length; NULL on ENOMEM (the analyzer has failed). */
static char *name_dup(struct analyzer *a, struct flow *f, const uint8_t *p, size_t *len)
{
    if (*len > FLOW_NAME_MAX) {
        *len = FLOW_NAME_MAX;
        f->flags |= EA_CF_NAME_CUT;
    }
    char *s = malloc(*len + 1);
    if (!s) {
        a->failed = true;
        return NULL;
    }
    memcpy(s, p, *len);
    s[*len] = '\0';
    return s;
}

void flow_set_name(struct analyzer *a, struct flow *f, enum ea_name_source src, const uint8_t *p,
                   size_t len)
{
    struct flow_app *app = flow_app(a, f);
    if (!app || f->name_source != EA_NAME_NONE)
        return; /* the first name wins: what the firewall judged */
    char *name = name_dup(a, f, p, &len);
    if (!name)
        return;
    free(app->name);
    app->name = name;
    app->name_len = (uint16_t)len;
    f->name_source = src;
}

/* Names equal for a firewall: ASCII case ignored, one trailing dot ignored. */
static bool name_same(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    struct cur x, y;
    uint8_t last;
    cur_init(&x, a, al);
    cur_init(&y, b, bl);
    if (al > 0 && cur_skip(&x, al - 1) && cur_u8(&x, &last) && last == '.')
        al--;
    if (bl > 0 && cur_skip(&y, bl - 1) && cur_u8(&y, &last) && last == '.')
        bl--;
    return al == bl && ea_ascii_ieq(a, b, al);
}

/* The SNI of a TLS session (or the Host of plain HTTP) inside a prelude:
 * the connection's name, or, after a prelude that named the destination
 * (CONNECT, SOCKS), its second name; a different SNI is domain fronting or
 * a misdirected client: flagged. */
static void set_inner(struct analyzer *a, struct flow *f, enum ea_name_source src, const uint8_t *p,
                      size_t len)
{
    bool prelude_named = f->name_source == EA_NAME_CONNECT || f->name_source == EA_NAME_SOCKS;
    struct flow_app *app = flow_app(a, f);
    if (!prelude_named || !app) {
        flow_set_name(a, f, src, p, len);
        return;
    }
    if (app->inner_source != EA_NAME_NONE)
        return;
    char *inner = name_dup(a, f, p, &len);
    if (!inner)
        return;
    free(app->inner_name);
    app->inner_name = inner;
    app->inner_len = (uint16_t)len;
    app->inner_source = src;
    /* An address asked for is not a name the SNI could contradict. */
    if (src == EA_NAME_SNI && !app->name_is_addr &&
        !name_same((const uint8_t *)app->name, app->name_len, p, len))
        f->flags |= EA_CF_SNI_MISMATCH;
}

void flow_copy_field(char *dst, size_t cap, const uint8_t *p, size_t len)
{
    if (len > cap - 1)
        len = cap - 1;
    memcpy(dst, p, len);
    dst[len] = '\0';
}

static void feed_dns(struct analyzer *a, struct flow *f, int dir, const uint8_t *data, size_t len)
{
    struct stream_dir *d = &f->dir[dir];
    /* RFC 1035 §4.2.2: each message is preceded by a two-byte length. */
    struct cur c;
    cur_init(&c, data, len);
    if (!cur_skip(&c, d->dns_off))
        return;
    for (;;) {
        struct cur save = c, msg;
        if (!cur_vec16(&c, &msg)) {
            c = save;
            break;
        }
        track_dns_message(a, msg.p, msg.left, dir == DIR_C2S ? &f->cli : &f->srv, true, f->sport,
                          track_dns_records(a, f));
        d->dns_off = (uint32_t)(len - cur_left(&c));
    }
    if (d->dns_off >= a->cutoff)
        d->done = true;
}

/* The first byte of a direction (stream_feed never passes an empty one). */
static uint8_t first_byte(const uint8_t *data, size_t len)
{
    struct cur c;
    uint8_t b = 0;
    cur_init(&c, data, len);
    cur_peek_u8(&c, &b);
    return b;
}

/* DNS over TCP on a port other than 53 (RFC 7766 framing): a two-byte
 * length, then a query that parses cleanly with exactly one question.
 * PARSE_INCOMPLETE while the first message is not all there. */
static enum parse_result dns_tcp_check(struct analyzer *a, const uint8_t *data, size_t len)
{
    struct cur c, msg;
    uint16_t n = 0;
    cur_init(&c, data, len);
    if (!cur_be16(&c, &n))
        return PARSE_INCOMPLETE;
    if (n < 12 || n > 512)
        return PARSE_MALFORMED; /* a query is small (RFC 1035 §2.3.4 for UDP; a bound of ours) */
    if (!cur_sub(&c, n, &msg))
        return PARSE_INCOMPLETE;
    struct dns_msg *m = &a->dns_scratch;
    if (dns_parse_message(msg.p, msg.left, m, NULL) == PARSE_OK && !m->qr && m->opcode == 0 &&
        m->qdcount == 1 && m->has_question)
        return PARSE_OK;
    return PARSE_MALFORMED;
}

/* A ClientHello read (whole, or partly from a cut stream): what it names. */
static void took_client_hello(struct analyzer *a, struct flow *f, const struct tls_client_hello *ch)
{
    f->client_hello = true;
    f->flags |= EA_CF_TLS;
    if (ch->has_sni) {
        set_inner(a, f, EA_NAME_SNI, ch->sni, ch->sni_len);
        if (ch->sni_cut)
            f->flags |= EA_CF_NAME_CUT;
    } else if (!ch->cut) {
        f->flags |= EA_CF_TLS_NO_SNI;
    }
    if (ch->has_ech)
        f->flags |= EA_CF_ECH;
    flow_hello_details(a, f, ch, 't'); /* ALPN and the JA4 fingerprint (hello.c) */
}

/* An HTTP request head read: its name (RFC 9112 §3.2.2: a proxy ignores
 * Host for an absolute-form target and uses the URI's authority; CONNECT
 * names host:port, and the tunnel that follows may carry TLS). */
static void took_http_request(struct analyzer *a, struct flow *f, const struct http_request *rq)
{
    f->http_request = true;
    f->flags |= EA_CF_HTTP;
    if (flow_app(a, f) && !f->app->http_method[0])
        flow_copy_field(f->app->http_method, sizeof(f->app->http_method), rq->method.p,
                        rq->method.len);
    if (rq->is_connect) {
        struct http_view h = http_authority_host(rq->authority);
        flow_set_name(a, f, EA_NAME_CONNECT, h.p, h.len);
        f->flags |= EA_CF_HTTP_CONNECT;
    } else if (rq->absolute_form && rq->authority.len) {
        struct http_view h = http_authority_host(rq->authority);
        set_inner(a, f, EA_NAME_HTTP_HOST, h.p, h.len);
    } else if (rq->has_host && rq->host.len) {
        struct http_view h = http_authority_host(rq->host);
        set_inner(a, f, EA_NAME_HTTP_HOST, h.p, h.len);
    }
}

/* A prelude read: the name it asked for, and where TLS begins. */
static void took_prelude(struct analyzer *a, struct flow *f, const struct prelude *pr)
{
    struct stream_dir *d = &f->dir[DIR_C2S];
    d->prelude = (uint8_t)pr->kind;
    d->tls_off = (uint32_t)pr->tls_off;
    d->kind = SK_TLS;
    if (pr->kind != PRELUDE_SOCKS4 && pr->kind != PRELUDE_SOCKS5) {
        f->flags |= EA_CF_STARTTLS;
        return;
    }
    f->flags |= EA_CF_SOCKS;
    if (pr->has_domain) {
        flow_set_name(a, f, EA_NAME_SOCKS, pr->domain, pr->domain_len);
    } else if (pr->addr_family) {
        /* The proxy judges the address it was asked for: that is the
         * connection's name; the SNI inside becomes its second name. */
        struct ea_addr addr = {.family = pr->addr_family};
        char text[EA_ADDR_TEXT_MAX];
        memcpy(addr.b, pr->addr, pr->addr_family == 4 ? 4 : 16);
        ea_addr_text(&addr, text, sizeof text);
        flow_set_name(a, f, EA_NAME_SOCKS, (const uint8_t *)text, strlen(text));
        if (f->app && f->name_source == EA_NAME_SOCKS)
            f->app->name_is_addr = true;
    }
}

static void feed_client_tls(struct analyzer *a, struct flow *f, const uint8_t *data, size_t len)
{
    struct stream_dir *d = &f->dir[DIR_C2S];
    const char *why = NULL;
    struct tls_client_hello ch;
    struct cur c;
    const uint8_t *inner = NULL;
    uint8_t b = 0;
    cur_init(&c, data, len);
    if (!cur_skip(&c, d->tls_off) || !cur_peek_u8(&c, &b))
        return; /* the inner session has not begun */
    inner = c.p;
    if (d->tls_off > 0 && b >= 'A' && b <= 'Z' && !(f->flags & EA_CF_STARTTLS)) {
        /* Plain HTTP through CONNECT or SOCKS: its Host is the second name. */
        struct http_request rq;
        enum parse_result hr = http_parse_request(inner, cur_left(&c), &rq, &why);
        if (hr == PARSE_INCOMPLETE && len < a->cutoff)
            return;
        d->done = true;
        if (hr == PARSE_OK && !rq.is_connect)
            took_http_request(a, f, &rq);
        else
            d->kind = SK_OTHER;
        return;
    }
    if (d->tls_off > 0 && b != 0x16) {
        /* Neither TLS nor HTTP inside the tunnel. */
        d->done = true;
        d->kind = SK_OTHER;
        return;
    }
    enum parse_result r =
        tls_parse_client_hello_stream(inner, cur_left(&c), a->tls_scratch, &ch, &why);
    if (r == PARSE_INCOMPLETE && len >= a->cutoff) {
        /* A hello that does not fit in the cutoff: say so, never drop it silently. */
        a->report->counters[EA_C_TLS_MALFORMED]++;
        f->flags |= EA_CF_TLS | EA_CF_HELLO_CUT;
        d->done = true;
        return;
    }
    if (r == PARSE_INCOMPLETE)
        return;
    d->done = true;
    if (r == PARSE_MALFORMED) {
        a->report->counters[EA_C_TLS_MALFORMED]++;
        if (tls_looks_like_handshake(inner, cur_left(&c)))
            f->flags |= EA_CF_TLS | EA_CF_HELLO_CUT; /* e.g. "client hello too large" */
        d->kind = SK_OTHER;
        return;
    }
    took_client_hello(a, f, &ch);
}

static void feed_client(struct analyzer *a, struct flow *f, const uint8_t *data, size_t len)
{
    struct stream_dir *d = &f->dir[DIR_C2S];
    const char *why = NULL;
    if (d->kind == SK_UNKNOWN) {
        uint8_t b = first_byte(data, len);
        if (is_dns_port(f))
            d->kind = SK_DNS;
        else if (b == 0x16)
            d->kind = SK_TLS; /* confirmed or refuted by the parser */
        else if (b >= 'A' && b <= 'Z')
            d->kind = SK_HTTP; /* or a STARTTLS protocol: tried when HTTP fails */
        else if (b == 0 || b == 4 || b == 5 || b == 0x30 || (b > 0x20 && b < 0x7f))
            d->kind = SK_PRELUDE;
        else if (dns_tcp_check(a, data, len) == PARSE_OK)
            d->kind = SK_DNS;
        else
            d->kind = SK_OTHER;
        if (d->kind == SK_DNS)
            f->flags |= EA_CF_DNS;
    }
    switch (d->kind) {
    case SK_DNS:
        feed_dns(a, f, DIR_C2S, data, len);
        return;
    case SK_TLS:
        feed_client_tls(a, f, data, len);
        return;
    case SK_HTTP: {
        struct http_request rq;
        enum parse_result r = http_parse_request(data, len, &rq, &why);
        if (r == PARSE_INCOMPLETE) {
            if (len >= a->cutoff)
                d->done = true;
            return;
        }
        if (r == PARSE_MALFORMED) {
            /* "EHLO", "CAPA", "a1 STARTTLS": a STARTTLS protocol? */
            struct prelude pr;
            enum parse_result pr_r = prelude_parse(data, len, &pr, &why);
            if (pr_r != PARSE_MALFORMED) {
                d->kind = SK_PRELUDE;
                if (pr_r == PARSE_OK) {
                    took_prelude(a, f, &pr);
                    feed_client_tls(a, f, data, len);
                }
                return;
            }
            d->done = true;
            if (http_looks_like_request(data, len))
                a->report->counters[EA_C_HTTP_MALFORMED]++;
            d->kind = SK_OTHER;
            return;
        }
        took_http_request(a, f, &rq);
        if (rq.is_connect) {
            /* The tunnel follows the head: TLS in it names the session. */
            d->kind = SK_TLS;
            d->tls_off = (uint32_t)rq.head_len;
            feed_client_tls(a, f, data, len);
            return;
        }
        d->done = true;
        return;
    }
    case SK_PRELUDE: {
        struct prelude pr;
        enum parse_result r = prelude_parse(data, len, &pr, &why);
        if (r == PARSE_INCOMPLETE) {
            if (len >= a->cutoff)
                d->done = true;
            return;
        }
        if (r == PARSE_MALFORMED) {
            /* DNS over TCP on another port starts with a length: 0x00 .. */
            enum parse_result dr = dns_tcp_check(a, data, len);
            if (dr == PARSE_INCOMPLETE)
                return;
            if (dr == PARSE_OK) {
                d->kind = SK_DNS;
                f->flags |= EA_CF_DNS;
                feed_dns(a, f, DIR_C2S, data, len);
            } else {
                d->kind = SK_OTHER;
                d->done = true;
            }
            return;
        }
        took_prelude(a, f, &pr);
        feed_client_tls(a, f, data, len);
        return;
    }
    default:
        d->done = true;
        return;
    }
}

/* TLS from the server after a prelude: its plaintext answers (the proxy's
 * "200", SOCKS replies, "220 Ready to start TLS", "+OK", <proceed/>, 'S')
 * come first. The first TLS record header that starts a ServerHello or an
 * alert (or an HTTP status line, for plain HTTP through a proxy), within
 * PRELUDE_MAX bytes, is where the session begins. */
static bool server_tls_start(const uint8_t *data, size_t len, size_t from, size_t *out_off)
{
    struct cur c;
    cur_init(&c, data, len);
    if (!cur_skip(&c, from))
        return false;
    for (size_t off = from; off < PRELUDE_MAX && cur_left(&c) >= 6; off++) {
        struct cur look = c;
        uint8_t type = 0, major = 0, minor = 0, hs = 0;
        uint16_t rlen = 0;
        cur_u8(&look, &type);
        cur_u8(&look, &major);
        cur_u8(&look, &minor);
        cur_be16(&look, &rlen);
        cur_u8(&look, &hs);
        if (major == 3 && minor <= 4 && rlen > 0 &&
            ((type == 0x16 && hs == 2) || (type == 0x15 && rlen == 2))) {
            *out_off = off;
            return true;
        }
        /* "HTTP/1." (RFC 9112 §4): plain HTTP inside the tunnel */
        if (type == 'H' && major == 'T' && minor == 'T' && rlen == (('P' << 8) | '/') &&
            hs == '1') {
            *out_off = off;
            return true;
        }
        cur_skip(&c, 1);
    }
    return false;
}

static bool client_has_prelude(const struct flow *f)
{
    return f->dir[DIR_C2S].tls_off > 0 ||
           (f->dir[DIR_C2S].kind == SK_PRELUDE && !f->dir[DIR_C2S].done) ||
           (f->dir[DIR_C2S].kind == SK_UNKNOWN);
}

static void feed_server_tls(struct analyzer *a, struct flow *f, const uint8_t *data, size_t len,
                            size_t off)
{
    struct stream_dir *d = &f->dir[DIR_S2C];
    struct tls_server_first sf;
    const char *why = NULL;
    struct cur c;
    cur_init(&c, data, len);
    if (!cur_skip(&c, off))
        return;
    if (f->server_hello) { /* TLS 1.2: reading on for the certificate */
        d->done = flow_server_certificate(a, f, c.p, cur_left(&c));
        return;
    }
    enum parse_result r = tls_parse_server_first(c.p, cur_left(&c), &sf, &why);
    if (r == PARSE_INCOMPLETE) {
        if (len >= a->cutoff)
            d->done = true;
        return;
    }
    d->done = true;
    if (r == PARSE_MALFORMED) {
        if (f->client_hello)
            a->report->counters[EA_C_TLS_MALFORMED]++;
        d->kind = SK_OTHER;
        return;
    }
    if (sf.kind == TLS_SERVER_HELLO) {
        f->server_hello = true;
        f->tls_version = sf.version;
        if (sf.alpn_len && flow_app(a, f)) {
            flow_copy_field(f->app->server_alpn, sizeof(f->app->server_alpn), sf.alpn, sf.alpn_len);
            f->app->server_alpn_len = (uint8_t)strlen(f->app->server_alpn);
        }
        /* TLS 1.2 and older send the certificate in cleartext */
        if (sf.version <= 0x0303 && !sf.hello_retry)
            d->done = flow_server_certificate(a, f, c.p, cur_left(&c));
    } else {
        f->tls_alert = true;
    }
}

static void feed_server_at(struct analyzer *a, struct flow *f, const uint8_t *data, size_t len,
                           size_t off);

/* An HTTP response from byte off of the server's stream (0, or where it
 * begins inside a CONNECT or SOCKS tunnel). */
static void feed_server_http(struct analyzer *a, struct flow *f, const uint8_t *data, size_t len,
                             size_t off)
{
    struct stream_dir *d = &f->dir[DIR_S2C];
    struct http_response rs;
    const char *why = NULL;
    struct cur c;
    cur_init(&c, data, len);
    if (!cur_skip(&c, off))
        return;
    enum parse_result r = http_parse_response(c.p, cur_left(&c), &rs, &why);
    if (r == PARSE_INCOMPLETE) {
        if (len >= a->cutoff)
            d->done = true;
        return;
    }
    if (r == PARSE_MALFORMED) {
        d->done = true;
        d->kind = SK_OTHER;
        return;
    }
    f->http_response = true;
    f->http_status = rs.status;
    /* Azure Firewall denies plain HTTP with status 470 and a body
     * "Action: Deny. Reason: ..."; read a little of the body for it. */
    f->http_deny = rs.status == 470 || rs.firewall_deny;
    if (off == 0 && (f->flags & EA_CF_HTTP_CONNECT) && rs.status >= 200 && rs.status < 300 &&
        !f->http_deny) {
        /* The proxy opened the tunnel: what it carries follows the head. */
        size_t at;
        if (rs.head_len > 0 && server_tls_start(data, len, rs.head_len, &at))
            feed_server_at(a, f, data, len, at);
        else if (len >= PRELUDE_MAX)
            d->done = true;
        return;
    }
    if (f->http_deny || len - off >= HTTP_RESPONSE_LOOK)
        d->done = true;
}

/* The server's session begins at off, after its prelude answers: TLS, or
 * an HTTP status line (server_tls_start found one of them there). */
static void feed_server_at(struct analyzer *a, struct flow *f, const uint8_t *data, size_t len,
                           size_t off)
{
    struct stream_dir *d = &f->dir[DIR_S2C];
    struct cur c;
    uint8_t b = 0;
    cur_init(&c, data, len);
    d->tls_off = (uint32_t)off;
    if (cur_skip(&c, off) && cur_peek_u8(&c, &b) && b == 'H') {
        d->kind = SK_HTTP;
        feed_server_http(a, f, data, len, off);
        return;
    }
    d->kind = SK_TLS;
    feed_server_tls(a, f, data, len, off);
}

static void feed_server(struct analyzer *a, struct flow *f, const uint8_t *data, size_t len)
{
    struct stream_dir *d = &f->dir[DIR_S2C];
    if (d->kind == SK_UNKNOWN) {
        uint8_t b = first_byte(data, len);
        if (is_dns_port(f) || f->dir[DIR_C2S].kind == SK_DNS)
            d->kind = SK_DNS;
        else if (b == 0x16 || b == 0x15)
            d->kind = SK_TLS;
        else if (b == 'H')
            d->kind = SK_HTTP;
        else if (client_has_prelude(f))
            d->kind = SK_PRELUDE; /* a banner or a reply before TLS: wait for it */
        else
            d->kind = SK_OTHER;
    }
    switch (d->kind) {
    case SK_DNS:
        feed_dns(a, f, DIR_S2C, data, len);
        return;
    case SK_TLS:
        feed_server_tls(a, f, data, len, d->tls_off);
        return;
    case SK_PRELUDE: {
        size_t off;
        if (!client_has_prelude(f)) {
            d->done = true; /* the client spoke no prelude after all */
            d->kind = SK_OTHER;
            return;
        }
        if (server_tls_start(data, len, 0, &off)) {
            feed_server_at(a, f, data, len, off);
        } else if (len >= PRELUDE_MAX) {
            d->done = true;
            d->kind = SK_OTHER;
        }
        return;
    }
    case SK_HTTP:
        feed_server_http(a, f, data, len, d->tls_off);
        return;
    default:
        d->done = true;
        return;
    }
}

void stream_feed(struct analyzer *a, struct flow *f, int dir, const uint8_t *data, size_t len)
{
    struct stream_dir *d = &f->dir[dir];
    if (d->done || len == 0 || len <= d->seen)
        return;
    if (len > a->cutoff)
        len = a->cutoff;
    d->seen = (uint32_t)len;
    if (dir == DIR_C2S)
        feed_client(a, f, data, len);
    else
        feed_server(a, f, data, len);
    if (len >= a->cutoff)
        d->done = true;
}

bool stream_wants(const struct flow *f, int dir)
{
    return !f->dir[dir].done;
}

/* An HTTP head cut before its end: the lines that are whole, closed with an
 * empty line, read as a head (a Host line before the cut still names it). */
static void end_http(struct analyzer *a, struct flow *f, const uint8_t *data, size_t len)
{
    struct cur c;
    size_t whole = 0;
    uint8_t b;
    const char *why = NULL;
    struct http_request rq;
    cur_init(&c, data, len);
    for (size_t i = 0; i < len && i + 2 < sizeof a->tls_scratch && cur_u8(&c, &b); i++)
        if (b == '\n')
            whole = i + 1;
    if (whole == 0)
        return;
    memcpy(a->tls_scratch, data, whole);
    a->tls_scratch[whole] = '\r';
    a->tls_scratch[whole + 1] = '\n';
    if (http_parse_request(a->tls_scratch, whole + 2, &rq, &why) == PARSE_OK)
        took_http_request(a, f, &rq);
}

/* RFC 8446 §5.1, §4: a handshake record whose first message is a
 * ServerHello; the rest may be cut. */
static bool starts_server_hello(const uint8_t *data, size_t len)
{
    struct cur c;
    uint8_t type = 0, major = 0, minor = 0, hs = 0;
    uint16_t rlen = 0;
    cur_init(&c, data, len);
    return cur_u8(&c, &type) && cur_u8(&c, &major) && cur_u8(&c, &minor) && cur_be16(&c, &rlen) &&
           cur_u8(&c, &hs) && type == 0x16 && major == 3 && minor <= 4 && rlen >= 4 && hs == 2;
}

void stream_end(struct analyzer *a, struct flow *f, int dir, const uint8_t *data, size_t len)
{
    struct stream_dir *d = &f->dir[dir];
    if (d->done || len == 0)
        return;
    if (d->kind == SK_DNS) {
        /* A DNS message over TCP cut short: its question may be whole. */
        struct cur c, msg;
        uint16_t n = 0;
        cur_init(&c, data, len);
        if (cur_skip(&c, d->dns_off) && cur_be16(&c, &n) && !cur_empty(&c)) {
            cur_sub(&c, cur_left(&c) < n ? cur_left(&c) : n, &msg);
            track_dns_message(a, msg.p, cur_left(&msg), dir == DIR_C2S ? &f->cli : &f->srv, true,
                              f->sport, track_dns_records(a, f));
        }
        return;
    }
    if (dir == DIR_S2C) {
        /* A ServerHello cut by the snaplen or a gap still says the server
         * answered the hello with TLS. */
        struct cur c;
        cur_init(&c, data, len);
        if (d->kind == SK_TLS && cur_skip(&c, d->tls_off) && (f->flags & EA_CF_TLS) &&
            starts_server_hello(c.p, cur_left(&c)))
            f->server_hello = true;
        return;
    }
    if (len > a->cutoff)
        len = a->cutoff;
    switch (d->kind) {
    case SK_TLS: {
        struct tls_client_hello ch;
        const char *why = NULL;
        struct cur c;
        cur_init(&c, data, len);
        if (!cur_skip(&c, d->tls_off) || cur_empty(&c))
            return;
        enum parse_result r =
            tls_parse_client_hello_partial(c.p, cur_left(&c), a->tls_scratch, &ch, &why);
        if (r == PARSE_OK) {
            took_client_hello(a, f, &ch);
            if (ch.cut && !ch.has_sni)
                f->flags |= EA_CF_HELLO_CUT; /* read up to the cut: no name before it */
        } else if (tls_looks_like_handshake(c.p, cur_left(&c))) {
            f->flags |= EA_CF_TLS | EA_CF_HELLO_CUT;
        }
        return;
    }
    case SK_HTTP:
        end_http(a, f, data, len);
        return;
    default:
        return;
    }
}
