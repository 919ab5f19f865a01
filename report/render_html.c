/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The HTML report: one self-contained file that opens in a browser and in a
 * ticket's attachment viewer. Inline CSS, no script, nothing fetched (a
 * Content-Security-Policy says so too); the text report's sections, verdict
 * badges that read in greyscale (a symbol, the word, and a fill and border
 * of their own lightness), an inline SVG timeline (one row per host, a mark
 * per connection whose shape and colour tell its outcome), and a print
 * style for A4 in which tables wrap rather than being cut.
 *
 * Every name, path and rule string is hostile: it is written as its safe
 * text (escape.h) with & < > " ' as entities, so the file is ASCII and no
 * name can open a tag, an attribute or an entity.
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
    TL_MAX_ROWS = 200,    /* hosts drawn in the timeline */
    TL_MAX_MARKS = 20000, /* connections drawn */
    TL_LABEL = 300,       /* width of the labels (SVG units) */
    TL_PLOT = 660,        /* width of the time axis */
    TL_ROW = 18,          /* height of a row */
    TL_TOP = 24,          /* room for the axis labels */
    TL_LABEL_CHARS = 44,  /* longer labels are shortened in the middle */
};

struct html {
    FILE *f;
    bool oom;
    struct phrase ph;
};

/* Safe text with the five characters HTML gives a meaning to as entities. */
static void h_text(struct html *h, const char *s, size_t len)
{
    char *e = ea_escape_dup(s ? s : "", len, NULL);
    if (!e) {
        h->oom = true;
        return;
    }
    for (const char *p = e; *p; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", h->f);
            break;
        case '<':
            fputs("&lt;", h->f);
            break;
        case '>':
            fputs("&gt;", h->f);
            break;
        case '"':
            fputs("&quot;", h->f);
            break;
        case '\'':
            fputs("&#39;", h->f);
            break;
        default:
            fputc(*p, h->f);
        }
    }
    free(e);
}

static void h_ctext(struct html *h, const char *s)
{
    h_text(h, s, strlen(s));
}

static void h_code(struct html *h, const char *s, size_t len)
{
    fputs("<code>", h->f);
    h_text(h, s, len);
    fputs("</code>", h->f);
}

static void h_str(struct html *h, const struct ea_str *s)
{
    h_code(h, s->s, s->len);
}

static void h_phrase(struct html *h, const struct phrase *ph)
{
    if (ph->oom)
        h->oom = true;
    for (size_t i = 0; i < ph->n; i++) {
        const struct phrase_part *p = &ph->parts[i];
        if (p->kind == PHRASE_NAME)
            h_code(h, p->s, p->len);
        else
            h_text(h, p->s, p->len);
    }
}

static void h_say(struct html *h)
{
    h_phrase(h, &h->ph);
    phrase_clear(&h->ph);
}

static void h_name(struct html *h, const char *name, long long v)
{
    if (name)
        h_ctext(h, name);
    else
        fprintf(h->f, "%lld", v);
}

static void h_rule(struct html *h, const struct ea_rule *rule)
{
    h_str(h, &rule->destination);
    fputs(" (", h->f);
    h_str(h, &rule->origin);
    fputs(")", h->f);
}

/* ---- verdicts and outcomes: a class and a symbol each ---- */

static const struct {
    enum ea_verdict v;
    const char *cls, *symbol;
} verdict_look[] = {
    {EA_V_DENIED, "v-denied", "&#x2717;"}, {EA_V_PORT, "v-doubt", "&#x2717;"},
    {EA_V_NO_NAME, "v-doubt", "?"},        {EA_V_INFRA_MAYBE, "v-doubt", "?"},
    {EA_V_INFRA, "v-infra", "&#x2713;"},   {EA_V_ALLOWED, "v-allowed", "&#x2713;"},
};

static void h_verdict(struct html *h, enum ea_verdict v)
{
    const char *cls = "v-doubt", *symbol = "?";
    for (size_t i = 0; i < sizeof verdict_look / sizeof verdict_look[0]; i++) {
        if (verdict_look[i].v == v) {
            cls = verdict_look[i].cls;
            symbol = verdict_look[i].symbol;
        }
    }
    fprintf(h->f, "<span class=\"v %s\">%s ", cls, symbol);
    h_name(h, ea_verdict_name(v), v);
    fputs("</span>", h->f);
}

/* Outcome: colour, and the mark's shape in the timeline. */
static const struct {
    enum ea_outcome o;
    const char *cls, *color;
} outcome_look[] = {
    {EA_OUT_REACHED, "o-reached", "#1a7f37"},  {EA_OUT_DENIED, "o-denied", "#b00020"},
    {EA_OUT_REFUSED, "o-refused", "#7a0016"},  {EA_OUT_NO_ANSWER, "o-noanswer", "#9a6700"},
    {EA_OUT_INCOMPLETE, "o-other", "#57606a"}, {EA_OUT_UNKNOWN, "o-other", "#57606a"},
};

static const char *outcome_color(enum ea_outcome o)
{
    for (size_t i = 0; i < sizeof outcome_look / sizeof outcome_look[0]; i++)
        if (outcome_look[i].o == o)
            return outcome_look[i].color;
    return "#57606a";
}

