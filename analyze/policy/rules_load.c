/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Loading rule sources: reading a file, telling the formats apart, the text
 * format, and what the YAML and JSON loaders share (rules_src_*): all or
 * nothing, duplicate names, the one-line error, the look-alike warning, and
 * turning destination text into a rule with the parsers of rules.c.
 */
#include "ascii.h"
#include "hash.h"
#include "rules.h"
#include "rules_load_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum {
    RULES_MAX = 100000,      /* rules in one source */
    NAME_MAX_LEN = 255,      /* an Azure rule name */
    TAG_MAX_LEN = 255,       /* a service tag name */
    RESOURCE_MAX_LEN = 2048, /* a private endpoint's resource id */
    WORD_MAX_LEN = 64,       /* category, status */
    TEXT_RULE_MAX = 1024,    /* one rule of the text format */
    QUOTE_LEN = 300,         /* an input quoted in a message */
};

#define FILE_MAX ((size_t)64 << 20) /* a rule source or service-tag file */

struct rules_src {
    struct ea_report *r;
    const char *name; /* the origin name: a path, or what stands for one */
    FILE *warn;
    char *err;
    size_t errlen;
    size_t start; /* r->n_rules when the source began */
    /* rule names seen, for duplicates: rule index + 1, 0 = empty slot;
     * built on the first named rule (text sources never need it) */
    size_t *names;
    size_t names_cap, names_used;
};

/* ---- small text helpers ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **p, size_t *len)
{
    const char *s = *p;
    size_t n = *len;
    while (n && is_space(s[n - 1]))
        n--;
    while (n && is_space(s[0])) {
        s++;
        n--;
    }
    *p = s;
    *len = n;
}

static bool same_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (ea_ascii_lower_c(a[i]) != ea_ascii_lower_c(b[i]))
            return false;
    return true;
}

static bool starts_nocase(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && same_nocase(s, n, prefix, n);
}

/* Printable ASCII only: whatever is kept may end up in a one-line message. */
static bool printable(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f)
            return false;
    return true;
}

/*
 * The bytes of p as one printable line for a message: printable ASCII as is,
 * a backslash doubled, anything else \xNN; cut with "..." to fit n.
 */
