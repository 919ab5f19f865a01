/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The terminal report, the answer first: the summary (and what changed,
 * with --diff), the findings, what to do, the hosts with their verdicts and
 * evidence, the DNS names never connected to, then the capture's facts; the
 * connections and every DNS query only when asked (-v).
 *
 * It fits the width it is given: tables drop their least needed columns,
 * wrap their last one (or put it under the row), and shorten long names in
 * the middle ("cas-bri...hf.co": the JSON report has them whole); sentences
 * and lists wrap. Every cell is built in memory first, in the safe text of
 * escape.h, so every byte is printable ASCII: one byte is one column, and no
 * byte from the capture can reach the terminal as a control sequence.
 * Colour sequences are ours alone, and only when asked for.
 */
#include "render.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "escape.h"
#include "phrase.h"

#define SGR_RESET "\x1b[0m"
#define SGR_BOLD "\x1b[1m"
#define SGR_RED "\x1b[31m"
#define SGR_GREEN "\x1b[32m"
#define SGR_YELLOW "\x1b[33m"

enum {
    CUT_MARK_LEN = 3,   /* "..." */
    INDENT = 2,         /* list items, table rows under a heading */
    STACK_INDENT = 4,   /* a table's last column under its row */
    WRAP_EASY = 40,     /* narrowest a wrapped column gets before other columns are left out */
    WRAP_FLOOR = 24,    /* narrowest a wrapped column gets before it goes under the row */
    CUT_FLOOR = 28,     /* narrowest a name column gets before the last column goes under */
    NAME_MIN = 12,      /* narrowest a name gets at all */
    MIN_WIDTH = 60,     /* a narrower width is taken as this */
    MAX_TABLE_COLS = 16 /* columns of a table */
};

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
    if (c->cap > c->len && more < c->cap - c->len)
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

static void cell_free(struct cell *c)
{
    free(c->s);
    memset(c, 0, sizeof *c);
}

/* ---- safe text, shortened and wrapped ---- */

/* Where the escape that covers s[i] begins: safe text is printable, and an
 * escape is "\\" or "\xNN", so a cut must not fall inside one. */
static size_t escape_start(const char *s, size_t len, size_t i)
{
    size_t at = 0;
    while (at < len) {
        size_t n = 1;
        if (s[at] == '\\' && at + 1 < len)
            n = s[at + 1] == 'x' ? 4 : 2;
        if (i < at + n)
            return at;
        at += n;
    }
    return len;
}

/* The length of the escape (or byte) of safe text at s[at]. */
static size_t escape_len(const char *s, size_t len, size_t at)
{
    if (s[at] != '\\' || at + 1 >= len)
        return 1;
    return s[at + 1] == 'x' ? 4 : 2;
}

/* The safe text s[0..len) in at most max columns: its head and tail around
 * "...", cut between escapes. */
static void cell_shorten(struct cell *out, const char *s, size_t len, size_t max)
{
    if (len <= max || max <= CUT_MARK_LEN + 2) {
        cell_putn(out, s, len <= max ? len : max);
        return;
    }
    size_t keep = max - CUT_MARK_LEN;
    size_t head = escape_start(s, len, (keep + 1) / 2);
    size_t want = len - keep / 2; /* the tail starts here, or at the next escape */
    size_t t = escape_start(s, len, want);
    if (t < want)
        t += escape_len(s, len, t);
    if (t > len)
        t = len;
    cell_putn(out, s, head);
    cell_puts(out, "...");
    cell_putn(out, s + t, len - t);
}

/* The next line of at most width columns of s[*pos..len): broken at the last
 * space that fits (or hard, inside a word longer than the line); *pos moves
 * past it and the spaces after it. Returns the line's length. */
static size_t next_line(const char *s, size_t len, size_t *pos, size_t width)
{
    size_t a = *pos;
    if (width == 0 || len - a <= width) {
        *pos = len;
        return len - a;
    }
    size_t brk = 0;
    for (size_t i = a + 1; i <= a + width; i++)
        if (s[i] == ' ')
            brk = i;
    size_t end = brk ? brk : escape_start(s, len, a + width);
    if (end == a) /* an escape wider than the line: take it whole */
        end = a + (len - a < 4 ? len - a : 4);
    size_t n = end - a;
    while (n > 0 && s[a + n - 1] == ' ')
        n--;
    *pos = end;
    while (*pos < len && s[*pos] == ' ')
        (*pos)++;
    return n;
}

static void put_pad(FILE *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fputc(' ', out);
}

/* A paragraph: the first line after first spaces, the others after rest
 * spaces, each within width (0: one line). */
static int put_para(FILE *out, const struct cell *c, size_t width, size_t first, size_t rest)
{
    if (c->oom)
        return -1;
    size_t pos = 0;
    bool line1 = true;
    do {
        size_t ind = line1 ? first : rest;
        size_t w = width > ind + 8 ? width - ind : width ? 8 : 0;
        size_t at = pos;
        size_t n = next_line(c->s ? c->s : "", c->len, &pos, w);
        put_pad(out, ind);
        if (n)
            fwrite(c->s + at, 1, n, out);
        fputc('\n', out);
        line1 = false;
    } while (pos < c->len);
    return 0;
}

/* A sentence as one cell: names in safe text, shortened to name_max
 * columns when longer (0: never). */
static void cell_phrase(struct cell *c, const struct phrase *ph, size_t name_max)
{
    if (ph->oom)
        c->oom = true;
    for (size_t i = 0; i < ph->n; i++) {
        const struct phrase_part *p = &ph->parts[i];
        if (p->kind == PHRASE_NAME && name_max && !p->whole) {
            struct cell tmp = {0};
            cell_esc(&tmp, p->s, p->len);
            cell_shorten(c, tmp.s ? tmp.s : "", tmp.len, name_max);
            if (tmp.oom)
                c->oom = true;
            cell_free(&tmp);
        } else {
            cell_esc(c, p->s, p->len);
        }
    }
}

