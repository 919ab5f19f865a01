/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Markdown report (GitHub and Azure DevOps flavour), in the text
 * report's order: the answer, what changed (--diff), the findings, what to
 * do, the hosts, the DNS names never connected to, the connections (-v),
 * the capture. Tables stay readable when pasted; long lists fold into
 * <details>.
 *
 * Every name, path and rule string is hostile. It goes in a code span, as
 * its safe text (escape.h) with '`' written \x60 and '|' written \x7c (and a
 * space at either end \x20): a code span holds no markup, no link, no
 * mention and no HTML, and a table cell cannot be split by a pipe. Our own
 * words are backslash-escaped wherever they hold Markdown punctuation.
 */
#include "render.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "escape.h"
#include "phrase.h"

enum {
    FOLD_ROWS = 12, /* a list or table longer than this folds into <details> */
};

struct md {
    FILE *f;
    bool oom;
    struct phrase ph;
};

/* Our words: every character with a meaning in Markdown escaped. */
static void md_text(struct md *m, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e) {
            fprintf(m->f, "\\\\x%02x", (unsigned)c); /* never in our words */
            continue;
        }
        if (strchr("\\`*_[]<>|#~&$@!", c))
            fputc('\\', m->f);
        fputc(c, m->f);
    }
}

static void md_ctext(struct md *m, const char *s)
{
    md_text(m, s, strlen(s));
}

/* A name: a code span of its safe text, with what a code span or a table
 * cell would take for syntax written as an escape. */
static void md_code(struct md *m, const char *s, size_t len)
{
    char *e = ea_escape_dup(s ? s : "", len, NULL);
    if (!e) {
        m->oom = true;
        return;
    }
    size_t n = strlen(e);
    if (n == 0) {
        fputs("*(empty)*", m->f);
        free(e);
        return;
    }
    fputc('`', m->f);
    for (size_t i = 0; i < n; i++) {
        char c = e[i];
        if (c == '`' || c == '|' || (c == ' ' && (i == 0 || i + 1 == n)))
            fprintf(m->f, "\\x%02x", (unsigned)(unsigned char)c);
        else
            fputc(c, m->f);
    }
    fputc('`', m->f);
    free(e);
}

static void md_str(struct md *m, const struct ea_str *s)
{
    md_code(m, s->s, s->len);
}

static void md_phrase(struct md *m, const struct phrase *ph)
{
    if (ph->oom)
        m->oom = true;
    for (size_t i = 0; i < ph->n; i++) {
        const struct phrase_part *p = &ph->parts[i];
        if (p->kind == PHRASE_NAME)
            md_code(m, p->s, p->len);
        else
            md_text(m, p->s, p->len);
    }
}

/* The sentence in m->ph, then clear it. */
static void md_say(struct md *m)
{
    md_phrase(m, &m->ph);
    phrase_clear(&m->ph);
}

static void md_name(struct md *m, const char *name, long long v)
{
    if (name)
        md_ctext(m, name);
    else
        fprintf(m->f, "%lld", v);
}

static void md_rule(struct md *m, const struct ea_rule *rule)
{
    md_str(m, &rule->destination);
    fputs(" (", m->f);
    md_str(m, &rule->origin);
    fputs(")", m->f);
}

/* A table's heading; heads[] ends with NULL. */
static void md_table_head(struct md *m, const char *const *heads)
{
    size_t n = 0;
    fputs("|", m->f);
    for (; heads[n]; n++) {
        fputc(' ', m->f);
        md_ctext(m, heads[n]);
        fputs(" |", m->f);
    }
    fputs("\n|", m->f);
    for (size_t i = 0; i < n; i++)
        fputs(" --- |", m->f);
    fputc('\n', m->f);
}

static void cell(struct md *m)
{
    fputs(" | ", m->f);
}

static void fold_open(struct md *m, size_t n, const char *what)
{
    fprintf(m->f, "<details><summary>%zu %s</summary>\n\n", n, what);
}

static void fold_close(struct md *m)
{
    fputs("\n</details>\n", m->f);
}

static void heading(struct md *m, const char *h)
{
    fprintf(m->f, "\n## %s\n\n", h);
}

