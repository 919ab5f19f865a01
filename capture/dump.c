/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The files of a live capture (dump.h). */
#include "dump.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    PCAP_FILE_HEADER = 24,   /* struct pcap_file_header */
    PCAP_RECORD_HEADER = 16, /* ts (2 x 32 bits), caplen, len, as pcap_dump writes them */
    DUMP_BUFFER = 1 << 20,
};

struct dump {
    pcap_t *pcap;
    struct dump_opts o;
    pcap_dumper_t *pd; /* owns fp, whose cookie is this struct */
    FILE *fp;
    int fd;
    char path[PATH_MAX];
    uint8_t *buf; /* what pcap_dump wrote and write(2) has not: whole records */
    size_t len, cap;
    uint64_t on_disk;      /* bytes of the file on disk */
    uint64_t records;      /* records on disk or buffered */
    uint64_t disk_records; /* records on disk */
    time_t opened;
    unsigned seq; /* -C's count within the interval */
    char **ring;  /* -W: the names of the newest files, oldest first */
    size_t n_ring;
    int err;     /* errno of the first write failure */
    bool broken; /* writing has stopped */
};

/* stdio hands every byte pcap_dump writes here at once (the stream is
 * unbuffered); it stays in our buffer until a whole-record flush. */
static ssize_t cookie_write(void *cookie, const char *p, size_t n)
{
    struct dump *d = cookie;
    if (d->broken)
        return (ssize_t)n; /* dropped: the file stays at its last whole record */
    if (n > d->cap - d->len) {
        d->broken = true;
        d->err = EOVERFLOW;
        return -1;
    }
    memcpy(d->buf + d->len, p, n);
    d->len += n;
    return (ssize_t)n;
}

static int cookie_close(void *cookie)
{
    struct dump *d = cookie;
    int rc = d->fd >= 0 ? close(d->fd) : 0;
    d->fd = -1;
    return rc;
}

struct dump *dump_new(pcap_t *pcap, const struct dump_opts *o)
{
    struct dump *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->pcap = pcap;
    d->o = *o;
    d->fd = -1;
    int snap = pcap_snapshot(pcap);
    d->cap = DUMP_BUFFER;
    if (snap > 0 && (size_t)snap + PCAP_FILE_HEADER + PCAP_RECORD_HEADER > d->cap)
        d->cap = (size_t)snap + PCAP_FILE_HEADER + PCAP_RECORD_HEADER;
    d->buf = malloc(d->cap);
    if (o->keep)
        d->ring = calloc(o->keep + 1, sizeof *d->ring);
    if (!d->buf || (o->keep && !d->ring)) {
        free(d->buf);
        free(d->ring);
        free(d);
        return NULL;
    }
    return d;
}

/* The end of the last whole record (or of the file header) within the first
 * n bytes of the buffer, which starts at a record boundary. */
static size_t whole_records(const struct dump *d, size_t n, uint64_t *out_records)
{
    size_t at = 0;
    *out_records = 0;
    if (d->on_disk == 0) {
        if (n < PCAP_FILE_HEADER)
            return 0;
        at = PCAP_FILE_HEADER;
    }
    while (n - at >= PCAP_RECORD_HEADER) {
        uint32_t caplen;
        memcpy(&caplen, d->buf + at + 8, sizeof caplen); /* host order: pcap_dump's */
        if (caplen > n - at - PCAP_RECORD_HEADER)
            break;
        at += PCAP_RECORD_HEADER + caplen;
        (*out_records)++;
    }
    return at;
}

bool dump_flush(struct dump *d)
{
    if (d->broken)
        return false;
    if (d->fd < 0 || d->len == 0)
        return true;
    size_t done = 0;
    while (done < d->len) {
        ssize_t w = write(d->fd, d->buf + done, d->len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            d->err = w < 0 ? errno : EIO;
            break;
        }
        done += (size_t)w;
    }
    if (done == d->len) {
        d->on_disk += d->len;
        d->disk_records = d->records;
        d->len = 0;
        return true;
    }
    /* Disk full or an I/O error: cut the file back to its last whole record
     * (never a half-written header), and write nothing more. */
    uint64_t recs;
    size_t keep = whole_records(d, done, &recs);
    if (ftruncate(d->fd, (off_t)(d->on_disk + keep)) == 0) {
        d->on_disk += keep;
        d->disk_records += recs;
    }
    d->records = d->disk_records;
    d->len = 0;
    d->broken = true;
    return false;
}

bool dump_write(struct dump *d, const struct pcap_pkthdr *h, const uint8_t *data)
{
    if (d->broken || !d->pd)
        return false;
    if (d->cap - d->len < PCAP_RECORD_HEADER + (size_t)h->caplen && !dump_flush(d))
        return false;
    size_t before = d->len;
    pcap_dump((u_char *)d->pd, h, data);
    fflush(d->fp); /* unbuffered: a no-op that makes sure */
    if (d->broken)
        return false;
    if (d->len != before + PCAP_RECORD_HEADER + h->caplen) {
        d->err = EIO; /* never seen: stdio held bytes back */
        d->broken = true;
        return false;
    }
    d->records++;
    return true;
}

