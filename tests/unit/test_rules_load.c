/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Rule sources: text, workspace YAML, az CLI and ARM JSON, format detection,
 * and Microsoft's service tags. Each table row is its own cmocka test. A row
 * loads its input (copied flush against a PROT_NONE page) into a report that
 * may already hold rules, then compares every loaded rule, drawn as one line
 * of text, with the expected lines, or the error with the expected prefix;
 * after an error the report must be as it was.
 */
/* cmocka needs these three first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "guard.h"
#include "model.h"
#include "rules.h"

#define ROWS(t) (sizeof(t) / sizeof((t)[0]) - 1) /* without the sentinel */
#define RULES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_RULES ((const char *const[]){NULL})

/* ---- drawing a rule as one line ---- */

static const char *form_name(enum ea_fqdn_form f)
{
    switch (f) {
    case EA_FQDN_EXACT:
        return "exact";
    case EA_FQDN_SUBDOMAINS:
        return "subdomains";
    case EA_FQDN_SUFFIX:
        return "suffix";
    case EA_FQDN_ANY:
        return "any";
    }
    return "?";
}

/* data_dir: stripped from origins, so file rows can name files shortly */
static char data_dir[4096];

static const char *strip_dir(const char *s)
{
    size_t n = strlen(data_dir);
    return (n && strncmp(s, data_dir, n) == 0) ? s + n : s;
}

/*
 * "KIND DEST [name=N] [FORM fqdn=F] [tag=T] [nets=A/L,...] [ports=P,...]
 * [proto=tcp|udp] [sub=T] [spark=true|false] [inactive] [cat=C] [status=S] @ORIGIN"
 */
static void draw(const struct ea_rule *rule, char *out, size_t n)
{
    FILE *f = fmemopen(out, n, "w");
    assert_non_null(f);
    fprintf(f, "%s %s", ea_rule_kind_name(rule->kind), rule->destination.s);
    if (rule->name.len)
        fprintf(f, " name=%s", rule->name.s);
    if (rule->kind == EA_RULE_FQDN)
        fprintf(f, " %s fqdn=%s", form_name(rule->form), rule->fqdn.s);
    if (rule->service_tag.len)
        fprintf(f, " tag=%s", rule->service_tag.s);
    for (size_t i = 0; i < rule->n_nets; i++) {
        char a[64];
        fprintf(f, "%s%s/%u", i ? "," : " nets=", ea_addr_text(&rule->nets[i].addr, a, sizeof(a)),
                rule->nets[i].len);
    }
    for (size_t i = 0; i < rule->n_ports; i++) {
        fprintf(f, "%s%u", i ? "," : " ports=", rule->ports[i].lo);
        if (rule->ports[i].hi != rule->ports[i].lo)
            fprintf(f, "-%u", rule->ports[i].hi);
    }
    if (rule->protocol)
        fprintf(f, " proto=%s", ea_transport_name((enum ea_transport)rule->protocol));
    if (rule->subresource_target.len)
        fprintf(f, " sub=%s", rule->subresource_target.s);
    if (rule->has_spark_enabled)
        fprintf(f, " spark=%s", rule->spark_enabled ? "true" : "false");
    if (rule->inactive)
        fprintf(f, " inactive");
    if (rule->category.len)
        fprintf(f, " cat=%s", rule->category.s);
    if (rule->status.len)
        fprintf(f, " status=%s", rule->status.s);
    fprintf(f, " @%s", strip_dir(rule->origin.s));
    fclose(f);
}

static void check_rules(const struct ea_report *r, size_t from, const char *const *want)
{
    size_t n = 0;
    while (want[n])
        n++;
    for (size_t i = 0; i < n && from + i < r->n_rules; i++) {
        char got[1024];
        draw(&r->rules[from + i], got, sizeof(got));
        if (strcmp(got, want[i]) != 0)
            fail_msg("rule %zu:\n  got:  %s\n  want: %s", i, got, want[i]);
    }
    if (r->n_rules - from != n)
        fail_msg("%zu rules loaded, want %zu", r->n_rules - from, n);
}

static void check_err(const char *err, const char *want)
{
    const char *got = strip_dir(err);
    if (strncmp(got, want, strlen(want)) != 0)
        fail_msg("error:\n  got:  %s\n  want: %s...", got, want);
    assert_null(strchr(err, '\n')); /* one line */
}

/* ---- loading from memory ---- */

struct load_case {
    const char *what;
    enum rules_format fmt;
    const char *input;
    const char *err;          /* the error's expected start; NULL: it loads */
    const char *const *rules; /* the rules it adds (NULL with an error) */
    const char *warn;         /* everything written to warn; NULL: nothing */
    const char *pre;          /* text loaded first as "pre.txt"/"pre.yml" (auto) */
};

/* A rule that is already there before most rows: a duplicate name across
 * loads, and all-or-nothing keeps it. */
#define PRE_YAML                                                                                   \
    "outbound_rules:\n  - name: allow-pypi\n    type: fqdn\n    destination: pypi.org\n"
#define PRE_RULE "fqdn pypi.org name=allow-pypi exact fqdn=pypi.org @pre:2"

/* Fifth rule bad: nothing of the file stays. */
#define FIVE_TEXT "a.example\nb.example\nc.example\nd.example\n*.e.*.example\nf.example\n"
#define FIVE_YAML                                                                                  \
    "outbound_rules:\n"                                                                            \
    "- {name: r1, type: fqdn, destination: a.example}\n"                                           \
    "- {name: r2, type: fqdn, destination: b.example}\n"                                           \
    "- {name: r3, type: fqdn, destination: c.example}\n"                                           \
    "- {name: r4, type: fqdn, destination: d.example}\n"                                           \
    "- {name: r5, type: fqdn, destination: '10.0.0.0/8'}\n"                                        \
    "- {name: r6, type: fqdn, destination: f.example}\n"
#define FIVE_JSON                                                                                  \
    "[{\"name\": \"r1\", \"type\": \"fqdn\", \"destination\": \"a.example\"},\n"                   \
    " {\"name\": \"r2\", \"type\": \"fqdn\", \"destination\": \"b.example\"},\n"                   \
    " {\"name\": \"r3\", \"type\": \"fqdn\", \"destination\": \"c.example\"},\n"                   \
    " {\"name\": \"r4\", \"type\": \"fqdn\", \"destination\": \"d.example\"},\n"                   \
    " {\"name\": \"r5\", \"type\": \"service_tag\", \"destination\": {\"service_tag\": "           \
    "\"Storage\", \"address_prefixes\": [\"10.0.0.1/8\"]}},\n"                                     \
    " {\"name\": \"r6\", \"type\": \"fqdn\", \"destination\": \"f.example\"}]\n"

#define WARN_CONTOSO(loc)                                                                          \
    "egress-audit: warning: " loc ": '*contoso.com' is a plain suffix: it also matches "           \
    "'badcontoso.com'; did you mean '*.contoso.com'?\n"

/* a NUL inside: the row's length comes from sizeof */
static const char nul_input[] = "pypi.org\nab\0c.com\n";

