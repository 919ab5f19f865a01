#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The layout the build promises (DESIGN.md, STYLE.md "Modules and names"):
the report library and the command line's capture-free library reference no
libpcap or libnids symbol, defined or undefined (egress-audit report works
without them); pcap.h is included only under capture/, nids.h only by the
reassembly glue analyze/flow/reasm.c. EA_BUILD is the build directory."""
import os
import re
import subprocess

from common import SRC, Failures

BUILD = os.environ.get("EA_BUILD", os.path.join(SRC, "build"))
FOREIGN = re.compile(r"^_*(pcap|nids)_")
PCAP_H = re.compile(r'^\s*#\s*include\s*[<"](pcap/)?pcap\.h[>"]', re.M)
NIDS_H = re.compile(r'^\s*#\s*include\s*[<"]nids\.h[>"]', re.M)


def find_lib(name):
    for root, _, files in os.walk(BUILD):
        if name in files:
            return os.path.join(root, name)
    return None


def symbols(path):
    out = subprocess.run(["nm", "-A", path], capture_output=True, text=True, check=True).stdout
    # "lib.a:obj.o: 0000 T name" or "lib.a:obj.o:          U name"
    return [line.split()[-1] for line in out.splitlines() if len(line.split()) >= 2]


def c_files():
    try:
        out = subprocess.run(["git", "-C", SRC, "ls-files", "*.c", "*.h"], capture_output=True,
                             text=True, check=True).stdout
        return out.split()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: every file
        found = []
        for root, _, files in os.walk(SRC):
            if os.path.relpath(root, SRC).split(os.sep)[0] in (".git", "build"):
                continue
            found += [os.path.relpath(os.path.join(root, n), SRC)
                      for n in files if n.endswith((".c", ".h"))]
        return found


def main():
    f = Failures()
    for lib in ("libea-report.a", "libea-cli-report.a"):
        path = find_lib(lib)
        if not f.check(path is not None, f"{lib} not found under {BUILD}"):
            continue
        bad = sorted({s for s in symbols(path) if FOREIGN.match(s)})
        f.check(not bad, f"{lib} references {', '.join(bad)}")
    # the check sees such symbols where they are
    capture = find_lib("libea-capture.a")
    if f.check(capture is not None, "libea-capture.a not found"):
        f.check(any(FOREIGN.match(s) for s in symbols(capture)),
                "libea-capture.a shows no pcap_ symbol: the check above proves nothing")
    files = c_files()
    f.check(len(files) > 20, f"only {len(files)} C files listed")
    for rel in files:
        if rel.startswith("bench/"):
            continue  # the benchmark's own programs (floor.c reads pcap), not the tool
        text = open(os.path.join(SRC, rel), encoding="utf-8", errors="replace").read()
        if PCAP_H.search(text):
            f.check(rel.startswith("capture/"), f"{rel} includes pcap.h (only capture/ may)")
        if NIDS_H.search(text):
            f.check(rel == "analyze/flow/reasm.c", f"{rel} includes nids.h (only reasm.c may)")
    f.finish(f"layout ({len(files)} C files)")


if __name__ == "__main__":
    main()
