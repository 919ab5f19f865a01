/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "decode.h"

#include <string.h>

#include "cursor.h"

enum {
    ETH_IPV4 = 0x0800,
    ETH_IPV6 = 0x86dd,
    ETH_VLAN = 0x8100, /* IEEE 802.1Q */
    ETH_QINQ = 0x88a8, /* IEEE 802.1ad */
    ETH_QINQ_OLD = 0x9100,
    ETH_MPLS = 0x8847,
    ETH_MPLS_MC = 0x8848,
    ETH_PPPOE_SESSION = 0x8864,
    ETH_PBB = 0x88e7, /* IEEE 802.1ah provider backbone bridging */
    PPP_IPV4 = 0x0021,
    PPP_IPV6 = 0x0057,
    MAX_VLAN_TAGS = 8,
    MAX_MPLS_LABELS = 16,
    MAX_IPV6_EXT = 16,
};

static enum decode_result stop(struct pkt *out, enum decode_layer layer, enum decode_result r)
{
    out->layer = layer;
    return r;
}

/* RFC 9293 §3.1 */
static enum decode_result decode_tcp(struct cur *c, size_t l4_len, struct pkt *out)
{
    struct cur save = *c;
    uint8_t off_byte, flags;
    out->layer = LAYER_TCP;
    /* A segment the IP header makes shorter than a TCP header is malformed,
     * whatever the capture holds: c ends where the IP datagram does, so the
     * reads below would call it truncated. */
    if (l4_len < 20)
        return stop(out, LAYER_TCP, DECODE_MALFORMED);
    if (!cur_be16(c, &out->sport) || !cur_be16(c, &out->dport) || !cur_be32(c, &out->seq) ||
        !cur_be32(c, &out->ack) || !cur_u8(c, &off_byte) || !cur_u8(c, &flags))
        return stop(out, LAYER_TCP, DECODE_TRUNCATED);
    size_t hlen = (size_t)(off_byte >> 4) * 4;
    if (hlen < 20 || hlen > l4_len)
        return stop(out, LAYER_TCP, DECODE_MALFORMED);
    out->tcp_flags = flags;
    *c = save;
    if (!cur_skip(c, hlen))
        return stop(out, LAYER_TCP, DECODE_TRUNCATED);
    out->payload = c->p;
    out->payload_wire_len = l4_len - hlen;
    out->payload_len = c->left < out->payload_wire_len ? c->left : out->payload_wire_len;
    return DECODE_OK;
}

/* RFC 768 */
static enum decode_result decode_udp(struct cur *c, size_t l4_len, struct pkt *out)
{
    uint16_t ulen;
    out->layer = LAYER_UDP;
    /* An IP payload too short for the UDP header is malformed, whatever the
     * capture holds (c ends where the IP datagram does). */
    if (l4_len < 8)
        return stop(out, LAYER_UDP, DECODE_MALFORMED);
    if (!cur_be16(c, &out->sport) || !cur_be16(c, &out->dport) || !cur_be16(c, &ulen) ||
        !cur_skip(c, 2))
        return stop(out, LAYER_UDP, DECODE_TRUNCATED);
    /* A length below 8 is malformed (zero is legal only in IPv6 jumbograms,
     * which we do not take). A length past the IP payload is counted as
     * malformed but the datagram is read up to the IP payload's end, as
     * tshark does: the names in it are still what the client sent. */
    if (ulen < 8)
        return stop(out, LAYER_UDP, DECODE_MALFORMED);
    if (ulen > l4_len) {
        out->bad_length = true;
        ulen = (uint16_t)l4_len;
    }
    out->payload = c->p;
    out->payload_wire_len = (size_t)ulen - 8;
    out->payload_len = c->left < out->payload_wire_len ? c->left : out->payload_wire_len;
    return DECODE_OK;
}

static enum decode_result decode_transport(struct cur *c, size_t l4_len, struct pkt *out)
{
    out->l4_len = l4_len;
    if (out->fragment) {
        out->payload = c->p;
        out->payload_wire_len = l4_len;
        out->payload_len = c->left < l4_len ? c->left : l4_len;
        return stop(out, LAYER_IP, DECODE_FRAGMENT);
    }
    switch (out->proto) {
    case DECODE_PROTO_TCP:
        return decode_tcp(c, l4_len, out);
    case DECODE_PROTO_UDP:
        return decode_udp(c, l4_len, out);
    default:
        /* Keep the bytes: GRE and IP-in-IP may carry a tunnel. */
        out->payload = c->p;
        out->payload_wire_len = l4_len;
        out->payload_len = c->left < l4_len ? c->left : l4_len;
        return stop(out, LAYER_IP, DECODE_OTHER);
    }
}

