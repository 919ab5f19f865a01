/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Tracking: each frame decoded once, flow accounting, payload to DNS and
 * the stream sink, flows ended into connections with their outcome.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "cursor.h"
#include "pipeline.h"

/* ---- DNS: counted, attributed, aggregated in the model ---- */

enum {
    DNS_PORT = 53,
    DNS_PORT_MDNS = 5353,  /* RFC 6762 */
    DNS_PORT_LLMNR = 5355, /* RFC 4795 */
    DNS_QUERY_KEEP = 512,  /* a query on another port kept until its response */
};

static bool dns_add_rr(struct ea_dns *d, const struct dns_rr *rr)
{
    char text[DNS_NAME_TEXT_MAX + 1];
    if (rr->type == DNS_TYPE_A || rr->type == DNS_TYPE_AAAA) {
        if (rr->type == DNS_TYPE_A)
            ea_ipv4_text(rr->addr, text);
        else
            inet_ntop(AF_INET6, rr->addr, text, sizeof(text));
        return ea_dns_add_answer(d, rr->type, rr->owner.s, rr->owner.len, text, strlen(text),
                                 rr->ttl);
    }
    if (rr->type == DNS_TYPE_SVCB || rr->type == DNS_TYPE_HTTPS) {
        char svcb[DNS_SVCB_TEXT_MAX];
        size_t n = dns_svcb_text(rr, svcb, sizeof svcb);
        return ea_dns_add_answer(d, rr->type, rr->owner.s, rr->owner.len, svcb, n, rr->ttl);
    }
    return ea_dns_add_answer(d, rr->type, rr->owner.s, rr->owner.len, rr->target.s, rr->target.len,
                             rr->ttl);
}

bool track_dns_records(const struct analyzer *a, const struct flow *f)
{
    return f->shared ? a->global_here : f->ours;
}

void track_dns_message(struct analyzer *a, const uint8_t *msg, size_t len,
                       const struct ea_addr *client, bool over_tcp, uint16_t port, bool record)
{
    struct dns_msg *m = &a->dns_scratch;
    enum parse_result r = dns_parse_message(msg, len, m, NULL);
    if (record) {
        a->report->counters[EA_C_DNS_MESSAGES]++;
        if (r == PARSE_MALFORMED)
            a->report->counters[EA_C_DNS_MALFORMED]++;
        else if (r == PARSE_INCOMPLETE)
            a->report->counters[EA_C_DNS_TRUNCATED]++;
    }
    /* A question read before the message went wrong is still a name the
     * client asked for; the answers of a malformed message are not used. */
    if (!m->has_question)
        return;
    if (m->qr && r == PARSE_OK)
        attrib_add_response(&a->attrib, client, m, &a->now);
    bool full = false;
    struct ea_dns *d =
        record ? ea_report_dns_entry(a->report, m->qname.s, m->qname.len, m->qtype, &a->now, &full)
               : NULL;
    if (!d) {
        if (record && !full) {
            a->failed = true;
            return;
        }
        /* Another shard keeps the row, or the rows are full (counted):
         * attribution above and the ECH names are every message's. */
        if (full)
            a->report->counters[EA_C_DNS_NOT_LISTED]++;
        for (size_t i = 0; m->qr && r != PARSE_MALFORMED && i < m->n_answers; i++)
            if (m->answers[i].ech_public_len)
                ech_note_public_name(a, m->answers[i].ech_public, m->answers[i].ech_public_len);
        return;
    }
    d->last = a->now;
    if (port == DNS_PORT_MDNS || port == DNS_PORT_LLMNR)
        d->local = true;
    if (port != 53 && !d->port)
        d->port = port;
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
    for (size_t i = 0; i < m->n_answers; i++) {
        if (!dns_add_rr(d, &m->answers[i]))
            a->failed = true;
        if (m->answers[i].ech_public_len)
            ech_note_public_name(a, m->answers[i].ech_public, m->answers[i].ech_public_len);
    }
    if (m->answers_dropped)
        d->answers_dropped = true;
}

/* ---- flows to connections ---- */

