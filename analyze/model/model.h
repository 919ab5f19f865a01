/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The report model: what analysis found, typed, sorted and aggregated once.
 * Renderers (report/) only read it. Strings from the wire are kept raw
 * (any byte, length-counted); each renderer escapes them for its format.
 */
#ifndef EA_MODEL_H
#define EA_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "addr.h"

#define EA_SCHEMA 1

/* A length-counted heap string, NUL-terminated, that may contain NUL. */
struct ea_str {
    char *s;
    size_t len;
};

enum ea_transport {
    EA_TCP = 6,
    EA_UDP = 17,
};

enum ea_outcome {
    EA_OUT_REACHED = 0,
    EA_OUT_DENIED,
    EA_OUT_REFUSED,
    EA_OUT_NO_ANSWER,
    EA_OUT_INCOMPLETE,
    EA_OUT_UNKNOWN,
    EA_OUT__COUNT
};

/* The evidence for a connection's outcome; one name table (model.c), whose
 * text is what the reports print. */
enum ea_outcome_why {
    EA_OW_NONE = 0,
    EA_OW_SERVER_HELLO,       /* "TLS ServerHello received" */
    EA_OW_HTTP_470,           /* "HTTP 470: denied by the firewall" */
    EA_OW_HTTP_ACTION_DENY,   /* "HTTP response says \"Action: Deny\"" */
    EA_OW_HTTP_RESPONSE,      /* "HTTP response received" */
    EA_OW_MIDSTREAM,          /* "capture began after the handshake" */
    EA_OW_RESET_TO_SYN,       /* "reset in answer to SYN" */
    EA_OW_DATA_NO_SYNACK,     /* "server sent data (SYN-ACK not captured)" */
    EA_OW_NO_SYN_ANSWER,      /* "no answer to SYN" */
    EA_OW_TLS_ALERT,          /* "TLS alert instead of a ServerHello" */
    EA_OW_RESET_AFTER_HELLO,  /* "reset after ClientHello, no ServerHello" */
    EA_OW_CLOSED_AFTER_HELLO, /* "closed after ClientHello, no ServerHello" */
    EA_OW_NOT_SERVER_HELLO,   /* "server answered, but not with a ServerHello" */
    EA_OW_NO_SERVER_HELLO,    /* "no ServerHello before the capture ended" */
    EA_OW_CLOSED_NO_HTTP,     /* "closed without an HTTP response" */
    EA_OW_NOT_HTTP,           /* "server answered, but not with HTTP" */
    EA_OW_NO_HTTP,            /* "no HTTP response before the capture ended" */
    EA_OW_SERVER_DATA,        /* "server sent data" */
    EA_OW_SYNACK_OTHER_PORT,  /* "SYN-ACK (the firewall answers ... only on 80/443)" */
    EA_OW_CLIENT_DATA_ONLY,   /* "client data without an answer" */
    EA_OW_HANDSHAKE_ONLY,     /* "handshake only: a SYN-ACK proves nothing on 80/443" */
    EA_OW_UDP_REPLY,          /* "reply received" */
    EA_OW_UDP_NO_REPLY,       /* "no reply" */
    EA_OW_QUIC_HANDSHAKE,     /* "QUIC server Initial or Handshake received" */
    EA_OW_QUIC_NO_ANSWER,     /* "QUIC client Initials only, no answer" */
    EA_OW_QUIC_VN,            /* "QUIC Version Negotiation received, no handshake" */
    EA_OW_CLIENT_SIDE_ONLY, /* "client data, nothing from the server: only the client's side ..." */
    EA_OW__COUNT
};

enum ea_name_source {
    EA_NAME_NONE = 0,
    EA_NAME_SNI,
    EA_NAME_HTTP_HOST,
    EA_NAME_CONNECT,
    EA_NAME_QUIC_SNI,
    EA_NAME_SOCKS, /* the domain or address a SOCKS 4a/5 client asked its proxy for */
    EA_NAME__COUNT
};

