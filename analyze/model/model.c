/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The report model: storage, name tables, and the one place where
 * connections and DNS are sorted and hosts are aggregated (renderers only
 * read the result).
 */
#include "model.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ascii.h"
#include "hash.h"
#include "names.h"

/* ---- name tables: one {value, "name"} table and one lookup each ---- */

#define NAME_OF(tab, v) ea_name_of(tab, EA_NAMES_LEN(tab), (int)(v))
#define PARSE_NAME(tab, s, len, out) ea_name_find(tab, EA_NAMES_LEN(tab), s, len, false, out)

static const struct ea_name outcome_tab[] = {
    {EA_OUT_REACHED, "reached"},     {EA_OUT_DENIED, "denied"},         {EA_OUT_REFUSED, "refused"},
    {EA_OUT_NO_ANSWER, "no-answer"}, {EA_OUT_INCOMPLETE, "incomplete"}, {EA_OUT_UNKNOWN, "unknown"},
};
_Static_assert(EA_NAMES_LEN(outcome_tab) == EA_OUT__COUNT, "one name per outcome");

static const struct ea_name outcome_why_tab[] = {
    {EA_OW_SERVER_HELLO, "TLS ServerHello received"},
    {EA_OW_HTTP_470, "HTTP 470: denied by the firewall"},
    {EA_OW_HTTP_ACTION_DENY, "HTTP response says \"Action: Deny\""},
    {EA_OW_HTTP_RESPONSE, "HTTP response received"},
    {EA_OW_MIDSTREAM, "capture began after the handshake"},
    {EA_OW_RESET_TO_SYN, "reset in answer to SYN"},
    {EA_OW_DATA_NO_SYNACK, "server sent data (SYN-ACK not captured)"},
    {EA_OW_NO_SYN_ANSWER, "no answer to SYN"},
    {EA_OW_TLS_ALERT, "TLS alert instead of a ServerHello"},
    {EA_OW_RESET_AFTER_HELLO, "reset after ClientHello, no ServerHello"},
    {EA_OW_CLOSED_AFTER_HELLO, "closed after ClientHello, no ServerHello"},
    {EA_OW_NOT_SERVER_HELLO, "server answered, but not with a ServerHello"},
    {EA_OW_NO_SERVER_HELLO, "no ServerHello before the capture ended"},
    {EA_OW_CLOSED_NO_HTTP, "closed without an HTTP response"},
    {EA_OW_NOT_HTTP, "server answered, but not with HTTP"},
    {EA_OW_NO_HTTP, "no HTTP response before the capture ended"},
    {EA_OW_SERVER_DATA, "server sent data"},
    {EA_OW_SYNACK_OTHER_PORT, "SYN-ACK (the firewall answers handshakes itself only on 80/443)"},
    {EA_OW_CLIENT_DATA_ONLY, "client data without an answer"},
    {EA_OW_HANDSHAKE_ONLY, "handshake only: a SYN-ACK proves nothing on 80/443"},
    {EA_OW_UDP_REPLY, "reply received"},
    {EA_OW_UDP_NO_REPLY, "no reply"},
    {EA_OW_QUIC_HANDSHAKE, "QUIC server Initial or Handshake received"},
    {EA_OW_QUIC_NO_ANSWER, "QUIC client Initials only, no answer"},
    {EA_OW_QUIC_VN, "QUIC Version Negotiation received, no handshake"},
    {EA_OW_CLIENT_SIDE_ONLY, "client data, nothing from the server: only the client's side "
                             "was captured"},
};
_Static_assert(EA_NAMES_LEN(outcome_why_tab) == EA_OW__COUNT - 1, "one text per outcome why");

static const struct ea_name verdict_why_tab[] = {
    {EA_VW_FQDN, "an FQDN rule permits this name"},
    {EA_VW_FQDN_ECH, "an FQDN rule permits the visible name (ECH offered: if not GREASE, "
                     "the real name is hidden)"},
    {EA_VW_CIDR, "a CIDR rule covers the address"},
    {EA_VW_TAG_PREFIXES, "a service tag's published prefixes cover the address"},
    {EA_VW_TAG_MAYBE, "a service-tag rule without known prefixes may cover it "
                      "(--service-tags FILE resolves tags to addresses)"},
    {EA_VW_PORT_UDP, "a name over UDP: FQDN rules cover TCP 80/443 only"},
    {EA_VW_PORT, "FQDN rules cover ports 80 and 443 only"},
    {EA_VW_QUIC, "QUIC (UDP 443): FQDN rules cannot judge it"},
    {EA_VW_TLS_NO_SNI, "TLS without SNI: no name to judge"},
    {EA_VW_HELLO_UNREADABLE, "a TLS ClientHello too large or malformed to read: no name to judge"},
    {EA_VW_IP_ONLY, "no name (IP only): FQDN rules cannot judge it"},
    {EA_VW_INACTIVE_ONLY, "only an Inactive rule matches this name"},
    {EA_VW_NO_RULE, "no rule permits this name"},
    {EA_VW_QUIC_NAMED, "QUIC: Azure Firewall application rules do not inspect QUIC; the client "
                       "falls back to TCP 443 when UDP 443 is blocked"},
    {EA_VW_FQDN_ECH_REAL, "an FQDN rule permits the visible name (ECH: the visible name is an "
                          "ECH public name, the real name is hidden)"},
};
_Static_assert(EA_NAMES_LEN(verdict_why_tab) == EA_VW__COUNT - 1, "one text per verdict why");

static const struct ea_name name_source_tab[] = {
    {EA_NAME_NONE, "none"},       {EA_NAME_SNI, "sni"},           {EA_NAME_HTTP_HOST, "http_host"},
    {EA_NAME_CONNECT, "connect"}, {EA_NAME_QUIC_SNI, "quic_sni"}, {EA_NAME_SOCKS, "socks"},
};
_Static_assert(EA_NAMES_LEN(name_source_tab) == EA_NAME__COUNT, "one name per name source");

static const struct ea_name transport_tab[] = {
    {EA_TCP, "tcp"},
    {EA_UDP, "udp"},
};

