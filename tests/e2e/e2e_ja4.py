#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The JA4 fingerprints of FoxIO's sample captures (in ../shared/corpus as
ja4__pcap__*) equal the ones FoxIO publishes for them
(tests/data/ja4/foxio-expected.tsv, each row with its source), over TCP and
QUIC alike."""
import os
import sys

from common import CORPUS, SKIP, SRC, Failures, analyze_json

TSV = os.path.join(SRC, "tests", "data", "ja4", "foxio-expected.tsv")


def main():
    pcaps = os.path.join(CORPUS, "pcaps")
    if not os.path.isdir(pcaps):
        print("skip: no corpus at", CORPUS)
        sys.exit(SKIP)
    f = Failures()
    rows = [l.rstrip("\n").split("\t") for l in open(TSV) if l.strip() and not l.startswith("#")]
    reports = {}
    matched = 0
    for file, transport, cport, sport, sni, ja4, _source in rows:
        path = os.path.join(pcaps, "ja4__pcap__" + file)
        if not f.check(os.path.exists(path), f"{file}: not in the corpus"):
            continue
        if path not in reports:
            reports[path] = analyze_json(path)
        conns = [c for c in reports[path]["connections"]
                 if c["transport"] == transport and c["sport"] == int(cport)
                 and c["dport"] == int(sport)]
        if not f.check(len(conns) == 1, f"{file}: {transport} {cport}->{sport}: "
                                        f"{len(conns)} connections"):
            continue
        c = conns[0]
        f.check(c["name"] == sni, f"{file}: {cport}->{sport}: name {c['name']!r}, FoxIO {sni!r}")
        got = c.get("ja4")
        if f.check(got == ja4, f"{file}: {cport}->{sport} ({sni}): ja4 {got}, FoxIO {ja4}"):
            matched += 1
    print(f"ja4: {matched} of {len(rows)} equal FoxIO's")
    f.finish(f"ja4 ({len(rows)} hellos)")


if __name__ == "__main__":
    main()