/* clang-format off */
static const struct load_case text_cases[] = {
    /* good */
    {"text: fqdn forms", RULES_TEXT,
     "huggingface.co\n*.hf.co\n*\nPyPI.org.\n",
     NULL, RULES("fqdn huggingface.co exact fqdn=huggingface.co @x.txt:1",
                 "fqdn *.hf.co subdomains fqdn=hf.co @x.txt:2",
                 "fqdn * any fqdn= @x.txt:3",
                 "fqdn PyPI.org. exact fqdn=pypi.org @x.txt:4"), NULL, NULL},
    {"text: comments, blanks, CRLF, spaces", RULES_TEXT,
     "# header\r\n\r\n   \t\n  pypi.org   # the index\r\n#*.bad..name\n\t*.pythonhosted.org\t\n",
     NULL, RULES("fqdn pypi.org exact fqdn=pypi.org @x.txt:4",
                 "fqdn *.pythonhosted.org subdomains fqdn=pythonhosted.org @x.txt:6"), NULL, NULL},
    {"text: no newline at the end", RULES_TEXT, "pypi.org",
     NULL, RULES("fqdn pypi.org exact fqdn=pypi.org @x.txt:1"), NULL, NULL},
    {"text: a byte order mark", RULES_TEXT, "\xef\xbb\xbfpypi.org\n",
     NULL, RULES("fqdn pypi.org exact fqdn=pypi.org @x.txt:1"), NULL, NULL},
    {"text: empty", RULES_TEXT, "", NULL, NO_RULES, NULL, NULL},
    {"text: only comments", RULES_TEXT, "# nothing\n\n#\n", NULL, NO_RULES, NULL, NULL},
    {"text: cidr forms", RULES_TEXT,
     "10.0.0.0/8\n10.0.0.0/8:443\n10.0.0.0/8:8000-8100/tcp\n198.18.0.53\n198.18.0.53:53/udp\n"
     "10.1.0.0/16/udp\n10.2.0.0/16:*/tcp\n10.3.0.0/16:80,443\n",
     NULL, RULES("cidr 10.0.0.0/8 nets=10.0.0.0/8 @x.txt:1",
                 "cidr 10.0.0.0/8 nets=10.0.0.0/8 ports=443 @x.txt:2",
                 "cidr 10.0.0.0/8 nets=10.0.0.0/8 ports=8000-8100 proto=tcp @x.txt:3",
                 "cidr 198.18.0.53 nets=198.18.0.53/32 @x.txt:4",
                 "cidr 198.18.0.53 nets=198.18.0.53/32 ports=53 proto=udp @x.txt:5",
                 "cidr 10.1.0.0/16 nets=10.1.0.0/16 proto=udp @x.txt:6",
                 "cidr 10.2.0.0/16 nets=10.2.0.0/16 proto=tcp @x.txt:7",
                 "cidr 10.3.0.0/16 nets=10.3.0.0/16 ports=80,443 @x.txt:8"), NULL, NULL},
    {"text: ipv6 forms", RULES_TEXT,
     "2001:db8::/32\n[2001:db8::/32]:443/tcp\n2001:db8::1\n::/0\n[2001:db8:ea::13]:443\n",
     NULL, RULES("cidr 2001:db8::/32 nets=2001:db8::/32 @x.txt:1",
                 "cidr 2001:db8::/32 nets=2001:db8::/32 ports=443 proto=tcp @x.txt:2",
                 "cidr 2001:db8::1 nets=2001:db8::1/128 @x.txt:3",
                 "cidr ::/0 nets=::/0 @x.txt:4",
                 "cidr 2001:db8:ea::13 nets=2001:db8:ea::13/128 ports=443 @x.txt:5"), NULL, NULL},
    {"text: service tags", RULES_TEXT,
     "tag:AzureMachineLearning\ntag:Storage.WestEurope:443/tcp\nTAG:AzureMonitor/tcp\n"
     "tag:AzureFrontDoor.FirstParty:80,443\n",
     NULL, RULES("service_tag AzureMachineLearning tag=AzureMachineLearning @x.txt:1",
                 "service_tag Storage.WestEurope tag=Storage.WestEurope ports=443 proto=tcp @x.txt:2",
                 "service_tag AzureMonitor tag=AzureMonitor proto=tcp @x.txt:3",
                 "service_tag AzureFrontDoor.FirstParty tag=AzureFrontDoor.FirstParty ports=80,443 "
                 "@x.txt:4"), NULL, NULL},
    {"text: look-alike suffix warns and loads", RULES_TEXT, "# x\n*contoso.com\n",
     NULL, RULES("fqdn *contoso.com suffix fqdn=contoso.com @x.txt:2"),
     WARN_CONTOSO("x.txt:2"), NULL},
    {"text: after other rules", RULES_TEXT, "huggingface.co\n",
     NULL, RULES("fqdn huggingface.co exact fqdn=huggingface.co @x.txt:1"), NULL, PRE_YAML},
    /* bad */
    {"text: wildcard inside", RULES_TEXT, "a.com\n# c\nhf.*.co\n",
     "x.txt:3: 'hf.*.co': a wildcard is only valid as the first character", NULL, NULL, NULL},
    {"text: two wildcards", RULES_TEXT, "*.*.hf.co\n",
     "x.txt:1: '*.*.hf.co': a wildcard is only valid", NULL, NULL, NULL},
    {"text: wildcard at the end", RULES_TEXT, "hf.*\n",
     "x.txt:1: 'hf.*': a wildcard is only valid", NULL, NULL, NULL},
    {"text: empty label", RULES_TEXT, "a..com\n", "x.txt:1: 'a..com': empty label", NULL, NULL,
     NULL},
    {"text: host bits", RULES_TEXT, "pypi.org\n\n10.0.0.1/8\n",
     "x.txt:3: '10.0.0.1/8': host bits set", NULL, NULL, NULL},
    {"text: ipv6 host bits", RULES_TEXT, "2001:db8::1/32\n",
     "x.txt:1: '2001:db8::1/32': host bits set", NULL, NULL, NULL},
    {"text: prefix too long", RULES_TEXT, "10.0.0.0/33\n",
     "x.txt:1: '10.0.0.0/33': prefix length too long", NULL, NULL, NULL},
    {"text: two rules on a line", RULES_TEXT, "a.com\nb.com c.com\n",
     "x.txt:2: 'b.com c.com': one rule per line", NULL, NULL, NULL},
    {"text: tab between rules", RULES_TEXT, "b.com\tc.com # x\n",
     "x.txt:1: 'b.com\\x09c.com': one rule per line", NULL, NULL, NULL},
    {"text: port 0", RULES_TEXT, "10.0.0.0/8:0\n", "x.txt:1: '0': bad port", NULL, NULL, NULL},
    {"text: port 65536", RULES_TEXT, "10.0.0.0/8:65536/tcp\n", "x.txt:1: '65536': bad port", NULL,
     NULL, NULL},
    {"text: empty port", RULES_TEXT, "10.0.0.0/8:/tcp\n", "x.txt:1: '': empty port list", NULL,
     NULL, NULL},
    {"text: range upside down", RULES_TEXT, "10.0.0.0/8:9000-8000\n",
     "x.txt:1: '9000-8000': port range upside down", NULL, NULL, NULL},
    {"text: bad protocol", RULES_TEXT, "10.0.0.0/8:443/icmp\n",
     "x.txt:1: 'icmp': unknown protocol", NULL, NULL, NULL},
    {"text: no protocol after slash", RULES_TEXT, "tag:Storage:443/\n",
     "x.txt:1: 'tag:Storage:443/': no protocol after '/'", NULL, NULL, NULL},
    {"text: fqdn with a port", RULES_TEXT, "pypi.org:443\n",
     "x.txt:1: 'pypi.org:443': an FQDN rule takes no port", NULL, NULL, NULL},
    {"text: ipv6 port without brackets", RULES_TEXT, "2001:db8::/32:443\n",
     "x.txt:1: '2001:db8::/32:443': bad prefix length (write [PREFIX]:PORT when a port follows)",
     NULL, NULL, NULL},
    {"text: no closing bracket", RULES_TEXT, "[2001:db8::/32:443\n",
     "x.txt:1: '[2001:db8::/32:443': no ']' after '['", NULL, NULL, NULL},
    {"text: empty brackets", RULES_TEXT, "[]:443\n", "x.txt:1: empty address prefix", NULL, NULL,
     NULL},
    {"text: junk after brackets", RULES_TEXT, "[2001:db8::/32]443\n",
     "x.txt:1: '[2001:db8::/32]443': expected ':PORTS' or '/PROTOCOL' after the address", NULL,
     NULL, NULL},
    {"text: empty tag", RULES_TEXT, "tag:\n", "x.txt:1: empty service tag", NULL, NULL, NULL},
    {"text: bad tag", RULES_TEXT, "tag:Az*ure\n", "x.txt:1: 'Az*ure': not a service tag name",
     NULL, NULL, NULL},
    {"text: a number, not a name", RULES_TEXT, "10.0.0.300\n",
     "x.txt:1: '10.0.0.300': not a host name (the last label is a number)", NULL, NULL, NULL},
    {"text: not an address", RULES_TEXT, "*.hf.co/24\n",
     "x.txt:1: '*.hf.co/24': not an IPv4 or IPv6 address", NULL, NULL, NULL},
    {"text: control byte quoted", RULES_TEXT, "a\x01.com\n",
     "x.txt:1: 'a\\x01.com': a name may hold only", NULL, NULL, NULL},
    {"text: a NUL byte", RULES_TEXT, nul_input,
     "x.txt:2: 'ab\\x00c.com': a name may hold only", NULL, NULL, NULL},
    {"text: non-ASCII name", RULES_TEXT, "b\xc3\xbc" "cher.de\n",
     "x.txt:1: 'b\\xc3\\xbccher.de': non-ASCII name", NULL, NULL, NULL},
    {"text: all or nothing at the fifth rule", RULES_TEXT, FIVE_TEXT,
     "x.txt:5: '*.e.*.example': a wildcard is only valid", NULL, NULL, PRE_YAML},
    {"text: warning, then an error", RULES_TEXT, "*contoso.com\nbad..com\n",
     "x.txt:2: 'bad..com': empty label", NULL, WARN_CONTOSO("x.txt:1"), NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL},
};

#define WS_HEAD "name: contoso-ml\nlocation: westeurope\nmanaged_network:\n" \
                "  isolation_mode: allow_only_approved_outbound\n  outbound_rules:\n"

