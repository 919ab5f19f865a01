/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"

/* The stdio buffer libpcap reads through. 64 KiB: fewer read(2)s than the
 * default 4 KiB, yet the bytes the kernel copies in are still in cache when
 * libpcap copies them out. 1 MiB made the kernel's copy 4.5 times slower
 * (its destination no longer fits in L2): 2.2 s instead of 0.8 s of the
 * 2.3 GB bulk benchmark (bench/RESULTS.md, issue 12). */
enum { READ_BUFFER = 1 << 16 };

struct source {
    pcap_t *pcap;
    FILE *file;
    int linktype;
    bool classic;    /* classic pcap: record offsets can be counted */
    uint64_t offset; /* classic: offset of the next record */
    char *iobuf;
    uint64_t consumed; /* bytes of the file read so far (read ahead by the buffer) */
    uint64_t size;     /* a regular file's size, else 0 */
};

__attribute__((format(printf, 3, 4))) static void msg(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    if (!n)
        return;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

/* ---- the first bytes, looked at before libpcap reads them ---- */

/* A stream that gives back the bytes we peeked at, then the rest of the
 * file: works for pipes (stdin) too, where nothing can be rewound. */
struct peeked {
    int fd; /* closed with the stream unless it is standard input */
    unsigned char head[8];
    size_t n, at;
    uint64_t *consumed; /* bytes handed to libpcap so far (progress) */
};

/* read(2) until n bytes, the end, or an error (-1). */
static ssize_t read_full(int fd, void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, (char *)buf + done, n - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return done ? (ssize_t)done : -1;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (ssize_t)done;
}

static ssize_t peeked_read(void *cookie, char *buf, size_t size)
{
    struct peeked *p = cookie;
    size_t done = 0;
    while (done < size && p->at < p->n)
        buf[done++] = (char)p->head[p->at++];
    ssize_t r = 0;
    if (done < size) {
        do
            r = read(p->fd, buf + done, size - done);
        while (r < 0 && errno == EINTR);
    }
    if (r < 0) {
        *p->consumed += done;
        return done ? (ssize_t)done : -1;
    }
    *p->consumed += done + (size_t)r;
    return (ssize_t)done + r;
}

static int peeked_close(void *cookie)
{
    struct peeked *p = cookie;
    int rc = p->fd != STDIN_FILENO ? close(p->fd) : 0;
    free(p);
    return rc;
}

static const struct {
    unsigned char magic[6];
    size_t len;
    const char *what, *tool;
} compressed[] = {
    {{0x1f, 0x8b}, 2, "gzip", "zcat"},
    {{0x28, 0xb5, 0x2f, 0xfd}, 4, "zstd", "zstdcat"},
    {{0xfd, '7', 'z', 'X', 'Z', 0x00}, 6, "xz", "xzcat"},
    {{'B', 'Z', 'h'}, 3, "bzip2", "bzcat"},
};

/* libpcap's magic numbers (pcap: microsecond and nanosecond, both byte
 * orders; pcapng: the Section Header Block type). */
static bool capture_magic(const unsigned char *b, size_t n)
{
    static const unsigned char magics[][4] = {
        {0xa1, 0xb2, 0xc3, 0xd4}, {0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d},
        {0x4d, 0x3c, 0xb2, 0xa1}, {0x0a, 0x0d, 0x0d, 0x0a},
    };
    if (n < 4)
        return false;
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
        if (memcmp(b, magics[i], 4) == 0)
            return true;
    return false;
}

/* Peek at the first bytes: a compressed file or anything that is not a
 * capture is named here, in words, instead of by libpcap's guess. Returns
 * a stream that still starts at byte 0, or NULL with err set. */
static FILE *open_checked(int fd, const char *path, uint64_t *consumed, char *err, size_t errlen)
{
    struct peeked *p = calloc(1, sizeof(*p));
    if (!p) {
        msg(err, errlen, "%s", strerror(ENOMEM));
        return NULL;
    }
    p->fd = fd;
    p->consumed = consumed;
    ssize_t got = read_full(fd, p->head, sizeof(p->head));
    const char *shown = strcmp(path, "-") == 0 ? "FILE" : path;
    if (got <= 0) {
        msg(err, errlen, "%s", got < 0 ? strerror(errno) : "empty file");
        free(p);
        return NULL;
    }
    p->n = (size_t)got;
    for (size_t i = 0; i < sizeof(compressed) / sizeof(compressed[0]); i++) {
        if (p->n >= compressed[i].len &&
            memcmp(p->head, compressed[i].magic, compressed[i].len) == 0) {
            msg(err, errlen,
                "a %s-compressed file, not a capture: read it with '%s %s | egress-audit "
                "analyze -'",
                compressed[i].what, compressed[i].tool, shown);
            free(p);
            return NULL;
        }
    }
    if (!capture_magic(p->head, p->n)) {
        msg(err, errlen, "not a pcap or pcapng file");
        free(p);
        return NULL;
    }
    FILE *out = fopencookie(p, "r", (cookie_io_functions_t){peeked_read, NULL, NULL, peeked_close});
    if (!out) {
        msg(err, errlen, "%s", strerror(errno));
        free(p);
    }
    return out;
}

struct source *source_open(const char *path, const char *bpf, char *err, size_t errlen,
                           bool *out_bad_filter)
{
    *out_bad_filter = false;
    char perr[PCAP_ERRBUF_SIZE] = "";
    struct source *s = calloc(1, sizeof(*s));
    if (!s) {
        msg(err, errlen, "%s", strerror(ENOMEM));
        return NULL;
    }
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = STDIN_FILENO;
    if (!is_stdin) {
        struct stat st;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            msg(err, errlen, "%s", strerror(errno));
            goto fail;
        }
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            msg(err, errlen, "%s", "is a directory");
            close(fd);
            goto fail;
        }
    }
    struct stat fst;
    if (fstat(fd, &fst) == 0 && S_ISREG(fst.st_mode) && fst.st_size > 0)
        s->size = (uint64_t)fst.st_size;
    s->file = open_checked(fd, path, &s->consumed, err, errlen);
    if (!s->file) {
        if (fd != STDIN_FILENO)
            close(fd);
        goto fail;
    }
    /* libpcap's small reads become read(2)s of READ_BUFFER bytes */
    s->iobuf = malloc(READ_BUFFER);
    if (s->iobuf)
        setvbuf(s->file, s->iobuf, _IOFBF, READ_BUFFER);
    s->pcap = pcap_fopen_offline(s->file, perr);
    if (!s->pcap) {
        if (strstr(perr, "unknown file format") || strstr(perr, "bad dump file format"))
            msg(err, errlen, "not a pcap or pcapng file (%s)", perr);
        else if (strstr(perr, "truncated dump file") || strstr(perr, "truncated pcapng"))
            msg(err, errlen, "cut off inside the file header (%s)", perr);
        else
            msg(err, errlen, "%s", perr);
        goto fail;
    }
    s->file = NULL; /* pcap owns it now */
    s->linktype = pcap_datalink(s->pcap);
    if (!analyzer_link_supported(s->linktype)) {
        const char *name = pcap_datalink_val_to_name(s->linktype);
        msg(err, errlen, "unsupported link type %s (%d)", name ? name : "unknown", s->linktype);
        goto fail;
    }
    s->classic = pcap_major_version(s->pcap) == 2;
    s->offset = 24;
    if (bpf && *bpf) {
        struct bpf_program prog;
        if (pcap_compile(s->pcap, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            msg(err, errlen, "bad filter '%s': %s", bpf, pcap_geterr(s->pcap));
            *out_bad_filter = true;
            goto fail;
        }
        int rc = pcap_setfilter(s->pcap, &prog);
        pcap_freecode(&prog);
        if (rc != 0) {
            msg(err, errlen, "cannot set filter: %s", pcap_geterr(s->pcap));
            goto fail;
        }
    }
    return s;
fail:
    source_close(s);
    return NULL;
}

