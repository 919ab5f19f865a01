/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The service catalog: tab-separated data files mapping name patterns to a
 * service and a role, each with its source and date (catalog.h). */
#include "catalog.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "rules.h"

enum {
    COLUMNS = 5,      /* pattern, service, role, source, date */
    ORIGIN_MAX = 512, /* "PATH:LINE" kept per entry; longer paths keep their end */
    QUOTE_MAX = 80,   /* an input quoted in a message */
};

/* The pattern of a rotating-hosts row: '@' is never part of a name. */
static const char ROTATING[] = "@rotating";

struct item {
    struct catalog_entry pub;
    struct ea_rule rule; /* kind FQDN, form and fqdn: what rules_match_fqdn reads */
};

struct note {
    struct catalog_rotating pub;
};

struct catalog {
    struct item *items;
    size_t n_items, cap_items;
    struct note *notes;
    size_t n_notes, cap_notes;
};

/* ---- lifetime ---- */

struct catalog *catalog_new(void)
{
    return calloc(1, sizeof(struct catalog));
}

static void item_clear(struct item *it)
{
    free((char *)it->pub.pattern);
    free((char *)it->pub.service);
    free((char *)it->pub.role);
    free((char *)it->pub.source);
    free((char *)it->pub.date);
    free((char *)it->pub.origin);
    ea_str_clear(&it->rule.fqdn);
    memset(it, 0, sizeof(*it));
}

static void note_clear(struct note *n)
{
    free((char *)n->pub.service);
    free((char *)n->pub.guidance);
    free((char *)n->pub.source);
    free((char *)n->pub.date);
    free((char *)n->pub.origin);
    memset(n, 0, sizeof(*n));
}

/* Drop what was added after the first n_items entries and n_notes notes. */
static void catalog_truncate(struct catalog *c, size_t n_items, size_t n_notes)
{
    while (c->n_items > n_items)
        item_clear(&c->items[--c->n_items]);
    while (c->n_notes > n_notes)
        note_clear(&c->notes[--c->n_notes]);
}

void catalog_free(struct catalog *c)
{
    if (!c)
        return;
    catalog_truncate(c, 0, 0);
    free(c->items);
    free(c->notes);
    free(c);
}

size_t catalog_size(const struct catalog *c)
{
    return c ? c->n_items : 0;
}

const struct catalog_entry *catalog_entry_at(const struct catalog *c, size_t i)
{
    return c && i < c->n_items ? &c->items[i].pub : NULL;
}

/* ---- messages ---- */

static bool fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* An input for a message: printable ASCII kept, anything else as \xNN, cut
 * to QUOTE_MAX bytes with "..." after. */
static const char *quote(char *out, size_t outsz, const char *p, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)p[i];
        bool plain = ch >= 0x20 && ch < 0x7f && ch != '\\';
        size_t need = plain ? 1 : 4;
        if (o + need + 4 > outsz || i >= QUOTE_MAX) {
            if (o + 4 <= outsz) {
                memcpy(out + o, "...", 3);
                o += 3;
            }
            break;
        }
        if (plain)
            out[o++] = (char)ch;
        else
            o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", ch);
    }
    out[o] = '\0';
    return out;
}

/* ---- one line ---- */

