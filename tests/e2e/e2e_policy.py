#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Allowlists end to end: the sample against every built-in profile and
against the same rules in each input format (text, YAML list, YAML map, az
CLI JSON, ARM JSON), the remediation in each output form, the rules command,
--fail-on, and rule-file errors (exit 2, file:line, nothing half-applied).
Golden files (stdout and stderr) live in tests/e2e/golden/hf-deploy/policy/
and, for the rules command, tests/e2e/golden/rules/;
tests/e2e/regen-golden.sh rewrites them."""
import json
import os

from common import GOLDEN, SRC, Failures, golden_compare, golden_orphans, run_in_src, run_raw

SAMPLE = "samples/hf-deploy.pcap"
POLICY = os.path.join(GOLDEN, "hf-deploy", "policy")  # cases on the sample
RULES = os.path.join(GOLDEN, "rules")  # the rules command: no capture
PROFILES = ["curated", "huggingface", "meta", "aml-default", "managed-network-huggingface",
            "huggingface-hub", "docker-hub", "foundry-huggingface"]
FORMATS = {"text": "rules.txt", "yaml-list": "workspace-list.yml", "yaml-map": "workspace-map.yml",
           "az-json": "az-list.json", "arm-json": "arm.json"}
DATA = "tests/data/rules/"


def main():
    f = Failures()

    written = []

    def golden(path, *args, rc_want=0):
        rc, out, err = run_raw(*args, cwd=SRC)
        name = os.path.relpath(path, GOLDEN)
        f.check(rc == rc_want, f"{name}: exit {rc}, want {rc_want}: {err.decode().strip()}")
        golden_compare(f, path, out, err, name)
        written.append(path)
        return out

    # Each built-in profile: the text report (with its TO ADD section).
    for p in PROFILES:
        golden(os.path.join(POLICY, f"profile-{p}.txt"), "analyze", "-q", "--color", "never",
               "-p", p, SAMPLE)
    golden(os.path.join(POLICY, "profile-meta+aml-default.json"), "analyze", "-q", "-F", "json",
           "-p", "meta", "-p", "aml-default", SAMPLE)
    # the policy run in every other format
    for fmt in ("json", "md", "html", "csv"):
        golden(os.path.join(POLICY, f"profile-huggingface.{fmt}"), "analyze", "-q", "-F", fmt,
               "-p", "huggingface", SAMPLE)
    golden(os.path.join(POLICY, "profile-huggingface-v.md"), "analyze", "-q", "-F", "md", "-v",
           "-p", "huggingface", SAMPLE)
    golden(os.path.join(POLICY, "profile-huggingface-w132.txt"), "analyze", "-q", "--color",
           "never", "--width", "132", "-p", "huggingface", SAMPLE)
    # The same rules in every input format give the same verdicts.
    verdicts = {}
    for fmt, file in FORMATS.items():
        out = golden(os.path.join(POLICY, f"format-{fmt}.json"), "analyze", "-q", "-F", "json",
                     "-a", DATA + file, SAMPLE)
        rep = json.loads(out)
        verdicts[fmt] = {(h["key"], h["port"], h["transport"]): h["verdict"] for h in rep["hosts"]}
        f.check(rep["rules"] and all(r["origin"].startswith(DATA + file) for r in rep["rules"]),
                f"format {fmt}: every rule's origin names {file}")
    web = {k: v for k, v in verdicts["text"].items() if k[1] in (80, 443)}
    # The JSON forms mark *.pythonhosted.org Inactive (as the portal's toggle
    # does): that rule permits nothing, so files.pythonhosted.org is denied.
    inactive_effect = dict(web)
    inactive_effect[("files.pythonhosted.org", 80, "tcp")] = "denied"
    for fmt, v in verdicts.items():
        want = inactive_effect if fmt in ("az-json", "arm-json") else web
        f.check({k: v.get(k) for k in want} == want,
                f"format {fmt}: verdicts on 80/443 differ from the text format's")
    for file in ("az-list.json", "arm.json"):
        rep = json.loads(run_in_src("analyze", "-q", "-F", "json", "-a", DATA + file, SAMPLE)[1])
        f.check([r["pattern"] for r in rep["inactive_rules"]] == ["*.pythonhosted.org"],
                f"{file}: the Inactive rule is not reported")
        f.check(any(n["kind"] == "inactive" and n["host"] == "files.pythonhosted.org"
                    for n in rep["near_misses"]), f"{file}: no near miss for the Inactive rule")
    # Private endpoints keep subresource_target and spark_enabled from every
    # structured source, in the JSON report and in what --emit writes.
    pe = {"subresource_target": "blob", "spark_enabled": False}
    for fmt in ("yaml-list", "yaml-map", "az-json", "arm-json"):
        rep = json.loads(run_in_src("analyze", "-q", "-F", "json", "-a", DATA + FORMATS[fmt],
                                    SAMPLE)[1])
        got = [{k: r.get(k, "absent") for k in pe} for r in rep["rules"]
               if r["kind"] == "private_endpoint"]
        f.check(got == [pe], f"format {fmt}: private endpoint fields {got}, want {[pe]}")
        f.check(all(r.get("subresource_target", 0) is None and r.get("spark_enabled", 0) is None
                    for r in rep["rules"] if r["kind"] != "private_endpoint"),
                f"format {fmt}: subresource_target/spark_enabled on a rule of another kind")
    for form, want in (("az", "--subresource-target blob --spark-enabled false"),
                       ("yaml", "      subresource_target: blob\n      spark_enabled: false\n"),
                       ("bicep", "      subresourceTarget: 'blob'\n      sparkEnabled: false\n")):
        rc, out, err = run_in_src("rules", "-a", DATA + "arm.json", "--emit", form)
        text = out.decode()
        f.check(rc == 0 and want in text and "does not give it" not in text,
                f"rules --emit {form}: private endpoint fields lost or placeholder kept: {err}")

    # Unused rules are per destination: huggingface.co of the second profile
    # got no credit (the first profile's rule was cited) but is no candidate
    # to remove; it duplicates the rule that permitted the host.
    two = ("-p", "huggingface", "-p", "huggingface-hub")
    rep = json.loads(run_in_src("analyze", "-q", "-F", "json", *two, SAMPLE)[1])
    hf_hub = {"pattern": "huggingface.co", "origin": "profile huggingface-hub"}
    f.check(hf_hub not in rep["unused_rules"], "huggingface.co (huggingface-hub) listed as unused")
    f.check(rep.get("duplicate_rules") == [dict(hf_hub, duplicate_of={
                "pattern": "huggingface.co", "origin": "profile huggingface"})],
            f"duplicate_rules: {rep.get('duplicate_rules')}")
    f.check({"pattern": "hf.co", "origin": "profile huggingface-hub"} in rep["unused_rules"],
            "hf.co (another form, nothing used it) is still unused")
    text = run_in_src("analyze", "-q", "--color", "never", "--width", "0", *two,
                      SAMPLE)[1].decode()
    f.check("\nDuplicate rules: huggingface.co (profile huggingface-hub) duplicates "
            "huggingface.co (profile huggingface)\n" in text, "text: no duplicate rules line")
    f.check("huggingface.co (profile huggingface-hub)," not in text.split("Unused rules")[1]
            .split("\n")[0], "text: huggingface.co (huggingface-hub) listed as unused")
    rep = json.loads(run_in_src("analyze", "-q", "-F", "json", "-p", "huggingface", SAMPLE)[1])
    f.check(rep.get("duplicate_rules") == [], "one profile: duplicate_rules is []")

    # A name an Inactive rule would permit: activate that rule, no new rule.
    for file in ("az-list.json", "arm.json"):
        rep = json.loads(run_in_src("analyze", "-q", "-F", "json", "-a", DATA + file, SAMPLE)[1])
        add = rep["remediation"]["add"]
        act = [a for a in add if a.get("activate")]
        f.check(len(act) == 1 and act[0]["rule_name"] == "allow-pythonhosted"
                and act[0]["destination"] == "*.pythonhosted.org"
                and act[0]["covers"] == ["files.pythonhosted.org"]
                and act[0].get("rule") == {"pattern": "*.pythonhosted.org",
                                       "origin": DATA + file + ":rule 4"},
                f"{file}: activation remedy {act}")
        f.check(not any("files.pythonhosted.org" in a["covers"] for a in add if a not in act),
                f"{file}: a new rule is proposed for files.pythonhosted.org")
        f.check(all("activate" not in a and "rule" not in a for a in add if a not in act),
                f"{file}: activate/rule keys on a new rule")
        text = run_in_src("analyze", "-q", "--color", "never", "--width", "0", "-a",
                          DATA + file, SAMPLE)[1].decode()
        f.check(f"\n  activate rule allow-pythonhosted ({DATA}{file}:rule 4): *.pythonhosted.org"
                in text, f"{file}: text: no 'activate rule' line")
        az = run_in_src("analyze", "-q", "-a", DATA + file, "--emit", "az", SAMPLE)[1].decode()
        f.check("--rule allow-pythonhosted --type fqdn --destination '*.pythonhosted.org'" in az
                and "has no --status" in az and "allow-files-pythonhosted" not in az,
                f"{file}: --emit az: activation")
        for form, want in (("yaml", "    status: Active\n"), ("bicep", "    status: 'Active'\n")):
            out = run_in_src("analyze", "-q", "-a", DATA + file, "--emit", form, SAMPLE)[1]
            f.check(want in out.decode(), f"{file}: --emit {form}: no status Active")

    # Suggested rule names end at a whole label (33 characters at most).
    rep = json.loads(run_in_src("analyze", "-q", "-F", "json", "-p", "huggingface", SAMPLE)[1])
    for a in rep["remediation"]["add"]:
        name, dest = a["rule_name"], a["destination"].removeprefix("*.")
        labels = name.removeprefix("allow-").split("-")
        f.check(len(name) <= 33 and "-".join(labels) in dest.replace(".", "-")
                and dest.replace(".", "-").startswith("-".join(labels))
                and (dest.replace(".", "-") == "-".join(labels)
                     or dest.replace(".", "-")[len("-".join(labels))] == "-"),
                f"rule name {name} cuts a label of {dest}")
    f.check(any(a["rule_name"] == "allow-telemetry-unlisted-vendor"
                for a in rep["remediation"]["add"]), "telemetry.unlisted-vendor.example's name")

    # Service tags: without addresses a tag rule only "may cover" traffic;
    # with Microsoft's service-tag file it covers the addresses it lists.
    # (servicetags-sample.json lists the sample's 198.18.0.10 as AzureMachineLearning.)
    def host_verdict(rep, key, port, transport="tcp"):
        return next((h["verdict"], h["rule"]) for h in rep["hosts"]
                    if h["key"] == key and h["port"] == port and h["transport"] == transport)
    rep = json.loads(run_in_src("analyze", "-q", "-F", "json", "-a", DATA + "rules.txt", SAMPLE)[1])
    v, rule = host_verdict(rep, "198.18.0.10", 443)
    # 198.18.0.10 was resolved for huggingface.co, a name AzureMachineLearning does not serve
    f.check(v == "no-name" and rule is None, f"tag without addresses, address of another's name: {v}")
    rep = json.loads(run_in_src("analyze", "-q", "-F", "json", "-p", "aml-default", SAMPLE)[1])
    v, rule = host_verdict(rep, "198.18.0.53", 53, "udp")
    f.check(v == "infrastructure?" and rule["kind"] == "service_tag",
            f"tag without addresses, an address no name was resolved to: {v} {rule}")
    rc, out, err = run_in_src("analyze", "-q", "-F", "json", "-a", DATA + "rules.txt",
                              "--service-tags", DATA + "servicetags-sample.json", SAMPLE)
    f.check(rc == 0, f"--service-tags: exit {rc} {err}")
    rep = json.loads(out)
    v, rule = host_verdict(rep, "198.18.0.10", 443)
    f.check(v == "infrastructure" and rule["pattern"] == "AzureMachineLearning",
            f"tag resolved by --service-tags: {v} {rule}")
    v, _ = host_verdict(rep, "198.18.0.10", 8443)
    f.check(v != "infrastructure", "the tag rule is TCP 443 only: port 8443 is not covered")
    v, _ = host_verdict(rep, "198.18.0.53", 53, "udp")
    f.check(v == "infrastructure", f"the CIDR rule 198.18.0.53/32:53/udp covers DNS: {v}")
    v, _ = host_verdict(rep, "198.18.0.53", 53, "tcp")
    f.check(v == "no-name", f"the CIDR rule is UDP only: DNS over TCP is not covered: {v}")
    rc, _, err = run_in_src("analyze", "-q", "-a", DATA + "rules.txt", "--service-tags",
                            DATA + "bad-servicetags.json", SAMPLE)
    f.check(rc == 2 and "bad-servicetags.json" in err, f"bad service-tag file: {rc} {err}")

    # Past the connection row cap, hosts and verdicts stay complete.
    full = json.loads(run_in_src("analyze", "-q", "-F", "json", "-p", "huggingface", SAMPLE)[1])
    rc, out, err = run_in_src("analyze", "-q", "-F", "json", "-p", "huggingface",
                              "--max-connections", "5", SAMPLE)
    capped = json.loads(out)
    f.check(rc == 0 and len(capped["connections"]) == 5, f"--max-connections 5: {rc} {err}")
    f.check(capped["stats"]["counters"]["connections_not_listed"] == len(full["connections"]) - 5,
            "connections_not_listed counts the rest")
    # Every connection is counted in its host as it ends, listed or not
    # (ea_report_count_host), so no key of a host may differ: not the
    # counts, bytes, times, addresses, resolved names, nor the verdict.
    f.check(capped["hosts"] == full["hosts"],
            "hosts past the row cap differ from the full report's")
    # Nor anything judged from the hosts; only the rows and their counter do.
    for key in full:
        if key not in ("connections", "stats"):
            f.check(capped[key] == full[key], f"{key} past the row cap differs")
    counters = dict(capped["stats"]["counters"], connections_not_listed=0)
    f.check(counters == full["stats"]["counters"], "counters past the row cap differ")

    # Remediation in every output form.
    for form in ("text", "az", "yaml", "bicep"):
        golden(os.path.join(POLICY, f"remedy-huggingface.{form}"), "analyze", "-q", "-p",
               "huggingface", "--emit", form, SAMPLE)
    golden(os.path.join(POLICY, "remedy-huggingface-named.az"), "analyze", "-q", "-p",
           "huggingface", "--emit", "az", "--resource-group", "rg-ml", "--workspace",
           "contoso-ml", SAMPLE)
    # The rules command: print, convert, list (named by the rules read).
    golden(os.path.join(RULES, "curated.az"), "rules", "-p", "curated", "--emit", "az")
    golden(os.path.join(RULES, "workspace-list.yaml"), "rules", "-a", DATA + "workspace-list.yml",
           "--emit", "yaml")
    golden(os.path.join(RULES, "arm.bicep"), "rules", "-a", DATA + "arm.json", "--emit", "bicep")
    golden(os.path.join(RULES, "rules.txt"), "rules", "-a", DATA + "rules.txt")
    golden(os.path.join(RULES, "list.txt"), "rules", "--list")
    # a rule that loads with a warning: the golden stderr holds it
    golden(os.path.join(RULES, "lookalike.txt"), "rules", "-a", DATA + "lookalike.txt")
    golden_orphans(f, written, POLICY, RULES)

    # --fail-on denied: 1 exactly when some host is denied; never keeps 0.
    rc, _, _ = run_in_src("analyze", "-q", "-p", "huggingface", "--fail-on", "denied", SAMPLE)
    f.check(rc == 1, f"--fail-on denied with denied hosts: exit {rc}, want 1")
    rc, _, err = run_in_src("analyze", "-q", "-a", DATA + "allow-all.txt", "--fail-on", "denied",
                            SAMPLE)
    f.check(rc == 0, f"--fail-on denied with nothing denied: exit {rc}, want 0 ({err})")
    rc, _, _ = run_in_src("analyze", "-q", "-p", "huggingface", "--fail-on", "never", SAMPLE)
    f.check(rc == 0, f"--fail-on never: exit {rc}")
    rc, _, _ = run_in_src("analyze", "-q", "-p", "huggingface", SAMPLE)
    f.check(rc == 0, f"default --fail-on: exit {rc}")
    rc, _, _ = run_in_src("analyze", "-q", "--fail-on", "unreached", SAMPLE)
    f.check(rc == 1, f"--fail-on unreached (a refused and a no-answer host): exit {rc}")
    rc, _, err = run_in_src("analyze", "-q", "--fail-on", "denied", SAMPLE)
    f.check(rc == 2 and "allowlist" in err, f"--fail-on denied without rules: exit {rc} {err}")

    # Rule-file errors: exit 2, one line naming file:line, no report.
    for bad, where in [("bad-wildcard.txt", ":"), ("bad-hostbits.txt", ":"), ("bad-type.yml", ":"),
                       ("bad-duplicate.yml", ":"), ("bad-not-mapping.yml", ":"),
                       ("bad-empty-destination.json", ":"), ("bad-syntax.json", ":")]:
        rc, out, err = run_in_src("analyze", "-q", "-p", "huggingface", "-a", DATA + bad, SAMPLE)
        lines = [l for l in err.splitlines() if l.strip()]
        f.check(rc == 2 and out == b"", f"{bad}: exit {rc}, want 2 and no report")
        f.check(len(lines) == 1 and (DATA + bad + where) in lines[0],
                f"{bad}: want one line naming the file and position, got {lines}")
    rc, _, err = run_in_src("analyze", "-q", "-p", "no-such-profile", SAMPLE)
    f.check(rc == 2 and "unknown profile" in err, f"unknown profile: {rc} {err}")
    rc, _, err = run_in_src("rules", "-a", DATA + "lookalike.txt")
    f.check(rc == 0 and "warning" in err and "plain suffix" in err,
            f"look-alike rule: loads with a warning: {rc} {err}")
    f.finish("policy")


if __name__ == "__main__":
    main()
