/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The rules to add for denied names (DESIGN.md "Remediation"): one exact
 * FQDN rule per name, and a "*.parent" suggestion where several denied
 * names share a parent that is no wider than their registrable domain
 * (Public Suffix List, libpsl). Azure's "*.d" never matches d itself, so a
 * denied apex keeps its own exact rule. A name that an Inactive rule would
 * permit gets no new rule: the remedy is to make that rule Active again.
 */
#include "ascii.h"
#include "hash.h"
#include "policy.h"

#include <arpa/inet.h>
#include <libpsl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    FQDN_MAX = 253,
    LABEL_MAX = 63,
    RULE_NAME_MAX = 33, /* Azure: ^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$ */
};

static const char rule_prefix[] = "allow-";

/* ---- the Public Suffix List ---- */

static psl_ctx_t *psl_owned; /* from psl_latest(): freed at exit */

static void psl_release(void)
{
    psl_free(psl_owned); /* psl_free ignores NULL and the built-in context */
    psl_owned = NULL;
}

/* Loaded once: the newest of the system list and the built-in one; NULL if
 * neither is available (then no wildcard is ever suggested). The analyzer
 * is single-threaded (DESIGN.md: parallelism is by process). */
static const psl_ctx_t *psl_ctx(void)
{
    static bool loaded;
    static const psl_ctx_t *ctx;
    if (!loaded) {
        loaded = true;
        psl_owned = psl_latest(NULL);
        if (psl_owned) {
            ctx = psl_owned;
            if (atexit(psl_release) != 0)
                psl_owned = NULL; /* kept until exit anyway */
        } else {
            ctx = psl_builtin();
        }
    }
    return ctx;
}

/* ---- names ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* An address, not a name: IPv6 (has ':'), dotted IPv4, or any name whose
 * last label is all digits (inet_aton forms such as "127.1"; no top-level
 * domain is numeric). s is NUL-terminated at len. */
static bool is_ip_literal(const char *s, size_t len)
{
    if (memchr(s, ':', len))
        return true;
    unsigned char b[4];
    if (inet_pton(AF_INET, s, b) == 1)
        return true;
    size_t i = len;
    while (i > 0 && s[i - 1] != '.')
        i--;
    if (i == len)
        return false;
    for (size_t k = i; k < len; k++)
        if (!is_digit(s[k]))
            return false;
    return true;
}

/*
 * A name from the wire as a rule can hold it: one trailing dot dropped, lower
 * case, labels of letters, digits, '-' and '_' of 1..63 bytes, at most 253
 * bytes, not an address. out has room for FQDN_MAX + 1 bytes. Returns its
 * length, or 0 if the name cannot become a rule.
 */
static size_t usable_name(const char *s, size_t len, char out[FQDN_MAX + 1])
{
    if (len > 0 && s[len - 1] == '.')
        len--;
    if (len == 0 || len > FQDN_MAX)
        return 0;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
        } else if (is_alnum(c) || c == '-' || c == '_') {
            if (++label > LABEL_MAX)
                return 0;
        } else {
            return 0; /* NUL, controls, spaces, '*', non-ASCII, ... */
        }
        out[i] = ea_ascii_lower_c(c);
    }
    if (label == 0)
        return 0;
    out[len] = '\0';
    if (is_ip_literal(out, len))
        return 0;
    return len;
}

const char *policy_registrable_domain(const char *name)
{
    if (!name)
        return NULL;
    size_t len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > FQDN_MAX)
        return NULL;
    /* libpsl wants lower case; the answer is a suffix, so its offset in the
     * copy is its offset in name. */
    char buf[FQDN_MAX + 1];
    for (size_t i = 0; i < len; i++)
        buf[i] = ea_ascii_lower_c(name[i]);
    buf[len] = '\0';
    if (is_ip_literal(buf, len))
        return NULL;
    const psl_ctx_t *psl = psl_ctx();
    if (!psl)
        return NULL;
    const char *rd = psl_registrable_domain(psl, buf);
    if (!rd || rd < buf || rd >= buf + len)
        return NULL;
    return name + (rd - buf);
}

