/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the fuzz targets share: the libFuzzer entry point (declared here so
 * -Wmissing-prototypes is happy in the plain build, where replay.c is the
 * caller), and small helpers. Every helper aborts on a broken contract so
 * that both libFuzzer and the replay main report it as a crash.
 */
#ifndef EA_FUZZ_H
#define EA_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every byte of a view, so ASan (or the replay's guard page, or
 * valgrind) sees an over-read; the volatile sink keeps the loads. */
static inline void fuzz_touch(const void *p, size_t n)
{
    static volatile uint8_t sink;
    const uint8_t *b = p;
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++)
        x ^= b[i];
    sink = x;
    (void)sink;
}

/* A view returned by a decoder must lie inside the input it was given. */
static inline void fuzz_check_view(const void *p, size_t n, const uint8_t *base, size_t size)
{
    const uint8_t *b = p;
    if (!b) {
        if (n)
            abort();
        return;
    }
    if (b < base || (size_t)(b - base) > size || n > size - (size_t)(b - base))
        abort();
    fuzz_touch(b, n);
}

/* A NUL-terminated string we can print (reasons, names). */
static inline void fuzz_touch_str(const char *s)
{
    if (s)
        fuzz_touch(s, strlen(s));
}

/* Where output goes: /dev/null, opened once and kept for the process. */
static inline FILE *fuzz_devnull(void)
{
    static FILE *f;
    if (!f)
        f = fopen("/dev/null", "w");
    if (!f)
        abort();
    return f;
}

/* The input as a file for the APIs that take a path: a memfd, named by its
 * /proc/self/fd path. Returns the fd (close it when done) or -1. */
static inline int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t pathlen)
{
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    snprintf(path, pathlen, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
