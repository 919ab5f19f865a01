/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Workspace YAML (libyaml's document API): managed_network.outbound_rules in
 * the list form or the older map form, or a bare outbound_rules, or a bare
 * list. The schema's nesting is fixed, so the walk looks up known keys at
 * known depths: no recursion over the input. Positions are libyaml's marks,
 * 0-based, printed 1-based.
 */
#include "rules.h"
#include "rules_load_int.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

enum {
    DEPTH_MAX = 64,        /* the schema needs 7; workspace files have a few more */
    PREFIXES_MAX = 100000, /* address_prefixes of one rule */
    LOC_LEN = 48,
    QUOTE_LEN = 300,
};

struct ywalk {
    struct rules_src *s;
    yaml_document_t *doc;
    /* collections entered so far: an alias may point back at one, and
     * walking it twice could multiply the work (and the rules) */
    unsigned char *seen;
    size_t n_nodes;
};

static void loc_of(char loc[LOC_LEN], yaml_mark_t m)
{
    snprintf(loc, LOC_LEN, ":%zu:%zu", m.line + 1, m.column + 1);
}

static void loc_line(char loc[LOC_LEN], yaml_mark_t m)
{
    snprintf(loc, LOC_LEN, ":%zu", m.line + 1);
}

static yaml_node_t *node(struct ywalk *w, int id)
{
    return yaml_document_get_node(w->doc, id);
}

static const char *sval(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    size_t len = n->data.scalar.length;
    const char *v = sval(n);
    return len == 0 || (len == 1 && v[0] == '~') ||
           (len == 4 &&
            (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 || memcmp(v, "NULL", 4) == 0));
}

static const char *type_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_SCALAR_NODE:
        return "a string";
    case YAML_NO_NODE:
        break;
    }
    return "nothing";
}

/* Enter a mapping or list once; a second time means an alias loop or a
 * shared subtree. */
static bool enter(struct ywalk *w, const yaml_node_t *n)
{
    size_t i = (size_t)(n - w->doc->nodes.start);
    if (i >= w->n_nodes)
        return true;
    if (w->seen[i]) {
        char loc[LOC_LEN];
        loc_of(loc, n->start_mark);
        return rules_src_fail(w->s, loc,
                              "this node is reached twice through an alias: aliases of rules "
                              "and lists are not supported");
    }
    w->seen[i] = 1;
    return true;
}

/*
 * The value of key in mapping map, or *out = NULL when absent. A key given
 * twice is an error (libyaml keeps both).
 */
static bool get(struct ywalk *w, const yaml_node_t *map, const char *key, yaml_node_t **out)
{
    size_t klen = strlen(key);
    yaml_node_t *found = NULL;
    *out = NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node(w, p->key);
        if (!k || k->type != YAML_SCALAR_NODE || k->data.scalar.length != klen ||
            memcmp(sval(k), key, klen) != 0)
            continue;
        if (found) {
            char loc[LOC_LEN];
            loc_of(loc, k->start_mark);
            return rules_src_fail(w->s, loc, "duplicate key '%s'", key);
        }
        found = node(w, p->value);
    }
    *out = found;
    return true;
}

/* A scalar's text; what names the field in the message. */
static bool scalar(struct ywalk *w, const yaml_node_t *n, const char *what, const char **out,
                   size_t *out_len)
{
    if (n->type != YAML_SCALAR_NODE) {
        char loc[LOC_LEN];
        loc_of(loc, n->start_mark);
        return rules_src_fail(w->s, loc, "%s: expected a string, not %s", what, type_name(n));
    }
    *out = is_null(n) ? "" : sval(n);
    *out_len = is_null(n) ? 0 : n->data.scalar.length;
    return true;
}

static bool need_mapping(struct ywalk *w, const yaml_node_t *n, const char *what)
{
    if (n->type == YAML_MAPPING_NODE)
        return enter(w, n);
    char loc[LOC_LEN];
    loc_of(loc, n->start_mark);
    return rules_src_fail(w->s, loc, "%s: expected a mapping, not %s", what, type_name(n));
}