/* ---- rule names: a set of the names in use, case-insensitive ----
 *
 * Every check is a hash lookup, and each base name remembers the next
 * suffix to try, so naming n rules that all clash costs O(n), not the
 * O(n^3) of scanning every rule for every candidate (found by fuzzing:
 * 2000 clashing names took 39 s). */

struct rn_slot {
    bool used;
    uint8_t len;
    uint32_t next; /* the next "-k" suffix to try for this base; 0 = 2 */
    char name[RULE_NAME_MAX + 1];
};

struct rule_names {
    struct rn_slot *slots;
    size_t n_slots, used;
};

static uint64_t rn_hash(const char *s, size_t len)
{
    return ea_hash_bytes_ci(EA_FNV_OFFSET, s, len);
}

static struct rn_slot *rn_lookup(const struct rule_names *set, const char *name, size_t len)
{
    size_t mask = set->n_slots - 1;
    for (size_t at = rn_hash(name, len) & mask;; at = (at + 1) & mask) {
        struct rn_slot *sl = &set->slots[at];
        if (!sl->used)
            return sl; /* the free slot where it would go */
        if (sl->len == len) {
            size_t k = 0;
            while (k < len && sl->name[k] == ea_ascii_lower_c(name[k]))
                k++;
            if (k == len)
                return sl;
        }
    }
}

static bool rn_grow(struct rule_names *set)
{
    struct rule_names bigger = {.n_slots = set->n_slots ? set->n_slots * 2 : 64};
    bigger.slots = calloc(bigger.n_slots, sizeof *bigger.slots);
    if (!bigger.slots)
        return false;
    for (size_t i = 0; i < set->n_slots; i++) {
        if (!set->slots[i].used)
            continue;
        *rn_lookup(&bigger, set->slots[i].name, set->slots[i].len) = set->slots[i];
        bigger.used++;
    }
    free(set->slots);
    *set = bigger;
    return true;
}

/* Add name (≤ RULE_NAME_MAX, stored lower-case); a name already there is fine. */
static bool rn_add(struct rule_names *set, const char *name, size_t len)
{
    if (len > RULE_NAME_MAX)
        return true; /* longer than any name we make: it can never clash */
    if ((set->used + 1) * 2 > set->n_slots && !rn_grow(set))
        return false;
    struct rn_slot *sl = rn_lookup(set, name, len);
    if (sl->used)
        return true;
    sl->used = true;
    sl->len = (uint8_t)len;
    for (size_t i = 0; i < len; i++)
        sl->name[i] = ea_ascii_lower_c(name[i]);
    sl->name[len] = '\0';
    sl->next = 0;
    set->used++;
    return true;
}

static bool rn_has(const struct rule_names *set, const char *name, size_t len)
{
    return len <= RULE_NAME_MAX && set->n_slots && rn_lookup(set, name, len)->used;
}

void rule_names_free(struct rule_names *set)
{
    if (!set)
        return;
    free(set->slots);
    free(set);
}

struct rule_names *rule_names_new(const struct ea_report *r)
{
    struct rule_names *set = calloc(1, sizeof *set);
    if (!set || !rn_grow(set)) {
        rule_names_free(set);
        return NULL;
    }
    for (size_t i = 0; r && i < r->n_rules; i++) {
        const struct ea_str *n = &r->rules[i].name;
        if (n->len && !rn_add(set, n->s, n->len))
            goto fail;
    }
    for (size_t i = 0; r && i < r->n_remedies; i++) {
        const struct ea_str *n = &r->remedies[i].rule_name;
        if (n->len && !rn_add(set, n->s, n->len))
            goto fail;
    }
    return set;
fail:
    rule_names_free(set);
    return NULL;
}

static size_t trim_dashes(const char *s, size_t len)
{
    while (len > 0 && s[len - 1] == '-')
        len--;
    return len;
}

