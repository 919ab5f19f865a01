/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Writes a capture of one HTTP/3 connection start whose ClientHello does
 * not fit one Initial packet, the way Chrome sends it: a ClientHello with an
 * X25519MLKEM768 key share (1216 bytes of key material, 1500+ bytes in
 * all) cut into four CRYPTO frames, shuffled over two Initial packets
 * ("chaos protection"), each datagram padded to 1200 bytes (RFC 9000
 * §14.1); then a server Initial (ACK and the start of a ServerHello). Each
 * packet is sealed with quic_seal_initial() (analyze/parse/quic.h), so the
 * capture decrypts with the published Initial keys like a real one.
 *
 * Debian 12 has no HTTP/3 client or server to record one (no aioquic,
 * ngtcp2 or quiche package), hence this construction.
 *
 * Usage: quic_split_pcap OUT.pcap [SNI [PORT]]   (raw IPv4 link type)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quic.h"

struct buf {
    uint8_t b[8192];
    size_t n;
};

static void put(struct buf *w, const void *p, size_t n)
{
    if (n > sizeof w->b - w->n) {
        fprintf(stderr, "quic_split_pcap: buffer full\n");
        exit(1);
    }
    memcpy(w->b + w->n, p, n);
    w->n += n;
}
static void put8(struct buf *w, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(w, &b, 1);
}
static void put16(struct buf *w, unsigned v)
{
    put8(w, v >> 8);
    put8(w, v);
}
static void put24(struct buf *w, size_t v)
{
    put8(w, (unsigned)(v >> 16));
    put16(w, (unsigned)(v & 0xffff));
}
static void put32(struct buf *w, uint32_t v)
{
    put16(w, v >> 16);
    put16(w, v & 0xffff);
}
static void put_le32(struct buf *w, uint32_t v)
{
    put8(w, v & 0xff);
    put8(w, (v >> 8) & 0xff);
    put8(w, (v >> 16) & 0xff);
    put8(w, v >> 24);
}
/* RFC 9000 §16: a two-byte variable-length integer */
static void put_varint2(struct buf *w, size_t v)
{
    put16(w, (unsigned)(0x4000 | v));
}
static void ext(struct buf *w, unsigned type, const struct buf *body)
{
    put16(w, type);
    put16(w, (unsigned)body->n);
    put(w, body->b, body->n);
}

/* RFC 8446 §4.1.2 with the extensions a QUIC client sends (RFC 9001 §8) */
static void client_hello(struct buf *ch, const char *sni)
{
    struct buf body = {0}, exts = {0}, e;
    put16(&body, 0x0303);
    for (unsigned i = 0; i < 32; i++)
        put8(&body, i);
    put8(&body, 0); /* no legacy session id in QUIC */
    put16(&body, 6);
    put16(&body, 0x1301);
    put16(&body, 0x1302);
    put16(&body, 0x1303);
    put8(&body, 1);
    put8(&body, 0);
    /* server_name (RFC 6066 §3) */
    e = (struct buf){0};
    put16(&e, (unsigned)strlen(sni) + 3);
    put8(&e, 0);
    put16(&e, (unsigned)strlen(sni));
    put(&e, sni, strlen(sni));
    ext(&exts, 0x0000, &e);
    /* supported_groups: X25519MLKEM768, x25519 */
    e = (struct buf){0};
    put16(&e, 4);
    put16(&e, 0x11ec);
    put16(&e, 0x001d);
    ext(&exts, 0x000a, &e);
    /* signature_algorithms */
    e = (struct buf){0};
    put16(&e, 6);
    put16(&e, 0x0403);
    put16(&e, 0x0804);
    put16(&e, 0x0401);
    ext(&exts, 0x000d, &e);
    /* ALPN h3 */
    e = (struct buf){0};
    put16(&e, 3);
    put8(&e, 2);
    put(&e, "h3", 2);
    ext(&exts, 0x0010, &e);
    /* key_share: X25519MLKEM768 (1216 bytes) and x25519 (32) */
    e = (struct buf){0};
    put16(&e, 4 + 1216 + 4 + 32);
    put16(&e, 0x11ec);
    put16(&e, 1216);
    for (unsigned i = 0; i < 1216; i++)
        put8(&e, (i * 7 + 3) & 0xff);
    put16(&e, 0x001d);
    put16(&e, 32);
    for (unsigned i = 0; i < 32; i++)
        put8(&e, 0x40 + i);
    ext(&exts, 0x0033, &e);
    /* supported_versions: TLS 1.3 */
    e = (struct buf){0};
    put8(&e, 2);
    put16(&e, 0x0304);
    ext(&exts, 0x002b, &e);
    /* quic_transport_parameters (RFC 9000 §18): initial_max_data = 1 MiB */
    e = (struct buf){0};
    put8(&e, 0x04);
    put8(&e, 4);
    put32(&e, 0x80100000);
    ext(&exts, 0x0039, &e);
    put16(&body, (unsigned)exts.n);
    put(&body, exts.b, exts.n);
    put8(ch, 1);
    put24(ch, body.n);
    put(ch, body.b, body.n);
}

/* RFC 9000 §19.6: CRYPTO (type 0x06), offset and length as 2-byte varints */
static void crypto(struct buf *f, const struct buf *ch, size_t from, size_t to)
{
    put8(f, 0x06);
    put_varint2(f, from);
    put_varint2(f, to - from);
    put(f, ch->b + from, to - from);
}

