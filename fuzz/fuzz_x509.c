/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * X.509 subject names: the input is one DER certificate (as the leaf of a
 * TLS 1.2 Certificate message would be); the first byte says which host to
 * ask about. Views must lie inside the input; no name is kept twice.
 */
#include "fuzz.h"

#include "x509.h"

static const char *const hosts[] = {"www.example.com", "a.cdn.example.com", "example.com", "x"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *host = hosts[data[0] % 4];
    data++;
    size--;
    struct x509_names xn;
    const char *why = NULL;
    enum parse_result r = x509_subject_names(data, size, host, strlen(host), &xn, &why);
    if (r == PARSE_MALFORMED) {
        fuzz_touch_str(why);
        return 0;
    }
    if (r != PARSE_OK || xn.n > X509_NAMES_MAX)
        abort();
    for (size_t i = 0; i < xn.n; i++) {
        const uint8_t *p = xn.names[i].p;
        size_t n = cur_left(&xn.names[i]);
        if (n == 0 || p < data || n > size || p > data + size - n)
            abort();
        fuzz_touch(p, n);
        (void)x509_name_covers(p, n, host, strlen(host));
    }
    return 0;
}
