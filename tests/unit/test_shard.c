/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * analyze -j: the shard of a flow (analyzer_shard_of) is the same for both
 * directions of a 5-tuple, always in range, and spreads flows over the shards.
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
#include <string.h>

#include "analyzer.h"

static struct ea_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    struct ea_addr x;
    memset(&x, 0, sizeof x);
    x.family = 4;
    x.b[0] = a, x.b[1] = b, x.b[2] = c, x.b[3] = d;
    return x;
}

static struct ea_addr v6(uint16_t last)
{
    struct ea_addr x;
    memset(&x, 0, sizeof x);
    x.family = 6;
    x.b[0] = 0x20, x.b[1] = 0x01, x.b[2] = 0x0d, x.b[3] = 0xb8;
    x.b[14] = (uint8_t)(last >> 8), x.b[15] = (uint8_t)last;
    return x;
}

struct tuple {
    struct ea_addr src, dst;
    uint16_t sport, dport;
    uint8_t proto;
};

static void test_symmetric(void **state)
{
    (void)state;
    const struct tuple rows[] = {
        {v4(10, 0, 0, 1), v4(93, 184, 216, 34), 40000, 443, 6},
        {v4(10, 0, 0, 1), v4(10, 0, 0, 1), 53, 53, 17}, /* both ends alike */
        {v4(10, 0, 0, 1), v4(10, 0, 0, 2), 0, 0, 6},    /* no ports */
        {v4(255, 255, 255, 255), v4(0, 0, 0, 0), 65535, 1, 17},
        {v6(1), v6(2), 51000, 443, 17},
        {v6(1), v4(0, 0, 0, 1), 443, 443, 6}, /* families differ */
        {{0}, {0}, 0, 0, 0},                  /* sentinel */
    };
    for (const struct tuple *t = rows; t->proto; t++) {
        for (unsigned n = 1; n <= 64; n++) {
            unsigned a = analyzer_shard_of(&t->src, &t->dst, t->sport, t->dport, t->proto, n);
            unsigned b = analyzer_shard_of(&t->dst, &t->src, t->dport, t->sport, t->proto, n);
            assert_int_equal(a, b);
            assert_true(a < n);
        }
    }
}

/* The transport is part of the key: TCP and UDP of the same addresses and
 * ports are two flows (they may land apart; each lands the same way twice). */
static void test_deterministic(void **state)
{
    (void)state;
    struct ea_addr c = v4(192, 168, 1, 2), s = v4(1, 1, 1, 1);
    for (unsigned n = 2; n <= 8; n++) {
        assert_int_equal(analyzer_shard_of(&c, &s, 5000, 53, 6, n),
                         analyzer_shard_of(&c, &s, 5000, 53, 6, n));
        assert_int_equal(analyzer_shard_of(&c, &s, 5000, 53, 17, n),
                         analyzer_shard_of(&s, &c, 53, 5000, 17, n));
    }
    /* 0 and 1 shards: everything is shard 0 */
    assert_int_equal(analyzer_shard_of(&c, &s, 5000, 53, 6, 0), 0);
    assert_int_equal(analyzer_shard_of(&c, &s, 5000, 53, 6, 1), 0);
}

/* Client ports one after another (a busy client) spread evenly. */
static void test_spread(void **state)
{
    (void)state;
    struct ea_addr c = v4(10, 1, 2, 3), s = v4(140, 82, 112, 3);
    for (unsigned n = 2; n <= 4; n++) {
        unsigned count[4] = {0};
        for (unsigned port = 32768; port < 32768 + 4000; port++)
            count[analyzer_shard_of(&c, &s, (uint16_t)port, 443, 6, n)]++;
        for (unsigned k = 0; k < n; k++) {
            assert_true(count[k] > 4000 / n * 8 / 10);
            assert_true(count[k] < 4000 / n * 12 / 10);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_symmetric),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_spread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
