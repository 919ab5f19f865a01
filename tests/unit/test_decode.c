/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Frame decoding (analyze/parse/decode.c): one good row per link kind and
 * per tunnel, IPv6 extension headers and fragments, and beside them the
 * malformed and cut rows of each layer. Frames are written as hex; each is
 * copied flush against a PROT_NONE page (guard.h), and every prefix of
 * every good row is decoded too. Then the DLT numbers the decoder reads.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <arpa/inet.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "guard.h"

/* ---- frames as hex (spaces are for the reader) ---- */

#define MAC_DST_SRC "0200 0000 0002 0200 0000 0001"
#define ETH(type) MAC_DST_SRC type /* 14 bytes */

#define A4_CLI "0a00 0004"    /* 10.0.0.4 */
#define A4_SRV "1401 0101"    /* 20.1.1.1 */
#define A4_IN_CLI "c0a8 0102" /* 192.168.1.2: inside a tunnel */
#define A4_IN_SRV "5db8 d822" /* 93.184.216.34 */
#define A4_TUN_A "c633 6401"  /* 198.51.100.1: tunnel endpoints */
#define A4_TUN_B "c633 6402"  /* 198.51.100.2 */
#define A6_CLI "2001 0db8 0000 0000 0000 0000 0000 0001"
#define A6_SRV "2001 0db8 0000 0000 0000 0000 0000 0002"
#define A6_TUN_A "2001 0db8 ffff 0000 0000 0000 0000 0001"
#define A6_TUN_B "2001 0db8 ffff 0000 0000 0000 0000 0002"

/* RFC 791: IHL 5, DF (not a fragment), TTL 64; 20 bytes */
#define IP4(total, proto, src, dst) "4500" total "0000 4000 40" proto "0000" src dst
/* the same with the flags and fragment offset given */
#define IP4F(total, frag, proto) "4500" total "0001" frag "40" proto "0000" A4_CLI A4_SRV
/* RFC 8200: hop limit 64; 40 bytes */
#define IP6(plen, nh, src, dst) "6000 0000" plen nh "40" src dst
/* RFC 9293: 50000 -> 443, seq 1, data offset 5; 20 bytes */
#define TCP(flags) "c350 01bb 0000 0001 0000 0000 50" flags "ffff 0000 0000"
/* RFC 768; 8 bytes */
#define UDP(sport, dport, len) sport dport len "0000"
#define HELLO "6865 6c6c 6f" /* "hello" */

/* 45 bytes: IPv4, TCP PSH|ACK, "hello" */
#define V4_TCP IP4("002d", "06", A4_CLI, A4_SRV) TCP("18") HELLO
/* 65 bytes: IPv6, TCP PSH|ACK, "hello" */
#define V6_TCP IP6("0019", "06", A6_CLI, A6_SRV) TCP("18") HELLO
/* 33 bytes: IPv4, UDP 54321 -> 53, "hello" */
#define V4_UDP IP4("0021", "11", A4_CLI, A4_SRV) UDP("d431", "0035", "000d") HELLO
/* 45 bytes: what a tunnel carries */
#define V4_IN IP4("002d", "06", A4_IN_CLI, A4_IN_SRV) TCP("18") HELLO
#define V6_IN V6_TCP

#define X4(s) s s s s
#define X7(s) s s s s s s s
#define X8(s) X4(s) X4(s)
#define X15(s) X8(s) X7(s)
#define X16(s) X8(s) X8(s)

/* What a good row decodes to. */
#define TCP_HELLO                                                                                  \
    .want = DECODE_OK, .layer = LAYER_TCP, .proto = 6, .sport = 50000, .dport = 443,               \
    .flags = 0x18, .payload = "hello", .plen = 5, .wire = 5, .l4 = 25
#define OK_V4_TCP TCP_HELLO, .ipver = 4, .src = "10.0.0.4", .dst = "20.1.1.1"
#define OK_V6_TCP TCP_HELLO, .ipver = 6, .src = "2001:db8::1", .dst = "2001:db8::2"
#define OK_IN4 TCP_HELLO, .ipver = 4, .src = "192.168.1.2", .dst = "93.184.216.34"
#define OK_V4_UDP                                                                                  \
    .want = DECODE_OK, .layer = LAYER_UDP, .ipver = 4, .src = "10.0.0.4", .dst = "20.1.1.1",       \
    .proto = 17, .sport = 54321, .dport = 53, .payload = "hello", .plen = 5, .wire = 5, .l4 = 13

struct decode_case {
    const char *name;
    enum link_kind link;
    const char *hex;
    bool cut;    /* decode only the first keep bytes */
    size_t keep; /* (a cut may be 0 bytes) */
    enum decode_result want;
    enum decode_layer layer;
    uint8_t encap;
    uint8_t ipver;         /* 0: not checked */
    const char *src, *dst; /* NULL: not checked */
    /* OK, OTHER and FRAGMENT: */
    uint8_t proto;
    size_t l4; /* l4_len: the transport bytes the IP header claims */
    /* OK only: */
    uint16_t sport, dport;
    uint8_t flags;       /* TCP */
    const char *payload; /* the captured payload, NULL: not compared */
    size_t plen, wire;   /* payload_len, payload_wire_len */
    bool bad_length;
};

