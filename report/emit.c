/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Rules as something to paste: the text rule-file format, az CLI lines, a
 * workspace YAML fragment, or Bicep. Everything that came from an input file
 * or the wire is escaped for the format it lands in; comments carry it in
 * the safe-text form (escape.h).
 *
 * A rule that should not take effect as written is still shown, commented
 * out, after a comment saying why: an Inactive rule (it permits nothing), a
 * rule Azure adds itself (category required, recommended, dependency), a
 * wildcard suggestion (wider than the exact rules it stands for), and what a
 * format cannot express. A remedy that activates an Inactive rule is written
 * under the rule's own name and destination, with status Active where the
 * format can say it.
 */
#include "emit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "escape.h"
#include "names.h"

enum {
    RULE_NAME_MIN = 3,
    RULE_NAME_MAX = 33,
};

static const char api_version[] = "2024-10-01";

/* Why a rule is written commented out. */
enum skip {
    SKIP_NONE = 0,
    SKIP_INACTIVE,    /* status Inactive */
    SKIP_SYSTEM,      /* a category Azure fills in itself */
    SKIP_WIDER,       /* a wildcard suggestion */
    SKIP_AZ_PREFIXES, /* az wants --service-tag even with --address-prefixes */
    SKIP_AZ_AT,       /* an argument starting with '@' (az reads a file) */
    SKIP_TEXT_TAG,    /* a tag name the text format cannot hold */
};

/* One rule to write: a loaded rule or a remedy. */
struct item {
    const struct ea_rule *rule;      /* NULL for a remedy */
    const struct ea_remedy *remedy;  /* NULL for a rule */
    const struct ea_rule *activates; /* a remedy that activates this Inactive rule, or NULL */
    enum ea_rule_kind kind;
    struct ea_str name; /* a view: the rule's name, or the one policy made */
    const char *dest;   /* FQDN pattern, or resource id (private endpoint) */
    size_t dest_len;
    enum skip skip;
};

/* ---- writing ---- */

/* Write errors are collected by the stream and checked once, at the end. */
static void put(FILE *f, const char *s)
{
    (void)fputs(s, f);
}

static void putn(FILE *f, const char *s, size_t n)
{
    if (n)
        (void)fwrite(s, 1, n, f);
}

static void put_safe(FILE *f, const char *s, size_t n)
{
    (void)ea_escape_fwrite(s, n, f);
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Is c one of set? Never for NUL (strchr would find the terminator). */
static bool in_set(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

/* Azure: ^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$ */
static bool azure_name_ok(const struct ea_str *s)
{
    if (!s->s || s->len < RULE_NAME_MIN || s->len > RULE_NAME_MAX || !is_alnum(s->s[0]))
        return false;
    for (size_t i = 1; i < s->len; i++)
        if (!is_alnum(s->s[i]) && s->s[i] != '_' && s->s[i] != '-')
            return false;
    return true;
}

/*
 * One UTF-8 sequence at s (len > 0): its length and *cp, or 0 if it is not
 * valid UTF-8 (cut, overlong, a surrogate, above U+10FFFF).
 */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    uint32_t c = s[0], min;
    size_t n;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        c &= 0x1f;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        c &= 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        c &= 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

/* ---- shell words (az) ---- */

static bool sh_plain_char(char c)
{
    return is_alnum(c) || in_set(c, "._/:=,@+-");
}

/*
 * A shell word: as is when every byte is in [A-Za-z0-9._/:=,@+-], else in
 * single quotes ('\'' for a quote inside; '*' is always quoted, a shell
 * would glob it). A byte outside printable ASCII goes in a $'\xNN' word of
 * its own (bash, zsh, ksh, POSIX.1-2024 sh), so that no raw control byte
 * reaches the script or the terminal.
 */
static void sh_word(FILE *f, const char *s, size_t len)
{
    bool plain = len > 0;
    for (size_t i = 0; plain && i < len; i++)
        plain = sh_plain_char(s[i]);
    if (plain) {
        putn(f, s, len);
        return;
    }
    if (len == 0) {
        put(f, "''");
        return;
    }
    bool open = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b >= 0x20 && b <= 0x7e) {
            if (!open)
                put(f, "'");
            open = true;
            if (b == '\'')
                put(f, "'\\''");
            else
                (void)fputc(b, f);
        } else {
            if (open)
                put(f, "'");
            open = false;
            (void)fprintf(f, "$'\\x%02x'", (unsigned)b);
        }
    }
    if (open)
        put(f, "'");
}