/* RFC 791 §3.1 */
static enum decode_result decode_ipv4(struct cur *c, struct pkt *out)
{
    struct cur hdr = *c;
    uint8_t vihl, tos, ttl, proto;
    uint16_t total, id, frag, csum;
    const uint8_t *src, *dst;
    out->layer = LAYER_IP;
    out->ipver = 4;
    out->ip = c->p;
    if (!cur_u8(c, &vihl) || !cur_u8(c, &tos) || !cur_be16(c, &total) || !cur_be16(c, &id) ||
        !cur_be16(c, &frag) || !cur_u8(c, &ttl) || !cur_u8(c, &proto) || !cur_be16(c, &csum) ||
        !cur_bytes(c, 4, &src) || !cur_bytes(c, 4, &dst))
        return stop(out, LAYER_IP, DECODE_TRUNCATED);
    size_t hlen = (size_t)(vihl & 0x0f) * 4;
    if ((vihl >> 4) != 4 || hlen < 20 || total < hlen)
        return stop(out, LAYER_IP, DECODE_MALFORMED);
    out->src.family = 4;
    memcpy(out->src.b, src, 4);
    out->dst.family = 4;
    memcpy(out->dst.b, dst, 4);
    out->proto = proto;
    out->ip_len = total;
    out->fragment = (frag & 0x3fff) != 0; /* MF or a fragment offset */
    /* Trim link padding; keep what the capture has if it is shorter. */
    out->ip_caplen = hdr.left < total ? hdr.left : total;
    struct cur ip;
    cur_init(&ip, hdr.p, out->ip_caplen);
    if (!cur_skip(&ip, hlen))
        return stop(out, LAYER_IP, DECODE_TRUNCATED);
    return decode_transport(&ip, total - hlen, out);
}

static bool ipv6_is_ext(uint8_t nh)
{
    /* RFC 8200 §4: hop-by-hop, routing, fragment, destination options;
     * RFC 4302 AH; RFC 7401 HIP, RFC 5533 shim6 use the same layout. */
    return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51 || nh == 139 || nh == 140;
}

/* RFC 8200 §3, §4 */
static enum decode_result decode_ipv6(struct cur *c, struct pkt *out)
{
    struct cur hdr = *c;
    uint32_t vtcfl;
    uint16_t plen;
    uint8_t nh, hops;
    const uint8_t *src, *dst;
    out->layer = LAYER_IP;
    out->ipver = 6;
    out->ip = c->p;
    if (!cur_be32(c, &vtcfl) || !cur_be16(c, &plen) || !cur_u8(c, &nh) || !cur_u8(c, &hops) ||
        !cur_bytes(c, 16, &src) || !cur_bytes(c, 16, &dst))
        return stop(out, LAYER_IP, DECODE_TRUNCATED);
    if ((vtcfl >> 28) != 6)
        return stop(out, LAYER_IP, DECODE_MALFORMED);
    out->src.family = 6;
    memcpy(out->src.b, src, 16);
    out->dst.family = 6;
    memcpy(out->dst.b, dst, 16);
    out->ip_len = 40 + (size_t)plen;
    out->ip_caplen = hdr.left < out->ip_len ? hdr.left : out->ip_len;
    struct cur ip;
    cur_init(&ip, hdr.p, out->ip_caplen);
    cur_skip(&ip, 40);
    size_t left = plen; /* payload bytes the header claims, less extensions */
    for (int i = 0; ipv6_is_ext(nh); i++) {
        uint8_t next, len8;
        if (i == MAX_IPV6_EXT)
            return stop(out, LAYER_IP, DECODE_MALFORMED);
        struct cur ext = ip;
        if (!cur_u8(&ext, &next) || !cur_u8(&ext, &len8))
            return stop(out, LAYER_IP, DECODE_TRUNCATED);
        size_t elen;
        if (nh == 44) {
            /* RFC 8200 §4.5: fixed 8 bytes; offset and M flag */
            uint16_t offm;
            uint32_t id;
            if (!cur_be16(&ext, &offm) || !cur_be32(&ext, &id))
                return stop(out, LAYER_IP, DECODE_TRUNCATED);
            /* An atomic fragment (offset 0, M clear: RFC 6946) is a whole datagram. */
            if ((offm & 0xfff9) != 0) {
                out->fragment = true;
                out->frag_id = id;
                out->frag_off = (uint16_t)(offm & 0xfff8);
                out->frag_more = (offm & 1) != 0;
                out->frag_next = next;
            }
            elen = 8;
        } else if (nh == 51) {
            elen = ((size_t)len8 + 2) * 4; /* RFC 4302 §2.2 */
        } else {
            elen = ((size_t)len8 + 1) * 8;
        }
        if (elen > left)
            return stop(out, LAYER_IP, DECODE_MALFORMED);
        if (!cur_skip(&ip, elen))
            return stop(out, LAYER_IP, DECODE_TRUNCATED);
        left -= elen;
        nh = next;
        if (out->fragment)
            break;
    }
    out->proto = nh;
    return decode_transport(&ip, left, out);
}

