#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shipped sample (samples/hf-deploy.pcap, made by samples/make-sample.sh
with real clients): every connection of the script's ground truth
(hf-deploy.truth.tsv) is reported with its name, source, destination and
outcome; DNS is complete; and the text and JSON reports, and what each
writes to stderr, equal the golden files in tests/e2e/golden/hf-deploy/, one per format (text, text with
-v, JSON, Markdown, HTML, CSV; tests/e2e/regen-golden.sh rewrites them)."""
import csv
import os
import sys

from common import GOLDEN, SRC, Failures, analyze_json, golden_compare, golden_orphans, run_raw

SAMPLE = os.path.join(SRC, "samples", "hf-deploy.pcap")
TRUTH = os.path.join(SRC, "samples", "hf-deploy.truth.tsv")
CASES = os.path.join(GOLDEN, "hf-deploy")


def golden(f, name, args):
    rc, out, err = run_raw(*args)
    f.check(rc == 0, f"{name}: exit {rc}: {err.decode(errors='replace')}")
    # The path in the report is the one given on the command line.
    out = out.replace(SAMPLE.encode(), b"samples/hf-deploy.pcap")
    err = err.replace(SAMPLE.encode(), b"samples/hf-deploy.pcap")
    path = os.path.join(CASES, name)
    golden_compare(f, path, out, err, os.path.relpath(path, GOLDEN))
    return path


def main():
    f = Failures()
    rep = analyze_json(SAMPLE)
    f.check(rep["schema"] == 1, "schema is not 1")
    f.check(rep["inputs"][0]["linktype_name"] == "LINUX_SLL2", "sample is not LINUX_SLL2")
    tcp = [c for c in rep["connections"] if c["transport"] == "tcp"]
    truth = list(csv.DictReader(open(TRUTH), delimiter="\t"))
    f.check(len(tcp) == len(truth), f"{len(tcp)} TCP connections, truth has {len(truth)}")
    for i, (t, c) in enumerate(zip(truth, tcp)):
        where = f"truth line {i + 2} ({t['name'] or t['dst']}:{t['dport']})"
        f.check(c["dst"] == t["dst"] and str(c["dport"]) == t["dport"],
                f"{where}: connection is {c['dst']}:{c['dport']}")
        f.check((c["name"] or "") == t["name"], f"{where}: name {c['name']!r}")
        f.check(c["name_source"] == t["name_source"], f"{where}: name_source {c['name_source']}")
        f.check(c["outcome"] == t["outcome"], f"{where}: outcome {c['outcome']} ({c['outcome_why']})")
        dns = t["note"].split(";")[0].removeprefix("dns=").split(" ")[0]
        if dns != "-":
            got = (c["resolved_as"] or [None])[0]
            f.check(got == dns, f"{where}: resolved_as {c['resolved_as']}, want {dns}")
    # The ClientHello split over three segments (SNI across two) and the one
    # split over two TLS records are both among the sni rows above.
    dns = {(d["query"], d["qtype"]): d for d in rep["dns"]}
    nx = dns.get(("models.unresolvable-mirror.example", "A"))
    f.check(nx is not None and nx["rcode"] == "NXDOMAIN", "NXDOMAIN query missing")
    cdn = dns.get(("cdn-lfs.huggingface.co", "A"))
    f.check(cdn is not None and [a["type"] for a in cdn["answers"]] == ["CNAME", "A"],
            "CNAME chain of cdn-lfs.huggingface.co")
    f.check(("huggingface.co", "HTTPS") in dns, "HTTPS record query missing")
    aaaa = dns.get(("registry-1.docker.io", "AAAA"))
    f.check(aaaa is not None and any(a["data"] == "2001:db8:ea::13" for a in aaaa["answers"]),
            "AAAA answer for registry-1.docker.io")
    f.check(any(d["transport"] == ["tcp"] or "tcp" in d["transport"] for d in rep["dns"]),
            "no DNS over TCP")
    cdn_conn = [c for c in tcp if c["name"] == "cdn-lfs.huggingface.co"]
    f.check(cdn_conn and cdn_conn[0]["resolved_as"] == ["cdn-lfs.huggingface.co",
                                                        "d1x7example.cloudfront.net"],
            "connection's resolved_as should show the CNAME chain")
    c = rep["stats"]["counters"]
    f.check(c["packets"] == 258 and c["ipv6"] > 0, "counters")

    # every format; the text report at its default width (80: not a terminal)
    # and with the connections (-v)
    written = [golden(f, "report.txt", ["analyze", "-q", "--color", "never", SAMPLE]),
               golden(f, "report-v.txt", ["analyze", "-q", "--color", "never", "-v", SAMPLE]),
               golden(f, "report.json", ["analyze", "-q", "-F", "json", SAMPLE]),
               golden(f, "report.md", ["analyze", "-q", "-F", "md", SAMPLE]),
               golden(f, "report.html", ["analyze", "-q", "-F", "html", SAMPLE]),
               golden(f, "report.csv", ["analyze", "-q", "-F", "csv", SAMPLE])]
    golden_orphans(f, written, CASES)  # hf-deploy/policy/ is e2e_policy's
    f.finish(f"sample: {len(truth)} truth connections")


if __name__ == "__main__":
    main()
