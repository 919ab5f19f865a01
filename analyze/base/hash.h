/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one hash of the project: 64-bit FNV-1a (Fowler, Noll, Vo; offset
 * basis 14695981039346656037, prime 1099511628211), optionally folding
 * ASCII case so that DNS names (RFC 4343) hash alike. */
#ifndef EA_HASH_H
#define EA_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "ascii.h"

#define EA_FNV_OFFSET 14695981039346656037ULL
#define EA_FNV_PRIME 1099511628211ULL

static inline uint64_t ea_hash_byte(uint64_t h, uint8_t b)
{
    return (h ^ b) * EA_FNV_PRIME;
}

static inline uint64_t ea_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = ea_hash_byte(h, b[i]);
    return h;
}

/* The bytes with ASCII upper case folded to lower case. */
static inline uint64_t ea_hash_bytes_ci(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = ea_hash_byte(h, ea_ascii_lower(b[i]));
    return h;
}

static inline uint64_t ea_hash_u64(uint64_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        h = ea_hash_byte(h, (uint8_t)(v >> (8 * i)));
    return h;
}

#endif
