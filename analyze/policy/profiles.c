/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Built-in profiles: text rule files with a header naming their source
 * document and its date, installed into DATADIR/egress-audit/profiles. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ascii.h"
#include "config.h"
#include "rules.h"

enum { PROFILES_MAX = 64, NAME_MAX_LEN = 64 };

static bool is_dir(const char *p)
{
    struct stat st;
    return p && *p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *rules_profile_dir(void)
{
    const char *env = getenv("EGRESS_AUDIT_PROFILES");
    if (env && *env)
        return env;
    if (is_dir(EA_DATADIR "/profiles"))
        return EA_DATADIR "/profiles";
    return EA_SOURCE_PROFILES; /* an uninstalled build */
}

static bool valid_profile_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > NAME_MAX_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The profile names in dir, sorted; each to be freed. */
static size_t profile_names(const char *dir, char *names[PROFILES_MAX])
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < PROFILES_MAX) {
        size_t len = strlen(e->d_name);
        if (len <= 6 || strcmp(e->d_name + len - 6, ".rules") != 0)
            continue;
        names[n] = strndup(e->d_name, len - 6);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_str);
    return n;
}

/* Levenshtein distance of two short names (both at most NAME_MAX_LEN). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[NAME_MAX_LEN + 1];
    if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* "unknown profile 'x'", with the nearest name when one is close. */
static void unknown_profile(const char *name, char *err, size_t errlen)
{
    char *names[PROFILES_MAX];
    size_t n = profile_names(rules_profile_dir(), names);
    size_t best = SIZE_MAX, at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(name, names[i]);
        if (d < best) {
            best = d;
            at = i;
        }
    }
    size_t len = strlen(name);
    if (n && best <= 3 && best * 3 <= len + 2)
        snprintf(err, errlen,
                 "unknown profile '%.64s': did you mean '%s'? (egress-audit rules --list shows "
                 "them)",
                 name, names[at]);
    else
        snprintf(err, errlen, "unknown profile '%.64s' (egress-audit rules --list shows them)",
                 name);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
}

bool rules_load_profile(struct ea_report *r, const char *given, FILE *warn, char *err,
                        size_t errlen)
{
    char path[4096], name[NAME_MAX_LEN + 1];
    size_t len = strlen(given);
    if (len > NAME_MAX_LEN) {
        snprintf(err, errlen, "unknown profile '%.64s...' (egress-audit rules --list shows them)",
                 given);
        return false;
    }
    for (size_t i = 0; i <= len; i++) /* profile names are case-insensitive */
        name[i] = ea_ascii_lower_c(given[i]);
    if (!valid_profile_name(name)) {
        unknown_profile(name, err, errlen);
        return false;
    }
    int n = snprintf(path, sizeof(path), "%s/%s.rules", rules_profile_dir(), name);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        snprintf(err, errlen, "profile directory path too long");
        return false;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        unknown_profile(name, err, errlen);
        return false;
    }
    size_t first = r->n_rules;
    if (!rules_load_file(r, path, RULES_TEXT, warn, err, errlen))
        return false;
    char origin[NAME_MAX_LEN + 16];
    snprintf(origin, sizeof(origin), "profile %s", name);
    for (size_t i = first; i < r->n_rules; i++) {
        if (!ea_str_set(&r->rules[i].origin, origin, strlen(origin))) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
    }
    return true;
}

/* The value of a "# key: value" header line, trimmed. The first such line
 * wins: a profile that mixes sources repeats "# source:" before each group
 * of rules, and the header's line names them all. */
static void header_value(const char *line, const char *key, char *out, size_t outsz)
{
    size_t k = strlen(key);
    if (out[0] != '\0')
        return;
    if (strncmp(line, "# ", 2) != 0 || strncmp(line + 2, key, k) != 0 || line[2 + k] != ':')
        return;
    const char *v = line + 3 + k;
    while (*v == ' ')
        v++;
    size_t len = strcspn(v, "\r\n");
    if (len >= outsz)
        len = outsz - 1;
    memcpy(out, v, len);
    out[len] = '\0';
}

