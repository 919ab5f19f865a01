/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench/floor.c: the floor of issue 12's benchmark -- the least any libpcap
 * reader can do with a capture: a bare pcap_next_ex() loop that touches
 * nothing but the record headers, counting packets and captured bytes.
 * egress-audit's times are given as ratios to this, measured in the same
 * run. Kept out of the meson build on purpose; bench/run.sh compiles it:
 *
 *     cc -O2 -o floor bench/floor.c -lpcap
 *     floor FILE...      prints "packets bytes" (captured bytes) on stdout
 */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    unsigned long long packets = 0, bytes = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: floor FILE...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        pcap_t *p = pcap_open_offline(argv[i], err);
        struct pcap_pkthdr *h;
        const unsigned char *data;
        int rc;

        if (p == NULL) {
            fprintf(stderr, "floor: cannot open '%s': %s\n", argv[i], err);
            return 2;
        }
        while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
            packets++;
            bytes += h->caplen;
        }
        if (rc == PCAP_ERROR) {
            fprintf(stderr, "floor: '%s': %s\n", argv[i], pcap_geterr(p));
            pcap_close(p);
            return 2;
        }
        pcap_close(p);
    }
    printf("%llu %llu\n", packets, bytes);
    return 0;
}
