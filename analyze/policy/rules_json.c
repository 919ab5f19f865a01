/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * JSON rule sources (jansson): the az CLI's snake_case rules, ARM/REST's
 * {"name", "properties": {camelCase}} rules, in a list, a "value" list, a
 * map by name, or under (managed_network|managedNetwork).(outbound_rules|
 * outboundRules); and Microsoft's service-tag file. jansson keeps no
 * positions after parsing, so errors found later name the place by its path
 * ("value[2].properties.destination") and rules' origins are "PATH:rule N".
 * The schema's nesting is fixed: known keys at known depths, no recursion.
 */
#include "rules.h"
#include "rules_load_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum {
    PREFIXES_MAX = 100000,      /* address_prefixes of one rule */
    TAG_PREFIXES_MAX = 1000000, /* addressPrefixes of one service tag */
    PATH_LEN = 200,             /* "value[12].properties.destination" */
    LOC_LEN = PATH_LEN + 32,    /* ": " PATH "." KEY */
    QUOTE_LEN = 300,
    KEY_QUOTE_LEN = 72,
};

struct jwalk {
    struct rules_src *s;
    size_t n;            /* rules so far: origins are "rule N" */
    char path[PATH_LEN]; /* where in the document; "" at the top */
    size_t plen;
};

/* ---- paths ---- */

static void path_set(struct jwalk *w, size_t plen)
{
    w->plen = plen;
    w->path[plen] = '\0';
}

/* Append text (a ".key" or "[i]"); a path that no longer fits ends in "..". */
static void path_add(struct jwalk *w, const char *text)
{
    size_t n = strlen(text);
    if (n >= PATH_LEN - 3 - w->plen) {
        if (w->plen + 3 < PATH_LEN && (w->plen < 2 || memcmp(w->path + w->plen - 2, "..", 2))) {
            memcpy(w->path + w->plen, "..", 2);
            path_set(w, w->plen + 2);
        }
        return;
    }
    memcpy(w->path + w->plen, text, n);
    path_set(w, w->plen + n);
}

static void path_key(struct jwalk *w, const char *key)
{
    char q[KEY_QUOTE_LEN], buf[KEY_QUOTE_LEN + 2];
    rules_src_quote(q, sizeof(q), key, strlen(key));
    snprintf(buf, sizeof(buf), "%s%s", w->plen ? "." : "", q);
    path_add(w, buf);
}

static void path_index(struct jwalk *w, size_t i)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "[%zu]", i);
    path_add(w, buf);
}

/* The loc of the current path, or of the current path + "." key. */
static const char *loc_at(const struct jwalk *w, char loc[LOC_LEN], const char *key)
{
    if (key)
        snprintf(loc, LOC_LEN, ": %s%s%s", w->path, w->plen ? "." : "", key);
    else if (w->plen)
        snprintf(loc, LOC_LEN, ": %s", w->path);
    else
        loc[0] = '\0';
    return loc;
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
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        break;
    }
    return "null";
}

/* The first of the spellings (snake_case, then camelCase) that obj has,
 * and which one it was; JSON null counts as absent. */
static json_t *get2(const json_t *obj, const char *snake, const char *camel, const char **used)
{
    json_t *v = json_object_get(obj, snake);
    *used = snake;
    if (!v && camel) {
        v = json_object_get(obj, camel);
        *used = camel;
    }
    return json_is_null(v) ? NULL : v;
}

