/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Rule destinations and the matcher (DESIGN.md "Azure FQDN rule matching"):
 * FQDN patterns, CIDRs, port lists and protocols, each accepted or refused
 * with a reason, then names and addresses matched against them. Every table
 * ends in a sentinel row; malformed rows sit beside good ones; names come in
 * the hostile lengths (0, 1, 253, 254, 255, 1000) and with any byte (NUL,
 * control, non-ASCII). Every parser input and every name lies flush against
 * a PROT_NONE page. Each row is its own cmocka test, named by the row.
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

#include "guard.h"
#include "model.h"
#include "rules.h"

#define ROWS(t) (sizeof(t) / sizeof((t)[0]) - 1) /* without the sentinel */

/* A 63-byte label: the longest a name may hold. */
#define A63 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
_Static_assert(sizeof(A63) - 1 == 63, "A63 is 63 bytes");

/*
 * A generated string of exactly len bytes: head, then labels of 'a' (at most
 * 51 bytes each, separated by single dots, never a dot next to head), then
 * tail. For long names and patterns. len == 0: not generated.
 */
struct gen {
    size_t len;
    const char *head;
    const char *tail;
};

static char *gen_make(const struct gen *g)
{
    const char *head = g->head ? g->head : "";
    const char *tail = g->tail ? g->tail : "";
    size_t hl = strlen(head), tl = strlen(tail);
    if (hl + tl > g->len)
        fail_msg("generator: head and tail longer than %zu", g->len);
    char *p = malloc(g->len + 1);
    assert_non_null(p);
    size_t fill = g->len - hl - tl;
    memcpy(p, head, hl);
    /* from the right, so that the fill never puts a dot before tail */
    for (size_t j = 0; j < fill; j++)
        p[hl + fill - 1 - j] = (j + 1) % 51 == 0 ? '.' : 'a';
    if (fill && p[hl] == '.')
        p[hl] = 'a';
    memcpy(p + hl + fill, tail, tl);
    p[g->len] = '\0';
    return p;
}

static const char *gcopy(struct guarded *g, const void *s, size_t len)
{
    return (const char *)guard_copy(g, s, len);
}

/*
 * What a test allocates lives here, and the teardown frees it, so that a
 * failing row (cmocka jumps out of the test) leaks nothing under ASan.
 */
static struct {
    struct ea_rule rule;
    struct guarded g[2];
    char *buf[3];
    struct ea_port_range *ports;
} scratch;

static int scratch_free(void **state)
{
    ea_rule_finish(&scratch.rule);
    for (size_t i = 0; i < 2; i++)
        guard_free(&scratch.g[i]);
    for (size_t i = 0; i < 3; i++)
        free(scratch.buf[i]);
    free(scratch.ports);
    memset(&scratch, 0, sizeof scratch);
    return 0;
}

static void want_why(const char *why, const char *want)
{
    if (!why)
        fail_msg("no reason given (wanted one containing '%s')", want);
    if (want && !strstr(why, want))
        fail_msg("reason '%s' does not contain '%s'", why, want);
}

/* Parse a pattern the test relies on; fail the test if it is refused. */
static void parse_pattern(struct ea_rule *rule, const char *pat, size_t len)
{
    struct guarded g = {0};
    const char *in = gcopy(&g, pat, len);
    const char *why = NULL;
    bool lookalike = false;
    bool ok = rules_parse_fqdn(in, len, rule, &lookalike, &why);
    guard_free(&g);
    if (!ok)
        fail_msg("pattern '%.*s' refused: %s", (int)len, pat, why ? why : "(no reason)");
}

/* ---- rules_parse_fqdn ---- */

struct fqdn_case {
    const char *what;
    const char *in; /* with in_len (may hold NUL); unless gen.len */
    size_t in_len;
    struct gen gen;
    bool ok;
    enum ea_fqdn_form form;
    const char *want; /* ok: the stored fqdn (NULL: the generated input
                         without head and trailing dot); else a substring of
                         the reason */
    bool lookalike;
};

#define IN(s) .in = (s), .in_len = sizeof(s) - 1