static enum decode_result decode_ip_by_version(struct cur *c, struct pkt *out)
{
    uint8_t v;
    if (!cur_peek_u8(c, &v))
        return stop(out, LAYER_IP, DECODE_TRUNCATED);
    switch (v >> 4) {
    case 4:
        return decode_ipv4(c, out);
    case 6:
        return decode_ipv6(c, out);
    default:
        return stop(out, LAYER_IP, DECODE_MALFORMED);
    }
}

/* RFC 3032 §2.1: pop labels to the bottom of the stack, then guess IP by
 * its version nibble (no pseudowire control word support). */
static enum decode_result decode_mpls(struct cur *c, struct pkt *out)
{
    for (int i = 0; i < MAX_MPLS_LABELS; i++) {
        uint32_t label;
        if (!cur_be32(c, &label))
            return stop(out, LAYER_LINK, DECODE_TRUNCATED);
        if (label & 0x100)
            return decode_ip_by_version(c, out);
    }
    return stop(out, LAYER_LINK, DECODE_MALFORMED);
}

/* IEEE 802.2 LLC with a SNAP header (RFC 1042): AA AA 03, OUI 00 00 00 (or
 * 00 00 F8, bridge tunnel); *type is the ethertype after it. */
static enum decode_result llc_snap_type(struct cur *c, uint16_t *type, struct pkt *out)
{
    const uint8_t *h;
    if (!cur_bytes(c, 6, &h) || !cur_be16(c, type))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    if (h[0] != 0xaa || h[1] != 0xaa || h[2] != 0x03 || h[3] != 0 || h[4] != 0 ||
        (h[5] != 0 && h[5] != 0xf8))
        return stop(out, LAYER_LINK, DECODE_NOT_IP);
    return DECODE_OK;
}

static enum decode_result decode_ethertype(struct cur *c, uint16_t type, struct pkt *out)
{
    for (int tags = 0;; tags++) {
        if (tags > MAX_VLAN_TAGS)
            return stop(out, LAYER_LINK, DECODE_MALFORMED);
        switch (type) {
        case ETH_IPV4:
            return decode_ipv4(c, out);
        case ETH_IPV6:
            return decode_ipv6(c, out);
        case ETH_VLAN:
        case ETH_QINQ:
        case ETH_QINQ_OLD:
            if (tags == MAX_VLAN_TAGS)
                return stop(out, LAYER_LINK, DECODE_MALFORMED);
            if (!cur_skip(c, 2) || !cur_be16(c, &type))
                return stop(out, LAYER_LINK, DECODE_TRUNCATED);
            continue;
        case ETH_MPLS:
        case ETH_MPLS_MC:
            return decode_mpls(c, out);
        case ETH_PPPOE_SESSION: {
            /* RFC 2516 §4: ver/type, code, session id, length; then PPP protocol */
            uint16_t ppp;
            if (!cur_skip(c, 6) || !cur_be16(c, &ppp))
                return stop(out, LAYER_LINK, DECODE_TRUNCATED);
            if (ppp == PPP_IPV4)
                return decode_ipv4(c, out);
            if (ppp == PPP_IPV6)
                return decode_ipv6(c, out);
            return stop(out, LAYER_LINK, DECODE_NOT_IP);
        }
        case ETH_PBB: {
            /* IEEE 802.1ah: I-TAG, then the customer's addresses and type */
            if (!cur_skip(c, 4 + 12) || !cur_be16(c, &type))
                return stop(out, LAYER_LINK, DECODE_TRUNCATED);
            continue;
        }
        default: {
            /* IEEE 802.3: a length, not a type; IP then comes in LLC/SNAP */
            if (type > 1500 || cur_left(c) < 8)
                return stop(out, LAYER_LINK, DECODE_NOT_IP);
            enum decode_result r = llc_snap_type(c, &type, out);
            if (r != DECODE_OK)
                return r;
            if (type <= 1500)
                return stop(out, LAYER_LINK, DECODE_NOT_IP);
            continue;
        }
        }
    }
}

static enum decode_result decode_null(struct cur *c, bool network_order, struct pkt *out)
{
    const uint8_t *fam;
    if (!cur_bytes(c, 4, &fam))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    uint32_t be = (uint32_t)fam[0] << 24 | (uint32_t)fam[1] << 16 | (uint32_t)fam[2] << 8 | fam[3];
    uint32_t le = (uint32_t)fam[3] << 24 | (uint32_t)fam[2] << 16 | (uint32_t)fam[1] << 8 | fam[0];
    /* The capturing host's byte order is unknown for DLT_NULL: accept both.
     * AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24, 28 or 30 (BSDs). */
    uint32_t v = (network_order || be < 256) ? be : le;
    switch (v) {
    case 2:
        return decode_ipv4(c, out);
    case 10:
    case 24:
    case 28:
    case 30:
        return decode_ipv6(c, out);
    default:
        return stop(out, LAYER_LINK, DECODE_NOT_IP);
    }
}

/* Linux ARCNET: source, destination, 2-byte offset, then the RFC 1051
 * (one type byte) or RFC 1201 (type, split flag, sequence) header. */