/* An optional scalar field handed to one of the rules_src_* setters. */
static bool field(struct ywalk *w, struct ea_rule *rule, const yaml_node_t *map, const char *key,
                  bool (*set)(struct rules_src *, struct ea_rule *, const char *, size_t,
                              const char *))
{
    yaml_node_t *v;
    const char *p = NULL;
    size_t len = 0;
    char loc[LOC_LEN];
    if (!get(w, map, key, &v))
        return false;
    if (!v || is_null(v))
        return true;
    if (!scalar(w, v, key, &p, &len))
        return false;
    loc_of(loc, v->start_mark);
    return set(w->s, rule, p, len, loc);
}

/* service_tag destination: {service_tag, protocol, port_ranges, address_prefixes} */
static bool service_tag(struct ywalk *w, struct ea_rule *rule, const yaml_node_t *dest,
                        const char *rname)
{
    yaml_node_t *tag, *prefixes;
    const char *p = NULL;
    size_t len = 0;
    char loc[LOC_LEN];
    if (!get(w, dest, "service_tag", &tag) || !get(w, dest, "address_prefixes", &prefixes))
        return false;
    if (!tag) {
        loc_of(loc, dest->start_mark);
        return rules_src_fail(w->s, loc, "rule '%s': destination has no service_tag", rname);
    }
    if (!scalar(w, tag, "service_tag", &p, &len))
        return false;
    loc_of(loc, tag->start_mark);
    if (!rules_src_tag(w->s, rule, p, len, loc) ||
        !field(w, rule, dest, "protocol", rules_src_protocol) ||
        !field(w, rule, dest, "port_ranges", rules_src_ports))
        return false;
    if (!prefixes || is_null(prefixes))
        return true;
    if (prefixes->type == YAML_SCALAR_NODE) { /* one prefix, or several "a, b" */
        const char *s = sval(prefixes);
        size_t n = prefixes->data.scalar.length, i = 0;
        loc_of(loc, prefixes->start_mark);
        while (i <= n) {
            const char *comma = memchr(s + i, ',', n - i);
            size_t end = comma ? (size_t)(comma - s) : n;
            if (!rules_src_net(w->s, rule, s + i, end - i, PREFIXES_MAX, loc))
                return false;
            i = end + 1;
        }
        return true;
    }
    if (prefixes->type != YAML_SEQUENCE_NODE) {
        loc_of(loc, prefixes->start_mark);
        return rules_src_fail(w->s, loc, "address_prefixes: expected a list, not %s",
                              type_name(prefixes));
    }
    if (!enter(w, prefixes))
        return false;
    for (yaml_node_item_t *it = prefixes->data.sequence.items.start;
         it < prefixes->data.sequence.items.top; it++) {
        yaml_node_t *n = node(w, *it);
        if (!n || !scalar(w, n, "address_prefixes", &p, &len))
            return false;
        loc_of(loc, n->start_mark);
        if (!rules_src_net(w->s, rule, p, len, PREFIXES_MAX, loc))
            return false;
    }
    return true;
}

/*
 * One rule: {name, type, destination, category, status}. In the map form
 * key is the node holding the name (and the rule's line); NULL in a list.
 */
