#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile captures: one pcap per case, each built to break a parser.

    python3 gen_hostile.py DIR [NAME...]      write the captures (all, or names
                                              containing one of NAME) into DIR
    python3 gen_hostile.py --list             the cases and what the tool must do
    python3 gen_hostile.py --syn-flood N FILE N SYNs to distinct (address, port)
                                              pairs (bench/million_syn.sh)

`CASES` is the table: a name, a function that writes the capture, a sentence
saying what the tool must do with it, and the same as data (`Expect`) that
tests/e2e/e2e_hostile.py checks. A function may return more expectations it
only knows once the file is written (the offset of a cut record, ...).

Built on tests/e2e/pcapgen.py; the helpers it lacks (raw DNS, pcapng,
tunnels, IPv6 extension chains, a fast SYN writer) are here.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
import pcapgen as pg  # noqa: E402

C4, S4 = "10.0.0.5", "192.0.2.10"
C6, S6 = "2001:db8:1::5", "2001:db8:2::10"
RESOLVER4 = "10.0.0.53"
SAMPLE = os.path.join(SRC, "samples", "hf-deploy.pcap")


class Expect:
    """What the tool must do with a capture, as data.

    exit        allowed exit codes (never a signal; 2 means one line on stderr
                naming the file)
    args        extra options for `egress-audit analyze`
    timeout     seconds per run
    names       connection names that must appear
    allowed_names  if set: every connection name is None or one of these
    counters_min   {counter: least value}
    counters_eq    {counter: exact value}
    dns         [(query, answer data)] that must be in the report's dns list
    truncated   the report's "truncated"
    stderr      words that must appear in the warnings (run without -q)
    stderr_not  words that must not
    text        words that must appear in the text report
    conns_min   least number of connections
    check       extra check: f(report, text, stderr) -> [failure, ...]
    """

    def __init__(self, exit=(0,), args=(), timeout=20, names=(), allowed_names=None,
                 counters_min=None, counters_eq=None, dns=(), truncated=False, stderr=(),
                 stderr_not=(), text=(), conns_min=0, check=None):
        self.exit = tuple(exit)
        self.args = list(args)
        self.timeout = timeout
        self.names = list(names)
        self.allowed_names = None if allowed_names is None else set(allowed_names)
        self.counters_min = dict(counters_min or {})
        self.counters_eq = dict(counters_eq or {})
        self.dns = list(dns)
        self.truncated = truncated
        self.stderr = list(stderr)
        self.stderr_not = list(stderr_not)
        self.text = list(text)
        self.conns_min = conns_min
        self.check = check

    def update(self, more):
        for k, v in (more or {}).items():
            if not hasattr(self, k):
                raise KeyError(k)
            setattr(self, k, v)


class Case:
    def __init__(self, name, gen, must, expect):
        self.name, self.gen, self.must, self.expect = name, gen, must, expect
        self.path = None

    def write(self, directory):
        self.path = os.path.join(directory, self.name + (".pcapng" if "pcapng" in self.name
                                                         else ".pcap"))
        self.expect.update(self.gen(self.path))
        return self.path


CASES = []


def case(name, must, **expect):
    def deco(fn):
        CASES.append(Case(name, fn, must, Expect(**expect)))
        return fn
    return deco


# ---- helpers pcapgen lacks ----

def write_frames(path, frames, linktype=pg.LINKTYPE_ETHERNET, snaplen=262144, t0=1714564800.0,
                 step=0.001):
    """Frames (bytes, or (bytes, ts), or (bytes, ts, orig_len)) into a classic pcap."""
    out = [pg.pcap_header(linktype, snaplen)]
    t = t0
    for f in frames:
        if isinstance(f, tuple):
            data, ts = f[0], f[1]
            orig = f[2] if len(f) > 2 else None
        else:
            data, ts, orig = f, t, None
        out.append(pg.pcap_record(data, ts, orig))
        t = ts + step
    with open(path, "wb") as fh:
        fh.write(b"".join(out))
    return path


def raw_record(data, sec, usec, caplen=None, length=None):
    """A pcap record header with any caplen/len, lies included."""
    return struct.pack("<IIII", sec & 0xFFFFFFFF, usec & 0xFFFFFFFF,
                       len(data) if caplen is None else caplen,
                       len(data) if length is None else length) + data


def tls_steps(hello, answer=True, **cut):
    steps = [("c", "S"), ("s", "SA"), ("c", "A"), pg.Step("c", "PA", hello, **cut)]
    if answer:
        steps.append(("s", "PA", pg.server_hello()))
    return steps


def tls_conv(sni, client=C4, server=S4, cport=40000, sport=443, cut=None, **hello):
    """A TLS conversation (IP packets) whose ClientHello names sni."""
    return pg.TcpConn(client, server, cport, sport).play(
        tls_steps(pg.client_hello(sni, **hello), **(cut or {})))


def raw_hello(exts, record_split=()):
    """A ClientHello with exactly these extension bytes (no others)."""
    body = (pg.u16(0x0303) + bytes(range(32)) + pg.vec8(b"\x33" * 32) + pg.vec16(pg.u16(0x1301))
            + pg.vec8(b"\x00") + pg.vec16(exts))
    msg = pg.u8(1) + pg.u24(len(body)) + body
    return pg.tls_records(22, msg, split=record_split)


def sni_ext(*names, name_type=0, list_len=None, ext_len=None, name_len=None):
    """server_name extension; the lengths may lie."""
    entries = b""
    for n in names:
        n = n.encode() if isinstance(n, str) else n
        entries += pg.u8(name_type) + pg.u16(len(n) if name_len is None else name_len) + n
    body = pg.u16(len(entries) if list_len is None else list_len) + entries
    return pg.u16(0) + pg.u16(len(body) if ext_len is None else ext_len) + body


# DNS, written by hand so that every field may lie.

