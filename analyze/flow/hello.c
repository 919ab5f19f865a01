/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the TLS hellos tell beyond the name, over TCP and QUIC alike: the
 * ClientHello's flags, ALPN and JA4 fingerprint; the TLS 1.2 server
 * certificate's names (and whether they cover the SNI); whether ECH's
 * visible name is a real ECH public name or maybe GREASE. Copied into the
 * connection when its flow ends.
 */
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "x509.h"

void flow_client_hello(struct analyzer *a, struct flow *f, const struct tls_client_hello *ch,
                       char ja4_transport)
{
    enum ea_name_source src = ja4_transport == 'q' ? EA_NAME_QUIC_SNI : EA_NAME_SNI;
    f->flags |= ja4_transport == 'q' ? EA_CF_QUIC : EA_CF_TLS;
    if (ch->has_sni) {
        flow_set_name(a, f, src, ch->sni, ch->sni_len);
        if (ch->sni_cut)
            f->flags |= EA_CF_NAME_CUT;
    } else {
        f->flags |= EA_CF_TLS_NO_SNI;
    }
    if (ch->has_ech)
        f->flags |= EA_CF_ECH;
    flow_hello_details(a, f, ch, ja4_transport);
}

void flow_hello_details(struct analyzer *a, struct flow *f, const struct tls_client_hello *ch,
                        char ja4_transport)
{
    struct flow_app *app = flow_app(a, f);
    if (!app)
        return;
    if (ch->has_alpn && !app->alpn_len) {
        flow_copy_field(app->alpn, sizeof(app->alpn), ch->alpn, ch->alpn_len);
        app->alpn_len = (uint8_t)strlen(app->alpn);
    }
    if (!app->ja4[0] && !ja4_client_hello(ch, ja4_transport, app->ja4))
        app->ja4[0] = '\0';
}

/* After a TLS 1.2 ServerHello: the leaf certificate's names. True when
 * nothing more is to be read from the server's side. */
bool flow_server_certificate(struct analyzer *a, struct flow *f, const uint8_t *data, size_t len)
{
    struct cur leaf;
    struct x509_names xn;
    const char *why = NULL;
    enum parse_result r = tls_parse_server_certificate(data, len, a->tls_scratch, &leaf, &why);
    if (r == PARSE_INCOMPLETE)
        return false;
    if (r == PARSE_MALFORMED)
        return true; /* resumed session, anonymous suite, or too large: no names */
    struct flow_app *app = flow_app(a, f);
    if (!app || app->cert_names)
        return true;
    bool sni = f->name_source == EA_NAME_SNI;
    if (x509_subject_names(leaf.p, cur_left(&leaf), sni ? app->name : NULL, sni ? app->name_len : 0,
                           &xn, &why) != PARSE_OK) {
        a->report->counters[EA_C_TLS_MALFORMED]++;
        return true;
    }
    if (xn.n == 0)
        return true;
    app->cert_mismatch = sni && !xn.covers;
    if (xn.cut)
        a->report->counters[EA_C_CERT_NAMES_NOT_LISTED]++;
    app->cert_names = calloc(xn.n, sizeof(*app->cert_names));
    if (!app->cert_names) {
        a->failed = true;
        return true;
    }
    for (size_t i = 0; i < xn.n; i++) {
        const uint8_t *p = NULL;
        size_t n = cur_left(&xn.names[i]);
        if (n > TLS_SNI_MAX)
            n = TLS_SNI_MAX;
        if (!cur_bytes(&xn.names[i], n, &p) ||
            !ea_str_set(&app->cert_names[app->n_cert_names], p, n)) {
            a->failed = p != NULL;
            break;
        }
        app->n_cert_names++;
    }
    return true;
}

void flow_hello_to_conn(struct analyzer *a, struct flow *f, struct ea_conn *c)
{
    struct flow_app *app = f->app;
    if (c->flags & EA_CF_ECH) {
        /* The visible SNI of ECH is the outer (public) name. A real ECH
         * config names it; GREASE ECH (RFC 9849 §6.2) sends the real name
         * as SNI with a random extension. Without a config naming it, we
         * cannot tell: say so. */
        bool real = app && f->name_source != EA_NAME_NONE &&
                    ech_is_public_name(a, app->name, app->name_len);
        c->flags |= real ? EA_CF_ECH_REAL : EA_CF_ECH_GREASE;
    }
    if (!app)
        return;
    if (app->ja4[0] && !ea_str_set(&c->ja4, app->ja4, strlen(app->ja4)))
        a->failed = true;
    if (app->server_alpn_len &&
        !ea_str_set(&c->server_alpn, app->server_alpn, app->server_alpn_len))
        a->failed = true;
    if (app->n_cert_names) {
        if (app->cert_mismatch)
            c->flags |= EA_CF_CERT_MISMATCH;
        c->cert_names = app->cert_names;
        c->n_cert_names = app->n_cert_names;
        app->cert_names = NULL;
        app->n_cert_names = 0;
    }
}

void flow_app_free(struct flow_app *app)
{
    if (!app)
        return;
    for (size_t i = 0; i < app->n_cert_names; i++)
        ea_str_clear(&app->cert_names[i]);
    free(app->cert_names);
    free(app->name);
    free(app->inner_name);
    free(app);
}