static const struct decode_case decode_cases[] = {
    /* ---- link kinds ---- */
    {.name = "Ethernet, IPv4, TCP", .link = LINK_ETHERNET, .hex = ETH("0800") V4_TCP, OK_V4_TCP},
    {.name = "Ethernet, IPv6, TCP", .link = LINK_ETHERNET, .hex = ETH("86dd") V6_TCP, OK_V6_TCP},
    {.name = "Ethernet, IPv4, UDP", .link = LINK_ETHERNET, .hex = ETH("0800") V4_UDP, OK_V4_UDP},
    {.name = "Ethernet padded to 60 bytes: the padding is not payload",
     .link = LINK_ETHERNET,
     .hex = ETH("0800") V4_UDP "0000 0000 0000 0000 0000 0000 00",
     OK_V4_UDP},
    {.name = "802.1Q", .link = LINK_ETHERNET, .hex = ETH("8100") "0064 0800" V4_TCP, OK_V4_TCP},
    {.name = "802.1ad QinQ",
     .link = LINK_ETHERNET,
     .hex = ETH("88a8") "0064 8100 00c8 0800" V4_TCP,
     OK_V4_TCP},
    {.name = "QinQ with the old 0x9100, IPv6",
     .link = LINK_ETHERNET,
     .hex = ETH("9100") "0064 8100 00c8 86dd" V6_TCP,
     OK_V6_TCP},
    {.name = "eight VLAN tags",
     .link = LINK_ETHERNET,
     .hex = ETH("8100") X7("0064 8100") "0064 0800" V4_TCP,
     OK_V4_TCP},
    {.name = "nine VLAN tags",
     .link = LINK_ETHERNET,
     .hex = ETH("8100") X8("0064 8100") "0064 0800" V4_TCP,
     .want = DECODE_MALFORMED,
     .layer = LAYER_LINK},
    {.name = "802.1Q tag cut",
     .link = LINK_ETHERNET,
     .hex = ETH("8100") "0064 08",
     .want = DECODE_TRUNCATED,
     .layer = LAYER_LINK},
    {.name = "PPPoE session, IPv4",
     .link = LINK_ETHERNET,
     .hex = ETH("8864") "1100 0001 002f 0021" V4_TCP,
     OK_V4_TCP},
    {.name = "PPPoE session, IPv6",
     .link = LINK_ETHERNET,
     .hex = ETH("8864") "1100 0001 0043 0057" V6_TCP,
     OK_V6_TCP},
    {.name = "PPPoE session, LCP",
     .link = LINK_ETHERNET,
     .hex = ETH("8864") "1100 0001 0006 c021 0101 0004",
     .want = DECODE_NOT_IP,
     .layer = LAYER_LINK},
    {.name = "PPPoE header cut",
     .link = LINK_ETHERNET,
     .hex = ETH("8864") "1100 0001 00",
     .want = DECODE_TRUNCATED,
     .layer = LAYER_LINK},
    {.name = "MPLS, one label, IPv4",
     .link = LINK_ETHERNET,
     .hex = ETH("8847") "0006 4140" V4_TCP,
     OK_V4_TCP},
    {.name = "MPLS multicast, two labels, IPv6",
     .link = LINK_ETHERNET,
     .hex = ETH("8848") "0006 4040 000c 8140" V6_TCP,
     OK_V6_TCP},
    {.name = "802.1Q, then MPLS",
     .link = LINK_ETHERNET,
     .hex = ETH("8100") "0064 8847 0006 4140" V4_TCP,
     OK_V4_TCP},
    {.name = "sixteen MPLS labels",
     .link = LINK_ETHERNET,
     .hex = ETH("8847") X15("0006 4040") "0006 4140" V4_TCP,
     OK_V4_TCP},
    {.name = "seventeen MPLS labels",
     .link = LINK_ETHERNET,
     .hex = ETH("8847") X16("0006 4040") "0006 4140" V4_TCP,
     .want = DECODE_MALFORMED,
     .layer = LAYER_LINK},
    {.name = "MPLS label cut",
     .link = LINK_ETHERNET,
     .hex = ETH("8847") "0006 41",
     .want = DECODE_TRUNCATED,
     .layer = LAYER_LINK},
    {.name = "MPLS, neither IPv4 nor IPv6 below",
     .link = LINK_ETHERNET,
     .hex = ETH("8847") "0006 4140 0000 0000",
     .want = DECODE_MALFORMED,
     .layer = LAYER_IP},
    {.name = "MPLS, nothing below",
     .link = LINK_ETHERNET,
     .hex = ETH("8847") "0006 4140",
     .want = DECODE_TRUNCATED,
     .layer = LAYER_IP},
    {.name = "ARP",
     .link = LINK_ETHERNET,
     .hex = ETH("0806") "0001 0800 0604 0001",
     .want = DECODE_NOT_IP,
     .layer = LAYER_LINK},
    {.name = "LLDP",
     .link = LINK_ETHERNET,
     .hex = ETH("88cc") "0000",
     .want = DECODE_NOT_IP,
     .layer = LAYER_LINK},
    {.name = "Ethernet header cut",
     .link = LINK_ETHERNET,
     .hex = ETH("0800") V4_TCP,
     .cut = true,
     .keep = 13,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_LINK},
    {.name = "empty Ethernet frame",
     .link = LINK_ETHERNET,
     .hex = ETH("0800") V4_TCP,
     .cut = true,
     .keep = 0,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_LINK},
    {.name = "Linux cooked v1 (SLL)",
     .link = LINK_SLL,
     .hex = "0000 0001 0006 0200 0000 0001 0000 0800" V4_TCP,
     OK_V4_TCP},
    {.name = "SLL header cut",
     .link = LINK_SLL,
     .hex = "0000 0001 0006 0200 0000 0001 0000 0800" V4_TCP,
     .cut = true,
     .keep = 15,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_LINK},
    {.name = "SLL, ARP",
     .link = LINK_SLL,
     .hex = "0000 0001 0006 0200 0000 0001 0000 0806 0001",
     .want = DECODE_NOT_IP,
     .layer = LAYER_LINK},
    {.name = "Linux cooked v2 (SLL2)",
     .link = LINK_SLL2,
     .hex = "86dd 0000 0000 0002 0001 0006 0200 0000 0001 0000" V6_TCP,
     OK_V6_TCP},
    {.name = "SLL2 header cut",
     .link = LINK_SLL2,
     .hex = "86dd 0000 0000 0002 0001 0006 0200 0000 0001 0000" V6_TCP,
     .cut = true,
     .keep = 19,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_LINK},
    {.name = "BSD NULL, AF_INET little-endian",
     .link = LINK_NULL,
     .hex = "0200 0000" V4_TCP,
     OK_V4_TCP},
    {.name = "BSD NULL, AF_INET big-endian",
     .link = LINK_NULL,
     .hex = "0000 0002" V4_TCP,
     OK_V4_TCP},
    {.name = "BSD NULL, AF_INET6 10 (Linux) little-endian",
     .link = LINK_NULL,
     .hex = "0a00 0000" V6_TCP,
     OK_V6_TCP},
    {.name = "BSD NULL, AF_INET6 30 (macOS) little-endian",
     .link = LINK_NULL,
     .hex = "1e00 0000" V6_TCP,
     OK_V6_TCP},
    {.name = "BSD NULL, AF_INET6 24 (NetBSD) big-endian",
     .link = LINK_NULL,
     .hex = "0000 0018" V6_TCP,
     OK_V6_TCP},
    {.name = "BSD NULL, AF_INET6 28 (FreeBSD) big-endian",
     .link = LINK_NULL,
     .hex = "0000 001c" V6_TCP,
     OK_V6_TCP},
    {.name = "BSD NULL, an unknown family",
     .link = LINK_NULL,
     .hex = "0700 0000" V4_TCP,
     .want = DECODE_NOT_IP,
     .layer = LAYER_LINK},
    {.name = "BSD NULL header cut",
     .link = LINK_NULL,
     .hex = "0200 00",
     .want = DECODE_TRUNCATED,
     .layer = LAYER_LINK},
    {.name = "LOOP, AF_INET", .link = LINK_LOOP, .hex = "0000 0002" V4_TCP, OK_V4_TCP},
    {.name = "LOOP, AF_INET6 24", .link = LINK_LOOP, .hex = "0000 0018" V6_TCP, OK_V6_TCP},
    {.name = "LOOP is network order: 02000000 is no AF_INET",
     .link = LINK_LOOP,
     .hex = "0200 0000" V4_TCP,
     .want = DECODE_NOT_IP,
     .layer = LAYER_LINK},
    {.name = "raw IPv4", .link = LINK_RAW, .hex = V4_TCP, OK_V4_TCP},
    {.name = "raw IPv6", .link = LINK_RAW, .hex = V6_TCP, OK_V6_TCP},
    {.name = "raw, version 5",
     .link = LINK_RAW,
     .hex = "5500 002d 0000 4000 4006 0000" A4_CLI A4_SRV,
     .want = DECODE_MALFORMED,
     .layer = LAYER_IP},
    {.name = "raw, empty",
     .link = LINK_RAW,
     .hex = "",
     .want = DECODE_TRUNCATED,
     .layer = LAYER_IP},
    {.name = "DLT_IPV4", .link = LINK_IPV4, .hex = V4_TCP, OK_V4_TCP},
    /* issue 11: a link type of one IP version carrying the other is read by
     * the version nibble (libpcap writes such files) */
    {.name = "DLT_IPV4 carrying IPv6", .link = LINK_IPV4, .hex = V6_TCP, OK_V6_TCP},
    {.name = "DLT_IPV6", .link = LINK_IPV6, .hex = V6_TCP, OK_V6_TCP},
    {.name = "DLT_IPV6 carrying IPv4", .link = LINK_IPV6, .hex = V4_TCP, OK_V4_TCP},
    {.name = "ARCNET, RFC 1051",
     .link = LINK_ARCNET_LINUX,
     .hex = "0102 0000 f0" V4_TCP,
     OK_V4_TCP},
    {.name = "ARCNET, RFC 1201",
     .link = LINK_ARCNET_LINUX,
     .hex = "0102 0000 d400 0000" V4_TCP,
     OK_V4_TCP},
    {.name = "ARCNET, RFC 1201 exception packet",
     .link = LINK_ARCNET_LINUX,
     .hex = "0102 0000 d4ff ffff d400 0000" V4_TCP,
     OK_V4_TCP},
    {.name = "ARCNET, RFC 2497 IPv6",
     .link = LINK_ARCNET_LINUX,
     .hex = "0102 0000 c400 0000" V6_TCP,
     OK_V6_TCP},
    {.name = "ARCNET, a piece of a split packet",
     .link = LINK_ARCNET_LINUX,
     .hex = "0102 0000 d402 0000" V4_TCP,
     .want = DECODE_NOT_IP,
     .layer = LAYER_LINK},
    {.name = "ARCNET, ARP",
     .link = LINK_ARCNET_LINUX,
     .hex = "0102 0000 d500 0000",
     .want = DECODE_NOT_IP,
     .layer = LAYER_LINK},
    {.name = "ARCNET header cut",
     .link = LINK_ARCNET_LINUX,
     .hex = "0102 0000",
     .want = DECODE_TRUNCATED,
     .layer = LAYER_LINK},
    {.name = "ARCNET RFC 1201 header cut",
     .link = LINK_ARCNET_LINUX,
     .hex = "0102 0000 d400 00",
     .want = DECODE_TRUNCATED,
     .layer = LAYER_LINK},
    {.name = "ARCNET exception header cut",
     .link = LINK_ARCNET_LINUX,
     .hex = "0102 0000 d4ff ffff d4",
     .want = DECODE_TRUNCATED,
     .layer = LAYER_LINK},
    {.name = "an unknown link kind",
     .link = (enum link_kind)99,
     .hex = V4_TCP,
     .want = DECODE_MALFORMED,
     .layer = LAYER_LINK},

    /* ---- IPv4 ---- */
    {.name = "IPv4 header cut",
     .link = LINK_RAW,
     .hex = V4_TCP,
     .cut = true,
     .keep = 19,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_IP,
     .ipver = 4},
    {.name = "IHL 4",
     .link = LINK_RAW,
     .hex = "4400 002d 0000 4000 4006 0000" A4_CLI A4_SRV TCP("18") HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_IP,
     .ipver = 4},
    {.name = "IHL 0",
     .link = LINK_IPV4,
     .hex = "4000 002d 0000 4000 4006 0000" A4_CLI A4_SRV TCP("18") HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_IP,
     .ipver = 4},
    {.name = "IHL 15 past the total length",
     .link = LINK_RAW,
     .hex = "4f00 002d 0000 4000 4006 0000" A4_CLI A4_SRV TCP("18") HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_IP,
     .ipver = 4},
    {.name = "total length below the header",
     .link = LINK_RAW,
     .hex = IP4("0010", "06", A4_CLI, A4_SRV) TCP("18") HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_IP,
     .ipver = 4},
    {.name = "IPv4 options (IHL 6)",
     .link = LINK_RAW,
     .hex = "4600 0031 0000 4000 4006 0000" A4_CLI A4_SRV "0101 0100" TCP("18") HELLO,
     OK_V4_TCP},
    {.name = "IPv4 options cut",
     .link = LINK_RAW,
     .hex = "4600 0031 0000 4000 4006 0000" A4_CLI A4_SRV "0101 0100" TCP("18") HELLO,
     .cut = true,
     .keep = 22,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_IP,
     .ipver = 4,
     .src = "10.0.0.4",
     .dst = "20.1.1.1"},
    {.name = "total length past the capture: the payload is cut",
     .link = LINK_RAW,
     .hex = IP4("0100", "06", A4_CLI, A4_SRV) TCP("18") HELLO,
     .want = DECODE_OK,
     .layer = LAYER_TCP,
     .ipver = 4,
     .src = "10.0.0.4",
     .dst = "20.1.1.1",
     .proto = 6,
     .sport = 50000,
     .dport = 443,
     .flags = 0x18,
     .payload = "hello",
     .plen = 5,
     .wire = 216,
     .l4 = 236},
    {.name = "ICMP",
     .link = LINK_RAW,
     .hex = IP4("001c", "01", A4_CLI, A4_SRV) "0800 f7ff 0000 0000",
     .want = DECODE_OTHER,
     .layer = LAYER_IP,
     .ipver = 4,
     .src = "10.0.0.4",
     .dst = "20.1.1.1",
     .proto = 1,
     .l4 = 8},
    {.name = "IPv4 first fragment",
     .link = LINK_RAW,
     .hex = IP4F("002d", "2000", "06") TCP("18") HELLO,
     .want = DECODE_FRAGMENT,
     .layer = LAYER_IP,
     .ipver = 4,
     .src = "10.0.0.4",
     .dst = "20.1.1.1",
     .proto = 6,
     .l4 = 25},
    {.name = "IPv4 middle fragment",
     .link = LINK_RAW,
     .hex = IP4F("0019", "20b9", "06") HELLO,
     .want = DECODE_FRAGMENT,
     .layer = LAYER_IP,
     .ipver = 4,
     .proto = 6,
     .l4 = 5},
    {.name = "IPv4 last fragment",
     .link = LINK_RAW,
     .hex = IP4F("0019", "00b9", "06") HELLO,
     .want = DECODE_FRAGMENT,
     .layer = LAYER_IP,
     .ipver = 4,
     .proto = 6,
     .l4 = 5},

    /* ---- IPv6 ---- */
    {.name = "IPv6 header cut",
     .link = LINK_RAW,
     .hex = V6_TCP,
     .cut = true,
     .keep = 39,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_IP,
     .ipver = 6},
    {.name = "IPv6 version 7",
     .link = LINK_IPV6,
     .hex = "7000 0000 0019 0640" A6_CLI A6_SRV TCP("18") HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_IP},
    {.name = "IPv6 payload length past the capture",
     .link = LINK_RAW,
     .hex = IP6("0100", "06", A6_CLI, A6_SRV) TCP("18") HELLO,
     .want = DECODE_OK,
     .layer = LAYER_TCP,
     .ipver = 6,
     .proto = 6,
     .sport = 50000,
     .dport = 443,
     .flags = 0x18,
     .payload = "hello",
     .plen = 5,
     .wire = 236,
     .l4 = 256},
    {.name = "ICMPv6",
     .link = LINK_RAW,
     .hex = IP6("0008", "3a", A6_CLI, A6_SRV) "8000 0000 0000 0000",
     .want = DECODE_OTHER,
     .layer = LAYER_IP,
     .ipver = 6,
     .src = "2001:db8::1",
     .dst = "2001:db8::2",
     .proto = 58,
     .l4 = 8},
    {.name = "hop-by-hop, then TCP",
     .link = LINK_RAW,
     .hex = IP6("0021", "00", A6_CLI, A6_SRV) "0600 0104 0000 0000" TCP("18") HELLO,
     OK_V6_TCP},
    {.name = "hop-by-hop, routing, destination options, then TCP",
     .link = LINK_RAW,
     .hex = IP6("0031", "00", A6_CLI, A6_SRV) "2b00 0104 0000 0000"
                                              "3c00 0000 0000 0000"
                                              "0600 0104 0000 0000" TCP("18") HELLO,
     OK_V6_TCP},
    {.name = "AH, then TCP",
     .link = LINK_RAW,
     .hex = IP6("0031", "33", A6_CLI, A6_SRV) "0604 0000 0000 0001 0000 0001"
                                              "0000 0000 0000 0000 0000 0000" TCP("18") HELLO,
     OK_V6_TCP},
    {.name = "destination options, then UDP",
     .link = LINK_RAW,
     .hex =
         IP6("0015", "3c", A6_CLI, A6_SRV) "1100 0104 0000 0000" UDP("d431", "0035", "000d") HELLO,
     .want = DECODE_OK,
     .layer = LAYER_UDP,
     .ipver = 6,
     .src = "2001:db8::1",
     .dst = "2001:db8::2",
     .proto = 17,
     .sport = 54321,
     .dport = 53,
     .payload = "hello",
     .plen = 5,
     .wire = 5,
     .l4 = 13},
    {.name = "sixteen extension headers, then TCP",
     .link = LINK_RAW,
     .hex = IP6("0099", "3c", A6_CLI, A6_SRV)
         X15("3c00 0104 0000 0000") "0600 0104 0000 0000" TCP("18") HELLO,
     OK_V6_TCP},
    {.name = "seventeen extension headers",
     .link = LINK_RAW,
     .hex = IP6("00a1", "3c", A6_CLI, A6_SRV)
         X16("3c00 0104 0000 0000") "0600 0104 0000 0000" TCP("18") HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_IP,
     .ipver = 6},
    {.name = "an extension header longer than the payload",
     .link = LINK_RAW,
     .hex = IP6("0010", "00", A6_CLI, A6_SRV) "0602 0000 0000 0000 0000 0000 0000 0000",
     .want = DECODE_MALFORMED,
     .layer = LAYER_IP,
     .ipver = 6},
    {.name = "extension header cut after its first byte",
     .link = LINK_RAW,
     .hex = IP6("0021", "00", A6_CLI, A6_SRV) "0600 0104 0000 0000" TCP("18") HELLO,
     .cut = true,
     .keep = 41,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_IP,
     .ipver = 6},
    {.name = "extension header body cut",
     .link = LINK_RAW,
     .hex = IP6("0021", "00", A6_CLI, A6_SRV) "0600 0104 0000 0000" TCP("18") HELLO,
     .cut = true,
     .keep = 44,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_IP,
     .ipver = 6},
    {.name = "IPv6 first fragment",
     .link = LINK_RAW,
     .hex = IP6("0021", "2c", A6_CLI, A6_SRV) "0600 0001 0000 0001" TCP("18") HELLO,
     .want = DECODE_FRAGMENT,
     .layer = LAYER_IP,
     .ipver = 6,
     .src = "2001:db8::1",
     .dst = "2001:db8::2",
     .proto = 6,
     .l4 = 25},
    {.name = "IPv6 later fragment",
     .link = LINK_RAW,
     .hex = IP6("000d", "2c", A6_CLI, A6_SRV) "0600 0008 0000 0001" HELLO,
     .want = DECODE_FRAGMENT,
     .layer = LAYER_IP,
     .ipver = 6,
     .proto = 6,
     .l4 = 5},
    {.name = "IPv6 atomic fragment (offset 0, no M): whole",
     .link = LINK_RAW,
     .hex = IP6("0021", "2c", A6_CLI, A6_SRV) "0600 0000 0000 0001" TCP("18") HELLO,
     OK_V6_TCP},
    {.name = "hop-by-hop, then a fragment header",
     .link = LINK_RAW,
     .hex = IP6("0029", "00", A6_CLI, A6_SRV) "2c00 0104 0000 0000"
                                              "0600 0001 0000 0001" TCP("18") HELLO,
     .want = DECODE_FRAGMENT,
     .layer = LAYER_IP,
     .ipver = 6,
     .proto = 6,
     .l4 = 25},
    {.name = "fragment header cut",
     .link = LINK_RAW,
     .hex = IP6("0021", "2c", A6_CLI, A6_SRV) "0600 0001 0000 0001" TCP("18") HELLO,
     .cut = true,
     .keep = 43,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_IP,
     .ipver = 6},

    /* ---- TCP ---- */
    {.name = "TCP header cut",
     .link = LINK_RAW,
     .hex = V4_TCP,
     .cut = true,
     .keep = 39,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_TCP,
     .ipver = 4,
     .src = "10.0.0.4",
     .dst = "20.1.1.1"},
    {.name = "TCP data offset 4",
     .link = LINK_RAW,
     .hex = IP4("002d", "06", A4_CLI,
                A4_SRV) "c350 01bb 0000 0001 0000 0000 4018 ffff 0000 0000" HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_TCP,
     .ipver = 4},
    {.name = "TCP data offset 0",
     .link = LINK_RAW,
     .hex = IP4("002d", "06", A4_CLI,
                A4_SRV) "c350 01bb 0000 0001 0000 0000 0018 ffff 0000 0000" HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_TCP,
     .ipver = 4},
    {.name = "TCP data offset past the segment",
     .link = LINK_RAW,
     .hex = IP4("002d", "06", A4_CLI,
                A4_SRV) "c350 01bb 0000 0001 0000 0000 f018 ffff 0000 0000" HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_TCP,
     .ipver = 4},
    {.name = "TCP options (data offset 8)",
     .link = LINK_RAW,
     .hex = IP4("0039", "06", A4_CLI, A4_SRV) "c350 01bb 0000 0001 0000 0000 8018 ffff 0000 0000"
                                              "0101 080a 0000 0001 0000 0002" HELLO,
     .want = DECODE_OK,
     .layer = LAYER_TCP,
     .ipver = 4,
     .proto = 6,
     .sport = 50000,
     .dport = 443,
     .flags = 0x18,
     .payload = "hello",
     .plen = 5,
     .wire = 5,
     .l4 = 37},
    {.name = "TCP options cut",
     .link = LINK_RAW,
     .hex = IP4("0039", "06", A4_CLI, A4_SRV) "c350 01bb 0000 0001 0000 0000 8018 ffff 0000 0000"
                                              "0101 080a 0000 0001 0000 0002" HELLO,
     .cut = true,
     .keep = 44,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_TCP,
     .ipver = 4},
    {.name = "TCP payload cut by the capture",
     .link = LINK_RAW,
     .hex = V4_TCP,
     .cut = true,
     .keep = 43,
     .want = DECODE_OK,
     .layer = LAYER_TCP,
     .ipver = 4,
     .proto = 6,
     .sport = 50000,
     .dport = 443,
     .flags = 0x18,
     .payload = "hel",
     .plen = 3,
     .wire = 5,
     .l4 = 25},
    {.name = "TCP without payload (a SYN)",
     .link = LINK_RAW,
     .hex = IP4("0028", "06", A4_CLI, A4_SRV) TCP("02"),
     .want = DECODE_OK,
     .layer = LAYER_TCP,
     .ipver = 4,
     .proto = 6,
     .sport = 50000,
     .dport = 443,
     .flags = 0x02,
     .payload = "",
     .plen = 0,
     .wire = 0,
     .l4 = 20},
    {.name = "an IP length that leaves 10 bytes for TCP",
     .link = LINK_RAW,
     .hex = IP4("001e", "06", A4_CLI, A4_SRV) TCP("18") HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_TCP,
     .ipver = 4},
    {.name = "an IPv6 payload length that leaves 10 bytes for TCP",
     .link = LINK_RAW,
     .hex = IP6("000a", "06", A6_CLI, A6_SRV) TCP("18") HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_TCP,
     .ipver = 6},

    /* ---- UDP ---- */
    {.name = "UDP header cut",
     .link = LINK_RAW,
     .hex = V4_UDP,
     .cut = true,
     .keep = 27,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_UDP,
     .ipver = 4},
    {.name = "UDP length 7",
     .link = LINK_RAW,
     .hex = IP4("0021", "11", A4_CLI, A4_SRV) UDP("d431", "0035", "0007") HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_UDP,
     .ipver = 4},
    {.name = "UDP length 0",
     .link = LINK_RAW,
     .hex = IP4("0021", "11", A4_CLI, A4_SRV) UDP("d431", "0035", "0000") HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_UDP,
     .ipver = 4},
    {.name = "UDP length past the IP payload: read to the IP end",
     .link = LINK_RAW,
     .hex = IP4("0021", "11", A4_CLI, A4_SRV) UDP("d431", "0035", "0040") HELLO,
     OK_V4_UDP,
     .bad_length = true},
    {.name = "UDP length short of the IP payload",
     .link = LINK_RAW,
     .hex = IP4("0021", "11", A4_CLI, A4_SRV) UDP("d431", "0035", "000a") HELLO,
     .want = DECODE_OK,
     .layer = LAYER_UDP,
     .ipver = 4,
     .proto = 17,
     .sport = 54321,
     .dport = 53,
     .payload = "he",
     .plen = 2,
     .wire = 2,
     .l4 = 13},
    {.name = "UDP without payload",
     .link = LINK_RAW,
     .hex = IP4("001c", "11", A4_CLI, A4_SRV) UDP("d431", "0035", "0008"),
     .want = DECODE_OK,
     .layer = LAYER_UDP,
     .ipver = 4,
     .proto = 17,
     .sport = 54321,
     .dport = 53,
     .payload = "",
     .plen = 0,
     .wire = 0,
     .l4 = 8},
    {.name = "UDP payload cut by the capture",
     .link = LINK_RAW,
     .hex = V4_UDP,
     .cut = true,
     .keep = 30,
     .want = DECODE_OK,
     .layer = LAYER_UDP,
     .ipver = 4,
     .proto = 17,
     .sport = 54321,
     .dport = 53,
     .payload = "he",
     .plen = 2,
     .wire = 5,
     .l4 = 13},
    {.name = "an IP length that leaves 6 bytes for UDP",
     .link = LINK_RAW,
     .hex = IP4("001a", "11", A4_CLI, A4_SRV) UDP("d431", "0035", "000d") HELLO,
     .want = DECODE_MALFORMED,
     .layer = LAYER_UDP,
     .ipver = 4},

    /* ---- tunnels: the inner packet is reported ---- */
    {.name = "VXLAN",
     .link = LINK_ETHERNET,
     .hex = ETH("0800") IP4("005f", "11", A4_TUN_A, A4_TUN_B)
         UDP("c000", "12b5", "004b") "0800 0000 0000 6400" ETH("0800") V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "Geneve with options, IPv4 inside",
     .link = LINK_RAW,
     .hex = IP4("0055", "11", A4_TUN_A, A4_TUN_B)
         UDP("c000", "17c1", "0041") "0100 0800 0000 6400 0000 0000" V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "Geneve, Ethernet inside",
     .link = LINK_RAW,
     .hex = IP4("0073", "11", A4_TUN_A, A4_TUN_B)
         UDP("c000", "17c1", "005f") "0000 6558 0000 6400" ETH("86dd") V6_IN,
     OK_V6_TCP,
     .encap = 1},
    {.name = "GRE, IPv4 inside",
     .link = LINK_RAW,
     .hex = IP4("0045", "2f", A4_TUN_A, A4_TUN_B) "0000 0800" V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "GRE with checksum and key",
     .link = LINK_RAW,
     .hex = IP4("004d", "2f", A4_TUN_A, A4_TUN_B) "a000 0800 0000 0000 0000 002a" V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "GRE with a sequence number, IPv6 inside",
     .link = LINK_RAW,
     .hex = IP4("005d", "2f", A4_TUN_A, A4_TUN_B) "1000 86dd 0000 0001" V6_IN,
     OK_V6_TCP,
     .encap = 1},
    {.name = "GRE, Ethernet inside (TEB)",
     .link = LINK_RAW,
     .hex = IP4("0053", "2f", A4_TUN_A, A4_TUN_B) "0000 6558" ETH("0800") V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "PPTP enhanced GRE, PPP address and control",
     .link = LINK_RAW,
     .hex = IP4("0051", "2f", A4_TUN_A, A4_TUN_B) "3001 880b 002d 0001 0000 0001"
                                                  "ff03 0021" V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "PPTP enhanced GRE with an acknowledgment, PPP protocol compressed",
     .link = LINK_RAW,
     .hex = IP4("0052", "2f", A4_TUN_A, A4_TUN_B) "3081 880b 002e 0001 0000 0001 0000 0001"
                                                  "21" V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "ERSPAN type I",
     .link = LINK_RAW,
     .hex = IP4("0053", "2f", A4_TUN_A, A4_TUN_B) "0000 88be" ETH("0800") V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "ERSPAN type II",
     .link = LINK_RAW,
     .hex = IP4("005f", "2f", A4_TUN_A, A4_TUN_B) "1000 88be 0000 0001"
                                                  "1064 0000 0000 0000" ETH("0800") V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "ERSPAN type III with a platform subheader",
     .link = LINK_RAW,
     .hex = IP4("006b", "2f", A4_TUN_A, A4_TUN_B) "1000 22eb 0000 0001"
                                                  "2064 0000 0000 0000 0000 0001"
                                                  "0000 0000 0000 0000" ETH("0800") V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "GTP-U",
     .link = LINK_RAW,
     .hex = IP4("0051", "11", A4_TUN_A, A4_TUN_B)
         UDP("0868", "0868", "003d") "30ff 002d 0000 0001" V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "GTP-U with an extension header",
     .link = LINK_RAW,
     .hex = IP4("0059", "11", A4_TUN_A, A4_TUN_B)
         UDP("0868", "0868", "0045") "34ff 0031 0000 0001 0000 0085 0100 0000" V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "Teredo",
     .link = LINK_RAW,
     .hex = IP4("005d", "11", A4_TUN_A, A4_TUN_B) UDP("0dd8", "9c40", "0049") V6_IN,
     OK_V6_TCP,
     .encap = 1},
    {.name = "Teredo with an origin indication",
     .link = LINK_RAW,
     .hex = IP4("0065", "11", A4_TUN_A, A4_TUN_B)
         UDP("9c40", "0dd8", "0051") "0000 0dd8 c633 6401" V6_IN,
     OK_V6_TCP,
     .encap = 1},
    {.name = "Teredo with an authentication indicator",
     .link = LINK_RAW,
     .hex = IP4("006a", "11", A4_TUN_A, A4_TUN_B)
         UDP("0dd8", "9c40", "0056") "0001 0000 0000 0000 0000 0000 00" V6_IN,
     OK_V6_TCP,
     .encap = 1},
    {.name = "IP-in-IP",
     .link = LINK_RAW,
     .hex = IP4("0041", "04", A4_TUN_A, A4_TUN_B) V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "IPv6 in IPv4",
     .link = LINK_RAW,
     .hex = IP4("0055", "29", A4_TUN_A, A4_TUN_B) V6_IN,
     OK_V6_TCP,
     .encap = 1},
    {.name = "IPv4 in IPv6",
     .link = LINK_RAW,
     .hex = IP6("002d", "04", A6_TUN_A, A6_TUN_B) V4_IN,
     OK_IN4,
     .encap = 1},
    {.name = "IPv6 in IPv6",
     .link = LINK_RAW,
     .hex = IP6("0041", "29", A6_TUN_A, A6_TUN_B) V6_IN,
     OK_V6_TCP,
     .encap = 1},
    {.name = "IP-in-IP twice",
     .link = LINK_RAW,
     .hex = IP4("0055", "04", A4_TUN_A, A4_TUN_B) IP4("0041", "04", A4_TUN_A, A4_TUN_B) V4_IN,
     OK_IN4,
     .encap = 2},
    {.name = "five IP-in-IP layers: four are peeled",
     .link = LINK_RAW,
     .hex = IP4("0091", "04", A4_CLI, A4_SRV) IP4("007d", "04", A4_CLI, A4_SRV)
         IP4("0069", "04", A4_CLI, A4_SRV) IP4("0055", "04", A4_CLI, A4_SRV)
             IP4("0041", "04", A4_TUN_A, A4_TUN_B) V4_IN,
     .want = DECODE_OTHER,
     .layer = LAYER_IP,
     .encap = 4,
     .ipver = 4,
     .src = "198.51.100.1",
     .dst = "198.51.100.2",
     .proto = 4,
     .l4 = 45},
    {.name = "UDP 4789 without the VXLAN I flag: not a tunnel",
     .link = LINK_RAW,
     .hex = IP4("0025", "11", A4_CLI, A4_SRV) UDP("c000", "12b5", "0011") "0000 0000 0000 0000 41",
     .want = DECODE_OK,
     .layer = LAYER_UDP,
     .ipver = 4,
     .src = "10.0.0.4",
     .dst = "20.1.1.1",
     .proto = 17,
     .sport = 49152,
     .dport = 4789,
     .plen = 9,
     .wire = 9,
     .l4 = 17},
    /* issue 11: ARP bridged through VXLAN is not IP traffic, not the outer
     * UDP flow (it was listed as connections to the VTEP) */
    {.name = "VXLAN carrying ARP: not IP",
     .link = LINK_RAW,
     .hex = IP4("004e", "11", A4_CLI, A4_SRV) UDP("c000", "12b5", "003a") "0800 0000 0000 6400" ETH(
         "0806") "0001 0800 0604 0001 0200 0000 0001 0a00"
                 "0004 0000 0000 0000 1401 0101",
     .want = DECODE_NOT_IP,
     .layer = LAYER_LINK,
     .encap = 1},
    {.name = "GTP-U echo request: no G-PDU, not a tunnel",
     .link = LINK_RAW,
     .hex = IP4("0028", "11", A4_CLI, A4_SRV)
         UDP("0868", "0868", "0014") "3201 0004 0000 0000 0001 0000",
     .want = DECODE_OK,
     .layer = LAYER_UDP,
     .ipver = 4,
     .proto = 17,
     .sport = 2152,
     .dport = 2152,
     .plen = 12,
     .wire = 12,
     .l4 = 20},
    {.name = "VXLAN with the inner IPv4 header cut",
     .link = LINK_ETHERNET,
     .hex = ETH("0800") IP4("005f", "11", A4_TUN_A, A4_TUN_B)
         UDP("c000", "12b5", "004b") "0800 0000 0000 6400" ETH("0800") V4_IN,
     .cut = true,
     .keep = 74,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_IP,
     .encap = 1,
     .ipver = 4},
    {.name = "GRE with an unknown protocol type",
     .link = LINK_RAW,
     .hex = IP4("001c", "2f", A4_TUN_A, A4_TUN_B) "0000 88cc 0000 0000",
     .want = DECODE_OTHER,
     .layer = LAYER_IP,
     .ipver = 4,
     .src = "198.51.100.1",
     .dst = "198.51.100.2",
     .proto = 47,
     .l4 = 8},
    {.name = "GRE version 2",
     .link = LINK_RAW,
     .hex = IP4("0045", "2f", A4_TUN_A, A4_TUN_B) "0002 0800" V4_IN,
     .want = DECODE_OTHER,
     .layer = LAYER_IP,
     .ipver = 4,
     .proto = 47,
     .l4 = 49},
    {.name = "GRE header cut",
     .link = LINK_RAW,
     .hex = IP4("0045", "2f", A4_TUN_A, A4_TUN_B) "0000 0800" V4_IN,
     .cut = true,
     .keep = 22,
     .want = DECODE_OTHER,
     .layer = LAYER_IP,
     .ipver = 4,
     .proto = 47,
     .l4 = 49},
    {.name = "IP-in-IP with garbage inside: the outer packet is kept",
     .link = LINK_RAW,
     .hex = IP4("0028", "04", A4_TUN_A, A4_TUN_B) "5000 0000 0000 0000 0000"
                                                  "0000 0000 0000 0000 0000",
     .want = DECODE_OTHER,
     .layer = LAYER_IP,
     .ipver = 4,
     .src = "198.51.100.1",
     .dst = "198.51.100.2",
     .proto = 4,
     .l4 = 20},
    {.name = "IP-in-IP with the inner header cut",
     .link = LINK_RAW,
     .hex = IP4("0041", "04", A4_TUN_A, A4_TUN_B) V4_IN,
     .cut = true,
     .keep = 30,
     .want = DECODE_TRUNCATED,
     .layer = LAYER_IP,
     .encap = 1,
     .ipver = 4},
    {.name = NULL},
};

