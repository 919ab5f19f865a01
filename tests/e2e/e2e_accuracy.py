#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Accuracy on captures nobody designed for us (issue 11), from constructed
bytes: every class of capture that used to lose a name silently.

  1  one direction, or a handshake not seen (filters, asymmetric routing,
     drops; a RST or FIN before the SYN-ACK; a reused port)
  2  frames cut by the snaplen, an IP length past the frame
  3  TLS after a plaintext prelude (CONNECT, SOCKS 4/4a/5, STARTTLS, SSLRequest)
  4  DNS beyond port 53 (other ports, mDNS, LLMNR, DNS over TCP elsewhere)
  5  tunnels as monitoring delivers traffic
  6  link types libpcap writes
  7  IPv6 fragments, data in a SYN, a hello split across IP fragments and
     TCP segments at once

Captures made by real tools for the same classes are in tests/captures/
(e2e_captures.py). Every report here is also checked for the invariant: a
connection with client payload has a name or a flag saying why not.
EA_KEEP=1 keeps the captures; arguments pick scenarios by name.
"""
import os
import random
import shutil
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen as pg  # noqa: E402
from common import run  # noqa: E402
from e2e_synthetic import Scenario, addrs, show, tls_steps  # noqa: E402

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


HS = [("c", "S"), ("s", "SA"), ("c", "A")]


def client_only(packets, client):
    """What a capture filtered to the client's packets (dst port 443) keeps."""
    import ipaddress
    want = ipaddress.ip_address(client).packed
    out = []
    for p in packets:
        src = p[12:16] if pg.ip_version(p) == 4 else p[8:24]
        if src == want:
            out.append(p)
    return out


# ---- class 1: one direction, or a handshake not seen ----

@scenario
def c1a_client_side_only(t):
    """tcpdump 'dst port 443': SYN, ACK, a two-segment hello; nothing back."""
    for v in (4, 6):
        c, s = addrs(v)
        sni = f"oneway.v{v}.example"
        ch = pg.client_hello(sni, key_share_len=1216)
        pk = pg.TcpConn(c, s, 50100, 443).play(
            HS + [pg.Step("c", "PA", ch, sizes=[700]), ("s", "PA", pg.server_hello())])
        conn = t.tcp_conns(t.report_of(f"v{v}", client_only(pk, c)), f"IPv{v}")
        t.expect(f"IPv{v} client side only", conn, name=sni, name_source="sni",
                 outcome="incomplete", flags=["tls"], no_flags=["reassembly-gap"])
        if conn:
            t.check("only the client's side" in conn["outcome_why"],
                    f"IPv{v}: outcome_why {conn['outcome_why']!r}")


@scenario
def c1b_synack_not_captured(t):
    """Asymmetric routing or a drop: no SYN-ACK, but the ServerHello is there."""
    for v in (4, 6):
        c, s = addrs(v)
        sni = f"nosynack.v{v}.example"
        pk = pg.TcpConn(c, s, 50110, 443).play(tls_steps(pg.client_hello(sni)))
        del pk[1]  # the SYN-ACK
        conn = t.tcp_conns(t.report_of(f"v{v}", pk), f"IPv{v}")
        t.expect(f"IPv{v} no SYN-ACK", conn, name=sni, outcome="reached")
        # ... and no ServerHello either: the server sent nothing we saw
        pk2 = [p for i, p in enumerate(pk) if i != len(pk) - 1]
        conn = t.tcp_conns(t.report_of(f"v{v}-nothing-back", pk2), f"IPv{v} nothing back")
        t.expect(f"IPv{v} nothing back", conn, name=sni, outcome="incomplete")


@scenario
def c1c_reset_or_fin_before_synack(t):
    """A stale RST (or a FIN) from the server side before the SYN-ACK."""
    for v in (4, 6):
        c, s = addrs(v)
        for odd in ("RA", "FA"):
            sni = f"odd-{odd.lower()}.v{v}.example"
            conn_ = pg.TcpConn(c, s, 50120, 443)
            pk = conn_.play([("c", "S"), ("s", odd)])
            conn_.nxt["s"] = conn_.isn["s"]
            pk += conn_.play([("c", "S"), ("s", "SA"), ("c", "A"), ("c", "PA", pg.client_hello(sni)),
                              ("s", "PA", pg.server_hello())])
            case = f"IPv{v} {odd} before SYN-ACK"
            conn = t.tcp_conns(t.report_of(f"v{v}-{odd}", pk), case)
            t.expect(case, conn, name=sni, outcome="reached")