/* Why a connection's name cannot be judged by an FQDN rule, or is odd. */
enum ea_conn_flag {
    EA_CF_TLS = 1u << 0,           /* a TLS ClientHello was seen */
    EA_CF_TLS_NO_SNI = 1u << 1,    /* ClientHello without server_name */
    EA_CF_ECH = 1u << 2,           /* encrypted_client_hello present: SNI is the outer name */
    EA_CF_HTTP = 1u << 3,          /* an HTTP request was seen */
    EA_CF_QUIC = 1u << 4,          /* UDP 443: QUIC, FQDN rules cannot judge it */
    EA_CF_PORT = 1u << 5,          /* named, but not on port 80/443 */
    EA_CF_MIDSTREAM = 1u << 6,     /* capture began after the handshake */
    EA_CF_DNS = 1u << 7,           /* DNS traffic (port 53) */
    EA_CF_NAME_CUT = 1u << 8,      /* the name was longer than we keep */
    EA_CF_REASM_GAP = 1u << 9,     /* bytes missing before the hello could be read */
    EA_CF_HELLO_CUT = 1u << 10,    /* a TLS ClientHello too large or malformed to read */
    EA_CF_SNAPLEN_CUT = 1u << 11,  /* packets of it were cut by the snaplen (or IP length) */
    EA_CF_SNI_MISMATCH = 1u << 12, /* inner SNI differs from the prelude's name (fronting) */
    EA_CF_STARTTLS = 1u << 13,     /* TLS after a plaintext prelude (STARTTLS, SSLRequest) */
    EA_CF_SOCKS = 1u << 14,        /* a SOCKS 4/4a/5 request opened it */
    EA_CF_LOCAL = 1u << 15,        /* link-local name resolution: mDNS, LLMNR */
    EA_CF_OTHER_PROTO = 1u << 16,  /* client payload that is neither TLS, HTTP nor DNS */
    EA_CF_TUNNEL = 1u << 17,       /* carried in a tunnel; outer addresses recorded */
    EA_CF_NO_HOST = 1u << 18,      /* an HTTP request without a Host or authority */
    EA_CF_HTTP_CONNECT = 1u << 19, /* an HTTP CONNECT tunnel (explicit proxy) */
    EA_CF_QUIC_VN = 1u << 20,      /* QUIC Version Negotiation seen */
    EA_CF_QUIC_UNKNOWN_VERSION = 1u << 21, /* a QUIC long header of a version we cannot read */
    EA_CF_ECH_REAL = 1u << 22,             /* ECH, and the visible SNI is a known ECH public name */
    EA_CF_ECH_GREASE = 1u << 23,           /* ECH, with nothing saying it is not GREASE */
    EA_CF_CERT_MISMATCH = 1u << 24,        /* the server certificate's names do not cover the SNI */
};

/* The tunnel a connection's packets came in (the first one seen). */
enum ea_tunnel {
    EA_TUN_NONE = 0,
    EA_TUN_VXLAN,
    EA_TUN_GENEVE,
    EA_TUN_GRE,
    EA_TUN_ERSPAN,
    EA_TUN_GTPU,
    EA_TUN_IPIP, /* IP-in-IP, 6in4, 4in6, IPv6-in-IPv6 */
    EA_TUN_TEREDO,
    EA_TUN_CAPWAP,
    EA_TUN__COUNT
};

/* What the loaded allowlist says about a destination (policy.c). */
enum ea_verdict {
    EA_V_NONE = 0,    /* no rules were loaded: not judged */
    EA_V_ALLOWED,     /* an active rule permits it (rule cited) */
    EA_V_DENIED,      /* a name on 80/443 that no active FQDN rule permits */
    EA_V_PORT,        /* port-not-coverable: a name on a port FQDN rules cannot cover */
    EA_V_NO_NAME,     /* IP only, TLS without SNI, QUIC: nothing an FQDN rule can judge */
    EA_V_INFRA,       /* infrastructure: a CIDR or resolved service-tag rule covers the address */
    EA_V_INFRA_MAYBE, /* infrastructure?: a service tag without addresses may cover it */
    EA_V__COUNT
};

/* Why a destination got its verdict; one name table (model.c). */
enum ea_verdict_why {
    EA_VW_NONE = 0,
    EA_VW_FQDN,             /* "an FQDN rule permits this name" */
    EA_VW_FQDN_ECH,         /* "an FQDN rule permits the visible name (ECH offered: ...)" */
    EA_VW_CIDR,             /* "a CIDR rule covers the address" */
    EA_VW_TAG_PREFIXES,     /* "a service tag's published prefixes cover the address" */
    EA_VW_TAG_MAYBE,        /* "a service-tag rule without known prefixes may cover it ..." */
    EA_VW_PORT_UDP,         /* "a name over UDP: FQDN rules cover TCP 80/443 only" */
    EA_VW_PORT,             /* "FQDN rules cover ports 80 and 443 only" */
    EA_VW_QUIC,             /* "QUIC (UDP 443): FQDN rules cannot judge it" (no name read) */
    EA_VW_TLS_NO_SNI,       /* "TLS without SNI: no name to judge" */
    EA_VW_HELLO_UNREADABLE, /* "a TLS ClientHello too large or malformed to read: ..." */
    EA_VW_IP_ONLY,          /* "no name (IP only): FQDN rules cannot judge it" */
    EA_VW_INACTIVE_ONLY,    /* "only an Inactive rule matches this name" */
    EA_VW_NO_RULE,          /* "no rule permits this name" */
    EA_VW_QUIC_NAMED,       /* "QUIC: Azure Firewall application rules do not inspect ..." */
    EA_VW_FQDN_ECH_REAL,    /* "an FQDN rule permits the visible name (ECH: the real ...)" */
    EA_VW__COUNT
};

enum ea_rule_kind {
    EA_RULE_FQDN = 0,
    EA_RULE_CIDR,
    EA_RULE_SERVICE_TAG,
    EA_RULE_PRIVATE_ENDPOINT,
    EA_RULE__COUNT
};

/* Azure Firewall application-rule FQDN forms (DESIGN.md). */
enum ea_fqdn_form {
    EA_FQDN_EXACT = 0,  /* example.com: only that name */
    EA_FQDN_SUBDOMAINS, /* *.example.com: any depth below, never the apex */
    EA_FQDN_SUFFIX,     /* *example.com: plain suffix, also badexample.com (warned) */
    EA_FQDN_ANY,        /* *: everything */
};

