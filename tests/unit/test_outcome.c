/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The outcome of a TCP flow (analyze/flow/track.c, flow_tcp_outcome): one
 * row per rule of the logic, and rows where two pieces of evidence meet to
 * pin which one wins. Each row is a struct flow built by hand, as the
 * tracker would have left it; each asserts the outcome and its evidence.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "pipeline.h"

struct outcome_case {
    const char *name;
    /* handshake */
    bool syn, synack, rst_to_syn;
    /* closes, by direction */
    bool rst_cli, rst_srv, fin_cli, fin_srv;
    /* transport payload bytes, by direction */
    uint64_t data_cli, data_srv;
    /* what the payload told */
    bool client_hello, server_hello, tls_alert;
    bool http_request, http_response, http_deny;
    uint16_t http_status;
    uint16_t sport; /* the server's port; 0: 443 */
    enum ea_outcome want;
    enum ea_outcome_why why;
};

static const struct outcome_case outcome_cases[] = {
    /* ---- a ServerHello proves the server (or a TLS proxy) answered ---- */
    {.name = "ServerHello",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .server_hello = true,
     .data_cli = 517,
     .data_srv = 4000,
     .want = EA_OUT_REACHED,
     .why = EA_OW_SERVER_HELLO},
    {.name = "ServerHello, then the server resets",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .server_hello = true,
     .rst_srv = true,
     .data_cli = 517,
     .data_srv = 4000,
     .want = EA_OUT_REACHED,
     .why = EA_OW_SERVER_HELLO},
    {.name = "ServerHello and an alert: the hello wins",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .server_hello = true,
     .tls_alert = true,
     .data_srv = 4000,
     .want = EA_OUT_REACHED,
     .why = EA_OW_SERVER_HELLO},
    {.name = "ServerHello mid-stream (no SYN, no SYN-ACK)",
     .server_hello = true,
     .data_srv = 4000,
     .want = EA_OUT_REACHED,
     .why = EA_OW_SERVER_HELLO},
    /* ---- an HTTP response: the firewall's 470 and Action: Deny, or an answer ---- */
    {.name = "HTTP 470",
     .syn = true,
     .synack = true,
     .http_request = true,
     .http_response = true,
     .http_deny = true,
     .http_status = 470,
     .data_cli = 80,
     .data_srv = 200,
     .sport = 80,
     .want = EA_OUT_DENIED,
     .why = EA_OW_HTTP_470},
    {.name = "HTTP 470 mid-stream",
     .http_request = true,
     .http_response = true,
     .http_deny = true,
     .http_status = 470,
     .data_srv = 200,
     .sport = 80,
     .want = EA_OUT_DENIED,
     .why = EA_OW_HTTP_470},
    {.name = "HTTP 403 with Action: Deny",
     .syn = true,
     .synack = true,
     .http_request = true,
     .http_response = true,
     .http_deny = true,
     .http_status = 403,
     .data_srv = 200,
     .sport = 80,
     .want = EA_OUT_DENIED,
     .why = EA_OW_HTTP_ACTION_DENY},
    {.name = "HTTP 200 with Action: Deny",
     .syn = true,
     .synack = true,
     .http_request = true,
     .http_response = true,
     .http_deny = true,
     .http_status = 200,
     .data_srv = 200,
     .sport = 80,
     .want = EA_OUT_DENIED,
     .why = EA_OW_HTTP_ACTION_DENY},
    {.name = "HTTP 200",
     .syn = true,
     .synack = true,
     .http_request = true,
     .http_response = true,
     .http_status = 200,
     .data_srv = 900,
     .sport = 80,
     .want = EA_OUT_REACHED,
     .why = EA_OW_HTTP_RESPONSE},
    {.name = "HTTP 404: an answer all the same",
     .syn = true,
     .synack = true,
     .http_request = true,
     .http_response = true,
     .http_status = 404,
     .data_srv = 900,
     .sport = 80,
     .want = EA_OUT_REACHED,
     .why = EA_OW_HTTP_RESPONSE},
    {.name = "HTTP response, then the server closes",
     .syn = true,
     .synack = true,
     .http_request = true,
     .http_response = true,
     .http_status = 200,
     .fin_srv = true,
     .data_srv = 900,
     .sport = 80,
     .want = EA_OUT_REACHED,
     .why = EA_OW_HTTP_RESPONSE},
    {.name = "HTTP response on 8080",
     .syn = true,
     .synack = true,
     .http_request = true,
     .http_response = true,
     .http_status = 301,
     .data_srv = 300,
     .sport = 8080,
     .want = EA_OUT_REACHED,
     .why = EA_OW_HTTP_RESPONSE},
    /* ---- neither SYN nor SYN-ACK: the capture began after the handshake ---- */
    {.name = "mid-stream, data both ways",
     .data_cli = 100,
     .data_srv = 100,
     .want = EA_OUT_UNKNOWN,
     .why = EA_OW_MIDSTREAM},
    /* issue 11: client data and nothing from the server is one side captured */
    {.name = "mid-stream ClientHello without an answer",
     .client_hello = true,
     .data_cli = 517,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_CLIENT_SIDE_ONLY},
    {.name = "mid-stream, server reset",
     .rst_srv = true,
     .want = EA_OUT_UNKNOWN,
     .why = EA_OW_MIDSTREAM},
    /* ---- a SYN without a SYN-ACK ---- */
    {.name = "reset in answer to SYN",
     .syn = true,
     .rst_to_syn = true,
     .rst_srv = true,
     .want = EA_OUT_REFUSED,
     .why = EA_OW_RESET_TO_SYN},
    {.name = "reset to SYN, server data after: the reset wins",
     .syn = true,
     .rst_to_syn = true,
     .rst_srv = true,
     .data_srv = 10,
     .want = EA_OUT_REFUSED,
     .why = EA_OW_RESET_TO_SYN},
    {.name = "server data, SYN-ACK not captured",
     .syn = true,
     .data_cli = 517,
     .data_srv = 1400,
     .want = EA_OUT_REACHED,
     .why = EA_OW_DATA_NO_SYNACK},
    {.name = "server data, SYN-ACK not captured, ClientHello",
     .syn = true,
     .client_hello = true,
     .data_cli = 517,
     .data_srv = 1400,
     .want = EA_OUT_REACHED,
     .why = EA_OW_DATA_NO_SYNACK},
    {.name = "SYN only", .syn = true, .want = EA_OUT_NO_ANSWER, .why = EA_OW_NO_SYN_ANSWER},
    {.name = "SYN and client data, nothing back",
     .syn = true,
     .data_cli = 50,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_CLIENT_SIDE_ONLY},
    {.name = "SYN, the client gives up with a reset",
     .syn = true,
     .rst_cli = true,
     .want = EA_OUT_NO_ANSWER,
     .why = EA_OW_NO_SYN_ANSWER},
    {.name = "SYN, server FIN without data",
     .syn = true,
     .fin_srv = true,
     .want = EA_OUT_NO_ANSWER,
     .why = EA_OW_NO_SYN_ANSWER},
    /* ---- a ClientHello after the handshake, no ServerHello ---- */
    {.name = "ClientHello, TLS alert",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .tls_alert = true,
     .data_cli = 517,
     .data_srv = 7,
     .want = EA_OUT_DENIED,
     .why = EA_OW_TLS_ALERT},
    {.name = "ClientHello, alert and reset: the alert is named",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .tls_alert = true,
     .rst_srv = true,
     .data_srv = 7,
     .want = EA_OUT_DENIED,
     .why = EA_OW_TLS_ALERT},
    {.name = "ClientHello, server reset",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .rst_srv = true,
     .data_cli = 517,
     .want = EA_OUT_DENIED,
     .why = EA_OW_RESET_AFTER_HELLO},
    {.name = "ClientHello, server FIN",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .fin_srv = true,
     .data_cli = 517,
     .want = EA_OUT_DENIED,
     .why = EA_OW_CLOSED_AFTER_HELLO},
    {.name = "ClientHello, server FIN then reset: the reset is named",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .fin_srv = true,
     .rst_srv = true,
     .want = EA_OUT_DENIED,
     .why = EA_OW_RESET_AFTER_HELLO},
    {.name = "ClientHello, server data then FIN: closed, not unknown",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .fin_srv = true,
     .data_srv = 30,
     .want = EA_OUT_DENIED,
     .why = EA_OW_CLOSED_AFTER_HELLO},
    {.name = "ClientHello, SYN not captured, server reset",
     .synack = true,
     .client_hello = true,
     .rst_srv = true,
     .want = EA_OUT_DENIED,
     .why = EA_OW_RESET_AFTER_HELLO},
    {.name = "ClientHello, server data that is no ServerHello",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .data_cli = 517,
     .data_srv = 30,
     .want = EA_OUT_UNKNOWN,
     .why = EA_OW_NOT_SERVER_HELLO},
    {.name = "ClientHello, nothing back",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .data_cli = 517,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_NO_SERVER_HELLO},
    {.name = "ClientHello, the client resets: not the server's doing",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .rst_cli = true,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_NO_SERVER_HELLO},
    {.name = "ClientHello, the client closes",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .fin_cli = true,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_NO_SERVER_HELLO},
    {.name = "ClientHello on 8443, nothing back: the hello decides, not the port",
     .syn = true,
     .synack = true,
     .client_hello = true,
     .sport = 8443,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_NO_SERVER_HELLO},
    /* ---- an HTTP request after the handshake, no response ---- */
    {.name = "HTTP request, server closes without data",
     .syn = true,
     .synack = true,
     .http_request = true,
     .fin_srv = true,
     .data_cli = 80,
     .sport = 80,
     .want = EA_OUT_DENIED,
     .why = EA_OW_CLOSED_NO_HTTP},
    {.name = "HTTP request, server resets without data",
     .syn = true,
     .synack = true,
     .http_request = true,
     .rst_srv = true,
     .data_cli = 80,
     .sport = 80,
     .want = EA_OUT_DENIED,
     .why = EA_OW_CLOSED_NO_HTTP},
    {.name = "HTTP request, server data that is not HTTP, then FIN",
     .syn = true,
     .synack = true,
     .http_request = true,
     .fin_srv = true,
     .data_srv = 12,
     .sport = 80,
     .want = EA_OUT_UNKNOWN,
     .why = EA_OW_NOT_HTTP},
    {.name = "HTTP request, server data that is not HTTP",
     .syn = true,
     .synack = true,
     .http_request = true,
     .data_srv = 12,
     .sport = 80,
     .want = EA_OUT_UNKNOWN,
     .why = EA_OW_NOT_HTTP},
    {.name = "HTTP request, nothing back",
     .syn = true,
     .synack = true,
     .http_request = true,
     .data_cli = 80,
     .sport = 80,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_NO_HTTP},
    {.name = "HTTP request, the client closes",
     .syn = true,
     .synack = true,
     .http_request = true,
     .fin_cli = true,
     .sport = 80,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_NO_HTTP},
    /* ---- a handshake, and nothing named in the payload ---- */
    {.name = "server data on 443, no hello, no HTTP",
     .syn = true,
     .synack = true,
     .data_srv = 64,
     .want = EA_OUT_REACHED,
     .why = EA_OW_SERVER_DATA},
    {.name = "server data on 22 (an SSH banner)",
     .syn = true,
     .synack = true,
     .data_srv = 21,
     .sport = 22,
     .want = EA_OUT_REACHED,
     .why = EA_OW_SERVER_DATA},
    {.name = "SYN-ACK on 22",
     .syn = true,
     .synack = true,
     .sport = 22,
     .want = EA_OUT_REACHED,
     .why = EA_OW_SYNACK_OTHER_PORT},
    {.name = "SYN-ACK on 8443 with client data",
     .syn = true,
     .synack = true,
     .data_cli = 100,
     .sport = 8443,
     .want = EA_OUT_REACHED,
     .why = EA_OW_SYNACK_OTHER_PORT},
    {.name = "SYN-ACK on 5432, then the server resets",
     .syn = true,
     .synack = true,
     .rst_srv = true,
     .sport = 5432,
     .want = EA_OUT_REACHED,
     .why = EA_OW_SYNACK_OTHER_PORT},
    {.name = "SYN-ACK on 81: only 80 and 443 are the firewall's",
     .syn = true,
     .synack = true,
     .sport = 81,
     .want = EA_OUT_REACHED,
     .why = EA_OW_SYNACK_OTHER_PORT},
    {.name = "handshake on 443, client data only",
     .syn = true,
     .synack = true,
     .data_cli = 100,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_CLIENT_DATA_ONLY},
    {.name = "handshake on 80, client data only",
     .syn = true,
     .synack = true,
     .data_cli = 100,
     .sport = 80,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_CLIENT_DATA_ONLY},
    {.name = "handshake only on 443",
     .syn = true,
     .synack = true,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_HANDSHAKE_ONLY},
    {.name = "handshake only on 80",
     .syn = true,
     .synack = true,
     .sport = 80,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_HANDSHAKE_ONLY},
    {.name = "handshake only on 443, then the server resets",
     .syn = true,
     .synack = true,
     .rst_srv = true,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_HANDSHAKE_ONLY},
    {.name = "SYN-ACK only on 443 (SYN not captured)",
     .synack = true,
     .want = EA_OUT_INCOMPLETE,
     .why = EA_OW_HANDSHAKE_ONLY},
    {.name = NULL},
};