def dns_header(qid=0x4242, flags=0x8180, qd=1, an=1, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def dns_name(text):
    out = b""
    for label in text.split("."):
        if label:
            out += pg.u8(len(label)) + label.encode()
    return out + b"\x00"


def ptr(offset):
    return struct.pack("!H", 0xC000 | offset)


QTA = struct.pack("!HH", 1, 1)  # type A, class IN


def rr_a(owner_bytes, address="192.0.2.77", ttl=60, rdlength=None, rdata=None):
    rdata = pg.addr(address).packed if rdata is None else rdata
    return owner_bytes + struct.pack("!HHIH", 1, 1, ttl, len(rdata) if rdlength is None else rdlength) + rdata


def dns_capture(path, bad_messages, good=("ok.after.example", "192.0.2.99")):
    """Each bad message as a UDP response, then a good query and response:
    the parser must come back from every bad one."""
    cap = pg.Capture()
    for i, m in enumerate(bad_messages):
        cap.add(pg.udp_packet(C4, RESOLVER4, 50000 + i, 53, pg.dns_query(0x100 + i, "bad%d.example" % i)))
        cap.add(pg.udp_packet(RESOLVER4, C4, 53, 50000 + i, m))
    name, ip = good
    cap.add(pg.udp_packet(C4, RESOLVER4, 51000, 53, pg.dns_query(0x777, name)))
    cap.add(pg.udp_packet(RESOLVER4, C4, 53, 51000, pg.dns_response(0x777, name, "A", [("A", name, ip, 60)])))
    cap.write(path)


GOOD_DNS = [("ok.after.example", "192.0.2.99")]


def ipv6_with_chain(packet, chain, frag=None):
    """Rebuild an IPv6 packet with extension headers of the given types
    (0 hop-by-hop, 60 destination options, 43 routing, 44 fragment) in front of
    its payload. Each non-fragment header is 8 bytes (a PadN option);
    frag=(offset, M) makes a 44 in the chain use those values."""
    nh = packet[6]
    payload = packet[40:]
    for t in reversed(chain):
        if t == 44:
            off, m = frag or (0, 0)
            hdr = struct.pack("!BBHI", nh, 0, (off << 3) | m, 0x1234)
        elif t == 43:
            hdr = bytes([nh, 0, 0, 0]) + b"\0" * 4  # routing type 0, segments left 0
        else:
            hdr = bytes([nh, 0, 1, 4]) + b"\0" * 4
        payload = hdr + payload
        nh = t
    src = str(pg.ipaddress.IPv6Address(packet[8:24]))
    dst = str(pg.ipaddress.IPv6Address(packet[24:40]))
    return pg.ipv6(src, dst, nh, payload)


def eth_raw(ethertype, body, src=pg.MAC_CLIENT, dst=pg.MAC_SERVER):
    return dst + src + struct.pack("!H", ethertype) + body


def mpls_labels(n, bos_last=True):
    out = b""
    for i in range(n):
        bos = 1 if (bos_last and i == n - 1) else 0
        out += struct.pack("!I", ((1000 + i) << 12) | (bos << 8) | 64)
    return out


# Tunnels: each takes an inner IP packet and gives an outer IP packet.
T_OUT_A, T_OUT_B = "172.16.0.1", "172.16.0.2"


def vxlan(inner, level=0):
    hdr = b"\x08\x00\x00\x00" + struct.pack("!I", (100 + level) << 8)
    return pg.udp_packet("172.16.%d.1" % level, "172.16.%d.2" % level, 40000 + level, 4789,
                         hdr + pg.ethernet(inner))


def geneve(inner, level=0):
    hdr = struct.pack("!BBH", 0, 0, 0x0800 if inner[0] >> 4 == 4 else 0x86DD) + struct.pack("!I", 7 << 8)
    return pg.udp_packet("172.17.%d.1" % level, "172.17.%d.2" % level, 41000 + level, 6081, hdr + inner)


def gtpu(inner, level=0):
    hdr = struct.pack("!BBHI", 0x30, 0xFF, len(inner), 0xABCD)
    return pg.udp_packet("172.18.%d.1" % level, "172.18.%d.2" % level, 2152, 2152, hdr + inner)


def ipip(inner, level=0):
    return pg.ipv4("172.19.%d.1" % level, "172.19.%d.2" % level, 4 if inner[0] >> 4 == 4 else 41, inner)


def gre(inner, level=0, flags=0, ver=0, proto=None, extra=b""):
    if proto is None:
        proto = 0x0800 if inner[0] >> 4 == 4 else 0x86DD
    hdr = struct.pack("!HH", flags | ver, proto)
    if flags & 0x8000 or (flags & 0x4000 and ver == 0):
        hdr += b"\0\0\0\0"          # checksum + offset/reserved
    if flags & 0x2000:
        hdr += struct.pack("!I", 0x11223344)
    if flags & 0x1000:
        hdr += struct.pack("!I", 1)
    if ver == 1 and flags & 0x0080:
        hdr += struct.pack("!I", 2)
    return pg.ipv4("172.20.%d.1" % level, "172.20.%d.2" % level, 47, hdr + extra + inner)


def teredo(inner6, prefix=b"", level=0):
    return pg.udp_packet("172.21.%d.1" % level, "172.21.%d.2" % level, 3544, 50123, prefix + inner6)


def origin_indication(port=0xFFFF ^ 40000, addr=b"\xff\xff\xff\xff"):
    return b"\x00\x00" + struct.pack("!H", port) + addr


def wrap_all(packets, wrappers):
    """Wrap every packet; wrappers innermost first."""
    out = []
    for p in packets:
        for lvl, w in enumerate(wrappers):
            p = w(p, lvl)
        out.append(p)
    return out


# pcapng, which pcapgen does not write.

def pcapng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng_shb():
    return pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def pcapng_idb(linktype, snaplen=262144):
    return pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen))


def pcapng_epb(ifid, data, ts_us):
    return pcapng_block(6, struct.pack("<IIIII", ifid, ts_us >> 32, ts_us & 0xFFFFFFFF, len(data),
                                       len(data)) + data)


# A fast writer for big SYN floods: one template built by pcapgen, then
# only the address, ports and checksums change.

