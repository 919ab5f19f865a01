#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/pcapinfo.py: summary of a classic pcap file (stdlib only).

    bench/pcapinfo.py [--max-len N] FILE...

Prints, per file: link type, packets, captured bytes, the largest captured
record and the time span. With --max-len N, exits 1 when a record is longer
than N bytes (gen-bulk.sh checks that no offload merged segments: 1514).
"""
import argparse
import struct
import sys


def summary(path):
    with open(path, "rb", buffering=1 << 22) as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            raise ValueError(f"{path}: not a pcap file")
        magic = hdr[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            end = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            end = ">"
        else:
            raise ValueError(f"{path}: not a classic pcap file (pcapng?)")
        nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        linktype = struct.unpack(end + "I", hdr[20:24])[0]
        rec = struct.Struct(end + "IIII")
        packets = nbytes = maxlen = 0
        first = last = None
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            sec, frac, incl, _orig = rec.unpack(h)
            f.seek(incl, 1)
            packets += 1
            nbytes += incl
            maxlen = max(maxlen, incl)
            t = sec + frac / (1e9 if nano else 1e6)
            if first is None:
                first = t
            last = t
    return {"linktype": linktype, "packets": packets, "bytes": nbytes,
            "max_len": maxlen, "span_s": (last - first) if packets else 0.0}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-len", type=int)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    rc = 0
    for p in a.files:
        s = summary(p)
        print(f"{p}: linktype {s['linktype']}, {s['packets']} packets, {s['bytes']} bytes, "
              f"largest {s['max_len']} bytes, {s['span_s']:.3f} s")
        if a.max_len is not None and s["max_len"] > a.max_len:
            print(f"{p}: a record of {s['max_len']} bytes is longer than {a.max_len}",
                  file=sys.stderr)
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
