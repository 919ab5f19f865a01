/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The terminal report. Every cell is built in memory first so that column
 * widths come from the data; names are never cut (people paste them), so a
 * long one widens its column. Names are written in the safe text of
 * escape.h, so every cell is printable ASCII: one byte is one column, and no
 * byte from the capture can reach the terminal as a control sequence. Colour
 * sequences are ours alone, and only when asked for.
 */
#include "render.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emit.h"
#include "escape.h"

#define SGR_RESET "\x1b[0m"
#define SGR_BOLD "\x1b[1m"
#define SGR_RED "\x1b[31m"
#define SGR_GREEN "\x1b[32m"
#define SGR_YELLOW "\x1b[33m"

/* ---- cells: growable strings ---- */

struct cell {
    char *s;
    size_t len, cap;
    bool oom;
    const char *color; /* SGR sequence, or NULL */
};

static bool cell_reserve(struct cell *c, size_t more)
{
    if (c->oom)
        return false;
    if (more < c->cap - c->len)
        return true;
    size_t ncap = c->cap ? c->cap : 32;
    while (ncap - c->len <= more) {
        if (ncap > SIZE_MAX / 2) {
            c->oom = true;
            return false;
        }
        ncap *= 2;
    }
    char *p = realloc(c->s, ncap);
    if (!p) {
        c->oom = true;
        return false;
    }
    c->s = p;
    c->cap = ncap;
    return true;
}

static void cell_putn(struct cell *c, const char *s, size_t n)
{
    if (!cell_reserve(c, n))
        return;
    if (n)
        memcpy(c->s + c->len, s, n);
    c->len += n;
    c->s[c->len] = '\0';
}

