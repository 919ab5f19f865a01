#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input: each gives one clear line naming the file (exit 2), a file cut
mid-record is analyzed up to the cut (exit 0, "truncated": true), and names
with control bytes come out escaped."""
import json
import os
import struct
import tempfile

from common import SRC, Failures, run

SAMPLE = os.path.join(SRC, "samples", "hf-deploy.pcap")


def pcap_header(linktype, snaplen=65535):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)


def record(data, ts=1):
    return struct.pack("<IIII", ts, 0, len(data), len(data)) + data


def main():
    f = Failures()
    tmp = tempfile.mkdtemp(prefix="ea-bad-")

    def path(name, content):
        p = os.path.join(tmp, name)
        with open(p, "wb") as fh:
            fh.write(content)
        return p

    cases = [
        # (file, content or None for nonexistent, expected words in the message)
        ("missing.pcap", None, "No such file or directory"),
        ("empty.pcap", b"", "empty file"),
        ("text.pcap", b"this is not a capture file at all\n" * 4, "not a pcap or pcapng file"),
        ("usb.pcap", pcap_header(189) + record(b"\x00" * 40), "unsupported link type"),
        ("header-only-cut.pcap", pcap_header(1)[:10], "egress-audit analyze:"),
    ]
    for name, content, words in cases:
        p = os.path.join(tmp, name) if content is None else path(name, content)
        rc, out, err = run("analyze", p)
        lines = [l for l in err.splitlines() if l.strip()]
        f.check(rc == 2, f"{name}: exit {rc}, want 2")
        f.check(len(lines) == 1, f"{name}: want one line on stderr, got {lines!r}")
        f.check(p in err, f"{name}: message does not name the file: {err!r}")
        f.check(words in err, f"{name}: message lacks {words!r}: {err!r}")
        f.check(out == b"", f"{name}: wrote a report on error")

    # usage errors
    for args, words in [((), "at least one capture file"), (("-F", "xml", SAMPLE), "unknown format"),
                        (("--bogus",), "")]:
        rc, out, err = run("analyze", *args)
        f.check(rc == 2, f"analyze {args}: exit {rc}, want 2")
        f.check(words in err, f"analyze {args}: {err!r}")
    rc, out, _ = run("--help")
    f.check(rc == 0 and b"analyze" in out, "--help")
    rc, out, _ = run("analyze", "--help")
    f.check(rc == 0 and b"--format" in out, "analyze --help")
    rc, out, _ = run("--version")
    f.check(rc == 0 and out.startswith(b"egress-audit "), "--version")
    rc, _, err = run("nonsense")
    f.check(rc == 2 and "unknown command" in err, "unknown command")

    # A file cut inside a record: what is there is analyzed, with a warning.
    if os.path.exists(SAMPLE):
        data = open(SAMPLE, "rb").read()
        cut = path("cut.pcap", data[: len(data) - 37])
        rc, out, err = run("analyze", "-F", "json", cut)
        f.check(rc == 0, f"cut file: exit {rc}, want 0 ({err})")
        f.check("warning" in err and cut in err and "offset" in err,
                f"cut file: warning should name the file and the offset: {err!r}")
        if rc == 0:
            rep = json.loads(out)
            f.check(rep["truncated"] is True, "cut file: report not marked truncated")
            f.check(rep["inputs"][0]["truncated"] is True, "cut file: input not marked truncated")
            f.check(rep["stats"]["counters"]["packets"] > 10, "cut file: packets before the cut lost")
        # stdin gives the same report as the file
        rc1, out1, _ = run("analyze", "-F", "json", SAMPLE)
        rc2, out2, _ = run("analyze", "-F", "json", "-", stdin=data)
        j1, j2 = json.loads(out1), json.loads(out2)
        j1["inputs"] = j2["inputs"] = None
        f.check(rc1 == 0 and rc2 == 0 and j1 == j2, "stdin report differs from file report")

    # A hostile SNI and Host: control bytes and non-ASCII must come out escaped.
    evil = b"\x1b]0;pwn\x07ev\xffil.example"
    ch = hostile_capture(evil)
    p = path("evil.pcap", ch)
    for fmt in ("text", "json"):
        rc, out, err = run("analyze", "--color", "never", "-F", fmt, p)
        f.check(rc == 0, f"evil {fmt}: exit {rc} {err}")
        bad = [b for b in out if b < 0x20 and b not in (0x0a, 0x09) or b >= 0x7f]
        f.check(not bad, f"evil {fmt}: raw control/non-ASCII bytes in output: {bad[:5]}")
        f.check(b"\\x1b]0;pwn\\x07ev\\xffil.example" in out.replace(b"\\\\", b"\\"),
                f"evil {fmt}: escaped name not found")
    f.finish("bad input")


def ip4_tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, bytes(src), bytes(dst))
    return ip + tcp


def hostile_capture(name):
    """A raw-IP pcap: one TCP connection with a ClientHello whose SNI is name."""
    sni = struct.pack("!BH", 0, len(name)) + name
    sni_ext = struct.pack("!HH", 0, len(sni) + 2) + struct.pack("!H", len(sni)) + sni
    body = b"\x03\x03" + b"\x11" * 32 + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00"
    body += struct.pack("!H", len(sni_ext)) + sni_ext
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    rec = b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs
    c, s = [10, 0, 0, 1], [10, 0, 0, 2]
    pkts = [
        ip4_tcp(c, s, 40000, 443, 100, 0, 0x02),
        ip4_tcp(s, c, 443, 40000, 500, 101, 0x12),
        ip4_tcp(c, s, 40000, 443, 101, 501, 0x10),
        ip4_tcp(c, s, 40000, 443, 101, 501, 0x18, rec),
        ip4_tcp(s, c, 443, 40000, 501, 101 + len(rec), 0x14),
    ]
    out = pcap_header(101)
    for i, p in enumerate(pkts):
        out += record(p, ts=1000 + i)
    return out


if __name__ == "__main__":
    main()
