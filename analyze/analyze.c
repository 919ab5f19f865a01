/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The driver: reads every file in order as one run, decodes each frame
 * once, keeps flow accounting, hands payload to DNS and the stream sink,
 * ends flows into connections, and aggregates DNS for the report.
 */
#include "analyze.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer.h"
#include "cursor.h"
#include "source.h"

enum {
    DNS_ENTRY_MAX_ANSWERS = 64,
    PROGRESS_EVERY = 1 << 18,
};

/* ---- DNS aggregation: (query name, qtype) → report->dns index ---- */

struct dns_index {
    size_t *slots; /* index + 1; 0 = empty */
    size_t n_slots, used;
};

static uint64_t name_hash(const char *s, size_t len, uint16_t qtype)
{
    uint64_t h = 1469598103934665603ULL ^ qtype;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch - 'A' + 'a');
        h = (h ^ ch) * 1099511628211ULL;
    }
    return h;
}

static bool dns_index_grow(struct dns_index *x, const struct ea_report *r)
{
    size_t n = x->n_slots ? x->n_slots * 2 : 1024;
    size_t *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return false;
    for (size_t i = 0; i < x->n_slots; i++) {
        if (!x->slots[i])
            continue;
        const struct ea_dns *d = &r->dns[x->slots[i] - 1];
        size_t at = name_hash(d->qname.s, d->qname.len, d->qtype) & (n - 1);
        while (slots[at])
            at = (at + 1) & (n - 1);
        slots[at] = x->slots[i];
    }
    free(x->slots);
    x->slots = slots;
    x->n_slots = n;
    return true;
}

static struct ea_dns *dns_entry(struct analyzer *a, const struct dns_name *q, uint16_t qtype)
{
    struct dns_index *x = a->dns_idx;
    struct ea_report *r = a->report;
    if ((x->used + 1) * 2 > x->n_slots && !dns_index_grow(x, r))
        return NULL;
    size_t at = name_hash(q->s, q->len, qtype) & (x->n_slots - 1);
    while (x->slots[at]) {
        struct ea_dns *d = &r->dns[x->slots[at] - 1];
        if (d->qtype == qtype && d->qname.len == q->len &&
            strncasecmp(d->qname.s, q->s, q->len) == 0)
            return d;
        at = (at + 1) & (x->n_slots - 1);
    }
    struct ea_dns *d = ea_report_add_dns(r);
    if (!d || !ea_str_set(&d->qname, q->s, q->len))
        return NULL;
    d->qtype = qtype;
    d->rcode = -1;
    d->first = a->now;
    x->slots[at] = r->n_dns;
    x->used++;
    return d;
}

static void dns_add_answer(struct ea_dns *d, const struct dns_rr *rr)
{
    char text[DNS_NAME_TEXT_MAX + 1];
    const char *data;
    size_t data_len;
    if (rr->type == DNS_TYPE_A || rr->type == DNS_TYPE_AAAA) {
        inet_ntop(rr->type == DNS_TYPE_A ? AF_INET : AF_INET6, rr->addr, text, sizeof(text));
        data = text;
        data_len = strlen(text);
    } else {
        data = rr->target.s;
        data_len = rr->target.len;
    }
    for (size_t i = 0; i < d->n_answers; i++) {
        const struct ea_dns_answer *x = &d->answers[i];
        if (x->type == rr->type && x->data.len == data_len &&
            memcmp(x->data.s, data, data_len) == 0 && x->owner.len == rr->owner.len &&
            strncasecmp(x->owner.s, rr->owner.s, rr->owner.len) == 0)
            return;
    }
    if (d->n_answers == DNS_ENTRY_MAX_ANSWERS) {
        d->answers_dropped = true;
        return;
    }
    struct ea_dns_answer *na = realloc(d->answers, (d->n_answers + 1) * sizeof(*na));
    if (!na)
        return;
    d->answers = na;
    struct ea_dns_answer *x = &na[d->n_answers];
    memset(x, 0, sizeof(*x));
    x->type = rr->type;
    x->ttl = rr->ttl;
    if (!ea_str_set(&x->owner, rr->owner.s, rr->owner.len) ||
        !ea_str_set(&x->data, data, data_len)) {
        ea_str_clear(&x->owner);
        ea_str_clear(&x->data);
        return;
    }
    d->n_answers++;
}

