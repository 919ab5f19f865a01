/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sentences every format writes, worded once (phrase.h). */
#include "phrase.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- parts ---- */

void phrase_init(struct phrase *p)
{
    memset(p, 0, sizeof *p);
}

void phrase_clear(struct phrase *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->parts[i].own);
    p->n = 0;
    p->oom = false;
}

void phrase_free(struct phrase *p)
{
    phrase_clear(p);
    free(p->parts);
    memset(p, 0, sizeof *p);
}

static struct phrase_part *add(struct phrase *p)
{
    if (p->oom)
        return NULL;
    if (p->n == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 16;
        struct phrase_part *v = realloc(p->parts, ncap * sizeof *v);
        if (!v) {
            p->oom = true;
            return NULL;
        }
        p->parts = v;
        p->cap = ncap;
    }
    struct phrase_part *part = &p->parts[p->n++];
    memset(part, 0, sizeof *part);
    return part;
}

void phrase_text(struct phrase *p, const char *s)
{
    struct phrase_part *part = add(p);
    if (part) {
        part->kind = PHRASE_TEXT;
        part->s = s;
        part->len = strlen(s);
    }
}

void phrase_printf(struct phrase *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        p->oom = true;
        return;
    }
    struct phrase_part *part = add(p);
    if (!part) {
        free(s);
        return;
    }
    part->kind = PHRASE_TEXT;
    part->s = part->own = s;
    part->len = (size_t)n;
}

void phrase_name(struct phrase *p, const struct ea_str *s)
{
    struct phrase_part *part = add(p);
    if (part) {
        part->kind = PHRASE_NAME;
        part->s = s->s ? s->s : "";
        part->len = s->len;
    }
}

void phrase_prose(struct phrase *p, const struct ea_str *s)
{
    phrase_name(p, s);
    if (!p->oom && p->n)
        p->parts[p->n - 1].whole = true;
}

void phrase_rule(struct phrase *p, const struct ea_rule *rule)
{
    phrase_name(p, &rule->destination);
    phrase_text(p, " (");
    phrase_name(p, &rule->origin);
    phrase_text(p, ")");
}

static const char *transport_text(enum ea_transport t)
{
    const char *n = ea_transport_name(t);
    return n ? n : "?";
}

void phrase_host(struct phrase *p, const struct ea_host *h)
{
    phrase_name(p, &h->key);
    phrase_printf(p, " %u/%s", (unsigned)h->port, transport_text(h->transport));
}

/* The time a timeval stands for, with 0 <= tv_usec < 1000000: a capture
 * with an invalid sub-second field (tcpdump's timestamp_invalid_nano) gives
 * libpcap's tv_usec of a million or more. */
static struct timeval tv_normal(const struct timeval *tv)
{
    struct timeval n = *tv;
    long long carry = (long long)n.tv_usec / 1000000;
    if (n.tv_usec % 1000000 < 0)
        carry--;
    n.tv_sec += (time_t)carry;
    n.tv_usec -= (suseconds_t)(carry * 1000000);
    return n;
}

void phrase_clock(struct phrase *p, const struct timeval *when, bool with_date)
{
    struct timeval tv = tv_normal(when);
    time_t t = (time_t)tv.tv_sec;
    struct tm tm;
    char buf[64];
    if (!gmtime_r(&t, &tm) ||
        !strftime(buf, sizeof buf, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm)) {
        phrase_printf(p, "%lld", (long long)tv.tv_sec);
        return;
    }
    phrase_printf(p, "%s.%03ld", buf, (long)(tv.tv_usec / 1000));
}

void phrase_seconds(struct phrase *p, long long us)
{
    uint64_t a = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
    uint64_t ms = (a + 500) / 1000;
    phrase_printf(p, "%s%" PRIu64 ".%03" PRIu64, us < 0 && ms ? "-" : "", ms / 1000, ms % 1000);
}

char *phrase_join(const struct phrase *p, size_t *out_len)
{
    if (p->oom)
        return NULL;
    size_t len = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->parts[i].len > SIZE_MAX - 1 - len)
            return NULL;
        len += p->parts[i].len;
    }
    char *s = malloc(len + 1);
    if (!s)
        return NULL;
    size_t at = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->parts[i].len)
            memcpy(s + at, p->parts[i].s, p->parts[i].len);
        at += p->parts[i].len;
    }
    s[len] = '\0';
    if (out_len)
        *out_len = len;
    return s;
}

/* ---- the sentences ---- */

static const char *plural(uint64_t n, const char *one, const char *more)
{
    return n == 1 ? one : more;
}

