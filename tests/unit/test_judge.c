/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Verdicts (analyze/policy/policy.c, policy_judge): a report model built by
 * hand (connections, then ea_report_finalize counts the hosts), rules
 * loaded from text and workspace YAML with rules_load_buffer, then one row
 * per verdict path asserting the verdict, its why and the rule it cites,
 * for the host and for its connection. Then what the judge derives from
 * the hosts: rules' hosts_permitted, unused rules, near misses, and the
 * model's lists of Inactive rules and rule sources.
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
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "policy.h"
#include "rules.h"

/* ---- the rules ---- */

/* Line numbers matter: each rule's origin is "rules.txt:LINE". */
static const char rules_txt[] = "# one rule per verdict path\n"
                                "exact.example\n"                  /* 0, line 2 */
                                "*.wild.example\n"                 /* 1 */
                                "*suffix.example\n"                /* 2 */
                                "10.20.0.0/16:443,8000-8100/tcp\n" /* 3 */
                                "[2001:db8:aa::/48]:53/udp\n"      /* 4 */
                                "tag:Storage:443/tcp\n"            /* 5: no prefixes */
                                "api.example\n"                    /* 6: unused */
                                "*.apex.example\n"                 /* 7: unused */
                                "unused.example\n";                /* 8: unused */

static const char ws_yml[] = "managed_network:\n"
                             "  outbound_rules:\n"
                             "  - name: frontdoor\n" /* 9 */
                             "    type: service_tag\n"
                             "    destination:\n"
                             "      service_tag: AzureFrontDoor.Frontend\n"
                             "      protocol: TCP\n"
                             "      port_ranges: \"443\"\n"
                             "      address_prefixes: [\"20.37.0.0/16\", \"2603:1000::/40\"]\n"
                             "  - name: monitor\n" /* 10: unused, though a tag */
                             "    type: service_tag\n"
                             "    destination:\n"
                             "      service_tag: AzureMonitor\n"
                             "      protocol: TCP\n"
                             "      port_ranges: \"443\"\n"
                             "      address_prefixes: [\"192.0.2.0/24\"]\n"
                             "  - name: off-telemetry\n" /* 11: Inactive */
                             "    type: fqdn\n"
                             "    destination: telemetry.example\n"
                             "    status: Inactive\n"
                             "  - name: off-exact\n" /* 12: Inactive */
                             "    type: fqdn\n"
                             "    destination: '*.exact.example'\n"
                             "    status: Inactive\n"
                             "  - name: pe-storage\n" /* 13: never unused */
                             "    type: private_endpoint\n"
                             "    destination:\n"
                             "      service_resource_id: /subscriptions/0000/resourceGroups/rg/"
                             "providers/Microsoft.Storage/storageAccounts/sa\n"
                             "      subresource_target: blob\n"
                             "      spark_enabled: false\n";

/* ---- one row per verdict path ---- */

struct judge_row {
    const char *what;
    const char *name; /* NULL: IP only */
    const char *dst;
    uint16_t port;
    enum ea_transport transport;
    uint32_t flags;
    const char *resolved[3]; /* the client's DNS chain for dst, NULL-ended */
    enum ea_verdict verdict;
    enum ea_verdict_why why;
    const char *rule; /* the cited rule's pattern; NULL: none */
};

#define TLS EA_CF_TLS
#define TCP EA_TCP
#define UDP EA_UDP

