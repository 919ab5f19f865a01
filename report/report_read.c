/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The JSON report read back into the model (report_read.h).
 *
 * A report may hold a hundred thousand connections; one jansson tree of it
 * would cost kilobytes per connection (render_json.c says why it streams).
 * So the top-level object is walked here, member by member, and each member
 * is parsed by jansson on its own; the three long arrays (hosts,
 * connections, dns) element by element, each element converted and freed.
 * This walk only finds where values begin and end (whitespace, ':', ',' and
 * brackets): every value is parsed by jansson, with its depth limit and
 * duplicate keys refused.
 *
 * Two passes. The first parses every member but the long arrays, which it
 * only skips (counting brackets), and so finds the members in any order
 * ("jq -S" sorts them). The second converts them in the order their meaning
 * needs: schema first; rules before the hosts and connections that cite
 * them; hosts before the near misses that name them; the long arrays parsed
 * there, once. (A syntax error that the first pass finds after a long array
 * waits until that array was parsed: it may hold an earlier one.)
 *
 * Strings are in the safe text of escape.h and go back to raw bytes, so the
 * report rendered again is the same bytes; a string not exactly in that form
 * is refused, as is any value of the wrong type, an unknown name, a missing
 * key, and a citation of a rule (or a host) the report does not have. Keys
 * this reader does not know are ignored (the schema only gains keys).
 */
#include "report_read.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "hash.h"

#define TOOL_NAME "egress-audit"

/* Every value: duplicate keys refused; scalars allowed (members of the top
 * level); the value ends where it ends (more input follows). */
#define LOAD_FLAGS (JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES)

/* The top-level members. */
enum member {
    M_SCHEMA = 0,
    M_TOOL,
    M_INPUTS,
    M_TRUNCATED,
    M_SNAPLEN_CUT,
    M_TIME,
    M_HOSTS,
    M_CONNECTIONS,
    M_DNS,
    M_RULES,
    M_UNUSED_RULES,
    M_INACTIVE_RULES,
    M_DUPLICATE_RULES,
    M_NEAR_MISSES,
    M_FINDINGS,
    M_VERDICTS,
    M_REMEDIATION,
    M_RUNS,
    M_DIFF,
    M_STATS,
    M__COUNT
};

static const char *const member_names[M__COUNT] = {
    [M_SCHEMA] = "schema",
    [M_TOOL] = "tool",
    [M_INPUTS] = "inputs",
    [M_TRUNCATED] = "truncated",
    [M_SNAPLEN_CUT] = "snaplen_cut",
    [M_TIME] = "time",
    [M_HOSTS] = "hosts",
    [M_CONNECTIONS] = "connections",
    [M_DNS] = "dns",
    [M_RULES] = "rules",
    [M_UNUSED_RULES] = "unused_rules",
    [M_INACTIVE_RULES] = "inactive_rules",
    [M_DUPLICATE_RULES] = "duplicate_rules",
    [M_NEAR_MISSES] = "near_misses",
    [M_FINDINGS] = "findings",
    [M_VERDICTS] = "verdicts",
    [M_RUNS] = "runs",
    [M_DIFF] = "diff",
    [M_REMEDIATION] = "remediation",
    [M_STATS] = "stats",
};

static bool member_is_long(enum member m)
{
    return m == M_HOSTS || m == M_CONNECTIONS || m == M_DNS;
}

/* An index from a pair of strings (a rule's destination and origin) or a
 * string and a port (a host's key and port) to the first element that has
 * them; open addressing, at most half full. */
struct ref_index {
    size_t *slots; /* element + 1; 0 = empty */
    size_t mask;
};

struct rd {
    const char *path;
    const char *buf;
    size_t len;
    char *err;
    size_t errlen;
    int errnum;   /* 0 until something failed */
    char at[256]; /* the key path of the value being read: "hosts[3].port" */
    size_t at_len;
    struct ea_report *r;
    json_t *member[M__COUNT]; /* pass 1: the members, parsed (not the long arrays) */
    size_t long_at[M__COUNT]; /* pass 1: offset of a long array's '[' */
    bool seen[M__COUNT];
    /* pass 1 keeps its first syntax error until the long arrays before it
     * were parsed: one of them may hold an earlier one */
    bool defer_syntax, deferred;
    size_t syntax_pos;
    char syntax_text[JSON_ERROR_TEXT_LENGTH];
    struct ref_index rules, hosts;
};

/* ---- messages ---- */

/* The first failure is kept: one line, "'PATH': KEY.PATH: what". */
__attribute__((format(printf, 3, 0))) static bool vfail(struct rd *d, int errnum, const char *fmt,
                                                        va_list ap)
{
    if (d->errnum)
        return false;
    d->errnum = errnum;
    if (!d->err || d->errlen == 0)
        return false;
    int n = snprintf(d->err, d->errlen, "'%s': ", d->path);
    if (n >= 0 && (size_t)n < d->errlen && d->at_len)
        n += snprintf(d->err + n, d->errlen - (size_t)n, "%s: ", d->at);
    if (n >= 0 && (size_t)n < d->errlen)
        vsnprintf(d->err + n, d->errlen - (size_t)n, fmt, ap);
    return false;
}

/* Always false: the report is refused (EINVAL). */
__attribute__((format(printf, 2, 3))) static bool fail(struct rd *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(d, EINVAL, fmt, ap);
    va_end(ap);
    return false;
}

__attribute__((format(printf, 3, 4))) static bool fail_errno(struct rd *d, int errnum,
                                                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(d, errnum, fmt, ap);
    va_end(ap);
    return false;
}

/* A name and where it came from go together: a name with the source
 * "none", or a source without a name, is a report no analyzer wrote. */
static bool names_agree(struct rd *d, const char *name_key, bool has_name, const char *source_key,
                        long long source)
{
    if (has_name == (source != EA_NAME_NONE))
        return true;
    const char *text = ea_name_source_name((enum ea_name_source)source);
    if (has_name)
        return fail(d, "'%s' is given but '%s' is \"none\"", name_key, source_key);
    return fail(d, "'%s' is \"%s\" but '%s' is null", source_key, text ? text : "?", name_key);
}

static bool fail_oom(struct rd *d)
{
    d->at_len = 0;
    d->at[0] = '\0';
    return fail_errno(d, ENOMEM, "out of memory");
}

/* Bytes from the input quoted in a message: safe text, cut after 40. */
struct quote {
    char s[40 * EA_ESCAPE_MAX_PER_BYTE + 4];
};

static const char *quote(struct quote *q, const char *s, size_t len)
{
    size_t n = len > 40 ? 40 : len;
    ea_escape(s, n, q->s, sizeof q->s);
    if (n < len)
        memcpy(q->s + strlen(q->s), "...", 4);
    return q->s;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
    default:
        return "null";
    }
}

static bool fail_type(struct rd *d, const json_t *v, const char *want)
{
    return fail(d, "expected %s, found %s", want, type_name(v));
}

/* Line and column (1-based, bytes) of the byte before offset pos. */
static void line_col(const struct rd *d, size_t pos, size_t *line, size_t *col)
{
    size_t l = 1, start = 0;
    if (pos > d->len)
        pos = d->len;
    for (size_t i = 0; i + 1 < pos; i++) {
        if (d->buf[i] == '\n') {
            l++;
            start = i + 1;
        }
    }
    *line = l;
    *col = pos - start;
}

/* "not JSON: TEXT at line L column C" for the byte before offset pos
 * (jansson's text quotes the input: it is made safe text too). */
static bool fail_syntax(struct rd *d, size_t pos, const char *text)
{
    char safe[JSON_ERROR_TEXT_LENGTH * EA_ESCAPE_MAX_PER_BYTE];
    size_t line, col;
    if (d->defer_syntax) {
        if (!d->deferred)
            snprintf(d->syntax_text, sizeof d->syntax_text, "%s", text);
        d->syntax_pos = d->deferred ? d->syntax_pos : pos;
        d->deferred = true;
        return false;
    }
    ea_escape(text, strnlen(text, JSON_ERROR_TEXT_LENGTH), safe, sizeof safe);
    line_col(d, pos, &line, &col);
    d->at_len = 0;
    d->at[0] = '\0';
    return fail(d, "not JSON: %s at line %zu column %zu", safe, line, col);
}

/* ---- the key path ---- */

static size_t push_key(struct rd *d, const char *key)
{
    size_t was = d->at_len;
    int n = snprintf(d->at + was, sizeof d->at - was, "%s%s", was ? "." : "", key);
    if (n > 0)
        d->at_len = was + (size_t)n < sizeof d->at ? was + (size_t)n : sizeof d->at - 1;
    return was;
}

static size_t push_index(struct rd *d, size_t i)
{
    size_t was = d->at_len;
    int n = snprintf(d->at + was, sizeof d->at - was, "[%zu]", i);
    if (n > 0)
        d->at_len = was + (size_t)n < sizeof d->at ? was + (size_t)n : sizeof d->at - 1;
    return was;
}

static void pop(struct rd *d, size_t was)
{
    d->at_len = was;
    d->at[was] = '\0';
}

/* ---- the walk: the top level, and the long arrays element by element ---- */

static size_t skip_ws(const struct rd *d, size_t pos)
{
    while (pos < d->len && (d->buf[pos] == ' ' || d->buf[pos] == '\t' || d->buf[pos] == '\n' ||
                            d->buf[pos] == '\r'))
        pos++;
    return pos;
}

/* The byte at pos is one of want; else a syntax error. */
static bool expect(struct rd *d, size_t pos, const char *want, const char *text)
{
    if (pos < d->len && d->buf[pos] && strchr(want, d->buf[pos]))
        return true;
    return fail_syntax(d, pos + 1, pos < d->len ? text : "unexpected end of input");
}

/* One value at *pos, parsed by jansson; *pos moves past it. */
static json_t *load_value(struct rd *d, size_t *pos)
{
    json_error_t e;
    json_t *v = json_loadb(d->buf + *pos, d->len - *pos, LOAD_FLAGS, &e);
    if (!v) {
        size_t at = e.position > 0 ? (size_t)e.position : 0;
        fail_syntax(d, *pos + at, e.text);
        return NULL;
    }
    *pos += (size_t)e.position;
    return v;
}

typedef bool (*elem_fn)(struct rd *d, size_t i, json_t *v);

/* The array whose '[' is at *pos, one element at a time: each parsed,
 * handed to fn (when not NULL) and freed. *pos moves past the ']'. */