static const uint8_t dcid[8] = {0x5a, 0x11, 0x70, 0x11, 0x1e, 0x20, 0x26, 0x12};
static const uint8_t cscid[4] = {0xc1, 0x1e, 0x17, 0x01};
static const uint8_t sscid[4] = {0x5e, 0x12, 0x7e, 0x02};

static void seal(struct buf *dgram, bool server, uint64_t pn, struct buf *frames, size_t pad_to)
{
    struct quic_seal s = {
        .version = QUIC_VERSION_1,
        .server = server,
        .key_dcid = dcid,
        .key_dcid_len = sizeof dcid,
        .dcid = server ? cscid : dcid,
        .dcid_len = server ? sizeof cscid : sizeof dcid,
        .scid = server ? sscid : cscid,
        .scid_len = sizeof cscid,
        .pn = pn,
        .pn_len = 2,
    };
    /* PADDING (0x00) so that the datagram reaches pad_to */
    size_t overhead = 1 + 4 + 1 + s.dcid_len + 1 + s.scid_len + 1 + 2 + s.pn_len + 16;
    while (frames->n + overhead < pad_to)
        put8(frames, 0);
    size_t n = quic_seal_initial(&s, frames->b, frames->n, dgram->b, sizeof dgram->b);
    if (n == 0) {
        fprintf(stderr, "quic_split_pcap: quic_seal_initial failed\n");
        exit(1);
    }
    dgram->n = n;
}

/* IPv4 + UDP around a datagram (checksums zero: the analyzer ignores them) */
static void record(FILE *out, uint32_t sec, const uint8_t src[4], const uint8_t dst[4],
                   unsigned sport, unsigned dport, const struct buf *dgram)
{
    struct buf p = {0};
    size_t ip_len = 20 + 8 + dgram->n;
    put8(&p, 0x45);
    put8(&p, 0);
    put16(&p, (unsigned)ip_len);
    put32(&p, 0x00004000); /* identification 0, flags DF */
    put8(&p, 64);
    put8(&p, 17);
    put16(&p, 0);
    put(&p, src, 4);
    put(&p, dst, 4);
    put16(&p, sport);
    put16(&p, dport);
    put16(&p, (unsigned)(8 + dgram->n));
    put16(&p, 0);
    put(&p, dgram->b, dgram->n);
    struct buf h = {0};
    put_le32(&h, sec);
    put_le32(&h, 0);
    put_le32(&h, (uint32_t)p.n);
    put_le32(&h, (uint32_t)p.n);
    fwrite(h.b, 1, h.n, out);
    fwrite(p.b, 1, p.n, out);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: quic_split_pcap OUT.pcap [SNI [PORT]]\n");
        return 2;
    }
    const char *sni = argc >= 3 ? argv[2] : "split-hello.quic.example";
    unsigned port = argc == 4 ? (unsigned)strtoul(argv[3], NULL, 10) : 443;
    struct buf ch = {0};
    client_hello(&ch, sni);
    if (ch.n < 1200) {
        fprintf(stderr, "quic_split_pcap: the hello (%zu bytes) would fit one packet\n", ch.n);
        return 1;
    }
    /* four pieces, shuffled over two packets: [a,b) [b,c) in the second,
     * [c,d) and [0,a) in the first */
    size_t a = 400, b = 800, c = 1100, d = ch.n;
    struct buf f1 = {0}, f2 = {0}, d1 = {0}, d2 = {0}, d3 = {0};
    crypto(&f1, &ch, c, d);
    crypto(&f1, &ch, 0, a);
    put8(&f2, 0x01); /* PING */
    crypto(&f2, &ch, b, c);
    crypto(&f2, &ch, a, b);
    seal(&d1, false, 0, &f1, 1200);
    seal(&d2, false, 1, &f2, 1200);
    /* the server's Initial: ACK of 0..1, then a ServerHello's first bytes */
    struct buf f3 = {0};
    put8(&f3, 0x02);
    put8(&f3, 1); /* largest acknowledged */
    put8(&f3, 0); /* delay */
    put8(&f3, 0); /* no more ranges */
    put8(&f3, 1); /* first range: 0..1 */
    struct buf sh = {0};
    put8(&sh, 2);
    put24(&sh, 38);
    put16(&sh, 0x0303);
    for (unsigned i = 0; i < 32; i++)
        put8(&sh, 0x80 + i);
    put8(&sh, 0);
    put16(&sh, 0x1301);
    put8(&sh, 0);
    crypto(&f3, &sh, 0, sh.n);
    seal(&d3, true, 0, &f3, 0);

    FILE *out = fopen(argv[1], "wb");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    struct buf h = {0};
    put_le32(&h, 0xa1b2c3d4);
    put8(&h, 2);
    put8(&h, 0);
    put8(&h, 4);
    put8(&h, 0);
    put_le32(&h, 0);
    put_le32(&h, 0);
    put_le32(&h, 65535);
    put_le32(&h, 101); /* LINKTYPE_RAW */
    fwrite(h.b, 1, h.n, out);
    static const uint8_t cli[4] = {10, 0, 0, 7}, srv[4] = {192, 0, 2, 33};
    /* the second packet first: the capture order is shuffled too */
    record(out, 1800000000, cli, srv, 51000, port, &d2);
    record(out, 1800000000, cli, srv, 51000, port, &d1);
    record(out, 1800000001, srv, cli, port, 51000, &d3);
    if (fclose(out) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