static const struct load_case yaml_cases[] = {
    {"yaml: list form", RULES_YAML,
     WS_HEAD
     "  - name: allow-hf\n    type: fqdn\n    destination: '*.hf.co'\n    category: user_defined\n"
     "  - name: allow-aml\n    type: ServiceTag\n    destination:\n      service_tag: AzureMachineLearning\n"
     "      protocol: TCP\n      port_ranges: 443\n"
     "  - name: allow-st\n    type: SERVICE_TAG\n    status: Inactive\n    destination:\n"
     "      service_tag: Storage\n      protocol: '*'\n      port_ranges: 80, 443\n"
     "      address_prefixes: [10.0.0.0/8, '2001:db8::/32']\n"
     "  - name: allow-pe\n    type: PrivateEndpoint\n    destination:\n"
     "      service_resource_id: /subscriptions/x/storageAccounts/y\n"
     "      subresource_target: blob\n      spark_enabled: false\n    status: Active\n",
     NULL, RULES("fqdn *.hf.co name=allow-hf subdomains fqdn=hf.co cat=user_defined @x.yml:6",
                 "service_tag AzureMachineLearning name=allow-aml tag=AzureMachineLearning ports=443 "
                 "proto=tcp @x.yml:10",
                 "service_tag Storage name=allow-st tag=Storage nets=10.0.0.0/8,2001:db8::/32 "
                 "ports=80,443 inactive status=Inactive @x.yml:16",
                 "private_endpoint /subscriptions/x/storageAccounts/y name=allow-pe sub=blob "
                 "spark=false status=Active @x.yml:24"), NULL, NULL},
    {"yaml: map form", RULES_YAML,
     "managed_network:\n  outbound_rules:\n    allow-hf:\n      type: FQDN\n      destination: hf.co\n"
     "    allow-aml:\n      name: allow-aml\n      type: service_tag\n      destination:\n"
     "        service_tag: AzureMachineLearning\n        address_prefixes: 13.66.87.135/32\n",
     NULL, RULES("fqdn hf.co name=allow-hf exact fqdn=hf.co @x.yml:3",
                 "service_tag AzureMachineLearning name=allow-aml tag=AzureMachineLearning "
                 "nets=13.66.87.135/32 @x.yml:6"), NULL, NULL},
    {"yaml: bare outbound_rules", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: fqdn\n  destination: a.example\n",
     NULL, RULES("fqdn a.example name=a exact fqdn=a.example @x.yml:2"), NULL, NULL},
    {"yaml: bare list, flow style", RULES_YAML,
     "- {name: a, type: fqdn, destination: a.example}\n- {name: b, type: fqdn, destination: '*'}\n",
     NULL, RULES("fqdn a.example name=a exact fqdn=a.example @x.yml:1",
                 "fqdn * name=b any fqdn= @x.yml:2"), NULL, NULL},
    {"yaml: no outbound rules", RULES_YAML,
     "name: ws\nmanaged_network:\n  isolation_mode: allow_internet_outbound\n",
     NULL, NO_RULES, NULL, NULL},
    {"yaml: empty outbound_rules", RULES_YAML, "outbound_rules:\n", NULL, NO_RULES, NULL, NULL},
    {"yaml: empty list", RULES_YAML, "outbound_rules: []\n", NULL, NO_RULES, NULL, NULL},
    {"yaml: empty document", RULES_YAML, "# nothing\n", NULL, NO_RULES, NULL, NULL},
    {"yaml: look-alike suffix warns", RULES_YAML,
     "outbound_rules:\n- name: c\n  type: fqdn\n  destination: '*contoso.com'\n",
     NULL, RULES("fqdn *contoso.com name=c suffix fqdn=contoso.com @x.yml:2"),
     WARN_CONTOSO("x.yml:4:16"), NULL},
    {"yaml: after a rule of another name", RULES_YAML,
     "outbound_rules:\n- name: allow-hf\n  type: fqdn\n  destination: hf.co\n",
     NULL, RULES("fqdn hf.co name=allow-hf exact fqdn=hf.co @x.yml:2"), NULL, PRE_YAML},
    {"yaml: unknown keys are ignored", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: fqdn\n  destination: a.example\n  comment: [1, 2]\n",
     NULL, RULES("fqdn a.example name=a exact fqdn=a.example @x.yml:2"), NULL, NULL},
    /* bad */
    {"yaml: not a mapping", RULES_YAML, "just a string\n",
     "x.yml:1:1: expected a mapping with managed_network.outbound_rules", NULL, NULL, NULL},
    {"yaml: a mapping without rules", RULES_YAML, "name: ws\nlocation: westeurope\n",
     "x.yml:1:1: expected a mapping with managed_network.outbound_rules", NULL, NULL, NULL},
    {"yaml: managed_network not a mapping", RULES_YAML, "managed_network: [1]\n",
     "x.yml:1:18: managed_network: expected a mapping, not a list", NULL, NULL, NULL},
    {"yaml: outbound_rules a string", RULES_YAML, "outbound_rules: pypi.org\n",
     "x.yml:1:17: outbound_rules: expected a list or a mapping of rules", NULL, NULL, NULL},
    {"yaml: a rule that is a string", RULES_YAML, "outbound_rules:\n- pypi.org\n",
     "x.yml:2:3: expected a rule (a mapping with name, type and destination), not a string",
     NULL, NULL, NULL},
    {"yaml: syntax", RULES_YAML, "outbound_rules:\n- name: a\n  type: [fqdn\n",
     "x.yml:4:1: did not find expected ',' or ']' (while parsing a flow sequence at line 3)",
     NULL, NULL, NULL},
    {"yaml: tab indentation", RULES_YAML, "outbound_rules:\n\t- name: a\n",
     "x.yml:2:1: found character that cannot start any token", NULL, NULL, NULL},
    {"yaml: unknown type", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: website\n  destination: a.example\n",
     "x.yml:3:9: unknown rule type 'website' (fqdn, service_tag or private_endpoint)",
     NULL, NULL, NULL},
    {"yaml: no type", RULES_YAML, "outbound_rules:\n- name: a\n  destination: a.example\n",
     "x.yml:2:3: rule 'a' has no type", NULL, NULL, NULL},
    {"yaml: no name", RULES_YAML, "outbound_rules:\n- type: fqdn\n  destination: a.example\n",
     "x.yml:2:3: rule has no name", NULL, NULL, NULL},
    {"yaml: empty name", RULES_YAML, "outbound_rules:\n- name: ''\n  type: fqdn\n",
     "x.yml:2:9: empty rule name", NULL, NULL, NULL},
    {"yaml: name not a string", RULES_YAML, "outbound_rules:\n- name: [a]\n  type: fqdn\n",
     "x.yml:2:9: name: expected a string, not a list", NULL, NULL, NULL},
    {"yaml: no destination", RULES_YAML, "outbound_rules:\n- name: a\n  type: fqdn\n",
     "x.yml:2:3: rule 'a' has no destination", NULL, NULL, NULL},
    {"yaml: empty destination", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: fqdn\n  destination:\n",
     "x.yml:4:15: empty destination", NULL, NULL, NULL},
    {"yaml: fqdn destination a mapping", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: fqdn\n  destination: {service_tag: Storage}\n",
     "x.yml:4:16: destination: expected a string, not a mapping", NULL, NULL, NULL},
    {"yaml: service tag destination a string", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: service_tag\n  destination: Storage\n",
     "x.yml:4:16: destination: expected a mapping, not a string", NULL, NULL, NULL},
    {"yaml: service tag without a tag", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: service_tag\n  destination: {protocol: TCP}\n",
     "x.yml:4:16: rule 'a': destination has no service_tag", NULL, NULL, NULL},
    {"yaml: bad protocol", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: service_tag\n  destination:\n    service_tag: Storage\n"
     "    protocol: ICMP\n",
     "x.yml:6:15: 'ICMP': unknown protocol", NULL, NULL, NULL},
    {"yaml: bad port", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: service_tag\n  destination:\n    service_tag: Storage\n"
     "    port_ranges: 0-80\n",
     "x.yml:6:18: '0-80': bad port", NULL, NULL, NULL},
    {"yaml: prefix with host bits", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: service_tag\n  destination:\n    service_tag: Storage\n"
     "    address_prefixes:\n    - 10.0.0.0/8\n    - 10.0.0.1/8\n",
     "x.yml:8:7: '10.0.0.1/8': host bits set", NULL, NULL, NULL},
    {"yaml: a NUL in a prefix", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: service_tag\n  destination:\n    service_tag: Storage\n"
     "    address_prefixes: [\"10.0.0.0\\0/8\"]\n",
     "x.yml:6:24: '10.0.0.0\\x00/8': NUL byte in the address", NULL, NULL, NULL},
    {"yaml: prefixes a mapping", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: service_tag\n  destination:\n    service_tag: Storage\n"
     "    address_prefixes: {a: b}\n",
     "x.yml:6:23: address_prefixes: expected a list, not a mapping", NULL, NULL, NULL},
    {"yaml: private endpoint without a resource", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: private_endpoint\n  destination: {subresource_target: blob}\n",
     "x.yml:4:16: rule 'a': destination has no service_resource_id", NULL, NULL, NULL},
    {"yaml: private endpoint fields, YAML 1.1 booleans, null and empty", RULES_YAML,
     "outbound_rules:\n"
     "- {name: a, type: private_endpoint, destination: {service_resource_id: /s/a,"
     " subresource_target: vault, spark_enabled: Yes}}\n"
     "- {name: b, type: private_endpoint, destination: {service_resource_id: /s/b,"
     " subresource_target: ~, spark_enabled: 'OFF'}}\n"
     "- {name: c, type: private_endpoint, destination: {service_resource_id: /s/c,"
     " subresource_target: '', spark_enabled: null}}\n",
     NULL, RULES("private_endpoint /s/a name=a sub=vault spark=true @x.yml:2",
                 "private_endpoint /s/b name=b spark=false @x.yml:3",
                 "private_endpoint /s/c name=c @x.yml:4"), NULL, NULL},
    {"yaml: spark_enabled not a boolean", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: private_endpoint\n  destination:\n"
     "    service_resource_id: /s/a\n    spark_enabled: maybe\n",
     "x.yml:6:20: spark_enabled 'maybe': expected true or false", NULL, NULL, NULL},
    {"yaml: subresource_target a list", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: private_endpoint\n  destination:\n"
     "    service_resource_id: /s/a\n    subresource_target: [blob]\n",
     "x.yml:6:25: subresource_target: expected a string, not a list", NULL, NULL, NULL},
    {"yaml: unknown status", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: fqdn\n  destination: a.example\n  status: Paused\n",
     "x.yml:5:11: unknown status 'Paused' (Active or Inactive)", NULL, NULL, NULL},
    {"yaml: duplicate name", RULES_YAML,
     "outbound_rules:\n- {name: a, type: fqdn, destination: a.example}\n"
     "- {name: b, type: fqdn, destination: b.example}\n"
     "- {name: A, type: fqdn, destination: c.example}\n",
     "x.yml:4:10: duplicate rule name 'A' (also at x.yml:2)", NULL, NULL, NULL},
    {"yaml: duplicate name across loads", RULES_YAML,
     "outbound_rules:\n- {name: allow-hf, type: fqdn, destination: hf.co}\n"
     "- {name: allow-pypi, type: fqdn, destination: pypi.org}\n",
     "x.yml:3:10: duplicate rule name 'allow-pypi' (also at pre:2)", NULL, NULL, PRE_YAML},
    {"yaml: duplicate key", RULES_YAML,
     "outbound_rules:\n- name: a\n  type: fqdn\n  type: fqdn\n  destination: a.example\n",
     "x.yml:4:3: duplicate key 'type'", NULL, NULL, NULL},
    {"yaml: map form name disagrees", RULES_YAML,
     "outbound_rules:\n  a:\n    name: b\n    type: fqdn\n    destination: a.example\n",
     "x.yml:3:11: name 'b' differs from the rule's key", NULL, NULL, NULL},
    {"yaml: map form value a string", RULES_YAML, "outbound_rules:\n  a: a.example\n",
     "x.yml:2:6: expected a rule (a mapping with type and destination), not a string",
     NULL, NULL, NULL},
    {"yaml: two documents", RULES_YAML, "outbound_rules: []\n---\noutbound_rules: []\n",
     "x.yml:3:1: more than one YAML document", NULL, NULL, NULL},
    {"yaml: an alias walked twice", RULES_YAML,
     "outbound_rules:\n- &r {name: a, type: fqdn, destination: a.example}\n- *r\n",
     "x.yml:2:3: this node is reached twice through an alias", NULL, NULL, NULL},
    {"yaml: an alias loop", RULES_YAML, "&a [*a]\n",
     "x.yml:1:1: expected a rule (a mapping with name, type and destination), not a list", NULL,
     NULL, NULL},
    {"yaml: all or nothing at the fifth rule", RULES_YAML, FIVE_YAML,
     "x.yml:6:39: '10.0.0.0/8': an address, not a host name (FQDN rules take names)", NULL, NULL,
     PRE_YAML},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct load_case json_cases[] = {
    {"json: az list", RULES_JSON,
     "[{\"name\": \"allow-hf\", \"type\": \"fqdn\", \"destination\": \"*.hf.co\", "
     "\"category\": \"user_defined\", \"status\": \"Active\"},\n"
     " {\"name\": \"allow-aml\", \"type\": \"service_tag\", \"destination\": {\"service_tag\": "
     "\"AzureMachineLearning\", \"protocol\": \"TCP\", \"port_ranges\": 443}, \"status\": \"Inactive\"},\n"
     " {\"name\": \"allow-pe\", \"type\": \"private_endpoint\", \"destination\": "
     "{\"service_resource_id\": \"/subscriptions/x\", \"spark_enabled\": false}, \"category\": null}]",
     NULL, RULES("fqdn *.hf.co name=allow-hf subdomains fqdn=hf.co cat=user_defined status=Active "
                 "@x.json:rule 1",
                 "service_tag AzureMachineLearning name=allow-aml tag=AzureMachineLearning ports=443 "
                 "proto=tcp inactive status=Inactive @x.json:rule 2",
                 "private_endpoint /subscriptions/x name=allow-pe spark=false @x.json:rule 3"), NULL,
     NULL},
    {"json: arm value list", RULES_JSON,
     "{\"value\": [{\"name\": \"allow-hf\", \"type\": \"Microsoft.MachineLearningServices/"
     "workspaces/outboundRules\", \"properties\": {\"type\": \"FQDN\", \"destination\": \"hf.co\", "
     "\"category\": \"UserDefined\", \"status\": \"Active\"}},\n"
     " {\"name\": \"allow-st\", \"properties\": {\"type\": \"ServiceTag\", \"destination\": "
     "{\"serviceTag\": \"Storage\", \"protocol\": \"*\", \"portRanges\": \"80,443\", "
     "\"addressPrefixes\": [\"20.60.0.0/19\"]}, \"category\": \"Required\"}},\n"
     " {\"name\": \"allow-pe\", \"properties\": {\"type\": \"PrivateEndpoint\", \"destination\": "
     "{\"serviceResourceId\": \"/subscriptions/y\", \"subresourceTarget\": \"blob\"}}}],"
     " \"nextLink\": null}",
     NULL, RULES("fqdn hf.co name=allow-hf exact fqdn=hf.co cat=UserDefined status=Active "
                 "@x.json:rule 1",
                 "service_tag Storage name=allow-st tag=Storage nets=20.60.0.0/19 ports=80,443 "
                 "cat=Required @x.json:rule 2",
                 "private_endpoint /subscriptions/y name=allow-pe sub=blob @x.json:rule 3"), NULL,
     NULL},
    {"json: one arm rule", RULES_JSON,
     "{\"name\": \"allow-hf\", \"properties\": {\"type\": \"FQDN\", \"destination\": \"hf.co\"}}",
     NULL, RULES("fqdn hf.co name=allow-hf exact fqdn=hf.co @x.json:rule 1"), NULL, NULL},
    {"json: one az rule", RULES_JSON,
     "{\"name\": \"allow-hf\", \"type\": \"fqdn\", \"destination\": \"hf.co\"}",
     NULL, RULES("fqdn hf.co name=allow-hf exact fqdn=hf.co @x.json:rule 1"), NULL, NULL},
    {"json: array of arm rules", RULES_JSON,
     "[{\"name\": \"a\", \"properties\": {\"type\": \"FQDN\", \"destination\": \"a.example\"}}]",
     NULL, RULES("fqdn a.example name=a exact fqdn=a.example @x.json:rule 1"), NULL, NULL},
    {"json: managed_network map form", RULES_JSON,
     "{\"name\": \"ws\", \"managed_network\": {\"isolation_mode\": \"allow_only_approved_outbound\","
     " \"outbound_rules\": {\"a\": {\"type\": \"fqdn\", \"destination\": \"a.example\"},"
     " \"b\": {\"name\": \"b\", \"type\": \"fqdn\", \"destination\": \"b.example\"}}}}",
     NULL, RULES("fqdn a.example name=a exact fqdn=a.example @x.json:rule 1",
                 "fqdn b.example name=b exact fqdn=b.example @x.json:rule 2"), NULL, NULL},
    {"json: outbound_rules list", RULES_JSON,
     "{\"outbound_rules\": [{\"name\": \"a\", \"type\": \"fqdn\", \"destination\": \"a.example\"}]}",
     NULL, RULES("fqdn a.example name=a exact fqdn=a.example @x.json:rule 1"), NULL, NULL},
    {"json: arm workspace", RULES_JSON,
     "{\"name\": \"ws\", \"properties\": {\"managedNetwork\": {\"isolationMode\": "
     "\"AllowOnlyApprovedOutbound\", \"outboundRules\": {\"a\": {\"type\": \"FQDN\", "
     "\"destination\": \"a.example\", \"category\": \"UserDefined\"}}}}}",
     NULL, RULES("fqdn a.example name=a exact fqdn=a.example cat=UserDefined @x.json:rule 1"),
     NULL, NULL},
    {"json: empty array", RULES_JSON, "[]", NULL, NO_RULES, NULL, NULL},
    {"json: empty value", RULES_JSON, "{\"value\": []}", NULL, NO_RULES, NULL, NULL},
    {"json: empty input", RULES_JSON, " \n", NULL, NO_RULES, NULL, NULL},
    {"json: null rules", RULES_JSON, "{\"managed_network\": {\"outbound_rules\": null}}", NULL,
     NO_RULES, NULL, NULL},
    {"json: look-alike suffix warns", RULES_JSON,
     "[{\"name\": \"c\", \"type\": \"fqdn\", \"destination\": \"*contoso.com\"}]",
     NULL, RULES("fqdn *contoso.com name=c suffix fqdn=contoso.com @x.json:rule 1"),
     WARN_CONTOSO("x.json: [0].destination"), NULL},
    /* bad */
    {"json: syntax", RULES_JSON, "[\n  {\"name\": \"a\",}\n]",
     "x.json:2:16: string or '}' expected near '}'", NULL, NULL, NULL},
    {"json: truncated", RULES_JSON, "[{\"name\": \"a\"",
     "x.json:1:13: '}' expected near end of file", NULL, NULL, NULL},
    {"json: duplicate key", RULES_JSON, "[{\"name\": \"a\", \"name\": \"b\"}]",
     "x.json:1:21: duplicate object key near '\"name\"'", NULL, NULL, NULL},
    {"json: a string", RULES_JSON, "\"pypi.org\"",
     "x.json: expected an array or an object of outbound rules, not a string", NULL, NULL, NULL},
    {"json: an unrelated object", RULES_JSON, "{\"cloud\": \"Public\"}",
     "x.json: expected an array of rules, or an object with value", NULL, NULL, NULL},
    {"json: value not an array", RULES_JSON, "{\"value\": {}}",
     "x.json: value: expected an array, not an object", NULL, NULL, NULL},
    {"json: a rule that is a string", RULES_JSON, "[\"pypi.org\"]",
     "x.json: [0]: expected a rule object, not a string", NULL, NULL, NULL},
    {"json: unknown type", RULES_JSON,
     "{\"value\": [{\"name\": \"a\", \"properties\": {\"type\": \"Website\", \"destination\": \"a\"}}]}",
     "x.json: value[0].properties.type: unknown rule type 'Website'", NULL, NULL, NULL},
    {"json: type not a string", RULES_JSON, "[{\"name\": \"a\", \"type\": 1}]",
     "x.json: [0].type: expected a string, not a number", NULL, NULL, NULL},
    {"json: no name", RULES_JSON, "[{\"type\": \"fqdn\", \"destination\": \"a.example\"}]",
     "x.json: [0]: rule has no name", NULL, NULL, NULL},
    {"json: no type", RULES_JSON, "[{\"name\": \"a\", \"destination\": \"a.example\"}]",
     "x.json: [0]: rule 'a' has no type", NULL, NULL, NULL},
    {"json: no destination", RULES_JSON,
     "[{\"name\": \"a\", \"type\": \"fqdn\", \"destination\": \"a.example\"},"
     " {\"name\": \"b\", \"type\": \"fqdn\"}]",
     "x.json: [1]: rule 'b' has no destination", NULL, NULL, NULL},
    {"json: empty destination", RULES_JSON,
     "{\"value\": [{\"name\": \"a\", \"properties\": {\"type\": \"FQDN\", \"destination\": \"\"}}]}",
     "x.json: value[0].properties.destination: empty destination", NULL, NULL, NULL},
    {"json: wildcard inside", RULES_JSON,
     "[{\"name\": \"a\", \"type\": \"fqdn\", \"destination\": \"a.*.example\"}]",
     "x.json: [0].destination: 'a.*.example': a wildcard is only valid", NULL, NULL, NULL},
    {"json: service tag destination a string", RULES_JSON,
     "[{\"name\": \"a\", \"type\": \"service_tag\", \"destination\": \"Storage\"}]",
     "x.json: [0].destination: expected an object, not a string", NULL, NULL, NULL},
    {"json: bad port", RULES_JSON,
     "[{\"name\": \"a\", \"type\": \"service_tag\", \"destination\": {\"service_tag\": \"Storage\","
     " \"port_ranges\": 70000}}]",
     "x.json: [0].destination.port_ranges: '70000': bad port", NULL, NULL, NULL},
    {"json: bad camelCase protocol", RULES_JSON,
     "{\"value\": [{\"name\": \"a\", \"properties\": {\"type\": \"ServiceTag\", \"destination\": "
     "{\"serviceTag\": \"Storage\", \"protocol\": \"ICMP\"}}}]}",
     "x.json: value[0].properties.destination.protocol: 'ICMP': unknown protocol", NULL, NULL,
     NULL},
    {"json: prefix with host bits", RULES_JSON,
     "[{\"name\": \"a\", \"type\": \"service_tag\", \"destination\": {\"service_tag\": \"Storage\","
     " \"address_prefixes\": [\"10.0.0.0/8\", \"10.0.0.1/8\"]}}]",
     "x.json: [0].destination.address_prefixes[1]: '10.0.0.1/8': host bits set", NULL, NULL,
     NULL},
    {"json: prefixes not an array", RULES_JSON,
     "[{\"name\": \"a\", \"type\": \"service_tag\", \"destination\": {\"service_tag\": \"Storage\","
     " \"address_prefixes\": \"10.0.0.0/8\"}}]",
     "x.json: [0].destination.address_prefixes: expected an array, not a string", NULL, NULL,
     NULL},
    {"json: private endpoint without a resource", RULES_JSON,
     "[{\"name\": \"a\", \"type\": \"private_endpoint\", \"destination\": {}}]",
     "x.json: [0].destination: rule 'a': no service_resource_id", NULL, NULL, NULL},
    {"json: private endpoint fields, az and ARM spellings", RULES_JSON,
     "[{\"name\": \"a\", \"type\": \"private_endpoint\", \"destination\": "
     "{\"service_resource_id\": \"/s/a\", \"subresource_target\": \"amlworkspace\", "
     "\"spark_enabled\": true}},\n"
     " {\"name\": \"b\", \"properties\": {\"type\": \"PrivateEndpoint\", \"destination\": "
     "{\"serviceResourceId\": \"/s/b\", \"subresourceTarget\": \"sqlServer\", "
     "\"sparkEnabled\": \"False\", \"sparkStatus\": \"Inactive\"}}},\n"
     " {\"name\": \"c\", \"type\": \"private_endpoint\", \"destination\": "
     "{\"service_resource_id\": \"/s/c\", \"subresource_target\": null, "
     "\"spark_enabled\": null}}]",
     NULL, RULES("private_endpoint /s/a name=a sub=amlworkspace spark=true @x.json:rule 1",
                 "private_endpoint /s/b name=b sub=sqlServer spark=false @x.json:rule 2",
                 "private_endpoint /s/c name=c @x.json:rule 3"), NULL, NULL},
    {"json: spark_enabled a number", RULES_JSON,
     "[{\"name\": \"a\", \"type\": \"private_endpoint\", \"destination\": "
     "{\"service_resource_id\": \"/s/a\", \"spark_enabled\": 1}}]",
     "x.json: [0].destination.spark_enabled: expected true or false, not a number", NULL, NULL,
     NULL},
    {"json: subresourceTarget not printable", RULES_JSON,
     "{\"name\": \"a\", \"properties\": {\"type\": \"PrivateEndpoint\", \"destination\": "
     "{\"serviceResourceId\": \"/s/a\", \"subresourceTarget\": \"bl\\nob\"}}}",
     "x.json: properties.destination.subresourceTarget: 'bl\\x0aob': not a subresource target",
     NULL, NULL, NULL},
    {"json: properties not an object", RULES_JSON, "[{\"name\": \"a\", \"properties\": []}]",
     "x.json: [0].properties: expected an object, not an array", NULL, NULL, NULL},
    {"json: unknown status", RULES_JSON,
     "[{\"name\": \"a\", \"type\": \"fqdn\", \"destination\": \"a.example\", \"status\": \"Off\"}]",
     "x.json: [0].status: unknown status 'Off'", NULL, NULL, NULL},
    {"json: duplicate name", RULES_JSON,
     "[{\"name\": \"a\", \"type\": \"fqdn\", \"destination\": \"a.example\"},"
     " {\"name\": \"a\", \"type\": \"fqdn\", \"destination\": \"b.example\"}]",
     "x.json: [1].name: duplicate rule name 'a' (also at x.json:rule 1)", NULL, NULL, NULL},
    {"json: duplicate name across loads", RULES_JSON,
     "{\"value\": [{\"name\": \"ALLOW-PYPI\", \"properties\": {\"type\": \"FQDN\", "
     "\"destination\": \"pypi.org\"}}]}",
     "x.json: value[0].name: duplicate rule name 'ALLOW-PYPI' (also at pre:2)", NULL, NULL,
     PRE_YAML},
    {"json: map form name disagrees", RULES_JSON,
     "{\"outbound_rules\": {\"a\": {\"name\": \"b\", \"type\": \"fqdn\", \"destination\": \"x.example\"}}}",
     "x.json: outbound_rules.a.name: name 'b' differs from the rule's key", NULL, NULL, NULL},
    {"json: a name with a newline", RULES_JSON,
     "[{\"name\": \"a\\nb\", \"type\": \"fqdn\", \"destination\": \"a.example\"}]",
     "x.json: [0].name: 'a\\x0ab': not a rule name", NULL, NULL, NULL},
    {"json: a NUL in a string", RULES_JSON, "[{\"name\": \"a\\u0000b\"}]",
     "x.json:1:20: \\u0000 is not allowed", NULL, NULL, NULL},
    {"json: all or nothing at the fifth rule", RULES_JSON, FIVE_JSON,
     "x.json: [4].destination.address_prefixes[0]: '10.0.0.1/8': host bits set", NULL, NULL,
     PRE_YAML},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL},
};