static const struct ea_name counter_tab[] = {
    {EA_C_PACKETS, "packets"},
    {EA_C_BYTES, "bytes"},
    {EA_C_WIRE_BYTES, "wire_bytes"},
    {EA_C_LINK_MALFORMED, "link_malformed"},
    {EA_C_LINK_TRUNCATED, "link_truncated"},
    {EA_C_NOT_IP, "not_ip"},
    {EA_C_IPV4, "ipv4"},
    {EA_C_IPV6, "ipv6"},
    {EA_C_IP_MALFORMED, "ip_malformed"},
    {EA_C_IP_TRUNCATED, "ip_truncated"},
    {EA_C_IP_FRAGMENTS, "ip_fragments"},
    {EA_C_IP_OTHER_PROTO, "ip_other_proto"},
    {EA_C_TCP, "tcp"},
    {EA_C_TCP_MALFORMED, "tcp_malformed"},
    {EA_C_TCP_TRUNCATED, "tcp_truncated"},
    {EA_C_UDP, "udp"},
    {EA_C_UDP_MALFORMED, "udp_malformed"},
    {EA_C_UDP_TRUNCATED, "udp_truncated"},
    {EA_C_DNS_MESSAGES, "dns_messages"},
    {EA_C_DNS_MALFORMED, "dns_malformed"},
    {EA_C_DNS_TRUNCATED, "dns_truncated"},
    {EA_C_TLS_MALFORMED, "tls_malformed"},
    {EA_C_HTTP_MALFORMED, "http_malformed"},
    {EA_C_FLOWS, "flows"},
    {EA_C_FLOWS_EVICTED, "flows_evicted"},
    {EA_C_DNS_CACHE_EVICTED, "dns_cache_evicted"},
    {EA_C_IPV6_REASM_DROPPED, "ipv6_reassembly_dropped"},
    {EA_C_REASM_WARNINGS, "reasm_warnings"},
    {EA_C_CONNS_NOT_LISTED, "connections_not_listed"},
    {EA_C_HOSTS_NOT_LISTED, "hosts_not_listed"},
    {EA_C_DNS_NOT_LISTED, "dns_not_listed"},
    {EA_C_HOST_VALUES_NOT_LISTED, "host_values_not_listed"},
    {EA_C_CERT_NAMES_NOT_LISTED, "cert_names_not_listed"},
    {EA_C_QUIC_FLOWS, "quic_flows"},
    {EA_C_QUIC_NOT_TRACKED, "quic_not_tracked"},
    {EA_C_QUIC_INITIALS, "quic_initials"},
    {EA_C_QUIC_HELLOS, "quic_hellos"},
    {EA_C_QUIC_VERSION_NEGOTIATION, "quic_version_negotiation"},
    {EA_C_QUIC_UNKNOWN_VERSION, "quic_unknown_version"},
    {EA_C_QUIC_DROP_TRUNCATED, "quic_drop_truncated"},
    {EA_C_QUIC_DROP_BAD_HEADER, "quic_drop_bad_header"},
    {EA_C_QUIC_DROP_UNKNOWN_VERSION, "quic_drop_unknown_version"},
    {EA_C_QUIC_DROP_TOO_SHORT, "quic_drop_too_short"},
    {EA_C_QUIC_DROP_NO_KEYS, "quic_drop_no_keys"},
    {EA_C_QUIC_DROP_DECRYPT, "quic_drop_decrypt"},
    {EA_C_QUIC_DROP_CRYPTO_LIB, "quic_drop_libcrypto"},
    {EA_C_QUIC_DROP_FRAME_UNKNOWN, "quic_drop_frame_unknown"},
    {EA_C_QUIC_DROP_FRAME_MALFORMED, "quic_drop_frame_malformed"},
    {EA_C_QUIC_DROP_CRYPTO_CAP, "quic_drop_crypto_cap"},
    {EA_C_QUIC_DROP_CRYPTO_RANGES, "quic_drop_crypto_ranges"},
    {EA_C_QUIC_DROP_HELLO_NOT_CH, "quic_drop_hello_not_client_hello"},
    {EA_C_QUIC_DROP_HELLO_TOO_BIG, "quic_drop_hello_too_big"},
    {EA_C_QUIC_DROP_HELLO_MALFORMED, "quic_drop_hello_malformed"},
    {EA_C_QUIC_DROP_RETRY_BAD, "quic_drop_retry_bad"},
};
_Static_assert(EA_NAMES_LEN(counter_tab) == EA_C__COUNT, "one name per counter");

static const struct ea_name conn_flag_tab[] = {
    {EA_CF_TLS, "tls"},
    {EA_CF_TLS_NO_SNI, "no-sni"},
    {EA_CF_ECH, "ech"},
    {EA_CF_HTTP, "http"},
    {EA_CF_QUIC, "quic"},
    {EA_CF_PORT, "port-not-80-443"},
    {EA_CF_MIDSTREAM, "mid-stream"},
    {EA_CF_DNS, "dns"},
    {EA_CF_NAME_CUT, "name-cut"},
    {EA_CF_REASM_GAP, "reassembly-gap"},
    {EA_CF_HELLO_CUT, "hello-unreadable"},
    {EA_CF_SNAPLEN_CUT, "snaplen-cut"},
    {EA_CF_SNI_MISMATCH, "sni-mismatch"},
    {EA_CF_STARTTLS, "starttls"},
    {EA_CF_SOCKS, "socks"},
    {EA_CF_LOCAL, "local"},
    {EA_CF_OTHER_PROTO, "other-protocol"},
    {EA_CF_TUNNEL, "tunnel"},
    {EA_CF_NO_HOST, "no-host"},
    {EA_CF_HTTP_CONNECT, "connect"},
    {EA_CF_QUIC_VN, "quic-version-negotiation"},
    {EA_CF_QUIC_UNKNOWN_VERSION, "quic-unknown-version"},
    {EA_CF_ECH_REAL, "ech-real"},
    {EA_CF_ECH_GREASE, "ech-grease?"},
    {EA_CF_CERT_MISMATCH, "cert-mismatch"},
};

static const struct ea_name tunnel_tab[] = {
    {EA_TUN_VXLAN, "vxlan"},   {EA_TUN_GENEVE, "geneve"}, {EA_TUN_GRE, "gre"},
    {EA_TUN_ERSPAN, "erspan"}, {EA_TUN_GTPU, "gtp-u"},    {EA_TUN_IPIP, "ip-in-ip"},
    {EA_TUN_TEREDO, "teredo"}, {EA_TUN_CAPWAP, "capwap"},
};
_Static_assert(EA_NAMES_LEN(tunnel_tab) == EA_TUN__COUNT - 1, "one name per tunnel");

static const struct ea_name tls_version_tab[] = {
    {0x0300, "SSL 3.0"}, {0x0301, "TLS 1.0"}, {0x0302, "TLS 1.1"},
    {0x0303, "TLS 1.2"}, {0x0304, "TLS 1.3"},
};

static const struct ea_name verdict_tab[] = {
    {EA_V_NONE, "none"},
    {EA_V_ALLOWED, "allowed"},
    {EA_V_DENIED, "denied"},
    {EA_V_PORT, "port-not-coverable"},
    {EA_V_NO_NAME, "no-name"},
    {EA_V_INFRA, "infrastructure"},
    {EA_V_INFRA_MAYBE, "infrastructure?"},
};
_Static_assert(EA_NAMES_LEN(verdict_tab) == EA_V__COUNT, "one name per verdict");

static const struct ea_name rule_kind_tab[] = {
    {EA_RULE_FQDN, "fqdn"},
    {EA_RULE_CIDR, "cidr"},
    {EA_RULE_SERVICE_TAG, "service_tag"},
    {EA_RULE_PRIVATE_ENDPOINT, "private_endpoint"},
};

static const struct ea_name near_kind_tab[] = {
    {EA_NEAR_APEX, "apex"},
    {EA_NEAR_SUBDOMAIN, "subdomain"},
    {EA_NEAR_INACTIVE, "inactive"},
    {EA_NEAR_SERVICE, "service"},
};

static const struct ea_name finding_kind_tab[] = {
    {EA_FIND_ALLOWED_REFUSED, "allowed-but-refused"},
    {EA_FIND_DENIED_REACHED, "denied-but-reached"},
};
_Static_assert(EA_NAMES_LEN(finding_kind_tab) == EA_FIND__COUNT, "one name per finding kind");

static const struct ea_name change_kind_tab[] = {
    {EA_CHANGE_NEW, "new"},
    {EA_CHANGE_GONE, "gone"},
    {EA_CHANGE_CHANGED, "changed"},
};
_Static_assert(EA_NAMES_LEN(change_kind_tab) == EA_CHANGE__COUNT, "one name per change kind");

static const struct ea_name fqdn_form_tab[] = {
    {EA_FQDN_EXACT, "exact"},
    {EA_FQDN_SUBDOMAINS, "subdomains"},
    {EA_FQDN_SUFFIX, "suffix"},
    {EA_FQDN_ANY, "any"},
};

/* RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 6891, RFC 9460 */
static const struct ea_name dns_type_tab[] = {
    {1, "A"},     {2, "NS"},   {5, "CNAME"}, {6, "SOA"},   {12, "PTR"},   {15, "MX"},   {16, "TXT"},
    {28, "AAAA"}, {33, "SRV"}, {41, "OPT"},  {64, "SVCB"}, {65, "HTTPS"}, {255, "ANY"},
};

/* RFC 1035 §4.1.1 */
static const struct ea_name dns_rcode_tab[] = {
    {0, "NOERROR"}, {1, "FORMERR"}, {2, "SERVFAIL"}, {3, "NXDOMAIN"}, {4, "NOTIMP"}, {5, "REFUSED"},
};

const char *ea_outcome_name(enum ea_outcome o)
{
    return NAME_OF(outcome_tab, o);
}
const char *ea_name_source_name(enum ea_name_source s)
{
    return NAME_OF(name_source_tab, s);
}
const char *ea_transport_name(enum ea_transport t)
{
    return NAME_OF(transport_tab, t);
}
const char *ea_counter_name(enum ea_counter c)
{
    return NAME_OF(counter_tab, c);
}
const char *ea_conn_flag_name(uint32_t single_bit)
{
    if (single_bit == 0 || (single_bit & (single_bit - 1)) != 0)
        return NULL;
    return NAME_OF(conn_flag_tab, single_bit);
}
const char *ea_tls_version_name(uint16_t version)
{
    return NAME_OF(tls_version_tab, version);
}
const char *ea_verdict_name(enum ea_verdict v)
{
    return NAME_OF(verdict_tab, v);
}
const char *ea_rule_kind_name(enum ea_rule_kind k)
{
    return NAME_OF(rule_kind_tab, k);
}
const char *ea_near_kind_name(enum ea_near_kind k)
{
    return NAME_OF(near_kind_tab, k);
}
const char *ea_finding_kind_name(enum ea_finding_kind k)
{
    return NAME_OF(finding_kind_tab, k);
}
const char *ea_change_kind_name(enum ea_change_kind k)
{
    return NAME_OF(change_kind_tab, k);
}
const char *ea_outcome_why_text(enum ea_outcome_why w)
{
    return NAME_OF(outcome_why_tab, w);
}
const char *ea_verdict_why_text(enum ea_verdict_why w)
{
    return NAME_OF(verdict_why_tab, w);
}
const char *ea_fqdn_form_name(enum ea_fqdn_form f)
{
    return NAME_OF(fqdn_form_tab, f);
}
const char *ea_dns_type_name(unsigned type)
{
    return type <= 0xffff ? NAME_OF(dns_type_tab, type) : NULL;
}
const char *ea_dns_rcode_name(int rcode)
{
    return NAME_OF(dns_rcode_tab, rcode);
}
const char *ea_tunnel_name(enum ea_tunnel t)
{
    return NAME_OF(tunnel_tab, t);
}

/* Each reverse lookup goes through an int, then checks the range. */
#define DEFINE_PARSE(fn, tab, type)                                                                \
    bool fn(const char *s, size_t len, type *out)                                                  \
    {                                                                                              \
        int v;                                                                                     \
        if (!PARSE_NAME(tab, s, len, &v))                                                          \
            return false;                                                                          \
        *out = (type)v;                                                                            \
        return true;                                                                               \
    }
DEFINE_PARSE(ea_outcome_parse, outcome_tab, enum ea_outcome)
DEFINE_PARSE(ea_name_source_parse, name_source_tab, enum ea_name_source)
DEFINE_PARSE(ea_transport_parse, transport_tab, enum ea_transport)
DEFINE_PARSE(ea_counter_parse, counter_tab, enum ea_counter)
DEFINE_PARSE(ea_conn_flag_parse, conn_flag_tab, uint32_t)
DEFINE_PARSE(ea_tls_version_parse, tls_version_tab, uint16_t)
DEFINE_PARSE(ea_verdict_parse, verdict_tab, enum ea_verdict)
DEFINE_PARSE(ea_rule_kind_parse, rule_kind_tab, enum ea_rule_kind)
DEFINE_PARSE(ea_near_kind_parse, near_kind_tab, enum ea_near_kind)
DEFINE_PARSE(ea_finding_kind_parse, finding_kind_tab, enum ea_finding_kind)
DEFINE_PARSE(ea_change_kind_parse, change_kind_tab, enum ea_change_kind)
DEFINE_PARSE(ea_outcome_why_parse, outcome_why_tab, enum ea_outcome_why)
DEFINE_PARSE(ea_verdict_why_parse, verdict_why_tab, enum ea_verdict_why)
DEFINE_PARSE(ea_fqdn_form_parse, fqdn_form_tab, enum ea_fqdn_form)
DEFINE_PARSE(ea_dns_type_parse, dns_type_tab, uint16_t)
DEFINE_PARSE(ea_dns_rcode_parse, dns_rcode_tab, int)
DEFINE_PARSE(ea_tunnel_parse, tunnel_tab, enum ea_tunnel)

/* ---- strings ---- */

bool ea_str_set(struct ea_str *s, const void *p, size_t len)
{
    if (len == SIZE_MAX)
        return false;
    char *n = malloc(len + 1);
    if (!n)
        return false;
    if (len)
        memcpy(n, p, len); /* before freeing: p may point into s->s */
    n[len] = '\0';
    free(s->s);
    s->s = n;
    s->len = len;
    return true;
}

void ea_str_clear(struct ea_str *s)
{
    free(s->s);
    s->s = NULL;
    s->len = 0;
}

static void chain_clear(struct ea_chain *c)
{
    for (size_t i = 0; i < c->n_names; i++)
        ea_str_clear(&c->names[i]);
    free(c->names);
    c->names = NULL;
    c->n_names = 0;
}

static void strs_free(struct ea_str *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ea_str_clear(&v[i]);
    free(v);
}

/* ---- lifetime ---- */

void ea_conn_clear(struct ea_conn *c)
{
    ea_str_clear(&c->name);
    ea_str_clear(&c->inner_name);
    ea_str_clear(&c->alpn);
    ea_str_clear(&c->http_method);
    ea_str_clear(&c->server_alpn);
    ea_str_clear(&c->ja4);
    strs_free(c->cert_names, c->n_cert_names);
    c->cert_names = NULL;
    c->n_cert_names = 0;
    chain_clear(&c->resolved);
    c->has_resolved = false;
}

void ea_report_init(struct ea_report *r)
{
    memset(r, 0, sizeof *r);
}

static void host_index_free(struct ea_report *r);
static void dns_index_free(struct ea_report *r);

/* What ea_report_derive made; the model is then as it was before. */
static void derived_free(struct ea_report *r)
{
    free(r->findings);
    free(r->host_order);
    free(r->dns_unused);
    r->findings = NULL;
    r->n_findings = 0;
    r->host_order = NULL;
    r->dns_unused = NULL;
    r->n_dns_unused = 0;
    memset(&r->summary, 0, sizeof r->summary);
    for (size_t i = 0; i < r->n_conns; i++)
        r->conns[i].host = EA_NO_HOST;
    r->derived = false;
}

static void hosts_free(struct ea_report *r)
{
    for (size_t i = 0; i < r->n_hosts; i++) {
        struct ea_host *h = &r->hosts[i];
        ea_str_clear(&h->key);
        strs_free(h->addrs, h->n_addrs);
        strs_free(h->resolved_as, h->n_resolved_as);
        ea_host_service_drop(h);
        strs_free(h->known_in, h->n_known_in);
        free(h->runs);
    }
    free(r->hosts);
    r->hosts = NULL;
    r->n_hosts = 0;
    r->cap_hosts = 0;
}

