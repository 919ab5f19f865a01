/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Plaintext preludes before TLS (prelude.h). Every byte through the cursor. */
#include "prelude.h"

#include <string.h>

#include "ascii.h"

static enum parse_result fail(const char **why, enum parse_result r, const char *reason)
{
    if (why)
        *why = reason;
    return r;
}

/* ---- SOCKS ---- */

enum {
    SOCKS_CMD_CONNECT = 1,
    SOCKS_CMD_BIND = 2,
    SOCKS5_ATYP_IPV4 = 1,
    SOCKS5_ATYP_DOMAIN = 3,
    SOCKS5_ATYP_IPV6 = 4,
    SOCKS5_AUTH_USERPASS = 2,
    SOCKS_NAME_MAX = 255, /* user ids and 4a domains: a bound of ours */
};

/* A NUL-terminated string of at most SOCKS_NAME_MAX bytes (SOCKS 4 USERID,
 * 4a domain): a view without the NUL. */
static enum parse_result socks_cstring(struct cur *c, struct cur *out, const char **why)
{
    struct cur start = *c;
    for (size_t n = 0; n <= SOCKS_NAME_MAX; n++) {
        uint8_t b;
        if (!cur_u8(c, &b))
            return fail(why, PARSE_INCOMPLETE, "socks string cut");
        if (b == 0) {
            cur_sub(&start, n, out);
            return PARSE_OK;
        }
    }
    return fail(why, PARSE_MALFORMED, "socks string too long");
}

/* SOCKS 4: VN=4, CD, DSTPORT, DSTIP, USERID, NUL; 4a: DSTIP 0.0.0.x (x≠0),
 * then the domain and a NUL. */
static enum parse_result socks4(struct cur *c, struct prelude *p, const char **why)
{
    uint8_t vn, cd;
    const uint8_t *ip;
    struct cur user, dom;
    enum parse_result r;
    if (!cur_u8(c, &vn) || vn != 4)
        return fail(why, PARSE_MALFORMED, "not socks 4");
    if (!cur_u8(c, &cd))
        return fail(why, PARSE_INCOMPLETE, "socks 4 request cut");
    if (cd != SOCKS_CMD_CONNECT && cd != SOCKS_CMD_BIND)
        return fail(why, PARSE_MALFORMED, "socks 4 command unknown");
    if (!cur_be16(c, &p->port) || !cur_bytes(c, 4, &ip))
        return fail(why, PARSE_INCOMPLETE, "socks 4 request cut");
    r = socks_cstring(c, &user, why);
    if (r != PARSE_OK)
        return r;
    if (ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0) {
        r = socks_cstring(c, &dom, why);
        if (r != PARSE_OK)
            return r;
        if (cur_empty(&dom))
            return fail(why, PARSE_MALFORMED, "socks 4a empty domain");
        p->has_domain = true;
        p->domain = dom.p;
        p->domain_len = cur_left(&dom);
    } else {
        p->addr_family = 4;
        memcpy(p->addr, ip, 4);
    }
    p->kind = PRELUDE_SOCKS4;
    return PARSE_OK;
}

/* RFC 1928 §3 greeting, RFC 1929 §2 sub-negotiation, §4 request. The
 * server's choice of method is not in the client's stream: a
 * username/password sub-negotiation is recognised by its version byte 1
 * where a request would start with 5. */