/* The format by content: the origins tell JSON ("rule N") from the others;
 * text and YAML inputs here only load in their own format. */
static const struct load_case auto_cases[] = {
    {"auto: json array", RULES_AUTO,
     "  \n[{\"name\": \"a\", \"type\": \"fqdn\", \"destination\": \"a.example\"}]",
     NULL, RULES("fqdn a.example name=a exact fqdn=a.example @x:rule 1"), NULL, NULL},
    {"auto: json object", RULES_AUTO,
     "{\"value\": [{\"name\": \"a\", \"properties\": {\"type\": \"FQDN\", \"destination\": \"a.b\"}}]}",
     NULL, RULES("fqdn a.b name=a exact fqdn=a.b @x:rule 1"), NULL, NULL},
    {"auto: yaml workspace", RULES_AUTO,
     "# a workspace\nname: ws\nmanaged_network:\n  outbound_rules:\n  - {name: a, type: fqdn, "
     "destination: a.example}\n",
     NULL, RULES("fqdn a.example name=a exact fqdn=a.example @x:5"), NULL, NULL},
    {"auto: yaml bare list", RULES_AUTO,
     "# rules\n- name: a\n  type: fqdn\n  destination: a.example\n",
     NULL, RULES("fqdn a.example name=a exact fqdn=a.example @x:2"), NULL, NULL},
    {"auto: yaml key first", RULES_AUTO,
     "rules:\n  outbound_rules:\n",
     "x:1:1: expected a mapping with managed_network.outbound_rules", NULL, NULL, NULL},
    {"auto: text", RULES_AUTO, "# allowlist\npypi.org\n10.0.0.0/8:443\n",
     NULL, RULES("fqdn pypi.org exact fqdn=pypi.org @x:2",
                 "cidr 10.0.0.0/8 nets=10.0.0.0/8 ports=443 @x:3"), NULL, NULL},
    {"auto: text mentioning the keys in comments", RULES_AUTO,
     "# copied from managed_network: outbound_rules:\npypi.org # not outbound_rules: here\n",
     NULL, RULES("fqdn pypi.org exact fqdn=pypi.org @x:2"), NULL, NULL},
    {"auto: empty", RULES_AUTO, "", NULL, NO_RULES, NULL, NULL},
    {"auto: blank", RULES_AUTO, "\n \n\t\n", NULL, NO_RULES, NULL, NULL},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
/* clang-format on */

static const char *case_name(enum rules_format fmt)
{
    switch (fmt) {
    case RULES_TEXT:
        return "x.txt";
    case RULES_YAML:
        return "x.yml";
    case RULES_JSON:
        return "x.json";
    case RULES_AUTO:
        break;
    }
    return "x";
}

static void run_load_case(void **state)
{
    const struct load_case *t = *state;
    struct ea_report r;
    char err[512] = "";
    char *warn_buf = NULL;
    size_t warn_len = 0;
    ea_report_init(&r);
    if (t->pre) {
        bool ok = rules_load_buffer(&r, "pre", t->pre, strlen(t->pre), RULES_AUTO, NULL, err,
                                    sizeof(err));
        if (!ok)
            fail_msg("pre: %s", err);
        check_rules(&r, 0, RULES(PRE_RULE));
    }
    size_t before = r.n_rules;
    size_t len = t->input == nul_input ? sizeof(nul_input) - 1 : strlen(t->input);
    struct guarded g = {0};
    const char *in = (const char *)guard_copy(&g, t->input, len);
    FILE *warn = open_memstream(&warn_buf, &warn_len);
    assert_non_null(warn);
    bool ok = rules_load_buffer(&r, case_name(t->fmt), in, len, t->fmt, warn, err, sizeof(err));
    fclose(warn);
    guard_free(&g);
    if (t->err) {
        if (ok)
            fail_msg("loaded %zu rules, want the error %s", r.n_rules - before, t->err);
        check_err(err, t->err);
        assert_int_equal(r.n_rules, before);
        if (t->pre)
            check_rules(&r, 0, RULES(PRE_RULE));
    } else {
        if (!ok)
            fail_msg("%s", err);
        check_rules(&r, before, t->rules);
    }
    assert_string_equal(warn_buf, t->warn ? t->warn : "");
    free(warn_buf);
    ea_report_finish(&r);
}

/* ---- the data files ---- */

struct file_case {
    const char *what;
    const char *file;
    enum rules_format fmt;
    const char *err;
    const char *const *rules;
    const char *warn;
};

#define PE_ID                                                                                      \
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-contoso-ml/providers/"  \
    "Microsoft.Storage/storageAccounts/contosomldata"

/* clang-format off */
static const struct file_case file_cases[] = {
    {"file: workspace-list.yml", "workspace-list.yml", RULES_AUTO, NULL,
     RULES("fqdn huggingface.co name=allow-huggingface exact fqdn=huggingface.co cat=user_defined "
           "@workspace-list.yml:13",
           "fqdn *.hf.co name=allow-hf-co subdomains fqdn=hf.co cat=user_defined "
           "@workspace-list.yml:17",
           "fqdn pypi.org name=allow-pypi exact fqdn=pypi.org cat=user_defined "
           "@workspace-list.yml:21",
           "fqdn *.pythonhosted.org name=allow-pythonhosted subdomains fqdn=pythonhosted.org "
           "cat=user_defined @workspace-list.yml:25",
           "service_tag AzureMachineLearning name=allow-aml tag=AzureMachineLearning ports=443 "
           "proto=tcp cat=user_defined @workspace-list.yml:29",
           "private_endpoint " PE_ID " name=allow-storage sub=blob spark=false cat=user_defined "
           "@workspace-list.yml:36"), NULL},
    {"file: workspace-map.yml", "workspace-map.yml", RULES_YAML, NULL,
     RULES("fqdn huggingface.co name=allow-huggingface exact fqdn=huggingface.co cat=user_defined "
           "@workspace-map.yml:8",
           "fqdn *.hf.co name=allow-hf-co subdomains fqdn=hf.co cat=user_defined "
           "@workspace-map.yml:12",
           "fqdn pypi.org name=allow-pypi exact fqdn=pypi.org cat=user_defined "
           "@workspace-map.yml:16",
           "fqdn *.pythonhosted.org name=allow-pythonhosted subdomains fqdn=pythonhosted.org "
           "cat=user_defined @workspace-map.yml:20",
           "service_tag AzureMachineLearning name=allow-aml tag=AzureMachineLearning ports=443 "
           "proto=tcp cat=user_defined @workspace-map.yml:24",
           "private_endpoint " PE_ID " name=allow-storage sub=blob spark=false cat=user_defined "
           "@workspace-map.yml:31"), NULL},
    {"file: rules.txt", "rules.txt", RULES_AUTO, NULL,
     RULES("fqdn huggingface.co exact fqdn=huggingface.co @rules.txt:5",
           "fqdn *.hf.co subdomains fqdn=hf.co @rules.txt:6",
           "fqdn pypi.org exact fqdn=pypi.org @rules.txt:9",
           "fqdn *.pythonhosted.org subdomains fqdn=pythonhosted.org @rules.txt:10",
           "cidr 198.18.0.53/32 nets=198.18.0.53/32 ports=53 proto=udp @rules.txt:13",
           "service_tag AzureMachineLearning tag=AzureMachineLearning ports=443 proto=tcp "
           "@rules.txt:16"), NULL},
    {"file: az-list.json", "az-list.json", RULES_AUTO, NULL,
     RULES("fqdn huggingface.co name=allow-huggingface exact fqdn=huggingface.co cat=user_defined "
           "status=Active @az-list.json:rule 1",
           "fqdn *.hf.co name=allow-hf-co subdomains fqdn=hf.co cat=user_defined status=Active "
           "@az-list.json:rule 2",
           "fqdn pypi.org name=allow-pypi exact fqdn=pypi.org cat=user_defined status=Active "
           "@az-list.json:rule 3",
           "fqdn *.pythonhosted.org name=allow-pythonhosted subdomains fqdn=pythonhosted.org "
           "inactive cat=user_defined status=Inactive @az-list.json:rule 4",
           "service_tag AzureMachineLearning name=allow-aml tag=AzureMachineLearning ports=443 "
           "proto=tcp cat=user_defined status=Active @az-list.json:rule 5",
           "private_endpoint " PE_ID " name=allow-storage sub=blob spark=false cat=user_defined "
           "status=Active @az-list.json:rule 6"), NULL},
    {"file: arm.json", "arm.json", RULES_JSON, NULL,
     RULES("fqdn huggingface.co name=allow-huggingface exact fqdn=huggingface.co cat=UserDefined "
           "status=Active @arm.json:rule 1",
           "fqdn *.hf.co name=allow-hf-co subdomains fqdn=hf.co cat=UserDefined status=Active "
           "@arm.json:rule 2",
           "fqdn pypi.org name=allow-pypi exact fqdn=pypi.org cat=UserDefined status=Active "
           "@arm.json:rule 3",
           "fqdn *.pythonhosted.org name=allow-pythonhosted subdomains fqdn=pythonhosted.org "
           "inactive cat=UserDefined status=Inactive @arm.json:rule 4",
           "service_tag AzureMachineLearning name=allow-aml tag=AzureMachineLearning ports=443 "
           "proto=tcp cat=UserDefined status=Active @arm.json:rule 5",
           "private_endpoint " PE_ID " name=allow-storage sub=blob spark=false cat=UserDefined "
           "status=Active @arm.json:rule 6"), NULL},
    {"file: empty.txt", "empty.txt", RULES_AUTO, NULL, NO_RULES, NULL},
    {"file: lookalike.txt", "lookalike.txt", RULES_AUTO, NULL,
     RULES("fqdn *contoso.com suffix fqdn=contoso.com @lookalike.txt:2"),
     "egress-audit: warning: @lookalike.txt:2: '*contoso.com' is a plain suffix: it also matches "
     "'badcontoso.com'; did you mean '*.contoso.com'?\n"},
    {"file: bad-wildcard.txt", "bad-wildcard.txt", RULES_AUTO,
     "bad-wildcard.txt:3: 'hf.*.co': a wildcard is only valid as the first character", NULL, NULL},
    {"file: bad-hostbits.txt", "bad-hostbits.txt", RULES_TEXT,
     "bad-hostbits.txt:3: '10.0.0.1/8': host bits set", NULL, NULL},
    {"file: bad-two-rules.txt", "bad-two-rules.txt", RULES_AUTO,
     "bad-two-rules.txt:3: 'pypi.org files.pythonhosted.org': one rule per line", NULL, NULL},
    {"file: bad-port.txt", "bad-port.txt", RULES_AUTO, "bad-port.txt:3: '0': bad port", NULL,
     NULL},
    {"file: bad-type.yml", "bad-type.yml", RULES_AUTO,
     "bad-type.yml:8:11: unknown rule type 'website'", NULL, NULL},
    {"file: bad-not-mapping.yml", "bad-not-mapping.yml", RULES_YAML,
     "bad-not-mapping.yml:1:1: expected a mapping with managed_network.outbound_rules", NULL, NULL},
    {"file: bad-duplicate.yml", "bad-duplicate.yml", RULES_AUTO,
     "bad-duplicate.yml:6:11: duplicate rule name 'allow-pypi' (also at @bad-duplicate.yml:3)",
     NULL, NULL},
    {"file: bad-protocol.yml", "bad-protocol.yml", RULES_AUTO,
     "bad-protocol.yml:6:17: 'ICMP': unknown protocol", NULL, NULL},
    {"file: bad-missing-destination.json", "bad-missing-destination.json", RULES_AUTO,
     "bad-missing-destination.json: [1]: rule 'allow-hf' has no destination", NULL, NULL},
    {"file: bad-syntax.json", "bad-syntax.json", RULES_AUTO,
     "bad-syntax.json:3:85: string or '}' expected near '}'", NULL, NULL},
    {"file: bad-empty-destination.json", "bad-empty-destination.json", RULES_AUTO,
     "bad-empty-destination.json: value[0].properties.destination: empty destination", NULL, NULL},
    {"file: missing", "no-such-file.txt", RULES_AUTO,
     "no-such-file.txt: No such file or directory", NULL, NULL},
    {"file: a directory", ".", RULES_AUTO, ".: Is a directory", NULL, NULL},
    {NULL, NULL, 0, NULL, NULL, NULL},
};
/* clang-format on */

static void data_path(char *out, size_t n, const char *file)
{
    snprintf(out, n, "%s%s", data_dir, file);
}

static void run_file_case(void **state)
{
    const struct file_case *t = *state;
    struct ea_report r;
    char path[4200], err[512] = "";
    char *warn_buf = NULL;
    size_t warn_len = 0;
    data_path(path, sizeof(path), t->file);
    ea_report_init(&r);
    FILE *warn = open_memstream(&warn_buf, &warn_len);
    assert_non_null(warn);
    bool ok = rules_load_file(&r, path, t->fmt, warn, err, sizeof(err));
    fclose(warn);
    if (t->err) {
        if (ok)
            fail_msg("loaded %zu rules, want the error %s", r.n_rules, t->err);
        /* the origin inside "also at ..." keeps the directory: strip it too */
        char tidy[512];
        const char *e = strip_dir(err);
        const char *at = strstr(e, data_dir[0] ? data_dir : "\x01");
        if (at) {
            snprintf(tidy, sizeof(tidy), "%.*s@%s", (int)(at - e), e, at + strlen(data_dir));
            e = tidy;
        }
        check_err(e, t->err);
        assert_int_equal(r.n_rules, 0);
    } else {
        if (!ok)
            fail_msg("%s", err);
        check_rules(&r, 0, t->rules);
    }
    /* the warning names the full path: compare after it */
    char want[8192] = "";
    if (t->warn) {
        const char *at = strchr(t->warn, '@');
        snprintf(want, sizeof(want), "%.*s%s%s", (int)(at - t->warn), t->warn, data_dir, at + 1);
    }
    assert_string_equal(warn_buf, want);
    free(warn_buf);
    ea_report_finish(&r);
}

/* Every prefix of every good data file either loads or fails cleanly, with
 * the report as it was. */
static void test_file_prefixes(void **state)
{
    static const char *const files[] = {"workspace-list.yml", "workspace-map.yml", "rules.txt",
                                        "az-list.json",       "arm.json",          NULL};
    for (const char *const *f = files; *f; f++) {
        char path[4200], err[512];
        char *buf = NULL;
        size_t len = 0;
        data_path(path, sizeof(path), *f);
        FILE *in = fopen(path, "rb");
        assert_non_null(in);
        char chunk[4096];
        size_t got;
        FILE *mem = open_memstream(&buf, &len);
        while ((got = fread(chunk, 1, sizeof(chunk), in)) > 0)
            fwrite(chunk, 1, got, mem);
        fclose(mem);
        fclose(in);
        for (size_t n = 0; n <= len; n++) {
            struct ea_report r;
            ea_report_init(&r);
            struct guarded g = {0};
            const char *p = (const char *)guard_copy(&g, buf, n);
            bool ok = rules_load_buffer(&r, *f, p, n, RULES_AUTO, NULL, err, sizeof(err));
            if (ok)
                assert_true(r.n_rules <= 6);
            else
                assert_int_equal(r.n_rules, 0);
            guard_free(&g);
            ea_report_finish(&r);
        }
        free(buf);
    }
}

/* ---- service tags ---- */

struct tag_case {
    const char *what;
    const char *rules; /* text loaded first */
    const char *file;
    const char *err;         /* NULL: resolves */
    const char *const *want; /* the rules afterwards */
};

/* clang-format off */
static const struct tag_case tag_cases[] = {
    {"tags: resolve by name, any case", 
     "tag:AzureMachineLearning:443/tcp\ntag:storage.westeurope\ntag:Unknown.Tag\npypi.org\n",
     "servicetags-mini.json", NULL,
     RULES("service_tag AzureMachineLearning tag=AzureMachineLearning nets=13.66.87.135/32,"
           "13.66.140.80/28,20.38.80.208/28,40.74.24.96/28,2603:1000:4::340/122,"
           "2603:1020:206:4::300/122 ports=443 proto=tcp @t.txt:1",
           "service_tag storage.westeurope tag=storage.westeurope nets=13.69.40.16/28,"
           "20.38.108.0/23,20.60.0.0/19,2603:1020:205:400::40/122 @t.txt:2",
           "service_tag Unknown.Tag tag=Unknown.Tag @t.txt:3",
           "fqdn pypi.org exact fqdn=pypi.org @t.txt:4")},
    {"tags: two rules, one tag", "tag:AzureMachineLearning.WestEurope/tcp\n"
     "tag:azuremachinelearning.westeurope/udp\n", "servicetags-mini.json", NULL,
     RULES("service_tag AzureMachineLearning.WestEurope tag=AzureMachineLearning.WestEurope "
           "nets=13.69.64.192/28,13.69.106.192/28,2603:1020:206:4::300/122 proto=tcp @t.txt:1",
           "service_tag azuremachinelearning.westeurope tag=azuremachinelearning.westeurope "
           "nets=13.69.64.192/28,13.69.106.192/28,2603:1020:206:4::300/122 proto=udp @t.txt:2")},
    {"tags: no service-tag rules", "pypi.org\n", "servicetags-mini.json", NULL,
     RULES("fqdn pypi.org exact fqdn=pypi.org @t.txt:1")},
    {"tags: a bad prefix changes nothing", "tag:AzureMachineLearning\n", "bad-servicetags.json",
     "bad-servicetags.json: values[0] ('AzureMachineLearning'): address prefix 1 "
     "'13.66.140.81/28': host bits set",
     RULES("service_tag AzureMachineLearning tag=AzureMachineLearning @t.txt:1")},
    {"tags: not a service tags file", "tag:AzureMachineLearning\n", "arm.json",
     "arm.json: no \"values\" array: not a service tags file",
     RULES("service_tag AzureMachineLearning tag=AzureMachineLearning @t.txt:1")},
    {"tags: not JSON", "tag:AzureMachineLearning\n", "rules.txt",
     "rules.txt:1:1: '[' or '{' expected near '#'",
     RULES("service_tag AzureMachineLearning tag=AzureMachineLearning @t.txt:1")},
    {"tags: missing file", "tag:AzureMachineLearning\n", "no-such-tags.json",
     "no-such-tags.json: No such file or directory",
     RULES("service_tag AzureMachineLearning tag=AzureMachineLearning @t.txt:1")},
    {NULL, NULL, NULL, NULL, NULL},
};
/* clang-format on */

static void run_tag_case(void **state)
{
    const struct tag_case *t = *state;
    struct ea_report r;
    char path[4200], err[512] = "";
    ea_report_init(&r);
    assert_true(rules_load_text(&r, "t.txt", t->rules, strlen(t->rules), NULL, err, sizeof(err)));
    data_path(path, sizeof(path), t->file);
    bool ok = rules_load_service_tags(&r, path, err, sizeof(err));
    if (t->err) {
        assert_false(ok);
        check_err(err, t->err);
    } else if (!ok) {
        fail_msg("%s", err);
    }
    check_rules(&r, 0, t->want);
    ea_report_finish(&r);
}

/* A resolved tag judges addresses; loading the file twice adds nothing. */
static void test_tags_match(void **state)
{
    struct ea_report r;
    char path[4200], err[512] = "";
    const char *text = "tag:AzureMachineLearning:443/tcp\n";
    ea_report_init(&r);
    assert_true(rules_load_text(&r, "t.txt", text, strlen(text), NULL, err, sizeof(err)));
    data_path(path, sizeof(path), "servicetags-mini.json");
    assert_true(rules_load_service_tags(&r, path, err, sizeof(err)));
    assert_true(rules_load_service_tags(&r, path, err, sizeof(err)));
    assert_int_equal(r.rules[0].n_nets, 6);
    struct ea_addr in = {.family = 4, .b = {13, 66, 140, 90}};
    struct ea_addr out = {.family = 4, .b = {13, 66, 140, 96}};
    struct ea_addr v6 = {.family = 6,
                         .b = {0x26, 0x03, 0x10, 0x00, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x7f}};
    assert_true(rules_match_addr(&r.rules[0], &in, 443, EA_TCP));
    assert_false(rules_match_addr(&r.rules[0], &in, 80, EA_TCP));
    assert_false(rules_match_addr(&r.rules[0], &in, 443, EA_UDP));
    assert_false(rules_match_addr(&r.rules[0], &out, 443, EA_TCP));
    assert_true(rules_match_addr(&r.rules[0], &v6, 443, EA_TCP));
    ea_report_finish(&r);
}

/* ---- lengths at the limits, and hostile shapes ---- */

static char *repeat(const char *head, char c, size_t n, const char *tail)
{
    size_t h = strlen(head), t = strlen(tail);
    char *s = malloc(h + n + t + 1);
    assert_non_null(s);
    memcpy(s, head, h);
    memset(s + h, c, n);
    memcpy(s + h + n, tail, t + 1);
    return s;
}

static bool load(struct ea_report *r, const char *name, const char *s, enum rules_format fmt,
                 char *err, size_t errlen)
{
    struct guarded g = {0};
    const char *p = (const char *)guard_copy(&g, s, strlen(s));
    bool ok = rules_load_buffer(r, name, p, strlen(s), fmt, NULL, err, errlen);
    guard_free(&g);
    return ok;
}

static void test_lengths(void **state)
{
    static const struct {
        const char *head, *tail;
        char c;
        size_t n;
        enum rules_format fmt;
        const char *err; /* NULL: loads */
    } rows[] = {
        /* a text rule: 1024 bytes at most */
        {"", ".example\n", 'a', 63, RULES_TEXT, NULL},
        {"", ".example\n", 'a', 64, RULES_TEXT, "x:1: '"},
        {"10.0.0.0/8:", "\n", '1', 1024 - 11, RULES_TEXT, "x:1: '111"},
        {"10.0.0.0/8:", "\n", '1', 1024 - 10, RULES_TEXT, "x:1: rule longer than 1024 bytes"},
        {"", "\n", 'a', 0, RULES_TEXT, NULL},
        {"", "\n", 'a', 1, RULES_TEXT, NULL},
        /* a rule name: 255 bytes at most */
        {"[{\"type\": \"fqdn\", \"destination\": \"a.b\", \"name\": \"", "\"}]", 'n', 255,
         RULES_JSON, NULL},
        {"[{\"type\": \"fqdn\", \"destination\": \"a.b\", \"name\": \"", "\"}]", 'n', 256,
         RULES_JSON, "x: [0].name: 'nnn"},
        {"[{\"type\": \"fqdn\", \"destination\": \"a.b\", \"name\": \"", "\"}]", 'n', 0, RULES_JSON,
         "x: [0].name: empty rule name"},
        /* a type word of any length */
        {"[{\"name\": \"a\", \"type\": \"", "\"}]", '_', 100, RULES_JSON,
         "x: [0].type: unknown rule type '___"},
        {"[{\"name\": \"a\", \"type\": \"", "\"}]", 'x', 0xFFFF, RULES_JSON,
         "x: [0].type: unknown rule type 'xxx"},
        /* nesting: jansson's own limit; ours before libyaml (which slows
         * down with depth) */
        {"", "", '[', 100000, RULES_JSON, "x:1:2049: maximum parsing depth reached"},
        {"", "", '[', 100000, RULES_YAML, "x:1:65: nested deeper than 64 levels"},
        {"", "", '{', 0xFFFF, RULES_YAML, "x:1:65: nested deeper than 64 levels"},
        /* a long plain scalar where a rule should be */
        {"outbound_rules:\n", "x\n", '-', 0xFFFF, RULES_YAML,
         "x:3:1: could not find expected ':' (while scanning a simple key at line 2)"},
        {"outbound_rules:\n- name: a\n  type: service_tag\n  destination:\n    service_tag: ", "\n",
         'S', 255, RULES_YAML, NULL},
        {"outbound_rules:\n- name: a\n  type: service_tag\n  destination:\n    service_tag: ", "\n",
         'S', 256, RULES_YAML, "x:5:18: 'SSS"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct ea_report r;
        char err[512] = "";
        char *s = repeat(rows[i].head, rows[i].c, rows[i].n, rows[i].tail);
        ea_report_init(&r);
        bool ok = load(&r, "x", s, rows[i].fmt, err, sizeof(err));
        if (rows[i].err) {
            if (ok)
                fail_msg("row %zu loads, want the error %s", i, rows[i].err);
            check_err(err, rows[i].err);
            assert_int_equal(r.n_rules, 0);
        } else if (!ok) {
            fail_msg("row %zu: %s", i, err);
        }
        ea_report_finish(&r);
        free(s);
    }
}

/* 64 levels of YAML load (the rules need 7), 65 do not, in flow and block
 * style; the extra levels sit under a key the loader ignores. */
static void test_yaml_depth(void **state)
{
    static const struct {
        bool block;
        size_t levels; /* of the whole document */
        const char *err;
    } rows[] = {
        {false, 64, NULL},
        {false, 65, "x:3:67: nested deeper than 64 levels"},
        {true, 64, NULL},
        {true, 65, "x:67:127: nested deeper than 64 levels"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct ea_report r;
        char err[512] = "", *buf = NULL;
        size_t len = 0, inner = rows[i].levels - 1; /* the top mapping is one */
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        fprintf(f, "outbound_rules:\n- {name: a, type: fqdn, destination: a.example}\n");
        if (rows[i].block) {
            fprintf(f, "x:\n");
            for (size_t d = 0; d < inner; d++)
                fprintf(f, "%*s- %s\n", (int)(2 * d), "", d + 1 == inner ? "leaf" : "");
        } else {
            fprintf(f, "x: ");
            for (size_t d = 0; d < inner; d++)
                fputc('[', f);
            for (size_t d = 0; d < inner; d++)
                fputc(']', f);
            fputc('\n', f);
        }
        fclose(f);
        ea_report_init(&r);
        bool ok = rules_load_buffer(&r, "x", buf, len, RULES_YAML, NULL, err, sizeof(err));
        if (rows[i].err) {
            if (ok)
                fail_msg("row %zu loads, want the error %s", i, rows[i].err);
            check_err(err, rows[i].err);
        } else if (!ok) {
            fail_msg("row %zu: %s", i, err);
        } else {
            assert_int_equal(r.n_rules, 1);
        }
        ea_report_finish(&r);
        free(buf);
    }
}

/* Files of 64 MiB are read; one byte more is refused. */
static void test_file_limit(void **state)
{
    static const struct {
        off_t size;
        const char *err;
    } rows[] = {
        {(off_t)64 << 20, "x:1: rule longer than 1024 bytes"},
        {((off_t)64 << 20) + 1, "x: file too large"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char path[] = "/tmp/test_rules_load.XXXXXX", err[512] = "";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, rows[i].size), 0); /* zero bytes, sparse */
        close(fd);
        struct ea_report r;
        ea_report_init(&r);
        assert_false(rules_load_file(&r, path, RULES_TEXT, NULL, err, sizeof(err)));
        unlink(path);
        char want[600];
        snprintf(want, sizeof(want), "%s%s", path, rows[i].err + 1);
        check_err(err, want);
        ea_report_finish(&r);
    }
}

/* Many rules: names stay unique through the table's growth, and the
 * duplicate is found at the end. */
static void test_many_names(void **state)
{
    enum { N = 3000 };
    char *buf = malloc((size_t)N * 64 + 64);
    size_t o = 0;
    struct ea_report r;
    char err[512] = "";
    assert_non_null(buf);
    o += (size_t)snprintf(buf + o, 8, "[\n");
    for (int i = 0; i < N; i++)
        o += (size_t)snprintf(buf + o, 64,
                              "%s{\"name\":\"r%d\",\"type\":\"fqdn\","
                              "\"destination\":\"h%d.example\"}\n",
                              i ? "," : "", i, i);
    o += (size_t)snprintf(buf + o, 8, "]\n");
    ea_report_init(&r);
    assert_true(rules_load_buffer(&r, "many", buf, o, RULES_AUTO, NULL, err, sizeof(err)));
    assert_int_equal(r.n_rules, N);
    /* again: every name is taken now, the first one fails */
    assert_false(rules_load_buffer(&r, "again", buf, o, RULES_AUTO, NULL, err, sizeof(err)));
    check_err(err, "again: [0].name: duplicate rule name 'r0' (also at many:rule 1)");
    assert_int_equal(r.n_rules, N);
    /* the same rules without names in text: no clash */
    const char *text = "h1.example\nh2.example\n";
    assert_true(rules_load_buffer(&r, "t", text, strlen(text), RULES_AUTO, NULL, err, sizeof(err)));
    assert_int_equal(r.n_rules, N + 2);
    ea_report_finish(&r);
    free(buf);
}

/* The error buffer: NULL, tiny, and always terminated. */
static void test_err_buffer(void **state)
{
    struct ea_report r;
    char err[8];
    ea_report_init(&r);
    assert_false(rules_load_buffer(&r, "x.txt", "a..b\n", 5, RULES_TEXT, NULL, NULL, 0));
    assert_false(rules_load_buffer(&r, "x.txt", "a..b\n", 5, RULES_TEXT, NULL, err, sizeof(err)));
    assert_string_equal(err, "x.txt:1");
    assert_false(rules_load_buffer(&r, "x.json", "[1", 2, RULES_JSON, NULL, err, 1));
    assert_false(rules_load_service_tags(&r, "/nonexistent/tags.json", NULL, 0));
    assert_int_equal(r.n_rules, 0);
    ea_report_finish(&r);
}

/* ---- main ---- */

static void find_data_dir(void)
{
    const char *src = getenv("EA_SRC");
    if (src && *src) {
        snprintf(data_dir, sizeof(data_dir), "%s/tests/data/rules/", src);
        return;
    }
    const char *file = __FILE__;
    const char *slash = strrchr(file, '/');
    if (slash)
        snprintf(data_dir, sizeof(data_dir), "%.*s/../data/rules/", (int)(slash - file), file);
    else
        snprintf(data_dir, sizeof(data_dir), "../data/rules/");
}

int main(void)
{
    static struct CMUnitTest tests[ROWS(text_cases) + ROWS(yaml_cases) + ROWS(json_cases) +
                                   ROWS(auto_cases) + ROWS(file_cases) + ROWS(tag_cases) + 10];
    size_t n = 0;
    find_data_dir();
    const struct load_case *const tables[] = {text_cases, yaml_cases, json_cases, auto_cases};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        for (const struct load_case *t = tables[i]; t->what; t++)
            tests[n++] = (struct CMUnitTest){t->what, run_load_case, NULL, NULL, (void *)t};
    for (const struct file_case *t = file_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_file_case, NULL, NULL, (void *)t};
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_file_prefixes);
    for (const struct tag_case *t = tag_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_tag_case, NULL, NULL, (void *)t};
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_tags_match);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lengths);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_yaml_depth);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_file_limit);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_many_names);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_err_buffer);
    return _cmocka_run_group_tests("rules_load", tests, n, NULL, NULL);
}
