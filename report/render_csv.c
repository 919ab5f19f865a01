/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The CSV report: one row per listed connection, with the verdict, rule and
 * finding (allowed-but-refused, denied-but-reached) of the host it counts
 * in, its service, and the connection's inner name, JA4, server ALPN and
 * certificate names, for spreadsheets (RFC 4180, CRLF line ends). New
 * columns go at the end (README.md lists them).
 * Every text cell is the safe text of escape.h (so no cell spans lines),
 * in double quotes with '"' doubled; a cell that a spreadsheet would take
 * for a formula (starting with '=', '+', '-' or '@') gets a leading "'"
 * (OWASP's advice), so that it stays text.
 */
#include "render.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"

/* The columns: new ones only ever go at the end, after "run". */
static const char *const head[] = {
    "time_utc",    "src",          "sport",       "dst",
    "dport",       "transport",    "name",        "name_source",
    "outcome",     "outcome_why",  "tls_version", "http_status",
    "bytes_out",   "bytes_in",     "resolved_as", "flags",
    "host",        "host_port",    "verdict",     "rule",
    "rule_origin", "verdict_why",  "finding",     "run",
    "service",     "service_role", "inner_name",  "inner_name_source",
    "ja4",         "server_alpn",  "cert_names",
};

struct csv {
    FILE *f;
    bool first; /* no cell on this row yet */
    bool oom;
};

static void sep(struct csv *w)
{
    if (!w->first)
        fputc(',', w->f);
    w->first = false;
}

static void end_row(struct csv *w)
{
    fputs("\r\n", w->f);
    w->first = true;
}

/* A text cell: raw bytes made safe text, quoted. */
static void text(struct csv *w, const char *s, size_t len)
{
    sep(w);
    char *e = ea_escape_dup(s ? s : "", len, NULL);
    if (!e) {
        w->oom = true;
        return;
    }
    fputc('"', w->f);
    if (e[0] == '=' || e[0] == '+' || e[0] == '-' || e[0] == '@')
        fputc('\'', w->f);
    for (const char *p = e; *p; p++) {
        if (*p == '"')
            fputc('"', w->f);
        fputc(*p, w->f);
    }
    fputc('"', w->f);
    free(e);
}

static void ctext(struct csv *w, const char *s)
{
    text(w, s ? s : "", s ? strlen(s) : 0);
}

static void str(struct csv *w, const struct ea_str *s)
{
    text(w, s->s, s->len);
}

static void num(struct csv *w, uint64_t v)
{
    sep(w);
    fprintf(w->f, "%" PRIu64, v);
}

static void empty(struct csv *w)
{
    sep(w);
}

/* A table name, or the number. */
static void name(struct csv *w, const char *n, long long v)
{
    if (n) {
        ctext(w, n);
    } else {
        sep(w);
        fprintf(w->f, "%lld", v);
    }
}

static void when(struct csv *w, const struct timeval *tv)
{
    long long carry = (long long)tv->tv_usec / 1000000;
    if (tv->tv_usec % 1000000 < 0)
        carry--;
    time_t t = (time_t)((long long)tv->tv_sec + carry);
    long usec = (long)((long long)tv->tv_usec - carry * 1000000);
    struct tm tm;
    char buf[64];
    sep(w);
    if (gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm))
        fprintf(w->f, "%s.%06ld", buf, usec);
    else
        fprintf(w->f, "%lld", (long long)t);
}

static void addr(struct csv *w, const struct ea_addr *a)
{
    char buf[64];
    if (a->family != 4 && a->family != 6) {
        empty(w);
        return;
    }
    ctext(w, ea_addr_text(a, buf, sizeof buf));
}

static void flags(struct csv *w, uint32_t f)
{
    char buf[512] = "";
    size_t at = 0;
    for (unsigned i = 0; i < 32; i++) {
        uint32_t bit = UINT32_C(1) << i;
        if (!(f & bit))
            continue;
        const char *n = ea_conn_flag_name(bit);
        char num_buf[16];
        if (!n) {
            snprintf(num_buf, sizeof num_buf, "%" PRIu32, bit);
            n = num_buf;
        }
        int k = snprintf(buf + at, sizeof buf - at, "%s%s", at ? " " : "", n);
        if (k < 0 || (size_t)k >= sizeof buf - at)
            break;
        at += (size_t)k;
    }
    ctext(w, buf);
}

