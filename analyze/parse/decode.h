/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One frame, decoded down to its transport header: link layer (Ethernet
 * with 802.1Q/QinQ, PPPoE and MPLS; Linux cooked v1/v2; BSD NULL/LOOP; raw
 * IP), IPv4 or IPv6 (extension headers), then TCP or UDP; tunnels
 * (VXLAN, Geneve, GRE incl. PPTP and ERSPAN, GTP-U, Teredo, IP-in-IP) are
 * peeled in a bounded loop. Views only: the
 * result points into the frame. Checksums are never checked (offload).
 */
#ifndef EA_DECODE_H
#define EA_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Link types we decode; the packet source maps libpcap's DLT_* to these. */
enum link_kind {
    LINK_ETHERNET = 1,
    LINK_SLL,          /* DLT_LINUX_SLL, 113 */
    LINK_SLL2,         /* DLT_LINUX_SLL2, 276: tcpdump -i any */
    LINK_NULL,         /* DLT_NULL, 0: address family in the capturing host's byte order */
    LINK_LOOP,         /* DLT_LOOP, 108: address family in network byte order */
    LINK_RAW,          /* DLT_RAW: IPv4 or IPv6 by the version nibble */
    LINK_IPV4,         /* DLT_IPV4, 228 */
    LINK_IPV6,         /* DLT_IPV6, 229 */
    LINK_ARCNET_LINUX, /* DLT_ARCNET_LINUX, 129 */
    LINK_PPP,          /* DLT_PPP 9, DLT_PPP_SERIAL 50: optional HDLC address/control */
    LINK_PPP_ETHER,    /* DLT_PPP_ETHER, 51: a PPPoE session header, then PPP */
    LINK_FDDI,         /* DLT_FDDI, 10: frame control, addresses, LLC/SNAP */
    LINK_C_HDLC,       /* DLT_C_HDLC, 104: Cisco HDLC (address, control, ethertype) */
    LINK_IEEE80211,    /* DLT_IEEE802_11, 105: 802.11 frames */
    LINK_RADIOTAP,     /* DLT_IEEE802_11_RADIO, 127: radiotap, then 802.11 */
    LINK_NFLOG,        /* DLT_NFLOG, 239: tcpdump -i nflog */
    LINK_PPI,          /* DLT_PPI, 192: per-packet information, then another link type */
    LINK_PFLOG,        /* DLT_PFLOG, 117: OpenBSD pf logs */
};

/* The link kind of libpcap's DLT_* number (as pcap_datalink() returns it on
 * this system, and the LINKTYPE_* numbers that files carry); false for a link
 * type the decoder does not read. *out is written only when true. */
bool decode_link_of_dlt(int dlt, enum link_kind *out);

/* Tunnels the decoder peels (the numbers match enum ea_tunnel). */
enum decode_tunnel {
    TUNNEL_NONE = 0,
    TUNNEL_VXLAN,
    TUNNEL_GENEVE,
    TUNNEL_GRE,
    TUNNEL_ERSPAN,
    TUNNEL_GTPU,
    TUNNEL_IPIP,
    TUNNEL_TEREDO,
    TUNNEL_CAPWAP,
};

enum decode_result {
    DECODE_OK = 0,    /* TCP or UDP header decoded (payload may be cut) */
    DECODE_NOT_IP,    /* a link-layer frame that carries no IP */
    DECODE_OTHER,     /* IP, but neither TCP nor UDP (ICMP, ESP, ...) */
    DECODE_FRAGMENT,  /* an IP fragment: the transport header may be absent */
    DECODE_TRUNCATED, /* the capture cut a header */
    DECODE_MALFORMED, /* a header that cannot be valid */
};

enum decode_layer {
    LAYER_LINK = 0,
    LAYER_IP,
    LAYER_TCP,
    LAYER_UDP,
};

struct pkt {
    enum decode_layer layer; /* where a non-OK result was decided */
    uint8_t encap;           /* tunnels peeled (VXLAN, Geneve, GRE, GTP-U, Teredo, IP-in-IP) */
    uint8_t tunnel;          /* enum decode_tunnel of the outermost tunnel peeled */
    struct ea_addr outer_src, outer_dst; /* the outermost IP addresses, when encap > 0 */
    uint8_t ipver;                       /* 4 or 6 */
    struct ea_addr src, dst;
    const uint8_t *ip; /* the IP header */
    size_t ip_caplen;  /* captured bytes from the IP header, trimmed to its length */
    size_t ip_len;     /* the IP datagram's length as its header says */
    uint8_t proto;     /* transport protocol (after IPv6 extension headers) */
    bool fragment;     /* IPv4 MF/offset or an IPv6 fragment header */
    /* IPv6 fragments (RFC 8200 §4.5): payload/payload_len then hold the
     * fragment's data (after the Fragment header) */
    uint32_t frag_id;
    uint16_t frag_off; /* in bytes */
    bool frag_more;
    uint8_t frag_next; /* Next Header of the fragmentable part */
    bool bad_length;   /* UDP length past the IP payload (read to the IP end) */
    uint16_t sport, dport;
    uint8_t tcp_flags;
    uint32_t seq, ack;
    const uint8_t *payload;  /* transport payload as captured */
    size_t payload_len;      /* captured payload bytes */
    size_t payload_wire_len; /* payload bytes the headers claim */
    size_t l4_len;           /* transport header + payload, as the headers claim */
};

/* IP protocol numbers (RFC 790; IANA) that the decoder stops at. */
enum {
    DECODE_PROTO_TCP = 6,
    DECODE_PROTO_UDP = 17,
};

enum {
    TCP_FIN = 0x01,
    TCP_SYN = 0x02,
    TCP_RST = 0x04,
    TCP_PSH = 0x08,
    TCP_ACK = 0x10,
};

/* Decode one captured frame of the given link kind. *out is always written;
 * its fields are valid up to the layer where decoding stopped. */
enum decode_result decode_frame(enum link_kind link, const uint8_t *frame, size_t caplen,
                                struct pkt *out);

/* Decode from an IP header (used for datagrams that IPv4 defragmentation
 * hands back). */
enum decode_result decode_ip(const uint8_t *ip, size_t caplen, struct pkt *out);

#endif