/* " --opt WORD", or " --opt=WORD" when the word starts with '-' (az's
 * argument parser would take it for an option). */
static void sh_opt(FILE *f, const char *opt, const char *s, size_t len)
{
    put(f, " ");
    put(f, opt);
    put(f, len > 0 && s[0] == '-' ? "=" : " ");
    sh_word(f, s, len);
}

static void sh_opt_str(FILE *f, const char *opt, const struct ea_str *s)
{
    sh_opt(f, opt, s->s, s->len);
}

static void sh_opt_cstr(FILE *f, const char *opt, const char *s)
{
    sh_opt(f, opt, s, strlen(s));
}

/* ---- YAML scalars ---- */

/* Plain when it cannot be read as anything but this string: letters,
 * digits, '.', '_', '/', '-', starting with a letter, '_' or '/', and not a
 * YAML 1.1 boolean or null. */
static bool yaml_plain_ok(const char *s, size_t len)
{
    static const char *const words[] = {"y",   "n",    "yes",   "no",   "on",
                                        "off", "true", "false", "null", NULL};
    if (len == 0 || !(is_alnum(s[0]) || s[0] == '_' || s[0] == '/') || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_alnum(s[i]) && !in_set(s[i], "._/-"))
            return false;
    for (size_t k = 0; words[k]; k++) {
        size_t wl = strlen(words[k]);
        bool same = wl == len;
        for (size_t i = 0; same && i < len; i++)
            same = ea_ascii_lower_c(s[i]) == words[k][i];
        if (same)
            return false;
    }
    return true;
}

/* ---- quoted strings: one escaper, two styles ---- */

struct quote_style {
    char quote;
    /* the escape for s[i], or NULL when it has none of its own */
    const char *(*special)(const char *s, size_t i, size_t len);
    bool braces;          /* code points as \u{N} (Bicep), else \xNN \uNNNN \UNNNNNNNN */
    const char *not_utf8; /* a byte that is not UTF-8: such a byte has no exact form */
};

static void put_code_point(FILE *f, uint32_t cp, bool braces)
{
    if (braces)
        (void)fprintf(f, "\\u{%02x}", (unsigned)cp);
    else if (cp < 0x100)
        (void)fprintf(f, "\\x%02x", (unsigned)cp);
    else if (cp < 0x10000)
        (void)fprintf(f, "\\u%04x", (unsigned)cp);
    else
        (void)fprintf(f, "\\U%08x", (unsigned)cp);
}

static void quoted(FILE *f, const char *s, size_t len, const struct quote_style *st)
{
    (void)fputc(st->quote, f);
    for (size_t i = 0; i < len;) {
        unsigned char b = (unsigned char)s[i];
        const char *e = st->special(s, i, len);
        if (e) {
            put(f, e);
            i++;
        } else if (b >= 0x20 && b < 0x7f) {
            (void)fputc(b, f);
            i++;
        } else if (b < 0x80) {
            put_code_point(f, b, st->braces);
            i++;
        } else {
            uint32_t cp;
            size_t n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
            if (n == 0) {
                put(f, st->not_utf8);
                i++;
                continue;
            }
            put_code_point(f, cp, st->braces);
            i += n;
        }
    }
    (void)fputc(st->quote, f);
}

static const char *yaml_special(const char *s, size_t i, size_t len)
{
    (void)len;
    return s[i] == '"' ? "\\\"" : s[i] == '\\' ? "\\\\" : NULL;
}

/* YAML double-quoted: \" \\ \xNN (controls), \uNNNN / \UNNNNNNNN (other
 * non-ASCII), \uFFFD for a byte that is not UTF-8 (YAML is text). */
static const struct quote_style yaml_style = {
    '"',
    yaml_special,
    false,
    "\\uFFFD",
};

/* A YAML string: plain when safe, else double-quoted. */
static void yaml_str(FILE *f, const char *s, size_t len)
{
    if (yaml_plain_ok(s, len))
        putn(f, s, len);
    else
        quoted(f, s, len, &yaml_style);
}

static void yaml_estr(FILE *f, const struct ea_str *s)
{
    yaml_str(f, s->s, s->len);
}

/* ---- Bicep strings ---- */

static const char *bicep_special(const char *s, size_t i, size_t len)
{
    switch (s[i]) {
    case '\'':
        return "\\'";
    case '\\':
        return "\\\\";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    case '$':
        return i + 1 < len && s[i + 1] == '{' ? "\\$" : NULL; /* no interpolation */
    default:
        return NULL;
    }
}