static enum decode_result decode_arcnet_linux(struct cur *c, struct pkt *out)
{
    uint8_t type, split;
    if (!cur_skip(c, 4) || !cur_u8(c, &type))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    switch (type) {
    case 0xf0: /* RFC 1051 IP */
        return decode_ipv4(c, out);
    case 0xd4: /* RFC 1201 IP */
    case 0xc4: /* RFC 2497 IPv6 */
        if (!cur_u8(c, &split) || !cur_skip(c, 2))
            return stop(out, LAYER_LINK, DECODE_TRUNCATED);
        if (split == 0xff && !cur_skip(c, 4)) /* exception packet: the header again */
            return stop(out, LAYER_LINK, DECODE_TRUNCATED);
        if (split != 0 && split != 0xff)
            return stop(out, LAYER_LINK, DECODE_NOT_IP); /* a fragment of a split packet */
        return type == 0xc4 ? decode_ipv6(c, out) : decode_ipv4(c, out);
    default:
        return stop(out, LAYER_LINK, DECODE_NOT_IP);
    }
}

/* RFC 1661 §2 and RFC 1662 §3.1: optional address/control, 1- or 2-byte
 * protocol; IP only. */
static bool ppp_protocol_ip(struct cur *c)
{
    uint8_t b0, b1;
    if (cur_peek_u8(c, &b0) && b0 == 0xff && !cur_skip(c, 2))
        return false;
    if (!cur_u8(c, &b0))
        return false;
    uint16_t proto = b0;
    if (!(b0 & 1)) {
        if (!cur_u8(c, &b1))
            return false;
        proto = (uint16_t)(b0 << 8 | b1);
    }
    return proto == PPP_IPV4 || proto == PPP_IPV6;
}

/* LLC/SNAP then the ethertype's packet (802.11, FDDI). */
static enum decode_result decode_llc_snap(struct cur *c, struct pkt *out)
{
    uint16_t type;
    enum decode_result r = llc_snap_type(c, &type, out);
    if (r != DECODE_OK)
        return r;
    if (type <= 1500)
        return stop(out, LAYER_LINK, DECODE_NOT_IP);
    return decode_ethertype(c, type, out);
}

/* IEEE 802.11-2020 §9.2.4, §9.3.2: a data frame's MAC header (two to four
 * addresses, QoS and HT Control when present), then LLC/SNAP. Protected
 * frames are encrypted: not IP we can read. */
static enum decode_result decode_ieee80211(struct cur *c, struct pkt *out)
{
    uint8_t fc0, fc1;
    if (!cur_u8(c, &fc0) || !cur_u8(c, &fc1))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    unsigned type = (fc0 >> 2) & 3, subtype = fc0 >> 4;
    if ((fc0 & 3) != 0 || type != 2 || (subtype & 4))
        return stop(out, LAYER_LINK, DECODE_NOT_IP); /* not a data frame with a body */
    bool qos = (subtype & 8) != 0;
    size_t hlen = 2 + 6 + 6 + 6 + 2; /* duration, A1, A2, A3, sequence */
    if ((fc1 & 3) == 3)
        hlen += 6; /* ToDS and FromDS: A4 */
    if (qos)
        hlen += 2;
    if (qos && (fc1 & 0x80))
        hlen += 4; /* +HTC */
    if (fc1 & 0x40)
        return stop(out, LAYER_LINK, DECODE_NOT_IP); /* protected */
    struct cur qc = *c;
    if (!cur_skip(c, hlen))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    if (qos) {
        uint8_t qos0 = 0;
        cur_skip(&qc, hlen - 2 - ((fc1 & 0x80) ? 4 : 0));
        cur_u8(&qc, &qos0);
        if (qos0 & 0x80)
            return stop(out, LAYER_LINK, DECODE_NOT_IP); /* A-MSDU: not read */
    }
    return decode_llc_snap(c, out);
}

/* radiotap (radiotap.org): version 0, pad, little-endian length of the
 * whole header; then the 802.11 frame. */
static enum decode_result decode_radiotap(struct cur *c, struct pkt *out)
{
    uint8_t ver, pad, l0, l1;
    if (!cur_u8(c, &ver) || !cur_u8(c, &pad) || !cur_u8(c, &l0) || !cur_u8(c, &l1))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    size_t len = (size_t)l0 | (size_t)l1 << 8;
    if (ver != 0 || len < 8)
        return stop(out, LAYER_LINK, DECODE_MALFORMED);
    if (!cur_skip(c, len - 4))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    return decode_ieee80211(c, out);
}

/* FDDI (ANSI X3.139): frame control, destination, source, then LLC/SNAP.
 * Some systems' libpcap put 3 bytes of padding first. */
static enum decode_result decode_fddi(struct cur *c, struct pkt *out)
{
    struct cur look = *c;
    uint8_t b = 0;
    if (cur_skip(&look, 13) && cur_peek_u8(&look, &b) && b == 0xaa) {
        cur_skip(c, 13);
        return decode_llc_snap(c, out);
    }
    if (!cur_skip(c, 16))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    return decode_llc_snap(c, out);
}