/* A string, or an integer as text (port_ranges: 443). */
static bool text(struct jwalk *w, const json_t *v, const char *key, char num[32], const char **out,
                 size_t *out_len)
{
    char loc[LOC_LEN];
    if (json_is_string(v)) {
        *out = json_string_value(v);
        *out_len = json_string_length(v);
        return true;
    }
    if (num && json_is_integer(v)) {
        int n = snprintf(num, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = num;
        *out_len = n > 0 ? (size_t)n : 0;
        return true;
    }
    return rules_src_fail(w->s, loc_at(w, loc, key), "expected a string, not %s", type_name(v));
}

/* An optional string field of obj handed to a rules_src_* setter. */
static bool field(struct jwalk *w, struct ea_rule *rule, const json_t *obj, const char *snake,
                  const char *camel,
                  bool (*set)(struct rules_src *, struct ea_rule *, const char *, size_t,
                              const char *))
{
    const char *used = NULL, *p = NULL;
    size_t len = 0;
    char loc[LOC_LEN], num[32];
    json_t *v = get2(obj, snake, camel, &used);
    if (!v)
        return true;
    /* only a port may be a number */
    return text(w, v, used, set == rules_src_ports ? num : NULL, &p, &len) &&
           set(w->s, rule, p, len, loc_at(w, loc, used));
}

/* An optional boolean field of obj (a JSON boolean, or the text "true" or
 * "false") handed to a rules_src_* setter as text. */
static bool
flag(struct jwalk *w, struct ea_rule *rule, const json_t *obj, const char *snake, const char *camel,
     bool (*set)(struct rules_src *, struct ea_rule *, const char *, size_t, const char *))
{
    const char *used = NULL, *p = NULL;
    size_t len = 0;
    char loc[LOC_LEN];
    json_t *v = get2(obj, snake, camel, &used);
    if (!v)
        return true;
    if (json_is_boolean(v)) {
        p = json_is_true(v) ? "true" : "false";
        len = strlen(p);
    } else if (json_is_string(v)) {
        p = json_string_value(v);
        len = json_string_length(v);
    } else {
        return rules_src_fail(w->s, loc_at(w, loc, used), "expected true or false, not %s",
                              type_name(v));
    }
    return set(w->s, rule, p, len, loc_at(w, loc, used));
}

/* A service tag's destination: {service_tag, protocol, port_ranges,
 * address_prefixes} or the camelCase spellings. */
static bool service_tag(struct jwalk *w, struct ea_rule *rule, const json_t *dest, const char *q)
{
    const char *used = NULL, *p = NULL;
    size_t len = 0;
    char loc[LOC_LEN];
    json_t *tag = get2(dest, "service_tag", "serviceTag", &used);
    if (!tag)
        return rules_src_fail(w->s, loc_at(w, loc, NULL), "rule '%s': no service_tag", q);
    if (!text(w, tag, used, NULL, &p, &len) ||
        !rules_src_tag(w->s, rule, p, len, loc_at(w, loc, used)) ||
        !field(w, rule, dest, "protocol", NULL, rules_src_protocol) ||
        !field(w, rule, dest, "port_ranges", "portRanges", rules_src_ports))
        return false;
    json_t *prefixes = get2(dest, "address_prefixes", "addressPrefixes", &used);
    if (!prefixes)
        return true;
    if (!json_is_array(prefixes))
        return rules_src_fail(w->s, loc_at(w, loc, used), "expected an array, not %s",
                              type_name(prefixes));
    size_t base = w->plen;
    path_key(w, used);
    size_t at = w->plen;
    for (size_t i = 0; i < json_array_size(prefixes); i++) {
        path_index(w, i);
        json_t *v = json_array_get(prefixes, i);
        if (!text(w, v, NULL, NULL, &p, &len) ||
            !rules_src_net(w->s, rule, p, len, PREFIXES_MAX, loc_at(w, loc, NULL)))
            return false;
        path_set(w, at);
    }
    path_set(w, base);
    return true;
}

/*
 * One rule object at the current path. ARM rules keep their fields in
 * "properties" (camelCase); az CLI rules have them at the top (snake_case).
 * map_name is the key in the map form, else NULL.
 */
static bool rule_obj(struct jwalk *w, const json_t *obj, const char *map_name)
{
    char loc[LOC_LEN], q[QUOTE_LEN];
    const char *used = NULL, *p = NULL;
    size_t len = 0;
    if (!json_is_object(obj))
        return rules_src_fail(w->s, loc_at(w, loc, NULL), "expected a rule object, not %s",
                              type_name(obj));
    snprintf(loc, sizeof(loc), ":rule %zu", ++w->n);
    struct ea_rule *rule = rules_src_add(w->s, loc);
    if (!rule)
        return false;
    size_t base = w->plen;

    /* the name: the key in the map form (a name inside must agree) */
    json_t *name = get2(obj, "name", NULL, &used);
    if (name && !text(w, name, "name", NULL, &p, &len))
        return false;
    if (map_name) {
        if (name && (len != strlen(map_name) || memcmp(p, map_name, len) != 0))
            return rules_src_fail(w->s, loc_at(w, loc, "name"),
                                  "name '%s' differs from the rule's key",
                                  rules_src_quote(q, sizeof(q), p, len));
        p = map_name;
        len = strlen(map_name);
        loc_at(w, loc, NULL);
    } else {
        if (!name)
            return rules_src_fail(w->s, loc_at(w, loc, NULL), "rule has no name");
        loc_at(w, loc, "name");
    }
    if (!rules_src_name(w->s, rule, p, len, loc))
        return false;
    rules_src_quote(q, sizeof(q), p, len);

    const json_t *fields = obj;
    json_t *props = json_object_get(obj, "properties");
    if (props) {
        if (!json_is_object(props))
            return rules_src_fail(w->s, loc_at(w, loc, "properties"), "expected an object, not %s",
                                  type_name(props));
        fields = props;
        path_key(w, "properties");
    }

    json_t *type = get2(fields, "type", NULL, &used);
    if (!type)
        return rules_src_fail(w->s, loc_at(w, loc, NULL),
                              "rule '%s' has no type (fqdn, service_tag or private_endpoint)", q);
    if (!text(w, type, "type", NULL, &p, &len) ||
        !rules_src_kind(w->s, rule, p, len, loc_at(w, loc, "type")))
        return false;

    json_t *dest = get2(fields, "destination", NULL, &used);
    if (!dest)
        return rules_src_fail(w->s, loc_at(w, loc, NULL), "rule '%s' has no destination", q);
    if (rule->kind == EA_RULE_FQDN) {
        if (!text(w, dest, "destination", NULL, &p, &len) ||
            !rules_src_fqdn(w->s, rule, p, len, loc_at(w, loc, "destination")))
            return false;
    } else {
        if (!json_is_object(dest))
            return rules_src_fail(w->s, loc_at(w, loc, "destination"), "expected an object, not %s",
                                  type_name(dest));
        size_t at = w->plen;
        path_key(w, "destination");
        if (rule->kind == EA_RULE_SERVICE_TAG) {
            if (!service_tag(w, rule, dest, q))
                return false;
        } else {
            json_t *id = get2(dest, "service_resource_id", "serviceResourceId", &used);
            if (!id)
                return rules_src_fail(w->s, loc_at(w, loc, NULL), "rule '%s': no %s", q,
                                      "service_resource_id");
            if (!text(w, id, used, NULL, &p, &len) ||
                !rules_src_resource(w->s, rule, p, len, loc_at(w, loc, used)) ||
                !field(w, rule, dest, "subresource_target", "subresourceTarget",
                       rules_src_subresource) ||
                !flag(w, rule, dest, "spark_enabled", "sparkEnabled", rules_src_spark))
                return false;
        }
        path_set(w, at);
    }
    if (!field(w, rule, fields, "category", NULL, rules_src_category) ||
        !field(w, rule, fields, "status", NULL, rules_src_status))
        return false;
    path_set(w, base);
    return true;
}

/* A list of rules, a map of rules by name, or null, at the current path. */
static bool rules_val(struct jwalk *w, const json_t *rules)
{
    char loc[LOC_LEN];
    size_t base = w->plen;
    if (!rules || json_is_null(rules))
        return true;
    if (json_is_array(rules)) {
        for (size_t i = 0; i < json_array_size(rules); i++) {
            path_index(w, i);
            if (!rule_obj(w, json_array_get(rules, i), NULL))
                return false;
            path_set(w, base);
        }
        return true;
    }
    if (json_is_object(rules)) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)rules, key, v)
        {
            path_key(w, key);
            if (!rule_obj(w, v, key))
                return false;
            path_set(w, base);
        }
        return true;
    }
    return rules_src_fail(w->s, loc_at(w, loc, NULL),
                          "expected an array or an object of rules, not %s", type_name(rules));
}