/* ---- helpers ---- */

enum { FRAME_MAX = 1024 };

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The bytes a row's hex spells; fails the test on a typo. */
static size_t frame_of(const struct decode_case *tc, uint8_t *out)
{
    size_t n = 0;
    int hi = -1;
    for (const char *s = tc->hex; *s; s++) {
        if (*s == ' ')
            continue;
        int d = hex_digit(*s);
        if (d < 0)
            fail_msg("%s: '%c' in the hex", tc->name, *s);
        if (hi < 0) {
            hi = d;
            continue;
        }
        if (n == FRAME_MAX)
            fail_msg("%s: frame too long", tc->name);
        out[n++] = (uint8_t)(hi << 4 | d);
        hi = -1;
    }
    if (hi >= 0)
        fail_msg("%s: odd number of hex digits", tc->name);
    if (tc->cut) {
        if (tc->keep >= n)
            fail_msg("%s: keeps %zu of %zu bytes", tc->name, tc->keep, n);
        n = tc->keep;
    }
    return n;
}

static void expect_uint(const char *name, const char *what, uintmax_t got, uintmax_t want)
{
    if (got != want) {
        print_error("%s: %s is %ju, want %ju\n", name, what, got, want);
        fail();
    }
}

static void expect_addr(const char *name, const char *what, const struct ea_addr *a,
                        const char *want)
{
    char buf[EA_ADDR_TEXT_MAX];
    ea_addr_text(a, buf, sizeof buf);
    if (strcmp(buf, want) != 0) {
        print_error("%s: %s is %s, want %s\n", name, what, buf, want);
        fail();
    }
}