static enum parse_result socks5(struct cur *c, struct prelude *p, const char **why)
{
    uint8_t ver, n, b, cmd, rsv, atyp;
    struct cur methods;
    bool userpass = false;
    if (!cur_u8(c, &ver) || ver != 5)
        return fail(why, PARSE_MALFORMED, "not socks 5");
    if (!cur_u8(c, &n))
        return fail(why, PARSE_INCOMPLETE, "socks 5 greeting cut");
    if (n == 0)
        return fail(why, PARSE_MALFORMED, "socks 5 greeting without methods");
    if (!cur_sub(c, n, &methods))
        return fail(why, PARSE_INCOMPLETE, "socks 5 greeting cut");
    while (cur_u8(&methods, &b)) {
        /* RFC 1928 §3: 0..2 assigned, 3..0x7f IANA, 0x80..0xfe private, 0xff none */
        if (b == 0xff)
            return fail(why, PARSE_MALFORMED, "socks 5 method 0xff offered");
        if (b == SOCKS5_AUTH_USERPASS)
            userpass = true;
    }
    if (!cur_peek_u8(c, &b))
        return fail(why, PARSE_INCOMPLETE, "socks 5 request missing");
    if (b == 1) {
        /* RFC 1929 §2: VER=1, ULEN, UNAME, PLEN, PASSWD */
        struct cur user, pass;
        if (!userpass)
            return fail(why, PARSE_MALFORMED, "socks 5 sub-negotiation not offered");
        if (!cur_skip(c, 1))
            return fail(why, PARSE_INCOMPLETE, "socks 5 auth cut");
        if (!cur_vec8(c, &user) || !cur_vec8(c, &pass))
            return fail(why, PARSE_INCOMPLETE, "socks 5 auth cut");
        if (cur_empty(&user))
            return fail(why, PARSE_MALFORMED, "socks 5 empty user name");
    }
    if (!cur_u8(c, &ver))
        return fail(why, PARSE_INCOMPLETE, "socks 5 request missing");
    if (ver != 5)
        return fail(why, PARSE_MALFORMED, "socks 5 request version");
    if (!cur_u8(c, &cmd) || !cur_u8(c, &rsv) || !cur_u8(c, &atyp))
        return fail(why, PARSE_INCOMPLETE, "socks 5 request cut");
    if (cmd < 1 || cmd > 3 || rsv != 0)
        return fail(why, PARSE_MALFORMED, "socks 5 request command");
    switch (atyp) {
    case SOCKS5_ATYP_IPV4:
    case SOCKS5_ATYP_IPV6: {
        size_t alen = atyp == SOCKS5_ATYP_IPV4 ? 4 : 16;
        const uint8_t *a;
        if (!cur_bytes(c, alen, &a))
            return fail(why, PARSE_INCOMPLETE, "socks 5 address cut");
        p->addr_family = atyp == SOCKS5_ATYP_IPV4 ? 4 : 6;
        memcpy(p->addr, a, alen);
        break;
    }
    case SOCKS5_ATYP_DOMAIN: {
        struct cur dom;
        if (!cur_vec8(c, &dom))
            return fail(why, PARSE_INCOMPLETE, "socks 5 domain cut");
        if (cur_empty(&dom))
            return fail(why, PARSE_MALFORMED, "socks 5 empty domain");
        p->has_domain = true;
        p->domain = dom.p;
        p->domain_len = cur_left(&dom);
        break;
    }
    default:
        return fail(why, PARSE_MALFORMED, "socks 5 address type");
    }
    if (!cur_be16(c, &p->port))
        return fail(why, PARSE_INCOMPLETE, "socks 5 port cut");
    p->kind = PRELUDE_SOCKS5;
    return PARSE_OK;
}

/* ---- text protocols: lines up to the STARTTLS command ---- */

/* The next line (without CR LF) as a view; false if its LF is not there. */
static bool next_line(struct cur *c, struct cur *out)
{
    struct cur start = *c;
    for (size_t n = 0; n < cur_left(&start); n++) {
        uint8_t b;
        if (!cur_u8(c, &b))
            break;
        if (b == '\n') {
            size_t len = n;
            if (len > 0) {
                struct cur look = start;
                uint8_t last = 0;
                cur_skip(&look, len - 1);
                cur_u8(&look, &last);
                if (last == '\r')
                    len--;
            }
            cur_sub(&start, len, out);
            return true;
        }
    }
    *c = start;
    return false;
}