static const struct fqdn_case fqdn_cases[] = {
    /* exact */
    {"fqdn exact", IN("example.com"), .ok = true, .form = EA_FQDN_EXACT, .want = "example.com"},
    {"fqdn exact lower-cased", IN("ExAmPlE.COM"), .ok = true, .form = EA_FQDN_EXACT,
     .want = "example.com"},
    {"fqdn exact trailing dot dropped", IN("example.com."), .ok = true, .form = EA_FQDN_EXACT,
     .want = "example.com"},
    {"fqdn exact spaces and tabs trimmed", IN(" \t example.com\t "), .ok = true,
     .form = EA_FQDN_EXACT, .want = "example.com"},
    {"fqdn exact trailing dot then space", IN("example.com. "), .ok = true, .form = EA_FQDN_EXACT,
     .want = "example.com"},
    {"fqdn one label", IN("localhost"), .ok = true, .form = EA_FQDN_EXACT, .want = "localhost"},
    {"fqdn one byte", IN("a"), .ok = true, .form = EA_FQDN_EXACT, .want = "a"},
    {"fqdn digits hyphen underscore", IN("a-1_b.Ex-2.com"), .ok = true, .form = EA_FQDN_EXACT,
     .want = "a-1_b.ex-2.com"},
    /* *.example.com */
    {"fqdn subdomains", IN("*.example.com"), .ok = true, .form = EA_FQDN_SUBDOMAINS,
     .want = "example.com"},
    {"fqdn subdomains lower-cased, trailing dot", IN("*.Example.COM."), .ok = true,
     .form = EA_FQDN_SUBDOMAINS, .want = "example.com"},
    {"fqdn subdomains trimmed", IN("  *.example.com  "), .ok = true, .form = EA_FQDN_SUBDOMAINS,
     .want = "example.com"},
    /* *example.com */
    {"fqdn suffix is look-alike", IN("*example.com"), .ok = true, .form = EA_FQDN_SUFFIX,
     .want = "example.com", .lookalike = true},
    {"fqdn suffix lower-cased, trailing dot", IN("*EXAMPLE.com."), .ok = true,
     .form = EA_FQDN_SUFFIX, .want = "example.com", .lookalike = true},
    {"fqdn suffix partial label", IN("*ample.com"), .ok = true, .form = EA_FQDN_SUFFIX,
     .want = "ample.com", .lookalike = true},
    /* * */
    {"fqdn any", IN("*"), .ok = true, .form = EA_FQDN_ANY, .want = ""},
    {"fqdn any trimmed", IN(" \t*\t "), .ok = true, .form = EA_FQDN_ANY, .want = ""},
    {"fqdn any trailing dot", IN("*."), .ok = true, .form = EA_FQDN_ANY, .want = ""},
    /* IDN */
    {"fqdn punycode", IN("xn--bcher-kva.example"), .ok = true, .form = EA_FQDN_EXACT,
     .want = "xn--bcher-kva.example"},
    {"fqdn punycode upper", IN("XN--BCHER-KVA.EXAMPLE"), .ok = true, .form = EA_FQDN_EXACT,
     .want = "xn--bcher-kva.example"},
    {"fqdn punycode subdomains", IN("*.xn--bcher-kva.example"), .ok = true,
     .form = EA_FQDN_SUBDOMAINS, .want = "xn--bcher-kva.example"},
    {"fqdn unicode refused",
     IN("b\xc3\xbc"
        "cher.example"),
     .ok = false, .want = "punycode"},
    {"fqdn unicode under wildcard refused",
     IN("*.b\xc3\xbc"
        "cher.example"),
     .ok = false, .want = "punycode"},
    {"fqdn lone 0xff refused", IN("\xff"), .ok = false, .want = "punycode"},
    /* wildcards elsewhere */
    {"fqdn wildcard mid label refused", IN("a.*.com"), .ok = false, .want = "wildcard"},
    {"fqdn wildcard last label refused", IN("example.*"), .ok = false, .want = "wildcard"},
    {"fqdn double star refused", IN("**.x.com"), .ok = false, .want = "wildcard"},
    {"fqdn two wildcard labels refused", IN("*.*.x.com"), .ok = false, .want = "wildcard"},
    {"fqdn star inside label refused", IN("ex*ample.com"), .ok = false, .want = "wildcard"},
    {"fqdn star at end refused", IN("example.com*"), .ok = false, .want = "wildcard"},
    {"fqdn two stars refused", IN("**"), .ok = false, .want = "wildcard"},
    /* empty and structure */
    {"fqdn empty refused", IN(""), .ok = false, .want = "empty destination"},
    {"fqdn blanks refused", IN("  \t "), .ok = false, .want = "empty destination"},
    {"fqdn lone dot refused", IN("."), .ok = false, .want = "empty label"},
    {"fqdn two dots refused", IN(".."), .ok = false, .want = "empty label"},
    {"fqdn leading dot refused", IN(".example.com"), .ok = false, .want = "empty label"},
    {"fqdn double dot refused", IN("example..com"), .ok = false, .want = "empty label"},
    {"fqdn two trailing dots refused", IN("example.com.."), .ok = false, .want = "empty label"},
    {"fqdn nothing after *. refused", IN("*.."), .ok = false, .want = "empty"},
    {"fqdn *.. dot refused", IN("*..example.com"), .ok = false, .want = "empty label"},
    /* bytes that are not in names */
    {"fqdn inner space refused", IN("exa mple.com"), .ok = false, .want = "letters"},
    {"fqdn embedded NUL refused", IN("exa\0mple.com"), .ok = false, .want = "letters"},
    {"fqdn trailing NUL refused", IN("example.com\0"), .ok = false, .want = "letters"},
    {"fqdn control byte refused", IN("exa\x01mple.com"), .ok = false, .want = "letters"},
    {"fqdn URL refused", IN("https://example.com"), .ok = false, .want = "letters"},
    {"fqdn port refused", IN("example.com:443"), .ok = false, .want = "letters"},
    {"fqdn path refused", IN("example.com/x"), .ok = false, .want = "letters"},
    /* lengths */
    {"fqdn label 63 accepted", IN(A63 ".example.com"), .ok = true, .form = EA_FQDN_EXACT,
     .want = A63 ".example.com"},
    {"fqdn label 64 refused", IN("a" A63 ".example.com"), .ok = false, .want = "63"},
    {"fqdn last label 64 refused", IN("example.a" A63), .ok = false, .want = "63"},
    {"fqdn name 253 accepted", .gen = {253, "", ".example.com"}, .ok = true, .form = EA_FQDN_EXACT},
    {"fqdn name 253 plus trailing dot accepted", .gen = {254, "", ".example.com."}, .ok = true,
     .form = EA_FQDN_EXACT},
    {"fqdn name 254 refused", .gen = {254, "", ".example.com"}, .ok = false, .want = "253"},
    {"fqdn name 255 refused", .gen = {255, "", ".example.com"}, .ok = false, .want = "253"},
    {"fqdn name 1000 refused", .gen = {1000, "", ".example.com"}, .ok = false, .want = "253"},
    {"fqdn subdomains 253 accepted", .gen = {255, "*.", ".example.com"}, .ok = true,
     .form = EA_FQDN_SUBDOMAINS},
    {"fqdn subdomains 254 refused", .gen = {256, "*.", ".example.com"}, .ok = false, .want = "253"},
    {"fqdn suffix 1000 refused", .gen = {1001, "*", ".example.com"}, .ok = false, .want = "253"},
    {.what = NULL},
};

static void run_fqdn_case(void **state)
{
    const struct fqdn_case *t = *state;
    char *made = t->gen.len ? (scratch.buf[0] = gen_make(&t->gen)) : NULL;
    const char *src = made ? made : t->in;
    size_t len = made ? t->gen.len : t->in_len;

    /* once with each value in the out parameters: a failure writes none */
    for (int pass = 0; pass < 2; pass++) {
        ea_rule_finish(&scratch.rule);
        guard_free(&scratch.g[0]);
        const char *in = gcopy(&scratch.g[0], src, len);
        struct ea_rule *r = &scratch.rule;
        r->form = pass ? EA_FQDN_ANY : EA_FQDN_EXACT;
        bool lookalike = pass != 0;
        const char *why = NULL;
        bool ok = rules_parse_fqdn(in, len, r, &lookalike, &why);
        if (ok != t->ok)
            fail_msg("'%.*s': got %s (%s)", (int)len, src, ok ? "ok" : "refused",
                     why ? why : "no reason");
        if (ok) {
            assert_int_equal(r->form, t->form);
            assert_int_equal(lookalike, t->lookalike);
            assert_non_null(r->fqdn.s);
            if (t->want) {
                assert_int_equal(r->fqdn.len, strlen(t->want));
                assert_string_equal(r->fqdn.s, t->want);
            } else {
                size_t hl = strlen(t->gen.head);
                size_t wl = len - hl - (src[len - 1] == '.' ? 1 : 0);
                assert_int_equal(r->fqdn.len, wl);
                assert_memory_equal(r->fqdn.s, src + hl, wl);
                assert_int_equal(r->fqdn.s[wl], '\0');
            }
        } else {
            want_why(why, t->want);
            assert_null(r->fqdn.s); /* the rule is untouched */
            assert_int_equal(r->fqdn.len, 0);
            assert_int_equal(r->form, pass ? EA_FQDN_ANY : EA_FQDN_EXACT);
            assert_int_equal(lookalike, pass != 0);
        }
    }
}

/* ---- rules_match_fqdn: (pattern, name, match?) ---- */

struct match_case {
    const char *what;
    const char *pat; /* NUL-terminated; unless pgen.len */
    struct gen pgen;
    const char *name; /* with name_len (may hold NUL); unless ngen.len */
    size_t name_len;
    struct gen ngen;
    bool want;
};

#define NAME(s) .name = (s), .name_len = sizeof(s) - 1