static const struct judge_row judge_rows[] = {
    /* allowed: the most specific active FQDN rule, for a name on TCP 80/443 */
    {.what = "exact",
     .name = "exact.example",
     .dst = "203.0.113.1",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "exact.example"},
    {.what = "exact, another case and a trailing dot; an FQDN rule before a CIDR one",
     .name = "EXACT.Example.",
     .dst = "10.20.6.6",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "exact.example"},
    {.what = "by *.d, two levels below",
     .name = "a.b.wild.example",
     .dst = "203.0.113.3",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "*.wild.example"},
    {.what = "by *.d, an HTTP Host on port 80",
     .name = "www.WILD.example",
     .dst = "203.0.113.4",
     .port = 80,
     .transport = TCP,
     .flags = EA_CF_HTTP,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "*.wild.example"},
    {.what = "by a plain suffix: a look-alike",
     .name = "badsuffix.example",
     .dst = "203.0.113.5",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "*suffix.example"},
    {.what = "by a plain suffix: the suffix itself, trailing dot",
     .name = "suffix.example.",
     .dst = "203.0.113.6",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "*suffix.example"},
    {.what = "ECH offered: the visible name is what was judged",
     .name = "ech.wild.example",
     .dst = "203.0.113.7",
     .port = 443,
     .transport = TCP,
     .flags = TLS | EA_CF_ECH,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN_ECH,
     .rule = "*.wild.example"},
    {.what = "ECH with a known public name: the real name is hidden",
     .name = "ech2.wild.example",
     .dst = "203.0.113.7",
     .port = 443,
     .transport = TCP,
     .flags = TLS | EA_CF_ECH | EA_CF_ECH_REAL,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN_ECH_REAL,
     .rule = "*.wild.example"},
    /* infrastructure: an address rule covers address, port and protocol */
    {.what = "CIDR, IP only, a port of its range",
     .dst = "10.20.1.1",
     .port = 8000,
     .transport = TCP,
     .verdict = EA_V_INFRA,
     .why = EA_VW_CIDR,
     .rule = "10.20.0.0/16"},
    {.what = "CIDR covers a name on a port FQDN rules cannot cover",
     .name = "svc.internal",
     .dst = "10.20.3.3",
     .port = 8080,
     .transport = TCP,
     .flags = TLS | EA_CF_PORT,
     .verdict = EA_V_INFRA,
     .why = EA_VW_CIDR,
     .rule = "10.20.0.0/16"},
    {.what = "CIDR covers a name no FQDN rule permits",
     .name = "unlisted.example",
     .dst = "10.20.4.4",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_INFRA,
     .why = EA_VW_CIDR,
     .rule = "10.20.0.0/16"},
    {.what = "CIDR address, a port outside its ports",
     .dst = "10.20.1.2",
     .port = 22,
     .transport = TCP,
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_IP_ONLY},
    {.what = "IPv6 CIDR, UDP 53",
     .dst = "2001:db8:aa::53",
     .port = 53,
     .transport = UDP,
     .flags = EA_CF_DNS,
     .verdict = EA_V_INFRA,
     .why = EA_VW_CIDR,
     .rule = "2001:db8:aa::/48"},
    {.what = "IPv6 CIDR is UDP only: TCP 53 is not covered",
     .dst = "2001:db8:aa::53",
     .port = 53,
     .transport = TCP,
     .flags = EA_CF_DNS,
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_IP_ONLY},
    {.what = "a service tag's prefixes cover TLS without SNI",
     .dst = "20.37.1.2",
     .port = 443,
     .transport = TCP,
     .flags = TLS | EA_CF_TLS_NO_SNI,
     .verdict = EA_V_INFRA,
     .why = EA_VW_TAG_PREFIXES,
     .rule = "AzureFrontDoor.Frontend"},
    {.what = "a service tag's IPv6 prefix",
     .dst = "2603:1000::5",
     .port = 443,
     .transport = TCP,
     .verdict = EA_V_INFRA,
     .why = EA_VW_TAG_PREFIXES,
     .rule = "AzureFrontDoor.Frontend"},
    {.what = "a service tag's prefix, a port outside its ports",
     .dst = "20.37.1.3",
     .port = 80,
     .transport = TCP,
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_IP_ONLY},
    /* infrastructure?: a tag rule without prefixes, on its port */
    {.what = "tag without prefixes: a name under the tag's domain",
     .name = "acct.blob.core.windows.net",
     .dst = "52.1.1.10",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_INFRA_MAYBE,
     .why = EA_VW_TAG_MAYBE,
     .rule = "Storage"},
    {.what = "tag without prefixes: the name in another case, trailing dot",
     .name = "ACCT2.Blob.Core.Windows.NET.",
     .dst = "52.1.1.11",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_INFRA_MAYBE,
     .why = EA_VW_TAG_MAYBE,
     .rule = "Storage"},
    {.what = "tag without prefixes: IP only, resolved for a name of the tag",
     .dst = "52.1.1.1",
     .port = 443,
     .transport = TCP,
     .resolved = {"acct.blob.core.windows.net", "blob.ams.store.core.windows.net"},
     .verdict = EA_V_INFRA_MAYBE,
     .why = EA_VW_TAG_MAYBE,
     .rule = "Storage"},
    {.what = "tag without prefixes: IP only, resolved for no name",
     .dst = "52.1.1.2",
     .port = 443,
     .transport = TCP,
     .verdict = EA_V_INFRA_MAYBE,
     .why = EA_VW_TAG_MAYBE,
     .rule = "Storage"},
    {.what = "tag without prefixes: IP only, resolved only for others' names",
     .dst = "52.1.1.3",
     .port = 443,
     .transport = TCP,
     .resolved = {"pypi.org"},
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_IP_ONLY},
    /* port-not-coverable: a name FQDN rules cannot judge */
    {.what = "a name under the tag's domain, off the tag's port",
     .name = "acct.blob.core.windows.net",
     .dst = "52.1.1.10",
     .port = 8443,
     .transport = TCP,
     .flags = TLS | EA_CF_PORT,
     .verdict = EA_V_PORT,
     .why = EA_VW_PORT},
    {.what = "a name on TCP 8443",
     .name = "grpc.example",
     .dst = "203.0.113.8",
     .port = 8443,
     .transport = TCP,
     .flags = TLS | EA_CF_PORT,
     .verdict = EA_V_PORT,
     .why = EA_VW_PORT},
    {.what = "a name over UDP that is not QUIC",
     .name = "h3.example",
     .dst = "203.0.113.9",
     .port = 8443,
     .transport = UDP,
     .verdict = EA_V_PORT,
     .why = EA_VW_PORT_UDP},
    /* QUIC: the SNI is known, but application rules do not inspect QUIC */
    {.what = "QUIC with its SNI (UDP 443)",
     .name = "h3.example",
     .dst = "203.0.113.9",
     .port = 443,
     .transport = UDP,
     .flags = EA_CF_QUIC,
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_QUIC_NAMED},
    {.what = "QUIC with its SNI on another port",
     .name = "h3.example",
     .dst = "203.0.113.9",
     .port = 4433,
     .transport = UDP,
     .flags = EA_CF_QUIC,
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_QUIC_NAMED},
    /* no-name: nothing an FQDN rule can judge */
    {.what = "QUIC without a name",
     .dst = "198.51.100.9",
     .port = 443,
     .transport = UDP,
     .flags = EA_CF_QUIC,
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_QUIC},
    {.what = "TLS without SNI",
     .dst = "198.51.100.7",
     .port = 443,
     .transport = TCP,
     .flags = TLS | EA_CF_TLS_NO_SNI,
     .resolved = {"pypi.org"},
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_TLS_NO_SNI},
    {.what = "an unreadable ClientHello",
     .dst = "198.51.100.8",
     .port = 443,
     .transport = TCP,
     .flags = TLS | EA_CF_HELLO_CUT,
     .resolved = {"files.example"},
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_HELLO_UNREADABLE},
    {.what = "no SNI and unreadable: no SNI is named",
     .dst = "198.51.100.10",
     .port = 8443,
     .transport = TCP,
     .flags = TLS | EA_CF_TLS_NO_SNI | EA_CF_HELLO_CUT,
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_TLS_NO_SNI},
    {.what = "IP only",
     .dst = "198.51.100.11",
     .port = 22,
     .transport = TCP,
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_IP_ONLY},
    /* denied: a name on 80/443 that no active rule permits */
    {.what = "only an Inactive rule matches",
     .name = "telemetry.example",
     .dst = "203.0.113.10",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_DENIED,
     .why = EA_VW_INACTIVE_ONLY,
     .rule = "telemetry.example"},
    {.what = "only an Inactive *.d matches; an exact rule names the parent",
     .name = "x.exact.example",
     .dst = "203.0.113.11",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_DENIED,
     .why = EA_VW_INACTIVE_ONLY,
     .rule = "*.exact.example"},
    {.what = "no rule",
     .name = "nothing.example",
     .dst = "203.0.113.12",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_DENIED,
     .why = EA_VW_NO_RULE},
    {.what = "the apex of *.d",
     .name = "apex.example",
     .dst = "203.0.113.13",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_DENIED,
     .why = EA_VW_NO_RULE},
    {.what = "the apex of *.d, another case and a trailing dot",
     .name = "APEX.Example.",
     .dst = "203.0.113.14",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_DENIED,
     .why = EA_VW_NO_RULE},
    {.what = "the apex of the *.d that allows others",
     .name = "wild.example",
     .dst = "203.0.113.15",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_DENIED,
     .why = EA_VW_NO_RULE},
    {.what = "a subdomain of an exact rule",
     .name = "v1.api.example",
     .dst = "203.0.113.16",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_DENIED,
     .why = EA_VW_NO_RULE},
    {.what = "two levels below an exact rule, HTTP",
     .name = "a.b.api.example",
     .dst = "203.0.113.17",
     .port = 80,
     .transport = TCP,
     .flags = EA_CF_HTTP,
     .verdict = EA_V_DENIED,
     .why = EA_VW_NO_RULE},
    {.what = "a look-alike of an exact rule is no subdomain",
     .name = "notexact.example",
     .dst = "203.0.113.18",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_DENIED,
     .why = EA_VW_NO_RULE},
    {.what = NULL},
};