const char *rules_src_quote(char *buf, size_t n, const char *p, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (n == 0)
        return buf;
    if (n < 8) {
        buf[0] = '\0';
        return buf;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        size_t need = (c == '\\') ? 2 : (c < 0x20 || c >= 0x7f) ? 4 : 1;
        if (need > n - 4 - 1 - o) { /* keep room for "..." and the NUL */
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (c == '\\') {
            buf[o++] = '\\';
            buf[o++] = '\\';
        } else if (need == 4) {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o] = '\0';
    return buf;
}

/* ---- a source: open, fail, close ---- */

struct rules_src *rules_src_open(struct ea_report *r, const char *origin_name, FILE *warn,
                                 char *err, size_t errlen)
{
    if (!origin_name)
        origin_name = "-";
    struct rules_src *s = calloc(1, sizeof(*s));
    if (!s) {
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", origin_name);
        return NULL;
    }
    s->r = r;
    s->name = origin_name;
    s->warn = warn;
    s->err = err;
    s->errlen = errlen;
    s->start = r->n_rules;
    return s;
}

/* All or nothing: a failed source gives back every rule it added. */
bool rules_src_close(struct rules_src *s, bool ok)
{
    if (!s)
        return false;
    if (!ok) {
        for (size_t i = s->start; i < s->r->n_rules; i++)
            ea_rule_finish(&s->r->rules[i]);
        s->r->n_rules = s->start;
    }
    free(s->names);
    free(s);
    return ok;
}

/* err = "NAME" LOC ": " what; loc is what follows the name (":3", ":3:7",
 * ": value[2].name" or ""). Always returns false. */
bool rules_src_fail(struct rules_src *s, const char *loc, const char *fmt, ...)
{
    if (!s->err || s->errlen == 0)
        return false;
    int n = snprintf(s->err, s->errlen, "%s%s: ", s->name, loc);
    if (n < 0 || (size_t)n >= s->errlen)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err + n, s->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

struct ea_rule *rules_src_add(struct rules_src *s, const char *loc)
{
    if (s->r->n_rules - s->start >= RULES_MAX) {
        rules_src_fail(s, loc, "too many rules in one source (more than %d)", RULES_MAX);
        return NULL;
    }
    struct ea_rule *rule = ea_report_add_rule(s->r);
    if (!rule) {
        rules_src_fail(s, loc, "out of memory");
        return NULL;
    }
    size_t olen = strlen(loc), nlen = strlen(s->name);
    char *o = malloc(nlen + olen + 1);
    if (!o) {
        rules_src_fail(s, loc, "out of memory");
        return NULL;
    }
    memcpy(o, s->name, nlen);
    memcpy(o + nlen, loc, olen);
    o[nlen + olen] = '\0';
    bool ok = ea_str_set(&rule->origin, o, nlen + olen);
    free(o);
    if (!ok) {
        rules_src_fail(s, loc, "out of memory");
        return NULL;
    }
    return rule;
}

static bool set_str(struct rules_src *s, struct ea_str *field, const char *p, size_t len,
                    const char *loc)
{
    if (!ea_str_set(field, p, len))
        return rules_src_fail(s, loc, "out of memory");
    return true;
}

/* ---- rule names: unique within the source and against loaded rules ---- */

static size_t name_hash(const char *p, size_t len)
{
    return (size_t)ea_hash_bytes_ci(EA_FNV_OFFSET, p, len);
}

/* The index + 1 of the rule named p (case-insensitive), or the empty slot. */
static size_t *names_slot(struct rules_src *s, const char *p, size_t len)
{
    size_t mask = s->names_cap - 1;
    for (size_t i = name_hash(p, len) & mask;; i = (i + 1) & mask) {
        size_t *slot = &s->names[i];
        if (*slot == 0)
            return slot;
        const struct ea_str *n = &s->r->rules[*slot - 1].name;
        if (same_nocase(n->s, n->len, p, len))
            return slot;
    }
}

static bool names_insert(struct rules_src *s, size_t idx)
{
    if ((s->names_used + 1) * 2 > s->names_cap) {
        size_t cap = s->names_cap ? s->names_cap * 2 : 64;
        size_t *old = s->names, old_cap = s->names_cap;
        size_t *fresh = calloc(cap, sizeof(*fresh));
        if (!fresh)
            return false;
        s->names = fresh;
        s->names_cap = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i]) {
                const struct ea_str *n = &s->r->rules[old[i] - 1].name;
                *names_slot(s, n->s, n->len) = old[i];
            }
        free(old);
    }
    const struct ea_str *n = &s->r->rules[idx].name;
    size_t *slot = names_slot(s, n->s, n->len);
    if (*slot == 0) {
        *slot = idx + 1;
        s->names_used++;
    }
    return true;
}

bool rules_src_name(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                    const char *loc)
{
    char q[QUOTE_LEN];
    size_t idx = (size_t)(rule - s->r->rules);
    if (len == 0)
        return rules_src_fail(s, loc, "empty rule name");
    if (len > NAME_MAX_LEN || !printable(p, len))
        return rules_src_fail(s, loc, "'%s': not a rule name (printable ASCII, at most %d bytes)",
                              rules_src_quote(q, sizeof(q), p, len), NAME_MAX_LEN);
    if (!s->names) {
        /* the first named rule: the table starts with the names loaded before */
        s->names = calloc(64, sizeof(*s->names));
        if (!s->names)
            return rules_src_fail(s, loc, "out of memory");
        s->names_cap = 64;
        for (size_t i = 0; i < s->r->n_rules; i++)
            if (s->r->rules[i].name.len && !names_insert(s, i))
                return rules_src_fail(s, loc, "out of memory");
    }
    size_t *slot = names_slot(s, p, len);
    if (*slot) {
        const struct ea_rule *other = &s->r->rules[*slot - 1];
        return rules_src_fail(s, loc, "duplicate rule name '%s' (also at %s)",
                              rules_src_quote(q, sizeof(q), p, len), other->origin.s);
    }
    if (!set_str(s, &rule->name, p, len, loc))
        return false;
    if (!names_insert(s, idx))
        return rules_src_fail(s, loc, "out of memory");
    return true;
}

/* ---- the parts of a rule ---- */

/* "fqdn", "FQDN", "service_tag", "ServiceTag", "private_endpoint",
 * "PrivateEndpoint": case and underscores do not matter. */
bool rules_src_kind(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                    const char *loc)
{
    static const struct {
        const char *word;
        enum ea_rule_kind kind;
    } kinds[] = {
        {"fqdn", EA_RULE_FQDN},
        {"servicetag", EA_RULE_SERVICE_TAG},
        {"privateendpoint", EA_RULE_PRIVATE_ENDPOINT},
    };
    char w[32];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '_')
            continue;
        if (n == sizeof(w)) {
            n = 0;
            break;
        }
        w[n++] = ea_ascii_lower_c(p[i]);
    }
    for (size_t k = 0; n && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        if (n == strlen(kinds[k].word) && memcmp(w, kinds[k].word, n) == 0) {
            rule->kind = kinds[k].kind;
            return true;
        }
    }
    char q[QUOTE_LEN];
    return rules_src_fail(s, loc, "unknown rule type '%s' (fqdn, service_tag or private_endpoint)",
                          rules_src_quote(q, sizeof(q), p, len));
}

