#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/gen-flows.py: the "flows" benchmark capture of issue 12.

    bench/gen-flows.py [-n N] [--seed SEED] [-o FILE] [OUTDIR]

A deployment capture with hundreds of thousands of short connections, made by
rewriting ONE real captured exchange N times (default 200,000). The seed
(bench/flows-seed.pcap, made by bench/gen-flows-seed.sh with dig, curl and
nginx in network namespaces) holds one DNS A query and its answer for
h000001.bench.example, then one TLS connection to that address: TCP
handshake, ClientHello with that SNI, the server's flight, a small HTTP
response, FIN both ways.

Connection i (1..N) gets its own name (h000001.bench.example ...; the format
is --name-format), its own server address (100.64.0.0/10 + i, answered in the
DNS reply), its own client address and port (10.0.0.0/8, --clients
addresses) and DNS source port and id, its own TCP initial sequence numbers,
and starts --interval-us after the one before, keeping the seed's timing
inside the exchange; overlapping exchanges are interleaved in time order.
Every length that depends on the name is recomputed (TLS record, handshake,
extensions block, server_name extension and list, host name; DNS question;
UDP and IP lengths; TCP sequence and acknowledgement numbers after the
ClientHello when the name changes length), and so is every IPv4, UDP and TCP
checksum. The default names have the seed's length, so the lengths stay
what they were; other formats work too (the shift is handled).

Writes OUTDIR/flows-N.pcap (default OUTDIR /tmp/ea-bench; -o names the
file). 200,000 exchanges of the checked-in seed (20 packets): 4.0 M packets,
0.81 GB, in about 1.5 minutes.
Python 3 standard library only.
"""
import argparse
import heapq
import ipaddress
import os
import struct
import sys
import time
from array import array

HERE = os.path.dirname(os.path.abspath(__file__))

ETH_IPV4 = 0x0800
PROTO_TCP = 6
PROTO_UDP = 17


class SeedError(Exception):
    pass


# ------------------------------------------------------------------ pcap io

def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SeedError(f"{path}: not a pcap file")
    magic = data[:4]
    if magic == b"\xd4\xc3\xb2\xa1":
        end, nano = "<", False
    elif magic == b"\xa1\xb2\xc3\xd4":
        end, nano = ">", False
    elif magic == b"\x4d\x3c\xb2\xa1":
        end, nano = "<", True
    elif magic == b"\xa1\xb2\x3c\x4d":
        end, nano = ">", True
    else:
        raise SeedError(f"{path}: not a classic pcap file")
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != 1:
        raise SeedError(f"{path}: link type {linktype}, expected 1 (Ethernet)")
    pkts = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if incl != orig or off + incl > len(data):
            raise SeedError(f"{path}: cut record at {off - 16}: capture the seed with -s 0")
        usec = sec * 1_000_000 + (frac // 1000 if nano else frac)
        pkts.append((usec, data[off:off + incl]))
        off += incl
    return pkts


class PcapWriter:
    """Classic pcap, Ethernet, microseconds; records gathered in a large buffer."""

    REC = struct.Struct("<IIII")

    def __init__(self, path):
        self.f = open(path, "wb", buffering=0)
        self.buf = []
        self.size = 0
        self.packets = 0
        self.bytes = 0
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))

    def write(self, usec, frame):
        n = len(frame)
        self.buf.append(self.REC.pack(usec // 1_000_000, usec % 1_000_000, n, n))
        self.buf.append(frame)
        self.size += 16 + n
        self.packets += 1
        self.bytes += 16 + n
        if self.size >= 32 << 20:
            self.flush()

    def flush(self):
        self.f.write(b"".join(self.buf))
        self.buf = []
        self.size = 0

    def close(self):
        self.flush()
        self.f.close()


# ------------------------------------------------------------------ checksums

def ones_sum(data):
    """RFC 1071 sum of data, folded to 16 bits, in native (little-endian) words."""
    if len(data) & 1:
        data += b"\0"
    s = sum(array("H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


SWAP = sys.byteorder == "little"


def checksum(*parts):
    """Internet checksum of the concatenated parts, as 2 bytes in network order."""
    s = ones_sum(b"".join(parts))
    c = ~s & 0xFFFF
    # RFC 1071 §2(B): the sum of byte-swapped words is the byte-swapped sum
    return struct.pack("<H" if SWAP else ">H", c)


def ipv4_header(tmpl_hdr, src, dst, total_len):
    h = bytearray(tmpl_hdr)
    h[2:4] = struct.pack(">H", total_len)
    h[10:12] = b"\0\0"
    h[12:16] = src
    h[16:20] = dst
    h[10:12] = checksum(bytes(h))
    return bytes(h)


def pseudo(src, dst, proto, length):
    return src + dst + struct.pack(">BBH", 0, proto, length)


# ------------------------------------------------------------------ templates

class Piece:
    """A rewritable payload: literal bytes, the name, an address, and length
    fields that grow by the change in the name's length."""

    def __init__(self):
        self.parts = []   # ("lit", bytes) | ("name",) | ("addr",) | ("len", size, base)

    def lit(self, b):
        if b:
            self.parts.append(("lit", bytes(b)))

    def render(self, name, addr, delta):
        out = []
        for p in self.parts:
            kind = p[0]
            if kind == "lit":
                out.append(p[1])
            elif kind == "name":
                out.append(name)
            elif kind == "addr":
                out.append(addr)
            else:
                size, base = p[1], p[2]
                v = base + delta
                if v < 0 or v >= 1 << (8 * size):
                    raise ValueError("length field out of range")
                out.append(v.to_bytes(size, "big"))
        return b"".join(out)


