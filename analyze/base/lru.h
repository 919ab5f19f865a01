/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one least-recently-used list of the project: intrusive and doubly
 * linked, oldest at the head. An element embeds a struct ea_lru_node and is
 * found again from it with EA_LRU_ENTRY (offsetof, no casts at call sites). */
#ifndef EA_LRU_H
#define EA_LRU_H

#include <stddef.h>

struct ea_lru_node {
    struct ea_lru_node *prev, *next;
};

struct ea_lru {
    struct ea_lru_node *head, *tail; /* head: least recently used */
};

#define EA_LRU_ENTRY(node, type, member) ((type *)(void *)((char *)(node)-offsetof(type, member)))

static inline void ea_lru_append(struct ea_lru *l, struct ea_lru_node *n)
{
    n->next = NULL;
    n->prev = l->tail;
    if (l->tail)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
}

static inline void ea_lru_remove(struct ea_lru *l, struct ea_lru_node *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        l->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        l->tail = n->prev;
    n->prev = n->next = NULL;
}

/* Mark n as the most recently used. */
static inline void ea_lru_touch(struct ea_lru *l, struct ea_lru_node *n)
{
    if (l->tail == n)
        return;
    ea_lru_remove(l, n);
    ea_lru_append(l, n);
}

#endif