/*
 * "allow", then "-" and each label of dest in turn (letters, digits and '_'
 * kept, lower case; any other byte a '-', runs of them as one, none at the
 * ends; empty labels skipped) while the whole stays within max bytes. The
 * labels are kept from the left, the most specific first, and the rest
 * dropped whole ("allow-telemetry-unlisted-vendor" for
 * telemetry.unlisted-vendor.example), so that no name ends in a cut label;
 * only a first label that does not fit even alone is cut. out has room for
 * max + 1 bytes; returns the length (at least "allow").
 */
static size_t name_base(const char *dest, size_t len, size_t max, char *out)
{
    size_t n = sizeof rule_prefix - 2; /* "allow" */
    memcpy(out, rule_prefix, n);
    bool first = true;
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && dest[end] != '.')
            end++;
        char label[RULE_NAME_MAX + 1];
        size_t ll = 0;
        bool cut = false;
        for (size_t k = i; k < end; k++) {
            char c = dest[k];
            char o = is_alnum(c) || c == '_' ? ea_ascii_lower_c(c) : '-';
            if (o == '-' && (ll == 0 || label[ll - 1] == '-'))
                continue;
            if (ll == sizeof label) {
                cut = true;
                break;
            }
            label[ll++] = o;
        }
        ll = trim_dashes(label, ll);
        i = end + 1;
        if (ll == 0)
            continue;
        if (n + 1 + ll > max || cut) {
            if (!first)
                break; /* this label and all after it */
            ll = trim_dashes(label, max > n + 1 ? max - n - 1 : 0);
            if (ll == 0)
                break;
            out[n++] = '-';
            memcpy(out + n, label, ll);
            n += ll;
            break;
        }
        out[n++] = '-';
        memcpy(out + n, label, ll);
        n += ll;
        first = false;
    }
    out[n] = '\0';
    return n;
}

bool rule_names_make(struct rule_names *set, const char *dest, size_t len, char out[34])
{
    if (!set || (!dest && len > 0))
        return false;
    if (len >= 2 && dest[0] == '*' && dest[1] == '.') {
        dest += 2;
        len -= 2;
    }
    char base[RULE_NAME_MAX + 1];
    size_t n = name_base(dest, len, RULE_NAME_MAX, base);
    if (!rn_has(set, base, n)) {
        if (!rn_add(set, base, n))
            return false;
        memcpy(out, base, n + 1);
        return true;
    }
    /* A clash: "-2", "-3", ... after as many whole labels as fit with the
     * suffix, starting where the last clash of this base left off. */
    uint32_t k = rn_lookup(set, base, n)->next;
    for (k = k ? k : 2; k < UINT32_MAX; k++) {
        char suffix[24];
        int sl = snprintf(suffix, sizeof suffix, "-%u", (unsigned)k);
        if (sl < 0 || (size_t)sl >= sizeof suffix || (size_t)sl >= RULE_NAME_MAX - 5)
            return false;
        char cand[RULE_NAME_MAX + 1];
        size_t keep = n;
        if (keep + (size_t)sl > RULE_NAME_MAX)
            keep = name_base(dest, len, RULE_NAME_MAX - (size_t)sl, cand);
        else
            memcpy(cand, base, keep);
        memcpy(cand + keep, suffix, (size_t)sl + 1);
        size_t cl = keep + (size_t)sl;
        if (rn_has(set, cand, cl))
            continue;
        if (!rn_add(set, cand, cl))
            return false;
        rn_lookup(set, base, n)->next = k + 1; /* the table may have grown */
        memcpy(out, cand, cl + 1);
        return true;
    }
    return false;
}

bool policy_rule_name(const struct ea_report *r, const char *dest, size_t len, char out[34])
{
    if (!r)
        return false;
    struct rule_names *set = rule_names_new(r);
    bool ok = set && rule_names_make(set, dest, len, out);
    rule_names_free(set);
    return ok;
}

/* ---- remedies ---- */

/* A proper parent of a denied name that a wildcard could use. */
struct parent_ref {
    const char *parent; /* a suffix of names[name] */
    size_t name;        /* index in the sorted, distinct names */
};