enum ea_outcome flow_tcp_outcome(const struct flow *f, enum ea_outcome_why *why)
{
    bool srv_closed = f->rst_from[DIR_S2C] || f->fin_from[DIR_S2C];
    if (f->server_hello) {
        *why = EA_OW_SERVER_HELLO;
        return EA_OUT_REACHED;
    }
    if (f->http_response) {
        if (f->http_deny) {
            *why = f->http_status == 470 ? EA_OW_HTTP_470 : EA_OW_HTTP_ACTION_DENY;
            return EA_OUT_DENIED;
        }
        *why = EA_OW_HTTP_RESPONSE;
        return EA_OUT_REACHED;
    }
    /* Client data and nothing at all from the server: a filter (dst port
     * 443), asymmetric routing or a mirror port kept one side only. The
     * server may well have answered: not "no answer". */
    if (f->pkts[DIR_S2C] == 0 && f->payload[DIR_C2S] > 0) {
        *why = EA_OW_CLIENT_SIDE_ONLY;
        return EA_OUT_INCOMPLETE;
    }
    if (!f->syn && !f->synack) {
        *why = EA_OW_MIDSTREAM;
        return EA_OUT_UNKNOWN;
    }
    if (!f->synack) {
        if (f->rst_to_syn) {
            *why = EA_OW_RESET_TO_SYN;
            return EA_OUT_REFUSED;
        }
        if (f->payload[DIR_S2C] > 0) {
            *why = EA_OW_DATA_NO_SYNACK;
            return EA_OUT_REACHED;
        }
        if (!f->client_acked && f->payload[DIR_C2S] == 0) {
            *why = EA_OW_NO_SYN_ANSWER;
            return EA_OUT_NO_ANSWER;
        }
        /* The client acknowledged or sent data: a SYN-ACK came that the
         * capture missed. Judged as after a handshake, below. */
    }
    if (f->client_hello) {
        if (f->tls_alert) {
            *why = EA_OW_TLS_ALERT;
            return EA_OUT_DENIED;
        }
        if (srv_closed) {
            *why = f->rst_from[DIR_S2C] ? EA_OW_RESET_AFTER_HELLO : EA_OW_CLOSED_AFTER_HELLO;
            return EA_OUT_DENIED;
        }
        if (f->payload[DIR_S2C] > 0) {
            *why = EA_OW_NOT_SERVER_HELLO;
            return EA_OUT_UNKNOWN;
        }
        *why = EA_OW_NO_SERVER_HELLO;
        return EA_OUT_INCOMPLETE;
    }
    if (f->http_request) {
        if (srv_closed && f->payload[DIR_S2C] == 0) {
            *why = EA_OW_CLOSED_NO_HTTP;
            return EA_OUT_DENIED;
        }
        if (f->payload[DIR_S2C] > 0) {
            *why = EA_OW_NOT_HTTP;
            return EA_OUT_UNKNOWN;
        }
        *why = EA_OW_NO_HTTP;
        return EA_OUT_INCOMPLETE;
    }
    if (f->payload[DIR_S2C] > 0) {
        *why = EA_OW_SERVER_DATA;
        return EA_OUT_REACHED;
    }
    if (f->synack && f->sport != 80 && f->sport != 443) {
        *why = EA_OW_SYNACK_OTHER_PORT;
        return EA_OUT_REACHED;
    }
    if (f->payload[DIR_C2S] > 0) {
        *why = EA_OW_CLIENT_DATA_ONLY;
        return EA_OUT_INCOMPLETE;
    }
    *why = EA_OW_HANDSHAKE_ONLY;
    return EA_OUT_INCOMPLETE;
}

/* Free what a connection that is not listed holds. */
static void conn_clear(struct ea_conn *c)
{
    ea_conn_clear(c);
}

/* Everything of a connection that is not a heap string, from its flow: the
 * addresses, counts, times and the outcome so far. */