static unsigned digits(unsigned v)
{
    unsigned n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* tcpdump's names: the pattern through strftime (with -G), then with -C a
 * count (none on the first file unless -W pads it: file0, file1, ...). */
static bool make_name(const struct dump *d, time_t now, char *out, size_t n)
{
    char base[PATH_MAX];
    if (d->o.rotate_seconds) {
        struct tm tm;
        /* the user's pattern is the point of -G (tcpdump's -w with -G) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        if (!localtime_r(&now, &tm) || strftime(base, sizeof base, d->o.pattern, &tm) == 0)
            return false;
#pragma GCC diagnostic pop
    } else if ((size_t)snprintf(base, sizeof base, "%s", d->o.pattern) >= sizeof base) {
        return false;
    }
    unsigned width = d->o.keep && d->o.rotate_bytes ? digits(d->o.keep - 1) : 0;
    int w;
    if (!d->o.rotate_bytes || (d->seq == 0 && width == 0))
        w = snprintf(out, n, "%s", base);
    else
        w = snprintf(out, n, "%s%0*u", base, (int)width, d->seq);
    return w > 0 && (size_t)w < n;
}

/* -W: remember the new file; remove the oldest once more than N were made,
 * unless its name is still among the newest (a -C ring reuses names). */
static void keep_newest(struct dump *d)
{
    if (!d->o.keep)
        return;
    char *name = strdup(d->path);
    if (!name)
        return;
    d->ring[d->n_ring++] = name;
    if (d->n_ring <= d->o.keep)
        return;
    char *oldest = d->ring[0];
    memmove(d->ring, d->ring + 1, (d->n_ring - 1) * sizeof *d->ring);
    d->n_ring--;
    bool reused = false;
    for (size_t i = 0; i < d->n_ring; i++)
        reused = reused || strcmp(d->ring[i], oldest) == 0;
    if (!reused)
        (void)unlink(oldest);
    free(oldest);
}

bool dump_close(struct dump *d)
{
    if (!d->pd)
        return !d->broken;
    bool ok = dump_flush(d);
    pcap_dump_close(d->pd); /* fclose: cookie_close closes fd */
    d->pd = NULL;
    d->fp = NULL;
    return ok && !d->broken;
}

bool dump_open_next(struct dump *d, time_t now, bool new_interval, char *err, size_t errlen)
{
    bool first = d->path[0] == '\0';
    dump_close(d); /* the caller has closed it and heard how that went */
    if (first || new_interval)
        d->seq = 0;
    else
        d->seq++;
    if (d->o.keep && d->o.rotate_bytes && d->seq >= d->o.keep)
        d->seq = 0;
    char name[PATH_MAX];
    if (!make_name(d, now, name, sizeof name)) {
        snprintf(err, errlen, "the file name made from '%s' is too long", d->o.pattern);
        d->broken = true;
        return false;
    }
    memcpy(d->path, name, strlen(name) + 1);
    d->len = 0;
    d->on_disk = 0;
    d->records = 0;
    d->disk_records = 0;
    d->err = 0;
    d->broken = false;
    d->opened = now;
    d->fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (d->fd < 0) {
        snprintf(err, errlen, "cannot write '%s': %s", name, strerror(errno));
        d->broken = true;
        return false;
    }
    /* Made as root before -Z: the user must be able to rewrite it (tcpdump
     * does the same). Made after it: already the user's. Never a device
     * (-w /dev/null). */
    struct stat st;
    if (d->o.set_owner && geteuid() == 0 && fstat(d->fd, &st) == 0 && S_ISREG(st.st_mode) &&
        fchown(d->fd, d->o.uid, d->o.gid) != 0) {
        snprintf(err, errlen, "cannot give '%s' to uid %u: %s", name, (unsigned)d->o.uid,
                 strerror(errno));
        close(d->fd);
        d->fd = -1;
        d->broken = true;
        return false;
    }
    d->fp = fopencookie(d, "w", (cookie_io_functions_t){NULL, cookie_write, NULL, cookie_close});
    if (d->fp)
        setvbuf(d->fp, NULL, _IONBF, 0);
    d->pd = d->fp ? pcap_dump_fopen(d->pcap, d->fp) : NULL;
    if (!d->pd) {
        snprintf(err, errlen, "cannot write '%s': %s", name,
                 d->fp ? pcap_geterr(d->pcap) : strerror(errno));
        if (d->fp)
            fclose(d->fp);
        else
            close(d->fd);
        d->fd = -1;
        d->fp = NULL;
        d->broken = true;
        return false;
    }
    /* The header now: a file that cannot be written fails here, not later,
     * and is removed rather than left empty. */
    if (!dump_flush(d)) {
        snprintf(err, errlen, "cannot write '%s': %s", name, strerror(d->err ? d->err : EIO));
        (void)unlink(name);
        return false;
    }
    keep_newest(d);
    return true;
}

bool dump_time_due(const struct dump *d, time_t now)
{
    return d->o.rotate_seconds && d->pd && now - d->opened >= (time_t)d->o.rotate_seconds;
}

bool dump_size_due(const struct dump *d)
{
    return d->o.rotate_bytes && d->pd && d->records > 0 && d->on_disk + d->len > d->o.rotate_bytes;
}

void dump_free(struct dump *d)
{
    if (!d)
        return;
    dump_close(d);
    for (size_t i = 0; i < d->n_ring; i++)
        free(d->ring[i]);
    free(d->ring);
    free(d->buf);
    free(d);
}

const char *dump_path(const struct dump *d)
{
    return d->path;
}

uint64_t dump_records(const struct dump *d)
{
    return d->records;
}

uint64_t dump_bytes(const struct dump *d)
{
    return d->on_disk + d->len;
}

int dump_error(const struct dump *d)
{
    return d->err;
}

time_t dump_opened(const struct dump *d)
{
    return d->opened;
}