void analyzer_dns_message(struct analyzer *a, const uint8_t *msg, size_t len,
                          const struct ea_addr *client, bool over_tcp)
{
    struct dns_msg *m = &a->dns_scratch;
    enum parse_result r = dns_parse_message(msg, len, m, NULL);
    a->report->counters[EA_C_DNS_MESSAGES]++;
    if (r == PARSE_MALFORMED)
        a->report->counters[EA_C_DNS_MALFORMED]++;
    else if (r == PARSE_INCOMPLETE)
        a->report->counters[EA_C_DNS_TRUNCATED]++;
    /* A question read before the message went wrong is still a name the
     * client asked for; the answers of a malformed message are not used. */
    if (!m->has_question)
        return;
    if (m->qr && r == PARSE_OK)
        attrib_add_response(&a->attrib, client, m, &a->now);
    struct ea_dns *d = dns_entry(a, &m->qname, m->qtype);
    if (!d) {
        a->failed = true;
        return;
    }
    d->last = a->now;
    if (over_tcp)
        d->over_tcp = true;
    else
        d->over_udp = true;
    if (!m->qr) {
        d->n_queries++;
        return;
    }
    d->n_responses++;
    d->rcode = m->rcode;
    if (r == PARSE_MALFORMED)
        return;
    for (size_t i = 0; i < m->n_answers; i++)
        dns_add_answer(d, &m->answers[i]);
    if (m->answers_dropped)
        d->answers_dropped = true;
}

/* ---- flows to connections ---- */

static enum ea_outcome tcp_outcome(const struct flow *f, const char **why)
{
    bool srv_closed = f->rst_from[DIR_S2C] || f->fin_from[DIR_S2C];
    if (f->server_hello) {
        *why = "TLS ServerHello received";
        return EA_OUT_REACHED;
    }
    if (f->http_response) {
        if (f->http_deny) {
            *why = f->http_status == 470 ? "HTTP 470: denied by the firewall"
                                         : "HTTP response says \"Action: Deny\"";
            return EA_OUT_DENIED;
        }
        *why = "HTTP response received";
        return EA_OUT_REACHED;
    }
    if (!f->syn && !f->synack) {
        *why = "capture began after the handshake";
        return EA_OUT_UNKNOWN;
    }
    if (!f->synack) {
        if (f->rst_to_syn) {
            *why = "reset in answer to SYN";
            return EA_OUT_REFUSED;
        }
        if (f->payload[DIR_S2C] > 0) {
            *why = "server sent data (SYN-ACK not captured)";
            return EA_OUT_REACHED;
        }
        *why = "no answer to SYN";
        return EA_OUT_NO_ANSWER;
    }
    if (f->client_hello) {
        if (f->tls_alert) {
            *why = "TLS alert instead of a ServerHello";
            return EA_OUT_DENIED;
        }
        if (srv_closed) {
            *why = f->rst_from[DIR_S2C] ? "reset after ClientHello, no ServerHello"
                                        : "closed after ClientHello, no ServerHello";
            return EA_OUT_DENIED;
        }
        if (f->payload[DIR_S2C] > 0) {
            *why = "server answered, but not with a ServerHello";
            return EA_OUT_UNKNOWN;
        }
        *why = "no ServerHello before the capture ended";
        return EA_OUT_INCOMPLETE;
    }
    if (f->http_request) {
        if (srv_closed && f->payload[DIR_S2C] == 0) {
            *why = "closed without an HTTP response";
            return EA_OUT_DENIED;
        }
        if (f->payload[DIR_S2C] > 0) {
            *why = "server answered, but not with HTTP";
            return EA_OUT_UNKNOWN;
        }
        *why = "no HTTP response before the capture ended";
        return EA_OUT_INCOMPLETE;
    }
    if (f->payload[DIR_S2C] > 0) {
        *why = "server sent data";
        return EA_OUT_REACHED;
    }
    if (f->sport != 80 && f->sport != 443) {
        *why = "SYN-ACK (the firewall answers handshakes itself only on 80/443)";
        return EA_OUT_REACHED;
    }
    if (f->payload[DIR_C2S] > 0) {
        *why = "client data without an answer";
        return EA_OUT_INCOMPLETE;
    }
    *why = "handshake only: a SYN-ACK proves nothing on 80/443";
    return EA_OUT_INCOMPLETE;
}