void ea_report_finish(struct ea_report *r)
{
    if (!r)
        return;
    ea_report_drop_policy(r);
    for (size_t i = 0; i < r->n_inputs; i++) {
        ea_str_clear(&r->inputs[i].path);
        ea_str_clear(&r->inputs[i].linktype_name);
        ea_str_clear(&r->inputs[i].capture.interface);
        ea_str_clear(&r->inputs[i].capture.write_error);
    }
    free(r->inputs);
    for (size_t i = 0; i < r->n_conns; i++)
        ea_conn_clear(&r->conns[i]);
    free(r->conns);
    for (size_t i = 0; i < r->n_dns; i++) {
        struct ea_dns *d = &r->dns[i];
        ea_str_clear(&d->qname);
        for (size_t j = 0; j < d->n_answers; j++) {
            ea_str_clear(&d->answers[j].owner);
            ea_str_clear(&d->answers[j].data);
        }
        free(d->answers);
    }
    free(r->dns);
    dns_index_free(r);
    host_index_free(r);
    hosts_free(r);
    for (size_t i = 0; i < r->n_runs; i++)
        ea_str_clear(&r->runs[i].path);
    free(r->runs);
    ea_diff_clear(&r->diff);
    free(r->tool_version_copy); /* the derived parts went with the policy, above */
    memset(r, 0, sizeof *r);
}

void ea_diff_clear(struct ea_diff *d)
{
    for (size_t i = 0; i < d->n_changes; i++)
        ea_str_clear(&d->changes[i].key);
    free(d->changes);
    ea_str_clear(&d->base);
    memset(d, 0, sizeof *d);
}

void ea_report_drop_policy(struct ea_report *r)
{
    for (size_t i = 0; i < r->n_rules; i++)
        ea_rule_finish(&r->rules[i]);
    free(r->rules);
    r->rules = NULL;
    r->n_rules = r->cap_rules = 0;
    free(r->unused_rules);
    r->unused_rules = NULL;
    r->n_unused_rules = 0;
    free(r->duplicate_rules);
    r->duplicate_rules = NULL;
    r->n_duplicate_rules = 0;
    free(r->inactive_rules);
    r->inactive_rules = NULL;
    r->n_inactive_rules = 0;
    strs_free(r->rule_sources, r->n_rule_sources);
    r->rule_sources = NULL;
    r->n_rule_sources = 0;
    free(r->near_misses);
    r->near_misses = NULL;
    r->n_near_misses = 0;
    for (size_t i = 0; i < r->n_remedies; i++) {
        ea_str_clear(&r->remedies[i].destination);
        ea_str_clear(&r->remedies[i].rule_name);
        strs_free(r->remedies[i].covers, r->remedies[i].n_covers);
    }
    free(r->remedies);
    r->remedies = NULL;
    r->n_remedies = 0;
    for (size_t i = 0; i < r->n_service_notes; i++)
        ea_service_note_clear(&r->service_notes[i]);
    free(r->service_notes);
    r->service_notes = NULL;
    r->n_service_notes = 0;
    memset(r->verdict_hosts, 0, sizeof r->verdict_hosts);
    for (size_t i = 0; i < r->n_hosts; i++) {
        r->hosts[i].verdict = EA_V_NONE;
        r->hosts[i].rule = -1;
        r->hosts[i].verdict_why = EA_VW_NONE;
        strs_free(r->hosts[i].known_in, r->hosts[i].n_known_in);
        r->hosts[i].known_in = NULL;
        r->hosts[i].n_known_in = 0;
    }
    for (size_t i = 0; i < r->n_conns; i++) {
        r->conns[i].verdict = EA_V_NONE;
        r->conns[i].rule = -1;
        r->conns[i].verdict_why = EA_VW_NONE;
    }
    r->has_policy = false;
    derived_free(r); /* judged: the findings and the order of the hosts */
}

void ea_rule_finish(struct ea_rule *rule)
{
    if (!rule)
        return;
    ea_str_clear(&rule->name);
    ea_str_clear(&rule->destination);
    ea_str_clear(&rule->origin);
    ea_str_clear(&rule->category);
    ea_str_clear(&rule->status);
    ea_str_clear(&rule->fqdn);
    ea_str_clear(&rule->service_tag);
    ea_str_clear(&rule->subresource_target);
    ea_str_clear(&rule->pattern);
    ea_str_clear(&rule->emit_name);
    free(rule->nets);
    free(rule->ports);
    memset(rule, 0, sizeof *rule);
}

/* Make room for one more element of size sz, doubling but not past most
 * elements when most > n (0: no bound); false on overflow or ENOMEM (the
 * array is then unchanged). */
static bool grow_most(void **arr, size_t n, size_t *cap, size_t sz, size_t most)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap : 8;
    while (ncap <= n) {
        if (ncap > SIZE_MAX / 2)
            return false;
        ncap *= 2;
    }
    if (most > n && ncap > most)
        ncap = most;
    if (ncap > SIZE_MAX / sz)
        return false;
    void *p = realloc(*arr, ncap * sz);
    if (!p)
        return false;
    *arr = p;
    *cap = ncap;
    return true;
}

static bool grow(void **arr, size_t n, size_t *cap, size_t sz)
{
    return grow_most(arr, n, cap, sz, 0);
}

struct ea_conn *ea_report_add_conn(struct ea_report *r)
{
    void *p = r->conns;
    /* 100,000 rows of ~400 bytes: doubling to 131,072 would waste 12 MB */
    if (!grow_most(&p, r->n_conns, &r->cap_conns, sizeof *r->conns, r->max_conns))
        return NULL;
    r->conns = p;
    struct ea_conn *c = &r->conns[r->n_conns++];
    memset(c, 0, sizeof *c);
    c->host = EA_NO_HOST;
    return c;
}

struct ea_rule *ea_report_add_rule(struct ea_report *r)
{
    void *p = r->rules;
    if (!grow(&p, r->n_rules, &r->cap_rules, sizeof *r->rules))
        return NULL;
    r->rules = p;
    struct ea_rule *rule = &r->rules[r->n_rules++];
    memset(rule, 0, sizeof *rule);
    return rule;
}

struct ea_dns *ea_report_add_dns(struct ea_report *r)
{
    void *p = r->dns;
    if (!grow(&p, r->n_dns, &r->cap_dns, sizeof *r->dns))
        return NULL;
    r->dns = p;
    struct ea_dns *d = &r->dns[r->n_dns++];
    memset(d, 0, sizeof *d);
    d->rcode = -1; /* zeroed would claim NOERROR; no response seen yet */
    return d;
}

struct ea_host *ea_report_add_host(struct ea_report *r)
{
    if (r->host_index)
        return NULL;
    void *p = r->hosts;
    if (!grow(&p, r->n_hosts, &r->cap_hosts, sizeof *r->hosts))
        return NULL;
    r->hosts = p;
    struct ea_host *h = &r->hosts[r->n_hosts++];
    memset(h, 0, sizeof *h);
    h->rule = -1;
    r->hosts_counted = true;
    return h;
}

struct ea_input *ea_report_add_input(struct ea_report *r)
{
    void *p = r->inputs;
    if (!grow(&p, r->n_inputs, &r->cap_inputs, sizeof *r->inputs))
        return NULL;
    r->inputs = p;
    struct ea_input *in = &r->inputs[r->n_inputs++];
    memset(in, 0, sizeof *in);
    return in;
}

/* ---- comparisons ---- */