static void h_outcome(struct html *h, enum ea_outcome o)
{
    const char *cls = "o-other";
    for (size_t i = 0; i < sizeof outcome_look / sizeof outcome_look[0]; i++)
        if (outcome_look[i].o == o)
            cls = outcome_look[i].cls;
    fprintf(h->f, "<span class=\"%s\">", cls);
    h_name(h, ea_outcome_name(o), o);
    fputs("</span>", h->f);
}

/* ---- the page ---- */

static const char style[] =
    ":root{color-scheme:light}"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
    "color:#1f2328;background:#fff;margin:2em auto;max-width:72em;padding:0 1.5em}"
    "h1{font-size:1.5em;margin:0 0 .4em}h2{font-size:1.2em;margin:1.6em 0 .5em;"
    "border-bottom:1px solid #d0d7de;padding-bottom:.2em}"
    ".answer{font-size:1.15em;font-weight:600;border-left:6px solid #1f2328;"
    "padding:.4em .8em;background:#f6f8fa}"
    ".warn{border:2px dashed #1f2328;padding:.4em .8em}"
    "table{border-collapse:collapse;width:100%;margin:.4em 0 1em}"
    "th,td{border:1px solid #d0d7de;padding:.25em .5em;text-align:left;vertical-align:top;"
    "overflow-wrap:break-word}"
    "th{background:#f6f8fa;white-space:nowrap}td.n{text-align:right;white-space:nowrap}"
    "td.k{white-space:nowrap}table.narrow{width:auto;min-width:20em}"
    "code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;"
    "overflow-wrap:anywhere}"
    "pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.6em;white-space:pre-wrap;"
    "overflow-wrap:anywhere;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "font-size:.85em}"
    ".v{display:inline-block;padding:0 .45em;border-radius:3px;white-space:nowrap;"
    "font-weight:600}"
    ".v-denied{background:#8b0015;color:#fff;border:2px solid #000}"
    ".v-doubt{background:#fff2c2;color:#3d2f00;border:2px dashed #6b5200}"
    ".v-infra{background:#dbe9ff;color:#0a2f6b;border:2px double #0a2f6b}"
    ".v-allowed{background:#fff;color:#0b3d1a;border:1px solid #0b3d1a}"
    ".o-reached{color:#1a7f37}.o-denied,.o-refused{color:#b00020;font-weight:700}"
    ".o-noanswer{color:#9a6700;font-style:italic}.o-other{color:#57606a;font-style:italic}"
    "tr.finding td{background:#fff8f8}"
    "ul{padding-left:1.4em}li{margin:.15em 0}"
    "svg{width:100%;height:auto;display:block}"
    "details summary{cursor:pointer}"
    "footer{margin-top:2em;color:#57606a;font-size:.9em}"
    "@page{size:A4;margin:12mm}"
    "@media print{body{margin:0;max-width:none;padding:0;font-size:10.5px}"
    "h2{break-after:avoid}tr,li,svg{break-inside:avoid}thead{display:table-header-group}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "details>*{display:block}}";

static void h_head(struct html *h)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">\n"
          "<meta name=\"referrer\" content=\"no-referrer\">\n"
          "<title>egress-audit report</title>\n<style>",
          h->f);
    fputs(style, h->f);
    fputs("</style>\n</head>\n<body>\n", h->f);
}

static void table_head(struct html *h, const char *const *heads)
{
    fputs("<table>\n<thead><tr>", h->f);
    for (size_t i = 0; heads[i]; i++) {
        fputs("<th>", h->f);
        h_ctext(h, heads[i]);
        fputs("</th>", h->f);
    }
    fputs("</tr></thead>\n<tbody>\n", h->f);
}

static void table_end(struct html *h)
{
    fputs("</tbody>\n</table>\n", h->f);
}

static void h_summary(struct html *h, const struct ea_report *r)
{
    fputs("<header>\n<h1>egress-audit report</h1>\n<p class=\"answer\">", h->f);
    phrase_summary(&h->ph, r);
    h_say(h);
    fputs("</p>\n<p>", h->f);
    phrase_overview(&h->ph, r);
    h_say(h);
    fputs(".", h->f);
    if (r->has_policy) {
        fprintf(h->f, " Rules: %zu", r->n_rules);
        for (size_t i = 0; i < r->n_rule_sources; i++) {
            fputs(i ? ", " : " from ", h->f);
            h_str(h, &r->rule_sources[i]);
        }
        fputs(".", h->f);
    }
    fputs("</p>\n", h->f);
    if (r->n_runs) {
        fputs("<p>Runs:</p>\n<ol>\n", h->f);
        for (size_t i = 0; i < r->n_runs; i++) {
            fputs("<li>", h->f);
            h_str(h, &r->runs[i].path);
            fputs("</li>\n", h->f);
        }
        fputs("</ol>\n", h->f);
    }
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct ea_input *in = &r->inputs[i];
        if (!in->truncated)
            continue;
        fputs("<p class=\"warn\"><strong>Warning:</strong> ", h->f);
        h_str(h, &in->path);
        fputs(" ends inside a record", h->f);
        if (in->truncated_offset)
            fprintf(h->f, " at byte %" PRIu64, in->truncated_offset);
        fputs(": the capture is truncated</p>\n", h->f);
    }
    fputs("</header>\n", h->f);
}