/* An FQDN rule: the pattern as written, parsed by rules_parse_fqdn, with the
 * look-alike warning for a plain suffix. */
bool rules_src_fqdn(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                    const char *loc)
{
    char q[QUOTE_LEN];
    const char *why = NULL;
    bool lookalike = false;
    trim(&p, &len);
    rule->kind = EA_RULE_FQDN;
    if (len == 0)
        return rules_src_fail(s, loc, "empty destination");
    struct ea_net net;
    if (rules_parse_cidr(p, len, &net, &why))
        return rules_src_fail(s, loc, "'%s': an address, not a host name (FQDN rules take names)",
                              rules_src_quote(q, sizeof(q), p, len));
    if (!rules_parse_fqdn(p, len, rule, &lookalike, &why))
        return rules_src_fail(s, loc, "'%s': %s", rules_src_quote(q, sizeof(q), p, len), why);
    /* the last label all digits: an address or a typo, never a host name */
    const char *f = rule->fqdn.s;
    size_t i = rule->fqdn.len;
    bool digits = i > 0;
    while (i && f[i - 1] != '.') {
        if (f[i - 1] < '0' || f[i - 1] > '9')
            digits = false;
        i--;
    }
    if (digits)
        return rules_src_fail(s, loc, "'%s': not a host name (the last label is a number)",
                              rules_src_quote(q, sizeof(q), p, len));
    if (!set_str(s, &rule->destination, p, len, loc))
        return false;
    if (lookalike && s->warn)
        fprintf(s->warn,
                "egress-audit: warning: %s%s: '%s' is a plain suffix: it also matches "
                "'bad%s'; did you mean '*.%s'?\n",
                s->name, loc, rules_src_quote(q, sizeof(q), p, len), rule->fqdn.s, rule->fqdn.s);
    return true;
}

