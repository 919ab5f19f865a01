/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Put a parser's input flush against a PROT_NONE page so that reading one
 * byte past the end faults even without a sanitizer (picohttpparser's test).
 */
#ifndef EA_TEST_GUARD_H
#define EA_TEST_GUARD_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct guarded {
    uint8_t *map;
    size_t map_len;
    uint8_t *p; /* the copy, ending at the guard page */
};

static inline const uint8_t *guard_copy(struct guarded *g, const void *src, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (len + page - 1) / page;
    if (data_pages == 0)
        data_pages = 1;
    g->map_len = (data_pages + 1) * page;
    void *m = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        abort();
    g->map = m;
    if (mprotect(g->map + data_pages * page, page, PROT_NONE) != 0)
        abort();
    g->p = g->map + data_pages * page - len;
    if (len)
        memcpy(g->p, src, len);
    return g->p;
}

static inline void guard_free(struct guarded *g)
{
    if (g->map)
        munmap(g->map, g->map_len);
    g->map = NULL;
}

#endif
