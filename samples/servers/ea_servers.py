#!/usr/bin/env python3
"""Tiny test servers for samples/make-sample.sh (Python 3 standard library only).

Runs inside the `ea-net` network namespace and plays the far side of a
"Hugging Face style" model deployment.  Every listener is given as ADDR:PORT
(IPv6 as [ADDR]:PORT); each kind may be repeated:

  --https  ADDR:PORT   TLS server (any SNI, ALPN http/1.1); answers one HTTP
                       request with a tiny 200 response, then closes cleanly.
  --http   ADDR:PORT   plain HTTP server; tiny 200 response.
  --http-deny ADDR:PORT
                       plain HTTP server that answers like an Azure Firewall
                       application-rule deny: "HTTP/1.1 470 status code 470".
  --tls-deny ADDR:PORT TCP server that reads the TLS ClientHello and then
                       resets the connection without a ServerHello (what Azure
                       Firewall does to TLS with an SNI no rule allows).
  --https-bytes ADDR:PORT
                       TLS server that answers GET /N with N bytes (a large
                       download: tests/e2e/e2e_capture.py's cutoff checks).
  --redirect STATUS PATH LOCATION
                       every --https listener answers a request for PATH
                       (the query string ignored) with STATUS (302 or 307)
                       and "Location: LOCATION" instead of 200, as
                       huggingface.co does for /resolve/ and a registry does
                       for a blob.  May be repeated.

Prints "ready" on stdout once every listener is bound, then serves until it
is killed.  Each connection is handled in its own thread.
"""

import argparse
import socket
import ssl
import struct
import sys
import threading

IO_TIMEOUT = 5.0
AZFW_DENY_BODY = b"Action: Deny. Reason: No rule matched. Proceeding with default action."


def parse_addr(text):
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
        return socket.AF_INET6, host, int(port)
    host, _, port = text.rpartition(":")
    return socket.AF_INET, host, int(port)


def listen(text):
    family, host, port = parse_addr(text)
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind((host, port))
    sock.listen(16)
    return sock