static void cell_puts(struct cell *c, const char *s)
{
    cell_putn(c, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void cell_printf(struct cell *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        c->oom = true;
        return;
    }
    if (!cell_reserve(c, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(c->s + c->len, c->cap - c->len, fmt, ap);
    va_end(ap);
    c->len += (size_t)n;
}

/* Bytes from the wire (or a path), in safe text. */
static void cell_esc(struct cell *c, const char *s, size_t len)
{
    size_t n = ea_escape(s, len, NULL, 0);
    if (!cell_reserve(c, n))
        return;
    ea_escape(s, len, c->s + c->len, c->cap - c->len);
    c->len += n;
}

static void cell_str(struct cell *c, const struct ea_str *s)
{
    cell_esc(c, s->s ? s->s : "", s->len);
}

/* Our own static text: escaped too, in case it ever holds a stray byte. */
static void cell_text(struct cell *c, const char *s)
{
    cell_esc(c, s, strlen(s));
}

/* A table name, or the number when the table has none. */
static void cell_name(struct cell *c, const char *name, long long v)
{
    if (name)
        cell_text(c, name);
    else
        cell_printf(c, "%lld", v);
}

/* "; " between the parts of a notes cell. */
static void cell_sep(struct cell *c, const char *sep)
{
    if (c->len)
        cell_puts(c, sep);
}

/* ---- tables ---- */

struct col {
    const char *head;
    bool right;
};

struct table {
    const struct col *cols;
    size_t ncols;
    struct cell *cells; /* row-major */
    size_t nrows, cap;
    bool oom;
    uint32_t hidden; /* bit j: column j is not printed (its cells stay empty) */
    bool no_head;    /* no heading line */
};

static bool col_hidden(const struct table *t, size_t j)
{
    return j < 32 && (t->hidden & (UINT32_C(1) << j)) != 0;
}

/* The cells of a new row, or NULL (then t->oom). */
static struct cell *table_row(struct table *t)
{
    if (t->oom)
        return NULL;
    if (t->nrows == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        if (ncap > SIZE_MAX / t->ncols / sizeof *t->cells) {
            t->oom = true;
            return NULL;
        }
        struct cell *p = realloc(t->cells, ncap * t->ncols * sizeof *p);
        if (!p) {
            t->oom = true;
            return NULL;
        }
        t->cells = p;
        t->cap = ncap;
    }
    struct cell *row = &t->cells[t->nrows++ * t->ncols];
    memset(row, 0, t->ncols * sizeof *row);
    return row;
}

static void table_free(struct table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i].s);
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

static void put_pad(FILE *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fputc(' ', out);
}

/* One line: cells separated by two spaces, no trailing blanks. */
static void table_line(const struct table *t, const struct cell *row, const char *const *texts,
                       const size_t *width, FILE *out, bool color)
{
    size_t last = 0; /* columns after the last non-empty one are not written */
    for (size_t j = 0; j < t->ncols; j++)
        if (!col_hidden(t, j) && (row ? row[j].len : strlen(texts[j])) > 0)
            last = j + 1;
    if (color && !row)
        fputs(SGR_BOLD, out); /* the heading line, in one span */
    bool first = true;
    for (size_t j = 0; j < last; j++) {
        if (col_hidden(t, j))
            continue;
        const char *s = row ? (row[j].s ? row[j].s : "") : texts[j];
        size_t len = row ? row[j].len : strlen(texts[j]);
        const char *sgr = row ? row[j].color : NULL;
        size_t pad = width[j] - len;
        if (!first)
            fputs("  ", out);
        first = false;
        if (t->cols[j].right)
            put_pad(out, pad);
        if (color && sgr)
            fputs(sgr, out);
        fwrite(s, 1, len, out);
        if (color && sgr)
            fputs(SGR_RESET, out);
        if (!t->cols[j].right && j + 1 < last)
            put_pad(out, pad);
    }
    if (color && !row)
        fputs(SGR_RESET, out);
    fputc('\n', out);
}

static int table_print(struct table *t, FILE *out, bool color)
{
    if (t->oom)
        return -1;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        if (t->cells[i].oom)
            return -1;
    if (t->nrows == 0) {
        fputs("  (none)\n", out);
        return 0;
    }
    size_t width[16];
    const char *heads[16];
    if (t->ncols > 16)
        return -1;
    for (size_t j = 0; j < t->ncols; j++) {
        heads[j] = t->cols[j].head;
        width[j] = strlen(heads[j]);
        for (size_t i = 0; i < t->nrows; i++)
            if (t->cells[i * t->ncols + j].len > width[j])
                width[j] = t->cells[i * t->ncols + j].len;
    }
    if (!t->no_head)
        table_line(t, NULL, heads, width, out, color);
    for (size_t i = 0; i < t->nrows; i++)
        table_line(t, &t->cells[i * t->ncols], NULL, width, out, color);
    return 0;
}

/* ---- the formats of the report's fields ---- */

static const struct {
    enum ea_outcome o;
    const char *sgr;
} outcome_color_tab[] = {
    {EA_OUT_REACHED, SGR_GREEN}, {EA_OUT_DENIED, SGR_RED},        {EA_OUT_REFUSED, SGR_RED},
    {EA_OUT_NO_ANSWER, SGR_RED}, {EA_OUT_INCOMPLETE, SGR_YELLOW}, {EA_OUT_UNKNOWN, SGR_YELLOW},
};

static const char *outcome_color(enum ea_outcome o)
{
    for (size_t i = 0; i < sizeof outcome_color_tab / sizeof outcome_color_tab[0]; i++)
        if (outcome_color_tab[i].o == o)
            return outcome_color_tab[i].sgr;
    return NULL;
}

/* What a flag means to the reader; "" for flags that say nothing the
 * other columns do not (the name source already tells TLS from HTTP). */
static const struct {
    uint32_t bit;
    const char *note;
} flag_note_tab[] = {
    {EA_CF_TLS, ""},
    {EA_CF_TLS_NO_SNI, "no SNI"},
    {EA_CF_ECH, "ECH: SNI is the outer name"},
    {EA_CF_HTTP, ""},
    {EA_CF_QUIC, "QUIC: application rules do not inspect it"},
    {EA_CF_PORT, "port not 80/443"},
    {EA_CF_MIDSTREAM, "capture began mid-stream"},
    {EA_CF_DNS, ""},
    {EA_CF_NAME_CUT, "name cut"},
    {EA_CF_REASM_GAP, "reassembly gap"},
    {EA_CF_HELLO_CUT, "TLS hello unreadable (cut, too large or malformed)"},
    {EA_CF_SNAPLEN_CUT, "packets cut by the snaplen"},
    {EA_CF_SNI_MISMATCH, "inner SNI differs (domain fronting?)"},
    {EA_CF_STARTTLS, "TLS after STARTTLS"},
    {EA_CF_SOCKS, "SOCKS"},
    {EA_CF_LOCAL, "link-local name resolution"},
    {EA_CF_OTHER_PROTO, "neither TLS, HTTP nor DNS: no name"},
    {EA_CF_TUNNEL, ""},
    {EA_CF_NO_HOST, "HTTP request without a Host"},
    {EA_CF_HTTP_CONNECT, ""},
    {EA_CF_QUIC_VN, "QUIC version negotiation"},
    {EA_CF_QUIC_UNKNOWN_VERSION, "QUIC version not readable"},
    {EA_CF_ECH_REAL, "ECH public name: the real name is hidden"},
    {EA_CF_ECH_GREASE, "ECH probably GREASE"},
    {EA_CF_CERT_MISMATCH, "certificate does not cover the SNI"},
};

static void cell_flag_notes(struct cell *c, uint32_t flags)
{
    for (unsigned i = 0; i < 32; i++) {
        uint32_t bit = UINT32_C(1) << i;
        if (!(flags & bit))
            continue;
        const char *note = NULL;
        for (size_t k = 0; k < sizeof flag_note_tab / sizeof flag_note_tab[0]; k++)
            if (flag_note_tab[k].bit == bit)
                note = flag_note_tab[k].note;
        if (note && !*note)
            continue;
        cell_sep(c, "; ");
        if (note)
            cell_puts(c, note);
        else
            cell_printf(c, "flag 0x%" PRIx32, bit);
    }
}

static void cell_transport(struct cell *c, enum ea_transport t)
{
    cell_name(c, ea_transport_name(t), t);
}

static void cell_addr_port(struct cell *c, const struct ea_addr *a, uint16_t port)
{
    char buf[64];
    ea_addr_text(a, buf, sizeof buf);
    if (a->family == 6)
        cell_printf(c, "[%s]:%u", buf, (unsigned)port);
    else
        cell_printf(c, "%s:%u", buf, (unsigned)port);
}

static int64_t tv_diff_us(const struct timeval *a, const struct timeval *b)
{
    return ((int64_t)a->tv_sec - (int64_t)b->tv_sec) * 1000000 +
           ((int64_t)a->tv_usec - (int64_t)b->tv_usec);
}

/* Seconds with three decimals, rounded to the nearest millisecond. */
static void cell_seconds(struct cell *c, int64_t us)
{
    uint64_t a = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
    uint64_t ms = (a + 500) / 1000;
    cell_printf(c, "%s%" PRIu64 ".%03" PRIu64, us < 0 && ms ? "-" : "", ms / 1000, ms % 1000);
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

/* "2024-05-01 12:00:00.123"; with_date false leaves the date out. */
static void cell_clock(struct cell *c, const struct timeval *when, bool with_date)
{
    struct timeval tv = tv_normal(when);
    time_t t = (time_t)tv.tv_sec;
    struct tm tm;
    char buf[64];
    if (!gmtime_r(&t, &tm) ||
        !strftime(buf, sizeof buf, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm)) {
        cell_printf(c, "%lld", (long long)tv.tv_sec);
        return;
    }
    cell_printf(c, "%s.%03ld", buf, (long)(tv.tv_usec / 1000));
}

static bool same_day(const struct timeval *a, const struct timeval *b)
{
    time_t ta = (time_t)tv_normal(a).tv_sec, tb = (time_t)tv_normal(b).tv_sec;
    struct tm ma, mb;
    return gmtime_r(&ta, &ma) && gmtime_r(&tb, &mb) && ma.tm_year == mb.tm_year &&
           ma.tm_yday == mb.tm_yday;
}

static bool str_eq_ci(const struct ea_str *a, const struct ea_str *b)
{
    if (a->len != b->len)
        return false;
    for (size_t i = 0; i < a->len; i++) {
        unsigned char x = (unsigned char)a->s[i], y = (unsigned char)b->s[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

/* ---- the allowlist ---- */

static const struct {
    enum ea_verdict v;
    const char *sgr;
} verdict_color_tab[] = {
    {EA_V_ALLOWED, SGR_GREEN}, {EA_V_INFRA, SGR_GREEN},    {EA_V_DENIED, SGR_RED},
    {EA_V_PORT, SGR_YELLOW},   {EA_V_NO_NAME, SGR_YELLOW}, {EA_V_INFRA_MAYBE, SGR_YELLOW},
};

static const char *verdict_color(enum ea_verdict v)
{
    for (size_t i = 0; i < sizeof verdict_color_tab / sizeof verdict_color_tab[0]; i++)
        if (verdict_color_tab[i].v == v)
            return verdict_color_tab[i].sgr;
    return NULL;
}

/* The verdict's name, coloured; "-" for EA_V_NONE (never with a policy). */
static void cell_verdict(struct cell *c, enum ea_verdict v)
{
    if (v == EA_V_NONE) {
        cell_puts(c, "-");
        return;
    }
    cell_name(c, ea_verdict_name(v), v);
    c->color = verdict_color(v);
}

/* The rule a verdict cites, or NULL (none, or an index out of range). */
static const struct ea_rule *cited_rule(const struct ea_report *r, long rule)
{
    if (rule < 0 || (unsigned long)rule >= r->n_rules)
        return NULL;
    return &r->rules[rule];
}

/* "pattern (origin)" */
static void cell_rule_ref(struct cell *c, const struct ea_rule *rule)
{
    cell_str(c, &rule->destination);
    cell_puts(c, " (");
    cell_str(c, &rule->origin);
    cell_puts(c, ")");
}

/* The RULE cell: the rule that permits (or may permit) it, and for the
 * others the reason no rule can; an Inactive rule that matches is cited
 * after the reason. */
static void cell_verdict_rule(struct cell *c, const struct ea_report *r, enum ea_verdict v,
                              long index, enum ea_verdict_why vw)
{
    const struct ea_rule *rule = cited_rule(r, index);
    bool permits = v == EA_V_ALLOWED || v == EA_V_INFRA || v == EA_V_INFRA_MAYBE;
    if (rule && permits) {
        cell_rule_ref(c, rule);
        return;
    }
    const char *why = ea_verdict_why_text(vw);
    if (why)
        cell_text(c, why);
    if (rule) {
        cell_sep(c, ": ");
        cell_rule_ref(c, rule);
    }
    if (!c->len)
        cell_puts(c, "-");
}

/* A near miss in one sentence (render_json.c writes the same one). */
static void cell_near_miss(struct cell *c, const struct ea_host *h, const struct ea_rule *rule,
                           enum ea_near_kind kind)
{
    cell_str(c, &h->key);
    cell_puts(c, " was denied: ");
    switch (kind) {
    case EA_NEAR_APEX:
        cell_puts(c, "only ");
        cell_str(c, &rule->destination);
        cell_puts(c, " is allowed (");
        cell_str(c, &rule->origin);
        cell_puts(c, "), and ");
        cell_str(c, &rule->destination);
        cell_puts(c, " never matches the apex ");
        cell_str(c, &h->key);
        break;
    case EA_NEAR_SUBDOMAIN:
        cell_puts(c, "only ");
        cell_str(c, &rule->destination);
        cell_puts(c, " is allowed (");
        cell_str(c, &rule->origin);
        cell_puts(c, "), which matches no other name");
        break;
    case EA_NEAR_SERVICE:
        cell_str(c, &rule->destination);
        cell_puts(c, " (");
        cell_str(c, &rule->origin);
        cell_puts(c, ") permits other ");
        cell_str(c, &h->service.name);
        cell_puts(c, " hosts, but does not cover this one (");
        cell_str(c, &h->service.role);
        cell_puts(c, ")");
        break;
    case EA_NEAR_INACTIVE:
    default:
        cell_puts(c, "rule ");
        if (rule->name.len) {
            cell_str(c, &rule->name);
            cell_puts(c, "/");
        }
        cell_str(c, &rule->destination);
        cell_puts(c, " (");
        cell_str(c, &rule->origin);
        cell_puts(c, ") would permit it but is Inactive");
        break;
    }
}

/* ---- sections ---- */

static int write_line(FILE *out, struct cell *c)
{
    if (c->oom)
        return -1;
    if (c->len)
        fwrite(c->s, 1, c->len, out);
    fputc('\n', out);
    return 0;
}

static void cell_megabytes(struct cell *c, uint64_t bytes)
{
    cell_printf(c, "%" PRIu64 ".%" PRIu64 " MB", bytes / 1000000, bytes % 1000000 / 100000);
}

/* A live capture (egress-audit capture): one line over all its files, and a
 * warning for each file whose writing stopped early. */
static int print_capture(const struct ea_report *r, FILE *out, bool color, struct cell *c)
{
    struct ea_capture_stats sum = {0};
    const struct ea_capture_stats *first = NULL;
    size_t files = 0;
    int rc = 0;
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
        return 0;
    c->len = 0;
    cell_puts(c, "capture: on ");
    cell_str(c, &first->interface);
    cell_printf(c, ", %" PRIu64 " packets (", sum.packets_seen);
    cell_megabytes(c, sum.bytes_seen);
    cell_puts(c, ")");
    if (files) {
        cell_printf(c, ", %" PRIu64 " written to %zu file%s (", sum.packets_written, files,
                    files == 1 ? "" : "s");
        cell_megabytes(c, sum.bytes_written);
        cell_puts(c, ")");
        if (first->cutoff)
            cell_printf(
                c,
                "; the cutoff (%" PRIu64 " bytes per direction%s) left out %" PRIu64 " packets, ",
                first->cutoff, first->cutoff_headers ? ", then headers" : "", sum.cut_packets);
        else
            cell_printf(c, "; no cutoff, %" PRIu64 " packets left out, ", sum.cut_packets);
        cell_megabytes(c, sum.cut_bytes);
    }
    cell_printf(c, "; dropped: %" PRIu64 " by the kernel, %" PRIu64 " by the interface",
                sum.kernel_drops, sum.interface_drops);
    rc |= write_line(out, c);
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct ea_input *in = &r->inputs[i];
        if (!in->capture.live || !in->capture.write_error.len)
            continue;
        c->len = 0;
        cell_puts(c, "writing '");
        cell_str(c, &in->path);
        cell_puts(c, "' stopped after ");
        cell_printf(c, "%" PRIu64 " packets: ", in->capture.packets_written);
        cell_str(c, &in->capture.write_error);
        cell_puts(c, " (the file is valid; the analysis went on)");
        fputs(color ? SGR_YELLOW "warning:" SGR_RESET " " : "warning: ", out);
        rc |= write_line(out, c);
    }
    return rc;
}

static int print_header(const struct ea_report *r, FILE *out, bool color)
{
    struct cell c = {0};
    int rc = 0;

    cell_puts(&c, "inputs: ");
    if (r->n_inputs == 0)
        cell_puts(&c, "none");
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct ea_input *in = &r->inputs[i];
        if (i)
            cell_puts(&c, ", ");
        cell_str(&c, &in->path);
        cell_puts(&c, " (");
        if (in->linktype_name.len)
            cell_str(&c, &in->linktype_name);
        else
            cell_printf(&c, "linktype %d", in->linktype);
        cell_printf(&c, ", %" PRIu64 " packets", in->packets);
        if (in->given_position)
            cell_printf(&c, ", given as file %u", in->given_position);
        cell_puts(&c, ")");
    }
    rc |= write_line(out, &c);

    c.len = 0;
    cell_printf(&c, "packets: %" PRIu64, r->counters[EA_C_PACKETS]);
    if (r->have_time) {
        cell_puts(&c, ", ");
        cell_clock(&c, &r->first, true);
        cell_puts(&c, " to ");
        cell_clock(&c, &r->last, !same_day(&r->first, &r->last));
        cell_puts(&c, " UTC (");
        cell_seconds(&c, tv_diff_us(&r->last, &r->first));
        cell_puts(&c, " s)");
    }
    rc |= write_line(out, &c);

    rc |= print_capture(r, out, color, &c);

    bool said = false;
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct ea_input *in = &r->inputs[i];
        if (!in->truncated)
            continue;
        c.len = 0;
        cell_puts(&c, "'");
        cell_str(&c, &in->path);
        cell_puts(&c, "' ends inside a record");
        if (in->truncated_offset)
            cell_printf(&c, " at byte %" PRIu64, in->truncated_offset);
        cell_puts(&c, ": the capture is truncated");
        fputs(color ? SGR_YELLOW "warning:" SGR_RESET " " : "warning: ", out);
        rc |= write_line(out, &c);
        said = true;
    }
    if (r->truncated && !said)
        fputs(color ? SGR_YELLOW "warning:" SGR_RESET " the capture is truncated\n"
                    : "warning: the capture is truncated\n",
              out);
    if (r->snaplen_cut_frames) {
        c.len = 0;
        cell_printf(&c,
                    "%" PRIu64 " frames were cut by a short snaplen (%" PRIu32 " bytes kept): "
                    "names past the cut are lost; capture again with tcpdump -s 0",
                    r->snaplen_cut_frames, r->snaplen_seen);
        fputs(color ? SGR_YELLOW "warning:" SGR_RESET " " : "warning: ", out);
        rc |= write_line(out, &c);
    }
    free(c.s);
    return rc;
}

static void print_title(FILE *out, const char *title, bool color)
{
    fputc('\n', out);
    if (color)
        fprintf(out, SGR_BOLD "%s" SGR_RESET "\n", title);
    else
        fprintf(out, "%s\n", title);
}

enum {
    H_HOST,
    H_PORT,
    H_OUTCOME,
    H_VERDICT, /* with an allowlist only */
    H_RULE,    /* with an allowlist only */
    H_CONNS,
    H_FROM,
    H_OUT,
    H_IN,
    H_NOTES,
    H__N
};
static const struct col host_cols[H__N] = {
    [H_HOST] = {"HOST", false},       [H_PORT] = {"PORT", false},
    [H_OUTCOME] = {"OUTCOME", false}, [H_VERDICT] = {"VERDICT", false},
    [H_RULE] = {"RULE", false},       [H_CONNS] = {"CONNS", true},
    [H_FROM] = {"NAME FROM", false},  [H_OUT] = {"BYTES OUT", true},
    [H_IN] = {"BYTES IN", true},      [H_NOTES] = {"RESOLVED AS / NOTES", false},
};

static int print_hosts(const struct ea_report *r, FILE *out, bool color)
{
    struct table t = {.cols = host_cols, .ncols = H__N};
    if (!r->has_policy)
        t.hidden = UINT32_C(1) << H_VERDICT | UINT32_C(1) << H_RULE;
    for (size_t i = 0; i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[i];
        struct cell *row = table_row(&t);
        if (!row)
            break;
        cell_str(&row[H_HOST], &h->key);
        cell_printf(&row[H_PORT], "%u/", (unsigned)h->port);
        cell_transport(&row[H_PORT], h->transport);
        cell_name(&row[H_OUTCOME], ea_outcome_name(h->outcome), h->outcome);
        row[H_OUTCOME].color = outcome_color(h->outcome);
        if (r->has_policy) {
            cell_verdict(&row[H_VERDICT], h->verdict);
            cell_verdict_rule(&row[H_RULE], r, h->verdict, h->rule, h->verdict_why);
        }
        cell_printf(&row[H_CONNS], "%zu", h->n_conns);
        if (h->named)
            cell_name(&row[H_FROM], ea_name_source_name(h->name_source), h->name_source);
        else
            cell_puts(&row[H_FROM], "-");
        cell_printf(&row[H_OUT], "%" PRIu64, h->bytes_out);
        cell_printf(&row[H_IN], "%" PRIu64, h->bytes_in);
        /* For a named host, a DNS name is news only when it is another name. */
        bool said = false;
        for (size_t k = 0; k < h->n_resolved_as; k++) {
            if (h->named && str_eq_ci(&h->resolved_as[k], &h->key))
                continue;
            cell_puts(&row[H_NOTES], said ? ", " : "resolved as ");
            cell_str(&row[H_NOTES], &h->resolved_as[k]);
            said = true;
        }
        if (h->has_service) {
            cell_sep(&row[H_NOTES], "; ");
            cell_str(&row[H_NOTES], &h->service.name);
            cell_puts(&row[H_NOTES], ": ");
            cell_str(&row[H_NOTES], &h->service.role);
        }
        cell_flag_notes(&row[H_NOTES], h->flags);
    }
    int rc = table_print(&t, out, color);
    table_free(&t);
    return rc;
}

enum {
    C_TIME,
    C_SRC,
    C_ARROW,
    C_DST,
    C_PROTO,
    C_NAME,
    C_FROM,
    C_OUTCOME,
    C_WHY,
    C_VERDICT, /* with an allowlist only */
    C_OUT,
    C_IN,
    C_JA4, /* when some connection has one */
    C_NOTES,
    C__N
};
static const struct col conn_cols[C__N] = {
    [C_TIME] = {"TIME", true},     [C_SRC] = {"SOURCE", true},
    [C_ARROW] = {"", false},       [C_DST] = {"DESTINATION", false},
    [C_PROTO] = {"PROTO", false},  [C_NAME] = {"NAME", false},
    [C_FROM] = {"FROM", false},    [C_OUTCOME] = {"OUTCOME", false},
    [C_WHY] = {"WHY", false},      [C_VERDICT] = {"VERDICT", false},
    [C_OUT] = {"BYTES OUT", true}, [C_IN] = {"BYTES IN", true},
    [C_JA4] = {"JA4", false},      [C_NOTES] = {"RESOLVED AS / NOTES", false},
};

static int print_conns(const struct ea_report *r, FILE *out, bool color)
{
    struct table t = {.cols = conn_cols, .ncols = C__N};
    if (!r->has_policy)
        t.hidden = UINT32_C(1) << C_VERDICT;
    bool any_ja4 = false;
    for (size_t i = 0; i < r->n_conns && !any_ja4; i++)
        any_ja4 = r->conns[i].ja4.len > 0;
    if (!any_ja4)
        t.hidden |= UINT32_C(1) << C_JA4;
    struct timeval base = {0};
    if (r->have_time)
        base = r->first;
    else if (r->n_conns)
        base = r->conns[0].first;
    for (size_t i = 0; i < r->n_conns; i++) {
        const struct ea_conn *c = &r->conns[i];
        struct cell *row = table_row(&t);
        if (!row)
            break;
        cell_seconds(&row[C_TIME], tv_diff_us(&c->first, &base));
        cell_addr_port(&row[C_SRC], &c->src, c->sport);
        cell_puts(&row[C_ARROW], "->");
        cell_addr_port(&row[C_DST], &c->dst, c->dport);
        cell_transport(&row[C_PROTO], c->transport);
        if (c->name_source != EA_NAME_NONE) {
            cell_str(&row[C_NAME], &c->name);
            cell_name(&row[C_FROM], ea_name_source_name(c->name_source), c->name_source);
        } else {
            cell_puts(&row[C_NAME], "-");
            cell_puts(&row[C_FROM], "-");
        }
        cell_name(&row[C_OUTCOME], ea_outcome_name(c->outcome), c->outcome);
        row[C_OUTCOME].color = outcome_color(c->outcome);
        const char *why = ea_outcome_why_text(c->outcome_why);
        cell_text(&row[C_WHY], why ? why : "-");
        if (r->has_policy)
            cell_verdict(&row[C_VERDICT], c->verdict);
        cell_printf(&row[C_OUT], "%" PRIu64, c->bytes_out);
        cell_printf(&row[C_IN], "%" PRIu64, c->bytes_in);
        if (c->ja4.len)
            cell_str(&row[C_JA4], &c->ja4);
        else
            cell_puts(&row[C_JA4], "-");
        /* A chain that is just the connection's own name says nothing new. */
        bool echo = c->name_source != EA_NAME_NONE && c->resolved.n_names == 1 &&
                    str_eq_ci(&c->resolved.names[0], &c->name);
        if (c->has_resolved && !echo) {
            for (size_t k = 0; k < c->resolved.n_names; k++) {
                if (k)
                    cell_puts(&row[C_NOTES], " -> ");
                cell_str(&row[C_NOTES], &c->resolved.names[k]);
            }
        }
        if (c->inner_source != EA_NAME_NONE) {
            cell_sep(&row[C_NOTES], "; ");
            cell_puts(&row[C_NOTES], "inner ");
            cell_name(&row[C_NOTES], ea_name_source_name(c->inner_source), c->inner_source);
            cell_puts(&row[C_NOTES], " ");
            cell_str(&row[C_NOTES], &c->inner_name);
        }
        if (c->tunnel != EA_TUN_NONE) {
            cell_sep(&row[C_NOTES], "; ");
            cell_puts(&row[C_NOTES], "in ");
            cell_name(&row[C_NOTES], ea_tunnel_name(c->tunnel), c->tunnel);
            char a1[EA_ADDR_TEXT_MAX], a2[EA_ADDR_TEXT_MAX];
            cell_printf(&row[C_NOTES], " %s -> %s", ea_addr_text(&c->outer_src, a1, sizeof a1),
                        ea_addr_text(&c->outer_dst, a2, sizeof a2));
        }
        cell_flag_notes(&row[C_NOTES], c->flags);
    }
    int rc = table_print(&t, out, color);
    table_free(&t);
    return rc;
}

enum { D_QUERY, D_TYPE, D_RCODE, D_QUERIES, D_RESPONSES, D_ANSWERS, D__N };
static const struct col dns_cols[D__N] = {
    [D_QUERY] = {"QUERY", false},        [D_TYPE] = {"TYPE", false},
    [D_RCODE] = {"RCODE", false},        [D_QUERIES] = {"QUERIES", true},
    [D_RESPONSES] = {"RESPONSES", true}, [D_ANSWERS] = {"ANSWERS", false},
};

static void cell_dns_type(struct cell *c, uint16_t type)
{
    const char *name = ea_dns_type_name(type);
    if (name)
        cell_text(c, name);
    else
        cell_printf(c, "TYPE%u", (unsigned)type); /* RFC 3597 §5 */
}

static int print_dns(const struct ea_report *r, FILE *out, bool color)
{
    struct table t = {.cols = dns_cols, .ncols = D__N};
    for (size_t i = 0; i < r->n_dns; i++) {
        const struct ea_dns *d = &r->dns[i];
        struct cell *row = table_row(&t);
        if (!row)
            break;
        cell_str(&row[D_QUERY], &d->qname);
        cell_dns_type(&row[D_TYPE], d->qtype);
        if (d->rcode < 0) {
            cell_puts(&row[D_RCODE], "no response");
            row[D_RCODE].color = SGR_YELLOW;
        } else {
            const char *name = ea_dns_rcode_name(d->rcode);
            cell_name(&row[D_RCODE], name, d->rcode);
            if (d->rcode != EA_DNS_RCODE_NOERROR)
                row[D_RCODE].color = SGR_RED;
        }
        cell_printf(&row[D_QUERIES], "%" PRIu32, d->n_queries);
        cell_printf(&row[D_RESPONSES], "%" PRIu32, d->n_responses);
        struct cell *a = &row[D_ANSWERS];
        for (size_t k = 0; k < d->n_answers; k++) {
            const struct ea_dns_answer *ans = &d->answers[k];
            cell_sep(a, ", ");
            if (ans->type != EA_DNS_TYPE_A && ans->type != EA_DNS_TYPE_AAAA) {
                cell_dns_type(a, ans->type);
                cell_puts(a, " ");
            }
            cell_str(a, &ans->data);
        }
        if (d->answers_dropped) {
            cell_sep(a, ", ");
            cell_puts(a, "(more not kept)");
        }
    }
    int rc = table_print(&t, out, color);
    table_free(&t);
    return rc;
}

static void print_counters(const struct ea_report *r, FILE *out)
{
    size_t w = 0;
    for (unsigned i = 0; i < EA_C__COUNT; i++) {
        const char *name = ea_counter_name((enum ea_counter)i);
        if (name && (r->counters[i] || i == EA_C_FLOWS) && strlen(name) > w)
            w = strlen(name);
    }
    for (unsigned i = 0; i < EA_C__COUNT; i++) {
        const char *name = ea_counter_name((enum ea_counter)i);
        if (!r->counters[i] && i != EA_C_FLOWS) /* flows: always said */
            continue;
        if (name) {
            fprintf(out, "%s:", name);
            put_pad(out, w - strlen(name) + 1);
        } else {
            fprintf(out, "%u: ", i);
        }
        fprintf(out, "%" PRIu64 "\n", r->counters[i]);
    }
}

/* "pattern (origin), ..." for rules[idx[0..n)]; "none" when there are none. */
static void cell_rule_list(struct cell *c, const struct ea_report *r, const size_t *idx, size_t n)
{
    size_t said = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = idx[i];
        if (k >= r->n_rules)
            continue;
        if (said++)
            cell_puts(c, ", ");
        cell_rule_ref(c, &r->rules[k]);
    }
    if (!said)
        cell_puts(c, "none");
}

static int print_policy(const struct ea_report *r, FILE *out)
{
    struct cell c = {0};
    int rc = 0;

    cell_puts(&c, "verdicts: ");
    bool said = false;
    for (unsigned v = EA_V_NONE + 1; v < EA_V__COUNT; v++) {
        if (!r->verdict_hosts[v])
            continue;
        if (said)
            cell_puts(&c, ", ");
        cell_printf(&c, "%" PRIu32 " ", r->verdict_hosts[v]);
        cell_name(&c, ea_verdict_name((enum ea_verdict)v), v);
        said = true;
    }
    if (!said)
        cell_puts(&c, "none");
    rc |= write_line(out, &c);

    /* the sources, each once, in load order */
    c.len = 0;
    cell_printf(&c, "rules loaded: %zu", r->n_rules);
    for (size_t i = 0; i < r->n_rule_sources; i++) {
        cell_puts(&c, i ? ", " : " (from: ");
        cell_str(&c, &r->rule_sources[i]);
    }
    if (r->n_rule_sources)
        cell_puts(&c, ")");
    rc |= write_line(out, &c);

    c.len = 0;
    cell_puts(&c, "unused rules (candidates to remove): ");
    cell_rule_list(&c, r, r->unused_rules, r->n_unused_rules);
    rc |= write_line(out, &c);

    /* only when there are some: they are rare, and not a thing to act on
     * the way unused rules are */
    c.len = 0;
    cell_puts(&c, "duplicate rules: ");
    size_t n_dup = 0;
    for (size_t i = 0; i < r->n_duplicate_rules; i++) {
        const struct ea_duplicate *d = &r->duplicate_rules[i];
        if (d->rule >= r->n_rules || d->of >= r->n_rules) /* never, from policy.c */
            continue;
        if (n_dup++)
            cell_puts(&c, ", ");
        cell_rule_ref(&c, &r->rules[d->rule]);
        cell_puts(&c, " duplicates ");
        cell_rule_ref(&c, &r->rules[d->of]);
    }
    if (n_dup)
        rc |= write_line(out, &c);

    c.len = 0;
    cell_puts(&c, "inactive rules (permit nothing): ");
    cell_rule_list(&c, r, r->inactive_rules, r->n_inactive_rules);
    rc |= write_line(out, &c);

    size_t n_near = 0;
    for (size_t i = 0; i < r->n_near_misses; i++) {
        const struct ea_near_miss *m = &r->near_misses[i];
        if (m->host >= r->n_hosts || m->rule >= r->n_rules) /* never, from policy.c */
            continue;
        if (n_near++ == 0)
            fputs("near misses:\n", out);
        c.len = 0;
        cell_puts(&c, "  ");
        cell_near_miss(&c, &r->hosts[m->host], &r->rules[m->rule], m->kind);
        rc |= write_line(out, &c);
    }
    if (n_near == 0)
        fputs("near misses: none\n", out);
    /* drift: denied names that other built-in profiles already permit */
    size_t n_known = 0;
    for (size_t i = 0; i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[i];
        if (!h->n_known_in)
            continue;
        if (n_known++ == 0)
            fputs("denied here, permitted by other built-in profiles:\n", out);
        c.len = 0;
        cell_puts(&c, "  ");
        cell_str(&c, &h->key);
        cell_printf(&c, ":%u/", (unsigned)h->port);
        cell_name(&c, ea_transport_name(h->transport), h->transport);
        cell_puts(&c, ": ");
        for (size_t k = 0; k < h->n_known_in; k++) {
            if (k)
                cell_puts(&c, ", ");
            cell_str(&c, &h->known_in[k]);
        }
        rc |= write_line(out, &c);
    }
    free(c.s);
    return rc;
}

enum { A_DEST, A_NAME, A_COVERS, A_NOTE, A__N };
static const struct col add_cols[A__N] = {
    [A_DEST] = {"DESTINATION", false},
    [A_NAME] = {"RULE NAME", false},
    [A_COVERS] = {"COVERS", false},
    [A_NOTE] = {"", false},
};

/* "covers: a, b" */
static void cell_covers(struct cell *c, const struct ea_remedy *m)
{
    cell_puts(c, "covers: ");
    for (size_t k = 0; k < m->n_covers; k++) {
        if (k)
            cell_puts(c, ", ");
        cell_str(c, &m->covers[k]);
    }
}

/* The Inactive rules to make Active ("activate rule NAME (ORIGIN): PATTERN
 * covers: ..."), the rules to add, then both as az CLI lines (emit.c). */
static int print_to_add(const struct ea_report *r, FILE *out, bool color)
{
    struct table t = {.cols = add_cols, .ncols = A__N, .no_head = true};
    struct cell c = {0};
    int rc = 0;
    for (size_t i = 0; i < r->n_remedies; i++) {
        const struct ea_remedy *m = &r->remedies[i];
        if (!m->activate || m->rule >= r->n_rules)
            continue;
        c.len = 0;
        cell_puts(&c, "activate rule ");
        cell_str(&c, &m->rule_name);
        cell_puts(&c, " (");
        cell_str(&c, &r->rules[m->rule].origin);
        cell_puts(&c, "): ");
        cell_str(&c, &m->destination);
        cell_puts(&c, "  ");
        cell_covers(&c, m);
        rc |= write_line(out, &c);
    }
    free(c.s);
    for (size_t i = 0; i < r->n_remedies; i++) {
        const struct ea_remedy *m = &r->remedies[i];
        if (m->activate)
            continue;
        struct cell *row = table_row(&t);
        if (!row)
            break;
        cell_str(&row[A_DEST], &m->destination);
        cell_str(&row[A_NAME], &m->rule_name);
        cell_covers(&row[A_COVERS], m);
        if (m->wildcard)
            cell_puts(&row[A_NOTE], "(suggestion, instead of the exact rules it covers)");
    }
    rc |= table_print(&t, out, color);
    table_free(&t);
    /* the owners' own guidance for services with rotating hosts */
    c = (struct cell){0};
    for (size_t i = 0; rc == 0 && i < r->n_service_notes; i++) {
        const struct ea_service_note *n = &r->service_notes[i];
        c.len = 0;
        cell_str(&c, &n->service);
        cell_puts(&c, ": ");
        cell_str(&c, &n->guidance);
        cell_puts(&c, " (covers ");
        for (size_t k = 0; k < n->n_covers; k++) {
            if (k)
                cell_puts(&c, ", ");
            cell_str(&c, &n->covers[k]);
        }
        cell_puts(&c, "; source: ");
        cell_str(&c, &n->source);
        cell_puts(&c, ", ");
        cell_str(&c, &n->date);
        cell_puts(&c, ")");
        rc |= write_line(out, &c);
    }
    free(c.s);
    if (rc == 0 && r->n_remedies) {
        struct emit_opts opts = {0};
        fputc('\n', out);
        rc = emit_remedies(r, EMIT_AZ, &opts, out);
    }
    return rc;
}

int render_text(const struct ea_report *r, FILE *out, bool color)
{
    int rc = print_header(r, out, color);
    print_title(out, "HOSTS", color);
    rc |= print_hosts(r, out, color);
    print_title(out, "CONNECTIONS", color);
    rc |= print_conns(r, out, color);
    print_title(out, "DNS", color);
    rc |= print_dns(r, out, color);
    print_title(out, "COUNTERS", color);
    print_counters(r, out);
    if (r->has_policy) {
        print_title(out, "POLICY", color);
        rc |= print_policy(r, out);
        print_title(out, "TO ADD", color);
        rc |= print_to_add(r, out, color);
    }
    if (rc != 0 || fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
