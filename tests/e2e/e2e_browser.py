#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTML report in a real browser: headless Chromium (Debian's
`chromium`) opens the sample's report judged against -p huggingface, and the
report of a capture full of hostile names (e2e_inert.py's), saves a
screenshot of each at a screen's width and at an A4 page's, and prints them
to PDF. Checked: the file has no script and names no external resource (the
same checks as e2e_inert.py), the browser fetched nothing for the page
(its net log: every request the page made is file: or data:; a page with an
external image, as a control, is caught), the screenshots are PNGs and the
PDF pages are A4. The screenshots stay in the build directory
(tests/e2e/browser/) for a person to look at. Exit 77 (skip) when Chromium
is not installed (.ci/run installs it)."""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import e2e_inert
from common import SKIP, SRC, Failures, run

SAMPLE = os.path.join(SRC, "samples", "hf-deploy.pcap")
BUILD = os.environ.get("EA_BUILD", os.path.join(SRC, "build"))
OUT = os.path.join(BUILD, "tests", "e2e", "browser")
A4_PT = (595.28, 841.89)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browse(exe, page, *args):
    """Run headless Chromium on page with args; returns (exit code, net log path)."""
    profile = tempfile.mkdtemp(prefix="ea-chromium-")
    netlog = os.path.join(profile, "netlog.json")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--no-first-run", f"--user-data-dir={profile}", f"--log-net-log={netlog}", *args,
           "file://" + os.path.abspath(page)]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=180)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        rc = -1
    return rc, netlog, profile


def page_fetches(netlog):
    """The URLs the page itself asked for, other than file: and data: (the
    browser's own background requests have no origin and are left out)."""
    try:
        j = json.load(open(netlog))
    except (OSError, ValueError):
        return None
    types = {v: k for k, v in j["constants"]["logEventTypes"].items()}
    urls = []
    for e in j["events"]:
        p = e.get("params") or {}
        if types.get(e["type"]) != "URL_REQUEST_START_JOB" or "url" not in p:
            continue
        from_page = p.get("initiator") != "not an origin" or "file://" in str(
            p.get("network_isolation_key", ""))
        if from_page and not p["url"].startswith(("file:", "data:", "about:")):
            urls.append(p["url"])
    return urls


def png_size(path):
    try:
        data = open(path, "rb").read(32)
    except OSError:
        return None
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def pdf_pages(path):
    import re
    try:
        data = open(path, "rb").read()
    except OSError:
        return []
    return [(float(a), float(b)) for a, b in
            re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)]


def check_page(f, exe, name, html):
    page = os.path.join(OUT, name + ".html")
    with open(page, "wb") as fh:
        fh.write(html)
    e2e_inert.check_html(f, name, html)
    for label, size in (("screen", "1280,3200"), ("a4", "794,3200")):
        shot = os.path.join(OUT, f"{name}-{label}.png")
        rc, netlog, profile = browse(exe, page, f"--screenshot={shot}", f"--window-size={size}")
        f.check(rc == 0, f"{name}: chromium --screenshot exited {rc}")
        dims = png_size(shot)
        f.check(dims is not None and dims[0] == int(size.split(",")[0]),
                f"{name}: screenshot {shot}: {dims}")
        urls = page_fetches(netlog)
        f.check(urls == [], f"{name}: the page fetched {urls}")
        shutil.rmtree(profile, ignore_errors=True)
        print(f"screenshot: {shot} {dims}")
    pdf = os.path.join(OUT, name + ".pdf")
    rc, netlog, profile = browse(exe, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    pages = pdf_pages(pdf)
    f.check(rc == 0 and pages and all(abs(w - A4_PT[0]) < 2 and abs(h - A4_PT[1]) < 2
                                      for w, h in pages),
            f"{name}: --print-to-pdf: exit {rc}, pages {pages}")
    shutil.rmtree(profile, ignore_errors=True)
    print(f"pdf: {pdf} ({len(pages)} A4 pages)")


def main():
    exe = chromium()
    if not exe:
        print("skip: no chromium (apt-get install chromium; .ci/run does)")
        sys.exit(SKIP)
    f = Failures()
    os.makedirs(OUT, exist_ok=True)
    # the control: a page with an external image must be caught
    control = os.path.join(OUT, "control.html")
    with open(control, "w") as fh:
        fh.write('<!DOCTYPE html><img src="http://example.invalid/x.png">')
    rc, netlog, profile = browse(exe, control, "--screenshot=" + os.path.join(OUT, "control.png"))
    f.check(page_fetches(netlog) == ["http://example.invalid/x.png"],
            f"control: the net log does not show the external image ({page_fetches(netlog)})")
    shutil.rmtree(profile, ignore_errors=True)

    rc, html, err = run("analyze", "-q", "-F", "html", "-v", "-p", "huggingface", SAMPLE)
    if f.check(rc == 0, f"analyze -F html: {rc} {err}"):
        check_page(f, exe, "hf-deploy-huggingface", html)
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "evil.pcap")
        e2e_inert.capture(pcap)
        rc, html, err = run("analyze", "-q", "-F", "html", "-v", "-p", "huggingface",
                            "-a", e2e_inert.rules(tmp), pcap)
        if f.check(rc == 0, f"analyze -F html (hostile): {rc} {err}"):
            check_page(f, exe, "hostile", html)
    f.finish(f"browser: {exe}")


if __name__ == "__main__":
    main()