/* {"managed_network": {"outbound_rules": ...}} and the camelCase one. */
static bool managed_network(struct jwalk *w, const json_t *mn, const char *key)
{
    char loc[LOC_LEN];
    const char *used;
    if (!json_is_object(mn))
        return rules_src_fail(w->s, loc_at(w, loc, key), "expected an object, not %s",
                              type_name(mn));
    path_key(w, key);
    json_t *rules = get2(mn, "outbound_rules", "outboundRules", &used);
    path_key(w, used);
    return rules_val(w, rules); /* none: isolation mode only */
}

static bool document(struct jwalk *w, const json_t *root)
{
    char loc[LOC_LEN];
    const char *used;
    json_t *v;
    if (json_is_array(root))
        return rules_val(w, root);
    if (!json_is_object(root))
        return rules_src_fail(w->s, "", "expected an array or an object of outbound rules, not %s",
                              type_name(root));
    if ((v = get2(root, "value", NULL, &used))) { /* an ARM list */
        if (!json_is_array(v))
            return rules_src_fail(w->s, loc_at(w, loc, "value"), "expected an array, not %s",
                                  type_name(v));
        path_key(w, "value");
        return rules_val(w, v);
    }
    if ((v = get2(root, "managed_network", "managedNetwork", &used)))
        return managed_network(w, v, used);
    if ((v = get2(root, "outbound_rules", "outboundRules", &used))) {
        path_key(w, used);
        return rules_val(w, v);
    }
    json_t *props = json_object_get(root, "properties");
    if (json_is_object(props) && (v = get2(props, "managed_network", "managedNetwork", &used))) {
        path_key(w, "properties"); /* an ARM workspace */
        return managed_network(w, v, used);
    }
    if (props || json_object_get(root, "type")) /* one rule */
        return rule_obj(w, root, NULL);
    return rules_src_fail(w->s, "",
                          "expected an array of rules, or an object with value, properties, "
                          "outbound_rules or managed_network");
}

