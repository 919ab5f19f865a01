#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile captures (tests/hostile/gen_hostile.py): the binary on each, JSON
and text, with a time bound and a memory bound per run.

For every case: exit 0 or 2, never a signal, never past the time bound; an
exit 2 is one line on stderr naming the file; the JSON parses; the text
report and the warnings carry no raw control bytes; peak RSS under
EA_HOSTILE_RSS_MIB (256) unless the binary has a sanitizer; then the case's
own expectations (its `Expect` in the generator's table). Every failure is
printed with the case name, the command and what it printed.

    e2e_hostile.py [NAME...]   only the cases whose name contains a NAME
    EA_KEEP=1                  keep the captures (the directory is printed)
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "hostile"))
from common import BIN  # noqa: E402
import gen_hostile  # noqa: E402

RSS_MIB = int(os.environ.get("EA_HOSTILE_RSS_MIB", "256"))


def sanitized(path):
    """ASan/UBSan/MSan builds are slower and hold shadow memory."""
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
    except OSError:
        return False
    return any(s in blob for s in (b"__asan_init", b"__ubsan_handle", b"__msan_init",
                                   b"__tsan_init"))


class Run:
    def __init__(self, argv, rc, out, err, seconds, rss_kib, timed_out):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err
        self.seconds, self.rss_kib, self.timed_out = seconds, rss_kib, timed_out

    def cmd(self):
        return " ".join(shlex.quote(a) for a in self.argv)

    def show(self, limit=1500):
        err = self.err.decode(errors="replace")
        out = self.out.decode(errors="replace")
        s = f"    $ {self.cmd()}\n    exit {self.rc}, {self.seconds:.2f} s, max RSS {self.rss_kib // 1024} MiB"
        if err.strip():
            s += "\n    stderr: " + err.strip()[:limit].replace("\n", "\n            ")
        if out.strip() and (self.rc not in (0,) or len(out) < 400):
            s += "\n    stdout: " + out.strip()[:limit].replace("\n", "\n            ")
        return s


def _run_child(argv, timeout, out, err):
    """Run argv with a wall-clock bound; wait4 gives its peak RSS (KiB)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    timed_out = False
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - t0 > timeout:
            timed_out = True
            p.kill()
            pid, status, ru = os.wait4(p.pid, 0)
            break
        time.sleep(0.005)
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return p.returncode, time.monotonic() - t0, ru.ru_maxrss, timed_out


class Spawner:
    """Runs the binary from a process forked at start-up. Linux counts the
    peak RSS of the process that forks (or vforks) a child into the child's
    ru_maxrss, and this test's own peak grows when it reads a 100 MB report;
    the spawner never reads one, so what wait4 says is the binary's."""

    def __init__(self):
        req_r, self.req_w = os.pipe()
        self.res_r, res_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self.req_w)
            os.close(self.res_r)
            rd, wr = os.fdopen(req_r, "r"), os.fdopen(res_w, "w")
            code = 0
            try:
                for line in rd:
                    q = json.loads(line)
                    with open(q["out"], "wb") as out, open(q["err"], "wb") as err:
                        res = _run_child(q["argv"], q["timeout"], out, err)
                    wr.write(json.dumps(res) + "\n")
                    wr.flush()
            except BaseException:
                code = 1
            os._exit(code)
        os.close(req_r)
        os.close(res_w)
        self.req = os.fdopen(self.req_w, "w")
        self.res = os.fdopen(self.res_r, "r")

    def run(self, argv, timeout, tmp):
        out, err = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
        self.req.write(json.dumps({"argv": argv, "timeout": timeout, "out": out, "err": err}) + "\n")
        self.req.flush()
        rc, seconds, rss, timed_out = json.loads(self.res.readline())
        with open(out, "rb") as fh:
            o = fh.read()
        with open(err, "rb") as fh:
            e = fh.read()
        return Run(argv, rc, o, e, seconds, rss, timed_out)

    def close(self):
        self.req.close()
        os.waitpid(self.pid, 0)


def raw_bytes(b):
    """Bytes a terminal would act on: controls other than newline and tab, DEL, non-ASCII."""
    return sorted({x for x in b if (x < 0x20 and x not in (0x0A, 0x09)) or x >= 0x7F})


