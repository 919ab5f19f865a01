/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A cursor over untrusted bytes: a pointer and what is left (after
 * BoringSSL's CBS). Every read checks by subtraction, fails without moving
 * and returns false. No other code indexes packet or stream buffers.
 */
#ifndef EA_CURSOR_H
#define EA_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cur {
    const uint8_t *p;
    size_t left;
};

/* The three outcomes of every parser (after picohttpparser). */
enum parse_result {
    PARSE_OK = 0,
    PARSE_INCOMPLETE, /* more bytes needed (or the snaplen cut them) */
    PARSE_MALFORMED,  /* never valid, whatever follows */
};

const char *parse_result_name(enum parse_result r);

static inline void cur_init(struct cur *c, const void *p, size_t n)
{
    c->p = p;
    c->left = p ? n : 0;
}

static inline size_t cur_left(const struct cur *c)
{
    return c->left;
}
static inline bool cur_empty(const struct cur *c)
{
    return c->left == 0;
}

bool cur_u8(struct cur *c, uint8_t *out);
bool cur_be16(struct cur *c, uint16_t *out);
bool cur_be24(struct cur *c, uint32_t *out);
bool cur_be32(struct cur *c, uint32_t *out);
/* RFC 9000 §16: 1, 2, 4 or 8 bytes, length in the top two bits. */
bool cur_quic_varint(struct cur *c, uint64_t *out);
bool cur_skip(struct cur *c, size_t n);
bool cur_peek_u8(const struct cur *c, uint8_t *out);
/* A view of the next n bytes, consumed. */
bool cur_bytes(struct cur *c, size_t n, const uint8_t **out);
/* A child cursor over the next n bytes, consumed from c. */
bool cur_sub(struct cur *c, size_t n, struct cur *out);
/* Length-prefixed vectors (RFC 8446 §3.4): child holds exactly the body. */
bool cur_vec8(struct cur *c, struct cur *out);
bool cur_vec16(struct cur *c, struct cur *out);
bool cur_vec24(struct cur *c, struct cur *out);
/* A cursor from offset off of whole to its end (for DNS pointers). */
bool cur_at(const struct cur *whole, size_t off, struct cur *out);

#endif