@scenario
def c1d_reused_port(t):
    """The same 4-tuple again with a new ISN, the first close not captured."""
    for v in (4, 6):
        c, s = addrs(v)
        a = pg.TcpConn(c, s, 50130, 443, isn_client=0x1000, isn_server=0x9000)
        b = pg.TcpConn(c, s, 50130, 443, isn_client=0x55550000, isn_server=0x66660000)
        pk = a.play(tls_steps(pg.client_hello(f"first.v{v}.example")))
        pk += b.play(tls_steps(pg.client_hello(f"second.v{v}.example")))
        rep = t.report_of(f"v{v}", pk)
        conns = t.tcp_conns(rep, f"IPv{v}", want=2)
        if conns:
            names = sorted(x["name"] for x in conns)
            t.check(names == [f"first.v{v}.example", f"second.v{v}.example"],
                    f"IPv{v}: names {names}")


# ---- class 7: fragments and early data ----

@scenario
def c7a_tcp_fast_open(t):
    """The ClientHello in the SYN (TFO, RFC 7413)."""
    for v in (4, 6):
        c, s = addrs(v)
        sni = f"tfo.v{v}.example"
        pk = pg.TcpConn(c, s, 50200, 443).play(
            [("c", "S", pg.client_hello(sni)), ("s", "SA"), ("c", "A"),
             ("s", "PA", pg.server_hello())])
        conn = t.tcp_conns(t.report_of(f"v{v}", pk), f"IPv{v}")
        t.expect(f"IPv{v} TFO", conn, name=sni, outcome="reached", tls_version="TLS 1.3")


@scenario
def c7b_fragmented_hello(t):
    """A one-segment ClientHello in IP fragments, shuffled."""
    for v in (4, 6):
        c, s = addrs(v)
        sni = f"frag.v{v}.example"
        ch = pg.client_hello(sni, key_share_len=1216)
        pk = pg.TcpConn(c, s, 50210, 443).play(tls_steps(ch))
        hello = pk[3]
        frags = pg.refragment(hello, 512)
        random.Random(7).shuffle(frags)
        pk = pk[:3] + frags + pk[4:]
        conn = t.tcp_conns(t.report_of(f"v{v}", pk), f"IPv{v}")
        t.expect(f"IPv{v} fragmented hello", conn, name=sni, outcome="reached",
                 no_flags=["reassembly-gap", "hello-unreadable"])


@scenario
def c7c_fragments_and_segments(t):
    """A ClientHello in two TCP segments, each in IP fragments, all shuffled."""
    for v in (4, 6):
        c, s = addrs(v)
        sni = f"frag-seg.v{v}.example"
        ch = pg.client_hello(sni, key_share_len=1216)
        cut = ch.find(sni.encode()) + 3
        pk = pg.TcpConn(c, s, 50220, 443).play(tls_steps(ch, dict(sizes=[cut])))
        seg1, seg2 = pk[3], pk[4]
        frags = pg.refragment(seg1, 48, ident=1) + pg.refragment(seg2, 400, ident=2)
        random.Random(11).shuffle(frags)
        pk = pk[:3] + frags + pk[5:]
        conn = t.tcp_conns(t.report_of(f"v{v}", pk), f"IPv{v}")
        t.expect(f"IPv{v} fragments and segments", conn, name=sni, outcome="reached")


# ---- class 2: cut packets ----

@scenario
def c2a_snaplen_96(t):
    """tcpdump -s 96: no name can survive; every such connection says why."""
    for v in (4, 6):
        c, s = addrs(v)
        pk = pg.TcpConn(c, s, 50300, 443).play(tls_steps(pg.client_hello("cut.example")))
        path = pg.Capture(snaplen=96).extend(pk).write(t.path(f"v{v}.pcap"))
        rep = t.analyze(path)
        conn = t.tcp_conns(rep, f"IPv{v}")
        t.expect(f"IPv{v} snaplen 96", conn, name=None, flags=["snaplen-cut"])
        cut = rep.get("snaplen_cut")
        t.check(cut and cut["snaplen"] == 96 and cut["frames"] >= 2,
                f"IPv{v}: snaplen_cut is {cut!r}")
        rc, out, err = run("analyze", path)
        t.check(rc == 0 and out.decode().count("short snaplen (96 bytes kept)") == 1,
                f"IPv{v}: the text report should say once that the snaplen was short:\n"
                f"{out.decode()}")


