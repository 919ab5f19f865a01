# SPDX-License-Identifier: GPL-3.0-or-later
"""A small pcap writer for synthetic test captures (Python 3 stdlib only).

Layers, bottom up, each a plain function returning bytes:

  - pcap file: `Capture` collects frames with times and writes a classic pcap.
  - link: `ethernet` (with 802.1Q / QinQ tags), `sll` (LINUX_SLL, 113),
    `sll2` (LINUX_SLL2, 276), `null` (DLT_NULL, 0), raw IP (101, no header).
  - network: `ipv4`, `ipv6`, `ip` (picks by address), `ipv4_fragments`.
  - transport: `tcp`, `udp` (checksums computed; the analyzer ignores them).
  - `TcpConn.play`: a TCP conversation from (direction, flags, payload) steps,
    with correct sequence and acknowledgment numbers, and options to split a
    payload into segments, reorder, duplicate and overlap them.
  - TLS: `client_hello`, `server_hello`, `tls_alert`.
  - DNS: `dns_query`, `dns_response` (A, AAAA, CNAME; names compressed).

Addresses are text ("10.0.0.1", "2001:db8::1"). Nothing here checks what it
is asked to build: malformed input is a feature for tests.
"""
import ipaddress
import os
import struct

# ---- pcap file ----

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_VLAN = 0x8100
ETH_QINQ = 0x88A8

AF_INET = 2
AF_INET6_DARWIN = 30  # BSDs use 24 or 28, Linux 10

PROTO_TCP = 6
PROTO_UDP = 17


def pcap_header(linktype, snaplen=262144):
    """The 24-byte classic pcap file header (microseconds, little-endian)."""
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(data, ts, orig_len=None):
    sec = int(ts)
    usec = int(round((ts - sec) * 1e6))
    if usec >= 1000000:
        sec, usec = sec + 1, usec - 1000000
    return struct.pack("<IIII", sec, usec, len(data), len(data) if orig_len is None else orig_len) + data


# ---- link layer ----

MAC_CLIENT = bytes.fromhex("020000000001")
MAC_SERVER = bytes.fromhex("020000000002")


def ip_version(packet):
    return packet[0] >> 4


def ethernet(packet, vlans=(), src=MAC_CLIENT, dst=MAC_SERVER, ethertype=None):
    """An Ethernet II frame around an IP packet. vlans: outer first, each
    (tpid, vlan id), e.g. [(0x88a8, 100), (0x8100, 200)] for QinQ."""
    if ethertype is None:
        ethertype = ETH_IPV6 if ip_version(packet) == 6 else ETH_IPV4
    out = dst + src
    for tpid, vid in vlans:
        out += struct.pack("!HH", tpid, vid & 0x0FFF)
    return out + struct.pack("!H", ethertype) + packet


def sll(packet, pkttype=4, addr=MAC_CLIENT):
    """Linux cooked v1: packet type, ARPHRD, address length, 8 address bytes, protocol."""
    proto = ETH_IPV6 if ip_version(packet) == 6 else ETH_IPV4
    return struct.pack("!HHH", pkttype, 1, len(addr)) + addr.ljust(8, b"\0") + struct.pack("!H", proto) + packet


def sll2(packet, pkttype=4, ifindex=2, addr=MAC_CLIENT):
    """Linux cooked v2: protocol, reserved, interface index, ARPHRD, packet type,
    address length, 8 address bytes."""
    proto = ETH_IPV6 if ip_version(packet) == 6 else ETH_IPV4
    return (struct.pack("!HHIHBB", proto, 0, ifindex, 1, pkttype, len(addr))
            + addr.ljust(8, b"\0") + packet)


def null(packet, af6=AF_INET6_DARWIN, byteorder="<"):
    """BSD loopback: the address family as a 32-bit word in the capturing
    host's byte order (little-endian by default)."""
    af = af6 if ip_version(packet) == 6 else AF_INET
    return struct.pack(byteorder + "I", af) + packet


def raw(packet):
    return packet


