#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/concat.py: COPIES copies of a classic pcap file, one after another.

    bench/concat.py COPIES IN OUT

For the growth check of bench/run.sh (bulk 1x, 2x, 4x). Unlike
`mergecap -a`, each copy is shifted in time to start GAP seconds (default 61)
after the copy before it ended, so packet time only moves forward, as in one
long capture: the same downloads again a minute later, from the same ports
(past Linux's 60 s TIME_WAIT, and past egress-audit's 60 s idle timeout of
closed flows). Records are copied unchanged apart from their timestamps.
Python 3 standard library only.
"""
import os
import struct
import sys


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    copies, src, dst = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    gap = float(os.environ.get("GAP", "61"))
    with open(src, "rb") as f:
        hdr = f.read(24)
    magic = hdr[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        print(f"concat: {src}: not a classic pcap file", file=sys.stderr)
        return 2
    unit = 1_000_000_000 if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1_000_000
    rec = struct.Struct(end + "IIII")

    def records():
        with open(src, "rb", buffering=1 << 24) as f:
            f.read(24)
            while True:
                h = f.read(16)
                if len(h) < 16:
                    return
                sec, frac, incl, orig = rec.unpack(h)
                yield sec * unit + frac, incl, orig, f.read(incl)

    first = last = None
    for t, *_ in records():
        if first is None:
            first = t
        last = t
    if first is None:
        print(f"concat: {src}: no packets", file=sys.stderr)
        return 2
    step = last - first + int(gap * unit)
    with open(dst + ".part", "wb", buffering=1 << 24) as out:
        out.write(hdr)
        for k in range(copies):
            shift = k * step
            for t, incl, orig, data in records():
                t += shift
                out.write(rec.pack(t // unit, t % unit, incl, orig))
                out.write(data)
    os.replace(dst + ".part", dst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