/* ---- the output ---- */

struct out {
    FILE *f;
    bool color;
    bool started;    /* something was written: a title is set off by a blank line */
    size_t width;    /* 0: no limit */
    size_t name_max; /* names in sentences longer than this are shortened; 0: never */
    int rc;
    struct phrase ph;
    struct cell c;
};

static void title(struct out *o, const char *t)
{
    if (o->started)
        fputc('\n', o->f);
    o->started = true;
    if (o->color)
        fprintf(o->f, SGR_BOLD "%s" SGR_RESET "\n", t);
    else
        fprintf(o->f, "%s\n", t);
}

/* The sentence in o->ph as a paragraph; clears it. */
static void say(struct out *o, size_t first, size_t rest)
{
    o->c.len = 0;
    o->c.oom = false;
    cell_phrase(&o->c, &o->ph, o->name_max);
    o->rc |= put_para(o->f, &o->c, o->width, first, rest);
    phrase_clear(&o->ph);
    o->c.len = 0;
    o->c.oom = false;
}

/* The cell o->c as a paragraph; clears it. */
static void say_cell(struct out *o, size_t first, size_t rest)
{
    o->rc |= put_para(o->f, &o->c, o->width, first, rest);
    o->c.len = 0;
    o->c.oom = false;
}

/* ---- tables ---- */

enum fit {
    FIT_KEEP = 0, /* never narrowed */
    FIT_CUT,      /* names: shortened in the middle */
    FIT_WRAP,     /* the last column: wrapped, or put under the row */
};

struct col {
    const char *head;
    bool right;
    enum fit fit;
    unsigned drop; /* 0: always shown; else left out when the line is too wide, highest first */
};