/* Precedence among FQDN forms, and what "*" does not judge. */
static const char spec_txt[] = "*\n"
                               "*.example\n"
                               "*.wild.example\n"
                               "exact.wild.example\n"
                               "*ild.org\n";

static const struct judge_row spec_rows[] = {
    {.what = "* permits any name",
     .name = "other.net",
     .dst = "203.0.113.1",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "*"},
    {.what = "*.d beats *",
     .name = "x.example",
     .dst = "203.0.113.2",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "*.example"},
    {.what = "the longer *.d beats the shorter",
     .name = "a.wild.example",
     .dst = "203.0.113.3",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "*.wild.example"},
    {.what = "exact beats *.d",
     .name = "exact.wild.example",
     .dst = "203.0.113.4",
     .port = 80,
     .transport = TCP,
     .flags = EA_CF_HTTP,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "exact.wild.example"},
    {.what = "*.d never matches its apex: the next rule does",
     .name = "wild.example",
     .dst = "203.0.113.5",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "*.example"},
    {.what = "a suffix beats *",
     .name = "wild.org",
     .dst = "203.0.113.6",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "*ild.org"},
    {.what = "* does not judge an address",
     .dst = "192.0.2.1",
     .port = 443,
     .transport = TCP,
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_IP_ONLY},
    {.what = "* does not cover another port",
     .name = "grpc.example",
     .dst = "203.0.113.7",
     .port = 8443,
     .transport = TCP,
     .flags = TLS | EA_CF_PORT,
     .verdict = EA_V_PORT,
     .why = EA_VW_PORT},
    {.what = "* does not cover QUIC",
     .name = "h3.example",
     .dst = "203.0.113.8",
     .port = 443,
     .transport = UDP,
     .flags = EA_CF_QUIC,
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_QUIC_NAMED},
    {.what = "* covers the same name's TCP fallback",
     .name = "h3.example",
     .dst = "203.0.113.8",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_ALLOWED,
     .why = EA_VW_FQDN,
     .rule = "*.example"},
    {.what = "* does not cover UDP",
     .name = "h3.example",
     .dst = "203.0.113.8",
     .port = 8443,
     .transport = UDP,
     .verdict = EA_V_PORT,
     .why = EA_VW_PORT_UDP},
    {.what = NULL},
};

