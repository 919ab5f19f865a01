/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "source.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer.h"

enum { READ_BUFFER = 1 << 20 };

struct source {
    pcap_t *pcap;
    FILE *file;
    int linktype;
    bool classic;    /* classic pcap: record offsets can be counted */
    uint64_t offset; /* classic: offset of the next record */
    char *iobuf;
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

struct source *source_open(const char *path, const char *bpf, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    struct source *s = calloc(1, sizeof(*s));
    if (!s) {
        msg(err, errlen, "%s", strerror(ENOMEM));
        return NULL;
    }
    bool is_stdin = strcmp(path, "-") == 0;
    if (is_stdin) {
        s->file = stdin;
    } else {
        struct stat st;
        s->file = fopen(path, "rb");
        if (!s->file) {
            msg(err, errlen, "%s", strerror(errno));
            goto fail;
        }
        if (fstat(fileno(s->file), &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                msg(err, errlen, "%s", "is a directory");
                goto fail;
            }
            if (S_ISREG(st.st_mode) && st.st_size == 0) {
                msg(err, errlen, "%s", "empty file");
                goto fail;
            }
        }
    }
    s->iobuf = malloc(READ_BUFFER);
    if (s->iobuf)
        setvbuf(s->file, s->iobuf, _IOFBF, READ_BUFFER);
    s->pcap = pcap_fopen_offline(s->file, perr);
    if (!s->pcap) {
        if (strstr(perr, "unknown file format") || strstr(perr, "bad dump file format"))
            msg(err, errlen, "not a pcap or pcapng file (%s)", perr);
        else if (strstr(perr, "truncated dump file") && strstr(perr, "only got 0"))
            msg(err, errlen, "%s", "empty file");
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
            msg(err, errlen, "bad filter: %s", pcap_geterr(s->pcap));
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
    else if (s->file && s->file != stdin)
        fclose(s->file);
    free(s->iobuf);
    free(s);
}
