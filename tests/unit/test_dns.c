/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DNS names and messages. Each table row is its own cmocka test, named by
 * the row; every input is copied flush against a PROT_NONE page first.
 */
/* cmocka needs these three first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "dns.h"
#include "guard.h"
#include "model.h"

#define ROWS(t) (sizeof(t) / sizeof((t)[0]) - 1) /* without the sentinel */
#define BYTES(a) .msg = (a), .len = sizeof(a)

/* ---- wire building blocks ---- */

#define U16(v) (((v) >> 8) & 0xFF), ((v)&0xFF)
#define U32(v) (((v) >> 24) & 0xFF), (((v) >> 16) & 0xFF), (((v) >> 8) & 0xFF), ((v)&0xFF)
/* RFC 1035 §4.1.1: ID, flags, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT */
#define HDR(id, flags, qd, an, ns, ar) U16(id), U16(flags), U16(qd), U16(an), U16(ns), U16(ar)
/* RFC 1035 §4.1.2: QTYPE, QCLASS IN (after the QNAME) */
#define Q(type) U16(type), 0, 1
/* RFC 1035 §4.1.3: TYPE, CLASS IN, TTL, RDLENGTH (after the NAME) */
#define RR(type, ttl, rdlen) U16(type), 0, 1, U32(ttl), U16(rdlen)
/* An answer for the name at offset 12 (the question): A 10.0.0.x */
#define ANS_A(x) 0xc0, 0x0c, RR(DNS_TYPE_A, 60, 4), 10, 0, 0, (x)

#define RESP 0x8180   /* QR, RD, RA, NOERROR */
#define NXRESP 0x8183 /* QR, RD, RA, NXDOMAIN */
#define QUERY 0x0100  /* RD */

#define EXAMPLE_COM 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0
#define WWW_EXAMPLE_COM 3, 'w', 'w', 'w', EXAMPLE_COM

#define X10(c) c, c, c, c, c, c, c, c, c, c
#define X60(c) X10(c), X10(c), X10(c), X10(c), X10(c), X10(c)
#define X61(c) X60(c), c
#define X62(c) X60(c), c, c
#define X63(c) X60(c), c, c, c
#define S10(s) s s s s s s s s s s
#define S60(s) S10(s) S10(s) S10(s) S10(s) S10(s) S10(s)
#define S61(s) S60(s) s
#define S63(s) S60(s) s s s

/* ---- names (dns_parse_name) ---- */

/* Wire bytes laid out by field. */
/* clang-format off */
static const uint8_t n_root[] = {0};
static const uint8_t n_www[] = {WWW_EXAMPLE_COM};
/* "com" at 0, "example" + pointer to 0 at 5 */
static const uint8_t n_ptr[] = {3, 'c', 'o', 'm', 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0xc0, 0};
/* ... and "www" + pointer to 5 at 15: two jumps */
static const uint8_t n_ptr_chain[] = {
    3, 'c', 'o', 'm', 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0xc0, 0,
    3, 'w', 'w', 'w', 0xc0, 5,
};
/* a pointer at 7 to a pointer at 5 to "com" at 0 */
static const uint8_t n_ptr_to_ptr[] = {3, 'c', 'o', 'm', 0, 0xc0, 0, 0xc0, 5};
/* after a pointer the name ends in place: the 0xff is not read */
static const uint8_t n_ptr_end[] = {3, 'c', 'o', 'm', 0, 0xc0, 0, 0xff};
static const uint8_t n_self[] = {0xc0, 0};
static const uint8_t n_self_later[] = {0, 0, 0xc0, 2};
static const uint8_t n_loop2[] = {0xc0, 2, 0xc0, 0};
static const uint8_t n_loop_labels[] = {1, 'a', 0xc0, 4, 0xc0, 0};
static const uint8_t n_fwd[] = {0xc0, 2, 0};
/* from 4 back to 0, then to 2: before the name, but not before 0 */
static const uint8_t n_loop_behind[] = {0xc0, 2, 0xc0, 0, 0xc0, 0};
/* from 8 back to 0, whose label is followed by a pointer to 4 */
static const uint8_t n_fwd_after_jump[] = {1, 'a', 0xc0, 4, 1, 'b', 0, 0, 0xc0, 0};
static const uint8_t n_past_end[] = {0, 0xff, 0xff};
static const uint8_t n_past_end2[] = {0, 0, 0, 0xc1, 0};
static const uint8_t n_ptr_cut[] = {0, 0xc0};
static const uint8_t n_label_cut[] = {3, 'w', 'w'};
static const uint8_t n_no_end[] = {3, 'w', 'w', 'w'};
/* the pointer at 3 jumps to 0, whose second label runs off the end */
static const uint8_t n_jump_cut[] = {1, 'a', 5, 0xc0, 0};
static const uint8_t n_label63[] = {63, X63('a'), 0};
static const uint8_t n_label64[] = {64, X63('a'), 'a', 0};
static const uint8_t n_type40[] = {0x40, 0};
static const uint8_t n_type80[] = {0x80, 0};
static const uint8_t n_typebf[] = {0xbf};
static const uint8_t n_type_second[] = {1, 'a', 0x41, 0};
/* 3 × (1 + 63) + (1 + 61) + 1 = 255 wire bytes */
static const uint8_t n_255[] = {63, X63('a'), 63, X63('b'), 63, X63('c'), 61, X61('d'), 0};
static const uint8_t n_256[] = {63, X63('a'), 63, X63('b'), 63, X63('c'), 62, X62('d'), 0};
/* the same, split by a pointer: 129 bytes at 0, then the rest at 129 */
static const uint8_t n_255_ptr[] = {
    63, X63('c'), 63, X63('d'), 0,
    63, X63('a'), 61, X61('b'), 0xc0, 0,
};
static const uint8_t n_256_ptr[] = {
    63, X63('c'), 63, X63('d'), 0,
    63, X63('a'), 62, X62('b'), 0xc0, 0,
};
static const uint8_t n_escape[] = {5, 'a', '.', 'b', 0, '\\', 3, 'c', 'o', 'm', 0};
/* 250 dots: written as "\." they need 503 bytes, cut at 320 */
static const uint8_t n_dots[] = {63, X63('.'), 63, X63('.'), 63, X63('.'), 61, X61('.'), 0};
/* the same with one plain byte first: "\." no longer ends at 320 */
static const uint8_t n_dots_odd[] = {63, 'a', X62('.'), 63, X63('.'), 63, X63('.'), 0};
/* clang-format on */

struct name_case {
    const char *what;
    const uint8_t *msg;
    size_t len;
    size_t at; /* where the name starts */
    enum parse_result want;
    const char *text; /* NULL: only text_len is checked */
    size_t text_len;  /* 0: strlen(text) */
    bool cut;
    size_t used; /* bytes the cursor moves on PARSE_OK */
    const char *reason;
};