/* A single-quoted Bicep string: \' \\ \n \r \t, \$ before '{', \u{NN} for
 * other controls and every non-ASCII character, \u{fffd} for a byte that is
 * not UTF-8. */
static const struct quote_style bicep_style = {
    '\'',
    bicep_special,
    true,
    "\\u{fffd}",
};

static void bicep_str(FILE *f, const char *s, size_t len)
{
    quoted(f, s, len, &bicep_style);
}

static void bicep_estr(FILE *f, const struct ea_str *s)
{
    bicep_str(f, s->s, s->len);
}

/* ---- rule parts ---- */

static const char *proto_upper(uint8_t p)
{
    return p == EA_TCP ? "TCP" : p == EA_UDP ? "UDP" : NULL;
}

/* "80,8080-8089": digits, '-' and ',' only, safe in every format. */
static void put_ports(FILE *f, const struct ea_rule *rule)
{
    for (size_t i = 0; i < rule->n_ports; i++) {
        const struct ea_port_range *p = &rule->ports[i];
        if (i)
            put(f, ",");
        if (p->lo == p->hi)
            (void)fprintf(f, "%u", (unsigned)p->lo);
        else
            (void)fprintf(f, "%u-%u", (unsigned)p->lo, (unsigned)p->hi);
    }
}

/* "10.0.0.0/8", "2001:db8::/32": hex digits, '.', ':' and '/' only. */
static void put_net(FILE *f, const struct ea_net *n)
{
    char buf[64];
    (void)fprintf(f, "%s/%u", ea_addr_text(&n->addr, buf, sizeof buf), (unsigned)n->len);
}

/* The rule's comment: its origin, or what a remedy covers (for an exact
 * remedy only in the text format: elsewhere it would repeat the name). */
static bool has_note(const struct item *it, bool exact_covers)
{
    if (it->remedy)
        return it->remedy->n_covers > 0 && (exact_covers || it->remedy->wildcard || it->activates);
    return it->rule->origin.len > 0;
}

static void put_note(FILE *f, const struct item *it)
{
    if (it->remedy) {
        put(f, "covers ");
        for (size_t i = 0; i < it->remedy->n_covers; i++) {
            if (i)
                put(f, ", ");
            put_safe(f, it->remedy->covers[i].s, it->remedy->covers[i].len);
        }
    } else {
        put_safe(f, it->rule->origin.s, it->rule->origin.len);
    }
}

/* A comment line "LEADtext\n" saying why the rule below is commented out. */
static void put_reason(FILE *f, const char *lead, const struct item *it, enum skip why)
{
    put(f, lead);
    switch (why) {
    case SKIP_INACTIVE:
        put(f, "inactive in its source (status Inactive): it permits nothing");
        break;
    case SKIP_SYSTEM:
        put(f, "category ");
        put_safe(f, it->rule->category.s, it->rule->category.len);
        put(f, ": Azure adds this rule itself");
        break;
    case SKIP_WIDER:
        put(f, "a wider alternative: one wildcard rule instead of the exact rules for the names "
               "it covers");
        break;
    case SKIP_AZ_PREFIXES:
        put(f, "az ml workspace outbound-rule set wants --service-tag even with "
               "--address-prefixes: use the YAML or Bicep output for this rule");
        break;
    case SKIP_AZ_AT:
        put(f, "an argument starts with '@', which az reads as a file name");
        break;
    case SKIP_TEXT_TAG:
        put(f, "this service tag name cannot be written in a text rule file");
        break;
    case SKIP_NONE:
        break;
    }
    put(f, "\n");
}

/* "LEADactivate rule NAME (ORIGIN): it is Inactive, so it permits nothing\n" */
static void put_activate(FILE *f, const char *lead, const struct item *it)
{
    put(f, lead);
    put(f, "activate rule ");
    put_safe(f, it->name.s, it->name.len);
    put(f, " (");
    put_safe(f, it->activates->origin.s, it->activates->origin.len);
    put(f, "): it is Inactive, so it permits nothing\n");
}

/* The addresses a CIDR rule stands for. */
static bool addr_rule(const struct item *it)
{
    return it->kind == EA_RULE_CIDR ||
           (it->kind == EA_RULE_SERVICE_TAG && it->rule->service_tag.len == 0);
}