static const struct match_case match_cases[] = {
    /* example.com: only that name */
    {"exact same", "example.com", NAME("example.com"), .want = true},
    {"exact name in upper case", "example.com", NAME("ExAmPlE.CoM"), .want = true},
    {"exact pattern in upper case", "EXAMPLE.COM", NAME("example.com"), .want = true},
    {"exact name with trailing dot", "example.com", NAME("example.com."), .want = true},
    {"exact pattern with trailing dot", "example.com.", NAME("example.com"), .want = true},
    {"exact both with trailing dot", "example.com.", NAME("EXAMPLE.COM."), .want = true},
    {"exact padded pattern", " \texample.com\t ", NAME("example.com"), .want = true},
    {"exact not a subdomain", "example.com", NAME("www.example.com"), .want = false},
    {"exact not a look-alike", "example.com", NAME("badexample.com"), .want = false},
    {"exact not the parent", "www.example.com", NAME("example.com"), .want = false},
    {"exact not a prefix", "example.com", NAME("example.co"), .want = false},
    {"exact not longer", "example.com", NAME("example.com.evil"), .want = false},
    {"exact not two trailing dots", "example.com", NAME("example.com.."), .want = false},
    {"exact not leading dot", "example.com", NAME(".example.com"), .want = false},
    {"exact name not trimmed", "example.com", NAME("example.com "), .want = false},
    {"exact other tld", "example.com", NAME("example.org"), .want = false},
    /* *.example.com: any depth below, never the apex */
    {"sub one label", "*.example.com", NAME("a.example.com"), .want = true},
    {"sub two labels", "*.example.com", NAME("a.b.example.com"), .want = true},
    {"sub four labels", "*.example.com", NAME("a.b.c.d.example.com"), .want = true},
    {"sub upper case name", "*.example.com", NAME("WWW.EXAMPLE.COM"), .want = true},
    {"sub name trailing dot", "*.example.com", NAME("www.example.com."), .want = true},
    {"sub pattern trailing dot", "*.example.com.", NAME("a.example.com"), .want = true},
    {"sub mixed case pattern", "*.Example.Com", NAME("x.EXAMPLE.com"), .want = true},
    {"sub never the apex", "*.example.com", NAME("example.com"), .want = false},
    {"sub never the apex with dot", "*.example.com", NAME("example.com."), .want = false},
    {"sub never the apex upper", "*.example.com", NAME("EXAMPLE.COM"), .want = false},
    {"sub not a look-alike", "*.example.com", NAME("badexample.com"), .want = false},
    {"sub not label-glued", "*.example.com", NAME("xexample.com"), .want = false},
    {"sub not a longer name", "*.example.com", NAME("a.example.com.evil.net"), .want = false},
    {"sub not a shorter tld", "*.example.com", NAME("a.example.co"), .want = false},
    {"sub needs a label", "*.example.com", NAME(".example.com"), .want = false},
    /* *example.com: a plain suffix */
    {"suffix the apex", "*example.com", NAME("example.com"), .want = true},
    {"suffix a look-alike", "*example.com", NAME("badexample.com"), .want = true},
    {"suffix a subdomain", "*example.com", NAME("x.example.com"), .want = true},
    {"suffix deep", "*example.com", NAME("a.b.example.com"), .want = true},
    {"suffix upper, trailing dot", "*example.com", NAME("EXAMPLE.COM."), .want = true},
    {"suffix not shorter", "*example.com", NAME("xample.com"), .want = false},
    {"suffix not other tld", "*example.com", NAME("example.org"), .want = false},
    {"suffix not longer", "*example.com", NAME("example.com.evil"), .want = false},
    /* *: everything */
    {"any a name", "*", NAME("example.com"), .want = true},
    {"any one byte", "*", NAME("a"), .want = true},
    {"any lone dot", "*", NAME("."), .want = true},
    {"any a NUL", "*", NAME("\0"), .want = true},
    {"any embedded NUL", "*", NAME("evil\0name"), .want = true},
    {"any non-ASCII", "*", NAME("\xff\xfe"), .want = true},
    {"any unicode", "*",
     NAME("B\xc3\x9c"
          "CHER.example"),
     .want = true},
    {"any 255 bytes", "*", .ngen = {255, "", ".example.com"}, .want = true},
    {"any 1000 bytes", "*", .ngen = {1000, "", ""}, .want = true},
    /* IDN */
    {"idn punycode", "xn--bcher-kva.example", NAME("xn--bcher-kva.example"), .want = true},
    {"idn punycode upper name", "xn--bcher-kva.example", NAME("XN--BCHER-KVA.example"),
     .want = true},
    {"idn punycode upper pattern", "XN--BCHER-KVA.EXAMPLE", NAME("xn--bcher-kva.example"),
     .want = true},
    {"idn punycode mixed, dot", "xn--bcher-kva.example", NAME("Xn--Bcher-Kva.Example."),
     .want = true},
    {"idn unicode name vs punycode", "xn--bcher-kva.example",
     NAME("b\xc3\xbc"
          "cher.example"),
     .want = false},
    {"idn punycode not longer", "xn--bcher-kva.example", NAME("xn--bcher-kva.example.org"),
     .want = false},
    {"idn sub punycode", "*.xn--bcher-kva.example", NAME("www.XN--BCHER-KVA.EXAMPLE"),
     .want = true},
    {"idn sub punycode label", "*.example", NAME("xn--bcher-kva.example"), .want = true},
    {"idn sub raw unicode label", "*.example",
     NAME("b\xc3\xbc"
          "cher.example"),
     .want = false},
    /* hostile: empty, one byte, a dot */
    {"hostile empty vs exact", "example.com", NAME(""), .want = false},
    {"hostile empty vs sub", "*.example.com", NAME(""), .want = false},
    {"hostile empty vs suffix", "*example.com", NAME(""), .want = false},
    {"hostile 1 byte vs exact", "example.com", NAME("e"), .want = false},
    {"hostile 1 byte vs 1 byte", "a", NAME("a"), .want = true},
    {"hostile 1 byte upper with dot", "a", NAME("A."), .want = true},
    {"hostile 1 byte vs sub", "*.a", NAME("a"), .want = false},
    {"hostile lone dot vs exact", "example.com", NAME("."), .want = false},
    {"hostile lone dot vs sub", "*.example.com", NAME("."), .want = false},
    {"hostile lone dot vs suffix", "*example.com", NAME("."), .want = false},
    {"hostile lone NUL vs exact", "example.com", NAME("\0"), .want = false},
    /* hostile: NUL, control and non-ASCII bytes */
    {"hostile NUL after exact", "example.com", NAME("example.com\0"), .want = false},
    {"hostile NUL before exact", "example.com", NAME("\0example.com"), .want = false},
    {"hostile NUL for dot", "example.com", NAME("example\0com"), .want = false},
    {"hostile NUL after sub", "*.example.com", NAME("a.example.com\0"), .want = false},
    {"hostile NUL after suffix", "*example.com", NAME("example.com\0"), .want = false},
    {"hostile NUL in sub label", "*.example.com", NAME("evil\0.example.com"), .want = false},
    {"hostile NUL label in sub", "*.example.com", NAME("\0.example.com"), .want = false},
    {"hostile newline label in sub", "*.example.com", NAME("\n.example.com"), .want = false},
    {"hostile DEL label in sub", "*.example.com", NAME("\x7f.example.com"), .want = false},
    {"hostile control in sub label", "*.example.com",
     NAME("a\x01"
          "b.example.com"),
     .want = false},
    {"hostile space in sub label", "*.example.com", NAME("a b.example.com"), .want = false},
    {"hostile control before suffix", "*example.com",
     NAME("\x01"
          "example.com"),
     .want = false},
    {"hostile UTF-8 before suffix", "*example.com",
     NAME("bad\xc3\xa9"
          "example.com"),
     .want = false},
    /* a name equal to the pattern plus a trailing dot */
    {"pattern-as-name exact", "example.com", NAME("example.com."), .want = true},
    {"pattern-as-name punycode", "xn--bcher-kva.example", NAME("xn--bcher-kva.example."),
     .want = true},
    {"pattern-as-name sub", "*.example.com", NAME("*.example.com."), .want = false},
    {"pattern-as-name suffix", "*example.com", NAME("*example.com."), .want = false},
    {"pattern-as-name any", "*", NAME("*."), .want = true},
    /* hostile lengths: 63-byte labels, 253/254/255/1000-byte names; a name longer
     * than 253 bytes is not a DNS name: only "*" permits it */
    {"len label 63", A63 ".example.com", NAME(A63 ".example.com"), .want = true},
    {"len label 64 vs 63", A63 ".example.com", NAME("a" A63 ".example.com"), .want = false},
    {"len 253 exact", NULL, .pgen = {253, "", ".example.com"}, .ngen = {253, "", ".example.com"},
     .want = true},
    {"len 253 exact, name with dot (254)", NULL, .pgen = {253, "", ".example.com"},
     .ngen = {254, "", ".example.com."}, .want = true},
    {"len 253 exact vs 254", NULL, .pgen = {253, "", ".example.com"},
     .ngen = {254, "", ".example.com"}, .want = false},
    {"len 253 under sub", "*.example.com", .ngen = {253, "", ".example.com"}, .want = true},
    {"len 254 with dot under sub", "*.example.com", .ngen = {254, "", ".example.com."},
     .want = true},
    {"len 254 under sub", "*.example.com", .ngen = {254, "", ".example.com"}, .want = false},
    {"len 255 under sub", "*.example.com", .ngen = {255, "", ".example.com"}, .want = false},
    {"len 1000 under sub", "*.example.com", .ngen = {1000, "", ".example.com"}, .want = false},
    {"len 1000 under suffix", "*example.com", .ngen = {1000, "", ".example.com"}, .want = false},
    {"len 1000 vs exact", "example.com", .ngen = {1000, "", ".example.com"}, .want = false},
    {"len 1000 vs other sub", "*.example.org", .ngen = {1000, "", ".example.com"}, .want = false},
    {"len 1000 without the suffix", "*.example.com", .ngen = {1000, "", ""}, .want = false},
    {.what = NULL},
};