/* Names joined by sep ("a -> b -> c") in one cell. */
static void joined(struct csv *w, const struct ea_str *names, size_t n, const char *sep)
{
    size_t seplen = strlen(sep);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += names[i].len + seplen;
    char *buf = malloc(len + 1);
    if (!buf) {
        w->oom = true;
        return;
    }
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (i) {
            memcpy(buf + at, sep, seplen);
            at += seplen;
        }
        if (names[i].len)
            memcpy(buf + at, names[i].s, names[i].len);
        at += names[i].len;
    }
    text(w, buf, at);
    free(buf);
}

/* The resolved chain, "a -> b -> c". */
static void chain(struct csv *w, const struct ea_conn *c)
{
    if (!c->has_resolved) {
        empty(w);
        return;
    }
    joined(w, c->resolved.names, c->resolved.n_names, " -> ");
}

/* The details past the host's columns: its service, and the connection's
 * inner name, JA4, server ALPN and certificate names. */
static void details(struct csv *w, const struct ea_conn *c, const struct ea_host *h)
{
    if (h && h->service) {
        str(w, &h->service->name);
        str(w, &h->service->role);
    } else {
        empty(w);
        empty(w);
    }
    if (c->inner_source != EA_NAME_NONE)
        str(w, &c->inner_name);
    else
        empty(w);
    name(w, ea_name_source_name(c->inner_source), c->inner_source);
    if (c->ja4.len)
        str(w, &c->ja4);
    else
        empty(w);
    if (c->server_alpn.len)
        str(w, &c->server_alpn);
    else
        empty(w);
    if (c->n_cert_names)
        joined(w, c->cert_names, c->n_cert_names, ", ");
    else
        empty(w);
}

int render_csv(const struct ea_report *r, FILE *out)
{
    struct csv w = {.f = out, .first = true};
    /* the finding each host is, if any (a host is at most one) */
    const char **finding = calloc(r->n_hosts ? r->n_hosts : 1, sizeof *finding);
    if (!finding)
        return -1;
    for (size_t i = 0; i < r->n_findings; i++)
        if (r->findings[i].host < r->n_hosts)
            finding[r->findings[i].host] = ea_finding_kind_name(r->findings[i].kind);
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        ctext(&w, head[i]);
    end_row(&w);
    for (size_t i = 0; i < r->n_conns && !w.oom; i++) {
        const struct ea_conn *c = &r->conns[i];
        const struct ea_host *h = c->host < r->n_hosts ? &r->hosts[c->host] : NULL;
        when(&w, &c->first);
        addr(&w, &c->src);
        num(&w, c->sport);
        addr(&w, &c->dst);
        num(&w, c->dport);
        name(&w, ea_transport_name(c->transport), c->transport);
        if (c->name_source != EA_NAME_NONE)
            str(&w, &c->name);
        else
            empty(&w);
        name(&w, ea_name_source_name(c->name_source), c->name_source);
        name(&w, ea_outcome_name(c->outcome), c->outcome);
        ctext(&w, ea_outcome_why_text(c->outcome_why));
        if (c->tls_version)
            name(&w, ea_tls_version_name(c->tls_version), c->tls_version);
        else
            empty(&w);
        if (c->http_status)
            num(&w, c->http_status);
        else
            empty(&w);
        num(&w, c->bytes_out);
        num(&w, c->bytes_in);
        chain(&w, c);
        flags(&w, c->flags);
        if (h) {
            str(&w, &h->key);
            num(&w, h->port);
        } else {
            empty(&w);
            empty(&w);
        }
        const struct ea_rule *rule =
            h && h->rule >= 0 && (unsigned long)h->rule < r->n_rules ? &r->rules[h->rule] : NULL;
        if (r->has_policy && h) {
            name(&w, ea_verdict_name(h->verdict), h->verdict);
            if (rule) {
                str(&w, &rule->destination);
                str(&w, &rule->origin);
            } else {
                empty(&w);
                empty(&w);
            }
            ctext(&w, ea_verdict_why_text(h->verdict_why));
            ctext(&w, finding[c->host]);
        } else {
            for (int k = 0; k < 5; k++)
                empty(&w);
        }
        if (r->n_runs && c->run < r->n_runs)
            str(&w, &r->runs[c->run].path);
        else
            empty(&w);
        details(&w, c, h);
        end_row(&w);
    }
    free(finding);
    if (w.oom || fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