/* Free what a connection that is not listed holds. */
static void conn_clear(struct ea_conn *c)
{
    ea_str_clear(&c->name);
    ea_str_clear(&c->alpn);
    ea_str_clear(&c->http_method);
    if (c->has_resolved)
        ea_chain_free(&c->resolved);
}

static void flow_end(struct analyzer *a, struct flow *f)
{
    struct ea_conn spare, *c;
    bool listed = a->report->n_conns < a->opts.max_conns;
    /* Memory is bounded by flows, not capture size: past the row cap a
     * connection is still counted in its host, but not listed. */
    if (listed) {
        c = ea_report_add_conn(a->report);
    } else {
        a->report->counters[EA_C_CONNS_NOT_LISTED]++;
        memset(&spare, 0, sizeof spare);
        c = &spare;
    }
    reasm_own_free(f);
    if (c) {
        c->src = f->cli;
        c->dst = f->srv;
        c->sport = f->cport;
        c->dport = f->sport;
        c->transport = f->proto == EA_TCP ? EA_TCP : EA_UDP;
        c->flags = f->flags;
        const struct flow_app *app = f->app;
        if (app && f->name_source != EA_NAME_NONE &&
            ea_str_set(&c->name, app->name, app->name_len)) {
            c->name_source = f->name_source;
            if (f->sport != 80 && f->sport != 443)
                c->flags |= EA_CF_PORT;
        }
        if (app && app->alpn_len)
            ea_str_set(&c->alpn, app->alpn, app->alpn_len);
        if (app && app->http_method[0])
            ea_str_set(&c->http_method, app->http_method, strlen(app->http_method));
        c->tls_version = f->tls_version;
        c->http_status = f->http_status;
        c->first = f->first;
        c->last = f->last;
        c->pkts_out = f->pkts[DIR_C2S];
        c->pkts_in = f->pkts[DIR_S2C];
        c->bytes_out = f->bytes[DIR_C2S];
        c->bytes_in = f->bytes[DIR_S2C];
        if (f->has_resolved) {
            c->has_resolved = true;
            c->resolved = f->resolved;
            f->has_resolved = false;
            f->resolved.names = NULL;
            f->resolved.n_names = 0;
        }
        if (f->proto == EA_TCP) {
            c->outcome = tcp_outcome(f, &c->outcome_why);
        } else if (f->pkts[DIR_S2C] > 0) {
            c->outcome = EA_OUT_REACHED;
            c->outcome_why = "reply received";
        } else {
            c->outcome = EA_OUT_NO_ANSWER;
            c->outcome_why = "no reply";
        }
        if (!ea_report_count_host(a->report, c))
            a->failed = true;
        if (!listed) {
            conn_clear(c);
        }
    } else {
        a->failed = true;
    }
    if (f->has_resolved)
        ea_chain_free(&f->resolved);
    free(f->app);
    flow_table_unlink(&a->flows, f);
    free(f);
}

/* Packet times may go backwards (clock steps, merged captures): first and
 * last are the earliest and latest seen, not the first and last in file order. */
static void flow_saw(struct flow *f, const struct timeval *ts)
{
    if (timercmp(ts, &f->first, <))
        f->first = *ts;
    if (timercmp(ts, &f->last, >))
        f->last = *ts;
}

static bool flow_closed(const struct flow *f)
{
    return f->rst_from[0] || f->rst_from[1] || (f->fin_from[0] && f->fin_from[1]);
}

static void evict_idle(struct analyzer *a)
{
    struct flow *f;
    while ((f = flow_table_oldest(&a->flows)) != NULL) {
        long idle =
            (f->proto == EA_TCP && !flow_closed(f)) ? EA_TCP_IDLE_SECONDS : EA_CLOSED_IDLE_SECONDS;
        if (a->now.tv_sec - f->last.tv_sec <= idle)
            return;
        flow_end(a, f);
    }
}

static bool is_multicast(const struct ea_addr *x)
{
    if (x->family == 4)
        return (x->b[0] & 0xf0) == 0xe0 ||
               (x->b[0] == 255 && x->b[1] == 255 && x->b[2] == 255 && x->b[3] == 255);
    return x->b[0] == 0xff;
}

