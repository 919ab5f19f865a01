/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Service catalog files (analyze/policy/catalog.h): catalog_load_buffer, then
 * what a loaded catalog is used for: a lookup of every entry's own pattern
 * (an exact entry must find itself), of fixed names, and the lint.
 */
#include "fuzz.h"

#include "catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    struct catalog *c = catalog_new();
    if (!c)
        abort();
    bool ok = catalog_load_buffer(c, "fuzz.tsv", (const char *)data, size, err, sizeof err);
    if (!ok && strncmp(err, "fuzz.tsv", 8) != 0)
        abort(); /* every message names the file */
    if (!ok && catalog_size(c) != 0)
        abort(); /* a refused file keeps nothing */
    for (size_t i = 0; i < catalog_size(c); i++) {
        const struct catalog_entry *e = catalog_entry_at(c, i);
        fuzz_touch(e->service, strlen(e->service));
        fuzz_touch(e->source, strlen(e->source));
        bool wild = e->pattern[0] == '*';
        char name[300];
        snprintf(name, sizeof name, "%s%s", wild ? "a." : "", e->pattern + (wild ? 2 : 0));
        const struct catalog_entry *got = catalog_lookup(c, name, strlen(name));
        if (!got || (!wild && got != e))
            abort();
        const struct catalog_rotating *r = catalog_rotating(c, e->service);
        if (r)
            fuzz_touch(r->guidance, strlen(r->guidance));
    }
    static const char *const names[] = {
        "huggingface.co", "transfer.xethub.hf.co", "x.hf.co.", "", "*", "a..b"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        (void)catalog_lookup(c, names[i], strlen(names[i]));
    (void)catalog_lookup(c, (const char *)data, size);
    (void)catalog_lint(c, err, sizeof err);
    catalog_free(c);
    return 0;
}