static void flow_of(const struct outcome_case *tc, struct flow *f)
{
    memset(f, 0, sizeof *f);
    f->proto = EA_TCP;
    f->cport = 50000;
    f->sport = tc->sport ? tc->sport : 443;
    f->syn = tc->syn;
    f->synack = tc->synack;
    f->rst_to_syn = tc->rst_to_syn;
    f->rst_from[DIR_C2S] = tc->rst_cli;
    f->rst_from[DIR_S2C] = tc->rst_srv;
    f->fin_from[DIR_C2S] = tc->fin_cli;
    f->fin_from[DIR_S2C] = tc->fin_srv;
    f->payload[DIR_C2S] = tc->data_cli;
    f->payload[DIR_S2C] = tc->data_srv;
    f->client_hello = tc->client_hello;
    f->server_hello = tc->server_hello;
    f->tls_alert = tc->tls_alert;
    f->http_request = tc->http_request;
    f->http_response = tc->http_response;
    f->http_deny = tc->http_deny;
    f->http_status = tc->http_status;
    /* packets each way as the evidence implies: the client always sent
     * something; the server did when anything came back from it */
    f->pkts[DIR_C2S] = 1;
    f->pkts[DIR_S2C] = (tc->synack || tc->rst_srv || tc->fin_srv || tc->data_srv ||
                        tc->server_hello || tc->tls_alert || tc->http_response || tc->rst_to_syn)
                           ? 1
                           : 0;
}

