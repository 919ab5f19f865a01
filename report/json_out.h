/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A streaming JSON writer with its own output buffer. The bytes are those
 * jansson's json_dumpf writes for the same tree with JSON_INDENT(2) |
 * JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(16): two
 * spaces a level, "key": value, ",\n" between members, {} and [] when empty,
 * strings escaped as jansson's dump.c does, reals as its jsonp_dtostr. No
 * tree is built, nothing is allocated after jo_new, no recursion.
 *
 * The first failure (a write error, a value jansson would refuse, a call out
 * of order, nesting past JO_MAX_DEPTH, or jo_fail) sticks: every later call
 * does nothing, and jo_flush reports it.
 */
#ifndef EA_JSON_OUT_H
#define EA_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Containers open at once, at most. */
#define JO_MAX_DEPTH 32
/* The output buffer jo_new(f, 0) gets, and the bounds of any other size. */
#define JO_BUF_DEFAULT (64 * 1024)
#define JO_BUF_MIN 64
#define JO_BUF_MAX (16 * 1024 * 1024)

struct json_out;

/* A writer to f with a buffer of bufsize bytes (0: JO_BUF_DEFAULT; others
 * are clamped to JO_BUF_MIN..JO_BUF_MAX). NULL on ENOMEM. */
struct json_out *jo_new(FILE *f, size_t bufsize);

/* Free w (NULL is fine) without writing what is still buffered. */
void jo_free(struct json_out *w);

/* Write out the buffer (fwrite, not fflush). 0, or -1 when this or any
 * earlier call failed. */
int jo_flush(struct json_out *w);

/* Whether a call has failed. */
bool jo_failed(const struct json_out *w);

/* Mark w failed (the caller's own error, e.g. ENOMEM while building a
 * value): the output stops here. */
void jo_fail(struct json_out *w);

/* Containers. Inside an object every value follows a jo_key. */
void jo_begin_object(struct json_out *w);
void jo_end_object(struct json_out *w);
void jo_begin_array(struct json_out *w);
void jo_end_array(struct json_out *w);

/* The next member's key (NUL-terminated, escaped like a string). NULL
 * fails, as json_object_set_new does. */
void jo_key(struct json_out *w, const char *key);

/* Values. */
void jo_null(struct json_out *w);
void jo_bool(struct json_out *w, bool v);
void jo_int(struct json_out *w, long long v);
/* An integer up to INT64_MAX; above it a real of the same magnitude (what
 * json_real((double)v) writes, as a json_int_t cannot hold it). */
void jo_u64(struct json_out *w, uint64_t v);
/* "%.16g", then ".0" when that reads as an integer, the exponent without
 * '+' or leading zeros (jsonp_dtostr). NaN and infinities fail, as
 * json_real refuses them. */
void jo_real(struct json_out *w, double v);
/* s[0..len) as a JSON string: '"', '\\' and controls escaped, everything
 * past 0x7f as \uXXXX (a surrogate pair past the BMP). Bytes that are not
 * valid UTF-8 fail (json_stringn refuses them). s may be NULL when len is 0. */
void jo_string(struct json_out *w, const char *s, size_t len);

/* Bytes as they are, outside the JSON grammar (a final newline). */
void jo_raw(struct json_out *w, const char *s, size_t len);

#endif