static const struct name_case name_cases[] = {
    {"root", BYTES(n_root), 0, PARSE_OK, ".", 0, false, 1, NULL},
    {"www.example.com", BYTES(n_www), 0, PARSE_OK, "www.example.com", 0, false, 17, NULL},
    {"pointer back", BYTES(n_ptr), 5, PARSE_OK, "example.com", 0, false, 10, NULL},
    {"two pointers", BYTES(n_ptr_chain), 15, PARSE_OK, "www.example.com", 0, false, 6, NULL},
    {"pointer to a pointer", BYTES(n_ptr_to_ptr), 7, PARSE_OK, "com", 0, false, 2, NULL},
    {"name ends after its pointer", BYTES(n_ptr_end), 5, PARSE_OK, "com", 0, false, 2, NULL},
    {"self pointer", BYTES(n_self), 0, PARSE_MALFORMED, .reason = "backwards"},
    {"self pointer not at 0", BYTES(n_self_later), 2, PARSE_MALFORMED, .reason = "backwards"},
    {"two-pointer loop", BYTES(n_loop2), 2, PARSE_MALFORMED, .reason = "backwards"},
    {"loop through a label", BYTES(n_loop_labels), 4, PARSE_MALFORMED, .reason = "backwards"},
    {"forward pointer", BYTES(n_fwd), 0, PARSE_MALFORMED, .reason = "backwards"},
    {"loop behind the name", BYTES(n_loop_behind), 4, PARSE_MALFORMED, .reason = "backwards"},
    {"forward pointer after a jump", BYTES(n_fwd_after_jump), 8, PARSE_MALFORMED,
     .reason = "backwards"},
    {"pointer 0x3fff past the end", BYTES(n_past_end), 1, PARSE_MALFORMED, .reason = "backwards"},
    {"pointer 0x100 past the end", BYTES(n_past_end2), 3, PARSE_MALFORMED, .reason = "backwards"},
    {"pointer cut after 0xc0", BYTES(n_ptr_cut), 1, PARSE_INCOMPLETE},
    {"label cut", BYTES(n_label_cut), 0, PARSE_INCOMPLETE},
    {"no final zero", BYTES(n_no_end), 0, PARSE_INCOMPLETE},
    {"empty input", .msg = n_root, .len = 0, 0, PARSE_INCOMPLETE},
    {"cut after a jump", BYTES(n_jump_cut), 3, PARSE_INCOMPLETE},
    {"label of 63", BYTES(n_label63), 0, PARSE_OK, S63("a"), 0, false, 65, NULL},
    {"label of 64", BYTES(n_label64), 0, PARSE_MALFORMED, .reason = "label type"},
    {"label type 0x40", BYTES(n_type40), 0, PARSE_MALFORMED, .reason = "label type"},
    {"label type 0x80", BYTES(n_type80), 0, PARSE_MALFORMED, .reason = "label type"},
    {"label type 0xbf", BYTES(n_typebf), 0, PARSE_MALFORMED, .reason = "label type"},
    {"label type 0x41 second", BYTES(n_type_second), 0, PARSE_MALFORMED, .reason = "label type"},
    {"name of 255 wire bytes", BYTES(n_255), 0, PARSE_OK,
     S63("a") "." S63("b") "." S63("c") "." S61("d"), 0, false, 255, NULL},
    {"name of 256 wire bytes", BYTES(n_256), 0, PARSE_MALFORMED, .reason = "255"},
    {"255 wire bytes over a pointer", BYTES(n_255_ptr), 129, PARSE_OK,
     S63("a") "." S61("b") "." S63("c") "." S63("d"), 0, false, 128, NULL},
    {"256 wire bytes over a pointer", BYTES(n_256_ptr), 129, PARSE_MALFORMED, .reason = "255"},
    {"'.', NUL and '\\' in a label", BYTES(n_escape), 0, PARSE_OK, "a\\.b\0\\\\.com", 11, false, 11,
     NULL},
    {"escaped text cut at 320", BYTES(n_dots), 0, PARSE_OK, NULL, 320, true, 255, NULL},
    {"escape pair not split", BYTES(n_dots_odd), 0, PARSE_OK, NULL, 319, true, 193, NULL},
    {NULL, NULL, 0, 0, PARSE_OK, NULL, 0, false, 0, NULL},
};

static void assert_name(const struct dns_name *n, const char *want, size_t want_len)
{
    if (want_len == 0)
        want_len = strlen(want);
    assert_int_equal(n->len, want_len);
    assert_memory_equal(n->s, want, want_len);
    assert_int_equal(n->s[n->len], '\0');
}

static void run_name_case(void **state)
{
    const struct name_case *t = *state;
    struct guarded g;
    const uint8_t *p = guard_copy(&g, t->msg, t->len);
    struct cur msg, c;
    cur_init(&msg, p, t->len);
    assert_true(cur_at(&msg, t->at, &c));
    const struct cur start = c;

    struct dns_name *name = malloc(sizeof *name);
    assert_non_null(name);
    name->len = 0xBEEF; /* poison: not written on failure */
    const char *reason = NULL;
    enum parse_result res = dns_parse_name(&msg, &c, name, &reason);
    assert_int_equal(res, t->want);
    if (res == PARSE_OK) {
        assert_ptr_equal(c.p, start.p + t->used);
        assert_int_equal(cur_left(&c), cur_left(&start) - t->used);
        assert_int_equal(name->cut, t->cut);
        if (t->text) {
            assert_name(name, t->text, t->text_len);
        } else {
            /* a cut name: the right length, NUL-terminated, and ending
             * with a whole "\." pair */
            assert_int_equal(name->len, t->text_len);
            assert_int_equal(name->s[name->len], '\0');
            assert_int_equal(name->s[name->len - 2], '\\');
            assert_int_equal(name->s[name->len - 1], '.');
        }
    } else {
        assert_ptr_equal(c.p, start.p); /* unmoved */
        assert_int_equal(cur_left(&c), cur_left(&start));
        assert_int_equal(name->len, 0xBEEF);
    }
    if (res == PARSE_MALFORMED) {
        assert_non_null(reason);
        assert_non_null(strstr(reason, t->reason));
    }
    free(name);
    guard_free(&g);
}

/* A chain of n backward pointers, each to the one before, ending at a root
 * label at offset 0: the jump barrier allows it, the jump cap stops it. */
static enum parse_result parse_pointer_chain(size_t n, const char **out_reason)
{
    size_t len = 1 + 2 * n;
    uint8_t *buf = calloc(1, len);
    assert_non_null(buf);
    for (size_t k = 1; k <= n; k++) {
        size_t at = 1 + 2 * (k - 1);
        size_t to = k == 1 ? 0 : at - 2;
        buf[at] = (uint8_t)(0xc0 | to >> 8);
        buf[at + 1] = (uint8_t)(to & 0xFF);
    }
    struct guarded g;
    const uint8_t *p = guard_copy(&g, buf, len);
    free(buf);
    struct cur msg, c;
    cur_init(&msg, p, len);
    assert_true(cur_at(&msg, len - 2, &c));
    struct dns_name name;
    enum parse_result res = dns_parse_name(&msg, &c, &name, out_reason);
    if (res == PARSE_OK)
        assert_name(&name, ".", 0);
    guard_free(&g);
    return res;
}