static void expect_pkt(const struct decode_case *tc, enum decode_result r, const struct pkt *p,
                       const uint8_t *frame, size_t len)
{
    expect_uint(tc->name, "result", r, tc->want);
    expect_uint(tc->name, "layer", p->layer, tc->layer);
    expect_uint(tc->name, "encap", p->encap, tc->encap);
    if (tc->ipver)
        expect_uint(tc->name, "ipver", p->ipver, tc->ipver);
    if (tc->src) {
        expect_addr(tc->name, "src", &p->src, tc->src);
        expect_addr(tc->name, "dst", &p->dst, tc->dst);
    }
    if (r == DECODE_OK || r == DECODE_OTHER || r == DECODE_FRAGMENT) {
        expect_uint(tc->name, "proto", p->proto, tc->proto);
        expect_uint(tc->name, "l4_len", p->l4_len, tc->l4);
        expect_uint(tc->name, "fragment", p->fragment, r == DECODE_FRAGMENT);
        /* the IP header is a view into the frame */
        assert_true(p->ip >= frame && p->ip < frame + len);
        assert_true(p->ip_caplen <= (size_t)(frame + len - p->ip));
        assert_true(p->ip_caplen <= p->ip_len);
    }
    if (r != DECODE_OK)
        return;
    expect_uint(tc->name, "sport", p->sport, tc->sport);
    expect_uint(tc->name, "dport", p->dport, tc->dport);
    if (p->proto == DECODE_PROTO_TCP)
        expect_uint(tc->name, "tcp_flags", p->tcp_flags, tc->flags);
    expect_uint(tc->name, "payload_len", p->payload_len, tc->plen);
    expect_uint(tc->name, "payload_wire_len", p->payload_wire_len, tc->wire);
    expect_uint(tc->name, "bad_length", p->bad_length, tc->bad_length);
    /* the payload is a view into the frame, ending within it */
    assert_true(p->payload >= frame && p->payload <= frame + len);
    assert_true(p->payload_len <= (size_t)(frame + len - p->payload));
    if (tc->payload) {
        expect_uint(tc->name, "payload text length", strlen(tc->payload), tc->plen);
        if (tc->plen && memcmp(p->payload, tc->payload, tc->plen) != 0) {
            print_error("%s: payload is '%.*s', want '%s'\n", tc->name, (int)p->payload_len,
                        (const char *)p->payload, tc->payload);
            fail();
        }
    }
}