/* Which side is the server of a flow that did not start with a SYN. */
static bool src_is_server(uint16_t sport, uint16_t dport)
{
    if (sport == dport)
        return false;
    if (dport == 53 || dport == 80 || dport == 443)
        return false;
    if (sport == 53 || sport == 80 || sport == 443)
        return true;
    return sport < 1024 && dport >= 1024;
}

static struct flow *flow_new(struct analyzer *a, const struct pkt *p, bool src_client, int *dir)
{
    if (a->flows.n_flows >= a->flows.max_flows) {
        flow_end(a, flow_table_oldest(&a->flows));
        a->report->counters[EA_C_FLOWS_EVICTED]++;
    }
    struct flow *f =
        src_client ? flow_table_insert(&a->flows, &p->src, &p->dst, p->sport, p->dport, p->proto)
                   : flow_table_insert(&a->flows, &p->dst, &p->src, p->dport, p->sport, p->proto);
    if (!f) {
        a->failed = true;
        return NULL;
    }
    *dir = src_client ? DIR_C2S : DIR_S2C;
    f->first = a->now;
    f->last = a->now;
    a->report->counters[EA_C_FLOWS]++;
    f->has_resolved = attrib_lookup(&a->attrib, &f->cli, &f->srv, &f->resolved);
    return f;
}