/* An allowlist without a rule: every name on 80/443 is denied. */
static const struct judge_row empty_rows[] = {
    {.what = "a name, no rule",
     .name = "huggingface.co",
     .dst = "203.0.113.1",
     .port = 443,
     .transport = TCP,
     .flags = TLS,
     .verdict = EA_V_DENIED,
     .why = EA_VW_NO_RULE},
    {.what = "an address, no rule",
     .dst = "203.0.113.2",
     .port = 443,
     .transport = TCP,
     .verdict = EA_V_NO_NAME,
     .why = EA_VW_IP_ONLY},
    {.what = "a name on 22, no rule",
     .name = "git.example",
     .dst = "203.0.113.3",
     .port = 22,
     .transport = TCP,
     .flags = EA_CF_PORT,
     .verdict = EA_V_PORT,
     .why = EA_VW_PORT},
    {.what = NULL},
};

/* ---- building and checking ---- */

static struct ea_addr addr_of(const char *text)
{
    struct ea_addr a;
    if (!ea_addr_parse(text, &a))
        fail_msg("bad address %s", text);
    return a;
}

static void str_set(struct ea_str *s, const char *p)
{
    assert_true(ea_str_set(s, p, strlen(p)));
}

static void load(struct ea_report *r, const char *origin, const char *buf, enum rules_format fmt)
{
    char err[256] = "";
    if (!rules_load_buffer(r, origin, buf, strlen(buf), fmt, NULL, err, sizeof err))
        fail_msg("%s: %s", origin, err);
}

