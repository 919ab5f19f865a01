/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * TLS hellos. The first byte picks the parser (modulo 3):
 *   0  tls_parse_client_hello_stream: client→server stream bytes; called
 *      with the first half, then (as the analyzer does while INCOMPLETE)
 *      with the whole input; then tls_parse_client_hello_partial on it
 *   1  tls_parse_client_hello_msg: one handshake message (QUIC CRYPTO)
 *   2  tls_parse_server_first: server→client stream bytes, then (as the
 *      analyzer does after a TLS 1.2 ServerHello) tls_parse_server_certificate
 *      and x509_subject_names on the leaf
 * The rest of the input is what the parser sees. Every ClientHello parsed
 * is also fingerprinted (ja4_client_hello).
 */
#include "fuzz.h"

#include "ja4.h"
#include "tls.h"
#include "x509.h"

static uint8_t scratch[TLS_HS_MAX];

static void check_hello(const struct tls_client_hello *h)
{
    if (h->sni_len > TLS_SNI_MAX || h->alpn_len > TLS_ALPN_MAX)
        abort();
    if (h->has_sni && h->sni[h->sni_len] != 0)
        abort();
    fuzz_touch(h->sni, h->sni_len);
    fuzz_touch(h->alpn, h->alpn_len);
    if (h->n_ciphers > TLS_JA4_CIPHERS_MAX && !h->ja4_cut)
        abort();
    char ja4[JA4_TEXT_MAX + 1];
    if (ja4_client_hello(h, 't', ja4) && strlen(ja4) != JA4_TEXT_MAX)
        abort();
}

static void server_certificate(const uint8_t *data, size_t size)
{
    struct cur leaf;
    const char *why = NULL;
    if (tls_parse_server_certificate(data, size, scratch, &leaf, &why) != PARSE_OK)
        return;
    struct x509_names xn;
    if (x509_subject_names(leaf.p, cur_left(&leaf), "www.example.com", 15, &xn, &why) != PARSE_OK)
        return;
    if (xn.n > X509_NAMES_MAX)
        abort();
    for (size_t i = 0; i < xn.n; i++)
        fuzz_touch(xn.names[i].p, cur_left(&xn.names[i]));
}

static void client_stream(const uint8_t *data, size_t size)
{
    struct tls_client_hello h;
    const char *why = NULL;
    /* the first half in a buffer of its own, so reading past it is seen */
    size_t half = size / 2;
    uint8_t *prefix = malloc(half ? half : 1);
    if (!prefix)
        return;
    if (half)
        memcpy(prefix, data, half);
    enum parse_result r = tls_parse_client_hello_stream(prefix, half, scratch, &h, &why);
    free(prefix);
    if (r == PARSE_OK)
        check_hello(&h);
    else if (r == PARSE_MALFORMED)
        fuzz_touch_str(why);

    why = NULL;
    r = tls_parse_client_hello_stream(data, size, scratch, &h, &why);
    if (r == PARSE_OK)
        check_hello(&h);
    else if (r == PARSE_MALFORMED)
        fuzz_touch_str(why);
    (void)tls_looks_like_handshake(data, size);

    /* the same bytes as a stream cut after them (snaplen, gap, capture end) */
    why = NULL;
    r = tls_parse_client_hello_partial(data, size, scratch, &h, &why);
    if (r == PARSE_OK)
        check_hello(&h);
    else if (r == PARSE_MALFORMED)
        fuzz_touch_str(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0] % 3;
    data++;
    size--;

    struct tls_client_hello h;
    struct tls_server_first s;
    const char *why = NULL;
    enum parse_result r;
    switch (sel) {
    case 0:
        client_stream(data, size);
        break;
    case 1:
        r = tls_parse_client_hello_msg(data, size, &h, &why);
        if (r == PARSE_OK)
            check_hello(&h);
        else if (r == PARSE_MALFORMED)
            fuzz_touch_str(why);
        break;
    default:
        r = tls_parse_server_first(data, size, &s, &why);
        if (r == PARSE_OK && s.kind != TLS_SERVER_HELLO && s.kind != TLS_SERVER_ALERT)
            abort();
        if (r == PARSE_MALFORMED)
            fuzz_touch_str(why);
        server_certificate(data, size);
        break;
    }
    return 0;
}
