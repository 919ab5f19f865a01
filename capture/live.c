/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Live capture: an interface through libpcap, each frame cut (cut.c),
 * written (dump.c) and analyzed in the form written, so that the report
 * equals `egress-audit analyze` of the files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "cut.h"
#include "decode.h"
#include "dump.h"

enum { READ_TIMEOUT_MS = 250 };

struct capture_live {
    struct capture_live_opts o;
    pcap_t *pcap;
    int fd;
    int linktype;
    const char *filter;
    struct analyzer *a;
    struct ea_report *r;
    size_t input;    /* index of the current input in r->inputs */
    bool input_open; /* its file is still being written */
    struct cut_table cut;
    struct dump *dump; /* NULL: nothing is written (no -w) */
    bool writing;      /* false once writing failed */
    struct capture_live_totals t;
    uint64_t closed_records, closed_bytes; /* of the files closed so far */
    struct pcap_stat base;                 /* drops counted into inputs so far */
    time_t last_flush;
    bool count_reached, failed;
};

__attribute__((format(printf, 2, 3))) static void warn(struct capture_live *l, const char *fmt, ...)
{
    char line[PATH_MAX + 512];
    va_list ap;
    if (!l->o.warn)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    l->o.warn(line, l->o.warn_ctx);
}

static struct ea_input *cur(struct capture_live *l)
{
    return &l->r->inputs[l->input];
}

/* Count kernel and interface drops since the last call into the current
 * input (pcap_stats counts from the start). */
static void count_drops(struct capture_live *l)
{
    struct pcap_stat ps;
    if (pcap_stats(l->pcap, &ps) != 0)
        return;
    struct ea_capture_stats *cs = &cur(l)->capture;
    if (ps.ps_drop >= l->base.ps_drop)
        cs->kernel_drops += ps.ps_drop - l->base.ps_drop;
    if (ps.ps_ifdrop >= l->base.ps_ifdrop)
        cs->interface_drops += ps.ps_ifdrop - l->base.ps_ifdrop;
    l->base = ps;
}

/* The current file is closed: its final figures go into its input. */
static void input_end(struct capture_live *l)
{
    count_drops(l);
    if (!l->input_open)
        return;
    l->input_open = false;
    struct ea_capture_stats *cs = &cur(l)->capture;
    if (l->dump) {
        cs->packets_written = dump_records(l->dump);
        cs->bytes_written = dump_bytes(l->dump);
        l->closed_records += cs->packets_written;
        l->closed_bytes += cs->bytes_written;
    }
}

/* Frames that follow belong to path (a file, or the interface). */
static bool input_begin(struct capture_live *l, const char *path)
{
    const char *name = pcap_datalink_val_to_name(l->linktype);
    struct ea_input *in = analyzer_input(l->a, path, l->linktype, name ? name : "unknown");
    if (!in)
        return false;
    l->input = (size_t)(in - l->r->inputs);
    l->input_open = true;
    struct ea_capture_stats *cs = &in->capture;
    cs->live = true;
    cs->written = l->dump != NULL;
    cs->cutoff = l->dump ? l->o.cutoff : 0;
    cs->cutoff_headers = l->dump && l->o.cutoff && l->o.cutoff_headers;
    return ea_str_set(&cs->interface, l->o.interface, strlen(l->o.interface));
}

/* Writing failed: say so once, keep the file as it is (valid), analyze on. */
static void write_failed(struct capture_live *l, const char *why)
{
    if (!l->writing)
        return;
    l->writing = false;
    int e = dump_error(l->dump);
    const char *text = why ? why : strerror(e ? e : EIO);
    struct ea_capture_stats *cs = &cur(l)->capture;
    if (!ea_str_set(&cs->write_error, text, strlen(text)))
        l->failed = true;
    if (why)
        warn(l, "%s; writing stopped, the analysis goes on", why);
    else
        warn(l,
             "cannot write '%s': %s; writing stopped: the file keeps the %llu packets before "
             "it and is a valid pcap file; the analysis goes on",
             dump_path(l->dump), text, (unsigned long long)dump_records(l->dump));
}