/* Linux NFLOG (libpcap's pcap/nflog.h): family, version, resource id; then
 * TLVs with little-endian length and type, each padded to 4 bytes; type 9
 * (NFULA_PAYLOAD) is the packet from its network header on. */
static enum decode_result decode_nflog(struct cur *c, struct pkt *out)
{
    uint8_t family, version;
    if (!cur_u8(c, &family) || !cur_u8(c, &version) || !cur_skip(c, 2))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    if (version != 0)
        return stop(out, LAYER_LINK, DECODE_MALFORMED);
    while (!cur_empty(c)) {
        uint8_t l0, l1, t0, t1;
        if (!cur_u8(c, &l0) || !cur_u8(c, &l1) || !cur_u8(c, &t0) || !cur_u8(c, &t1))
            return stop(out, LAYER_LINK, DECODE_TRUNCATED);
        size_t len = (size_t)l0 | (size_t)l1 << 8;
        unsigned type = (unsigned)t0 | (unsigned)t1 << 8;
        if (len < 4)
            return stop(out, LAYER_LINK, DECODE_MALFORMED);
        if (type == 9) {
            struct cur body;
            if (!cur_sub(c, len - 4, &body))
                cur_sub(c, cur_left(c), &body); /* cut by the snaplen: what is there */
            return decode_ip_by_version(&body, out);
        }
        size_t padded = (len + 3) & ~(size_t)3;
        if (!cur_skip(c, padded - 4))
            return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    }
    return stop(out, LAYER_LINK, DECODE_NOT_IP);
}

/* DLT_* values from libpcap's pcap/dlt.h, where they are the same on every
 * system, and the ones that differ: DLT_RAW is 12 on most systems, 14 on
 * OpenBSD, and files say LINKTYPE_RAW (101); DLT_LOOP is 108 (12 on
 * OpenBSD, where it is DLT_RAW's value elsewhere: read as raw). */
static const struct {
    int dlt;
    enum link_kind kind;
} dlt_map[] = {
    {0, LINK_NULL},           /* DLT_NULL */
    {1, LINK_ETHERNET},       /* DLT_EN10MB */
    {9, LINK_PPP},            /* DLT_PPP */
    {10, LINK_FDDI},          /* DLT_FDDI */
    {50, LINK_PPP},           /* DLT_PPP_SERIAL */
    {51, LINK_PPP_ETHER},     /* DLT_PPP_ETHER */
    {104, LINK_C_HDLC},       /* DLT_C_HDLC */
    {105, LINK_IEEE80211},    /* DLT_IEEE802_11 */
    {127, LINK_RADIOTAP},     /* DLT_IEEE802_11_RADIO */
    {239, LINK_NFLOG},        /* DLT_NFLOG */
    {192, LINK_PPI},          /* DLT_PPI */
    {117, LINK_PFLOG},        /* DLT_PFLOG */
    {12, LINK_RAW},           /* DLT_RAW (Linux, most systems) */
    {14, LINK_RAW},           /* DLT_RAW (OpenBSD) */
    {101, LINK_RAW},          /* LINKTYPE_RAW */
    {108, LINK_LOOP},         /* DLT_LOOP */
    {113, LINK_SLL},          /* DLT_LINUX_SLL */
    {129, LINK_ARCNET_LINUX}, /* DLT_ARCNET_LINUX */
    {228, LINK_IPV4},         /* DLT_IPV4 */
    {229, LINK_IPV6},         /* DLT_IPV6 */
    {276, LINK_SLL2},         /* DLT_LINUX_SLL2 */
};

bool decode_link_of_dlt(int dlt, enum link_kind *out)
{
    for (size_t i = 0; i < sizeof(dlt_map) / sizeof(dlt_map[0]); i++) {
        if (dlt_map[i].dlt == dlt) {
            *out = dlt_map[i].kind;
            return true;
        }
    }
    return false;
}

static enum decode_result decode_one(enum link_kind link, const uint8_t *frame, size_t caplen,
                                     struct pkt *out);

/* PPI (the Per-Packet Information header of CACE/Riverbed): version 0,
 * flags, little-endian header length and DLT; then a frame of that link
 * type (never PPI again). */
static enum decode_result decode_ppi(struct cur *c, struct pkt *out)
{
    uint8_t ver, flags, l0, l1;
    uint32_t dlt_le;
    if (!cur_u8(c, &ver) || !cur_u8(c, &flags) || !cur_u8(c, &l0) || !cur_u8(c, &l1) ||
        !cur_be32(c, &dlt_le))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    size_t len = (size_t)l0 | (size_t)l1 << 8;
    uint32_t dlt =
        (dlt_le >> 24) | ((dlt_le >> 8) & 0xff00) | ((dlt_le << 8) & 0xff0000) | (dlt_le << 24);
    enum link_kind inner;
    if (ver != 0 || len < 8)
        return stop(out, LAYER_LINK, DECODE_MALFORMED);
    if (dlt > 0x7fffffff || !decode_link_of_dlt((int)dlt, &inner) || inner == LINK_PPI)
        return stop(out, LAYER_LINK, DECODE_NOT_IP);
    if (!cur_skip(c, len - 8))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    return decode_one(inner, c->p, cur_left(c), out);
}