/* ---- sections ---- */

static void md_summary(struct md *m, const struct ea_report *r)
{
    fputs("# egress-audit report\n\n**", m->f);
    phrase_summary(&m->ph, r);
    md_say(m);
    fputs("**\n\n", m->f);
    phrase_overview(&m->ph, r);
    md_say(m);
    fputs(".", m->f);
    if (r->has_policy) {
        fprintf(m->f, " Rules: %zu", r->n_rules);
        for (size_t i = 0; i < r->n_rule_sources; i++) {
            fputs(i ? ", " : " from ", m->f);
            md_str(m, &r->rule_sources[i]);
        }
        fputs(".", m->f);
    }
    fputs("\n", m->f);
    if (r->n_runs) {
        fputs("\nRuns:\n\n", m->f);
        for (size_t i = 0; i < r->n_runs; i++) {
            fprintf(m->f, "%zu. ", i + 1);
            md_str(m, &r->runs[i].path);
            fputc('\n', m->f);
        }
    }
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct ea_input *in = &r->inputs[i];
        if (!in->truncated)
            continue;
        fputs("\n> **Warning:** ", m->f);
        md_str(m, &in->path);
        fputs(" ends inside a record", m->f);
        if (in->truncated_offset)
            fprintf(m->f, " at byte %" PRIu64, in->truncated_offset);
        fputs(": the capture is truncated\n", m->f);
    }
}

static void md_changes(struct md *m, const struct ea_report *r)
{
    if (!r->diff.present)
        return;
    fputs("\n## Changes since ", m->f);
    md_str(m, &r->diff.base);
    fputs("\n\n", m->f);
    phrase_diff_summary(&m->ph, r);
    md_say(m);
    fputs(".\n", m->f);
    if (!r->diff.n_changes)
        return;
    static const char *const heads[] = {"", "Host", "Port", "Change", NULL};
    static const char *const marks[EA_CHANGE__COUNT] = {"+", "\\-", "~"};
    fputc('\n', m->f);
    bool fold = r->diff.n_changes > FOLD_ROWS;
    if (fold)
        fold_open(m, r->diff.n_changes, "changes");
    md_table_head(m, heads);
    for (size_t i = 0; i < r->diff.n_changes; i++) {
        const struct ea_change *c = &r->diff.changes[i];
        fputs("| ", m->f);
        fputs((unsigned)c->kind < EA_CHANGE__COUNT ? marks[c->kind] : "?", m->f);
        cell(m);
        md_str(m, &c->key);
        cell(m);
        fprintf(m->f, "%u/", (unsigned)c->port);
        md_name(m, ea_transport_name(c->transport), c->transport);
        cell(m);
        phrase_change(&m->ph, c);
        md_say(m);
        fputs(" |\n", m->f);
    }
    if (fold)
        fold_close(m);
}

static void md_findings(struct md *m, const struct ea_report *r)
{
    if (!r->has_policy || !r->n_findings)
        return;
    heading(m, "Findings");
    bool first = true;
    for (unsigned k = 0; k < EA_FIND__COUNT; k++) {
        if (!r->summary.findings[k])
            continue;
        fputs(first ? "**" : "\n**", m->f);
        first = false;
        phrase_finding_group(&m->ph, r, (enum ea_finding_kind)k);
        md_say(m);
        fputs("**\n\n", m->f);
        bool fold = r->summary.findings[k] > FOLD_ROWS;
        if (fold)
            fold_open(m, r->summary.findings[k], "hosts");
        for (size_t i = 0; i < r->n_findings; i++) {
            if (r->findings[i].kind != (enum ea_finding_kind)k)
                continue;
            fputs("- ", m->f);
            phrase_finding_item(&m->ph, r, &r->findings[i]);
            md_say(m);
            fputc('\n', m->f);
        }
        if (fold)
            fold_close(m);
    }
}