/* A service tag name: "AzureMachineLearning", "Storage.WestEurope". */
bool rules_src_tag(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                   const char *loc)
{
    char q[QUOTE_LEN];
    trim(&p, &len);
    rule->kind = EA_RULE_SERVICE_TAG;
    if (len == 0)
        return rules_src_fail(s, loc, "empty service tag");
    bool ok = len <= TAG_MAX_LEN;
    for (size_t i = 0; ok && i < len; i++) {
        char c = p[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '-' || c == '_';
    }
    if (!ok)
        return rules_src_fail(s, loc,
                              "'%s': not a service tag name (letters, digits, '.', '-', '_')",
                              rules_src_quote(q, sizeof(q), p, len));
    return set_str(s, &rule->service_tag, p, len, loc) &&
           set_str(s, &rule->destination, p, len, loc);
}

/* Append one address prefix to rule->nets (at most max of them). */
bool rules_src_net(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len, size_t max,
                   const char *loc)
{
    char q[QUOTE_LEN];
    const char *why = NULL;
    struct ea_net net;
    trim(&p, &len);
    if (len == 0)
        return rules_src_fail(s, loc, "empty address prefix");
    if (!rules_parse_cidr(p, len, &net, &why))
        return rules_src_fail(s, loc, "'%s': %s", rules_src_quote(q, sizeof(q), p, len), why);
    if (rule->n_nets >= max)
        return rules_src_fail(s, loc, "too many address prefixes (more than %zu)", max);
    /* grow in powers of two: n_nets is the only count kept */
    size_t n = rule->n_nets;
    if ((n & (n - 1)) == 0) {
        size_t cap = n ? n * 2 : 1;
        struct ea_net *v = realloc(rule->nets, cap * sizeof(*v));
        if (!v)
            return rules_src_fail(s, loc, "out of memory");
        rule->nets = v;
    }
    rule->nets[rule->n_nets++] = net;
    return true;
}

bool rules_src_ports(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                     const char *loc)
{
    char q[QUOTE_LEN];
    const char *why = NULL;
    struct ea_port_range *v = NULL;
    size_t n = 0;
    if (!rules_parse_ports(p, len, &v, &n, &why))
        return rules_src_fail(s, loc, "'%s': %s", rules_src_quote(q, sizeof(q), p, len), why);
    free(rule->ports);
    rule->ports = v;
    rule->n_ports = n;
    return true;
}

bool rules_src_protocol(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                        const char *loc)
{
    char q[QUOTE_LEN];
    const char *why = NULL;
    uint8_t proto = 0;
    trim(&p, &len);
    if (!rules_parse_protocol(p, len, &proto, &why))
        return rules_src_fail(s, loc, "'%s': %s", rules_src_quote(q, sizeof(q), p, len), why);
    rule->protocol = proto;
    return true;
}

/* A private endpoint: the destination is its service_resource_id. */
bool rules_src_resource(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                        const char *loc)
{
    char q[QUOTE_LEN];
    trim(&p, &len);
    rule->kind = EA_RULE_PRIVATE_ENDPOINT;
    if (len == 0)
        return rules_src_fail(s, loc, "empty service_resource_id");
    if (len > RESOURCE_MAX_LEN || !printable(p, len))
        return rules_src_fail(s, loc, "'%s': not a resource id (printable ASCII, at most %d bytes)",
                              rules_src_quote(q, sizeof(q), p, len), RESOURCE_MAX_LEN);
    return set_str(s, &rule->destination, p, len, loc);
}

static bool word(struct rules_src *s, struct ea_str *field, const char *p, size_t len,
                 const char *what, const char *loc)
{
    char q[QUOTE_LEN];
    trim(&p, &len);
    if (len > WORD_MAX_LEN || !printable(p, len))
        return rules_src_fail(s, loc, "'%s': not a %s (printable ASCII, at most %d bytes)",
                              rules_src_quote(q, sizeof(q), p, len), what, WORD_MAX_LEN);
    return set_str(s, field, p, len, loc);
}

/* A private endpoint's subresource_target ("blob", "vault", "amlworkspace"):
 * kept as given; empty is the same as not given. */
bool rules_src_subresource(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                           const char *loc)
{
    return word(s, &rule->subresource_target, p, len, "subresource target", loc);
}

/* A private endpoint's spark_enabled: true or false as YAML 1.1 and JSON
 * write them (true/false, yes/no, on/off; any case). */
bool rules_src_spark(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                     const char *loc)
{
    static const struct {
        const char *word;
        bool value;
    } words[] = {
        {"true", true},   {"yes", true}, {"on", true},
        {"false", false}, {"no", false}, {"off", false},
    };
    char q[QUOTE_LEN];
    trim(&p, &len);
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (same_nocase(p, len, words[i].word, strlen(words[i].word))) {
            rule->has_spark_enabled = true;
            rule->spark_enabled = words[i].value;
            return true;
        }
    }
    return rules_src_fail(s, loc, "spark_enabled '%s': expected true or false",
                          rules_src_quote(q, sizeof(q), p, len));
}

bool rules_src_category(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                        const char *loc)
{
    return word(s, &rule->category, p, len, "category", loc);
}

/* Active or Inactive, kept as given; an Inactive rule permits nothing. */
bool rules_src_status(struct rules_src *s, struct ea_rule *rule, const char *p, size_t len,
                      const char *loc)
{
    char q[QUOTE_LEN];
    trim(&p, &len);
    if (len == 0)
        return true;
    bool inactive = same_nocase(p, len, "inactive", 8);
    if (!inactive && !same_nocase(p, len, "active", 6))
        return rules_src_fail(s, loc, "unknown status '%s' (Active or Inactive)",
                              rules_src_quote(q, sizeof(q), p, len));
    rule->inactive = inactive;
    return set_str(s, &rule->status, p, len, loc);
}

/* ---- files ---- */

/* The whole file (or standard input for "-"), at most FILE_MAX bytes, in a
 * heap buffer with a NUL after the end. */