static bool tag_text_ok(const struct ea_str *t)
{
    if (t->len == 0)
        return false;
    for (size_t i = 0; i < t->len; i++)
        if (!is_alnum(t->s[i]) && !in_set(t->s[i], "._-"))
            return false;
    return true;
}

/* ---- text ---- */

/* ":PORTS" and "/proto" as the text format reads them. */
static bool text_has_tail(const struct ea_rule *rule)
{
    return rule->n_ports > 0 || rule->protocol != 0;
}

static void text_tail(FILE *f, const struct ea_rule *rule)
{
    if (rule->n_ports) {
        put(f, ":");
        put_ports(f, rule);
    }
    if (rule->protocol == EA_TCP)
        put(f, "/tcp");
    else if (rule->protocol == EA_UDP)
        put(f, "/udp");
    else if (rule->protocol != 0)
        (void)fprintf(f, "/%u", (unsigned)rule->protocol);
}

static void text_line_end(FILE *f, const struct item *it)
{
    if (has_note(it, true)) {
        put(f, "  # ");
        put_note(f, it);
    }
    put(f, "\n");
}

static void text_item(FILE *f, const struct item *it)
{
    if (it->kind == EA_RULE_PRIVATE_ENDPOINT) {
        put(f, "# private endpoint ");
        put_safe(f, it->name.s, it->name.len);
        put(f, ": ");
        put_safe(f, it->dest, it->dest_len);
        put(f, " (not expressible in a text rule file)\n");
        return;
    }
    enum skip why = it->skip;
    if (why == SKIP_NONE && it->kind == EA_RULE_SERVICE_TAG && !addr_rule(it) &&
        !tag_text_ok(&it->rule->service_tag))
        why = SKIP_TEXT_TAG;
    const char *cm = "";
    if (why != SKIP_NONE) {
        put_reason(f, "# ", it, why);
        cm = "# ";
    }
    if (it->activates) /* a text rule is always active: the rule as it is */
        put_activate(f, "# ", it);
    if (it->kind == EA_RULE_FQDN) {
        put(f, cm);
        put_safe(f, it->dest, it->dest_len);
        text_line_end(f, it);
        return;
    }
    const struct ea_rule *rule = it->rule;
    if (!addr_rule(it)) {
        put(f, cm);
        put(f, "tag:");
        put_safe(f, rule->service_tag.s, rule->service_tag.len);
        text_tail(f, rule);
        text_line_end(f, it);
        return;
    }
    if (rule->n_nets == 0) { /* nothing parsed: show what was written */
        put(f, "# ");
        put_safe(f, rule->destination.s, rule->destination.len);
        text_line_end(f, it);
        return;
    }
    for (size_t i = 0; i < rule->n_nets; i++) {
        bool brackets = rule->nets[i].addr.family == 6 && text_has_tail(rule);
        put(f, cm);
        put(f, brackets ? "[" : "");
        put_net(f, &rule->nets[i]);
        put(f, brackets ? "]" : "");
        text_tail(f, rule);
        text_line_end(f, it);
    }
}

/* ---- the comment header of az, YAML and Bicep ---- */

static bool any_fqdn(const struct item *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].kind == EA_RULE_FQDN && v[i].skip == SKIP_NONE)
            return true;
    return false;
}

static void put_placeholders(FILE *f, const char *lead, const struct emit_opts *o, bool with_rg)
{
    bool rg = with_rg && !o->resource_group, ws = !o->workspace;
    if (rg && ws)
        (void)fprintf(f,
                      "%sRG and WS are placeholders: replace them with your resource group "
                      "and workspace names.\n",
                      lead);
    else if (rg)
        (void)fprintf(f, "%sRG is a placeholder: replace it with your resource group name.\n",
                      lead);
    else if (ws)
        (void)fprintf(f, "%sWS is a placeholder: replace it with your workspace name.\n", lead);
}

/* The managed network and its firewall, as every Azure format reminds. */
static void put_network_notes(FILE *f, const char *lead, const struct emit_opts *o, const char *rg,
                              const char *ws, bool fqdn)
{
    if (fqdn) {
        (void)fprintf(f,
                      "%sFQDN rules make the workspace provision a managed Azure Firewall, which "
                      "is billed:\n"
                      "%sstandard SKU by default; firewall_sku: basic under managed_network in "
                      "the workspace YAML selects basic.\n",
                      lead, lead);
    }
    (void)fprintf(f,
                  "%sThe managed network is created with the first compute; to provision it "
                  "ahead of that:\n%s  az ml workspace provision-network",
                  lead, lead);
    sh_opt_cstr(f, "--resource-group", rg);
    sh_opt_cstr(f, "--name", ws);
    put(f, "\n");
    put_placeholders(f, lead, o, true);
}