def read_request(conn):
    """Read an HTTP/1.x request head; return (method, path, host)."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 16384:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ") if lines and lines[0] else []
    method = parts[0] if parts else ""
    path = parts[1] if len(parts) > 1 else "/"
    host = ""
    for line in lines[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == "host":
            host = value.strip()
    return method, path, host


def response(status, reason, body, ctype="text/plain"):
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        f"Content-Type: {ctype}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")
    return head + body


def ok_body(path, host):
    """A tiny body that looks roughly like what the real service would send."""
    if path.startswith("/api/models/"):
        model = path[len("/api/models/"):].split("?")[0]
        return b'{"id":"%s","sha":"0000000"}\n' % model.encode(), "application/json"
    if path.startswith("/v2/"):
        return b"{}\n", "application/json"
    if path.startswith("/simple/"):
        return b"<!DOCTYPE html><html><body></body></html>\n", "text/html"
    return b"ok\n", "text/plain"


REDIRECT_REASON = {301: "Moved Permanently", 302: "Found", 307: "Temporary Redirect",
                   308: "Permanent Redirect"}


def redirect_response(status, location):
    body = b"Redirecting to %s\n" % location.encode("ascii")
    head = (
        f"HTTP/1.1 {status} {REDIRECT_REASON[status]}\r\n"
        f"Location: {location}\r\n"
        "Content-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")
    return head + body


def handle_https(conn, ctx, redirects):
    tls = None
    try:
        conn.settimeout(IO_TIMEOUT)
        tls = ctx.wrap_socket(conn, server_side=True)
        method, path, host = read_request(tls)
        target = redirects.get(path.split("?")[0])
        if method and target:
            tls.sendall(redirect_response(*target))
        elif method:
            body, ctype = ok_body(path, host)
            tls.sendall(response(200, "OK", body, ctype))
        try:
            tls.unwrap()  # send close_notify
        except (OSError, ssl.SSLError):
            pass
    except (OSError, ssl.SSLError):
        pass
    finally:
        (tls or conn).close()


BYTES_BLOCK = bytes(range(256)) * 256  # 64 KiB


def handle_https_bytes(conn, ctx):
    tls = None
    try:
        conn.settimeout(IO_TIMEOUT * 6)
        tls = ctx.wrap_socket(conn, server_side=True)
        method, path, _ = read_request(tls)
        try:
            size = int(path.strip("/").split("?")[0])
        except ValueError:
            size = 0
        if method:
            tls.sendall((
                "HTTP/1.1 200 OK\r\n"
                "Content-Type: application/octet-stream\r\n"
                f"Content-Length: {size}\r\n"
                "Connection: close\r\n\r\n").encode("ascii"))
            left = size
            while left > 0:
                chunk = BYTES_BLOCK[:min(left, len(BYTES_BLOCK))]
                tls.sendall(chunk)
                left -= len(chunk)
        try:
            tls.unwrap()
        except (OSError, ssl.SSLError):
            pass
    except (OSError, ssl.SSLError):
        pass
    finally:
        (tls or conn).close()


def handle_http(conn):
    try:
        conn.settimeout(IO_TIMEOUT)
        method, path, host = read_request(conn)
        if method:
            body, ctype = ok_body(path, host)
            conn.sendall(response(200, "OK", body, ctype))
        conn.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    finally:
        conn.close()


def handle_http_deny(conn):
    try:
        conn.settimeout(IO_TIMEOUT)
        method, _, _ = read_request(conn)
        if method:
            conn.sendall(response(470, "status code 470", AZFW_DENY_BODY))
        conn.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    finally:
        conn.close()


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def handle_tls_deny(conn):
    try:
        conn.settimeout(IO_TIMEOUT)
        header = recv_exact(conn, 5)
        if len(header) == 5 and header[0] == 0x16:
            (length,) = struct.unpack("!H", header[3:5])
            recv_exact(conn, length)  # the (first record of the) ClientHello
    except OSError:
        pass
    finally:
        # linger 0: close() sends a RST instead of a FIN
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()


def serve(sock, handler, *args):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handler, args=(conn, *args), daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--https", action="append", default=[])
    ap.add_argument("--http", action="append", default=[])
    ap.add_argument("--http-deny", action="append", default=[])
    ap.add_argument("--tls-deny", action="append", default=[])
    ap.add_argument("--https-bytes", action="append", default=[])
    ap.add_argument("--redirect", action="append", nargs=3, default=[],
                    metavar=("STATUS", "PATH", "LOCATION"))
    args = ap.parse_args()

    redirects = {}
    for status, path, location in args.redirect:
        if not status.isdigit() or int(status) not in REDIRECT_REASON:
            ap.error(f"--redirect: status {status} is not one of {sorted(REDIRECT_REASON)}")
        redirects[path] = (int(status), location)

    ctx = None
    if args.https or args.https_bytes:
        if not (args.cert and args.key):
            ap.error("--https and --https-bytes need --cert and --key")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        ctx.set_alpn_protocols(["http/1.1"])

    jobs = []
    for addr in args.https:
        jobs.append((listen(addr), handle_https, (ctx, redirects)))
    for addr in args.https_bytes:
        jobs.append((listen(addr), handle_https_bytes, (ctx,)))
    for addr in args.http:
        jobs.append((listen(addr), handle_http, ()))
    for addr in args.http_deny:
        jobs.append((listen(addr), handle_http_deny, ()))
    for addr in args.tls_deny:
        jobs.append((listen(addr), handle_tls_deny, ()))
    if not jobs:
        ap.error("no listeners given")

    threads = [threading.Thread(target=serve, args=(s, h, *a), daemon=True) for s, h, a in jobs]
    for t in threads:
        t.start()
    print("ready", flush=True)
    for t in threads:
        t.join()


if __name__ == "__main__":
    sys.exit(main())