static void test_pointer_chain_cap(void **state)
{
    const char *reason = NULL;
    assert_int_equal(parse_pointer_chain(128, &reason), PARSE_OK);
    assert_int_equal(parse_pointer_chain(129, &reason), PARSE_MALFORMED);
    assert_non_null(strstr(reason, "too many"));
    assert_int_equal(parse_pointer_chain(5000, &reason), PARSE_MALFORMED);
}

/* The name cursor must lie inside the message cursor. */
static void test_name_outside_message(void **state)
{
    static const uint8_t in[] = {0, 0, 0, 0, 0, 0, 3, 'c', 'o', 'm', 0};
    struct guarded g;
    const uint8_t *p = guard_copy(&g, in, sizeof in);
    struct cur whole, msg, c;
    cur_init(&whole, p, sizeof in);
    cur_init(&msg, p, 4);
    assert_true(cur_at(&whole, 6, &c));
    struct dns_name name;
    const char *reason = NULL;
    assert_int_equal(dns_parse_name(&msg, &c, &name, &reason), PARSE_MALFORMED);
    assert_non_null(strstr(reason, "outside"));
    assert_ptr_equal(c.p, p + 6);
    /* and with no reason asked for */
    assert_int_equal(dns_parse_name(&msg, &c, &name, NULL), PARSE_MALFORMED);
    guard_free(&g);
}

/* ---- messages (dns_parse_message) ---- */

/* Wire bytes laid out by field. */
/* clang-format off */
static const uint8_t m_a[] = {
    HDR(0x1234, RESP, 1, 1, 0, 0),
    WWW_EXAMPLE_COM, Q(DNS_TYPE_A),
    0xc0, 0x0c, RR(DNS_TYPE_A, 300, 4), 93, 184, 216, 34,
};

static const uint8_t m_aaaa[] = {
    HDR(0x0001, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_AAAA),
    0xc0, 0x0c, RR(DNS_TYPE_AAAA, 3600, 16),
    0x26, 0x06, 0x28, 0x00, 0x02, 0x20, 0x00, 0x01,
    0x02, 0x48, 0x18, 0x93, 0x25, 0xc8, 0x19, 0x46,
};

static const uint8_t m_cname_chain[] = {
    HDR(0x4242, RESP, 1, 2, 0, 0),
    /* 12 */ 7, 'c', 'd', 'n', '-', 'l', 'f', 's',
    11, 'h', 'u', 'g', 'g', 'i', 'n', 'g', 'f', 'a', 'c', 'e', 2, 'c', 'o', 0,
    Q(DNS_TYPE_A),
    /* 40 */ 0xc0, 0x0c, RR(DNS_TYPE_CNAME, 60, 20),
    /* 52 */ 3, 'd', '1', 'x', 10, 'c', 'l', 'o', 'u', 'd', 'f', 'r', 'o', 'n', 't',
    3, 'n', 'e', 't', 0,
    /* 72 */ 0xc0, 52, RR(DNS_TYPE_A, 60, 4), 18, 1, 2, 3,
};

/* a CNAME whose RDATA ends in a pointer into the question */
static const uint8_t m_cname_ptr[] = {
    HDR(0x0007, RESP, 1, 2, 0, 0),
    /* 12 */ 3, 'w', 'w', 'w', /* 16 */ EXAMPLE_COM, Q(DNS_TYPE_A),
    /* 33 */ 0xc0, 0x0c, RR(DNS_TYPE_CNAME, 300, 7),
    /* 45 */ 4, 'e', 'd', 'g', 'e', 0xc0, 16,
    /* 52 */ 0xc0, 45, RR(DNS_TYPE_A, 300, 4), 192, 0, 2, 1,
};

static const uint8_t m_https[] = {
    HDR(0x5555, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 32),
    U16(1),                                           /* SvcPriority */
    3, 'c', 'd', 'n', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
    3, 'n', 'e', 't', 0,                              /* TargetName */
    U16(1), U16(3), 2, 'h', '2',                      /* alpn=h2 */
    U16(3), U16(2), U16(443),                         /* port=443 */
};

/* HTTPS with alpn=h3,h2, no-default-alpn, port, and an ECHConfigList whose
 * first config is of an unknown version (skipped), the second 0xfe0d with
 * public_name "cloudflare-ech.com" */
static const uint8_t m_https_ech[] = {
    HDR(0x5560, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 3 + 10 + 4 + 6 + 4 + 77),
    U16(1), 0,                                        /* SvcPriority, TargetName "." */
    U16(1), U16(6), 2, 'h', '3', 2, 'h', '2',         /* alpn=h3,h2 */
    U16(2), U16(0),                                   /* no-default-alpn */
    U16(3), U16(2), U16(8443),                        /* port=8443 */
    U16(5), U16(2 + 6 + 2 + 2 + 4 + 1 + 32 + 2 + 4 + 1 + 1 + 18 + 2),
    U16(6 + 2 + 2 + 4 + 1 + 32 + 2 + 4 + 1 + 1 + 18 + 2), /* ECHConfigList */
    U16(0xfe0c), U16(2), 0xaa, 0xbb,                  /* a config of another version */
    U16(0xfe0d), U16(1 + 2 + 2 + 32 + 2 + 4 + 1 + 1 + 18 + 2),
    0x42, U16(0x0020), U16(32),                       /* config_id, X25519, public_key */
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
    U16(4), U16(1), U16(1),                           /* HKDF-SHA256, AES-128-GCM */
    0,                                                /* maximum_name_length */
    18, 'c', 'l', 'o', 'u', 'd', 'f', 'l', 'a', 'r', 'e', '-', 'e', 'c', 'h', '.', 'c', 'o', 'm',
    U16(0),                                           /* extensions */
};

/* ech whose ECHConfigList does not parse: flagged, no public name */
static const uint8_t m_https_ech_bad[] = {
    HDR(0x5561, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 3 + 4 + 6),
    U16(1), 0, U16(5), U16(6), U16(9), 0xfe, 0x0d, 0, 0, /* the list claims 9 bytes */
};

static const uint8_t m_https_alpn_empty_id[] = {
    HDR(0x5562, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 3 + 4 + 4),
    U16(1), 0, U16(1), U16(4), 2, 'h', '3', 0,
};

static const uint8_t m_https_alpn_overrun[] = {
    HDR(0x5563, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 3 + 4 + 3),
    U16(1), 0, U16(1), U16(3), 5, 'h', '3',
};

static const uint8_t m_https_nda_value[] = {
    HDR(0x5564, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 3 + 4 + 1),
    U16(1), 0, U16(2), U16(1), 0,
};

static const uint8_t m_https_port_short[] = {
    HDR(0x5565, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 3 + 4 + 1),
    U16(1), 0, U16(3), U16(1), 1,
};