/* ---- the table ---- */

static void test_decode_table(void **state)
{
    (void)state;
    size_t rows = 0;
    for (const struct decode_case *tc = decode_cases; tc->name; tc++, rows++) {
        uint8_t buf[FRAME_MAX];
        size_t len = frame_of(tc, buf);
        struct guarded g = {0};
        const uint8_t *frame = guard_copy(&g, buf, len);
        struct pkt p;
        memset(&p, 0xa5, sizeof p); /* decode_frame writes all of it */
        enum decode_result r = decode_frame(tc->link, frame, len, &p);
        expect_pkt(tc, r, &p, frame, len);
        guard_free(&g);
    }
    assert_true(rows > 100);
}

/* Every prefix of every whole good frame: the guard page catches a read
 * past the cut. A cut in the headers is truncated, never malformed; a cut
 * in the payload shortens it; a cut in a tunnel's own header leaves the
 * outer packet, peeled no deeper. */
static void test_decode_every_prefix(void **state)
{
    (void)state;
    size_t rows = 0;
    for (const struct decode_case *tc = decode_cases; tc->name; tc++) {
        if (tc->want != DECODE_OK || tc->cut)
            continue;
        rows++;
        uint8_t buf[FRAME_MAX];
        size_t len = frame_of(tc, buf);
        struct pkt whole;
        assert_int_equal(decode_frame(tc->link, buf, len, &whole), DECODE_OK);
        size_t payload_at = (size_t)(whole.payload - buf);
        for (size_t k = 0; k < len; k++) {
            struct guarded g = {0};
            const uint8_t *frame = guard_copy(&g, buf, k);
            struct pkt p;
            enum decode_result r = decode_frame(tc->link, frame, k, &p);
            if (r != DECODE_OK && r != DECODE_OTHER && r != DECODE_TRUNCATED)
                fail_msg("%s, first %zu bytes: result %d", tc->name, k, (int)r);
            /* a tunnel header that the port only suggested may be cut in
             * its inner frame: that reads deeper, as truncated */
            if (p.encap > tc->encap && r != DECODE_TRUNCATED)
                fail_msg("%s, first %zu bytes: encap %u", tc->name, k, (unsigned)p.encap);
            if (tc->encap == 0 && k < payload_at && r != DECODE_TRUNCATED)
                fail_msg("%s, first %zu bytes: a cut header is not truncated", tc->name, k);
            if (r == DECODE_OK && p.encap == tc->encap) {
                size_t want = k - payload_at < tc->plen ? k - payload_at : tc->plen;
                if (k < payload_at || p.payload_len != want)
                    fail_msg("%s, first %zu bytes: payload_len %zu, want %zu", tc->name, k,
                             p.payload_len, want);
                assert_int_equal(p.payload_wire_len, tc->wire);
            }
            guard_free(&g);
        }
    }
    assert_true(rows > 60);
}