/* A parent shared by two or more names: a wildcard candidate. */
struct candidate {
    const char *parent;
    size_t first; /* its run in the sorted parent_refs */
    size_t count; /* distinct names under it */
    bool keep;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_parent_ref(const void *a, const void *b)
{
    const struct parent_ref *x = a, *y = b;
    int c = strcmp(x->parent, y->parent);
    if (c != 0)
        return c;
    return (x->name > y->name) - (x->name < y->name);
}

static int cmp_candidate_key(const void *key, const void *elem)
{
    return strcmp(key, ((const struct candidate *)elem)->parent);
}

/* A denied name that an Inactive rule would permit. */
struct activation {
    size_t rule; /* index in r->rules */
    char *name;  /* usable_name(), heap */
};

static int cmp_activation(const void *a, const void *b)
{
    const struct activation *x = a, *y = b;
    if (x->rule != y->rule)
        return (x->rule > y->rule) - (x->rule < y->rule);
    return strcmp(x->name, y->name);
}

static void remedies_free(struct ea_remedy *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ea_str_clear(&v[i].destination);
        ea_str_clear(&v[i].rule_name);
        for (size_t k = 0; k < v[i].n_covers; k++)
            ea_str_clear(&v[i].covers[k]);
        free(v[i].covers);
    }
    free(v);
}

/* The Inactive rule that would permit a denied host (policy.c cites it),
 * or -1. */
static long inactive_rule_of(const struct ea_report *r, const struct ea_host *h)
{
    if (h->rule < 0 || (unsigned long)h->rule >= r->n_rules || !r->rules[h->rule].inactive)
        return -1;
    return h->rule;
}

/* A denied host whose name a remedy can be about: a name cut short on
 * capture is not the name the client asked for. */
static bool remediable(const struct ea_host *h)
{
    return h->named && h->verdict == EA_V_DENIED && !(h->flags & EA_CF_NAME_CUT) && h->key.s;
}

static void activations_free(struct activation *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

/* The distinct (Inactive rule, usable denied name) pairs, sorted by rule,
 * then name. */
static bool activations(const struct ea_report *r, struct activation **out, size_t *out_n)
{
    struct activation *v = calloc(r->n_hosts ? r->n_hosts : 1, sizeof *v);
    if (!v)
        return false;
    size_t n = 0;
    for (size_t i = 0; i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[i];
        char buf[FQDN_MAX + 1];
        long rule = inactive_rule_of(r, h);
        size_t len;
        if (!remediable(h) || rule < 0 || (len = usable_name(h->key.s, h->key.len, buf)) == 0)
            continue;
        v[n].name = malloc(len + 1);
        if (!v[n].name) {
            activations_free(v, n);
            return false;
        }
        memcpy(v[n].name, buf, len + 1);
        v[n].rule = (size_t)rule;
        n++;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_activation);
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        if (d > 0 && cmp_activation(&v[d - 1], &v[i]) == 0) {
            free(v[i].name);
            continue;
        }
        v[d++] = v[i];
    }
    *out = v;
    *out_n = d;
    return true;
}

/* The distinct usable denied names that no Inactive rule would permit,
 * sorted; heap strings. */
static bool denied_names(const struct ea_report *r, char ***out_names, size_t *out_n)
{
    char **names = calloc(r->n_hosts ? r->n_hosts : 1, sizeof *names);
    if (!names)
        return false;
    size_t n = 0;
    for (size_t i = 0; i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[i];
        char buf[FQDN_MAX + 1];
        size_t len;
        if (!remediable(h) || inactive_rule_of(r, h) >= 0)
            continue;
        len = usable_name(h->key.s, h->key.len, buf);
        if (len == 0)
            continue;
        names[n] = malloc(len + 1);
        if (!names[n]) {
            for (size_t k = 0; k < n; k++)
                free(names[k]);
            free(names);
            return false;
        }
        memcpy(names[n], buf, len + 1);
        n++;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        if (d > 0 && strcmp(names[d - 1], names[i]) == 0) {
            free(names[i]);
            continue;
        }
        names[d++] = names[i];
    }
    *out_names = names;
    *out_n = d;
    return true;
}

