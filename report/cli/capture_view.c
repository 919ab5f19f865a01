/* SPDX-License-Identifier: GPL-3.0-or-later */
/* egress-audit capture's live view and status line (capture_view.h). */
#include "capture_view.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "escape.h"
#include "hash.h"
#include "policy.h"

#define SGR_RED "\x1b[31m"
#define SGR_GREEN "\x1b[32m"
#define SGR_YELLOW "\x1b[33m"
#define SGR_RESET "\x1b[0m"
#define CLEAR_LINE "\r\x1b[K"

enum {
    PENDING_SECONDS = 2, /* a host whose outcome is still open is shown after this */
    TAG_OUTCOME_BITS = 3,
    NAME_WIDTH = 34,
};

/* A destination as the report will group it: (name or address, port,
 * transport), with its connections' outcomes counted as they stand now. */
struct view_host {
    char *key; /* the name, or the address text */
    size_t key_len;
    bool named;
    uint16_t port;
    enum ea_transport transport;
    uint32_t flags;
    uint32_t outcomes[EA_OUT__COUNT]; /* connections per current outcome */
    size_t n_conns;
    struct ea_addr addr; /* the first connection's destination */
    char *resolved;      /* the name DNS gave that address, if any */
    struct timeval first;
    time_t seen_wall; /* when it was first counted */
    uint64_t hash;
    size_t next; /* hash chain: index + 1, 0 ends */
    bool shown;
    enum ea_outcome shown_outcome;
    enum ea_verdict shown_verdict;
    enum ea_verdict verdict;
    long rule;
    enum ea_verdict_why verdict_why;
};

struct capture_view {
    const struct ea_report *rules;
    FILE *out;
    bool lines, color;
    bool status_shown;
    struct view_host *hosts;
    size_t n_hosts, cap_hosts;
    size_t *buckets; /* index + 1, 0 empty */
    size_t n_buckets;
    size_t n_counted; /* hosts with connections (an address-only one may lose its only
                         connection to its name) */
    bool pending;     /* some host is counted but not shown yet */
    bool said_full;
};

struct capture_view *capture_view_new(const struct ea_report *rules, FILE *out, bool lines,
                                      bool color)
{
    struct capture_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->rules = rules;
    v->out = out;
    v->lines = lines;
    v->color = color;
    v->n_buckets = 1024;
    v->buckets = calloc(v->n_buckets, sizeof *v->buckets);
    if (!v->buckets) {
        free(v);
        return NULL;
    }
    return v;
}

void capture_view_free(struct capture_view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_hosts; i++) {
        free(v->hosts[i].key);
        free(v->hosts[i].resolved);
    }
    free(v->hosts);
    free(v->buckets);
    free(v);
}

size_t capture_view_hosts(const struct capture_view *v)
{
    return v->n_counted;
}

void capture_view_clear_status(struct capture_view *v)
{
    if (!v->status_shown)
        return;
    fputs(CLEAR_LINE, v->out);
    v->status_shown = false;
}

void capture_view_status(struct capture_view *v, const char *text)
{
    fprintf(v->out, CLEAR_LINE "%s", text);
    fflush(v->out);
    v->status_shown = true;
}

static uint64_t host_hash(bool named, const char *key, size_t len, uint16_t port,
                          enum ea_transport t)
{
    uint64_t h = ea_hash_byte(EA_FNV_OFFSET, named);
    h = ea_hash_bytes_ci(h, key, len);
    h = ea_hash_u64(h, port);
    return ea_hash_byte(h, (uint8_t)t);
}

static bool rehash(struct capture_view *v)
{
    size_t n = v->n_buckets * 2;
    size_t *b = calloc(n, sizeof *b);
    if (!b)
        return false;
    for (size_t i = 0; i < v->n_hosts; i++) {
        struct view_host *h = &v->hosts[i];
        size_t slot = h->hash & (n - 1);
        h->next = b[slot];
        b[slot] = i + 1;
    }
    free(v->buckets);
    v->buckets = b;
    v->n_buckets = n;
    return true;
}

/* The host of a connection, made on first sight; NULL past the bound or on
 * ENOMEM. */
