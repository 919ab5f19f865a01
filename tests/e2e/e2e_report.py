#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""egress-audit report: a saved JSON report read back renders the same bytes
(JSON) and the same text as the analysis that wrote it, for the sample with
and without an allowlist and for every capture of ../shared/corpus; judged
again against rules, it equals the analysis judged by them; a bad report is
refused with exit 2 and one line. Several reports give their union (a run
with itself: the run, its counts doubled; instance-numbered names of
different runs folded into one wildcard); --diff says what changed (a run
against itself: nothing). Exit 77 (skip) when the corpus is absent and
everything else passed."""
import copy
import json
import os
import sys
import tempfile

import pcapgen as pg
from common import CORPUS, SKIP, SRC, Failures, run

SAMPLE = os.path.join(SRC, "samples", "hf-deploy.pcap")
PER_FILE_SECONDS = 60


def write(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def diff_at(a, b):
    n = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    return f"first difference at byte {n}: {a[max(0, n - 60):n + 60]!r} vs {b[max(0, n - 60):n + 60]!r}"


def round_trip(f, tmp, capture, what, rules=(), timeout=120):
    """analyze -F json, then report -F json: the same bytes; the same for
    text. Returns the JSON path, or None when analyze refused the capture."""
    rc, js, err = run("analyze", "-q", "-F", "json", *rules, capture, timeout=timeout)
    if rc == 2:
        return None
    if not f.check(rc == 0, f"{what}: analyze exit {rc}: {err.strip()}"):
        return None
    path = write(tmp, "run.json", js)
    rc, again, err = run("report", "-F", "json", path, timeout=timeout)
    if f.check(rc == 0, f"{what}: report exit {rc}: {err.strip()}"):
        f.check(again == js, f"{what}: report -F json differs from analyze -F json: "
                             + diff_at(js, again))
    rc, text, err = run("analyze", "-q", "--color", "never", *rules, capture, timeout=timeout)
    f.check(rc == 0, f"{what}: analyze (text) exit {rc}: {err.strip()}")
    rc, text2, err = run("report", "--color", "never", path, timeout=timeout)
    if f.check(rc == 0, f"{what}: report (text) exit {rc}: {err.strip()}"):
        f.check(text2 == text, f"{what}: report text differs from analyze text: "
                               + diff_at(text, text2))
    return path


def sample(f, tmp):
    rules_dir = os.path.join(SRC, "tests", "data", "rules")
    # the last two: Inactive rules become activations, a profile pair gives
    # duplicate rules, ARM private endpoints keep their fields
    for rules in ((), ("-p", "huggingface"), ("-p", "curated", "-p", "aml-default"),
                  ("-a", os.path.join(rules_dir, "arm.json")),
                  ("-p", "huggingface", "-p", "huggingface-hub", "-a",
                   os.path.join(rules_dir, "az-list.json"))):
        round_trip(f, tmp, SAMPLE, f"sample {' '.join(rules) or 'without rules'}", rules)
    # judged again: the report without rules, then -p huggingface
    rc, plain, _ = run("analyze", "-q", "-F", "json", SAMPLE)
    path = write(tmp, "plain.json", plain)
    rc, judged, err = run("analyze", "-q", "-F", "json", "-p", "huggingface", SAMPLE)
    rc2, rejudged, err2 = run("report", path, "-p", "huggingface", "-F", "json")
    f.check(rc == 0 and rc2 == 0, f"re-judge: exit {rc}/{rc2}: {err}{err2}")
    f.check(rejudged == judged, "report -p huggingface differs from analyze -p huggingface: "
                                + diff_at(judged, rejudged))
    # the report's own rules replaced, not added to
    jpath = write(tmp, "judged.json", judged)
    rc, curated, _ = run("analyze", "-q", "-F", "json", "-p", "curated", SAMPLE)
    rc2, recurated, err = run("report", "-F", "json", "-p", "curated", jpath)
    f.check(rc2 == 0 and recurated == curated, f"re-judging a judged report: {err}"
            + diff_at(curated, recurated))
    # the rules to add and --fail-on, from the report's own verdicts
    for emit in ("az", "yaml", "bicep", "text"):
        _, want, _ = run("analyze", "-q", "-p", "huggingface", "--emit", emit, SAMPLE)
        rc, got, err = run("report", "--emit", emit, jpath)
        f.check(rc == 0 and got == want, f"report --emit {emit} differs from analyze: {err}")
    rc, _, _ = run("report", "--fail-on", "denied", "-o", os.devnull, jpath)
    f.check(rc == 1, f"report --fail-on denied on a report with denied hosts: exit {rc}")
    rc, _, err = run("report", "--fail-on", "denied", path)
    f.check(rc == 2 and len(err.splitlines()) == 2,
            f"--fail-on denied without any allowlist: exit {rc}, {err!r}")
    # standard input, and -o
    rc, got, err = run("report", "-F", "json", "-", stdin=judged)
    f.check(rc == 0 and got == judged, f"report - (stdin): exit {rc}: {err}")
    out = os.path.join(tmp, "out.json")
    rc, _, err = run("report", "-F", "json", "-o", out, jpath)
    f.check(rc == 0 and open(out, "rb").read() == judged, f"report -o: exit {rc}: {err}")
    return jpath


def bad_reports(f, tmp, good):
    js = open(good, "rb").read()
    cases = {
        "not-json.json": b"this is not JSON\n",
        "empty.json": b"",
        "truncated.json": js[:len(js) // 2],
        "array.json": b"[1, 2, 3]\n",
        "no-schema.json": b'{"tool": {"name": "egress-audit"}}\n',
        "schema-2.json": js.replace(b'"schema": 1', b'"schema": 2', 1),
        "outcome.json": js.replace(b'"outcome": "reached"', b'"outcome": "foo"', 1),
        "escape.json": js.replace(b'"key": "', b'"key": "\\\\q', 1),
        "cite.json": js.replace(b'"origin": "profile huggingface"', b'"origin": "elsewhere"', 1),
        "binary.json": bytes(range(256)) * 4,
    }
    for name, data in sorted(cases.items()):
        path = write(tmp, name, data)
        rc, out, err = run("report", path)
        lines = err.splitlines()
        f.check(rc == 2 and len(lines) == 1 and lines[0].startswith("egress-audit: ")
                and f"'{path}'" in lines[0] and not out,
                f"{name}: want exit 2 and one line naming the file, got {rc}: {lines!r}")
    expect = {
        "schema-2.json": "schema 2 is newer than this egress-audit reads (1)",
        "outcome.json": ": unknown value 'foo'",
        "no-schema.json": "not an egress-audit report (no \"schema\")",
        "not-json.json": "not JSON: ",
    }
    for name, text in expect.items():
        _, _, err = run("report", os.path.join(tmp, name))
        f.check(text in err, f"{name}: message {err.strip()!r} lacks {text!r}")
    missing = os.path.join(tmp, "missing.json")
    rc, _, err = run("report", missing)
    f.check(rc == 2 and err.splitlines() == [f"egress-audit: cannot open '{missing}': "
                                             "No such file or directory"],
            f"missing file: {rc} {err!r}")
    rc, _, err = run("report", tmp)
    f.check(rc == 2 and len(err.splitlines()) == 1, f"a directory: {rc} {err!r}")
    rc, _, err = run("report", good, "-", "-", stdin=b"")
    f.check(rc == 2 and "more than once" in err, f"stdin twice: {rc} {err!r}")
    rc, _, err = run("report", good, "--fail-on", "new")
    f.check(rc == 2 and "--fail-on new needs --diff" in err, f"--fail-on new alone: {rc} {err!r}")
    rc, _, err = run("report")
    f.check(rc == 2, f"no report: exit {rc}")


def doubled(rep):
    """The report a run united with itself should be: counts doubled,
    every connection and input twice, nothing else changed."""
    d = copy.deepcopy(rep)
    d["inputs"] = rep["inputs"] * 2
    for h in d["hosts"]:
        for k in ("connections", "bytes_out", "bytes_in"):
            h[k] *= 2
        h["outcomes"] = {k: v * 2 for k, v in h["outcomes"].items()}
    d["connections"] = [c for c in rep["connections"] for _ in (0, 1)]
    for q in d["dns"]:
        q["queries"] *= 2
        q["responses"] *= 2
    d["stats"]["counters"] = {k: v * 2 for k, v in rep["stats"]["counters"].items()}
    for x in d.get("findings", []):
        for k in ("connections", "contradicting"):
            x[k] *= 2
        x["outcomes"] = {k: v * 2 for k, v in x["outcomes"].items()}
        x.pop("text")  # says the counts
    return d


def without_runs(rep):
    d = copy.deepcopy(rep)
    d.pop("runs", None)
    for h in d["hosts"]:
        h.pop("runs", None)
    for c in d["connections"]:
        c.pop("run", None)
    for x in d.get("findings", []):
        x.pop("text")
    return d


def union_and_diff(f, tmp):
    for rules in ((), ("-p", "huggingface")):
        what = " ".join(rules) or "without rules"
        rc, js, err = run("analyze", "-q", "-F", "json", *rules, SAMPLE)
        path = write(tmp, "one.json", js)
        rep = json.loads(js)
        # a run with itself: the run, counts doubled; judged against the rules it has
        rc, out, err = run("report", "-F", "json", path, path)
        if not f.check(rc == 0, f"union {what}: exit {rc}: {err}"):
            continue
        uni = json.loads(out)
        f.check([r["inputs"] for r in uni["runs"]] == [[0], [1]]
                and all(h["runs"] == [0, 1] for h in uni["hosts"])
                and [c["run"] for c in uni["connections"]] == [0, 1] * len(rep["connections"]),
                f"union {what}: runs of the hosts and connections")
        want, got = doubled(rep), without_runs(uni)
        for key in sorted(set(want) | set(got)):
            f.check(want.get(key) == got.get(key),
                    f"union {what}: {key} is not the run's with its counts doubled")
        upath = write(tmp, "union.json", out)
        rc, again, err = run("report", "-F", "json", upath)
        f.check(rc == 0 and again == out, f"union {what}: does not round-trip: "
                + diff_at(out, again))
        # a run against itself: nothing changed, and --fail-on new passes
        rc, out, err = run("report", "-F", "json", path, "--diff", path, "--fail-on", "new")
        d = json.loads(out).get("diff") if rc == 0 else None
        f.check(rc == 0 and d == {"base": path, "changes": []},
                f"diff {what} with itself: exit {rc}, {d}: {err}")
        dpath = write(tmp, "diff.json", out)
        rc, again, err = run("report", "-F", "json", dpath)
        f.check(rc == 0 and again == out, f"diff {what}: does not round-trip: "
                + diff_at(out, again))
        for fmt in ("text", "md", "html"):
            rc, out, err = run("report", "-F", fmt, path, "--diff", path)
            f.check(rc == 0 and b"No change since" in out, f"diff {what} -F {fmt}: {rc} {err}")

    # what changed: the first 100 packets are an older, shorter run
    rc, old_js, _ = run("analyze", "-q", "-F", "json", "-c", "100", "-p", "huggingface", SAMPLE)
    rc2, new_js, _ = run("analyze", "-q", "-F", "json", "-p", "huggingface", SAMPLE)
    old, new = write(tmp, "old.json", old_js), write(tmp, "new.json", new_js)
    rc, out, err = run("report", "-F", "json", new, "--diff", old, "--fail-on", "new")
    old_hosts = {(h["key"], h["port"], h["transport"]) for h in json.loads(old_js)["hosts"]}
    new_hosts = {(h["key"], h["port"], h["transport"]) for h in json.loads(new_js)["hosts"]}
    changes = json.loads(out)["diff"]["changes"] if out else []
    got_new = {(c["key"], c["port"], c["transport"]) for c in changes if c["change"] == "new"}
    f.check(rc == 1 and got_new == new_hosts - old_hosts and got_new,
            f"--diff: new hosts {got_new}, want {new_hosts - old_hosts}; exit {rc}")
    f.check(err.count("egress-audit report: new: ") == len(got_new), f"--fail-on new: {err!r}")
    rc, out, err = run("report", "-F", "json", old, "--diff", new)
    gone = {(c["key"], c["port"], c["transport"])
            for c in json.loads(out)["diff"]["changes"] if c["change"] == "gone"}
    f.check(rc == 0 and gone == new_hosts - old_hosts, f"--diff the other way: gone {gone}")

    # instance-numbered names of different runs fold into one wildcard
    paths = []
    for i, name in enumerate(("cdn-lfs-us-1.hf.co", "cdn-lfs-eu-2.hf.co")):
        pcap = os.path.join(tmp, f"run{i}.pcap")
        pg.write_pcap(pcap, pg.tls_connection("10.0.0.2", f"192.0.2.{i + 1}", 40000 + i, 443,
                                              name, close=True))
        rc, js, err = run("analyze", "-q", "-F", "json", "-p", "huggingface", pcap)
        paths.append(write(tmp, f"run{i}.json", js))
    rc, out, err = run("report", "-F", "json", *paths)
    rep = json.loads(out) if rc == 0 else {}
    wild = [a for a in rep.get("remediation", {}).get("add", []) if a["wildcard"]]
    f.check(rc == 0 and len(wild) == 1 and wild[0]["destination"] == "*.hf.co"
            and wild[0]["covers"] == ["cdn-lfs-eu-2.hf.co", "cdn-lfs-us-1.hf.co"],
            f"union: instance-numbered names not folded into *.hf.co: {wild} {err}")
    f.check(all(len(h["runs"]) == 1 for h in rep.get("hosts", [])),
            "union: each name with the one run that contacted it")
    # judged against different rules: the union is not, and says so
    rc, plain, _ = run("analyze", "-q", "-F", "json", SAMPLE)
    ppath = write(tmp, "plain.json", plain)
    rc, out, err = run("report", "-F", "json", ppath, paths[0])
    f.check(rc == 0 and "rules" not in json.loads(out) and "not judged" in err,
            f"union of differently judged runs: {rc} {err!r}")


def corpus(f, tmp):
    pcaps = os.path.join(CORPUS, "pcaps")
    if not os.path.isdir(pcaps):
        return None
    done = refused = 0
    for name in sorted(os.listdir(pcaps)):
        path = os.path.join(pcaps, name)
        if round_trip(f, tmp, path, name, timeout=PER_FILE_SECONDS) is None:
            refused += 1
            continue
        # judged: the rules' side of the report round-trips too
        round_trip(f, tmp, path, name + " -p huggingface -p aml-default",
                   ("-p", "huggingface", "-p", "aml-default"), timeout=PER_FILE_SECONDS)
        done += 1
    print(f"corpus: {done} files round-trip, {refused} refused by analyze (skipped)")
    return done


def main():
    f = Failures()
    with tempfile.TemporaryDirectory() as tmp:
        judged = sample(f, tmp)
        bad_reports(f, tmp, judged)
        union_and_diff(f, tmp)
        done = corpus(f, tmp)
    if done is None and not f.items:
        print("ok: sample and bad reports; skip: no corpus at", CORPUS)
        sys.exit(SKIP)
    f.finish(f"report round trips (sample, {done or 0} corpus files)")


if __name__ == "__main__":
    main()
