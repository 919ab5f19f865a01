/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * QUIC Initial tests. The RFC 9001 and RFC 9369 Appendix A vectors are
 * copied from the RFC text; everything else is built here: ClientHellos by
 * a small builder, frames by another, and packets sealed with
 * quic_seal_initial() (itself checked against the RFC's protected bytes).
 * Every datagram is copied flush against a PROT_NONE page (guard.h).
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "quic.h"

/* ---- the RFC vectors ------------------------------------------------------ */

static const uint8_t rfc_dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

/* RFC 9001 A.2 and RFC 9369 A.2: the CRYPTO frame of the client Initial
 * (then PADDING to 1162 bytes) */
static const char a2_crypto_hex[] =
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff";

/* RFC 9001 A.2: the protected client Initial */
static const char v1_a2_hex[] = "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
                                "d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
                                "1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
                                "8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
                                "30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
                                "457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
                                "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
                                "4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
                                "485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
                                "059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
                                "7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
                                "9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
                                "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
                                "68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
                                "c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
                                "f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
                                "291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
                                "25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
                                "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
                                "ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
                                "e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
                                "c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
                                "203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
                                "cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
                                "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
                                "a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
                                "90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
                                "162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
                                "40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
                                "6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
                                "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
                                "be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
                                "54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
                                "760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
                                "f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
                                "056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
                                "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
                                "e221af44860018ab0856972e194cd934";

/* RFC 9001 A.3: the server's payload, then the protected server Initial */
static const char a3_payload_hex[] =
    "02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739"
    "88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94"
    "0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00"
    "020304";
static const char v1_a3_hex[] = "cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a"
                                "5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3"
                                "dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84"
                                "022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4"
                                "2158407dd074ee";

/* RFC 9001 A.4: Retry */
static const char v1_a4_hex[] = "ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f"
                                "0f2496ba";

/* RFC 9369 A.2: the protected client Initial of version 2 */
static const char v2_a2_hex[] = "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"
                                "dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"
                                "9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"
                                "250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"
                                "12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500"
                                "cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
                                "18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33"
                                "12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"
                                "d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"
                                "6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"
                                "bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045"
                                "636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
                                "ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12"
                                "16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"
                                "4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"
                                "fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"
                                "8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7"
                                "14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
                                "9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91"
                                "abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"
                                "80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"
                                "848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"
                                "d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15"
                                "c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
                                "7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61"
                                "f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"
                                "10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"
                                "3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"
                                "06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce"
                                "8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
                                "34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1"
                                "e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"
                                "5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"
                                "8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"
                                "d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53"
                                "6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
                                "9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b"
                                "a18b2faa745b6fe189cf772a9f84cbfc";

/* RFC 9369 A.3 and A.4 */
static const char v2_a3_hex[] = "dc6b3343cf0008f067a5502a4262b5004075d92faaf16f05d8a4398c47089698"
                                "baeea26b91eb761d9b89237bbf87263017915358230035f7fd3945d88965cf17"
                                "f9af6e16886c61bfc703106fbaf3cb4cfa52382dd16a393e42757507698075b2"
                                "c984c707f0a0812d8cd5a6881eaf21ceda98f4bd23f6fe1a3e2c43edd9ce7ca8"
                                "4bed8521e2e140";
static const char v2_a4_hex[] = "cf6b3343cf0008f067a5502a4262b5746f6b656ec8646ce8bfe33952d9555436"
                                "65dcc7b6";

/* Decode hex, skipping blanks; aborts on anything else. */
static size_t unhex(const char *s, uint8_t *out, size_t max)
{
    size_t n = 0;
    int hi = -1;
    for (; *s; s++) {
        int v;
        if (*s == ' ')
            continue;
        if (*s >= '0' && *s <= '9')
            v = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            v = *s - 'a' + 10;
        else
            abort();
        if (hi < 0) {
            hi = v;
            continue;
        }
        assert_true(n < max);
        out[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    assert_int_equal(hi, -1);
    return n;
}

/* ---- feeding a flow --------------------------------------------------------- */

static uint8_t scratch[QUIC_SCRATCH_MAX];

static enum parse_result feed(struct quic_flow *f, bool server, const uint8_t *p, size_t n)
{
    struct guarded g;
    const uint8_t *in = guard_copy(&g, p, n);
    enum parse_result r = server ? quic_flow_server_datagram(f, in, n, scratch)
                                 : quic_flow_client_datagram(f, in, n, scratch);
    guard_free(&g);
    return r;
}

static enum parse_result feed_hex(struct quic_flow *f, bool server, const char *hex)
{
    static uint8_t buf[4096];
    size_t n = unhex(hex, buf, sizeof buf);
    return feed(f, server, buf, n);
}

/* The ranges are sorted, disjoint, not adjacent, inside the buffer. */
static void check_ranges(const struct quic_flow *f)
{
    assert_true(f->in.n_ranges <= QUIC_CRYPTO_RANGES);
    for (unsigned i = 0; i < f->in.n_ranges; i++) {
        assert_true(f->in.ranges[i].start < f->in.ranges[i].end);
        assert_true(f->in.ranges[i].end <= QUIC_CRYPTO_MAX);
        if (i)
            assert_true(f->in.ranges[i - 1].end < f->in.ranges[i].start);
    }
}

static unsigned total_drops(const struct quic_flow *f)
{
    unsigned n = 0;
    for (int i = 0; i < QUIC_DROP__COUNT; i++)
        n += f->drops[i];
    return n;
}

static void assert_sni(const struct quic_flow *f, const char *sni)
{
    assert_true(f->has_hello);
    assert_true(f->hello.has_sni);
    assert_int_equal(f->hello.sni_len, strlen(sni));
    assert_memory_equal(f->hello.sni, sni, strlen(sni));
}

/* ---- builders ------------------------------------------------------------------ */

struct bld {
    uint8_t b[8192];
    size_t n;
};

static void put(struct bld *b, const void *p, size_t n)
{
    assert_true(n <= sizeof b->b - b->n);
    if (n)
        memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void put_u8(struct bld *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    put(b, &x, 1);
}

static void put_u16(struct bld *b, unsigned v)
{
    put_u8(b, v >> 8 & 0xff);
    put_u8(b, v & 0xff);
}

static void put_u24(struct bld *b, size_t v)
{
    put_u8(b, (unsigned)(v >> 16) & 0xff);
    put_u16(b, (unsigned)v & 0xffff);
}

/* RFC 9000 §16, in the shortest form, or in `width` bytes when nonzero */
static void put_varint_w(struct bld *b, uint64_t v, unsigned width)
{
    unsigned bytes = width ? width : v < 64 ? 1 : v < 16384 ? 2 : v < (1u << 30) ? 4 : 8;
    unsigned prefix = bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 4 ? 2 : 3;
    for (unsigned i = 0; i < bytes; i++) {
        unsigned x = (unsigned)(v >> (8 * (bytes - 1 - i))) & 0xff;
        put_u8(b, i == 0 ? (x & 0x3f) | prefix << 6 : x);
    }
}

static void put_varint(struct bld *b, uint64_t v)
{
    put_varint_w(b, v, 0);
}

/* A TLS 1.3 ClientHello handshake message (RFC 8446 §4.1.2) with SNI, ALPN,
 * supported_versions and `pad` bytes of a padding extension (RFC 7685) to
 * make it as big as post-quantum key shares do. */
static void client_hello(struct bld *b, const char *sni, size_t pad)
{
    struct bld body = {.n = 0};
    struct bld ext = {.n = 0};
    size_t sni_len = strlen(sni);

    /* server_name (RFC 6066 §3) */
    put_u16(&ext, 0);
    put_u16(&ext, (unsigned)(sni_len + 5));
    put_u16(&ext, (unsigned)(sni_len + 3));
    put_u8(&ext, 0);
    put_u16(&ext, (unsigned)sni_len);
    put(&ext, sni, sni_len);
    /* ALPN "h3" (RFC 7301) */
    put_u16(&ext, 0x0010);
    put_u16(&ext, 5);
    put_u16(&ext, 3);
    put_u8(&ext, 2);
    put(&ext, "h3", 2);
    /* supported_versions: TLS 1.3 */
    put_u16(&ext, 0x002b);
    put_u16(&ext, 3);
    put_u8(&ext, 2);
    put_u16(&ext, 0x0304);
    if (pad) {
        put_u16(&ext, 0x0015);
        put_u16(&ext, (unsigned)pad);
        for (size_t i = 0; i < pad; i++)
            put_u8(&ext, (unsigned)(i * 7));
    }

    put_u16(&body, 0x0303);
    for (unsigned i = 0; i < 32; i++)
        put_u8(&body, i);
    put_u8(&body, 0);  /* legacy_session_id */
    put_u16(&body, 2); /* cipher_suites */
    put_u16(&body, 0x1301);
    put_u8(&body, 1); /* legacy_compression_methods */
    put_u8(&body, 0);
    put_u16(&body, (unsigned)ext.n);
    put(&body, ext.b, ext.n);

    put_u8(b, 1);
    put_u24(b, body.n);
    put(b, body.b, body.n);
}

/* §19.6 CRYPTO frame */
static void frame_crypto(struct bld *f, uint64_t off, const uint8_t *data, size_t len)
{
    put_u8(f, 0x06);
    put_varint(f, off);
    put_varint(f, len);
    put(f, data, len);
}

static void frame_padding(struct bld *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_u8(f, 0);
}

struct conn {
    uint32_t version;
    uint8_t key_dcid[20];
    size_t key_dcid_len;
    uint8_t dcid[20];
    size_t dcid_len;
    uint8_t scid[20];
    size_t scid_len;
    uint64_t pn;
    unsigned pn_len;
};

static const struct conn conn_v1 = {
    .version = QUIC_VERSION_1,
    .key_dcid = {1, 2, 3, 4, 5, 6, 7, 8},
    .key_dcid_len = 8,
    .dcid = {1, 2, 3, 4, 5, 6, 7, 8},
    .dcid_len = 8,
    .scid = {0xc1, 0xc2, 0xc3, 0xc4},
    .scid_len = 4,
    .pn_len = 2,
};

/* Seal frames as an Initial of conn c (client side unless server), at
 * packet number c->pn (which then moves on), appended to *dgram. */
static void seal(struct bld *dgram, struct conn *c, bool server, const struct bld *frames)
{
    struct quic_seal s = {
        .version = c->version,
        .server = server,
        .key_dcid = c->key_dcid,
        .key_dcid_len = c->key_dcid_len,
        .dcid = server ? c->scid : c->dcid,
        .dcid_len = server ? c->scid_len : c->dcid_len,
        .scid = server ? c->dcid : c->scid,
        .scid_len = server ? c->dcid_len : c->scid_len,
        .pn = c->pn++,
        .pn_len = c->pn_len,
    };
    size_t n = quic_seal_initial(&s, frames->b, frames->n, dgram->b + dgram->n,
                                 sizeof dgram->b - dgram->n);
    assert_true(n > 0);
    dgram->n += n;
}

/* ---- names --------------------------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    for (int i = 0; i < QUIC_DROP__COUNT; i++) {
        const char *n = quic_drop_name((enum quic_drop)i);
        assert_non_null(n);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(n, quic_drop_name((enum quic_drop)j));
    }
    assert_null(quic_drop_name(QUIC_DROP__COUNT));
    assert_string_equal(quic_version_name(QUIC_VERSION_1), "1");
    assert_string_equal(quic_version_name(QUIC_VERSION_2), "2");
    assert_string_equal(quic_version_name(0xff00001d), "draft-29");
    assert_string_equal(quic_version_name(0xff00001b), "draft-27");
    assert_null(quic_version_name(0x1a2a3a4a));
    assert_null(quic_version_name(0x51303436)); /* "Q046" */
    assert_null(quic_version_name(QUIC_VERSION_NEGOTIATION));
}

/* ---- A.1: keys ------------------------------------------------------------------ */

struct key_row {
    uint32_t version;
    bool server;
    bool ok;
    const char *key, *iv, *hp;
};

static const struct key_row key_rows[] = {
    /* RFC 9001 A.1 */
    {QUIC_VERSION_1, false, true, "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c",
     "9f50449e04a0e810283a1e9933adedd2"},
    {QUIC_VERSION_1, true, true, "cf3a5331653c364c88f0f379b6067e37", "0ac1493ca1905853b0bba03e",
     "c206b8d9b9f0f37644430b490eeaa314"},
    /* RFC 9369 A.1 */
    {QUIC_VERSION_2, false, true, "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f",
     "45b95e15235d6f45a6b19cbcb0294ba9"},
    {QUIC_VERSION_2, true, true, "82db637861d55e1d011f19ea71d5d2a7", "dd13c276499c0249d3310652",
     "edf6d05c83121201b436e16877593c3a"},
    /* no keys for versions we do not know */
    {0x1a2a3a4a, false, false, NULL, NULL, NULL},
    {QUIC_VERSION_NEGOTIATION, false, false, NULL, NULL, NULL},
    {0, false, false, NULL, NULL, NULL}, /* sentinel: key == NULL and version 0 */
};

static void test_keys(void **state)
{
    (void)state;
    for (const struct key_row *r = key_rows; r->key || r->version; r++) {
        struct quic_key_set ks;
        uint8_t want[16];
        memset(&ks, 0xee, sizeof ks);
        bool ok = quic_initial_keys(r->version, rfc_dcid, sizeof rfc_dcid, r->server, &ks);
        assert_int_equal(ok, r->ok);
        if (!ok) {
            for (size_t i = 0; i < sizeof ks.key; i++)
                assert_int_equal(ks.key[i], 0xee); /* not written on failure */
            continue;
        }
        assert_int_equal(unhex(r->key, want, sizeof want), 16);
        assert_memory_equal(ks.key, want, 16);
        assert_int_equal(unhex(r->iv, want, sizeof want), 12);
        assert_memory_equal(ks.iv, want, 12);
        assert_int_equal(unhex(r->hp, want, sizeof want), 16);
        assert_memory_equal(ks.hp, want, 16);
    }
    /* a Retry may choose a zero-length connection ID */
    struct quic_key_set ks;
    assert_true(quic_initial_keys(QUIC_VERSION_1, NULL, 0, false, &ks));
}

/* ---- A.2, A.3: decrypting and sealing the RFC packets ---------------------------- */

struct vector_row {
    const char *name;
    uint32_t version;
    const char *client;   /* A.2 protected packet */
    const char *server;   /* A.3 protected packet */
    const char *retry;    /* A.4 */
    uint8_t client_first; /* unprotected first bytes */
    uint8_t server_first;
};

static const struct vector_row vector_rows[] = {
    {"RFC 9001", QUIC_VERSION_1, v1_a2_hex, v1_a3_hex, v1_a4_hex, 0xc3, 0xc1},
    {"RFC 9369", QUIC_VERSION_2, v2_a2_hex, v2_a3_hex, v2_a4_hex, 0xd3, 0xd1},
    {NULL, 0, NULL, NULL, NULL, 0, 0},
};

static const uint8_t a3_scid[8] = {0xf0, 0x67, 0xa5, 0x50, 0x2a, 0x42, 0x62, 0xb5};

static void test_rfc_client_initial(void **state)
{
    (void)state;
    for (const struct vector_row *r = vector_rows; r->name; r++) {
        struct quic_flow f;
        uint8_t crypto[512];
        size_t crypto_len = unhex(a2_crypto_hex, crypto, sizeof crypto);
        quic_flow_init(&f);
        assert_int_equal(feed_hex(&f, false, r->client), PARSE_OK);
        assert_int_equal(f.version, r->version);
        assert_int_equal(f.client_initials, 1);
        assert_int_equal(total_drops(&f), 0);
        /* the CRYPTO payload, byte for byte: frame type, offset 0, length 241 */
        assert_int_equal(crypto_len, 4 + 241);
        assert_int_equal(f.in.n_ranges, 1);
        assert_int_equal(f.in.ranges[0].start, 0);
        assert_int_equal(f.in.ranges[0].end, 241);
        assert_memory_equal(f.in.crypto, crypto + 4, 241);
        assert_sni(&f, "example.com");
        assert_int_equal(f.n_hellos, 1);
        assert_true(f.hello.has_alpn);
        assert_int_equal(f.hello.alpn_len, 4);
        assert_memory_equal(f.hello.alpn, "alpn", 4);
        assert_false(f.hello.has_ech);
        assert_true(f.hello.supports_tls13);
        assert_false(quic_flow_reached(&f));
        quic_flow_finish(&f);
    }
}

static void test_rfc_seal(void **state)
{
    (void)state;
    for (const struct vector_row *r = vector_rows; r->name; r++) {
        uint8_t frames[1162], want[1300], got[1300];
        size_t n;
        /* A.2: the CRYPTO frame, PADDING to 1162 bytes, packet number 2 in 4 bytes */
        memset(frames, 0, sizeof frames);
        (void)unhex(a2_crypto_hex, frames, sizeof frames);
        struct quic_seal c = {.version = r->version,
                              .key_dcid = rfc_dcid,
                              .key_dcid_len = sizeof rfc_dcid,
                              .dcid = rfc_dcid,
                              .dcid_len = sizeof rfc_dcid,
                              .pn = 2,
                              .pn_len = 4};
        n = quic_seal_initial(&c, frames, sizeof frames, got, sizeof got);
        assert_int_equal(n, 1200);
        assert_int_equal(unhex(r->client, want, sizeof want), 1200);
        assert_memory_equal(got, want, 1200);
        /* one byte short of room: nothing */
        assert_int_equal(quic_seal_initial(&c, frames, sizeof frames, got, 1199), 0);

        /* A.3: the server's payload, packet number 1 in 2 bytes */
        size_t plen = unhex(a3_payload_hex, frames, sizeof frames);
        struct quic_seal s = {.version = r->version,
                              .server = true,
                              .key_dcid = rfc_dcid,
                              .key_dcid_len = sizeof rfc_dcid,
                              .scid = a3_scid,
                              .scid_len = sizeof a3_scid,
                              .pn = 1,
                              .pn_len = 2};
        n = quic_seal_initial(&s, frames, plen, got, sizeof got);
        assert_int_equal(n, 135);
        assert_int_equal(unhex(r->server, want, sizeof want), 135);
        assert_memory_equal(got, want, 135);
    }
    /* out of range */
    uint8_t out[64], one = 1;
    struct quic_seal bad = {.version = 0x1a2a3a4a, .pn_len = 1};
    assert_int_equal(quic_seal_initial(&bad, &one, 1, out, sizeof out), 0);
    bad.version = QUIC_VERSION_1;
    bad.pn_len = 5;
    assert_int_equal(quic_seal_initial(&bad, &one, 1, out, sizeof out), 0);
    bad.pn_len = 1; /* 1 + 1 < 4: no room for the sample */
    assert_int_equal(quic_seal_initial(&bad, &one, 1, out, sizeof out), 0);
}

static void test_rfc_server_initial(void **state)
{
    (void)state;
    for (const struct vector_row *r = vector_rows; r->name; r++) {
        struct quic_flow f;
        quic_flow_init(&f);
        /* the server's Initial alone: plausible, but no keys yet */
        assert_int_equal(feed_hex(&f, true, r->server), PARSE_OK);
        assert_int_equal(f.server_initials, 1);
        assert_int_equal(f.server_decrypted, 0);
        assert_int_equal(f.drops[QUIC_DROP_NO_KEYS], 1);
        assert_true(quic_flow_reached(&f));
        quic_flow_finish(&f);

        quic_flow_init(&f);
        assert_int_equal(feed_hex(&f, false, r->client), PARSE_OK);
        assert_int_equal(feed_hex(&f, true, r->server), PARSE_OK);
        assert_int_equal(f.server_initials, 1);
        assert_int_equal(f.server_decrypted, 1);
        assert_true(f.server_hello);
        assert_true(quic_flow_reached(&f));
        assert_int_equal(total_drops(&f), 0);
        quic_flow_finish(&f);
    }
}

/* ---- A.4: Retry ------------------------------------------------------------------ */

static void test_rfc_retry(void **state)
{
    (void)state;
    for (const struct vector_row *r = vector_rows; r->name; r++) {
        struct quic_flow f;
        uint8_t retry[64];
        size_t n = unhex(r->retry, retry, sizeof retry);

        /* good: the keys now come from the Retry's SCID */
        quic_flow_init(&f);
        assert_int_equal(feed_hex(&f, false, r->client), PARSE_OK);
        assert_int_equal(feed(&f, true, retry, n), PARSE_OK);
        assert_int_equal(f.retries, 1);
        assert_int_equal(f.in.key_dcid_len, 8);
        assert_memory_equal(f.in.key_dcid, a3_scid, 8);
        assert_false(quic_flow_reached(&f)); /* a Retry is not an answer */
        /* a second Retry is refused (RFC 9000 §17.2.5.2) */
        assert_int_equal(feed(&f, true, retry, n), PARSE_OK);
        assert_int_equal(f.retries, 1);
        assert_int_equal(f.drops[QUIC_DROP_RETRY_BAD], 1);
        quic_flow_finish(&f);

        /* a tag that does not verify, for each byte of it */
        for (size_t i = n - 16; i < n; i++) {
            quic_flow_init(&f);
            assert_int_equal(feed_hex(&f, false, r->client), PARSE_OK);
            retry[i] ^= 0x01;
            assert_int_equal(feed(&f, true, retry, n), PARSE_OK);
            retry[i] ^= 0x01;
            assert_int_equal(f.retries, 0);
            assert_int_equal(f.drops[QUIC_DROP_RETRY_BAD], 1);
            assert_memory_equal(f.in.key_dcid, rfc_dcid, 8);
            quic_flow_finish(&f);
        }
        /* after a server Initial the client discards any Retry */
        quic_flow_init(&f);
        assert_int_equal(feed_hex(&f, false, r->client), PARSE_OK);
        assert_int_equal(feed_hex(&f, true, r->server), PARSE_OK);
        assert_int_equal(feed(&f, true, retry, n), PARSE_OK);
        assert_int_equal(f.retries, 0);
        assert_int_equal(f.drops[QUIC_DROP_RETRY_BAD], 1);
        quic_flow_finish(&f);
        /* cut: not even a tag */
        quic_flow_init(&f);
        assert_int_equal(feed_hex(&f, false, r->client), PARSE_OK);
        assert_int_equal(feed(&f, true, retry, 15 + 6 + 8), PARSE_MALFORMED);
        assert_int_equal(f.retries, 0);
        quic_flow_finish(&f);
    }
}

/* After a Retry the client's Initials carry the Retry's SCID as DCID and
 * keys from it; the packet numbers go on. */
static void test_retry_then_initial(void **state)
{
    (void)state;
    struct quic_flow f;
    struct bld ch = {.n = 0}, fr = {.n = 0}, d = {.n = 0};
    uint8_t retry[64];
    size_t n = unhex(v1_a4_hex, retry, sizeof retry);
    struct conn c = {
        .version = QUIC_VERSION_1, .key_dcid_len = 8, .dcid_len = 8, .pn = 3, .pn_len = 1};

    memcpy(c.key_dcid, a3_scid, 8);
    memcpy(c.dcid, a3_scid, 8);
    client_hello(&ch, "after.retry.example", 0);
    frame_crypto(&fr, 0, ch.b, ch.n);
    frame_padding(&fr, 900);
    seal(&d, &c, false, &fr);

    quic_flow_init(&f);
    assert_int_equal(feed_hex(&f, false, v1_a2_hex), PARSE_OK);
    assert_int_equal(feed(&f, true, retry, n), PARSE_OK);
    assert_int_equal(f.retries, 1);
    assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
    assert_int_equal(f.client_initials, 2);
    /* the hello of the first attempt stays; the stream after a Retry
     * carries the same ClientHello, so it is not read twice */
    assert_int_equal(f.n_hellos, 1);
    assert_sni(&f, "example.com");
    quic_flow_finish(&f);
}

/* ---- reassembly ------------------------------------------------------------------ */

/* A ClientHello over two Initial packets, CRYPTO frames cut in pieces and
 * shuffled across both, with PING and PADDING between (Chrome's "chaos
 * protection"); the second packet also carries an ACK. */
static void test_split_shuffled(void **state)
{
    (void)state;
    struct bld ch = {.n = 0};
    client_hello(&ch, "split.example", 1500);
    assert_true(ch.n > 1500);

    /* 9 pieces */
    size_t cut[10] = {0};
    for (int i = 1; i < 9; i++)
        cut[i] = ch.n * (size_t)i / 9 + (size_t)(i * 13 % 7);
    cut[9] = ch.n;
    static const int p1[] = {7, 2, 5, 0, -1};
    static const int p2[] = {3, 8, 1, 6, 4, -1};
    const int *packets[2] = {p1, p2};

    for (int order = 0; order < 2; order++) {
        struct quic_flow f;
        struct conn c = conn_v1;
        quic_flow_init(&f);
        for (int k = 0; k < 2; k++) {
            const int *pk = packets[order ? 1 - k : k];
            struct bld fr = {.n = 0}, d = {.n = 0};
            if (k == 1) {
                static const uint8_t ack[] = {0x02, 0x00, 0x00, 0x00, 0x00};
                put(&fr, ack, sizeof ack);
            }
            for (int j = 0; pk[j] >= 0; j++) {
                int i = pk[j];
                frame_crypto(&fr, cut[i], ch.b + cut[i], cut[i + 1] - cut[i]);
                put_u8(&fr, 0x01); /* PING */
                frame_padding(&fr, (size_t)j);
            }
            frame_padding(&fr, 40);
            seal(&d, &c, false, &fr);
            assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
            check_ranges(&f);
            if (k == 0)
                assert_false(f.has_hello);
        }
        assert_int_equal(f.client_initials, 2);
        assert_int_equal(total_drops(&f), 0);
        assert_sni(&f, "split.example");
        assert_int_equal(f.n_hellos, 1);
        quic_flow_finish(&f);
    }
}

struct piece {
    uint32_t off, len;
    uint8_t fill; /* 0: the hello's own bytes; else this byte */
};

struct overlap_row {
    const char *name;
    struct piece p[8]; /* ends at len == 0 */
    bool hello;
    unsigned n_ranges;
};

/* the hello used below is HLEN bytes long */
#define HLEN 600u
static const struct overlap_row overlap_rows[] = {
    {"one piece", {{0, HLEN, 0}}, true, 1},
    {"two overlapping", {{0, 400, 0}, {300, HLEN - 300, 0}}, true, 1},
    {"contained", {{0, HLEN, 0}, {100, 50, 0}}, true, 1},
    {"containing after pieces", {{100, 50, 0}, {300, 10, 0}, {0, HLEN, 0}}, true, 1},
    {"adjacent", {{200, 100, 0}, {0, 200, 0}, {300, HLEN - 300, 0}}, true, 1},
    {"retransmitted twice",
     {{0, 300, 0}, {0, 300, 0}, {300, HLEN - 300, 0}, {0, HLEN, 0}},
     true,
     1},
    /* the first copy of a byte stays: later garbage does not overwrite */
    {"garbage after", {{0, HLEN, 0}, {50, 100, 0xff}}, true, 1},
    {"garbage first", {{50, 100, 0xff}, {0, HLEN, 0}}, false, 1},
    {"a gap", {{0, 100, 0}, {101, HLEN - 101, 0}}, false, 2},
    {"tail only", {{300, HLEN - 300, 0}}, false, 1},
    {"beyond the hello", {{HLEN + 10, 5, 0xaa}, {0, HLEN, 0}}, true, 2},
    {"beyond, then a gap", {{HLEN + 10, 5, 0xaa}, {0, 100, 0}, {200, 10, 0}}, false, 3},
    {NULL, {{0, 0, 0}}, false, 0},
};

static void test_overlap(void **state)
{
    (void)state;
    struct bld ch = {.n = 0}, probe = {.n = 0};
    client_hello(&probe, "overlap.example", 0);
    client_hello(&ch, "overlap.example", HLEN - probe.n - 4); /* 4: the extension's header */
    assert_int_equal(ch.n, HLEN);
    uint8_t stream[HLEN + 100];
    memset(stream, 0, sizeof stream);
    memcpy(stream, ch.b, ch.n);

    for (const struct overlap_row *r = overlap_rows; r->name; r++) {
        struct quic_flow f;
        struct conn c = conn_v1;
        quic_flow_init(&f);
        for (const struct piece *p = r->p; p->len; p++) {
            struct bld fr = {.n = 0}, d = {.n = 0};
            uint8_t data[HLEN + 100];
            if (p->fill)
                memset(data, p->fill, p->len);
            else
                memcpy(data, stream + p->off, p->len);
            frame_crypto(&fr, p->off, data, p->len);
            frame_padding(&fr, 20);
            seal(&d, &c, false, &fr);
            assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
            check_ranges(&f);
        }
        if (r->hello != f.has_hello)
            fail_msg("%s: hello %d", r->name, f.has_hello);
        if (r->hello)
            assert_sni(&f, "overlap.example");
        if (!f.in.crypto_done && f.in.n_ranges != r->n_ranges)
            fail_msg("%s: %u ranges", r->name, f.in.n_ranges);
        quic_flow_finish(&f);
    }
}

/* ---- hostile CRYPTO frames --------------------------------------------------------- */

struct hostile_row {
    const char *name;
    uint64_t off;
    uint64_t len;        /* the Length field */
    size_t data;         /* bytes that actually follow */
    unsigned len_width;  /* varint width of Length (0: shortest) */
    enum quic_drop drop; /* the one drop counted (QUIC_DROP__COUNT: none) */
    unsigned n_ranges;
};

static const struct hostile_row hostile_rows[] = {
    {"2^62-1 offset", ((uint64_t)1 << 62) - 1, 1, 1, 0, QUIC_DROP_FRAME_MALFORMED, 0},
    {"2^62-2 offset", ((uint64_t)1 << 62) - 2, 1, 1, 0, QUIC_DROP_CRYPTO_CAP, 0},
    {"offset+len past 2^62-1", ((uint64_t)1 << 62) - 10, 11, 11, 0, QUIC_DROP_FRAME_MALFORMED, 0},
    {"at the cap", QUIC_CRYPTO_MAX, 1, 1, 0, QUIC_DROP_CRYPTO_CAP, 0},
    {"across the cap", QUIC_CRYPTO_MAX - 1, 2, 2, 0, QUIC_DROP_CRYPTO_CAP, 1},
    {"just below the cap", QUIC_CRYPTO_MAX - 2, 2, 2, 0, QUIC_DROP__COUNT, 1},
    {"length 0", 5, 0, 0, 0, QUIC_DROP__COUNT, 0},
    {"length 1", 5, 1, 1, 0, QUIC_DROP__COUNT, 1},
    {"length past the packet by one", 0, 30, 29, 0, QUIC_DROP_FRAME_MALFORMED, 0},
    {"length 0xffff", 0, 0xffff, 29, 0, QUIC_DROP_FRAME_MALFORMED, 0},
    {"length 2^62-1", 0, ((uint64_t)1 << 62) - 1, 29, 8, QUIC_DROP_FRAME_MALFORMED, 0},
    {"length in 8 bytes", 7, 3, 3, 8, QUIC_DROP__COUNT, 1},
    {NULL, 0, 0, 0, 0, QUIC_DROP__COUNT, 0},
};

static void test_hostile_crypto(void **state)
{
    (void)state;
    for (const struct hostile_row *r = hostile_rows; r->name; r++) {
        struct quic_flow f;
        struct conn c = conn_v1;
        struct bld fr = {.n = 0}, d = {.n = 0};
        quic_flow_init(&f);
        put_u8(&fr, 0x06);
        put_varint(&fr, r->off);
        put_varint_w(&fr, r->len, r->len_width);
        for (size_t i = 0; i < r->data; i++)
            put_u8(&fr, 0x41);
        frame_padding(&fr, r->data < 20 ? 20 - r->data : 0);
        seal(&d, &c, false, &fr);
        assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
        assert_int_equal(f.client_initials, 1);
        check_ranges(&f);
        for (int i = 0; i < QUIC_DROP__COUNT; i++)
            if (f.drops[i] != (i == (int)r->drop))
                fail_msg("%s: drops[%s] = %u", r->name, quic_drop_name((enum quic_drop)i),
                         f.drops[i]);
        if (f.in.n_ranges != r->n_ranges)
            fail_msg("%s: %u ranges", r->name, f.in.n_ranges);
        quic_flow_finish(&f);
    }
}

/* More disjoint pieces than ranges: the extra frames are dropped whole. */
static void test_too_many_ranges(void **state)
{
    (void)state;
    struct quic_flow f;
    struct conn c = conn_v1;
    struct bld fr = {.n = 0}, d = {.n = 0};
    uint8_t x = 0x16;
    quic_flow_init(&f);
    for (unsigned i = 0; i < QUIC_CRYPTO_RANGES + 5; i++)
        frame_crypto(&fr, 10 + 2 * i, &x, 1);
    seal(&d, &c, false, &fr);
    assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
    check_ranges(&f);
    assert_int_equal(f.in.n_ranges, QUIC_CRYPTO_RANGES);
    assert_int_equal(f.drops[QUIC_DROP_CRYPTO_RANGES], 5);
    /* one frame that bridges them all still fits */
    struct bld fr2 = {.n = 0}, d2 = {.n = 0};
    uint8_t fill[200];
    memset(fill, 0x16, sizeof fill);
    frame_crypto(&fr2, 5, fill, sizeof fill);
    seal(&d2, &c, false, &fr2);
    assert_int_equal(feed(&f, false, d2.b, d2.n), PARSE_OK);
    assert_int_equal(f.in.n_ranges, 1);
    quic_flow_finish(&f);
}

struct hello_row {
    const char *name;
    uint8_t head[4]; /* handshake header replacing the hello's */
    bool has_hello;
    enum quic_drop drop;
};

static const struct hello_row hello_rows[] = {
    {"good", {0, 0, 0, 0}, true, QUIC_DROP__COUNT},
    {"server hello", {2, 0, 0, 0}, false, QUIC_DROP_HELLO_NOT_CH},
    {"length 0xffffff", {1, 0xff, 0xff, 0xff}, false, QUIC_DROP_HELLO_TOO_BIG},
    {"length cap-3",
     {1, (QUIC_CRYPTO_MAX - 3) >> 16, ((QUIC_CRYPTO_MAX - 3) >> 8) & 0xff,
      (QUIC_CRYPTO_MAX - 3) & 0xff},
     false,
     QUIC_DROP_HELLO_TOO_BIG},
    {"length 3", {1, 0, 0, 3}, false, QUIC_DROP_HELLO_MALFORMED},
    {NULL, {0, 0, 0, 0}, false, QUIC_DROP__COUNT},
};

static void test_hello_header(void **state)
{
    (void)state;
    for (const struct hello_row *r = hello_rows; r->name; r++) {
        struct quic_flow f;
        struct conn c = conn_v1;
        struct bld ch = {.n = 0}, fr = {.n = 0}, d = {.n = 0};
        client_hello(&ch, "h.example", 0);
        if (r->head[0])
            memcpy(ch.b, r->head, 4);
        frame_crypto(&fr, 0, ch.b, ch.n);
        seal(&d, &c, false, &fr);
        quic_flow_init(&f);
        assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
        assert_int_equal(f.has_hello, r->has_hello);
        for (int i = 0; i < QUIC_DROP__COUNT; i++)
            if (f.drops[i] != (i == (int)r->drop))
                fail_msg("%s: drops[%s] = %u", r->name, quic_drop_name((enum quic_drop)i),
                         f.drops[i]);
        if (r->drop == QUIC_DROP_HELLO_MALFORMED)
            assert_non_null(f.hello_reason);
        quic_flow_finish(&f);
    }
}

/* ---- frames ------------------------------------------------------------------------ */

struct frame_row {
    const char *name;
    const char *hex; /* frames before a CRYPTO frame with the whole hello */
    bool after;      /* put them after the CRYPTO frame instead */
    bool has_hello;
    enum quic_drop drop;
    bool client_close;
    uint64_t close_error;
};

static const struct frame_row frame_rows[] = {
    {"padding, ping", "0000000001", false, true, QUIC_DROP__COUNT, false, 0},
    /* ACK: largest 5, delay 0, 2 ranges, first 1, (gap 0, len 1) x2 */
    {"ack with ranges", "0205000201 00010001", false, true, QUIC_DROP__COUNT, false, 0},
    /* ACK_ECN: no ranges, counts 1 2 3 */
    {"ack ecn", "030a0000 00010203", false, true, QUIC_DROP__COUNT, false, 0},
    {"ack ecn cut", "030a0000000102", true, true, QUIC_DROP_FRAME_MALFORMED, false, 0},
    {"ack range count huge", "0205008fffffff00", false, false, QUIC_DROP_FRAME_MALFORMED, false, 0},
    {"ack 2-byte type", "4002 00000000", false, true, QUIC_DROP__COUNT, false, 0},
    /* CONNECTION_CLOSE 0x1c: error 0x0a, frame type 0x06, reason "bad" */
    {"close transport", "1c0a0603626164", true, true, QUIC_DROP__COUNT, true, 0x0a},
    {"close application", "1d4123 00", true, true, QUIC_DROP__COUNT, true, 0x0123},
    {"close reason past end", "1c0a0640ff61", true, true, QUIC_DROP_FRAME_MALFORMED, false, 0},
    /* STREAM (0x08) is not allowed in an Initial: the packet ends, the
     * CRYPTO data already taken stays */
    {"unknown after crypto", "0800", true, true, QUIC_DROP_FRAME_UNKNOWN, false, 0},
    {"unknown before crypto", "0800", false, false, QUIC_DROP_FRAME_UNKNOWN, false, 0},
    {"unknown big type", "ffffffffffffffff", false, false, QUIC_DROP_FRAME_UNKNOWN, false, 0},
    {"type varint cut", "40", true, true, QUIC_DROP_FRAME_MALFORMED, false, 0},
    {NULL, NULL, false, false, QUIC_DROP__COUNT, false, 0},
};

static void test_frames(void **state)
{
    (void)state;
    for (const struct frame_row *r = frame_rows; r->name; r++) {
        struct quic_flow f;
        struct conn c = conn_v1;
        struct bld ch = {.n = 0}, fr = {.n = 0}, d = {.n = 0};
        uint8_t extra[64];
        size_t n = unhex(r->hex, extra, sizeof extra);
        client_hello(&ch, "frames.example", 0);
        if (!r->after)
            put(&fr, extra, n);
        frame_crypto(&fr, 0, ch.b, ch.n);
        if (r->after)
            put(&fr, extra, n);
        seal(&d, &c, false, &fr);
        quic_flow_init(&f);
        assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
        if (f.has_hello != r->has_hello)
            fail_msg("%s: hello %d", r->name, f.has_hello);
        for (int i = 0; i < QUIC_DROP__COUNT; i++)
            if (f.drops[i] != (i == (int)r->drop))
                fail_msg("%s: drops[%s] = %u", r->name, quic_drop_name((enum quic_drop)i),
                         f.drops[i]);
        assert_int_equal(f.client_close, r->client_close);
        if (r->client_close)
            assert_int_equal(f.close_error, r->close_error);
        if (r->drop == QUIC_DROP_FRAME_UNKNOWN)
            assert_int_equal(f.last_unknown_frame, extra[0] == 0x08 ? 0x08 : 0x3fffffffffffffff);
        quic_flow_finish(&f);
    }
}

/* An unknown frame between two halves of the hello in one packet loses the
 * second half; a retransmission in a later packet completes it. */
static void test_unknown_frame_keeps_crypto(void **state)
{
    (void)state;
    struct quic_flow f;
    struct conn c = conn_v1;
    struct bld ch = {.n = 0}, fr = {.n = 0}, d = {.n = 0};
    client_hello(&ch, "keep.example", 300);
    size_t half = ch.n / 2;
    frame_crypto(&fr, 0, ch.b, half);
    put_u8(&fr, 0x10); /* MAX_DATA */
    frame_crypto(&fr, half, ch.b + half, ch.n - half);
    seal(&d, &c, false, &fr);
    quic_flow_init(&f);
    assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
    assert_false(f.has_hello);
    assert_int_equal(f.drops[QUIC_DROP_FRAME_UNKNOWN], 1);
    assert_int_equal(f.last_unknown_frame, 0x10);
    assert_int_equal(f.in.n_ranges, 1);
    assert_int_equal(f.in.ranges[0].end, half);

    struct bld fr2 = {.n = 0}, d2 = {.n = 0};
    frame_crypto(&fr2, half, ch.b + half, ch.n - half);
    seal(&d2, &c, false, &fr2);
    assert_int_equal(feed(&f, false, d2.b, d2.n), PARSE_OK);
    assert_sni(&f, "keep.example");
    quic_flow_finish(&f);
}

/* ---- coalesced packets, keys that stay, connection attempts ------------------------- */

/* A long header packet of `type_bits` to dcid (4 bytes; NULL: 05060708),
 * with a Length and a junk payload. */
static void long_packet(struct bld *d, unsigned type_bits, uint32_t version, const uint8_t *dcid,
                        size_t payload)
{
    put_u8(d, 0xc0 | type_bits << 4);
    put_u8(d, version >> 24 & 0xff);
    put_u8(d, version >> 16 & 0xff);
    put_u8(d, version >> 8 & 0xff);
    put_u8(d, version & 0xff);
    put_u8(d, 4);
    put(d, dcid ? dcid : (const uint8_t *)"\x05\x06\x07\x08", 4);
    put_u8(d, 0);
    if ((type_bits == 0 && version == QUIC_VERSION_1) ||
        (type_bits == 1 && version == QUIC_VERSION_2))
        put_u8(d, 0); /* an Initial's token length */
    put_varint(d, payload);
    for (size_t i = 0; i < payload; i++)
        put_u8(d, 0x5a);
}

static void test_coalesced(void **state)
{
    (void)state;
    struct quic_flow f;
    struct conn c = conn_v1;
    struct bld ch = {.n = 0}, fr = {.n = 0}, d = {.n = 0};
    client_hello(&ch, "coalesced.example", 0);
    frame_crypto(&fr, 0, ch.b, ch.n);
    /* Handshake, Initial, 0-RTT, Handshake, then a short header packet */
    long_packet(&d, 2, QUIC_VERSION_1, NULL, 40);
    seal(&d, &c, false, &fr);
    long_packet(&d, 1, QUIC_VERSION_1, NULL, 30);
    long_packet(&d, 2, QUIC_VERSION_1, NULL, 64);
    put(&d, "\x41\x01\x02\x03\x04\x05", 6);
    quic_flow_init(&f);
    assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
    assert_int_equal(f.client_initials, 1);
    assert_int_equal(f.client_other, 3);
    assert_int_equal(f.client_short, 1);
    assert_sni(&f, "coalesced.example");
    assert_int_equal(total_drops(&f), 0);

    /* server: Initial and Handshake coalesced: reached */
    struct bld sfr = {.n = 0}, sd = {.n = 0};
    frame_padding(&sfr, 30);
    seal(&sd, &c, true, &sfr);
    long_packet(&sd, 2, QUIC_VERSION_1, c.scid, 50); /* to the client's SCID */
    assert_int_equal(feed(&f, true, sd.b, sd.n), PARSE_OK);
    assert_int_equal(f.server_initials, 1);
    assert_int_equal(f.server_decrypted, 1);
    assert_int_equal(f.server_handshakes, 1);
    assert_true(quic_flow_reached(&f));
    quic_flow_finish(&f);
}

/* Later client Initials go to the server's CID: the keys from the first
 * DCID stay (nDPI #2278). Packet numbers decode against the largest seen
 * (RFC 9000 §A.3's example: 0xa82f30ea, then 0x9b32 in 2 bytes). */
static void test_keys_stay(void **state)
{
    (void)state;
    struct quic_flow f;
    struct conn c = conn_v1;
    struct bld ch = {.n = 0};
    client_hello(&ch, "stay.example", 400);
    size_t half = ch.n / 2;

    quic_flow_init(&f);
    struct bld fr = {.n = 0}, d = {.n = 0};
    frame_crypto(&fr, 0, ch.b, half);
    c.pn = 0xa82f30ea;
    c.pn_len = 4;
    seal(&d, &c, false, &fr);
    assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);

    struct bld fr2 = {.n = 0}, d2 = {.n = 0};
    memcpy(c.dcid, "\x99\x98\x97\x96\x95", 5); /* the server's CID */
    c.dcid_len = 5;
    c.pn = 0xa82f9b32;
    c.pn_len = 2;
    frame_crypto(&fr2, half, ch.b + half, ch.n - half);
    seal(&d2, &c, false, &fr2);
    assert_int_equal(feed(&f, false, d2.b, d2.n), PARSE_OK);
    assert_int_equal(f.client_initials, 2);
    assert_int_equal(total_drops(&f), 0);
    assert_memory_equal(f.in.key_dcid, conn_v1.key_dcid, 8);
    assert_sni(&f, "stay.example");
    assert_int_equal(f.in.client.largest_pn, 0xa82f9b32);
    quic_flow_finish(&f);
}

/* A second connection on the same addresses: a new DCID and keys from it. */
static void test_new_attempt(void **state)
{
    (void)state;
    struct quic_flow f;
    struct conn c1 = conn_v1, c2 = conn_v1;
    const char *names[2] = {"first.example", "second.example"};
    c2.key_dcid[0] = c2.dcid[0] = 0x77;
    c2.scid[0] = 0x33;
    quic_flow_init(&f);
    for (int i = 0; i < 2; i++) {
        struct bld ch = {.n = 0}, fr = {.n = 0}, d = {.n = 0};
        client_hello(&ch, names[i], 0);
        frame_crypto(&fr, 0, ch.b, ch.n);
        seal(&d, i ? &c2 : &c1, false, &fr);
        assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
        assert_int_equal(f.n_hellos, (uint32_t)i + 1);
        assert_sni(&f, names[i]);
    }
    assert_int_equal(total_drops(&f), 0);
    /* garbage with yet another DCID: both keys fail, the flow keeps c2's */
    struct bld d = {.n = 0};
    long_packet(&d, 0, QUIC_VERSION_1, NULL, 60);
    assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
    assert_int_equal(f.drops[QUIC_DROP_DECRYPT], 1);
    assert_int_equal(f.in.key_dcid[0], 0x77);
    /* its DCID is remembered: a retransmission costs no key derivation */
    assert_true(f.in.have_tried);
    assert_int_equal(f.in.tried_dcid_len, 4);
    assert_memory_equal(f.in.tried_dcid, "\x05\x06\x07\x08", 4);
    assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
    assert_int_equal(f.drops[QUIC_DROP_DECRYPT], 2);
    /* and c2's Initials still open */
    struct bld fr = {.n = 0}, d2 = {.n = 0};
    frame_padding(&fr, 30);
    seal(&d2, &c2, false, &fr);
    assert_int_equal(feed(&f, false, d2.b, d2.n), PARSE_OK);
    assert_int_equal(f.client_initials, 3);
    quic_flow_finish(&f);
}

/* ---- versions -------------------------------------------------------------------- */

struct version_row {
    uint32_t version;
    uint32_t then; /* a second Initial in this version (compatible negotiation); 0: none */
};

static const struct version_row version_rows[] = {
    {QUIC_VERSION_1, 0},
    {QUIC_VERSION_2, 0},
    {0xff00001d, 0},
    {0xff00001b, 0},
    {0xff000017, 0},
    {0xff000020, 0},
    {QUIC_VERSION_1, QUIC_VERSION_2},
    {0, 0},
};

static void test_versions(void **state)
{
    (void)state;
    for (const struct version_row *r = version_rows; r->version; r++) {
        struct quic_flow f;
        struct conn c = conn_v1;
        struct bld ch = {.n = 0}, fr = {.n = 0}, d = {.n = 0};
        c.version = r->version;
        client_hello(&ch, "version.example", 200);
        size_t half = r->then ? ch.n / 2 : ch.n;
        frame_crypto(&fr, 0, ch.b, half);
        seal(&d, &c, false, &fr);
        quic_flow_init(&f);
        assert_int_equal(feed(&f, false, d.b, d.n), PARSE_OK);
        if (r->then) {
            struct bld fr2 = {.n = 0}, d2 = {.n = 0};
            c.version = r->then;
            frame_crypto(&fr2, half, ch.b + half, ch.n - half);
            seal(&d2, &c, false, &fr2);
            assert_int_equal(feed(&f, false, d2.b, d2.n), PARSE_OK);
        }
        assert_int_equal(f.version, r->then ? r->then : r->version);
        assert_false(f.unknown_version);
        assert_int_equal(total_drops(&f), 0);
        assert_sni(&f, "version.example");
        quic_flow_finish(&f);
    }
}

static void test_version_negotiation(void **state)
{
    (void)state;
    struct quic_flow f;
    quic_flow_init(&f);
    /* the client tries a version we cannot read (tcpdump's quic_vn.pcap) */
    struct bld d = {.n = 0};
    long_packet(&d, 0, 0x1a2a3a4a, NULL, 1100);
    assert_int_equal(feed(&f, false, d.b, d.n), PARSE_MALFORMED);
    assert_true(f.unknown_version);
    assert_int_equal(f.version, 0x1a2a3a4a);
    assert_int_equal(f.last_unknown_version, 0x1a2a3a4a);
    assert_int_equal(f.drops[QUIC_DROP_UNKNOWN_VERSION], 1);
    /* RFC 9000 §17.2.1: the server lists what it supports */
    static const char vn[] = "8a 00000000 04c1c2c3c4 080102030405060708"
                             "00000001 6b3343cf ff00001d";
    assert_int_equal(feed_hex(&f, true, vn), PARSE_OK);
    assert_true(f.saw_version_negotiation);
    assert_int_equal(f.n_vn_versions, 3);
    assert_int_equal(f.vn_versions[1], QUIC_VERSION_2);
    assert_false(quic_flow_reached(&f));
    /* then version 1 */
    struct conn c = conn_v1;
    struct bld ch = {.n = 0}, fr = {.n = 0}, d2 = {.n = 0};
    client_hello(&ch, "after.vn.example", 0);
    frame_crypto(&fr, 0, ch.b, ch.n);
    seal(&d2, &c, false, &fr);
    assert_int_equal(feed(&f, false, d2.b, d2.n), PARSE_OK);
    assert_int_equal(f.version, QUIC_VERSION_1);
    assert_true(f.unknown_version);
    assert_sni(&f, "after.vn.example");
    quic_flow_finish(&f);
}

/* ---- malformed headers ------------------------------------------------------------ */

struct header_row {
    const char *name;
    bool server;
    const char *hex;
    enum parse_result result;
    enum quic_drop drop; /* QUIC_DROP__COUNT: none */
};

static const struct header_row header_rows[] = {
    {"empty", false, "", PARSE_OK, QUIC_DROP__COUNT},
    {"one long byte", false, "c0", PARSE_INCOMPLETE, QUIC_DROP_TRUNCATED},
    {"version cut", false, "c0000000", PARSE_INCOMPLETE, QUIC_DROP_TRUNCATED},
    {"dcid past end", false, "c00000000109aabb", PARSE_INCOMPLETE, QUIC_DROP_TRUNCATED},
    {"dcid 21 bytes", false, "c00000000115 000102030405060708090a0b0c0d0e0f1011121314 00 00 01 00",
     PARSE_MALFORMED, QUIC_DROP_BAD_HEADER},
    {"token past end", false, "c000000001 00 00 4400 00", PARSE_INCOMPLETE, QUIC_DROP_TRUNCATED},
    {"length cut", false, "c000000001 00 00 00 40", PARSE_INCOMPLETE, QUIC_DROP_TRUNCATED},
    {"length past end", false, "c000000001 00 00 00 1e 0102", PARSE_INCOMPLETE,
     QUIC_DROP_TRUNCATED},
    {"too short for a sample", false, "c000000001 00 00 00 05 0102030405", PARSE_OK,
     QUIC_DROP_TOO_SHORT},
    {"retry from a client", false, "f000000001 00 00 000102030405060708090a0b0c0d0e0f10",
     PARSE_MALFORMED, QUIC_DROP_BAD_HEADER},
    {"version negotiation from a client", false, "80 00000000 00 00 00000001", PARSE_MALFORMED,
     QUIC_DROP_BAD_HEADER},
    {"unknown version", false, "c0 51303436 00 00 0000", PARSE_MALFORMED,
     QUIC_DROP_UNKNOWN_VERSION},
    {"short header", false, "4000", PARSE_OK, QUIC_DROP__COUNT},
    {"zero padding", false, "000000", PARSE_OK, QUIC_DROP__COUNT},
    {"server 0-RTT", true, "d000000001 00 00 14 000102030405060708090a0b0c0d0e0f10111213", PARSE_OK,
     QUIC_DROP_BAD_HEADER},
    {"server initial too short", true, "c000000001 00 00 00 05 0102030405", PARSE_OK,
     QUIC_DROP_TOO_SHORT},
    {"server unknown version", true, "c0 51303436 00 00", PARSE_MALFORMED,
     QUIC_DROP_UNKNOWN_VERSION},
    {"server retry without tag", true, "f000000001 00 04 01020304 aabbcc", PARSE_MALFORMED,
     QUIC_DROP_RETRY_BAD},
    {NULL, false, NULL, PARSE_OK, QUIC_DROP__COUNT},
};

static void test_headers(void **state)
{
    (void)state;
    for (const struct header_row *r = header_rows; r->name; r++) {
        struct quic_flow f;
        quic_flow_init(&f);
        enum parse_result got = feed_hex(&f, r->server, r->hex);
        if (got != r->result)
            fail_msg("%s: %s", r->name, parse_result_name(got));
        for (int i = 0; i < QUIC_DROP__COUNT; i++)
            if (f.drops[i] != (i == (int)r->drop))
                fail_msg("%s: drops[%s] = %u", r->name, quic_drop_name((enum quic_drop)i),
                         f.drops[i]);
        assert_false(f.has_hello);
        quic_flow_finish(&f);
    }
}

/* ---- truncation sweeps -------------------------------------------------------------- */

/* Every prefix of the RFC's client Initial, and of a datagram of two
 * coalesced packets: never a hello, never a crash past the guard page. */
static void test_truncated_client(void **state)
{
    (void)state;
    uint8_t pkt[1300];
    size_t n = unhex(v1_a2_hex, pkt, sizeof pkt);
    for (size_t len = 0; len < n; len++) {
        struct quic_flow f;
        quic_flow_init(&f);
        enum parse_result r = feed(&f, false, pkt, len);
        assert_true(r == PARSE_INCOMPLETE || (len == 0 && r == PARSE_OK));
        assert_false(f.has_hello);
        assert_int_equal(f.client_initials, 0);
        quic_flow_finish(&f);
    }

    struct conn c = conn_v1;
    struct bld ch = {.n = 0}, fr = {.n = 0}, d = {.n = 0};
    client_hello(&ch, "sweep.example", 0);
    frame_crypto(&fr, 0, ch.b, ch.n);
    seal(&d, &c, false, &fr);
    size_t first = d.n;
    long_packet(&d, 2, QUIC_VERSION_1, NULL, 50);
    for (size_t len = 0; len <= d.n; len++) {
        struct quic_flow f;
        quic_flow_init(&f);
        enum parse_result r = feed(&f, false, d.b, len);
        assert_int_equal(f.has_hello, len >= first);
        assert_int_equal(r, len == d.n || len == first || len == 0 ? PARSE_OK : PARSE_INCOMPLETE);
        quic_flow_finish(&f);
    }
}

/* Every prefix of the server's Initial: reached once its header is whole. */
static void test_truncated_server(void **state)
{
    (void)state;
    uint8_t pkt[200];
    size_t n = unhex(v1_a3_hex, pkt, sizeof pkt);
    const size_t header = 18; /* up to the Packet Number */
    for (size_t len = 0; len <= n; len++) {
        struct quic_flow f;
        quic_flow_init(&f);
        assert_int_equal(feed_hex(&f, false, v1_a2_hex), PARSE_OK);
        enum parse_result r = feed(&f, true, pkt, len);
        assert_int_equal(r, len == n || len == 0 ? PARSE_OK : PARSE_INCOMPLETE);
        assert_int_equal(quic_flow_reached(&f), len >= header);
        assert_int_equal(f.server_decrypted, len == n);
        quic_flow_finish(&f);
    }
}

/* Every single-bit flip of the protected client Initial: the AEAD or the
 * header parser refuses it, and nothing is read past the datagram. */
static void test_bit_flips(void **state)
{
    (void)state;
    uint8_t pkt[1300];
    size_t n = unhex(v1_a2_hex, pkt, sizeof pkt);
    for (size_t i = 0; i < n; i += 7) {
        for (unsigned bit = 0; bit < 8; bit += 3) {
            struct quic_flow f;
            pkt[i] ^= (uint8_t)(1u << bit);
            quic_flow_init(&f);
            (void)feed(&f, false, pkt, n);
            pkt[i] ^= (uint8_t)(1u << bit);
            check_ranges(&f);
            /* only the header's DCID and unprotected bits may change and
             * still open; the hello then is the same */
            if (f.has_hello)
                assert_sni(&f, "example.com");
            quic_flow_finish(&f);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_rfc_client_initial),
        cmocka_unit_test(test_rfc_seal),
        cmocka_unit_test(test_rfc_server_initial),
        cmocka_unit_test(test_rfc_retry),
        cmocka_unit_test(test_retry_then_initial),
        cmocka_unit_test(test_split_shuffled),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_hostile_crypto),
        cmocka_unit_test(test_too_many_ranges),
        cmocka_unit_test(test_hello_header),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_unknown_frame_keeps_crypto),
        cmocka_unit_test(test_coalesced),
        cmocka_unit_test(test_keys_stay),
        cmocka_unit_test(test_new_attempt),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_version_negotiation),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_truncated_client),
        cmocka_unit_test(test_truncated_server),
        cmocka_unit_test(test_bit_flips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