static void run_match_case(void **state)
{
    const struct match_case *t = *state;
    char *pmade = t->pgen.len ? (scratch.buf[0] = gen_make(&t->pgen)) : NULL;
    char *nmade = t->ngen.len ? (scratch.buf[1] = gen_make(&t->ngen)) : NULL;
    const char *pat = pmade ? pmade : t->pat;
    const char *src = nmade ? nmade : t->name;
    size_t len = nmade ? t->ngen.len : t->name_len;

    struct ea_rule *rule = &scratch.rule;
    rule->kind = EA_RULE_FQDN;
    parse_pattern(rule, pat, strlen(pat));

    const char *name = gcopy(&scratch.g[0], src, len);
    bool got = rules_match_fqdn(rule, name, len);
    if (got != t->want)
        fail_msg("pattern '%s' vs name of %zu bytes: got %s, want %s", pat, len,
                 got ? "match" : "no match", t->want ? "match" : "no match");
    /* the same bytes again, upper-cased ASCII: case never changes the answer */
    char *up = scratch.buf[2] = malloc(len + 1);
    assert_non_null(up);
    for (size_t i = 0; i < len; i++)
        up[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 'a' + 'A') : src[i];
    const char *uname = gcopy(&scratch.g[1], up, len);
    assert_int_equal(rules_match_fqdn(rule, uname, len), t->want);
}

/* ---- a few checks that are not rows ---- */

/* Matching is the pattern's business: the rule must be an FQDN rule, and an
 * inactive one still matches (status is the caller's). */
static void test_match_kind_and_status(void **state)
{
    struct ea_rule *rule = &scratch.rule;
    parse_pattern(rule, "*", 1);
    rule->kind = EA_RULE_FQDN;
    assert_true(rules_match_fqdn(rule, "example.com", 11));
    rule->inactive = true;
    assert_true(rules_match_fqdn(rule, "example.com", 11));
    rule->kind = EA_RULE_CIDR;
    assert_false(rules_match_fqdn(rule, "example.com", 11));
    rule->kind = EA_RULE_SERVICE_TAG;
    assert_false(rules_match_fqdn(rule, "example.com", 11));
    rule->kind = EA_RULE_PRIVATE_ENDPOINT;
    assert_false(rules_match_fqdn(rule, "example.com", 11));
    ea_rule_finish(rule);
}

/* Parsing into a rule that already holds a pattern replaces it (no leak under
 * ASan), and the look-alike flag is optional. */
static void test_parse_replaces(void **state)
{
    struct ea_rule *rule = &scratch.rule;
    const char *why = NULL;
    assert_true(rules_parse_fqdn("*.example.com", 13, rule, NULL, &why));
    assert_int_equal(rule->form, EA_FQDN_SUBDOMAINS);
    assert_true(rules_parse_fqdn("*Other.org", 10, rule, NULL, &why));
    assert_int_equal(rule->form, EA_FQDN_SUFFIX);
    assert_string_equal(rule->fqdn.s, "other.org");
    /* a refused pattern leaves the old one in place */
    assert_false(rules_parse_fqdn("a.*.b", 5, rule, NULL, &why));
    assert_int_equal(rule->form, EA_FQDN_SUFFIX);
    assert_string_equal(rule->fqdn.s, "other.org");
    assert_true(rules_parse_fqdn("*", 1, rule, NULL, &why));
    assert_int_equal(rule->form, EA_FQDN_ANY);
    assert_int_equal(rule->fqdn.len, 0);
    ea_rule_finish(rule);
    ea_rule_finish(rule); /* finishing twice is harmless */
    ea_rule_finish(NULL);
}

/* ---- rules_parse_cidr ---- */

struct cidr_case {
    const char *what;
    const char *in;
    size_t in_len;
    bool ok;
    uint8_t family, plen;
    const char *addr; /* ok: the network address as text; else a reason substring */
};

