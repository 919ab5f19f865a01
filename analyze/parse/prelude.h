/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Plaintext preludes before a TLS session on the same TCP connection, read
 * from the client→server stream alone (the server's answers are not needed:
 * a capture may hold only the client's side):
 *  - SOCKS 4 and 4a (the de-facto protocol of SOCKS4.protocol and
 *    SOCKS4A.protocol), SOCKS 5 (RFC 1928, username/password RFC 1929);
 *  - STARTTLS: SMTP (RFC 3207), IMAP (RFC 9051 §6.2.1), POP3 (RFC 2595 §4
 *    STLS), FTP (RFC 4217 AUTH TLS), XMPP (RFC 6120 §5.4), LDAP (RFC 4511
 *    §4.14 StartTLS extended operation), IRC (IRCv3 tls), NNTP (RFC 4642) and
 *    any line protocol whose client opens with a bare STARTTLS;
 *  - PostgreSQL's SSLRequest (and a GSSENCRequest before it).
 * HTTP CONNECT is read by http.c (its head_len is where the tunnel begins).
 * Views only: names point into the caller's buffer.
 */
#ifndef EA_PRELUDE_H
#define EA_PRELUDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

enum prelude_kind {
    PRELUDE_NONE = 0,
    PRELUDE_SOCKS4,
    PRELUDE_SOCKS5,
    PRELUDE_SMTP,
    PRELUDE_IMAP,
    PRELUDE_POP3,
    PRELUDE_FTP,
    PRELUDE_XMPP,
    PRELUDE_LDAP,
    PRELUDE_POSTGRES,
    PRELUDE_IRC,      /* IRCv3 STARTTLS: "STARTTLS" among CAP, NICK, USER, PASS */
    PRELUDE_STARTTLS, /* any other line protocol whose client says "STARTTLS" first
                         (NNTP after CAPABILITIES, ManageSieve, ...) */
};

/* Longest prelude we read before giving up (a STARTTLS after many
 * plaintext commands is not a prelude worth waiting for). */
#define PRELUDE_MAX 4096

struct prelude {
    enum prelude_kind kind;
    size_t tls_off; /* bytes of the prelude: the inner session begins here */
    /* SOCKS: the destination the client asked its proxy for */
    bool has_domain;
    const uint8_t *domain; /* SOCKS 4a / 5 domain name (view), domain_len bytes */
    size_t domain_len;
    uint8_t addr_family; /* 4 or 6 when an address was asked for; 0 otherwise */
    uint8_t addr[16];
    uint16_t port;
};

/*
 * Read a prelude from the start of a client→server stream. PARSE_OK once the
 * prelude is complete (out->tls_off says where what follows begins);
 * PARSE_INCOMPLETE while it may still become one; PARSE_MALFORMED when the
 * bytes are not one of the preludes above (or the STARTTLS command does not
 * come within PRELUDE_MAX bytes). *out is written only on PARSE_OK.
 */
enum parse_result prelude_parse(const uint8_t *buf, size_t len, struct prelude *out,
                                const char **out_reason);

/* The protocol's name ("socks5", "smtp", ...); NULL for PRELUDE_NONE. */
const char *prelude_kind_name(enum prelude_kind k);

#endif