bool rules_list_profiles(FILE *out, char *err, size_t errlen)
{
    const char *dir = rules_profile_dir();
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "cannot read profiles in '%s': %s", dir, strerror(errno));
        return false;
    }
    closedir(d);
    char *names[PROFILES_MAX];
    size_t n = profile_names(dir, names);
    for (size_t i = 0; i < n; i++) {
        char path[4096], line[1024], title[512] = "", source[512] = "", date[256] = "",
                                     kind[256] = "", read[64] = "";
        size_t rules = 0;
        snprintf(path, sizeof(path), "%s/%s.rules", dir, names[i]);
        FILE *f = fopen(path, "r");
        if (f) {
            while (fgets(line, sizeof(line), f)) {
                header_value(line, "title", title, sizeof(title));
                header_value(line, "source", source, sizeof(source));
                header_value(line, "date", date, sizeof(date));
                header_value(line, "kind", kind, sizeof(kind));
                header_value(line, "read", read, sizeof(read));
                const char *p = line + strspn(line, " \t");
                if (*p && *p != '#' && *p != '\n' && *p != '\r')
                    rules++;
            }
            fclose(f);
        }
        fprintf(out, "%s\t%zu rule%s\t%s\n\tsource: %s\n\tdate: %s\n\tread: %s\n\tkind: %s\n",
                names[i], rules, rules == 1 ? "" : "s", title, source, date, read[0] ? read : "-",
                kind);
        free(names[i]);
    }
    return !ferror(out);
}

bool rules_explain_profile(FILE *out, const char *given, char *err, size_t errlen)
{
    char path[4096], name[NAME_MAX_LEN + 1];
    size_t len = strlen(given);
    if (len > NAME_MAX_LEN) {
        snprintf(err, errlen, "unknown profile '%.64s...' (egress-audit rules --list shows them)",
                 given);
        return false;
    }
    for (size_t i = 0; i <= len; i++)
        name[i] = ea_ascii_lower_c(given[i]);
    FILE *f = NULL;
    if (valid_profile_name(name) &&
        snprintf(path, sizeof(path), "%s/%s.rules", rules_profile_dir(), name) < (int)sizeof(path))
        f = fopen(path, "r");
    if (!f) {
        unknown_profile(name, err, errlen);
        return false;
    }
    /* The header as written, the change history, then the rules and the
     * lines that say what was removed: the file is the explanation. */
    char line[2048];
    bool in_changes = false, said_rules = false;
    fprintf(out, "profile %s (%s)\n", name, path);
    while (fgets(line, sizeof(line), f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        if (strncmp(line, "# changes:", 10) == 0) {
            fputs("changes:\n", out);
            in_changes = true;
            continue;
        }
        if (in_changes && strncmp(line, "# - ", 4) == 0) {
            fprintf(out, "  %s\n", line + 4);
            continue;
        }
        in_changes = false;
        if (strncmp(line, "# removed on ", 13) == 0) {
            fprintf(out, "  removed: %s\n", line + 13);
            continue;
        }
        const char *keys[] = {"title", "source", "date", "read", "kind"};
        bool header = false;
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            size_t kl = strlen(keys[k]);
            if (strncmp(line, "# ", 2) == 0 && strncmp(line + 2, keys[k], kl) == 0 &&
                line[2 + kl] == ':' && !said_rules) {
                fprintf(out, "%s:%s\n", keys[k], line + 3 + kl);
                header = true;
            }
        }
        if (header || line[0] == '#' || line[strspn(line, " \t")] == '\0')
            continue;
        if (!said_rules)
            fputs("rules:\n", out);
        said_rules = true;
        fprintf(out, "  %s\n", line);
    }
    bool ok = !ferror(f);
    fclose(f);
    if (!ok)
        snprintf(err, errlen, "cannot read '%s'", path);
    return ok && !ferror(out);
}

size_t rules_profile_names(char **names, size_t max)
{
    char *all[PROFILES_MAX];
    size_t n = profile_names(rules_profile_dir(), all);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (kept < max)
            names[kept++] = all[i];
        else
            free(all[i]);
    }
    return kept;
}