static void tcp_packet(struct analyzer *a, const struct pkt *p, bool from_defrag)
{
    int dir = DIR_C2S;
    bool syn = (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
    bool synack = (p->tcp_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
    struct flow *f = flow_table_find(&a->flows, &p->src, &p->dst, p->sport, p->dport, EA_TCP, &dir);
    /* A new SYN on a finished 4-tuple is a new connection. */
    if (f && syn && flow_closed(f) && !(f->have_isn[DIR_C2S] && f->isn[DIR_C2S] == p->seq)) {
        flow_end(a, f);
        f = NULL;
    }
    if (!f) {
        bool src_client = syn || (!synack && !src_is_server(p->sport, p->dport));
        f = flow_new(a, p, src_client, &dir);
        if (!f)
            return;
        f->via_nids = p->ipver == 4 && syn;
        if (!syn && !synack)
            f->flags |= EA_CF_MIDSTREAM;
        if (f->sport == 53)
            f->flags |= EA_CF_DNS;
    }
    f->pkts[dir]++;
    f->bytes[dir] += p->l4_len;
    f->payload[dir] += p->payload_wire_len;
    flow_saw(f, &a->now);
    flow_table_touch(&a->flows, f);
    if (syn && dir == DIR_C2S && !f->have_isn[DIR_C2S]) {
        f->syn = true;
        f->isn[DIR_C2S] = p->seq;
        f->have_isn[DIR_C2S] = true;
    }
    if (synack && dir == DIR_S2C && !f->have_isn[DIR_S2C]) {
        f->synack = true;
        f->isn[DIR_S2C] = p->seq;
        f->have_isn[DIR_S2C] = true;
    }
    if (p->tcp_flags & TCP_RST) {
        f->rst_from[dir] = true;
        if (dir == DIR_S2C && !f->synack && f->payload[DIR_S2C] == 0)
            f->rst_to_syn = true;
    }
    if (p->tcp_flags & TCP_FIN)
        f->fin_from[dir] = true;
    if (!f->via_nids)
        reasm_own_segment(a, f, dir, p);
    else if (!f->nids_done && !(from_defrag && p->encap == 0))
        reasm_nids_packet(a, p, &a->now); /* libnids saw a defragmented datagram itself */
}

static void udp_packet(struct analyzer *a, const struct pkt *p)
{
    bool dns = p->sport == 53 || p->dport == 53;
    if (dns && p->payload_len) {
        /* The client is whoever talks to port 53; both 53: by the QR bit. */
        const struct ea_addr *client = p->dport == 53 ? &p->src : &p->dst;
        struct cur c;
        uint8_t flags = 0;
        cur_init(&c, p->payload, p->payload_len);
        /* RFC 1035 §4.1.1: QR is the top bit of the third byte */
        if (p->sport == 53 && p->dport == 53 && cur_skip(&c, 2) && cur_u8(&c, &flags) &&
            !(flags & 0x80))
            client = &p->src;
        analyzer_dns_message(a, p->payload, p->payload_len, client, false);
    }
    if (is_multicast(&p->dst) || is_multicast(&p->src))
        return;
    int dir = DIR_C2S;
    struct flow *f = flow_table_find(&a->flows, &p->src, &p->dst, p->sport, p->dport, EA_UDP, &dir);
    if (!f) {
        f = flow_new(a, p, !src_is_server(p->sport, p->dport), &dir);
        if (!f)
            return;
        if (dns)
            f->flags |= EA_CF_DNS;
        if (f->sport == 443)
            f->flags |= EA_CF_QUIC;
    }
    f->pkts[dir]++;
    f->bytes[dir] += p->l4_len;
    f->payload[dir] += p->payload_wire_len;
    flow_saw(f, &a->now);
    flow_table_touch(&a->flows, f);
}

static void count_decode(struct analyzer *a, enum decode_result r, const struct pkt *p)
{
    uint64_t *cn = a->report->counters;
    if (p->ipver == 4)
        cn[EA_C_IPV4]++;
    else if (p->ipver == 6)
        cn[EA_C_IPV6]++;
    static const enum ea_counter malformed[] = {
        [LAYER_LINK] = EA_C_LINK_MALFORMED,
        [LAYER_IP] = EA_C_IP_MALFORMED,
        [LAYER_TCP] = EA_C_TCP_MALFORMED,
        [LAYER_UDP] = EA_C_UDP_MALFORMED,
    };
    static const enum ea_counter truncated[] = {
        [LAYER_LINK] = EA_C_LINK_TRUNCATED,
        [LAYER_IP] = EA_C_IP_TRUNCATED,
        [LAYER_TCP] = EA_C_TCP_TRUNCATED,
        [LAYER_UDP] = EA_C_UDP_TRUNCATED,
    };
    switch (r) {
    case DECODE_OK:
        cn[p->proto == EA_TCP ? EA_C_TCP : EA_C_UDP]++;
        if (p->bad_length)
            cn[EA_C_UDP_MALFORMED]++;
        if (p->payload_len < p->payload_wire_len)
            cn[p->proto == EA_TCP ? EA_C_TCP_TRUNCATED : EA_C_UDP_TRUNCATED]++;
        break;
    case DECODE_NOT_IP:
        cn[EA_C_NOT_IP]++;
        break;
    case DECODE_OTHER:
        cn[EA_C_IP_OTHER_PROTO]++;
        break;
    case DECODE_FRAGMENT:
        cn[EA_C_IP_FRAGMENTS]++;
        break;
    case DECODE_TRUNCATED:
        cn[truncated[p->layer]]++;
        break;
    case DECODE_MALFORMED:
        cn[malformed[p->layer]]++;
        break;
    }
}

static void ip_packet(struct analyzer *a, const struct pkt *p, enum decode_result r,
                      bool from_defrag)
{
    if (r == DECODE_FRAGMENT) {
        if (p->ipver != 4 || from_defrag)
            return;
        /* libnids 1.26 reads past its own buffer for a fragment carrying
         * fewer than 8 bytes (found by fuzz_pcap; RFC 791 allows it only
         * for the last one): such fragments are counted, not reassembled. */
        if (p->l4_len < 8) {
            a->report->counters[EA_C_REASM_WARNINGS]++;
            return;
        }
        reasm_nids_packet(a, p, &a->now); /* may come back whole */
        return;
    }
    if (r != DECODE_OK)
        return;
    if (p->proto == EA_TCP)
        tcp_packet(a, p, from_defrag);
    else
        udp_packet(a, p);
}

void analyzer_ip_datagram(struct analyzer *a, const uint8_t *ip, size_t len)
{
    struct pkt p;
    enum decode_result r = decode_ip(ip, len, &p);
    if (r == DECODE_OK) {
        a->report->counters[p.proto == EA_TCP ? EA_C_TCP : EA_C_UDP]++;
        ip_packet(a, &p, r, true);
    }
}

static void frame(struct analyzer *a, enum link_kind kind, const struct frame *fr)
{
    struct ea_report *r = a->report;
    r->counters[EA_C_PACKETS]++;
    r->counters[EA_C_BYTES] += fr->caplen;
    r->counters[EA_C_WIRE_BYTES] += fr->len;
    a->now = fr->ts;
    if (!r->have_time || timercmp(&fr->ts, &r->first, <))
        r->first = fr->ts;
    if (!r->have_time || timercmp(&fr->ts, &r->last, >))
        r->last = fr->ts;
    r->have_time = true;
    evict_idle(a);
    struct pkt p;
    enum decode_result dr = decode_frame(kind, fr->data, fr->caplen, &p);
    count_decode(a, dr, &p);
    ip_packet(a, &p, dr, false);
}

static enum analyze_status run_file(struct analyzer *a, const char *path, char *err, size_t errlen)
{
    char why[512];
    struct source *s = source_open(path, a->opts.bpf, why, sizeof(why));
    if (!s) {
        snprintf(err, errlen, "cannot read '%s': %s", path, why);
        return ANALYZE_INPUT_ERROR;
    }
    struct ea_input *in = ea_report_add_input(a->report);
    if (!in || !ea_str_set(&in->path, path, strlen(path))) {
        source_close(s);
        return ANALYZE_NO_MEMORY;
    }
    in->linktype = source_linktype(s);
    in->linktype_name = source_linktype_name(s);
    enum link_kind kind = source_link_kind(s);
    struct frame fr;
    uint64_t offset = 0;
    enum source_status st;
    while ((st = source_next(s, &fr, why, sizeof(why), &offset)) == SOURCE_FRAME) {
        in->packets++;
        frame(a, kind, &fr);
        if (a->opts.progress && in->packets % PROGRESS_EVERY == 0)
            fprintf(a->opts.progress, "egress-audit: '%s': %llu packets\n", path,
                    (unsigned long long)in->packets);
        if (a->failed)
            break;
    }
    if (st == SOURCE_FAIL) {
        snprintf(err, errlen, "cannot read '%s': %s", path, why);
        source_close(s);
        return ANALYZE_INPUT_ERROR;
    }
    if (st == SOURCE_CUT) {
        in->truncated = true;
        in->truncated_offset = offset;
        a->report->truncated = true;
        if (a->opts.warnings) {
            if (offset)
                fprintf(a->opts.warnings,
                        "egress-audit: warning: '%s': cut off in the record at offset %llu "
                        "(%s); analyzed the %llu packets before it\n",
                        path, (unsigned long long)offset, why, (unsigned long long)in->packets);
            else
                fprintf(a->opts.warnings,
                        "egress-audit: warning: '%s': cut off after %llu packets (%s); "
                        "analyzed what is there\n",
                        path, (unsigned long long)in->packets, why);
        }
    }
    source_close(s);
    return a->failed ? ANALYZE_NO_MEMORY : ANALYZE_OK;
}

enum analyze_status analyze_files(const char *const *paths, size_t n_paths,
                                  const struct analyze_opts *opts, struct ea_report *out, char *err,
                                  size_t errlen)
{
    enum analyze_status st = ANALYZE_OK;
    struct analyzer *a = calloc(1, sizeof(*a));
    struct dns_index idx = {0};
    if (!a)
        return ANALYZE_NO_MEMORY;
    a->opts = *opts;
    if (!a->opts.cutoff)
        a->opts.cutoff = EA_DEFAULT_CUTOFF;
    if (!a->opts.max_conns)
        a->opts.max_conns = EA_DEFAULT_MAX_CONNS;
    a->report = out;
    a->dns_idx = &idx;
    if (!flow_table_init(&a->flows, opts->max_flows) || !attrib_init(&a->attrib, opts->dns_cache)) {
        st = ANALYZE_NO_MEMORY;
        goto done;
    }
    if (!reasm_init(a, err, errlen)) {
        st = ANALYZE_INPUT_ERROR;
        goto done;
    }
    for (size_t i = 0; i < n_paths && st == ANALYZE_OK; i++)
        st = run_file(a, paths[i], err, errlen);
    /* The capture is over: libnids delivers what it holds, then every flow ends. */
    reasm_finish(a);
    while (flow_table_oldest(&a->flows))
        flow_end(a, flow_table_oldest(&a->flows));
    if (st == ANALYZE_OK && (a->failed || !ea_report_finalize(out)))
        st = ANALYZE_NO_MEMORY;
done:
    while (flow_table_oldest(&a->flows))
        flow_end(a, flow_table_oldest(&a->flows));
    flow_table_finish(&a->flows);
    attrib_finish(&a->attrib);
    free(idx.slots);
    free(a);
    if (st == ANALYZE_NO_MEMORY && errlen)
        snprintf(err, errlen, "out of memory");
    return st;
}