LINKS = {
    LINKTYPE_ETHERNET: ethernet,
    LINKTYPE_LINUX_SLL: sll,
    LINKTYPE_LINUX_SLL2: sll2,
    LINKTYPE_NULL: null,
    LINKTYPE_RAW: raw,
}


class Capture:
    """Frames with times, written as one pcap file.

    link_opts are passed to the link function of the link type (for
    Ethernet: vlans=...; for NULL: af6=..., byteorder=...). Each packet gets
    the current time, then the clock moves by `step` seconds."""

    def __init__(self, linktype=LINKTYPE_ETHERNET, t0=1714564800.0, step=0.001, snaplen=None,
                 **link_opts):
        """snaplen: cut every frame to this many bytes, as tcpdump -s does
        (the record keeps the original length)."""
        self.snaplen = snaplen
        self.linktype = linktype
        self.link = LINKS.get(linktype, raw)  # others: frames given whole, or raw
        self.link_opts = link_opts
        self.now = t0
        self.step = step
        self.records = []

    def add(self, packet, ts=None):
        """Add one IP packet (wrapped in the link header)."""
        if ts is not None:
            self.now = ts
        self.records.append((self.now, self.link(packet, **self.link_opts)))
        self.now += self.step
        return self

    def add_frame(self, frame, ts=None):
        """Add a frame that already has its link header."""
        if ts is not None:
            self.now = ts
        self.records.append((self.now, frame))
        self.now += self.step
        return self

    def extend(self, packets):
        for p in packets:
            self.add(p)
        return self

    def wait(self, seconds):
        self.now += seconds
        return self

    def to_bytes(self):
        if self.snaplen is not None:
            return pcap_header(self.linktype, self.snaplen) + b"".join(
                pcap_record(d[:self.snaplen], t, len(d)) for t, d in self.records)
        return pcap_header(self.linktype) + b"".join(pcap_record(d, t) for t, d in self.records)

    def write(self, path):
        with open(path, "wb") as fh:
            fh.write(self.to_bytes())
        return path


# ---- IP ----

def addr(text):
    return ipaddress.ip_address(text)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1, frag=0, ttl=64, total_len=None):
    """An IPv4 packet. frag: the 16-bit flags + fragment offset field
    (0x2000 = more fragments; the offset is in 8-byte units)."""
    s, d = addr(src).packed, addr(dst).packed
    tl = 20 + len(payload) if total_len is None else total_len
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tl, ident & 0xFFFF, frag, ttl, proto, 0, s, d)
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, next_header, payload, hop_limit=64):
    s, d = addr(src).packed, addr(dst).packed
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), next_header, hop_limit, s, d) + payload


def ip(src, dst, proto, payload, **kw):
    """IPv4 or IPv6 by the addresses' family."""
    if addr(src).version == 6:
        return ipv6(src, dst, proto, payload)
    return ipv4(src, dst, proto, payload, **kw)


