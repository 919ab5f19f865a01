#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line as a new user meets it (issue 8): options after the
files, tcpdump habits (-r then a filter, -c, -n), one-line errors that name
the real problem and the subcommand, the output checked before the work,
conflicting flags refused, --fail-on naming the hosts; and the text report's
width (issue 10): the terminal's (COLUMNS, else its size, read in a
pseudo-terminal), 80 columns when not a terminal, --width N; a cap that
drops rows said where they would be."""
import fcntl
import gzip
import json
import os
import pty
import shutil
import struct
import subprocess
import tempfile
import termios

from common import SRC, Failures, run, split_pcap

SAMPLE = os.path.join(SRC, "samples", "hf-deploy.pcap")


def one_line(err):
    return [l for l in err.splitlines() if l.strip()]


def read_pty(master):
    """Everything a pseudo-terminal's master gives until the other side closes."""
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out


def on_terminal(args, cols, env_columns=None):
    """egress-audit's output when its standard output is a terminal of cols
    columns (a pseudo-terminal), COLUMNS set to env_columns or unset."""
    from common import BIN
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if env_columns:
        env["COLUMNS"] = str(env_columns)
    p = subprocess.Popen([BIN, *args], stdout=slave, stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    out = read_pty(master)
    p.wait()
    os.close(master)
    return out.replace(b"\r\n", b"\n")


def widest(out):
    return max(len(l) for l in out.split(b"\n"))


def widths(f):
    args = ("analyze", "-q", "--color", "never", "-v", "-p", "huggingface", SAMPLE)
    out = on_terminal(args, 100)
    f.check(60 < widest(out) <= 100, f"a terminal of 100 columns: lines of {widest(out)}")
    out = on_terminal(args, 200, env_columns=70)
    f.check(60 < widest(out) <= 70, f"COLUMNS=70 on a terminal: lines of {widest(out)}")
    env = dict(os.environ, COLUMNS="200")
    from common import BIN
    p = subprocess.run([BIN, *args], capture_output=True, env=env)
    f.check(p.returncode == 0 and 70 < widest(p.stdout) <= 80,
            f"not a terminal: 80 columns whatever COLUMNS says: {widest(p.stdout)}")
    rc, out, _ = run(*args[:-1], "--width", "132", SAMPLE)
    f.check(rc == 0 and 80 < widest(out) <= 132, f"--width 132: {widest(out)}")
    rc, out, _ = run(*args[:-1], "--width", "0", SAMPLE)
    f.check(rc == 0 and widest(out) > 132, f"--width 0: no limit: {widest(out)}")
    # a cap that drops rows is said where they would be, with its flag
    rc, out, err = run("analyze", "-q", "--max-connections", "5", "--width", "0", SAMPLE)
    f.check(rc == 0 and b"\nCONNECTIONS\n" in out and
            b"30 more connections are not listed: the report keeps the first 5 (egress-audit "
            b"analyze --max-connections N keeps more)" in out, f"--max-connections 5: {err}")
    rc, out, err = run("analyze", "-q", "--max-hosts", "2", "--width", "0", SAMPLE)
    f.check(rc == 0 and b"to further hosts are not counted: the report keeps 2 hosts "
            b"(egress-audit analyze --max-hosts N keeps more)" in out, f"--max-hosts 2: {err}")
    # the DNS rows have a cap and a counter too (issue 12); attribution still
    # names the connections whose rows were not kept
    rc, full, _ = run("analyze", "-q", "-F", "json", SAMPLE)
    rc2, capped, err = run("analyze", "-q", "-F", "json", "--max-dns", "2", SAMPLE)
    full, capped = json.loads(full), json.loads(capped)
    f.check(rc == 0 and rc2 == 0 and len(capped["dns"]) == 2 and len(full["dns"]) > 2 and
            capped["stats"]["counters"]["dns_not_listed"] ==
            sum(d["queries"] + d["responses"] for d in full["dns"][2:]) and
            full["stats"]["counters"]["dns_not_listed"] == 0 and
            [h["name"] for h in capped["hosts"]] == [h["name"] for h in full["hosts"]],
            f"--max-dns 2: {err}")
    rc, out, err = run("analyze", "-q", "--max-dns", "2", "--width", "0", SAMPLE)
    f.check(rc == 0 and b"for further names are not listed: the report keeps 2 (name, type) "
            b"rows (egress-audit analyze --max-dns N keeps more)" in out, f"--max-dns 2 text: {err}")
    rc, _, err = run("analyze", "-q", "--max-dns", "0", SAMPLE)
    f.check(rc == 2 and "--max-dns takes 1 to 67108864, not '0'" in err, f"--max-dns 0: {err}")


def udp_pcap(n):
    """A classic pcap of n small UDP datagrams (Ethernet, 10.0.0.1 -> 10.0.0.2,
    a port per 64 packets), as bytes."""
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    for i in range(n):
        udp = struct.pack(">HHHH", 40000 + (i // 64) % 20000, 9999, 8 + 4, 0) + b"ping"
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + udp
        frame = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip
        out.append(struct.pack("<IIII", 1700000000 + i // 1000000, i % 1000000, len(frame),
                               len(frame)) + frame)
    return b"".join(out)


def stderr_on_terminal(args, stdin=None, interval=None):
    """egress-audit's standard error when it is a terminal; stdout discarded.
    stdin: a callable that writes to a pipe (slowly). interval: seconds between
    progress updates (EGRESS_AUDIT_PROGRESS_INTERVAL)."""
    from common import BIN
    master, slave = pty.openpty()
    env = dict(os.environ)
    if interval is not None:
        env["EGRESS_AUDIT_PROGRESS_INTERVAL"] = str(interval)
    p = subprocess.Popen([BIN, *args], stdout=subprocess.DEVNULL, stderr=slave, env=env,
                         stdin=subprocess.PIPE if stdin else subprocess.DEVNULL)
    os.close(slave)
    if stdin:
        stdin(p.stdin)
        p.stdin.close()
    out = read_pty(master)
    p.wait()
    os.close(master)
    return p.returncode, out


def progress(f, tmp):
    """Issue 12: one progress line on a terminal, rewritten in place, cleared
    at the end; nothing with -q or when standard error is not a terminal."""
    import time
    packets = udp_pcap(40000)
    head, recs = packets[:24], packets[24:]
    half = len(recs) // 2

    def slow(pipe):  # 20000 packets, a pause longer than the update interval, the rest
        pipe.write(head + recs[:half])
        pipe.flush()
        time.sleep(1.2)
        pipe.write(recs[half:])

    rc, err = stderr_on_terminal(["analyze", "-F", "json", "-o", os.devnull, "-"], stdin=slow)
    lines = err.split(b"\r")
    shown = [l for l in lines if l.startswith(b"egress-audit: ") and b" packets, " in l]
    f.check(rc == 0 and shown and b"\n" not in err and err.endswith(b"\r\x1b[K") and
            all(b" MB/s, " in l and b" hosts" in l and b"%" not in l for l in shown),
            f"progress from a pipe: rc {rc}, {err!r}")
    big = os.path.join(tmp, "many.pcap")
    with open(big, "wb") as out:
        out.write(udp_pcap(100000))
    # an update at every look at the clock (every 16384 packets): 6 lines
    rc, err = stderr_on_terminal(["analyze", "-F", "json", "-o", os.devnull, big], interval=0)
    shown = [l for l in err.split(b"\r") if l.startswith(b"egress-audit: ")]
    f.check(rc == 0 and len(shown) == 6 and b"\n" not in err and err.endswith(b"\r\x1b[K") and
            all(b"% of 0.01 GB, " in l and b" MB/s, " in l and b" packets, 0 hosts, " in l and
                b" left" in l for l in shown) and b" 16384 packets, " in shown[0],
            f"progress of a file: rc {rc}, {err!r}")
    rc, err = stderr_on_terminal(["analyze", "-F", "json", "-o", os.devnull, big])
    f.check(rc == 0 and b"\n" not in err, f"progress of a short file: {err!r}")
    rc, err = stderr_on_terminal(["analyze", "-q", "-F", "json", "-o", os.devnull, big])
    f.check(rc == 0 and err == b"", f"progress with -q: {err!r}")
    rc, out, err = run("analyze", "-F", "json", "-o", os.devnull, big)
    f.check(rc == 0 and err == "", f"progress when stderr is not a terminal: {err!r}")


def main():
    f = Failures()
    widths(f)
    tmp = tempfile.mkdtemp(prefix="ea-cli-")
    try:
        progress(f, tmp)
        # options after the operand, as README's Usage shows
        rc, out, err = run("analyze", SAMPLE, "-p", "huggingface", "-q", "-F", "json")
        f.check(rc == 0 and json.loads(out)["verdicts"], f"options after the file: {rc} {err}")
        rc, out, err = run("analyze", SAMPLE, "-F", "json", "-q", "--", )
        f.check(rc == 0, f"-- at the end: {rc} {err}")

        # -r FILE then a BPF expression (tcpdump); -f and the words agree
        rc, out, err = run("analyze", "-q", "-F", "json", "-r", SAMPLE, "tcp", "port", "443")
        rc2, out2, _ = run("analyze", "-q", "-F", "json", "-f", "tcp port 443", SAMPLE)
        f.check(rc == 0 and rc2 == 0 and out == out2, f"-r F port 443 differs from -f: {err}")
        conns = json.loads(out)["connections"] if rc == 0 else []
        f.check(conns and all(c["dport"] == 443 and c["transport"] == "tcp" for c in conns),
                "-r F tcp port 443 kept other traffic")
        # -c COUNT and -n / -nn
        rc, out, err = run("analyze", "-q", "-F", "json", "-c", "10", "-nn", SAMPLE)
        f.check(rc == 0 and json.loads(out)["stats"]["counters"]["packets"] == 10,
                f"-c 10 -nn: {rc} {err}")
        rc, _, err = run("analyze", "-q", "-c", "0", SAMPLE)
        f.check(rc == 2, "-c 0 is a usage error")

        # messages that name the real problem, prefixed with the subcommand
        cases = [
            (("analyze", "-f", "tcp port", SAMPLE), None, 2, "egress-audit analyze: bad filter 'tcp port'"),
            (("analyze", "-", "-"), b"", 2, "standard input ('-') is given more than once"),
            (("analyze", "-"), b"hi\n", 2, "not a pcap or pcapng file"),
            (("analyze", "-F", "xml", SAMPLE), None, 2, "egress-audit analyze --help"),
            (("analyze", "--width", "wide", SAMPLE), None, 2, "--width takes a number"),
            (("analyze", "--fail-on", "new", SAMPLE), None, 2, "--diff OLD.json --fail-on new"),
            (("analyze", SAMPLE, "--bogus"), None, 2, "egress-audit analyze: unknown option '--bogus'"),
            (("analyze", SAMPLE, "-p", "huggingface", "--emit", "az", "-F", "json"), None, 2,
             "does not go with -F"),
            (("analyze", SAMPLE, os.path.join(SRC, "samples", ".", "hf-deploy.pcap")), None, 2,
             "are the same file"),
        ]
        cases.append((("analyze", SAMPLE, "-p", "huggingfce"), None, 2,
                      "unknown profile 'huggingfce': did you mean 'huggingface'?"))
        gz = os.path.join(tmp, "deploy.pcap.gz")
        with open(SAMPLE, "rb") as src, gzip.open(gz, "wb") as dst:
            shutil.copyfileobj(src, dst)
        cases.append((("analyze", gz), None, 2, f"zcat {gz} | egress-audit analyze -"))
        for args, stdin, want_rc, want in cases:
            rc, _, err = run(*args, stdin=stdin)
            lines = one_line(err)
            f.check(rc == want_rc and any(want in l for l in lines) and
                    lines and lines[0].startswith("egress-audit analyze: "),
                    f"{' '.join(args)}: exit {rc}, want {want_rc} and {want!r}: {lines!r}")

        # profile names are case-insensitive; the origin is the profile's own name
        rc, out, err = run("analyze", "-q", "-F", "json", SAMPLE, "-p", "HuggingFace")
        f.check(rc == 0 and json.loads(out)["rules"][0]["origin"] == "profile huggingface",
                f"-p HuggingFace: {rc} {err}")

        # a JSON rule source is named once in the sources line, not once per rule
        arm = os.path.join(SRC, "tests", "data", "rules", "arm.json")
        rc, out, err = run("analyze", "-q", "--color", "never", "--width", "0", SAMPLE, "-a", arm)
        f.check(rc == 0 and f"rules: 6 from {arm}\n".encode() in out,
                f"sources line for arm.json: {rc} {err}")

        # rules --list dates, --explain and --diff (issue 14)
        rc, out, err = run("rules", "--list")
        f.check(rc == 0 and b"\tread: 2026-" in out and b"\tdate: " in out, f"--list: {err}")
        rc, out, err = run("rules", "--explain", "Docker-Hub")
        text = out.decode()
        f.check(rc == 0 and "changes:\n" in text and "production.cloudfront.docker.com" in text
                and "removed: 2026-06-08" in text and "source: https://" in text,
                f"--explain docker-hub: {rc} {err} {text[:200]!r}")
        rc, _, err = run("rules", "--explain", "dockerhub")
        f.check(rc == 2 and "did you mean 'docker-hub'?" in err, f"--explain dockerhub: {err}")
        rc, out, err = run("rules", "--diff", "huggingface", "docker-hub")
        text = out.decode()
        f.check(rc == 0 and "only in huggingface:\n" in text and
                "production.cloudflare.docker.com  # profile huggingface" in text and
                "only in docker-hub:\n" in text and
                "production.cloudfront.docker.com  # profile docker-hub" in text and
                "in both: 0 rules" in text, f"--diff: {rc} {err} {text!r}")
        rc, _, err = run("rules", "--diff", "huggingface")
        f.check(rc == 2, "--diff with one side is a usage error")

        # rotated files given out of order are read in time order, with a
        # warning naming both; the report says where each file was given
        a, b = os.path.join(tmp, "a.pcap"), os.path.join(tmp, "b.pcap")
        split_pcap(SAMPLE, a, b)
        rc, ordered, _ = run("analyze", "-q", "-F", "json", a, b)
        rc2, reversed_, err = run("analyze", "-F", "json", b, a)
        jo, jr = json.loads(ordered), json.loads(reversed_)
        f.check(rc == 0 and rc2 == 0 and all(jo[k] == jr[k] for k in
                                             ("hosts", "connections", "dns")),
                f"b a differs from a b: {err}")
        f.check(f"'{a}' (first packet " in err and f"was captured before '{b}'" in err,
                f"no warning naming both files: {err!r}")
        f.check([i.get("given_position") for i in jr["inputs"]] == [2, 1] and
                [i["path"] for i in jr["inputs"]] == [a, b] and
                all("given_position" not in i for i in jo["inputs"]),
                f"inputs do not say the order: {jr['inputs']}")
        # a file without packets (a rotation's quiet first second) keeps its
        # place: only files with packets are put in time order
        empty = os.path.join(tmp, "empty.pcap")
        with open(SAMPLE, "rb") as src, open(empty, "wb") as out:
            out.write(src.read(24))  # the file header alone
        rc, jn, err = run("analyze", "-F", "json", empty, a, b)
        paths = [i["path"] for i in json.loads(jn)["inputs"]] if rc == 0 else []
        f.check(paths == [empty, a, b] and "order of their first packets" not in err,
                f"an empty first file moved: {paths} {err!r}")
        rc, jn, err = run("analyze", "-F", "json", empty, b, a)
        paths = [i["path"] for i in json.loads(jn)["inputs"]] if rc == 0 else []
        f.check(paths == [empty, a, b] and "order of their first packets" in err,
                f"files around an empty one: {paths} {err!r}")
        # the same capture twice under two names is refused
        c = os.path.join(tmp, "c.pcap")
        shutil.copy(a, c)
        rc, _, err = run("analyze", a, c)
        f.check(rc == 2 and "hold the same capture" in err and len(one_line(err)) == 1,
                f"a copy given twice: {rc} {err!r}")

        # the output is checked before the analysis: exit 3, nothing else done
        rc, out, err = run("analyze", SAMPLE, "-o", os.path.join(tmp, "no", "dir", "r.json"))
        f.check(rc == 3 and len(one_line(err)) == 1 and "cannot write the report to" in err,
                f"-o in a missing folder: exit {rc}: {err!r}")
        # standard output on a full disk
        if os.path.exists("/dev/full"):
            with open("/dev/full", "wb") as full:
                import subprocess
                from common import BIN
                p = subprocess.run([BIN, "analyze", "-q", SAMPLE], stdout=full,
                                   stderr=subprocess.PIPE)
            err = p.stderr.decode()
            f.check(p.returncode == 3 and "cannot write the report to standard output: "
                    "No space left on device" in err, f"/dev/full: {p.returncode} {err!r}")

        # --fail-on names the hosts that made it fail
        rc, _, err = run("analyze", "-q", SAMPLE, "-p", "huggingface", "--fail-on", "denied")
        f.check(rc == 1 and "egress-audit analyze: denied: registry-1.docker.io:443/tcp "
                "(no rule permits this name)" in err, f"--fail-on denied: {rc} {err!r}")
        rc, _, err = run("analyze", "-q", SAMPLE, "--fail-on", "unreached")
        f.check(rc == 1 and "unreached: 198.18.0.16:443/tcp (no-answer)" in err,
                f"--fail-on unreached: {rc} {err!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    f.finish("cli")


if __name__ == "__main__":
    main()