static void verdict_count(struct phrase *p, const struct ea_report *r, enum ea_verdict v,
                          bool *first)
{
    const char *name = ea_verdict_name(v);
    phrase_text(p, *first ? "" : ", ");
    if (name)
        phrase_printf(p, "%" PRIu32 " %s", r->verdict_hosts[v], name);
    else
        phrase_printf(p, "%" PRIu32 " of verdict %d", r->verdict_hosts[v], (int)v);
    *first = false;
}

void phrase_summary(struct phrase *p, const struct ea_report *r)
{
    const struct ea_summary *s = &r->summary;
    bool first = true;
    if (!r->has_policy) {
        phrase_printf(p, "%zu %s", r->n_hosts, plural(r->n_hosts, "host", "hosts"));
        for (unsigned o = 0; o < EA_OUT__COUNT; o++) {
            if (!s->host_outcomes[o])
                continue;
            phrase_printf(p, "%s%" PRIu32 " %s", first ? ": " : ", ", s->host_outcomes[o],
                          ea_outcome_name((enum ea_outcome)o));
            first = false;
        }
        phrase_text(p, "; not judged: no allowlist given (-p PROFILE or -a FILE)");
        return;
    }
    /* denied and allowed always: "0 denied" is an answer too */
    verdict_count(p, r, EA_V_DENIED, &first);
    verdict_count(p, r, EA_V_ALLOWED, &first);
    for (unsigned v = EA_V_NONE + 1; v < EA_V__COUNT; v++)
        if (v != EA_V_DENIED && v != EA_V_ALLOWED && r->verdict_hosts[v])
            verdict_count(p, r, (enum ea_verdict)v, &first);
    if (r->n_unused_rules)
        phrase_printf(p, "; %zu unused %s", r->n_unused_rules,
                      plural(r->n_unused_rules, "rule", "rules"));
    size_t n = s->findings[EA_FIND_ALLOWED_REFUSED];
    if (n)
        phrase_printf(p, "; %zu %s allowed by the rules but refused on the wire", n,
                      plural(n, "host", "hosts"));
    n = s->findings[EA_FIND_DENIED_REACHED];
    if (n)
        phrase_printf(p, "; %zu %s denied by the rules but reached on the wire", n,
                      plural(n, "host", "hosts"));
}

static long long span_us(const struct ea_report *r)
{
    struct timeval a = tv_normal(&r->first), b = tv_normal(&r->last);
    return ((long long)b.tv_sec - (long long)a.tv_sec) * 1000000 +
           ((long long)b.tv_usec - (long long)a.tv_usec);
}

void phrase_overview(struct phrase *p, const struct ea_report *r)
{
    uint64_t c = r->summary.connections;
    phrase_printf(p, "%" PRIu64 " %s to %zu %s", c, plural(c, "connection", "connections"),
                  r->n_hosts, plural(r->n_hosts, "host", "hosts"));
    if (r->n_runs > 1)
        phrase_printf(p, " in %zu runs", r->n_runs);
    if (r->have_time) {
        phrase_text(p, r->n_runs > 1 ? ", " : " in ");
        phrase_seconds(p, span_us(r));
        phrase_text(p, " s");
        if (r->n_runs > 1)
            phrase_text(p, " from the first to the last");
    }
}

void phrase_time_span(struct phrase *p, const struct ea_report *r)
{
    if (!r->have_time) {
        phrase_text(p, "no packet had a time");
        return;
    }
    phrase_clock(p, &r->first, true);
    phrase_text(p, " to ");
    struct timeval a = tv_normal(&r->first), b = tv_normal(&r->last);
    time_t ta = (time_t)a.tv_sec, tb = (time_t)b.tv_sec;
    struct tm ma, mb;
    bool same_day = gmtime_r(&ta, &ma) && gmtime_r(&tb, &mb) && ma.tm_year == mb.tm_year &&
                    ma.tm_yday == mb.tm_yday;
    phrase_clock(p, &r->last, !same_day);
    phrase_text(p, " UTC (");
    phrase_seconds(p, span_us(r));
    phrase_text(p, " s)");
}