/* ---- az ---- */

static bool starts_at(const char *s, size_t len)
{
    return len > 0 && s[0] == '@';
}

static void az_item(FILE *f, const struct item *it, const char *rg, const char *ws)
{
    const struct ea_rule *rule = it->rule;
    enum skip why = it->skip;
    if (why == SKIP_NONE && addr_rule(it))
        why = SKIP_AZ_PREFIXES;
    if (why == SKIP_NONE &&
        (starts_at(it->name.s, it->name.len) ||
         (it->kind != EA_RULE_SERVICE_TAG && starts_at(it->dest, it->dest_len)) ||
         (it->kind == EA_RULE_SERVICE_TAG &&
          starts_at(rule->service_tag.s, rule->service_tag.len)) ||
         (it->kind == EA_RULE_PRIVATE_ENDPOINT &&
          starts_at(rule->subresource_target.s, rule->subresource_target.len))))
        why = SKIP_AZ_AT;
    put(f, "\n");
    if (!azure_name_ok(&it->name))
        put(f, "# the rule name is not a valid Azure name (3-33 of letters, digits, '_', '-'; "
               "a letter or digit first)\n");
    const char *cm = "";
    if (why != SKIP_NONE) {
        put_reason(f, "# ", it, why);
        cm = "# ";
    }
    if (it->activates) {
        put_activate(f, "# ", it);
        put(f, "# az ml workspace outbound-rule set has no --status option: make the rule Active "
               "with status: Active in the workspace YAML (--emit yaml) or properties.status: "
               "'Active' in ARM (--emit bicep)\n");
    }
    if (it->kind == EA_RULE_PRIVATE_ENDPOINT && rule->subresource_target.len == 0)
        put(f, "# az also wants --subresource-target (blob, file, vault, ...): the source does "
               "not give it\n");
    if (it->kind == EA_RULE_SERVICE_TAG && (rule->protocol == 0 || rule->n_ports == 0))
        put(f, "# az also wants --protocol and --port-ranges: the source does not give them "
               "all\n");
    put(f, cm);
    put(f, "az ml workspace outbound-rule set");
    sh_opt_cstr(f, "--resource-group", rg);
    sh_opt_cstr(f, "--workspace-name", ws);
    sh_opt_str(f, "--rule", &it->name);
    switch (it->kind) {
    case EA_RULE_FQDN:
        put(f, " --type fqdn");
        sh_opt(f, "--destination", it->dest, it->dest_len);
        break;
    case EA_RULE_PRIVATE_ENDPOINT:
        put(f, " --type private_endpoint");
        sh_opt(f, "--service-resource-id", it->dest, it->dest_len);
        if (rule->subresource_target.len)
            sh_opt_str(f, "--subresource-target", &rule->subresource_target);
        if (rule->has_spark_enabled)
            put(f, rule->spark_enabled ? " --spark-enabled true" : " --spark-enabled false");
        break;
    case EA_RULE_SERVICE_TAG:
    case EA_RULE_CIDR:
    case EA_RULE__COUNT:
        put(f, " --type service_tag");
        if (addr_rule(it)) {
            put(f, " --address-prefixes ");
            for (size_t i = 0; i < rule->n_nets; i++) {
                put(f, i ? "," : "");
                put_net(f, &rule->nets[i]);
            }
        } else {
            sh_opt_str(f, "--service-tag", &rule->service_tag);
        }
        if (proto_upper(rule->protocol))
            (void)fprintf(f, " --protocol %s", proto_upper(rule->protocol));
        if (rule->n_ports) {
            put(f, " --port-ranges ");
            put_ports(f, rule);
        }
        break;
    }
    if (has_note(it, false)) {
        put(f, "  # ");
        put_note(f, it);
    }
    put(f, "\n");
}

static void az_all(FILE *f, const struct item *v, size_t n, const struct emit_opts *o)
{
    const char *rg = o->resource_group ? o->resource_group : "RG";
    const char *ws = o->workspace ? o->workspace : "WS";
    put(f, "# Outbound rules of an Azure ML workspace managed network in \"allow only approved "
           "outbound\" mode\n"
           "# (az ml workspace create/update --managed-network allow_only_approved_outbound).\n");
    put_network_notes(f, "# ", o, rg, ws, any_fqdn(v, n));
    for (size_t i = 0; i < n; i++)
        az_item(f, &v[i], rg, ws);
}