/* jansson's message, which may quote the input: one printable line. */
static const char *tidy(char *out, const json_error_t *e)
{
    size_t n = strnlen(e->text, sizeof(e->text));
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)e->text[i];
        out[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    out[n] = '\0';
    return out;
}

/* jansson's message with its position (line and column are 1-based). */
static bool parse_error(struct rules_src *s, const json_error_t *e)
{
    char loc[LOC_LEN], q[JSON_ERROR_TEXT_LENGTH + 1];
    tidy(q, e);
    if (e->line >= 1 && e->column >= 1)
        snprintf(loc, sizeof(loc), ":%d:%d", e->line, e->column);
    else if (e->line >= 1)
        snprintf(loc, sizeof(loc), ":%d", e->line);
    else
        loc[0] = '\0';
    return rules_src_fail(s, loc, "%s", q);
}

bool rules_load_json(struct ea_report *r, const char *origin_name, const char *buf, size_t len,
                     FILE *warn, char *err, size_t errlen)
{
    struct rules_src *s = rules_src_open(r, origin_name, warn, err, errlen);
    if (!s)
        return false;
    size_t i = 0;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        buf += 3; /* a UTF-8 byte order mark, which jansson refuses */
        len -= 3;
    }
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    if (i == len) /* an empty file: no rules */
        return rules_src_close(s, true);
    json_error_t e;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
    if (!root) {
        parse_error(s, &e);
        return rules_src_close(s, false);
    }
    struct jwalk *w = calloc(1, sizeof(*w));
    bool ok = false;
    if (!w) {
        rules_src_fail(s, "", "out of memory");
    } else {
        w->s = s;
        ok = document(w, root);
        free(w);
    }
    json_decref(root);
    return rules_src_close(s, ok);
}

/* ---- Microsoft's service tags ---- */

struct staged {
    size_t rule; /* index in r->rules */
    const char *tag;
    size_t tag_len;
    struct ea_net *nets; /* the prefixes found for it, until all is well */
    size_t n_nets;
    bool found;
};

static bool same_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

/* One value's addressPrefixes as nets; err names the tag and the prefix. */
static bool tag_prefixes(const char *path, size_t vi, const char *name, size_t name_len,
                         const json_t *prefixes, struct ea_net **out, size_t *out_n, char *err,
                         size_t errlen)
{
    char q[QUOTE_LEN], qn[QUOTE_LEN];
    size_t n = json_array_size(prefixes);
    rules_src_quote(qn, sizeof(qn), name, name_len);
    if (n > TAG_PREFIXES_MAX) {
        snprintf(err, errlen, "%s: values[%zu] ('%s'): more than %d address prefixes", path, vi, qn,
                 TAG_PREFIXES_MAX);
        return false;
    }
    struct ea_net *nets = calloc(n ? n : 1, sizeof(*nets));
    if (!nets) {
        snprintf(err, errlen, "%s: out of memory", path);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(prefixes, i);
        const char *why = "not a string";
        if (!json_is_string(v) ||
            !rules_parse_cidr(json_string_value(v), json_string_length(v), &nets[i], &why)) {
            const char *p = json_is_string(v) ? json_string_value(v) : "";
            size_t len = json_is_string(v) ? json_string_length(v) : 0;
            snprintf(err, errlen, "%s: values[%zu] ('%s'): address prefix %zu '%s': %s", path, vi,
                     qn, i, rules_src_quote(q, sizeof(q), p, len), why);
            free(nets);
            return false;
        }
    }
    *out = nets;
    *out_n = n;
    return true;
}