static int cmp_tv(const struct timeval *a, const struct timeval *b)
{
    if (a->tv_sec != b->tv_sec)
        return a->tv_sec < b->tv_sec ? -1 : 1;
    if (a->tv_usec != b->tv_usec)
        return a->tv_usec < b->tv_usec ? -1 : 1;
    return 0;
}

static int cmp_uint(uintmax_t a, uintmax_t b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

static int cmp_addr(const struct ea_addr *a, const struct ea_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    size_t n = a->family == 4 ? 4 : a->family == 6 ? 16 : 0;
    return n ? memcmp(a->b, b->b, n) : 0;
}

static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int c = n ? memcmp(a, b, n) : 0;
    return c ? c : cmp_uint(al, bl);
}

/* ASCII case-insensitive (DNS names: RFC 4343), then by length. */
static int cmp_ci(const char *a, size_t al, const char *b, size_t bl)
{
    return ea_ascii_icmp(a, al, b, bl);
}

static const char *str_or_empty(const struct ea_str *s)
{
    return s->s ? s->s : "";
}

/* Sorting pointers into the array, with the pointer as the last key, makes
 * every sort stable: equal elements keep their order of arrival. */
static int cmp_conn_p(const void *pa, const void *pb)
{
    const struct ea_conn *a = *(const struct ea_conn *const *)pa;
    const struct ea_conn *b = *(const struct ea_conn *const *)pb;
    int c;
    if ((c = cmp_tv(&a->first, &b->first)) != 0 || (c = cmp_addr(&a->dst, &b->dst)) != 0 ||
        (c = cmp_uint(a->dport, b->dport)) != 0 || (c = cmp_addr(&a->src, &b->src)) != 0 ||
        (c = cmp_uint(a->sport, b->sport)) != 0 ||
        (c = cmp_uint((unsigned)a->transport, (unsigned)b->transport)) != 0)
        return c;
    return a < b ? -1 : a > b;
}

static int cmp_dns_p(const void *pa, const void *pb)
{
    const struct ea_dns *a = *(const struct ea_dns *const *)pa;
    const struct ea_dns *b = *(const struct ea_dns *const *)pb;
    int c;
    if ((c = cmp_tv(&a->first, &b->first)) != 0 ||
        (c = cmp_bytes(str_or_empty(&a->qname), a->qname.len, str_or_empty(&b->qname),
                       b->qname.len)) != 0 ||
        (c = cmp_uint(a->qtype, b->qtype)) != 0)
        return c;
    return a < b ? -1 : a > b;
}

/* Sort an array of n elements of size sz by permuting through a pointer
 * array (stable, see above). The permutation is applied in place, cycle by
 * cycle, with one element of scratch: a copy of the whole array would be the
 * run's peak memory (200,000 hosts or DNS rows: tens of megabytes). */