void phrase_finding_group(struct phrase *p, const struct ea_report *r, enum ea_finding_kind k)
{
    size_t n = (unsigned)k < EA_FIND__COUNT ? r->summary.findings[k] : 0;
    switch (k) {
    case EA_FIND_ALLOWED_REFUSED:
        phrase_printf(p,
                      "%zu %s the rules allow %s denied or reset on the wire: a wrong rule, a "
                      "rule not yet applied, or a firewall in front that these rules do not "
                      "describe",
                      n, plural(n, "host", "hosts"), plural(n, "was", "were"));
        break;
    case EA_FIND_DENIED_REACHED:
        phrase_printf(p,
                      "%zu %s the rules deny %s reached: this capture was not taken behind this "
                      "allowlist, or something else permits %s",
                      n, plural(n, "host", "hosts"), plural(n, "was", "were"),
                      plural(n, "it", "them"));
        break;
    case EA_FIND__COUNT:
    default:
        phrase_printf(p, "%zu %s of finding %d", n, plural(n, "host", "hosts"), (int)k);
        break;
    }
}

void phrase_finding_item(struct phrase *p, const struct ea_report *r, const struct ea_finding *f)
{
    if (f->host >= r->n_hosts) {
        phrase_text(p, "(a host this report does not hold)");
        return;
    }
    const struct ea_host *h = &r->hosts[f->host];
    const char *verdict = ea_verdict_name(h->verdict);
    const char *why = ea_verdict_why_text(h->verdict_why);
    const struct ea_rule *rule = ea_report_rule(r, h->rule);
    phrase_host(p, h);
    phrase_printf(p, ": %" PRIu64 " of %zu %s %s", f->conns, h->n_conns,
                  plural(h->n_conns, "connection", "connections"),
                  f->kind == EA_FIND_ALLOWED_REFUSED ? "denied or reset" : "reached");
    if (verdict)
        phrase_printf(p, "; %s", verdict);
    else
        phrase_printf(p, "; verdict %d", (int)h->verdict);
    if (f->kind == EA_FIND_ALLOWED_REFUSED && rule) {
        phrase_text(p, " by ");
        phrase_rule(p, rule);
    } else if (why) {
        phrase_printf(p, ": %s", why);
    }
}

void phrase_finding(struct phrase *p, const struct ea_report *r, const struct ea_finding *f)
{
    phrase_finding_item(p, r, f);
    switch (f->kind) {
    case EA_FIND_ALLOWED_REFUSED:
        phrase_text(p, ". A wrong rule, a rule not yet applied, or a firewall in front that these "
                       "rules do not describe");
        break;
    case EA_FIND_DENIED_REACHED:
        phrase_text(p, ". This capture was not taken behind this allowlist, or something else "
                       "permits it");
        break;
    case EA_FIND__COUNT:
    default:
        break;
    }
}

void phrase_near_miss(struct phrase *p, const struct ea_report *r, const struct ea_near_miss *m)
{
    const struct ea_host *h = &r->hosts[m->host];
    const struct ea_rule *rule = &r->rules[m->rule];
    phrase_name(p, &h->key);
    phrase_text(p, " was denied: ");
    switch (m->kind) {
    case EA_NEAR_APEX:
        phrase_text(p, "only ");
        phrase_name(p, &rule->destination);
        phrase_text(p, " is allowed (");
        phrase_name(p, &rule->origin);
        phrase_text(p, "), and ");
        phrase_name(p, &rule->destination);
        phrase_text(p, " never matches the apex ");
        phrase_name(p, &h->key);
        break;
    case EA_NEAR_SUBDOMAIN:
        phrase_text(p, "only ");
        phrase_name(p, &rule->destination);
        phrase_text(p, " is allowed (");
        phrase_name(p, &rule->origin);
        phrase_text(p, "), which matches no other name");
        break;
    case EA_NEAR_SERVICE:
        phrase_name(p, &rule->destination);
        phrase_text(p, " (");
        phrase_name(p, &rule->origin);
        phrase_text(p, ") permits other ");
        if (!h->service) /* a service near miss is only found for a host with one */
            break;
        phrase_name(p, &h->service->name);
        phrase_text(p, " hosts, but does not cover this one (");
        phrase_name(p, &h->service->role);
        phrase_text(p, ")");
        break;
    case EA_NEAR_INACTIVE:
    default:
        phrase_text(p, "rule ");
        if (rule->name.len) {
            phrase_name(p, &rule->name);
            phrase_text(p, "/");
        }
        phrase_name(p, &rule->destination);
        phrase_text(p, " (");
        phrase_name(p, &rule->origin);
        phrase_text(p, ") would permit it but is Inactive");
        break;
    }
}

void phrase_conns_cap(struct phrase *p, const struct ea_report *r)
{
    uint64_t n = r->counters[EA_C_CONNS_NOT_LISTED];
    if (!n)
        return;
    phrase_printf(p,
                  "%" PRIu64 " more %s not listed: the report keeps the first %zu (egress-audit "
                  "analyze --max-connections N keeps more). They count in their hosts, so the "
                  "hosts, verdicts and rules to add are complete",
                  n, plural(n, "connection is", "connections are"), r->n_conns);
}