/* One connection per row, a second apart (so they stay in row order); the
 * hosts counted by finalize; the rules loaded; then judged. */
static void judge_report(struct ea_report *r, const struct judge_row *rows, const char *text,
                         const char *yaml)
{
    ea_report_init(r);
    size_t i = 0;
    for (const struct judge_row *w = rows; w->what; w++, i++) {
        struct ea_conn *c = ea_report_add_conn(r);
        assert_non_null(c);
        c->src = addr_of("10.0.0.4");
        c->sport = (uint16_t)(40000 + i);
        c->dst = addr_of(w->dst);
        c->dport = w->port;
        c->transport = w->transport;
        c->flags = w->flags;
        if (w->name) {
            str_set(&c->name, w->name);
            c->name_source = w->transport == EA_UDP         ? EA_NAME_QUIC_SNI
                             : (w->flags & EA_CF_HTTP) != 0 ? EA_NAME_HTTP_HOST
                                                            : EA_NAME_SNI;
        }
        c->outcome = EA_OUT_REACHED;
        c->first = (struct timeval){100 + (long)i, 0};
        c->last = (struct timeval){100 + (long)i, 500000};
        size_t n = 0;
        while (n < 3 && w->resolved[n])
            n++;
        if (n) {
            c->has_resolved = true;
            c->resolved.names = calloc(n, sizeof *c->resolved.names);
            assert_non_null(c->resolved.names);
            for (size_t k = 0; k < n; k++)
                str_set(&c->resolved.names[k], w->resolved[k]);
            c->resolved.n_names = n;
        }
    }
    assert_true(ea_report_finalize(r));
    assert_int_equal(r->n_hosts, i); /* one host per row */
    load(r, "rules.txt", text, RULES_TEXT);
    if (yaml)
        load(r, "ws.yml", yaml, RULES_YAML);
    assert_true(policy_judge(r));
    assert_true(r->has_policy);
}

static const struct ea_host *host_of(const struct ea_report *r, const struct judge_row *w)
{
    const char *key = w->name ? w->name : w->dst;
    for (size_t i = 0; i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[i];
        if (h->port == w->port && h->transport == w->transport && h->named == (w->name != NULL) &&
            h->key.len == strlen(key) && memcmp(h->key.s, key, h->key.len) == 0)
            return h;
    }
    fail_msg("%s: no host %s %u", w->what, key, (unsigned)w->port);
    return NULL;
}

/* The index of the rule with this pattern (each is unique in a table). */
static long rule_with(const struct ea_report *r, const char *pattern)
{
    long found = -1;
    for (size_t i = 0; i < r->n_rules; i++) {
        if (strcmp(r->rules[i].pattern.s, pattern) != 0)
            continue;
        if (found >= 0)
            fail_msg("two rules with the pattern %s", pattern);
        found = (long)i;
    }
    if (found < 0)
        fail_msg("no rule with the pattern %s", pattern);
    return found;
}

static const char *why_text(enum ea_verdict_why w)
{
    const char *t = ea_verdict_why_text(w);
    return t ? t : "(none)";
}

static void expect_verdict(const struct ea_report *r, const struct judge_row *w, const char *whose,
                           enum ea_verdict v, enum ea_verdict_why why, long rule)
{
    long want_rule = w->rule ? rule_with(r, w->rule) : -1;
    if (v != w->verdict || why != w->why || rule != want_rule) {
        print_error("%s (%s): %s, %s, rule %s; want %s, %s, rule %s\n", w->what, whose,
                    ea_verdict_name(v), why_text(why),
                    rule >= 0 ? r->rules[rule].pattern.s : "none", ea_verdict_name(w->verdict),
                    why_text(w->why), w->rule ? w->rule : "none");
        fail();
    }
}

/* Each row's host and connection; the per-verdict counts. */
static void expect_rows(const struct ea_report *r, const struct judge_row *rows)
{
    uint32_t counts[EA_V__COUNT] = {0};
    size_t i = 0;
    for (const struct judge_row *w = rows; w->what; w++, i++) {
        const struct ea_host *h = host_of(r, w);
        expect_verdict(r, w, "host", h->verdict, h->verdict_why, h->rule);
        const struct ea_conn *c = &r->conns[i];
        assert_int_equal(c->sport, 40000 + i);
        expect_verdict(r, w, "connection", c->verdict, c->verdict_why, c->rule);
        counts[w->verdict]++;
    }
    for (int v = 0; v < EA_V__COUNT; v++)
        assert_int_equal(r->verdict_hosts[v], counts[v]);
}

