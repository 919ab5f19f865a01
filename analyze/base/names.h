/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Name tables for printed enums (after tcpdump's struct tok): one table
 * {value, "name"} per enum and one pair of lookups for all of them. */
#ifndef EA_NAMES_H
#define EA_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct ea_name {
    int value;
    const char *name;
};

#define EA_NAMES_LEN(tab) (sizeof(tab) / sizeof((tab)[0]))

/* The name of value, or NULL when the table has none (print a number). */
const char *ea_name_of(const struct ea_name *tab, size_t n, int value);

/* The value named name (len bytes, exact or ASCII case-insensitive);
 * *out is written only when found. */
bool ea_name_find(const struct ea_name *tab, size_t n, const char *name, size_t len, bool fold_case,
                  int *out);

#endif