bool rules_src_read(const char *path, char **out, size_t *out_len, char *err, size_t errlen)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    const char *why = NULL;
    errno = 0;
    for (;;) {
        if (cap - len <= 1) { /* room for one byte and the NUL */
            size_t ncap = cap ? cap * 2 : 65536;
            if (ncap > FILE_MAX + 2)
                ncap = FILE_MAX + 2; /* reading one byte past the limit tells */
            char *nb = realloc(buf, ncap);
            if (!nb) {
                why = "out of memory";
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (len > FILE_MAX) {
            why = "file too large (more than 64 MiB)";
            break;
        }
        if (got == 0) {
            if (ferror(f))
                why = strerror(errno ? errno : EIO);
            break;
        }
    }
    if (!is_stdin)
        fclose(f);
    if (why) {
        free(buf);
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, why);
        return false;
    }
    if (!buf) { /* nothing was read: an empty file */
        buf = malloc(1);
        if (!buf) {
            if (err && errlen)
                snprintf(err, errlen, "%s: out of memory", path);
            return false;
        }
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return true;
}

bool rules_load_file(struct ea_report *r, const char *path, enum rules_format fmt, FILE *warn,
                     char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    if (!rules_src_read(path, &buf, &len, err, errlen))
        return false;
    bool ok = rules_load_buffer(r, path, buf, len, fmt, warn, err, errlen);
    free(buf);
    return ok;
}

/* ---- telling the formats apart ---- */

static bool has_key(const char *p, size_t len, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(p + i, key, n) != 0)
            continue;
        size_t j = i + n;
        while (j < len && (p[j] == ' ' || p[j] == '\t'))
            j++;
        if (j < len && p[j] == ':')
            return true;
    }
    return false;
}

/* YAML when a line outside comments holds "outbound_rules:" or
 * "managed_network:", or the first such line is a list item or ends in ':'. */
static bool looks_like_yaml(const char *buf, size_t len)
{
    bool first = true;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        const char *line = buf + pos;
        size_t n = end - pos;
        const char *hash = memchr(line, '#', n);
        if (hash)
            n = (size_t)(hash - line);
        trim(&line, &n);
        if (n) {
            if (has_key(line, n, "outbound_rules") || has_key(line, n, "managed_network"))
                return true;
            if (first && ((n >= 2 && line[0] == '-' && (line[1] == ' ' || line[1] == '\t')) ||
                          (n == 1 && line[0] == '-') || line[n - 1] == ':'))
                return true;
            first = false;
        }
        pos = end + 1;
    }
    return false;
}

static enum rules_format detect(const char *buf, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        i = 3; /* a UTF-8 byte order mark */
    while (i < len && (is_space(buf[i]) || buf[i] == '\n'))
        i++;
    if (i < len && (buf[i] == '{' || buf[i] == '['))
        return RULES_JSON;
    if (looks_like_yaml(buf, len))
        return RULES_YAML;
    return RULES_TEXT;
}

bool rules_load_buffer(struct ea_report *r, const char *origin_name, const char *buf, size_t len,
                       enum rules_format fmt, FILE *warn, char *err, size_t errlen)
{
    if (fmt == RULES_AUTO)
        fmt = detect(buf, len);
    switch (fmt) {
    case RULES_JSON:
        return rules_load_json(r, origin_name, buf, len, warn, err, errlen);
    case RULES_YAML:
        return rules_load_yaml(r, origin_name, buf, len, warn, err, errlen);
    case RULES_TEXT:
    case RULES_AUTO:
        break;
    }
    return rules_load_text(r, origin_name, buf, len, warn, err, errlen);
}

/* ---- the text format ---- */

/* After the address or tag: [":" PORTS] ["/" PROTOCOL]. */
static bool text_tail(struct rules_src *s, struct ea_rule *rule, const char *tok, size_t toklen,
                      const char *p, size_t len, const char *loc)
{
    char q[QUOTE_LEN];
    if (len == 0)
        return true;
    if (p[0] == ':') {
        p++;
        len--;
        const char *slash = memchr(p, '/', len);
        size_t plen = slash ? (size_t)(slash - p) : len;
        if (!rules_src_ports(s, rule, p, plen, loc))
            return false;
        p += plen;
        len -= plen;
        if (len == 0)
            return true;
    }
    if (p[0] != '/')
        return rules_src_fail(s, loc, "'%s': expected ':PORTS' or '/PROTOCOL' after the %s",
                              rules_src_quote(q, sizeof(q), tok, toklen),
                              rule->kind == EA_RULE_SERVICE_TAG ? "tag" : "address");
    if (len == 1)
        return rules_src_fail(s, loc, "'%s': no protocol after '/'",
                              rules_src_quote(q, sizeof(q), tok, toklen));
    return rules_src_protocol(s, rule, p + 1, len - 1, loc);
}

/* A CIDR rule from net (the destination) and what follows it. */
static bool text_cidr(struct rules_src *s, struct ea_rule *rule, const char *tok, size_t toklen,
                      const char *net, size_t netlen, const char *tail, size_t taillen,
                      const char *loc)
{
    rule->kind = EA_RULE_CIDR;
    return rules_src_net(s, rule, net, netlen, 1, loc) &&
           set_str(s, &rule->destination, net, netlen, loc) &&
           text_tail(s, rule, tok, toklen, tail, taillen, loc);
}