void phrase_hosts_cap(struct phrase *p, const struct ea_report *r)
{
    uint64_t n = r->counters[EA_C_HOSTS_NOT_LISTED];
    if (!n)
        return;
    phrase_printf(p,
                  "%" PRIu64 " %s to further hosts %s not counted: the report keeps %zu hosts "
                  "(egress-audit analyze --max-hosts N keeps more); verdicts and the rules to add "
                  "miss those hosts",
                  n, plural(n, "connection", "connections"), plural(n, "is", "are"), r->n_hosts);
}

void phrase_dns_cap(struct phrase *p, const struct ea_report *r)
{
    uint64_t n = r->counters[EA_C_DNS_NOT_LISTED];
    if (!n)
        return;
    phrase_printf(p,
                  "%" PRIu64 " DNS %s for further names %s not listed: the report keeps %zu "
                  "(name, type) rows (egress-audit analyze --max-dns N keeps more); the names "
                  "still named the connections",
                  n, plural(n, "message", "messages"), plural(n, "is", "are"), r->n_dns);
}

void phrase_conns_hidden(struct phrase *p, const struct ea_report *r)
{
    phrase_printf(p,
                  "%zu %s in the JSON report (-F json); -v (--connections) lists %s here, "
                  "with every DNS query",
                  r->n_conns, plural(r->n_conns, "connection is", "connections are"),
                  plural(r->n_conns, "it", "them"));
}

static const char *outcome_text(enum ea_outcome o)
{
    const char *n = ea_outcome_name(o);
    return n ? n : "?";
}

static const char *verdict_text(enum ea_verdict v)
{
    const char *n = ea_verdict_name(v);
    return n ? n : "?";
}

void phrase_change(struct phrase *p, const struct ea_change *c)
{
    switch (c->kind) {
    case EA_CHANGE_NEW:
        phrase_printf(p, "new: %s", outcome_text(c->new_outcome));
        if (c->new_verdict != EA_V_NONE)
            phrase_printf(p, ", %s", verdict_text(c->new_verdict));
        break;
    case EA_CHANGE_GONE:
        phrase_printf(p, "no longer contacted (was %s", outcome_text(c->old_outcome));
        if (c->old_verdict != EA_V_NONE)
            phrase_printf(p, ", %s", verdict_text(c->old_verdict));
        phrase_text(p, ")");
        break;
    case EA_CHANGE_CHANGED:
    case EA_CHANGE__COUNT:
    default: {
        bool said = false;
        if (c->old_outcome != c->new_outcome) {
            phrase_printf(p, "outcome %s -> %s", outcome_text(c->old_outcome),
                          outcome_text(c->new_outcome));
            said = true;
        }
        if (c->old_verdict != c->new_verdict && c->old_verdict != EA_V_NONE &&
            c->new_verdict != EA_V_NONE) {
            phrase_printf(p, "%sverdict %s -> %s", said ? ", " : "",
                          c->old_verdict == EA_V_NONE ? "not judged" : verdict_text(c->old_verdict),
                          c->new_verdict == EA_V_NONE ? "not judged"
                                                      : verdict_text(c->new_verdict));
        }
        break;
    }
    }
}

void phrase_diff_summary(struct phrase *p, const struct ea_report *r)
{
    const struct ea_diff *d = &r->diff;
    size_t nn = d->counts[EA_CHANGE_NEW], ng = d->counts[EA_CHANGE_GONE],
           nc = d->counts[EA_CHANGE_CHANGED];
    if (d->n_changes == 0) {
        phrase_text(p, "No change since ");
        phrase_name(p, &d->base);
        return;
    }
    phrase_printf(p, "%zu new %s, %zu no longer contacted, %zu changed since ", nn,
                  plural(nn, "host", "hosts"), ng, nc);
    phrase_name(p, &d->base);
}

void phrase_host_runs(struct phrase *p, const struct ea_report *r, const struct ea_host *h)
{
    if (r->n_runs > 1 && h->n_runs == r->n_runs) {
        phrase_text(p, "all");
        return;
    }
    for (size_t i = 0; i < h->n_runs; i++)
        phrase_printf(p, "%s%" PRIu32, i ? ", " : "", h->runs[i] + 1);
    if (h->n_runs == 0)
        phrase_text(p, "-");
}