static const uint8_t m_https_alias[] = {
    HDR(0x5556, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 19),
    U16(0), 3, 'c', 'd', 'n', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'n', 'e', 't', 0,
};

/* TargetName should be uncompressed (RFC 9460 §2.2); a pointer is accepted */
static const uint8_t m_svcb_ptr[] = {
    HDR(0x5557, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_SVCB),
    0xc0, 0x0c, RR(DNS_TYPE_SVCB, 300, 4), U16(2), 0xc0, 0x0c,
};

static const uint8_t m_https_key_order[] = {
    HDR(0x5558, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 16),
    U16(1), 0, U16(3), U16(2), U16(443), U16(1), U16(3), 2, 'h', '2',
};

static const uint8_t m_https_key_dup[] = {
    HDR(0x5559, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 17),
    U16(1), 0, U16(1), U16(3), 2, 'h', '2', U16(1), U16(3), 2, 'h', '3',
};

static const uint8_t m_https_param_overrun[] = {
    HDR(0x555a, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 10),
    U16(1), 0, U16(1), U16(5), 2, 'h', '2',
    0, 0, /* outside the RDATA */
};

static const uint8_t m_https_prio_only[] = {
    HDR(0x555b, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 2), U16(1),
    0, /* a root TargetName, but outside the RDATA */
};

static const uint8_t m_https_rdlen1[] = {
    HDR(0x555c, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_HTTPS),
    0xc0, 0x0c, RR(DNS_TYPE_HTTPS, 300, 1), 0,
};

static const uint8_t m_nxdomain[] = {
    HDR(0x0bad, NXRESP, 1, 0, 1, 0),
    /* 12 */ 2, 'n', 'x', /* 15 */ EXAMPLE_COM, Q(DNS_TYPE_A),
    /* 32: authority */ 0xc0, 15, RR(DNS_TYPE_SOA, 900, 32),
    2, 'n', 's', 0xc0, 15, 4, 'h', 'o', 's', 't', 0xc0, 15,
    U32(2024010101u), U32(7200), U32(3600), U32(1209600), U32(300),
};

static const uint8_t m_query[] = {
    HDR(0xbeef, QUERY, 1, 0, 0, 0),
    WWW_EXAMPLE_COM, Q(DNS_TYPE_A),
};

/* RFC 6891 OPT in the additional section */
static const uint8_t m_query_edns[] = {
    HDR(0xbef0, 0x0120, 1, 0, 0, 1),
    WWW_EXAMPLE_COM, Q(DNS_TYPE_A),
    0, U16(DNS_TYPE_OPT), U16(1232), U32(0), U16(0),
};