/* Does the line equal word (ignoring ASCII case), or start with word and a space? */
static bool line_is(const struct cur *line, const char *word, bool args)
{
    size_t n = strlen(word);
    if (cur_left(line) < n || !ea_ascii_ieq(line->p, word, n))
        return false;
    if (cur_left(line) == n)
        return true;
    return args && line->p[n] == ' ';
}

/* IMAP (RFC 9051 §2.2.1): "tag SP command"; the tag is any ATOM-CHARs. */
static bool imap_command(const struct cur *line, const char *cmd)
{
    struct cur c = *line;
    size_t tag = 0;
    uint8_t b;
    while (cur_u8(&c, &b) && b != ' ') {
        if (b < 0x21 || b > 0x7e || b == '(' || b == ')' || b == '{' || b == '%' || b == '"' ||
            b == '\\')
            return false;
        tag++;
    }
    return tag > 0 && b == ' ' && line_is(&c, cmd, false);
}

/* Which text protocol a first line starts; PRELUDE_NONE if none. */
static enum prelude_kind text_kind(const struct cur *line)
{
    if (line_is(line, "EHLO", true) || line_is(line, "HELO", true) || line_is(line, "LHLO", true))
        return PRELUDE_SMTP;
    if (line_is(line, "STLS", false) || line_is(line, "CAPA", false))
        return PRELUDE_POP3;
    if (line_is(line, "AUTH TLS", false) || line_is(line, "AUTH SSL", false) ||
        line_is(line, "AUTH TLS-C", false) || line_is(line, "FEAT", false))
        return PRELUDE_FTP;
    if (imap_command(line, "CAPABILITY") || imap_command(line, "STARTTLS"))
        return PRELUDE_IMAP;
    if (line_is(line, "CAP", true) || line_is(line, "NICK", true) || line_is(line, "USER", true) ||
        line_is(line, "PASS", true))
        return PRELUDE_IRC;
    if (line_is(line, "STARTTLS", false) || line_is(line, "CAPABILITIES", false))
        return PRELUDE_STARTTLS;
    return PRELUDE_NONE;
}

static bool is_starttls_line(enum prelude_kind k, const struct cur *line)
{
    switch (k) {
    case PRELUDE_SMTP:
        return line_is(line, "STARTTLS", false);
    case PRELUDE_POP3:
        return line_is(line, "STLS", false);
    case PRELUDE_FTP:
        return line_is(line, "AUTH TLS", false) || line_is(line, "AUTH SSL", false) ||
               line_is(line, "AUTH TLS-C", false);
    case PRELUDE_IMAP:
        return imap_command(line, "STARTTLS");
    case PRELUDE_IRC:
    case PRELUDE_STARTTLS:
        return line_is(line, "STARTTLS", false);
    default:
        return false;
    }
}

static enum parse_result text_prelude(struct cur *c, size_t start_left, struct prelude *p,
                                      const char **why)
{
    struct cur line;
    if (!next_line(c, &line))
        return fail(why, cur_left(c) >= PRELUDE_MAX ? PARSE_MALFORMED : PARSE_INCOMPLETE,
                    "first line cut");
    enum prelude_kind k = text_kind(&line);
    if (k == PRELUDE_NONE)
        return fail(why, PARSE_MALFORMED, "not a starttls protocol");
    for (;;) {
        if (is_starttls_line(k, &line)) {
            p->kind = k;
            p->tls_off = start_left - cur_left(c);
            return PARSE_OK;
        }
        if (start_left - cur_left(c) >= PRELUDE_MAX)
            return fail(why, PARSE_MALFORMED, "no starttls command in the first 4 KiB");
        if (!next_line(c, &line))
            return fail(why, PARSE_INCOMPLETE, "line cut");
    }
}

/* XMPP (RFC 6120 §5.4.2.1): the client's stream header, then
 * <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>; TLS begins after the
 * element (the server's <proceed/> is not in the client's stream). */