def ipv4_fragments(src, dst, proto, payload, first_size, ident=0x4242):
    """An IPv4 datagram cut into fragments: the first carries first_size
    bytes of the transport payload (a multiple of 8), each next one as much
    again, the last the rest. Returned in order; shuffle as you like."""
    assert first_size % 8 == 0 and first_size > 0
    out = []
    off = 0
    while off < len(payload):
        chunk = payload[off:off + first_size]
        more = off + len(chunk) < len(payload)
        out.append(ipv4(src, dst, proto, chunk, ident=ident, frag=(0x2000 if more else 0) | (off // 8)))
        off += len(chunk)
    return out


def ipv6_fragments(src, dst, proto, payload, first_size, ident=0x4242):
    """An IPv6 datagram cut into fragments (RFC 8200 §4.5): each carries a
    Fragment header; sizes as for ipv4_fragments."""
    assert first_size % 8 == 0 and first_size > 0
    out = []
    off = 0
    while off < len(payload):
        chunk = payload[off:off + first_size]
        more = off + len(chunk) < len(payload)
        frag_hdr = struct.pack("!BBHI", proto, 0, (off // 8) << 3 | (1 if more else 0), ident)
        out.append(ipv6(src, dst, 44, frag_hdr + chunk))
        off += len(chunk)
    return out


def fragments(src, dst, proto, payload, first_size, ident=0x4242):
    """IPv4 or IPv6 fragments by the addresses' family."""
    if addr(src).version == 6:
        return ipv6_fragments(src, dst, proto, payload, first_size, ident)
    return ipv4_fragments(src, dst, proto, payload, first_size, ident)


def refragment(packet, first_size, ident=0x4242):
    """An IP packet made by ip() (no options or extension headers) cut
    into fragments of its transport payload."""
    if ip_version(packet) == 6:
        src = str(ipaddress.IPv6Address(packet[8:24]))
        dst = str(ipaddress.IPv6Address(packet[24:40]))
        return ipv6_fragments(src, dst, packet[6], packet[40:], first_size, ident)
    src = str(ipaddress.IPv4Address(packet[12:16]))
    dst = str(ipaddress.IPv4Address(packet[16:20]))
    return ipv4_fragments(src, dst, packet[9], packet[20:], first_size, ident)


def pseudo_header(src, dst, proto, length):
    s, d = addr(src), addr(dst)
    if s.version == 6:
        return s.packed + d.packed + struct.pack("!IxxxB", length, proto)
    return s.packed + d.packed + struct.pack("!xBH", proto, length)


# ---- TCP and UDP ----

FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
FLAG_LETTERS = {"F": FIN, "S": SYN, "R": RST, "P": PSH, "A": ACK, "U": URG}


def tcp_flags(text):
    """'SA' -> SYN|ACK; an int is returned as is."""
    if isinstance(text, int):
        return text
    v = 0
    for ch in text:
        v |= FLAG_LETTERS[ch]
    return v


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=65535, options=b""):
    """A TCP segment (header + payload), checksum filled in."""
    assert len(options) % 4 == 0
    off = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4,
                      tcp_flags(flags), window, 0, 0) + options
    seg = hdr + payload
    cs = checksum(pseudo_header(src, dst, PROTO_TCP, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", cs) + seg[18:]


def udp(src, dst, sport, dport, payload):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    cs = checksum(pseudo_header(src, dst, PROTO_UDP, len(seg)) + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", cs) + seg[8:]


def tcp_packet(src, dst, sport, dport, seq, ack, flags, payload=b"", **kw):
    return ip(src, dst, PROTO_TCP, tcp(src, dst, sport, dport, seq, ack, flags, payload, **kw))


def udp_packet(src, dst, sport, dport, payload, **kw):
    return ip(src, dst, PROTO_UDP, udp(src, dst, sport, dport, payload), **kw)


class Step:
    """One step of a TCP conversation.

    direction: "c" (client to server) or "s" (server to client).
    flags: letters of F S R P A U, e.g. "SA", "PA", "RA".
    payload: bytes, sent as one segment unless:
      seg=N           cut into segments of N bytes (the last one shorter);
      sizes=[a, b]    cut into segments of these sizes (the rest in a last one);
      order=[1, 0, 2] send the segments in this order (indices into the cut);
                      an entry may also be (offset, data): a segment of these
                      bytes at this offset into the payload, sent at that point
                      (an overlapping retransmission, maybe with other content);
      dup=[i, ...]    send segment i again after the others (same bytes);
      extra=[(offset, data), ...]
                      after the others, send segments of these bytes at these
                      offsets into the payload: retransmissions that overlap
                      what was sent, possibly with other content.
      before=[(offset, data), ...]
                      the same, sent before the regular segments.
    A step with SYN uses the side's initial sequence number (so repeated
    SYNs are retransmissions); SYN and FIN each take one sequence number.
    Every segment with ACK acknowledges what the other side has sent so far.
    """

    def __init__(self, direction, flags, payload=b"", seg=None, sizes=None, order=None, dup=(),
                 extra=(), before=()):
        assert direction in ("c", "s")
        self.direction = direction
        self.flags = tcp_flags(flags)
        self.payload = payload
        self.seg, self.sizes, self.order = seg, sizes, order
        self.dup, self.extra, self.before = list(dup), list(extra), list(before)

    def cuts(self):
        """[(offset, bytes)] of the regular segments, in payload order."""
        p = self.payload
        if not p:
            return [(0, b"")]
        if self.seg:
            return [(i, p[i:i + self.seg]) for i in range(0, len(p), self.seg)]
        if self.sizes:
            out, off = [], 0
            for n in self.sizes:
                out.append((off, p[off:off + n]))
                off += n
            if off < len(p):
                out.append((off, p[off:]))
            return out
        return [(0, p)]


def as_step(s):
    return s if isinstance(s, Step) else Step(*s)


class TcpConn:
    """A TCP connection between client and server; `play` turns steps into
    IP packets with consistent sequence and acknowledgment numbers."""

    def __init__(self, client, server, cport, sport, isn_client=0x10000000, isn_server=0x70000000,
                 window=65535):
        self.addr = {"c": client, "s": server}
        self.port = {"c": cport, "s": sport}
        self.isn = {"c": isn_client, "s": isn_server}
        self.nxt = {"c": isn_client, "s": isn_server}
        self.window = window

    def _packet(self, d, seq, flags, payload):
        o = "s" if d == "c" else "c"
        ack = self.nxt[o] if flags & ACK else 0
        return tcp_packet(self.addr[d], self.addr[o], self.port[d], self.port[o], seq, ack, flags,
                          payload, window=self.window)

    def play(self, steps):
        """IP packets for the steps, in order."""
        out = []
        for s in map(as_step, steps):
            d = s.direction
            if s.flags & SYN:
                self.nxt[d] = self.isn[d]
            base = self.nxt[d] + (1 if s.flags & SYN else 0)
            for off, data in s.before:
                out.append(self._packet(d, base + off, s.flags & ~(SYN | FIN) | ACK, data))
            cuts = s.cuts()
            order = s.order if s.order is not None else range(len(cuts))
            last = len(cuts) - 1
            for i in order:
                if isinstance(i, tuple):
                    off, data = i
                    out.append(self._packet(d, base + off, s.flags & ~(SYN | FIN) | ACK, data))
                    continue
                off, data = cuts[i]
                flags = s.flags
                if i != last:
                    flags &= ~FIN  # FIN goes with the last byte
                seq = self.isn[d] if s.flags & SYN else base + off
                out.append(self._packet(d, seq, flags, data))
            for i in s.dup:
                off, data = cuts[i]
                out.append(self._packet(d, base + off, s.flags & ~(SYN | FIN), data))
            for off, data in s.extra:
                out.append(self._packet(d, base + off, s.flags & ~(SYN | FIN) | ACK, data))
            self.nxt[d] = base + len(s.payload) + (1 if s.flags & FIN else 0)
        return out

    # The usual pieces.
    def handshake(self):
        return self.play([("c", "S"), ("s", "SA"), ("c", "A")])


# ---- TLS ----

TLS_EXT_SERVER_NAME = 0x0000
TLS_EXT_SUPPORTED_GROUPS = 0x000A
TLS_EXT_SIGNATURE_ALGORITHMS = 0x000D
TLS_EXT_ALPN = 0x0010
TLS_EXT_PADDING = 0x0015
TLS_EXT_SUPPORTED_VERSIONS = 0x002B
TLS_EXT_KEY_SHARE = 0x0033
TLS_EXT_ECH = 0xFE0D


def u8(n):
    return struct.pack("!B", n)


def u16(n):
    return struct.pack("!H", n)


def u24(n):
    return struct.pack("!I", n)[1:]


def vec8(b):
    return u8(len(b)) + b


def vec16(b):
    return u16(len(b)) + b


def extension(ext_type, body):
    return u16(ext_type) + vec16(body)


def tls_records(content_type, message, split=(), version=0x0301):
    """message cut into TLS records at the given offsets."""
    out = b""
    cuts = [0, *split, len(message)]
    for a, b in zip(cuts, cuts[1:]):
        out += u8(content_type) + u16(version) + vec16(message[a:b])
    return out


def client_hello_message(sni=None, alpn=None, ech=False, pad_to=None, extra_extensions=(),
                         random=None, session_id=None, key_share_len=32):
    """The ClientHello handshake message (type, length, body).

    sni: str or bytes (None: no server_name extension). alpn: list of
    protocol names. ech: add an encrypted_client_hello (0xfe0d) extension
    (an outer one: random bytes as payload). pad_to: grow the message to this
    many bytes with a padding (0x0015) extension at the end.
    key_share_len: bytes of the one key share (1216 for X25519MLKEM768)."""
    exts = []
    if sni is not None:
        name = sni.encode() if isinstance(sni, str) else sni
        exts.append(extension(TLS_EXT_SERVER_NAME, vec16(b"\x00" + vec16(name))))
    exts.append(extension(TLS_EXT_SUPPORTED_GROUPS, vec16(u16(0x001D) + u16(0x0017))))
    exts.append(extension(TLS_EXT_SIGNATURE_ALGORITHMS, vec16(u16(0x0403) + u16(0x0804))))
    if alpn:
        exts.append(extension(TLS_EXT_ALPN, vec16(b"".join(vec8(p.encode()) for p in alpn))))
    exts.append(extension(TLS_EXT_SUPPORTED_VERSIONS, vec8(u16(0x0304) + u16(0x0303))))
    exts.append(extension(TLS_EXT_KEY_SHARE, vec16(u16(0x001D) + vec16(b"\x5a" * key_share_len))))
    if ech:
        # ECHClientHello outer: type 0, cipher suite, config id, enc, payload
        body = u8(0) + u16(0x0001) + u16(0x0001) + u8(7) + vec16(b"\x11" * 32) + vec16(b"\xee" * 144)
        exts.append(extension(TLS_EXT_ECH, body))
    exts.extend(extra_extensions)
    random = random if random is not None else bytes(range(32))
    session_id = session_id if session_id is not None else b"\x33" * 32
    suites = u16(0x1301) + u16(0x1302) + u16(0x1303) + u16(0xC02B) + u16(0xC02F)

    def build(exts):
        body = u16(0x0303) + random + vec8(session_id) + vec16(suites) + vec8(b"\x00") + vec16(b"".join(exts))
        return u8(1) + u24(len(body)) + body

    msg = build(exts)
    if pad_to is not None:
        need = pad_to - len(msg) - 4
        if need < 0:
            raise ValueError(f"ClientHello is {len(msg)} bytes already, cannot pad to {pad_to}")
        msg = build(exts + [extension(TLS_EXT_PADDING, b"\0" * need)])
        assert len(msg) == pad_to
    return msg


def client_hello(sni=None, record_split=(), **kw):
    """A ClientHello in TLS records: one record, or cut at record_split
    offsets into the handshake message (a hello spanning records)."""
    return tls_records(22, client_hello_message(sni, **kw), split=record_split)


def server_hello(version=0x0304, cipher=0x1301, session_id=b"\x33" * 32):
    """A ServerHello record (TLS 1.3 by the supported_versions extension
    unless version is 0x0303 or lower)."""
    exts = b""
    if version >= 0x0304:
        exts = extension(TLS_EXT_SUPPORTED_VERSIONS, u16(version))
        exts += extension(TLS_EXT_KEY_SHARE, u16(0x001D) + vec16(b"\x77" * 32))
    body = u16(0x0303) + b"\x44" * 32 + vec8(session_id) + u16(cipher) + b"\x00" + vec16(exts)
    msg = u8(2) + u24(len(body)) + body
    return tls_records(22, msg, version=0x0303)


def tls_alert(level=2, description=40):
    """An alert record (default: fatal handshake_failure)."""
    return tls_records(21, u8(level) + u8(description), version=0x0303)


# ---- DNS ----

DNS_TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
             "SVCB": 64, "HTTPS": 65}
DNS_RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5}


class DnsWriter:
    """Writes a DNS message; names are compressed against every name
    (suffix) written before them (RFC 1035 §4.1.4)."""

    def __init__(self, compress=True):
        self.buf = bytearray()
        self.seen = {}
        self.compress = compress

    def name(self, text):
        labels = [l for l in text.rstrip(".").split(".") if l]
        for i in range(len(labels)):
            key = tuple(l.lower() for l in labels[i:])
            if self.compress and key in self.seen:
                self.buf += struct.pack("!H", 0xC000 | self.seen[key])
                return
            if len(self.buf) < 0x3FFF:
                self.seen[key] = len(self.buf)
            lab = labels[i].encode()
            self.buf += u8(len(lab)) + lab
        self.buf += b"\x00"

    def raw(self, b):
        self.buf += b


def dns_message(qid, qname, qtype="A", response=False, rcode=0, answers=(), rd=True, ra=True,
                compress=True):
    """answers: (type, owner, data, ttl) with data an address text (A, AAAA),
    a name (CNAME), or the RDATA bytes (svcb_rdata() for SVCB, HTTPS)."""
    w = DnsWriter(compress)
    flags = (0x8000 if response else 0) | (0x0100 if rd else 0) | (0x0080 if ra and response else 0)
    if isinstance(rcode, str):
        rcode = DNS_RCODES[rcode]
    flags |= rcode
    w.raw(struct.pack("!HHHHHH", qid, flags, 1, len(answers), 0, 0))
    w.name(qname)
    w.raw(struct.pack("!HH", DNS_TYPES.get(qtype, qtype) if isinstance(qtype, str) else qtype, 1))
    for rtype, owner, data, ttl in answers:
        w.name(owner)
        w.raw(struct.pack("!HHI", DNS_TYPES[rtype], 1, ttl))
        at = len(w.buf)
        w.raw(b"\0\0")  # RDLENGTH, filled in below
        if rtype in ("A", "AAAA"):
            w.raw(addr(data).packed)
        elif isinstance(data, bytes):
            w.raw(data)  # RDATA as given (SVCB, HTTPS)
        else:
            w.name(data)
        w.buf[at:at + 2] = struct.pack("!H", len(w.buf) - at - 2)
    return bytes(w.buf)


def svcb_rdata(priority, target=b"\x00", alpn=(), ech_public_name=None):
    """RFC 9460 SVCB/HTTPS RDATA (target in wire form) with alpn and an
    ECHConfigList holding one 0xfe0d config for ech_public_name."""
    out = u16(priority) + target
    if alpn:
        ids = b"".join(vec8(a.encode()) for a in alpn)
        out += u16(1) + vec16(ids)
    if ech_public_name is not None:
        contents = (u8(7) + u16(0x0020) + vec16(bytes(range(32))) + vec16(u16(1) + u16(1))
                    + u8(0) + vec8(ech_public_name.encode()) + vec16(b""))
        config = u16(0xFE0D) + vec16(contents)
        out += u16(5) + vec16(vec16(config))
    return out


def dns_query(qid, qname, qtype="A", **kw):
    return dns_message(qid, qname, qtype, **kw)


def dns_response(qid, qname, qtype="A", answers=(), rcode=0, **kw):
    return dns_message(qid, qname, qtype, response=True, rcode=rcode, answers=answers, **kw)


def dns_tcp(message):
    """A DNS message as carried over TCP: a two-byte length first."""
    return u16(len(message)) + message


# ---- convenience ----

def tls_connection(client, server, cport, sport, sni, answer=True, close=False, **hello):
    """Handshake, ClientHello (one segment), and a ServerHello; IP packets."""
    c = TcpConn(client, server, cport, sport)
    steps = [("c", "S"), ("s", "SA"), ("c", "A"), ("c", "PA", client_hello(sni, **hello))]
    if answer:
        steps += [("s", "PA", server_hello())]
    if close:
        steps += [("c", "FA"), ("s", "FA"), ("c", "A")]
    return c.play(steps)


def write_pcap(path, packets, linktype=LINKTYPE_ETHERNET, **kw):
    """Shortcut: IP packets into one pcap file."""
    return Capture(linktype, **kw).extend(packets).write(path)


if __name__ == "__main__":
    # A demo capture for a look in Wireshark: python3 pcapgen.py out.pcap
    import sys
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.getcwd(), "pcapgen-demo.pcap")
    write_pcap(out, tls_connection("10.0.0.1", "192.0.2.1", 40000, 443, "example.com", alpn=["h2"]))
    print(out)
