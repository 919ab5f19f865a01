/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DNS messages (dns_parse_message) and names (dns_parse_name). The input is
 * one DNS message as carried by UDP. The first byte also picks an offset
 * for a second name read, so backward pointers from inside a message and
 * the jump barrier get exercised.
 */
#include "fuzz.h"

#include "cursor.h"
#include "dns.h"

static void check_name(const struct dns_name *n)
{
    if (n->len > DNS_NAME_TEXT_MAX || n->s[n->len] != '\0')
        abort();
    fuzz_touch(n->s, n->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dns_msg m;
    const char *why = NULL;
    enum parse_result r = dns_parse_message(data, size, &m, &why);

    fuzz_touch_str(parse_result_name(r));
    if (r == PARSE_MALFORMED)
        fuzz_touch_str(why);
    /* *out is always initialised, whatever the result */
    if (m.has_question)
        check_name(&m.qname);
    if (m.n_answers > DNS_MAX_ANSWERS)
        abort();
    for (size_t i = 0; i < m.n_answers; i++) {
        check_name(&m.answers[i].owner);
        check_name(&m.answers[i].target);
        const struct dns_rr *rr = &m.answers[i];
        if (rr->svc_alpn_len > DNS_SVC_ALPN_MAX || rr->svc_alpn[rr->svc_alpn_len] != 0)
            abort();
        char text[DNS_SVCB_TEXT_MAX];
        size_t n = dns_svcb_text(rr, text, sizeof text);
        if (n >= sizeof text || text[n] != 0)
            abort();
        fuzz_touch(text, n);
    }

    struct cur msg;
    cur_init(&msg, data, size);
    for (int pass = 0; pass < 2; pass++) {
        struct cur c = msg;
        if (pass == 1 && (size == 0 || !cur_at(&msg, data[0] % size, &c)))
            break;
        struct dns_name name;
        why = NULL;
        r = dns_parse_name(&msg, &c, &name, &why);
        if (c.left > size || (c.left && (c.p < data || (size_t)(c.p - data) != size - c.left)))
            abort(); /* the cursor left the message */
        if (r == PARSE_OK)
            check_name(&name);
        else if (r == PARSE_MALFORMED)
            fuzz_touch_str(why);
    }
    return 0;
}