def check_case(c, spawner, tmp, slow, rss_bound):
    fails = []
    e = c.expect
    timeout = e.timeout * (4 if slow else 1)

    def fail(what, *runs):
        fails.append(what + "".join("\n" + r.show() for r in runs))

    jrun = spawner.run([BIN, "analyze", "-q", "-F", "json", *e.args, c.path], timeout, tmp)
    trun = spawner.run([BIN, "analyze", "--color", "never", "-F", "text", *e.args, c.path],
                       timeout, tmp)
    for r in (jrun, trun):
        if r.timed_out:
            fail(f"did not finish within {timeout} s (killed)", r)
        elif r.rc < 0:
            fail(f"died by signal {-r.rc}", r)
        elif r.rc not in (0, 2):
            fail(f"exit {r.rc}: only 0 or 2 are allowed for an input", r)
        elif r.rc not in e.exit:
            fail(f"exit {r.rc}, want {' or '.join(map(str, e.exit))}", r)
        if rss_bound and r.rss_kib > rss_bound * 1024:
            fail(f"peak RSS {r.rss_kib // 1024} MiB over the bound of {rss_bound} MiB", r)
        bad = raw_bytes(r.err)
        if bad:
            fail(f"raw control or non-ASCII bytes on stderr: {bad[:8]}", r)
    if fails:
        return fails, jrun
    if jrun.rc != trun.rc:
        fail(f"JSON run exit {jrun.rc}, text run exit {trun.rc}", jrun, trun)
    if jrun.rc == 2:
        for r in (jrun, trun):
            lines = [l for l in r.err.decode(errors="replace").splitlines() if l.strip()]
            if len(lines) != 1 or c.path not in lines[0]:
                fail("exit 2 must print exactly one line naming the file", r)
            if r.out:
                fail("exit 2 but a report was written", r)
        return fails, jrun

    try:
        rep = json.loads(jrun.out)
    except ValueError as x:
        fail(f"the JSON does not parse: {x}", jrun)
        return fails, jrun
    text = trun.out.decode(errors="replace")
    err = trun.err.decode(errors="replace")
    bad = raw_bytes(trun.out)
    if bad:
        fail(f"raw control or non-ASCII bytes in the text report: {bad[:8]}", trun)
    if raw_bytes(jrun.out):
        fail("non-ASCII or control bytes in the JSON", jrun)

    counters = rep["stats"]["counters"]
    conns = rep["connections"]
    names = [x["name"] for x in conns]
    for n in e.names:
        if n not in names:
            fail(f"no connection named {n!r}; names: {sorted(set(map(str, names)))}", jrun)
    if e.allowed_names is not None:
        allowed = e.allowed_names | set(e.names)
        odd = sorted({n for n in names if n is not None and n not in allowed})
        if odd:
            fail(f"names that are not in the capture's intent: {odd}", jrun)
    if len(conns) < e.conns_min:
        fail(f"{len(conns)} connections, want at least {e.conns_min}", jrun)
    for k, v in e.counters_min.items():
        if counters.get(k, 0) < v:
            fail(f"counter {k} is {counters.get(k)}, want >= {v}", jrun)
    for k, v in e.counters_eq.items():
        if counters.get(k) != v:
            fail(f"counter {k} is {counters.get(k)}, want {v}", jrun)
    dns = {d["query"]: d for d in rep["dns"]}
    for q, data in e.dns:
        d = dns.get(q)
        if d is None or not any(a["data"] == data for a in d["answers"]):
            fail(f"dns: no {q} -> {data}: {json.dumps(d)}", jrun)
    if e.truncated is not None and rep["truncated"] is not e.truncated:
        fail(f"\"truncated\" is {rep['truncated']}, want {e.truncated}", jrun)
    for w in e.stderr:
        if w not in err:
            fail(f"the warnings lack {w!r}", trun)
    for w in e.stderr_not:
        if w in err:
            fail(f"the warnings say {w!r}", trun)
    for w in e.text:
        if w not in text:
            fail(f"the text report lacks {w!r}", trun)
    if e.check:
        for what in e.check(rep, text, err):
            fail(what, jrun if "text" not in what else trun)
    return fails, jrun


def main():
    only = sys.argv[1:]
    keep = os.environ.get("EA_KEEP") == "1"
    slow = sanitized(BIN)
    rss_bound = 0 if slow else RSS_MIB
    spawner = Spawner()  # first, while this process is small
    tmp = tempfile.mkdtemp(prefix="ea-hostile-")
    runs = os.path.join(tmp, "runs")
    os.mkdir(runs)
    failed, passed = [], []
    try:
        cases = gen_hostile.generate(os.path.join(tmp, "pcap"), only)
        for c in cases:
            try:
                fails, jrun = check_case(c, spawner, runs, slow, rss_bound)
            except Exception as x:  # one broken case is its failure, not the run's
                import traceback
                fails, jrun = [f"raised {type(x).__name__}: {x}\n{traceback.format_exc(limit=4)}"], None
            stat = f"{jrun.seconds:6.2f} s {jrun.rss_kib // 1024:4d} MiB" if jrun else ""
            if fails:
                failed.append((c, fails))
                print(f"FAIL {c.name:28s} {stat}")
            else:
                passed.append(c)
                print(f"ok   {c.name:28s} {stat}")
    finally:
        spawner.close()
        if keep:
            print(f"captures kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for c, fails in failed:
        print(f"\nFAIL {c.name}: must: {c.must}")
        for f in fails:
            print("  - " + f)
    print(f"\n{len(passed)} of {len(passed) + len(failed)} hostile cases passed"
          + (" (sanitizer build: time bounds x4, no RSS bound)" if slow else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