static char *dup_n(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static void trim(const char **p, size_t *n)
{
    while (*n && (*p)[0] == ' ') {
        (*p)++;
        (*n)--;
    }
    while (*n && (*p)[*n - 1] == ' ')
        (*n)--;
}

struct field {
    const char *p;
    size_t n;
};

static const char *const COLUMN_NAMES[COLUMNS] = {"pattern", "service", "role", "source", "date"};

struct loader {
    struct catalog *c;
    const char *origin_name;
    size_t line;
    char *err;
    size_t errlen;
};

static bool line_fail(struct loader *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool line_fail(struct loader *ld, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return fail(ld->err, ld->errlen, "%s:%zu: %s", ld->origin_name, ld->line, what);
}

/* "PATH:LINE", keeping the end of an over-long path. */
static char *make_origin(const struct loader *ld)
{
    char buf[ORIGIN_MAX];
    const char *path = ld->origin_name;
    size_t plen = strlen(path);
    if (plen > ORIGIN_MAX - 32)
        path += plen - (ORIGIN_MAX - 32);
    snprintf(buf, sizeof(buf), "%s:%zu", path, ld->line);
    return dup_n(buf, strlen(buf));
}

static bool check_len(struct loader *ld, const struct field *f, int col, size_t max)
{
    if (f->n > max)
        return line_fail(ld, "%s longer than %zu bytes", COLUMN_NAMES[col], max);
    return true;
}

static const struct item *find_pattern(const struct catalog *c, const struct ea_rule *r)
{
    for (size_t i = 0; i < c->n_items; i++) {
        const struct ea_rule *o = &c->items[i].rule;
        if (o->form == r->form && o->fqdn.len == r->fqdn.len &&
            memcmp(o->fqdn.s, r->fqdn.s, r->fqdn.len) == 0)
            return &c->items[i];
    }
    return NULL;
}

static const struct note *find_note(const struct catalog *c, const char *service, size_t n)
{
    for (size_t i = 0; i < c->n_notes; i++)
        if (strlen(c->notes[i].pub.service) == n &&
            memcmp(c->notes[i].pub.service, service, n) == 0)
            return &c->notes[i];
    return NULL;
}

static bool add_note(struct loader *ld, const struct field *f)
{
    struct catalog *c = ld->c;
    char q[QUOTE_MAX * 4 + 8];
    if (!check_len(ld, &f[1], 1, CATALOG_NAME_MAX) || !check_len(ld, &f[2], 2, CATALOG_TEXT_MAX) ||
        !check_len(ld, &f[3], 3, CATALOG_TEXT_MAX) || !check_len(ld, &f[4], 4, CATALOG_DATE_MAX))
        return false;
    if (f[2].n == 0)
        return line_fail(ld, "empty guidance (the third column of a %s row)", ROTATING);
    const struct note *dup = find_note(c, f[1].p, f[1].n);
    if (dup)
        return line_fail(ld, "a second %s row for '%s' (the first is at %s)", ROTATING,
                         quote(q, sizeof(q), f[1].p, f[1].n), dup->pub.origin);
    if (c->n_notes == CATALOG_ROTATING_MAX)
        return line_fail(ld, "more than %d %s rows", CATALOG_ROTATING_MAX, ROTATING);
    if (c->n_notes == c->cap_notes) {
        size_t ncap = c->cap_notes ? c->cap_notes * 2 : 16;
        struct note *nv = realloc(c->notes, ncap * sizeof(*nv));
        if (!nv)
            return line_fail(ld, "out of memory");
        c->notes = nv;
        c->cap_notes = ncap;
    }
    struct note *n = &c->notes[c->n_notes];
    memset(n, 0, sizeof(*n));
    n->pub.service = dup_n(f[1].p, f[1].n);
    n->pub.guidance = dup_n(f[2].p, f[2].n);
    n->pub.source = dup_n(f[3].p, f[3].n);
    n->pub.date = dup_n(f[4].p, f[4].n);
    n->pub.origin = make_origin(ld);
    if (!n->pub.service || !n->pub.guidance || !n->pub.source || !n->pub.date || !n->pub.origin) {
        note_clear(n);
        return line_fail(ld, "out of memory");
    }
    c->n_notes++;
    return true;
}

static bool add_entry(struct loader *ld, const struct field *f)
{
    struct catalog *c = ld->c;
    char q[QUOTE_MAX * 4 + 8];
    if (!check_len(ld, &f[1], 1, CATALOG_NAME_MAX) || !check_len(ld, &f[2], 2, CATALOG_NAME_MAX) ||
        !check_len(ld, &f[3], 3, CATALOG_TEXT_MAX) || !check_len(ld, &f[4], 4, CATALOG_DATE_MAX))
        return false;
    if (f[2].n == 0)
        return line_fail(ld, "empty role");

    struct ea_rule rule = {.kind = EA_RULE_FQDN};
    const char *why = NULL;
    bool lookalike = false;
    if (!rules_parse_fqdn(f[0].p, f[0].n, &rule, &lookalike, &why))
        return line_fail(ld, "'%s': %s", quote(q, sizeof(q), f[0].p, f[0].n), why);
    if (rule.form != EA_FQDN_EXACT && rule.form != EA_FQDN_SUBDOMAINS) {
        ea_str_clear(&rule.fqdn);
        return line_fail(ld, "'%s': a catalog pattern is a name or '*.name'",
                         quote(q, sizeof(q), f[0].p, f[0].n));
    }
    const struct item *dup = find_pattern(c, &rule);
    if (dup) {
        ea_str_clear(&rule.fqdn);
        return line_fail(ld, "'%s' is already in the catalog (%s)",
                         quote(q, sizeof(q), f[0].p, f[0].n), dup->pub.origin);
    }
    if (c->n_items == CATALOG_ENTRIES_MAX) {
        ea_str_clear(&rule.fqdn);
        return line_fail(ld, "more than %d entries", CATALOG_ENTRIES_MAX);
    }
    if (c->n_items == c->cap_items) {
        size_t ncap = c->cap_items ? c->cap_items * 2 : 64;
        struct item *nv = realloc(c->items, ncap * sizeof(*nv));
        if (!nv) {
            ea_str_clear(&rule.fqdn);
            return line_fail(ld, "out of memory");
        }
        c->items = nv;
        c->cap_items = ncap;
    }
    struct item *it = &c->items[c->n_items];
    memset(it, 0, sizeof(*it));
    it->rule = rule;
    /* the pattern as matched: lower case, no trailing dot */
    char pat[300];
    snprintf(pat, sizeof(pat), "%s%s", rule.form == EA_FQDN_SUBDOMAINS ? "*." : "", rule.fqdn.s);
    it->pub.pattern = dup_n(pat, strlen(pat));
    it->pub.service = dup_n(f[1].p, f[1].n);
    it->pub.role = dup_n(f[2].p, f[2].n);
    it->pub.source = dup_n(f[3].p, f[3].n);
    it->pub.date = dup_n(f[4].p, f[4].n);
    it->pub.origin = make_origin(ld);
    if (!it->pub.pattern || !it->pub.service || !it->pub.role || !it->pub.source || !it->pub.date ||
        !it->pub.origin) {
        item_clear(it);
        return line_fail(ld, "out of memory");
    }
    c->n_items++;
    return true;
}

/* One line without its newline (and without a trailing CR). */
static bool load_line(struct loader *ld, const char *p, size_t n)
{
    if (n > CATALOG_LINE_MAX)
        return line_fail(ld, "line longer than %d bytes", CATALOG_LINE_MAX);
    if (n && p[0] == '#')
        return true; /* a comment: only where the line starts, sources hold '#' */
    size_t blank = 0;
    while (blank < n && (p[blank] == ' ' || p[blank] == '\t'))
        blank++;
    if (blank == n)
        return true;

    struct field f[COLUMNS];
    int cols = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char ch = i < n ? (unsigned char)p[i] : '\t'; /* the end closes a column */
        if (ch != '\t') {
            if (ch < 0x20 || ch == 0x7f)
                return line_fail(ld, "control byte 0x%02x in column %d", ch, cols + 1);
            if (ch >= 0x80)
                return line_fail(ld, "non-ASCII byte 0x%02x in column %d (data files are ASCII)",
                                 ch, cols + 1);
            continue;
        }
        if (cols == COLUMNS)
            return line_fail(ld,
                             "more than %d tab-separated columns (pattern, service, role, "
                             "source, date)",
                             COLUMNS);
        f[cols].p = p + start;
        f[cols].n = i - start;
        trim(&f[cols].p, &f[cols].n);
        cols++;
        start = i + 1;
    }
    if (cols != COLUMNS)
        return line_fail(ld,
                         "%d tab-separated column%s, want %d (pattern, service, role, "
                         "source, date)",
                         cols, cols == 1 ? "" : "s", COLUMNS);
    for (int col = 0; col < 2; col++)
        if (f[col].n == 0)
            return line_fail(ld, "empty %s", COLUMN_NAMES[col]);
    if (f[0].n == sizeof(ROTATING) - 1 && memcmp(f[0].p, ROTATING, f[0].n) == 0)
        return add_note(ld, f);
    return add_entry(ld, f);
}

bool catalog_load_buffer(struct catalog *c, const char *origin_name, const char *buf, size_t len,
                         char *err, size_t errlen)
{
    if (!c || !origin_name || (!buf && len))
        return fail(err, errlen, "catalog: invalid arguments");
    if (len > CATALOG_FILE_MAX)
        return fail(err, errlen, "%s: file too large (more than %zu bytes)", origin_name,
                    CATALOG_FILE_MAX);
    struct loader ld = {.c = c, .origin_name = origin_name, .err = err, .errlen = errlen};
    size_t keep_items = c->n_items, keep_notes = c->n_notes;
    size_t pos = 0;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        pos = 3; /* a UTF-8 byte order mark */
    while (pos < len) {
        ld.line++;
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        size_t n = end - pos;
        if (n && buf[pos + n - 1] == '\r')
            n--;
        if (!load_line(&ld, buf + pos, n)) {
            catalog_truncate(c, keep_items, keep_notes);
            return false;
        }
        pos = end + 1;
    }
    return true;
}

/* ---- files ---- */

/* The whole of a regular file, at most CATALOG_FILE_MAX bytes, NUL-terminated. */
static bool read_file(const char *path, char **out, size_t *out_len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return fail(err, errlen, "'%s': not a regular file", path);
    }
    char *buf = malloc(CATALOG_FILE_MAX + 2);
    if (!buf) {
        fclose(f);
        return fail(err, errlen, "%s: out of memory", path);
    }
    size_t len = fread(buf, 1, CATALOG_FILE_MAX + 1, f);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(buf);
        return fail(err, errlen, "cannot read '%s'", path);
    }
    if (len > CATALOG_FILE_MAX) {
        free(buf);
        return fail(err, errlen, "%s: file too large (more than %zu bytes)", path,
                    CATALOG_FILE_MAX);
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return true;
}

