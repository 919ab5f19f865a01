/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the service catalog and the other built-in profiles say about the
 * hosts of a report (DESIGN.md "Services"; issue 14): each host's service,
 * and for denied hosts the owner's guidance on rotating hosts, a rule that
 * permits other hosts of the same service but not this one, and the
 * built-in profiles (not loaded) that already know the name.
 */
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "policy.h"
#include "rules.h"

static bool set_service(struct ea_service *s, const struct catalog_entry *e)
{
    ea_service_clear(s);
    return ea_str_set(&s->name, e->service, strlen(e->service)) &&
           ea_str_set(&s->role, e->role, strlen(e->role)) &&
           ea_str_set(&s->source, e->source, strlen(e->source));
}

bool policy_describe_hosts(struct ea_report *r, const struct catalog *c)
{
    for (size_t i = 0; c && i < r->n_hosts; i++) {
        struct ea_host *h = &r->hosts[i];
        const struct catalog_entry *e = NULL;
        if (h->named)
            e = catalog_lookup(c, h->key.s, h->key.len);
        else if (h->n_resolved_as) /* what DNS said of the address: labelled so in reports */
            e = catalog_lookup(c, h->resolved_as[0].s, h->resolved_as[0].len);
        ea_host_service_drop(h);
        if (e) {
            struct ea_service *sv = ea_host_service(h);
            if (!sv || !set_service(sv, e))
                return false;
        }
    }
    return true;
}

static bool same_text(const struct ea_str *s, const char *t)
{
    size_t n = strlen(t);
    return s->len == n && (n == 0 || memcmp(s->s, t, n) == 0);
}

/* The service of the names a wildcard rule permits: the catalog's entry for
 * a name just below it. */
static const struct catalog_entry *rule_service(const struct catalog *c, const struct ea_rule *rule)
{
    char probe[2 + 253 + 1];
    /* an exact rule plainly covers one name; a wildcard is what a person
     * writes to cover a service's hosts, and can miss some */
    if (rule->kind != EA_RULE_FQDN || rule->inactive || rule->form == EA_FQDN_ANY ||
        rule->form == EA_FQDN_EXACT || !rule->fqdn.s || rule->fqdn.len > 253)
        return NULL;
    probe[0] = 'a';
    probe[1] = '.';
    memcpy(probe + 2, rule->fqdn.s, rule->fqdn.len);
    return catalog_lookup(c, probe, rule->fqdn.len + 2);
}

static bool add_near(struct ea_report *r, size_t host, size_t rule)
{
    struct ea_near_miss *v = realloc(r->near_misses, (r->n_near_misses + 1) * sizeof(*v));
    if (!v)
        return false;
    r->near_misses = v;
    v[r->n_near_misses++] = (struct ea_near_miss){host, rule, EA_NEAR_SERVICE};
    return true;
}

/* A denied host of service S while a rule permits other hosts of S: the
 * rule the user probably meant to cover it ("*.xethub.hf.co does not
 * cover cas-server.xethub-eu.hf.co"). One per host, the first such rule. */
static bool service_near_misses(struct ea_report *r, const struct catalog *c)
{
    size_t before = r->n_near_misses;
    for (size_t h = 0; h < r->n_hosts; h++) {
        const struct ea_host *host = &r->hosts[h];
        if (host->verdict != EA_V_DENIED || !host->service || !host->named)
            continue;
        bool has_near = false; /* a plainer near miss says enough */
        for (size_t k = 0; k < before; k++)
            has_near = has_near || r->near_misses[k].host == h;
        for (size_t i = 0; !has_near && i < r->n_rules; i++) {
            const struct catalog_entry *e = rule_service(c, &r->rules[i]);
            if (!e || !same_text(&host->service->name, e->service))
                continue;
            if (rules_match_fqdn(&r->rules[i], host->key.s, host->key.len))
                continue;
            if (!add_near(r, h, i))
                return false;
            break;
        }
    }
    return true;
}

static bool note_add_cover(struct ea_service_note *n, const struct ea_str *name)
{
    for (size_t i = 0; i < n->n_covers; i++)
        if (n->covers[i].len == name->len && ea_ascii_ieq(n->covers[i].s, name->s, name->len))
            return true;
    struct ea_str *v = realloc(n->covers, (n->n_covers + 1) * sizeof(*v));
    if (!v)
        return false;
    n->covers = v;
    v[n->n_covers] = (struct ea_str){0};
    if (!ea_str_set(&v[n->n_covers], name->s, name->len))
        return false;
    n->n_covers++;
    return true;
}