struct ea_net {
    struct ea_addr addr; /* host bits zero */
    uint8_t len;         /* prefix length */
};

struct ea_port_range {
    uint16_t lo, hi;
};

struct ea_rule {
    enum ea_rule_kind kind;
    struct ea_str name;        /* the Azure rule name; may be empty (text files, profiles) */
    struct ea_str destination; /* as written: pattern, CIDR, tag, resource id */
    struct ea_str origin;      /* "profile huggingface" or "path:line" */
    struct ea_str category;    /* required, recommended, user_defined, dependency; may be empty */
    struct ea_str status;      /* as given (Active, Inactive); may be empty */
    bool inactive;             /* status Inactive: permits nothing */
    /* FQDN rules */
    enum ea_fqdn_form form;
    struct ea_str fqdn; /* lower case, no trailing dot, without "*." or "*" */
    /* CIDR and service-tag rules */
    struct ea_str service_tag; /* the tag name (service-tag rules) */
    struct ea_net *nets;       /* CIDR: one; service tag: its address prefixes, maybe none */
    size_t n_nets;
    struct ea_port_range *ports; /* none: any port */
    size_t n_ports;
    uint8_t protocol; /* 0 any, EA_TCP, EA_UDP */
    /* private-endpoint rules: as the source gives them */
    struct ea_str subresource_target; /* "blob", "vault", ...; empty when not given */
    bool has_spark_enabled;           /* the source says whether Spark may use it */
    bool spark_enabled;
    struct ea_str pattern; /* FQDN rules: "*.fqdn", "fqdn", "*"; others: destination */
    /* filled by policy.c */
    struct ea_str emit_name; /* name when emitted: name, or one made unique (policy_name_rules) */
    uint64_t hosts_permitted;
};

/* One DNS answer chain as the client saw it: the name it asked for, then
 * each CNAME target, ending at the address. */
struct ea_chain {
    struct ea_str *names; /* names[0] = query name */
    size_t n_names;
};

struct ea_conn {
    /* (fields grouped by alignment: 100,000 rows are kept by default) */
    struct ea_str name;        /* empty when name_source == EA_NAME_NONE */
    struct ea_str alpn;        /* first ALPN protocol offered, if any */
    struct ea_str server_alpn; /* ALPN the ServerHello chose (TLS 1.2 and older) */
    struct ea_str ja4;         /* JA4 fingerprint of the ClientHello, if any */
    struct ea_str *cert_names; /* leaf certificate CN and SAN dNSNames (TLS 1.2) */
    size_t n_cert_names;
    struct ea_str http_method;
    struct timeval first, last;
    uint64_t pkts_out, pkts_in;   /* out = client to server */
    uint64_t bytes_out, bytes_in; /* IP payload bytes (transport header included) */
    struct ea_chain resolved;     /* the client's latest answer for dst before first */
    long rule;                    /* index in report->rules, or -1 */
    /* A second name: the SNI of TLS inside a prelude that named the
     * destination itself (CONNECT, SOCKS); empty when inner_source is NONE. */
    struct ea_str inner_name;
    uint64_t payload_out, payload_in; /* transport payload bytes, as the headers claim */
    uint64_t seq; /* the analyzer: how many connections of the run ended before it */
    size_t host;  /* ea_report_derive: index in report->hosts, or EA_NO_HOST (past the host cap) */
    enum ea_transport transport;
    enum ea_name_source name_source;
    enum ea_outcome outcome;
    enum ea_outcome_why outcome_why; /* the evidence for the outcome */
    uint32_t flags;                  /* enum ea_conn_flag */
    enum ea_verdict verdict;
    enum ea_verdict_why verdict_why; /* EA_VW_NONE when not judged */
    enum ea_name_source inner_source;
    enum ea_tunnel tunnel; /* EA_TUN_NONE: not tunnelled */
    uint32_t run;          /* a union of reports: index in report->runs, else 0 */
    uint16_t sport, dport;
    uint16_t tls_version; /* negotiated (ServerHello), 0 if none */
    uint16_t http_status; /* first response status, 0 if none */
    bool has_resolved;
    struct ea_addr src, dst;
    struct ea_addr outer_src, outer_dst; /* the tunnel's outermost addresses */
};

#define EA_NO_HOST SIZE_MAX

/* The DNS numbers the model itself names (RFC 1035, RFC 3596). */
enum {
    EA_DNS_RCODE_NOERROR = 0,
    EA_DNS_TYPE_A = 1,
    EA_DNS_TYPE_AAAA = 28,
};

struct ea_dns_answer {
    uint16_t type; /* DNS_TYPE_* (A, AAAA, CNAME, SVCB, HTTPS) */
    struct ea_str owner;
    struct ea_str data; /* address text, or the target name */
    uint32_t ttl;
};

