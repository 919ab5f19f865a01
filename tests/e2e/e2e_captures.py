#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real-tool captures of tests/captures/ (made by make-captures.sh with
tcpdump, curl, openssl s_client and dig in network namespaces, committed so
this runs everywhere): what each connection must report. Every report is
also checked for the invariant: client payload means a name or a flag that
says why not."""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SRC, Failures, analyze_json, nameless_unexplained, run  # noqa: E402

CAPTURES = os.path.join(SRC, "tests", "captures")

# file -> [(dst port, name, name_source, inner_name, outcome, flags that must be set)]
EXPECT = {
    "one-sided.pcap": [
        (443, "oneway.example", "sni", None, "incomplete", ["tls"]),
        (443, "oneway6.example", "sni", None, "incomplete", ["tls"]),
    ],
    "snaplen96.pcap": [
        (443, None, "none", None, "reached", ["tls", "snaplen-cut"]),
        (53, None, "none", None, "reached", ["dns", "snaplen-cut"]),
    ],
    "preludes.pcap": [
        (587, "smtp.example", "sni", None, "reached", ["starttls", "tls"]),
        (143, "imap.example", "sni", None, "reached", ["starttls"]),
        (110, "pop3.example", "sni", None, "reached", ["starttls"]),
        (21, "ftp.example", "sni", None, "reached", ["starttls"]),
        (5222, "xmpp.example", "sni", None, "reached", ["starttls"]),
        (389, "ldap.example", "sni", None, "reached", ["starttls"]),
        (5432, "postgres.example", "sni", None, "reached", ["starttls"]),
        (3128, "connect.example", "connect", "connect.example", "reached", ["connect", "tls"]),
        (3128, "allowed.example", "connect", "fronted.example", "reached",
         ["connect", "sni-mismatch"]),
        (1080, "socks5h.example", "socks", "socks5h.example", "reached", ["socks"]),
        (1080, "198.18.1.10", "socks", "socks5.example", "reached", ["socks"]),
        (1080, "socks4a.example", "socks", "socks4a.example", "reached", ["socks"]),
        (1080, "198.18.1.10", "socks", "socks4.example", "reached", ["socks"]),
        (3128, "tunnel-http.example", "connect", "tunnel-http.example", "reached",
         ["connect", "http"]),
        (1080, "socks-http.example", "socks", "socks-http.example", "reached", ["socks", "http"]),
    ],
    "vxlan.pcap": [
        (443, "vxlan.example", "sni", None, "reached", ["tls", "tunnel"]),
    ],
    "tfo.pcap": [
        (8443, "tfo1.example", "sni", None, "reached", ["tls"]),
        (8443, "tfo2.example", "sni", None, "reached", ["tls"]),
    ],
    "frag6.pcap": [
        (53, None, "none", None, "reached", ["dns"]),
    ],
    "dns-ports.pcap": [
        (5300, None, "none", None, "reached", ["dns"]),
        (5300, None, "none", None, "reached", ["dns"]),
    ],
}


def syn_payloads(path):
    """Payload lengths of the SYNs (no ACK) in an Ethernet/IPv4 pcap."""
    data = open(path, "rb").read()
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        fr = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(fr) < 34 or fr[12:14] != b"\x08\x00" or fr[23] != 6:
            continue
        ihl = (fr[14] & 15) * 4
        tcp = fr[14 + ihl:]
        total = struct.unpack("!H", fr[16:18])[0]
        if len(tcp) >= 20 and tcp[13] & 0x12 == 0x02:
            out.append(total - ihl - (tcp[12] >> 4) * 4)
    return out


def main():
    f = Failures()
    for name, want in EXPECT.items():
        path = os.path.join(CAPTURES, name)
        rep = analyze_json(path)
        for c in nameless_unexplained(rep):
            f.check(False, f"{name}: client payload, no name and no flag saying why: {c}")
        conns = list(rep["connections"])
        f.check(len(conns) == len(want),
                f"{name}: {len(conns)} connections, want {len(want)}: "
                f"{[(c['dport'], c['name']) for c in conns]}")
        for port, cname, source, inner, outcome, flags in want:
            match = [c for c in conns if c["dport"] == port and c["name"] == cname
                     and c["name_source"] == source and c["inner_name"] == inner]
            if not f.check(match, f"{name}: no connection to port {port} named {cname!r} "
                                  f"({source}, inner {inner!r})"):
                continue
            c = match[0]
            conns.remove(c)
            f.check(c["outcome"] == outcome,
                    f"{name} {cname}: outcome {c['outcome']} ({c['outcome_why']}), want {outcome}")
            for fl in flags:
                f.check(fl in c["flags"], f"{name} {cname}: flag {fl} missing: {c['flags']}")
        if name == "one-sided.pcap":
            f.check(all("only the client's side" in c["outcome_why"] for c in rep["connections"]),
                    f"{name}: outcome_why should say only the client's side was captured")
        if name == "snaplen96.pcap":
            cut = rep["snaplen_cut"]
            f.check(cut and cut["snaplen"] == 96, f"{name}: snaplen_cut {cut}")
            f.check([d["query"] for d in rep["dns"]] == ["cut-dns.example"],
                    f"{name}: the DNS question survives the cut: {rep['dns']}")
            rc, out, _ = run("analyze", path)
            f.check(out.decode().count("capture again with tcpdump -s 0") == 1,
                    f"{name}: the text report says once how to capture again")
        if name == "vxlan.pcap":
            t = [c["tunnel"] for c in rep["connections"]]
            f.check(t == [{"kind": "vxlan", "outer_src": "198.18.1.2", "outer_dst": "198.18.1.1"}],
                    f"{name}: tunnel {t}")
        if name == "tfo.pcap":
            f.check(max(syn_payloads(path)) > 200,
                    f"{name}: no ClientHello in a SYN: {syn_payloads(path)}")
        if name == "frag6.pcap":
            d = rep["dns"]
            f.check(len(d) == 1 and d[0]["responses"] == 1 and d[0]["rcode"] == "NOERROR"
                    and rep["stats"]["counters"]["ip_fragments"] == 3,
                    f"{name}: the response in three IPv6 fragments is read: {d}")
        if name == "dns-ports.pcap":
            got = sorted((d["query"], d["port"], tuple(d["transport"])) for d in rep["dns"])
            f.check(got == [("port5300.example", 5300, ("udp",)),
                            ("tcp5300.example", 5300, ("tcp",))], f"{name}: dns {got}")
    f.finish(f"{len(EXPECT)} real-tool captures")


if __name__ == "__main__":
    main()
