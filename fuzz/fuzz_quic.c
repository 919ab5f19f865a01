/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * QUIC Initial packets: a sequence of datagrams fed to one struct
 * quic_flow. Random bytes almost never pass the AEAD, so a record can also
 * be sealed here first (quic_seal_initial) and its bytes are then the
 * frames of a valid Initial: that is how the fuzzer reaches the frame
 * parser, the CRYPTO reassembly and the ClientHello.
 *
 * The input is records until it runs out:
 *   ctl (1 byte), len (2 bytes, big-endian, cut to what is left), bytes
 * ctl bits:
 *   0     direction: 0 client→server, 1 server→client
 *   1     seal: the bytes are the frames of an Initial; else a raw datagram
 *   2-3   sealed: packet number length - 1
 *   4-5   sealed: version 1, 2, draft-29, draft-27
 *   6     sealed: use the second connection ID (a new connection attempt,
 *         or the ID a Retry named)
 *   7     append to the datagram being built instead of sending it now
 *         (coalesced packets); the next record without it sends the lot
 */
#include "fuzz.h"

#include "quic.h"

static uint8_t scratch[QUIC_SCRATCH_MAX];
static uint8_t dgram[QUIC_SCRATCH_MAX];
static uint8_t sealed[QUIC_SCRATCH_MAX];

static const uint8_t cid_a[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
static const uint8_t cid_b[8] = {0xf0, 0x67, 0xa5, 0x50, 0x2a, 0x42, 0x62, 0xb5};
static const uint8_t cid_s[4] = {0xc1, 0xc2, 0xc3, 0xc4};

static const uint32_t seal_versions[4] = {QUIC_VERSION_1, QUIC_VERSION_2, 0xff00001d, 0xff00001b};

static void check_flow(const struct quic_flow *f)
{
    if (f->in.n_ranges > QUIC_CRYPTO_RANGES)
        abort();
    for (unsigned i = 0; i < f->in.n_ranges; i++) {
        if (f->in.ranges[i].start >= f->in.ranges[i].end || f->in.ranges[i].end > QUIC_CRYPTO_MAX)
            abort();
        if (i && f->in.ranges[i - 1].end >= f->in.ranges[i].start)
            abort();
    }
    if (f->in.key_dcid_len > QUIC_CID_MAX || f->in.client_scid_len > QUIC_CID_MAX)
        abort();
    if (f->has_hello) {
        if (f->hello.sni_len > TLS_SNI_MAX || f->hello.alpn_len > TLS_ALPN_MAX)
            abort();
        if (f->hello.has_sni && f->hello.sni[f->hello.sni_len] != 0)
            abort();
        fuzz_touch(f->hello.sni, f->hello.sni_len);
        fuzz_touch(f->hello.alpn, f->hello.alpn_len);
    }
    fuzz_touch_str(f->hello_reason);
    for (int i = 0; i < QUIC_DROP__COUNT; i++)
        if (!quic_drop_name((enum quic_drop)i))
            abort();
}

/* The datagram in a buffer of its own, so reading past it is seen. */
static void feed_datagram(struct quic_flow *f, bool server, const uint8_t *p, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    enum parse_result r;
    if (!copy)
        return;
    if (n)
        memcpy(copy, p, n);
    r = server ? quic_flow_server_datagram(f, copy, n, scratch)
               : quic_flow_client_datagram(f, copy, n, scratch);
    free(copy);
    if (r != PARSE_OK && r != PARSE_INCOMPLETE && r != PARSE_MALFORMED)
        abort();
    check_flow(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct quic_flow *f = malloc(sizeof *f);
    size_t built = 0;
    bool built_server = false;
    uint64_t pn[2] = {0, 0};
    if (!f)
        return 0;
    quic_flow_init(f);
    while (size >= 3) {
        uint8_t ctl = data[0];
        size_t len = (size_t)data[1] << 8 | data[2];
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        bool server = ctl & 1;
        const uint8_t *rec = data;
        size_t rec_len = len;
        data += len;
        size -= len;

        if (ctl & 2) {
            const uint8_t *key = ctl & 0x40 ? cid_b : cid_a;
            struct quic_seal s = {
                .version = seal_versions[(ctl >> 4) & 3],
                .server = server,
                .key_dcid = key,
                .key_dcid_len = 8,
                .dcid = server ? cid_s : key,
                .dcid_len = server ? sizeof cid_s : 8,
                .scid = server ? key : cid_s,
                .scid_len = server ? 8 : sizeof cid_s,
                .pn = pn[server]++,
                .pn_len = ((unsigned)ctl >> 2 & 3) + 1,
            };
            rec_len = quic_seal_initial(&s, rec, len, sealed, sizeof sealed);
            rec = sealed;
            if (!rec_len)
                continue;
        }
        if (built && server != built_server) {
            feed_datagram(f, built_server, dgram, built);
            built = 0;
        }
        if (rec_len > sizeof dgram - built)
            rec_len = sizeof dgram - built;
        memcpy(dgram + built, rec, rec_len);
        built += rec_len;
        built_server = server;
        if (!(ctl & 0x80)) {
            feed_datagram(f, server, dgram, built);
            built = 0;
        }
    }
    if (built)
        feed_datagram(f, built_server, dgram, built);
    (void)quic_flow_reached(f);
    quic_flow_finish(f);
    free(f);
    return 0;
}