/* DNS, aggregated per (query name, qtype). */
struct ea_dns {
    struct ea_str qname;
    struct timeval first, last;
    struct ea_dns_answer *answers; /* union over responses, first seen order */
    size_t n_answers;
    int rcode;            /* of the latest response; -1: no response seen */
    uint32_t n_queries;   /* messages with QR=0 */
    uint32_t n_responses; /* messages with QR=1 */
    uint16_t qtype;
    uint16_t port; /* server port when not 53 (DNS on another port), else 0 */
    bool over_tcp, over_udp;
    bool answers_dropped; /* more than we keep */
    bool local;           /* mDNS (5353) or LLMNR (5355): link-local, never egress */
};

/* The service and part of it behind a name, with the document that says so
 * (the service catalog, DESIGN.md "Services"). */
struct ea_service {
    struct ea_str name;   /* "Hugging Face Hub" */
    struct ea_str role;   /* "Xet storage" */
    struct ea_str source; /* the document: a URL and what in it */
};

/* A service whose owner documents a rotating host set, and the denied hosts
 * of it: remediation cites the owner's guidance next to the exact names. */
struct ea_service_note {
    struct ea_str service, guidance, source, date;
    struct ea_str *covers; /* the denied names of this service */
    size_t n_covers;
};

/* A destination as a person reads it: per (name or IP, port, transport). */
struct ea_host {
    /* (fields ordered so that a million of them carry no padding to speak of) */
    struct ea_str key;               /* the name, or the address text if no name */
    enum ea_name_source name_source; /* of the first named connection */
    enum ea_transport transport;
    uint32_t flags; /* union of the connections' flags */
    uint16_t port;
    bool named;
    size_t n_conns;
    uint32_t outcomes[EA_OUT__COUNT];
    enum ea_outcome outcome; /* the best: reached < denied < ... by enum order */
    enum ea_verdict verdict;
    enum ea_verdict_why verdict_why; /* EA_VW_NONE when not judged */
    long rule;                       /* index in report->rules, or -1 */
    uint64_t bytes_out, bytes_in;
    struct timeval first, last;
    struct ea_str *addrs; /* distinct destination addresses (text) */
    size_t n_addrs;
    struct ea_str *resolved_as; /* distinct DNS query names mapped to those addresses */
    size_t n_resolved_as;
    /* the service catalog's entry (policy/describe.c): by the name, or by the
     * first resolved name when none; owned, NULL when the catalog does not
     * know it (most hosts of a big capture: a pointer, not 48 bytes each) */
    struct ea_service *service;
    struct ea_str *known_in; /* denied: the built-in profiles not loaded that permit it */
    size_t n_known_in;
    uint32_t *runs; /* a union of reports: the runs that contacted it, */
    size_t n_runs;  /* ascending (indexes in report->runs); else none */
    /* counted from connections (ea_report_count_host): the seq of the first
     * one counted, and of the one whose spelling the host keeps; a shard of
     * analyze -j passes them on (ea_report_merge_shards) */
    uint64_t seq, first_seq;
};

enum ea_near_kind {
    EA_NEAR_APEX = 0,  /* name d denied while only *.d is allowed */
    EA_NEAR_SUBDOMAIN, /* name x.d denied while only d (exact) is allowed */
    EA_NEAR_INACTIVE,  /* an Inactive rule would have permitted it */
    EA_NEAR_SERVICE,   /* a rule permits other hosts of its service, not this one */
};

/* A denied host that a rule almost permits: worth a sentence. */
struct ea_near_miss {
    size_t host; /* index in report->hosts */
    size_t rule; /* index in report->rules */
    enum ea_near_kind kind;
};

/* An unused rule whose destination a rule that permitted hosts also has. */
struct ea_duplicate {
    size_t rule; /* index in report->rules: the rule that permitted nothing */
    size_t of;   /* index in report->rules: the first rule with that destination that did */
};

/* A rule to add so that denied names are permitted, or an Inactive rule to
 * make Active again. */
struct ea_remedy {
    struct ea_str destination; /* exact FQDN, or "*.parent"; activate: the rule's pattern */
    struct ea_str rule_name;   /* valid Azure name: 3-33 of [a-zA-Z0-9_-], alnum first, unique;
                                  activate: the rule's own name */
    bool wildcard;             /* a suggestion covering several exact ones */
    bool activate;             /* not a new rule: make rules[rule] (Inactive) Active */
    size_t rule;               /* activate: index in report->rules */
    struct ea_str *covers;     /* the denied names it permits */
    size_t n_covers;
};

/* A host whose verdict and its outcome on the wire disagree (DESIGN.md:
 * the first thing a report says); ea_report_derive finds them. */
enum ea_finding_kind {
    EA_FIND_ALLOWED_REFUSED =
        0,                  /* allowed (or infrastructure) by the rules, yet some of its
                               connections were denied or reset: a wrong rule, a rule not yet
                               applied, or a firewall in front that the rules do not describe */
    EA_FIND_DENIED_REACHED, /* denied (or port-not-coverable) by the rules, yet reached: the
                               capture was not taken behind this allowlist */
    EA_FIND__COUNT
};

struct ea_finding {
    enum ea_finding_kind kind;
    size_t host;    /* index in report->hosts */
    uint64_t conns; /* its connections that contradict the verdict (denied and refused, or
                       reached) */
};

/* One report of a union (egress-audit report A.json B.json): its inputs are
 * report->inputs[first_input .. first_input + n_inputs). */