struct table {
    const struct col *cols;
    size_t ncols;
    struct cell *cells; /* row-major */
    size_t nrows, cap;
    bool oom;
    uint32_t hidden; /* bit j: column j is not printed (its cells stay empty) */
    bool no_head;    /* no heading line */
    size_t indent;   /* spaces before each line */
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

struct layout {
    size_t width[MAX_TABLE_COLS];
    bool shown[MAX_TABLE_COLS];
    size_t wrap;  /* the wrapped column, or MAX_TABLE_COLS */
    bool stacked; /* the wrapped column goes under its row */
};

static size_t line_width(const struct table *t, const struct layout *l)
{
    size_t sum = t->indent, n = 0;
    for (size_t j = 0; j < t->ncols; j++) {
        if (!l->shown[j] || (l->stacked && j == l->wrap))
            continue;
        sum += l->width[j] + (n++ ? 2 : 0);
    }
    return sum;
}

/* Narrow the columns of one kind to floor (never below it, nor widen),
 * the widest first, a column at a time, until the line fits max; true when
 * it does. */
static bool narrow(const struct table *t, struct layout *l, enum fit fit, size_t floor, size_t max)
{
    while (line_width(t, l) > max) {
        size_t widest = MAX_TABLE_COLS;
        for (size_t j = 0; j < t->ncols; j++)
            if (l->shown[j] && t->cols[j].fit == fit && !(l->stacked && j == l->wrap) &&
                l->width[j] > floor && (widest == MAX_TABLE_COLS || l->width[j] > l->width[widest]))
                widest = j;
        if (widest == MAX_TABLE_COLS)
            return false;
        l->width[widest]--;
    }
    return true;
}

static void natural_widths(const struct table *t, struct layout *l)
{
    for (size_t j = 0; j < t->ncols; j++) {
        size_t w = strlen(t->cols[j].head);
        for (size_t i = 0; i < t->nrows; i++)
            if (t->cells[i * t->ncols + j].len > w)
                w = t->cells[i * t->ncols + j].len;
        l->width[j] = w;
    }
}

/* The highest drop level among the shown columns, from min up; 0: none. */
static unsigned drop_level(const struct table *t, const struct layout *l, unsigned min)
{
    unsigned level = 0;
    for (size_t j = 0; j < t->ncols; j++)
        if (l->shown[j] && t->cols[j].drop >= min && t->cols[j].drop > level)
            level = t->cols[j].drop;
    return level;
}

static void hide_level(const struct table *t, struct layout *l, unsigned level)
{
    for (size_t j = 0; j < t->ncols; j++)
        if (t->cols[j].drop == level)
            l->shown[j] = false;
}

/*
 * Natural widths, then as much as fits max columns (0: no limit): first the
 * dispensable columns (drop level 2 and up) give way to a comfortable wrapped
 * column, then the wrapped column and the names narrow; when that is not
 * enough the wrapped column goes under its row, and the names narrow
 * further, and only then do the last dispensable columns (level 1) go.
 */
static void table_fit(const struct table *t, size_t max, struct layout *l)
{
    memset(l, 0, sizeof *l);
    l->wrap = MAX_TABLE_COLS;
    for (size_t j = 0; j < t->ncols; j++) {
        l->shown[j] = !col_hidden(t, j);
        if (l->shown[j] && t->cols[j].fit == FIT_WRAP)
            l->wrap = j;
    }
    for (;;) {
        natural_widths(t, l);
        if (max == 0 || line_width(t, l) <= max || narrow(t, l, FIT_WRAP, WRAP_EASY, max))
            return;
        unsigned level = drop_level(t, l, 2);
        if (level == 0)
            break;
        hide_level(t, l, level);
    }
    if (narrow(t, l, FIT_WRAP, WRAP_FLOOR, max) || narrow(t, l, FIT_CUT, CUT_FLOOR, max))
        return;
    if (l->wrap != MAX_TABLE_COLS)
        l->stacked = true;
    for (;;) {
        natural_widths(t, l);
        if (l->stacked)
            l->width[l->wrap] =
                max > t->indent + STACK_INDENT + 20 ? max - t->indent - STACK_INDENT : 20;
        if (narrow(t, l, FIT_CUT, NAME_MIN, max))
            return;
        unsigned level = drop_level(t, l, 1);
        if (level == 0)
            return; /* as narrow as it gets: the line is longer than max */
        hide_level(t, l, level);
    }
}

/* One cell, padded to w (right-aligned or not), shortened in the middle
 * when it is a name wider than w. pad_after: pad on the right too. */
static void put_cell(FILE *out, const struct col *col, const struct cell *c, size_t w,
                     bool pad_after, bool color)
{
    const char *s = c->s ? c->s : "";
    struct cell cut = {0};
    if (c->len > w && col->fit == FIT_CUT) {
        cell_shorten(&cut, s, c->len, w);
        s = cut.s ? cut.s : "";
    }
    size_t len = cut.s ? cut.len : c->len;
    size_t pad = w > len ? w - len : 0;
    if (col->right)
        put_pad(out, pad);
    if (color && c->color)
        fputs(c->color, out);
    fwrite(s, 1, len, out);
    if (color && c->color)
        fputs(SGR_RESET, out);
    if (!col->right && pad_after)
        put_pad(out, pad);
    cell_free(&cut);
}

/* The lines of one row (row NULL: the heading). */
static void table_line(const struct table *t, const struct layout *l, const struct cell *row,
                       FILE *out, bool color)
{
    struct cell heads[MAX_TABLE_COLS];
    if (!row) {
        for (size_t j = 0; j < t->ncols; j++)
            heads[j] = (struct cell){.s = (char *)t->cols[j].head, .len = strlen(t->cols[j].head)};
        row = heads;
    }
    bool wrapped = l->wrap != MAX_TABLE_COLS && !l->stacked && row != heads;
    size_t last = 0; /* columns after the last non-empty one are not written */
    for (size_t j = 0; j < t->ncols; j++)
        if (l->shown[j] && !(l->stacked && j == l->wrap) && row[j].len > 0)
            last = j + 1;
    /* the wrapped cell's lines: the first goes on the row */
    const struct cell *wc = wrapped ? &row[l->wrap] : NULL;
    size_t wpos = 0, wat = 0, wn = 0;
    if (wc) {
        wat = wpos;
        wn = next_line(wc->s ? wc->s : "", wc->len, &wpos, l->width[l->wrap]);
    }
    size_t col_at[MAX_TABLE_COLS] = {0}, at = t->indent;
    if (color && row == heads)
        fputs(SGR_BOLD, out);
    put_pad(out, t->indent);
    bool first = true;
    for (size_t j = 0; j < last; j++) {
        if (!l->shown[j] || (l->stacked && j == l->wrap))
            continue;
        if (!first) {
            fputs("  ", out);
            at += 2;
        }
        first = false;
        col_at[j] = at;
        if (wc && j == l->wrap) {
            struct cell part = {.s = wc->s + wat, .len = wn, .color = wc->color};
            put_cell(out, &t->cols[j], &part, l->width[j], false, color);
        } else {
            put_cell(out, &t->cols[j], &row[j], l->width[j], j + 1 < last, color);
        }
        at += l->width[j];
    }
    if (color && row == heads)
        fputs(SGR_RESET, out);
    fputc('\n', out);
    /* the rest of a wrapped cell, in its column */
    while (wc && wpos < wc->len) {
        wat = wpos;
        wn = next_line(wc->s, wc->len, &wpos, l->width[l->wrap]);
        put_pad(out, col_at[l->wrap]);
        if (color && wc->color)
            fputs(wc->color, out);
        fwrite(wc->s + wat, 1, wn, out);
        if (color && wc->color)
            fputs(SGR_RESET, out);
        fputc('\n', out);
    }
    /* a stacked cell under the row */
    if (l->stacked && row != heads && row[l->wrap].len) {
        const struct cell *sc = &row[l->wrap];
        size_t pos = 0;
        while (pos < sc->len) {
            size_t a = pos, n = next_line(sc->s, sc->len, &pos, l->width[l->wrap]);
            put_pad(out, t->indent + STACK_INDENT);
            fwrite(sc->s + a, 1, n, out);
            fputc('\n', out);
        }
    }
}

static int table_print(struct table *t, FILE *out, bool color, size_t width)
{
    if (t->oom || t->ncols > MAX_TABLE_COLS)
        return -1;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        if (t->cells[i].oom)
            return -1;
    if (t->nrows == 0) {
        put_pad(out, t->indent);
        fputs("(none)\n", out);
        return 0;
    }
    struct layout l;
    table_fit(t, width, &l);
    if (!t->no_head)
        table_line(t, &l, NULL, out, color);
    for (size_t i = 0; i < t->nrows; i++)
        table_line(t, &l, &t->cells[i * t->ncols], out, color);
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

/* "pattern (origin)" */
static void cell_rule_ref(struct cell *c, const struct ea_rule *rule)
{
    cell_str(c, &rule->destination);
    cell_puts(c, " (");
    cell_str(c, &rule->origin);
    cell_puts(c, ")");
}

/* The rule that permits (or may permit) it, and for the others the reason
 * no rule can; an Inactive rule that matches is cited after the reason. */
static void cell_verdict_rule(struct cell *c, const struct ea_report *r, enum ea_verdict v,
                              long index, enum ea_verdict_why vw)
{
    const struct ea_rule *rule = ea_report_rule(r, index);
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

static void cell_dns_type(struct cell *c, uint16_t type)
{
    const char *name = ea_dns_type_name(type);
    if (name)
        cell_text(c, name);
    else
        cell_printf(c, "TYPE%u", (unsigned)type); /* RFC 3597 §5 */
}

static void cell_rcode(struct cell *c, int rcode)
{
    if (rcode < 0) {
        cell_puts(c, "no response");
        c->color = SGR_YELLOW;
        return;
    }
    cell_name(c, ea_dns_rcode_name(rcode), rcode);
    if (rcode != EA_DNS_RCODE_NOERROR)
        c->color = SGR_RED;
}

static void cell_answers(struct cell *a, const struct ea_dns *d)
{
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

/* ---- SUMMARY ---- */

static void print_summary(struct out *o, const struct ea_report *r)
{
    title(o, "SUMMARY");
    phrase_summary(&o->ph, r);
    say(o, 0, INDENT);
    phrase_overview(&o->ph, r);
    say(o, 0, INDENT);
    if (r->has_policy) {
        cell_printf(&o->c, "rules: %zu", r->n_rules);
        for (size_t i = 0; i < r->n_rule_sources; i++) {
            cell_puts(&o->c, i ? ", " : " from ");
            cell_str(&o->c, &r->rule_sources[i]);
        }
        say_cell(o, 0, INDENT);
    }
    if (r->n_runs) {
        cell_puts(&o->c, "runs: ");
        for (size_t i = 0; i < r->n_runs; i++) {
            cell_printf(&o->c, "%s%zu ", i ? ", " : "", i + 1);
            cell_str(&o->c, &r->runs[i].path);
        }
        say_cell(o, 0, INDENT);
    }
    bool said = false;
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct ea_input *in = &r->inputs[i];
        if (!in->truncated)
            continue;
        cell_puts(&o->c, "warning: '");
        cell_str(&o->c, &in->path);
        cell_puts(&o->c, "' ends inside a record");
        if (in->truncated_offset)
            cell_printf(&o->c, " at byte %" PRIu64, in->truncated_offset);
        cell_puts(&o->c, ": the capture is truncated");
        say_cell(o, 0, INDENT);
        said = true;
    }
    if (r->truncated && !said) {
        cell_puts(&o->c, "warning: the capture is truncated");
        say_cell(o, 0, INDENT);
    }
}

/* ---- CHANGES (--diff) ---- */

enum { X_MARK, X_HOST, X_PORT, X_CHANGE, X__N };
static const struct col change_cols[X__N] = {
    [X_MARK] = {"", false, FIT_KEEP, 0},
    [X_HOST] = {"HOST", false, FIT_CUT, 0},
    [X_PORT] = {"PORT", false, FIT_KEEP, 0},
    [X_CHANGE] = {"CHANGE", false, FIT_WRAP, 0},
};

static void print_changes(struct out *o, const struct ea_report *r)
{
    if (!r->diff.present)
        return;
    title(o, "CHANGES");
    phrase_diff_summary(&o->ph, r);
    say(o, 0, INDENT);
    if (!r->diff.n_changes)
        return;
    struct table t = {.cols = change_cols, .ncols = X__N, .indent = INDENT};
    static const char *const marks[EA_CHANGE__COUNT] = {"+", "-", "~"};
    for (size_t i = 0; i < r->diff.n_changes; i++) {
        const struct ea_change *c = &r->diff.changes[i];
        struct cell *row = table_row(&t);
        if (!row)
            break;
        cell_puts(&row[X_MARK], (unsigned)c->kind < EA_CHANGE__COUNT ? marks[c->kind] : "?");
        cell_str(&row[X_HOST], &c->key);
        cell_printf(&row[X_PORT], "%u/", (unsigned)c->port);
        cell_transport(&row[X_PORT], c->transport);
        phrase_change(&o->ph, c);
        cell_phrase(&row[X_CHANGE], &o->ph, 0);
        phrase_clear(&o->ph);
        row[X_CHANGE].color = c->kind == EA_CHANGE_NEW ? SGR_YELLOW : NULL;
    }
    o->rc |= table_print(&t, o->f, o->color, o->width);
    table_free(&t);
}

/* ---- FINDINGS ---- */

static void print_findings(struct out *o, const struct ea_report *r)
{
    if (!r->has_policy || !r->n_findings)
        return;
    title(o, "FINDINGS");
    for (unsigned k = 0; k < EA_FIND__COUNT; k++) {
        if (!r->summary.findings[k])
            continue;
        phrase_finding_group(&o->ph, r, (enum ea_finding_kind)k);
        say(o, 0, INDENT);
        for (size_t i = 0; i < r->n_findings; i++) {
            if (r->findings[i].kind != (enum ea_finding_kind)k)
                continue;
            phrase_finding_item(&o->ph, r, &r->findings[i]);
            say(o, INDENT, 2 * INDENT);
        }
    }
}

/* ---- WHAT TO DO ---- */

enum { A_DEST, A_NAME, A_NOTE, A__N };
static const struct col add_cols[A__N] = {
    [A_DEST] = {"DESTINATION", false, FIT_CUT, 0},
    [A_NAME] = {"RULE NAME", false, FIT_CUT, 0},
    [A_NOTE] = {"NOTE", false, FIT_WRAP, 0},
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

/*
 * A line of az CLI (emit.c) made to fit: a comment wraps at spaces under
 * "# "; a command breaks before its options ("--x value"), never inside a
 * quoted word, with " \" continuations indented by two; a trailing
 * "  # note" goes on a comment line before it. A commented-out command keeps
 * "# " on each of its lines.
 */
static void put_shell_line(FILE *out, const char *s, size_t len, size_t width)
{
    if (width == 0 || len <= width) {
        fwrite(s, 1, len, out);
        fputc('\n', out);
        return;
    }
    size_t lead = 0; /* "# " of a commented-out command */
    bool comment = len > 0 && s[0] == '#';
    if (comment && len > 5 && memcmp(s, "# az ", 5) == 0) {
        lead = 2;
        comment = false;
    }
    if (comment) {
        size_t pre = 1;
        while (pre < len && s[pre] == ' ')
            pre++;
        struct cell c = {0};
        cell_putn(&c, s + pre, len - pre);
        size_t pos = 0, w = width > pre + 8 ? width - pre - 2 : 8;
        bool first = true;
        while (pos < c.len) {
            size_t a = pos, n = next_line(c.s, c.len, &pos, w);
            fwrite(s, 1, pre, out);
            if (!first)
                fputs("  ", out);
            fwrite(c.s + a, 1, n, out);
            fputc('\n', out);
            first = false;
        }
        cell_free(&c);
        return;
    }
    /* the words outside quotes: where each begins, and a trailing comment */
    size_t starts[256], n_words = 0, note = len;
    enum { PLAIN, SQUOTE, ANSI } st = PLAIN;
    for (size_t i = lead; i < len; i++) {
        char ch = s[i];
        if (st == SQUOTE) {
            if (ch == '\'')
                st = PLAIN;
            continue;
        }
        if (st == ANSI) {
            if (ch == '\\')
                i++;
            else if (ch == '\'')
                st = PLAIN;
            continue;
        }
        if (ch == ' ') {
            continue;
        }
        bool word_start = i == lead || s[i - 1] == ' ';
        if (word_start && ch == '#') {
            note = i;
            break;
        }
        if (word_start && ch == '-' && i + 1 < len && s[i + 1] == '-' &&
            n_words < sizeof starts / sizeof starts[0])
            starts[n_words++] = i;
        if (ch == '\\')
            i++;
        else if (ch == '$' && i + 1 < len && s[i + 1] == '\'') {
            st = ANSI;
            i++;
        } else if (ch == '\'') {
            st = SQUOTE;
        }
    }
    size_t end = note;
    while (end > lead && s[end - 1] == ' ')
        end--;
    if (note < len) /* the note first, as a comment line of its own */
        put_shell_line(out, s + note, len - note, width);
    /* pack "--option value" groups into lines */
    size_t col = lead;
    fwrite(s, 1, lead, out);
    for (size_t g = 0; g <= n_words; g++) {
        size_t from = g == 0 ? lead : starts[g - 1];
        size_t to = g < n_words ? starts[g] : end;
        while (to > from && s[to - 1] == ' ')
            to--;
        if (to <= from)
            continue;
        size_t n = to - from;
        if (g > 0 && col + 1 + n + 2 > width) {
            fputs(" \\\n", out);
            fwrite(s, 1, lead, out);
            fputs("  ", out);
            col = lead + 2;
        } else if (g > 0) {
            fputc(' ', out);
            col++;
        }
        fwrite(s + from, 1, n, out);
        col += n;
    }
    fputc('\n', out);
}

/* The az CLI lines of the remedies (emit.c), each made to fit. */
static int print_az(struct out *o, const struct ea_report *r, const struct emit_opts *eo)
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
    for (size_t a = 0; rc == 0 && a < len;) {
        const char *nl = memchr(buf + a, '\n', len - a);
        size_t n = nl ? (size_t)(nl - (buf + a)) : len - a;
        put_shell_line(o->f, buf + a, n, o->width);
        a += n + 1;
    }
    free(buf);
    return rc;
}

static void print_to_do(struct out *o, const struct ea_report *r, const struct emit_opts *eo)
{
    if (!r->has_policy)
        return;
    title(o, "WHAT TO DO");
    const struct ea_summary *s = &r->summary;
    if (s->activations) {
        cell_printf(&o->c, "Make %zu Inactive %s Active:", s->activations,
                    s->activations == 1 ? "rule" : "rules");
        say_cell(o, 0, INDENT);
        for (size_t i = 0; i < r->n_remedies; i++) {
            const struct ea_remedy *m = &r->remedies[i];
            if (!m->activate || m->rule >= r->n_rules)
                continue;
            cell_puts(&o->c, "activate rule ");
            cell_str(&o->c, &m->rule_name);
            cell_puts(&o->c, " (");
            cell_str(&o->c, &r->rules[m->rule].origin);
            cell_puts(&o->c, "): ");
            cell_str(&o->c, &m->destination);
            cell_puts(&o->c, "; ");
            cell_covers(&o->c, m);
            say_cell(o, INDENT, 2 * INDENT);
        }
    }
    if (s->rules_to_add || s->wildcards) {
        cell_printf(&o->c, "Add %zu %s", s->rules_to_add, s->rules_to_add == 1 ? "rule" : "rules");
        if (s->wildcards)
            cell_printf(&o->c, ", or the %zu wildcard %s several of them", s->wildcards,
                        s->wildcards == 1 ? "suggestion that covers" : "suggestions that cover");
        cell_puts(&o->c, " (az CLI lines below):");
        say_cell(o, 0, INDENT);
        struct table t = {.cols = add_cols, .ncols = A__N, .indent = INDENT};
        if (!s->wildcards)
            t.hidden = UINT32_C(1) << A_NOTE;
        for (size_t i = 0; i < r->n_remedies; i++) {
            const struct ea_remedy *m = &r->remedies[i];
            if (m->activate)
                continue;
            struct cell *row = table_row(&t);
            if (!row)
                break;
            cell_str(&row[A_DEST], &m->destination);
            cell_str(&row[A_NAME], &m->rule_name);
            if (m->wildcard) {
                cell_puts(&row[A_NOTE], "suggestion, instead of the exact rules; ");
                cell_covers(&row[A_NOTE], m);
            }
        }
        o->rc |= table_print(&t, o->f, o->color, o->width);
        table_free(&t);
    }
    if (!r->n_remedies) {
        cell_puts(&o->c, "Nothing to add: no name on ports 80 and 443 is denied.");
        say_cell(o, 0, INDENT);
    }
    size_t n_near = 0;
    for (size_t i = 0; i < r->n_near_misses; i++) {
        const struct ea_near_miss *m = &r->near_misses[i];
        if (m->host >= r->n_hosts || m->rule >= r->n_rules) /* never, from policy.c */
            continue;
        if (n_near++ == 0) {
            cell_puts(&o->c, "Near misses:");
            say_cell(o, 0, INDENT);
        }
        phrase_near_miss(&o->ph, r, m);
        say(o, INDENT, 2 * INDENT);
    }
    if (r->n_unused_rules) {
        cell_printf(&o->c, "Unused rules, candidates to remove (%zu): ", r->n_unused_rules);
        cell_rule_list(&o->c, r, r->unused_rules, r->n_unused_rules);
        say_cell(o, 0, INDENT);
    }
    size_t n_dup = 0;
    for (size_t i = 0; i < r->n_duplicate_rules; i++) {
        const struct ea_duplicate *d = &r->duplicate_rules[i];
        if (d->rule >= r->n_rules || d->of >= r->n_rules) /* never, from policy.c */
            continue;
        cell_puts(&o->c, n_dup++ ? ", " : "Duplicate rules: ");
        cell_rule_ref(&o->c, &r->rules[d->rule]);
        cell_puts(&o->c, " duplicates ");
        cell_rule_ref(&o->c, &r->rules[d->of]);
    }
    if (n_dup)
        say_cell(o, 0, INDENT);
    /* the owners' own guidance for services with rotating hosts */
    for (size_t i = 0; i < r->n_service_notes; i++) {
        phrase_service_note(&o->ph, &r->service_notes[i]);
        say(o, 0, INDENT);
    }
    /* drift: denied names that other built-in profiles already permit */
    size_t n_known = 0;
    for (size_t i = 0; i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[i];
        if (!h->n_known_in)
            continue;
        if (n_known++ == 0) {
            cell_puts(&o->c, "Denied here, permitted by other built-in profiles:");
            say_cell(o, 0, INDENT);
        }
        phrase_known_in(&o->ph, h);
        say(o, INDENT, 2 * INDENT);
    }
    if (r->n_remedies) {
        fputc('\n', o->f);
        o->rc |= print_az(o, r, eo);
    }
}

/* ---- HOSTS ---- */

enum {
    H_HOST,
    H_PORT,
    H_OUTCOME,
    H_CONNS,
    H_VERDICT, /* with an allowlist only */
    H_RUNS,    /* a union only */
    H_FROM,
    H_OUT,
    H_IN,
    H_NOTES,
    H__N
};
static const struct col host_cols[H__N] = {
    [H_HOST] = {"HOST", false, FIT_CUT, 0},        [H_PORT] = {"PORT", false, FIT_KEEP, 0},
    [H_OUTCOME] = {"OUTCOME", false, FIT_KEEP, 0}, [H_CONNS] = {"CONNS", true, FIT_KEEP, 0},
    [H_VERDICT] = {"VERDICT", false, FIT_KEEP, 0}, [H_RUNS] = {"RUNS", false, FIT_KEEP, 1},
    [H_FROM] = {"NAME FROM", false, FIT_KEEP, 2},  [H_OUT] = {"BYTES OUT", true, FIT_KEEP, 3},
    [H_IN] = {"BYTES IN", true, FIT_KEEP, 3},      [H_NOTES] = {"", false, FIT_WRAP, 0},
};

/* Host rows the text report lays out without -v: its table holds every
 * cell in memory to fit the columns (about 1 KiB a row), and a terminal
 * reader is served by the first ones in the report's order (contradictions,
 * denied, then the rest); the JSON report lists every host. */
enum { TEXT_MAX_HOSTS = 10000 };

static void print_hosts(struct out *o, const struct ea_report *r, bool all)
{
    title(o, "HOSTS");
    size_t n_list = all || r->n_hosts <= TEXT_MAX_HOSTS ? r->n_hosts : TEXT_MAX_HOSTS;
    struct col cols[H__N];
    memcpy(cols, host_cols, sizeof cols);
    cols[H_NOTES].head = r->has_policy ? "RULE / EVIDENCE" : "EVIDENCE";
    struct table t = {.cols = cols, .ncols = H__N};
    if (!r->has_policy)
        t.hidden |= UINT32_C(1) << H_VERDICT;
    if (!r->n_runs)
        t.hidden |= UINT32_C(1) << H_RUNS;
    for (size_t i = 0; i < n_list; i++) {
        const struct ea_host *h = &r->hosts[r->host_order ? r->host_order[i] : i];
        struct cell *row = table_row(&t);
        if (!row)
            break;
        cell_str(&row[H_HOST], &h->key);
        cell_printf(&row[H_PORT], "%u/", (unsigned)h->port);
        cell_transport(&row[H_PORT], h->transport);
        cell_name(&row[H_OUTCOME], ea_outcome_name(h->outcome), h->outcome);
        row[H_OUTCOME].color = outcome_color(h->outcome);
        cell_printf(&row[H_CONNS], "%zu", h->n_conns);
        struct cell *n = &row[H_NOTES];
        if (r->has_policy) {
            cell_verdict(&row[H_VERDICT], h->verdict);
            cell_verdict_rule(n, r, h->verdict, h->rule, h->verdict_why);
        }
        if (r->n_runs) {
            phrase_host_runs(&o->ph, r, h);
            cell_phrase(&row[H_RUNS], &o->ph, 0);
            phrase_clear(&o->ph);
        }
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
            if (!said)
                cell_sep(n, "; ");
            cell_puts(n, said ? ", " : "resolved as ");
            cell_str(n, &h->resolved_as[k]);
            said = true;
        }
        if (h->service) {
            cell_sep(n, "; ");
            cell_str(n, &h->service->name);
            cell_puts(n, ": ");
            cell_str(n, &h->service->role);
        }
        cell_flag_notes(n, h->flags);
    }
    o->rc |= table_print(&t, o->f, o->color, o->width);
    table_free(&t);
    if (n_list < r->n_hosts) {
        phrase_printf(&o->ph,
                      "%zu more hosts are not listed here: the JSON report (-F json) lists "
                      "every host, and -v lists them here",
                      r->n_hosts - n_list);
        say(o, 0, INDENT);
    }
    phrase_hosts_cap(&o->ph, r);
    if (o->ph.n)
        say(o, 0, INDENT);
    phrase_dns_cap(&o->ph, r);
    if (o->ph.n)
        say(o, 0, INDENT);
}

/* ---- DNS ---- */

enum { D_QUERY, D_TYPE, D_RCODE, D_QUERIES, D_RESPONSES, D_ANSWERS, D__N };
static const struct col dns_cols[D__N] = {
    [D_QUERY] = {"QUERY", false, FIT_CUT, 0},         [D_TYPE] = {"TYPE", false, FIT_KEEP, 0},
    [D_RCODE] = {"RCODE", false, FIT_KEEP, 0},        [D_QUERIES] = {"QUERIES", true, FIT_KEEP, 1},
    [D_RESPONSES] = {"RESPONSES", true, FIT_KEEP, 1}, [D_ANSWERS] = {"ANSWERS", false, FIT_WRAP, 0},
};

/* The DNS entries idx[0..n) (all of them when idx is NULL). */
static void print_dns_table(struct out *o, const struct ea_report *r, const size_t *idx, size_t n,
                            bool counts)
{
    struct table t = {.cols = dns_cols, .ncols = D__N};
    if (!counts)
        t.hidden = UINT32_C(1) << D_QUERIES | UINT32_C(1) << D_RESPONSES;
    for (size_t i = 0; i < n; i++) {
        size_t k = idx ? idx[i] : i;
        if (k >= r->n_dns)
            continue;
        const struct ea_dns *d = &r->dns[k];
        struct cell *row = table_row(&t);
        if (!row)
            break;
        cell_str(&row[D_QUERY], &d->qname);
        cell_dns_type(&row[D_TYPE], d->qtype);
        cell_rcode(&row[D_RCODE], d->rcode);
        cell_printf(&row[D_QUERIES], "%" PRIu32, d->n_queries);
        cell_printf(&row[D_RESPONSES], "%" PRIu32, d->n_responses);
        cell_answers(&row[D_ANSWERS], d);
    }
    o->rc |= table_print(&t, o->f, o->color, o->width);
    table_free(&t);
}

static void print_dns_unused(struct out *o, const struct ea_report *r)
{
    title(o, "DNS NAMES NEVER CONNECTED TO");
    print_dns_table(o, r, r->dns_unused, r->n_dns_unused, false);
}

/* ---- CONNECTIONS ---- */

enum {
    C_TIME,
    C_SRC,
    C_DST,
    C_NAME,
    C_FROM,
    C_OUTCOME,
    C_VERDICT, /* with an allowlist only */
    C_RUN,     /* a union only */
    C_OUT,
    C_IN,
    C_JA4, /* when some connection has one */
    C_NOTES,
    C__N
};
static const struct col conn_cols[C__N] = {
    [C_TIME] = {"TIME", true, FIT_KEEP, 0},          [C_SRC] = {"SOURCE", true, FIT_KEEP, 5},
    [C_DST] = {"DESTINATION", false, FIT_KEEP, 0},   [C_NAME] = {"NAME", false, FIT_CUT, 0},
    [C_FROM] = {"FROM", false, FIT_KEEP, 2},         [C_OUTCOME] = {"OUTCOME", false, FIT_KEEP, 0},
    [C_VERDICT] = {"VERDICT", false, FIT_KEEP, 1},   [C_RUN] = {"RUN", true, FIT_KEEP, 1},
    [C_OUT] = {"BYTES OUT", true, FIT_KEEP, 3},      [C_IN] = {"BYTES IN", true, FIT_KEEP, 3},
    [C_NOTES] = {"WHY / NOTES", false, FIT_WRAP, 0}, [C_JA4] = {"JA4", false, FIT_KEEP, 4},
};

static void print_conns(struct out *o, const struct ea_report *r, bool listed)
{
    title(o, "CONNECTIONS");
    if (!listed) {
        phrase_conns_hidden(&o->ph, r);
        say(o, 0, INDENT);
        phrase_conns_cap(&o->ph, r);
        if (o->ph.n)
            say(o, 0, INDENT);
        return;
    }
    struct table t = {.cols = conn_cols, .ncols = C__N};
    if (!r->has_policy)
        t.hidden |= UINT32_C(1) << C_VERDICT;
    if (!r->n_runs)
        t.hidden |= UINT32_C(1) << C_RUN;
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
        cell_addr_port(&row[C_DST], &c->dst, c->dport);
        cell_puts(&row[C_DST], "/");
        cell_transport(&row[C_DST], c->transport);
        if (c->name_source != EA_NAME_NONE) {
            cell_str(&row[C_NAME], &c->name);
            cell_name(&row[C_FROM], ea_name_source_name(c->name_source), c->name_source);
        } else {
            cell_puts(&row[C_NAME], "-");
            cell_puts(&row[C_FROM], "-");
        }
        cell_name(&row[C_OUTCOME], ea_outcome_name(c->outcome), c->outcome);
        row[C_OUTCOME].color = outcome_color(c->outcome);
        if (r->has_policy)
            cell_verdict(&row[C_VERDICT], c->verdict);
        if (r->n_runs)
            cell_printf(&row[C_RUN], "%" PRIu32, c->run + 1);
        cell_printf(&row[C_OUT], "%" PRIu64, c->bytes_out);
        cell_printf(&row[C_IN], "%" PRIu64, c->bytes_in);
        struct cell *n = &row[C_NOTES];
        const char *why = ea_outcome_why_text(c->outcome_why);
        cell_text(n, why ? why : "-");
        /* A chain that is just the connection's own name says nothing new. */
        bool echo = c->name_source != EA_NAME_NONE && c->resolved.n_names == 1 &&
                    str_eq_ci(&c->resolved.names[0], &c->name);
        if (c->has_resolved && !echo && c->resolved.n_names) {
            cell_puts(n, "; resolved as ");
            for (size_t k = 0; k < c->resolved.n_names; k++) {
                if (k)
                    cell_puts(n, " -> ");
                cell_str(n, &c->resolved.names[k]);
            }
        }
        if (c->inner_source != EA_NAME_NONE) {
            cell_puts(n, "; inner ");
            cell_name(n, ea_name_source_name(c->inner_source), c->inner_source);
            cell_puts(n, " ");
            cell_str(n, &c->inner_name);
        }
        if (c->ja4.len)
            cell_str(&row[C_JA4], &c->ja4);
        cell_flag_notes(n, c->flags);
    }
    o->rc |= table_print(&t, o->f, o->color, o->width);
    table_free(&t);
    phrase_conns_cap(&o->ph, r);
    if (o->ph.n)
        say(o, 0, INDENT);
}

/* ---- CAPTURE ---- */

static void print_counters(struct out *o, const struct ea_report *r)
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
            fprintf(o->f, "%s:", name);
            put_pad(o->f, w - strlen(name) + 1);
        } else {
            fprintf(o->f, "%u: ", i);
        }
        fprintf(o->f, "%" PRIu64 "\n", r->counters[i]);
    }
}