static const uint8_t m_32[] = {
    HDR(0x3232, RESP, 1, 32, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    ANS_A(1), ANS_A(2), ANS_A(3), ANS_A(4), ANS_A(5), ANS_A(6), ANS_A(7), ANS_A(8),
    ANS_A(9), ANS_A(10), ANS_A(11), ANS_A(12), ANS_A(13), ANS_A(14), ANS_A(15), ANS_A(16),
    ANS_A(17), ANS_A(18), ANS_A(19), ANS_A(20), ANS_A(21), ANS_A(22), ANS_A(23), ANS_A(24),
    ANS_A(25), ANS_A(26), ANS_A(27), ANS_A(28), ANS_A(29), ANS_A(30), ANS_A(31), ANS_A(32),
};

static const uint8_t m_33[] = {
    HDR(0x3333, RESP, 1, 33, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    ANS_A(1), ANS_A(2), ANS_A(3), ANS_A(4), ANS_A(5), ANS_A(6), ANS_A(7), ANS_A(8),
    ANS_A(9), ANS_A(10), ANS_A(11), ANS_A(12), ANS_A(13), ANS_A(14), ANS_A(15), ANS_A(16),
    ANS_A(17), ANS_A(18), ANS_A(19), ANS_A(20), ANS_A(21), ANS_A(22), ANS_A(23), ANS_A(24),
    ANS_A(25), ANS_A(26), ANS_A(27), ANS_A(28), ANS_A(29), ANS_A(30), ANS_A(31), ANS_A(32),
    ANS_A(33),
};

static const uint8_t m_skip_txt[] = {
    HDR(0x0002, RESP, 1, 2, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    0xc0, 0x0c, RR(DNS_TYPE_TXT, 60, 6), 5, 'h', 'e', 'l', 'l', 'o',
    ANS_A(4),
};

static const uint8_t m_rdlen_past_end[] = {
    HDR(0x0003, RESP, 1, 2, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    ANS_A(1),
    0xc0, 0x0c, RR(DNS_TYPE_A, 60, 4), 10, 0, /* two of four */
};

static const uint8_t m_rdlen_ffff[] = {
    HDR(0x0004, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    0xc0, 0x0c, RR(DNS_TYPE_TXT, 60, 0xFFFF), 1, 'x',
};

static const uint8_t m_a_rdlen5[] = {
    HDR(0x0005, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    0xc0, 0x0c, RR(DNS_TYPE_A, 60, 5), 1, 2, 3, 4, 5,
};

static const uint8_t m_a_rdlen5_cut[] = {
    HDR(0x0006, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    0xc0, 0x0c, RR(DNS_TYPE_A, 60, 5), /* RDATA not there: 5 is wrong anyway */
};

static const uint8_t m_aaaa_rdlen4[] = {
    HDR(0x0008, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_AAAA),
    0xc0, 0x0c, RR(DNS_TYPE_AAAA, 60, 4), 1, 2, 3, 4,
};

static const uint8_t m_cname_extra[] = {
    HDR(0x0009, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    0xc0, 0x0c, RR(DNS_TYPE_CNAME, 60, 6), 3, 'f', 'o', 'o', 0, 0xee,
};

static const uint8_t m_cname_overrun[] = {
    HDR(0x000a, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    0xc0, 0x0c, RR(DNS_TYPE_CNAME, 60, 4), 3, 'f', 'o', 'o', /* RDATA ends */ 0,
};

static const uint8_t m_cname_fwd[] = {
    HDR(0x000b, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    /* 29 */ 0xc0, 0x0c, RR(DNS_TYPE_CNAME, 60, 2), /* 41 */ 0xc0, 48,
};

/* The CNAME's RDATA is whole, but its pointer leads to a 48-byte label
 * (inside the TXT RDATA) that runs past the end: cut, not malformed. */
static const uint8_t m_cname_jump_cut[] = {
    HDR(0x001c, RESP, 1, 2, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    /* 29 */ 0xc0, 0x0c, RR(DNS_TYPE_TXT, 60, 1), /* 41 */ 48,
    /* 42 */ 0xc0, 0x0c, RR(DNS_TYPE_CNAME, 60, 2), 0xc0, 41,
};

static const uint8_t m_header_only[] = {HDR(0x000c, RESP, 0, 0, 0, 0)};

static const uint8_t m_qd_ffff[] = {
    HDR(0x000d, QUERY, 0xFFFF, 0, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
};

static const uint8_t m_counts_ffff[] = {
    HDR(0x000e, RESP, 1, 0xFFFF, 0xFFFF, 0xFFFF),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    ANS_A(1),
};

static const uint8_t m_two_q[] = {
    HDR(0x000f, RESP, 2, 1, 0, 0),
    /* 12 */ EXAMPLE_COM, Q(DNS_TYPE_A),
    /* 29 */ 3, 'w', 'w', 'w', 0xc0, 0x0c, Q(DNS_TYPE_AAAA),
    0xc0, 29, RR(DNS_TYPE_A, 60, 4), 10, 0, 0, 9,
};

/* RFC 1035 does not forbid bytes after the last section */
static const uint8_t m_trailing[] = {
    HDR(0x0010, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    ANS_A(7),
    0xde, 0xad, 0x00,
};

static const uint8_t m_qname_self[] = {
    HDR(0x0011, QUERY, 1, 0, 0, 0),
    0xc0, 0x0c, Q(DNS_TYPE_A),
};

static const uint8_t m_qname_label64[] = {
    HDR(0x0012, QUERY, 1, 0, 0, 0),
    64, X63('a'), 'a', 0, Q(DNS_TYPE_A),
};

static const uint8_t m_qname_256[] = {
    HDR(0x0013, QUERY, 1, 0, 0, 0),
    63, X63('a'), 63, X63('b'), 63, X63('c'), 62, X62('d'), 0, Q(DNS_TYPE_A),
};

static const uint8_t m_qname_255[] = {
    HDR(0x0014, QUERY, 1, 0, 0, 0),
    63, X63('a'), 63, X63('b'), 63, X63('c'), 61, X61('d'), 0, Q(DNS_TYPE_A),
};

static const uint8_t m_owner_type80[] = {
    HDR(0x0015, RESP, 1, 1, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    0x80, 0, RR(DNS_TYPE_A, 60, 4), 1, 2, 3, 4,
};

static const uint8_t m_escape[] = {
    HDR(0x0016, QUERY, 1, 0, 0, 0),
    5, 'a', '.', 'b', 0, '\\', 3, 'c', 'o', 'm', 0, Q(DNS_TYPE_A),
};

static const uint8_t m_root[] = {
    HDR(0x0017, QUERY, 1, 0, 0, 0),
    0, Q(DNS_TYPE_NS),
};

static const uint8_t m_tc[] = {
    HDR(0x0018, 0x8380, 1, 0, 0, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
};

static const uint8_t m_opcode_status[] = {HDR(0x0019, 2 << 11, 0, 0, 0, 0)};

static const uint8_t m_auth_fwd[] = {
    HDR(0x001a, NXRESP, 1, 0, 1, 0),
    EXAMPLE_COM, Q(DNS_TYPE_A),
    0xc0, 0xff, RR(DNS_TYPE_SOA, 60, 0),
};

/* A records whose owner is a pointer into the previous answer's owner */
static const uint8_t m_answer_ptr_chain[] = {
    HDR(0x001b, RESP, 1, 2, 0, 0),
    /* 12 */ EXAMPLE_COM, Q(DNS_TYPE_A),
    /* 29 */ 1, 'a', 0xc0, 0x0c, RR(DNS_TYPE_A, 60, 4), 10, 0, 0, 1,
    /* 47 */ 1, 'b', 0xc0, 29, RR(DNS_TYPE_A, 60, 4), 10, 0, 0, 2,
};
/* clang-format on */

struct rr_want {
    uint16_t type;
    const char *owner;
    const char *data; /* A/AAAA: the address; CNAME, SVCB, HTTPS: the target */
    uint16_t prio;
    const char *svcb_text;  /* SVCB, HTTPS: dns_svcb_text(); NULL: not checked */
    const char *ech_public; /* SVCB, HTTPS: NULL: no public name */
};

struct msg_case {
    const char *what;
    const uint8_t *msg;
    size_t len;
    enum parse_result want;
    const char *reason; /* a word of the reason, for PARSE_MALFORMED */
    bool prefixes;      /* every shorter prefix must be PARSE_INCOMPLETE */
    uint16_t id;
    bool qr, tc;
    uint8_t opcode, rcode;
    bool has_question;
    const char *qname;
    size_t qname_len; /* 0: strlen(qname) */
    uint16_t qtype;
    size_t n_answers, n_skipped;
    bool dropped;
    struct rr_want an[3]; /* the first answers (type 0: not checked) */
};

static const struct msg_case msg_cases[] = {
    {"A answer", BYTES(m_a), PARSE_OK, .prefixes = true, .id = 0x1234, .qr = true,
     .has_question = true, .qname = "www.example.com", .qtype = DNS_TYPE_A, .n_answers = 1,
     .an = {{DNS_TYPE_A, "www.example.com", "93.184.216.34", 0}}},
    {"AAAA answer", BYTES(m_aaaa), PARSE_OK, .prefixes = true, .id = 0x0001, .qr = true,
     .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_AAAA, .n_answers = 1,
     .an = {{DNS_TYPE_AAAA, "example.com", "2606:2800:220:1:248:1893:25c8:1946", 0}}},
    {"CNAME chain with pointers", BYTES(m_cname_chain), PARSE_OK, .prefixes = true, .id = 0x4242,
     .qr = true, .has_question = true, .qname = "cdn-lfs.huggingface.co", .qtype = DNS_TYPE_A,
     .n_answers = 2,
     .an = {{DNS_TYPE_CNAME, "cdn-lfs.huggingface.co", "d1x.cloudfront.net", 0},
            {DNS_TYPE_A, "d1x.cloudfront.net", "18.1.2.3", 0}}},
    {"CNAME RDATA ending in a pointer", BYTES(m_cname_ptr), PARSE_OK, .prefixes = true,
     .id = 0x0007, .qr = true, .has_question = true, .qname = "www.example.com",
     .qtype = DNS_TYPE_A, .n_answers = 2,
     .an = {{DNS_TYPE_CNAME, "www.example.com", "edge.example.com", 0},
            {DNS_TYPE_A, "edge.example.com", "192.0.2.1", 0}}},
    {"HTTPS with target and params", BYTES(m_https), PARSE_OK, .prefixes = true, .id = 0x5555,
     .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_HTTPS,
     .n_answers = 1,
     .an = {{DNS_TYPE_HTTPS, "example.com", "cdn.example.net", 1,
             "1 cdn.example.net alpn=h2 port=443", NULL}}},
    {"HTTPS with alpn, no-default-alpn, port, ech", BYTES(m_https_ech), PARSE_OK, .prefixes = true,
     .id = 0x5560, .qr = true, .has_question = true, .qname = "example.com",
     .qtype = DNS_TYPE_HTTPS, .n_answers = 1,
     .an = {{DNS_TYPE_HTTPS, "example.com", ".", 1,
             "1 . alpn=h3,h2 no-default-alpn port=8443 ech public_name=cloudflare-ech.com",
             "cloudflare-ech.com"}}},
    {"HTTPS ech that does not parse", BYTES(m_https_ech_bad), PARSE_OK, .prefixes = true,
     .id = 0x5561, .qr = true, .has_question = true, .qname = "example.com",
     .qtype = DNS_TYPE_HTTPS, .n_answers = 1,
     .an = {{DNS_TYPE_HTTPS, "example.com", ".", 1, "1 . ech", NULL}}},
    {"HTTPS alpn with an empty id", BYTES(m_https_alpn_empty_id), PARSE_MALFORMED, "alpn",
     .id = 0x5562, .qr = true, .has_question = true, .qname = "example.com",
     .qtype = DNS_TYPE_HTTPS},
    {"HTTPS alpn id past its param", BYTES(m_https_alpn_overrun), PARSE_MALFORMED, "alpn",
     .id = 0x5563, .qr = true, .has_question = true, .qname = "example.com",
     .qtype = DNS_TYPE_HTTPS},
    {"HTTPS no-default-alpn with a value", BYTES(m_https_nda_value), PARSE_MALFORMED,
     "no-default-alpn", .id = 0x5564, .qr = true, .has_question = true, .qname = "example.com",
     .qtype = DNS_TYPE_HTTPS},
    {"HTTPS port of 1 byte", BYTES(m_https_port_short), PARSE_MALFORMED, "port", .id = 0x5565,
     .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_HTTPS},
    {"HTTPS alias mode", BYTES(m_https_alias), PARSE_OK, .prefixes = true, .id = 0x5556, .qr = true,
     .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_HTTPS, .n_answers = 1,
     .an = {{DNS_TYPE_HTTPS, "example.com", "cdn.example.net", 0}}},
    {"SVCB target as a pointer", BYTES(m_svcb_ptr), PARSE_OK, .prefixes = true, .id = 0x5557,
     .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_SVCB,
     .n_answers = 1, .an = {{DNS_TYPE_SVCB, "example.com", "example.com", 2}}},
    {"HTTPS keys out of order", BYTES(m_https_key_order), PARSE_MALFORMED, "order", .id = 0x5558,
     .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_HTTPS},
    {"HTTPS duplicate key", BYTES(m_https_key_dup), PARSE_MALFORMED, "order", .id = 0x5559,
     .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_HTTPS},
    {"HTTPS param overruns RDATA", BYTES(m_https_param_overrun), PARSE_MALFORMED, "SvcParam",
     .id = 0x555a, .qr = true, .has_question = true, .qname = "example.com",
     .qtype = DNS_TYPE_HTTPS},
    {"HTTPS TargetName outside RDATA", BYTES(m_https_prio_only), PARSE_MALFORMED, "TargetName",
     .id = 0x555b, .qr = true, .has_question = true, .qname = "example.com",
     .qtype = DNS_TYPE_HTTPS},
    {"HTTPS RDATA of 1", BYTES(m_https_rdlen1), PARSE_MALFORMED, "short", .id = 0x555c, .qr = true,
     .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_HTTPS},
    {"NXDOMAIN with SOA, no answers", BYTES(m_nxdomain), PARSE_OK, .prefixes = true, .id = 0x0bad,
     .qr = true, .rcode = DNS_RCODE_NXDOMAIN, .has_question = true, .qname = "nx.example.com",
     .qtype = DNS_TYPE_A},
    {"NXDOMAIN, SOA cut", .msg = m_nxdomain, .len = sizeof m_nxdomain - 5, PARSE_INCOMPLETE,
     .id = 0x0bad, .qr = true, .rcode = DNS_RCODE_NXDOMAIN, .has_question = true,
     .qname = "nx.example.com", .qtype = DNS_TYPE_A},
    {"query only", BYTES(m_query), PARSE_OK, .prefixes = true, .id = 0xbeef, .qr = false,
     .has_question = true, .qname = "www.example.com", .qtype = DNS_TYPE_A},
    {"query with EDNS OPT", BYTES(m_query_edns), PARSE_OK, .prefixes = true, .id = 0xbef0,
     .has_question = true, .qname = "www.example.com", .qtype = DNS_TYPE_A},
    {"32 answers kept", BYTES(m_32), PARSE_OK, .id = 0x3232, .qr = true, .has_question = true,
     .qname = "example.com", .qtype = DNS_TYPE_A, .n_answers = 32, .dropped = false,
     .an = {{DNS_TYPE_A, "example.com", "10.0.0.1", 0}}},
    {"33 answers, one dropped", BYTES(m_33), PARSE_OK, .prefixes = true, .id = 0x3333, .qr = true,
     .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A, .n_answers = 32,
     .dropped = true,
     .an = {{DNS_TYPE_A, "example.com", "10.0.0.1", 0},
            {DNS_TYPE_A, "example.com", "10.0.0.2", 0}}},
    {"TXT skipped, A kept", BYTES(m_skip_txt), PARSE_OK, .prefixes = true, .id = 0x0002, .qr = true,
     .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A, .n_answers = 1,
     .n_skipped = 1, .an = {{DNS_TYPE_A, "example.com", "10.0.0.4", 0}}},
    {"answer RDLENGTH past the end", BYTES(m_rdlen_past_end), PARSE_INCOMPLETE, .id = 0x0003,
     .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A, .n_answers = 1,
     .an = {{DNS_TYPE_A, "example.com", "10.0.0.1", 0}}},
    {"RDLENGTH 0xFFFF", BYTES(m_rdlen_ffff), PARSE_INCOMPLETE, .id = 0x0004, .qr = true,
     .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A},
    {"A with RDLENGTH 5", BYTES(m_a_rdlen5), PARSE_MALFORMED, "A RDATA", .id = 0x0005, .qr = true,
     .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A},
    {"A with RDLENGTH 5, RDATA cut", BYTES(m_a_rdlen5_cut), PARSE_MALFORMED, "A RDATA",
     .id = 0x0006, .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A},
    {"AAAA with RDLENGTH 4", BYTES(m_aaaa_rdlen4), PARSE_MALFORMED, "AAAA RDATA", .id = 0x0008,
     .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_AAAA},
    {"CNAME with a byte after the name", BYTES(m_cname_extra), PARSE_MALFORMED, "fill",
     .id = 0x0009, .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A},
    {"CNAME name overruns RDATA", BYTES(m_cname_overrun), PARSE_MALFORMED, "overruns", .id = 0x000a,
     .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A},
    {"CNAME forward pointer", BYTES(m_cname_fwd), PARSE_MALFORMED, "backwards", .id = 0x000b,
     .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A},
    {"CNAME pointer to a name cut off", BYTES(m_cname_jump_cut), PARSE_INCOMPLETE, .id = 0x001c,
     .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A, .n_skipped = 1},
    {"empty buffer", .msg = m_a, .len = 0, PARSE_INCOMPLETE},
    {"1 byte", .msg = m_a, .len = 1, PARSE_INCOMPLETE},
    {"11 bytes", .msg = m_a, .len = 11, PARSE_INCOMPLETE},
    {"header only", BYTES(m_header_only), PARSE_OK, .prefixes = true, .id = 0x000c, .qr = true},
    {"QDCOUNT 0xFFFF", BYTES(m_qd_ffff), PARSE_INCOMPLETE, .id = 0x000d, .has_question = true,
     .qname = "example.com", .qtype = DNS_TYPE_A},
    {"all counts 0xFFFF", BYTES(m_counts_ffff), PARSE_INCOMPLETE, .id = 0x000e, .qr = true,
     .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A, .n_answers = 1,
     .an = {{DNS_TYPE_A, "example.com", "10.0.0.1", 0}}},
    {"two questions, first kept", BYTES(m_two_q), PARSE_OK, .prefixes = true, .id = 0x000f,
     .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A, .n_answers = 1,
     .an = {{DNS_TYPE_A, "www.example.com", "10.0.0.9", 0}}},
    {"trailing bytes", BYTES(m_trailing), PARSE_OK, .id = 0x0010, .qr = true, .has_question = true,
     .qname = "example.com", .qtype = DNS_TYPE_A, .n_answers = 1,
     .an = {{DNS_TYPE_A, "example.com", "10.0.0.7", 0}}},
    {"QNAME self pointer", BYTES(m_qname_self), PARSE_MALFORMED, "backwards", .id = 0x0011},
    {"QNAME label of 64", BYTES(m_qname_label64), PARSE_MALFORMED, "label type", .id = 0x0012},
    {"QNAME of 256 wire bytes", BYTES(m_qname_256), PARSE_MALFORMED, "255", .id = 0x0013},
    {"QNAME of 255 wire bytes", BYTES(m_qname_255), PARSE_OK, .prefixes = true, .id = 0x0014,
     .has_question = true, .qname = S63("a") "." S63("b") "." S63("c") "." S61("d"),
     .qtype = DNS_TYPE_A},
    {"owner label type 0x80", BYTES(m_owner_type80), PARSE_MALFORMED, "label type", .id = 0x0015,
     .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A},
    {"QNAME with '.', NUL, '\\'", BYTES(m_escape), PARSE_OK, .prefixes = true, .id = 0x0016,
     .has_question = true, .qname = "a\\.b\0\\\\.com", .qname_len = 11, .qtype = DNS_TYPE_A},
    {"root QNAME", BYTES(m_root), PARSE_OK, .prefixes = true, .id = 0x0017, .has_question = true,
     .qname = ".", .qtype = DNS_TYPE_NS},
    {"TC bit", BYTES(m_tc), PARSE_OK, .prefixes = true, .id = 0x0018, .qr = true, .tc = true,
     .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A},
    {"opcode STATUS", BYTES(m_opcode_status), PARSE_OK, .id = 0x0019, .opcode = 2},
    {"authority owner forward pointer", BYTES(m_auth_fwd), PARSE_MALFORMED, "backwards",
     .id = 0x001a, .qr = true, .rcode = DNS_RCODE_NXDOMAIN, .has_question = true,
     .qname = "example.com", .qtype = DNS_TYPE_A},
    {"owners pointing into owners", BYTES(m_answer_ptr_chain), PARSE_OK, .prefixes = true,
     .id = 0x001b, .qr = true, .has_question = true, .qname = "example.com", .qtype = DNS_TYPE_A,
     .n_answers = 2,
     .an = {{DNS_TYPE_A, "a.example.com", "10.0.0.1", 0},
            {DNS_TYPE_A, "b.a.example.com", "10.0.0.2", 0}}},
    {.what = NULL},
};

static void assert_rr(const struct dns_rr *rr, const struct rr_want *w)
{
    assert_int_equal(rr->type, w->type);
    assert_int_equal(rr->rclass, 1);
    assert_name(&rr->owner, w->owner, 0);
    char text[INET6_ADDRSTRLEN];
    switch (w->type) {
    case DNS_TYPE_A:
        assert_non_null(inet_ntop(AF_INET, rr->addr, text, sizeof text));
        assert_string_equal(text, w->data);
        break;
    case DNS_TYPE_AAAA:
        assert_non_null(inet_ntop(AF_INET6, rr->addr, text, sizeof text));
        assert_string_equal(text, w->data);
        break;
    case DNS_TYPE_SVCB:
    case DNS_TYPE_HTTPS: {
        assert_int_equal(rr->svc_priority, w->prio);
        assert_name(&rr->target, w->data, 0);
        char svcb[DNS_SVCB_TEXT_MAX];
        size_t n = dns_svcb_text(rr, svcb, sizeof svcb);
        assert_int_equal(n, strlen(svcb));
        if (w->svcb_text)
            assert_string_equal(svcb, w->svcb_text);
        if (w->ech_public) {
            assert_int_equal(rr->ech_public_len, strlen(w->ech_public));
            assert_string_equal(rr->ech_public, w->ech_public);
        } else {
            assert_int_equal(rr->ech_public_len, 0);
        }
        /* a short buffer cuts whole parts, always terminated */
        for (size_t cap = 1; cap < n + 2; cap++) {
            char small[DNS_SVCB_TEXT_MAX];
            size_t m = dns_svcb_text(rr, small, cap);
            assert_true(m < cap);
            assert_int_equal(m, strlen(small));
            assert_memory_equal(small, svcb, m > 0 && small[m - 1] == ' ' ? m - 1 : 0);
        }
        break;
    }
    default:
        assert_name(&rr->target, w->data, 0);
        break;
    }
}

static uint16_t wire16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void run_msg_case(void **state)
{
    const struct msg_case *t = *state;
    struct guarded g;
    const uint8_t *p = guard_copy(&g, t->msg, t->len);
    struct dns_msg *m = malloc(sizeof *m);
    assert_non_null(m);
    memset(m, 0xA5, sizeof *m); /* *out is always initialised */
    const char *reason = NULL;

    enum parse_result res = dns_parse_message(p, t->len, m, &reason);
    assert_int_equal(res, t->want);
    if (res == PARSE_MALFORMED) {
        assert_non_null(reason);
        assert_non_null(strstr(reason, t->reason));
    }
    assert_int_equal(m->id, t->id);
    assert_int_equal(m->qr, t->qr);
    assert_int_equal(m->tc, t->tc);
    assert_int_equal(m->opcode, t->opcode);
    assert_int_equal(m->rcode, t->rcode);
    if (t->len >= 12) {
        assert_int_equal(m->qdcount, wire16(t->msg + 4));
        assert_int_equal(m->ancount, wire16(t->msg + 6));
        assert_int_equal(m->nscount, wire16(t->msg + 8));
        assert_int_equal(m->arcount, wire16(t->msg + 10));
    } else {
        assert_int_equal(m->qdcount, 0);
    }
    assert_int_equal(m->has_question, t->has_question);
    if (t->has_question) {
        assert_name(&m->qname, t->qname, t->qname_len);
        assert_int_equal(m->qtype, t->qtype);
        assert_int_equal(m->qclass, 1);
    }
    assert_int_equal(m->n_answers, t->n_answers);
    assert_int_equal(m->n_skipped, t->n_skipped);
    assert_int_equal(m->answers_dropped, t->dropped);
    for (size_t i = 0; i < sizeof t->an / sizeof t->an[0] && t->an[i].type; i++)
        assert_rr(&m->answers[i], &t->an[i]);

    /* the same without a reason pointer */
    assert_int_equal(dns_parse_message(p, t->len, m, NULL), t->want);
    free(m);
    guard_free(&g);
}

static void assert_same_name(const struct dns_name *a, const struct dns_name *b)
{
    assert_int_equal(a->len, b->len);
    assert_int_equal(a->cut, b->cut);
    assert_memory_equal(a->s, b->s, a->len);
}

static void assert_same_rr(const struct dns_rr *a, const struct dns_rr *b)
{
    assert_same_name(&a->owner, &b->owner);
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->rclass, b->rclass);
    assert_int_equal(a->ttl, b->ttl);
    assert_memory_equal(a->addr, b->addr, sizeof a->addr);
    assert_same_name(&a->target, &b->target);
    assert_int_equal(a->svc_priority, b->svc_priority);
}

/*
 * Every prefix of a valid message is PARSE_INCOMPLETE: never OK (authority
 * and additional records are walked, so no section can be silently
 * missing), never MALFORMED. A cut changes no byte, and the parser only
 * calls a name malformed from bytes it has: a pointer's target always lies
 * before the name (so it is there); a pointer whose second byte is cut is
 * incomplete, not a bad pointer; a label type and a label length are read
 * from the length byte itself, and fixed RDLENGTHs from the RDLENGTH.
 * What was complete before the cut is kept, and matches the whole parse.
 */
static void run_prefix_case(void **state)
{
    const struct msg_case *t = *state;
    struct dns_msg *full = malloc(sizeof *full);
    struct dns_msg *m = malloc(sizeof *m);
    assert_non_null(full);
    assert_non_null(m);
    struct guarded g;
    const uint8_t *p = guard_copy(&g, t->msg, t->len);
    assert_int_equal(dns_parse_message(p, t->len, full, NULL), PARSE_OK);
    guard_free(&g);

    bool had_question = false;
    size_t had_answers = 0;
    for (size_t k = 0; k < t->len; k++) {
        p = guard_copy(&g, t->msg, k);
        const char *reason = NULL;
        enum parse_result res = dns_parse_message(p, k, m, &reason);
        if (res != PARSE_INCOMPLETE)
            print_error("prefix of %zu bytes: %s (%s)\n", k, parse_result_name(res),
                        reason ? reason : "");
        assert_int_equal(res, PARSE_INCOMPLETE);
        if (k < 12) {
            assert_int_equal(m->id, 0);
            assert_false(m->has_question);
        } else {
            assert_int_equal(m->id, full->id);
            assert_int_equal(m->qr, full->qr);
            assert_int_equal(m->rcode, full->rcode);
            assert_int_equal(m->ancount, full->ancount);
        }
        assert_true(m->has_question || !had_question); /* once there, stays */
        had_question = m->has_question;
        if (m->has_question) {
            assert_same_name(&m->qname, &full->qname);
            assert_int_equal(m->qtype, full->qtype);
        }
        assert_true(m->n_answers >= had_answers);
        assert_true(m->n_answers <= full->n_answers);
        had_answers = m->n_answers;
        for (size_t i = 0; i < m->n_answers; i++)
            assert_same_rr(&m->answers[i], &full->answers[i]);
        guard_free(&g);
    }
    free(m);
    free(full);
}

/* ---- names of types and rcodes ---- */

struct tok_case {
    const char *what;
    bool rcode; /* false: ea_dns_type_name, true: ea_dns_rcode_name (model.h) */
    uint16_t value;
    const char *name; /* NULL: unknown */
};

static const struct tok_case tok_cases[] = {
    {"type A", false, DNS_TYPE_A, "A"},
    {"type NS", false, DNS_TYPE_NS, "NS"},
    {"type CNAME", false, DNS_TYPE_CNAME, "CNAME"},
    {"type SOA", false, DNS_TYPE_SOA, "SOA"},
    {"type PTR", false, DNS_TYPE_PTR, "PTR"},
    {"type MX", false, DNS_TYPE_MX, "MX"},
    {"type TXT", false, DNS_TYPE_TXT, "TXT"},
    {"type AAAA", false, DNS_TYPE_AAAA, "AAAA"},
    {"type SRV", false, DNS_TYPE_SRV, "SRV"},
    {"type OPT", false, DNS_TYPE_OPT, "OPT"},
    {"type SVCB", false, DNS_TYPE_SVCB, "SVCB"},
    {"type HTTPS", false, DNS_TYPE_HTTPS, "HTTPS"},
    {"type ANY", false, DNS_TYPE_ANY, "ANY"},
    {"type 0", false, 0, NULL},
    {"type 3", false, 3, NULL},
    {"type 999", false, 999, NULL},
    {"type 0xFFFF", false, 0xFFFF, NULL},
    {"rcode NOERROR", true, DNS_RCODE_NOERROR, "NOERROR"},
    {"rcode FORMERR", true, DNS_RCODE_FORMERR, "FORMERR"},
    {"rcode SERVFAIL", true, DNS_RCODE_SERVFAIL, "SERVFAIL"},
    {"rcode NXDOMAIN", true, DNS_RCODE_NXDOMAIN, "NXDOMAIN"},
    {"rcode NOTIMP", true, DNS_RCODE_NOTIMP, "NOTIMP"},
    {"rcode REFUSED", true, DNS_RCODE_REFUSED, "REFUSED"},
    {"rcode 15", true, 15, NULL},
    {"rcode 0xFF", true, 0xFF, NULL},
    {NULL, false, 0, NULL},
};

static void run_tok_case(void **state)
{
    const struct tok_case *t = *state;
    const char *got = t->rcode ? ea_dns_rcode_name(t->value) : ea_dns_type_name(t->value);
    if (t->name)
        assert_string_equal(got, t->name);
    else
        assert_null(got);
}

int main(void)
{
    static struct CMUnitTest tests[ROWS(name_cases) + 2 * ROWS(msg_cases) + ROWS(tok_cases) + 2];
    static char prefix_names[ROWS(msg_cases)][96];
    size_t n = 0;
    for (const struct name_case *t = name_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_name_case, NULL, NULL, (void *)t};
    for (const struct msg_case *t = msg_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_msg_case, NULL, NULL, (void *)t};
    for (const struct msg_case *t = msg_cases; t->what; t++) {
        if (!t->prefixes)
            continue;
        char *name = prefix_names[t - msg_cases];
        snprintf(name, sizeof prefix_names[0], "every prefix of: %s", t->what);
        tests[n++] = (struct CMUnitTest){name, run_prefix_case, NULL, NULL, (void *)t};
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_pointer_chain_cap);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_name_outside_message);
    for (const struct tok_case *t = tok_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_tok_case, NULL, NULL, (void *)t};
    return _cmocka_run_group_tests("dns", tests, n, NULL, NULL);
}