/* OpenBSD pflog (net/if_pflog.h): the header's own length in its first
 * byte, padded to 4 bytes, then the IP packet. */
static enum decode_result decode_pflog(struct cur *c, struct pkt *out)
{
    uint8_t len;
    if (!cur_peek_u8(c, &len))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    if (len < 4)
        return stop(out, LAYER_LINK, DECODE_MALFORMED);
    if (!cur_skip(c, ((size_t)len + 3) & ~(size_t)3))
        return stop(out, LAYER_LINK, DECODE_TRUNCATED);
    return decode_ip_by_version(c, out);
}

static enum decode_result decode_one(enum link_kind link, const uint8_t *frame, size_t caplen,
                                     struct pkt *out)
{
    struct cur c;
    uint16_t type;
    memset(out, 0, sizeof(*out));
    out->layer = LAYER_LINK;
    cur_init(&c, frame, caplen);
    switch (link) {
    case LINK_ETHERNET:
        /* IEEE 802.3: destination, source, type/length */
        if (!cur_skip(&c, 12) || !cur_be16(&c, &type))
            return stop(out, LAYER_LINK, DECODE_TRUNCATED);
        return decode_ethertype(&c, type, out);
    case LINK_SLL:
        /* packet type, ARPHRD type, address length, 8 address bytes, protocol */
        if (!cur_skip(&c, 14) || !cur_be16(&c, &type))
            return stop(out, LAYER_LINK, DECODE_TRUNCATED);
        return decode_ethertype(&c, type, out);
    case LINK_SLL2:
        /* protocol, reserved, interface index, ARPHRD, packet type, address length, address */
        if (!cur_be16(&c, &type) || !cur_skip(&c, 18))
            return stop(out, LAYER_LINK, DECODE_TRUNCATED);
        return decode_ethertype(&c, type, out);
    case LINK_NULL:
        return decode_null(&c, false, out);
    case LINK_LOOP:
        return decode_null(&c, true, out);
    case LINK_RAW:
        return decode_ip_by_version(&c, out);
    case LINK_IPV4:
    case LINK_IPV6:
        /* The link type names a version, but some writers put the other
         * one in too: the version nibble decides. */
        return decode_ip_by_version(&c, out);
    case LINK_ARCNET_LINUX:
        return decode_arcnet_linux(&c, out);
    case LINK_PPP:
        if (!ppp_protocol_ip(&c))
            return stop(out, LAYER_LINK, cur_empty(&c) ? DECODE_TRUNCATED : DECODE_NOT_IP);
        return decode_ip_by_version(&c, out);
    case LINK_PPP_ETHER:
        /* RFC 2516 §4: ver/type, code, session id, length; then PPP */
        if (!cur_skip(&c, 6))
            return stop(out, LAYER_LINK, DECODE_TRUNCATED);
        if (!ppp_protocol_ip(&c))
            return stop(out, LAYER_LINK, DECODE_NOT_IP);
        return decode_ip_by_version(&c, out);
    case LINK_FDDI:
        return decode_fddi(&c, out);
    case LINK_C_HDLC:
        /* Cisco HDLC: address, control, then an ethertype */
        if (!cur_skip(&c, 2) || !cur_be16(&c, &type))
            return stop(out, LAYER_LINK, DECODE_TRUNCATED);
        return decode_ethertype(&c, type, out);
    case LINK_IEEE80211:
        return decode_ieee80211(&c, out);
    case LINK_RADIOTAP:
        return decode_radiotap(&c, out);
    case LINK_NFLOG:
        return decode_nflog(&c, out);
    case LINK_PPI:
        return decode_ppi(&c, out);
    case LINK_PFLOG:
        return decode_pflog(&c, out);
    }
    return stop(out, LAYER_LINK, DECODE_MALFORMED);
}

/* ---- tunnels: the inner packet is what the deployment sent ---- */

enum {
    UDP_VXLAN = 4789,       /* RFC 7348 */
    UDP_GENEVE = 6081,      /* RFC 8926 */
    UDP_GTP_U = 2152,       /* 3GPP TS 29.281 */
    UDP_TEREDO = 3544,      /* RFC 4380 */
    UDP_CAPWAP_DATA = 5247, /* RFC 5415 */
    IPPROTO_IPIP_ = 4,
    IPPROTO_IPV6_ = 41,
    IPPROTO_GRE_ = 47,
    ETH_TEB = 0x6558, /* transparent Ethernet bridging */
    ETH_PPP = 0x880b,
    ETH_ERSPAN_2 = 0x88be,
    ETH_ERSPAN_3 = 0x22eb,
    MAX_ENCAP = 4,
};