static void h_changes(struct html *h, const struct ea_report *r)
{
    if (!r->diff.present)
        return;
    fputs("<section>\n<h2>Changes since ", h->f);
    h_str(h, &r->diff.base);
    fputs("</h2>\n<p>", h->f);
    phrase_diff_summary(&h->ph, r);
    h_say(h);
    fputs(".</p>\n", h->f);
    if (r->diff.n_changes) {
        static const char *const heads[] = {"", "Host", "Port", "Change", NULL};
        static const char *const marks[EA_CHANGE__COUNT] = {"+", "&#x2212;", "~"};
        table_head(h, heads);
        for (size_t i = 0; i < r->diff.n_changes; i++) {
            const struct ea_change *c = &r->diff.changes[i];
            fprintf(h->f, "<tr><td>%s</td><td>",
                    (unsigned)c->kind < EA_CHANGE__COUNT ? marks[c->kind] : "?");
            h_str(h, &c->key);
            fprintf(h->f, "</td><td>%u/", (unsigned)c->port);
            h_name(h, ea_transport_name(c->transport), c->transport);
            fputs("</td><td>", h->f);
            phrase_change(&h->ph, c);
            h_say(h);
            fputs("</td></tr>\n", h->f);
        }
        table_end(h);
    }
    fputs("</section>\n", h->f);
}

static void h_findings(struct html *h, const struct ea_report *r)
{
    if (!r->has_policy || !r->n_findings)
        return;
    fputs("<section>\n<h2>Findings</h2>\n", h->f);
    for (unsigned k = 0; k < EA_FIND__COUNT; k++) {
        if (!r->summary.findings[k])
            continue;
        fputs("<p><strong>", h->f);
        phrase_finding_group(&h->ph, r, (enum ea_finding_kind)k);
        h_say(h);
        fputs("</strong></p>\n<ul>\n", h->f);
        for (size_t i = 0; i < r->n_findings; i++) {
            if (r->findings[i].kind != (enum ea_finding_kind)k)
                continue;
            fputs("<li>", h->f);
            phrase_finding_item(&h->ph, r, &r->findings[i]);
            h_say(h);
            fputs("</li>\n", h->f);
        }
        fputs("</ul>\n", h->f);
    }
    fputs("</section>\n", h->f);
}

static void h_covers(struct html *h, const struct ea_remedy *m)
{
    for (size_t k = 0; k < m->n_covers; k++) {
        fputs(k ? ", " : "", h->f);
        h_str(h, &m->covers[k]);
    }
}

static int h_az(struct html *h, const struct ea_report *r, const struct emit_opts *eo)
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
        size_t a = 0;
        while (a < len && buf[a] == '\n')
            a++;
        fprintf(h->f, "<details open><summary>az CLI (%zu %s)</summary>\n<pre>", r->n_remedies,
                r->n_remedies == 1 ? "command" : "commands");
        /* emit.c writes printable ASCII and newlines: escaped, newlines kept */
        for (size_t i = a; i < len;) {
            const char *nl = memchr(buf + i, '\n', len - i);
            size_t n = nl ? (size_t)(nl - (buf + i)) : len - i;
            h_text(h, buf + i, n);
            if (nl)
                fputc('\n', h->f);
            i += n + 1;
        }
        fputs("</pre>\n</details>\n", h->f);
    }
    free(buf);
    return rc;
}