static enum parse_result xmpp_prelude(struct cur *c, size_t start_left, struct prelude *p,
                                      const char **why)
{
    static const char open[] = "<starttls";
    static const char ns[] = "urn:ietf:params:xml:ns:xmpp-tls";
    const uint8_t *s = c->p;
    size_t n = cur_left(c) < PRELUDE_MAX ? cur_left(c) : PRELUDE_MAX;
    bool is_xml = n >= 5 && (ea_ascii_ieq(s, "<?xml", 5) ||
                             (n >= 14 && ea_ascii_ieq(s, "<stream:stream", 14)));
    if (!is_xml)
        return fail(why, n < 14 ? PARSE_INCOMPLETE : PARSE_MALFORMED, "not an xmpp stream");
    for (size_t i = 0; i + sizeof open - 1 <= n; i++) {
        if (!ea_ascii_ieq(s + i, open, sizeof open - 1))
            continue;
        /* The element ends at "/>" or at "</starttls>". */
        for (size_t j = i + sizeof open - 1; j < n; j++) {
            if (s[j] == '>') {
                bool empty = j > 0 && s[j - 1] == '/';
                size_t end = j + 1;
                if (!empty) {
                    static const char close[] = "</starttls>";
                    size_t k = end;
                    while (k + sizeof close - 1 <= n &&
                           !ea_ascii_ieq(s + k, close, sizeof close - 1))
                        k++;
                    if (k + sizeof close - 1 > n)
                        return fail(why, PARSE_INCOMPLETE, "starttls element cut");
                    end = k + sizeof close - 1;
                }
                bool has_ns = false;
                for (size_t k = i; k + sizeof ns - 1 <= j; k++)
                    if (memcmp(s + k, ns, sizeof ns - 1) == 0)
                        has_ns = true;
                if (!has_ns)
                    return fail(why, PARSE_MALFORMED, "starttls without its namespace");
                if (!cur_skip(c, end))
                    return fail(why, PARSE_MALFORMED, "bad xmpp offset");
                p->kind = PRELUDE_XMPP;
                p->tls_off = start_left - cur_left(c);
                return PARSE_OK;
            }
        }
        return fail(why, PARSE_INCOMPLETE, "starttls element cut");
    }
    return fail(why, n >= PRELUDE_MAX ? PARSE_MALFORMED : PARSE_INCOMPLETE,
                "no starttls element yet");
}

/* ---- binary preludes ---- */

/* RFC 4511 §4.12, §4.14.1: LDAPMessage ::= SEQUENCE { messageID INTEGER,
 * extendedReq [APPLICATION 23] SEQUENCE { requestName [0] LDAPOID } }
 * with the OID 1.3.6.1.4.1.1466.20037, all in short-form BER lengths. */
static enum parse_result ldap_prelude(struct cur *c, size_t start_left, struct prelude *p,
                                      const char **why)
{
    static const char oid[] = "1.3.6.1.4.1.1466.20037";
    uint8_t tag, len, ilen, atag, alen, otag, olen;
    struct cur msg, app, name;
    if (!cur_u8(c, &tag) || tag != 0x30)
        return fail(why, PARSE_MALFORMED, "not an ldap message");
    if (!cur_u8(c, &len))
        return fail(why, PARSE_INCOMPLETE, "ldap message cut");
    if (len & 0x80)
        return fail(why, PARSE_MALFORMED, "ldap long-form length");
    if (!cur_sub(c, len, &msg))
        return fail(why, PARSE_INCOMPLETE, "ldap message cut");
    if (!cur_u8(&msg, &tag) || tag != 0x02 || !cur_u8(&msg, &ilen) || ilen < 1 || ilen > 4 ||
        !cur_skip(&msg, ilen))
        return fail(why, PARSE_MALFORMED, "ldap message id");
    if (!cur_u8(&msg, &atag) || atag != 0x77 || !cur_u8(&msg, &alen) || !cur_sub(&msg, alen, &app))
        return fail(why, PARSE_MALFORMED, "not an ldap extended request");
    if (!cur_u8(&app, &otag) || otag != 0x80 || !cur_u8(&app, &olen) || !cur_sub(&app, olen, &name))
        return fail(why, PARSE_MALFORMED, "ldap extended request without a name");
    if (cur_left(&name) != sizeof oid - 1 || memcmp(name.p, oid, sizeof oid - 1) != 0)
        return fail(why, PARSE_MALFORMED, "ldap extended request is not starttls");
    /* Controls may follow the operation inside the message: allowed. */
    p->kind = PRELUDE_LDAP;
    p->tls_off = start_left - cur_left(c);
    return PARSE_OK;
}