static void conn_fill(const struct flow *f, struct ea_conn *c)
{
    c->src = f->cli;
    c->dst = f->srv;
    c->sport = f->cport;
    c->dport = f->sport;
    c->transport = f->proto == EA_TCP ? EA_TCP : EA_UDP;
    c->flags = f->flags;
    if (f->app && f->name_source != EA_NAME_NONE && f->sport != 80 && f->sport != 443)
        c->flags |= EA_CF_PORT;
    c->tls_version = f->tls_version;
    c->http_status = f->http_status;
    c->first = f->first;
    c->last = f->last;
    c->pkts_out = f->pkts[DIR_C2S];
    c->pkts_in = f->pkts[DIR_S2C];
    c->bytes_out = f->bytes[DIR_C2S];
    c->bytes_in = f->bytes[DIR_S2C];
    if (f->proto == EA_TCP) {
        c->outcome = flow_tcp_outcome(f, &c->outcome_why);
    } else if (quic_track_outcome(f, &c->outcome, &c->outcome_why)) {
        /* QUIC: a server Initial or Handshake, or client Initials only */
    } else if (f->pkts[DIR_S2C] > 0) {
        c->outcome = EA_OUT_REACHED;
        c->outcome_why = EA_OW_UDP_REPLY;
    } else {
        c->outcome = EA_OUT_NO_ANSWER;
        c->outcome_why = EA_OW_UDP_NO_REPLY;
    }
}

/* The live view (analyzer_on_conn): told when the flow's name or outcome so
 * far changed since it was last told. The connection it sees is a view
 * into the flow: nothing is copied. */
static void flow_observe(struct analyzer *a, struct flow *f)
{
    struct ea_conn c;
    memset(&c, 0, sizeof c);
    conn_fill(f, &c);
    if (f->obs_told && f->obs_outcome == c.outcome && f->obs_name == f->name_source)
        return;
    f->obs_told = true;
    f->obs_outcome = (uint8_t)c.outcome;
    f->obs_name = (uint8_t)f->name_source;
    if (f->app && f->name_source != EA_NAME_NONE) {
        c.name.s = f->app->name;
        c.name.len = f->app->name_len;
        c.name_source = f->name_source;
    }
    if (f->has_resolved) {
        c.has_resolved = true;
        c.resolved = f->resolved;
    }
    a->observe(a, &c, false, &f->obs_tag);
}

/* Flags that say why a connection has no name (DESIGN.md "Outcome"). */
#define WHY_NO_NAME                                                                                \
    (EA_CF_TLS_NO_SNI | EA_CF_HELLO_CUT | EA_CF_SNAPLEN_CUT | EA_CF_REASM_GAP | EA_CF_QUIC |       \
     EA_CF_ECH | EA_CF_DNS | EA_CF_LOCAL | EA_CF_OTHER_PROTO | EA_CF_NO_HOST)

/* A connection with client payload never ends without a name or a flag
 * saying why it has none. */
static void flow_why_no_name(struct flow *f)
{
    if (f->payload[DIR_C2S] == 0 || f->name_source != EA_NAME_NONE || (f->flags & WHY_NO_NAME))
        return;
    const struct stream_dir *d = &f->dir[DIR_C2S];
    if (f->proto != EA_TCP) {
        f->flags |= EA_CF_OTHER_PROTO;
        return;
    }
    switch (d->kind) {
    case SK_UNKNOWN:
        /* Payload came, but never from the stream's first byte on. */
        f->flags |= EA_CF_REASM_GAP;
        break;
    case SK_TLS:
        f->flags |= d->lost ? EA_CF_REASM_GAP : EA_CF_HELLO_CUT;
        break;
    case SK_HTTP:
        f->flags |= f->http_request || !d->lost ? EA_CF_NO_HOST : EA_CF_REASM_GAP;
        break;
    case SK_DNS:
        f->flags |= EA_CF_DNS;
        break;
    default:
        f->flags |= EA_CF_OTHER_PROTO;
        break;
    }
}

/* What a flow holds, freed; the flow leaves the table. */
static void flow_free(struct analyzer *a, struct flow *f)
{
    if (f->has_resolved)
        ea_chain_free(&f->resolved);
    free(f->dns_q);
    flow_app_free(f->app);
    flow_table_unlink(&a->flows, f);
    free(f);
}

