/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The per-connection cutoff of a live capture (capture/cut.c): table-driven
 * packet sequences, each frame built here (Ethernet, IPv4, TCP or UDP) and
 * copied flush against a PROT_NONE page (guard.h), with the action and the
 * bytes kept that each must get.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <string.h>

#include "cut.h"
#include "guard.h"

enum { ETH = 14, IP4 = 20, TCPH = 20, UDPH = 8, HDR_TCP = ETH + IP4 + TCPH };

enum dir { C2S, S2C };

/* One packet of a sequence: who sends, what, when, and what must happen. */
struct step {
    const char *what;
    enum dir dir;
    uint8_t proto;  /* 6 or 17 */
    uint16_t cport; /* client port (0: 40000) */
    uint16_t sport; /* server port (0: 443) */
    uint8_t flags;  /* TCP flags */
    size_t payload;
    long sec; /* packet time */
    enum cut_action want;
    size_t want_keep; /* 0: the whole frame (or nothing for CUT_DROP) */
};

struct seq_case {
    const char *name;
    uint64_t cutoff;
    bool headers;
    size_t max_flows;
    const struct step *steps;
    uint64_t want_evicted;
};

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Ethernet, IPv4 198.18.0.2 <-> 198.18.0.10, TCP or UDP, zero payload. */
static size_t build(const struct step *s, uint8_t *f, size_t cap)
{
    size_t l4 = s->proto == 6 ? TCPH : UDPH;
    size_t n = ETH + IP4 + l4 + s->payload;
    assert_true(n <= cap);
    memset(f, 0, n);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + ETH;
    ip[0] = 0x45;
    put16(ip + 2, (unsigned)(IP4 + l4 + s->payload));
    ip[8] = 64;
    ip[9] = s->proto;
    uint8_t cli[4] = {198, 18, 0, 2}, srv[4] = {198, 18, 0, 10};
    memcpy(ip + 12, s->dir == C2S ? cli : srv, 4);
    memcpy(ip + 16, s->dir == C2S ? srv : cli, 4);
    uint8_t *t = ip + IP4;
    unsigned cport = s->cport ? s->cport : 40000, sport = s->sport ? s->sport : 443;
    put16(t, s->dir == C2S ? cport : sport);
    put16(t + 2, s->dir == C2S ? sport : cport);
    if (s->proto == 6) {
        t[12] = 5 << 4;
        t[13] = s->flags;
    } else {
        put16(t + 4, (unsigned)(UDPH + s->payload));
    }
    return n;
}

#define ACK 0x10
#define SYN 0x02
#define FIN 0x01
#define RST 0x04
#define END                                                                                        \
    {                                                                                              \
        NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0                                                            \
    }

static const struct step tcp_drop[] = {
    {"SYN", C2S, 6, 0, 0, SYN, 0, 1, CUT_WHOLE, 0},
    {"SYN-ACK", S2C, 6, 0, 0, SYN | ACK, 0, 1, CUT_WHOLE, 0},
    {"ClientHello", C2S, 6, 0, 0, ACK, 60, 1, CUT_WHOLE, 0},
    {"second segment", C2S, 6, 0, 0, ACK, 60, 1, CUT_WHOLE, 0}, /* 60 < 100: written whole */
    {"past the cutoff", C2S, 6, 0, 0, ACK, 60, 1, CUT_DROP, 0},
    {"server's ACK of it", S2C, 6, 0, 0, ACK, 0, 1, CUT_DROP, 0},
    {"server data", S2C, 6, 0, 0, ACK, 90, 1, CUT_WHOLE, 0},
    {"server data at 90", S2C, 6, 0, 0, ACK, 90, 1, CUT_WHOLE, 0},
    {"server data at 180", S2C, 6, 0, 0, ACK, 90, 2, CUT_DROP, 0},
    {"client ACK of it", C2S, 6, 0, 0, ACK, 0, 2, CUT_DROP, 0},
    {"FIN with data", C2S, 6, 0, 0, FIN | ACK, 30, 2, CUT_HEADERS, HDR_TCP},
    {"FIN", S2C, 6, 0, 0, FIN | ACK, 0, 2, CUT_WHOLE, 0},
    {"new SYN on the closed 4-tuple", C2S, 6, 0, 0, SYN, 0, 3, CUT_WHOLE, 0},
    {"counted afresh", C2S, 6, 0, 0, ACK, 150, 3, CUT_WHOLE, 0},
    {"then cut", C2S, 6, 0, 0, ACK, 10, 3, CUT_DROP, 0},
    {"RST", S2C, 6, 0, 0, RST, 0, 3, CUT_WHOLE, 0},
    END,
};

static const struct step tcp_headers[] = {
    {"data", C2S, 6, 0, 0, ACK, 200, 1, CUT_WHOLE, 0},
    {"past: headers", C2S, 6, 0, 0, ACK, 200, 1, CUT_HEADERS, HDR_TCP},
    {"an empty ACK is only headers", S2C, 6, 0, 0, ACK, 0, 1, CUT_WHOLE, 0},
    END,
};

