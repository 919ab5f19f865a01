#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every cap has a counter (issue 12): captures made here overflow the DNS
attribution cache (65536 entries) and the IPv6 reassembly slots (256), and
the report counts what each dropped; attribution past the overflow still
resolves the newest connections. The counters are the same with -j 2."""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen as pg  # noqa: E402
from common import Failures, run  # noqa: E402

CLIENT, RESOLVER, V6C, V6S = "10.0.0.5", "10.0.0.53", "2001:db8::5", "2001:db8::80"
NAMES = 40000  # each answer is two cache entries (this client, and any client)
CACHE = 65536
DATAGRAMS = 300  # first fragments only, each a datagram waiting to be joined
SLOTS = 256


def server(i):
    return f"198.18.{i // 250}.{i % 250 + 1}"


def capture(path):
    cap = pg.Capture()
    for i in range(NAMES):
        name = f"h{i:05d}.caps.example"
        cap.add(pg.udp_packet(CLIENT, RESOLVER, 40000 + i % 20000, 53,
                              pg.dns_query(i & 0xffff, name)))
        cap.add(pg.udp_packet(RESOLVER, CLIENT, 53, 40000 + i % 20000,
                              pg.dns_response(i & 0xffff, name,
                                              answers=[("A", name, server(i), 60)])))
    # the last name's address, connected to after the cache overflowed
    cap.extend(pg.tls_connection(CLIENT, server(NAMES - 1), 50000, 443, None, close=True))
    for k in range(DATAGRAMS):
        payload = pg.udp(V6C, V6S, 30000, 9999, b"x" * 64)
        cap.add(pg.ipv6_fragments(V6C, V6S, 17, payload, 32, ident=0x1000 + k)[0])
    cap.write(path)


def main():
    f = Failures()
    tmp = tempfile.mkdtemp(prefix="ea-caps-")
    try:
        path = os.path.join(tmp, "caps.pcap")
        capture(path)
        reports = {}
        for jobs in ("1", "2"):
            rc, out, err = run("analyze", "-q", "-j", jobs, "-F", "json", path, timeout=300)
            f.check(rc == 0, f"-j {jobs}: exit {rc}: {err}")
            if rc != 0:
                continue
            rep = json.loads(out)
            reports[jobs] = out
            c = rep["stats"]["counters"]
            f.check(c["dns_cache_evicted"] == 2 * NAMES - CACHE,
                    f"-j {jobs}: dns_cache_evicted {c['dns_cache_evicted']}, "
                    f"want {2 * NAMES - CACHE}")
            f.check(c["ipv6_reassembly_dropped"] == DATAGRAMS - SLOTS,
                    f"-j {jobs}: ipv6_reassembly_dropped {c['ipv6_reassembly_dropped']}, "
                    f"want {DATAGRAMS - SLOTS}")
            named = [h for h in rep["hosts"] if h["port"] == 443]
            f.check(len(named) == 1 and
                    named[0]["resolved_as"] == [f"h{NAMES - 1:05d}.caps.example"],
                    f"-j {jobs}: the newest answer still attributes its connection: {named}")
            f.check(len(rep["dns"]) == NAMES and c["dns_not_listed"] == 0,
                    f"-j {jobs}: {len(rep['dns'])} DNS rows, dns_not_listed "
                    f"{c['dns_not_listed']}")
        f.check(len(reports) == 2 and reports["1"] == reports["2"],
                "-j 2 gives the same report as one process")
        # a cap given on the command line is counted the same way
        rc, out, err = run("analyze", "-q", "--max-dns", "1000", "-F", "json", path, timeout=300)
        rep = json.loads(out) if rc == 0 else {}
        f.check(rc == 0 and len(rep["dns"]) == 1000 and
                rep["stats"]["counters"]["dns_not_listed"] == 2 * (NAMES - 1000),
                f"--max-dns 1000: exit {rc}: {err}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    f.finish("caps")


if __name__ == "__main__":
    main()
