/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The one safe-text form of a string from the wire (or the file system):
 * bytes 0x20..0x7e are kept, except '\' which becomes "\\"; every other byte
 * (controls, DEL, NUL, 0x80..0xff) becomes "\xNN" in lower-case hex. The
 * result is printable ASCII, so it is valid UTF-8, cannot carry a terminal
 * control sequence, and maps back to the original bytes without ambiguity.
 * Every renderer writes names in this form (JSON then escapes it again as a
 * JSON string).
 */
#ifndef EA_ESCAPE_H
#define EA_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Longest escape of one byte ("\xNN"). */
#define EA_ESCAPE_MAX_PER_BYTE 4

/*
 * Write the safe text of s[0..len) into out (outsz bytes, NUL included) and
 * return the full length it needs, NUL excluded (as snprintf). When it does
 * not fit, the text is cut before the first escape that does not fit whole,
 * and is still NUL-terminated; outsz 0 writes nothing (out may then be NULL).
 * s may be NULL when len is 0.
 */
size_t ea_escape(const char *s, size_t len, char *out, size_t outsz);

/* The same text written to f. 0, or -1 on a write error. */
int ea_escape_fwrite(const char *s, size_t len, FILE *f);

/* The same text in a new heap string (free() it); *out_len (if given) gets
 * its length. NULL on ENOMEM. */
char *ea_escape_dup(const char *s, size_t len, size_t *out_len);

/*
 * The bytes a safe text stands for: the inverse of ea_escape, for text in
 * exactly the form it writes (so that escaping the result gives s back).
 * Writes at most len bytes to out (out may be s itself: decoding never
 * grows) and sets *out_len. On text not in that form returns false, with the
 * offset of the first offending byte in *out_bad and a static reason in
 * *out_why (out then holds a partial result).
 */
bool ea_unescape(const char *s, size_t len, char *out, size_t *out_len, size_t *out_bad,
                 const char **out_why);

#endif