/*
 * Every (parent, name) pair where parent is a proper parent of the name, at or
 * below its registrable domain and not a public suffix, sorted by parent.
 */
static bool parent_refs(char **names, size_t n, struct parent_ref **out, size_t *out_n)
{
    const psl_ctx_t *psl = psl_ctx();
    size_t total = 0;
    *out = NULL;
    *out_n = 0;
    if (!psl)
        return true;
    /* First count, then fill: at most one per dot of each name. */
    for (size_t i = 0; i < n; i++)
        for (const char *p = names[i]; *p; p++)
            total += *p == '.';
    if (total == 0)
        return true;
    struct parent_ref *v = calloc(total, sizeof *v);
    if (!v)
        return false;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rd = policy_registrable_domain(names[i]);
        if (!rd)
            continue;
        for (const char *p = names[i]; *p && k < total; p++) {
            if (*p != '.')
                continue;
            const char *parent = p + 1;
            if (parent > rd)
                break; /* above the registrable domain from here on */
            if (psl_is_public_suffix(psl, parent))
                continue;
            v[k].parent = parent;
            v[k].name = i;
            k++;
        }
    }
    if (k > 1)
        qsort(v, k, sizeof *v, cmp_parent_ref);
    *out = v;
    *out_n = k;
    return true;
}

/*
 * Parents shared by two or more names, sorted; keep marks the deepest one of
 * each group: a parent is dropped when some deeper candidate covers the same
 * names (it covers a subset, so the same count means the same set).
 */
static bool candidates(const struct parent_ref *refs, size_t n_refs, struct candidate **out,
                       size_t *out_n)
{
    size_t n = 0;
    *out = NULL;
    *out_n = 0;
    for (size_t i = 0; i < n_refs;) {
        size_t j = i + 1;
        while (j < n_refs && strcmp(refs[j].parent, refs[i].parent) == 0)
            j++;
        n += j - i >= 2;
        i = j;
    }
    if (n == 0)
        return true;
    struct candidate *c = calloc(n, sizeof *c);
    if (!c)
        return false;
    size_t k = 0;
    for (size_t i = 0; i < n_refs;) {
        size_t j = i + 1;
        while (j < n_refs && strcmp(refs[j].parent, refs[i].parent) == 0)
            j++;
        if (j - i >= 2) {
            c[k].parent = refs[i].parent;
            c[k].first = i;
            c[k].count = j - i;
            c[k].keep = true;
            k++;
        }
        i = j;
    }
    /* Walk up from each candidate: an ancestor candidate with the same count
     * adds nothing. */
    for (size_t i = 0; i < n; i++) {
        for (const char *p = strchr(c[i].parent, '.'); p; p = strchr(p + 1, '.')) {
            struct candidate *up = bsearch(p + 1, c, n, sizeof *c, cmp_candidate_key);
            if (up && up->count == c[i].count)
                up->keep = false;
        }
    }
    *out = c;
    *out_n = n;
    return true;
}

static bool str_dup_into(struct ea_str *s, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > SIZE_MAX - lb - 1)
        return false;
    char *p = malloc(la + lb + 1);
    if (!p)
        return false;
    memcpy(p, a, la);
    memcpy(p + la, b, lb + 1);
    free(s->s);
    s->s = p;
    s->len = la + lb;
    return true;
}

/* One remedy per Inactive rule: make it Active; it covers its names. */
static bool fill_activation(struct ea_remedy *m, const struct ea_report *r,
                            const struct activation *acts, size_t n)
{
    const struct ea_rule *rule = &r->rules[acts[0].rule];
    const struct ea_str *dest = rule->pattern.len ? &rule->pattern : &rule->destination;
    const struct ea_str *name = rule->name.len ? &rule->name : &rule->emit_name;
    m->activate = true;
    m->rule = acts[0].rule;
    if (!ea_str_set(&m->destination, dest->s, dest->len) ||
        !ea_str_set(&m->rule_name, name->s, name->len))
        return false;
    m->covers = calloc(n, sizeof *m->covers);
    if (!m->covers)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!str_dup_into(&m->covers[i], "", acts[i].name))
            return false;
        m->n_covers++;
    }
    return true;
}