class Cursor:
    """Bounds-checked reads (the seed is our own capture, but be strict)."""

    def __init__(self, data, pos=0, end=None):
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def take(self, n):
        if n > self.end - self.pos:
            raise SeedError("seed: message shorter than its lengths say")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return int.from_bytes(self.take(2), "big")

    def u24(self):
        return int.from_bytes(self.take(3), "big")


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        lb = label.encode("ascii")
        if not 1 <= len(lb) <= 63:
            raise ValueError(f"bad DNS label in {name!r}")
        out += bytes([len(lb)]) + lb
    out += b"\0"
    if len(out) > 255:
        raise ValueError(f"name too long: {name!r}")
    return out


def dns_template(msg, seed_name_wire, seed_addr):
    """RFC 1035 §4.1: header, questions (the seed name), then RRs; the A
    record carrying seed_addr gets the new address. Answers may point at the
    question (offset 12, unchanged by a longer name); any other pointer would
    move, so the seed is refused then."""
    t = Piece()
    c = Cursor(msg)
    hdr = c.take(12)
    qd, an, ns, ar = struct.unpack(">HHHH", hdr[4:12])
    t.lit(hdr[:2])   # id: replaced per connection (first 2 bytes of the result)
    t.lit(hdr[2:])
    found = False
    for _ in range(qd):
        start = c.pos
        labels = b""
        while True:
            n = c.u8()
            if n >= 0xC0:
                raise SeedError("seed DNS: compressed question name")
            labels += bytes([n]) + c.take(n)
            if n == 0:
                break
        if labels.lower() != seed_name_wire.lower() or start != 12:
            raise SeedError("seed DNS: the question is not the seed name")
        t.parts.append(("name",))
        t.lit(c.take(4))   # qtype, qclass
        found = True
    if not found:
        raise SeedError("seed DNS: no question")
    for _ in range(an + ns + ar):
        start = c.pos
        n = c.u8()
        if n >= 0xC0:
            ptr = ((n & 0x3F) << 8) | c.u8()
            if ptr != 12:
                raise SeedError(f"seed DNS: pointer to {ptr}, only 12 (the question) is handled")
        elif n != 0:
            raise SeedError("seed DNS: uncompressed owner name in an answer")
        t.lit(msg[start:c.pos])
        rtype, rclass, ttl, rdlen = struct.unpack(">HHIH", c.take(10))
        rdata = c.take(rdlen)
        t.lit(struct.pack(">HHIH", rtype, rclass, ttl, rdlen))
        if rtype == 1 and rdata == seed_addr:
            t.parts.append(("addr",))
        else:
            t.lit(rdata)
    if c.pos != c.end:
        raise SeedError("seed DNS: bytes after the last record")
    return t