static const struct cidr_case cidr_cases[] = {
    {"cidr v4 /8", IN("10.0.0.0/8"), true, 4, 8, "10.0.0.0"},
    {"cidr v4 /24", IN("192.168.1.0/24"), true, 4, 24, "192.168.1.0"},
    {"cidr v4 /25 upper half", IN("192.168.1.128/25"), true, 4, 25, "192.168.1.128"},
    {"cidr v4 /12", IN("172.16.0.0/12"), true, 4, 12, "172.16.0.0"},
    {"cidr v4 /0", IN("0.0.0.0/0"), true, 4, 0, "0.0.0.0"},
    {"cidr v4 /32", IN("10.0.0.1/32"), true, 4, 32, "10.0.0.1"},
    {"cidr v4 bare is /32", IN("203.0.113.9"), true, 4, 32, "203.0.113.9"},
    {"cidr v4 broadcast bare", IN("255.255.255.255"), true, 4, 32, "255.255.255.255"},
    {"cidr v4 host bits /8", IN("10.0.0.1/8"), false, 0, 0, "host bits set"},
    {"cidr v4 host bits /0", IN("1.2.3.4/0"), false, 0, 0, "host bits set"},
    {"cidr v4 host bits /25", IN("192.168.1.64/25"), false, 0, 0, "host bits set"},
    {"cidr v4 host bits /31", IN("10.0.0.1/31"), false, 0, 0, "host bits set"},
    {"cidr v4 /33", IN("10.0.0.0/33"), false, 0, 0, "prefix"},
    {"cidr v4 huge prefix", IN("10.0.0.0/99999999999999999999"), false, 0, 0, "prefix"},
    {"cidr v4 empty prefix", IN("10.0.0.0/"), false, 0, 0, "prefix"},
    {"cidr v4 negative prefix", IN("10.0.0.0/-1"), false, 0, 0, "prefix"},
    {"cidr v4 two slashes", IN("10.0.0.0/8/8"), false, 0, 0, "prefix"},
    {"cidr v4 space in prefix", IN("10.0.0.0/ 8"), false, 0, 0, "prefix"},
    {"cidr v4 hex prefix", IN("10.0.0.0/0x8"), false, 0, 0, "prefix"},
    {"cidr v4 NUL in prefix", IN("10.0.0.0/8\0"), false, 0, 0, "prefix"},
    {"cidr v4 three octets", IN("10.0.0/8"), false, 0, 0, "address"},
    {"cidr v4 octet 256", IN("10.0.0.256"), false, 0, 0, "address"},
    {"cidr v4 NUL inside address", IN("10.0.0.0\0junk/8"), false, 0, 0, "address"},
    {"cidr v4 NUL after bare address", IN("10.0.0.1\0"), false, 0, 0, "address"},
    {"cidr v6 /32", IN("2001:db8::/32"), true, 6, 32, "2001:db8::"},
    {"cidr v6 /64", IN("2001:db8:1:2::/64"), true, 6, 64, "2001:db8:1:2::"},
    {"cidr v6 /0", IN("::/0"), true, 6, 0, "::"},
    {"cidr v6 /128", IN("::1/128"), true, 6, 128, "::1"},
    {"cidr v6 bare is /128", IN("2001:db8::5"), true, 6, 128, "2001:db8::5"},
    {"cidr v6 /10", IN("fe80::/10"), true, 6, 10, "fe80::"},
    {"cidr v6 mapped v4", IN("::ffff:10.0.0.0/104"), true, 6, 104, "::ffff:10.0.0.0"},
    {"cidr v6 host bits", IN("2001:db8::1/32"), false, 0, 0, "host bits set"},
    {"cidr v6 host bits /127", IN("::1/127"), false, 0, 0, "host bits set"},
    {"cidr v6 /129", IN("2001:db8::/129"), false, 0, 0, "prefix"},
    {"cidr v6 triple colon", IN("2001:db8:::/32"), false, 0, 0, "address"},
    {"cidr v6 zone id", IN("fe80::1%eth0"), false, 0, 0, "address"},
    {"cidr v6 brackets", IN("[2001:db8::]/32"), false, 0, 0, "address"},
    {"cidr empty", IN(""), false, 0, 0, "empty"},
    {"cidr only prefix", IN("/8"), false, 0, 0, "empty"},
    {"cidr only slash", IN("/"), false, 0, 0, "empty"},
    {"cidr garbage", IN("garbage"), false, 0, 0, "address"},
    {"cidr hostname", IN("example.com/24"), false, 0, 0, "address"},
    {"cidr 1 byte", IN("1"), false, 0, 0, "address"},
    {"cidr long address", IN("1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb/64"), false, 0,
     0, "too long"},
    {.what = NULL},
};

static void run_cidr_case(void **state)
{
    const struct cidr_case *t = *state;
    const char *in = gcopy(&scratch.g[0], t->in, t->in_len);
    struct ea_net net;
    memset(&net, 0xA5, sizeof net);
    const char *why = NULL;
    bool ok = rules_parse_cidr(in, t->in_len, &net, &why);
    if (ok != t->ok)
        fail_msg("'%.*s': got %s (%s)", (int)t->in_len, t->in, ok ? "ok" : "refused",
                 why ? why : "no reason");
    if (ok) {
        struct ea_addr want = {0};
        want.family = t->family;
        assert_int_equal(inet_pton(t->family == 4 ? AF_INET : AF_INET6, t->addr, want.b), 1);
        assert_int_equal(net.addr.family, t->family);
        assert_int_equal(net.len, t->plen);
        assert_memory_equal(net.addr.b, want.b, sizeof want.b);
    } else {
        want_why(why, t->addr);
        for (size_t i = 0; i < sizeof net; i++) /* untouched */
            assert_int_equal(((const uint8_t *)&net)[i], 0xA5);
    }
}

/* A long input: one byte past the longest address text, then 1000 bytes. */
static void test_cidr_long(void **state)
{
    char buf[1000];
    memset(buf, '1', sizeof buf);
    size_t lens[] = {1, 53, 54, 55, 255, 1000};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        struct guarded g = {0};
        const char *in = gcopy(&g, buf, lens[k]);
        struct ea_net net;
        const char *why = NULL;
        assert_false(rules_parse_cidr(in, lens[k], &net, &why));
        assert_non_null(why);
        guard_free(&g);
    }
}

/* ---- rules_parse_ports ---- */

struct ports_case {
    const char *what;
    const char *in;
    size_t in_len;
    bool ok;
    size_t n; /* 0 with ok: any port */
    struct ea_port_range want[4];
    const char *why;
};