struct ea_run {
    struct ea_str path; /* the report file, as given ("-" for standard input) */
    size_t first_input, n_inputs;
};

/* --diff OLD: how a host changed from the old report to this one. */
enum ea_change_kind {
    EA_CHANGE_NEW = 0, /* contacted now, not in the old report */
    EA_CHANGE_GONE,    /* in the old report, no longer contacted */
    EA_CHANGE_CHANGED, /* in both, with another outcome or verdict */
    EA_CHANGE__COUNT
};

struct ea_change {
    enum ea_change_kind kind;
    struct ea_str key; /* the host's name or address, as this report (or the old one) spells it */
    bool named;
    uint16_t port;
    enum ea_transport transport;
    /* the old and new sides; a side the host is absent from has outcome
     * EA_OUT__COUNT, verdict EA_V_NONE and no connections */
    enum ea_outcome old_outcome, new_outcome;
    enum ea_verdict old_verdict, new_verdict; /* EA_V_NONE: that side was not judged */
    uint64_t old_conns, new_conns;
};

struct ea_diff {
    bool present;              /* --diff was given */
    struct ea_str base;        /* the old report's path */
    struct ea_change *changes; /* sorted like hosts: named first, by key, port, transport */
    size_t n_changes;
    size_t counts[EA_CHANGE__COUNT];
};

/* The counts a report's summary says (ea_report_derive). */
struct ea_summary {
    uint64_t connections;                  /* counted in their hosts, listed or not */
    uint32_t host_outcomes[EA_OUT__COUNT]; /* hosts per outcome */
    size_t findings[EA_FIND__COUNT];       /* hosts per finding kind */
    size_t rules_to_add;                   /* exact rules to add */
    size_t wildcards;                      /* wildcard suggestions */
    size_t activations;                    /* Inactive rules to make Active */
};

/* Counters shown at the end; one table of names (model.c). */
enum ea_counter {
    EA_C_PACKETS = 0,
    EA_C_BYTES,      /* captured bytes */
    EA_C_WIRE_BYTES, /* original lengths */
    EA_C_LINK_MALFORMED,
    EA_C_LINK_TRUNCATED,
    EA_C_NOT_IP, /* ARP, LLDP, ... */
    EA_C_IPV4,
    EA_C_IPV6,
    EA_C_IP_MALFORMED,
    EA_C_IP_TRUNCATED,
    EA_C_IP_FRAGMENTS,
    EA_C_IP_OTHER_PROTO, /* ICMP, ESP, ... */
    EA_C_TCP,
    EA_C_TCP_MALFORMED,
    EA_C_TCP_TRUNCATED,
    EA_C_UDP,
    EA_C_UDP_MALFORMED,
    EA_C_UDP_TRUNCATED,
    EA_C_DNS_MESSAGES,
    EA_C_DNS_MALFORMED,
    EA_C_DNS_TRUNCATED,
    EA_C_TLS_MALFORMED,
    EA_C_HTTP_MALFORMED,
    EA_C_FLOWS,
    EA_C_FLOWS_EVICTED,
    EA_C_DNS_CACHE_EVICTED,        /* attribution entries dropped for room (oldest first) */
    EA_C_IPV6_REASM_DROPPED,       /* IPv6 datagrams given up while joined: no room for more */
    EA_C_REASM_WARNINGS,           /* libnids and own reassembly complaints */
    EA_C_CONNS_NOT_LISTED,         /* connections past the row cap: counted, not listed */
    EA_C_HOSTS_NOT_LISTED,         /* connections to hosts past the host cap */
    EA_C_DNS_NOT_LISTED,           /* DNS messages whose (name, type) is past the DNS row cap */
    EA_C_HOST_VALUES_NOT_LISTED,   /* connections whose new address or resolved name did not fit
                                      in its host's 64 */
    EA_C_CERT_NAMES_NOT_LISTED,    /* connections whose certificate had more names than kept */
    EA_C_QUIC_FLOWS,               /* UDP flows read as QUIC */
    EA_C_QUIC_NOT_TRACKED,         /* QUIC flows past the cap on decryption state */
    EA_C_QUIC_INITIALS,            /* client Initial packets decrypted */
    EA_C_QUIC_HELLOS,              /* ClientHellos read from them */
    EA_C_QUIC_VERSION_NEGOTIATION, /* flows with a Version Negotiation packet */
    EA_C_QUIC_UNKNOWN_VERSION,     /* flows with a long header of an unknown version */
    /* QUIC packets (or their rest) given up, by reason (analyze/parse/quic.h) */
    EA_C_QUIC_DROP_TRUNCATED,
    EA_C_QUIC_DROP_BAD_HEADER,
    EA_C_QUIC_DROP_UNKNOWN_VERSION,
    EA_C_QUIC_DROP_TOO_SHORT,
    EA_C_QUIC_DROP_NO_KEYS,
    EA_C_QUIC_DROP_DECRYPT,
    EA_C_QUIC_DROP_CRYPTO_LIB,
    EA_C_QUIC_DROP_FRAME_UNKNOWN,
    EA_C_QUIC_DROP_FRAME_MALFORMED,
    EA_C_QUIC_DROP_CRYPTO_CAP,
    EA_C_QUIC_DROP_CRYPTO_RANGES,
    EA_C_QUIC_DROP_HELLO_NOT_CH,
    EA_C_QUIC_DROP_HELLO_TOO_BIG,
    EA_C_QUIC_DROP_HELLO_MALFORMED,
    EA_C_QUIC_DROP_RETRY_BAD,
    EA_C__COUNT
};