def syn_flood_bytes(n, t0=1714564800.0, step_us=10):
    """n SYNs from 10.0.0.5 to distinct (address, port) pairs: 50,000 ports
    (1024..50023) on each of 10.128.0.0, 10.128.0.1, ..., as an Ethernet pcap
    generator (chunks of bytes)."""
    tmpl = pg.ethernet(pg.tcp_packet(C4, "10.128.0.0", 40000, 1024, 0x01000000, 0, "S"))
    assert len(tmpl) == 54
    eth, iph, tcph = tmpl[:14], bytearray(tmpl[14:34]), bytearray(tmpl[34:54])
    iph[10:12] = b"\0\0"
    tcph[16:18] = b"\0\0"

    def fold(s):
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        return s

    def words(b):
        return sum(struct.unpack("!%dH" % (len(b) // 2), bytes(b)))

    # IP checksum: constant part without the last two address words.
    ip_base = words(iph[:16])
    # TCP: pseudo header (src, proto, length) + header without ports and seq.
    tcp_base = words(pg.addr(C4).packed) + 6 + 20 + words(tcph[8:])
    seq0 = 0x01000000
    yield pg.pcap_header(pg.LINKTYPE_ETHERNET)
    sec0 = int(t0)
    chunk = []
    rec = struct.Struct("<IIII")
    for i in range(n):
        host, port = divmod(i, 50000)
        dport, sport = 1024 + port, 32768 + (i % 28000)
        d = (10 << 24) | (128 << 16) | host
        dhi, dlo = d >> 16, d & 0xFFFF
        ipc = ~fold(ip_base + dhi + dlo) & 0xFFFF
        seq = (seq0 + i * 7919) & 0xFFFFFFFF
        tc = ~fold(tcp_base + dhi + dlo + sport + dport + (seq >> 16) + (seq & 0xFFFF)) & 0xFFFF
        ip = bytes(iph[:10]) + struct.pack("!H", ipc) + bytes(iph[12:16]) + struct.pack("!I", d)
        tcp = struct.pack("!HHI", sport, dport, seq) + bytes(tcph[8:16]) + struct.pack("!H", tc) + bytes(tcph[18:])
        us = i * step_us
        chunk.append(rec.pack(sec0 + us // 1000000, us % 1000000, 54, 54) + eth + ip + tcp)
        if len(chunk) == 65536:
            yield b"".join(chunk)
            chunk = []
    if chunk:
        yield b"".join(chunk)


def write_syn_flood(path, n, **kw):
    with open(path, "wb") as fh:
        for b in syn_flood_bytes(n, **kw):
            fh.write(b)
    return path


# ---- DNS ----

def dns_self_pointer():
    q = dns_header(an=0) + ptr(12) + QTA  # the question name points at itself
    owner_at = 12 + len(dns_name("self.example")) + 4
    a = dns_header() + dns_name("self.example") + QTA + rr_a(ptr(owner_at))  # the owner too
    return [q, a]


@case("dns_ptr_self", "a compression pointer to itself (question and answer owner): "
      "counted in dns_malformed, no hang; the next good message is parsed",
      counters_min={"dns_malformed": 2}, dns=GOOD_DNS)
def g_dns_ptr_self(path):
    dns_capture(path, dns_self_pointer())


@case("dns_ptr_loop", "two pointers pointing at each other (bare, and with a label "
      "before each): dns_malformed, no hang", counters_min={"dns_malformed": 2}, dns=GOOD_DNS)
def g_dns_ptr_loop(path):
    # question at 12 -> 18, answer owner at 18 -> 12
    m1 = dns_header() + ptr(18) + QTA + rr_a(ptr(12))
    # with labels: 12: "a" -> 20 ; 20: "b" -> 12
    m2 = dns_header() + b"\x01a" + ptr(20) + QTA + rr_a(b"\x01b" + ptr(12))
    # a chain of 200 backward pointers, each to the one before, kept in the
    # RDATA of an unknown record type; the next record's owner is its end:
    # never a loop, but long
    q = dns_name("chain.example")
    rdata_at = 12 + len(q) + 4 + 2 + 10
    chain = ptr(12) + b"".join(ptr(rdata_at + 2 * (k - 1)) for k in range(1, 200))
    last = rdata_at + 2 * 199
    m3 = (dns_header(an=2) + q + QTA + ptr(12) + struct.pack("!HHIH", 0x1234, 1, 60, len(chain))
          + chain + rr_a(ptr(last)))
    return dns_capture(path, [m1, m2, m3])


@case("dns_ptr_forward", "a pointer to a later offset (RFC 1035 allows only prior "
      "occurrences): counted malformed or parsed right, never a wrong name",
      dns=GOOD_DNS, check=lambda rep, text, err: check_forward(rep))
def g_dns_forward(path):
    qname_at = 12
    tail_name = dns_name("fwd.example")
    answer = rr_a(ptr(qname_at), address="192.0.2.55")
    x = 12 + 2 + 4 + len(answer)
    m = dns_header(ar=0) + ptr(x) + QTA + answer + tail_name
    dns_capture(path, [m])


def check_forward(rep):
    bad = []
    c = rep["stats"]["counters"]
    names = {d["query"] for d in rep["dns"]}
    parsed_right = any(d["query"] == "fwd.example" and
                       any(a.get("data") == "192.0.2.55" for a in d["answers"]) for d in rep["dns"])
    if c["dns_malformed"] == 0 and not parsed_right:
        bad.append(f"forward pointer neither counted malformed nor parsed right: dns queries {sorted(names)}")
    return bad


@case("dns_label_64", "labels of 64 and 127 bytes (length bytes 0x40 and 0x7f are not "
      "label lengths): dns_malformed", counters_min={"dns_malformed": 2}, dns=GOOD_DNS)
def g_dns_label64(path):
    m1 = dns_header(an=0) + b"\x40" + b"a" * 64 + dns_name("example") + QTA
    m2 = dns_header() + dns_name("ok.example") + QTA + rr_a(b"\x7f" + b"b" * 127 + b"\x00")
    dns_capture(path, [m1, m2])


@case("dns_name_256", "names of 256+ wire bytes: 4 labels of 63, and a name made long "
      "through pointers: dns_malformed", counters_min={"dns_malformed": 2}, dns=GOOD_DNS)
def g_dns_name256(path):
    long = ".".join(["x" * 63] * 4)  # 4 * 64 + 1 = 257 bytes
    m1 = dns_header(an=0) + dns_name(long) + QTA
    # question: 2 labels of 63 (129 bytes with root); answer owner: 2 more
    # labels then a pointer to the question: 128 + 129 = 257
    half = ".".join(["y" * 63] * 2)
    m2 = dns_header() + dns_name(half) + QTA + rr_a(dns_name(half)[:-1] + ptr(12))
    dns_capture(path, [m1, m2])


@case("dns_answer_past_end", "answer owner and CNAME target pointing past the message, "
      "ANCOUNT larger than the answers: dns_malformed or dns_truncated, good message after "
      "is parsed", dns=GOOD_DNS,
      check=lambda rep, text, err: need_sum(rep, ["dns_malformed", "dns_truncated"], 3))
def g_dns_past_end(path):
    m1 = dns_header() + dns_name("past.example") + QTA + rr_a(ptr(0x3FFF))
    cname_rd = ptr(0x3000)
    m2 = (dns_header() + dns_name("cname.example") + QTA + ptr(12)
          + struct.pack("!HHIH", 5, 1, 60, len(cname_rd)) + cname_rd)
    m3 = dns_header(an=60) + dns_name("count.example") + QTA + rr_a(ptr(12))
    dns_capture(path, [m1, m2, m3])


def need_sum(rep, counters, least):
    c = rep["stats"]["counters"]
    s = sum(c.get(k, 0) for k in counters)
    return [] if s >= least else [f"{' + '.join(counters)} = {s}, want >= {least}"]


@case("dns_rdlength_past_end", "RDLENGTH 0xffff with 4 bytes left, AAAA with RDLENGTH 16 "
      "and 4 bytes, a CNAME whose name overruns RDLENGTH: counted, no read past the end",
      dns=GOOD_DNS,
      check=lambda rep, text, err: need_sum(rep, ["dns_malformed", "dns_truncated"], 3))
def g_dns_rdlength(path):
    m1 = dns_header() + dns_name("rdlen.example") + QTA + rr_a(ptr(12), rdlength=0xFFFF)
    m2 = (dns_header() + dns_name("aaaa.example") + struct.pack("!HH", 28, 1) + ptr(12)
          + struct.pack("!HHIH", 28, 1, 60, 16) + b"\x20\x01\x0d\xb8")
    target = dns_name("a-much-longer-target-name.example")
    m3 = (dns_header() + dns_name("cn.example") + QTA + ptr(12)
          + struct.pack("!HHIH", 5, 1, 60, 4) + target)
    dns_capture(path, [m1, m2, m3])


# ---- TLS ----

@case("tls_record_len_past_end", "TLS lengths that lie (record 16 KiB with 200 bytes there, "
      "record 0xffff, handshake 0xffffff, SNI extension and name lengths past their "
      "containers): every connection listed, tls_malformed counted, no invented name",
      allowed_names={"lenlie.example"}, conns_min=5, counters_min={"tls_malformed": 3},
      names=["control.lenlie.example"])
def g_tls_len(path):
    sni = "lenlie.example"
    msg = pg.client_hello_message(sni)
    good = pg.client_hello(sni)
    hellos = [
        b"\x16\x03\x01\x40\x00" + msg[:200],                 # record says 16384, 200 there
        b"\x16\x03\x01\xff\xff" + msg,                       # record past any maximum
        b"\x16\x03\x01" + pg.u16(len(msg)) + b"\x01\xff\xff\xff" + msg[4:],  # handshake 16 MiB
        raw_hello(sni_ext(sni, ext_len=0xFFF0)),             # extension past the block
        raw_hello(sni_ext(sni, name_len=0x4000)),            # name past the list
        raw_hello(sni_ext(sni, list_len=0x0FFF)),            # list past the extension
    ]
    assert good != hellos[0]
    cap = pg.Capture()
    for i, h in enumerate(hellos):
        cap.extend(pg.TcpConn(C4, S4, 40100 + i, 443).play(
            [("c", "S"), ("s", "SA"), ("c", "A"), ("c", "PA", h), ("c", "FA"), ("s", "FA")]))
    cap.extend(tls_conv("control.lenlie.example", cport=40199))
    cap.write(path)


def big_extension_hello(sni, total=65535):
    first = sni_ext(sni)
    rest = total - len(first)
    k, rem = divmod(rest, 4)
    exts = [first]
    types = (t for t in range(0x1000, 0xFFFF) if t not in (0xFE0D,))
    for i in range(k - 1):
        exts.append(pg.u16(next(types)) + pg.u16(0))
    exts.append(pg.u16(next(types)) + pg.vec16(b"\0" * rem))
    blob = b"".join(exts)
    assert len(blob) == total, len(blob)
    body = (pg.u16(0x0303) + bytes(range(32)) + pg.vec8(b"\x33" * 32) + pg.vec16(pg.u16(0x1301))
            + pg.vec8(b"\x00") + pg.vec16(blob))
    msg = pg.u8(1) + pg.u24(len(body)) + body
    return pg.tls_records(22, msg, split=list(range(16384, len(msg), 16384))), k


@case("tls_hello_64k_extensions", "a ClientHello with 65535 bytes of extensions (16,376 "
      "tiny ones, SNI first) in 5 records and 1000-byte segments, IPv4 and IPv6: no hang; "
      "the SNI, or tls_malformed (a hello over 16 KiB is refused) -- never another name",
      allowed_names={"bigext.example"}, conns_min=2, names=["after.bigext.example"],
      check=lambda rep, text, err: check_big_hello(rep))
def g_tls_64k(path):
    hello, _ = big_extension_hello("bigext.example")
    cap = pg.Capture()
    for c, s in ((C4, S4), (C6, S6)):
        cap.extend(pg.TcpConn(c, s, 40200, 443).play(tls_steps(hello, seg=1000)))
    cap.extend(tls_conv("after.bigext.example", cport=40201))
    cap.write(path)


def check_big_hello(rep):
    named = [c for c in rep["connections"] if c["name"] == "bigext.example"]
    mal = rep["stats"]["counters"]["tls_malformed"]
    if len(named) + mal < 2:
        return [f"64 KiB hello: {len(named)} connections named, tls_malformed {mal}: "
                "each of the two must be one or the other"]
    return []


@case("tls_hello_16k_record", "ClientHellos of 16379, 16380 and 16384 bytes, each in one TLS "
      "record (the largest a record holds is 16384), 1400-byte segments, IPv4 and IPv6: all "
      "named",
      names=["r16379.v4.example", "r16380.v4.example", "r16384.v4.example",
             "r16379.v6.example", "r16380.v6.example", "r16384.v6.example"])
def g_tls_16k(path):
    pk = []
    for c, s_, v in ((C4, S4, "v4"), (C6, S6, "v6")):
        for i, size in enumerate((16379, 16380, 16384)):
            ch = pg.client_hello(f"r{size}.{v}.example", pad_to=size)
            assert len(ch) == size + 5
            pk += pg.TcpConn(c, s_, 40250 + i, 443).play(tls_steps(ch, seg=1400))
    pg.write_pcap(path, pk)


@case("tls_sni_lists", "server_name lists with 600 names, an empty name first, an empty "
      "list, a non-host_name type first: the first host name or none, never an empty name",
      names=["first.many.example"],
      allowed_names={"first.many.example", "after.empty.example", "typed.example"},
      conns_min=4)
def g_tls_sni(path):
    # 600 names: the hello stays under 16 KiB, the most the analyzer joins
    many = sni_ext(*(["first.many.example"] + ["n%d.many.example" % i for i in range(599)]))
    empty_first = sni_ext("", "after.empty.example")
    empty_list = pg.u16(0) + pg.vec16(pg.u16(0))
    typed = (pg.u16(0) + pg.vec16(pg.vec16(pg.u8(7) + pg.vec16(b"bogus.type.example")
                                           + pg.u8(0) + pg.vec16(b"typed.example"))))
    cap = pg.Capture()
    for i, ext in enumerate([many, empty_first, empty_list, typed]):
        hello = raw_hello(ext, record_split=() if len(ext) < 16000 else (16000,))
        cap.extend(pg.TcpConn(C4, S4, 40300 + i, 443).play(tls_steps(hello, seg=1400)))
    cap.write(path)


@case("tls_1byte_segments_v4", "a ClientHello (with a 1216-byte key share) in 1-byte "
      "segments over IPv4 (libnids): the SNI is found",
      names=["onebyte.v4.example"])
def g_1byte_v4(path):
    pg.write_pcap(path, tls_conv("onebyte.v4.example", cut=dict(seg=1), key_share_len=1216))


@case("tls_1byte_segments_v6", "the same over IPv6 (our reassembly): the SNI is found",
      names=["onebyte.v6.example"])
def g_1byte_v6(path):
    pg.write_pcap(path, tls_conv("onebyte.v6.example", C6, S6, cut=dict(seg=1),
                                 key_share_len=1216))


def first_arrival(pieces):
    """The stream a receiver keeps when every byte comes from the first
    segment that carried it (in-order arrival: what libnids and our own
    reassembly both do here)."""
    buf = {}
    for off, data in pieces:
        for i, b in enumerate(data):
            buf.setdefault(off + i, b)
    return bytes(buf[i] for i in range(len(buf)))


REAL_OVERLAP, FAKE_OVERLAP = "real.overlap.example", "fake.overlap.example"


def overlap_storm(client, server, cport):
    """Every 10-byte segment of the hello, then a copy of the same range with
    other bytes, then a copy 3 bytes wider each side with other bytes (its
    last 3 bytes are new: they arrive before the real ones); then the whole
    hello with the other name, twice. Returns (packets, the name a receiver
    keeping the first copy of each byte sees)."""
    ch, chf = pg.client_hello(REAL_OVERLAP), pg.client_hello(FAKE_OVERLAP)
    n = 10
    cuts = [(i, ch[i:i + n]) for i in range(0, len(ch), n)]
    order, pieces = [], []
    for k, (off, data) in enumerate(cuts):
        lo = max(0, off - 3)
        order += [k, (off, chf[off:off + n]), (lo, chf[lo:off + n + 3])]
        pieces += [(off, data), (off, chf[off:off + n]), (lo, chf[lo:off + n + 3])]
    order += [(0, chf), (0, chf)]
    step = pg.Step("c", "PA", ch, seg=n, order=order, dup=[0, len(cuts) // 2])
    seen = first_arrival(pieces)[:len(ch)]
    at = ch.find(REAL_OVERLAP.encode())
    name = seen[at:at + len(REAL_OVERLAP)].decode()
    pk = pg.TcpConn(client, server, cport, 443).play(
        [("c", "S"), ("s", "SA"), ("c", "A"), step, ("s", "PA", pg.server_hello())])
    return pk, name


@case("tcp_overlap_storm", "every 10-byte segment of a hello followed by two overlapping "
      "copies with other bytes (one 3 bytes wider each side), then the whole hello again with "
      "another name, IPv4 and IPv6: both named with the bytes that arrived first at each "
      "position (the mix a receiver assembles), nothing else", conns_min=2)
def g_overlap(path):
    p4, name = overlap_storm(C4, S4, 40400)
    p6, name6 = overlap_storm(C6, S6, 40401)
    assert name == name6
    pg.write_pcap(path, p4 + p6)
    return {"allowed_names": {name},
            "check": lambda rep, text, err: [] if [c["name"] for c in rep["connections"]]
            == [name, name] else [f"want both connections named {name!r} (first arrival): "
                                  + str([(c["src"], c["name"]) for c in rep["connections"]])]}


def gap_conv(client, server, cport, sni, where):
    ch = pg.client_hello(sni)
    junk = b"\xAB" * 300
    if where == "after":      # the hello is whole before the jump
        step = pg.Step("c", "PA", ch, sizes=[len(ch)], order=[0, (2 ** 31, junk), (2 ** 31 + 5000, junk)])
    else:                      # the jump is inside the hello
        step = pg.Step("c", "PA", ch, sizes=[60], order=[0, (2 ** 31, junk), (2 ** 31 + 60, ch[60:])])
    return pg.TcpConn(client, server, cport, 443).play(
        [("c", "S"), ("s", "SA"), ("c", "A"), step, ("s", "PA", pg.server_hello()),
         ("c", "PA", b"\x17\x03\x03\x00\x10" + b"\0" * 16)])


@case("tcp_seq_gap_2_31", "segments 2^31 past the stream (after a whole hello, and "
      "inside one), IPv4 and IPv6: no hang, no huge allocation; the whole hello is named",
      names=["gap.after.v4.example", "gap.after.v6.example"],
      allowed_names={"gap.after.v4.example", "gap.after.v6.example", "gap.inside.v4.example",
                     "gap.inside.v6.example"}, conns_min=4)
def g_gap(path):
    pk = []
    for i, (c, s, v) in enumerate(((C4, S4, "v4"), (C6, S6, "v6"))):
        pk += gap_conv(c, s, 40500 + i, f"gap.after.{v}.example", "after")
        pk += gap_conv(c, s, 40510 + i, f"gap.inside.{v}.example", "inside")
    pg.write_pcap(path, pk)


@case("tcp_seq_wraparound", "client and server sequence numbers wrap across 2^32 in the "
      "middle of the hello (40-byte segments, one pair reordered), IPv4 and IPv6: SNI found",
      names=["wrap.v4.example", "wrap.v6.example"])
def g_wrap(path):
    pk = []
    for c, s, v in ((C4, S4, "v4"), (C6, S6, "v6")):
        ch = pg.client_hello(f"wrap.{v}.example")
        cuts = (len(ch) + 39) // 40
        order = list(range(cuts))
        order[1], order[2] = order[2], order[1]
        conn = pg.TcpConn(c, s, 40600, 443, isn_client=2 ** 32 - 70, isn_server=2 ** 32 - 1)
        pk += conn.play(tls_steps(ch, seg=40, order=order))
    pg.write_pcap(path, pk)


# ---- flow table pressure ----

def check_flood(rep, text, err, n, max_flows):
    bad = []
    c = rep["stats"]["counters"]
    if c["flows_evicted"] <= 0:
        bad.append(f"flows_evicted is {c['flows_evicted']}, want > 0")
    elif c["flows_evicted"] != n - max_flows:
        bad.append(f"flows_evicted is {c['flows_evicted']}, want {n - max_flows} "
                   f"({n} distinct flows, table of {max_flows}, no idle flow)")
    if c["flows"] != n:
        bad.append(f"flows is {c['flows']}, want {n}")
    # every destination is a host, kept in the JSON (issue 12: host cap in the
    # millions); the text report lists its first 10000 and says where the rest are
    if len(rep["hosts"]) != n or c["hosts_not_listed"] != 0:
        bad.append(f"{len(rep['hosts'])} hosts listed, hosts_not_listed {c['hosts_not_listed']}; "
                   f"want all {n}")
    elif n > 10000 and f"{n - 10000} more hosts are not listed here" not in " ".join(text.split()):
        bad.append("the text report does not say how many hosts it did not list")
    line = [l for l in text.splitlines() if l.split()[:1] == ["flows_evicted:"]]
    if not line or line[0].split()[-1] != str(c["flows_evicted"]):
        bad.append(f"the text report does not list flows_evicted {c['flows_evicted']}: {line}")
    return bad


SYN_TEST_N, SYN_TEST_MAX = 200000, 20000


@case("syn_flood_200k", f"{SYN_TEST_N:,} SYNs to distinct (address, port) pairs in 2 s with "
      f"--max-flows {SYN_TEST_MAX}: flows_evicted = {SYN_TEST_N - SYN_TEST_MAX} in the JSON and "
      "the text report, within 60 s", args=["--max-flows", str(SYN_TEST_MAX)], timeout=60,
      check=lambda rep, text, err: check_flood(rep, text, err, SYN_TEST_N, SYN_TEST_MAX))
def g_syn(path):
    write_syn_flood(path, SYN_TEST_N)


# ---- IPv6 extension headers ----

def v6_conv_with_chain(sni, cport, chain, frag=None, only_hello=False):
    pk = tls_conv(sni, C6, S6, cport=cport)
    out = []
    for i, p in enumerate(pk):
        if only_hello and i != 3:
            out.append(p)
        else:
            out.append(ipv6_with_chain(p, chain, frag))
    return out


@case("ipv6_ext_chain_15", "15 hop-by-hop / destination-options / routing headers before "
      "TCP on every packet (under the limit of 16): SNI found",
      names=["chain15.example"])
def g_v6_15(path):
    chain = [0] + [60, 43] * 7
    assert len(chain) == 15
    pg.write_pcap(path, v6_conv_with_chain("chain15.example", 40700, chain))


@case("ipv6_ext_chain_long", "chains of 17 and of 300 extension headers, and a hop-by-hop "
      "header whose length runs past the packet: ip_malformed, no hang; a clean "
      "connection after them is named",
      counters_min={"ip_malformed": 3}, names=["after.chain.example"],
      allowed_names={"after.chain.example", "chain17.example"})
def g_v6_long(path):
    pk = v6_conv_with_chain("chain17.example", 40701, [0] + [60] * 16, only_hello=True)
    pk += v6_conv_with_chain("chain300.example", 40702, [0] + [60] * 299, only_hello=True)
    p = tls_conv("hbh.len.example", C6, S6, cport=40703)[3]
    pk.append(pg.ipv6(C6, S6, 0, bytes([6, 255]) + b"\x01\x04\0\0\0\0" + p[40:]))
    pk += tls_conv("after.chain.example", C6, S6, cport=40704)
    pg.write_pcap(path, pk)


@case("ipv6_fragment_headers", "a hello behind a fragment header with offset 0 and M=1 (a "
      "first fragment whose rest never comes), and one behind an atomic fragment (offset 0, "
      "M=0): ip_fragments counted, no crash; the atomic one is named",
      counters_min={"ip_fragments": 1}, names=["atomic.frag.example"],
      allowed_names={"atomic.frag.example", "first.frag.example"})
def g_v6_frag(path):
    pk = v6_conv_with_chain("first.frag.example", 40710, [44], frag=(0, 1), only_hello=True)
    pk += v6_conv_with_chain("atomic.frag.example", 40711, [44], frag=(0, 0), only_hello=True)
    pg.write_pcap(path, pk)


# ---- link layer ----

@case("vlan_stack", "8 stacked 802.1Q/QinQ tags (named), then 9 and 64 tags and a tag "
      "stack cut by the frame end: link_malformed / link_truncated, no crash",
      names=["vlan8.example"], allowed_names={"vlan8.example", "vlan9.example", "vlan64.example"},
      check=lambda rep, text, err: need_sum(rep, ["link_malformed"], 2) + need_sum(rep, ["link_truncated"], 1))
def g_vlan(path):
    frames = []
    for n, sni, port in ((8, "vlan8.example", 40800), (9, "vlan9.example", 40801),
                         (64, "vlan64.example", 40802)):
        tags = [(pg.ETH_QINQ if i % 2 else pg.ETH_VLAN, i + 1) for i in range(n)]
        frames += [pg.ethernet(p, vlans=tags) for p in tls_conv(sni, cport=port)]
    frames.append(pg.MAC_SERVER + pg.MAC_CLIENT + b"\x81\x00\x00\x01" * 5 + b"\x81")
    write_frames(path, frames)


@case("mpls_no_bottom", "MPLS stacks of 20 labels and of 3 labels without the "
      "bottom-of-stack bit (and a stack that runs to the frame end); a 3-label stack with it "
      "is named", names=["mpls.bos.example"],
      allowed_names={"mpls.bos.example", "mpls.nobos.example", "mpls.nobos20.example"},
      check=lambda rep, text, err: need_sum(rep, ["link_malformed", "link_truncated"], 2))
def g_mpls(path):
    frames = [eth_raw(0x8847, mpls_labels(3) + p) for p in tls_conv("mpls.bos.example", cport=40900)]
    frames += [eth_raw(0x8847, mpls_labels(3, bos_last=False) + p)
               for p in tls_conv("mpls.nobos.example", cport=40901)]
    frames += [eth_raw(0x8847, mpls_labels(20, bos_last=False) + p)
               for p in tls_conv("mpls.nobos20.example", cport=40902)]
    frames.append(eth_raw(0x8847, mpls_labels(5, bos_last=False)))
    write_frames(path, frames)


# ---- the pcap container ----

def read_pcap_records(path):
    data = open(path, "rb").read()
    magic, = struct.unpack("<I", data[:4])
    assert magic == 0xA1B2C3D4, "little-endian microsecond pcap expected"
    linktype = struct.unpack("<I", data[20:24])[0]
    out, off = [], 24
    while off + 16 <= len(data):
        sec, usec, caplen, length = struct.unpack("<IIII", data[off:off + 16])
        out.append((sec, usec, data[off + 16:off + 16 + caplen], length))
        off += 16 + caplen
    return linktype, out


def no_names_check(rep, text, err):
    named = [c["name"] for c in rep["connections"] if c["name"]]
    return [f"names from 64-byte frames: {named}"] if named else []


@case("snaplen64_real", "the shipped sample (a real run: DNS, TLS, HTTP over Linux cooked v2) "
      "with every record cut to 64 bytes, len untouched: exit 0, every record counted, cut "
      "headers counted as truncated, no name invented",
      check=lambda rep, text, err: no_names_check(rep, text, err)
      + need_sum(rep, ["tcp_truncated", "udp_truncated", "ip_truncated", "dns_truncated",
                       "dns_malformed"], 10))
def g_snap64(path):
    if os.path.exists(SAMPLE):
        lt, recs = read_pcap_records(SAMPLE)
    else:  # without the sample: a synthetic conversation
        lt = pg.LINKTYPE_ETHERNET
        recs = [(1714564800 + i, 0, pg.ethernet(p), None) for i, p in
                enumerate(tls_conv("snap64.example"))]
    out = [pg.pcap_header(lt, 64)]
    for sec, usec, data, length in recs:
        out.append(raw_record(data[:64], sec, usec, length=length if length is not None else len(data)))
    open(path, "wb").write(b"".join(out))
    return {"counters_eq": {"packets": len(recs)}}


def plain_conv_records(sni, cport=41000, t=1714564800):
    return [raw_record(pg.ethernet(p), t + i, 0) for i, p in enumerate(tls_conv(sni, cport=cport))]


@case("snaplen_2g_7fffffff", "a file header claiming a snaplen of 0x7fffffff: read like any "
      "other (no 2 GB buffer), SNI found", names=["snap7f.example"])
def g_snap7f(path):
    open(path, "wb").write(pg.pcap_header(1, 0x7FFFFFFF) + b"".join(plain_conv_records("snap7f.example")))


@case("snaplen_4g_ffffffff", "a file header claiming a snaplen of 0xffffffff: SNI found",
      names=["snapff.example"])
def g_snapff(path):
    open(path, "wb").write(pg.pcap_header(1, 0xFFFFFFFF) + b"".join(plain_conv_records("snapff.example")))


def small_http_records(host, cport, t):
    """An HTTP exchange whose frames all fit in 128 bytes."""
    pk = pg.TcpConn(C4, "10.0.0.80", cport, 80).play(
        [("c", "S"), ("s", "SA"), ("c", "A"),
         ("c", "PA", b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n"),
         ("s", "PA", b"HTTP/1.1 204 No Content\r\n\r\n")])
    frames = [pg.ethernet(p) for p in pk]
    assert max(map(len, frames)) <= 128
    return [raw_record(f, t + i, 0) for i, f in enumerate(frames)]


@case("caplen_over_snaplen", "snaplen 128 and a record of caplen 1500 (a whole frame) between "
      "two HTTP exchanges whose frames fit in 128: exit 0, the record after it read, both named",
      names=["before.caplen.example", "after.caplen.example"])
def g_caplen_snap(path):
    recs = small_http_records("before.caplen.example", 41001, 1714564800)
    big = pg.ethernet(pg.udp_packet(C4, S4, 41001, 9999, b"\xCC" * 1458))
    recs.append(raw_record(big, 1714564810, 500))
    recs += small_http_records("after.caplen.example", 41002, 1714564820)
    open(path, "wb").write(pg.pcap_header(1, 128) + b"".join(recs))


@case("caplen_huge", "a record claiming caplen 0x10000000 (256 MiB) in the middle: the "
      "packets before it are analyzed; exit 0 with truncated and a warning naming the file, "
      "or exit 2 with one line", exit=(0, 2), names=["before.huge.example"],
      truncated=None)
def g_caplen_huge(path):
    recs = plain_conv_records("before.huge.example")
    recs.append(struct.pack("<IIII", 1714564900, 0, 0x10000000, 0x10000000) + b"\xDD" * 100)
    open(path, "wb").write(pg.pcap_header(1) + b"".join(recs))


@case("caplen_over_len", "records with caplen > len (captured more than was sent): exit 0, "
      "nothing read past the record, SNI found", names=["caplen.len.example"],
      check=lambda rep, text, err: [] if rep["stats"]["counters"]["packets"] == 5 else
      [f"packets {rep['stats']['counters']['packets']}, want 5"])
def g_caplen_len(path):
    recs = [raw_record(pg.ethernet(p), 1714564800 + i, 0, length=min(60, len(p)))
            for i, p in enumerate(tls_conv("caplen.len.example"))]
    open(path, "wb").write(pg.pcap_header(1) + b"".join(recs))


def cut_file(path, cut_in_header):
    recs = plain_conv_records("cut.example")
    data = pg.pcap_header(1) + b"".join(recs)
    last = len(data) - len(recs[-1])
    cut = last + (7 if cut_in_header else 16 + 30)
    open(path, "wb").write(data[:cut])
    return {"check": lambda rep, text, err: check_cut(rep, err, path, last, len(recs) - 1)}


def check_cut(rep, err, path, offset, packets):
    bad = []
    inp = rep["inputs"][0]
    if not (inp["truncated"] and rep["truncated"]):
        bad.append(f"not marked truncated: {inp}")
    if inp["truncated_offset"] != offset:
        bad.append(f"truncated_offset {inp['truncated_offset']}, want {offset} (the cut record)")
    if inp["packets"] != packets:
        bad.append(f"packets {inp['packets']}, want {packets} before the cut")
    if "warning" not in err or path not in err or str(offset) not in err:
        bad.append(f"the warning should name the file and offset {offset}: {err!r}")
    return bad


@case("cut_mid_record", "a file cut inside the last record's data: exit 0, \"truncated\": "
      "true, a warning with the file and the record's offset; the packets before analyzed",
      truncated=True, names=["cut.example"])
def g_cut_mid(path):
    return cut_file(path, cut_in_header=False)


@case("cut_mid_record_header", "a file cut inside the last record's 16-byte header: the same",
      truncated=True, names=["cut.example"])
def g_cut_mid_hdr(path):
    return cut_file(path, cut_in_header=True)


@case("cut_file_header_10", "a file of the first 10 bytes of a pcap header: exit 2, one line "
      "naming the file", exit=(2,))
def g_cut_hdr10(path):
    open(path, "wb").write(pg.pcap_header(1)[:10])


@case("cut_file_header_23", "a file of the first 23 bytes of a pcap header: exit 2, one line "
      "naming the file", exit=(2,))
def g_cut_hdr23(path):
    open(path, "wb").write(pg.pcap_header(1)[:23])


@case("pcapng_two_linktypes", "a pcapng with two interfaces, Ethernet and raw IP, packets on "
      "both: a clear message naming the file and the different link types; not reported as "
      "a file cut off",
      exit=(0, 2), truncated=False, stderr=["different"], stderr_not=["cut off"])
def g_pcapng(path):
    pk = tls_conv("ng.example")
    blocks = [pcapng_shb(), pcapng_idb(1), pcapng_idb(101)]
    t = 1714564800 * 1000000
    for i, p in enumerate(pk):
        blocks.append(pcapng_epb(i % 2, pg.ethernet(p) if i % 2 == 0 else p, t + i * 1000))
    open(path, "wb").write(b"".join(blocks))


@case("zero_length_records", "records with caplen 0 (len 0, and len 60) between the packets "
      "of a conversation: counted, skipped, SNI found", names=["zero.example"],
      counters_eq={"packets": 7})
def g_zero(path):
    recs = plain_conv_records("zero.example")
    recs.insert(1, raw_record(b"", 1714564800, 100))
    recs.insert(3, raw_record(b"", 1714564800, 200, length=60))
    open(path, "wb").write(pg.pcap_header(1) + b"".join(recs))


def check_times(rep, text, err):
    """The report's time, every connection's and every host's: first <= last
    (the earliest and the latest packet, whatever order the file has)."""
    bad = []
    t = rep["time"]
    if t is None or t["first"] > t["last"]:
        bad.append(f"report time first > last: {t}")
    for kind, key in (("connections", "name"), ("hosts", "key")):
        for x in rep[kind]:
            if x["first"] > x["last"]:
                bad.append(f"{kind[:-1]} {x[key]!r}: first {x['first']} > last {x['last']} "
                           "(a negative duration)")
    return bad


@case("timestamps_backwards", "timestamps that go back 1 s, back 20 years, to 0, and a "
      "microsecond field of 0xffffffff: exit 0, SNI found, first <= last for the report, every "
      "connection and every host",
      names=["backwards.example"], check=check_times)
def g_back(path):
    pk = tls_conv("backwards.example")
    t = 1714564800
    stamps = [(t + 10, 0), (t + 9, 0), (t - 20 * 365 * 86400, 0), (0, 0), (t, 0xFFFFFFFF)]
    recs = [raw_record(pg.ethernet(p), s, u) for p, (s, u) in zip(pk, stamps)]
    open(path, "wb").write(pg.pcap_header(1) + b"".join(recs))


@case("dns_tcp_lying_lengths", "DNS over TCP whose 2-byte length prefixes lie (0xffff over a "
      "short message, 0, 5, a header-only message claiming a question): connections listed, "
      "the short ones counted (dns_malformed or dns_truncated), no hang",
      check=lambda rep, text, err: need_sum(rep, ["dns_malformed", "dns_truncated"], 2)
      + ([] if sum(1 for c in rep["connections"] if c["dport"] == 53) == 4
         else ["want 4 connections to port 53"]))
def g_dns_tcp(path):
    q = pg.dns_query(0x500, "tcp.lie.example")
    streams = [
        pg.u16(0xFFFF) + q,
        pg.u16(0) + pg.dns_tcp(q),
        pg.u16(5) + b"\x05\x00\x01\x00\x00" + pg.dns_tcp(q),
        pg.u16(12) + dns_header(qd=1, an=0, flags=0x0100) + pg.dns_tcp(q),
    ]
    pk = []
    for i, s in enumerate(streams):
        resp = pg.u16(0xFFFE) + pg.dns_response(0x500, "tcp.lie.example", "A",
                                                [("A", "tcp.lie.example", "192.0.2.5", 60)])
        pk += pg.TcpConn(C4, RESOLVER4, 41100 + i, 53).play(
            [("c", "S"), ("s", "SA"), ("c", "A"), pg.Step("c", "PA", s, seg=7),
             ("s", "PA", resp), ("c", "FA"), ("s", "FA")])
    pg.write_pcap(path, pk)


HTTP_200 = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def http_conv(req, cport, server="10.0.0.80"):
    return pg.TcpConn(C4, server, cport, 80).play(
        [("c", "S"), ("s", "SA"), ("c", "A"), pg.Step("c", "PA", req, seg=1400),
         ("s", "PA", HTTP_200)])


def check_big_head(rep):
    c = rep["stats"]["counters"]
    conns = [x for x in rep["connections"] if x["dport"] == 80]
    bad = []
    if len(conns) != 2:
        bad.append(f"want 2 HTTP connections, got {len(conns)}")
    unnamed = sum(1 for x in conns if x["name"] is None)
    if unnamed and c["http_malformed"] < unnamed:
        bad.append(f"{unnamed} connections without a name but http_malformed {c['http_malformed']}")
    return bad


@case("http_head_20k", "HTTP request heads of 20 KB (Host first, and Host last): the Host, "
      "or none with http_malformed counted (heads over 16 KiB are refused); never another name",
      allowed_names={"bighead.example", "bighead-last.example"},
      check=lambda rep, text, err: check_big_head(rep))
def g_http20k(path):
    pad = b"".join(b"X-Pad-%04d: %s\r\n" % (i, b"p" * 80) for i in range(220))
    assert len(pad) > 20000
    r1 = b"GET / HTTP/1.1\r\nHost: bighead.example\r\n" + pad + b"\r\n"
    r2 = b"GET / HTTP/1.1\r\n" + pad + b"Host: bighead-last.example\r\n\r\n"
    pg.write_pcap(path, http_conv(r1, 41200) + http_conv(r2, 41201))


def check_host_bytes(rep):
    bad = []
    conns = [c for c in rep["connections"] if c["dport"] == 80]
    if len(conns) != 2:
        bad.append(f"want 2 HTTP connections, got {len(conns)}")
    for c in conns:
        n = c["name"]
        if n is None:
            continue
        if n in ("evil.example", "cr.example"):
            bad.append(f"a Host with a NUL/CR came out as the prefix {n!r}: the bytes after it "
                       "were dropped silently (a firewall sees something else)")
        elif not (n.startswith("evil.example\\x00") or n.startswith("cr.example")):
            bad.append(f"unexpected name {n!r}")
    return bad


@case("http_host_nul_cr", "Host values with a NUL inside and with a bare CR inside: no name, "
      "or the whole value escaped -- never the bytes before the NUL/CR as if they were the "
      "name; the output escapes every byte",
      check=lambda rep, text, err: check_host_bytes(rep))
def g_http_nul(path):
    r1 = b"GET / HTTP/1.1\r\nHost: evil.example\x00.attacker.example\r\nAccept: */*\r\n\r\n"
    r2 = b"GET / HTTP/1.1\r\nHost: cr.example\rX-Injected: 1\r\nAccept: */*\r\n\r\n"
    pg.write_pcap(path, http_conv(r1, 41300) + http_conv(r2, 41301))


# ---- tunnels ----

def tunnel_case(path, wrappers, sni, v6=False):
    pk = tls_conv(sni, C6 if v6 else C4, S6 if v6 else S4, cport=41400)
    pg.write_pcap(path, wrap_all(pk, wrappers))


@case("tunnel_vxlan_4", "a TLS conversation in VXLAN in VXLAN 4 deep (the documented depth "
      "it peels): SNI found", names=["vxlan4.example"])
def g_vx4(path):
    tunnel_case(path, [vxlan] * 4, "vxlan4.example")


@case("tunnel_vxlan_5", "VXLAN nested 5 deep: no crash, something listed, no wrong name",
      allowed_names={"vxlan5.example"}, conns_min=1)
def g_vx5(path):
    tunnel_case(path, [vxlan] * 5, "vxlan5.example")


@case("tunnel_vxlan_12", "VXLAN nested 12 deep: no crash, something listed, no wrong name",
      allowed_names={"vxlan12.example"}, conns_min=1)
def g_vx12(path):
    tunnel_case(path, [vxlan] * 12, "vxlan12.example")


@case("tunnel_mixed_4", "IPv6 TLS in Teredo in GRE in Geneve in VXLAN: SNI found",
      names=["mixed4.example"])
def g_mixed4(path):
    tunnel_case(path, [lambda p, l: teredo(p, level=l), gre, geneve, vxlan], "mixed4.example", v6=True)


@case("tunnel_mixed_7", "IPv4 TLS in GTP-U in IP-in-IP in GRE in Geneve in VXLAN in GRE in "
      "VXLAN: no crash, every packet counted, no wrong name (peeling stops at 4 levels, here on "
      "an IP-in-IP packet, so nothing need be listed)",
      allowed_names={"mixed7.example"}, counters_eq={"packets": 5, "ipv4": 5})
def g_mixed7(path):
    tunnel_case(path, [gtpu, ipip, gre, geneve, vxlan, gre, vxlan], "mixed7.example")


@case("tunnel_ipip_1000", "IPv4 in IPv4 1000 deep (20 KB of headers): bounded, no crash",
      conns_min=0)
def g_ipip(path):
    pk = tls_conv("ipip.example")
    hello = pk[3]
    for _ in range(1000):
        hello = pg.ipv4("172.19.0.1", "172.19.0.2", 4, hello)
    pg.write_pcap(path, pk[:3] + [hello] + pk[4:])


@case("gre_every_flag", "GRE v0 with C, K and S (named); GRE with all 13 flag bits set and an "
      "RFC 1701 routing entry; PPTP GRE v1 with K, S and A (named); version 7; GRE cut after "
      "its flags: no crash",
      names=["gre.cks.example", "gre.pptp.example"],
      allowed_names={"gre.cks.example", "gre.pptp.example", "gre.all.example", "gre.v7.example"})
def g_gre(path):
    pk = wrap_all(tls_conv("gre.cks.example", cport=41500),
                  [lambda p, l: gre(p, flags=0xB000)])
    sre = struct.pack("!HBB", 0x0800, 0, 4) + b"\x0a\x00\x00\x01" + struct.pack("!HBB", 0, 0, 0)
    pk += wrap_all(tls_conv("gre.all.example", cport=41501),
                   [lambda p, l: gre(p, flags=0xFFF8, extra=sre)])
    ppp = b"\xff\x03\x00\x21"
    pk += wrap_all(tls_conv("gre.pptp.example", cport=41502),
                   [lambda p, l: gre(ppp + p, flags=0x3080, ver=1, proto=0x880B)])
    pk += wrap_all(tls_conv("gre.v7.example", cport=41503),
                   [lambda p, l: gre(p, flags=0xB000, ver=7)])
    pk.append(pg.ipv4("172.20.0.1", "172.20.0.2", 47, b"\xf0\x00"))
    pk.append(pg.ipv4("172.20.0.1", "172.20.0.2", 47, b"\xb0\x00\x08\x00\x00\x00"))
    pg.write_pcap(path, pk)


@case("teredo_bogus_origin", "Teredo with a valid origin indication (named), with one cut to "
      "3 bytes, with two origin indications, with an authentication header whose lengths run "
      "past the datagram, and with an origin indication before a non-IPv6 payload: no crash",
      names=["teredo.ok.example"],
      allowed_names={"teredo.ok.example", "teredo.twice.example"})
def g_teredo(path):
    pk = wrap_all(tls_conv("teredo.ok.example", C6, S6, cport=41600),
                  [lambda p, l: teredo(p, origin_indication())])
    pk.append(teredo(b"", b"\x00\x00\x9c"))
    pk += wrap_all(tls_conv("teredo.twice.example", C6, S6, cport=41601),
                   [lambda p, l: teredo(p, origin_indication() + origin_indication())])
    pk.append(teredo(tls_conv("teredo.auth.example", C6, S6)[0], b"\x00\x01\xff\xff" + b"\0" * 20))
    pk.append(teredo(tls_conv("teredo.v4.example")[0], origin_indication()))
    pg.write_pcap(path, pk)


# ---- main ----

def generate(directory, only=()):
    os.makedirs(directory, exist_ok=True)
    out = []
    for c in CASES:
        if only and not any(o in c.name for o in only):
            continue
        c.write(directory)
        out.append(c)
    return out


def main(argv):
    if argv[:1] == ["--list"]:
        for c in CASES:
            print(f"{c.name}\n    {c.must}")
        return 0
    if argv[:1] == ["--syn-flood"] and len(argv) == 3:
        write_syn_flood(argv[2], int(argv[1]))
        return 0
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    for c in generate(argv[0], argv[1:]):
        print(c.path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
