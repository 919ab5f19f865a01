#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Servers for tests/captures/make-captures.sh (Python 3 standard library).

Each listener is KIND=ADDR:PORT (IPv6 as [ADDR]:PORT), repeated as needed:

  tls        TLS (any SNI): reads a little, answers a tiny HTTP 200, closes
  tls-tfo    the same, accepting TCP Fast Open (data in the SYN)
  http       plain HTTP: reads a request head, answers a tiny 200, closes
  smtp, imap, pop3, ftp, xmpp, ldap, postgres
             the server side of that protocol's STARTTLS (what OpenSSL's
             `s_client -starttls PROTO` expects), then TLS as above
  connect    an HTTP CONNECT proxy (relays to the name's address, --host)
  socks      a SOCKS 4/4a/5 proxy without authentication (relays likewise)

--host NAME=ADDR maps the names the proxies are asked for. Prints "ready"
once every listener is bound; serves until killed.
"""
import argparse
import socket
import ssl
import struct
import sys
import threading

IO_TIMEOUT = 5.0
HOSTS = {}
CTX = None


def parse_addr(text):
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
        return socket.AF_INET6, host, int(port)
    host, _, port = text.rpartition(":")
    return socket.AF_INET, host, int(port)


def listen(text, fastopen=False):
    family, host, port = parse_addr(text)
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fastopen:  # RFC 7413: accept data in the SYN
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16)
    s.bind((host, port))
    s.listen(16)
    return s


def read_line(conn):
    data = b""
    while not data.endswith(b"\n") and len(data) < 4096:
        b = conn.recv(1)
        if not b:
            break
        data += b
    return data


def read_until(conn, marker):
    data = b""
    while marker not in data and len(data) < 16384:
        b = conn.recv(4096)
        if not b:
            break
        data += b
    return data


def tls_serve(conn):
    t = CTX.wrap_socket(conn, server_side=True)
    try:
        t.settimeout(2.0)
        try:
            t.recv(4096)
        except (socket.timeout, ssl.SSLError, OSError):
            pass
        t.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    finally:
        try:
            t.unwrap()
        except (ssl.SSLError, OSError):
            pass


def starttls(kind, conn):
    if kind == "smtp":
        conn.sendall(b"220 mail.example ESMTP\r\n")
        read_line(conn)
        conn.sendall(b"250-mail.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        read_line(conn)
        conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")
    elif kind == "pop3":
        conn.sendall(b"+OK POP3 ready\r\n")
        while True:
            line = read_line(conn).strip().upper()
            if not line or line == b"STLS":
                break
            conn.sendall(b"+OK\r\nSTLS\r\n.\r\n")
        conn.sendall(b"+OK Begin TLS\r\n")
    elif kind == "imap":
        conn.sendall(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
        while True:
            line = read_line(conn)
            parts = line.split()
            if len(parts) < 2:
                return
            if parts[1].upper() == b"STARTTLS":
                conn.sendall(parts[0] + b" OK Begin TLS now\r\n")
                break
            conn.sendall(b"* CAPABILITY IMAP4rev1 STARTTLS\r\n" + parts[0] + b" OK done\r\n")
    elif kind == "ftp":
        conn.sendall(b"220 FTP ready\r\n")
        while True:
            line = read_line(conn).strip().upper()
            if not line or line.startswith(b"AUTH"):
                break
            conn.sendall(b"211-Features:\r\n AUTH TLS\r\n211 End\r\n")
        conn.sendall(b"234 AUTH TLS OK\r\n")
    elif kind == "xmpp":
        read_until(conn, b">")
        conn.sendall(b"<?xml version='1.0'?><stream:stream from='chat.example' id='c1' "
                     b"version='1.0' xmlns='jabber:client' "
                     b"xmlns:stream='http://etherx.jabber.org/streams'><stream:features>"
                     b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
                     b"</stream:features>")
        read_until(conn, b"/>")
        conn.sendall(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    elif kind == "ldap":
        head = conn.recv(2)
        if len(head) == 2:
            conn.recv(head[1])
        # RFC 4511 §4.12 ExtendedResponse: success, the StartTLS OID echoed
        oid = b"1.3.6.1.4.1.1466.20037"
        body = b"\x0a\x01\x00\x04\x00\x04\x00" + b"\x8a" + bytes([len(oid)]) + oid
        op = b"\x78" + bytes([len(body)]) + body
        msg = b"\x02\x01\x01" + op
        conn.sendall(b"\x30" + bytes([len(msg)]) + msg)
    elif kind == "postgres":
        req = conn.recv(8)
        if len(req) != 8 or struct.unpack("!II", req)[1] != 80877103:
            return
        conn.sendall(b"S")
    tls_serve(conn)


def relay(a, b):
    def pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
    t = threading.Thread(target=pump, args=(b, a), daemon=True)
    t.start()
    pump(a, b)
    t.join(IO_TIMEOUT)


def upstream(host, port):
    addr = HOSTS.get(host, host)
    return socket.create_connection((addr, port), timeout=IO_TIMEOUT)


def connect_proxy(conn):
    head = read_until(conn, b"\r\n\r\n")
    line = head.split(b"\r\n", 1)[0].split()
    if len(line) < 2 or line[0] != b"CONNECT":
        conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
        return
    host, _, port = line[1].decode().rpartition(":")
    up = upstream(host, int(port))
    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    relay(conn, up)


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        b = conn.recv(n - len(data))
        if not b:
            raise OSError("short read")
        data += b
    return data


def recv_cstring(conn):
    data = b""
    while True:
        b = recv_exact(conn, 1)
        if b == b"\0":
            return data
        data += b


def socks_proxy(conn):
    ver = recv_exact(conn, 1)[0]
    if ver == 4:
        cmd, port = struct.unpack("!BH", recv_exact(conn, 3))
        ip = recv_exact(conn, 4)
        recv_cstring(conn)
        host = socket.inet_ntoa(ip)
        if ip[:3] == b"\0\0\0" and ip[3]:
            host = recv_cstring(conn).decode()
        up = upstream(host, port)
        conn.sendall(b"\x00\x5a" + b"\0" * 6)
    else:
        n = recv_exact(conn, 1)[0]
        recv_exact(conn, n)
        conn.sendall(b"\x05\x00")
        _, cmd, _, atyp = recv_exact(conn, 4)
        if atyp == 1:
            host = socket.inet_ntoa(recv_exact(conn, 4))
        elif atyp == 4:
            host = socket.inet_ntop(socket.AF_INET6, recv_exact(conn, 16))
        else:
            host = recv_exact(conn, recv_exact(conn, 1)[0]).decode()
        port = struct.unpack("!H", recv_exact(conn, 2))[0]
        up = upstream(host, port)
        conn.sendall(b"\x05\x00\x00\x01" + b"\0" * 6)
    relay(conn, up)


def serve(kind, sock):
    while True:
        conn, _ = sock.accept()
        conn.settimeout(IO_TIMEOUT)

        def one(c=conn):
            try:
                if kind == "tls":
                    tls_serve(c)
                elif kind == "http":
                    read_until(c, b"\r\n\r\n")
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                              b"Connection: close\r\n\r\nok")
                elif kind == "connect":
                    connect_proxy(c)
                elif kind == "socks":
                    socks_proxy(c)
                else:
                    starttls(kind, c)
            except (OSError, ssl.SSLError):
                pass
            finally:
                c.close()
        threading.Thread(target=one, daemon=True).start()


def main():
    global CTX
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--host", action="append", default=[])
    ap.add_argument("listen", nargs="+")
    args = ap.parse_args()
    CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    CTX.load_cert_chain(args.cert, args.key)
    for h in args.host:
        name, _, addr = h.partition("=")
        HOSTS[name] = addr
    for spec in args.listen:
        kind, _, where = spec.partition("=")
        fastopen = kind == "tls-tfo"
        kind = "tls" if fastopen else kind
        threading.Thread(target=serve, args=(kind, listen(where, fastopen)), daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