static bool rule_map(struct ywalk *w, const yaml_node_t *map, const yaml_node_t *key)
{
    char loc[LOC_LEN], q[QUOTE_LEN];
    yaml_node_t *name_n, *type_n, *dest;
    const char *p = NULL, *name = NULL;
    size_t len = 0, name_len = 0;

    loc_line(loc, key ? key->start_mark : map->start_mark);
    struct ea_rule *rule = rules_src_add(w->s, loc);
    if (!rule)
        return false;
    if (!get(w, map, "name", &name_n) || !get(w, map, "type", &type_n) ||
        !get(w, map, "destination", &dest))
        return false;

    /* the name: the key in the map form (a name inside must agree) */
    if (name_n && !scalar(w, name_n, "name", &p, &len))
        return false;
    if (key) {
        if (!scalar(w, key, "rule name", &name, &name_len))
            return false;
        if (name_n && (len != name_len || memcmp(p, name, len) != 0)) {
            loc_of(loc, name_n->start_mark);
            return rules_src_fail(w->s, loc, "name '%s' differs from the rule's key",
                                  rules_src_quote(q, sizeof(q), p, len));
        }
        loc_of(loc, key->start_mark);
    } else {
        if (!name_n) {
            loc_of(loc, map->start_mark);
            return rules_src_fail(w->s, loc, "rule has no name");
        }
        name = p;
        name_len = len;
        loc_of(loc, name_n->start_mark);
    }
    if (!rules_src_name(w->s, rule, name, name_len, loc))
        return false;
    rules_src_quote(q, sizeof(q), name, name_len);

    if (!type_n) {
        loc_of(loc, map->start_mark);
        return rules_src_fail(w->s, loc,
                              "rule '%s' has no type (fqdn, service_tag or private_endpoint)", q);
    }
    if (!scalar(w, type_n, "type", &p, &len))
        return false;
    loc_of(loc, type_n->start_mark);
    if (!rules_src_kind(w->s, rule, p, len, loc))
        return false;

    if (!dest) {
        loc_of(loc, map->start_mark);
        return rules_src_fail(w->s, loc, "rule '%s' has no destination", q);
    }
    loc_of(loc, dest->start_mark);
    switch (rule->kind) {
    case EA_RULE_FQDN:
        if (!scalar(w, dest, "destination", &p, &len) || !rules_src_fqdn(w->s, rule, p, len, loc))
            return false;
        break;
    case EA_RULE_SERVICE_TAG:
        if (!need_mapping(w, dest, "destination") || !service_tag(w, rule, dest, q))
            return false;
        break;
    case EA_RULE_PRIVATE_ENDPOINT: {
        yaml_node_t *id;
        if (!need_mapping(w, dest, "destination") || !get(w, dest, "service_resource_id", &id))
            return false;
        if (!id)
            return rules_src_fail(w->s, loc, "rule '%s': destination has no service_resource_id",
                                  q);
        if (!scalar(w, id, "service_resource_id", &p, &len))
            return false;
        loc_of(loc, id->start_mark);
        if (!rules_src_resource(w->s, rule, p, len, loc) ||
            !field(w, rule, dest, "subresource_target", rules_src_subresource) ||
            !field(w, rule, dest, "spark_enabled", rules_src_spark))
            return false;
        break;
    }
    case EA_RULE_CIDR:
    case EA_RULE__COUNT:
        break;
    }
    return field(w, rule, map, "category", rules_src_category) &&
           field(w, rule, map, "status", rules_src_status);
}

/* outbound_rules: a list of rules, a map of rules by name, or nothing. */
static bool rules_node(struct ywalk *w, const yaml_node_t *rules)
{
    char loc[LOC_LEN];
    if (is_null(rules))
        return true;
    loc_of(loc, rules->start_mark);
    if (rules->type == YAML_SEQUENCE_NODE) {
        if (!enter(w, rules))
            return false;
        for (yaml_node_item_t *it = rules->data.sequence.items.start;
             it < rules->data.sequence.items.top; it++) {
            yaml_node_t *n = node(w, *it);
            if (!n)
                return rules_src_fail(w->s, loc, "broken document");
            if (n->type != YAML_MAPPING_NODE) {
                loc_of(loc, n->start_mark);
                return rules_src_fail(w->s, loc,
                                      "expected a rule (a mapping with name, type and "
                                      "destination), not %s",
                                      type_name(n));
            }
            if (!enter(w, n) || !rule_map(w, n, NULL))
                return false;
        }
        return true;
    }
    if (rules->type == YAML_MAPPING_NODE) {
        if (!enter(w, rules))
            return false;
        for (yaml_node_pair_t *p = rules->data.mapping.pairs.start;
             p < rules->data.mapping.pairs.top; p++) {
            yaml_node_t *k = node(w, p->key), *v = node(w, p->value);
            if (!k || !v)
                return rules_src_fail(w->s, loc, "broken document");
            if (k->type != YAML_SCALAR_NODE || is_null(k)) {
                loc_of(loc, k->start_mark);
                return rules_src_fail(w->s, loc, "expected a rule name as the key, not %s",
                                      type_name(k));
            }
            if (v->type != YAML_MAPPING_NODE) {
                loc_of(loc, v->start_mark);
                return rules_src_fail(w->s, loc,
                                      "expected a rule (a mapping with type and destination), "
                                      "not %s",
                                      type_name(v));
            }
            if (!enter(w, v) || !rule_map(w, v, k))
                return false;
        }
        return true;
    }
    return rules_src_fail(w->s, loc, "outbound_rules: expected a list or a mapping of rules");
}

