/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HTTP/1.x heads: the input as the start of a client→server stream
 * (http_parse_request, http_looks_like_request) and of a server→client
 * stream (http_parse_response); then http_authority_host on every
 * authority the request gave and on the whole input. Every view must lie
 * inside the input.
 */
#include "fuzz.h"

#include "http.h"

/* The host part is a view into the authority. */
static void check_host(struct http_view authority)
{
    struct http_view host = http_authority_host(authority);
    fuzz_check_view(host.p, host.len, authority.p, authority.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_request rq;
    const char *why = NULL;
    enum parse_result r = http_parse_request(data, size, &rq, &why);
    if (r == PARSE_OK) {
        fuzz_check_view(rq.method.p, rq.method.len, data, size);
        fuzz_check_view(rq.target.p, rq.target.len, data, size);
        fuzz_check_view(rq.authority.p, rq.authority.len, data, size);
        fuzz_check_view(rq.host.p, rq.host.len, data, size);
        if (rq.head_len > size)
            abort();
        check_host(rq.authority);
        if (rq.has_host)
            check_host(rq.host);
    } else if (r == PARSE_MALFORMED) {
        fuzz_touch_str(why);
    }
    (void)http_looks_like_request(data, size);

    struct http_response rs;
    why = NULL;
    r = http_parse_response(data, size, &rs, &why);
    if (r == PARSE_OK) {
        fuzz_check_view(rs.reason.p, rs.reason.len, data, size);
        if (rs.head_len > size || rs.status < 100 || rs.status > 999)
            abort();
    } else if (r == PARSE_MALFORMED) {
        fuzz_touch_str(why);
    }

    struct http_view all = {data, size};
    check_host(all);
    return 0;
}
