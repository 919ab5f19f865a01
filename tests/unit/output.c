/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A renderer's output, captured and read back (output.h). */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

void output_free(struct output *o)
{
    free(o->buf);
    o->buf = NULL;
}

struct output do_render_json(const struct ea_report *r)
{
    struct output o = {0};
    FILE *f = open_memstream(&o.buf, &o.len);
    assert_non_null(f);
    assert_int_equal(render_json(r, f), 0);
    assert_int_equal(fclose(f), 0);
    return o;
}

struct output do_render_text(const struct ea_report *r, bool color)
{
    struct render_opts opts = {.color = color, .connections = true};
    return do_render_opts(r, RENDER_TEXT, &opts);
}

struct output do_render_opts(const struct ea_report *r, enum render_kind kind,
                             const struct render_opts *opts)
{
    struct output o = {0};
    FILE *f = open_memstream(&o.buf, &o.len);
    assert_non_null(f);
    int rc = -1;
    switch (kind) {
    case RENDER_TEXT:
        rc = render_text(r, f, opts);
        break;
    case RENDER_MD:
        rc = render_md(r, f, opts);
        break;
    case RENDER_HTML:
        rc = render_html(r, f, opts);
        break;
    case RENDER_CSV:
        rc = render_csv(r, f);
        break;
    case RENDER_JSON:
        rc = render_json(r, f);
        break;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(fclose(f), 0);
    return o;
}

json_t *parse(const struct output *o)
{
    json_error_t err;
    json_t *j = json_loadb(o->buf, o->len, 0, &err);
    if (!j)
        fail_msg("json: %s at line %d: %s", err.text, err.line, o->buf);
    return j;
}

void assert_printable(const struct output *o)
{
    for (size_t i = 0; i < o->len; i++) {
        unsigned char b = (unsigned char)o->buf[i];
        if (b != '\n' && (b < 0x20 || b >= 0x7f))
            fail_msg("byte 0x%02x at offset %zu", b, i);
    }
}

char *line_starting(const struct output *o, const char *prefix, char *buf, size_t n)
{
    size_t plen = strlen(prefix);
    const char *p = o->buf;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len >= plen && memcmp(p, prefix, plen) == 0) {
            assert_true(len < n);
            memcpy(buf, p, len);
            buf[len] = '\0';
            return buf;
        }
        p = nl ? nl + 1 : NULL;
    }
    fail_msg("no line starting with '%s' in:\n%s", prefix, o->buf);
    return NULL;
}

char *line_containing(const struct output *o, const char *needle, char *buf, size_t n)
{
    const char *at = strstr(o->buf, needle);
    if (!at)
        fail_msg("no line with '%s' in:\n%s", needle, o->buf);
    const char *start = at;
    while (start > o->buf && start[-1] != '\n')
        start--;
    const char *end = strchr(at, '\n');
    size_t len = end ? (size_t)(end - start) : strlen(start);
    assert_true(len < n);
    memcpy(buf, start, len);
    buf[len] = '\0';
    return buf;
}

const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        fail_msg("key '%s' is not a string", key);
    return json_string_value(v);
}

json_int_t jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("key '%s' is not an integer", key);
    return json_integer_value(v);
}

void assert_jnull(const json_t *o, const char *key)
{
    if (!json_is_null(json_object_get(o, key)))
        fail_msg("key '%s' is not null", key);
}

size_t unescape(const char *s, unsigned char *out)
{
    size_t n = 0;
    while (*s) {
        if (s[0] != '\\') {
            out[n++] = (unsigned char)*s++;
        } else if (s[1] == '\\') {
            out[n++] = '\\';
            s += 2;
        } else {
            assert_int_equal(s[1], 'x');
            char hex[3] = {s[2], s[3], 0};
            assert_true(strspn(hex, "0123456789abcdef") == 2);
            out[n++] = (unsigned char)strtoul(hex, NULL, 16);
            s += 4;
        }
    }
    return n;
}
