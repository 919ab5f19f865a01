/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Plaintext preludes before TLS (SOCKS 4/4a/5, STARTTLS, SSLRequest): the
 * input as the start of a client→server stream. The domain view must lie
 * inside the input, the TLS offset must not pass its end; every prefix of
 * the input is parsed too, the way a stream arrives.
 */
#include "fuzz.h"

#include "prelude.h"

static void one(const uint8_t *data, size_t size)
{
    struct prelude p;
    const char *why = NULL;
    enum parse_result r = prelude_parse(data, size, &p, &why);
    if (r == PARSE_OK) {
        if (p.tls_off > size || !prelude_kind_name(p.kind))
            abort();
        if (p.has_domain)
            fuzz_check_view(p.domain, p.domain_len, data, size);
        if (p.addr_family != 0 && p.addr_family != 4 && p.addr_family != 6)
            abort();
    } else {
        fuzz_touch_str(why);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size);
    /* a few prefixes, as TCP delivers them */
    for (size_t n = 1; n < size && n < 64; n++)
        one(data, n);
    return 0;
}