static bool each_element(struct rd *d, size_t *pos, size_t max, elem_fn fn)
{
    size_t p = skip_ws(d, *pos + 1);
    size_t n = 0;
    if (p < d->len && d->buf[p] == ']') {
        *pos = p + 1;
        return true;
    }
    for (;;) {
        if (n == max)
            return fail(d, "more than %zu entries", max);
        json_t *v = load_value(d, &p);
        if (!v)
            return false;
        bool ok = true;
        if (fn) {
            size_t was = push_index(d, n);
            ok = fn(d, n, v);
            pop(d, was);
        }
        json_decref(v);
        if (!ok)
            return false;
        n++;
        p = skip_ws(d, p);
        if (!expect(d, p, ",]", "',' or ']' expected"))
            return false;
        if (d->buf[p++] == ']')
            break;
        p = skip_ws(d, p);
    }
    *pos = p;
    return true;
}

/* Where the array whose '[' is at pos ends (past its ']'), found without
 * parsing it: brackets counted, strings skipped with their escapes. Not a
 * check: each_element parses every element later. d->len when it does not
 * end. */
static size_t skip_array(const struct rd *d, size_t pos)
{
    size_t depth = 0;
    for (size_t p = pos; p < d->len; p++) {
        char c = d->buf[p];
        if (c == '"') {
            for (p++; p < d->len && d->buf[p] != '"'; p++)
                if (d->buf[p] == '\\')
                    p++;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if ((c == ']' || c == '}') && --depth == 0) {
            return p + 1;
        }
    }
    return d->len;
}

static enum member member_of(const char *key, size_t len)
{
    for (unsigned m = 0; m < M__COUNT; m++)
        if (strlen(member_names[m]) == len && memcmp(member_names[m], key, len) == 0)
            return (enum member)m;
    return M__COUNT;
}

/* Input that is not an object: not JSON, or JSON but not a report. */
static bool not_an_object(struct rd *d, size_t pos)
{
    if (pos < d->len && d->buf[pos] == '[') /* not parsed: it may be long */
        return fail(d, "not an egress-audit report (a JSON array, not an object)");
    json_t *v = load_value(d, &pos);
    if (!v)
        return false;
    json_decref(v);
    return fail(d, "not an egress-audit report (not a JSON object)");
}

static bool scan_top(struct rd *d)
{
    size_t p = skip_ws(d, 0);
    if (p >= d->len || d->buf[p] != '{')
        return not_an_object(d, p);
    p = skip_ws(d, p + 1);
    bool first = true;
    while (!(first && p < d->len && d->buf[p] == '}')) {
        first = false;
        if (!expect(d, p, "\"", "string or '}' expected"))
            return false;
        json_t *key = load_value(d, &p);
        if (!key)
            return false;
        enum member m = member_of(json_string_value(key), json_string_length(key));
        json_decref(key);
        if (m != M__COUNT && d->seen[m])
            return fail_syntax(d, p, "duplicate object key");
        p = skip_ws(d, p);
        if (!expect(d, p, ":", "':' expected"))
            return false;
        p = skip_ws(d, p + 1);
        if (m != M__COUNT && member_is_long(m) && p < d->len && d->buf[p] == '[') {
            d->seen[m] = true;
            d->long_at[m] = p;
            p = skip_array(d, p);
        } else {
            json_t *v = load_value(d, &p);
            if (!v)
                return false;
            if (m == M__COUNT) {
                json_decref(v); /* a key this reader does not know */
            } else {
                d->seen[m] = true;
                d->member[m] = v;
            }
        }
        p = skip_ws(d, p);
        if (!expect(d, p, ",}", "',' or '}' expected"))
            return false;
        if (d->buf[p] == '}')
            break;
        p = skip_ws(d, p + 1);
    }
    p = skip_ws(d, p + 1);
    if (p < d->len)
        return fail_syntax(d, p + 1, "end of file expected");
    return true;
}

/* Pass 1: the syntax of the top level, and where its members are. A
 * syntax error found here may stand after a long array that holds an
 * earlier one (skip_array does not look): those are parsed first. */
static bool scan(struct rd *d)
{
    d->defer_syntax = true;
    bool ok = scan_top(d);
    d->defer_syntax = false;
    if (ok || !d->deferred)
        return ok;
    bool checked[M__COUNT] = {false};
    for (;;) { /* the long arrays before the error, in the order of the file */
        enum member first = M__COUNT;
        for (unsigned m = 0; m < M__COUNT; m++)
            if (d->seen[m] && member_is_long((enum member)m) && !d->member[m] && !checked[m] &&
                d->long_at[m] < d->syntax_pos &&
                (first == M__COUNT || d->long_at[m] < d->long_at[first]))
                first = (enum member)m;
        if (first == M__COUNT)
            break;
        size_t pos = d->long_at[first];
        checked[first] = true;
        if (!each_element(d, &pos, SIZE_MAX, NULL))
            return false;
    }
    char text[sizeof d->syntax_text];
    memcpy(text, d->syntax_text, sizeof text);
    return fail_syntax(d, d->syntax_pos, text);
}

/* ---- values ---- */

/* The value under key, or NULL with "no \"key\"" (at the object's path). */
static json_t *get(struct rd *d, const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        fail(d, "no \"%s\"", key);
    return v;
}

/* A string in the safe text, back to its bytes; null gives the empty string
 * when nullable. */
static bool read_str(struct rd *d, const json_t *v, bool nullable, struct ea_str *out)
{
    if (nullable && json_is_null(v)) {
        ea_str_clear(out);
        return true;
    }
    if (!json_is_string(v))
        return fail_type(d, v, nullable ? "a string or null" : "a string");
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len > REPORT_READ_MAX_STRING)
        return fail(d, "longer than %d bytes", REPORT_READ_MAX_STRING);
    char *raw = malloc(len + 1);
    if (!raw)
        return fail_oom(d);
    size_t n, bad;
    const char *why;
    if (!ea_unescape(s, len, raw, &n, &bad, &why)) {
        free(raw);
        return fail(d, "not in the safe text form at byte %zu: %s", bad, why);
    }
    raw[n] = '\0';
    free(out->s);
    out->s = raw;
    out->len = n;
    return true;
}

static bool read_u64(struct rd *d, const json_t *v, uint64_t max, uint64_t *out)
{
    uint64_t u;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0)
            return fail(d, "negative: %lld", (long long)i);
        u = (uint64_t)i;
    } else if (json_is_real(v)) {
        /* render_json writes a count past INT64_MAX as a real: (double)
         * UINT64_MAX is 2^64, one past the largest count */
        double x = json_real_value(v);
        if (!(x >= 9223372036854775808.0 && x <= 18446744073709551616.0) || x != floor(x))
            return fail(d, "expected an integer, found the real %.17g", x);
        u = x < 18446744073709551616.0 ? (uint64_t)x : UINT64_MAX;
    } else {
        return fail_type(d, v, "an integer");
    }
    if (u > max)
        return fail(d, "%llu is more than %llu", (unsigned long long)u, (unsigned long long)max);
    *out = u;
    return true;
}

static bool read_int(struct rd *d, const json_t *v, long long min, long long max, long long *out)
{
    if (!json_is_integer(v))
        return fail_type(d, v, "an integer");
    long long i = json_integer_value(v);
    if (i < min || i > max)
        return fail(d, "%lld is not in [%lld, %lld]", i, min, max);
    *out = i;
    return true;
}

static bool read_bool(struct rd *d, const json_t *v, bool *out)
{
    if (!json_is_boolean(v))
        return fail_type(d, v, "a boolean");
    *out = json_is_true(v);
    return true;
}

/* Seconds since the epoch, a real with microseconds: back to the timeval it
 * was printed from (rounded to the microsecond, not truncated). */
static bool read_time(struct rd *d, const json_t *v, struct timeval *out)
{
    if (!json_is_number(v))
        return fail_type(d, v, "a number (seconds)");
    double x = json_number_value(v);
    /* time_t's range; 2^63 itself does not fit */
    if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
        return fail(d, "%.17g is not a time", x);
    double sec = floor(x);
    long long usec = llround((x - sec) * 1e6);
    long long s = (long long)sec;
    if (usec >= 1000000) {
        if (s == LLONG_MAX)
            return fail(d, "%.17g is not a time", x);
        s++;
        usec -= 1000000;
    }
    out->tv_sec = (time_t)s;
    out->tv_usec = (suseconds_t)usec;
    return true;
}

/* A name from one of the model's tables; where the writer prints a number
 * for a value without a name, integers in [num_min, num_max]; null as
 * null_value when nullable. */
struct enum_spec {
    bool (*parse)(const char *s, size_t len, long long *out);
    long long num_min, num_max; /* num_min > num_max: names only */
    bool nullable;
    long long null_value;
};