static void flow_end(struct analyzer *a, struct flow *f)
{
    struct ea_conn spare, *c;
    /* Every shard ends every flow at the same point (analyzer.h), so the
     * count of flows ended is the same in all: a connection is listed by
     * its place among all of the run's, as when the run is not split. */
    uint64_t seq = a->ends++;
    bool listed = seq < a->max_conns;
    if (!f->ours) {
        reasm_own_end(a, f); /* a shared flow's DNS held back by a gap */
        quic_track_end(a, f);
        flow_free(a, f);
        return;
    }
    /* Memory is bounded by flows, not capture size: past the row cap a
     * connection is still counted in its host, but not listed. */
    if (listed) {
        c = ea_report_add_conn(a->report);
    } else {
        a->report->counters[EA_C_CONNS_NOT_LISTED]++;
        memset(&spare, 0, sizeof spare);
        c = &spare;
    }
    reasm_own_end(a, f);
    quic_track_end(a, f);
    flow_why_no_name(f);
    if (c) {
        conn_fill(f, c);
        c->seq = seq;
        const struct flow_app *app = f->app;
        if (app && f->name_source != EA_NAME_NONE && ea_str_set(&c->name, app->name, app->name_len))
            c->name_source = f->name_source;
        else
            c->flags &= ~(uint32_t)EA_CF_PORT;
        if (app && app->inner_source != EA_NAME_NONE &&
            ea_str_set(&c->inner_name, app->inner_name, app->inner_len))
            c->inner_source = app->inner_source;
        c->payload_out = f->payload[DIR_C2S];
        c->payload_in = f->payload[DIR_S2C];
        if (f->tunnel != EA_TUN_NONE && app) {
            c->tunnel = (enum ea_tunnel)f->tunnel;
            c->outer_src = app->outer_src;
            c->outer_dst = app->outer_dst;
        }
        if (app && app->alpn_len)
            ea_str_set(&c->alpn, app->alpn, app->alpn_len);
        if (app && app->http_method[0])
            ea_str_set(&c->http_method, app->http_method, strlen(app->http_method));
        flow_hello_to_conn(a, f, c);
        if (f->has_resolved) {
            c->has_resolved = true;
            c->resolved = f->resolved;
            f->has_resolved = false;
            f->resolved.names = NULL;
            f->resolved.n_names = 0;
        }
        if (!ea_report_count_host(a->report, c))
            a->failed = true;
        if (a->observe)
            a->observe(a, c, true, &f->obs_tag);
        if (!listed) {
            conn_clear(c);
        }
    } else {
        a->failed = true;
    }
    flow_free(a, f);
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
    if (dport == 53 || dport == 80 || dport == 443 || dport == 5353 || dport == 5355)
        return false;
    if (sport == 53 || sport == 80 || sport == 443 || sport == 5353 || sport == 5355)
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
    /* The earliest point a flow's shard is known: its key, hashed for the
     * table anyway. Another shard's flow keeps only its accounting here. */
    f->ours = flow_shard(f->hash, a->n_shards) == a->shard;
    f->shared = a->n_shards > 1 && f->proto == EA_TCP && (f->sport == 53 || f->cport == 53);
    f->inspect = f->ours || f->shared;
    if (f->ours)
        f->has_resolved = attrib_lookup(&a->attrib, &f->cli, &f->srv, &f->resolved);
    return f;
}

static void flow_tunnel(struct analyzer *a, struct flow *f, const struct pkt *p)
{
    if (p->tunnel == TUNNEL_NONE)
        return;
    f->flags |= EA_CF_TUNNEL;
    if (!f->app && !(f->app = calloc(1, sizeof(*f->app)))) {
        a->failed = true;
        return;
    }
    f->tunnel = p->tunnel;
    f->app->outer_src = p->outer_src;
    f->app->outer_dst = p->outer_dst;
}