static int h_to_do(struct html *h, const struct ea_report *r, const struct emit_opts *eo)
{
    if (!r->has_policy)
        return 0;
    const struct ea_summary *s = &r->summary;
    int rc = 0;
    fputs("<section>\n<h2>What to do</h2>\n", h->f);
    if (s->activations) {
        fprintf(h->f, "<p>Make %zu Inactive %s Active:</p>\n<ul>\n", s->activations,
                s->activations == 1 ? "rule" : "rules");
        for (size_t i = 0; i < r->n_remedies; i++) {
            const struct ea_remedy *m = &r->remedies[i];
            if (!m->activate || m->rule >= r->n_rules)
                continue;
            fputs("<li>rule ", h->f);
            h_str(h, &m->rule_name);
            fputs(" (", h->f);
            h_str(h, &r->rules[m->rule].origin);
            fputs("): ", h->f);
            h_str(h, &m->destination);
            fputs(", covers ", h->f);
            h_covers(h, m);
            fputs("</li>\n", h->f);
        }
        fputs("</ul>\n", h->f);
    }
    if (s->rules_to_add || s->wildcards) {
        fprintf(h->f, "<p>Add %zu %s", s->rules_to_add, s->rules_to_add == 1 ? "rule" : "rules");
        if (s->wildcards)
            fprintf(h->f, ", or the %zu wildcard %s several of them", s->wildcards,
                    s->wildcards == 1 ? "suggestion that covers" : "suggestions that cover");
        fputs(":</p>\n", h->f);
        static const char *const heads[] = {"Destination", "Rule name", "Note", NULL};
        static const char *const heads2[] = {"Destination", "Rule name", NULL};
        table_head(h, s->wildcards ? heads : heads2);
        for (size_t i = 0; i < r->n_remedies; i++) {
            const struct ea_remedy *m = &r->remedies[i];
            if (m->activate)
                continue;
            fputs("<tr><td>", h->f);
            h_str(h, &m->destination);
            fputs("</td><td>", h->f);
            h_str(h, &m->rule_name);
            if (s->wildcards)
                fputs("</td><td>", h->f);
            if (m->wildcard) {
                fputs("suggestion, instead of the exact rules; covers ", h->f);
                h_covers(h, m);
            }
            fputs("</td></tr>\n", h->f);
        }
        table_end(h);
    }
    if (!r->n_remedies)
        fputs("<p>Nothing to add: no name on ports 80 and 443 is denied.</p>\n", h->f);
    size_t n_near = 0;
    for (size_t i = 0; i < r->n_near_misses; i++) {
        const struct ea_near_miss *m = &r->near_misses[i];
        if (m->host >= r->n_hosts || m->rule >= r->n_rules)
            continue;
        if (n_near++ == 0)
            fputs("<p>Near misses:</p>\n<ul>\n", h->f);
        fputs("<li>", h->f);
        phrase_near_miss(&h->ph, r, m);
        h_say(h);
        fputs("</li>\n", h->f);
    }
    if (n_near)
        fputs("</ul>\n", h->f);
    /* the owners' guidance for services with rotating hosts; drift */
    for (size_t i = 0; i < r->n_service_notes; i++) {
        fputs("<p>", h->f);
        phrase_service_note(&h->ph, &r->service_notes[i]);
        h_say(h);
        fputs("</p>\n", h->f);
    }
    size_t n_known = 0;
    for (size_t i = 0; i < r->n_hosts; i++) {
        if (!r->hosts[i].n_known_in)
            continue;
        if (n_known++ == 0)
            fputs("<p>Denied here, permitted by other built-in profiles:</p>\n<ul>\n", h->f);
        fputs("<li>", h->f);
        phrase_known_in(&h->ph, &r->hosts[i]);
        h_say(h);
        fputs("</li>\n", h->f);
    }
    if (n_known)
        fputs("</ul>\n", h->f);
    if (r->n_unused_rules) {
        fprintf(h->f, "<p>Unused rules, candidates to remove (%zu):</p>\n<ul>\n",
                r->n_unused_rules);
        for (size_t i = 0; i < r->n_unused_rules; i++) {
            if (r->unused_rules[i] >= r->n_rules)
                continue;
            fputs("<li>", h->f);
            h_rule(h, &r->rules[r->unused_rules[i]]);
            fputs("</li>\n", h->f);
        }
        fputs("</ul>\n", h->f);
    }
    size_t n_dup = 0;
    for (size_t i = 0; i < r->n_duplicate_rules; i++) {
        const struct ea_duplicate *d = &r->duplicate_rules[i];
        if (d->rule >= r->n_rules || d->of >= r->n_rules)
            continue;
        if (n_dup++ == 0)
            fputs("<p>Duplicate rules:</p>\n<ul>\n", h->f);
        fputs("<li>", h->f);
        h_rule(h, &r->rules[d->rule]);
        fputs(" duplicates ", h->f);
        h_rule(h, &r->rules[d->of]);
        fputs("</li>\n", h->f);
    }
    if (n_dup)
        fputs("</ul>\n", h->f);
    if (r->n_remedies)
        rc = h_az(h, r, eo);
    fputs("</section>\n", h->f);
    return rc;
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

static void h_flags(struct html *h, uint32_t flags, bool *said)
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
        fputs(*said ? "; " : "", h->f);
        h_ctext(h, notes[i].note);
        *said = true;
    }
}

