#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""QUIC and modern TLS end to end (issue 13):
- a ClientHello spread over two Initial packets with shuffled CRYPTO frames
  (built by quic_split_pcap with quic_seal_initial(): Debian 12 has no
  HTTP/3 client to record one) is named, reached, fingerprinted;
- QUIC on another port is found by its Initial, a look-alike is not;
- a named QUIC host is no-name with the reason, its TCP fallback is judged
  by name;
- DNS HTTPS answers show target, alpn and ech; ECH's visible name is told
  apart (ech-real / ech-grease?)."""
import os
import subprocess
import sys
import tempfile

from common import Failures, analyze_json, run
import pcapgen as pg

GEN = os.environ.get("EA_QUIC_SPLIT", "build/tests/e2e/quic_split_pcap")


def conns(rep, transport=None):
    return [c for c in rep["connections"] if transport is None or c["transport"] == transport]


def main():
    f = Failures()
    tmp = tempfile.mkdtemp(prefix="ea-quic-")

    # ---- the split hello ----
    split = os.path.join(tmp, "split.pcap")
    subprocess.run([GEN, split, "h3.split.example"], check=True)
    rep = analyze_json(split)
    udp = conns(rep, "udp")
    if f.check(len(udp) == 1, f"split: {len(udp)} UDP connections"):
        c = udp[0]
        f.check(c["name"] == "h3.split.example", f"split: name {c['name']!r}")
        f.check(c["name_source"] == "quic_sni", f"split: name_source {c['name_source']}")
        f.check(c["outcome"] == "reached", f"split: outcome {c['outcome']}")
        f.check(c["outcome_why"] == "QUIC server Initial or Handshake received",
                f"split: outcome_why {c['outcome_why']}")
        f.check("quic" in c["flags"], f"split: flags {c['flags']}")
        f.check(c["alpn"] == "h3", f"split: alpn {c['alpn']}")
        f.check((c.get("ja4") or "").startswith("q13d0307h3_"), f"split: ja4 {c.get('ja4')}")
    cn = rep["stats"]["counters"]
    f.check(cn["quic_initials"] == 2 and cn["quic_hellos"] == 1 and cn["quic_flows"] == 1,
            f"split: counters {({k: v for k, v in cn.items() if k.startswith('quic') and v})}")

    # ---- QUIC on another port; a look-alike that does not decrypt ----
    other = os.path.join(tmp, "other.pcap")
    subprocess.run([GEN, other, "h3.port.example", "4433"], check=True)
    rep = analyze_json(other)
    c = conns(rep, "udp")[0]
    f.check(c["name"] == "h3.port.example" and "quic" in c["flags"],
            f"port 4433: {c['name']!r} {c['flags']}")
    fake = bytes([0xC3, 0, 0, 0, 1, 8]) + b"\x11" * 8 + b"\x00\x00\x44\xd0" + b"\x22" * 1250
    look = os.path.join(tmp, "lookalike.pcap")
    pg.write_pcap(look, [pg.udp_packet("10.0.0.8", "192.0.2.40", 40000, 9999, fake)])
    rep = analyze_json(look)
    c = conns(rep, "udp")[0]
    f.check("quic" not in c["flags"] and c["name"] is None,
            f"look-alike: {c['name']!r} {c['flags']}")
    f.check(rep["stats"]["counters"]["quic_flows"] == 0, "look-alike counted as QUIC")

    # ---- verdicts: QUIC no-name with the reason; the TCP fallback by name ----
    tcp = os.path.join(tmp, "fallback.pcap")
    pg.write_pcap(tcp, pg.tls_connection("10.0.0.7", "192.0.2.33", 41000, 443, "h3.split.example"))
    rules = os.path.join(tmp, "rules.txt")
    with open(rules, "w") as r:
        r.write("h3.split.example\n")
    rep = analyze_json(split, tcp, "-a", rules)
    hosts = {(h["name"], h["transport"]): h for h in rep["hosts"]}
    q = hosts.get(("h3.split.example", "udp"))
    t = hosts.get(("h3.split.example", "tcp"))
    if f.check(q is not None and t is not None, f"hosts: {sorted(hosts)}"):
        f.check(q["verdict"] == "no-name" and "do not inspect QUIC" in q["verdict_why"]
                and "falls back to TCP 443" in q["verdict_why"],
                f"QUIC host: {q['verdict']}: {q['verdict_why']}")
        f.check(t["verdict"] == "allowed", f"TCP fallback: {t['verdict']}")

    # ---- DNS HTTPS and ECH ----
    ech = os.path.join(tmp, "ech.pcap")
    rdata = pg.svcb_rdata(1, alpn=["h3", "h2"], ech_public_name="public.ech.example")
    pkts = [pg.udp_packet("10.0.0.7", "10.0.0.53", 5353 + 1, 53,
                          pg.dns_query(7, "inner.ech.example", "HTTPS")),
            pg.udp_packet("10.0.0.53", "10.0.0.7", 53, 5354,
                          pg.dns_response(7, "inner.ech.example", "HTTPS",
                                          answers=[("HTTPS", "inner.ech.example", rdata, 300)]))]
    pkts += pg.tls_connection("10.0.0.7", "192.0.2.50", 42000, 443, "public.ech.example", ech=True)
    pkts += pg.tls_connection("10.0.0.7", "192.0.2.51", 42001, 443, "cloudflare-ech.com", ech=True)
    pkts += pg.tls_connection("10.0.0.7", "192.0.2.52", 42002, 443, "grease.example", ech=True)
    pg.write_pcap(ech, pkts)
    rep = analyze_json(ech)
    answers = [a for d in rep["dns"] for a in d["answers"] if a["type"] == "HTTPS"]
    f.check([a["data"] for a in answers] == ["1 . alpn=h3,h2 ech public_name=public.ech.example"],
            f"HTTPS answers: {[a['data'] for a in answers]}")
    flags = {c["name"]: c["flags"] for c in conns(rep, "tcp")}
    for name, want in (("public.ech.example", "ech-real"), ("cloudflare-ech.com", "ech-real"),
                       ("grease.example", "ech-grease?")):
        got = flags.get(name, [])
        f.check("ech" in got and want in got, f"{name}: flags {got}, want {want}")
    rc, out, err = run("analyze", "-q", "-a", rules, ech)
    f.check(rc == 0, f"text report of ech.pcap: exit {rc}: {err}")

    f.finish("quic and modern TLS")


if __name__ == "__main__":
    main()