/* The longest run of c in s. */
static size_t longest_run(const char *s, size_t len, char c)
{
    size_t best = 0, run = 0;
    for (size_t i = 0; i < len; i++) {
        run = s[i] == c ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

/* The az CLI lines in a fenced block, folded; the fence is longer than any
 * run of backticks the lines hold. */
static int md_az(struct md *m, const struct ea_report *r, const struct emit_opts *eo)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return -1;
    static const struct emit_opts none = {0};
    int rc = emit_remedies(r, EMIT_AZ, eo ? eo : &none, mem);
    if (fclose(mem) != 0)
        rc = -1;
    if (rc == 0) {
        size_t fence = longest_run(buf, len, '`') + 1;
        if (fence < 3)
            fence = 3;
        fold_open(m, r->n_remedies, r->n_remedies == 1 ? "az CLI command" : "az CLI commands");
        for (size_t i = 0; i < fence; i++)
            fputc('`', m->f);
        fputs("sh\n", m->f);
        size_t a = 0;
        while (a < len && buf[a] == '\n') /* emit.c starts some items with a blank line */
            a++;
        fwrite(buf + a, 1, len - a, m->f);
        if (len > a && buf[len - 1] != '\n')
            fputc('\n', m->f);
        for (size_t i = 0; i < fence; i++)
            fputc('`', m->f);
        fputc('\n', m->f);
        fold_close(m);
    }
    free(buf);
    return rc;
}

static void md_rule_list(struct md *m, const struct ea_report *r, const size_t *idx, size_t n,
                         const char *what)
{
    bool fold = n > FOLD_ROWS;
    if (fold)
        fold_open(m, n, what);
    for (size_t i = 0; i < n; i++) {
        if (idx[i] >= r->n_rules)
            continue;
        fputs("- ", m->f);
        md_rule(m, &r->rules[idx[i]]);
        fputc('\n', m->f);
    }
    if (fold)
        fold_close(m);
}

static int md_to_do(struct md *m, const struct ea_report *r, const struct emit_opts *eo)
{
    if (!r->has_policy)
        return 0;
    heading(m, "What to do");
    const struct ea_summary *s = &r->summary;
    int rc = 0;
    if (s->activations) {
        fprintf(m->f, "Make %zu Inactive %s Active:\n\n", s->activations,
                s->activations == 1 ? "rule" : "rules");
        for (size_t i = 0; i < r->n_remedies; i++) {
            const struct ea_remedy *x = &r->remedies[i];
            if (!x->activate || x->rule >= r->n_rules)
                continue;
            fputs("- rule ", m->f);
            md_str(m, &x->rule_name);
            fputs(" (", m->f);
            md_str(m, &r->rules[x->rule].origin);
            fputs("): ", m->f);
            md_str(m, &x->destination);
            fputs(", covers ", m->f);
            for (size_t k = 0; k < x->n_covers; k++) {
                fputs(k ? ", " : "", m->f);
                md_str(m, &x->covers[k]);
            }
            fputc('\n', m->f);
        }
        fputc('\n', m->f);
    }
    if (s->rules_to_add || s->wildcards) {
        fprintf(m->f, "Add %zu %s", s->rules_to_add, s->rules_to_add == 1 ? "rule" : "rules");
        if (s->wildcards)
            fprintf(m->f, ", or the %zu wildcard %s several of them", s->wildcards,
                    s->wildcards == 1 ? "suggestion that covers" : "suggestions that cover");
        fputs(" (az CLI commands below):\n\n", m->f);
        static const char *const heads[] = {"Destination", "Rule name", "Note", NULL};
        static const char *const heads2[] = {"Destination", "Rule name", NULL};
        size_t rows = s->rules_to_add + s->wildcards;
        bool fold = rows > FOLD_ROWS;
        if (fold)
            fold_open(m, rows, "rules");
        md_table_head(m, s->wildcards ? heads : heads2);
        for (size_t i = 0; i < r->n_remedies; i++) {
            const struct ea_remedy *x = &r->remedies[i];
            if (x->activate)
                continue;
            fputs("| ", m->f);
            md_str(m, &x->destination);
            cell(m);
            md_str(m, &x->rule_name);
            if (s->wildcards)
                cell(m);
            if (x->wildcard) {
                fputs("suggestion, instead of the exact rules; covers ", m->f);
                for (size_t k = 0; k < x->n_covers; k++) {
                    fputs(k ? ", " : "", m->f);
                    md_str(m, &x->covers[k]);
                }
            }
            fputs(" |\n", m->f);
        }
        if (fold)
            fold_close(m);
        fputc('\n', m->f);
    }
    if (!r->n_remedies)
        fputs("Nothing to add: no name on ports 80 and 443 is denied.\n\n", m->f);
    size_t n_near = 0;
    for (size_t i = 0; i < r->n_near_misses; i++) {
        const struct ea_near_miss *x = &r->near_misses[i];
        if (x->host >= r->n_hosts || x->rule >= r->n_rules)
            continue;
        if (n_near++ == 0)
            fputs("Near misses:\n\n", m->f);
        fputs("- ", m->f);
        phrase_near_miss(&m->ph, r, x);
        md_say(m);
        fputc('\n', m->f);
    }
    if (n_near)
        fputc('\n', m->f);
    /* the owners' guidance for services with rotating hosts; drift */
    for (size_t i = 0; i < r->n_service_notes; i++) {
        phrase_service_note(&m->ph, &r->service_notes[i]);
        md_say(m);
        fputs("\n\n", m->f);
    }
    size_t n_known = 0;
    for (size_t i = 0; i < r->n_hosts; i++) {
        if (!r->hosts[i].n_known_in)
            continue;
        if (n_known++ == 0)
            fputs("Denied here, permitted by other built-in profiles:\n\n", m->f);
        fputs("- ", m->f);
        phrase_known_in(&m->ph, &r->hosts[i]);
        md_say(m);
        fputc('\n', m->f);
    }
    if (n_known)
        fputc('\n', m->f);
    if (r->n_unused_rules) {
        fprintf(m->f, "Unused rules, candidates to remove (%zu):\n\n", r->n_unused_rules);
        md_rule_list(m, r, r->unused_rules, r->n_unused_rules, "unused rules");
        fputc('\n', m->f);
    }
    size_t n_dup = 0;
    for (size_t i = 0; i < r->n_duplicate_rules; i++) {
        const struct ea_duplicate *d = &r->duplicate_rules[i];
        if (d->rule >= r->n_rules || d->of >= r->n_rules)
            continue;
        if (n_dup++ == 0)
            fputs("Duplicate rules:\n\n", m->f);
        fputs("- ", m->f);
        md_rule(m, &r->rules[d->rule]);
        fputs(" duplicates ", m->f);
        md_rule(m, &r->rules[d->of]);
        fputc('\n', m->f);
    }
    if (n_dup)
        fputc('\n', m->f);
    if (r->n_remedies)
        rc = md_az(m, r, eo);
    return rc;
}

static void md_flags(struct md *m, uint32_t flags, bool *said)
{
    static const struct {
        uint32_t bit;
        const char *note;
    } notes[] = {
        {EA_CF_TLS_NO_SNI, "no SNI"},
        {EA_CF_ECH, "ECH: SNI is the outer name"},
        {EA_CF_QUIC, "QUIC: FQDN rules cannot judge"},
        {EA_CF_PORT, "port not 80/443"},
        {EA_CF_MIDSTREAM, "capture began mid-stream"},
        {EA_CF_NAME_CUT, "name cut"},
        {EA_CF_REASM_GAP, "reassembly gap"},
        {EA_CF_HELLO_CUT, "TLS hello unreadable (too large or malformed)"},
    };
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
        if (!(flags & notes[i].bit))
            continue;
        fputs(*said ? "; " : "", m->f);
        md_ctext(m, notes[i].note);
        *said = true;
    }
}