static void h_hosts(struct html *h, const struct ea_report *r)
{
    fputs("<section>\n<h2>Hosts</h2>\n", h->f);
    if (!r->n_hosts) {
        fputs("<p>None.</p>\n</section>\n", h->f);
        return;
    }
    const char *heads[8];
    size_t n = 0;
    heads[n++] = "Host";
    heads[n++] = "Port";
    heads[n++] = "Outcome";
    heads[n++] = "Conns";
    if (r->has_policy)
        heads[n++] = "Verdict";
    if (r->n_runs)
        heads[n++] = "Runs";
    heads[n++] = r->has_policy ? "Rule / evidence" : "Evidence";
    heads[n] = NULL;
    /* the hosts that are findings, marked */
    bool *finding = calloc(r->n_hosts, sizeof *finding);
    if (!finding) {
        h->oom = true;
        return;
    }
    for (size_t k = 0; k < r->n_findings; k++)
        if (r->findings[k].host < r->n_hosts)
            finding[r->findings[k].host] = true;
    table_head(h, heads);
    for (size_t i = 0; i < r->n_hosts; i++) {
        size_t hi = r->host_order ? r->host_order[i] : i;
        const struct ea_host *x = &r->hosts[hi];
        fputs(finding[hi] ? "<tr class=\"finding\"><td>" : "<tr><td>", h->f);
        h_str(h, &x->key);
        fprintf(h->f, "</td><td class=\"k\">%u/", (unsigned)x->port);
        h_name(h, ea_transport_name(x->transport), x->transport);
        fputs("</td><td class=\"k\">", h->f);
        h_outcome(h, x->outcome);
        fprintf(h->f, "</td><td class=\"n\">%zu</td><td%s>", x->n_conns,
                r->has_policy ? " class=\"k\"" : "");
        bool said = false;
        if (r->has_policy) {
            h_verdict(h, x->verdict);
            fputs("</td><td>", h->f);
        }
        if (r->n_runs) {
            phrase_host_runs(&h->ph, r, x);
            h_say(h);
            fputs("</td><td>", h->f);
        }
        if (r->has_policy) {
            const struct ea_rule *rule = ea_report_rule(r, x->rule);
            bool permits = x->verdict == EA_V_ALLOWED || x->verdict == EA_V_INFRA ||
                           x->verdict == EA_V_INFRA_MAYBE;
            const char *why = ea_verdict_why_text(x->verdict_why);
            if (rule && permits) {
                h_rule(h, rule);
            } else {
                if (why)
                    h_ctext(h, why);
                if (rule) {
                    fputs(": ", h->f);
                    h_rule(h, rule);
                }
            }
            said = true;
        }
        if (x->named) {
            fputs(said ? "; from " : "from ", h->f);
            h_name(h, ea_name_source_name(x->name_source), x->name_source);
            said = true;
        }
        bool first = true;
        for (size_t k = 0; k < x->n_resolved_as; k++) {
            if (x->named && eq_ci(&x->resolved_as[k], &x->key))
                continue;
            fputs(first ? (said ? "; resolved as " : "resolved as ") : ", ", h->f);
            h_str(h, &x->resolved_as[k]);
            first = false;
            said = true;
        }
        if (x->service) {
            fputs(said ? "; " : "", h->f);
            phrase_host_service(&h->ph, x);
            h_say(h);
            said = true;
        }
        h_flags(h, x->flags, &said);
        fputs("</td></tr>\n", h->f);
    }
    table_end(h);
    free(finding);
    phrase_dns_cap(&h->ph, r);
    if (h->ph.n) {
        fputs("<p class=\"warn\">", h->f);
        h_say(h);
        fputs(".</p>\n", h->f);
    }
    phrase_hosts_cap(&h->ph, r);
    if (h->ph.n) {
        fputs("<p class=\"warn\">", h->f);
        h_say(h);
        fputs(".</p>\n", h->f);
    }
    fputs("</section>\n", h->f);
}

/* ---- the timeline ---- */

/* The start of the escape of safe text e[0..n) that covers e[i] (or its
 * end, when after and i is inside it). */
static size_t esc_boundary(const char *e, size_t n, size_t i, bool after)
{
    size_t at = 0;
    while (at < n) {
        size_t len = e[at] == '\\' && at + 1 < n ? (e[at + 1] == 'x' ? 4 : 2) : 1;
        if (at + len > i)
            return after && at < i ? at + len : at;
        at += len;
    }
    return n;
}

/* A name for a label: its safe text, shortened in the middle, escaped. */
static void h_label(struct html *h, const struct ea_str *s)
{
    char *e = ea_escape_dup(s->s ? s->s : "", s->len, NULL);
    if (!e) {
        h->oom = true;
        return;
    }
    size_t n = strlen(e), head = n, tail = n;
    if (n > TL_LABEL_CHARS) {
        size_t keep = TL_LABEL_CHARS - 3;
        head = esc_boundary(e, n, (keep + 1) / 2, false);
        tail = esc_boundary(e, n, n - keep / 2, true);
    }
    /* e is safe text already: only the entities */
    for (size_t i = 0; i < n; i++) {
        if (i == head) {
            fputs("...", h->f);
            i = tail;
            if (i >= n)
                break;
        }
        char c = e[i];
        if (c == '&')
            fputs("&amp;", h->f);
        else if (c == '<')
            fputs("&lt;", h->f);
        else if (c == '>')
            fputs("&gt;", h->f);
        else if (c == '"')
            fputs("&quot;", h->f);
        else if (c == '\'')
            fputs("&#39;", h->f);
        else
            fputc(c, h->f);
    }
    free(e);
}

static double tv_seconds(const struct timeval *a, const struct timeval *base)
{
    return (double)((long long)a->tv_sec - (long long)base->tv_sec) +
           (double)((long long)a->tv_usec - (long long)base->tv_usec) / 1e6;
}

/* One mark: its shape tells the outcome even without colour. */
static void h_mark(struct html *h, enum ea_outcome o, double x, double y)
{
    const char *c = outcome_color(o);
    switch (o) {
    case EA_OUT_REACHED:
        fprintf(h->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\"/>", x, y, c);
        break;
    case EA_OUT_DENIED:
        fprintf(h->f,
                "<path d=\"M%.1f %.1fl9 9M%.1f %.1fl9 -9\" stroke=\"%s\" stroke-width=\"2.6\"/>",
                x - 4.5, y - 4.5, x - 4.5, y + 4.5, c);
        break;
    case EA_OUT_REFUSED:
        fprintf(h->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"%s\"/>", x - 4,
                y - 4, c);
        break;
    case EA_OUT_NO_ANSWER:
        fprintf(h->f,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"none\" stroke=\"%s\" "
                "stroke-width=\"2\"/>",
                x, y, c);
        break;
    case EA_OUT_INCOMPLETE:
        fprintf(h->f,
                "<path d=\"M%.1f %.1fl4.5 4.5l-4.5 4.5l-4.5 -4.5z\" fill=\"none\" stroke=\"%s\" "
                "stroke-width=\"1.6\"/>",
                x, y - 4.5, c);
        break;
    case EA_OUT_UNKNOWN:
    case EA_OUT__COUNT:
    default:
        fprintf(h->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\"/>", x, y, c);
        break;
    }
}