/* ---- YAML ---- */

static void yaml_line(FILE *f, const char *cm, const char *text)
{
    put(f, cm);
    put(f, text);
}

static void yaml_item(FILE *f, const struct item *it)
{
    const struct ea_rule *rule = it->rule;
    const char *cm = "";
    if (!azure_name_ok(&it->name))
        put(f, "  # the rule name is not a valid Azure name (3-33 of letters, digits, '_', '-'; "
               "a letter or digit first)\n");
    if (it->skip != SKIP_NONE) {
        put_reason(f, "  # ", it, it->skip);
        cm = "# ";
    }
    if (it->activates)
        put_activate(f, "  # ", it);
    yaml_line(f, cm, "  - name: ");
    yaml_estr(f, &it->name);
    if (has_note(it, false)) {
        put(f, "  # ");
        put_note(f, it);
    }
    put(f, "\n");
    switch (it->kind) {
    case EA_RULE_FQDN:
        yaml_line(f, cm, "    type: fqdn\n");
        yaml_line(f, cm, "    destination: ");
        yaml_str(f, it->dest, it->dest_len);
        put(f, "\n");
        break;
    case EA_RULE_PRIVATE_ENDPOINT:
        yaml_line(f, cm, "    type: private_endpoint\n");
        yaml_line(f, cm, "    destination:\n");
        yaml_line(f, cm, "      service_resource_id: ");
        yaml_str(f, it->dest, it->dest_len);
        put(f, "\n");
        if (rule->subresource_target.len) {
            yaml_line(f, cm, "      subresource_target: ");
            yaml_estr(f, &rule->subresource_target);
            put(f, "\n");
        } else {
            yaml_line(f, cm,
                      "      # add subresource_target (blob, file, vault, ...): the source "
                      "does not give it\n");
        }
        if (rule->has_spark_enabled)
            yaml_line(f, cm,
                      rule->spark_enabled ? "      spark_enabled: true\n"
                                          : "      spark_enabled: false\n");
        break;
    case EA_RULE_SERVICE_TAG:
    case EA_RULE_CIDR:
    case EA_RULE__COUNT:
        yaml_line(f, cm, "    type: service_tag\n");
        yaml_line(f, cm, "    destination:\n");
        if (addr_rule(it)) {
            yaml_line(f, cm, "      address_prefixes:\n");
            for (size_t i = 0; i < rule->n_nets; i++) {
                yaml_line(f, cm, "      - \"");
                put_net(f, &rule->nets[i]);
                put(f, "\"\n");
            }
        } else {
            yaml_line(f, cm, "      service_tag: ");
            yaml_estr(f, &rule->service_tag);
            put(f, "\n");
        }
        if (proto_upper(rule->protocol))
            (void)fprintf(f, "%s      protocol: %s\n", cm, proto_upper(rule->protocol));
        if (rule->n_ports) {
            yaml_line(f, cm, "      port_ranges: \"");
            put_ports(f, rule);
            put(f, "\"\n");
        }
        if (rule->protocol == 0 || rule->n_ports == 0)
            yaml_line(f, cm,
                      "      # Azure wants protocol and port_ranges: the source does not "
                      "give them all\n");
        break;
    }
    yaml_line(f, cm, "    category: user_defined\n");
    if (it->activates)
        yaml_line(f, cm, "    status: Active\n");
}

static void yaml_all(FILE *f, const struct item *v, size_t n, const struct emit_opts *o)
{
    const char *rg = o->resource_group ? o->resource_group : "RG";
    const char *ws = o->workspace ? o->workspace : "WS";
    bool live = false;
    for (size_t i = 0; i < n; i++)
        live |= v[i].skip == SKIP_NONE;
    put(f, "# managed_network of an Azure ML workspace YAML, \"allow only approved outbound\" "
           "mode;\n# apply with az ml workspace update --file FILE");
    sh_opt_cstr(f, "--resource-group", rg);
    sh_opt_cstr(f, "--name", ws);
    put(f, "\n");
    put_network_notes(f, "# ", o, rg, ws, any_fqdn(v, n));
    put(f, "managed_network:\n  isolation_mode: allow_only_approved_outbound\n");
    put(f, live ? "  outbound_rules:\n" : "  outbound_rules: []\n");
    for (size_t i = 0; i < n; i++)
        yaml_item(f, &v[i]);
}

