#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile names, inert in every format. A capture (made here with
pcapgen.py) whose TLS SNI, HTTP Host and DNS names hold <script>, pipes,
backticks, =cmd(), Markdown and HTML syntax, newlines and ANSI escapes, and
a rule file whose path and rule names do too, a CONNECT tunnel whose inner
SNI does, and a JSON report crafted with hostile certificate names, JA4,
server ALPN, live-capture interface and write error (read with a service
catalog of hostile services), go through every renderer
(text with and without colour, JSON, Markdown, HTML, CSV, and the az, YAML
and Bicep emitters), from the capture and from the JSON report read back.
Each output must be inert for its reader: printable ASCII; no escape
sequence but our colours; a Markdown table row with as many cells as its
head, no HTML but <details>/<summary>, no link, no stray code span; an
HTML document with no script, no event handler, no URL; a CSV with the same
number of cells on every row and no cell a spreadsheet would run."""
import csv
import io
import json
import os
import re
import sys
import tempfile
from html.parser import HTMLParser

import pcapgen as pg
from common import Failures, run

# What each hostile name tries.
EVIL = [
    b"<script>alert(1)</script>.example",        # HTML
    b"a|b|c`rm -rf`.example",                    # a Markdown table, a code span, a shell
    b"=cmd()|'/c calc'!A1.example",              # a spreadsheet formula
    b"@SUM(1+1).example",
    b"-2+3.example",
    b"+1.example",
    b"x\nline2\r\n.example",                     # newlines
    b"\x1b[31mred\x1b[0m\x1b]0;title\x07.example",  # ANSI: colour, window title
    b"[link](javascript:alert(1)).example",      # a Markdown link
    b"# heading.example",
    b"<img src=x onerror=alert(1)>.example",
    b"&lt;not-an-entity&gt;.example",
    b"\xe2\x80\xae\xff\x00nul.example",          # RTL override, invalid UTF-8, NUL
]
HOST = b"=HYPERLINK(\"http://evil.example\")|`x`<b>\x1b[2J"
SERVER = "192.0.2."
# The SNI inside a CONNECT tunnel: the connection's inner name.
INNER = b"=cmd()|`inner`<script>x</script>\x1b[2J\n.example"


def safe(b):
    """The safe text (report/escape.h) of bytes: how the JSON report holds them."""
    out = []
    for x in b:
        if x == 0x5C:
            out.append("\\\\")
        elif 0x20 <= x < 0x7F:
            out.append(chr(x))
        else:
            out.append(f"\\x{x:02x}")
    return "".join(out)


# Hostile values for the details a crafted JSON report carries: each holds
# its marker, so that the output shows it came through.
DETAILS = {
    "inner": b"<script>INNERMARK</script>|`x`\n=1",
    "ja4": b"=JA4MARK|`t13`<b>",
    "alpn": b"@ALPNMARK|<i>`\x1b[31m",
    "cert1": b"+CERTMARK|`a`<svg onload=alert(1)>",
    "cert2": b"-CERT2MARK\r\n[l](javascript:x)",
    "svc": b"=SVCMARK()|`s`<script>",
    "role": b"ROLEMARK</td><td>|`r`",
    "iface": b"=IFMARK|`eth0`<b>\x07",
    "werr": b"WERRMARK<script>|`w`\n",
}


def crafted(rep):
    """The report with every detail the renderers show set to a hostile value:
    each connection's inner name, JA4, server ALPN and certificate names, and
    a live capture's figures on the first input. (The hosts' services are
    looked up again when a report is read: see catalog().)"""
    rep = json.loads(json.dumps(rep))
    for c in rep["connections"]:
        c["inner_name"] = safe(DETAILS["inner"])
        c["inner_name_source"] = "sni"
        c["ja4"] = safe(DETAILS["ja4"])
        c["server_alpn"] = safe(DETAILS["alpn"])
        c["cert_names"] = [safe(DETAILS["cert1"]), safe(DETAILS["cert2"])]
    rep["inputs"][0]["capture"] = {
        "interface": safe(DETAILS["iface"]), "written": True, "cutoff": 4096,
        "cutoff_headers": True, "packets_seen": 10, "bytes_seen": 1000, "packets_written": 9,
        "bytes_written": 900, "cut_packets": 1, "cut_bytes": 100, "kernel_drops": 2,
        "interface_drops": 3, "write_error": safe(DETAILS["werr"])}
    return rep


def capture(path):
    packets = []
    for i, name in enumerate(EVIL):
        dst = SERVER + str(10 + i)
        packets += pg.tls_connection("10.0.0.2", dst, 41000 + i, 443, name, close=True)
        # the same name asked of DNS and answered, then a connection by address
        q = pg.dns_query(100 + i, name.decode("latin-1"), "A")
        packets.append(pg.udp_packet("10.0.0.2", "10.0.0.53", 50000 + i, 53, q))
    # a plain name that the hostile Inactive rule would permit: an activation
    packets += pg.tls_connection("10.0.0.2", SERVER + "98", 41999, 443, "plain.example",
                                 close=True)
    # DNS answers mapping an address to a hostile name; a connection to it without a name
    ans = pg.dns_response(7, "<svg onload=alert(1)>|`", "A",
                          answers=[("A", "<svg onload=alert(1)>|`", SERVER + "99", 60)])
    packets.append(pg.udp_packet("10.0.0.53", "10.0.0.2", 53, 51000, ans))
    c = pg.TcpConn("10.0.0.2", SERVER + "99", 42000, 443)
    packets += c.play([("c", "S"), ("s", "SA"), ("c", "A")])
    # a CONNECT tunnel whose TLS names another, hostile, host: the inner name
    c = pg.TcpConn("10.0.0.2", SERVER + "97", 44000, 3128)
    packets += c.play([("c", "S"), ("s", "SA"), ("c", "A"),
                       ("c", "PA", b"CONNECT tunnel.example:443 HTTP/1.1\r\n"
                                   b"Host: tunnel.example:443\r\n\r\n"),
                       ("s", "PA", b"HTTP/1.1 200 Connection established\r\n\r\n"),
                       ("c", "PA", pg.client_hello(INNER)), ("s", "PA", pg.server_hello())])
    # HTTP with a hostile Host
    c = pg.TcpConn("10.0.0.2", SERVER + "80", 43000, 80)
    req = b"GET / HTTP/1.1\r\nHost: " + HOST + b"\r\nAccept: */*\r\n\r\n"
    packets += c.play([("c", "S"), ("s", "SA"), ("c", "A"), ("c", "PA", req),
                       ("s", "PA", b"HTTP/1.1 470 status code 470\r\nContent-Length: 0\r\n\r\n")])
    # fix up the DNS query names: pcapgen encodes str labels as UTF-8
    pg.write_pcap(path, packets)


def rules(tmp):
    """A workspace YAML in a hostile path, with hostile rule names; an
    Inactive rule that would permit one of the names (an activation)."""
    d = os.path.join(tmp, "rules <script>|`x`=1")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "ws.yml")
    with open(path, "w") as f:
        f.write("managed_network:\n  outbound_rules:\n"
                "    - name: \"<b>x</b>|`y`=cmd()\"\n"
                "      type: fqdn\n      destination: '*.example'\n"
                "      status: Inactive\n"
                "    - name: \"[l](javascript:x)\"\n"
                "      type: fqdn\n      destination: unused.example\n")
    return path


def catalog(tmp):
    """A service catalog (EGRESS_AUDIT_SERVICES) naming every .example host
    with a hostile service and role."""
    d = os.path.join(tmp, "services")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "evil.tsv"), "wb") as fh:
        fh.write(b"*.example\t" + DETAILS["svc"] + b"\t" + DETAILS["role"] +
                 b"\thttps://evil.example/<script>\t2026-12-01\n")
    return d


def printable(data, allow_cr=False, allow_esc=False):
    for i, b in enumerate(data):
        if b == 0x0A or (allow_cr and b == 0x0D) or (allow_esc and b == 0x1B) or 0x20 <= b < 0x7F:
            continue
        return f"byte 0x{b:02x} at {i}"
    return None


OUR_SGR = re.compile(rb"\x1b\[(0|1|31|32|33)m")


def check_text(f, what, out, color):
    bad = printable(out, allow_esc=color)
    f.check(bad is None, f"{what}: {bad}")
    esc = out.count(b"\x1b")
    f.check(esc == len(OUR_SGR.findall(out)), f"{what}: an escape sequence that is not ours")
    f.check(color or esc == 0, f"{what}: escapes without --color always")


def check_md(f, what, out):
    bad = printable(out)
    f.check(bad is None, f"{what}: {bad}")
    text = out.decode()
    fence = None
    head_cells = None
    for n, line in enumerate(text.split("\n"), 1):
        m = re.match(r"^(`{3,})", line)
        if fence:
            if m and m.group(1) == fence:
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        # code spans hold the names: no backtick or pipe can be inside one
        spans = re.findall(r"`[^`]*`", line)
        for s in spans:
            f.check("|" not in s, f"{what}:{n}: a pipe in a code span: {s}")
        bare = re.sub(r"`[^`]*`", "", line)
        f.check("`" not in bare, f"{what}:{n}: a stray backtick: {line[:120]}")
        for tag in re.findall(r"<[^>]*>?", bare):
            f.check(tag in ("<details>", "</details>", "<summary>", "</summary>"),
                    f"{what}:{n}: HTML {tag!r}")
        f.check(not re.search(r"(?<!\\)\[", bare), f"{what}:{n}: an unescaped '[': {line[:120]}")
        f.check(not re.search(r"(?<!\\)[*_]{2}[^*_]*<", bare), f"{what}:{n}")
        if line.startswith("#"):
            f.check(re.match(r"^#{1,2} [A-Za-z]", line) is not None,
                    f"{what}:{n}: a heading that is not ours: {line[:80]}")
        if line.startswith("|"):
            cells = len(re.findall(r"(?<!\\)\|", bare))
            if head_cells is None:
                head_cells = cells
            f.check(cells == head_cells, f"{what}:{n}: {cells} pipes, the head has {head_cells}")
        else:
            head_cells = None
    f.check(fence is None, f"{what}: a code block left open")


class Inert(HTMLParser):
    ALLOWED = {"html", "head", "meta", "title", "style", "body", "header", "main", "footer",
               "section", "h1", "h2", "p", "strong", "ul", "ol", "li", "table", "thead", "tbody",
               "tr", "th", "td", "code", "span", "pre", "details", "summary", "svg", "line",
               "text", "title", "rect", "circle", "path", "g"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        if tag not in self.ALLOWED:
            self.problems.append(f"tag <{tag}>")
        for k, v in attrs:
            if k.startswith("on") or k in ("href", "src", "srcset", "action", "formaction",
                                           "xlink:href", "background", "poster", "data"):
                self.problems.append(f"attribute {k}={v!r} on <{tag}>")
            if v and re.search(r"(javascript|https?|ftp|data):|//", v, re.I) and not (
                    tag == "meta" and k == "content"):
                self.problems.append(f"a URL in {k}={v!r} on <{tag}>")
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style and re.search(r"url\(|@import|expression\(", data, re.I):
            self.problems.append("a fetch in the style")


def check_html(f, what, out):
    bad = printable(out)
    f.check(bad is None, f"{what}: {bad}")
    text = out.decode()
    f.check("<script" not in text.lower(), f"{what}: a script tag")
    f.check("Content-Security-Policy" in text and "default-src 'none'" in text,
            f"{what}: no Content-Security-Policy")
    p = Inert()
    p.feed(text)
    p.close()
    for problem in p.problems:
        f.check(False, f"{what}: {problem}")


def check_csv(f, what, out):
    bad = printable(out, allow_cr=True)
    f.check(bad is None, f"{what}: {bad}")
    rows = list(csv.reader(io.StringIO(out.decode(), newline="")))
    f.check(len(rows) > 1, f"{what}: no rows")
    width = len(rows[0])
    for i, row in enumerate(rows):
        f.check(len(row) == width, f"{what}: row {i} has {len(row)} cells, the head {width}")
        for cell in row:
            f.check(not cell.startswith(("=", "+", "-", "@", "\t", "\r")),
                    f"{what}: row {i}: a cell a spreadsheet would run: {cell[:60]!r}")


def main():
    f = Failures()
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "evil <script>`|`.pcap")
        capture(pcap)
        yml = rules(tmp)
        judged = ("-p", "huggingface", "-a", yml)
        rc, js, err = run("analyze", "-q", "-F", "json", *judged, pcap)
        if not f.check(rc == 0, f"analyze: exit {rc}: {err}"):
            f.finish("inert")
        rep = json.loads(js)
        names = {c["name"] for c in rep["connections"] if c["name"]}
        f.check(len(names) >= len(EVIL), f"the hostile names did not come through: {names}")
        f.check(any(a.get("activate") for a in rep["remediation"]["add"]),
                "no activation of the hostile Inactive rule")
        f.check(any(c.get("inner_name") == safe(INNER) for c in rep["connections"]),
                "the hostile inner name did not come through")
        f.check(any(c.get("ja4") for c in rep["connections"]), "no JA4")
        bad = printable(js)
        f.check(bad is None, f"json: {bad}")
        saved = os.path.join(tmp, "run.json")
        with open(saved, "wb") as fh:
            fh.write(js)
        for source, args in (("analyze", [*judged, pcap]), ("report", [saved])):
            cmd = source if source == "report" else "analyze"

            def out(*extra):
                rc, o, e = run(cmd, "-q", *extra, *args)
                f.check(rc == 0, f"{source} {' '.join(extra)}: exit {rc}: {e}")
                return o
            for width in ("0", "60", "80"):
                check_text(f, f"{source} text --width {width}",
                           out("--color", "never", "-v", "--width", width), False)
            check_text(f, f"{source} text --color always",
                       out("--color", "always", "-v"), True)
            check_md(f, f"{source} md", out("-F", "md", "-v"))
            check_html(f, f"{source} html", out("-F", "html", "-v"))
            check_csv(f, f"{source} csv", out("-F", "csv"))
            for form in ("az", "yaml", "bicep", "text"):
                bad = printable(out("--emit", form))
                f.check(bad is None, f"{source} --emit {form}: {bad}")
        # every detail the renderers show, hostile, from a crafted report
        evil_json = os.path.join(tmp, "details.json")
        with open(evil_json, "w") as fh:
            json.dump(crafted(rep), fh)
        marks = [re.search(rb"[A-Z0-9]+MARK", v).group(0) for v in DETAILS.values()]
        conn_marks = [m for m in marks if m not in (b"SVCMARK", b"ROLEMARK", b"IFMARK",
                                                    b"WERRMARK")]

        os.environ["EGRESS_AUDIT_SERVICES"] = catalog(tmp)

        def crafted_out(*extra):
            rc, o, e = run("report", "-q", *extra, evil_json)
            f.check(rc == 0, f"crafted report {' '.join(extra)}: exit {rc}: {e}")
            return o
        o = crafted_out("-F", "md", "-v")
        check_md(f, "crafted md", o)
        for m in marks:
            f.check(m in o, f"crafted md: {m.decode()} not shown")
        o = crafted_out("-F", "html", "-v")
        check_html(f, "crafted html", o)
        for m in marks:
            f.check(m in o, f"crafted html: {m.decode()} not shown")
        o = crafted_out("-F", "csv")
        check_csv(f, "crafted csv", o)
        for m in conn_marks + [b"SVCMARK", b"ROLEMARK"]:
            f.check(m in o, f"crafted csv: {m.decode()} not shown")
        for m in (b"IFMARK", b"WERRMARK"):
            f.check(m not in o, f"crafted csv: {m.decode()} shown")
        check_text(f, "crafted text", crafted_out("--color", "never", "-v", "--width", "0"),
                   False)
        for extra in (("-F", "md"), ("-F", "html")):  # without -v: no connection details
            o = crafted_out(*extra)
            for m in conn_marks:
                f.check(m not in o, f"crafted {extra[1]} without -v: {m.decode()} shown")
            f.check(b"SVCMARK" in o and b"IFMARK" in o, f"crafted {extra[1]}: no service or capture")
        del os.environ["EGRESS_AUDIT_SERVICES"]
        # the union and the diff say the same names
        rc, o, e = run("report", "-F", "md", saved, saved, "--diff", saved)
        f.check(rc == 0, f"union and diff: {rc} {e}")
        check_md(f, "union md", o)
        rc, o, e = run("report", "-F", "html", saved, saved)
        check_html(f, "union html", o)
    f.finish(f"inert: {len(EVIL)} hostile names through every format")


if __name__ == "__main__":
    main()