static void h_timeline(struct html *h, const struct ea_report *r)
{
    if (!r->n_hosts || !r->n_conns)
        return;
    size_t rows = r->n_hosts < TL_MAX_ROWS ? r->n_hosts : TL_MAX_ROWS;
    size_t *row_of = malloc(r->n_hosts * sizeof *row_of); /* host -> row, or SIZE_MAX */
    if (!row_of) {
        h->oom = true;
        return;
    }
    for (size_t i = 0; i < r->n_hosts; i++)
        row_of[i] = SIZE_MAX;
    for (size_t i = 0; i < rows; i++)
        row_of[r->host_order ? r->host_order[i] : i] = i;
    struct timeval t0 = r->have_time ? r->first : r->conns[0].first;
    struct timeval t1 = r->have_time ? r->last : r->conns[r->n_conns - 1].last;
    double span = tv_seconds(&t1, &t0);
    if (span <= 0)
        span = 1;
    unsigned height = (unsigned)(TL_TOP + rows * TL_ROW + 46);
    unsigned width = TL_LABEL + TL_PLOT + 40;
    fputs("<section>\n<h2>Timeline</h2>\n", h->f);
    fprintf(h->f,
            "<svg viewBox=\"0 0 %u %u\" role=\"img\" "
            "aria-label=\"connections per host over time\" font-family=\"system-ui,sans-serif\" "
            "font-size=\"11\">\n",
            width, height);
    /* the axis: five ticks */
    for (int k = 0; k <= 4; k++) {
        double x = TL_LABEL + TL_PLOT * k / 4.0;
        fprintf(h->f,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%zu\" stroke=\"#d0d7de\"/>"
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#57606a\">%.3f s</text>\n",
                x, TL_TOP - 6, x, (size_t)TL_TOP + rows * TL_ROW, x, TL_TOP - 10, span * k / 4.0);
    }
    for (size_t i = 0; i < rows; i++) {
        const struct ea_host *x = &r->hosts[r->host_order ? r->host_order[i] : i];
        double y = TL_TOP + (double)i * TL_ROW + TL_ROW / 2.0;
        if (i % 2 == 0)
            fprintf(h->f,
                    "<rect x=\"0\" y=\"%.1f\" width=\"%u\" height=\"%d\" fill=\"#f6f8fa\"/>\n",
                    y - TL_ROW / 2.0, width, TL_ROW);
        fprintf(h->f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#1f2328\">",
                TL_LABEL - 8, y + 4);
        h_label(h, &x->key);
        fprintf(h->f, " %u/%s<title>", (unsigned)x->port,
                ea_transport_name(x->transport) ? ea_transport_name(x->transport) : "?");
        h_text(h, x->key.s, x->key.len);
        fputs("</title></text>\n", h->f);
    }
    size_t marks = 0, skipped = 0;
    for (size_t i = 0; i < r->n_conns; i++) {
        const struct ea_conn *c = &r->conns[i];
        if (c->host >= r->n_hosts || row_of[c->host] == SIZE_MAX)
            continue;
        if (marks == TL_MAX_MARKS) {
            skipped++;
            continue;
        }
        marks++;
        double x = TL_LABEL + TL_PLOT * (tv_seconds(&c->first, &t0) / span);
        if (x < TL_LABEL)
            x = TL_LABEL;
        if (x > TL_LABEL + TL_PLOT)
            x = TL_LABEL + TL_PLOT;
        double y = TL_TOP + (double)row_of[c->host] * TL_ROW + TL_ROW / 2.0;
        fputs("<g>", h->f);
        h_mark(h, c->outcome, x, y);
        fprintf(h->f, "<title>%.3f s: ", tv_seconds(&c->first, &t0));
        h_name(h, ea_outcome_name(c->outcome), c->outcome);
        fputs("</title></g>\n", h->f);
    }
    /* the legend */
    double ly = TL_TOP + (double)rows * TL_ROW + 26;
    static const enum ea_outcome legend[] = {EA_OUT_REACHED,   EA_OUT_DENIED,     EA_OUT_REFUSED,
                                             EA_OUT_NO_ANSWER, EA_OUT_INCOMPLETE, EA_OUT_UNKNOWN};
    for (size_t k = 0; k < sizeof legend / sizeof legend[0]; k++) {
        double lx = TL_LABEL + (double)k * 110;
        h_mark(h, legend[k], lx, ly);
        fprintf(h->f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1f2328\">%s</text>\n", lx + 9, ly + 4,
                ea_outcome_name(legend[k]));
    }
    fputs("</svg>\n", h->f);
    if (rows < r->n_hosts || skipped)
        fprintf(h->f, "<p>Drawn: %zu of %zu hosts, %zu connections (%zu more not drawn).</p>\n",
                rows, r->n_hosts, marks, skipped);
    fputs("</section>\n", h->f);
    free(row_of);
}

