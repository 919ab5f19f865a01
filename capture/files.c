/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Capture files as one run: each file's frames pushed into the analyzer. */
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "source.h"

enum { PROGRESS_EVERY = 1 << 18 };

static enum capture_status read_file(struct analyzer *a, const char *path,
                                     const struct capture_files_opts *o, uint64_t *seen, char *err,
                                     size_t errlen)
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
    struct ea_frame fr;
    uint64_t offset = 0;
    enum source_status st = SOURCE_END;
    bool ok = true;
    while ((!o->max_packets || *seen < o->max_packets) &&
           (st = source_next(s, &fr, why, sizeof(why), &offset)) == SOURCE_FRAME) {
        in->packets++;
        (*seen)++;
        ok = analyzer_feed(a, &fr);
        if (o->progress && in->packets % PROGRESS_EVERY == 0)
            fprintf(o->progress, "egress-audit: '%s': %llu packets\n", path,
                    (unsigned long long)in->packets);
        if (!ok)
            break;
    }
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

enum capture_status capture_read_files(struct analyzer *a, const char *const *paths, size_t n_paths,
                                       const struct capture_files_opts *opts, char *err,
                                       size_t errlen)
{
    enum capture_status st = CAPTURE_OK;
    uint64_t seen = 0;
    for (size_t i = 0; i < n_paths && st == CAPTURE_OK; i++) {
        if (opts->max_packets && seen >= opts->max_packets)
            break;
        st = read_file(a, paths[i], opts, &seen, err, errlen);
    }
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