static bool fill_remedies(struct ea_report *r, const struct activation *acts, size_t n_acts,
                          char **names, size_t n_names, const struct parent_ref *refs,
                          const struct candidate *cand, size_t n_cand)
{
    size_t n_wild = 0, n_activate = 0;
    for (size_t i = 0; i < n_cand; i++)
        n_wild += cand[i].keep;
    for (size_t i = 0; i < n_acts; i++)
        n_activate += i == 0 || acts[i].rule != acts[i - 1].rule;
    size_t total = n_activate + n_names + n_wild;
    if (total == 0)
        return true;
    struct ea_remedy *v = calloc(total, sizeof *v);
    if (!v)
        return false;
    size_t k = 0;
    for (size_t i = 0; i < n_acts; k++) {
        size_t j = i + 1;
        while (j < n_acts && acts[j].rule == acts[i].rule)
            j++;
        if (!fill_activation(&v[k], r, acts + i, j - i))
            goto fail;
        i = j;
    }
    for (size_t i = 0; i < n_names; i++, k++) {
        struct ea_remedy *m = &v[k];
        m->covers = calloc(1, sizeof *m->covers);
        if (!m->covers || !str_dup_into(&m->destination, "", names[i]) ||
            !str_dup_into(&m->covers[0], "", names[i]))
            goto fail;
        m->n_covers = 1;
    }
    for (size_t i = 0; i < n_cand; i++) {
        if (!cand[i].keep)
            continue;
        struct ea_remedy *m = &v[k++];
        m->wildcard = true;
        if (!str_dup_into(&m->destination, "*.", cand[i].parent))
            goto fail;
        m->covers = calloc(cand[i].count, sizeof *m->covers);
        if (!m->covers)
            goto fail;
        /* refs of one parent are sorted by name index: the names are sorted */
        for (size_t j = 0; j < cand[i].count; j++) {
            if (!str_dup_into(&m->covers[j], "", names[refs[cand[i].first + j].name]))
                goto fail;
            m->n_covers++;
        }
    }
    /* Names in order, each unique against the rules and those before it;
     * an activation keeps the rule's own name. */
    struct rule_names *set = rule_names_new(r);
    for (size_t i = n_activate; set && i < total; i++) {
        char name[34];
        if (!rule_names_make(set, v[i].destination.s, v[i].destination.len, name) ||
            !ea_str_set(&v[i].rule_name, name, strlen(name))) {
            rule_names_free(set);
            set = NULL;
        }
    }
    if (!set)
        goto fail;
    rule_names_free(set);
    r->remedies = v;
    r->n_remedies = total;
    return true;
fail:
    remedies_free(v, total);
    return false;
}

bool policy_build_remedies(struct ea_report *r)
{
    char **names = NULL;
    size_t n_names = 0, n_refs = 0, n_cand = 0, n_acts = 0;
    struct parent_ref *refs = NULL;
    struct candidate *cand = NULL;
    struct activation *acts = NULL;
    bool ok = false;

    remedies_free(r->remedies, r->n_remedies);
    r->remedies = NULL;
    r->n_remedies = 0;

    if (!activations(r, &acts, &n_acts))
        return false;
    if (!denied_names(r, &names, &n_names)) {
        activations_free(acts, n_acts);
        return false;
    }
    if (parent_refs(names, n_names, &refs, &n_refs) && candidates(refs, n_refs, &cand, &n_cand))
        ok = fill_remedies(r, acts, n_acts, names, n_names, refs, cand, n_cand);
    activations_free(acts, n_acts);
    free(cand);
    free(refs);
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    return ok;
}