/* decode_ip is decode_frame on a raw IP packet, tunnels included. */
static void test_decode_ip(void **state)
{
    (void)state;
    for (const struct decode_case *tc = decode_cases; tc->name; tc++) {
        if (tc->link != LINK_RAW)
            continue;
        uint8_t buf[FRAME_MAX];
        size_t len = frame_of(tc, buf);
        struct guarded g = {0};
        const uint8_t *frame = guard_copy(&g, buf, len);
        struct pkt p;
        enum decode_result r = decode_ip(frame, len, &p);
        expect_pkt(tc, r, &p, frame, len);
        guard_free(&g);
    }
}

/* libssh's sweep of hostile lengths, for every link kind: all-zero,
 * all-0xff and IP-looking bytes of every length up to 128 decode to some
 * result without reading past the end. */
static void test_decode_hostile_lengths(void **state)
{
    (void)state;
    static const uint8_t fills[] = {0x00, 0xff, 0x45, 0x60, 0x81};
    for (int link = LINK_ETHERNET; link <= LINK_ARCNET_LINUX; link++) {
        for (size_t f = 0; f < sizeof fills; f++) {
            for (size_t len = 0; len <= 128; len++) {
                uint8_t buf[128];
                memset(buf, fills[f], sizeof buf);
                struct guarded g = {0};
                const uint8_t *frame = guard_copy(&g, buf, len);
                struct pkt p;
                enum decode_result r = decode_frame((enum link_kind)link, frame, len, &p);
                assert_true(r <= DECODE_MALFORMED);
                assert_true(p.layer <= LAYER_UDP);
                assert_true(p.encap <= 4);
                if (r == DECODE_OK)
                    assert_true(p.payload_len <= p.payload_wire_len);
                guard_free(&g);
            }
        }
    }
}