@scenario
def c2b_sni_survives_cut_after_it(t):
    """The snaplen cuts the hello after its server_name: the name stays."""
    for v in (4, 6):
        c, s = addrs(v)
        sni = f"survives.v{v}.example"
        ch = pg.client_hello(sni, key_share_len=1216)
        pk = pg.TcpConn(c, s, 50310, 443).play(tls_steps(ch))
        hdr = (14 + 20 + 20) if v == 4 else (14 + 40 + 20)
        snap = hdr + ch.find(sni.encode()) + len(sni) + 40
        path = pg.Capture(snaplen=snap).extend(pk).write(t.path(f"v{v}.pcap"))
        conn = t.tcp_conns(t.analyze(path), f"IPv{v}")
        t.expect(f"IPv{v} cut after the SNI", conn, name=sni, name_source="sni",
                 flags=["snaplen-cut", "tls"], no_flags=["no-sni"])


@scenario
def c2c_dns_question_survives_cut_answer(t):
    q = pg.dns_query(0x2222, "cut-answer.example")
    r = pg.dns_response(0x2222, "cut-answer.example",
                        answers=[("CNAME", "cut-answer.example", "a.long.cdn.example", 60),
                                 ("A", "a.long.cdn.example", "192.0.2.7", 60)])
    pk = [pg.udp_packet("10.0.0.5", "10.0.0.53", 40000, 53, q),
          pg.udp_packet("10.0.0.53", "10.0.0.5", 53, 40000, r)]
    snap = 14 + 20 + 8 + 12 + len("cut-answer.example") + 2 + 4 + 6
    path = pg.Capture(snaplen=snap).extend(pk).write(t.path("dns.pcap"))
    rep = t.analyze(path)
    names = [d["query"] for d in rep["dns"]]
    t.check(names == ["cut-answer.example"], f"dns names {names}: {show(rep['dns'])}")


@scenario
def c2c2_dns_over_tcp_cut(t):
    """DNS over TCP, only the server's side captured, its response cut by
    the snaplen: the question in it stays."""
    r = pg.dns_tcp(pg.dns_response(0x2323, "tcp-cut.example",
                                   answers=[("A", "tcp-cut.example", "192.0.2.9", 60)] * 20))
    pk = pg.TcpConn("10.0.0.5", "10.0.0.53", 40100, 53).play(HS + [("s", "PA", r)])
    snap = 14 + 20 + 20 + 2 + 12 + len("tcp-cut.example") + 2 + 4 + 10
    path = pg.Capture(snaplen=snap).extend(pk).write(t.path("dns-tcp.pcap"))
    rep = t.analyze(path)
    t.check([d["query"] for d in rep["dns"]] == ["tcp-cut.example"], f"dns {show(rep['dns'])}")


@scenario
def c2d_ip_length_past_frame(t):
    """An IP total length larger than the frame (no snaplen): parse what is there."""
    for v in (4, 6):
        c, s = addrs(v)
        sni = f"iplen.v{v}.example"
        ch = pg.client_hello(sni, key_share_len=1216)
        pk = pg.TcpConn(c, s, 50320, 443).play(tls_steps(ch))
        hello = bytearray(pk[3])
        keep = (20 if v == 4 else 40) + 20 + ch.find(sni.encode()) + len(sni) + 20
        pk[3] = bytes(hello[:keep])  # the lengths in the headers still say more
        conn = t.tcp_conns(t.report_of(f"v{v}", pk), f"IPv{v}")
        t.expect(f"IPv{v} IP length past the frame", conn, name=sni, flags=["snaplen-cut"])


@scenario
def c2e_http_host_survives_cut(t):
    req = (b"GET /simple/requests/ HTTP/1.1\r\nHost: pypi.example\r\nUser-Agent: pip/24\r\n"
           b"Accept: */*\r\nAccept-Encoding: gzip\r\n\r\n")
    pk = pg.TcpConn("10.0.0.5", "192.0.2.80", 50330, 80).play(HS + [("c", "PA", req)])
    snap = 14 + 20 + 20 + req.find(b"User-Agent") + 6
    path = pg.Capture(snaplen=snap).extend(pk).write(t.path("http.pcap"))
    conn = t.tcp_conns(t.analyze(path), "HTTP")
    t.expect("HTTP cut after Host", conn, name="pypi.example", name_source="http_host",
             flags=["snaplen-cut"])


# ---- class 3: TLS after a plaintext prelude ----

T_SH = pg.server_hello()