/* ---- DNS, connections, capture ---- */

static void h_answers(struct html *h, const struct ea_dns *d)
{
    for (size_t k = 0; k < d->n_answers; k++) {
        const struct ea_dns_answer *a = &d->answers[k];
        fputs(k ? ", " : "", h->f);
        if (a->type != EA_DNS_TYPE_A && a->type != EA_DNS_TYPE_AAAA) {
            const char *t = ea_dns_type_name(a->type);
            if (t)
                fprintf(h->f, "%s ", t);
            else
                fprintf(h->f, "TYPE%u ", (unsigned)a->type);
        }
        h_str(h, &a->data);
    }
    if (d->answers_dropped)
        fputs(d->n_answers ? ", (more not kept)" : "(more not kept)", h->f);
}

static void h_dns_rows(struct html *h, const struct ea_report *r, const size_t *idx, size_t n,
                       bool counts)
{
    static const char *const short_heads[] = {"Query", "Type", "Rcode", "Answers", NULL};
    static const char *const long_heads[] = {"Query",     "Type",    "Rcode", "Queries",
                                             "Responses", "Answers", NULL};
    table_head(h, counts ? long_heads : short_heads);
    for (size_t i = 0; i < n; i++) {
        size_t k = idx ? idx[i] : i;
        if (k >= r->n_dns)
            continue;
        const struct ea_dns *d = &r->dns[k];
        fputs("<tr><td>", h->f);
        h_str(h, &d->qname);
        fputs("</td><td>", h->f);
        const char *t = ea_dns_type_name(d->qtype);
        if (t)
            fputs(t, h->f);
        else
            fprintf(h->f, "TYPE%u", (unsigned)d->qtype);
        fputs("</td><td>", h->f);
        if (d->rcode < 0)
            fputs("<span class=\"o-noanswer\">no response</span>", h->f);
        else if (d->rcode != EA_DNS_RCODE_NOERROR) {
            fputs("<span class=\"o-denied\">", h->f);
            h_name(h, ea_dns_rcode_name(d->rcode), d->rcode);
            fputs("</span>", h->f);
        } else
            h_name(h, ea_dns_rcode_name(d->rcode), d->rcode);
        fputs("</td>", h->f);
        if (counts)
            fprintf(h->f, "<td class=\"n\">%" PRIu32 "</td><td class=\"n\">%" PRIu32 "</td>",
                    d->n_queries, d->n_responses);
        fputs("<td>", h->f);
        h_answers(h, d);
        fputs("</td></tr>\n", h->f);
    }
    table_end(h);
}

static void h_dns_unused(struct html *h, const struct ea_report *r)
{
    fputs("<section>\n<h2>DNS names never connected to</h2>\n", h->f);
    if (r->n_dns_unused)
        h_dns_rows(h, r, r->dns_unused, r->n_dns_unused, false);
    else
        fputs("<p>None.</p>\n", h->f);
    fputs("</section>\n", h->f);
}

static void h_conns(struct html *h, const struct ea_report *r, bool listed)
{
    fputs("<section>\n<h2>Connections</h2>\n", h->f);
    if (!listed) {
        fputs("<p>", h->f);
        phrase_conns_hidden(&h->ph, r);
        h_say(h);
        fputs(".</p>\n", h->f);
    } else if (r->n_conns) {
        const char *heads[8];
        size_t n = 0;
        heads[n++] = "Time (s)";
        heads[n++] = "Destination";
        heads[n++] = "Name";
        heads[n++] = "Outcome";
        if (r->has_policy)
            heads[n++] = "Verdict";
        heads[n++] = "Why / notes";
        heads[n] = NULL;
        struct timeval base = r->have_time ? r->first : r->conns[0].first;
        /* asked for (-v): shown, not folded, so that it prints */
        table_head(h, heads);
        for (size_t i = 0; i < r->n_conns; i++) {
            const struct ea_conn *c = &r->conns[i];
            fputs("<tr><td class=\"n\">", h->f);
            phrase_seconds(&h->ph, ((long long)c->first.tv_sec - (long long)base.tv_sec) * 1000000 +
                                       ((long long)c->first.tv_usec - (long long)base.tv_usec));
            h_say(h);
            char buf[64];
            ea_addr_text(&c->dst, buf, sizeof buf);
            fprintf(h->f, c->dst.family == 6 ? "</td><td>[%s]:%u/" : "</td><td>%s:%u/", buf,
                    (unsigned)c->dport);
            h_name(h, ea_transport_name(c->transport), c->transport);
            fputs("</td><td>", h->f);
            if (c->name_source != EA_NAME_NONE)
                h_str(h, &c->name);
            else
                fputs("-", h->f);
            fputs("</td><td>", h->f);
            h_outcome(h, c->outcome);
            fputs("</td><td>", h->f);
            if (r->has_policy) {
                h_verdict(h, c->verdict);
                fputs("</td><td>", h->f);
            }
            const char *why = ea_outcome_why_text(c->outcome_why);
            h_ctext(h, why ? why : "-");
            bool echo = c->name_source != EA_NAME_NONE && c->resolved.n_names == 1 &&
                        eq_ci(&c->resolved.names[0], &c->name);
            if (c->has_resolved && !echo && c->resolved.n_names) {
                fputs("; resolved as ", h->f);
                for (size_t k = 0; k < c->resolved.n_names; k++) {
                    fputs(k ? " &#x2192; " : "", h->f);
                    h_str(h, &c->resolved.names[k]);
                }
            }
            phrase_conn_details(&h->ph, c);
            h_say(h);
            bool said = true;
            h_flags(h, c->flags, &said);
            fputs("</td></tr>\n", h->f);
        }
        table_end(h);
    } else {
        fputs("<p>None.</p>\n", h->f);
    }
    phrase_conns_cap(&h->ph, r);
    if (h->ph.n) {
        fputs("<p class=\"warn\">", h->f);
        h_say(h);
        fputs(".</p>\n", h->f);
    }
    fputs("</section>\n", h->f);
    if (listed && r->n_dns) {
        fputs("<section>\n<h2>DNS</h2>\n", h->f);
        h_dns_rows(h, r, NULL, r->n_dns, true);
        fputs("</section>\n", h->f);
    }
}