static bool document(struct ywalk *w, const yaml_node_t *root)
{
    char loc[LOC_LEN];
    yaml_node_t *mn, *rules;
    loc_of(loc, root->start_mark);
    if (root->type == YAML_SEQUENCE_NODE)
        return rules_node(w, root);
    if (root->type != YAML_MAPPING_NODE)
        return rules_src_fail(w->s, loc, "expected a mapping with managed_network.outbound_rules");
    if (!enter(w, root) || !get(w, root, "managed_network", &mn))
        return false;
    if (mn) {
        if (is_null(mn))
            return true;
        if (!need_mapping(w, mn, "managed_network") || !get(w, mn, "outbound_rules", &rules))
            return false;
        return !rules || rules_node(w, rules); /* no rules: isolation mode only */
    }
    if (!get(w, root, "outbound_rules", &rules))
        return false;
    if (!rules)
        return rules_src_fail(w->s, loc, "expected a mapping with managed_network.outbound_rules");
    return rules_node(w, rules);
}

static bool parse_error(struct rules_src *s, const yaml_parser_t *p)
{
    char loc[LOC_LEN];
    if (p->error == YAML_MEMORY_ERROR)
        return rules_src_fail(s, "", "out of memory");
    loc_of(loc, p->problem_mark);
    const char *problem = p->problem ? p->problem : "not valid YAML";
    if (p->context)
        return rules_src_fail(s, loc, "%s (%s at line %zu)", problem, p->context,
                              p->context_mark.line + 1);
    return rules_src_fail(s, loc, "%s", problem);
}

/*
 * libyaml's scanner slows down with nesting (every token looks at each open
 * flow level: 100,000 '[' take tens of seconds), so a first pass over the
 * events refuses deep documents before the tree is built. It stops at the
 * first error, which is the one the load would report.
 */
static bool depth_ok(struct rules_src *s, const char *buf, size_t len)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int depth = 0;
    bool ok = true;
    if (!yaml_parser_initialize(&parser))
        return rules_src_fail(s, "", "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    for (;;) {
        if (!yaml_parser_parse(&parser, &ev)) {
            ok = parse_error(s, &parser);
            break;
        }
        yaml_event_type_t type = ev.type;
        yaml_mark_t mark = ev.start_mark;
        yaml_event_delete(&ev);
        if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
            if (++depth > DEPTH_MAX) {
                char loc[LOC_LEN];
                loc_of(loc, mark);
                ok = rules_src_fail(s, loc, "nested deeper than %d levels", DEPTH_MAX);
                break;
            }
        } else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
            depth--;
        } else if (type == YAML_STREAM_END_EVENT) {
            break;
        }
    }
    yaml_parser_delete(&parser);
    return ok;
}

bool rules_load_yaml(struct ea_report *r, const char *origin_name, const char *buf, size_t len,
                     FILE *warn, char *err, size_t errlen)
{
    struct rules_src *s = rules_src_open(r, origin_name, warn, err, errlen);
    if (!s)
        return false;
    if (!depth_ok(s, buf, len))
        return rules_src_close(s, false);
    yaml_parser_t parser;
    yaml_document_t doc, next;
    bool ok = false, have_doc = false;
    if (!yaml_parser_initialize(&parser)) {
        rules_src_fail(s, "", "out of memory");
        return rules_src_close(s, false);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    if (!yaml_parser_load(&parser, &doc)) {
        parse_error(s, &parser);
        goto out;
    }
    have_doc = true;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) { /* an empty file: no rules */
        ok = true;
        goto out;
    }
    /* one document only: a second one would be silently ignored */
    if (!yaml_parser_load(&parser, &next)) {
        parse_error(s, &parser);
        goto out;
    }
    yaml_node_t *root2 = yaml_document_get_root_node(&next);
    if (root2) {
        char loc[LOC_LEN];
        loc_of(loc, root2->start_mark);
        rules_src_fail(s, loc, "more than one YAML document");
    }
    yaml_document_delete(&next);
    if (root2)
        goto out;

    struct ywalk w = {.s = s, .doc = &doc};
    w.n_nodes = (size_t)(doc.nodes.top - doc.nodes.start);
    w.seen = calloc(w.n_nodes ? w.n_nodes : 1, 1);
    if (!w.seen) {
        rules_src_fail(s, "", "out of memory");
        goto out;
    }
    ok = document(&w, root);
    free(w.seen);
out:
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rules_src_close(s, ok);
}