/* ---- Bicep ---- */

static void bicep_item(FILE *f, const struct item *it, size_t index)
{
    const struct ea_rule *rule = it->rule;
    const char *cm = "";
    put(f, "\n");
    if (!azure_name_ok(&it->name))
        put(f, "// the rule name is not a valid Azure name (3-33 of letters, digits, '_', '-'; "
               "a letter or digit first)\n");
    if (it->skip != SKIP_NONE) {
        put_reason(f, "// ", it, it->skip);
        cm = "// ";
    }
    if (it->activates)
        put_activate(f, "// ", it);
    if (has_note(it, false)) {
        put(f, "// ");
        put_note(f, it);
        put(f, "\n");
    }
    (void)fprintf(f,
                  "%sresource rule_%zu 'Microsoft.MachineLearningServices/workspaces/"
                  "outboundRules@%s' = {\n%s  parent: workspace\n%s  name: ",
                  cm, index, api_version, cm, cm);
    bicep_estr(f, &it->name);
    (void)fprintf(f, "\n%s  properties: {\n", cm);
    switch (it->kind) {
    case EA_RULE_FQDN:
        (void)fprintf(f,
                      "%s    type: 'FQDN'\n%s    category: 'UserDefined'\n%s    destination: ", cm,
                      cm, cm);
        bicep_str(f, it->dest, it->dest_len);
        put(f, "\n");
        break;
    case EA_RULE_PRIVATE_ENDPOINT:
        (void)fprintf(f,
                      "%s    type: 'PrivateEndpoint'\n%s    category: 'UserDefined'\n"
                      "%s    destination: {\n%s      serviceResourceId: ",
                      cm, cm, cm, cm);
        bicep_str(f, it->dest, it->dest_len);
        put(f, "\n");
        if (rule->subresource_target.len) {
            (void)fprintf(f, "%s      subresourceTarget: ", cm);
            bicep_estr(f, &rule->subresource_target);
            put(f, "\n");
        } else {
            (void)fprintf(f,
                          "%s      // add subresourceTarget (blob, file, vault, ...): the source "
                          "does not give it\n",
                          cm);
        }
        if (rule->has_spark_enabled)
            (void)fprintf(f, "%s      sparkEnabled: %s\n", cm,
                          rule->spark_enabled ? "true" : "false");
        (void)fprintf(f, "%s    }\n", cm);
        break;
    case EA_RULE_SERVICE_TAG:
    case EA_RULE_CIDR:
    case EA_RULE__COUNT:
        (void)fprintf(f,
                      "%s    type: 'ServiceTag'\n%s    category: 'UserDefined'\n"
                      "%s    destination: {\n",
                      cm, cm, cm);
        if (addr_rule(it)) {
            (void)fprintf(f, "%s      addressPrefixes: [\n", cm);
            for (size_t i = 0; i < rule->n_nets; i++) {
                (void)fprintf(f, "%s        '", cm);
                put_net(f, &rule->nets[i]);
                put(f, "'\n");
            }
            (void)fprintf(f, "%s      ]\n", cm);
        } else {
            (void)fprintf(f, "%s      serviceTag: ", cm);
            bicep_estr(f, &rule->service_tag);
            put(f, "\n");
        }
        if (proto_upper(rule->protocol))
            (void)fprintf(f, "%s      protocol: '%s'\n", cm, proto_upper(rule->protocol));
        if (rule->n_ports) {
            (void)fprintf(f, "%s      portRanges: '", cm);
            put_ports(f, rule);
            put(f, "'\n");
        }
        if (rule->protocol == 0 || rule->n_ports == 0)
            (void)fprintf(f,
                          "%s      // Azure wants protocol and portRanges: the source does not "
                          "give them all\n",
                          cm);
        (void)fprintf(f, "%s    }\n", cm);
        break;
    }
    if (it->activates)
        (void)fprintf(f, "%s    status: 'Active'\n", cm);
    (void)fprintf(f, "%s  }\n%s}\n", cm, cm);
}