static void h_capture(struct html *h, const struct ea_report *r)
{
    fputs("<section>\n<h2>Capture</h2>\n<ul>\n<li>Inputs: ", h->f);
    if (!r->n_inputs)
        fputs("none", h->f);
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct ea_input *in = &r->inputs[i];
        fputs(i ? ", " : "", h->f);
        h_str(h, &in->path);
        fputs(" (", h->f);
        if (in->linktype_name.len)
            h_str(h, &in->linktype_name);
        else
            fprintf(h->f, "linktype %d", in->linktype);
        fprintf(h->f, ", %" PRIu64 " packets)", in->packets);
    }
    fputs("</li>\n", h->f);
    phrase_live_capture(&h->ph, r);
    if (h->ph.n) {
        fputs("<li>Live capture: ", h->f);
        h_say(h);
        fputs("</li>\n", h->f);
    }
    for (size_t i = 0; i < r->n_inputs; i++) {
        phrase_capture_write_error(&h->ph, &r->inputs[i]);
        if (!h->ph.n)
            continue;
        fputs("<li class=\"warn\">Warning: ", h->f);
        h_say(h);
        fputs("</li>\n", h->f);
    }
    fputs("<li>Time: ", h->f);
    phrase_time_span(&h->ph, r);
    h_say(h);
    fputs("</li>\n", h->f);
    if (r->has_policy) {
        fprintf(h->f, "<li>Rules loaded: %zu", r->n_rules);
        for (size_t i = 0; i < r->n_rule_sources; i++) {
            fputs(i ? ", " : " from ", h->f);
            h_str(h, &r->rule_sources[i]);
        }
        fputs("</li>\n<li>Inactive rules (permit nothing): ", h->f);
        size_t said = 0;
        for (size_t i = 0; i < r->n_inactive_rules; i++) {
            if (r->inactive_rules[i] >= r->n_rules)
                continue;
            fputs(said++ ? ", " : "", h->f);
            h_rule(h, &r->rules[r->inactive_rules[i]]);
        }
        fputs(said ? "</li>\n" : "none</li>\n", h->f);
    }
    fputs("</ul>\n<table class=\"narrow\">\n<thead><tr><th>Counter</th><th>Value</th></tr>"
          "</thead>\n<tbody>\n",
          h->f);
    for (unsigned i = 0; i < EA_C__COUNT; i++) {
        const char *name = ea_counter_name((enum ea_counter)i);
        if (!r->counters[i] && i != EA_C_FLOWS)
            continue;
        fputs("<tr><td>", h->f);
        if (name)
            h_ctext(h, name);
        else
            fprintf(h->f, "%u", i);
        fprintf(h->f, "</td><td class=\"n\">%" PRIu64 "</td></tr>\n", r->counters[i]);
    }
    fputs("</tbody>\n</table>\n</section>\n", h->f);
}

int render_html(const struct ea_report *r, FILE *out, const struct render_opts *o)
{
    static const struct render_opts defaults = {0};
    if (!o)
        o = &defaults;
    struct html h = {.f = out};
    phrase_init(&h.ph);
    h_head(&h);
    h_summary(&h, r);
    fputs("<main>\n", out);
    h_changes(&h, r);
    h_findings(&h, r);
    int rc = h_to_do(&h, r, o->emit);
    h_hosts(&h, r);
    h_timeline(&h, r);
    h_dns_unused(&h, r);
    h_conns(&h, r, o->connections);
    h_capture(&h, r);
    fputs("</main>\n<footer>Written by egress-audit", out);
    if (r->tool_version) {
        fputs(" ", out);
        h_ctext(&h, r->tool_version);
    }
    fputs(". Names are shown as their bytes: printable ASCII as is, others as \\xNN.</footer>\n"
          "</body>\n</html>\n",
          out);
    if (h.oom || h.ph.oom)
        rc = -1;
    phrase_free(&h.ph);
    if (rc != 0 || fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