static bool resolve(const char *path, const json_t *root, struct staged *st, size_t n_st, char *err,
                    size_t errlen)
{
    const json_t *values = json_object_get(root, "values");
    if (!json_is_array(values)) {
        snprintf(err, errlen, "%s: no \"values\" array: not a service tags file", path);
        return false;
    }
    for (size_t vi = 0; vi < json_array_size(values); vi++) {
        const json_t *v = json_array_get(values, vi);
        const json_t *name = json_object_get(v, "name");
        if (!json_is_string(name))
            name = json_object_get(v, "id");
        if (!json_is_string(name))
            continue;
        const char *nm = json_string_value(name);
        size_t nlen = json_string_length(name);
        struct ea_net *nets = NULL;
        size_t n = 0;
        bool parsed = false;
        for (size_t j = 0; j < n_st; j++) {
            if (st[j].found || !same_nocase(st[j].tag, st[j].tag_len, nm, nlen))
                continue;
            if (!parsed) {
                const json_t *props = json_object_get(v, "properties");
                const json_t *prefixes = json_object_get(props, "addressPrefixes");
                if (!json_is_array(prefixes)) {
                    char qn[QUOTE_LEN];
                    snprintf(err, errlen, "%s: values[%zu] ('%s'): no addressPrefixes array", path,
                             vi, rules_src_quote(qn, sizeof(qn), nm, nlen));
                    return false;
                }
                if (!tag_prefixes(path, vi, nm, nlen, prefixes, &nets, &n, err, errlen))
                    return false;
                parsed = true;
                st[j].nets = nets; /* the first rule takes the array itself */
            } else {
                st[j].nets = malloc((n ? n : 1) * sizeof(*nets));
                if (!st[j].nets) {
                    snprintf(err, errlen, "%s: out of memory", path);
                    return false;
                }
                if (n)
                    memcpy(st[j].nets, nets, n * sizeof(*nets));
            }
            st[j].n_nets = n;
            st[j].found = true;
        }
    }
    return true;
}

bool rules_load_service_tags(struct ea_report *r, const char *path, char *err, size_t errlen)
{
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    char *buf = NULL;
    size_t len = 0;
    if (!rules_src_read(path, &buf, &len, err, errlen))
        return false;
    json_error_t e;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
    free(buf);
    if (!root) {
        char q[JSON_ERROR_TEXT_LENGTH + 1];
        tidy(q, &e);
        if (e.line >= 1)
            snprintf(err, errlen, "%s:%d:%d: %s", path, e.line, e.column, q);
        else
            snprintf(err, errlen, "%s: %s", path, q);
        return false;
    }
    /* the service-tag rules still without addresses */
    size_t n_st = 0;
    for (size_t i = 0; i < r->n_rules; i++)
        n_st += r->rules[i].kind == EA_RULE_SERVICE_TAG && r->rules[i].n_nets == 0 &&
                r->rules[i].service_tag.len > 0;
    struct staged *st = calloc(n_st ? n_st : 1, sizeof(*st));
    if (!st) {
        json_decref(root);
        snprintf(err, errlen, "%s: out of memory", path);
        return false;
    }
    for (size_t i = 0, j = 0; i < r->n_rules; i++) {
        const struct ea_rule *rule = &r->rules[i];
        if (rule->kind == EA_RULE_SERVICE_TAG && rule->n_nets == 0 && rule->service_tag.len > 0)
            st[j++] =
                (struct staged){i, rule->service_tag.s, rule->service_tag.len, NULL, 0, false};
    }
    bool ok = resolve(path, root, st, n_st, err, errlen);
    for (size_t j = 0; j < n_st; j++) {
        struct ea_rule *rule = &r->rules[st[j].rule];
        if (ok && st[j].found) {
            free(rule->nets);
            rule->nets = st[j].nets;
            rule->n_nets = st[j].n_nets;
            if (rule->n_nets == 0) {
                free(rule->nets);
                rule->nets = NULL;
            }
        } else {
            free(st[j].nets);
        }
    }
    free(st);
    json_decref(root);
    return ok;
}