static const struct ports_case ports_cases[] = {
    {"ports one", IN("443"), true, 1, {{443, 443}}, NULL},
    {"ports lowest", IN("1"), true, 1, {{1, 1}}, NULL},
    {"ports highest", IN("65535"), true, 1, {{65535, 65535}}, NULL},
    {"ports two", IN("80,8080"), true, 2, {{80, 80}, {8080, 8080}}, NULL},
    {"ports two spaced", IN("80, 8080"), true, 2, {{80, 80}, {8080, 8080}}, NULL},
    {"ports spaced around", IN(" 80 , 8080 "), true, 2, {{80, 80}, {8080, 8080}}, NULL},
    {"ports tab around", IN("\t443\t"), true, 1, {{443, 443}}, NULL},
    {"ports range", IN("1000-2000"), true, 1, {{1000, 2000}}, NULL},
    {"ports range of one", IN("443-443"), true, 1, {{443, 443}}, NULL},
    {"ports full range", IN("1-65535"), true, 1, {{1, 65535}}, NULL},
    {"ports mixed", IN("80,443,1000-2000"), true, 3, {{80, 80}, {443, 443}, {1000, 2000}}, NULL},
    {"ports any", IN("*"), true, 0, {{0, 0}}, NULL},
    {"ports any padded", IN(" * "), true, 0, {{0, 0}}, NULL},
    {"ports zero", IN("0"), false, 0, {{0, 0}}, "bad port"},
    {"ports zero in range", IN("0-80"), false, 0, {{0, 0}}, "bad port"},
    {"ports 65536", IN("65536"), false, 0, {{0, 0}}, "bad port"},
    {"ports 99999", IN("99999"), false, 0, {{0, 0}}, "bad port"},
    {"ports six digits", IN("100000"), false, 0, {{0, 0}}, "bad port"},
    {"ports upside down", IN("2000-1000"), false, 0, {{0, 0}}, "upside down"},
    {"ports empty", IN(""), false, 0, {{0, 0}}, "empty"},
    {"ports blanks", IN("  \t"), false, 0, {{0, 0}}, "empty"},
    {"ports trailing comma", IN("80,"), false, 0, {{0, 0}}, "comma"},
    {"ports trailing comma space", IN("80, "), false, 0, {{0, 0}}, "comma"},
    {"ports leading comma", IN(",80"), false, 0, {{0, 0}}, "bad port"},
    {"ports double comma", IN("80,,443"), false, 0, {{0, 0}}, "bad port"},
    {"ports lone comma", IN(","), false, 0, {{0, 0}}, "bad port"},
    {"ports letter", IN("a"), false, 0, {{0, 0}}, "bad port"},
    {"ports name", IN("https"), false, 0, {{0, 0}}, "bad port"},
    {"ports open range high", IN("80-"), false, 0, {{0, 0}}, "bad port"},
    {"ports open range low", IN("-80"), false, 0, {{0, 0}}, "bad port"},
    {"ports lone dash", IN("-"), false, 0, {{0, 0}}, "bad port"},
    {"ports two dashes", IN("80-90-100"), false, 0, {{0, 0}}, "bad port"},
    {"ports sign", IN("+80"), false, 0, {{0, 0}}, "bad port"},
    {"ports space separated", IN("80 8080"), false, 0, {{0, 0}}, "bad port"},
    {"ports two stars", IN("**"), false, 0, {{0, 0}}, "bad port"},
    {"ports star in list", IN("*,80"), false, 0, {{0, 0}}, "bad port"},
    {"ports NUL after", IN("80\0"), false, 0, {{0, 0}}, "bad port"},
    {"ports NUL inside",
     IN("4\0"
        "43"),
     false,
     0,
     {{0, 0}},
     "bad port"},
    {.what = NULL},
};

static void run_ports_case(void **state)
{
    const struct ports_case *t = *state;
    const char *in = gcopy(&scratch.g[0], t->in, t->in_len);
    struct ea_port_range sentinel = {7, 7};
    struct ea_port_range *out = &sentinel;
    size_t n = 12345;
    const char *why = NULL;
    bool ok = rules_parse_ports(in, t->in_len, &out, &n, &why);
    if (ok)
        scratch.ports = out;
    if (ok != t->ok)
        fail_msg("'%.*s': got %s (%s)", (int)t->in_len, t->in, ok ? "ok" : "refused",
                 why ? why : "no reason");
    if (ok) {
        assert_int_equal(n, t->n);
        if (t->n == 0)
            assert_null(out);
        for (size_t i = 0; i < t->n; i++) {
            assert_int_equal(out[i].lo, t->want[i].lo);
            assert_int_equal(out[i].hi, t->want[i].hi);
        }
    } else {
        want_why(why, t->why);
        assert_ptr_equal(out, &sentinel); /* untouched */
        assert_int_equal(n, 12345);
    }
}

/* Long lists: each either parsed in full or refused with a reason. */
static void test_ports_long_list(void **state)
{
    size_t counts[] = {64, 65, 1000};
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        size_t cap = counts[k] * 6 + 1;
        scratch_free(NULL);
        char *s = scratch.buf[0] = malloc(cap);
        assert_non_null(s);
        size_t len = 0;
        for (size_t i = 0; i < counts[k]; i++) {
            int w = snprintf(s + len, cap - len, "%s%zu", i ? "," : "", i + 1);
            assert_true(w > 0);
            len += (size_t)w;
        }
        const char *in = gcopy(&scratch.g[0], s, len);
        struct ea_port_range *out = NULL;
        size_t n = 0;
        const char *why = NULL;
        if (rules_parse_ports(in, len, &out, &n, &why)) {
            scratch.ports = out;
            assert_int_equal(n, counts[k]);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(out[i].lo, i + 1);
                assert_int_equal(out[i].hi, i + 1);
            }
        } else {
            assert_non_null(why);
            assert_null(out);
        }
    }
}

/* ---- rules_parse_protocol ---- */

struct proto_case {
    const char *what;
    const char *in;
    size_t in_len;
    bool ok;
    uint8_t want;
};

static const struct proto_case proto_cases[] = {
    {"proto TCP", IN("TCP"), true, EA_TCP},
    {"proto tcp", IN("tcp"), true, EA_TCP},
    {"proto Tcp", IN("Tcp"), true, EA_TCP},
    {"proto UDP", IN("UDP"), true, EA_UDP},
    {"proto udp", IN("udp"), true, EA_UDP},
    {"proto ANY", IN("ANY"), true, 0},
    {"proto any", IN("any"), true, 0},
    {"proto aNy", IN("aNy"), true, 0},
    {"proto star", IN("*"), true, 0},
    {"proto ICMP refused", IN("ICMP"), false, 0},
    {"proto icmp refused", IN("icmp"), false, 0},
    {"proto empty refused", IN(""), false, 0},
    {"proto tc refused", IN("tc"), false, 0},
    {"proto tcpx refused", IN("tcpx"), false, 0},
    {"proto tcp NUL refused", IN("tcp\0"), false, 0},
    {"proto number refused", IN("6"), false, 0},
    {"proto two stars refused", IN("**"), false, 0},
    {"proto t NUL p refused", IN("t\0p"), false, 0},
    {.what = NULL},
};

static void run_proto_case(void **state)
{
    const struct proto_case *t = *state;
    const char *in = gcopy(&scratch.g[0], t->in, t->in_len);
    uint8_t out = 0xAA;
    const char *why = NULL;
    bool ok = rules_parse_protocol(in, t->in_len, &out, &why);
    if (ok != t->ok)
        fail_msg("'%.*s': got %s", (int)t->in_len, t->in, ok ? "ok" : "refused");
    if (ok) {
        assert_int_equal(out, t->want);
    } else {
        want_why(why, "protocol");
        assert_int_equal(out, 0xAA);
    }
}

/* ---- rules_match_addr and rules_match_port ---- */

static struct ea_addr addr_of(const char *text)
{
    struct ea_addr a = {0};
    if (!text)
        return a; /* family 0: none */
    if (inet_pton(AF_INET, text, a.b) == 1)
        a.family = 4;
    else if (inet_pton(AF_INET6, text, a.b) == 1)
        a.family = 6;
    else
        fail_msg("bad address in the table: %s", text);
    return a;
}

/* A rule from its parts, through the parsers. nets, ports, proto may be
 * NULL (no nets, any port, any protocol). */