static void rotate(struct capture_live *l, time_t now, bool by_time)
{
    char err[PATH_MAX + 256];
    if (!dump_close(l->dump)) {
        input_end(l);
        write_failed(l, NULL);
        return;
    }
    input_end(l);
    if (!dump_open_next(l->dump, now, by_time, err, sizeof err)) {
        write_failed(l, err);
        return;
    }
    l->t.files++;
    if (!input_begin(l, dump_path(l->dump)))
        l->failed = true;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct capture_live *l = (struct capture_live *)(void *)user;
    if (l->failed || l->count_reached)
        return;
    if (l->writing && dump_size_due(l->dump))
        rotate(l, time(NULL), false);
    struct ea_capture_stats *cs = &cur(l)->capture;
    cs->packets_seen++;
    cs->bytes_seen += h->caplen;
    l->t.packets_seen++;
    l->t.bytes_seen += h->caplen;
    struct pcap_pkthdr out = *h;
    bool analyze = true;
    if (l->dump) {
        size_t keep;
        enum cut_action act = cut_frame(&l->cut, &h->ts, data, h->caplen, &keep);
        if (act != CUT_WHOLE) {
            cs->cut_packets++;
            cs->cut_bytes += h->caplen - keep;
            l->t.cut_packets++;
            l->t.cut_bytes += h->caplen - keep;
        }
        out.caplen = (bpf_u_int32)keep;
        analyze = act != CUT_DROP;
        if (analyze && l->writing && !dump_write(l->dump, &out, data))
            write_failed(l, NULL);
    }
    if (analyze) {
        struct ea_frame fr = {.ts = h->ts, .caplen = out.caplen, .len = h->len, .data = data};
        cur(l)->packets++;
        if (!analyzer_feed(l->a, &fr)) {
            l->failed = true;
            pcap_breakloop(l->pcap);
        }
    }
    if (l->o.max_packets && l->t.packets_seen >= l->o.max_packets) {
        l->count_reached = true;
        pcap_breakloop(l->pcap);
    }
}

/* The path of this program, for the setcap hint. */
static const char *self_path(char *buf, size_t n)
{
    ssize_t k = readlink("/proc/self/exe", buf, n - 1);
    if (k <= 0)
        return "egress-audit";
    buf[k] = '\0';
    return buf;
}

static enum capture_status activate_error(struct capture_live *l, int rc, char *err, size_t errlen)
{
    const char *ifc = l->o.interface;
    const char *why = pcap_geterr(l->pcap);
    char exe[PATH_MAX];
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        snprintf(err, errlen, "no interface '%s' (egress-audit capture -D lists them)", ifc);
        break;
    case PCAP_ERROR_PERM_DENIED:
        snprintf(err, errlen,
                 "cannot capture on '%s': permission denied: capturing needs root, or the "
                 "capabilities CAP_NET_RAW and CAP_NET_ADMIN (once, as root: setcap "
                 "cap_net_raw,cap_net_admin=eip %s)",
                 ifc, self_path(exe, sizeof exe));
        break;
    case PCAP_ERROR_IFACE_NOT_UP:
        snprintf(err, errlen, "cannot capture on '%s': the interface is down", ifc);
        break;
    default:
        snprintf(err, errlen, "cannot capture on '%s': %s", ifc,
                 why && *why ? why : pcap_statustostr(rc));
        break;
    }
    return CAPTURE_INPUT_ERROR;
}

static void live_free(struct capture_live *l)
{
    dump_free(l->dump);
    cut_finish(&l->cut);
    if (l->pcap)
        pcap_close(l->pcap);
    free(l);
}