static bool inner_by_type(uint16_t type, enum link_kind *kind)
{
    switch (type) {
    case ETH_IPV4:
    case ETH_IPV6:
        *kind = LINK_RAW;
        return true;
    case ETH_TEB:
        *kind = LINK_ETHERNET;
        return true;
    default:
        return false;
    }
}

static bool ppp_inner(struct cur *c, enum link_kind *kind)
{
    if (!ppp_protocol_ip(c))
        return false;
    *kind = LINK_RAW;
    return true;
}

/* RFC 2784, RFC 2890; version 1 is PPTP's enhanced GRE (RFC 2637 §4.1). */
static bool gre_inner(struct cur *c, enum link_kind *kind, uint8_t *tun)
{
    uint16_t fv, type;
    if (!cur_be16(c, &fv) || !cur_be16(c, &type))
        return false;
    unsigned ver = fv & 7;
    if (ver > 1)
        return false;
    if ((fv & 0x8000) && !cur_skip(c, 4)) /* checksum + reserved */
        return false;
    if ((fv & 0x2000) && !cur_skip(c, 4)) /* key (v1: payload length + call id) */
        return false;
    if ((fv & 0x1000) && !cur_skip(c, 4)) /* sequence number */
        return false;
    if (ver == 1) {
        if ((fv & 0x0080) && !cur_skip(c, 4)) /* acknowledgment number */
            return false;
        return type == ETH_PPP && ppp_inner(c, kind);
    }
    if (type == ETH_ERSPAN_2) {
        /* ERSPAN type I has no header of its own; type II has 8 bytes and a sequence number */
        if ((fv & 0x1000) && !cur_skip(c, 8))
            return false;
        *tun = TUNNEL_ERSPAN;
        *kind = LINK_ETHERNET;
        return true;
    }
    if (type == ETH_ERSPAN_3) {
        uint8_t b[12];
        const uint8_t *h;
        if (!cur_bytes(c, 12, &h))
            return false;
        memcpy(b, h, sizeof(b));
        if ((b[11] & 1) && !cur_skip(c, 8)) /* O flag: platform-specific subheader */
            return false;
        *tun = TUNNEL_ERSPAN;
        *kind = LINK_ETHERNET;
        return true;
    }
    if (type == ETH_PPP)
        return ppp_inner(c, kind);
    /* Aruba's GRE from access points to controllers carries 802.11 frames
     * (protocol types 0x8200..0x83f0 by 0x10, 0x8400..0x9000 by 0x100). */
    if ((type >= 0x8200 && type <= 0x83f0 && (type & 0x0f) == 0) ||
        (type >= 0x8400 && type <= 0x9000 && (type & 0xff) == 0)) {
        *kind = LINK_IEEE80211;
        return true;
    }
    return inner_by_type(type, kind);
}

/* RFC 5415 §4.3: the CAPWAP data channel. A preamble of type 0 (type 1 is
 * DTLS: encrypted), HLEN in 4-byte words, the wireless binding, T (native
 * frame: 802.11 for WBID 1; else an 802.3 frame), F (a fragment: not read). */
static bool capwap_inner(struct cur *c, enum link_kind *kind)
{
    uint32_t w;
    struct cur start = *c;
    if (!cur_be32(c, &w))
        return false;
    if ((w >> 24) != 0)
        return false;
    size_t hlen = (size_t)((w >> 19) & 0x1f) * 4;
    unsigned wbid = (w >> 9) & 0x1f;
    bool native = (w >> 8) & 1, frag = (w >> 7) & 1;
    if (hlen < 8 || frag)
        return false;
    *c = start;
    if (!cur_skip(c, hlen))
        return false;
    if (native) {
        if (wbid != 1)
            return false;
        *kind = LINK_IEEE80211;
        return true;
    }
    *kind = LINK_ETHERNET;
    return true;
}

/* 3GPP TS 29.281 §5.1: a G-PDU carries an IP packet. */
static bool gtpu_inner(struct cur *c, enum link_kind *kind)
{
    uint8_t flags, type, next;
    if (!cur_u8(c, &flags) || !cur_u8(c, &type) || !cur_skip(c, 6))
        return false;
    if ((flags >> 5) != 1 || type != 0xff)
        return false;
    if (flags & 0x07) {
        if (!cur_skip(c, 3) || !cur_u8(c, &next)) /* sequence, N-PDU, next extension type */
            return false;
        for (int i = 0; next != 0; i++) {
            uint8_t len4;
            if (i == 16 || !cur_u8(c, &len4) || len4 == 0)
                return false;
            /* length counts 4-byte units including this byte and the next-type byte */
            if (!cur_skip(c, (size_t)len4 * 4 - 2) || !cur_u8(c, &next))
                return false;
        }
    }
    *kind = LINK_RAW;
    return true;
}

