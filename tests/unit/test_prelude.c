/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Prelude parser tests (SOCKS 4/4a/5, STARTTLS in SMTP, IMAP, POP3, FTP,
 * XMPP, LDAP; PostgreSQL SSLRequest): table-driven, malformed and cut rows
 * beside good ones, every input and every prefix of it flush against a
 * PROT_NONE page (guard.h), and a sweep of hostile lengths.
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

#include "guard.h"
#include "prelude.h"

/* TLS after the prelude: what tls_off must point at. */
#define TLS_START "\x16\x03\x01\x00\x05"

struct case_ {
    const char *name;
    const char *in;
    size_t len;
    enum parse_result want;
    enum prelude_kind kind;
    size_t tls_off;     /* 0: the offset of TLS_START in the input */
    const char *domain; /* SOCKS domain; NULL: none */
    uint8_t family;     /* SOCKS address family */
    uint16_t port;
};

#define B(s) s, sizeof(s) - 1

static const struct case_ cases[] = {
    /* SOCKS 4 and 4a */
    {"socks4 connect, user",
     B("\x04\x01\x01\xbb\xc0\x00\x02\x01"
       "bob\0" TLS_START),
     PARSE_OK, PRELUDE_SOCKS4, 0, NULL, 4, 443},
    {"socks4a domain",
     B("\x04\x01\x01\xbb\x00\x00\x00\x01"
       "\0huggingface.co\0" TLS_START),
     PARSE_OK, PRELUDE_SOCKS4, 0, "huggingface.co", 0, 443},
    {"socks4 cut in the user id",
     B("\x04\x01\x01\xbb\xc0\x00\x02\x01"
       "bo"),
     PARSE_INCOMPLETE, 0, 0, NULL, 0, 0},
    {"socks4a cut in the domain", B("\x04\x01\x01\xbb\x00\x00\x00\x01\0hugg"), PARSE_INCOMPLETE, 0,
     0, NULL, 0, 0},
    {"socks4 bad command", B("\x04\x09\x01\xbb\xc0\x00\x02\x01\0"), PARSE_MALFORMED, 0, 0, NULL, 0,
     0},
    {"socks4a empty domain", B("\x04\x01\x01\xbb\x00\x00\x00\x01\0\0"), PARSE_MALFORMED, 0, 0, NULL,
     0, 0},
    /* SOCKS 5 */
    {"socks5 domain",
     B("\x05\x01\x00"
       "\x05\x01\x00\x03\x0e"
       "huggingface.co\x01\xbb" TLS_START),
     PARSE_OK, PRELUDE_SOCKS5, 0, "huggingface.co", 0, 443},
    {"socks5 ipv4",
     B("\x05\x02\x00\x02"
       "\x05\x01\x00\x01\xc0\x00\x02\x0a\x01\xbb" TLS_START),
     PARSE_OK, PRELUDE_SOCKS5, 0, NULL, 4, 443},
    {"socks5 ipv6",
     B("\x05\x01\x00"
       "\x05\x01\x00\x04\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01\x00\x50"),
     PARSE_OK, PRELUDE_SOCKS5, 25, NULL, 6, 80},
    {"socks5 user/pass",
     B("\x05\x01\x02"
       "\x01\x03"
       "bob\x02pw"
       "\x05\x01\x00\x03\x08pypi.org\x01\xbb" TLS_START),
     PARSE_OK, PRELUDE_SOCKS5, 0, "pypi.org", 0, 443},
    {"socks5 greeting only", B("\x05\x01\x00"), PARSE_INCOMPLETE, 0, 0, NULL, 0, 0},
    {"socks5 no methods", B("\x05\x00\x05\x01\x00\x01"), PARSE_MALFORMED, 0, 0, NULL, 0, 0},
    {"socks5 method 0xff", B("\x05\x01\xff"), PARSE_MALFORMED, 0, 0, NULL, 0, 0},
    {"socks5 auth not offered",
     B("\x05\x01\x00\x01\x03"
       "bob\x02pw"),
     PARSE_MALFORMED, 0, 0, NULL, 0, 0},
    {"socks5 bad address type", B("\x05\x01\x00\x05\x01\x00\x07"), PARSE_MALFORMED, 0, 0, NULL, 0,
     0},
    {"socks5 bad command", B("\x05\x01\x00\x05\x09\x00\x01"), PARSE_MALFORMED, 0, 0, NULL, 0, 0},
    {"socks5 reserved not 0", B("\x05\x01\x00\x05\x01\x01\x01"), PARSE_MALFORMED, 0, 0, NULL, 0, 0},
    {"socks5 empty domain", B("\x05\x01\x00\x05\x01\x00\x03\x00\x01\xbb"), PARSE_MALFORMED, 0, 0,
     NULL, 0, 0},
    {"socks5 domain cut", B("\x05\x01\x00\x05\x01\x00\x03\x0ehugging"), PARSE_INCOMPLETE, 0, 0,
     NULL, 0, 0},
    /* STARTTLS */
    {"smtp", B("EHLO client.example\r\nSTARTTLS\r\n" TLS_START), PARSE_OK, PRELUDE_SMTP, 0, NULL, 0,
     0},
    {"smtp lower case, bare LF", B("ehlo x\nstarttls\n" TLS_START), PARSE_OK, PRELUDE_SMTP, 0, NULL,
     0, 0},
    {"smtp without starttls yet", B("EHLO client.example\r\nMAIL FROM:<a@b>\r\n"), PARSE_INCOMPLETE,
     0, 0, NULL, 0, 0},
    {"smtp line cut", B("EHLO client.exa"), PARSE_INCOMPLETE, 0, 0, NULL, 0, 0},
    {"imap", B(". CAPABILITY\r\n. STARTTLS\r\n" TLS_START), PARSE_OK, PRELUDE_IMAP, 0, NULL, 0, 0},
    {"imap tagged", B("a001 STARTTLS\r\n" TLS_START), PARSE_OK, PRELUDE_IMAP, 0, NULL, 0, 0},
    {"imap bad tag", B("a(1 STARTTLS\r\n"), PARSE_MALFORMED, 0, 0, NULL, 0, 0},
    {"pop3", B("CAPA\r\nSTLS\r\n" TLS_START), PARSE_OK, PRELUDE_POP3, 0, NULL, 0, 0},
    {"ftp", B("FEAT\r\nAUTH TLS\r\n" TLS_START), PARSE_OK, PRELUDE_FTP, 0, NULL, 0, 0},
    {"irc", B("CAP LS 302\r\nNICK bob\r\nSTARTTLS\r\n" TLS_START), PARSE_OK, PRELUDE_IRC, 0, NULL,
     0, 0},
    {"irc without starttls yet", B("NICK bob\r\nUSER bob 0 * :Bob\r\n"), PARSE_INCOMPLETE, 0, 0,
     NULL, 0, 0},
    {"bare starttls first", B("STARTTLS\r\n" TLS_START), PARSE_OK, PRELUDE_STARTTLS, 0, NULL, 0, 0},
    {"nntp", B("CAPABILITIES\r\nSTARTTLS\r\n" TLS_START), PARSE_OK, PRELUDE_STARTTLS, 0, NULL, 0,
     0},
    {"ftp auth ssl", B("AUTH SSL\r\n" TLS_START), PARSE_OK, PRELUDE_FTP, 0, NULL, 0, 0},
    {"xmpp",
     B("<?xml version='1.0'?><stream:stream to='chat.example' xmlns='jabber:client' "
       "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
       "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" TLS_START),
     PARSE_OK, PRELUDE_XMPP, 0, NULL, 0, 0},
    {"xmpp element with a close tag",
     B("<stream:stream to='x'><starttls "
       "xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"></starttls>"
       "" TLS_START),
     PARSE_OK, PRELUDE_XMPP, 0, NULL, 0, 0},
    {"xmpp starttls without namespace", B("<stream:stream to='x'><starttls/>"), PARSE_MALFORMED, 0,
     0, NULL, 0, 0},
    {"xmpp header only", B("<?xml version='1.0'?><stream:stream to='x'>"), PARSE_INCOMPLETE, 0, 0,
     NULL, 0, 0},
    {"ldap starttls",
     B("\x30\x1d\x02\x01\x01\x77\x18\x80\x16"
       "1.3.6.1.4.1.1466.20037" TLS_START),
     PARSE_OK, PRELUDE_LDAP, 0, NULL, 0, 0},
    {"ldap other extended op",
     B("\x30\x1d\x02\x01\x01\x77\x18\x80\x16"
       "1.3.6.1.4.1.4203.1.11.3"),
     PARSE_MALFORMED, 0, 0, NULL, 0, 0},
    {"ldap bind", B("\x30\x0c\x02\x01\x01\x60\x07\x02\x01\x03\x04\x00\x80\x00"), PARSE_MALFORMED, 0,
     0, NULL, 0, 0},
    {"ldap cut",
     B("\x30\x1d\x02\x01\x01\x77\x18\x80\x16"
       "1.3.6"),
     PARSE_INCOMPLETE, 0, 0, NULL, 0, 0},
    {"postgres sslrequest", B("\x00\x00\x00\x08\x04\xd2\x16\x2f" TLS_START), PARSE_OK,
     PRELUDE_POSTGRES, 0, NULL, 0, 0},
    {"postgres gssenc then ssl",
     B("\x00\x00\x00\x08\x04\xd2\x16\x30"
       "\x00\x00\x00\x08\x04\xd2\x16\x2f" TLS_START),
     PARSE_OK, PRELUDE_POSTGRES, 0, NULL, 0, 0},
    {"postgres startup message", B("\x00\x00\x00\x29\x00\x03\x00\x00user\0"), PARSE_MALFORMED, 0, 0,
     NULL, 0, 0},
    {"postgres cut", B("\x00\x00\x00\x08\x04\xd2"), PARSE_INCOMPLETE, 0, 0, NULL, 0, 0},
    /* not preludes */
    {"HTTP", B("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), PARSE_MALFORMED, 0, 0, NULL, 0, 0},
    {"SSH", B("SSH-2.0-OpenSSH_9.2\r\n"), PARSE_MALFORMED, 0, 0, NULL, 0, 0},
    {"TLS itself", B(TLS_START), PARSE_MALFORMED, 0, 0, NULL, 0, 0},
    {"empty", "", 0, PARSE_INCOMPLETE, 0, 0, NULL, 0, 0},
    {NULL, NULL, 0, 0, 0, 0, NULL, 0, 0},
};

static size_t tls_at(const char *in, size_t len)
{
    for (size_t i = 0; i + 5 <= len; i++)
        if (memcmp(in + i, TLS_START, 5) == 0)
            return i;
    return len;
}

static void test_table(void **state)
{
    (void)state;
    for (const struct case_ *tc = cases; tc->name; tc++) {
        size_t len = tc->len;
        struct guarded g = {0};
        const uint8_t *in = guard_copy(&g, tc->in, len);
        struct prelude p;
        const char *why = NULL;
        memset(&p, 0xa5, sizeof p);
        enum parse_result r = prelude_parse(in, len, &p, &why);
        if (r != tc->want) {
            print_error("%s: got %s (%s), want %s\n", tc->name, parse_result_name(r),
                        why ? why : "", parse_result_name(tc->want));
            fail();
        }
        if (r == PARSE_OK) {
            size_t want_off = tc->tls_off ? tc->tls_off : tls_at(tc->in, len);
            if (p.kind != tc->kind || p.tls_off != want_off) {
                print_error("%s: kind %s off %zu, want %s off %zu\n", tc->name,
                            prelude_kind_name(p.kind), p.tls_off, prelude_kind_name(tc->kind),
                            want_off);
                fail();
            }
            if (tc->domain) {
                assert_true(p.has_domain);
                assert_int_equal(p.domain_len, strlen(tc->domain));
                assert_memory_equal(p.domain, tc->domain, p.domain_len);
            } else {
                assert_false(p.has_domain);
            }
            assert_int_equal(p.addr_family, tc->family);
            if (tc->kind == PRELUDE_SOCKS4 || tc->kind == PRELUDE_SOCKS5)
                assert_int_equal(p.port, tc->port);
        }
        guard_free(&g);
        /* Every prefix of a complete prelude is incomplete (or malformed for
         * a text first line that is not one), never OK, never a crash. */
        for (size_t n = 0; n < len; n++) {
            struct guarded h = {0};
            const uint8_t *pre = guard_copy(&h, tc->in, n);
            enum parse_result pr = prelude_parse(pre, n, &p, &why);
            if (tc->want == PARSE_OK && n < tls_at(tc->in, len) && pr == PARSE_OK &&
                tc->kind != PRELUDE_SOCKS4 && tc->kind != PRELUDE_SOCKS5 &&
                tc->kind != PRELUDE_LDAP && tc->kind != PRELUDE_POSTGRES) {
                print_error("%s: prefix of %zu bytes is OK\n", tc->name, n);
                fail();
            }
            guard_free(&h);
        }
    }
}

/* libssh's sweep: hostile lengths in every length field. */
static void test_hostile_lengths(void **state)
{
    (void)state;
    static const uint8_t lens[] = {0, 1, 0x7f, 0x80, 0xfe, 0xff};
    for (size_t i = 0; i < sizeof lens; i++) {
        uint8_t buf[600];
        memset(buf, 'a', sizeof buf);
        /* SOCKS 5 with a domain length of lens[i] */
        static const uint8_t head[] = {5, 1, 0, 5, 1, 0, 3};
        memcpy(buf, head, sizeof head);
        buf[sizeof head] = lens[i];
        for (size_t n = 0; n <= sizeof head + 1 + 0x101; n++) {
            struct guarded g = {0};
            struct prelude p;
            const uint8_t *in = guard_copy(&g, buf, n);
            prelude_parse(in, n, &p, NULL);
            guard_free(&g);
        }
        /* LDAP with a message length of lens[i] */
        buf[0] = 0x30;
        buf[1] = lens[i];
        for (size_t n = 0; n < 300; n += 7) {
            struct guarded g = {0};
            struct prelude p;
            const uint8_t *in = guard_copy(&g, buf, n);
            prelude_parse(in, n, &p, NULL);
            guard_free(&g);
        }
    }
    /* A long SMTP session without STARTTLS: malformed once past PRELUDE_MAX. */
    static char smtp[PRELUDE_MAX + 200];
    size_t n = 0;
    n += (size_t)snprintf(smtp, sizeof smtp, "EHLO x\r\n");
    while (n + 20 < sizeof smtp)
        n += (size_t)snprintf(smtp + n, sizeof smtp - n, "NOOP\r\n");
    struct guarded g = {0};
    struct prelude p;
    const uint8_t *in = guard_copy(&g, smtp, n);
    assert_int_equal(prelude_parse(in, n, &p, NULL), PARSE_MALFORMED);
    guard_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_hostile_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
