/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The service catalog (DESIGN.md "Services"): which service, and which part
 * of it, a host name belongs to ("transfer.xethub.hf.co" is Hugging Face
 * Hub, Xet storage), each entry with the document it came from and that
 * document's date. The data are tab-separated files in
 * analyze/policy/services/ (README.md there describes the format), installed
 * to DATADIR/egress-audit/services.
 *
 * Patterns use the Azure FQDN rule syntax and are matched by the rule
 * matcher (rules.h): "huggingface.co" only itself, "*.hf.co" any name below
 * hf.co. The most specific entry wins: an exact name before any wildcard,
 * then the wildcard with the longest suffix ("*.xethub.hf.co" before
 * "*.hf.co").
 *
 * Loading is all or nothing per file: a bad line refuses its whole file with
 * one message "PATH:LINE: what is wrong", and what the catalog held before
 * stays as it was.
 */
#ifndef EA_CATALOG_H
#define EA_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

enum {
    CATALOG_ENTRIES_MAX = 4096, /* entries in a catalog, all files together */
    CATALOG_ROTATING_MAX = 256, /* rotating-hosts notes, one per service at most */
    CATALOG_FILES_MAX = 64,     /* *.tsv files read from one directory */
    CATALOG_LINE_MAX = 4096,    /* bytes in one line, without its newline */
    CATALOG_NAME_MAX = 64,      /* a service or a role */
    CATALOG_TEXT_MAX = 1024,    /* a source, or a rotating-hosts note */
    CATALOG_DATE_MAX = 128,     /* a date, with its explanation */
};

#define CATALOG_FILE_MAX ((size_t)1 << 20) /* bytes in one data file */

/* One entry, as a lookup returns it. The strings live as long as the
 * catalog; none is NULL (source and date may be empty until linted). */
struct catalog_entry {
    const char *pattern; /* lower case, no trailing dot: "*.xethub.hf.co" */
    const char *service; /* "Hugging Face Hub" */
    const char *role;    /* "Xet storage" */
    const char *source;  /* the document: a URL and what in it */
    const char *date;    /* "2026-07-16", or "not found in stored copy; read ..." */
    const char *origin;  /* "PATH:LINE" of the entry */
};

/* A service's rotating-hosts note: what the owner says about a host set that
 * changes ("... consider *.hf.co"), for remediation to cite. */
struct catalog_rotating {
    const char *service;
    const char *guidance;
    const char *source;
    const char *date;
    const char *origin;
};

struct catalog;

/* Where the shipped catalog is read from: $EGRESS_AUDIT_SERVICES, else the
 * installed directory, else the source tree (an uninstalled build). */
const char *catalog_dir(void);

/* An empty catalog; NULL when out of memory. catalog_free accepts NULL. */
struct catalog *catalog_new(void);
void catalog_free(struct catalog *c);

/* Add the entries of one file's text; origin_name stands for the path in
 * origins and messages. */
bool catalog_load_buffer(struct catalog *c, const char *origin_name, const char *buf, size_t len,
                         char *err, size_t errlen);
bool catalog_load_file(struct catalog *c, const char *path, char *err, size_t errlen);
/* Every "*.tsv" of dir, in name order. A directory without one is an error. */
bool catalog_load_dir(struct catalog *c, const char *dir, char *err, size_t errlen);

/*
 * The entry for a host name (raw bytes from the wire: any case, maybe a
 * trailing dot, maybe hostile), or NULL when no entry matches. Never reads
 * past name + len.
 */
const struct catalog_entry *catalog_lookup(const struct catalog *c, const char *name, size_t len);

/* The rotating-hosts note of a service (exact name), or NULL. */
const struct catalog_rotating *catalog_rotating(const struct catalog *c, const char *service);

/* The entries in load order. */
size_t catalog_size(const struct catalog *c);
const struct catalog_entry *catalog_entry_at(const struct catalog *c, size_t i);

/*
 * Provenance checks for the shipped data. catalog_lint: every entry and
 * every note has a source naming a URL and a date ("YYYY-MM-DD ..." or "not
 * found ..."), and every note's service has entries. catalog_lint_profile:
 * a profile (a text rule file) has "# source:", "# date:" and "# read:"
 * lines, and every rule line follows a "# source:" line naming a URL. Both
 * stop at the first problem: err holds "ORIGIN: what is missing".
 */
bool catalog_lint(const struct catalog *c, char *err, size_t errlen);
bool catalog_lint_profile(const char *path, char *err, size_t errlen);

#endif
