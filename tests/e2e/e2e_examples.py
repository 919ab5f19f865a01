#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every egress-audit command line shown in README.md and in the man page's
EXAMPLES runs, in a scratch folder holding the files the examples name (the
sample capture as deploy.pcap, a.pcap and b.pcapng as its two halves, rule
files from tests/data/rules). The lines are extracted from the documents,
not copied here: an example that exits 2 (usage or input error), 3, or by a
signal fails the test. Exit 1 is --fail-on doing its job. Examples that need
a live interface are skipped with the reason."""
import os
import re
import shlex
import shutil
import subprocess
import tempfile

from common import BIN, SRC, Failures, split_pcap

SAMPLE = os.path.join(SRC, "samples", "hf-deploy.pcap")
RULES = os.path.join(SRC, "tests", "data", "rules")
# capture -i needs an interface, privileges and traffic; capture -D runs anywhere
LIVE = re.compile(r"\bcapture\b.*\s-i\b")


def readme_commands():
    text = open(os.path.join(SRC, "README.md"), encoding="utf-8").read()
    out = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("$ "):
                line = line[2:]
            if "egress-audit " in line and (line.startswith("egress-audit ") or
                                            "| egress-audit " in line or
                                            line.startswith("sudo egress-audit ")):
                out.append(("README.md", line))
    for span in re.findall(r"`(egress-audit [^`]+)`", text):
        out.append(("README.md", span))
    return out


def man_commands():
    text = open(os.path.join(SRC, "doc", "egress-audit.1"), encoding="utf-8").read()
    m = re.search(r"^\.SH EXAMPLES\n\.nf\n(.*?)^\.fi", text, flags=re.S | re.M)
    lines = m.group(1).splitlines() if m else []
    return [("egress-audit.1", l.replace("\\-", "-").strip()) for l in lines if l.strip()]


def strip_comment(line):
    """Drop a trailing '# comment' that is not inside quotes."""
    try:
        lex = shlex.shlex(line, posix=True, punctuation_chars="|")
        lex.whitespace_split = True
        lex.commenters = "#"
        words = list(lex)
    except ValueError:
        return line
    return " ".join(shlex.quote(w) if w != "|" else w for w in words)


# An example that names a file not made here exits 2 and fails the test:
# add the file to scratch() along with the example.


def scratch():
    d = tempfile.mkdtemp(prefix="ea-examples-")
    os.mkdir(os.path.join(d, "samples"))
    shutil.copy(SAMPLE, os.path.join(d, "samples", "hf-deploy.pcap"))
    shutil.copy(SAMPLE, os.path.join(d, "deploy.pcap"))
    shutil.copy(SAMPLE, os.path.join(d, "x.pcap"))
    split_pcap(SAMPLE, os.path.join(d, "a.pcap"), os.path.join(d, "b.pcapng"))
    shutil.copy(os.path.join(RULES, "workspace-list.yml"), os.path.join(d, "workspace.yml"))
    shutil.copy(os.path.join(RULES, "rules.txt"), os.path.join(d, "extra.txt"))
    shutil.copy(os.path.join(RULES, "arm.json"), os.path.join(d, "outbound-rules.json"))
    # saved runs for `egress-audit report`: three runs for a union (the sample
    # cut at different packet counts, so they differ), an older and a newer
    # one for --diff; run.json also comes from an earlier example, but not
    # from the man page's, which may run first
    for name, count in (("a.json", "80"), ("b.json", "160"), ("c.json", None),
                        ("old.json", "100"), ("new.json", None), ("run.json", None)):
        args = [os.path.abspath(BIN), "analyze", "-q", "-F", "json", "-o", os.path.join(d, name)]
        if count:
            args += ["-c", count]
        subprocess.run(args + [SAMPLE], check=True, timeout=120)
    return d


def main():
    f = Failures()
    d = scratch()
    bindir = os.path.dirname(os.path.abspath(BIN))
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    ran = skipped = 0
    try:
        seen = set()
        for doc, raw in readme_commands() + man_commands():
            cmd = strip_comment(raw)
            if cmd in seen:
                continue
            seen.add(cmd)
            if cmd.startswith("sudo "):
                cmd = cmd[5:]
            if LIVE.search(cmd):
                print(f"skip ({doc}): needs a live interface: {raw}")
                skipped += 1
                continue
            p = subprocess.run(["bash", "-c", cmd], cwd=d, env=env, capture_output=True,
                               timeout=120)
            ran += 1
            err = p.stderr.decode(errors="replace").strip()
            f.check(p.returncode in (0, 1),
                    f"{doc}: `{raw}` exited {p.returncode}: {err[:300]}")
        f.check(ran >= 10, f"only {ran} examples found: is the extraction broken?")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    f.finish(f"examples ({ran} run, {skipped} skipped)")


if __name__ == "__main__":
    main()
