/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Capture files as one run: each file's frames pushed into the analyzer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "capture.h"
#include "hash.h"
#include "source.h"

/* ---- progress: one line on a terminal, rewritten in place ----
 *
 * Percent of the bytes of all files, MB/s, packets, hosts and the time left,
 * at most twice a second; cleared before a warning and at the end. Without
 * a size (standard input, a pipe) the percent and time left are left out. */

enum { PROGRESS_CHECK = 1 << 14 }; /* packets between looks at the clock */

struct progress {
    FILE *f;         /* NULL: no progress */
    uint64_t total;  /* bytes of all files; 0: unknown */
    uint64_t before; /* bytes of the files already read */
    uint64_t packets;
    struct timespec start, last;
    double interval; /* seconds between updates */
    bool shown;
};

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress_clear(struct progress *pr)
{
    if (pr->f && pr->shown) {
        fputs("\r\033[K", pr->f);
        fflush(pr->f);
        pr->shown = false;
    }
}

static void progress_tick(struct progress *pr, struct analyzer *a, const struct source *s)
{
    struct timespec now;
    if (!pr->f || clock_gettime(CLOCK_MONOTONIC, &now) != 0 ||
        seconds_between(&pr->last, &now) < pr->interval)
        return;
    pr->last = now;
    double elapsed = seconds_between(&pr->start, &now);
    uint64_t done = pr->before + source_bytes_read(s);
    double rate = elapsed > 0 ? (double)done / elapsed : 0; /* bytes per second */
    fputs("\regress-audit: ", pr->f);
    if (pr->total && done <= pr->total)
        fprintf(pr->f, "%u%% of %.2f GB, ", (unsigned)(done * 100 / pr->total),
                (double)pr->total / 1e9);
    else
        fprintf(pr->f, "%.2f GB, ", (double)done / 1e9);
    fprintf(pr->f, "%.0f MB/s, %llu packets, %zu hosts", rate / 1e6,
            (unsigned long long)pr->packets, analyzer_hosts(a));
    if (pr->total && done <= pr->total && rate > 0) {
        unsigned long long left = (unsigned long long)((double)(pr->total - done) / rate + 0.5);
        fprintf(pr->f, ", %llu:%02llu left", left / 60, left % 60);
    }
    fputs("\033[K", pr->f);
    fflush(pr->f);
    pr->shown = true;
}

static enum capture_status read_file(struct analyzer *a, const char *path, unsigned given,
                                     const struct capture_files_opts *o, struct progress *pr,
                                     uint64_t *seen, char *err, size_t errlen)
{
    char why[768];
    bool bad_filter;
    struct source *s = source_open(path, o->bpf, why, sizeof(why), &bad_filter);
    if (!s) {
        if (bad_filter)
            snprintf(err, errlen, "%s", why);
        else
            snprintf(err, errlen, "cannot read '%s': %s", path, why);
        return CAPTURE_INPUT_ERROR;
    }
    struct ea_input *in = analyzer_input(a, path, source_linktype(s), source_linktype_name(s));
    if (!in) {
        source_close(s);
        return CAPTURE_NO_MEMORY;
    }
    in->given_position = given;
    struct ea_frame fr;
    uint64_t offset = 0;
    enum source_status st = SOURCE_END;
    bool ok = true;
    while ((!o->max_packets || *seen < o->max_packets) &&
           (st = source_next(s, &fr, why, sizeof(why), &offset)) == SOURCE_FRAME) {
        in->packets++;
        (*seen)++;
        ok = analyzer_feed(a, &fr);
        if (++pr->packets % PROGRESS_CHECK == 0)
            progress_tick(pr, a, s);
        if (!ok)
            break;
    }
    pr->before += source_bytes_read(s);
    progress_clear(pr);
    if (st == SOURCE_FAIL) {
        snprintf(err, errlen, "cannot read '%s': %s", path, why);
        source_close(s);
        return CAPTURE_INPUT_ERROR;
    }
    if (st == SOURCE_CUT) {
        in->truncated = true;
        in->truncated_offset = offset;
        if (o->warnings) {
            if (offset)
                fprintf(o->warnings,
                        "egress-audit: warning: '%s': cut off in the record at offset %llu "
                        "(%s); analyzed the %llu packets before it\n",
                        path, (unsigned long long)offset, why, (unsigned long long)in->packets);
            else
                fprintf(o->warnings,
                        "egress-audit: warning: '%s': cut off after %llu packets (%s); "
                        "analyzed what is there\n",
                        path, (unsigned long long)in->packets, why);
        }
    }
    source_close(s);
    return ok ? CAPTURE_OK : CAPTURE_NO_MEMORY;
}