void phrase_service_note(struct phrase *p, const struct ea_service_note *n)
{
    phrase_name(p, &n->service);
    phrase_text(p, ": ");
    phrase_prose(p, &n->guidance);
    phrase_text(p, " (covers ");
    for (size_t k = 0; k < n->n_covers; k++) {
        if (k)
            phrase_text(p, ", ");
        phrase_name(p, &n->covers[k]);
    }
    phrase_text(p, "; source: ");
    phrase_prose(p, &n->source);
    phrase_text(p, ", ");
    phrase_name(p, &n->date);
    phrase_text(p, ")");
}

void phrase_known_in(struct phrase *p, const struct ea_host *h)
{
    phrase_host(p, h);
    phrase_text(p, " is permitted by the built-in profile");
    phrase_text(p, h->n_known_in == 1 ? " " : "s ");
    for (size_t k = 0; k < h->n_known_in; k++) {
        if (k)
            phrase_text(p, ", ");
        phrase_name(p, &h->known_in[k]);
    }
}

void phrase_host_service(struct phrase *p, const struct ea_host *h)
{
    if (!h->service)
        return;
    phrase_name(p, &h->service->name);
    if (h->service->role.len) {
        phrase_text(p, ": ");
        phrase_name(p, &h->service->role);
    }
}

void phrase_conn_details(struct phrase *p, const struct ea_conn *c)
{
    if (c->inner_source != EA_NAME_NONE) {
        const char *src = ea_name_source_name(c->inner_source);
        if (src)
            phrase_printf(p, "; inner %s ", src);
        else
            phrase_printf(p, "; inner %d ", (int)c->inner_source);
        phrase_name(p, &c->inner_name);
    }
    if (c->ja4.len) {
        phrase_text(p, "; JA4 ");
        phrase_name(p, &c->ja4);
    }
    if (c->server_alpn.len) {
        phrase_text(p, "; server ALPN ");
        phrase_name(p, &c->server_alpn);
    }
    for (size_t k = 0; k < c->n_cert_names; k++) {
        phrase_text(p, k ? ", " : "; certificate names ");
        phrase_name(p, &c->cert_names[k]);
    }
}

static void megabytes(struct phrase *p, uint64_t bytes)
{
    phrase_printf(p, "%.1f MB", (double)bytes / 1e6);
}

void phrase_live_capture(struct phrase *p, const struct ea_report *r)
{
    struct ea_capture_stats sum = {0};
    const struct ea_capture_stats *first = NULL;
    size_t files = 0;
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct ea_capture_stats *cs = &r->inputs[i].capture;
        if (!cs->live)
            continue;
        if (!first)
            first = cs;
        files += cs->written;
        sum.packets_seen += cs->packets_seen;
        sum.bytes_seen += cs->bytes_seen;
        sum.packets_written += cs->packets_written;
        sum.bytes_written += cs->bytes_written;
        sum.cut_packets += cs->cut_packets;
        sum.cut_bytes += cs->cut_bytes;
        sum.kernel_drops += cs->kernel_drops;
        sum.interface_drops += cs->interface_drops;
    }
    if (!first)
        return;
    phrase_text(p, "on ");
    phrase_name(p, &first->interface);
    phrase_printf(p, ", %" PRIu64 " packets (", sum.packets_seen);
    megabytes(p, sum.bytes_seen);
    phrase_text(p, ")");
    if (files) {
        phrase_printf(p, ", %" PRIu64 " written to %zu %s (", sum.packets_written, files,
                      files == 1 ? "file" : "files");
        megabytes(p, sum.bytes_written);
        phrase_text(p, ")");
        if (first->cutoff)
            phrase_printf(
                p,
                "; the cutoff (%" PRIu64 " bytes per direction%s) left out %" PRIu64 " packets, ",
                first->cutoff, first->cutoff_headers ? ", then headers" : "", sum.cut_packets);
        else
            phrase_printf(p, "; no cutoff, %" PRIu64 " packets left out, ", sum.cut_packets);
        megabytes(p, sum.cut_bytes);
    }
    phrase_printf(p, "; dropped: %" PRIu64 " by the kernel, %" PRIu64 " by the interface",
                  sum.kernel_drops, sum.interface_drops);
}

void phrase_capture_write_error(struct phrase *p, const struct ea_input *in)
{
    if (!in->capture.live || !in->capture.write_error.len)
        return;
    phrase_text(p, "writing ");
    phrase_name(p, &in->path);
    phrase_printf(p, " stopped after %" PRIu64 " packets: ", in->capture.packets_written);
    phrase_name(p, &in->capture.write_error);
    phrase_text(p, " (the file is valid; the analysis went on)");
}