def client_hello_template(payload, seed_name):
    """RFC 8446 §5.1 record, §4.1.2 ClientHello, RFC 6066 §3 server_name.
    Every length that encloses the host name becomes a length field."""
    t = Piece()
    c = Cursor(payload)
    pos = 0

    def upto(p):
        nonlocal pos
        t.lit(payload[pos:p])
        pos = p

    def length_field(at, size):
        nonlocal pos
        upto(at)
        t.parts.append(("len", size, int.from_bytes(payload[at:at + size], "big")))
        pos = at + size

    ctype = c.u8()
    c.take(2)
    if ctype != 22:
        raise SeedError("seed: first client payload is not a TLS handshake record")
    rec_len_at = c.pos
    rec_len = c.u16()
    if rec_len != c.end - c.pos:
        raise SeedError("seed: the ClientHello is not exactly one TLS record in one segment")
    if c.u8() != 1:
        raise SeedError("seed: the first handshake message is not a ClientHello")
    hs_len_at = c.pos
    hs_len = c.u24()
    if hs_len != c.end - c.pos:
        raise SeedError("seed: ClientHello length does not fill the record")
    c.take(2 + 32)
    c.take(c.u8())       # legacy_session_id
    c.take(c.u16())      # cipher_suites
    c.take(c.u8())       # legacy_compression_methods
    ext_len_at = c.pos
    ext_end = c.pos + 2 + c.u16()
    if ext_end != c.end:
        raise SeedError("seed: extensions do not end the ClientHello")
    name_at = None
    while c.pos < ext_end:
        etype = c.u16()
        elen_at = c.pos
        elen = c.u16()
        body = Cursor(payload, c.pos, c.pos + elen)
        c.take(elen)
        if etype != 0:
            continue
        list_at = body.pos
        list_len = body.u16()
        if list_len != body.end - body.pos:
            raise SeedError("seed: server_name list length")
        while body.pos < body.end:
            ntype = body.u8()
            nlen_at = body.pos
            nlen = body.u16()
            host = body.take(nlen)
            if ntype == 0 and host == seed_name:
                name_at = (elen_at, list_at, nlen_at, nlen_at + 2)
    if name_at is None:
        raise SeedError(f"seed: no SNI {seed_name.decode()} in the ClientHello")
    for at, size in ((rec_len_at, 2), (hs_len_at, 3), (ext_len_at, 2),
                     (name_at[0], 2), (name_at[1], 2), (name_at[2], 2)):
        length_field(at, size)
    upto(name_at[3])
    t.parts.append(("name",))
    pos = name_at[3] + len(seed_name)
    t.lit(payload[pos:])
    return t


class Seed:
    """The seed exchange as templates: per packet, its time offset, direction
    and how to rebuild it."""

    def __init__(self, path):
        pkts = read_pcap(path)
        if not pkts:
            raise SeedError(f"{path}: no packets")
        self.t0 = pkts[0][0]
        parsed = []
        for usec, frame in pkts:
            if len(frame) < 34 or struct.unpack(">H", frame[12:14])[0] != ETH_IPV4:
                raise SeedError(f"{path}: a frame that is not Ethernet/IPv4")
            ihl = (frame[14] & 0x0F) * 4
            total = struct.unpack(">H", frame[16:18])[0]
            if ihl != 20:
                raise SeedError(f"{path}: IPv4 options are not handled")
            if 14 + total > len(frame):
                raise SeedError(f"{path}: IPv4 packet cut")
            ip = frame[14:34]
            proto = ip[9]
            l4 = frame[34:14 + total]
            trailer = frame[14 + total:]   # Ethernet padding, kept as is
            parsed.append((usec - self.t0, frame[:14], ip, proto, l4, trailer))

        # the DNS query (client -> port 53) and its answer
        q = [p for p in parsed if p[3] == PROTO_UDP and struct.unpack(">H", p[4][2:4])[0] == 53]
        a = [p for p in parsed if p[3] == PROTO_UDP and struct.unpack(">H", p[4][0:2])[0] == 53]
        if len(q) != 1 or len(a) != 1:
            raise SeedError(f"{path}: expected one DNS query and one answer, "
                            f"found {len(q)} and {len(a)}")
        self.client = q[0][2][12:16]
        self.dns_server = q[0][2][16:20]
        qmsg = q[0][4][8:]
        c = Cursor(qmsg, 12)
        labels = []
        while True:
            n = c.u8()
            if n == 0 or n >= 0xC0:
                break
            labels.append(c.take(n).decode("ascii"))
        self.name = ".".join(labels)
        self.name_wire = wire_name(self.name)

        tcp = [p for p in parsed if p[3] == PROTO_TCP]
        syn = [p for p in tcp if p[4][13] & 0x12 == 0x02]
        if len(syn) != 1:
            raise SeedError(f"{path}: expected one TCP connection (one SYN), found {len(syn)}")
        self.server = syn[0][2][16:20]
        self.client_port = struct.unpack(">H", syn[0][4][0:2])[0]
        self.isn_c = struct.unpack(">I", syn[0][4][4:8])[0]
        synack = [p for p in tcp if p[4][13] & 0x12 == 0x12]
        if len(synack) != 1:
            raise SeedError(f"{path}: expected one SYN-ACK")
        self.isn_s = struct.unpack(">I", synack[0][4][4:8])[0]

        # the A record in the answer must be the TLS server's address
        self.dns_q = dns_template(qmsg, self.name_wire, self.server)
        self.dns_a = dns_template(a[0][4][8:], self.name_wire, self.server)

        self.packets = []
        hello_end = None
        for off, eth, ip, proto, l4, trailer in parsed:
            if proto == PROTO_UDP:
                is_query = struct.unpack(">H", l4[2:4])[0] == 53
                self.packets.append(("dnsq" if is_query else "dnsa", off, eth, ip, l4[:8], None,
                                     trailer))
                continue
            if proto != PROTO_TCP:
                raise SeedError(f"{path}: IP protocol {proto} in the seed")
            doff = (l4[12] >> 4) * 4
            hdr, payload = l4[:doff], l4[doff:]
            if ip[12:16] == self.client and ip[16:20] == self.server:
                direction = "c2s"
            elif ip[12:16] == self.server and ip[16:20] == self.client:
                direction = "s2c"
            else:
                raise SeedError(f"{path}: a TCP packet of another connection")
            if self._has_sack(hdr):
                raise SeedError(f"{path}: SACK blocks are not rewritten; capture a clean exchange")
            tmpl = None
            if direction == "c2s" and payload and hello_end is None:
                tmpl = client_hello_template(payload, self.name.encode("ascii"))
                seq = struct.unpack(">I", hdr[4:8])[0]
                hello_end = (seq - self.isn_c + len(payload)) & 0xFFFFFFFF
            elif payload:
                tmpl = Piece()
                tmpl.lit(payload)
            self.packets.append((direction, off, eth, ip, hdr, tmpl, trailer))
        if hello_end is None:
            raise SeedError(f"{path}: no ClientHello")
        self.hello_end = hello_end

    @staticmethod
    def _has_sack(hdr):
        opts = hdr[20:]
        i = 0
        while i < len(opts):
            kind = opts[i]
            if kind == 0:
                break
            if kind == 1:
                i += 1
                continue
            if i + 1 >= len(opts) or opts[i + 1] < 2:
                return False
            if kind == 5:
                return True
            i += opts[i + 1]
        return False

    def duration(self):
        return max(p[1] for p in self.packets)