/* ---- DLT numbers ---- */

struct dlt_case {
    const char *name;
    int dlt;
    bool known;
    enum link_kind kind;
};

static const struct dlt_case dlt_cases[] = {
    {"DLT_NULL", 0, true, LINK_NULL},
    {"DLT_EN10MB", 1, true, LINK_ETHERNET},
    {"DLT_RAW (Linux)", 12, true, LINK_RAW},
    {"DLT_RAW (OpenBSD)", 14, true, LINK_RAW},
    {"LINKTYPE_RAW", 101, true, LINK_RAW},
    {"DLT_LOOP", 108, true, LINK_LOOP},
    {"DLT_LINUX_SLL", 113, true, LINK_SLL},
    {"DLT_ARCNET_LINUX", 129, true, LINK_ARCNET_LINUX},
    {"DLT_IPV4", 228, true, LINK_IPV4},
    {"DLT_IPV6", 229, true, LINK_IPV6},
    {"DLT_LINUX_SLL2", 276, true, LINK_SLL2},
    {"negative", -1, false, 0},
    {"DLT_EN3MB", 2, false, 0},
    {"DLT_ARCNET (not the Linux one)", 7, false, 0},
    {"DLT_PPP", 9, true, LINK_PPP},
    {"DLT_FDDI", 10, true, LINK_FDDI},
    {"DLT_PPP_SERIAL", 50, true, LINK_PPP},
    {"DLT_PPP_ETHER", 51, true, LINK_PPP_ETHER},
    {"DLT_C_HDLC", 104, true, LINK_C_HDLC},
    {"DLT_PPI", 192, true, LINK_PPI},
    {"DLT_SLIP_BSDOS", 13, false, 0},
    {"DLT_IEEE802_11", 105, true, LINK_IEEE80211},
    {"DLT_PFLOG", 117, true, LINK_PFLOG},
    {"DLT_IEEE802_11_RADIO", 127, true, LINK_RADIOTAP},
    {"DLT_USER0", 147, false, 0},
    {"DLT_NFLOG", 239, true, LINK_NFLOG},
    {"DLT_USB_LINUX (no IP)", 189, false, 0},
    {"DLT_LINUX_SLL2 + 1", 277, false, 0},
    {"past every DLT", 100000, false, 0},
    {"INT_MIN", INT_MIN, false, 0},
    {"INT_MAX", INT_MAX, false, 0},
    {NULL, 0, false, 0},
};