static void tcp_packet(struct analyzer *a, const struct pkt *p, bool from_defrag)
{
    int dir = DIR_C2S;
    bool syn = (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
    bool synack = (p->tcp_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
    struct flow *f = flow_table_find(&a->flows, &p->src, &p->dst, p->sport, p->dport, EA_TCP, &dir);
    /* A new SYN on a finished 4-tuple is a new connection; so is a SYN with
     * another initial sequence number from the same client (a reused port
     * whose FIN or RST the capture missed). A retransmitted SYN is not. */
    if (f && syn && !(f->have_isn[DIR_C2S] && f->isn[DIR_C2S] == p->seq) &&
        (flow_closed(f) || (dir == DIR_C2S && f->have_isn[DIR_C2S]))) {
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
        if (f->ours)
            flow_tunnel(a, f, p);
    }
    if (p->payload_len < p->payload_wire_len)
        f->flags |= EA_CF_SNAPLEN_CUT;
    if (dir == DIR_C2S && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_ACK)
        f->client_acked = true;
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
        if (dir == DIR_S2C && !f->synack && f->payload[DIR_S2C] == 0 && f->payload[DIR_C2S] == 0 &&
            !f->client_acked)
            f->rst_to_syn = true;
    }
    if (p->tcp_flags & TCP_FIN)
        f->fin_from[dir] = true;
    if (!f->inspect)
        return; /* another shard's: libnids never sees it */
    /* libnids first (it passes data on only after a three-way handshake it
     * saw whole); then our own reassembly takes whatever the stream sink
     * still wants: one side captured, a SYN-ACK missing, a RST or FIN
     * before it, data in the SYN (TCP Fast Open), a segment the snaplen
     * cut (libnids drops those). When libnids delivered, the sink is done
     * and our own path holds nothing. */
    if (f->via_nids && !f->nids_done && !(from_defrag && p->encap == 0))
        reasm_nids_packet(a, p, &a->now, NULL); /* libnids saw a defragmented datagram itself */
    reasm_own_segment(a, f, dir, p);
    if (a->observe)
        flow_observe(a, f);
}

static bool dns_well_known(uint16_t port)
{
    return port == DNS_PORT || port == DNS_PORT_MDNS || port == DNS_PORT_LLMNR;
}

/* A query that parses cleanly: one question, opcode QUERY. */
static bool dns_clean(struct analyzer *a, const uint8_t *msg, size_t len, bool response)
{
    struct dns_msg *m = &a->dns_scratch;
    return dns_parse_message(msg, len, m, NULL) == PARSE_OK && m->qr == response &&
           m->opcode == 0 && m->qdcount == 1 && m->has_question;
}

/* DNS on a port other than 53, 5353, 5355 (DNSCrypt's certificate queries
 * go to 443/udp; resolvers listen on 5300, 8053, ...): counted as DNS only
 * when the client's query and the server's response both parse cleanly and
 * match by ID and question. QUIC on 443 never does. */
static void udp_dns_other_port(struct analyzer *a, struct flow *f, int dir, const struct pkt *p)
{
    if (p->payload_len == 0)
        return;
    if (dir == DIR_C2S) {
        if (f->dns_tried)
            return;
        f->dns_tried = true;
        if (p->payload_len > DNS_QUERY_KEEP || !dns_clean(a, p->payload, p->payload_len, false))
            return;
        f->dns_q = malloc(sizeof(*f->dns_q) + p->payload_len);
        if (!f->dns_q) {
            a->failed = true;
            return;
        }
        memcpy(f->dns_q->msg, p->payload, p->payload_len);
        f->dns_q->len = (uint16_t)p->payload_len;
        f->dns_q->ts = a->now;
        return;
    }
    if (!f->dns_q || !dns_clean(a, p->payload, p->payload_len, true))
        return;
    struct dns_msg *m = &a->dns_scratch;
    uint16_t id = m->id, qtype = m->qtype;
    struct dns_name qname = m->qname;
    if (!dns_clean(a, f->dns_q->msg, f->dns_q->len, false) || m->id != id || m->qtype != qtype ||
        m->qname.len != qname.len || !ea_ascii_ieq(m->qname.s, qname.s, qname.len))
        return;
    struct timeval now = a->now;
    a->now = f->dns_q->ts;
    track_dns_message(a, f->dns_q->msg, f->dns_q->len, &f->cli, false, f->sport, a->global_here);
    a->now = now;
    track_dns_message(a, p->payload, p->payload_len, &f->cli, false, f->sport, a->global_here);
    free(f->dns_q);
    f->dns_q = NULL;
    f->dns_tried = false; /* the next query on the flow is looked at too */
    f->flags |= EA_CF_DNS;
    f->flags &= ~(uint32_t)EA_CF_QUIC;
}

static void udp_packet(struct analyzer *a, const struct pkt *p)
{
    bool dns = dns_well_known(p->sport) || dns_well_known(p->dport);
    if (dns && p->payload_len) {
        /* The client is whoever talks to the DNS port; both: by the QR bit. */
        uint16_t port = dns_well_known(p->dport) ? p->dport : p->sport;
        const struct ea_addr *client = dns_well_known(p->dport) ? &p->src : &p->dst;
        struct cur c;
        uint8_t flags = 0;
        cur_init(&c, p->payload, p->payload_len);
        /* RFC 1035 §4.1.1: QR is the top bit of the third byte */
        if (dns_well_known(p->sport) && dns_well_known(p->dport) && cur_skip(&c, 2) &&
            cur_u8(&c, &flags) && !(flags & 0x80))
            client = &p->src;
        track_dns_message(a, p->payload, p->payload_len, client, false, port, a->global_here);
    }
    if (is_multicast(&p->dst) || is_multicast(&p->src))
        return;
    int dir = DIR_C2S;
    struct flow *f = flow_table_find(&a->flows, &p->src, &p->dst, p->sport, p->dport, EA_UDP, &dir);
    bool first = !f;
    if (!f) {
        f = flow_new(a, p, !src_is_server(p->sport, p->dport), &dir);
        if (!f)
            return;
        if (dns)
            f->flags |= EA_CF_DNS;
        if (dns_well_known(f->sport) && f->sport != DNS_PORT)
            f->flags |= EA_CF_LOCAL;
        if (f->ours)
            flow_tunnel(a, f, p);
    }
    if (p->payload_len < p->payload_wire_len)
        f->flags |= EA_CF_SNAPLEN_CUT;
    if (!dns)
        udp_dns_other_port(a, f, dir, p);
    f->pkts[dir]++;
    f->bytes[dir] += p->l4_len;
    f->payload[dir] += p->payload_wire_len;
    flow_saw(f, &a->now);
    flow_table_touch(&a->flows, f);
    if (!f->ours)
        return; /* DNS on another port was looked at above: attribution is every shard's */
    quic_track_datagram(a, f, dir, p, first);
    if (a->observe)
        flow_observe(a, f);
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
                      bool from_defrag);

/* A datagram that IPv4 defragmentation completed: decoded and handled as if
 * it had been captured whole. It cannot complete another datagram, so this
 * never recurses deeper than once. */
static void defragmented(struct analyzer *a, const struct pkt *frag, const uint8_t *ip, size_t len)
{
    struct pkt p;
    enum decode_result r = decode_ip(ip, len, &p);
    if (r == DECODE_OK) {
        a->report->counters[p.proto == EA_TCP ? EA_C_TCP : EA_C_UDP]++;
        if (p.encap == 0 && frag->encap > 0) {
            /* The fragments came in a tunnel: its outer addresses stay. */
            p.tunnel = frag->tunnel;
            p.outer_src = frag->outer_src;
            p.outer_dst = frag->outer_dst;
        }
        ip_packet(a, &p, r, true);
    }
}

static void ip_packet(struct analyzer *a, const struct pkt *p, enum decode_result r,
                      bool from_defrag)
{
    if (r == DECODE_FRAGMENT) {
        if (from_defrag)
            return;
        if (p->ipver == 6) {
            const uint8_t *whole = NULL;
            bool overlap = false;
            size_t n = frag6_packet(a->frag6, p, &a->now, &whole, &overlap);
            if (overlap && a->global_here) /* every shard sees every fragment */
                a->report->counters[EA_C_REASM_WARNINGS]++;
            if (n)
                defragmented(a, p, whole, n);
            return;
        }
        /* libnids 1.26 reads past its own buffer for a fragment carrying
         * fewer than 8 bytes (found by fuzz_pcap; RFC 791 allows it only
         * for the last one): such fragments are counted, not reassembled. */
        if (p->l4_len < 8) {
            if (a->global_here)
                a->report->counters[EA_C_REASM_WARNINGS]++;
            return;
        }
        const uint8_t *whole;
        size_t n = reasm_nids_packet(a, p, &a->now, &whole);
        if (n)
            defragmented(a, p, whole, n);
        return;
    }
    if (r != DECODE_OK)
        return;
    if (p->proto == EA_TCP)
        tcp_packet(a, p, from_defrag);
    else
        udp_packet(a, p);
}

void track_frame(struct analyzer *a, const struct ea_frame *fr)
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
    if (fr->caplen < fr->len) {
        /* The capture's snaplen cut this frame: said once, report-wide. */
        r->snaplen_cut_frames++;
        if (fr->caplen > r->snaplen_seen)
            r->snaplen_seen = fr->caplen;
    }
    struct pkt p;
    enum decode_result dr = decode_frame(a->link, fr->data, fr->caplen, &p);
    count_decode(a, dr, &p);
    ip_packet(a, &p, dr, false);
}

void track_end_all(struct analyzer *a)
{
    struct flow *f;
    while ((f = flow_table_oldest(&a->flows)) != NULL)
        flow_end(a, f);
}
