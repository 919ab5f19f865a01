# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers of the end-to-end tests: run the built binary."""
import json
import os
import struct
import subprocess
import sys

BIN = os.environ.get("EA_BIN", "build/egress-audit")
SRC = os.environ.get("EA_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.environ.get("EA_CORPUS", os.path.join(SRC, "..", "shared", "corpus"))
SKIP = 77


def run_raw(*args, stdin=None, timeout=120, cwd=None):
    """Run egress-audit (from cwd if given); return (exit code, stdout bytes, stderr bytes)."""
    p = subprocess.run([os.path.abspath(BIN) if cwd else BIN, *args], input=stdin,
                       capture_output=True, timeout=timeout, cwd=cwd)
    if p.returncode < 0:
        raise AssertionError(f"egress-audit {' '.join(args)} died by signal {-p.returncode}:\n"
                             + p.stderr.decode(errors="replace"))
    return p.returncode, p.stdout, p.stderr


def run(*args, stdin=None, timeout=120):
    """Run egress-audit; return (exit code, stdout bytes, stderr text)."""
    rc, out, err = run_raw(*args, stdin=stdin, timeout=timeout)
    return rc, out, err.decode(errors="replace")


def analyze_json(path, *extra):
    rc, out, err = run("analyze", "-q", "-F", "json", *extra, path)
    if rc != 0:
        raise AssertionError(f"{path}: exit {rc}: {err}")
    return json.loads(out)


class Failures:
    def __init__(self):
        self.items = []

    def check(self, cond, what):
        if not cond:
            self.items.append(what)
        return cond

    def finish(self, passed_what):
        for f in self.items:
            print("FAIL:", f)
        if self.items:
            print(f"{len(self.items)} failed")
            sys.exit(1)
        print(f"ok: {passed_what}")
        sys.exit(0)


# Golden files, laid out by input and format (README "Samples and tests"):
#   golden/<input>/<name>.<format>         what the case writes to stdout
#   golden/<input>/<name>.<format>.stderr  what it writes to stderr (often empty)
# input is the capture (hf-deploy: samples/hf-deploy.pcap; its policy cases
# under hf-deploy/policy/), or "rules" for the rules command, which reads none.
GOLDEN = os.path.join(SRC, "tests", "e2e", "golden")


def _golden_one(f, path, got, what):
    if os.environ.get("EA_REGEN") == "1":
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(got)
        return
    if not os.path.exists(path):
        f.check(False, f"{what}: no golden file {path} (tests/e2e/regen-golden.sh writes it)")
        return
    want = open(path, "rb").read()
    if got != want:
        import difflib
        diff = difflib.unified_diff(want.decode(errors="replace").splitlines(),
                                    got.decode(errors="replace").splitlines(),
                                    os.path.relpath(path, GOLDEN), "now", lineterm="", n=1)
        print("\n".join(list(diff)[:60]))
    f.check(got == want, f"{what}: differs from {os.path.relpath(path, GOLDEN)} "
                         "(tests/e2e/regen-golden.sh rewrites it if intended)")


def golden_compare(f, path, out, err, what):
    """Compare a case's stdout with the golden file at path and its stderr
    with path + ".stderr"; EA_REGEN=1 rewrites both."""
    _golden_one(f, path, out, what)
    _golden_one(f, path + ".stderr", err, what + " (stderr)")


def golden_orphans(f, written, *dirs):
    """The golden files in dirs (not below them) that no case wrote: an error,
    or with EA_REGEN=1 removed, so that the tree is exactly the cases'."""
    want = {os.path.abspath(p) for p in written}
    want |= {p + ".stderr" for p in want}
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.abspath(os.path.join(d, name))
            if not os.path.isfile(path) or path in want:
                continue
            if os.environ.get("EA_REGEN") == "1":
                os.remove(path)
            else:
                f.check(False, f"{os.path.relpath(path, GOLDEN)}: no case writes it "
                               "(tests/e2e/regen-golden.sh removes it)")


def run_in_src(*args, stdin=None, timeout=120):
    """Run egress-audit from the source tree, so relative paths in reports are stable."""
    rc, out, err = run_raw(*args, stdin=stdin, timeout=timeout, cwd=SRC)
    return rc, out, err.decode(errors="replace")


def split_pcap(path, first, second):
    """Two classic pcap files: the first half of the records, then the rest."""
    data = open(path, "rb").read()
    head, body = data[:24], data[24:]
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    records, at = [], 0
    while at + 16 <= len(body):
        incl = struct.unpack(endian + "I", body[at + 8:at + 12])[0]
        records.append(body[at:at + 16 + incl])
        at += 16 + incl
    half = len(records) // 2
    with open(first, "wb") as f:
        f.write(head + b"".join(records[:half]))
    with open(second, "wb") as f:
        f.write(head + b"".join(records[half:]))


# DESIGN.md "Outcome": a connection with client payload never ends without a
# name or a flag saying why it has none.
WHY_NO_NAME = {"no-sni", "hello-unreadable", "snaplen-cut", "reassembly-gap", "quic", "ech",
               "dns", "local", "other-protocol", "no-host"}


def nameless_unexplained(rep):
    """Connections of a report with client payload, no name, and no flag
    that says why: each one breaks the invariant."""
    return [c for c in rep.get("connections", [])
            if c.get("payload_out", 0) > 0 and c.get("name") is None
            and not set(c.get("flags", [])) & WHY_NO_NAME]