static void test_decode_link_of_dlt(void **state)
{
    (void)state;
    for (const struct dlt_case *tc = dlt_cases; tc->name; tc++) {
        enum link_kind kind = (enum link_kind)77; /* untouched unless known */
        bool known = decode_link_of_dlt(tc->dlt, &kind);
        if (known != tc->known)
            fail_msg("%s (%d): %s, want %s", tc->name, tc->dlt, known ? "known" : "unknown",
                     tc->known ? "known" : "unknown");
        assert_int_equal(kind, tc->known ? tc->kind : (enum link_kind)77);
    }
}

/* Every link kind the decoder reads has a DLT that names it, and a good row. */
static void test_decode_every_link_kind(void **state)
{
    (void)state;
    for (int link = LINK_ETHERNET; link <= LINK_ARCNET_LINUX; link++) {
        bool dlt = false, row = false;
        for (const struct dlt_case *tc = dlt_cases; tc->name; tc++)
            dlt = dlt || (tc->known && tc->kind == (enum link_kind)link);
        for (const struct decode_case *tc = decode_cases; tc->name; tc++)
            row = row || (tc->link == (enum link_kind)link && tc->want == DECODE_OK);
        if (!dlt || !row)
            fail_msg("link kind %d: %s", link, dlt ? "no good row" : "no DLT row");
    }
}

/* ea_ipv4_text writes what inet_ntop writes: every value of each octet in
 * every position, and the table's edges. */
static void test_ipv4_text(void **state)
{
    (void)state;
    static const uint8_t rows[][4] = {
        {0, 0, 0, 0},      {255, 255, 255, 255}, {10, 0, 0, 1},  {100, 64, 9, 10},
        {1, 20, 100, 255}, {9, 99, 199, 200},    {192, 0, 2, 7}, {127, 0, 0, 1},
    };
    char want[INET_ADDRSTRLEN], got[16];
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        assert_non_null(inet_ntop(AF_INET, rows[r], want, sizeof want));
        assert_int_equal(ea_ipv4_text(rows[r], got), strlen(want));
        assert_string_equal(got, want);
    }
    for (unsigned v = 0; v < 256; v++) {
        for (int pos = 0; pos < 4; pos++) {
            uint8_t b[4] = {1, 2, 3, 4};
            b[pos] = (uint8_t)v;
            assert_non_null(inet_ntop(AF_INET, b, want, sizeof want));
            assert_int_equal(ea_ipv4_text(b, got), strlen(want));
            assert_string_equal(got, want);
        }
    }
    struct ea_addr a = {.family = 4, .b = {203, 0, 113, 5}};
    char buf[EA_ADDR_TEXT_MAX];
    assert_string_equal(ea_addr_text(&a, buf, sizeof buf), "203.0.113.5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_text),
        cmocka_unit_test(test_decode_table),
        cmocka_unit_test(test_decode_every_prefix),
        cmocka_unit_test(test_decode_ip),
        cmocka_unit_test(test_decode_hostile_lengths),
        cmocka_unit_test(test_decode_link_of_dlt),
        cmocka_unit_test(test_decode_every_link_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