/* What a file's first packet says of it, to order rotated files and to
 * tell a copy of the same capture. */
struct first_look {
    size_t given; /* position on the command line */
    bool have;    /* a first packet was read */
    struct timeval ts;
    uint32_t caplen;
    uint64_t hash; /* of the first packet's bytes */
    off_t size;
};

static void look(const char *path, struct first_look *out)
{
    char why[768];
    bool bad_filter;
    struct stat st;
    if (stat(path, &st) == 0)
        out->size = st.st_size;
    struct source *s = source_open(path, NULL, why, sizeof(why), &bad_filter);
    if (!s)
        return; /* reading it will say what is wrong */
    struct ea_frame fr;
    uint64_t offset;
    if (source_next(s, &fr, why, sizeof(why), &offset) == SOURCE_FRAME) {
        out->have = true;
        out->ts = fr.ts;
        out->caplen = fr.caplen;
        out->hash = ea_hash_bytes(EA_FNV_OFFSET, fr.data, fr.caplen);
    }
    source_close(s);
}

static int cmp_first(const void *pa, const void *pb)
{
    const struct first_look *a = pa, *b = pb;
    if (a->have != b->have) /* files without a packet after the rest (placed apart) */
        return a->have ? -1 : 1;
    if (a->have && timercmp(&a->ts, &b->ts, !=))
        return timercmp(&a->ts, &b->ts, <) ? -1 : 1;
    return a->given < b->given ? -1 : a->given > b->given;
}

static void say_time(FILE *f, const struct timeval *tv)
{
    char buf[64];
    time_t t = tv->tv_sec;
    struct tm tm;
    if (gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm))
        fprintf(f, "%s.%06ld UTC", buf, (long)tv->tv_usec);
    else
        fprintf(f, "%lld s", (long long)tv->tv_sec);
}

/* The order to read the files in: by their first packet's time, so that
 * rotated files given out of order (b.pcap a.pcap) continue each other's
 * connections as captured. Standard input cannot be looked at twice: with
 * it, the given order stands. A file that is the same capture as another
 * (same size and first packet) is refused. *out_order[k] is the position on
 * the command line of the k-th file to read. */
static enum capture_status plan(const char *const *paths, size_t n,
                                const struct capture_files_opts *o, size_t *order, char *err,
                                size_t errlen)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    if (n < 2)
        return CAPTURE_OK;
    for (size_t i = 0; i < n; i++)
        if (strcmp(paths[i], "-") == 0)
            return CAPTURE_OK;
    struct first_look *v = calloc(n, sizeof(*v));
    if (!v)
        return CAPTURE_NO_MEMORY;
    for (size_t i = 0; i < n; i++) {
        v[i].given = i;
        look(paths[i], &v[i]);
        for (size_t k = 0; k < i; k++) {
            if (v[i].have && v[k].have && v[i].size == v[k].size && v[i].hash == v[k].hash &&
                v[i].caplen == v[k].caplen && !timercmp(&v[i].ts, &v[k].ts, !=)) {
                snprintf(err, errlen,
                         "'%s' and '%s' hold the same capture (same size and first packet): "
                         "give it once",
                         paths[k], paths[i]);
                free(v);
                return CAPTURE_INPUT_ERROR;
            }
        }
    }
    /* A file without a packet says nothing of when it was captured: it
     * keeps its place on the command line (a rotation's empty first file
     * stays first, as the live capture wrote it), and the files with
     * packets fill the other places in the order of their first packets. */
    bool *empty_at = calloc(n, sizeof(*empty_at));
    if (!empty_at) {
        free(v);
        return CAPTURE_NO_MEMORY;
    }
    for (size_t k = 0; k < n; k++)
        empty_at[k] = !v[k].have;
    qsort(v, n, sizeof(*v), cmp_first);
    bool moved = false;
    size_t next = 0;
    for (size_t k = 0; k < n; k++) {
        order[k] = empty_at[k] ? k : v[next++].given;
        moved = moved || order[k] != k;
    }
    free(empty_at);
    if (moved && o->warnings) {
        /* name the first pair out of order, then the order used */
        for (size_t i = 0; i + 1 < n; i++) {
            const struct first_look *x = NULL, *y = NULL;
            for (size_t k = 0; k < n; k++) {
                if (v[k].given == i)
                    x = &v[k];
                if (v[k].given == i + 1)
                    y = &v[k];
            }
            if (x && y && x->have && y->have && timercmp(&y->ts, &x->ts, <)) {
                fprintf(o->warnings, "egress-audit: warning: '%s' (first packet ", paths[i + 1]);
                say_time(o->warnings, &y->ts);
                fprintf(o->warnings, ") was captured before '%s' (", paths[i]);
                say_time(o->warnings, &x->ts);
                fputs(")\n", o->warnings);
                break;
            }
        }
        fputs("egress-audit: warning: reading the files in the order of their first packets:",
              o->warnings);
        for (size_t k = 0; k < n; k++)
            fprintf(o->warnings, " '%s'", paths[order[k]]);
        fputc('\n', o->warnings);
    }
    free(v);
    return CAPTURE_OK;
}