enum source_status source_next(struct source *s, struct ea_frame *out, char *err, size_t errlen,
                               uint64_t *out_offset)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    for (;;) {
        int rc = pcap_next_ex(s->pcap, &h, &data);
        if (rc == 1) {
            s->offset += 16 + (uint64_t)h->caplen;
            out->ts = h->ts;
            out->caplen = h->caplen;
            out->len = h->len;
            out->data = data;
            return SOURCE_FRAME;
        }
        if (rc == PCAP_ERROR_BREAK)
            return SOURCE_END;
        if (rc == 0)
            continue; /* live captures only */
        const char *why = pcap_geterr(s->pcap);
        *out_offset = s->classic ? s->offset : 0;
        if (strstr(why, "different from the type of the first interface")) {
            /* libpcap reads one link type per pcapng file (PITFALLS.md) */
            msg(err, errlen,
                "pcapng interfaces with different link types are not supported by libpcap "
                "(%s); split the file per interface, e.g. with editcap or tshark -i",
                why);
            return SOURCE_FAIL;
        }
        msg(err, errlen, "%s", why);
        return SOURCE_CUT;
    }
}

int source_linktype(const struct source *s)
{
    return s->linktype;
}

const char *source_linktype_name(const struct source *s)
{
    const char *n = pcap_datalink_val_to_name(s->linktype);
    return n ? n : "unknown";
}

void source_close(struct source *s)
{
    if (!s)
        return;
    if (s->pcap)
        pcap_close(s->pcap);
    else if (s->file)
        fclose(s->file);
    free(s->iobuf);
    free(s);
}

uint64_t source_bytes_read(const struct source *s)
{
    return s->consumed;
}

uint64_t source_size(const struct source *s)
{
    return s->size;
}
