/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * JA4 (ja4.h) from the lists a parsed ClientHello keeps. Written from
 * FoxIO's specification, checked against the fingerprints FoxIO publishes
 * for its sample captures (tests/data/ja4/foxio-expected.tsv).
 */
#include "ja4.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sorted copy, values as "%04x" joined by ',' (hex order is numeric order). */
#define JA4_LIST_TEXT (TLS_JA4_CIPHERS_MAX * 5 + TLS_JA4_LIST_MAX * 5 * 2 + 2)

/* Insertion sort: the lists hold at most TLS_JA4_CIPHERS_MAX values, most
 * under 30, and qsort's merge sort allocated and cost more than the rest of
 * the fingerprint (bench/RESULTS.md, issue 12). */
static void sort_u16(uint16_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint16_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static size_t put_list(char *buf, size_t at, size_t cap, const uint16_t *v, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n && at + 5 < cap; i++) {
        if (i > 0)
            buf[at++] = ',';
        buf[at++] = hex[v[i] >> 12];
        buf[at++] = hex[(v[i] >> 8) & 0xf];
        buf[at++] = hex[(v[i] >> 4) & 0xf];
        buf[at++] = hex[v[i] & 0xf];
    }
    return at;
}

/* The first 12 hex digits of SHA-256(text), lower case. */
static bool hash12(const char *text, size_t len, char out[13])
{
    static const char hex[] = "0123456789abcdef";
    /* Fetched once for the process: EVP_sha256() makes OpenSSL 3 look the
     * algorithm up by name on every digest, which cost more than hashing
     * (the same reason as quic.c's algs_get). */
    static EVP_MD *sha256;
    if (!sha256)
        sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!sha256 || !EVP_Digest(text, len, md, &md_len, sha256, NULL) || md_len < 6)
        return false;
    for (size_t i = 0; i < 6; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0xf];
    }
    out[12] = '\0';
    return true;
}

/* JA4.md "TLS and DTLS Version" */
static const char *version_text(uint16_t v)
{
    static const struct {
        uint16_t v;
        const char *text;
    } tab[] = {
        {0x0304, "13"}, {0x0303, "12"}, {0x0302, "11"}, {0x0301, "10"}, {0x0300, "s3"},
        {0x0002, "s2"}, {0xfeff, "d1"}, {0xfefd, "d2"}, {0xfefc, "d3"},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (tab[i].v == v)
            return tab[i].text;
    return "00";
}

/*
 * JA4.md "ALPN Extension Value": first and last character of the first
 * protocol. For a byte that is not an ASCII letter or digit the text
 * describes a hex fallback, but FoxIO's implementations and their published
 * fingerprint of tls-non-ascii-alpn.pcapng write '9' (Python writes "99"
 * when the first byte is above 0x7f; Rust puts '9' for each non-ASCII
 * character): we follow the published fingerprints, and write '9' for any
 * byte that is not alphanumeric, so the fingerprint stays plain text.
 */
static char alpn_char(uint8_t b)
{
    bool alnum = (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
    return alnum ? (char)b : '9';
}

bool ja4_client_hello(const struct tls_client_hello *ch, char transport, char out[JA4_TEXT_MAX + 1])
{
    uint16_t sorted[TLS_JA4_CIPHERS_MAX];
    char text[JA4_LIST_TEXT];
    char b[13], c[13];
    size_t n;

    if (ch->ja4_cut || ch->n_ciphers > TLS_JA4_CIPHERS_MAX || ch->n_exts > TLS_JA4_LIST_MAX ||
        ch->n_sig_algs > TLS_JA4_LIST_MAX)
        return false;

    /* JA4_b: cipher suites sorted */
    if (ch->n_ciphers == 0) {
        memcpy(b, "000000000000", 13);
    } else {
        memcpy(sorted, ch->ciphers, ch->n_ciphers * sizeof sorted[0]);
        sort_u16(sorted, ch->n_ciphers);
        n = put_list(text, 0, sizeof text, sorted, ch->n_ciphers);
        if (!hash12(text, n, b))
            return false;
    }

    /* JA4_c: extension types sorted without SNI and ALPN, then "_" and the
     * signature algorithms in their order (no "_" when there are none) */
    size_t n_ext = 0;
    bool sni = false;
    for (size_t i = 0; i < ch->n_exts; i++) {
        if (ch->exts[i] == TLS_EXT_SERVER_NAME)
            sni = true;
        if (ch->exts[i] != TLS_EXT_SERVER_NAME && ch->exts[i] != TLS_EXT_ALPN)
            sorted[n_ext++] = ch->exts[i];
    }
    if (n_ext == 0) {
        memcpy(c, "000000000000", 13);
    } else {
        sort_u16(sorted, n_ext);
        n = put_list(text, 0, sizeof text, sorted, n_ext);
        if (ch->n_sig_algs > 0) {
            text[n++] = '_';
            n = put_list(text, n, sizeof text, ch->sig_algs, ch->n_sig_algs);
        }
        if (!hash12(text, n, c))
            return false;
    }

    /* JA4_a */
    char alpn[3] = "00";
    if (ch->has_alpn) {
        alpn[0] = alpn_char(ch->alpn_first_raw);
        alpn[1] = alpn_char(ch->alpn_last_raw);
    }
    unsigned nc = ch->n_ciphers > 99 ? 99 : ch->n_ciphers;
    unsigned ne = ch->n_exts > 99 ? 99 : ch->n_exts;
    int w = snprintf(out, JA4_TEXT_MAX + 1, "%c%s%c%02u%02u%s_%s_%s", transport,
                     version_text(ch->max_version ? ch->max_version : ch->legacy_version),
                     sni ? 'd' : 'i', nc, ne, alpn, b, c);
    return w == JA4_TEXT_MAX;
}
