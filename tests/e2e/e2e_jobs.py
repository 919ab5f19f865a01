#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""analyze -j N (issue 12): the report of a run split across N processes is
byte for byte the report of one process, in JSON and text, with and without
an allowlist, for every sample, every test capture and every file of
../shared/corpus; also with caps small enough to be reached (rows, hosts,
flows). A worker's failure is said once, as one process says it, with the
same exit code; warnings are printed once. Exits 77 (after checking the
rest) when the corpus is absent."""
import glob
import os
import shutil
import sys
import tempfile

from common import CORPUS, SKIP, SRC, Failures, run

JOBS = ["2", "3"]
VARIANTS = [[], ["-p", "huggingface"]]
FORMATS = ["json", "text"]
# Caps reached by most captures: the rows, the hosts and the flow table.
CAPPED = ["--max-connections", "3", "--max-hosts", "2", "--max-flows", "4"]


def captures():
    own = sorted(glob.glob(os.path.join(SRC, "samples", "*.pcap")) +
                 glob.glob(os.path.join(SRC, "tests", "captures", "*.pcap")))
    corpus_dir = os.path.join(CORPUS, "pcaps")
    corpus = sorted(glob.glob(os.path.join(corpus_dir, "*"))) if os.path.isdir(corpus_dir) else []
    return own, corpus


def same(fail, path, extra):
    base = run("analyze", "-q", *extra, path, timeout=300)
    for j in JOBS:
        got = run("analyze", "-q", "-j", j, *extra, path, timeout=300)
        fail.check(got == base, f"{os.path.basename(path)} {' '.join(extra)}: -j {j} "
                   f"differs from -j 1 (exit {got[0]} vs {base[0]})")
    return base[0]


def main():
    fail = Failures()
    own, corpus = captures()
    n = 0
    for path in own + corpus:
        for variant in VARIANTS:
            for fmt in FORMATS:
                same(fail, path, ["-F", fmt, *variant])
        same(fail, path, ["-F", "json", *CAPPED])
        n += 1

    sample = os.path.join(SRC, "samples", "hf-deploy.pcap")
    # Several files: every worker reads all of them in the same order.
    xet = os.path.join(SRC, "samples", "hf-xet.pcap")
    same(fail, sample, ["-F", "json", xet])

    # A file that cannot be read: the one line and the exit code of -j 1.
    missing = os.path.join(tempfile.gettempdir(), "ea-jobs-no-such-file.pcap")
    base = run("analyze", missing)
    got = run("analyze", "-j", "2", missing)
    fail.check(base[0] == 2 and got == base, f"missing file: {got} vs {base}")

    with tempfile.TemporaryDirectory() as tmp:
        # A cut file: its warning once, not once per worker.
        cut = os.path.join(tmp, "cut.pcap")
        with open(sample, "rb") as f:
            data = f.read()
        with open(cut, "wb") as f:
            f.write(data[:len(data) // 2])
        base = run("analyze", "-F", "json", cut)
        got = run("analyze", "-F", "json", "-j", "3", cut)
        fail.check(got == base and base[2].count("warning") == 1,
                   f"cut file: stderr {got[2]!r} vs {base[2]!r}")
        # A file that is not a capture, second on the line: as -j 1 says it.
        bad = os.path.join(tmp, "bad.pcap")
        with open(bad, "wb") as f:
            f.write(b"not a capture at all\n" * 4)
        shutil.copy(sample, os.path.join(tmp, "a.pcap"))
        base = run("analyze", os.path.join(tmp, "a.pcap"), bad)
        got = run("analyze", "-j", "2", os.path.join(tmp, "a.pcap"), bad)
        fail.check(base[0] == 2 and got == base, f"bad file: {got} vs {base}")

    # Usage: a count of processes in range, and no standard input.
    for bad_j in ["0", "65", "x"]:
        rc, _, err = run("analyze", "-j", bad_j, sample)
        fail.check(rc == 2 and "-j takes 1 to 64" in err, f"-j {bad_j}: {rc} {err!r}")
    with open(sample, "rb") as f:
        rc, _, err = run("analyze", "-j", "2", "-", stdin=f.read())
    fail.check(rc == 2 and "standard input" in err, f"-j 2 -: {rc} {err!r}")
    rc, out, _ = run("analyze", "--help")
    fail.check(b"--jobs N" in out, "--help does not describe -j")

    if not corpus:
        print(f"checked {n} captures; no corpus at {CORPUS}: skipped the rest")
        for f in fail.items:
            print("FAIL:", f)
        sys.exit(1 if fail.items else SKIP)
    fail.finish(f"{n} captures ({len(own)} own, {len(corpus)} corpus): -j {', '.join(JOBS)} "
                "equal -j 1 in json and text, with and without -p huggingface, and capped")


if __name__ == "__main__":
    main()