static bool sort_stable(void *arr, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
    if (n < 2)
        return true;
    if (n > SIZE_MAX / sz || n > SIZE_MAX / sizeof(size_t))
        return false;
    char *base = arr;
    char **ptrs = malloc(n * sizeof *ptrs);
    size_t *from = malloc(n * sizeof *from);
    char *one = malloc(sz);
    if (!ptrs || !from || !one) {
        free(ptrs);
        free(from);
        free(one);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        ptrs[i] = base + i * sz;
    qsort(ptrs, n, sizeof *ptrs, cmp);
    for (size_t i = 0; i < n; i++)
        from[i] = (size_t)(ptrs[i] - base) / sz; /* position i takes element from[i] */
    free(ptrs);
    for (size_t i = 0; i < n; i++) {
        if (from[i] == i)
            continue;
        memcpy(one, base + i * sz, sz);
        size_t j = i;
        while (from[j] != i) {
            size_t k = from[j];
            memcpy(base + j * sz, base + k * sz, sz);
            from[j] = j;
            j = k;
        }
        memcpy(base + j * sz, one, sz);
        from[j] = j;
    }
    free(from);
    free(one);
    return true;
}

/* ---- DNS, aggregated per (query name, qtype) ----
 *
 * An open-addressing index from (name folded to lower case, qtype) to
 * r->dns, grown to stay at most half full. Each entry keeps the spelling
 * of the first query. */

struct ea_dns_index {
    size_t *slots; /* dns index + 1; 0 = empty */
    size_t n_slots, used;
};

static uint64_t dns_hash(const char *name, size_t len, uint16_t qtype)
{
    return ea_hash_bytes_ci(ea_hash_u64(EA_FNV_OFFSET, qtype), name, len);
}

static void dns_index_free(struct ea_report *r)
{
    if (!r->dns_index)
        return;
    free(r->dns_index->slots);
    free(r->dns_index);
    r->dns_index = NULL;
}

static bool dns_index_grow(struct ea_report *r)
{
    struct ea_dns_index *x = r->dns_index;
    size_t n = x->n_slots ? x->n_slots * 2 : 1024;
    size_t *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return false;
    for (size_t i = 0; i < x->n_slots; i++) {
        if (!x->slots[i])
            continue;
        const struct ea_dns *d = &r->dns[x->slots[i] - 1];
        size_t at = dns_hash(str_or_empty(&d->qname), d->qname.len, d->qtype) & (n - 1);
        while (slots[at])
            at = (at + 1) & (n - 1);
        slots[at] = x->slots[i];
    }
    free(x->slots);
    x->slots = slots;
    x->n_slots = n;
    return true;
}

struct ea_dns *ea_report_dns_entry(struct ea_report *r, const char *qname, size_t len,
                                   uint16_t qtype, const struct timeval *now, bool *full)
{
    *full = false;
    if (!r->dns_index && !(r->dns_index = calloc(1, sizeof(*r->dns_index))))
        return NULL;
    struct ea_dns_index *x = r->dns_index;
    if ((x->used + 1) * 2 > x->n_slots && !dns_index_grow(r))
        return NULL;
    size_t at = dns_hash(qname, len, qtype) & (x->n_slots - 1);
    while (x->slots[at]) {
        struct ea_dns *d = &r->dns[x->slots[at] - 1];
        if (d->qtype == qtype && d->qname.len == len && ea_ascii_ieq(d->qname.s, qname, len))
            return d;
        at = (at + 1) & (x->n_slots - 1);
    }
    if (r->n_dns >= (r->max_dns ? r->max_dns : EA_DEFAULT_MAX_DNS)) {
        *full = true;
        return NULL;
    }
    struct ea_dns *d = ea_report_add_dns(r);
    if (!d)
        return NULL;
    if (!ea_str_set(&d->qname, qname, len)) {
        r->n_dns--;
        return NULL;
    }
    d->qtype = qtype;
    d->first = *now;
    d->last = *now;
    x->slots[at] = r->n_dns;
    x->used++;
    return d;
}

bool ea_dns_add_answer(struct ea_dns *d, uint16_t type, const char *owner, size_t owner_len,
                       const char *data, size_t data_len, uint32_t ttl)
{
    for (size_t i = 0; i < d->n_answers; i++) {
        const struct ea_dns_answer *x = &d->answers[i];
        if (x->type == type && x->data.len == data_len &&
            (data_len == 0 || memcmp(x->data.s, data, data_len) == 0) &&
            x->owner.len == owner_len && ea_ascii_ieq(x->owner.s, owner, owner_len))
            return true;
    }
    if (d->n_answers == EA_DNS_MAX_ANSWERS) {
        d->answers_dropped = true;
        return true;
    }
    struct ea_dns_answer *na = realloc(d->answers, (d->n_answers + 1) * sizeof(*na));
    if (!na)
        return false;
    d->answers = na;
    struct ea_dns_answer *x = &na[d->n_answers];
    memset(x, 0, sizeof(*x));
    x->type = type;
    x->ttl = ttl;
    if (!ea_str_set(&x->owner, owner, owner_len) || !ea_str_set(&x->data, data, data_len)) {
        ea_str_clear(&x->owner);
        ea_str_clear(&x->data);
        return false;
    }
    d->n_answers++;
    return true;
}

/* ---- hosts ---- */

#define ADDR_TEXT_MAX EA_ADDR_TEXT_MAX

/* ---- hosts, counted as connections end ----
 *
 * An open-addressing index from (named, key folded to lower case, port,
 * transport) to r->hosts. Each host keeps the spelling and name source of
 * its earliest connection, and at most EA_HOST_MAX_ADDRS distinct addresses
 * and resolved names; finalize sorts them. */

struct ea_host_index {
    size_t *slots; /* host index + 1; 0 = empty */
    size_t n_slots;
};

static uint64_t host_hash(bool named, const char *key, size_t len, uint16_t port,
                          enum ea_transport t)
{
    uint64_t h = ea_hash_u64(EA_FNV_OFFSET, (uint64_t)named << 40 | (uint64_t)t << 16 | port);
    return ea_hash_bytes_ci(h, key, len);
}

static void host_index_free(struct ea_report *r)
{
    struct ea_host_index *x = r->host_index;
    if (!x)
        return;
    free(x->slots);
    free(x);
    r->host_index = NULL;
}

static bool host_key_of(const struct ea_conn *c, char *addr_buf, const char **key, size_t *len)
{
    if (c->name_source != EA_NAME_NONE) {
        *key = str_or_empty(&c->name);
        *len = c->name.len;
        return true;
    }
    ea_addr_text(&c->dst, addr_buf, ADDR_TEXT_MAX);
    *key = addr_buf;
    *len = strlen(addr_buf);
    return false;
}

static size_t *host_slot(struct ea_report *r, bool named, const char *key, size_t len,
                         uint16_t port, enum ea_transport t)
{
    struct ea_host_index *x = r->host_index;
    size_t mask = x->n_slots - 1;
    for (size_t at = host_hash(named, key, len, port, t) & mask;; at = (at + 1) & mask) {
        size_t *slot = &x->slots[at];
        if (*slot == 0)
            return slot;
        const struct ea_host *h = &r->hosts[*slot - 1];
        if (h->named == named && h->port == port && h->transport == t &&
            cmp_ci(str_or_empty(&h->key), h->key.len, key, len) == 0)
            return slot;
    }
}

static bool host_index_grow(struct ea_report *r)
{
    struct ea_host_index *x = r->host_index;
    size_t n = x->n_slots ? x->n_slots * 2 : 1024;
    size_t *old = x->slots, old_n = x->n_slots;
    x->slots = calloc(n, sizeof *x->slots);
    if (!x->slots) {
        x->slots = old;
        return false;
    }
    x->n_slots = n;
    for (size_t i = 0; i < old_n; i++) {
        if (!old[i])
            continue;
        const struct ea_host *h = &r->hosts[old[i] - 1];
        *host_slot(r, h->named, str_or_empty(&h->key), h->key.len, h->port, h->transport) = old[i];
    }
    free(old);
    return true;
}

/* Add s unless present (without case); *dropped is set when it is new and
 * the list is full (bounded: more are not listed). */
static bool strs_add_ci(struct ea_str **v, size_t *n, const struct ea_str *s, bool *dropped)
{
    for (size_t i = 0; i < *n; i++)
        if (cmp_ci(str_or_empty(&(*v)[i]), (*v)[i].len, str_or_empty(s), s->len) == 0)
            return true;
    if (*n == EA_HOST_MAX_ADDRS) {
        *dropped = true;
        return true;
    }
    struct ea_str *nv = realloc(*v, (*n + 1) * sizeof **v);
    if (!nv)
        return false;
    *v = nv;
    memset(&nv[*n], 0, sizeof nv[*n]);
    if (!ea_str_set(&nv[*n], str_or_empty(s), s->len))
        return false;
    (*n)++;
    return true;
}

bool ea_report_count_host(struct ea_report *r, const struct ea_conn *c)
{
    if (!r->host_index) {
        if (r->n_hosts) /* added by ea_report_add_host: no index to count into */
            return false;
        r->host_index = calloc(1, sizeof *r->host_index);
        if (!r->host_index || !host_index_grow(r))
            return false;
    }
    struct ea_host_index *x = r->host_index;
    char addr[ADDR_TEXT_MAX];
    const char *key;
    size_t len;
    bool named = host_key_of(c, addr, &key, &len);
    r->hosts_counted = true;
    size_t *slot = host_slot(r, named, key, len, c->dport, c->transport);
    struct ea_host *h;
    if (*slot) {
        h = &r->hosts[*slot - 1];
    } else {
        size_t max = r->max_hosts ? r->max_hosts : EA_DEFAULT_MAX_HOSTS;
        if (r->n_hosts >= max) {
            r->counters[EA_C_HOSTS_NOT_LISTED]++;
            return true;
        }
        void *p = r->hosts;
        if (!grow(&p, r->n_hosts, &r->cap_hosts, sizeof *r->hosts))
            return false;
        r->hosts = p;
        h = &r->hosts[r->n_hosts];
        memset(h, 0, sizeof *h);
        if (!ea_str_set(&h->key, key, len))
            return false;
        r->n_hosts++;
        *slot = r->n_hosts;
        h->named = named;
        h->port = c->dport;
        h->transport = c->transport;
        h->name_source = named ? c->name_source : EA_NAME_NONE;
        h->first = c->first;
        h->last = c->last;
        h->seq = c->seq;
        h->first_seq = c->seq;
        if ((r->n_hosts + 1) * 2 > x->n_slots && !host_index_grow(r))
            return false;
    }
    /* The earliest connection's spelling and name source. */
    if (cmp_tv(&c->first, &h->first) < 0) {
        h->first = c->first;
        h->first_seq = c->seq;
        if (named && !ea_str_set(&h->key, key, len))
            return false;
        h->name_source = named ? c->name_source : EA_NAME_NONE;
    }
    if (cmp_tv(&c->last, &h->last) > 0)
        h->last = c->last;
    h->n_conns++;
    unsigned o = (unsigned)c->outcome < EA_OUT__COUNT ? (unsigned)c->outcome : EA_OUT_UNKNOWN;
    h->outcomes[o]++;
    h->flags |= c->flags;
    h->bytes_out += c->bytes_out;
    h->bytes_in += c->bytes_in;
    /* Distinct destination addresses, bounded; compared as text (one text
     * per address: inet_ntop's), so a host keeps no binary copy of them. */
    char buf[ADDR_TEXT_MAX];
    size_t blen = strlen(ea_addr_text(&c->dst, buf, sizeof buf));
    bool seen = false;
    for (size_t i = 0; i < h->n_addrs && !seen; i++)
        seen = h->addrs[i].len == blen && memcmp(h->addrs[i].s, buf, blen) == 0;
    bool dropped = !seen && h->n_addrs == EA_HOST_MAX_ADDRS;
    if (!seen && h->n_addrs < EA_HOST_MAX_ADDRS) {
        struct ea_str *ns = realloc(h->addrs, (h->n_addrs + 1) * sizeof *ns);
        if (!ns)
            return false;
        h->addrs = ns;
        memset(&ns[h->n_addrs], 0, sizeof ns[h->n_addrs]);
        if (!ea_str_set(&ns[h->n_addrs], buf, blen))
            return false;
        h->n_addrs++;
    }
    if (c->has_resolved && c->resolved.n_names > 0 &&
        !strs_add_ci(&h->resolved_as, &h->n_resolved_as, &c->resolved.names[0], &dropped))
        return false;
    if (dropped) /* a connection that brought an address or name its host had no room for */
        r->counters[EA_C_HOST_VALUES_NOT_LISTED]++;
    return true;
}

static int cmp_host_p(const void *pa, const void *pb)
{
    const struct ea_host *a = pa, *b = pb;
    int c;
    if (a->named != b->named)
        return a->named ? -1 : 1;
    if ((c = cmp_ci(str_or_empty(&a->key), a->key.len, str_or_empty(&b->key), b->key.len)) != 0 ||
        (c = cmp_uint(a->port, b->port)) != 0 ||
        (c = cmp_uint((unsigned)a->transport, (unsigned)b->transport)) != 0)
        return c;
    return cmp_tv(&a->first, &b->first);
}

static int cmp_str_addr_p(const void *pa, const void *pb)
{
    /* address texts: parse back to compare numerically (IPv4 before IPv6) */
    const struct ea_str *a = pa, *b = pb;
    struct ea_addr x = {0}, y = {0};
    x.family = inet_pton(AF_INET, str_or_empty(a), x.b) == 1 ? 4 : 6;
    if (x.family == 6 && inet_pton(AF_INET6, str_or_empty(a), x.b) != 1)
        x.family = 0;
    y.family = inet_pton(AF_INET, str_or_empty(b), y.b) == 1 ? 4 : 6;
    if (y.family == 6 && inet_pton(AF_INET6, str_or_empty(b), y.b) != 1)
        y.family = 0;
    int c = cmp_addr(&x, &y);
    return c ? c : cmp_bytes(str_or_empty(a), a->len, str_or_empty(b), b->len);
}

static int cmp_str_ci_p(const void *pa, const void *pb)
{
    const struct ea_str *a = pa, *b = pb;
    int c = cmp_ci(str_or_empty(a), a->len, str_or_empty(b), b->len);
    return c ? c : cmp_bytes(str_or_empty(a), a->len, str_or_empty(b), b->len);
}

bool ea_report_finalize(struct ea_report *r)
{
    dns_index_free(r); /* sorting moves the entries it points at */
    if (!sort_stable(r->conns, r->n_conns, sizeof *r->conns, cmp_conn_p) ||
        !sort_stable(r->dns, r->n_dns, sizeof *r->dns, cmp_dns_p))
        return false;
    if (!r->hosts_counted) {
        hosts_free(r);
        for (size_t i = 0; i < r->n_conns; i++)
            if (!ea_report_count_host(r, &r->conns[i]))
                return false;
    }
    host_index_free(r);
    for (size_t i = 0; i < r->n_hosts; i++) {
        struct ea_host *h = &r->hosts[i];
        h->outcome = EA_OUT_UNKNOWN;
        for (unsigned o = 0; o < EA_OUT__COUNT; o++) {
            if (h->outcomes[o]) {
                h->outcome = (enum ea_outcome)o;
                break;
            }
        }
        if (h->n_addrs > 1)
            qsort(h->addrs, h->n_addrs, sizeof *h->addrs, cmp_str_addr_p);
        if (h->n_resolved_as > 1)
            qsort(h->resolved_as, h->n_resolved_as, sizeof *h->resolved_as, cmp_str_ci_p);
    }
    if (r->n_hosts > 1) /* qsort's array may not be NULL, even for no element */
        qsort(r->hosts, r->n_hosts, sizeof *r->hosts, cmp_host_p);
    r->truncated = false;
    for (size_t i = 0; i < r->n_inputs; i++)
        if (r->inputs[i].truncated)
            r->truncated = true;
    r->unreached_hosts = 0;
    for (size_t i = 0; i < r->n_hosts; i++)
        if (r->hosts[i].outcome != EA_OUT_REACHED)
            r->unreached_hosts++;
    return ea_report_derive(r);
}

/* ---- what reports say, derived from the rest ---- */

/* Where a verdict's hosts are listed: what needs doing first. */
static unsigned verdict_rank(enum ea_verdict v)
{
    static const enum ea_verdict order[] = {EA_V_DENIED,      EA_V_PORT,  EA_V_NO_NAME,
                                            EA_V_INFRA_MAYBE, EA_V_INFRA, EA_V_ALLOWED};
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
        if (order[i] == v)
            return i;
    return (unsigned)(sizeof order / sizeof order[0]);
}

struct ranked {
    unsigned rank;
    size_t index;
};

static int cmp_ranked(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return cmp_uint(a->index, b->index);
}

static bool derive_host_order(struct ea_report *r)
{
    r->host_order = malloc((r->n_hosts ? r->n_hosts : 1) * sizeof *r->host_order);
    struct ranked *v = malloc((r->n_hosts ? r->n_hosts : 1) * sizeof *v);
    if (!r->host_order || !v) {
        free(v);
        return false;
    }
    for (size_t i = 0; i < r->n_hosts; i++)
        v[i] = (struct ranked){r->has_policy ? verdict_rank(r->hosts[i].verdict) : 0, i};
    if (r->n_hosts > 1)
        qsort(v, r->n_hosts, sizeof *v, cmp_ranked);
    for (size_t i = 0; i < r->n_hosts; i++)
        r->host_order[i] = v[i].index;
    free(v);
    return true;
}

/* The connections of h that say otherwise than its verdict, for a finding
 * of kind k; 0 when h is no such finding. */
static uint64_t contradicting(const struct ea_host *h, enum ea_finding_kind k)
{
    switch (k) {
    case EA_FIND_ALLOWED_REFUSED:
        if (h->verdict != EA_V_ALLOWED && h->verdict != EA_V_INFRA)
            return 0;
        return (uint64_t)h->outcomes[EA_OUT_DENIED] + h->outcomes[EA_OUT_REFUSED];
    case EA_FIND_DENIED_REACHED:
        if (h->verdict != EA_V_DENIED && h->verdict != EA_V_PORT)
            return 0;
        return h->outcomes[EA_OUT_REACHED];
    case EA_FIND__COUNT:
    default:
        return 0;
    }
}

static bool derive_findings(struct ea_report *r)
{
    if (!r->has_policy)
        return true;
    r->findings = malloc((r->n_hosts ? r->n_hosts : 1) * sizeof *r->findings);
    if (!r->findings)
        return false;
    for (unsigned k = 0; k < EA_FIND__COUNT; k++) {
        for (size_t i = 0; i < r->n_hosts; i++) {
            size_t hi = r->host_order[i];
            uint64_t n = contradicting(&r->hosts[hi], (enum ea_finding_kind)k);
            if (n == 0)
                continue;
            r->findings[r->n_findings++] = (struct ea_finding){(enum ea_finding_kind)k, hi, n};
            r->summary.findings[k]++;
        }
    }
    return true;
}

/* A set of names (views), compared without ASCII case and without one
 * trailing dot; open addressing, at most half full. */
struct name_set {
    const struct ea_str **slots;
    size_t mask;
};

static size_t name_len_nodot(const struct ea_str *s)
{
    return s->len > 1 && s->s[s->len - 1] == '.' ? s->len - 1 : s->len;
}

static uint64_t name_hash(const struct ea_str *s)
{
    return ea_hash_bytes_ci(EA_FNV_OFFSET, str_or_empty(s), name_len_nodot(s));
}

static bool name_set_init(struct name_set *set, size_t n)
{
    size_t slots = 16;
    while (slots < 2 * n && slots < SIZE_MAX / 4)
        slots *= 2;
    set->slots = calloc(slots, sizeof *set->slots);
    set->mask = slots - 1;
    return set->slots != NULL;
}

/* The slot of s: where it is, or the empty one where it would go. */
static const struct ea_str **name_set_slot(const struct name_set *set, const struct ea_str *s)
{
    size_t len = name_len_nodot(s);
    for (size_t at = name_hash(s) & set->mask;; at = (at + 1) & set->mask) {
        const struct ea_str *o = set->slots[at];
        if (!o || (name_len_nodot(o) == len && ea_ascii_ieq(str_or_empty(o), str_or_empty(s), len)))
            return &set->slots[at];
    }
}

static bool is_address_query(uint16_t qtype)
{
    return qtype == EA_DNS_TYPE_A || qtype == EA_DNS_TYPE_AAAA || qtype == 5 /* CNAME */ ||
           qtype == 64 /* SVCB */ || qtype == 65 /* HTTPS */ || qtype == 255 /* ANY */;
}

static bool derive_dns_unused(struct ea_report *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_hosts; i++)
        n += (r->hosts[i].named ? 1 : 0) + r->hosts[i].n_resolved_as;
    struct name_set set;
    if (!name_set_init(&set, n))
        return false;
    for (size_t i = 0; i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[i];
        if (h->named)
            *name_set_slot(&set, &h->key) = &h->key;
        for (size_t k = 0; k < h->n_resolved_as; k++)
            *name_set_slot(&set, &h->resolved_as[k]) = &h->resolved_as[k];
    }
    r->dns_unused = malloc((r->n_dns ? r->n_dns : 1) * sizeof *r->dns_unused);
    if (!r->dns_unused) {
        free(set.slots);
        return false;
    }
    for (size_t i = 0; i < r->n_dns; i++) {
        const struct ea_dns *d = &r->dns[i];
        if (is_address_query(d->qtype) && d->qname.len && !*name_set_slot(&set, &d->qname))
            r->dns_unused[r->n_dns_unused++] = i;
    }
    free(set.slots);
    return true;
}

