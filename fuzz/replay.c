/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Replay fuzz inputs without libFuzzer (after systemd's fuzz-main.c): every
 * file named, and every file in every directory named (sorted, dot files
 * skipped), goes once through LLVMFuzzerTestOneInput. This is how the seed
 * corpora and the saved crashes run as regression tests under plain
 * `meson test`, with gcc and without sanitizers. Each input is copied flush
 * against a PROT_NONE page so that reading one byte past it faults anyway.
 *
 *   replay_dns fuzz/corpus/dns [more files or directories...]
 *
 * Exit 0 when every input ran, 1 when a file could not be read or a
 * directory was empty (a crash ends the process on its own).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#define REPLAY_MAX_INPUT ((size_t)64 << 20)

static int read_file(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
        if (len == cap) {
            if (cap >= REPLAY_MAX_INPUT) {
                free(buf);
                buf = NULL;
                errno = EFBIG;
                break;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    bool bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

static int run_one(const char *path)
{
    uint8_t *buf;
    size_t len;
    if (read_file(path, &buf, &len) != 0) {
        fprintf(stderr, "replay: cannot read '%s': %s\n", path, strerror(errno));
        return -1;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = len / page + 1;
    size_t map_len = (data_pages + 1) * page;
    uint8_t *map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED || mprotect(map + data_pages * page, page, PROT_NONE) != 0) {
        fprintf(stderr, "replay: cannot map a guard page: %s\n", strerror(errno));
        free(buf);
        return -1;
    }
    uint8_t *in = map + data_pages * page - len;
    if (len)
        memcpy(in, buf, len);
    free(buf);
    if (mprotect(map, data_pages * page, PROT_READ) != 0) { /* inputs are const */
        fprintf(stderr, "replay: mprotect: %s\n", strerror(errno));
        munmap(map, map_len);
        return -1;
    }
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    (void)LLVMFuzzerTestOneInput(in, len);
    munmap(map, map_len);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot open '%s': %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **nn = realloc(names, nc * sizeof(*nn));
            if (!nn) {
                rc = -1;
                break;
            }
            names = nn;
            cap = nc;
        }
        size_t l = strlen(dir) + 1 + strlen(e->d_name) + 1;
        names[n] = malloc(l);
        if (!names[n]) {
            rc = -1;
            break;
        }
        snprintf(names[n], l, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (rc == 0 && n == 0) {
        fprintf(stderr, "replay: '%s' holds no inputs\n", dir);
        rc = -1;
    }
    if (rc == 0)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_one(names[i]) != 0)
                rc = -1;
            else
                (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int rc = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIRECTORY...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc && rc == 0; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: cannot open '%s': %s\n", argv[i], strerror(errno));
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = run_dir(argv[i], &count);
        } else if (run_one(argv[i]) == 0) {
            count++;
        } else {
            rc = -1;
        }
    }
    fprintf(stderr, "replay: %zu inputs%s\n", count, rc ? ", stopped on an error" : " passed");
    return rc ? 1 : 0;
}