enum capture_status capture_live_open(const struct capture_live_opts *o, struct analyzer *a,
                                      struct ea_report *r, struct capture_live **out, char *err,
                                      size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    enum capture_status st = CAPTURE_INPUT_ERROR;
    struct capture_live *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return CAPTURE_NO_MEMORY;
    }
    l->o = *o;
    l->a = a;
    l->r = r;
    l->fd = -1;
    l->filter = o->bpf ? o->bpf : CAPTURE_DEFAULT_FILTER;
    l->pcap = pcap_create(o->interface, ebuf);
    if (!l->pcap) {
        snprintf(err, errlen, "cannot capture on '%s': %s", o->interface, ebuf);
        goto fail;
    }
    /* A large snaplen (GRO/TSO frames exceed the MTU), a large kernel
     * buffer, and packets delivered in blocks, not one by one. The
     * interface is not made promiscuous: this host's own traffic is what
     * an egress audit looks at. */
    pcap_set_snaplen(l->pcap, o->snaplen ? o->snaplen : CAPTURE_DEFAULT_SNAPLEN);
    pcap_set_promisc(l->pcap, 0);
    pcap_set_timeout(l->pcap, READ_TIMEOUT_MS);
    pcap_set_immediate_mode(l->pcap, 0);
    size_t buffer = o->buffer_bytes ? o->buffer_bytes : CAPTURE_DEFAULT_BUFFER;
    pcap_set_buffer_size(l->pcap, buffer > INT_MAX ? INT_MAX : (int)buffer);
    int rc = pcap_activate(l->pcap);
    if (rc < 0) {
        st = activate_error(l, rc, err, errlen);
        goto fail;
    }
    l->linktype = pcap_datalink(l->pcap);
    enum link_kind kind;
    if (!decode_link_of_dlt(l->linktype, &kind)) {
        const char *name = pcap_datalink_val_to_name(l->linktype);
        snprintf(err, errlen, "cannot capture on '%s': unsupported link type %s (%d)", o->interface,
                 name ? name : "unknown", l->linktype);
        goto fail;
    }
    struct bpf_program prog;
    if (pcap_compile(l->pcap, &prog, l->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "bad filter '%s': %s", l->filter, pcap_geterr(l->pcap));
        goto fail;
    }
    rc = pcap_setfilter(l->pcap, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(err, errlen, "cannot set the filter on '%s': %s", o->interface,
                 pcap_geterr(l->pcap));
        goto fail;
    }
    /* Our own poll(2) with a timeout: with TPACKET_V3 libpcap would block
     * until a block fills, and the loop must also watch the clock, the
     * command and signals. */
    if (pcap_setnonblock(l->pcap, 1, ebuf) != 0 || (l->fd = pcap_get_selectable_fd(l->pcap)) < 0) {
        snprintf(err, errlen, "cannot capture on '%s': %s", o->interface,
                 *ebuf ? ebuf : "no selectable descriptor");
        goto fail;
    }
    /* A command run as another user must not inherit the packet socket. */
    (void)fcntl(l->fd, F_SETFD, FD_CLOEXEC);
    if (!cut_init(&l->cut, o->write ? o->cutoff : 0, o->cutoff_headers, 0, kind)) {
        st = CAPTURE_NO_MEMORY;
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    const char *path = o->interface;
    if (o->write) {
        struct dump_opts dopt = {
            .pattern = o->write,
            .rotate_seconds = o->rotate_seconds,
            .rotate_bytes = o->rotate_bytes,
            .keep = o->keep_files,
            .set_owner = o->set_owner,
            .uid = (uid_t)o->owner_uid,
            .gid = (gid_t)o->owner_gid,
        };
        l->dump = dump_new(l->pcap, &dopt);
        if (!l->dump) {
            st = CAPTURE_NO_MEMORY;
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        l->last_flush = time(NULL);
        if (!dump_open_next(l->dump, l->last_flush, true, err, errlen))
            goto fail;
        l->writing = true;
        l->t.files = 1;
        path = dump_path(l->dump);
    }
    if (!input_begin(l, path)) {
        st = CAPTURE_NO_MEMORY;
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    *out = l;
    return CAPTURE_OK;
fail:
    live_free(l);
    return st;
}

enum capture_step capture_live_step(struct capture_live *l, int timeout_ms, char *err,
                                    size_t errlen)
{
    struct pollfd pfd = {.fd = l->fd, .events = POLLIN};
    (void)poll(&pfd, 1, timeout_ms); /* EINTR (a signal): look at once */
    int n = pcap_dispatch(l->pcap, -1, on_packet, (u_char *)(void *)l);
    if (n == PCAP_ERROR) {
        snprintf(err, errlen, "capture on '%s' failed: %s", l->o.interface, pcap_geterr(l->pcap));
        return CAPTURE_STEP_FAILED;
    }
    if (l->failed) {
        snprintf(err, errlen, "out of memory");
        return CAPTURE_STEP_FAILED;
    }
    time_t now = time(NULL);
    if (l->writing && dump_time_due(l->dump, now))
        rotate(l, now, true);
    if (l->writing && now != l->last_flush) {
        l->last_flush = now;
        if (!dump_flush(l->dump))
            write_failed(l, NULL);
    }
    if (l->failed) {
        snprintf(err, errlen, "out of memory");
        return CAPTURE_STEP_FAILED;
    }
    return l->count_reached ? CAPTURE_STEP_COUNT : CAPTURE_STEP_OK;
}

void capture_live_drain(struct capture_live *l)
{
    /* What the kernel captured before the stop is part of the capture: with
     * immediate mode off it sits in ring blocks that are handed over when
     * full or when the read timeout retires them, so read until a pass
     * after that timeout brings nothing (bounded: a busy link never stops). */
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 64; i++) {
        struct pollfd pfd = {.fd = l->fd, .events = POLLIN};
        (void)poll(&pfd, 1, 50);
        int n = pcap_dispatch(l->pcap, -1, on_packet, (u_char *)(void *)l);
        clock_gettime(CLOCK_MONOTONIC, &t);
        long ms = (long)(t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (n < 0 || l->failed || l->count_reached || ms > 2000)
            break;
        if (n == 0 && ms > READ_TIMEOUT_MS + 100)
            break;
    }
}

void capture_live_break(struct capture_live *l)
{
    if (l && l->pcap)
        pcap_breakloop(l->pcap);
}

void capture_live_totals(struct capture_live *l, struct capture_live_totals *out)
{
    *out = l->t;
    out->packets_written = l->closed_records;
    out->bytes_written = l->closed_bytes;
    if (l->dump && l->input_open) {
        out->packets_written += dump_records(l->dump);
        out->bytes_written += dump_bytes(l->dump);
    }
    struct pcap_stat ps;
    if (pcap_stats(l->pcap, &ps) == 0) {
        out->kernel_drops = ps.ps_drop;
        out->interface_drops = ps.ps_ifdrop;
    }
    out->writing = l->writing;
}

int capture_live_linktype(const struct capture_live *l)
{
    return l->linktype;
}

const char *capture_live_linktype_name(const struct capture_live *l)
{
    const char *n = pcap_datalink_val_to_name(l->linktype);
    return n ? n : "unknown";
}

const char *capture_live_filter(const struct capture_live *l)
{
    return l->filter;
}

bool capture_live_close(struct capture_live *l, struct capture_live_totals *out)
{
    bool ok = true;
    if (l->dump && l->writing && !dump_close(l->dump)) {
        write_failed(l, NULL);
        ok = false;
    }
    input_end(l);
    if (out)
        capture_live_totals(l, out);
    live_free(l);
    return ok;
}

bool capture_list_interfaces(FILE *out, char *err, size_t errlen)
{
    pcap_if_t *all = NULL;
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    if (pcap_findalldevs(&all, ebuf) != 0) {
        snprintf(err, errlen, "cannot list the interfaces: %s", ebuf);
        return false;
    }
    static const struct {
        bpf_u_int32 mask, value;
        const char *name;
    } flags[] = {
        {PCAP_IF_UP, PCAP_IF_UP, "Up"},
        {PCAP_IF_RUNNING, PCAP_IF_RUNNING, "Running"},
        {PCAP_IF_WIRELESS, PCAP_IF_WIRELESS, "Wireless"},
        {PCAP_IF_LOOPBACK, PCAP_IF_LOOPBACK, "Loopback"},
        {PCAP_IF_CONNECTION_STATUS, PCAP_IF_CONNECTION_STATUS_CONNECTED, "Connected"},
        {PCAP_IF_CONNECTION_STATUS, PCAP_IF_CONNECTION_STATUS_DISCONNECTED, "Disconnected"},
    };
    int i = 1;
    for (pcap_if_t *d = all; d; d = d->next, i++) {
        fprintf(out, "%d.%s", i, d->name);
        if (d->description)
            fprintf(out, " (%s)", d->description);
        const char *sep = " [";
        for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
            if ((d->flags & flags[k].mask) == flags[k].value) {
                fprintf(out, "%s%s", sep, flags[k].name);
                sep = ", ";
            }
        }
        fputs(*sep == ',' ? "]\n" : "\n", out);
    }
    pcap_freealldevs(all);
    return true;
}