/* A host lookup by (named, key without case, port, transport): which host
 * each listed connection counts in. */
static bool derive_conn_hosts(struct ea_report *r)
{
    size_t slots = 16;
    while (slots < 2 * r->n_hosts && slots < SIZE_MAX / 4)
        slots *= 2;
    size_t *idx = calloc(slots, sizeof *idx); /* host + 1; 0: empty */
    if (!idx)
        return false;
    size_t mask = slots - 1;
    for (size_t i = 0; i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[i];
        size_t at =
            host_hash(h->named, str_or_empty(&h->key), h->key.len, h->port, h->transport) & mask;
        while (idx[at])
            at = (at + 1) & mask;
        idx[at] = i + 1;
    }
    for (size_t i = 0; i < r->n_conns; i++) {
        struct ea_conn *c = &r->conns[i];
        char addr[ADDR_TEXT_MAX];
        const char *key;
        size_t len;
        bool named = host_key_of(c, addr, &key, &len);
        c->host = EA_NO_HOST;
        for (size_t at = host_hash(named, key, len, c->dport, c->transport) & mask; idx[at];
             at = (at + 1) & mask) {
            const struct ea_host *h = &r->hosts[idx[at] - 1];
            if (h->named == named && h->port == c->dport && h->transport == c->transport &&
                cmp_ci(str_or_empty(&h->key), h->key.len, key, len) == 0) {
                c->host = idx[at] - 1;
                break;
            }
        }
    }
    free(idx);
    return true;
}

