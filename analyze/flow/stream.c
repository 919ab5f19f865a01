/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The stream sink: the first bytes of each TCP direction, in order, from
 * libnids (IPv4) or our own reassembly (IPv6, mid-stream). Decides what the
 * stream carries, runs the parser, and copies the few fields that matter
 * into the flow (views inside the parsers, copies here).
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "pipeline.h"

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

void flow_set_name(struct analyzer *a, struct flow *f, enum ea_name_source src, const uint8_t *p,
                   size_t len)
{
    struct flow_app *app = flow_app(a, f);
    if (!app || f->name_source != EA_NAME_NONE)
        return; /* the first name wins: what the firewall judged */
    if (len > sizeof(app->name) - 1) {
        len = sizeof(app->name) - 1;
        f->flags |= EA_CF_NAME_CUT;
    }
    memcpy(app->name, p, len);
    app->name[len] = '\0';
    app->name_len = (uint16_t)len;
    f->name_source = src;
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
        track_dns_message(a, msg.p, msg.left, dir == DIR_C2S ? &f->cli : &f->srv, true);
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
            d->kind = SK_HTTP;
        else
            d->kind = SK_OTHER;
    }
    switch (d->kind) {
    case SK_DNS:
        feed_dns(a, f, DIR_C2S, data, len);
        return;
    case SK_TLS: {
        struct tls_client_hello ch;
        enum parse_result r = tls_parse_client_hello_stream(data, len, a->tls_scratch, &ch, &why);
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
            if (tls_looks_like_handshake(data, len))
                f->flags |= EA_CF_TLS | EA_CF_HELLO_CUT; /* e.g. "client hello too large" */
            d->kind = SK_OTHER;
            return;
        }
        f->client_hello = true;
        flow_client_hello(a, f, &ch, 't');
        return;
    }
    case SK_HTTP: {
        struct http_request rq;
        enum parse_result r = http_parse_request(data, len, &rq, &why);
        if (r == PARSE_INCOMPLETE) {
            if (len >= a->cutoff)
                d->done = true;
            return;
        }
        d->done = true;
        if (r == PARSE_MALFORMED) {
            if (http_looks_like_request(data, len))
                a->report->counters[EA_C_HTTP_MALFORMED]++;
            d->kind = SK_OTHER;
            return;
        }
        f->http_request = true;
        f->flags |= EA_CF_HTTP;
        if (flow_app(a, f))
            flow_copy_field(f->app->http_method, sizeof(f->app->http_method), rq.method.p,
                            rq.method.len);
        /* RFC 9112 §3.2.2: a proxy ignores Host for an absolute-form
         * target and uses the URI's authority; CONNECT names host:port. */
        if (rq.is_connect) {
            struct http_view h = http_authority_host(rq.authority);
            flow_set_name(a, f, EA_NAME_CONNECT, h.p, h.len);
        } else if (rq.absolute_form && rq.authority.len) {
            struct http_view h = http_authority_host(rq.authority);
            flow_set_name(a, f, EA_NAME_HTTP_HOST, h.p, h.len);
        } else if (rq.has_host && rq.host.len) {
            struct http_view h = http_authority_host(rq.host);
            flow_set_name(a, f, EA_NAME_HTTP_HOST, h.p, h.len);
        }
        return;
    }
    default:
        d->done = true;
        return;
    }
}

static void feed_server(struct analyzer *a, struct flow *f, const uint8_t *data, size_t len)
{
    struct stream_dir *d = &f->dir[DIR_S2C];
    const char *why = NULL;
    if (d->kind == SK_UNKNOWN) {
        uint8_t b = first_byte(data, len);
        if (is_dns_port(f))
            d->kind = SK_DNS;
        else if (b == 0x16 || b == 0x15)
            d->kind = SK_TLS;
        else if (b == 'H')
            d->kind = SK_HTTP;
        else
            d->kind = SK_OTHER;
    }
    switch (d->kind) {
    case SK_DNS:
        feed_dns(a, f, DIR_S2C, data, len);
        return;
    case SK_TLS: {
        struct tls_server_first sf;
        if (f->server_hello) { /* TLS 1.2: reading on for the certificate */
            d->done = flow_server_certificate(a, f, data, len);
            return;
        }
        enum parse_result r = tls_parse_server_first(data, len, &sf, &why);
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
                flow_copy_field(f->app->server_alpn, sizeof(f->app->server_alpn), sf.alpn,
                                sf.alpn_len);
                f->app->server_alpn_len = (uint8_t)strlen(f->app->server_alpn);
            }
            /* TLS 1.2 and older send the certificate in cleartext */
            if (sf.version <= 0x0303 && !sf.hello_retry)
                d->done = flow_server_certificate(a, f, data, len);
        } else {
            f->tls_alert = true;
        }
        return;
    }
    case SK_HTTP: {
        struct http_response rs;
        enum parse_result r = http_parse_response(data, len, &rs, &why);
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
        if (f->http_deny || len >= HTTP_RESPONSE_LOOK)
            d->done = true;
        return;
    }
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
