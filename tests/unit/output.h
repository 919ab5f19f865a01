/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A renderer's output, captured and read back: as text lines, as JSON
 * (jansson), and the safe-text escape undone. Include after <cmocka.h>.
 */
#ifndef EA_TEST_OUTPUT_H
#define EA_TEST_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* Output of a renderer, NUL-terminated (it is ASCII text, checked below). */
struct output {
    char *buf;
    size_t len;
};

void output_free(struct output *o);
struct output do_render_json(const struct ea_report *r);
/* The text report with every section (-v) and no width limit. */
struct output do_render_text(const struct ea_report *r, bool color);

enum render_kind { RENDER_TEXT, RENDER_JSON, RENDER_MD, RENDER_HTML, RENDER_CSV };
struct render_opts;
struct output do_render_opts(const struct ea_report *r, enum render_kind kind,
                             const struct render_opts *opts);
json_t *parse(const struct output *o);

/* Every byte is printable ASCII or a newline. */
void assert_printable(const struct output *o);

/* The line of the output that starts with prefix (NUL-terminated copy). */
char *line_starting(const struct output *o, const char *prefix, char *buf, size_t n);

/* The first line of the output that contains needle. */
char *line_containing(const struct output *o, const char *needle, char *buf, size_t n);

/* A member that must be a string, an integer, or null. */
const char *jstr(const json_t *o, const char *key);
json_int_t jint(const json_t *o, const char *key);
void assert_jnull(const json_t *o, const char *key);

/* Decode the safe text back to bytes (the test's own reading of the rule). */
size_t unescape(const char *s, unsigned char *out);

#endif
