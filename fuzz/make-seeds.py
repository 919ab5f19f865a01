#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the seed corpora of the fuzz targets: fuzz/corpus/<target>/seed-*.

Reproducible from the tree: payloads come from samples/hf-deploy.pcap (read
with the tiny pcap reader below), from captures and messages built with
tests/e2e/pcapgen.py, from the test vectors in tests/unit/test_*.c (the C
preprocessor expands their macros; arrays are then evaluated here), and
from the rule files in tests/data/rules/ and analyze/policy/profiles/.

    python3 fuzz/make-seeds.py [TARGET...]     (default: all targets)

Only files named seed-* are rewritten; inputs the fuzzers found (named by
their SHA-1) and saved crashes (crash-*) are left alone. Python 3 stdlib
only, plus $CC (default cc) for `cc -E`.
"""
import hashlib
import os
import re
import shlex
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
import pcapgen as pg  # noqa: E402

SAMPLE = os.path.join(SRC, "samples", "hf-deploy.pcap")

# ---- a tiny pcap reader ----

LINK_ETHERNET, LINK_SLL, LINK_SLL2, LINK_NULL, LINK_LOOP, LINK_RAW, LINK_IPV4, LINK_IPV6, \
    LINK_ARCNET, LINK_PPP, LINK_PPP_ETHER, LINK_FDDI, LINK_C_HDLC, LINK_IEEE80211, LINK_RADIOTAP, \
    LINK_NFLOG, LINK_PPI, LINK_PFLOG = range(1, 19)
N_LINK_KINDS = 18  # fuzz_decode.c: selector N_LINK_KINDS is decode_ip
# DLT value -> enum link_kind (analyze/decode.h)
DLT_TO_LINK = {1: LINK_ETHERNET, 113: LINK_SLL, 276: LINK_SLL2, 0: LINK_NULL, 108: LINK_LOOP,
               101: LINK_RAW, 12: LINK_RAW, 14: LINK_RAW, 228: LINK_IPV4, 229: LINK_IPV6,
               129: LINK_ARCNET}


def read_pcap(path):
    """(linktype, [(ts, frame)]) of a classic pcap file."""
    with open(path, "rb") as fh:
        data = fh.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError(f"{path}: not a classic pcap file")
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    frames, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        frames.append((sec + frac / 1e6, data[off:off + incl]))
        off += incl
    return linktype, frames


def strip_link(linktype, frame):
    """The IP packet inside a frame, or None."""
    if linktype == 1:
        off, et = 12, None
        while off + 2 <= len(frame):
            et = struct.unpack("!H", frame[off:off + 2])[0]
            if et in (0x8100, 0x88A8):
                off += 4
                continue
            break
        return frame[off + 2:] if et in (0x0800, 0x86DD) else None
    if linktype == 113:
        return frame[16:]
    if linktype == 276:
        return frame[20:]
    if linktype in (0, 108):
        return frame[4:]
    if linktype in (101, 12, 14, 228, 229):
        return frame
    return None


def transport(ip):
    """(proto, sport, dport, payload) of an IP packet, or None."""
    if not ip:
        return None
    v = ip[0] >> 4
    if v == 4:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        proto, body = ip[9], ip[ihl:total]
    elif v == 6:
        proto, body = ip[6], ip[40:40 + struct.unpack("!H", ip[4:6])[0]]
    else:
        return None
    if proto == 6 and len(body) >= 20:
        doff = (body[12] >> 4) * 4
        return 6, *struct.unpack("!HH", body[:4]), body[doff:]
    if proto == 17 and len(body) >= 8:
        return 17, *struct.unpack("!HH", body[:4]), body[8:]
    return None


def pcap_payloads(path):
    """(linktype, frames, [(proto, sport, dport, payload)])"""
    lt, frames = read_pcap(path)
    out = []
    for _ts, fr in frames:
        t = transport(strip_link(lt, fr))
        if t:
            out.append(t)
    return lt, frames, out


def streams(payloads):
    """TCP payload bytes per direction, in capture order (no reassembly
    beyond concatenation: the sample has no loss or reordering)."""
    s = {}
    for proto, sp, dp, pl in payloads:
        if proto == 6 and pl:
            s.setdefault((sp, dp), b"")
            s[(sp, dp)] += pl
    return s

# ---- test vectors from the C unit tests ----


def preprocess(test_c):
    cc = shlex.split(os.environ.get("CC", "cc"))
    cmd = cc + ["-E", "-P", "-D_GNU_SOURCE", "-I", os.path.join(SRC, "analyze", "parse"),
                "-I", os.path.join(SRC, "analyze", "base"), "-I", os.path.join(SRC, "analyze", "model"),
                "-I", os.path.join(SRC, "tests", "unit"), os.path.join(SRC, "tests", "unit", test_c)]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def enum_values(header):
    vals = {}
    with open(os.path.join(SRC, "analyze", "parse", header)) as fh:
        for name, num in re.findall(r"\b([A-Z][A-Z0-9_]+)\s*=\s*(0x[0-9a-fA-F]+|\d+)", fh.read()):
            vals[name] = int(num, 0)
    return vals


C_ESC = {"n": 10, "r": 13, "t": 9, "0": 0, "\\": 92, "'": 39, '"': 34, "a": 7, "b": 8, "f": 12,
         "v": 11, "?": 63}


def c_string(body):
    """Bytes of the inside of one C string literal."""
    out, i = bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = body[i + 1]
        if n == "x":
            m = re.match(r"[0-9a-fA-F]+", body[i + 2:])
            out.append(int(m.group(0), 16) & 0xFF)
            i += 2 + len(m.group(0))
        elif n in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i + 1:])
            out.append(int(m.group(0), 8) & 0xFF)
            i += 1 + len(m.group(0))
        else:
            out.append(C_ESC[n])
            i += 2
    return bytes(out)


STR_SEQ = r'((?:\s*"(?:[^"\\]|\\.)*")+)'


def c_strings(seq):
    return b"".join(c_string(m) for m in re.findall(r'"((?:[^"\\]|\\.)*)"', seq))


def c_char(m):
    body = m.group(1)
    return str(c_string(body)[0])


def eval_array(body, names):
    """The bytes of a C initializer list, or None if it is not plain."""
    body = re.sub(r"'((?:[^'\\]|\\.|\\x[0-9a-fA-F]+)+)'", c_char, body)
    body = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", body)
    body = body.replace("/*", "#").replace("*/", "#")
    body = re.sub(r"#[^#]*#", "", body)
    out = bytearray()
    for item in body.split(","):
        item = item.strip()
        if not item:
            continue
        if not re.fullmatch(r"[\w\s()&|^<>+\-*~]+", item):
            return None
        try:
            v = eval(item, {"__builtins__": {}}, names)
        except Exception:
            return None
        out.append(v & 0xFF)
    return bytes(out)


def c_arrays(test_c, names):
    """{name: bytes} of the static const uint8_t arrays of a test file."""
    text = preprocess(test_c)
    out = {}
    for name, body in re.findall(r"static const uint8_t (\w+)\[\w*\]\s*=\s*\{(.*?)\};", text, re.S):
        b = eval_array(body, names)
        if b is not None:
            out[name] = b
    for name, seq in re.findall(r"static const uint8_t (\w+)\[\w*\]\s*=" + STR_SEQ + r"\s*;", text):
        out[name] = c_strings(seq)
    return out


def c_fields(test_c, field):
    """The string literals given as .FIELD = "..." in the test tables."""
    text = preprocess(test_c)
    return [c_strings(seq) for seq in re.findall(r"\." + field + r"\s*=" + STR_SEQ, text)]

# ---- writing ----


class Corpus:
    def __init__(self, target):
        self.dir = os.path.join(HERE, "corpus", target)
        self.seen = set()
        self.files = []
        os.makedirs(self.dir, exist_ok=True)
        for f in os.listdir(self.dir):
            if f.startswith("seed-"):
                os.unlink(os.path.join(self.dir, f))

    def add(self, name, data):
        if data in self.seen:
            return
        self.seen.add(data)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        path = os.path.join(self.dir, "seed-" + name)
        assert not os.path.exists(path), path
        with open(path, "wb") as fh:
            fh.write(data)
        self.files.append(path)

    def done(self):
        size = sum(os.path.getsize(f) for f in self.files)
        print(f"{os.path.relpath(self.dir, SRC)}: {len(self.files)} seeds, {size} bytes")

# ---- rule files ----


def rule_files(exts, extra=()):
    out = []
    for d in (os.path.join(SRC, "tests", "data", "rules"), os.path.join(SRC, "analyze", "policy", "profiles")):
        for f in sorted(os.listdir(d)):
            if f.endswith(exts) and f not in extra:
                out.append(os.path.join(d, f))
    return out


def seeds_rules(target, exts, exclude=()):
    c = Corpus(target)
    for path in rule_files(exts):
        if os.path.basename(path) in exclude:
            continue
        with open(path, "rb") as fh:
            c.add(os.path.basename(path), fh.read())
    return c


def seeds_rules_text():
    c = seeds_rules("rules_text", (".txt", ".rules"))
    c.add("forms.txt", b"huggingface.co\n*.hf.co\n*suffix.com\n*\nHF.CO.\nxn--bcher-kva.example\n"
          b"10.0.0.0/8\n10.0.0.0/8:443\n10.0.0.0/8:8000-8100/tcp\n2001:db8::/32\n"
          b"[2001:db8::/32]:443/tcp\n192.0.2.1\ntag:AzureMachineLearning\ntag:Storage:443/tcp\n"
          b"# comment\n\r\n  spaced.example  # trailing\n")
    c.done()


def seeds_rules_yaml():
    c = seeds_rules("rules_yaml", (".yml", ".yaml"))
    c.add("service-tag.yml", b"managed_network:\n  isolation_mode: allow_only_approved_outbound\n"
          b"  outbound_rules:\n  - name: st\n    type: service_tag\n    destination:\n"
          b"      service_tag: Storage\n      protocol: TCP\n      port_ranges: 443,8000-8100\n"
          b"      address_prefixes: [10.0.0.0/8, 2001:db8::/32]\n"
          b"  - name: pe\n    type: private_endpoint\n    destination:\n"
          b"      service_resource_id: /subscriptions/x/resourceGroups/rg/providers/"
          b"Microsoft.Storage/storageAccounts/sa\n      subresource_target: blob\n"
          b"      spark_enabled: false\n    status: Inactive\n")
    c.add("bare-list.yml", b"outbound_rules:\n- {name: a, type: fqdn, destination: '*.hf.co'}\n"
          b"- {name: b, type: fqdn, destination: huggingface.co, category: user_defined}\n")
    c.done()


def seeds_rules_json():
    c = seeds_rules("rules_json", (".json",), exclude=("servicetags-mini.json",
                                                        "servicetags-sample.json",
                                                        "bad-servicetags.json"))
    c.add("arm-one.json", b'{"name":"a","properties":{"type":"FQDN","destination":"*.hf.co",'
          b'"category":"UserDefined","status":"Active"}}')
    c.add("arm-servicetag.json", b'[{"name":"st","properties":{"type":"ServiceTag",'
          b'"destination":{"serviceTag":"Storage","protocol":"TCP","portRanges":"443",'
          b'"addressPrefixes":["10.0.0.0/8"]}}}]')
    c.done()


def seeds_service_tags():
    c = Corpus("service_tags")
    for f in ("servicetags-mini.json", "servicetags-sample.json", "bad-servicetags.json"):
        with open(os.path.join(SRC, "tests", "data", "rules", f), "rb") as fh:
            c.add(f, fh.read())
    c.add("inline.json", b'{"changeNumber":1,"cloud":"Public","values":[{"name":"Storage",'
          b'"id":"Storage","properties":{"addressPrefixes":["10.1.0.0/16","2001:db8::/48"]}},'
          b'{"name":"AzureMachineLearning","properties":{"addressPrefixes":[]}},'
          b'{"name":"storage.westeurope","properties":{"addressPrefixes":["192.0.2.0/24"]}}]}')
    c.done()



def seeds_catalog():
    c = Corpus("catalog")
    d = os.path.join(SRC, "analyze", "policy", "services")
    for f in sorted(os.listdir(d)):
        if f.endswith(".tsv"):
            with open(os.path.join(d, f), "rb") as fh:
                c.add(f, fh.read())
    ok = b"huggingface.co\tHugging Face Hub\tAPI\thttps://e.org\t2026-07-16\n"
    c.add("forms.tsv", b"\xef\xbb\xbf# c\r\n\r\n \t\n" + ok +
          b"*.hf.co\tHugging Face Hub\tCDN\thttps://e.org#x\tnot found; read 2026-12-01\r\n"
          b"@rotating\tHugging Face Hub\tallow *.hf.co\thttps://e.org\t2026-07-16")
    c.add("bad-columns.tsv", ok + b"x.example\tS\tR\thttps://e.org\n")
    c.add("bad-duplicate.tsv", ok + b"HuggingFace.CO.\tS\tR\thttps://e.org\t2026-01-01\n")
    c.add("bad-pattern.tsv", b"*hf.co\tS\tR\thttps://e.org\t2026-01-01\n*\tS\tR\t\t\n")
    c.add("bad-bytes.tsv", b"x.example\tS\x00\tR\t\xc3\xbc\t2026-01-01\n")
    c.add("bad-rotating.tsv", ok + b"@rotating\tNobody\t\t\t\n@rotating\tNobody\tx\t\t\n")
    c.done()


# ---- protocol messages ----

C4, S4, R4 = "10.0.0.5", "192.0.2.10", "10.0.0.53"
C6, S6 = "2001:db8:1::5", "2001:db8:2::10"


def sample_streams():
    _lt, _frames, pl = pcap_payloads(SAMPLE)
    return pl, streams(pl)


def seeds_dns():
    c = Corpus("dns")
    pl, st = sample_streams()
    n = 0
    for proto, sp, dp, data in pl:
        if proto == 17 and 53 in (sp, dp) and n < 10:
            c.add(f"sample-{'resp' if sp == 53 else 'query'}-{n:02d}", data)
            n += 1
    for (sp, dp), data in sorted(st.items()):
        if 53 in (sp, dp) and len(data) > 2:
            c.add(f"sample-tcp-{sp}-{dp}", data[2:2 + struct.unpack("!H", data[:2])[0]])
    names = enum_values("dns.h")
    for name, data in sorted(c_arrays("test_dns.c", names).items()):
        if name.startswith(("m_", "n_")):
            c.add("test_dns-" + name, data)
    c.add("pcapgen-cname-chain", pg.dns_response(7, "cdn-lfs.hf.co", answers=[
        ("CNAME", "cdn-lfs.hf.co", "d1.cloudfront.net", 60),
        ("A", "d1.cloudfront.net", "18.1.2.3", 60),
        ("AAAA", "d1.cloudfront.net", "2600:9000::1", 60)]))
    c.add("pcapgen-uncompressed", pg.dns_response(8, "huggingface.co", "AAAA", answers=[
        ("AAAA", "huggingface.co", "2001:db8::1", 300)], compress=False))
    c.add("pcapgen-nxdomain", pg.dns_response(9, "nx.example", rcode="NXDOMAIN"))
    c.add("pcapgen-https-query", pg.dns_query(10, "huggingface.co", "HTTPS"))
    c.done()


def first_record(stream):
    """The handshake message of a stream's first TLS record (or b"")."""
    if len(stream) < 5:
        return b""
    n = struct.unpack("!H", stream[3:5])[0]
    return stream[5:5 + n]