static void bicep_all(FILE *f, const struct item *v, size_t n, const struct emit_opts *o)
{
    const char *rg = o->resource_group ? o->resource_group : "RG";
    const char *ws = o->workspace ? o->workspace : "WS";
    put(f, "// Outbound rules of an Azure ML workspace managed network in \"allow only approved "
           "outbound\" mode\n"
           "// (the workspace's managedNetwork.isolationMode is AllowOnlyApprovedOutbound).\n"
           "// Deploy with az deployment group create");
    sh_opt_cstr(f, "--resource-group", rg);
    put(f, " --template-file FILE\n");
    put_network_notes(f, "// ", o, rg, ws, any_fqdn(v, n));
    put(f, "\nparam workspaceName string = ");
    bicep_str(f, ws, strlen(ws));
    (void)fprintf(f,
                  "\n\nresource workspace 'Microsoft.MachineLearningServices/workspaces@%s' "
                  "existing = {\n  name: workspaceName\n}\n",
                  api_version);
    for (size_t i = 0; i < n; i++)
        bicep_item(f, &v[i], i + 1);
}

/* ---- items ---- */

static bool category_user_defined(const struct ea_str *c)
{
    static const char want[] = "userdefined";
    size_t k = 0;
    if (c->len == 0)
        return true;
    for (size_t i = 0; i < c->len; i++) {
        if (c->s[i] == '_')
            continue;
        if (k >= sizeof want - 1 || ea_ascii_lower_c(c->s[i]) != want[k])
            return false;
        k++;
    }
    return k == sizeof want - 1;
}

/* The pattern text of an FQDN rule: "*.", "*" or nothing, then the name. */
static struct item *items_of_rules(const struct ea_report *r)
{
    size_t n = r->n_rules;
    struct item *v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const struct ea_rule *rule = &r->rules[i];
        struct item *it = &v[i];
        it->rule = rule;
        it->kind = rule->kind;
        it->dest = rule->pattern.s ? rule->pattern.s : "";
        it->dest_len = rule->pattern.len;
        if (rule->inactive)
            it->skip = SKIP_INACTIVE;
        else if (!category_user_defined(&rule->category))
            it->skip = SKIP_SYSTEM;
        it->name = rule->name.len ? rule->name : rule->emit_name;
    }
    return v;
}

static struct item *items_of_remedies(const struct ea_report *r)
{
    size_t n = r->n_remedies;
    struct item *v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const struct ea_remedy *m = &r->remedies[i];
        struct item *it = &v[i];
        it->remedy = m;
        it->kind = EA_RULE_FQDN;
        it->dest = m->destination.s ? m->destination.s : "";
        it->dest_len = m->destination.len;
        it->skip = m->wildcard ? SKIP_WIDER : SKIP_NONE;
        it->name = m->rule_name;
        if (m->activate && m->rule < r->n_rules) /* always, from policy */
            it->activates = &r->rules[m->rule];
    }
    return v;
}

/* ---- entry points ---- */

static const struct ea_name emit_format_tab[] = {
    {EMIT_TEXT, "text"},
    {EMIT_AZ, "az"},
    {EMIT_YAML, "yaml"},
    {EMIT_BICEP, "bicep"},
};

bool emit_format_parse(const char *s, enum emit_format *out)
{
    int v;
    if (!s ||
        !ea_name_find(emit_format_tab, EA_NAMES_LEN(emit_format_tab), s, strlen(s), false, &v))
        return false;
    *out = (enum emit_format)v;
    return true;
}

static int emit_items(const struct item *v, size_t n, enum emit_format fmt,
                      const struct emit_opts *o, FILE *out)
{
    static const struct emit_opts none = {0};
    if (!o)
        o = &none;
    switch (fmt) {
    case EMIT_TEXT:
        for (size_t i = 0; i < n; i++)
            text_item(out, &v[i]);
        break;
    case EMIT_AZ:
        az_all(out, v, n, o);
        break;
    case EMIT_YAML:
        yaml_all(out, v, n, o);
        break;
    case EMIT_BICEP:
        bicep_all(out, v, n, o);
        break;
    default:
        return -1;
    }
    if (fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}

int emit_rules(const struct ea_report *r, enum emit_format f, const struct emit_opts *o, FILE *out)
{
    struct item *v = items_of_rules(r);
    if (!v)
        return -1;
    int rc = emit_items(v, r->n_rules, f, o, out);
    free(v);
    return rc;
}

int emit_remedies(const struct ea_report *r, enum emit_format f, const struct emit_opts *o,
                  FILE *out)
{
    struct item *v = items_of_remedies(r);
    if (!v)
        return -1;
    int rc = emit_items(v, r->n_remedies, f, o, out);
    free(v);
    return rc;
}
