/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cursor.h"

const char *parse_result_name(enum parse_result r)
{
    switch (r) {
    case PARSE_OK:
        return "ok";
    case PARSE_INCOMPLETE:
        return "incomplete";
    case PARSE_MALFORMED:
        return "malformed";
    }
    return "?";
}

bool cur_u8(struct cur *c, uint8_t *out)
{
    if (c->left < 1)
        return false;
    *out = c->p[0];
    c->p++;
    c->left--;
    return true;
}

bool cur_be16(struct cur *c, uint16_t *out)
{
    if (c->left < 2)
        return false;
    *out = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
    c->p += 2;
    c->left -= 2;
    return true;
}

bool cur_be24(struct cur *c, uint32_t *out)
{
    if (c->left < 3)
        return false;
    *out = (uint32_t)c->p[0] << 16 | (uint32_t)c->p[1] << 8 | c->p[2];
    c->p += 3;
    c->left -= 3;
    return true;
}

bool cur_be32(struct cur *c, uint32_t *out)
{
    if (c->left < 4)
        return false;
    *out = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
    c->p += 4;
    c->left -= 4;
    return true;
}

bool cur_quic_varint(struct cur *c, uint64_t *out)
{
    if (c->left < 1)
        return false;
    size_t n = (size_t)1 << (c->p[0] >> 6);
    if (n > c->left)
        return false;
    uint64_t v = c->p[0] & 0x3f;
    for (size_t i = 1; i < n; i++)
        v = v << 8 | c->p[i];
    *out = v;
    c->p += n;
    c->left -= n;
    return true;
}

bool cur_skip(struct cur *c, size_t n)
{
    if (n > c->left)
        return false;
    c->p += n;
    c->left -= n;
    return true;
}

bool cur_peek_u8(const struct cur *c, uint8_t *out)
{
    if (c->left < 1)
        return false;
    *out = c->p[0];
    return true;
}

bool cur_bytes(struct cur *c, size_t n, const uint8_t **out)
{
    if (n > c->left)
        return false;
    *out = c->p;
    c->p += n;
    c->left -= n;
    return true;
}

bool cur_sub(struct cur *c, size_t n, struct cur *out)
{
    if (n > c->left)
        return false;
    out->p = c->p;
    out->left = n;
    c->p += n;
    c->left -= n;
    return true;
}

bool cur_vec8(struct cur *c, struct cur *out)
{
    struct cur save = *c;
    uint8_t n;
    if (!cur_u8(c, &n) || !cur_sub(c, n, out)) {
        *c = save;
        return false;
    }
    return true;
}

bool cur_vec16(struct cur *c, struct cur *out)
{
    struct cur save = *c;
    uint16_t n;
    if (!cur_be16(c, &n) || !cur_sub(c, n, out)) {
        *c = save;
        return false;
    }
    return true;
}

bool cur_vec24(struct cur *c, struct cur *out)
{
    struct cur save = *c;
    uint32_t n;
    if (!cur_be24(c, &n) || !cur_sub(c, n, out)) {
        *c = save;
        return false;
    }
    return true;
}

bool cur_at(const struct cur *whole, size_t off, struct cur *out)
{
    if (off > whole->left)
        return false;
    out->p = whole->p + off;
    out->left = whole->left - off;
    return true;
}