bool ea_report_derive(struct ea_report *r)
{
    derived_free(r);
    struct ea_summary *s = &r->summary;
    for (size_t i = 0; i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[i];
        s->connections += h->n_conns;
        if ((unsigned)h->outcome < EA_OUT__COUNT)
            s->host_outcomes[h->outcome]++;
    }
    for (size_t i = 0; i < r->n_remedies; i++) {
        const struct ea_remedy *m = &r->remedies[i];
        if (m->activate)
            s->activations++;
        else if (m->wildcard)
            s->wildcards++;
        else
            s->rules_to_add++;
    }
    if (!derive_host_order(r) || !derive_findings(r) || !derive_dns_unused(r) ||
        !derive_conn_hosts(r)) {
        derived_free(r);
        return false;
    }
    r->derived = true;
    return true;
}

/* ---- the rules' lists ---- */

/* The source of a rule's origin: "rules.txt" for "rules.txt:12", the
 * origin itself otherwise ("profile huggingface"). */
static size_t origin_source_len(const struct ea_str *origin)
{
    size_t n = origin->len;
    while (n > 0 && origin->s[n - 1] >= '0' && origin->s[n - 1] <= '9')
        n--;
    if (n > 1 && n < origin->len && origin->s[n - 1] == ':')
        return n - 1;
    /* JSON sources cite "x.json:rule 3" */
    static const char rule[] = ":rule ";
    size_t rl = sizeof(rule) - 1;
    if (n > rl && n < origin->len && memcmp(origin->s + n - rl, rule, rl) == 0)
        return n - rl;
    return origin->len;
}

static bool add_rule_source(struct ea_report *r, const struct ea_str *origin)
{
    size_t len = origin_source_len(origin);
    for (size_t k = 0; k < r->n_rule_sources; k++)
        if (r->rule_sources[k].len == len &&
            (len == 0 || memcmp(r->rule_sources[k].s, origin->s, len) == 0))
            return true;
    struct ea_str *v = realloc(r->rule_sources, (r->n_rule_sources + 1) * sizeof(*v));
    if (!v)
        return false;
    r->rule_sources = v;
    v[r->n_rule_sources] = (struct ea_str){0};
    if (!ea_str_set(&v[r->n_rule_sources], origin->s, len))
        return false;
    r->n_rule_sources++;
    return true;
}

bool ea_report_index_rules(struct ea_report *r)
{
    free(r->inactive_rules);
    r->inactive_rules = calloc(r->n_rules ? r->n_rules : 1, sizeof(*r->inactive_rules));
    r->n_inactive_rules = 0;
    strs_free(r->rule_sources, r->n_rule_sources);
    r->rule_sources = NULL;
    r->n_rule_sources = 0;
    if (!r->inactive_rules)
        return false;
    for (size_t i = 0; i < r->n_rules; i++) {
        if (r->rules[i].inactive)
            r->inactive_rules[r->n_inactive_rules++] = i;
        if (!add_rule_source(r, &r->rules[i].origin))
            return false;
    }
    return true;
}

void ea_service_clear(struct ea_service *s)
{
    ea_str_clear(&s->name);
    ea_str_clear(&s->role);
    ea_str_clear(&s->source);
}

struct ea_service *ea_host_service(struct ea_host *h)
{
    if (!h->service)
        h->service = calloc(1, sizeof *h->service);
    return h->service;
}

void ea_host_service_drop(struct ea_host *h)
{
    if (h->service) {
        ea_service_clear(h->service);
        free(h->service);
        h->service = NULL;
    }
}

void ea_service_note_clear(struct ea_service_note *n)
{
    ea_str_clear(&n->service);
    ea_str_clear(&n->guidance);
    ea_str_clear(&n->source);
    ea_str_clear(&n->date);
    strs_free(n->covers, n->n_covers);
    n->covers = NULL;
    n->n_covers = 0;
}

const struct ea_rule *ea_report_rule(const struct ea_report *r, long index)
{
    if (index < 0 || (unsigned long)index >= r->n_rules)
        return NULL;
    return &r->rules[index];
}