static void test_outcome_table(void **state)
{
    (void)state;
    size_t n = 0;
    for (const struct outcome_case *tc = outcome_cases; tc->name; tc++, n++) {
        struct flow f;
        flow_of(tc, &f);
        enum ea_outcome_why why = EA_OW__COUNT; /* must be overwritten */
        enum ea_outcome got = flow_tcp_outcome(&f, &why);
        if (got != tc->want || why != tc->why) {
            const char *gw = ea_outcome_why_text(why);
            print_error("%s: got %s (%s), want %s (%s)\n", tc->name, ea_outcome_name(got),
                        gw ? gw : "?", ea_outcome_name(tc->want), ea_outcome_why_text(tc->why));
            fail();
        }
        /* Every evidence a TCP row gives is printable. */
        assert_non_null(ea_outcome_why_text(why));
    }
    assert_true(n > 40);
}

/* Each evidence a TCP flow can end with has a row above (the UDP ones are
 * flow_end's); a new rule in track.c needs a row here. */
static void test_outcome_every_why_has_a_row(void **state)
{
    (void)state;
    for (int w = EA_OW_NONE + 1; w < EA_OW__COUNT; w++) {
        if (w == EA_OW_UDP_REPLY || w == EA_OW_UDP_NO_REPLY || w == EA_OW_QUIC_HANDSHAKE ||
            w == EA_OW_QUIC_NO_ANSWER || w == EA_OW_QUIC_VN)
            continue; /* UDP and QUIC flows: test_quic_outcome */
        bool found = false;
        for (const struct outcome_case *tc = outcome_cases; tc->name && !found; tc++)
            found = tc->why == (enum ea_outcome_why)w;
        if (!found) {
            print_error("no row ends with '%s'\n", ea_outcome_why_text((enum ea_outcome_why)w));
            fail();
        }
    }
}

