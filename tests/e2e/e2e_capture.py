#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""egress-audit capture on a real interface: two network namespaces joined by
a veth pair (MTU 1500, offloads off), a DNS server (dnsmasq) and TLS/HTTP
servers (samples/servers/ea_servers.py) in one, real clients (dig, curl,
openssl s_client) and the capture in the other. Checks that the written pcap
is valid (tcpdump reads it), that the report names every host with the right
outcome, that a 64 MB TLS download leaves a file under 1 MB, that the live
report equals `analyze` of the written file, the `-- COMMAND` form, rotation
(-G, -C, -W), -Z, --duration, -c, a deny seen live, a full disk, the error
messages, and that memory stays flat over a long capture. Prints the
measured figures (size ratio, CPU, RSS).

Needs root, `ip netns`, and the Debian packages iproute2, curl, openssl,
dnsmasq-base, bind9-dnsutils, tcpdump and ethtool; skipped (77) without them.
"""
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from common import BIN, SKIP, SRC, Failures

SERVERS = os.path.join(SRC, "samples", "servers", "ea_servers.py")
TAG = f"eacap{os.getpid() % 100000}"
NS_C, NS_N = TAG + "c", TAG + "n"
IF_C, IF_N = TAG[:11] + "c0", TAG[:11] + "n0"
CLIENT4 = "198.18.0.2"
DNS4 = "198.18.0.53"
HOSTS = {  # name -> (address, what the server does)
    "huggingface.co": "198.18.0.10",          # TLS and HTTP, reached; :8443 refused
    "cdn-lfs.huggingface.co": "198.18.0.11",  # TLS, large downloads
    "cas-bridge.xethub.hf.co": "198.18.0.12",  # TLS deny: RST after the ClientHello
    "pypi.org": "198.18.0.14",                # plain HTTP, reached
    "files.pythonhosted.org": "198.18.0.15",  # plain HTTP 470 (Azure Firewall deny)
    "transfer.xethub.hf.co": "198.18.0.16",   # SYNs dropped (no answer)
}
BIG = 64 * 1000 * 1000
TOOLS = {"ip": "iproute2", "curl": "curl", "openssl": "openssl", "dnsmasq": "dnsmasq-base",
         "dig": "bind9-dnsutils", "tcpdump": "tcpdump", "ethtool": "ethtool"}
FIGURES = []


def skip(why):
    print(f"skip: {why}")
    sys.exit(SKIP)


def sh(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


def in_c(*args):
    """A command line run in the client namespace."""
    return ["ip", "netns", "exec", NS_C, *args]


def client(*args, timeout=60):
    return subprocess.run(in_c(*args), capture_output=True, text=True, timeout=timeout)


class Net:
    """The two namespaces, the servers, and their clean-up."""

    def __init__(self, work):
        self.work = work
        self.procs = []

    def up(self):
        sh("ip", "netns", "add", NS_C)
        sh("ip", "netns", "add", NS_N)
        sh("ip", "link", "add", IF_C, "mtu", "1500", "netns", NS_C, "type", "veth", "peer",
           "name", IF_N, "mtu", "1500", "netns", NS_N)
        for ns, ifc in ((NS_C, IF_C), (NS_N, IF_N)):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            # No segmentation or receive offload: the capture sees wire-size
            # frames, as on a real link.
            sh("ip", "netns", "exec", ns, "ethtool", "-K", ifc, "tso", "off", "gso", "off",
               "gro", "off", check=False)
        sh("ip", "-n", NS_C, "addr", "add", CLIENT4 + "/24", "dev", IF_C)
        for a in [DNS4, "198.18.0.1"] + list(HOSTS.values()):
            sh("ip", "-n", NS_N, "addr", "add", a + "/24", "dev", IF_N)
        sh("ip", "-n", NS_C, "link", "set", IF_C, "up")
        sh("ip", "-n", NS_N, "link", "set", IF_N, "up")
        # transfer.xethub.hf.co: its SYNs vanish (a firewall that drops). A
        # policy rule ahead of the local table blackholes them.
        drop = HOSTS["transfer.xethub.hf.co"]
        self.blackhole = sh("ip", "-n", NS_N, "rule", "add", "pref", "10", "to", drop,
                            "ipproto", "tcp", "dport", "443", "blackhole",
                            check=False).returncode == 0
        if self.blackhole:
            sh("ip", "-n", NS_N, "rule", "add", "pref", "100", "lookup", "local")
            sh("ip", "-n", NS_N, "rule", "del", "pref", "0")
        etc = f"/etc/netns/{NS_C}"
        os.makedirs(etc, exist_ok=True)
        with open(os.path.join(etc, "resolv.conf"), "w") as f:
            f.write(f"nameserver {DNS4}\noptions timeout:2 attempts:1\n")
        conf = os.path.join(self.work, "dnsmasq.conf")
        with open(conf, "w") as f:
            f.write("no-resolv\nno-hosts\nno-poll\nbind-interfaces\n"
                    f"listen-address={DNS4}\nport=53\nuser=root\ngroup=root\n")
            for zone in ("huggingface.co", "hf.co", "pypi.org", "pythonhosted.org"):
                f.write(f"local=/{zone}/\n")
            for name, addr in HOSTS.items():
                f.write(f"host-record={name},{addr}\n")
        self.spawn(["dnsmasq", "--keep-in-foreground", f"--conf-file={conf}",
                    f"--pid-file={os.path.join(self.work, 'dnsmasq.pid')}"], "dnsmasq")
        key, cert = os.path.join(self.work, "key.pem"), os.path.join(self.work, "cert.pem")
        sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
           "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=egress-audit test", "-days",
           "2", "-keyout", key, "-out", cert)
        H = HOSTS
        log = self.spawn([sys.executable, "-u", SERVERS, "--cert", cert, "--key", key,
                          "--https", H["huggingface.co"] + ":443",
                          "--http", H["huggingface.co"] + ":80",
                          "--https-bytes", H["cdn-lfs.huggingface.co"] + ":443",
                          "--tls-deny", H["cas-bridge.xethub.hf.co"] + ":443",
                          "--http", H["pypi.org"] + ":80",
                          "--https", H["pypi.org"] + ":443",
                          "--http-deny", H["files.pythonhosted.org"] + ":80",
                          "--https", H["transfer.xethub.hf.co"] + ":443"], "servers")
        for _ in range(100):
            if "ready" in open(log).read():
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("the test servers did not start: " + open(log).read())
        for _ in range(50):
            if client("dig", "+short", "+tries=1", "+time=1", "pypi.org").stdout.strip():
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("dnsmasq did not answer")

    def spawn(self, argv, name):
        log = os.path.join(self.work, name + ".log")
        p = subprocess.Popen(["ip", "netns", "exec", NS_N, *argv], stdout=open(log, "w"),
                             stderr=subprocess.STDOUT)
        self.procs.append(p)
        return log

    def down(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        for ns in (NS_C, NS_N):
            pids = sh("ip", "netns", "pids", ns, check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            sh("ip", "netns", "del", ns, check=False)
        shutil.rmtree(f"/etc/netns/{NS_C}", ignore_errors=True)
        try:
            os.rmdir("/etc/netns")
        except OSError:
            pass


# ---- running egress-audit capture --------------------------------------------

class Capture:
    """egress-audit capture in the client namespace, in the background."""

    def __init__(self, *args, cwd=None, env=None):
        self.args = args
        self.err_path = tempfile.mktemp(prefix="ea-cap-err-")
        self.out_path = tempfile.mktemp(prefix="ea-cap-out-")
        self.err = open(self.err_path, "w")
        self.out = open(self.out_path, "w")
        self.start = time.monotonic()
        self.p = subprocess.Popen(in_c(os.path.abspath(BIN), "capture", *args), cwd=cwd,
                                  stdout=self.out, stderr=self.err, env=env)
        self.rusage = None
        self.rc = None

    def stderr(self):
        return open(self.err_path, errors="replace").read()

    def wait_for(self, text, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in self.stderr():
                return True
            if not os.path.exists(f"/proc/{self.p.pid}/exe"):
                return text in self.stderr()
            time.sleep(0.05)
        return False

    def listening(self):
        return self.wait_for("listening on")

    def finish(self, sig=None, timeout=60):
        if sig and self.p.poll() is None:
            self.p.send_signal(sig)
        end = time.monotonic() + timeout
        while True:
            pid, status, ru = os.wait4(self.p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > end:
                self.p.kill()
                raise AssertionError(f"capture {self.args} did not finish:\n{self.stderr()}")
            time.sleep(0.05)
        self.p.returncode = os.waitstatus_to_exitcode(status)
        self.rc = self.p.returncode
        self.rusage = ru
        self.elapsed = time.monotonic() - self.start
        self.err.close()
        self.out.close()
        return self.rc

    def stdout(self):
        return open(self.out_path, errors="replace").read()


def analyze(path, *extra):
    p = subprocess.run([BIN, "analyze", "-q", "-F", "json", *extra, *path],
                       capture_output=True, text=True, timeout=120)
    if p.returncode not in (0, 1):
        raise AssertionError(f"analyze {path}: exit {p.returncode}: {p.stderr}")
    return json.loads(p.stdout)


def normalized(report):
    """A report with its inputs reduced to what a file says of itself."""
    r = json.loads(json.dumps(report))
    r["inputs"] = [{"file": os.path.basename(i["path"]), "linktype": i["linktype"],
                    "packets": i["packets"]} for i in r["inputs"]]
    return r


def hosts(report):
    return {(h["key"], h["port"]): h for h in report["hosts"]}


def tcpdump_reads(path):
    p = subprocess.run(["tcpdump", "-nn", "-r", path], capture_output=True, text=True)
    ok = p.returncode == 0 and "truncated" not in p.stderr.lower()
    return ok, len(p.stdout.splitlines()), p.stderr.strip()


def curl(*args, timeout=60):
    return client("curl", "-sS", "-k", "-o", "/dev/null", *args, timeout=timeout)


def diff_summary(a, b):
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            return f"key '{k}' differs: {json.dumps(a.get(k))[:300]} vs {json.dumps(b.get(k))[:300]}"
    return "equal"


# ---- the checks --------------------------------------------------------------

def check_scenario(f, work):
    """The hosts of a deployment-like run, live deny, SIGINT, equality."""
    out = os.path.join(work, "main.json")
    cap = Capture("-i", IF_C, "-w", "main.pcap", "-p", "huggingface", "--live", "-F", "json",
                  "-o", out, cwd=work)
    if not f.check(cap.listening(), f"capture did not start: {cap.stderr()}"):
        cap.finish(signal.SIGKILL)
        return
    H = HOSTS
    for name in HOSTS:
        client("dig", "+tries=1", "+time=2", name, "A")
    curl("https://huggingface.co/api/models/bert-base-uncased")
    curl("http://pypi.org/simple/requests/")
    curl("http://files.pythonhosted.org/packages/x.tar.gz")
    curl("https://cas-bridge.xethub.hf.co/xet/0")
    # a firewall-style deny is reported while the capture still runs
    f.check(cap.wait_for("cas-bridge.xethub.hf.co", 6) and "denied" in [
        l for l in cap.stderr().splitlines() if "cas-bridge.xethub.hf.co" in l][0],
        f"--live: no line for the TLS deny of cas-bridge.xethub.hf.co while capturing:\n"
        f"{cap.stderr()}")
    curl("https://huggingface.co:8443/")
    curl("--connect-timeout", "2", "https://transfer.xethub.hf.co/x")
    r = curl(f"https://cdn-lfs.huggingface.co/{BIG}", timeout=120)
    f.check(r.returncode == 0, f"the 64 MB download failed: {r.stderr}")
    time.sleep(1.2)
    rc = cap.finish(signal.SIGINT)
    err = cap.stderr()
    f.check(rc == 0, f"capture after SIGINT: exit {rc}: {err}")
    pcap = os.path.join(work, "main.pcap")
    ok, n, why = tcpdump_reads(pcap)
    f.check(ok and n > 20, f"tcpdump cannot read main.pcap ({n} packets): {why}")
    size = os.path.getsize(pcap)
    f.check(size < 1_000_000, f"main.pcap is {size} bytes with a 64 MB download (want < 1 MB)")
    try:
        live = json.load(open(out))
    except (OSError, ValueError) as e:
        f.check(False, f"no JSON report after SIGINT: {e}: {err}")
        return
    got = hosts(live)
    want = {
        ("huggingface.co", 443): "reached",
        ("pypi.org", 80): "reached",
        ("files.pythonhosted.org", 80): "denied",
        ("cas-bridge.xethub.hf.co", 443): "denied",
        ("cdn-lfs.huggingface.co", 443): "reached",
        (H["huggingface.co"], 8443): "refused",
        (DNS4, 53): "reached",
    }
    if Net.blackhole_ok:
        want[(H["transfer.xethub.hf.co"], 443)] = "no-answer"
    for key, outcome in want.items():
        h = got.get(key)
        f.check(h is not None, f"report lacks host {key[0]}:{key[1]}: has {sorted(got)}")
        if h:
            f.check(h["outcome"] == outcome,
                    f"{key[0]}:{key[1]}: outcome {h['outcome']}, want {outcome}")
    verdicts = {k: h.get("verdict") for k, h in got.items()}
    f.check(verdicts.get(("huggingface.co", 443)) == "allowed",
            f"huggingface.co:443 verdict {verdicts.get(('huggingface.co', 443))}")
    f.check(verdicts.get(("cas-bridge.xethub.hf.co", 443)) == "denied",
            "cas-bridge.xethub.hf.co:443 not denied by the huggingface profile")
    live_lines = [l for l in err.splitlines() if l.startswith(("+ ", "~ "))]
    for name in ("huggingface.co", "cdn-lfs.huggingface.co", "pypi.org"):
        f.check(any(f" {name}:" in l and "reached" in l for l in live_lines),
                f"--live: no reached line for {name}:\n" + "\n".join(live_lines))
    cs = live["inputs"][0].get("capture", {})
    f.check(cs.get("cut_packets", 0) > 1000 and cs.get("cut_bytes", 0) > 60_000_000,
            f"the cutoff left out too little: {cs}")
    f.check(cs.get("packets_written") == live["inputs"][0]["packets"],
            f"packets written {cs.get('packets_written')} != analyzed "
            f"{live['inputs'][0]['packets']}")
    again = analyze([pcap], "-p", "huggingface")
    a, b = normalized(live), normalized(again)
    f.check(a == b, "the live report differs from analyze of main.pcap: " + diff_summary(a, b))
    # a live report reads back, its capture figures too, to the same bytes
    rt = subprocess.run([BIN, "report", "-F", "json", out], capture_output=True)
    f.check(rt.returncode == 0 and rt.stdout == open(out, "rb").read(),
            f"report -F json of the live report is not the same bytes: {rt.stderr!r}")
    FIGURES.append(f"scenario: main.pcap {size} bytes; {cs.get('packets_seen')} packets seen "
                   f"({cs.get('bytes_seen')} bytes), {cs.get('packets_written')} written, "
                   f"{cs.get('kernel_drops')} dropped by the kernel; "
                   f"capture CPU {cap.rusage.ru_utime + cap.rusage.ru_stime:.2f} s, "
                   f"max RSS {cap.rusage.ru_maxrss // 1024} MB")


def check_command_and_ratio(f, work):
    """Cut vs uncut sizes of a 64 MB download, headers mode, SIGTERM, -- COMMAND."""
    url = f"https://cdn-lfs.huggingface.co/{BIG}"
    sizes = {}
    uncut_dropped = 0
    for label, extra in (("uncut", ["--cutoff", "0"]), ("cut", []),
                         ("headers", ["--cutoff-headers"])):
        pcap = f"{label}.pcap"
        out = os.path.join(work, label + ".json")
        # not the -- COMMAND form here: its rusage would include curl's
        cap = Capture("-i", IF_C, "-w", pcap, *extra, "-F", "json", "-o", out, cwd=work)
        cap.listening()
        r = curl(url, timeout=120)
        f.check(r.returncode == 0, f"{label}: the download failed: {r.stderr}")
        time.sleep(0.5)
        rc = cap.finish(signal.SIGTERM, timeout=120)
        f.check(rc == 0, f"capture ({label}) after SIGTERM: exit {rc}: {cap.stderr()}")
        path = os.path.join(work, pcap)
        if not os.path.exists(path):
            f.check(False, f"{pcap} was not written")
            continue
        sizes[label] = os.path.getsize(path)
        ok, _, why = tcpdump_reads(path)
        f.check(ok, f"tcpdump cannot read {pcap}: {why}")
        try:
            live = json.load(open(out))
        except (OSError, ValueError) as e:
            f.check(False, f"{label}: no report: {e}")
            continue
        again = analyze([path])
        a, b = normalized(live), normalized(again)
        f.check(a == b, f"{label}: live report differs from analyze: " + diff_summary(a, b))
        big = hosts(live).get(("cdn-lfs.huggingface.co", 443))
        f.check(big and big["outcome"] == "reached", f"{label}: download not reached: {big}")
        cs = live["inputs"][0].get("capture", {}) if live.get("inputs") else {}
        dropped = cs.get("kernel_drops", 0) + cs.get("interface_drops", 0)
        if label in ("uncut", "headers") and big:
            # a loaded machine (a sanitizer build, another job) makes the kernel drop
            # packets: then the report must say so, and the byte count is what was seen
            f.check(big["bytes_in"] > BIG or dropped > 0,
                    f"{label}: bytes_in {big['bytes_in']} < {BIG} and no drop reported")
        if dropped:
            FIGURES.append(f"64 MB download, {label}: {dropped} packets dropped by the kernel "
                           "(machine under load)")
        if label == "uncut":
            uncut_dropped = dropped
        cpu = cap.rusage.ru_utime + cap.rusage.ru_stime
        FIGURES.append(f"64 MB download, {label}: {sizes[label]} bytes; capture CPU {cpu:.2f} s"
                       f" over {cap.elapsed:.1f} s, max RSS {cap.rusage.ru_maxrss // 1024} MB")
    if "cut" in sizes and "uncut" in sizes:
        f.check(sizes["cut"] < 1_000_000, f"cut.pcap is {sizes['cut']} bytes (want < 1 MB)")
        f.check(sizes["uncut"] > BIG or uncut_dropped > 0,
                f"uncut.pcap is {sizes['uncut']} bytes (want > 64 MB) and no drop reported")
        FIGURES.append(f"size ratio cut/uncut: {sizes['cut']}/{sizes['uncut']} = "
                       f"{sizes['cut'] / sizes['uncut']:.5f} (1:{sizes['uncut'] // sizes['cut']})")
    # the command's status, and --fail-on when it succeeded
    cap = Capture("-i", IF_C, "-q", "-o", "/dev/null", "--", "sh", "-c", "exit 7", cwd=work)
    f.check(cap.finish() == 7, f"-- sh -c 'exit 7': exit {cap.rc}, want 7: {cap.stderr()}")
    cap = Capture("-i", IF_C, "-q", "-p", "huggingface", "--fail-on", "denied", "-o", "/dev/null",
                  "--", "curl", "-sS", "-o", "/dev/null",
                  "http://files.pythonhosted.org/x", cwd=work)
    f.check(cap.finish() == 1,
            f"--fail-on denied with a successful command: exit {cap.rc}, want 1: {cap.stderr()}")
    cap = Capture("-i", IF_C, "-q", "-o", "/dev/null", "--", "no-such-command-ea", cwd=work)
    f.check(cap.finish() == 127 and "cannot run 'no-such-command-ea'" in cap.stderr(),
            f"a missing command: exit {cap.rc}, want 127: {cap.stderr()}")
    # as the user who ran sudo
    env = dict(os.environ, SUDO_UID="65534", SUDO_GID="65534")
    cap = Capture("-i", IF_C, "-q", "-o", "/dev/null", "--", "id", "-u", cwd=work, env=env)
    cap.finish()
    f.check(cap.rc == 0 and cap.stdout().strip() == "65534",
            f"-- id -u under sudo (SUDO_UID=65534): exit {cap.rc}, printed "
            f"'{cap.stdout().strip()}'")


def traffic(seconds, stop_at=None):
    """Small HTTPS requests in the client namespace for a while."""
    return subprocess.Popen(in_c("sh", "-c", f"end=$(( $(date +%s) + {seconds} )); "
                                 "while [ $(date +%s) -lt $end ]; do curl -sk -o /dev/null "
                                 "https://huggingface.co/api/x; sleep 0.2; done"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def check_rotation(f, work):
    d = os.path.join(work, "rot")
    os.mkdir(d)
    gen = traffic(4)
    cap = Capture("-i", "any", "-w", "g-%H%M%S.pcap", "-G", "1", "--duration", "3", "-F",
                  "json", "-o", "g.json", cwd=d)
    rc = cap.finish()
    gen.wait()
    files = sorted(x for x in os.listdir(d) if x.startswith("g-"))
    f.check(rc == 0, f"-G 1 --duration 3: exit {rc}: {cap.stderr()}")
    f.check(len(files) >= 2, f"-G 1 --duration 3 made {files}")
    f.check(2.5 < cap.elapsed < 6, f"--duration 3 took {cap.elapsed:.1f} s")
    for x in files:
        ok, _, why = tcpdump_reads(os.path.join(d, x))
        f.check(ok, f"tcpdump cannot read {x}: {why}")
    try:
        live = json.load(open(os.path.join(d, "g.json")))
        f.check([os.path.basename(i["path"]) for i in live["inputs"]] == files,
                f"inputs {[i['path'] for i in live['inputs']]} != files {files}")
        again = analyze([os.path.join(d, x) for x in files])
        a, b = normalized(live), normalized(again)
        f.check(a == b, "-G: live report differs from analyze of the files: " + diff_summary(a, b))
    except (OSError, ValueError) as e:
        f.check(False, f"-G: no report: {e}")
    # -C 1 -W 3: a ring of three names, each file about 1 MB
    cap = Capture("-i", IF_C, "-q", "--cutoff", "0", "-w", "c.pcap", "-C", "1", "-W", "3",
                  "-o", "/dev/null", "--", "curl", "-sS", "-k", "-o", "/dev/null",
                  "https://cdn-lfs.huggingface.co/8000000", cwd=d)
    rc = cap.finish()
    files = sorted(x for x in os.listdir(d) if x.startswith("c.pcap"))
    f.check(rc == 0, f"-C 1 -W 3: exit {rc}: {cap.stderr()}")
    f.check(files == ["c.pcap0", "c.pcap1", "c.pcap2"], f"-C 1 -W 3 left {files}")
    for x in files:
        size = os.path.getsize(os.path.join(d, x))
        f.check(size < 1_300_000, f"-C 1: {x} is {size} bytes")
        ok, _, why = tcpdump_reads(os.path.join(d, x))
        f.check(ok, f"tcpdump cannot read {x}: {why}")
    # -C without -W: FILE, FILE1, FILE2, ...
    cap = Capture("-i", IF_C, "-q", "--cutoff", "0", "-w", "s.pcap", "-C", "2", "-o", "/dev/null",
                  "--", "curl", "-sS", "-k", "-o", "/dev/null",
                  "https://cdn-lfs.huggingface.co/5000000", cwd=d)
    cap.finish()
    files = sorted(x for x in os.listdir(d) if x.startswith("s.pcap"))
    f.check(files[:3] == ["s.pcap", "s.pcap1", "s.pcap2"], f"-C 2 made {files}")


def check_user_duration_count(f, work):
    d = os.path.join(work, "z")
    os.mkdir(d)
    os.chmod(d, 0o777)
    gen = traffic(4)
    cap = Capture("-i", "any", "-w", "z.pcap", "-Z", "nobody", "--duration", "3", "-F", "json",
                  "-o", "z.json", cwd=d)
    uid = None
    if cap.listening():
        time.sleep(0.5)
        try:
            for line in open(f"/proc/{cap.p.pid}/status"):
                if line.startswith("Uid:"):
                    uid = line.split()[1:]
        except OSError:
            pass
    rc = cap.finish()
    gen.wait()
    f.check(rc == 0, f"-Z nobody: exit {rc}: {cap.stderr()}")
    f.check(uid is not None and set(uid) == {"65534"}, f"-Z nobody: the capture runs as {uid}")
    z = os.path.join(d, "z.pcap")
    f.check(os.path.exists(z) and os.stat(z).st_uid == 65534,
            "-Z nobody: z.pcap is not nobody's")
    ok, n, why = tcpdump_reads(z)
    f.check(ok and n > 0, f"-Z nobody: tcpdump reads {n} packets of z.pcap: {why}")
    try:
        rep = json.load(open(os.path.join(d, "z.json")))
        f.check(any(h["key"] == "huggingface.co" for h in rep["hosts"]),
                "-Z nobody: huggingface.co not in the report")
    except (OSError, ValueError) as e:
        f.check(False, f"-Z nobody: no report: {e}")
    # -Z with a rotation folder the user cannot write: said at the start
    cap = Capture("-i", IF_C, "-q", "-w", os.path.join(work, "r-%S.pcap"), "-G", "5", "-Z",
                  "nobody", "-o", "/dev/null", cwd=d)
    f.check(cap.finish(timeout=10) == 2 and "cannot make files" in cap.stderr(),
            f"-Z with an unwritable rotation folder: exit {cap.rc}: {cap.stderr()}")
    f.check(os.stat("/dev/null").st_uid == 0, "-Z nobody -o /dev/null gave /dev/null away")
    # -c: stops by itself after exactly COUNT packets
    gen = traffic(5)
    cap = Capture("-i", IF_C, "-c", "7", "-w", "c7.pcap", "-F", "json", "-o", "c7.json", cwd=d)
    rc = cap.finish(timeout=20)
    gen.kill()
    gen.wait()
    f.check(rc == 0, f"-c 7: exit {rc}: {cap.stderr()}")
    try:
        rep = json.load(open(os.path.join(d, "c7.json")))
        f.check(rep["inputs"][0]["capture"]["packets_seen"] == 7,
                f"-c 7: {rep['inputs'][0]['capture']['packets_seen']} packets seen")
        ok, n, _ = tcpdump_reads(os.path.join(d, "c7.pcap"))
        f.check(ok and n == 7, f"-c 7: the file holds {n} packets")
    except (OSError, ValueError, KeyError) as e:
        f.check(False, f"-c 7: no report: {e}")
    # --duration without traffic still ends on time
    cap = Capture("-i", IF_C, "-q", "--duration", "2", "-o", "/dev/null", cwd=d)
    rc = cap.finish(timeout=10)
    f.check(rc == 0 and 1.8 < cap.elapsed < 4, f"--duration 2 (idle): exit {rc} after "
            f"{cap.elapsed:.1f} s")


def check_disk_full(f, work):
    d = os.path.join(work, "full")
    os.mkdir(d)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", d],
                      capture_output=True).returncode != 0:
        print("note: cannot mount a tmpfs: the disk-full check is skipped")
        return
    try:
        out = os.path.join(work, "full.json")
        cap = Capture("-i", IF_C, "--cutoff", "0", "-w", os.path.join(d, "full.pcap"), "-F",
                      "json", "-o", out, "--", "curl", "-sS", "-k", "-o", "/dev/null",
                      "https://cdn-lfs.huggingface.co/3000000", cwd=work)
        rc = cap.finish()
        err = cap.stderr()
        f.check(rc == 0, f"disk full: exit {rc}: {err}")
        f.check("full.pcap" in err and "No space left on device" in err,
                f"disk full: no warning naming the file: {err}")
        path = os.path.join(d, "full.pcap")
        ok, n, why = tcpdump_reads(path)
        f.check(ok and n > 10, f"disk full: tcpdump reads {n} packets: {why}")
        size = os.path.getsize(path)
        f.check(size <= 200 * 1024, f"disk full: the file is {size} bytes")
        try:
            rep = json.load(open(out))
            cs = rep["inputs"][0]["capture"]
            f.check(cs["write_error"] == "No space left on device",
                    f"disk full: write_error {cs['write_error']}")
            f.check(cs["packets_written"] == n,
                    f"disk full: report says {cs['packets_written']} written, file has {n}")
            f.check(cs["packets_seen"] > n + 100, f"disk full: the analysis stopped too: {cs}")
            big = hosts(rep).get(("cdn-lfs.huggingface.co", 443))
            f.check(big and big["outcome"] == "reached" and big["bytes_in"] > 3_000_000,
                    f"disk full: the analysis did not go on: {big}")
        except (OSError, ValueError, KeyError) as e:
            f.check(False, f"disk full: no report: {e}")
        again = subprocess.run([BIN, "analyze", "-F", "json", path], capture_output=True,
                               text=True)
        f.check(again.returncode == 0 and "warning" not in again.stderr,
                f"disk full: analyze of the file: exit {again.returncode}: {again.stderr}")
    finally:
        subprocess.run(["umount", d], capture_output=True)


def check_errors(f, work):
    cap = Capture("-i", "nosuch0", "-w", "x.pcap", cwd=work)
    err = cap.stderr() if cap.finish(timeout=10) is not None else ""
    f.check(cap.rc == 2 and err.count("\n") == 1 and "no interface 'nosuch0'" in err,
            f"missing interface: exit {cap.rc}: {err}")
    f.check(not os.path.exists(os.path.join(work, "x.pcap")),
            "missing interface: x.pcap was created")
    cap = Capture("-i", IF_C, "-f", "tcp port", cwd=work)
    err = cap.stderr() if cap.finish(timeout=10) is not None else ""
    f.check(cap.rc == 2 and err.count("\n") == 1 and "bad filter 'tcp port'" in err,
            f"bad filter: exit {cap.rc}: {err}")
    # no permission: as nobody, without capabilities
    runner = shutil.which("setpriv")
    if runner and os.access(BIN, os.X_OK):
        p = subprocess.run(in_c(runner, "--reuid=65534", "--regid=65534", "--clear-groups",
                                "--inh-caps=-all", os.path.abspath(BIN), "capture", "-i",
                                IF_C), capture_output=True, text=True, timeout=10)
        f.check(p.returncode == 2 and "CAP_NET_RAW" in p.stderr and "CAP_NET_ADMIN" in p.stderr
                and "setcap cap_net_raw,cap_net_admin=eip" in p.stderr
                and p.stderr.count("\n") == 1,
                f"no permission: exit {p.returncode}: {p.stderr}")


def rss_of(pid):
    vals = {}
    try:
        for line in open(f"/proc/{pid}/status"):
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon"):
                vals[k] = int(v.split()[0])
    except OSError:
        return None
    return vals


def check_memory(f, work):
    """A 20-second capture of a steady download: memory does not grow."""
    cap = Capture("-i", IF_C, "-w", "long.pcap", "--duration", "20", "-F", "json", "-o",
                  "long.json", cwd=work)
    cap.listening()
    dl = subprocess.Popen(in_c("curl", "-sk", "-o", "/dev/null", "--limit-rate", "20M",
                               "https://cdn-lfs.huggingface.co/2000000000"),
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = []
    start = time.monotonic()
    while time.monotonic() - start < 25:
        v = rss_of(cap.p.pid)
        if not v or len(v) < 2:
            break  # it ended (a zombie has no VmRSS)
        samples.append((time.monotonic() - start, v))
        time.sleep(0.5)
    cap.finish(timeout=30)
    dl.kill()
    dl.wait()
    f.check(cap.rc == 0, f"--duration 20: exit {cap.rc}: {cap.stderr()}")
    early = [s for t, s in samples if 4 <= t <= 6]
    late = [s for t, s in samples if t >= 16]
    if not f.check(early and late, f"too few RSS samples: {samples}"):
        return
    grow_anon = late[-1]["RssAnon"] - early[0]["RssAnon"]
    grow_rss = late[-1]["VmRSS"] - early[0]["VmRSS"]
    try:
        rep = json.load(open(os.path.join(work, "long.json")))
        cs = rep["inputs"][0]["capture"]
    except (OSError, ValueError, KeyError):
        cs = {}
    seen = cs.get("packets_seen", 0)
    f.check(seen > 100_000, f"the steady download gave only {seen} packets")
    f.check(grow_anon < 2048, f"heap grew {grow_anon} KiB from 5 s to 20 s "
            f"({early[0]} -> {late[-1]})")
    cpu = cap.rusage.ru_utime + cap.rusage.ru_stime
    FIGURES.append(f"20 s steady download (curl --limit-rate 20M): "
                   f"{seen} packets ({cs.get('bytes_seen', 0)} bytes) seen, file "
                   f"{os.path.getsize(os.path.join(work, 'long.pcap'))} bytes; CPU {cpu:.2f} s "
                   f"({100 * cpu / cap.elapsed:.1f}% of one core); VmRSS {early[0]['VmRSS']} -> "
                   f"{late[-1]['VmRSS']} KiB, RssAnon {early[0]['RssAnon']} -> "
                   f"{late[-1]['RssAnon']} KiB (growth {grow_anon} KiB); max RSS "
                   f"{cap.rusage.ru_maxrss} KiB")


def main():
    if os.geteuid() != 0:
        skip("needs root (network namespaces, live capture)")
    missing = sorted({pkg for tool, pkg in TOOLS.items() if not shutil.which(tool)})
    if missing:
        skip("missing Debian packages: " + " ".join(missing))
    if subprocess.run(["ip", "netns", "add", TAG + "p"], capture_output=True).returncode != 0:
        skip("cannot make network namespaces")
    subprocess.run(["ip", "netns", "del", TAG + "p"], capture_output=True)
    f = Failures()
    work = tempfile.mkdtemp(prefix="ea-capture-")
    os.chmod(work, 0o755)
    net = Net(work)
    t0 = time.monotonic()
    try:
        net.up()
        Net.blackhole_ok = net.blackhole
        only = os.environ.get("EA_CAPTURE_ONLY", "")
        for name, check in (("scenario", check_scenario), ("command", check_command_and_ratio),
                            ("rotation", check_rotation),
                            ("user", check_user_duration_count), ("diskfull", check_disk_full),
                            ("errors", check_errors), ("memory", check_memory)):
            if only and name not in only.split(","):
                continue
            t = time.monotonic()
            check(f, work)
            print(f"{name}: {time.monotonic() - t:.1f} s")
    finally:
        net.down()
        if os.environ.get("EA_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)
    for line in FIGURES:
        print("figure:", line)
    f.finish(f"capture ({time.monotonic() - t0:.0f} s)")


if __name__ == "__main__":
    main()