/* For each service with a rotating-hosts note among the denied hosts, the
 * note and the names it concerns, in host order. */
static bool service_notes(struct ea_report *r, const struct catalog *c)
{
    for (size_t h = 0; h < r->n_hosts; h++) {
        const struct ea_host *host = &r->hosts[h];
        if (host->verdict != EA_V_DENIED || !host->service || !host->named)
            continue;
        char service[256];
        size_t n = host->service->name.len < sizeof service - 1 ? host->service->name.len
                                                                : sizeof service - 1;
        memcpy(service, host->service->name.s, n);
        service[n] = '\0';
        const struct catalog_rotating *rot = catalog_rotating(c, service);
        if (!rot)
            continue;
        struct ea_service_note *note = NULL;
        for (size_t k = 0; k < r->n_service_notes; k++)
            if (same_text(&r->service_notes[k].service, rot->service))
                note = &r->service_notes[k];
        if (!note) {
            struct ea_service_note *v =
                realloc(r->service_notes, (r->n_service_notes + 1) * sizeof(*v));
            if (!v)
                return false;
            r->service_notes = v;
            note = &v[r->n_service_notes++];
            memset(note, 0, sizeof(*note));
            if (!ea_str_set(&note->service, rot->service, strlen(rot->service)) ||
                !ea_str_set(&note->guidance, rot->guidance, strlen(rot->guidance)) ||
                !ea_str_set(&note->source, rot->source, strlen(rot->source)) ||
                !ea_str_set(&note->date, rot->date, strlen(rot->date)))
                return false;
        }
        if (!note_add_cover(note, &host->key))
            return false;
    }
    return true;
}

/* Is profile NAME among the rules already loaded? */
static bool profile_loaded(const struct ea_report *r, const char *name)
{
    char origin[128];
    int n = snprintf(origin, sizeof origin, "profile %s", name);
    if (n < 0 || (size_t)n >= sizeof origin)
        return false;
    for (size_t i = 0; i < r->n_rules; i++)
        if (same_text(&r->rules[i].origin, origin))
            return true;
    return false;
}

static bool profile_permits(const struct ea_report *p, const struct ea_host *h)
{
    for (size_t i = 0; i < p->n_rules; i++) {
        const struct ea_rule *rule = &p->rules[i];
        if (rule->kind == EA_RULE_FQDN && !rule->inactive &&
            rules_match_fqdn(rule, h->key.s, h->key.len))
            return true;
    }
    return false;
}

/* Drift: for each denied name, the built-in profiles not loaded whose FQDN
 * rules permit it (the seed's list is old; a newer one may know the host). */
static bool known_in_profiles(struct ea_report *r)
{
    bool any_denied = false;
    for (size_t h = 0; h < r->n_hosts; h++)
        any_denied = any_denied || (r->hosts[h].verdict == EA_V_DENIED && r->hosts[h].named);
    if (!any_denied)
        return true;
    char *names[64];
    size_t n = rules_profile_names(names, 64);
    bool ok = true;
    for (size_t p = 0; ok && p < n; p++) {
        if (profile_loaded(r, names[p]))
            continue;
        struct ea_report prof;
        char err[512];
        ea_report_init(&prof);
        if (rules_load_profile(&prof, names[p], NULL, err, sizeof err)) {
            for (size_t h = 0; ok && h < r->n_hosts; h++) {
                struct ea_host *host = &r->hosts[h];
                if (host->verdict != EA_V_DENIED || !host->named || !profile_permits(&prof, host))
                    continue;
                struct ea_str *v = realloc(host->known_in, (host->n_known_in + 1) * sizeof(*v));
                ok = v != NULL;
                if (ok) {
                    host->known_in = v;
                    v[host->n_known_in] = (struct ea_str){0};
                    ok = ea_str_set(&v[host->n_known_in], names[p], strlen(names[p]));
                    host->n_known_in += ok;
                }
            }
        }
        ea_report_finish(&prof);
    }
    for (size_t p = 0; p < n; p++)
        free(names[p]);
    return ok;
}

bool policy_explain(struct ea_report *r, const struct catalog *c)
{
    if (!r->has_policy)
        return true;
    return (!c || (service_near_misses(r, c) && service_notes(r, c))) && known_in_profiles(r);
}