/* What a live capture (egress-audit capture) adds to an input: one per file
 * it wrote (or the interface, when no file was written). All zero and live
 * false for capture files that were read. */
struct ea_capture_stats {
    bool live;                 /* this input is a live capture */
    struct ea_str interface;   /* the interface captured on ("eth0", "any") */
    bool written;              /* frames went to the file at path (-w); else only analyzed */
    uint64_t cutoff;           /* payload bytes written per connection direction; 0: all */
    bool cutoff_headers;       /* packets past the cutoff written cut to their headers */
    uint64_t packets_seen;     /* captured (after the filter) while this input was current */
    uint64_t bytes_seen;       /* their captured bytes */
    uint64_t packets_written;  /* records written to the file */
    uint64_t bytes_written;    /* the file's size, pcap headers included */
    uint64_t cut_packets;      /* packets the cutoff left out or cut to their headers */
    uint64_t cut_bytes;        /* captured bytes the cutoff left out of the file */
    uint64_t kernel_drops;     /* pcap_stats: dropped by the kernel (buffer full) */
    uint64_t interface_drops;  /* pcap_stats: dropped by the interface or driver */
    struct ea_str write_error; /* why writing stopped early ("No space left on device"); empty */
};

struct ea_input {
    struct ea_str path;          /* "-" for stdin */
    int linktype;                /* DLT_* value */
    struct ea_str linktype_name; /* libpcap's name for it ("EN10MB") */
    uint64_t packets;            /* frames analyzed from this input */
    bool truncated;              /* the file ends inside a record */
    uint64_t truncated_offset;   /* byte offset of the cut record, if known */
    unsigned given_position;     /* 1-based place on the command line when the files were
                                    read in another order (by first packet); 0: as given */
    struct ea_capture_stats capture;
};

struct ea_report {
    const char *tool_version;
    char *tool_version_copy; /* owned, when tool_version points to it (a report read back) */
    struct ea_input *inputs;
    size_t n_inputs, cap_inputs;
    bool truncated;        /* some input was cut off */
    struct ea_conn *conns; /* sorted by first time, then by address */
    size_t n_conns, cap_conns;
    struct ea_dns *dns; /* sorted by first time */
    size_t n_dns, cap_dns;
    struct ea_host *hosts; /* sorted: named first, then by key, port */
    size_t n_hosts, cap_hosts;
    size_t max_hosts;   /* hosts kept; past it counted in hosts_not_listed (0: default) */
    size_t max_dns;     /* DNS rows kept; past it counted in dns_not_listed (0: default) */
    size_t max_conns;   /* connection rows the analyzer lists at most (0: no bound) */
    bool shard;         /* a shard of analyze -j: JSON carries the hosts' seq for the merge */
    bool hosts_counted; /* hosts were counted as connections ended (see below) */
    struct ea_host_index *host_index; /* model.c: (key, port, transport) -> host */
    struct ea_dns_index *dns_index;   /* model.c: (query name, qtype) -> dns */
    uint64_t counters[EA_C__COUNT];
    /* Frames shorter than on the wire (the capture's snaplen): how many,
     * and the most bytes such a frame kept (the snaplen, as far as seen). */
    uint64_t snaplen_cut_frames;
    uint32_t snaplen_seen;
    struct timeval first, last; /* time span of the packets */
    bool have_time;
    /* the allowlist (policy.c); has_policy false when none was loaded */
    bool has_policy;
    struct ea_rule *rules; /* in load order */
    size_t n_rules, cap_rules;
    size_t *unused_rules; /* indexes of active rules that permitted nothing */
    size_t n_unused_rules;
    struct ea_duplicate *duplicate_rules; /* rules that permitted nothing while a rule with
                                             the same destination did (not in unused_rules) */
    size_t n_duplicate_rules;
    size_t *inactive_rules; /* indexes of rules with status Inactive */
    size_t n_inactive_rules;
    struct ea_str *rule_sources; /* "rules.txt", "profile huggingface": distinct, load order */
    size_t n_rule_sources;
    struct ea_near_miss *near_misses;
    size_t n_near_misses;
    uint32_t verdict_hosts[EA_V__COUNT]; /* hosts per verdict */
    size_t unreached_hosts;              /* hosts whose outcome is not reached (--fail-on) */
    struct ea_remedy *remedies; /* activations (rule order), exact FQDNs (sorted), wildcards */
    size_t n_remedies;
    struct ea_service_note *service_notes; /* services of denied hosts with rotating hosts */
    size_t n_service_notes;
    /* a union of reports (runs.c); none for one capture or one report */
    struct ea_run *runs;
    size_t n_runs;
    struct ea_diff diff; /* --diff OLD (runs.c) */
    /* derived from all of the above by ea_report_derive(): what reports say
     * but no analysis measured */
    bool derived;
    struct ea_summary summary;
    struct ea_finding *findings; /* with an allowlist: by kind, then in host order */
    size_t n_findings;
    size_t *host_order; /* n_hosts indexes: with an allowlist by verdict (denied first), then
                           in hosts order; else hosts order */
    size_t *dns_unused; /* indexes in dns of address queries (A, AAAA, CNAME, HTTPS, SVCB, ANY)
                           for a name that no host was contacted by, nor resolved as */
    size_t n_dns_unused;
};