enum capture_status capture_read_files(struct analyzer *a, const char *const *paths, size_t n_paths,
                                       const struct capture_files_opts *opts, char *err,
                                       size_t errlen)
{
    size_t *order = calloc(n_paths ? n_paths : 1, sizeof(*order));
    if (!order) {
        snprintf(err, errlen, "out of memory");
        return CAPTURE_NO_MEMORY;
    }
    enum capture_status st = plan(paths, n_paths, opts, order, err, errlen);
    bool moved = false;
    for (size_t k = 0; k < n_paths; k++)
        moved = moved || order[k] != k;
    uint64_t seen = 0;
    struct progress pr = {.f = opts->progress};
    for (size_t k = 0; k < n_paths && pr.f; k++) {
        struct stat sb;
        if (strcmp(paths[k], "-") == 0 || stat(paths[k], &sb) != 0 || !S_ISREG(sb.st_mode)) {
            pr.total = 0;
            break;
        }
        pr.total += (uint64_t)sb.st_size;
    }
    if (pr.f && clock_gettime(CLOCK_MONOTONIC, &pr.start) != 0)
        pr.f = NULL;
    pr.last = pr.start;
    pr.interval = 0.5;
    const char *every = getenv("EGRESS_AUDIT_PROGRESS_INTERVAL");
    if (every && *every) {
        char *end;
        double v = strtod(every, &end);
        if (*end == '\0' && v >= 0 && v <= 3600)
            pr.interval = v;
    }
    for (size_t k = 0; k < n_paths && st == CAPTURE_OK; k++) {
        if (opts->max_packets && seen >= opts->max_packets)
            break;
        st = read_file(a, paths[order[k]], moved ? (unsigned)order[k] + 1 : 0, opts, &pr, &seen,
                       err, errlen);
    }
    progress_clear(&pr);
    free(order);
    if (st == CAPTURE_NO_MEMORY && errlen)
        snprintf(err, errlen, "out of memory");
    return st;
}

enum capture_status capture_analyze_files(const char *const *paths, size_t n_paths,
                                          const struct capture_files_opts *copts,
                                          const struct analyze_opts *aopts, struct ea_report *out,
                                          char *err, size_t errlen)
{
    struct analyzer *a = analyzer_new(aopts, out, err, errlen);
    if (!a)
        return strcmp(err, "out of memory") == 0 ? CAPTURE_NO_MEMORY : CAPTURE_INPUT_ERROR;
    enum capture_status st = capture_read_files(a, paths, n_paths, copts, err, errlen);
    if (!analyzer_finish(a) && st == CAPTURE_OK) {
        st = CAPTURE_NO_MEMORY;
        snprintf(err, errlen, "out of memory");
    }
    analyzer_free(a);
    return st;
}