static bool read_enum(struct rd *d, const json_t *v, const struct enum_spec *e, long long *out)
{
    if (e->nullable && json_is_null(v)) {
        *out = e->null_value;
        return true;
    }
    if (json_is_integer(v) && e->num_min <= e->num_max)
        return read_int(d, v, e->num_min, e->num_max, out);
    if (!json_is_string(v)) {
        bool num = e->num_min <= e->num_max;
        return fail_type(d, v,
                         e->nullable ? (num ? "a name, a number or null" : "a string or null")
                                     : (num ? "a name or a number" : "a string"));
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (!e->parse(s, len, out)) {
        struct quote q;
        return fail(d, "unknown value '%s'", quote(&q, s, len));
    }
    return true;
}

/* The model's reverse lookups with one output type. */
#define ADAPT_PARSE(name, fn, type)                                                                \
    static bool name(const char *s, size_t len, long long *out)                                    \
    {                                                                                              \
        type v;                                                                                    \
        if (!fn(s, len, &v))                                                                       \
            return false;                                                                          \
        *out = (long long)v;                                                                       \
        return true;                                                                               \
    }
ADAPT_PARSE(p_outcome, ea_outcome_parse, enum ea_outcome)
ADAPT_PARSE(p_outcome_why, ea_outcome_why_parse, enum ea_outcome_why)
ADAPT_PARSE(p_name_source, ea_name_source_parse, enum ea_name_source)
ADAPT_PARSE(p_transport, ea_transport_parse, enum ea_transport)
ADAPT_PARSE(p_tls_version, ea_tls_version_parse, uint16_t)
ADAPT_PARSE(p_verdict, ea_verdict_parse, enum ea_verdict)
ADAPT_PARSE(p_verdict_why, ea_verdict_why_parse, enum ea_verdict_why)
ADAPT_PARSE(p_rule_kind, ea_rule_kind_parse, enum ea_rule_kind)
ADAPT_PARSE(p_fqdn_form, ea_fqdn_form_parse, enum ea_fqdn_form)
ADAPT_PARSE(p_near_kind, ea_near_kind_parse, enum ea_near_kind)
ADAPT_PARSE(p_dns_type, ea_dns_type_parse, uint16_t)
ADAPT_PARSE(p_dns_rcode, ea_dns_rcode_parse, int)
ADAPT_PARSE(p_conn_flag, ea_conn_flag_parse, uint32_t)
ADAPT_PARSE(p_finding_kind, ea_finding_kind_parse, enum ea_finding_kind)
ADAPT_PARSE(p_change_kind, ea_change_kind_parse, enum ea_change_kind)

static const struct enum_spec e_outcome = {p_outcome, 0, 255, false, 0};
static const struct enum_spec e_outcome_why = {p_outcome_why, 1, 0, true, EA_OW_NONE};
static const struct enum_spec e_name_source = {p_name_source, 0, 255, false, 0};
static const struct enum_spec e_transport = {p_transport, 0, 255, false, 0};
static const struct enum_spec e_protocol = {p_transport, 1, 255, true, 0};
static const struct enum_spec e_tls_version = {p_tls_version, 0, 65535, true, 0};
static const struct enum_spec e_verdict = {p_verdict, 0, 255, false, 0};
static const struct enum_spec e_verdict_why = {p_verdict_why, 1, 0, true, EA_VW_NONE};
static const struct enum_spec e_rule_kind = {p_rule_kind, 0, 255, false, 0};
static const struct enum_spec e_fqdn_form = {p_fqdn_form, 0, 255, true, EA_FQDN_EXACT};
static const struct enum_spec e_near_kind = {p_near_kind, 0, 255, false, 0};
static const struct enum_spec e_dns_type = {p_dns_type, 0, 65535, false, 0};
static const struct enum_spec e_dns_rcode = {p_dns_rcode, 0, 65535, true, -1};
/* a flag without a name is written as its bit */
static const struct enum_spec e_conn_flag = {p_conn_flag, 1, UINT32_MAX, false, 0};
static const struct enum_spec e_dns_transport = {p_transport, 1, 0, false, 0};
static const struct enum_spec e_finding_kind = {p_finding_kind, 0, 255, false, 0};
static const struct enum_spec e_change_kind = {p_change_kind, 0, 255, false, 0};
/* a side of a change: null where the host is absent (outcome) or not judged (verdict) */
static const struct enum_spec e_side_outcome = {p_outcome, 0, 255, true, EA_OUT__COUNT};
static const struct enum_spec e_side_verdict = {p_verdict, 0, 255, true, EA_V_NONE};

/* ---- members of an object: get, push the key, read, pop ---- */

static bool f_str(struct rd *d, const json_t *o, const char *key, bool nullable, struct ea_str *out)
{
    json_t *v = get(d, o, key);
    if (!v)
        return false;
    size_t was = push_key(d, key);
    bool ok = read_str(d, v, nullable, out);
    pop(d, was);
    return ok;
}

static bool f_u64(struct rd *d, const json_t *o, const char *key, uint64_t max, uint64_t *out)
{
    json_t *v = get(d, o, key);
    if (!v)
        return false;
    size_t was = push_key(d, key);
    bool ok = read_u64(d, v, max, out);
    pop(d, was);
    return ok;
}

static bool f_u32(struct rd *d, const json_t *o, const char *key, uint32_t *out)
{
    uint64_t u;
    if (!f_u64(d, o, key, UINT32_MAX, &u))
        return false;
    *out = (uint32_t)u;
    return true;
}

static bool f_port(struct rd *d, const json_t *o, const char *key, uint16_t *out)
{
    uint64_t u;
    if (!f_u64(d, o, key, UINT16_MAX, &u))
        return false;
    *out = (uint16_t)u;
    return true;
}

static bool f_int(struct rd *d, const json_t *o, const char *key, long long min, long long max,
                  long long *out)
{
    json_t *v = get(d, o, key);
    if (!v)
        return false;
    size_t was = push_key(d, key);
    bool ok = read_int(d, v, min, max, out);
    pop(d, was);
    return ok;
}

static bool f_bool(struct rd *d, const json_t *o, const char *key, bool *out)
{
    json_t *v = get(d, o, key);
    if (!v)
        return false;
    size_t was = push_key(d, key);
    bool ok = read_bool(d, v, out);
    pop(d, was);
    return ok;
}

static bool f_time(struct rd *d, const json_t *o, const char *key, struct timeval *out)
{
    json_t *v = get(d, o, key);
    if (!v)
        return false;
    size_t was = push_key(d, key);
    bool ok = read_time(d, v, out);
    pop(d, was);
    return ok;
}

static bool f_enum(struct rd *d, const json_t *o, const char *key, const struct enum_spec *e,
                   long long *out)
{
    json_t *v = get(d, o, key);
    if (!v)
        return false;
    size_t was = push_key(d, key);
    bool ok = read_enum(d, v, e, out);
    pop(d, was);
    return ok;
}

/* An array under key (null too when nullable: *out_null), at most max
 * elements; the key is pushed for the caller, who pops it with *was. */
static json_t *f_array(struct rd *d, const json_t *o, const char *key, size_t max, bool nullable,
                       size_t *was)
{
    json_t *v = get(d, o, key);
    if (!v)
        return NULL;
    *was = push_key(d, key);
    if (nullable && json_is_null(v))
        return v;
    if (!json_is_array(v)) {
        fail_type(d, v, nullable ? "an array or null" : "an array");
        return NULL;
    }
    if (json_array_size(v) > max) {
        fail(d, "more than %zu entries", max);
        return NULL;
    }
    return v;
}

static json_t *f_object(struct rd *d, const json_t *o, const char *key, size_t *was)
{
    json_t *v = get(d, o, key);
    if (!v)
        return NULL;
    *was = push_key(d, key);
    if (!json_is_object(v)) {
        fail_type(d, v, "an object");
        return NULL;
    }
    return v;
}

/* An array of strings: *out gets them (freed by the model's owner even
 * when reading stops half-way: *out_n counts what is there). */
static bool read_strs(struct rd *d, const json_t *a, struct ea_str **out, size_t *out_n)
{
    size_t n = json_array_size(a);
    *out = calloc(n ? n : 1, sizeof **out);
    *out_n = 0;
    if (!*out)
        return fail_oom(d);
    for (size_t i = 0; i < n; i++) {
        size_t was = push_index(d, i);
        bool ok = read_str(d, json_array_get(a, i), false, &(*out)[i]);
        pop(d, was);
        if (!ok)
            return false;
        (*out_n)++;
    }
    return true;
}

static bool f_strs(struct rd *d, const json_t *o, const char *key, size_t max, struct ea_str **out,
                   size_t *out_n)
{
    size_t was = 0;
    json_t *a = f_array(d, o, key, max, false, &was);
    bool ok = a && read_strs(d, a, out, out_n);
    pop(d, was);
    return ok;
}

static bool f_flags(struct rd *d, const json_t *o, const char *key, uint32_t *out)
{
    size_t was = 0;
    json_t *a = f_array(d, o, key, 32, false, &was);
    bool ok = a != NULL;
    uint32_t flags = 0;
    for (size_t i = 0; ok && i < json_array_size(a); i++) {
        long long bit = 0;
        size_t w = push_index(d, i);
        ok = read_enum(d, json_array_get(a, i), &e_conn_flag, &bit);
        if (ok && (bit & (bit - 1)) != 0)
            ok = fail(d, "%lld is not a single flag bit", bit);
        pop(d, w);
        flags |= (uint32_t)bit;
    }
    pop(d, was);
    if (ok)
        *out = flags;
    return ok;
}

static bool f_addr(struct rd *d, const json_t *o, const char *key, struct ea_addr *out)
{
    json_t *v = get(d, o, key);
    if (!v)
        return false;
    size_t was = push_key(d, key);
    bool ok = true;
    if (json_is_null(v)) {
        memset(out, 0, sizeof *out);
    } else if (!json_is_string(v)) {
        ok = fail_type(d, v, "an address or null");
    } else if (json_string_length(v) >= EA_ADDR_TEXT_MAX ||
               !ea_addr_parse(json_string_value(v), out)) {
        struct quote q;
        ok =
            fail(d, "not an address: '%s'", quote(&q, json_string_value(v), json_string_length(v)));
    }
    pop(d, was);
    return ok;
}

/* ---- rule and host references ---- */

static bool str_eq(const struct ea_str *a, const struct ea_str *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

static uint64_t hash_str(uint64_t h, const struct ea_str *s)
{
    return ea_hash_bytes(ea_hash_u64(h, s->len), s->s ? s->s : "", s->len);
}

static uint64_t rule_hash(const struct ea_str *dest, const struct ea_str *origin)
{
    return hash_str(hash_str(EA_FNV_OFFSET, dest), origin);
}

static uint64_t host_hash(const struct ea_str *key, uint16_t port)
{
    return ea_hash_u64(hash_str(EA_FNV_OFFSET, key), port);
}

static bool index_init(struct rd *d, struct ref_index *x, size_t n)
{
    size_t slots = 16;
    while (slots < 2 * n)
        slots *= 2; /* n is bounded (REPORT_READ_MAX_ROWS): no overflow */
    x->slots = calloc(slots, sizeof *x->slots);
    x->mask = slots - 1;
    return x->slots ? true : fail_oom(d);
}

static void index_free(struct ref_index *x)
{
    free(x->slots);
    x->slots = NULL;
}

static bool index_rules(struct rd *d)
{
    const struct ea_report *r = d->r;
    if (!index_init(d, &d->rules, r->n_rules))
        return false;
    for (size_t i = 0; i < r->n_rules; i++) {
        const struct ea_rule *rule = &r->rules[i];
        size_t at = rule_hash(&rule->destination, &rule->origin) & d->rules.mask;
        bool dup = false;
        for (; d->rules.slots[at] && !dup; at = (at + 1) & d->rules.mask) {
            const struct ea_rule *o = &r->rules[d->rules.slots[at] - 1];
            dup = str_eq(&o->destination, &rule->destination) && str_eq(&o->origin, &rule->origin);
        }
        if (!dup) /* the first of equal rules is the one cited */
            d->rules.slots[at] = i + 1;
    }
    return true;
}

static long find_rule(const struct rd *d, const struct ea_str *dest, const struct ea_str *origin)
{
    const struct ea_report *r = d->r;
    for (size_t at = rule_hash(dest, origin) & d->rules.mask; d->rules.slots[at];
         at = (at + 1) & d->rules.mask) {
        size_t i = d->rules.slots[at] - 1;
        if (str_eq(&r->rules[i].destination, dest) && str_eq(&r->rules[i].origin, origin))
            return (long)i;
    }
    return -1;
}

static bool index_hosts(struct rd *d)
{
    const struct ea_report *r = d->r;
    if (!index_init(d, &d->hosts, r->n_hosts))
        return false;
    for (size_t i = 0; i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[i];
        size_t at = host_hash(&h->key, h->port) & d->hosts.mask;
        bool dup = false;
        for (; d->hosts.slots[at] && !dup; at = (at + 1) & d->hosts.mask) {
            const struct ea_host *o = &r->hosts[d->hosts.slots[at] - 1];
            dup = o->port == h->port && o->transport == h->transport && str_eq(&o->key, &h->key);
        }
        if (!dup)
            d->hosts.slots[at] = i + 1;
    }
    return true;
}

/* The first host with key and port, and transport unless it is -1. */
static long find_host(const struct rd *d, const struct ea_str *key, uint16_t port, int transport)
{
    const struct ea_report *r = d->r;
    for (size_t at = host_hash(key, port) & d->hosts.mask; d->hosts.slots[at];
         at = (at + 1) & d->hosts.mask) {
        size_t i = d->hosts.slots[at] - 1;
        if (r->hosts[i].port == port && str_eq(&r->hosts[i].key, key) &&
            (transport < 0 || (int)r->hosts[i].transport == transport))
            return (long)i;
    }
    return -1;
}

/* {"pattern", "origin"} (and "kind" in a citation): the rule's index. */
static bool read_rule_ref(struct rd *d, const json_t *v, bool with_kind, long *out)
{
    if (!json_is_object(v))
        return fail_type(d, v, "an object");
    struct ea_str pattern = {0}, origin = {0};
    long long kind = 0;
    bool ok = f_str(d, v, "pattern", false, &pattern) && f_str(d, v, "origin", false, &origin) &&
              (!with_kind || f_enum(d, v, "kind", &e_rule_kind, &kind));
    long i = ok ? find_rule(d, &pattern, &origin) : -1;
    if (ok && i < 0) {
        struct quote q1, q2;
        ok = fail(d, "names no rule of \"rules\" ('%s' from '%s')",
                  quote(&q1, pattern.s, pattern.len), quote(&q2, origin.s, origin.len));
    }
    if (ok && with_kind && (long long)d->r->rules[i].kind != kind)
        ok = fail(d, "\"kind\" is not the kind of the rule it names");
    ea_str_clear(&pattern);
    ea_str_clear(&origin);
    if (ok)
        *out = i;
    return ok;
}

/* verdict, rule and verdict_why of a host or a connection. */
static bool read_verdict(struct rd *d, const json_t *o, enum ea_verdict *verdict, long *rule,
                         enum ea_verdict_why *why)
{
    long long v, w;
    long cited = -1;
    json_t *cite = get(d, o, "rule");
    if (!cite || !f_enum(d, o, "verdict", &e_verdict, &v))
        return false;
    size_t was = push_key(d, "rule");
    bool ok = json_is_null(cite) || read_rule_ref(d, cite, true, &cited);
    pop(d, was);
    if (!ok || !f_enum(d, o, "verdict_why", &e_verdict_why, &w))
        return false;
    *verdict = (enum ea_verdict)v;
    *rule = cited;
    *why = (enum ea_verdict_why)w;
    return true;
}

/* ---- the head ---- */

static bool read_schema(struct rd *d)
{
    json_t *v = d->member[M_SCHEMA];
    if (!d->seen[M_SCHEMA])
        return fail(d, "not an egress-audit report (no \"schema\")");
    size_t was = push_key(d, "schema");
    long long n = 0;
    bool ok = v && read_int(d, v, LLONG_MIN, LLONG_MAX, &n);
    pop(d, was);
    if (!ok)
        return false;
    if (n > EA_SCHEMA)
        return fail(d, "schema %lld is newer than this egress-audit reads (%d)", n, EA_SCHEMA);
    if (n != EA_SCHEMA)
        return fail(d, "schema %lld is not one this egress-audit reads (%d)", n, EA_SCHEMA);
    return true;
}

/* A member of the top level that the report must have. */
static json_t *top(struct rd *d, enum member m)
{
    if (!d->member[m])
        fail(d, "no \"%s\"", member_names[m]);
    return d->member[m];
}

static bool read_tool(struct rd *d)
{
    json_t *tool = top(d, M_TOOL);
    if (!tool)
        return false;
    size_t was = push_key(d, "tool");
    struct ea_str name = {0}, version = {0};
    bool ok = json_is_object(tool) ? true : fail_type(d, tool, "an object");
    ok = ok && f_str(d, tool, "name", false, &name) && f_str(d, tool, "version", true, &version);
    if (ok && version.s && memchr(version.s, '\0', version.len)) {
        push_key(d, "version");
        ok = fail(d, "has a NUL byte");
    }
    pop(d, was);
    if (ok && (name.len != strlen(TOOL_NAME) || memcmp(name.s, TOOL_NAME, name.len) != 0)) {
        struct quote q;
        ok = fail(d, "not an egress-audit report (tool.name is '%s')", quote(&q, name.s, name.len));
    }
    if (ok && version.s) {
        d->r->tool_version_copy = version.s; /* the model owns it now */
        d->r->tool_version = version.s;
        version.s = NULL;
    }
    ea_str_clear(&name);
    ea_str_clear(&version);
    return ok;
}

static bool read_input(struct rd *d, const json_t *o)
{
    struct ea_input *in = ea_report_add_input(d->r);
    if (!in)
        return fail_oom(d);
    long long linktype = 0;
    uint64_t offset = 0;
    json_t *off;
    bool ok = f_str(d, o, "path", false, &in->path) &&
              f_int(d, o, "linktype", INT_MIN, INT_MAX, &linktype) &&
              f_str(d, o, "linktype_name", true, &in->linktype_name) &&
              f_u64(d, o, "packets", UINT64_MAX, &in->packets) &&
              f_bool(d, o, "truncated", &in->truncated) && (off = get(d, o, "truncated_offset"));
    if (ok && !json_is_null(off))
        ok = f_u64(d, o, "truncated_offset", UINT64_MAX, &offset);
    in->linktype = (int)linktype;
    in->truncated_offset = offset;
    /* the place on the command line, only when the files were reordered */
    if (ok && json_object_get(o, "given_position")) {
        uint64_t g;
        ok = f_u64(d, o, "given_position", UINT32_MAX, &g);
        in->given_position = ok ? (unsigned)g : 0;
        if (ok && g == 0)
            ok = fail(d, "\"given_position\" counts from 1");
    }
    /* a live capture's figures (egress-audit capture), only on such inputs */
    json_t *cap = ok ? json_object_get(o, "capture") : NULL;
    if (cap) {
        struct ea_capture_stats *cs = &in->capture;
        size_t was = push_key(d, "capture");
        ok = json_is_object(cap) ? true : fail_type(d, cap, "an object");
        ok = ok && f_str(d, cap, "interface", false, &cs->interface) &&
             f_bool(d, cap, "written", &cs->written) &&
             f_u64(d, cap, "cutoff", UINT64_MAX, &cs->cutoff) &&
             f_bool(d, cap, "cutoff_headers", &cs->cutoff_headers) &&
             f_u64(d, cap, "packets_seen", UINT64_MAX, &cs->packets_seen) &&
             f_u64(d, cap, "bytes_seen", UINT64_MAX, &cs->bytes_seen) &&
             f_u64(d, cap, "packets_written", UINT64_MAX, &cs->packets_written) &&
             f_u64(d, cap, "bytes_written", UINT64_MAX, &cs->bytes_written) &&
             f_u64(d, cap, "cut_packets", UINT64_MAX, &cs->cut_packets) &&
             f_u64(d, cap, "cut_bytes", UINT64_MAX, &cs->cut_bytes) &&
             f_u64(d, cap, "kernel_drops", UINT64_MAX, &cs->kernel_drops) &&
             f_u64(d, cap, "interface_drops", UINT64_MAX, &cs->interface_drops) &&
             f_str(d, cap, "write_error", true, &cs->write_error);
        cs->live = ok;
        pop(d, was);
    }
    return ok;
}

static bool read_inputs(struct rd *d)
{
    json_t *a = top(d, M_INPUTS);
    if (!a)
        return false;
    size_t was = push_key(d, "inputs");
    bool ok = json_is_array(a) ? true : fail_type(d, a, "an array");
    if (ok && json_array_size(a) > REPORT_READ_MAX_LIST)
        ok = fail(d, "more than %zu entries", REPORT_READ_MAX_LIST);
    for (size_t i = 0; ok && i < json_array_size(a); i++) {
        size_t w = push_index(d, i);
        json_t *o = json_array_get(a, i);
        ok = json_is_object(o) ? read_input(d, o) : fail_type(d, o, "an object");
        pop(d, w);
    }
    pop(d, was);
    return ok;
}

static bool read_truncated_and_time(struct rd *d)
{
    json_t *t = top(d, M_TRUNCATED);
    if (!t)
        return false;
    size_t was = push_key(d, "truncated");
    bool ok = read_bool(d, t, &d->r->truncated);
    pop(d, was);
    json_t *time = ok ? top(d, M_TIME) : NULL;
    if (!time)
        return false;
    if (json_is_null(time))
        return true;
    was = push_key(d, "time");
    ok = json_is_object(time) ? true : fail_type(d, time, "an object or null");
    ok = ok && f_time(d, time, "first", &d->r->first) && f_time(d, time, "last", &d->r->last);
    pop(d, was);
    d->r->have_time = ok;
    /* "snaplen_cut": {frames, snaplen} or null, added within schema 1 */
    json_t *cut = ok ? d->member[M_SNAPLEN_CUT] : NULL;
    if (cut && !json_is_null(cut)) {
        uint64_t frames = 0, snaplen = 0;
        was = push_key(d, "snaplen_cut");
        ok = json_is_object(cut) ? true : fail_type(d, cut, "an object or null");
        ok = ok && f_u64(d, cut, "frames", UINT64_MAX, &frames) &&
             f_u64(d, cut, "snaplen", UINT32_MAX, &snaplen);
        d->r->snaplen_cut_frames = frames;
        d->r->snaplen_seen = (uint32_t)snaplen;
        pop(d, was);
    }
    return ok;
}

/* ---- the allowlist ---- */

/* "10.0.0.0/8", "2001:db8::/32" as render_json writes a prefix. */
static bool parse_net(const char *s, size_t len, struct ea_net *out)
{
    const char *slash = memrchr(s, '/', len);
    if (!slash || slash == s || (size_t)(slash - s) >= EA_ADDR_TEXT_MAX)
        return false;
    char text[EA_ADDR_TEXT_MAX];
    size_t alen = (size_t)(slash - s);
    memcpy(text, s, alen);
    text[alen] = '\0';
    struct ea_net n = {0};
    if (!ea_addr_parse(text, &n.addr))
        return false;
    size_t digits = len - alen - 1;
    unsigned bits = 0;
    if (digits == 0 || digits > 3)
        return false;
    for (size_t i = alen + 1; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        bits = bits * 10 + (unsigned)(s[i] - '0');
    }
    if (bits > (n.addr.family == 4 ? 32u : 128u))
        return false;
    n.len = (uint8_t)bits;
    *out = n;
    return true;
}

/* "443" or "8000-8100". */
static bool parse_port(const char **s, const char *end, uint16_t *out)
{
    unsigned v = 0;
    const char *p = *s;
    while (p < end && *p >= '0' && *p <= '9' && p - *s < 5)
        v = v * 10 + (unsigned)(*p++ - '0');
    if (p == *s || v > UINT16_MAX)
        return false;
    *s = p;
    *out = (uint16_t)v;
    return true;
}

static bool parse_port_range(const char *s, size_t len, struct ea_port_range *out)
{
    const char *end = s + len;
    struct ea_port_range p;
    if (!parse_port(&s, end, &p.lo))
        return false;
    p.hi = p.lo;
    if (s < end && *s == '-') {
        s++;
        if (!parse_port(&s, end, &p.hi))
            return false;
    }
    if (s != end || p.lo > p.hi)
        return false;
    *out = p;
    return true;
}

static bool read_rule_nets(struct rd *d, const json_t *o, struct ea_rule *rule)
{
    size_t was = 0;
    json_t *a = f_array(d, o, "addresses", REPORT_READ_MAX_LIST, false, &was);
    bool ok = a != NULL;
    size_t n = ok ? json_array_size(a) : 0;
    if (ok && n && !(rule->nets = calloc(n, sizeof *rule->nets)))
        ok = fail_oom(d);
    for (size_t i = 0; ok && i < n; i++) {
        json_t *v = json_array_get(a, i);
        size_t w = push_index(d, i);
        if (!json_is_string(v)) {
            ok = fail_type(d, v, "a string");
        } else if (!parse_net(json_string_value(v), json_string_length(v), &rule->nets[i])) {
            struct quote q;
            ok = fail(d, "not an address prefix: '%s'",
                      quote(&q, json_string_value(v), json_string_length(v)));
        }
        pop(d, w);
        rule->n_nets += ok;
    }
    pop(d, was);
    return ok;
}

static bool read_rule_ports(struct rd *d, const json_t *o, struct ea_rule *rule)
{
    size_t was = 0;
    json_t *a = f_array(d, o, "ports", 65536, false, &was);
    bool ok = a != NULL;
    size_t n = ok ? json_array_size(a) : 0;
    if (ok && n && !(rule->ports = calloc(n, sizeof *rule->ports)))
        ok = fail_oom(d);
    for (size_t i = 0; ok && i < n; i++) {
        json_t *v = json_array_get(a, i);
        size_t w = push_index(d, i);
        if (!json_is_string(v)) {
            ok = fail_type(d, v, "a string");
        } else if (!parse_port_range(json_string_value(v), json_string_length(v),
                                     &rule->ports[i])) {
            struct quote q;
            ok = fail(d, "not a port or a port range: '%s'",
                      quote(&q, json_string_value(v), json_string_length(v)));
        }
        pop(d, w);
        rule->n_ports += ok;
    }
    pop(d, was);
    return ok;
}

static bool read_rule(struct rd *d, const json_t *o)
{
    struct ea_rule *rule = ea_report_add_rule(d->r);
    if (!rule)
        return fail_oom(d);
    long long kind, form, proto;
    bool active;
    bool ok = f_enum(d, o, "kind", &e_rule_kind, &kind) &&
              f_str(d, o, "destination", false, &rule->destination) &&
              f_str(d, o, "name", true, &rule->name) &&
              f_str(d, o, "origin", false, &rule->origin) &&
              f_str(d, o, "category", true, &rule->category) &&
              f_str(d, o, "status", true, &rule->status) && f_bool(d, o, "active", &active) &&
              f_enum(d, o, "form", &e_fqdn_form, &form) &&
              f_str(d, o, "service_tag", true, &rule->service_tag) && read_rule_nets(d, o, rule) &&
              read_rule_ports(d, o, rule) && f_enum(d, o, "protocol", &e_protocol, &proto) &&
              f_u64(d, o, "hosts_permitted", UINT64_MAX, &rule->hosts_permitted);
    /* keys added within schema 1: a report written before them lacks them */
    if (ok && json_object_get(o, "subresource_target"))
        ok = f_str(d, o, "subresource_target", true, &rule->subresource_target);
    json_t *spark = ok ? json_object_get(o, "spark_enabled") : NULL;
    if (spark && !json_is_null(spark)) {
        ok = f_bool(d, o, "spark_enabled", &rule->spark_enabled);
        rule->has_spark_enabled = ok;
    }
    if (ok) {
        rule->kind = (enum ea_rule_kind)kind;
        rule->inactive = !active;
        rule->form = (enum ea_fqdn_form)form;
        rule->protocol = (uint8_t)proto;
    }
    return ok;
}

/* An array of objects at the top level, each read by fn. */
static bool read_top_list(struct rd *d, enum member m, bool (*fn)(struct rd *, const json_t *))
{
    json_t *a = top(d, m);
    if (!a)
        return false;
    size_t was = push_key(d, member_names[m]);
    bool ok = json_is_array(a) ? true : fail_type(d, a, "an array");
    if (ok && json_array_size(a) > REPORT_READ_MAX_LIST)
        ok = fail(d, "more than %zu entries", REPORT_READ_MAX_LIST);
    for (size_t i = 0; ok && i < json_array_size(a); i++) {
        size_t w = push_index(d, i);
        json_t *o = json_array_get(a, i);
        ok = json_is_object(o) ? fn(d, o) : fail_type(d, o, "an object");
        pop(d, w);
    }
    pop(d, was);
    return ok;
}

/* unused_rules, inactive_rules: rule references, into a list of indexes. */
static bool read_rule_list(struct rd *d, enum member m, size_t **out, size_t *out_n)
{
    json_t *a = top(d, m);
    if (!a)
        return false;
    size_t was = push_key(d, member_names[m]);
    bool ok = json_is_array(a) ? true : fail_type(d, a, "an array");
    if (ok && json_array_size(a) > REPORT_READ_MAX_LIST)
        ok = fail(d, "more than %zu entries", REPORT_READ_MAX_LIST);
    size_t n = ok ? json_array_size(a) : 0;
    size_t *v = ok ? calloc(n ? n : 1, sizeof *v) : NULL;
    if (ok && !v)
        ok = fail_oom(d);
    for (size_t i = 0; ok && i < n; i++) {
        size_t w = push_index(d, i);
        long rule;
        ok = read_rule_ref(d, json_array_get(a, i), false, &rule);
        pop(d, w);
        v[i] = (size_t)rule;
    }
    pop(d, was);
    if (!ok) {
        free(v);
        return false;
    }
    free(*out);
    *out = v;
    *out_n = n;
    return true;
}

static bool read_near_miss(struct rd *d, const json_t *o)
{
    struct ea_report *r = d->r;
    struct ea_near_miss *m = &r->near_misses[r->n_near_misses]; /* room for all */
    struct ea_str host = {0}, text = {0};
    uint16_t port;
    long long kind;
    long rule = -1;
    json_t *ref = get(d, o, "rule");
    bool ok = f_str(d, o, "host", false, &host) && f_port(d, o, "port", &port) && ref;
    if (ok) {
        size_t was = push_key(d, "rule");
        ok = read_rule_ref(d, ref, false, &rule);
        pop(d, was);
    }
    ok = ok && f_enum(d, o, "kind", &e_near_kind, &kind) && f_str(d, o, "text", false, &text);
    long h = ok ? find_host(d, &host, port, -1) : -1;
    if (ok && h < 0) {
        struct quote q;
        size_t was = push_key(d, "host");
        ok = fail(d, "names no host of \"hosts\" ('%s' port %u)", quote(&q, host.s, host.len),
                  (unsigned)port);
        pop(d, was);
    }
    /* text is the sentence the writer makes of the rest: not kept */
    ea_str_clear(&host);
    ea_str_clear(&text);
    if (ok) {
        *m = (struct ea_near_miss){(size_t)h, (size_t)rule, (enum ea_near_kind)kind};
        r->n_near_misses++;
    }
    return ok;
}

static bool read_verdicts(struct rd *d)
{
    json_t *o = top(d, M_VERDICTS);
    if (!o)
        return false;
    size_t was = push_key(d, "verdicts");
    bool ok = json_is_object(o) ? true : fail_type(d, o, "an object");
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        long long verdict;
        uint64_t n;
        if (!ok)
            break;
        if (!p_verdict(key, strlen(key), &verdict)) {
            struct quote q;
            ok = fail(d, "unknown value '%s'", quote(&q, key, strlen(key)));
            break;
        }
        size_t w = push_key(d, key);
        ok = read_u64(d, v, UINT32_MAX, &n);
        pop(d, w);
        d->r->verdict_hosts[verdict] = (uint32_t)n;
    }
    pop(d, was);
    return ok;
}

static bool read_remedy(struct rd *d, const json_t *o)
{
    struct ea_report *r = d->r;
    struct ea_remedy *m = &r->remedies[r->n_remedies++]; /* zeroed: freed as it is */
    bool ok = f_str(d, o, "destination", false, &m->destination) &&
              f_str(d, o, "rule_name", false, &m->rule_name) &&
              f_bool(d, o, "wildcard", &m->wildcard) &&
              f_strs(d, o, "covers", REPORT_READ_MAX_LIST, &m->covers, &m->n_covers);
    /* an activation of an Inactive rule: "activate": true and the rule */
    if (ok && json_object_get(o, "activate")) {
        ok = f_bool(d, o, "activate", &m->activate);
        if (ok && !m->activate)
            ok = fail(d, "\"activate\" is written only as true");
        long rule = -1;
        json_t *ref = ok ? get(d, o, "rule") : NULL;
        if (ok && !ref)
            ok = false;
        if (ok) {
            size_t w = push_key(d, "rule");
            ok = read_rule_ref(d, ref, false, &rule);
            pop(d, w);
        }
        if (ok)
            m->rule = (size_t)rule;
    }
    return ok;
}

static bool read_remediation(struct rd *d)
{
    json_t *o = top(d, M_REMEDIATION);
    if (!o)
        return false;
    size_t was = push_key(d, "remediation");
    size_t w = 0;
    bool ok = json_is_object(o) ? true : fail_type(d, o, "an object");
    json_t *add = ok ? f_array(d, o, "add", REPORT_READ_MAX_LIST, false, &w) : NULL;
    ok = add != NULL;
    size_t n = ok ? json_array_size(add) : 0;
    if (ok && !(d->r->remedies = calloc(n ? n : 1, sizeof *d->r->remedies)))
        ok = fail_oom(d);
    for (size_t i = 0; ok && i < n; i++) {
        size_t wi = push_index(d, i);
        json_t *e = json_array_get(add, i);
        ok = json_is_object(e) ? read_remedy(d, e) : fail_type(d, e, "an object");
        pop(d, wi);
    }
    pop(d, w);
    /* service_notes: added within schema 1 */
    json_t *svc = ok ? json_object_get(o, "service_notes") : NULL;
    if (svc) {
        size_t ws = push_key(d, "service_notes");
        ok = json_is_array(svc) ? true : fail_type(d, svc, "an array");
        size_t m = ok ? json_array_size(svc) : 0;
        if (ok && m > 256)
            ok = fail(d, "more than 256 entries");
        if (ok && m && !(d->r->service_notes = calloc(m, sizeof *d->r->service_notes)))
            ok = fail_oom(d);
        for (size_t i = 0; ok && i < m; i++) {
            size_t wi = push_index(d, i);
            json_t *e = json_array_get(svc, i);
            struct ea_service_note *sn = &d->r->service_notes[d->r->n_service_notes++];
            ok = json_is_object(e) ? true : fail_type(d, e, "an object");
            ok = ok && f_str(d, e, "service", false, &sn->service) &&
                 f_str(d, e, "guidance", false, &sn->guidance) &&
                 f_str(d, e, "source", false, &sn->source) &&
                 f_str(d, e, "date", false, &sn->date) &&
                 f_strs(d, e, "covers", REPORT_READ_MAX_LIST, &sn->covers, &sn->n_covers);
            pop(d, wi);
        }
        pop(d, ws);
    }
    /* notes: the writer's own text, written whenever there is something to add */
    json_t *notes = ok ? f_array(d, o, "notes", 16, false, &w) : NULL;
    ok = notes != NULL;
    for (size_t i = 0; ok && i < json_array_size(notes); i++) {
        json_t *e = json_array_get(notes, i);
        if (!json_is_string(e)) {
            size_t wi = push_index(d, i);
            ok = fail_type(d, e, "a string");
            pop(d, wi);
        }
    }
    pop(d, w);
    pop(d, was);
    return ok;
}

static bool read_rules(struct rd *d)
{
    if (!read_top_list(d, M_RULES, read_rule))
        return false;
    /* inactive_rules and rule_sources as the model makes them; the report's
     * own inactive_rules replace the first later */
    if (!ea_report_index_rules(d->r))
        return fail_oom(d);
    return index_rules(d);
}

static bool read_near_misses(struct rd *d)
{
    json_t *a = top(d, M_NEAR_MISSES);
    size_t n = json_is_array(a) ? json_array_size(a) : 0;
    /* room for each; read_top_list refuses what is not an array, or longer */
    if (a && n <= REPORT_READ_MAX_LIST &&
        !(d->r->near_misses = calloc(n ? n : 1, sizeof *d->r->near_misses)))
        return fail_oom(d);
    return read_top_list(d, M_NEAR_MISSES, read_near_miss);
}

/* "duplicate_rules": [{pattern, origin, duplicate_of: {pattern, origin}}];
 * added within schema 1, so a report without it has none. */
static bool read_duplicates(struct rd *d)
{
    struct ea_report *r = d->r;
    json_t *a = d->member[M_DUPLICATE_RULES];
    if (!a)
        return true;
    size_t was = push_key(d, member_names[M_DUPLICATE_RULES]);
    bool ok = json_is_array(a) ? true : fail_type(d, a, "an array");
    if (ok && json_array_size(a) > REPORT_READ_MAX_LIST)
        ok = fail(d, "more than %zu entries", REPORT_READ_MAX_LIST);
    size_t n = ok ? json_array_size(a) : 0;
    struct ea_duplicate *v = ok ? calloc(n ? n : 1, sizeof *v) : NULL;
    if (ok && !v)
        ok = fail_oom(d);
    for (size_t i = 0; ok && i < n; i++) {
        size_t w = push_index(d, i);
        json_t *e = json_array_get(a, i);
        long rule = -1, of = -1;
        ok = read_rule_ref(d, e, false, &rule);
        json_t *dup = ok ? get(d, e, "duplicate_of") : NULL;
        if (ok && !dup)
            ok = false;
        if (ok) {
            size_t w2 = push_key(d, "duplicate_of");
            ok = read_rule_ref(d, dup, false, &of);
            pop(d, w2);
        }
        if (ok)
            v[i] = (struct ea_duplicate){(size_t)rule, (size_t)of};
        pop(d, w);
    }
    pop(d, was);
    if (!ok) {
        free(v);
        return false;
    }
    free(r->duplicate_rules);
    r->duplicate_rules = v;
    r->n_duplicate_rules = n;
    return true;
}

/* "findings": [{kind, host, port, transport, ...}]; added within schema 1.
 * They are derived from the hosts (ea_report_derive makes them again), so
 * they are only checked: a known kind, and a host the report has. */
static bool read_finding(struct rd *d, const json_t *o)
{
    struct ea_str host = {0};
    uint16_t port = 0;
    long long kind, transport;
    bool ok = f_enum(d, o, "kind", &e_finding_kind, &kind) && f_str(d, o, "host", false, &host) &&
              f_port(d, o, "port", &port) && f_enum(d, o, "transport", &e_transport, &transport);
    if (ok && find_host(d, &host, port, (int)transport) < 0) {
        struct quote q;
        size_t was = push_key(d, "host");
        ok = fail(d, "names no host of \"hosts\" ('%s' port %u)", quote(&q, host.s, host.len),
                  (unsigned)port);
        pop(d, was);
    }
    ea_str_clear(&host);
    return ok;
}

static bool read_findings(struct rd *d)
{
    if (!d->member[M_FINDINGS])
        return true;
    return read_top_list(d, M_FINDINGS, read_finding);
}

/* The keys that go with "rules", once the hosts are read. */
static bool read_policy_lists(struct rd *d)
{
    struct ea_report *r = d->r;
    return read_rule_list(d, M_UNUSED_RULES, &r->unused_rules, &r->n_unused_rules) &&
           read_duplicates(d) &&
           read_rule_list(d, M_INACTIVE_RULES, &r->inactive_rules, &r->n_inactive_rules) &&
           index_hosts(d) && read_near_misses(d) && read_findings(d) && read_verdicts(d) &&
           read_remediation(d);
}

/* ---- a union of reports, and a diff ---- */

/* "runs": [{"path", "inputs": [i, i+1, ...]}]: consecutive inputs, each run's after the last. */
static bool read_run(struct rd *d, const json_t *o)
{
    struct ea_report *r = d->r;
    struct ea_run *run = &r->runs[r->n_runs]; /* room for all */
    memset(run, 0, sizeof *run);
    size_t was = 0;
    bool ok = f_str(d, o, "path", false, &run->path);
    json_t *a = ok ? f_array(d, o, "inputs", REPORT_READ_MAX_LIST, false, &was) : NULL;
    size_t next =
        r->n_runs ? r->runs[r->n_runs - 1].first_input + r->runs[r->n_runs - 1].n_inputs : 0;
    run->first_input = next;
    ok = a != NULL;
    for (size_t i = 0; ok && i < json_array_size(a); i++) {
        uint64_t at;
        size_t w = push_index(d, i);
        ok = read_u64(d, json_array_get(a, i), UINT64_MAX, &at);
        if (ok && (at != next + i || at >= r->n_inputs))
            ok = fail(d, "not the next input of \"inputs\" (%zu)", next + i);
        pop(d, w);
    }
    pop(d, was);
    run->n_inputs = ok ? json_array_size(a) : 0;
    r->n_runs++; /* freed by the model's owner, even half read */
    return ok;
}

static bool read_runs(struct rd *d)
{
    json_t *a = d->member[M_RUNS];
    if (!a)
        return true;
    size_t n = json_is_array(a) ? json_array_size(a) : 0;
    if (n && n <= REPORT_READ_MAX_LIST && !(d->r->runs = calloc(n, sizeof *d->r->runs)))
        return fail_oom(d);
    return read_top_list(d, M_RUNS, read_run);
}

/* hosts[].runs: the runs that contacted the host, ascending. */
static bool read_host_runs(struct rd *d, const json_t *o, struct ea_host *h)
{
    if (!d->r->n_runs)
        return true; /* "runs" absent: a key of unions only */
    size_t was = 0;
    json_t *a = f_array(d, o, "runs", d->r->n_runs, false, &was);
    bool ok = a != NULL;
    size_t n = ok ? json_array_size(a) : 0;
    if (ok && n && !(h->runs = calloc(n, sizeof *h->runs)))
        ok = fail_oom(d);
    for (size_t i = 0; ok && i < n; i++) {
        long long run;
        size_t w = push_index(d, i);
        ok = read_int(d, json_array_get(a, i), 0, (long long)d->r->n_runs - 1, &run);
        if (ok && i && run <= (long long)h->runs[i - 1])
            ok = fail(d, "runs out of order");
        pop(d, w);
        if (ok)
            h->runs[h->n_runs++] = (uint32_t)run;
    }
    pop(d, was);
    return ok;
}

/* "outcome", "verdict", "connections" of a change: {"old", "new"}. */
static json_t *f_sides(struct rd *d, const json_t *o, const char *key, size_t *was)
{
    json_t *v = f_object(d, o, key, was);
    if (v && (!get(d, v, "old") || !get(d, v, "new")))
        return NULL;
    return v;
}

static bool read_change(struct rd *d, struct ea_change *c, const json_t *o)
{
    long long kind, transport, oo, no, ov, nv;
    bool ok = f_enum(d, o, "change", &e_change_kind, &kind) && f_str(d, o, "key", false, &c->key) &&
              f_port(d, o, "port", &c->port) && f_enum(d, o, "transport", &e_transport, &transport);
    json_t *name = ok ? get(d, o, "name") : NULL;
    ok = name != NULL;
    size_t was = 0;
    json_t *sides = ok ? f_sides(d, o, "outcome", &was) : NULL;
    ok = sides && f_enum(d, sides, "old", &e_side_outcome, &oo) &&
         f_enum(d, sides, "new", &e_side_outcome, &no);
    pop(d, was);
    sides = ok ? f_sides(d, o, "verdict", &was) : NULL;
    ok = sides && f_enum(d, sides, "old", &e_side_verdict, &ov) &&
         f_enum(d, sides, "new", &e_side_verdict, &nv);
    pop(d, was);
    sides = ok ? f_sides(d, o, "connections", &was) : NULL;
    ok = sides && f_u64(d, sides, "old", UINT64_MAX, &c->old_conns) &&
         f_u64(d, sides, "new", UINT64_MAX, &c->new_conns);
    pop(d, was);
    if (!ok)
        return false;
    c->kind = (enum ea_change_kind)kind;
    c->named = !json_is_null(name);
    c->transport = (enum ea_transport)transport;
    c->old_outcome = (enum ea_outcome)oo;
    c->new_outcome = (enum ea_outcome)no;
    c->old_verdict = (enum ea_verdict)ov;
    c->new_verdict = (enum ea_verdict)nv;
    if ((unsigned)c->kind < EA_CHANGE__COUNT)
        d->r->diff.counts[c->kind]++;
    return true;
}

/* "diff": {"base", "changes": [...]}; only in a report made with --diff. */
static bool read_diff(struct rd *d)
{
    json_t *o = d->member[M_DIFF];
    if (!o)
        return true;
    struct ea_diff *diff = &d->r->diff;
    size_t was = push_key(d, "diff"), w = 0;
    bool ok = json_is_object(o) ? true : fail_type(d, o, "an object");
    ok = ok && f_str(d, o, "base", false, &diff->base);
    json_t *a = ok ? f_array(d, o, "changes", REPORT_READ_MAX_LIST, false, &w) : NULL;
    ok = a != NULL;
    size_t n = ok ? json_array_size(a) : 0;
    if (ok && n && !(diff->changes = calloc(n, sizeof *diff->changes)))
        ok = fail_oom(d);
    for (size_t i = 0; ok && i < n; i++) {
        size_t wi = push_index(d, i);
        json_t *e = json_array_get(a, i);
        diff->n_changes++; /* zeroed: freed as it is */
        ok =
            json_is_object(e) ? read_change(d, &diff->changes[i], e) : fail_type(d, e, "an object");
        pop(d, wi);
    }
    pop(d, w);
    pop(d, was);
    diff->present = true;
    return ok;
}

/* ---- hosts, connections, dns ---- */

static bool read_outcomes(struct rd *d, const json_t *o, struct ea_host *h)
{
    size_t was = 0;
    json_t *outs = f_object(d, o, "outcomes", &was);
    bool ok = outs != NULL;
    const char *key;
    json_t *v;
    json_object_foreach(outs, key, v)
    {
        long long out;
        uint64_t n;
        if (!ok)
            break;
        if (!p_outcome(key, strlen(key), &out)) {
            struct quote q;
            ok = fail(d, "unknown value '%s'", quote(&q, key, strlen(key)));
            break;
        }
        size_t w = push_key(d, key);
        ok = read_u64(d, v, UINT32_MAX, &n);
        pop(d, w);
        h->outcomes[out] = (uint32_t)n;
    }
    pop(d, was);
    return ok;
}

static bool read_host(struct rd *d, size_t i, json_t *o)
{
    if (!json_is_object(o))
        return fail_type(d, o, "an object");
    struct ea_host *h = ea_report_add_host(d->r);
    if (!h)
        return fail_oom(d);
    json_t *name = get(d, o, "name");
    if (!name)
        return false;
    if (!json_is_null(name) && !json_is_string(name)) {
        size_t was = push_key(d, "name");
        fail_type(d, name, "a string or null");
        pop(d, was);
        return false;
    }
    h->named = !json_is_null(name); /* a name is the key itself */
    long long transport, source, outcome;
    uint64_t conns;
    bool ok = f_str(d, o, "key", false, &h->key) && f_port(d, o, "port", &h->port) &&
              f_enum(d, o, "transport", &e_transport, &transport) &&
              f_enum(d, o, "name_source", &e_name_source, &source) &&
              f_enum(d, o, "outcome", &e_outcome, &outcome) && read_outcomes(d, o, h) &&
              f_u64(d, o, "connections", SIZE_MAX, &conns) &&
              f_strs(d, o, "addresses", EA_HOST_MAX_ADDRS, &h->addrs, &h->n_addrs) &&
              f_strs(d, o, "resolved_as", EA_HOST_MAX_ADDRS, &h->resolved_as, &h->n_resolved_as) &&
              f_flags(d, o, "flags", &h->flags) &&
              f_u64(d, o, "bytes_out", UINT64_MAX, &h->bytes_out) &&
              f_u64(d, o, "bytes_in", UINT64_MAX, &h->bytes_in) &&
              f_time(d, o, "first", &h->first) && f_time(d, o, "last", &h->last);
    if (!ok || !names_agree(d, "name", h->named, "name_source", source))
        return false;
    h->transport = (enum ea_transport)transport;
    h->name_source = (enum ea_name_source)source;
    h->outcome = (enum ea_outcome)outcome;
    h->n_conns = (size_t)conns;
    /* keys added within schema 1: absent from older reports */
    json_t *svc = json_object_get(o, "service");
    if (svc && !json_is_null(svc)) {
        size_t was = push_key(d, "service");
        ok = json_is_object(svc) ? true : fail_type(d, svc, "an object or null");
        struct ea_service *sv = ok ? ea_host_service(h) : NULL;
        ok = sv && f_str(d, svc, "name", false, &sv->name) &&
             f_str(d, svc, "role", false, &sv->role) && f_str(d, svc, "source", false, &sv->source);
        if (!ok)
            ea_host_service_drop(h);
        pop(d, was);
        if (!ok)
            return false;
    }
    if (d->r->has_policy && !read_verdict(d, o, &h->verdict, &h->rule, &h->verdict_why))
        return false;
    if (d->r->has_policy && json_object_get(o, "known_in") &&
        !f_strs(d, o, "known_in", 64, &h->known_in, &h->n_known_in))
        return false;
    /* a worker's report of analyze -j (never a report a user holds) */
    if (json_object_get(o, "shard_seq") &&
        !(f_u64(d, o, "shard_seq", UINT64_MAX, &h->seq) &&
          f_u64(d, o, "shard_first_seq", UINT64_MAX, &h->first_seq)))
        return false;
    return read_host_runs(d, o, h);
}

static bool read_chain(struct rd *d, const json_t *o, struct ea_conn *c)
{
    size_t was = 0;
    json_t *a = f_array(d, o, "resolved_as", REPORT_READ_MAX_CHAIN, true, &was);
    bool ok = a != NULL;
    if (ok && !json_is_null(a)) {
        c->has_resolved = true;
        ok = read_strs(d, a, &c->resolved.names, &c->resolved.n_names);
    }
    pop(d, was);
    return ok;
}

static bool read_conn(struct rd *d, size_t i, json_t *o)
{
    if (!json_is_object(o))
        return fail_type(d, o, "an object");
    struct ea_conn *c = ea_report_add_conn(d->r);
    if (!c)
        return fail_oom(d);
    c->rule = -1;
    long long source, transport, outcome, why, tls, status = 0;
    json_t *st;
    bool ok =
        f_str(d, o, "name", true, &c->name) &&
        f_enum(d, o, "name_source", &e_name_source, &source) && f_addr(d, o, "dst", &c->dst) &&
        f_port(d, o, "dport", &c->dport) && f_addr(d, o, "src", &c->src) &&
        f_port(d, o, "sport", &c->sport) && f_enum(d, o, "transport", &e_transport, &transport) &&
        f_enum(d, o, "outcome", &e_outcome, &outcome) &&
        f_enum(d, o, "outcome_why", &e_outcome_why, &why) && f_flags(d, o, "flags", &c->flags) &&
        f_str(d, o, "alpn", true, &c->alpn) && f_enum(d, o, "tls_version", &e_tls_version, &tls) &&
        (st = get(d, o, "http_status")) != NULL;
    if (ok && !json_is_null(st)) {
        size_t was = push_key(d, "http_status");
        ok = read_int(d, st, 0, UINT16_MAX, &status);
        pop(d, was);
    }
    ok = ok && f_str(d, o, "http_method", true, &c->http_method) &&
         f_time(d, o, "first", &c->first) && f_time(d, o, "last", &c->last) &&
         f_u64(d, o, "packets_out", UINT64_MAX, &c->pkts_out) &&
         f_u64(d, o, "packets_in", UINT64_MAX, &c->pkts_in) &&
         f_u64(d, o, "bytes_out", UINT64_MAX, &c->bytes_out) &&
         f_u64(d, o, "bytes_in", UINT64_MAX, &c->bytes_in) && read_chain(d, o, c);
    /* keys that schema 1 gained later: optional */
    if (ok && json_object_get(o, "server_alpn"))
        ok = f_str(d, o, "server_alpn", false, &c->server_alpn);
    if (ok && json_object_get(o, "ja4"))
        ok = f_str(d, o, "ja4", false, &c->ja4);
    if (ok && json_object_get(o, "cert_names"))
        ok = f_strs(d, o, "cert_names", REPORT_READ_MAX_CHAIN, &c->cert_names, &c->n_cert_names);
    /* a second name (CONNECT, SOCKS), payload counts and the tunnel */
    if (ok) {
        json_t *cn = json_object_get(o, "name");
        ok = names_agree(d, "name", cn && !json_is_null(cn), "name_source", source);
    }
    json_t *inner = ok ? json_object_get(o, "inner_name") : NULL;
    bool has_inner = inner && !json_is_null(inner);
    if (ok && (has_inner || json_object_get(o, "inner_name_source"))) {
        long long isrc = 0;
        ok = (!has_inner || f_str(d, o, "inner_name", false, &c->inner_name)) &&
             f_enum(d, o, "inner_name_source", &e_name_source, &isrc) &&
             names_agree(d, "inner_name", has_inner, "inner_name_source", isrc);
        c->inner_source = (enum ea_name_source)isrc;
    }
    if (ok && json_object_get(o, "payload_out"))
        ok = f_u64(d, o, "payload_out", UINT64_MAX, &c->payload_out) &&
             f_u64(d, o, "payload_in", UINT64_MAX, &c->payload_in);
    json_t *tun = ok ? json_object_get(o, "tunnel") : NULL;
    if (tun && !json_is_null(tun)) {
        size_t wt = push_key(d, "tunnel");
        ok = json_is_object(tun) ? true : fail_type(d, tun, "an object or null");
        json_t *kind = ok ? get(d, tun, "kind") : NULL;
        enum ea_tunnel t = EA_TUN_NONE;
        if (ok && (!kind || !json_is_string(kind) ||
                   !ea_tunnel_parse(json_string_value(kind), json_string_length(kind), &t)))
            ok = kind ? fail(d, "\"kind\": not a tunnel this version knows") : false;
        ok = ok && f_addr(d, tun, "outer_src", &c->outer_src) &&
             f_addr(d, tun, "outer_dst", &c->outer_dst);
        c->tunnel = t;
        pop(d, wt);
    }
    if (!ok)
        return false;
    c->name_source = (enum ea_name_source)source;
    c->transport = (enum ea_transport)transport;
    c->outcome = (enum ea_outcome)outcome;
    c->outcome_why = (enum ea_outcome_why)why;
    c->tls_version = (uint16_t)tls;
    c->http_status = (uint16_t)status;
    if (d->r->has_policy && !read_verdict(d, o, &c->verdict, &c->rule, &c->verdict_why))
        return false;
    if (d->r->n_runs) { /* a union: the run it came from */
        long long run;
        if (!f_int(d, o, "run", 0, (long long)d->r->n_runs - 1, &run))
            return false;
        c->run = (uint32_t)run;
    }
    return true;
}

static bool read_answer(struct rd *d, const json_t *o, struct ea_dns_answer *a)
{
    long long type = 0;
    uint32_t ttl = 0;
    bool ok = f_enum(d, o, "type", &e_dns_type, &type) && f_str(d, o, "name", false, &a->owner) &&
              f_str(d, o, "data", false, &a->data) && f_u32(d, o, "ttl", &ttl);
    a->type = (uint16_t)type;
    a->ttl = ttl;
    return ok;
}

static bool read_answers(struct rd *d, const json_t *o, struct ea_dns *e)
{
    size_t was = 0;
    json_t *a = f_array(d, o, "answers", EA_DNS_MAX_ANSWERS, false, &was);
    bool ok = a != NULL;
    size_t n = ok ? json_array_size(a) : 0;
    if (ok && n && !(e->answers = calloc(n, sizeof *e->answers)))
        ok = fail_oom(d);
    for (size_t i = 0; ok && i < n; i++) {
        size_t w = push_index(d, i);
        json_t *v = json_array_get(a, i);
        e->n_answers++; /* zeroed: freed as it is */
        ok = json_is_object(v) ? read_answer(d, v, &e->answers[i]) : fail_type(d, v, "an object");
        pop(d, w);
    }
    pop(d, was);
    return ok;
}

static bool read_dns_transport(struct rd *d, const json_t *o, struct ea_dns *e)
{
    size_t was = 0;
    json_t *a = f_array(d, o, "transport", 2, false, &was);
    bool ok = a != NULL;
    for (size_t i = 0; ok && i < json_array_size(a); i++) {
        long long t = 0;
        size_t w = push_index(d, i);
        ok = read_enum(d, json_array_get(a, i), &e_dns_transport, &t);
        pop(d, w);
        e->over_udp |= ok && t == EA_UDP;
        e->over_tcp |= ok && t == EA_TCP;
    }
    pop(d, was);
    return ok;
}

static bool read_dns(struct rd *d, size_t i, json_t *o)
{
    if (!json_is_object(o))
        return fail_type(d, o, "an object");
    struct ea_dns *e = ea_report_add_dns(d->r);
    if (!e)
        return fail_oom(d);
    long long qtype = 0, rcode = -1;
    bool ok = f_str(d, o, "query", false, &e->qname) &&
              f_enum(d, o, "qtype", &e_dns_type, &qtype) &&
              f_enum(d, o, "rcode", &e_dns_rcode, &rcode) && read_answers(d, o, e) &&
              f_bool(d, o, "answers_dropped", &e->answers_dropped) &&
              f_u32(d, o, "queries", &e->n_queries) && f_u32(d, o, "responses", &e->n_responses) &&
              read_dns_transport(d, o, e) && f_time(d, o, "first", &e->first) &&
              f_time(d, o, "last", &e->last);
    /* added within schema 1 */
    if (ok && json_object_get(o, "local"))
        ok = f_bool(d, o, "local", &e->local);
    json_t *port = ok ? json_object_get(o, "port") : NULL;
    if (port && !json_is_null(port))
        ok = f_port(d, o, "port", &e->port);
    e->qtype = (uint16_t)qtype;
    e->rcode = (int)rcode;
    return ok;
}

/* A long array: from the offset pass 1 found, or the value it parsed
 * (which is then not an array: its type is the error). */
static bool read_long(struct rd *d, enum member m, elem_fn fn)
{
    size_t was = push_key(d, member_names[m]);
    bool ok;
    if (d->member[m]) {
        ok = fail_type(d, d->member[m], "an array");
    } else if (!d->seen[m]) {
        pop(d, was);
        return fail(d, "no \"%s\"", member_names[m]);
    } else {
        size_t pos = d->long_at[m];
        ok = each_element(d, &pos, REPORT_READ_MAX_ROWS, fn);
    }
    pop(d, was);
    return ok;
}

/* ---- the tail ---- */

static bool read_stats(struct rd *d)
{
    json_t *stats = top(d, M_STATS);
    if (!stats)
        return false;
    size_t was = push_key(d, "stats");
    size_t w = 0;
    bool ok = json_is_object(stats) ? true : fail_type(d, stats, "an object");
    json_t *counters = ok ? f_object(d, stats, "counters", &w) : NULL;
    ok = counters != NULL;
    const char *key;
    json_t *v;
    json_object_foreach(counters, key, v)
    {
        enum ea_counter c;
        if (!ok)
            break;
        if (!ea_counter_parse(key, strlen(key), &c))
            continue; /* a counter of a later version: "may appear within schema 1" */
        size_t wk = push_key(d, key);
        ok = read_u64(d, v, UINT64_MAX, &d->r->counters[c]);
        pop(d, wk);
    }
    pop(d, w);
    pop(d, was);
    return ok;
}

/* ---- the whole ---- */

static bool read_all(struct rd *d)
{
    struct ea_report *r = d->r;
    if (!scan(d) || !read_schema(d) || !read_tool(d) || !read_inputs(d) ||
        !read_truncated_and_time(d) || !read_runs(d))
        return false;
    r->has_policy = d->seen[M_RULES];
    if (r->has_policy && !read_rules(d))
        return false;
    if (!read_long(d, M_HOSTS, read_host) || !read_long(d, M_CONNECTIONS, read_conn) ||
        !read_long(d, M_DNS, read_dns))
        return false;
    if (r->has_policy && !read_policy_lists(d))
        return false;
    if (!read_diff(d) || !read_stats(d))
        return false;
    r->unreached_hosts = 0;
    for (size_t i = 0; i < r->n_hosts; i++)
        if (r->hosts[i].outcome != EA_OUT_REACHED)
            r->unreached_hosts++;
    r->hosts_counted = true;
    if (!ea_report_derive(r))
        return fail_oom(d);
    return true;
}

bool report_read_json_buffer(const char *buf, size_t len, const char *path, struct ea_report *out,
                             char *err, size_t errlen)
{
    struct ea_report r;
    struct rd d = {.path = path ? path : "-", .buf = buf, .len = len, .err = err, .errlen = errlen};
    ea_report_init(&r);
    d.r = &r;
    if (err && errlen)
        err[0] = '\0';
    bool ok = len <= REPORT_READ_MAX_BYTES
                  ? read_all(&d)
                  : fail(&d, "larger than %zu bytes", (size_t)REPORT_READ_MAX_BYTES);
    for (unsigned m = 0; m < M__COUNT; m++)
        json_decref(d.member[m]);
    index_free(&d.rules);
    index_free(&d.hosts);
    if (!ok) {
        ea_report_finish(&r);
        errno = d.errnum ? d.errnum : EINVAL;
        return false;
    }
    *out = r;
    return true;
}

bool report_read_json(FILE *in, const char *path, struct ea_report *out, char *err, size_t errlen)
{
    struct rd d = {.path = path ? path : "-", .err = err, .errlen = errlen};
    const size_t max = REPORT_READ_MAX_BYTES + 1; /* one more byte tells "too large" */
    char *buf = NULL;
    size_t len = 0, cap = 0;
    bool eof = false;
    while (!eof && len < max) {
        if (len == cap) {
            size_t ncap = cap ? (cap > max / 2 ? max : cap * 2) : 65536;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fail_oom(&d);
                errno = ENOMEM;
                return false;
            }
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, in);
        len += n;
        eof = n == 0;
    }
    if (ferror(in)) {
        int e = errno ? errno : EIO;
        free(buf);
        fail_errno(&d, EIO, "%s", strerror(e));
        errno = EIO;
        return false;
    }
    /* past the limit: the buffer reader refuses it */
    bool ok = report_read_json_buffer(buf ? buf : "", len, path, out, err, errlen);
    int saved = errno;
    free(buf);
    errno = saved;
    return ok;
}