void ea_report_init(struct ea_report *r);
void ea_report_finish(struct ea_report *r);

/* Copy bytes into a model string (replacing what it had). false on ENOMEM. */
bool ea_str_set(struct ea_str *s, const void *p, size_t len);
void ea_str_clear(struct ea_str *s);

/* Free what a connection holds (its strings, names and chain); zeroes them. */
void ea_conn_clear(struct ea_conn *c);

/* Growth helpers: return a zeroed new element or NULL on ENOMEM. The one
 * exception: a new ea_dns has rcode = -1 (no response seen yet). */
struct ea_conn *ea_report_add_conn(struct ea_report *r);
struct ea_dns *ea_report_add_dns(struct ea_report *r);
struct ea_input *ea_report_add_input(struct ea_report *r);
/* A zeroed host (rule = -1), for readers that rebuild a report whose hosts
 * were counted already (report_read.c): sets hosts_counted, so that
 * ea_report_finalize keeps the hosts. Not indexed: not to be mixed with
 * ea_report_count_host (NULL once that was called). */
struct ea_host *ea_report_add_host(struct ea_report *r);

/* Count a connection in its host: (name or address, port, transport). The
 * analyzer calls it for every connection as it ends, listed or not, so the
 * hosts stay complete past the row cap. Addresses and resolved names kept
 * per host are bounded (EA_HOST_MAX_ADDRS). false on ENOMEM (or when the
 * hosts came from ea_report_add_host). */
/* Caps for memory safety only, far above a deployment's few hundred hosts
 * and names (issue 12): about 0.5 KiB per host and per DNS row. */
#define EA_DEFAULT_MAX_HOSTS 1000000
#define EA_DEFAULT_MAX_DNS 1000000
#define EA_HOST_MAX_ADDRS 64
bool ea_report_count_host(struct ea_report *r, const struct ea_conn *c);

/* Sort connections and DNS, and the hosts; when no host was counted yet,
 * count every listed connection first. Call once, after analysis. */
bool ea_report_finalize(struct ea_report *r);

/* DNS, aggregated per (query name, qtype), names compared without case.
 * The entry for the name, made on first sight with first = *now and
 * rcode = -1. NULL with *full set when the name is new and the report holds
 * max_dns rows already (the caller counts what it drops in dns_not_listed);
 * NULL with *full clear on ENOMEM. */
#define EA_DNS_MAX_ANSWERS 64
struct ea_dns *ea_report_dns_entry(struct ea_report *r, const char *qname, size_t len,
                                   uint16_t qtype, const struct timeval *now, bool *full);
/* Add one answer (the union over responses keeps first-seen order; a
 * duplicate is skipped; past EA_DNS_MAX_ANSWERS answers_dropped is set).
 * false on ENOMEM. */
bool ea_dns_add_answer(struct ea_dns *d, uint16_t type, const char *owner, size_t owner_len,
                       const char *data, size_t data_len, uint32_t ttl);

struct ea_rule *ea_report_add_rule(struct ea_report *r);
/* The rule an index cites (a verdict's, a near miss's), or NULL for -1 or
 * an index out of range. */
const struct ea_rule *ea_report_rule(const struct ea_report *r, long index);
/* The lists about the rules that reports print: inactive_rules, and
 * rule_sources ("rules.txt" of "rules.txt:12", or the whole origin, each
 * once in load order). false on ENOMEM. */
bool ea_report_index_rules(struct ea_report *r);
void ea_service_clear(struct ea_service *s);
/* A host's service, made empty on first use (NULL on ENOMEM); dropping it
 * frees it and leaves NULL. */
struct ea_service *ea_host_service(struct ea_host *h);
void ea_host_service_drop(struct ea_host *h);
void ea_service_note_clear(struct ea_service_note *n);
void ea_rule_finish(struct ea_rule *rule);

/*
 * Compute what reports say from the rest of the model: the summary's
 * counts, the findings (hosts whose verdict and outcome disagree, with an
 * allowlist), the order in which hosts are listed, each listed connection's
 * host, and the DNS names never connected to. ea_report_finalize,
 * policy_judge, report_read_json, ea_report_merge and ea_report_diff call it
 * as they finish; call it again after changing the model by hand. false on
 * ENOMEM (then derived is false and the renderers print the model as is).
 */
bool ea_report_derive(struct ea_report *r);

/*
 * The union of several reports (runs.c; egress-audit report A.json B.json):
 * into dst (initialized, empty), each srcs[i] as a run named paths[i] (a
 * source that is a union already adds each of its runs): the inputs and
 * connections of all (each connection marked with its run), DNS merged per
 * (query name, type), hosts merged per (name or address, port, transport)
 * with their counts summed and the runs that contacted them, counters
 * summed, the time spanning all. No allowlist is taken over: judge the
 * union again (policy_judge). dst is finalized. false on ENOMEM.
 */