/* PostgreSQL protocol §55.2.10: SSLRequest is Int32 8, Int32 80877103; a
 * GSSENCRequest (80877104) the server declined may come first. */
static enum parse_result postgres_prelude(struct cur *c, size_t start_left, struct prelude *p,
                                          const char **why)
{
    for (int i = 0; i < 2; i++) {
        uint32_t len, code;
        if (!cur_be32(c, &len))
            return fail(why, PARSE_INCOMPLETE, "postgres request cut");
        if (len != 8)
            return fail(why, PARSE_MALFORMED, "not a postgres ssl request");
        if (!cur_be32(c, &code))
            return fail(why, PARSE_INCOMPLETE, "postgres request cut");
        if (code == 80877103) {
            p->kind = PRELUDE_POSTGRES;
            p->tls_off = start_left - cur_left(c);
            return PARSE_OK;
        }
        if (code != 80877104 || i == 1)
            return fail(why, PARSE_MALFORMED, "not a postgres ssl request");
    }
    return fail(why, PARSE_MALFORMED, "not a postgres ssl request");
}

enum parse_result prelude_parse(const uint8_t *buf, size_t len, struct prelude *out,
                                const char **out_reason)
{
    struct cur c;
    struct prelude p;
    uint8_t b;
    enum parse_result r;
    memset(&p, 0, sizeof p);
    cur_init(&c, buf, len);
    if (!cur_peek_u8(&c, &b))
        return fail(out_reason, PARSE_INCOMPLETE, "empty");
    switch (b) {
    case 4:
        r = socks4(&c, &p, out_reason);
        break;
    case 5:
        r = socks5(&c, &p, out_reason);
        break;
    case 0:
        r = postgres_prelude(&c, len, &p, out_reason);
        break;
    case 0x30:
        r = ldap_prelude(&c, len, &p, out_reason);
        break;
    case '<':
        r = xmpp_prelude(&c, len, &p, out_reason);
        break;
    default:
        if (b < 0x21 || b > 0x7e)
            return fail(out_reason, PARSE_MALFORMED, "not a known prelude");
        r = text_prelude(&c, len, &p, out_reason);
        break;
    }
    if (r != PARSE_OK)
        return r;
    if (p.kind == PRELUDE_SOCKS4 || p.kind == PRELUDE_SOCKS5)
        p.tls_off = len - cur_left(&c);
    *out = p;
    return PARSE_OK;
}

const char *prelude_kind_name(enum prelude_kind k)
{
    static const char *const names[] = {
        [PRELUDE_SOCKS4] = "socks4",     [PRELUDE_SOCKS5] = "socks5",
        [PRELUDE_SMTP] = "smtp",         [PRELUDE_IMAP] = "imap",
        [PRELUDE_POP3] = "pop3",         [PRELUDE_FTP] = "ftp",
        [PRELUDE_XMPP] = "xmpp",         [PRELUDE_LDAP] = "ldap",
        [PRELUDE_POSTGRES] = "postgres", [PRELUDE_IRC] = "irc",
        [PRELUDE_STARTTLS] = "starttls",
    };
    if ((unsigned)k >= sizeof names / sizeof names[0])
        return NULL;
    return names[k];
}