static void test_judge_table(void **state)
{
    (void)state;
    struct ea_report r;
    judge_report(&r, judge_rows, rules_txt, ws_yml);
    assert_int_equal(r.n_rules, 14);
    expect_rows(&r, judge_rows);
    /* every verdict and every why but "none" has a row */
    for (int v = EA_V_NONE + 1; v < EA_V__COUNT; v++)
        assert_true(r.verdict_hosts[v] > 0);
    for (int y = EA_VW_NONE + 1; y < EA_VW__COUNT; y++) {
        bool found = false;
        for (const struct judge_row *w = judge_rows; w->what && !found; w++)
            found = w->why == (enum ea_verdict_why)y;
        if (!found)
            fail_msg("no row judged '%s'", ea_verdict_why_text((enum ea_verdict_why)y));
    }
    ea_report_finish(&r);
}

static void test_judge_specificity(void **state)
{
    (void)state;
    struct ea_report r;
    judge_report(&r, spec_rows, spec_txt, NULL);
    expect_rows(&r, spec_rows);
    assert_int_equal(r.n_unused_rules, 0); /* each rule is the best for some name */
    assert_int_equal(r.n_near_misses, 0);
    assert_int_equal(r.n_remedies, 0);
    ea_report_finish(&r);
}

static void test_judge_no_rules(void **state)
{
    (void)state;
    struct ea_report r;
    judge_report(&r, empty_rows, "# nothing\n", NULL);
    assert_int_equal(r.n_rules, 0);
    expect_rows(&r, empty_rows);
    assert_int_equal(r.n_unused_rules, 0);
    assert_int_equal(r.n_inactive_rules, 0);
    assert_int_equal(r.n_rule_sources, 0);
    assert_int_equal(r.n_near_misses, 0);
    assert_int_equal(r.n_remedies, 1); /* huggingface.co */
    assert_string_equal(r.remedies[0].destination.s, "huggingface.co");
    ea_report_finish(&r);
}

/* ---- what the judge derives from the hosts ---- */

struct permitted_row {
    const char *pattern;
    uint64_t hosts;
};

static const struct permitted_row permitted_rows[] = {
    {"exact.example", 2},
    {"*.wild.example", 4},
    {"*suffix.example", 2},
    {"10.20.0.0/16", 3},
    {"2001:db8:aa::/48", 1},
    {"Storage", 0}, /* "may cover" permits nothing */
    {"api.example", 0},
    {"*.apex.example", 0},
    {"unused.example", 0},
    {"AzureFrontDoor.Frontend", 2},
    {"AzureMonitor", 0},
    {"telemetry.example", 0}, /* Inactive: permits nothing */
    {"*.exact.example", 0},
    {"/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa", 0},
    {NULL, 0},
};

static void test_judge_hosts_permitted(void **state)
{
    (void)state;
    struct ea_report r;
    judge_report(&r, judge_rows, rules_txt, ws_yml);
    size_t i = 0;
    for (const struct permitted_row *w = permitted_rows; w->pattern; w++, i++) {
        assert_string_equal(r.rules[i].pattern.s, w->pattern); /* load order */
        if (r.rules[i].hosts_permitted != w->hosts)
            fail_msg("%s permits %ju hosts, want %ju", w->pattern,
                     (uintmax_t)r.rules[i].hosts_permitted, (uintmax_t)w->hosts);
    }
    assert_int_equal(i, r.n_rules);
    ea_report_finish(&r);
}

/* Active rules that permitted nothing; never an Inactive rule, a tag
 * without prefixes or a private endpoint (a capture cannot show them used). */
static void test_judge_unused_rules(void **state)
{
    (void)state;
    static const char *const unused[] = {"api.example", "*.apex.example", "unused.example",
                                         "AzureMonitor", NULL};
    struct ea_report r;
    judge_report(&r, judge_rows, rules_txt, ws_yml);
    size_t n = 0;
    for (; unused[n]; n++) {
        assert_true(n < r.n_unused_rules);
        assert_string_equal(r.rules[r.unused_rules[n]].pattern.s, unused[n]);
    }
    assert_int_equal(r.n_unused_rules, n);
    ea_report_finish(&r);
}

struct near_row {
    const char *host;
    uint16_t port;
    const char *rule; /* pattern */
    enum ea_near_kind kind;
};