/* The outcome reads only the flow's evidence: the same row on IPv6, from
 * another client port, with counters and times set, gives the same. */
/* QUIC flows (analyze/flow/quic_flow.c, quic_track_outcome): what the
 * Initial packets showed decides; a UDP flow that is not QUIC is not its. */
struct quic_case {
    const char *name;
    bool quic;         /* flagged QUIC */
    uint8_t seen;      /* enum quic_seen */
    uint64_t pkts_srv; /* datagrams from the server */
    bool is_quic;      /* quic_track_outcome answers */
    enum ea_outcome want;
    enum ea_outcome_why why;
};

static const struct quic_case quic_cases[] = {
    {"server Initial", true, QS_QUIC | QS_INITIAL | QS_REACHED, 3, true, EA_OUT_REACHED,
     EA_OW_QUIC_HANDSHAKE},
    {"server Handshake, client Initial not decrypted", true, QS_QUIC | QS_REACHED, 2, true,
     EA_OUT_REACHED, EA_OW_QUIC_HANDSHAKE},
    {"client Initials only", true, QS_QUIC | QS_INITIAL, 0, true, EA_OUT_NO_ANSWER,
     EA_OW_QUIC_NO_ANSWER},
    {"nothing decrypted, no answer", true, QS_QUIC, 0, true, EA_OUT_NO_ANSWER, EA_OW_UDP_NO_REPLY},
    {"Version Negotiation only", true, QS_QUIC | QS_INITIAL | QS_VN, 1, true, EA_OUT_REACHED,
     EA_OW_QUIC_VN},
    {"short headers from the server (start not captured)", true, QS_QUIC, 5, true, EA_OUT_REACHED,
     EA_OW_UDP_REPLY},
    {"not QUIC", false, 0, 1, false, EA_OUT_REACHED, EA_OW_NONE},
    {NULL, false, 0, 0, false, EA_OUT_REACHED, EA_OW_NONE},
};

