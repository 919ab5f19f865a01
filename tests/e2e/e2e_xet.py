#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 14's test capture (samples/hf-xet.pcap, made by
`samples/make-sample.sh --scenario xet` with real clients): a 2026 Hugging
Face download (huggingface.co, its 302s, the Xet storage and CDN hosts under
hf.co) and a Docker Hub pull (auth, registry, its 307 to CloudFront).

- The report agrees with the script's ground truth (hf-xet.truth.tsv): every
  TCP connection with its destination, name, source, outcome and DNS name, and
  every named host with its connections and outcome.
- `-p huggingface` (Microsoft's five hosts) denies every one of those hosts but
  huggingface.co, and the suggested rules (remediation.add) cover every denied
  name, by Azure's FQDN matching.
- `-p huggingface-hub -p docker-hub` allows every one, each by its own
  profile.
- Where the report gives a host's service (the "service" key, when present),
  it names the right one."""
import csv
import os

from common import SRC, Failures, analyze_json

SAMPLE = os.path.join(SRC, "samples", "hf-xet.pcap")
TRUTH = os.path.join(SRC, "samples", "hf-xet.truth.tsv")

HF, DOCKER = "Hugging Face Hub", "Docker Hub"
# host: (the profile that allows it, its service, a word its role contains,
# or its exact role when the issue gives it)
HOSTS = {
    "huggingface.co": ("huggingface-hub", HF, None),
    "cas-bridge.xethub.hf.co": ("huggingface-hub", HF, "Xet"),
    "cas-server.xethub.hf.co": ("huggingface-hub", HF, "Xet"),
    "transfer.xethub.hf.co": ("huggingface-hub", HF, "=Xet storage"),
    "cas-server.xethub-eu.hf.co": ("huggingface-hub", HF, "Xet"),
    "us.aws.cdn.hf.co": ("huggingface-hub", HF, "CDN"),
    "us.gcp.cdn.hf.co": ("huggingface-hub", HF, "CDN"),
    "cdn-lfs-us-1.hf.co": ("huggingface-hub", HF, "CDN"),
    "auth.docker.io": ("docker-hub", DOCKER, None),
    "registry-1.docker.io": ("docker-hub", DOCKER, None),
    "production.cloudfront.docker.com": ("docker-hub", DOCKER, "CDN"),
}
ALLOWED_BY_MICROSOFT = {"huggingface.co"}  # in -p huggingface


def azure_match(destination, name):
    """An Azure FQDN rule's destination matches name: "*.x" matches every name
    that ends in ".x" (not x itself); anything else only the same name."""
    destination, name = destination.lower(), name.lower()
    if destination.startswith("*."):
        return name.endswith(destination[1:])
    return name == destination


def named_hosts(rep):
    return {h["key"]: h for h in rep["hosts"] if h["name"]}


def check_truth(f, rep):
    tcp = [c for c in rep["connections"] if c["transport"] == "tcp"]
    truth = list(csv.DictReader(open(TRUTH), delimiter="\t"))
    f.check(len(tcp) == len(truth), f"{len(tcp)} TCP connections, truth has {len(truth)}")
    for i, (t, c) in enumerate(zip(truth, tcp)):
        where = f"truth line {i + 2} ({t['name'] or t['dst']}:{t['dport']})"
        f.check(c["dst"] == t["dst"] and str(c["dport"]) == t["dport"],
                f"{where}: connection is {c['dst']}:{c['dport']}")
        f.check((c["name"] or "") == t["name"], f"{where}: name {c['name']!r}")
        f.check(c["name_source"] == t["name_source"], f"{where}: name_source {c['name_source']}")
        f.check(c["outcome"] == t["outcome"],
                f"{where}: outcome {c['outcome']} ({c['outcome_why']})")
        dns = t["note"].split(";")[0].removeprefix("dns=").split(" ")[0]
        if dns != "-":
            got = (c["resolved_as"] or [None])[0]
            f.check(got == dns, f"{where}: resolved_as {c['resolved_as']}, want {dns}")
    # The truth's names are the report's named hosts: each on 443/tcp with
    # the truth's number of connections and its (one) outcome.
    want = {}
    for t in truth:
        want.setdefault(t["name"], []).append(t["outcome"])
    hosts = named_hosts(rep)
    f.check(set(hosts) == set(want) == set(HOSTS),
            f"named hosts {sorted(hosts)}, truth names {sorted(want)}, expected {sorted(HOSTS)}")
    for name, outcomes in want.items():
        h = hosts.get(name)
        if not f.check(h is not None, f"{name}: not a host of the report"):
            continue
        f.check(h["port"] == 443 and h["transport"] == "tcp" and h["name_source"] == "sni",
                f"{name}: host is {h['port']}/{h['transport']} from {h['name_source']}")
        f.check(h["connections"] == len(outcomes),
                f"{name}: {h['connections']} connections, truth has {len(outcomes)}")
        f.check(len(set(outcomes)) == 1 and h["outcome"] == outcomes[0],
                f"{name}: outcome {h['outcome']}, truth {outcomes}")
    return len(truth)


def check_services(f, rep, what):
    for name, h in named_hosts(rep).items():
        if "service" not in h or name not in HOSTS:
            continue
        _, service, role = HOSTS[name]
        s = h["service"]
        if not f.check(isinstance(s, dict), f"{what}: {name}: service {s!r}, want {service}"):
            continue
        f.check({"name", "role", "source"} <= set(s), f"{what}: {name}: service keys {sorted(s)}")
        f.check(s.get("name") == service,
                f"{what}: {name}: service {s.get('name')!r}, want {service}")
        f.check(isinstance(s.get("source"), str) and s["source"] != "",
                f"{what}: {name}: service source {s.get('source')!r}")
        got = s.get("role")
        if role and role.startswith("="):
            f.check(got == role[1:], f"{what}: {name}: role {got!r}, want {role[1:]!r}")
        else:
            f.check(isinstance(got, str) and got != "" and (role is None or role in got),
                    f"{what}: {name}: role {got!r}" + (f", want one with {role!r}" if role else ""))


def main():
    f = Failures()
    plain = analyze_json(SAMPLE)
    f.check(plain["inputs"][0]["linktype_name"] == "LINUX_SLL2", "sample is not LINUX_SLL2")
    n = check_truth(f, plain)
    dns = {(d["query"], d["qtype"]): d for d in plain["dns"]}
    for name in HOSTS:
        d = dns.get((name, "A"))
        f.check(d is not None and d["rcode"] == "NOERROR" and d["answers"],
                f"{name}: no answered A query")
    cname = dns.get(("cdn-lfs-us-1.hf.co", "A"))
    f.check(cname is not None and [a["type"] for a in cname["answers"]] == ["CNAME", "A"],
            "CNAME chain of cdn-lfs-us-1.hf.co")
    lfs = [c["resolved_as"] for c in plain["connections"] if c["name"] == "cdn-lfs-us-1.hf.co"]
    f.check(lfs == [["cdn-lfs-us-1.hf.co", "d1x7example.cloudfront.net"]],
            f"cdn-lfs-us-1.hf.co's connection: resolved_as {lfs}, not the CNAME chain")
    check_services(f, plain, "no profile")

    # Microsoft's Hugging Face list: everything but huggingface.co is denied,
    # and what to add covers each denied name.
    rep = analyze_json(SAMPLE, "-p", "huggingface")
    hosts = named_hosts(rep)
    for name in HOSTS:
        h = hosts.get(name)
        if not f.check(h is not None, f"-p huggingface: {name} is not a host"):
            continue
        want = "allowed" if name in ALLOWED_BY_MICROSOFT else "denied"
        f.check(h["verdict"] == want, f"-p huggingface: {name} is {h['verdict']}, want {want} "
                                      f"({h['verdict_why']})")
    denied = sorted(k for k, h in hosts.items() if h["verdict"] == "denied")
    f.check(denied == sorted(set(HOSTS) - ALLOWED_BY_MICROSOFT),
            f"-p huggingface: denied {denied}")
    add = rep["remediation"]["add"]
    for name in denied:
        by = [a["destination"] for a in add if azure_match(a["destination"], name)]
        f.check(by, f"-p huggingface: no suggested rule covers {name}: "
                    f"{[a['destination'] for a in add]}")
    for a in add:
        f.check(a["wildcard"] == a["destination"].startswith("*."),
                f"-p huggingface: {a['destination']}: wildcard {a['wildcard']}")
        for name in a["covers"]:
            f.check(azure_match(a["destination"], name),
                    f"-p huggingface: {a['destination']} says it covers {name}, "
                    "which Azure would not match")
            f.check(name in denied, f"-p huggingface: {a['destination']} covers {name}, "
                                    "which is not denied")
    check_services(f, rep, "-p huggingface")
    # the drift: each denied host is already known to a newer built-in profile
    for name in denied:
        want = HOSTS[name][0]
        f.check(want in hosts[name].get("known_in", []),
                f"-p huggingface: {name} known_in {hosts[name].get('known_in')}, want {want}")
    # the service's own guidance, cited next to the exact names
    notes = {n["service"]: n for n in rep["remediation"].get("service_notes", [])}
    hf = notes.get("Hugging Face Hub")
    f.check(hf is not None and "hf.co" in hf["guidance"] and hf["source"].startswith("https://")
            and sorted(hf["covers"]) == sorted(n for n in denied if n.endswith(".hf.co")),
            f"-p huggingface: Hugging Face guidance {hf}")

    # Hugging Face's and Docker's own lists allow every host.
    rep = analyze_json(SAMPLE, "-p", "huggingface-hub", "-p", "docker-hub")
    hosts = named_hosts(rep)
    for name, (profile, _, _) in HOSTS.items():
        h = hosts.get(name)
        if not f.check(h is not None, f"-p huggingface-hub -p docker-hub: {name} is not a host"):
            continue
        f.check(h["verdict"] == "allowed",
                f"-p huggingface-hub -p docker-hub: {name} is {h['verdict']} ({h['verdict_why']})")
        rule = h["rule"] or {}
        f.check(rule.get("origin") == f"profile {profile}",
                f"-p huggingface-hub -p docker-hub: {name} allowed by {rule}, "
                f"want profile {profile}")
    f.check(rep["remediation"]["add"] == [],
            f"-p huggingface-hub -p docker-hub: rules to add {rep['remediation']['add']}")
    check_services(f, rep, "-p huggingface-hub -p docker-hub")
    f.finish(f"xet: {n} truth connections, {len(HOSTS)} hosts")


if __name__ == "__main__":
    main()