# ------------------------------------------------------------------ generation

def addr_plus(base, i):
    return (int(ipaddress.IPv4Address(base)) + i).to_bytes(4, "big")


def exchange(seed, i, name, a):
    """The frames of exchange i (0-based) as (time offset, frame)."""
    name_b = name.encode("ascii")
    name_w = wire_name(name)
    delta_tls = len(name_b) - len(seed.name)
    delta_dns = len(name_w) - len(seed.name_wire)
    client = addr_plus("10.0.0.0", 1 + i % a.clients)
    cport = 1024 + (i // a.clients) % 64000
    dport = 40000 + (i * 7) % 25000
    dns_id = struct.pack(">H", (i * 40503 + 1) & 0xFFFF)
    server = addr_plus("100.64.0.0", 1 + i)
    isn_shift_c = (i * 2654435761) & 0xFFFFFFFF
    isn_shift_s = (i * 40499 * 65537) & 0xFFFFFFFF
    out = []
    for kind, off, eth, ip, hdr, tmpl, trailer in seed.packets:
        if kind in ("dnsq", "dnsa"):
            t = seed.dns_q if kind == "dnsq" else seed.dns_a
            msg = dns_id + t.render(name_w, server, delta_dns)[2:]
            udp_len = 8 + len(msg)
            if kind == "dnsq":
                src, dst, sport, dp = client, seed.dns_server, dport, 53
            else:
                src, dst, sport, dp = seed.dns_server, client, 53, dport
            uh = struct.pack(">HHHH", sport, dp, udp_len, 0)
            cs = checksum(pseudo(src, dst, PROTO_UDP, udp_len), uh, msg)
            if cs == b"\0\0":
                cs = b"\xff\xff"   # RFC 768: a computed 0 is sent as all ones
            uh = uh[:6] + cs
            iph = ipv4_header(ip, src, dst, 20 + udp_len)
            out.append((off, eth + iph + uh + msg + trailer))
            continue
        payload = tmpl.render(name_b, server, delta_tls) if tmpl is not None else b""
        seq, ack = struct.unpack(">II", hdr[4:12])
        flags = hdr[13]
        if kind == "c2s":
            src, dst, sp, dp = client, server, cport, 443
            rel = (seq - seed.isn_c) & 0xFFFFFFFF
            if rel >= seed.hello_end:
                seq = (seq + delta_tls) & 0xFFFFFFFF
            seq = (seq + isn_shift_c) & 0xFFFFFFFF
            if flags & 0x10:
                ack = (ack + isn_shift_s) & 0xFFFFFFFF
        else:
            src, dst, sp, dp = server, client, 443, cport
            seq = (seq + isn_shift_s) & 0xFFFFFFFF
            if flags & 0x10:
                rel = (ack - seed.isn_c) & 0xFFFFFFFF
                if rel >= seed.hello_end:
                    ack = (ack + delta_tls) & 0xFFFFFFFF
                ack = (ack + isn_shift_c) & 0xFFFFFFFF
        th = bytearray(hdr)
        th[0:4] = struct.pack(">HH", sp, dp)
        th[4:12] = struct.pack(">II", seq, ack)
        th[16:18] = b"\0\0"
        seg_len = len(th) + len(payload)
        th[16:18] = checksum(pseudo(src, dst, PROTO_TCP, seg_len), bytes(th), payload)
        iph = ipv4_header(ip, src, dst, 20 + seg_len)
        out.append((off, eth + iph + bytes(th) + payload + trailer))
    return out


def main():
    ap = argparse.ArgumentParser(
        description="Write the flows benchmark capture: one real exchange rewritten N times.")
    ap.add_argument("outdir", nargs="?", default="/tmp/ea-bench",
                    help="output directory (default /tmp/ea-bench; never the repository)")
    ap.add_argument("-n", type=int, default=200000, help="exchanges (default 200000)")
    ap.add_argument("-o", "--output", help="output file (default OUTDIR/flows-N.pcap)")
    ap.add_argument("--seed", default=os.path.join(HERE, "flows-seed.pcap"),
                    help="seed capture (default bench/flows-seed.pcap)")
    ap.add_argument("--name-format", default="h{:06d}.bench.example",
                    help="str.format of the 1-based exchange number (default h{:06d}.bench.example)")
    ap.add_argument("--clients", type=int, default=4096,
                    help="distinct client addresses, 10.0.0.1 upwards (default 4096)")
    ap.add_argument("--interval-us", type=int, default=1000,
                    help="microseconds between the starts of two exchanges (default 1000)")
    a = ap.parse_args()
    if a.n < 1 or a.n > (1 << 22) - 2:
        ap.error("-n must be 1..4194302 (server addresses come from 100.64.0.0/10)")
    if a.clients < 1 or a.clients > (1 << 24) - 2:
        ap.error("--clients must be 1..16777214")
    if a.n > a.clients * 64000:
        ap.error("-n is more than --clients x 64000 distinct (address, port) pairs")
    if a.interval_us < 0:
        ap.error("--interval-us must not be negative")
    out = a.output or os.path.join(a.outdir, f"flows-{a.n}.pcap")
    repo = os.path.realpath(os.path.join(HERE, ".."))
    if os.path.realpath(out).startswith(repo + os.sep):
        ap.error("the output must be outside the repository")
    try:
        seed = Seed(a.seed)
    except (OSError, SeedError) as e:
        print(f"gen-flows: {e}", file=sys.stderr)
        return 2
    names = [a.name_format.format(i + 1) for i in range(min(a.n, 3))]
    print(f"gen-flows: seed {a.seed}: {len(seed.packets)} packets, name {seed.name}, "
          f"{seed.duration() / 1000:.1f} ms; writing {a.n} exchanges "
          f"({', '.join(names)}, ...) to {out}", file=sys.stderr)

    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    w = PcapWriter(out + ".part")
    heap = []
    counter = 0
    base = seed.t0
    started = time.monotonic()
    for i in range(a.n):
        start = base + i * a.interval_us
        # every later packet starts at or after `start`: flush what is older
        while heap and heap[0][0] < start:
            usec, _, frame = heapq.heappop(heap)
            w.write(usec, frame)
        for off, frame in exchange(seed, i, a.name_format.format(i + 1), a):
            heapq.heappush(heap, (start + off, counter, frame))
            counter += 1
        if (i + 1) % 50000 == 0:
            print(f"gen-flows: {i + 1} exchanges, {time.monotonic() - started:.0f} s",
                  file=sys.stderr)
    while heap:
        usec, _, frame = heapq.heappop(heap)
        w.write(usec, frame)
    w.close()
    os.replace(out + ".part", out)
    print(f"gen-flows: wrote {out}: {w.packets} packets, {w.bytes + 24} bytes, "
          f"{time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