static void test_quic_outcome(void **state)
{
    (void)state;
    for (const struct quic_case *tc = quic_cases; tc->name; tc++) {
        struct flow f;
        memset(&f, 0, sizeof f);
        f.proto = EA_UDP;
        f.sport = 443;
        f.flags = tc->quic ? EA_CF_QUIC : 0;
        f.quic_seen = tc->seen;
        f.pkts[DIR_C2S] = 2;
        f.pkts[DIR_S2C] = tc->pkts_srv;
        enum ea_outcome o = EA_OUT__COUNT;
        enum ea_outcome_why why = EA_OW_NONE;
        bool is = quic_track_outcome(&f, &o, &why);
        if (is != tc->is_quic || (is && (o != tc->want || why != tc->why))) {
            print_error("%s: %s, %s\n", tc->name, is ? ea_outcome_name(o) : "not QUIC",
                        is ? ea_outcome_why_text(why) : "");
            fail();
        }
    }
    /* TCP is never QUIC's, whatever its flags say */
    struct flow t;
    memset(&t, 0, sizeof t);
    t.proto = EA_TCP;
    t.flags = EA_CF_QUIC;
    enum ea_outcome o;
    enum ea_outcome_why why;
    assert_false(quic_track_outcome(&t, &o, &why));
}

static void test_outcome_ignores_the_rest(void **state)
{
    (void)state;
    for (const struct outcome_case *tc = outcome_cases; tc->name; tc++) {
        struct flow f;
        flow_of(tc, &f);
        f.cli.family = 6;
        f.srv.family = 6;
        f.srv.b[15] = 1;
        f.cport = 443;
        f.pkts[DIR_C2S] *= 9; /* how many, not whether: packets each way are evidence */
        f.pkts[DIR_S2C] *= 7;
        f.bytes[DIR_C2S] = 1000;
        f.midstream = true;
        f.have_isn[DIR_C2S] = true;
        f.flags = EA_CF_TLS | EA_CF_PORT;
        f.first = (struct timeval){100, 0};
        f.last = (struct timeval){200, 0};
        enum ea_outcome_why why = EA_OW_NONE;
        assert_int_equal(flow_tcp_outcome(&f, &why), tc->want);
        assert_int_equal(why, tc->why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outcome_table),
        cmocka_unit_test(test_outcome_every_why_has_a_row),
        cmocka_unit_test(test_outcome_ignores_the_rest),
        cmocka_unit_test(test_quic_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