static const struct step dns_whole[] = {
    {"query", C2S, 17, 0, 53, 0, 60, 1, CUT_WHOLE, 0},
    {"big answer", S2C, 17, 0, 53, 0, 1400, 1, CUT_WHOLE, 0},
    {"another", S2C, 17, 0, 53, 0, 1400, 1, CUT_WHOLE, 0},
    {"over TCP", S2C, 6, 0, 53, ACK, 1400, 1, CUT_WHOLE, 0},
    {"and more", S2C, 6, 0, 53, ACK, 1400, 1, CUT_WHOLE, 0},
    END,
};

static const struct step quic[] = {
    {"Initial", C2S, 17, 0, 443, 0, 1200, 1, CUT_WHOLE, 0},
    {"past the cutoff", C2S, 17, 0, 443, 0, 1200, 1, CUT_DROP, 0},
    {"server Initial", S2C, 17, 0, 443, 0, 1200, 1, CUT_WHOLE, 0},
    {"idle 61 s: a new flow", C2S, 17, 0, 443, 0, 1200, 62, CUT_WHOLE, 0},
    END,
};

static const struct step bound[] = {
    {"flow 1", C2S, 6, 40001, 0, ACK, 200, 1, CUT_WHOLE, 0},
    {"flow 1 cut", C2S, 6, 40001, 0, ACK, 200, 1, CUT_DROP, 0},
    {"flow 2", C2S, 6, 40002, 0, ACK, 200, 1, CUT_WHOLE, 0},
    {"flow 3 evicts flow 1", C2S, 6, 40003, 0, ACK, 200, 1, CUT_WHOLE, 0},
    {"flow 1 starts over", C2S, 6, 40001, 0, ACK, 200, 1, CUT_WHOLE, 0},
    END,
};

static const struct step keep_all[] = {
    {"cutoff 0", C2S, 6, 0, 0, ACK, 1400, 1, CUT_WHOLE, 0},
    {"keeps all", C2S, 6, 0, 0, ACK, 1400, 1, CUT_WHOLE, 0},
    END,
};

static const struct seq_case cases[] = {
    {"tcp, drop", 100, false, 0, tcp_drop, 0},
    {"tcp, headers", 100, true, 0, tcp_headers, 0},
    {"dns always whole", 100, false, 0, dns_whole, 0},
    {"quic and idle eviction", 1000, false, 0, quic, 0},
    {"bounded table", 100, false, 2, bound, 2},
    {"no cutoff", 0, false, 0, keep_all, 0},
    {NULL, 0, false, 0, NULL, 0},
};

static void test_sequences(void **state)
{
    (void)state;
    for (const struct seq_case *c = cases; c->name; c++) {
        struct cut_table t;
        assert_true(cut_init(&t, c->cutoff, c->headers, c->max_flows, LINK_ETHERNET));
        for (const struct step *s = c->steps; s->what; s++) {
            uint8_t frame[2048];
            size_t n = build(s, frame, sizeof frame);
            struct guarded g;
            const uint8_t *p = guard_copy(&g, frame, n);
            struct timeval ts = {.tv_sec = s->sec, .tv_usec = 0};
            size_t keep = 12345;
            enum cut_action got = cut_frame(&t, &ts, p, n, &keep);
            size_t want_keep = s->want == CUT_DROP ? 0 : s->want == CUT_WHOLE ? n : s->want_keep;
            if (got != s->want || keep != want_keep) {
                print_error("%s: %s: action %d keep %zu, want %d keep %zu\n", c->name, s->what,
                            (int)got, keep, (int)s->want, want_keep);
                fail();
            }
            guard_free(&g);
        }
        if (t.evicted != c->want_evicted) {
            print_error("%s: %llu evicted, want %llu\n", c->name, (unsigned long long)t.evicted,
                        (unsigned long long)c->want_evicted);
            fail();
        }
        cut_finish(&t);
    }
}

/* Frames that are not TCP/UDP, or cut inside a header, are written whole. */
static void test_untracked(void **state)
{
    (void)state;
    struct cut_table t;
    assert_true(cut_init(&t, 10, false, 0, LINK_ETHERNET));
    uint8_t arp[42] = {0};
    arp[12] = 0x08;
    arp[13] = 0x06;
    struct timeval ts = {1, 0};
    size_t keep;
    assert_int_equal(cut_frame(&t, &ts, arp, sizeof arp, &keep), CUT_WHOLE);
    assert_int_equal(keep, sizeof arp);
    struct step s = {"cut", C2S, 6, 0, 0, ACK, 100, 1, CUT_WHOLE, 0};
    uint8_t frame[256];
    size_t n = build(&s, frame, sizeof frame);
    for (size_t len = 0; len < ETH + IP4 + TCPH; len++) {
        struct guarded g;
        const uint8_t *p = guard_copy(&g, frame, len);
        assert_int_equal(cut_frame(&t, &ts, p, len, &keep), CUT_WHOLE);
        assert_int_equal(keep, len);
        guard_free(&g);
    }
    (void)n;
    cut_finish(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_untracked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