static void rule_build(struct ea_rule *rule, enum ea_rule_kind kind, const char *const nets[3],
                       const char *ports, const char *proto)
{
    const char *why = NULL;
    memset(rule, 0, sizeof *rule);
    rule->kind = kind;
    size_t n = 0;
    while (n < 3 && nets[n])
        n++;
    if (n) {
        rule->nets = calloc(n, sizeof *rule->nets);
        assert_non_null(rule->nets);
        for (size_t i = 0; i < n; i++) {
            struct guarded g = {0};
            size_t len = strlen(nets[i]);
            const char *in = gcopy(&g, nets[i], len);
            if (!rules_parse_cidr(in, len, &rule->nets[i], &why))
                fail_msg("table CIDR '%s' refused: %s", nets[i], why);
            guard_free(&g);
        }
        rule->n_nets = n;
    }
    if (ports) {
        struct guarded g = {0};
        size_t len = strlen(ports);
        const char *in = gcopy(&g, ports, len);
        if (!rules_parse_ports(in, len, &rule->ports, &rule->n_ports, &why))
            fail_msg("table ports '%s' refused: %s", ports, why);
        guard_free(&g);
    }
    if (proto) {
        struct guarded g = {0};
        size_t len = strlen(proto);
        const char *in = gcopy(&g, proto, len);
        if (!rules_parse_protocol(in, len, &rule->protocol, &why))
            fail_msg("table protocol '%s' refused: %s", proto, why);
        guard_free(&g);
    }
}

struct addr_case {
    const char *what;
    enum ea_rule_kind kind;
    const char *nets[3];
    const char *ports; /* NULL: any */
    const char *proto; /* NULL: any */
    const char *addr;  /* NULL: family 0 */
    uint16_t port;
    uint8_t transport;
    bool want;
};

#define CIDR EA_RULE_CIDR
#define TAG EA_RULE_SERVICE_TAG

static const struct addr_case addr_cases[] = {
    /* v4 prefixes */
    {"addr v4 inside /8", CIDR, {"10.0.0.0/8"}, NULL, NULL, "10.1.2.3", 443, EA_TCP, true},
    {"addr v4 /8 first", CIDR, {"10.0.0.0/8"}, NULL, NULL, "10.0.0.0", 443, EA_TCP, true},
    {"addr v4 /8 last", CIDR, {"10.0.0.0/8"}, NULL, NULL, "10.255.255.255", 443, EA_TCP, true},
    {"addr v4 below /8", CIDR, {"10.0.0.0/8"}, NULL, NULL, "9.255.255.255", 443, EA_TCP, false},
    {"addr v4 above /8", CIDR, {"10.0.0.0/8"}, NULL, NULL, "11.0.0.0", 443, EA_TCP, false},
    {"addr v4 /12 inside", CIDR, {"172.16.0.0/12"}, NULL, NULL, "172.31.255.255", 80, EA_TCP, true},
    {"addr v4 /12 outside", CIDR, {"172.16.0.0/12"}, NULL, NULL, "172.32.0.0", 80, EA_TCP, false},
    {"addr v4 /25 inside",
     CIDR,
     {"192.168.1.128/25"},
     NULL,
     NULL,
     "192.168.1.200",
     80,
     EA_TCP,
     true},
    {"addr v4 /25 outside",
     CIDR,
     {"192.168.1.128/25"},
     NULL,
     NULL,
     "192.168.1.127",
     80,
     EA_TCP,
     false},
    {"addr v4 /0 any v4", CIDR, {"0.0.0.0/0"}, NULL, NULL, "203.0.113.9", 1, EA_UDP, true},
    {"addr v4 /32 same", CIDR, {"192.0.2.7/32"}, NULL, NULL, "192.0.2.7", 443, EA_TCP, true},
    {"addr v4 bare same", CIDR, {"192.0.2.7"}, NULL, NULL, "192.0.2.7", 443, EA_TCP, true},
    {"addr v4 /32 next", CIDR, {"192.0.2.7/32"}, NULL, NULL, "192.0.2.8", 443, EA_TCP, false},
    {"addr v4 /32 previous", CIDR, {"192.0.2.7"}, NULL, NULL, "192.0.2.6", 443, EA_TCP, false},
    /* v6 prefixes */
    {"addr v6 /64 inside",
     CIDR,
     {"2001:db8:1:2::/64"},
     NULL,
     NULL,
     "2001:db8:1:2:ffff::1",
     443,
     EA_TCP,
     true},
    {"addr v6 /64 outside",
     CIDR,
     {"2001:db8:1:2::/64"},
     NULL,
     NULL,
     "2001:db8:1:3::1",
     443,
     EA_TCP,
     false},
    {"addr v6 /128 same", CIDR, {"2001:db8::5/128"}, NULL, NULL, "2001:db8::5", 443, EA_TCP, true},
    {"addr v6 bare same", CIDR, {"2001:db8::5"}, NULL, NULL, "2001:db8::5", 443, EA_TCP, true},
    {"addr v6 /128 next", CIDR, {"2001:db8::5/128"}, NULL, NULL, "2001:db8::6", 443, EA_TCP, false},
    {"addr v6 /0 any v6", CIDR, {"::/0"}, NULL, NULL, "2001:db8::1", 443, EA_TCP, true},
    {"addr v6 /10 inside", CIDR, {"fe80::/10"}, NULL, NULL, "febf::1", 443, EA_TCP, true},
    {"addr v6 /10 outside", CIDR, {"fe80::/10"}, NULL, NULL, "fec0::1", 443, EA_TCP, false},
    /* family mismatch */
    {"addr v4 /0 vs v6", CIDR, {"0.0.0.0/0"}, NULL, NULL, "::1", 443, EA_TCP, false},
    {"addr v6 /0 vs v4", CIDR, {"::/0"}, NULL, NULL, "10.0.0.1", 443, EA_TCP, false},
    {"addr v4 /8 vs mapped v6",
     CIDR,
     {"10.0.0.0/8"},
     NULL,
     NULL,
     "::ffff:10.0.0.1",
     443,
     EA_TCP,
     false},
    {"addr v4 /0 vs no address", CIDR, {"0.0.0.0/0"}, NULL, NULL, NULL, 443, EA_TCP, false},
    {"addr v6 /0 vs no address", CIDR, {"::/0"}, NULL, NULL, NULL, 443, EA_TCP, false},
    /* ports */
    {"addr port 443 in", CIDR, {"10.0.0.0/8"}, "443", NULL, "10.0.0.1", 443, EA_TCP, true},
    {"addr port 443 out", CIDR, {"10.0.0.0/8"}, "443", NULL, "10.0.0.1", 80, EA_TCP, false},
    {"addr port list second",
     CIDR,
     {"10.0.0.0/8"},
     "80, 8080",
     NULL,
     "10.0.0.1",
     8080,
     EA_TCP,
     true},
    {"addr port list none", CIDR, {"10.0.0.0/8"}, "80,8080", NULL, "10.0.0.1", 8081, EA_TCP, false},
    {"addr port range low",
     CIDR,
     {"10.0.0.0/8"},
     "1000-2000",
     NULL,
     "10.0.0.1",
     1000,
     EA_TCP,
     true},
    {"addr port range high",
     CIDR,
     {"10.0.0.0/8"},
     "1000-2000",
     NULL,
     "10.0.0.1",
     2000,
     EA_TCP,
     true},
    {"addr port range below",
     CIDR,
     {"10.0.0.0/8"},
     "1000-2000",
     NULL,
     "10.0.0.1",
     999,
     EA_TCP,
     false},
    {"addr port range above",
     CIDR,
     {"10.0.0.0/8"},
     "1000-2000",
     NULL,
     "10.0.0.1",
     2001,
     EA_TCP,
     false},
    {"addr port star", CIDR, {"10.0.0.0/8"}, "*", NULL, "10.0.0.1", 65535, EA_UDP, true},
    {"addr port right, address wrong",
     CIDR,
     {"10.0.0.0/8"},
     "443",
     NULL,
     "11.0.0.1",
     443,
     EA_TCP,
     false},
    /* protocol */
    {"addr tcp rule, tcp", CIDR, {"10.0.0.0/8"}, NULL, "TCP", "10.0.0.1", 443, EA_TCP, true},
    {"addr tcp rule, udp", CIDR, {"10.0.0.0/8"}, NULL, "TCP", "10.0.0.1", 443, EA_UDP, false},
    {"addr udp rule, udp 53", CIDR, {"10.0.0.0/8"}, "53", "udp", "10.0.0.1", 53, EA_UDP, true},
    {"addr udp rule, tcp 53", CIDR, {"10.0.0.0/8"}, "53", "udp", "10.0.0.1", 53, EA_TCP, false},
    {"addr any rule, udp", CIDR, {"10.0.0.0/8"}, NULL, "ANY", "10.0.0.1", 443, EA_UDP, true},
    {"addr star rule, tcp", CIDR, {"10.0.0.0/8"}, NULL, "*", "10.0.0.1", 443, EA_TCP, true},
    /* service tags and other kinds */
    {"addr tag v4 net",
     TAG,
     {"20.0.0.0/8", "2603:1000::/24"},
     "443",
     "TCP",
     "20.1.1.1",
     443,
     EA_TCP,
     true},
    {"addr tag v6 net",
     TAG,
     {"20.0.0.0/8", "2603:1000::/24"},
     "443",
     "TCP",
     "2603:10ff::1",
     443,
     EA_TCP,
     true},
    {"addr tag no net covers",
     TAG,
     {"20.0.0.0/8", "2603:1000::/24"},
     NULL,
     NULL,
     "21.0.0.1",
     443,
     EA_TCP,
     false},
    {"addr tag without addresses", TAG, {NULL}, NULL, NULL, "20.1.1.1", 443, EA_TCP, false},
    {"addr fqdn kind never",
     EA_RULE_FQDN,
     {"0.0.0.0/0"},
     NULL,
     NULL,
     "10.0.0.1",
     443,
     EA_TCP,
     false},
    {"addr private endpoint never",
     EA_RULE_PRIVATE_ENDPOINT,
     {"0.0.0.0/0"},
     NULL,
     NULL,
     "10.0.0.1",
     443,
     EA_TCP,
     false},
    {.what = NULL},
};