bool ea_report_union(struct ea_report *dst, const struct ea_report *const *srcs,
                     const char *const *paths, size_t n);

/*
 * The shards of ONE run (analyze -j N: each read every frame, each reported
 * its own flows; analyzer.h) into dst, as the run's report had it not been
 * split: what every shard saw (inputs, time, snaplen, frame counters) once,
 * from shards[0]; what each saw of its own flows (connections, DNS rows,
 * per-flow counters) summed; hosts merged per (name or address, port,
 * transport), then kept up to dst->max_hosts in the order the run met them,
 * the rest counted in hosts_not_listed. dst holds no capture yet (its rules,
 * if any, stay); it is finalized. false on ENOMEM.
 */
bool ea_report_merge_shards(struct ea_report *dst, struct ea_report *const *shards, size_t n);

/*
 * What changed from old to r, into r->diff (runs.c; --diff OLD.json): hosts
 * r has that old lacks (new), hosts old has that r lacks (gone), and hosts
 * in both whose outcome differs, or whose verdict does when both reports
 * were judged. Then ea_report_derive. false on ENOMEM.
 */
bool ea_report_diff(struct ea_report *r, const struct ea_report *old, const char *old_path);

/* Free what a diff holds; the diff is then absent. */
void ea_diff_clear(struct ea_diff *d);

/* Forget the allowlist and everything judged by it (rules, their lists,
 * near misses, verdicts, remedies; has_policy false), keeping the capture's
 * side, so that a report read back can be judged against other rules. */
void ea_report_drop_policy(struct ea_report *r);

/* Printed names, one table each; unknown values give NULL (print as numbers). */
const char *ea_outcome_name(enum ea_outcome o);
const char *ea_name_source_name(enum ea_name_source s);
const char *ea_transport_name(enum ea_transport t);
const char *ea_counter_name(enum ea_counter c);
/* Flag names for output ("tls", "no-sni", "ech", ...), one per set bit. */
const char *ea_conn_flag_name(uint32_t single_bit);
/* "TLS 1.3", "TLS 1.2", ... for a protocol version number; NULL if unknown. */
const char *ea_tls_version_name(uint16_t version);
const char *ea_verdict_name(enum ea_verdict v); /* "allowed", ..., "infrastructure?" */
const char *
ea_rule_kind_name(enum ea_rule_kind k); /* "fqdn", "cidr", "service_tag", "private_endpoint" */
const char *ea_near_kind_name(enum ea_near_kind k); /* "apex", "subdomain", "inactive" */
/* "allowed-but-refused", "denied-but-reached" */
const char *ea_finding_kind_name(enum ea_finding_kind k);
const char *ea_change_kind_name(enum ea_change_kind k); /* "new", "gone", "changed" */
const char *ea_outcome_why_text(enum ea_outcome_why w); /* NULL for EA_OW_NONE */
const char *ea_verdict_why_text(enum ea_verdict_why w); /* NULL for EA_VW_NONE */
const char *ea_fqdn_form_name(enum ea_fqdn_form f);     /* "exact", "subdomains", ... */
const char *ea_dns_type_name(unsigned type);            /* "A", "AAAA", ...; NULL if unknown */
const char *ea_dns_rcode_name(int rcode);               /* "NOERROR", ...; NULL if unknown */
const char *ea_tunnel_name(enum ea_tunnel t);           /* "vxlan", ...; NULL for none */

/* The reverse lookups, for reading a report back: exact names only;
 * false when the text names nothing (*out untouched). */
bool ea_outcome_parse(const char *s, size_t len, enum ea_outcome *out);
bool ea_name_source_parse(const char *s, size_t len, enum ea_name_source *out);
bool ea_transport_parse(const char *s, size_t len, enum ea_transport *out);
bool ea_counter_parse(const char *s, size_t len, enum ea_counter *out);
bool ea_conn_flag_parse(const char *s, size_t len, uint32_t *out_bit);
bool ea_tls_version_parse(const char *s, size_t len, uint16_t *out);
bool ea_verdict_parse(const char *s, size_t len, enum ea_verdict *out);
bool ea_rule_kind_parse(const char *s, size_t len, enum ea_rule_kind *out);
bool ea_near_kind_parse(const char *s, size_t len, enum ea_near_kind *out);
bool ea_finding_kind_parse(const char *s, size_t len, enum ea_finding_kind *out);
bool ea_change_kind_parse(const char *s, size_t len, enum ea_change_kind *out);
bool ea_outcome_why_parse(const char *s, size_t len, enum ea_outcome_why *out);
bool ea_verdict_why_parse(const char *s, size_t len, enum ea_verdict_why *out);
bool ea_fqdn_form_parse(const char *s, size_t len, enum ea_fqdn_form *out);
bool ea_dns_type_parse(const char *s, size_t len, uint16_t *out);
bool ea_dns_rcode_parse(const char *s, size_t len, int *out);
bool ea_tunnel_parse(const char *s, size_t len, enum ea_tunnel *out);

#endif
