/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Frame decoding. The first byte picks the link kind, modulo the number of
 * kinds plus one: LINK_ETHERNET .. LINK_PFLOG, and last decode_ip
 * (an IP datagram as defragmentation hands it back). The rest is the
 * frame. Every view in struct pkt must lie inside the frame and is read.
 */
#include "fuzz.h"

#include "decode.h"

#define N_LINK_KINDS ((unsigned)LINK_PFLOG - (unsigned)LINK_ETHERNET + 1u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned sel = data[0] % (N_LINK_KINDS + 1u);
    data++;
    size--;

    struct pkt p;
    memset(&p, 0, sizeof(p));
    enum decode_result r;
    if (sel < N_LINK_KINDS)
        r = decode_frame((enum link_kind)((unsigned)LINK_ETHERNET + sel), data, size, &p);
    else
        r = decode_ip(data, size, &p);

    fuzz_check_view(p.ip, p.ip ? p.ip_caplen : 0, data, size);
    fuzz_check_view(p.payload, p.payload ? p.payload_len : 0, data, size);
    if (r == DECODE_OK) {
        if (p.ipver != 4 && p.ipver != 6)
            abort();
        if (p.payload_len > size || p.ip_caplen > size)
            abort();
    }
    return 0;
}