static struct view_host *host_get(struct capture_view *v, const struct ea_conn *c, size_t *out_i)
{
    char addr[EA_ADDR_TEXT_MAX];
    bool named = c->name_source != EA_NAME_NONE && c->name.len;
    const char *key = named ? c->name.s : ea_addr_text(&c->dst, addr, sizeof addr);
    size_t len = named ? c->name.len : strlen(key);
    uint64_t hash = host_hash(named, key, len, c->dport, c->transport);
    for (size_t i = v->buckets[hash & (v->n_buckets - 1)]; i; i = v->hosts[i - 1].next) {
        struct view_host *h = &v->hosts[i - 1];
        if (h->hash == hash && h->named == named && h->port == c->dport &&
            h->transport == c->transport && h->key_len == len && ea_ascii_ieq(h->key, key, len)) {
            *out_i = i - 1;
            return h;
        }
    }
    if (v->n_hosts >= EA_DEFAULT_MAX_HOSTS)
        return NULL;
    if (v->n_hosts == v->cap_hosts) {
        size_t cap = v->cap_hosts ? v->cap_hosts * 2 : 64;
        struct view_host *p = realloc(v->hosts, cap * sizeof *p);
        if (!p)
            return NULL;
        v->hosts = p;
        v->cap_hosts = cap;
    }
    if (v->n_hosts + 1 > v->n_buckets && !rehash(v))
        return NULL;
    struct view_host *h = &v->hosts[v->n_hosts];
    memset(h, 0, sizeof *h);
    h->key = malloc(len + 1);
    if (!h->key)
        return NULL;
    memcpy(h->key, key, len);
    h->key[len] = '\0';
    h->key_len = len;
    h->named = named;
    h->port = c->dport;
    h->transport = c->transport;
    h->addr = c->dst;
    h->first = c->first;
    h->seen_wall = time(NULL);
    h->hash = hash;
    h->rule = -1;
    if (c->has_resolved && c->resolved.n_names) {
        const struct ea_str *q = &c->resolved.names[0];
        h->resolved = malloc(q->len + 1);
        if (h->resolved) {
            memcpy(h->resolved, q->s, q->len);
            h->resolved[q->len] = '\0';
        }
    }
    size_t slot = hash & (v->n_buckets - 1);
    h->next = v->buckets[slot];
    v->buckets[slot] = v->n_hosts + 1;
    *out_i = v->n_hosts++;
    return h;
}

/* The best outcome of its connections, as the report will say (model.c). */
static enum ea_outcome host_outcome(const struct view_host *h)
{
    for (int o = 0; o < EA_OUT__COUNT; o++)
        if (h->outcomes[o])
            return (enum ea_outcome)o;
    return EA_OUT_UNKNOWN;
}

static bool decided(enum ea_outcome o)
{
    return o == EA_OUT_REACHED || o == EA_OUT_DENIED || o == EA_OUT_REFUSED;
}

static void judge(const struct capture_view *v, struct view_host *h)
{
    if (!v->rules || v->rules->n_rules == 0)
        return;
    char addr[EA_ADDR_TEXT_MAX];
    ea_addr_text(&h->addr, addr, sizeof addr);
    struct ea_str addrs = {addr, strlen(addr)};
    struct ea_str resolved = {h->resolved, h->resolved ? strlen(h->resolved) : 0};
    struct ea_host t = {
        .key = {h->key, h->key_len},
        .named = h->named,
        .port = h->port,
        .transport = h->transport,
        .flags = h->flags,
        .addrs = &addrs,
        .n_addrs = 1,
        .resolved_as = h->resolved ? &resolved : NULL,
        .n_resolved_as = h->resolved ? 1 : 0,
    };
    policy_judge_host(v->rules, &t);
    h->verdict = t.verdict;
    h->rule = t.rule;
    h->verdict_why = t.verdict_why;
}

static const char *outcome_color(enum ea_outcome o)
{
    switch (o) {
    case EA_OUT_REACHED:
        return SGR_GREEN;
    case EA_OUT_DENIED:
    case EA_OUT_REFUSED:
    case EA_OUT_NO_ANSWER:
        return SGR_RED;
    default:
        return SGR_YELLOW;
    }
}

static const char *verdict_color(enum ea_verdict vd)
{
    switch (vd) {
    case EA_V_ALLOWED:
    case EA_V_INFRA:
        return SGR_GREEN;
    case EA_V_DENIED:
        return SGR_RED;
    default:
        return SGR_YELLOW;
    }
}

static void colored(const struct capture_view *v, const char *sgr, const char *text, int width)
{
    if (v->color)
        fprintf(v->out, "%s%-*s%s", sgr, width, text, SGR_RESET);
    else
        fprintf(v->out, "%-*s", width, text);
}

/* "+ 12:03:04  huggingface.co:443/tcp   reached   allowed  huggingface.co
 * (profile huggingface)"; '~' when an earlier line changes. */