static const struct near_row near_rows[] = {
    {"telemetry.example", 443, "telemetry.example", EA_NEAR_INACTIVE},
    {"x.exact.example", 443, "*.exact.example", EA_NEAR_INACTIVE},
    {"x.exact.example", 443, "exact.example", EA_NEAR_SUBDOMAIN},
    {"apex.example", 443, "*.apex.example", EA_NEAR_APEX},
    {"APEX.Example.", 443, "*.apex.example", EA_NEAR_APEX},
    {"wild.example", 443, "*.wild.example", EA_NEAR_APEX},
    {"v1.api.example", 443, "api.example", EA_NEAR_SUBDOMAIN},
    {"a.b.api.example", 80, "api.example", EA_NEAR_SUBDOMAIN},
    {NULL, 0, NULL, 0},
};

/* Each expected near miss once, and no other (nothing.example and the
 * look-alike notexact.example have none). */
static void test_judge_near_misses(void **state)
{
    (void)state;
    struct ea_report r;
    judge_report(&r, judge_rows, rules_txt, ws_yml);
    size_t n = 0;
    for (const struct near_row *w = near_rows; w->host; w++, n++) {
        size_t found = 0;
        for (size_t i = 0; i < r.n_near_misses; i++) {
            const struct ea_near_miss *m = &r.near_misses[i];
            const struct ea_host *h = &r.hosts[m->host];
            if (h->port == w->port && strcmp(h->key.s, w->host) == 0 &&
                strcmp(r.rules[m->rule].pattern.s, w->rule) == 0 && m->kind == w->kind)
                found++;
        }
        if (found != 1)
            fail_msg("near miss %s:%u / %s (%s) found %zu times", w->host, (unsigned)w->port,
                     w->rule, ea_near_kind_name(w->kind), found);
    }
    assert_int_equal(r.n_near_misses, n);
    for (size_t i = 0; i < r.n_near_misses; i++)
        assert_int_equal(r.hosts[r.near_misses[i].host].verdict, EA_V_DENIED);
    ea_report_finish(&r);
}

/* The model's lists: Inactive rules by index, rule sources in load order. */
static void test_judge_rule_lists(void **state)
{
    (void)state;
    struct ea_report r;
    judge_report(&r, judge_rows, rules_txt, ws_yml);
    assert_int_equal(r.n_inactive_rules, 2);
    assert_string_equal(r.rules[r.inactive_rules[0]].pattern.s, "telemetry.example");
    assert_string_equal(r.rules[r.inactive_rules[1]].pattern.s, "*.exact.example");
    assert_int_equal(r.n_rule_sources, 2);
    assert_string_equal(r.rule_sources[0].s, "rules.txt");
    assert_string_equal(r.rule_sources[1].s, "ws.yml");
    assert_string_equal(r.rules[0].origin.s, "rules.txt:2");
    assert_string_equal(r.rules[8].origin.s, "rules.txt:10");
    /* every rule got a name to be emitted under, unique */
    for (size_t i = 0; i < r.n_rules; i++) {
        assert_true(r.rules[i].emit_name.len > 0);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(r.rules[i].emit_name.s, r.rules[k].emit_name.s);
    }
    ea_report_finish(&r);
}

/* Judging again gives the same, counts included (nothing accumulates). */
static void test_judge_twice(void **state)
{
    (void)state;
    struct ea_report r;
    judge_report(&r, judge_rows, rules_txt, ws_yml);
    size_t unused = r.n_unused_rules, near = r.n_near_misses, remedies = r.n_remedies;
    assert_true(policy_judge(&r));
    expect_rows(&r, judge_rows);
    assert_int_equal(r.n_unused_rules, unused);
    assert_int_equal(r.n_near_misses, near);
    assert_int_equal(r.n_remedies, remedies);
    assert_int_equal(r.rules[0].hosts_permitted, 2);
    assert_int_equal(r.n_inactive_rules, 2);
    assert_int_equal(r.n_rule_sources, 2);
    ea_report_finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_judge_table),        cmocka_unit_test(test_judge_specificity),
        cmocka_unit_test(test_judge_no_rules),     cmocka_unit_test(test_judge_hosts_permitted),
        cmocka_unit_test(test_judge_unused_rules), cmocka_unit_test(test_judge_near_misses),
        cmocka_unit_test(test_judge_rule_lists),   cmocka_unit_test(test_judge_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