def test_certificates():
    """The DER certificates of tests/unit/test_x509.c (hex string constants)."""
    text = open(os.path.join(SRC, "tests", "unit", "test_x509.c")).read()
    out = {}
    for name, body in re.findall(r"static const char (cert_\w+)_hex\[\] =((?:\s*\"[0-9a-f]*\")+);",
                                 text):
        out[name] = bytes.fromhex("".join(re.findall(r'"([0-9a-f]*)"', body)))
    return out


def seeds_x509():
    c = Corpus("x509")
    for i, (name, der) in enumerate(sorted(test_certificates().items())):
        c.add(name, bytes([i]) + der)
    c.add("hostile-length", b"\x01\x30\x84\xff\xff\xff\xff")


def seeds_tls():
    CLIENT, MSG, SERVER = b"\x00", b"\x01", b"\x02"
    c = Corpus("tls")
    # a TLS 1.2 flight with the leaf certificate of test_x509.c
    for name, der in sorted(test_certificates().items()):
        cert = pg.u24(len(der)) + der
        msg = pg.u8(11) + pg.u24(len(cert) + 3) + pg.u24(len(cert)) + cert
        flight = pg.server_hello(version=0x0303, cipher=0xC02F) + pg.tls_records(22, msg,
                                                                                  version=0x0303)
        c.add(f"server-tls12-{name}", SERVER + flight)
    _pl, st = sample_streams()
    for (sp, dp), data in sorted(st.items()):
        if dp == 443:
            c.add(f"client-sample-{sp}", CLIENT + data[:2048])
            c.add(f"msg-sample-{sp}", MSG + first_record(data))
        elif sp == 443:
            c.add(f"server-sample-{dp}", SERVER + data[:512])
    hellos = {
        "sni-alpn": dict(sni="huggingface.co", alpn=["h2", "http/1.1"]),
        "no-sni": dict(),
        "ech": dict(sni="cloudflare-ech.com", ech=True, alpn=["h2"]),
        "padded": dict(sni="cdn-lfs.hf.co", pad_to=700),
        "long-sni": dict(sni="a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".example"),
        "mlkem": dict(sni="pq.example", key_share_len=1216),
        "two-names": dict(sni="one.example", extra_extensions=[
            pg.extension(0, pg.vec16(b"\x00" + pg.vec16(b"two.example")))]),
    }
    for name, kw in hellos.items():
        msg = pg.client_hello_message(**kw)
        c.add("msg-pcapgen-" + name, MSG + msg)
        c.add("client-pcapgen-" + name, CLIENT + pg.tls_records(22, msg))
    msg = pg.client_hello_message(sni="split.example", alpn=["h2"])
    c.add("client-pcapgen-3-records", CLIENT + pg.tls_records(22, msg, split=(3, 60)))
    c.add("client-pcapgen-1-byte-records", CLIENT + pg.tls_records(22, msg[:40], split=range(1, 40)))
    c.add("server-pcapgen-tls13", SERVER + pg.server_hello())
    c.add("server-pcapgen-tls12", SERVER + pg.server_hello(version=0x0303, cipher=0xC02F))
    c.add("server-pcapgen-alert", SERVER + pg.tls_alert())
    for name, data in sorted(c_arrays("test_tls.c", enum_values("tls.h")).items()):
        if name.startswith(("s_", "lk_")):
            c.add("client-test_tls-" + name, CLIENT + data)
        elif name.startswith("sv_"):
            c.add("server-test_tls-" + name, SERVER + data)
    c.done()


# ---- QUIC (fuzz_quic.c: records of ctl, 16-bit length, bytes) ----

Q_SERVER, Q_SEAL, Q_CID_B, Q_COALESCE = 0x01, 0x02, 0x40, 0x80
Q_V1, Q_V2, Q_D29, Q_D27 = 0x00, 0x10, 0x20, 0x30


def q_pn_len(n):
    return (n - 1) << 2


def q_rec(ctl, data):
    return bytes([ctl]) + struct.pack("!H", len(data)) + data


def q_varint(v):
    if v < 64:
        return bytes([v])
    if v < 16384:
        return struct.pack("!H", 0x4000 | v)
    if v < 1 << 30:
        return struct.pack("!I", 0x80000000 | v)
    return struct.pack("!Q", 0xC000000000000000 | v)


def q_crypto(off, data):
    return b"\x06" + q_varint(off) + q_varint(len(data)) + data


def q_pieces(msg, n):
    """The message cut in n pieces, as (offset, bytes)."""
    cuts = [len(msg) * i // n for i in range(n + 1)]
    return [(a, msg[a:b]) for a, b in zip(cuts, cuts[1:])]


def q_vectors():
    """The RFC packets of tests/unit/test_quic.c (hex strings there)."""
    with open(os.path.join(SRC, "tests", "unit", "test_quic.c")) as fh:
        text = fh.read()
    out = {}
    for name, seq in re.findall(r'static const char (\w+)_hex\[\] =((?:\s*"[^"]*")+)\s*;', text):
        out[name] = bytes.fromhex("".join(re.findall(r'"([^"]*)"', seq)).replace(" ", ""))
    return out


def seeds_quic():
    c = Corpus("quic")
    v = q_vectors()
    seal = Q_SEAL | q_pn_len(2)
    for rfc, pre in (("rfc9001", "v1"), ("rfc9369", "v2")):
        c.add(rfc + "-client", q_rec(0, v[pre + "_a2"]))
        c.add(rfc + "-exchange", q_rec(0, v[pre + "_a2"]) + q_rec(Q_SERVER, v[pre + "_a3"]) +
              q_rec(Q_SERVER, v[pre + "_a4"]))
    c.add("rfc9001-client-cut", q_rec(0, v["v1_a2"][:600]))
    msg = pg.client_hello_message(sni="quic.example", alpn=["h3"])
    big = pg.client_hello_message(sni="split.example", alpn=["h3"], key_share_len=1216)
    c.add("sealed-whole", q_rec(seal, q_crypto(0, msg) + b"\x00" * 900))
    for name, ver in (("v2", Q_V2), ("draft-29", Q_D29), ("draft-27", Q_D27)):
        c.add("sealed-" + name, q_rec(seal | ver, q_crypto(0, msg) + b"\x00" * 300))
    # Chrome: two packets, pieces shuffled, PING and PADDING between
    pieces = q_pieces(big, 9)
    first = b"".join(q_crypto(*pieces[i]) + b"\x01" + b"\x00" * i for i in (7, 2, 5, 0))
    second = b"\x02\x00\x00\x00\x00" + b"".join(q_crypto(*pieces[i]) + b"\x01" for i in (3, 8, 1, 6, 4))
    c.add("sealed-split-shuffled", q_rec(seal, first) + q_rec(Q_SEAL | q_pn_len(1), second))
    c.add("sealed-overlap", q_rec(seal, q_crypto(0, msg[:100]) + q_crypto(50, msg[50:200])) +
          q_rec(seal, q_crypto(150, msg[150:]) + q_crypto(0, msg) + q_crypto(20, b"\xff" * 30)))
    frames = (b"\x02\x05\x00\x02\x01\x00\x01\x00\x01" + b"\x03\x0a\x00\x00\x00\x01\x02\x03" +
              q_crypto(0, msg) + b"\x1c\x0a\x06\x03bad" + b"\x1d\x41\x23\x00" + b"\x08\x00")
    c.add("sealed-frames", q_rec(seal, frames))
    server_hello = pg.server_hello()[5:]
    c.add("sealed-server", q_rec(seal, q_crypto(0, msg) + b"\x00" * 300) +
          q_rec(seal | Q_SERVER, b"\x02\x00\x00\x00\x00" + q_crypto(0, server_hello)) +
          q_rec(Q_SERVER, b"\xe0\x00\x00\x00\x01\x04\xc1\xc2\xc3\xc4\x00\x14" + b"\x5a" * 20))
    handshake = b"\xe0\x00\x00\x00\x01\x04\x05\x06\x07\x08\x00\x20" + b"\x5a" * 32
    c.add("coalesced", q_rec(seal | Q_COALESCE, q_crypto(0, msg)) + q_rec(Q_COALESCE, handshake) +
          q_rec(0, b"\x41\x01\x02\x03"))
    c.add("new-attempt", q_rec(seal, q_crypto(0, msg)) +
          q_rec(seal | Q_CID_B, q_crypto(0, pg.client_hello_message(sni="second.example"))))
    c.add("retry", q_rec(0, v["v1_a2"]) + q_rec(Q_SERVER, v["v1_a4"]) +
          q_rec(seal | Q_CID_B, q_crypto(0, msg)))
    c.add("version-negotiation",
          q_rec(0, b"\xc0\x1a\x2a\x3a\x4a\x04\x01\x02\x03\x04\x00" + b"\x00" * 40) +
          q_rec(Q_SERVER, b"\x8a\x00\x00\x00\x00\x00\x04\xc1\xc2\xc3\xc4\x00\x00\x00\x01\x6b\x33\x43\xcf") +
          q_rec(seal, q_crypto(0, msg)))
    c.add("hostile-offsets", q_rec(seal, b"\x06" + q_varint((1 << 62) - 2) + b"\x01A") +
          q_rec(seal, b"\x06" + q_varint(16383) + b"\x02AB" + q_crypto(0, msg[:10])) +
          q_rec(seal, b"\x06" + q_varint((1 << 62) - 1) + b"\x01A" + b"\x00" * 4))
    c.done()


def seeds_http():
    c = Corpus("http")
    _pl, st = sample_streams()
    for (sp, dp), data in sorted(st.items()):
        if 80 in (sp, dp):
            c.add(f"sample-{sp}-{dp}", data)
    for i, data in enumerate(c_fields("test_http.c", "in")):
        c.add(f"test_http-{i:03d}", data)
    c.add("connect", b"CONNECT huggingface.co:443 HTTP/1.1\r\nHost: huggingface.co:443\r\n"
          b"Proxy-Connection: keep-alive\r\n\r\n")
    c.add("absolute", b"GET http://[2001:db8::1]:8080/x HTTP/1.1\r\nHost: ignored\r\n\r\n")
    c.add("deny", b"HTTP/1.1 470 status code 470\r\nContent-Length: 60\r\n\r\n"
          b"Action: Deny. Reason: No rule matched. Proceeding with default action")
    c.done()

# ---- frames ----


def arcnet(packet):
    """Linux ARCNET (DLT 129): source, destination, offset, RFC 1201 header."""
    if packet[0] >> 4 == 6:
        return b"\x01\x02\x00\x00\xc4\x00\x00\x00" + packet
    return b"\x01\x02\x00\x00\xd4\x00\x00\x00" + packet


def tunnel_packets():
    """Inner TCP/UDP packets in each tunnel the decoder peels."""
    inner4 = pg.tcp_packet(C4, S4, 40000, 443, 1, 0, "S")
    inner6 = pg.tcp_packet(C6, S6, 40000, 443, 1, 0, "S")
    eth4 = pg.ethernet(inner4)
    out = {
        "vxlan": pg.udp_packet("172.16.0.1", "172.16.0.2", 50000, 4789,
                               b"\x08\x00\x00\x00\x00\x00\x01\x00" + eth4),
        "geneve": pg.udp_packet("172.16.0.1", "172.16.0.2", 50000, 6081,
                                b"\x01\x00\x65\x58\x00\x00\x01\x00" + b"\x00\x01\x01\x01\0\0\0\0" + eth4),
        "gre": pg.ipv4("172.16.0.1", "172.16.0.2", 47, b"\x00\x00\x08\x00" + inner4),
        "gre-key-seq-v6": pg.ipv4("172.16.0.1", "172.16.0.2", 47,
                                  b"\x30\x00\x86\xdd" + b"\0\0\0\x2a" + b"\0\0\0\x01" + inner6),
        "gre-teb": pg.ipv4("172.16.0.1", "172.16.0.2", 47, b"\x00\x00\x65\x58" + eth4),
        "pptp": pg.ipv4("172.16.0.1", "172.16.0.2", 47, b"\x30\x81\x88\x0b"
                        + struct.pack("!HH", len(inner4) + 4, 7) + b"\0\0\0\x01" + b"\0\0\0\x00"
                        + b"\xff\x03\x00\x21" + inner4),
        "erspan2": pg.ipv4("172.16.0.1", "172.16.0.2", 47, b"\x10\x00\x88\xbe" + b"\0\0\0\x05"
                           + b"\x10\x01\x00\x00\x00\x00\x00\x01" + eth4),
        "erspan3": pg.ipv4("172.16.0.1", "172.16.0.2", 47, b"\x00\x00\x22\xeb"
                           + b"\x20\x01\x00\x00" + b"\0\0\0\0" + b"\0\0\0\x01" + eth4),
        "gtpu": pg.udp_packet("172.16.0.1", "172.16.0.2", 2152, 2152,
                              b"\x30\xff" + struct.pack("!H", len(inner4)) + b"\0\0\0\x01" + inner4),
        "gtpu-ext": pg.udp_packet("172.16.0.1", "172.16.0.2", 2152, 2152,
                                  b"\x34\xff" + struct.pack("!H", len(inner4) + 8) + b"\0\0\0\x01"
                                  + b"\0\0\0\x85" + b"\x01\x00\x05\x00" + inner4),
        "teredo": pg.udp_packet("172.16.0.1", "172.16.0.2", 3544, 50000,
                                b"\x00\x00\x0d\x96\xfe\xfe\xff\xfe" + inner6),
        "teredo-auth": pg.udp_packet("172.16.0.1", "172.16.0.2", 50000, 3544,
                                     b"\x00\x01\x00\x00" + b"\0" * 9 + inner6),
        "ipip": pg.ipv4("172.16.0.1", "172.16.0.2", 4, inner4),
        "6in4": pg.ipv4("172.16.0.1", "172.16.0.2", 41, inner6),
        "4in6": pg.ipv6("2001:db8::a", "2001:db8::b", 4, inner4),
    }
    return out


def seeds_decode():
    c = Corpus("decode")

    def add(name, link, frame):
        c.add(name, bytes([link - 1]) + frame)

    lt, frames = read_pcap(SAMPLE)
    link = DLT_TO_LINK[lt]
    kinds = set()
    for i, (_ts, fr) in enumerate(frames):
        t = transport(strip_link(lt, fr))
        key = (t[0], min(t[1], t[2]), len(t[3]) > 0) if t else None
        if key not in kinds:
            kinds.add(key)
            add(f"sample-{i:03d}", link, fr[:600])
    syn4 = pg.tcp_packet(C4, S4, 40000, 443, 1, 0, "S")
    syn6 = pg.tcp_packet(C6, S6, 40000, 443, 1, 0, "S")
    dns4 = pg.udp_packet(C4, R4, 5353, 53, pg.dns_query(1, "huggingface.co"))
    hello6 = pg.tcp_packet(C6, S6, 40000, 443, 1, 1, "PA", pg.client_hello("hf.co"))
    for v, pk in (("v4", syn4), ("v6", syn6)):
        add("eth-" + v, LINK_ETHERNET, pg.ethernet(pk))
        add("eth-qinq-" + v, LINK_ETHERNET, pg.ethernet(pk, vlans=[(0x88A8, 100), (0x8100, 200)]))
        add("sll-" + v, LINK_SLL, pg.sll(pk))
        add("sll2-" + v, LINK_SLL2, pg.sll2(pk))
        add("null-" + v, LINK_NULL, pg.null(pk))
        add("loop-" + v, LINK_LOOP, pg.null(pk, af6=28, byteorder=">"))
        add("raw-" + v, LINK_RAW, pk)
        add("arcnet-" + v, LINK_ARCNET, arcnet(pk))
    add("arcnet-rfc1051", LINK_ARCNET, b"\x01\x02\x00\x00\xf0" + syn4)
    add("ipv4-link", LINK_IPV4, dns4)
    add("ipv6-link", LINK_IPV6, hello6)
    add("eth-pppoe", LINK_ETHERNET, pg.ethernet(b"\x11\x00\x00\x01" + struct.pack("!H", len(syn4) + 2)
                                                + b"\x00\x21" + syn4, ethertype=0x8864))
    add("eth-mpls", LINK_ETHERNET, pg.ethernet(b"\x00\x01\x00\x40" + b"\x00\x02\x01\x40" + syn4,
                                               ethertype=0x8847))
    add("eth-arp", LINK_ETHERNET, pg.ethernet(b"\x00\x01\x08\x00\x06\x04\x00\x01" + b"\0" * 20,
                                              ethertype=0x0806))
    ext6 = pg.ipv6(C6, S6, 0, b"\x2c\x00\x01\x04\x00\x00\x00\x00"   # hop-by-hop, then fragment
                   + b"\x06\x00\x00\x00\x12\x34\x56\x78" + pg.tcp(C6, S6, 40000, 443, 1, 0, "S"))
    add("raw-v6-ext", LINK_RAW, ext6)
    for i, fr in enumerate(pg.ipv4_fragments(C4, S4, 17, pg.udp(C4, S4, 1, 53, b"x" * 40), 16)):
        add(f"raw-v4-frag{i}", LINK_RAW, fr)
    icmp = pg.ipv4(C4, S4, 1, b"\x08\x00\xf7\xff\x00\x00\x00\x00")
    add("raw-icmp", LINK_RAW, icmp)
    add("raw-v4-options", LINK_RAW, b"\x46" + syn4[1:20] + b"\x01\x01\x01\x00" + syn4[20:])
    for name, pk in tunnel_packets().items():
        add("tunnel-" + name, LINK_ETHERNET, pg.ethernet(pk))
    # issue 11: link types libpcap writes, 802.11 and CAPWAP
    snap = b"\xaa\xaa\x03\x00\x00\x00\x08\x00"
    wlan = b"\x08\x01\x00\x00" + b"\x02" * 18 + b"\x10\x00" + snap + syn4
    qos = b"\x88\x02\x00\x00" + b"\x02" * 18 + b"\x10\x00\x00\x00" + snap + dns4
    add("ppp", LINK_PPP, b"\xff\x03\x00\x21" + syn4)
    add("ppp-v6", LINK_PPP, b"\x00\x57" + syn6)
    add("ppp-ether", LINK_PPP_ETHER, b"\x11\x00\x00\x01\x00\x30\x00\x21" + syn4)
    add("fddi", LINK_FDDI, b"\x50" + b"\x01" * 12 + snap + syn4)
    add("c-hdlc", LINK_C_HDLC, b"\x0f\x00\x86\xdd" + syn6)
    add("wlan", LINK_IEEE80211, wlan)
    add("wlan-qos", LINK_IEEE80211, qos)
    add("radiotap", LINK_RADIOTAP, b"\x00\x00\x0c\x00\x04\x80\x00\x00\x02\x00\x00\x00" + wlan)
    add("nflog", LINK_NFLOG, b"\x02\x00\x00\x01" + b"\x08\x00\x01\x00\x08\x00\x00\x00"
        + struct.pack("<HH", 4 + len(syn4), 9) + syn4)
    add("ipv4-link-v6", LINK_IPV4, hello6)
    add("eth-8023-snap", LINK_ETHERNET, b"\x02" * 12 + struct.pack("!H", len(syn4) + 8) + snap + syn4)
    add("eth-pbb", LINK_ETHERNET, b"\x02" * 12 + b"\x88\xe7\x00\x00\x01\x00" + pg.ethernet(syn4))
    add("ppi-eth", LINK_PPI, b"\x00\x00\x08\x00\x01\x00\x00\x00" + pg.ethernet(syn4))
    add("ppi-wlan", LINK_PPI, b"\x00\x00\x0c\x00\x69\x00\x00\x00\x00\x00\x00\x00" + wlan)
    add("pflog", LINK_PFLOG, b"\x3d\x02" + b"\x00" * 62 + syn4)
    capwap = b"\x00\x20\x43\x10\x00\x00\x00\x00" + wlan
    add("tunnel-capwap", LINK_ETHERNET, pg.ethernet(pg.udp_packet(C4, S4, 5246, 5247, capwap)))
    c.add("ip-v4", bytes([N_LINK_KINDS]) + dns4)   # selector N_LINK_KINDS: decode_ip
    c.add("ip-v6", bytes([N_LINK_KINDS]) + hello6)
    c.done()

# ---- capture files ----


def pcapng(linktype, frames):
    """A minimal pcapng file: section header, one interface, enhanced packet blocks."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = len(body) + 12
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", linktype, 0, 262144))
    for ts, fr in frames:
        t = int(ts * 1e6)
        out += block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(fr), len(fr)) + fr)
    return out


def seeds_pcap():
    c = Corpus("pcap")
    with open(SAMPLE, "rb") as fh:
        c.add("hf-deploy.pcap", fh.read())
    steps = [("c", "S"), ("s", "SA"), ("c", "A")]

    def conn(cl, sv, cp, sp, payload_c, payload_s=None, close=True, **step):
        s = steps + [pg.Step("c", "PA", payload_c, **step)]
        if payload_s:
            s.append(("s", "PA", payload_s))
        if close:
            s += [("c", "FA"), ("s", "FA"), ("c", "A")]
        return pg.TcpConn(cl, sv, cp, sp).play(s)

    dns = [pg.udp_packet(C4, R4, 5353, 53, pg.dns_query(1, "huggingface.co")),
           pg.udp_packet(R4, C4, 53, 5353, pg.dns_response(1, "huggingface.co", answers=[
               ("CNAME", "huggingface.co", "hf.cdn.example", 60), ("A", "hf.cdn.example", S4, 60)]))]
    tls = conn(C4, S4, 40000, 443, pg.client_hello("huggingface.co", alpn=["h2"]), pg.server_hello())
    cap = pg.Capture().extend(dns + tls)
    c.add("dns-tls.pcap", cap.to_bytes())
    ch = pg.client_hello("split.example", record_split=(50,), alpn=["h2"])
    c.add("tls-segments-reordered.pcap", pg.Capture().extend(
        conn(C4, S4, 40001, 443, ch, pg.server_hello(), sizes=[30, 40], order=[1, 0, 2])).to_bytes())
    c.add("tls-v6-overlap.pcap", pg.Capture(pg.LINKTYPE_LINUX_SLL2).extend(
        conn(C6, S6, 40002, 443, ch, pg.tls_alert(), seg=100, extra=[(10, b"Z" * 50)])).to_bytes())
    http = conn(C4, S4, 40003, 80, b"GET /x HTTP/1.1\r\nHost: example.com\r\n\r\n",
                b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    proxy = conn(C4, "10.0.0.8", 40004, 3128, b"CONNECT huggingface.co:443 HTTP/1.1\r\n"
                 b"Host: huggingface.co:443\r\n\r\n",
                 b"HTTP/1.1 403 Forbidden\r\n\r\nAction: Deny")
    c.add("http-proxy.pcap", pg.Capture(pg.LINKTYPE_NULL).extend(http + proxy).to_bytes())
    refused = pg.TcpConn(C4, S4, 40005, 443).play([("c", "S"), ("s", "RA")])
    noanswer = pg.TcpConn(C4, S4, 40006, 443).play([("c", "S"), ("c", "S")])
    midstream = pg.TcpConn(C4, S4, 40007, 443).play([("c", "PA", b"\x17\x03\x03\x00\x05hello")])
    quic = [pg.udp_packet(C4, S4, 40008, 443, b"\xc3\x00\x00\x00\x01\x08" + b"\x11" * 8 + b"\x00"
                          + b"\x00\x41\x00" + b"\x00" * 64)]
    dnstcp = conn(C4, R4, 40009, 53, pg.dns_tcp(pg.dns_query(2, "nx.example")),
                  pg.dns_tcp(pg.dns_response(2, "nx.example", rcode="NXDOMAIN")))
    c.add("outcomes.pcap", pg.Capture(pg.LINKTYPE_RAW).extend(
        refused + noanswer + midstream + quic + dnstcp).to_bytes())
    # Last fragment first; it carries at least 8 bytes: libnids reads 8 bytes past the
    # header of the first fragment it queues (see crash-libnids-ip-create-short-fragment.pcap).
    frags = pg.ipv4_fragments(C4, R4, 17, pg.udp(C4, R4, 5354, 53, pg.dns_query(3, "fragments.example")),
                              16)
    assert len(frags[-1]) - 20 >= 8
    c.add("fragments.pcap", pg.Capture(pg.LINKTYPE_LINUX_SLL).extend(frags[::-1]).to_bytes())
    tun = pg.Capture()
    for pk in tunnel_packets().values():
        tun.add(pk)
    c.add("tunnels.pcap", tun.to_bytes())
    cut = cap.to_bytes()
    c.add("cut-in-record.pcap", cut[:len(cut) - 20])
    cap2 = pg.Capture()
    cap2.records = cap.records
    c.add("dns-tls.pcapng", pcapng(1, cap2.records))
    be = pg.Capture(pg.LINKTYPE_ETHERNET).extend(dns).to_bytes()
    c.add("big-endian.pcap", struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
          + b"".join(struct.pack(">IIII", 1714564800, i, len(fr), len(fr)) + fr
                     for i, (_t, fr) in enumerate(cap.records[:2])))
    del be
    c.add("empty.pcap", pg.pcap_header(1))
    c.done()


# ---- JSON reports ----


def seeds_report_read():
    import json
    c = Corpus("report_read")
    golden = os.path.join(SRC, "tests", "e2e", "golden")
    for f in (os.path.join("hf-deploy", "report.json"),
              os.path.join("hf-deploy", "policy", "format-text.json")):
        with open(os.path.join(golden, f), "rb") as fh:
            c.add(os.path.basename(f), fh.read())
    with open(os.path.join(golden, "hf-deploy", "policy", "format-text.json")) as fh:
        rep = json.load(fh)
    # a small judged report: the first hosts, and what still names them
    rep["hosts"] = rep["hosts"][:4]
    rep["connections"] = rep["connections"][:4]
    rep["dns"] = rep["dns"][:3]
    kept = {(h["key"], h["port"]) for h in rep["hosts"]}
    rep["near_misses"] = [m for m in rep["near_misses"] if (m["host"], m["port"]) in kept]
    c.add("small-judged.json", json.dumps(rep, indent=1).encode())
    c.add("small-judged-sorted.json", json.dumps(rep, sort_keys=True).encode())
    del rep["rules"]
    c.add("small.json", json.dumps(rep).encode())
    c.add("empty.json", b'{"schema": 1, "tool": {"name": "egress-audit", "version": null}, '
          b'"inputs": [], "truncated": false, "time": null, "hosts": [], "connections": [], '
          b'"dns": [], "stats": {"counters": {}}}\n')
    # a union of two runs, with findings and a diff (keys added within schema 1)
    bin_ = os.environ.get("EA_BIN", os.path.join(SRC, "build", "egress-audit"))
    if os.path.exists(bin_):
        import subprocess
        import tempfile
        sample = os.path.join(SRC, "samples", "hf-deploy.pcap")
        with tempfile.TemporaryDirectory() as tmp:
            runs = []
            for n in ("60", "120"):
                path = os.path.join(tmp, f"run{n}.json")
                subprocess.run([bin_, "analyze", "-q", "-F", "json", "-c", n, "-p", "huggingface",
                                "-o", path, sample], check=True)
                runs.append(path)
            out = subprocess.run([bin_, "report", "-F", "json", *runs, "--diff", runs[0]],
                                 check=True, capture_output=True).stdout
            c.add("union-diff.json", out.replace(tmp.encode() + b"/", b""))
    c.done()


TARGETS = {
    "dns": seeds_dns,
    "tls": seeds_tls,
    "http": seeds_http,
    "quic": seeds_quic,
    "x509": seeds_x509,
    "decode": seeds_decode,
    "pcap": seeds_pcap,
    "rules_text": seeds_rules_text,
    "rules_yaml": seeds_rules_yaml,
    "rules_json": seeds_rules_json,
    "service_tags": seeds_service_tags,
    "catalog": seeds_catalog,
    "report_read": seeds_report_read,
}


def main(argv):
    names = argv[1:] or list(TARGETS)
    for n in names:
        if n not in TARGETS:
            sys.exit(f"make-seeds: unknown target '{n}' (one of {', '.join(TARGETS)})")
        TARGETS[n]()


if __name__ == "__main__":
    main(sys.argv)
