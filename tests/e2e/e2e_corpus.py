#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every file of ../shared/corpus: the binary exits 0 (or 2 with one clear
line), never dies, and the TLS SNI, DNS query and HTTP Host names it reports
include all of tshark's (expected/*.json). Files where they differ for a
known reason are listed in KNOWN with the reason; any other difference fails,
and so does a KNOWN entry that no longer differs (keep the list honest).
QUIC SNI ("quic_sni": names decrypted from QUIC Initial packets) is compared
both ways: every tshark name found, and no name tshark did not find unless
KNOWN_EXTRA gives the reason."""
import json
import os
import re
import sys

from common import CORPUS, SKIP, Failures, nameless_unexplained, run

# The time bound per file (the largest corpus file takes well under a second;
# sanitizer builds are several times slower).
PER_FILE_SECONDS = 30

# file -> {category: reason}; a category listed here may miss names.
KNOWN = {
    "libpcap__tests__filter__AH-IPcomp-IPv6.pcap": {
        "http_host": "the request is inside an IPComp (RFC 3173) compressed payload; "
                     "tshark inflates it, egress-audit does not decompress"},
    "ndpi__tests__cfgs__default__pcap__fuzz-2006-09-29-28586.pcap": {
        "http_host": "fuzzed request: the Host value '%s' stands in a head with NUL bytes "
                     "and bit-flipped field names; the head is malformed, so no name"},
}

# file -> {category: reason}; names found that tshark did not (quic_sni only).
KNOWN_EXTRA = {
    "tcpdump__tests__quic_vn.pcap": {
        "quic_sni": "'localhost' is real: after Version Negotiation the client retries with "
                    "version 1 and that Initial decrypts (its ClientHello names localhost); "
                    "tshark 4.0 does not decrypt the Initial that follows a Version Negotiation"},
}

# Not compared at all, for every file, with the reason:
# - tshark's placeholders for names it could not read are not names;
# - SSDP discovery (HTTP over UDP to 239.255.255.250 / ff02::c, port 1900) is
#   link-local multicast, never egress: HTTP over UDP is not parsed.
PLACEHOLDER = re.compile(r"^<[A-Z][A-Za-z ]+>$")
SSDP_HOSTS = {"239.255.255.250", "ff02::c"}


def norm_tshark(name):
    """tshark's spelling back to raw characters: \\DDD (decimal), \\r, \\n,
    \\t and \\\\ escapes."""
    if name == "<Root>":
        return "."
    simple = {"r": "\r", "n": "\n", "t": "\t", "\\": "\\"}
    return re.sub(r"\\(\d{3}|[rnt\\])",
                  lambda m: simple.get(m.group(1)) or chr(int(m.group(1))), name)


def skeleton(name):
    """tshark and egress-audit escape unprintable bytes differently (\\032 vs
    \\x1a, U+FFFD for bytes that are not UTF-8): compare such names by their
    plain letters, digits, dots and dashes only."""
    return "".join(ch for ch in name if ch.isascii() and (ch.isalnum() or ch in ".-_"))


def plain(name):
    return all(0x20 < ord(ch) < 0x7f and ch != "\\" for ch in name)


def host_of(authority):
    """Host part of a Host header value, as egress-audit names it."""
    if authority.startswith("["):
        end = authority.find("]")
        return authority[1:end] if end > 0 else authority
    if authority.count(":") == 1:
        return authority.split(":", 1)[0]
    return authority


def unescape(name):
    """egress-audit's safe text back to the raw string (\\xNN and \\\\)."""
    out = bytearray()
    i = 0
    b = name.encode("ascii", "replace")
    while i < len(b):
        if b[i] == 0x5C and i + 1 < len(b) and b[i + 1] == 0x5C:
            out.append(0x5C)
            i += 2
        elif b[i] == 0x5C and i + 3 < len(b) and b[i + 1] == ord("x"):
            out.append(int(b[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(b[i])
            i += 1
    return out.decode("utf-8", "replace")


def ours(rep):
    sni = {unescape(c["name"]) for c in rep["connections"] if c["name_source"] == "sni"}
    # the SNI inside CONNECT or SOCKS is a second name of its connection
    sni |= {unescape(c["inner_name"]) for c in rep["connections"]
            if c.get("inner_name_source") == "sni"}
    http = {unescape(c["name"]) for c in rep["connections"]
            if c["name_source"] in ("http_host", "connect")}
    # the Host of plain HTTP inside CONNECT or SOCKS is a second name
    http |= {unescape(c["inner_name"]) for c in rep["connections"]
             if c.get("inner_name_source") == "http_host"}
    for c in rep["connections"]:
        for h in c.get("http_hosts") or []:
            http.add(unescape(h))
    # DNS presentation form escapes a '.' or '\\' inside a label once more.
    dns = {re.sub(r"\\([.\\])", r"\1", unescape(d["query"])) for d in rep["dns"]}
    quic = {unescape(c["name"]) for c in rep["connections"] if c["name_source"] == "quic_sni"}
    return {"sni": sni, "http_host": http, "dns": dns, "quic_sni": quic}


CATEGORIES = ("sni", "dns", "http_host", "quic_sni")


def main():
    pcaps = os.path.join(CORPUS, "pcaps")
    if not os.path.isdir(pcaps):
        print("skip: no corpus at", CORPUS)
        sys.exit(SKIP)
    f = Failures()
    totals = {k: [0, 0] for k in CATEGORIES}
    files = sorted(os.listdir(pcaps))
    errors = 0
    for name in files:
        path = os.path.join(pcaps, name)
        rc, out, err = run("analyze", "-q", "-F", "json", path, timeout=PER_FILE_SECONDS)
        if rc == 2:
            errors += 1
            lines = [l for l in err.splitlines() if l.strip()]
            f.check(len(lines) == 1 and lines[0].startswith("egress-audit analyze: ") and path in lines[0],
                    f"{name}: exit 2 needs one line naming the file, got {lines!r}")
            rep = None
        else:
            f.check(rc == 0, f"{name}: exit {rc}: {err.strip()}")
            rep = json.loads(out) if rc == 0 else None
            for c in nameless_unexplained(rep or {}):
                f.check(False, f"{name}: client payload, no name and no flag saying why: "
                               f"{c['src']}:{c['sport']} -> {c['dst']}:{c['dport']} {c['flags']}")
        exp_path = os.path.join(CORPUS, "expected", name + ".json")
        if not os.path.exists(exp_path):
            continue
        exp = json.load(open(exp_path))
        got = ours(rep) if rep else {cat: set() for cat in CATEGORIES}
        known = KNOWN.get(name, {})
        for cat in CATEGORIES:
            want = {norm_tshark(n) for n in exp.get(cat, []) if not PLACEHOLDER.match(n)}
            if cat == "http_host":
                want = {host_of(n) for n in want}
                want = {n for n in want if n.lower() not in SSDP_HOSTS}
            have = got[cat]
            have_l = {h.lower() for h in have}
            have_skel = {skeleton(h).lower() for h in have}
            missing = sorted(n for n in want if n not in have and n.lower() not in have_l
                             and (plain(n) or skeleton(n).lower() not in have_skel))
            totals[cat][0] += len(want) - len(missing)
            totals[cat][1] += len(want)
            if missing and cat not in known:
                f.check(False, f"{name}: {cat} missing {missing[:8]}{' ...' if len(missing) > 8 else ''}")
            elif not missing and cat in known:
                f.check(False, f"{name}: {cat} now matches tshark; remove it from KNOWN")
            if cat == "quic_sni":
                want_l = {n.lower() for n in want}
                extra = sorted(n for n in have if n.lower() not in want_l)
                known_extra = KNOWN_EXTRA.get(name, {})
                if extra and cat not in known_extra:
                    f.check(False, f"{name}: {cat} names tshark did not find: {extra[:8]}")
                elif not extra and cat in known_extra:
                    f.check(False, f"{name}: {cat} has no extra name; remove it from KNOWN_EXTRA")
    for cat, (found, want) in totals.items():
        print(f"{cat}: {found} of {want} tshark names found")
    print(f"{len(files)} files, {errors} refused with exit 2")
    f.finish(f"corpus ({len(files)} files)")


if __name__ == "__main__":
    main()