static void show(struct capture_view *v, struct view_host *h)
{
    enum ea_outcome o = host_outcome(h);
    if (h->shown && o == h->shown_outcome && h->verdict == h->shown_verdict)
        return;
    char mark = h->shown ? '~' : '+';
    h->shown = true;
    h->shown_outcome = o;
    h->shown_verdict = h->verdict;
    if (!v->lines)
        return;
    capture_view_clear_status(v);
    struct tm tm;
    char clock[16] = "--:--:--";
    time_t t = h->first.tv_sec;
    if (localtime_r(&t, &tm))
        strftime(clock, sizeof clock, "%H:%M:%S", &tm);
    size_t n;
    char *name = ea_escape_dup(h->key, h->key_len, &n);
    char where[320];
    const char *tr = ea_transport_name(h->transport);
    snprintf(where, sizeof where, "%s%s%s:%u/%s", !h->named && h->addr.family == 6 ? "[" : "",
             name ? name : "?", !h->named && h->addr.family == 6 ? "]" : "", (unsigned)h->port,
             tr ? tr : "?");
    free(name);
    fprintf(v->out, "%c %s  %-*s ", mark, clock, NAME_WIDTH, where);
    const char *on = ea_outcome_name(o);
    bool judged = v->rules && v->rules->n_rules;
    colored(v, outcome_color(o), on ? on : "?", judged ? 10 : 0);
    if (judged) {
        const char *vn = ea_verdict_name(h->verdict);
        fputc(' ', v->out);
        colored(v, verdict_color(h->verdict), vn ? vn : "?", 18);
        if (h->rule >= 0 && (size_t)h->rule < v->rules->n_rules) {
            const struct ea_rule *rule = &v->rules->rules[h->rule];
            fputc(' ', v->out);
            (void)ea_escape_fwrite(rule->destination.s, rule->destination.len, v->out);
            fputs(" (", v->out);
            (void)ea_escape_fwrite(rule->origin.s, rule->origin.len, v->out);
            fputc(')', v->out);
        } else {
            const char *why = ea_verdict_why_text(h->verdict_why);
            if (why)
                fprintf(v->out, " %s", why);
        }
    }
    fputc('\n', v->out);
    fflush(v->out);
}

void capture_view_on_conn(const struct analyzer_conn_event *ev, void *ctx)
{
    struct capture_view *v = ctx;
    const struct ea_conn *c = ev->conn;
    bool named = c->name_source != EA_NAME_NONE && c->name.len;
    /* A connection counts once its host is known for sure: named, decided,
     * or over. Before that it may still be named (the ClientHello comes
     * after the handshake), and would show under its address. */
    if (!named && !ev->ended && !decided(c->outcome) && *ev->tag == 0)
        return;
    size_t i;
    struct view_host *h = host_get(v, c, &i);
    if (!h) {
        if (!v->said_full && v->lines) {
            capture_view_clear_status(v);
            fprintf(v->out,
                    "egress-audit capture: more than %d hosts: later ones are only in "
                    "the report\n",
                    EA_DEFAULT_MAX_HOSTS);
            v->said_full = true;
        }
        return;
    }
    uint32_t tag = *ev->tag;
    if (tag) {
        size_t was = (tag >> TAG_OUTCOME_BITS) - 1;
        struct view_host *old = &v->hosts[was];
        uint32_t o = tag & ((1u << TAG_OUTCOME_BITS) - 1);
        if (o < EA_OUT__COUNT && old->outcomes[o])
            old->outcomes[o]--;
        if (was != i) { /* named after it counted under its address */
            if (--old->n_conns == 0)
                v->n_counted--;
            if (h->n_conns++ == 0)
                v->n_counted++;
        }
    } else if (h->n_conns++ == 0) {
        v->n_counted++;
    }
    if (c->outcome < EA_OUT__COUNT)
        h->outcomes[c->outcome]++;
    *ev->tag = (uint32_t)((i + 1) << TAG_OUTCOME_BITS) | (uint32_t)c->outcome;
    h->flags |= c->flags;
    judge(v, h);
    /* An address-only host waits a moment: its connection may still be
     * named (on ports other than 80/443 a SYN-ACK already means reached). */
    if (h->shown || (h->named && decided(host_outcome(h))) || ev->ended)
        show(v, h);
    else
        v->pending = true; /* still open: capture_view_tick shows it after a moment */
}

void capture_view_tick(struct capture_view *v, time_t now)
{
    if (!v->pending)
        return;
    v->pending = false;
    for (size_t i = 0; i < v->n_hosts; i++) {
        struct view_host *h = &v->hosts[i];
        if (h->shown || !h->n_conns)
            continue;
        if (now - h->seen_wall >= PENDING_SECONDS)
            show(v, h);
        else
            v->pending = true;
    }
}

void capture_view_flush(struct capture_view *v)
{
    for (size_t i = 0; i < v->n_hosts; i++) {
        struct view_host *h = &v->hosts[i];
        if (!h->shown && h->n_conns)
            show(v, h);
    }
    v->pending = false;
}