def prelude_steps(client_prelude, server_prelude, sni, server_first=None):
    """Handshake; the server's banner (if any); the client's prelude; the
    server's answer; the ClientHello; the ServerHello."""
    steps = list(HS)
    if server_first:
        steps.append(("s", "PA", server_first))
    for i, chunk in enumerate(client_prelude):
        steps.append(("c", "PA", chunk))
        if i < len(server_prelude) and server_prelude[i]:
            steps.append(("s", "PA", server_prelude[i]))
    steps += [("c", "PA", pg.client_hello(sni)), ("s", "PA", T_SH)]
    return steps


PRELUDES = [
    # (case, port, server banner, client chunks, server answers, name, name_source,
    #  inner name, flags)
    ("CONNECT, same name", 3128, None,
     [b"CONNECT huggingface.co:443 HTTP/1.1\r\nHost: huggingface.co:443\r\n\r\n"],
     [b"HTTP/1.1 200 Connection established\r\n\r\n"],
     "huggingface.co", "connect", "huggingface.co", ["connect", "http", "tls"]),
    ("CONNECT, fronted", 3128, None,
     [b"CONNECT allowed.example:443 HTTP/1.1\r\nHost: allowed.example:443\r\n\r\n"],
     [b"HTTP/1.1 200 Connection established\r\n\r\n"],
     "allowed.example", "connect", "hidden.example", ["connect", "sni-mismatch"]),
    ("SOCKS 5 domain", 1080, None,
     [b"\x05\x01\x00", b"\x05\x01\x00\x03\x0cpypi.example\x01\xbb"],
     [b"\x05\x00", b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00"],
     "pypi.example", "socks", "pypi.example", ["socks"]),
    ("SOCKS 5 address", 1080, None,
     [b"\x05\x01\x00", b"\x05\x01\x00\x01\xc0\x00\x02\x0a\x01\xbb"],
     [b"\x05\x00", b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00"],
     "192.0.2.10", "socks", "socks5-ip.example", ["socks"]),
    ("SOCKS 4a", 1080, None,
     [b"\x04\x01\x01\xbb\x00\x00\x00\x01user\x00files.example\x00"],
     [b"\x00\x5a\x00\x00\x00\x00\x00\x00"],
     "files.example", "socks", "other.example", ["socks", "sni-mismatch"]),
    ("SOCKS 4", 1080, None,
     [b"\x04\x01\x01\xbb\xc0\x00\x02\x0auser\x00"],
     [b"\x00\x5a\x00\x00\x00\x00\x00\x00"],
     "192.0.2.10", "socks", "socks4.example", ["socks"]),
    ("SMTP STARTTLS", 587, b"220 mail.example ESMTP\r\n",
     [b"EHLO client.example\r\n", b"STARTTLS\r\n"],
     [b"250-mail.example\r\n250 STARTTLS\r\n", b"220 2.0.0 Ready to start TLS\r\n"],
     "smtp.example", "sni", None, ["starttls", "tls"]),
    ("IMAP STARTTLS", 143, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n",
     [b". CAPABILITY\r\n", b". STARTTLS\r\n"],
     [b"* CAPABILITY IMAP4rev1 STARTTLS\r\n. OK done\r\n", b". OK Begin TLS\r\n"],
     "imap.example", "sni", None, ["starttls"]),
    ("POP3 STLS", 110, b"+OK POP3 ready\r\n", [b"STLS\r\n"], [b"+OK Begin TLS\r\n"],
     "pop3.example", "sni", None, ["starttls"]),
    ("FTP AUTH TLS", 21, b"220 FTP ready\r\n", [b"FEAT\r\n", b"AUTH TLS\r\n"],
     [b"211-Features:\r\n AUTH TLS\r\n211 End\r\n", b"234 AUTH TLS OK\r\n"],
     "ftp.example", "sni", None, ["starttls"]),
    ("XMPP STARTTLS", 5222, None,
     [b"<?xml version='1.0'?><stream:stream to='chat.example' xmlns='jabber:client' "
      b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>",
      b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"],
     [b"<?xml version='1.0'?><stream:stream from='chat.example' id='1' version='1.0' "
      b"xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'><stream:features>"
      b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
      b"</stream:features>",
      b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"],
     "chat.example", "sni", None, ["starttls"]),
    ("LDAP StartTLS", 389, None,
     [b"\x30\x1d\x02\x01\x01\x77\x18\x80\x161.3.6.1.4.1.1466.20037"],
     [b"\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00"],
     "ldap.example", "sni", None, ["starttls"]),
    ("IRC STARTTLS", 6667, None, [b"CAP LS 302\r\nNICK bob\r\nUSER bob 0 * :Bob\r\n",
                                  b"STARTTLS\r\n"],
     [b":irc.example CAP * LS :tls\r\n", b":irc.example 670 bob :STARTTLS successful\r\n"],
     "irc.example", "sni", None, ["starttls"]),
    ("PostgreSQL SSLRequest", 5432, None, [b"\x00\x00\x00\x08\x04\xd2\x16\x2f"], [b"S"],
     "db.example", "sni", None, ["starttls"]),
]


@scenario
def c3_tls_after_a_prelude(t):
    for v in (4, 6):
        c, s = addrs(v)
        for i, (case, port, banner, cpre, spre, name, source, inner, flags) in enumerate(PRELUDES):
            sni = inner or name
            if case == "CONNECT, fronted":
                sni = "hidden.example"
            pk = pg.TcpConn(c, s, 50400 + i, port).play(prelude_steps(cpre, spre, sni, banner))
            label = f"IPv{v} {case}"
            conn = t.tcp_conns(t.report_of(f"v{v}-{i}", pk), label)
            t.expect(label, conn, name=name, name_source=source, inner_name=inner,
                     inner_name_source="sni" if inner else "none", outcome="reached",
                     tls_version="TLS 1.3", flags=flags)
            if conn and "sni-mismatch" not in flags:
                t.check("sni-mismatch" not in conn["flags"], f"{label}: sni-mismatch set")


@scenario
def c3c_plain_http_in_a_tunnel(t):
    """Plain HTTP through CONNECT (curl -p) and SOCKS: the Host is the second name."""
    get = b"GET /simple/ HTTP/1.1\r\nHost: inner.example\r\nAccept: */*\r\n\r\n"
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    cases = [
        ("CONNECT", 3128, [b"CONNECT inner.example:80 HTTP/1.1\r\nHost: inner.example:80\r\n\r\n"],
         [b"HTTP/1.1 200 Connection established\r\n\r\n"], "inner.example", "connect"),
        ("SOCKS 5", 1080, [b"\x05\x01\x00", b"\x05\x01\x00\x03\x0dinner.example\x00\x50"],
         [b"\x05\x00", b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00"], "inner.example", "socks"),
        ("SOCKS 4a", 1080, [b"\x04\x01\x00\x50\x00\x00\x00\x01\x00outer.example\x00"],
         [b"\x00\x5a\x00\x00\x00\x00\x00\x00"], "outer.example", "socks"),
    ]
    for v in (4, 6):
        c, s = addrs(v)
        for i, (case, port, cpre, spre, name, source) in enumerate(cases):
            steps = list(HS)
            for cp, sp in zip(cpre, spre):
                steps += [("c", "PA", cp), ("s", "PA", sp)]
            steps += [("c", "PA", get), ("s", "PA", ok)]
            pk = pg.TcpConn(c, s, 50460 + i, port).play(steps)
            label = f"IPv{v} HTTP in {case}"
            conn = t.tcp_conns(t.report_of(f"v{v}-{i}", pk), label)
            t.expect(label, conn, name=name, name_source=source, inner_name="inner.example",
                     inner_name_source="http_host", outcome="reached", http_status=200,
                     flags=["http"], no_flags=["sni-mismatch"])


@scenario
def c3b_prelude_client_side_only(t):
    """A SOCKS 5 request and its hello with nothing back: the names stay."""
    c, s = addrs(4)
    steps = HS + [("c", "PA", b"\x05\x01\x00"),
                  ("c", "PA", b"\x05\x01\x00\x03\x0bexample.org\x01\xbb"),
                  ("c", "PA", pg.client_hello("example.org"))]
    pk = client_only(pg.TcpConn(c, s, 50450, 1080).play(steps), c)
    conn = t.tcp_conns(t.report_of("socks", pk), "SOCKS one side")
    t.expect("SOCKS one side", conn, name="example.org", name_source="socks",
             inner_name="example.org", outcome="incomplete")


# ---- class 4: DNS beyond port 53 ----

@scenario
def c4a_mdns_llmnr_local(t):
    """mDNS (5353, multicast) and LLMNR (5355): names, marked local."""
    mq = pg.dns_query(0, "printer.local", "A", rd=False)
    mr = pg.dns_response(0, "printer.local", "A", answers=[("A", "printer.local", "10.0.0.9", 120)])
    lq = pg.dns_query(0x3333, "fileserver", "A", rd=False)
    lr = pg.dns_response(0x3333, "fileserver", "A", answers=[("A", "fileserver", "10.0.0.8", 30)])
    pk = [pg.udp_packet("10.0.0.5", "224.0.0.251", 5353, 5353, mq),
          pg.udp_packet("10.0.0.9", "224.0.0.251", 5353, 5353, mr),
          pg.udp_packet("10.0.0.5", "224.0.0.252", 50000, 5355, lq),
          pg.udp_packet("10.0.0.8", "10.0.0.5", 5355, 50000, lr)]
    rep = t.report_of("local", pk)
    dns = {d["query"]: d for d in rep["dns"]}
    for q, port in (("printer.local", 5353), ("fileserver", 5355)):
        d = dns.get(q)
        if t.check(d is not None, f"no DNS entry for {q}: {show(rep['dns'])}"):
            t.expect(q, d, local=True, port=port, responses=1)
    for c in rep["connections"]:
        t.expect("LLMNR flow", c, flags=["dns", "local"])


@scenario
def c4b_dns_other_port_matched(t):
    """A resolver on 5300 and DNSCrypt's certificate query on 443/udp: DNS
    when query and response parse and match; QUIC on 443 stays QUIC."""
    for v in (4, 6):
        c, s = addrs(v)
        pk = []
        for i, (port, name, qtype) in enumerate([(5300, "other-port.example", "A"),
                                                  (443, "2.dnscrypt-cert.resolver.example", "TXT")]):
            q = pg.dns_query(0x4000 + i, name, qtype)
            r = pg.dns_response(0x4000 + i, name, qtype)
            pk += [pg.udp_packet(c, s, 51000 + i, port, q), pg.udp_packet(s, c, port, 51000 + i, r)]
        # a query nobody answered, and an answer that does not match: not DNS
        pk += [pg.udp_packet(c, s, 51010, 5301, pg.dns_query(0x4100, "unanswered.example"))]
        pk += [pg.udp_packet(c, s, 51011, 5302, pg.dns_query(0x4200, "asked.example")),
               pg.udp_packet(s, c, 5302, 51011, pg.dns_response(0x4201, "other.example"))]
        # QUIC-looking datagrams on 443
        quic = bytes([0xC3, 0, 0, 0, 1, 8]) + bytes(range(8)) + b"\x00" + b"\x44" * 1180
        pk += [pg.udp_packet(c, s, 51020, 443, quic), pg.udp_packet(s, c, 443, 51020, quic[:200])]
        rep = t.report_of(f"v{v}", pk)
        names = sorted(d["query"] for d in rep["dns"])
        t.check(names == ["2.dnscrypt-cert.resolver.example", "other-port.example"],
                f"IPv{v}: dns names {names}")
        for d in rep["dns"]:
            t.check(d["port"] in (5300, 443) and d["queries"] == 1 and d["responses"] == 1,
                    f"IPv{v}: {show(d)}")
        by_port = {c_["sport"]: c_ for c_ in rep["connections"]}
        t.expect(f"IPv{v} 5300", by_port.get(51000), flags=["dns"])
        t.expect(f"IPv{v} dnscrypt", by_port.get(51001), flags=["dns"], no_flags=["quic"])
        t.expect(f"IPv{v} quic", by_port.get(51020), flags=["quic"], no_flags=["dns"])
        t.expect(f"IPv{v} unanswered", by_port.get(51010), flags=["other-protocol"], no_flags=["dns"])


@scenario
def c4c_dns_over_tcp_other_port(t):
    q = pg.dns_tcp(pg.dns_query(0x5000, "tcp-other.example"))
    r = pg.dns_tcp(pg.dns_response(0x5000, "tcp-other.example",
                                   answers=[("A", "tcp-other.example", "192.0.2.55", 60)]))
    for v in (4, 6):
        c, s = addrs(v)
        pk = pg.TcpConn(c, s, 51100, 8053).play(HS + [("c", "PA", q), ("s", "PA", r)])
        rep = t.report_of(f"v{v}", pk)
        t.check([d["query"] for d in rep["dns"]] == ["tcp-other.example"],
                f"IPv{v}: dns {show(rep['dns'])}")
        t.expect(f"IPv{v}", t.tcp_conns(rep, f"IPv{v}"), flags=["dns"])


# ---- class 5: tunnels as monitoring delivers traffic ----

import struct  # noqa: E402

OUT4_A, OUT4_B = "198.18.9.1", "198.18.9.2"
OUT6_A, OUT6_B = "2001:db8:99::1", "2001:db8:99::2"
SNAP_IP4 = b"\xaa\xaa\x03\x00\x00\x00\x08\x00"
SNAP_IP6 = b"\xaa\xaa\x03\x00\x00\x00\x86\xdd"


def wlan_data(packet, qos=False):
    """An IEEE 802.11 data frame (to the AP) with LLC/SNAP around an IP packet."""
    snap = SNAP_IP6 if pg.ip_version(packet) == 6 else SNAP_IP4
    if qos:
        return b"\x88\x01\x00\x00" + b"\x02" * 18 + b"\x10\x00" + b"\x00\x00" + snap + packet
    return b"\x08\x01\x00\x00" + b"\x02" * 18 + b"\x10\x00" + snap + packet


def gre(proto, body, key=None, seq=None):
    flags = (0x2000 if key is not None else 0) | (0x1000 if seq is not None else 0)
    out = struct.pack("!HH", flags, proto)
    if key is not None:
        out += struct.pack("!I", key)
    if seq is not None:
        out += struct.pack("!I", seq)
    return out + body


def outer_udp(dport, body, sport=40001):
    return pg.udp_packet(OUT4_A, OUT4_B, sport, dport, body)


def outer_ip(proto, body, v=4):
    return pg.ip(OUT4_A, OUT4_B, proto, body) if v == 4 else pg.ip(OUT6_A, OUT6_B, proto, body)


TUNNELS = {
    # name: (kind, wrap(inner IP packet) -> outer IP packet, outer src)
    "vxlan": ("vxlan", lambda p: outer_udp(4789, b"\x08\x00\x00\x00\x00\x00\x2a\x00" + pg.ethernet(p)),
              OUT4_A),
    "geneve": ("geneve", lambda p: outer_udp(6081, b"\x00\x00\x65\x58\x00\x00\x07\x00" + pg.ethernet(p)),
               OUT4_A),
    "gretap": ("gre", lambda p: outer_ip(47, gre(0x6558, pg.ethernet(p), key=5)), OUT4_A),
    "gre-ip": ("gre", lambda p: outer_ip(47, gre(0x0800 if pg.ip_version(p) == 4 else 0x86DD, p)),
               OUT4_A),
    "erspan2": ("erspan", lambda p: outer_ip(47, gre(0x88BE, b"\x10\x01\x00\x64\x00\x00\x00\x07"
                                                     + pg.ethernet(p), seq=1)), OUT4_A),
    "erspan3": ("erspan", lambda p: outer_ip(47, gre(0x22EB, b"\x20\x01\x00\x64" + b"\x00" * 8
                                                     + pg.ethernet(p), seq=1)), OUT4_A),
    "gre-80211": ("gre", lambda p: outer_ip(47, gre(0x8200, wlan_data(p))), OUT4_A),
    "gtp-u": ("gtp-u", lambda p: outer_udp(2152, struct.pack("!BBHI", 0x30, 0xFF, len(p), 1) + p),
              OUT4_A),
    "ip-in-ipv4": ("ip-in-ip", lambda p: outer_ip(4 if pg.ip_version(p) == 4 else 41, p), OUT4_A),
    "ip-in-ipv6": ("ip-in-ip", lambda p: outer_ip(4 if pg.ip_version(p) == 4 else 41, p, v=6),
                   OUT6_A),
    "capwap-8023": ("capwap", lambda p: outer_udp(5247, b"\x00\x10\x42\x00\x00\x00\x00\x00"
                                                  + pg.ethernet(p), sport=5246), OUT4_A),
    "capwap-80211": ("capwap", lambda p: outer_udp(5247, b"\x00\x10\x43\x10\x00\x00\x00\x00"
                                                   + wlan_data(p, qos=True), sport=5246), OUT4_A),
}


@scenario
def c5_tunnels(t):
    for v in (4, 6):
        c, s = addrs(v)
        for i, (name, (kind, wrap, osrc)) in enumerate(TUNNELS.items()):
            sni = f"{name}.v{v}.example"
            pk = pg.TcpConn(c, s, 52000 + i, 443).play(tls_steps(pg.client_hello(sni)))
            rep = t.report_of(f"v{v}-{name}", [wrap(p) for p in pk])
            label = f"IPv{v} in {name}"
            conn = t.tcp_conns(rep, label)
            t.expect(label, conn, name=sni, outcome="reached", flags=["tunnel", "tls"])
            if conn:
                tun = conn["tunnel"] or {}
                t.check(tun.get("kind") == kind and tun.get("outer_src") == osrc,
                        f"{label}: tunnel {tun}, want {kind} from {osrc}")
            t.check(len(rep["connections"]) == 1,
                    f"{label}: the outer packets are not connections: {show(rep['connections'])}")


# ---- class 6: link types libpcap writes ----

def c_hdlc(p):
    return b"\x0f\x00" + struct.pack("!H", 0x86DD if pg.ip_version(p) == 6 else 0x0800) + p


def ppp(p):
    return b"\xff\x03" + (b"\x00\x57" if pg.ip_version(p) == 6 else b"\x00\x21") + p


def fddi(p):
    return b"\x50" + b"\x01" * 12 + (SNAP_IP6 if pg.ip_version(p) == 6 else SNAP_IP4) + p


def nflog(p):
    fam = 10 if pg.ip_version(p) == 6 else 2
    prefix = b"egress\x00\x00"
    tlv = lambda ty, val: struct.pack("<HH", 4 + len(val), ty) + val + b"\x00" * ((-len(val)) % 4)
    return bytes([fam, 0]) + b"\x00\x01" + tlv(1, b"\x08\x00\x01\x00") + tlv(10, prefix) + tlv(9, p)


def radiotap(p):
    return b"\x00\x00\x0c\x00\x04\x80\x00\x00\x02\x00\x00\x00" + wlan_data(p)


LINKTYPES = [
    # (linktype, name, wrap, IP versions)
    (104, "C_HDLC", c_hdlc, (4, 6)),
    (9, "PPP", ppp, (4, 6)),
    (50, "PPP_SERIAL", ppp, (4, 6)),
    (10, "FDDI", fddi, (4, 6)),
    (239, "NFLOG", nflog, (4, 6)),
    (105, "IEEE802_11", wlan_data, (4, 6)),
    (127, "IEEE802_11_RADIO", radiotap, (4, 6)),
    (192, "PPI with Ethernet", lambda p: b"\x00\x00\x08\x00\x01\x00\x00\x00" + pg.ethernet(p),
     (4, 6)),
    (117, "PFLOG", lambda p: bytes([61, 24 if pg.ip_version(p) == 6 else 2]) + b"\x00" * 62 + p,
     (4, 6)),
    (1, "Ethernet 802.3 with LLC/SNAP",
     lambda p: pg.MAC_SERVER + pg.MAC_CLIENT + struct.pack("!H", len(p) + 8)
     + (SNAP_IP6 if pg.ip_version(p) == 6 else SNAP_IP4) + p, (4, 6)),
    (1, "Ethernet 802.1ah (MAC-in-MAC)",
     lambda p: pg.MAC_SERVER + pg.MAC_CLIENT + b"\x88\xe7\x00\x00\x01\x00"
     + pg.ethernet(p), (4, 6)),
    (228, "IPV4 with IPv6 inside", pg.raw, (6,)),
    (229, "IPV6 with IPv4 inside", pg.raw, (4,)),
]


@scenario
def c6_link_types(t):
    for lt, lname, wrap, versions in LINKTYPES:
        for v in versions:
            c, s = addrs(v)
            sni = f"link{lt}.v{v}.example"
            pk = pg.TcpConn(c, s, 53000 + lt, 443).play(tls_steps(pg.client_hello(sni)))
            cap = pg.Capture(lt)
            for p in pk:
                cap.add_frame(wrap(p))
            rep = t.analyze(cap.write(t.path(f"{lt}-{lname[:12]}-v{v}.pcap")))
            label = f"{lname} IPv{v}"
            t.expect(label, t.tcp_conns(rep, label), name=sni, outcome="reached")
    # a link type that carries no IP is still refused, and the message names it
    path = pg.Capture(147).add_frame(b"\x00" * 40).write(t.path("user0.pcap"))
    rc, out, err = run("analyze", "-q", path)
    t.check(rc == 2 and "link type" in err and "147" in err, f"USER0: exit {rc}: {err!r}")


def main():
    keep = os.environ.get("EA_KEEP") == "1"
    only = sys.argv[1:]
    tmp = tempfile.mkdtemp(prefix="ea-accuracy-")
    failures, passed = [], []
    try:
        for fn in SCENARIOS:
            if only and not any(o in fn.__name__ for o in only):
                continue
            t = Scenario(fn.__name__, tmp)
            try:
                fn(t)
            except Exception as e:
                t.fail(f"raised {type(e).__name__}: {e}\n" + traceback.format_exc(limit=3))
            if t.failures:
                failures.extend(t.failures)
                print(f"FAIL {fn.__name__}")
            else:
                passed.append(fn.__name__)
                print(f"ok   {fn.__name__}")
    finally:
        if keep:
            print(f"captures kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    total = len(passed) + len({f.split(":")[0] for f in failures})
    print(f"{len(passed)} passed, {total - len(passed)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
