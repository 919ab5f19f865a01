# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers of the end-to-end tests: run the built binary."""
import json
import os
import subprocess
import sys

BIN = os.environ.get("EA_BIN", "build/egress-audit")
SRC = os.environ.get("EA_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.environ.get("EA_CORPUS", os.path.join(SRC, "..", "shared", "corpus"))
SKIP = 77


def run(*args, stdin=None, timeout=120):
    """Run egress-audit; return (exit code, stdout bytes, stderr text)."""
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=timeout)
    if p.returncode < 0:
        raise AssertionError(f"egress-audit {' '.join(args)} died by signal {-p.returncode}:\n"
                             + p.stderr.decode(errors="replace"))
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


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


def golden_compare(f, path, out, what):
    """Compare out with the golden file at path; EA_REGEN=1 rewrites it."""
    if os.environ.get("EA_REGEN") == "1":
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(out)
        return
    if not os.path.exists(path):
        f.check(False, f"{what}: no golden file {path} (EA_REGEN=1 to write it)")
        return
    want = open(path, "rb").read()
    if out != want:
        import difflib
        diff = difflib.unified_diff(want.decode(errors="replace").splitlines(),
                                    out.decode(errors="replace").splitlines(),
                                    os.path.basename(path), "now", lineterm="", n=1)
        print("\n".join(list(diff)[:60]))
    f.check(out == want, f"{what}: differs from {os.path.basename(path)} "
                         "(tests/e2e/regen-golden.sh rewrites it if intended)")


def run_in_src(*args, stdin=None, timeout=120):
    """Run egress-audit from the source tree, so relative paths in reports are stable."""
    p = subprocess.run([os.path.abspath(BIN), *args], input=stdin, capture_output=True,
                       timeout=timeout, cwd=SRC)
    if p.returncode < 0:
        raise AssertionError(f"egress-audit {' '.join(args)} died by signal {-p.returncode}")
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


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
