/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HTTP/1.x request and response heads (RFC 9112 §3, §4; RFC 9110 §7.2 Host,
 * §9.3.6 CONNECT). Views into the caller's buffer; nothing is allocated. */
#ifndef EA_HTTP_H
#define EA_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

/* Longest head we look at; a head without its end inside this is malformed. */
#define HTTP_HEAD_MAX 16384

struct http_view {
    const uint8_t *p;
    size_t len;
};

struct http_request {
    struct http_view method;
    struct http_view target;    /* request-target as sent */
    uint8_t version_minor;      /* HTTP/1.x */
    bool is_connect;            /* method CONNECT: target is authority-form */
    bool absolute_form;         /* target is an absolute URI */
    struct http_view authority; /* host[:port] of CONNECT or absolute-form target; empty else */
    bool has_host;
    struct http_view host; /* the Host header value, trimmed of OWS */
    size_t head_len;       /* bytes up to and including the empty line */
};

/*
 * Parse a request head from the start of a client→server stream. The head
 * ends with CRLF CRLF (a bare LF is accepted as a line end). Returns
 * PARSE_INCOMPLETE until the end of the head is present, PARSE_MALFORMED if
 * the bytes cannot be an HTTP/1.x request (bad method token, no version, a
 * control character in the request line, a head longer than HTTP_HEAD_MAX).
 * *out is written only on PARSE_OK.
 */
enum parse_result http_parse_request(const uint8_t *buf, size_t len, struct http_request *out,
                                     const char **out_reason);

/* Just the request line, for a stream whose head never completes (e.g. the
 * snaplen or cutoff cut the headers): ok as soon as the first line is whole. */
bool http_looks_like_request(const uint8_t *buf, size_t len);

struct http_response {
    uint8_t version_minor;
    uint16_t status; /* 100..999 */
    struct http_view reason;
    size_t head_len;
    /* "Action: Deny" appears in the head or in the body bytes present (Azure
     * Firewall's deny page); only the bytes given are searched. */
    bool firewall_deny;
};

/* Parse a response from the start of a server→client stream: the status
 * line is required; the rest of the head may be missing (PARSE_OK with
 * head_len 0 then is not given: PARSE_INCOMPLETE until the status line is
 * complete, PARSE_OK once it is). *out written only on PARSE_OK. */
enum parse_result http_parse_response(const uint8_t *buf, size_t len, struct http_response *out,
                                      const char **out_reason);

/* Split "host[:port]" / "[v6]:port" into the host part (brackets removed). */
struct http_view http_authority_host(struct http_view authority);

#endif