bool catalog_load_file(struct catalog *c, const char *path, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    if (!read_file(path, &buf, &len, err, errlen))
        return false;
    bool ok = catalog_load_buffer(c, path, buf, len, err, errlen);
    free(buf);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool catalog_load_dir(struct catalog *c, const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d)
        return fail(err, errlen, "cannot read the service catalog in '%s': %s", dir,
                    strerror(errno));
    char *names[CATALOG_FILES_MAX];
    size_t n = 0;
    bool ok = true;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= 4 || strcmp(e->d_name + len - 4, ".tsv") != 0)
            continue;
        if (n == CATALOG_FILES_MAX) {
            ok = fail(err, errlen, "'%s': more than %d catalog files", dir, CATALOG_FILES_MAX);
            break;
        }
        names[n] = dup_n(e->d_name, len);
        if (!names[n]) {
            ok = fail(err, errlen, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (ok && n == 0)
        ok = fail(err, errlen, "no catalog files (*.tsv) in '%s'", dir);
    qsort(names, n, sizeof(names[0]), cmp_str);
    size_t keep_items = c->n_items, keep_notes = c->n_notes;
    for (size_t i = 0; ok && i < n; i++) {
        char path[4096];
        int w = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (w < 0 || (size_t)w >= sizeof(path))
            ok = fail(err, errlen, "'%s': path too long", dir);
        else
            ok = catalog_load_file(c, path, err, errlen);
    }
    if (!ok)
        catalog_truncate(c, keep_items, keep_notes);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    return ok;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return p && *p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *catalog_dir(void)
{
    const char *env = getenv("EGRESS_AUDIT_SERVICES");
    if (env && *env)
        return env;
    if (is_dir(EA_DATADIR "/services"))
        return EA_DATADIR "/services";
    return EA_SOURCE_SERVICES; /* an uninstalled build */
}

/* ---- lookup ---- */

const struct catalog_entry *catalog_lookup(const struct catalog *c, const char *name, size_t len)
{
    if (!c || !name || len == 0)
        return NULL;
    const struct item *best = NULL;
    for (size_t i = 0; i < c->n_items; i++) {
        const struct item *it = &c->items[i];
        if (!rules_match_fqdn(&it->rule, name, len))
            continue;
        if (it->rule.form == EA_FQDN_EXACT)
            return &it->pub; /* patterns are unique: no other exact entry matches */
        if (!best || it->rule.fqdn.len > best->rule.fqdn.len)
            best = it;
    }
    return best ? &best->pub : NULL;
}

const struct catalog_rotating *catalog_rotating(const struct catalog *c, const char *service)
{
    if (!c || !service)
        return NULL;
    const struct note *n = find_note(c, service, strlen(service));
    return n ? &n->pub : NULL;
}

/* ---- provenance ---- */

/* A source names a document: it holds a URL. */
static bool has_url(const char *s)
{
    return strstr(s, "://") != NULL;
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* "YYYY-MM-DD" first, or an admission that the date was not found. */
static bool date_ok(const char *d)
{
    if (strncmp(d, "not found", 9) == 0)
        return true;
    static const char shape[] = "dddd-dd-dd";
    for (size_t i = 0; i < sizeof(shape) - 1; i++)
        if (shape[i] == 'd' ? !is_digit(d[i]) : d[i] != shape[i])
            return false;
    return d[10] == '\0' || d[10] == ' ';
}

bool catalog_lint(const struct catalog *c, char *err, size_t errlen)
{
    if (!c)
        return fail(err, errlen, "catalog: invalid arguments");
    for (size_t i = 0; i < c->n_items; i++) {
        const struct catalog_entry *e = &c->items[i].pub;
        if (!e->source[0])
            return fail(err, errlen, "%s: '%s' has no source", e->origin, e->pattern);
        if (!has_url(e->source))
            return fail(err, errlen, "%s: the source of '%s' names no URL", e->origin, e->pattern);
        if (!e->date[0])
            return fail(err, errlen, "%s: '%s' has no date", e->origin, e->pattern);
        if (!date_ok(e->date))
            return fail(err, errlen,
                        "%s: the date of '%s' is neither YYYY-MM-DD nor 'not found ...'", e->origin,
                        e->pattern);
    }
    for (size_t i = 0; i < c->n_notes; i++) {
        const struct catalog_rotating *r = &c->notes[i].pub;
        if (!r->source[0] || !has_url(r->source))
            return fail(err, errlen, "%s: the %s note of '%s' has no source URL", r->origin,
                        ROTATING, r->service);
        if (!r->date[0] || !date_ok(r->date))
            return fail(err, errlen, "%s: the %s note of '%s' has no date", r->origin, ROTATING,
                        r->service);
        bool known = false;
        for (size_t j = 0; !known && j < c->n_items; j++)
            known = strcmp(c->items[j].pub.service, r->service) == 0;
        if (!known)
            return fail(err, errlen, "%s: %s note for '%s', a service with no entries", r->origin,
                        ROTATING, r->service);
    }
    return true;
}

/* The value of "# key:" on this line, trimmed, or NULL. */
static const char *header(const char *line, size_t n, const char *key, size_t *out_n)
{
    size_t k = strlen(key);
    if (n < k + 3 || memcmp(line, "# ", 2) != 0 || memcmp(line + 2, key, k) != 0 ||
        line[2 + k] != ':')
        return NULL;
    const char *v = line + 3 + k;
    size_t vn = n - 3 - k;
    while (vn && (*v == ' ' || *v == '\t')) {
        v++;
        vn--;
    }
    while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
        vn--;
    *out_n = vn;
    return v;
}

static bool mem_has(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0)
            return true;
    return false;
}

bool catalog_lint_profile(const char *path, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    if (!read_file(path, &buf, &len, err, errlen))
        return false;
    bool have_source = false, have_date = false, have_read = false, ok = true;
    size_t pos = 0, line = 0;
    char q[QUOTE_MAX * 4 + 8];
    while (ok && pos < len) {
        line++;
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        const char *p = buf + pos;
        size_t n = end - pos;
        if (n && p[n - 1] == '\r')
            n--;
        size_t vn = 0;
        const char *v;
        if ((v = header(p, n, "source", &vn)) != NULL) {
            if (!mem_has(v, vn, "://"))
                ok = fail(err, errlen, "%s:%zu: a '# source:' line that names no URL", path, line);
            have_source = true;
        } else if (header(p, n, "date", &vn) != NULL) {
            have_date = vn > 0;
        } else if (header(p, n, "read", &vn) != NULL) {
            have_read = vn > 0;
        } else {
            const char *hash = memchr(p, '#', n);
            size_t rn = hash ? (size_t)(hash - p) : n;
            while (rn && (p[rn - 1] == ' ' || p[rn - 1] == '\t'))
                rn--;
            size_t lead = 0;
            while (lead < rn && (p[lead] == ' ' || p[lead] == '\t'))
                lead++;
            if (rn > lead && !have_source)
                ok = fail(err, errlen, "%s:%zu: rule '%s' has no '# source:' line before it", path,
                          line, quote(q, sizeof(q), p + lead, rn - lead));
        }
        pos = end + 1;
    }
    free(buf);
    if (!ok)
        return false;
    if (!have_source)
        return fail(err, errlen, "%s: no '# source:' line", path);
    if (!have_date)
        return fail(err, errlen, "%s: no '# date:' line", path);
    if (!have_read)
        return fail(err, errlen, "%s: no '# read:' line", path);
    return true;
}
