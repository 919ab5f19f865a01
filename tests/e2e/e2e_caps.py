#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every cap has a counter (issue 12): captures made here overflow the DNS
attribution cache (65536 entries) and the IPv6 reassembly slots (256), and
the report counts what each dropped; attribution past the overflow still
resolves the newest connections. The counters are the same with -j 2.
A second capture overflows a host's 64 addresses and a certificate's 16
kept names (host_values_not_listed, cert_names_not_listed)."""
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen as pg  # noqa: E402
from common import SRC, Failures, run  # noqa: E402

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


ADDRS = 70  # one name served from 70 addresses: 6 past the host's 64


def many_names_der():
    """The certificate of tests/unit/test_x509.c with 21 names (cert_many_hex)."""
    with open(os.path.join(SRC, "tests", "unit", "test_x509.c")) as src:
        text = src.read()
    body = re.search(r"cert_many_hex\[\] = (.*?);", text, flags=re.S).group(1)
    return bytes.fromhex("".join(re.findall(r'"([0-9a-f]*)"', body)))


def values_capture(path):
    cap = pg.Capture()
    for i in range(ADDRS):
        cap.extend(pg.tls_connection(CLIENT, f"203.0.113.{i + 1}", 41000 + i, 443,
                                     "pool.caps.example", close=True))
    # TLS 1.2: the server's Certificate follows its ServerHello in the clear
    der = many_names_der()
    chain = pg.u24(len(der)) + der
    cert = pg.u8(11) + pg.u24(len(chain) + 3) + pg.u24(len(chain)) + chain
    conn = pg.TcpConn(CLIENT, "203.0.113.200", 42000, 443)
    cap.extend(conn.play([("c", "S"), ("s", "SA"), ("c", "A"),
                          ("c", "PA", pg.client_hello("many.example")),
                          ("s", "PA", pg.server_hello(version=0x0303) +
                           pg.tls_records(22, cert, version=0x0303)),
                          ("c", "FA"), ("s", "FA"), ("c", "A")]))
    cap.write(path)


def values(f, tmp):
    path = os.path.join(tmp, "values.pcap")
    values_capture(path)
    rc, out, err = run("analyze", "-q", "-F", "json", path)
    f.check(rc == 0, f"values: exit {rc}: {err}")
    if rc != 0:
        return
    rep = json.loads(out)
    c = rep["stats"]["counters"]
    pool = [h for h in rep["hosts"] if h["name"] == "pool.caps.example"]
    f.check(len(pool) == 1 and len(pool[0]["addresses"]) == 64 and
            pool[0]["connections"] == ADDRS,
            f"the pool host keeps 64 addresses of {ADDRS}: {pool}")
    f.check(c["host_values_not_listed"] == ADDRS - 64,
            f"host_values_not_listed {c['host_values_not_listed']}, want {ADDRS - 64}")
    many = [k for k in rep["connections"] if k.get("name") == "many.example"]
    f.check(len(many) == 1 and len(many[0].get("cert_names", [])) == 16 and
            c["cert_names_not_listed"] == 1,
            f"cert_names_not_listed {c['cert_names_not_listed']}, want 1: {many}")


def main():
    f = Failures()
    tmp = tempfile.mkdtemp(prefix="ea-caps-")
    try:
        values(f, tmp)
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