static void run_addr_case(void **state)
{
    const struct addr_case *t = *state;
    struct ea_rule *rule = &scratch.rule;
    rule_build(rule, t->kind, t->nets, t->ports, t->proto);
    struct ea_addr a = addr_of(t->addr);
    bool got = rules_match_addr(rule, &a, t->port, t->transport);
    if (got != t->want)
        fail_msg("%s:%u/%u: got %s", t->addr ? t->addr : "-", t->port, t->transport,
                 got ? "covered" : "not covered");
}

struct port_case {
    const char *what;
    const char *ports; /* NULL: any */
    const char *proto; /* NULL: any */
    uint16_t port;
    uint8_t transport;
    bool want;
};

static const struct port_case port_cases[] = {
    {"port any any, tcp 1", NULL, NULL, 1, EA_TCP, true},
    {"port any any, udp 65535", NULL, NULL, 65535, EA_UDP, true},
    {"port any any, port 0", NULL, NULL, 0, EA_TCP, true},
    {"port 443/tcp, 443 tcp", "443", "TCP", 443, EA_TCP, true},
    {"port 443/tcp, 443 udp", "443", "TCP", 443, EA_UDP, false},
    {"port 443/tcp, 444 tcp", "443", "TCP", 444, EA_TCP, false},
    {"port 443/tcp, 442 tcp", "443", "TCP", 442, EA_TCP, false},
    {"port list first", "80,8080", NULL, 80, EA_TCP, true},
    {"port list second", "80,8080", NULL, 8080, EA_UDP, true},
    {"port list between", "80,8080", NULL, 81, EA_TCP, false},
    {"port range and one, one", "1000-2000,3000", NULL, 3000, EA_TCP, true},
    {"port range and one, range", "1000-2000,3000", NULL, 1500, EA_TCP, true},
    {"port range and one, gap", "1000-2000,3000", NULL, 2500, EA_TCP, false},
    {"port full range, 1", "1-65535", NULL, 1, EA_TCP, true},
    {"port full range, 65535", "1-65535", NULL, 65535, EA_TCP, true},
    {"port full range, 0", "1-65535", NULL, 0, EA_TCP, false},
    {"port udp only, tcp", NULL, "UDP", 53, EA_TCP, false},
    {"port udp only, udp", NULL, "udp", 53, EA_UDP, true},
    {"port star star", "*", "*", 8443, EA_UDP, true},
    {.what = NULL},
};

static void run_port_case(void **state)
{
    const struct port_case *t = *state;
    static const char *const no_nets[3] = {NULL};
    struct ea_rule *rule = &scratch.rule;
    rule_build(rule, EA_RULE_SERVICE_TAG, no_nets, t->ports, t->proto);
    bool got = rules_match_port(rule, t->port, t->transport);
    if (got != t->want)
        fail_msg("%u/%u vs '%s'/'%s': got %s", t->port, t->transport, t->ports ? t->ports : "*",
                 t->proto ? t->proto : "any", got ? "allowed" : "not allowed");
    rule->inactive = true; /* status is not the matcher's business */
    assert_int_equal(rules_match_port(rule, t->port, t->transport), t->want);
}

int main(void)
{
    static struct CMUnitTest tests[ROWS(fqdn_cases) + ROWS(match_cases) + ROWS(cidr_cases) +
                                   ROWS(ports_cases) + ROWS(proto_cases) + ROWS(addr_cases) +
                                   ROWS(port_cases) + 4];
    size_t n = 0;
    for (const struct fqdn_case *t = fqdn_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_fqdn_case, NULL, scratch_free, (void *)t};
    for (const struct match_case *t = match_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_match_case, NULL, scratch_free, (void *)t};
    for (const struct cidr_case *t = cidr_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_cidr_case, NULL, scratch_free, (void *)t};
    for (const struct ports_case *t = ports_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_ports_case, NULL, scratch_free, (void *)t};
    for (const struct proto_case *t = proto_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_proto_case, NULL, scratch_free, (void *)t};
    for (const struct addr_case *t = addr_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_addr_case, NULL, scratch_free, (void *)t};
    for (const struct port_case *t = port_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_port_case, NULL, scratch_free, (void *)t};
    tests[n++] =
        (struct CMUnitTest)cmocka_unit_test_teardown(test_match_kind_and_status, scratch_free);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_parse_replaces, scratch_free);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_cidr_long, scratch_free);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_ports_long_list, scratch_free);
    if (n != sizeof tests / sizeof tests[0])
        abort(); /* the array size above does not match the rows */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