/* RFC 8926 §3.4 */
static bool geneve_inner(struct cur *c, enum link_kind *kind)
{
    uint8_t vo, flags;
    uint16_t type;
    if (!cur_u8(c, &vo) || !cur_u8(c, &flags) || !cur_be16(c, &type) || !cur_skip(c, 4))
        return false;
    if ((vo >> 6) != 0 || !cur_skip(c, (size_t)(vo & 0x3f) * 4))
        return false;
    return inner_by_type(type, kind);
}

/* RFC 4380 §5.1.1: optional authentication and origin indication, then IPv6. */
static bool teredo_inner(struct cur *c, enum link_kind *kind)
{
    for (int i = 0; i < 2; i++) {
        struct cur look = *c;
        uint16_t ind;
        if (!cur_be16(&look, &ind))
            return false;
        if (ind == 0x0001) {
            uint8_t idlen, authlen;
            if (!cur_u8(&look, &idlen) || !cur_u8(&look, &authlen) ||
                !cur_skip(&look, (size_t)idlen + authlen + 9))
                return false;
            *c = look;
        } else if (ind == 0x0000) {
            if (!cur_skip(&look, 6))
                return false;
            *c = look;
        }
    }
    uint8_t v;
    if (!cur_peek_u8(c, &v) || (v >> 4) != 6)
        return false;
    *kind = LINK_RAW;
    return true;
}

static bool tunnel_inner(enum decode_result r, const struct pkt *p, struct cur *c,
                         enum link_kind *kind, uint8_t *tun)
{
    cur_init(c, p->payload, p->payload_len);
    if (r == DECODE_OTHER) {
        if (p->proto == IPPROTO_GRE_) {
            *tun = TUNNEL_GRE;
            return gre_inner(c, kind, tun);
        }
        if (p->proto == IPPROTO_IPIP_ || p->proto == IPPROTO_IPV6_) {
            *tun = TUNNEL_IPIP;
            *kind = LINK_RAW;
            return true;
        }
        return false;
    }
    if (r != DECODE_OK || p->proto != DECODE_PROTO_UDP)
        return false;
    if (p->dport == UDP_VXLAN) {
        uint8_t flags;
        *tun = TUNNEL_VXLAN;
        /* RFC 7348 §5: I flag set, 8-byte header, then an Ethernet frame */
        if (!cur_u8(c, &flags) || !(flags & 0x08) || !cur_skip(c, 7))
            return false;
        *kind = LINK_ETHERNET;
        return true;
    }
    if (p->dport == UDP_GENEVE) {
        *tun = TUNNEL_GENEVE;
        return geneve_inner(c, kind);
    }
    if (p->dport == UDP_GTP_U || p->sport == UDP_GTP_U) {
        *tun = TUNNEL_GTPU;
        return gtpu_inner(c, kind);
    }
    if (p->dport == UDP_CAPWAP_DATA || p->sport == UDP_CAPWAP_DATA) {
        *tun = TUNNEL_CAPWAP;
        return capwap_inner(c, kind);
    }
    if (p->dport == UDP_TEREDO || p->sport == UDP_TEREDO) {
        *tun = TUNNEL_TEREDO;
        return teredo_inner(c, kind);
    }
    return false;
}

enum decode_result decode_frame(enum link_kind link, const uint8_t *frame, size_t caplen,
                                struct pkt *out)
{
    enum decode_result r = decode_one(link, frame, caplen, out);
    /* Peel tunnels in a loop, bounded: never recursion on wire data. */
    for (unsigned depth = 1; depth <= MAX_ENCAP; depth++) {
        struct cur inner;
        enum link_kind kind;
        uint8_t tun = TUNNEL_NONE;
        if (!tunnel_inner(r, out, &inner, &kind, &tun))
            break;
        struct pkt outer = *out;
        r = decode_one(kind, inner.p, inner.left, out);
        if (r == DECODE_NOT_IP && kind == LINK_ETHERNET && tun != TUNNEL_NONE) {
            /* ARP, LLDP, ... bridged through the tunnel: not IP, and not the
             * outer packet's business either. */
            out->tunnel = depth == 1 ? tun : outer.tunnel;
            out->encap = (uint8_t)depth;
            break;
        }
        if (r == DECODE_NOT_IP || r == DECODE_MALFORMED) {
            /* Not a tunnel after all (a port collision): keep the outer packet. */
            *out = outer;
            r = DECODE_OK;
            if (outer.proto != DECODE_PROTO_UDP)
                r = DECODE_OTHER;
            break;
        }
        out->encap = (uint8_t)depth;
        /* The outermost tunnel and addresses are what monitoring set up. */
        out->tunnel = depth == 1 ? tun : outer.tunnel;
        out->outer_src = depth == 1 ? outer.src : outer.outer_src;
        out->outer_dst = depth == 1 ? outer.dst : outer.outer_dst;
    }
    return r;
}

enum decode_result decode_ip(const uint8_t *ip, size_t caplen, struct pkt *out)
{
    return decode_frame(LINK_RAW, ip, caplen, out);
}