/* egress-audit capture's figures: what was seen, written and left out by
 * the cutoff, drops, and a file whose writing stopped. */
static void print_live_capture(struct out *o, const struct ea_report *r)
{
    bool live = false;
    for (size_t i = 0; i < r->n_inputs && !live; i++)
        live = r->inputs[i].capture.live;
    if (!live)
        return;
    struct cell *c = &o->c;
    phrase_text(&o->ph, "capture: ");
    phrase_live_capture(&o->ph, r); /* the same sentence as md and html */
    say(o, 0, INDENT);
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct ea_input *in = &r->inputs[i];
        if (!in->capture.live || !in->capture.write_error.len)
            continue;
        cell_puts(c, "warning: writing '");
        cell_str(c, &in->path);
        cell_printf(c, "' stopped after %" PRIu64 " packets: ", in->capture.packets_written);
        cell_str(c, &in->capture.write_error);
        cell_puts(c, " (the file is valid; the analysis went on)");
        say_cell(o, 0, INDENT);
    }
}

static void print_capture(struct out *o, const struct ea_report *r)
{
    title(o, "CAPTURE");
    struct cell *c = &o->c;
    cell_puts(c, "inputs: ");
    if (r->n_inputs == 0)
        cell_puts(c, "none");
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct ea_input *in = &r->inputs[i];
        if (i)
            cell_puts(c, ", ");
        cell_str(c, &in->path);
        cell_puts(c, " (");
        if (in->linktype_name.len)
            cell_str(c, &in->linktype_name);
        else
            cell_printf(c, "linktype %d", in->linktype);
        cell_printf(c, ", %" PRIu64 " packets", in->packets);
        if (in->given_position)
            cell_printf(c, ", given as file %u", in->given_position);
        cell_puts(c, ")");
    }
    say_cell(o, 0, INDENT);
    print_live_capture(o, r);
    if (r->snaplen_cut_frames) {
        cell_printf(c,
                    "warning: %" PRIu64 " frames were cut by a short snaplen (%" PRIu32
                    " bytes kept): names past the cut are lost; capture again with tcpdump -s 0",
                    r->snaplen_cut_frames, r->snaplen_seen);
        say_cell(o, 0, INDENT);
    }
    cell_puts(c, "time: ");
    phrase_time_span(&o->ph, r);
    cell_phrase(c, &o->ph, 0);
    phrase_clear(&o->ph);
    say_cell(o, 0, INDENT);
    if (r->has_policy) {
        cell_puts(c, "inactive rules (permit nothing): ");
        cell_rule_list(c, r, r->inactive_rules, r->n_inactive_rules);
        say_cell(o, 0, INDENT);
    }
    print_counters(o, r);
}

int render_text(const struct ea_report *r, FILE *out, const struct render_opts *opts)
{
    static const struct render_opts defaults = {0};
    if (!opts)
        opts = &defaults;
    struct out o = {.f = out, .color = opts->color};
    o.width = opts->width && opts->width < MIN_WIDTH ? MIN_WIDTH : opts->width;
    o.name_max = o.width ? o.width - 2 * INDENT - 8 : 0;
    phrase_init(&o.ph);
    print_summary(&o, r);
    print_changes(&o, r);
    print_findings(&o, r);
    print_to_do(&o, r, opts->emit);
    print_hosts(&o, r, opts->connections);
    print_dns_unused(&o, r);
    print_conns(&o, r, opts->connections);
    if (opts->connections) {
        title(&o, "DNS");
        print_dns_table(&o, r, NULL, r->n_dns, true);
    }
    print_capture(&o, r);
    int rc = o.rc;
    if (o.ph.oom || o.c.oom)
        rc = -1;
    phrase_free(&o.ph);
    cell_free(&o.c);
    if (rc != 0 || fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