static bool text_rule(struct rules_src *s, const char *tok, size_t len, const char *loc)
{
    char q[QUOTE_LEN];
    if (len > TEXT_RULE_MAX)
        return rules_src_fail(s, loc, "rule longer than %d bytes", TEXT_RULE_MAX);
    for (size_t i = 0; i < len; i++)
        if (tok[i] == ' ' || tok[i] == '\t')
            return rules_src_fail(s, loc, "'%s': one rule per line",
                                  rules_src_quote(q, sizeof(q), tok, len));
    struct ea_rule *rule = rules_src_add(s, loc);
    if (!rule)
        return false;

    /* tag:NAME[:PORTS][/PROTO] */
    if (starts_nocase(tok, len, "tag:")) {
        const char *name = tok + 4;
        size_t n = 0;
        while (n < len - 4 && name[n] != ':' && name[n] != '/')
            n++;
        return rules_src_tag(s, rule, name, n, loc) &&
               text_tail(s, rule, tok, len, name + n, len - 4 - n, loc);
    }
    /* [CIDR][:PORTS][/PROTO]: IPv6 with a port */
    if (tok[0] == '[') {
        const char *close = memchr(tok, ']', len);
        if (!close)
            return rules_src_fail(s, loc, "'%s': no ']' after '['",
                                  rules_src_quote(q, sizeof(q), tok, len));
        size_t netlen = (size_t)(close - tok) - 1;
        size_t after = (size_t)(close - tok) + 1;
        return text_cidr(s, rule, tok, len, tok + 1, netlen, tok + after, len - after, loc);
    }
    size_t colons = 0;
    for (size_t i = 0; i < len; i++)
        colons += tok[i] == ':';
    /* two colons or more: an IPv6 address or prefix, nothing after it */
    if (colons >= 2) {
        const char *why = NULL;
        struct ea_net net;
        if (!rules_parse_cidr(tok, len, &net, &why))
            return rules_src_fail(s, loc, "'%s': %s (write [PREFIX]:PORT when a port follows)",
                                  rules_src_quote(q, sizeof(q), tok, len), why);
        return text_cidr(s, rule, tok, len, tok, len, tok + len, 0, loc);
    }
    /* ADDR[/LEN][:PORTS][/PROTO] or an FQDN pattern */
    const char *colon = memchr(tok, ':', len);
    size_t head = colon ? (size_t)(colon - tok) : len;
    bool cidr = memchr(tok, '/', head) != NULL;
    if (!cidr) {
        struct ea_net net;
        const char *why = NULL;
        cidr = rules_parse_cidr(tok, head, &net, &why);
    }
    if (cidr) {
        /* without a port, a second '/' starts the protocol */
        size_t netlen = head;
        if (!colon) {
            const char *slash = memchr(tok, '/', len);
            const char *second =
                slash ? memchr(slash + 1, '/', len - (size_t)(slash - tok) - 1) : NULL;
            if (second)
                netlen = (size_t)(second - tok);
        }
        return text_cidr(s, rule, tok, len, tok, netlen, tok + netlen, len - netlen, loc);
    }
    if (colon)
        return rules_src_fail(s, loc,
                              "'%s': an FQDN rule takes no port (it covers 80 and 443); "
                              "tag: rules and addresses do",
                              rules_src_quote(q, sizeof(q), tok, len));
    return rules_src_fqdn(s, rule, tok, len, loc);
}

bool rules_load_text(struct ea_report *r, const char *origin_name, const char *buf, size_t len,
                     FILE *warn, char *err, size_t errlen)
{
    struct rules_src *s = rules_src_open(r, origin_name, warn, err, errlen);
    if (!s)
        return false;
    bool ok = true;
    size_t pos = 0, line = 0;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        pos = 3; /* a UTF-8 byte order mark */
    while (ok && pos < len) {
        line++;
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        const char *tok = buf + pos;
        size_t n = end - pos;
        const char *hash = memchr(tok, '#', n);
        if (hash)
            n = (size_t)(hash - tok);
        trim(&tok, &n);
        if (n) {
            char loc[32];
            snprintf(loc, sizeof(loc), ":%zu", line);
            ok = text_rule(s, tok, n, loc);
        }
        pos = end + 1;
    }
    return rules_src_close(s, ok);
}