static bool eq_ci(const struct ea_str *a, const struct ea_str *b)
{
    if (a->len != b->len)
        return false;
    for (size_t i = 0; i < a->len; i++) {
        char x = a->s[i], y = b->s[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (char)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

static void md_hosts(struct md *m, const struct ea_report *r)
{
    heading(m, "Hosts");
    if (!r->n_hosts) {
        fputs("None.\n", m->f);
        return;
    }
    static const char *const with_policy[] = {
        "Host", "Port", "Outcome", "Conns", "Verdict", "Rule / evidence", NULL};
    static const char *const without[] = {"Host", "Port", "Outcome", "Conns", "Evidence", NULL};
    static const char *const with_runs[] = {"Host",    "Port", "Outcome",         "Conns",
                                            "Verdict", "Runs", "Rule / evidence", NULL};
    static const char *const runs_only[] = {"Host", "Port",     "Outcome", "Conns",
                                            "Runs", "Evidence", NULL};
    const char *const *heads =
        r->has_policy ? (r->n_runs ? with_runs : with_policy) : (r->n_runs ? runs_only : without);
    bool fold = r->n_hosts > 4 * FOLD_ROWS;
    if (fold)
        fold_open(m, r->n_hosts, "hosts");
    md_table_head(m, heads);
    for (size_t i = 0; i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[r->host_order ? r->host_order[i] : i];
        fputs("| ", m->f);
        md_str(m, &h->key);
        cell(m);
        fprintf(m->f, "%u/", (unsigned)h->port);
        md_name(m, ea_transport_name(h->transport), h->transport);
        cell(m);
        md_name(m, ea_outcome_name(h->outcome), h->outcome);
        cell(m);
        fprintf(m->f, "%zu", h->n_conns);
        cell(m);
        bool said = false;
        if (r->has_policy) {
            bool bad = h->verdict == EA_V_DENIED;
            fputs(bad ? "**" : "", m->f);
            md_name(m, ea_verdict_name(h->verdict), h->verdict);
            fputs(bad ? "**" : "", m->f);
            cell(m);
        }
        if (r->n_runs) {
            phrase_host_runs(&m->ph, r, h);
            md_say(m);
            cell(m);
        }
        if (r->has_policy) {
            const struct ea_rule *rule = ea_report_rule(r, h->rule);
            bool permits = h->verdict == EA_V_ALLOWED || h->verdict == EA_V_INFRA ||
                           h->verdict == EA_V_INFRA_MAYBE;
            const char *why = ea_verdict_why_text(h->verdict_why);
            if (rule && permits) {
                md_rule(m, rule);
            } else {
                if (why)
                    md_ctext(m, why);
                if (rule) {
                    fputs(": ", m->f);
                    md_rule(m, rule);
                }
            }
            said = true;
        }
        if (h->named) {
            fputs(said ? "; from " : "from ", m->f);
            md_name(m, ea_name_source_name(h->name_source), h->name_source);
            said = true;
        }
        bool first = true;
        for (size_t k = 0; k < h->n_resolved_as; k++) {
            if (h->named && eq_ci(&h->resolved_as[k], &h->key))
                continue;
            fputs(first ? (said ? "; resolved as " : "resolved as ") : ", ", m->f);
            md_str(m, &h->resolved_as[k]);
            first = false;
            said = true;
        }
        if (h->service) {
            fputs(said ? "; " : "", m->f);
            phrase_host_service(&m->ph, h);
            md_say(m);
            said = true;
        }
        md_flags(m, h->flags, &said);
        fputs(" |\n", m->f);
    }
    if (fold)
        fold_close(m);
    phrase_hosts_cap(&m->ph, r);
    if (m->ph.n) {
        fputs("\n> ", m->f);
        md_say(m);
        fputs(".\n", m->f);
    }
    phrase_dns_cap(&m->ph, r);
    if (m->ph.n) {
        fputs("\n> ", m->f);
        md_say(m);
        fputs(".\n", m->f);
    }
}

static void md_answers(struct md *m, const struct ea_dns *d)
{
    for (size_t k = 0; k < d->n_answers; k++) {
        const struct ea_dns_answer *a = &d->answers[k];
        fputs(k ? ", " : "", m->f);
        if (a->type != EA_DNS_TYPE_A && a->type != EA_DNS_TYPE_AAAA) {
            const char *t = ea_dns_type_name(a->type);
            if (t)
                fprintf(m->f, "%s ", t);
            else
                fprintf(m->f, "TYPE%u ", (unsigned)a->type);
        }
        md_str(m, &a->data);
    }
    if (d->answers_dropped)
        fputs(d->n_answers ? ", (more not kept)" : "(more not kept)", m->f);
}

static void md_dns_rows(struct md *m, const struct ea_report *r, const size_t *idx, size_t n,
                        bool counts)
{
    static const char *const short_heads[] = {"Query", "Type", "Rcode", "Answers", NULL};
    static const char *const long_heads[] = {"Query",     "Type",    "Rcode", "Queries",
                                             "Responses", "Answers", NULL};
    md_table_head(m, counts ? long_heads : short_heads);
    for (size_t i = 0; i < n; i++) {
        size_t k = idx ? idx[i] : i;
        if (k >= r->n_dns)
            continue;
        const struct ea_dns *d = &r->dns[k];
        fputs("| ", m->f);
        md_str(m, &d->qname);
        cell(m);
        const char *t = ea_dns_type_name(d->qtype);
        if (t)
            fputs(t, m->f);
        else
            fprintf(m->f, "TYPE%u", (unsigned)d->qtype);
        cell(m);
        if (d->rcode < 0)
            fputs("no response", m->f);
        else
            md_name(m, ea_dns_rcode_name(d->rcode), d->rcode);
        cell(m);
        if (counts) {
            fprintf(m->f, "%" PRIu32, d->n_queries);
            cell(m);
            fprintf(m->f, "%" PRIu32, d->n_responses);
            cell(m);
        }
        md_answers(m, d);
        fputs(" |\n", m->f);
    }
}

static void md_dns_unused(struct md *m, const struct ea_report *r)
{
    heading(m, "DNS names never connected to");
    if (!r->n_dns_unused) {
        fputs("None.\n", m->f);
        return;
    }
    bool fold = r->n_dns_unused > FOLD_ROWS;
    if (fold)
        fold_open(m, r->n_dns_unused, "queries");
    md_dns_rows(m, r, r->dns_unused, r->n_dns_unused, false);
    if (fold)
        fold_close(m);
}

static void md_conns(struct md *m, const struct ea_report *r, bool listed)
{
    heading(m, "Connections");
    if (!listed) {
        phrase_conns_hidden(&m->ph, r);
        md_say(m);
        fputs(".\n", m->f);
    } else if (r->n_conns) {
        static const char *const heads[] = {"Time (s)", "Destination", "Name", "Outcome",
                                            "Verdict",  "Why / notes", NULL};
        static const char *const heads_np[] = {"Time (s)", "Destination", "Name",
                                               "Outcome",  "Why / notes", NULL};
        struct timeval base = r->have_time ? r->first : r->conns[0].first;
        fold_open(m, r->n_conns, "connections");
        md_table_head(m, r->has_policy ? heads : heads_np);
        for (size_t i = 0; i < r->n_conns; i++) {
            const struct ea_conn *c = &r->conns[i];
            fputs("| ", m->f);
            phrase_seconds(&m->ph, ((long long)c->first.tv_sec - (long long)base.tv_sec) * 1000000 +
                                       ((long long)c->first.tv_usec - (long long)base.tv_usec));
            md_say(m);
            cell(m);
            char buf[64];
            ea_addr_text(&c->dst, buf, sizeof buf);
            fprintf(m->f, c->dst.family == 6 ? "\\[%s\\]:%u/" : "%s:%u/", buf, (unsigned)c->dport);
            md_name(m, ea_transport_name(c->transport), c->transport);
            cell(m);
            if (c->name_source != EA_NAME_NONE)
                md_str(m, &c->name);
            else
                fputs("\\-", m->f);
            cell(m);
            md_name(m, ea_outcome_name(c->outcome), c->outcome);
            cell(m);
            if (r->has_policy) {
                md_name(m, ea_verdict_name(c->verdict), c->verdict);
                cell(m);
            }
            const char *why = ea_outcome_why_text(c->outcome_why);
            md_ctext(m, why ? why : "-");
            bool echo = c->name_source != EA_NAME_NONE && c->resolved.n_names == 1 &&
                        eq_ci(&c->resolved.names[0], &c->name);
            if (c->has_resolved && !echo && c->resolved.n_names) {
                fputs("; resolved as ", m->f);
                for (size_t k = 0; k < c->resolved.n_names; k++) {
                    fputs(k ? " \\-\\> " : "", m->f);
                    md_str(m, &c->resolved.names[k]);
                }
            }
            phrase_conn_details(&m->ph, c);
            md_say(m);
            bool said = true;
            md_flags(m, c->flags, &said);
            fputs(" |\n", m->f);
        }
        fold_close(m);
    } else {
        fputs("None.\n", m->f);
    }
    phrase_conns_cap(&m->ph, r);
    if (m->ph.n) {
        fputs("\n> ", m->f);
        md_say(m);
        fputs(".\n", m->f);
    }
    if (listed && r->n_dns) {
        heading(m, "DNS");
        fold_open(m, r->n_dns, "queries");
        md_dns_rows(m, r, NULL, r->n_dns, true);
        fold_close(m);
    }
}

static void md_capture(struct md *m, const struct ea_report *r)
{
    heading(m, "Capture");
    fputs("- Inputs: ", m->f);
    if (!r->n_inputs)
        fputs("none", m->f);
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct ea_input *in = &r->inputs[i];
        fputs(i ? ", " : "", m->f);
        md_str(m, &in->path);
        fputs(" (", m->f);
        if (in->linktype_name.len)
            md_str(m, &in->linktype_name);
        else
            fprintf(m->f, "linktype %d", in->linktype);
        fprintf(m->f, ", %" PRIu64 " packets)", in->packets);
    }
    fputc('\n', m->f);
    phrase_live_capture(&m->ph, r);
    if (m->ph.n) {
        fputs("- Live capture: ", m->f);
        md_say(m);
        fputc('\n', m->f);
    }
    for (size_t i = 0; i < r->n_inputs; i++) {
        phrase_capture_write_error(&m->ph, &r->inputs[i]);
        if (!m->ph.n)
            continue;
        fputs("- **Warning:** ", m->f);
        md_say(m);
        fputc('\n', m->f);
    }
    fputs("- Time: ", m->f);
    phrase_time_span(&m->ph, r);
    md_say(m);
    fputc('\n', m->f);
    if (r->has_policy) {
        fprintf(m->f, "- Rules loaded: %zu", r->n_rules);
        for (size_t i = 0; i < r->n_rule_sources; i++) {
            fputs(i ? ", " : " from ", m->f);
            md_str(m, &r->rule_sources[i]);
        }
        fputs("\n- Inactive rules (permit nothing): ", m->f);
        size_t said = 0;
        for (size_t i = 0; i < r->n_inactive_rules; i++) {
            if (r->inactive_rules[i] >= r->n_rules)
                continue;
            fputs(said++ ? ", " : "", m->f);
            md_rule(m, &r->rules[r->inactive_rules[i]]);
        }
        fputs(said ? "\n" : "none\n", m->f);
    }
    fputs("\n<details><summary>Counters</summary>\n\n| Counter | Value |\n| --- | --- |\n", m->f);
    for (unsigned i = 0; i < EA_C__COUNT; i++) {
        const char *name = ea_counter_name((enum ea_counter)i);
        if (!r->counters[i] && i != EA_C_FLOWS)
            continue;
        fputs("| ", m->f);
        if (name)
            md_ctext(m, name);
        else
            fprintf(m->f, "%u", i);
        fprintf(m->f, " | %" PRIu64 " |\n", r->counters[i]);
    }
    fputs("\n</details>\n", m->f);
}

int render_md(const struct ea_report *r, FILE *out, const struct render_opts *o)
{
    static const struct render_opts defaults = {0};
    if (!o)
        o = &defaults;
    struct md m = {.f = out};
    phrase_init(&m.ph);
    md_summary(&m, r);
    md_changes(&m, r);
    md_findings(&m, r);
    int rc = md_to_do(&m, r, o->emit);
    md_hosts(&m, r);
    md_dns_unused(&m, r);
    md_conns(&m, r, o->connections);
    md_capture(&m, r);
    if (m.oom || m.ph.oom)
        rc = -1;
    phrase_free(&m.ph);
    if (rc != 0 || fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
