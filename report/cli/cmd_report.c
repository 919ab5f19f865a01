/* SPDX-License-Identifier: GPL-3.0-or-later */
/* egress-audit report: a saved JSON report in, rendered again, optionally
 * judged against another allowlist; no capture needed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exitcode.h"
#include "options.h"
#include "policy.h"
#include "report_read.h"

static void usage(FILE *out)
{
    fputs("usage: egress-audit report [OPTIONS] REPORT.json...\n"
          "       egress-audit report [OPTIONS] NEW.json... --diff OLD.json\n"
          "\n"
          "Reads JSON reports (egress-audit analyze -F json; '-' reads stdin) and writes\n"
          "them again, in any format, without the captures. Several reports give their\n"
          "union: each host with the runs that contacted it, and the rules to add for\n"
          "all of them. With -p or -a the hosts are judged again against those rules\n"
          "instead of the reports' own. --diff says what changed from an older report.\n"
          "\n"
          "options:\n"
          "  -F, --format FORMAT   text (default), json, md (Markdown), html, or csv (one\n"
          "                        row per connection)\n"
          "  -o, --output OUT      write the report to OUT instead of standard output\n"
          "  -v, --connections     text, md, html: list every connection and DNS query too\n"
          "      --width N         text: fit N columns (0: no limit; default: the terminal's,\n"
          "                        80 when not a terminal)\n"
          "      --color WHEN      auto (default), always or never; text only\n"
          "      --diff OLD.json   new hosts, hosts no longer contacted, changed outcomes\n"
          "                        and verdicts, since OLD.json (judged like the others)\n"
          "  -q, --quiet           no warnings on standard error\n"
          "  -h, --help            this help\n"
          "\n"
          "allowlist (replaces the reports' rules, verdicts, near misses and the rules\n"
          "to add):\n"
          "  -p, --profile NAME    a built-in profile (egress-audit rules --list); repeatable\n"
          "  -a, --allowlist FILE  rules: text, workspace YAML, az CLI or ARM JSON; repeatable\n"
          "      --service-tags FILE  Microsoft's ServiceTags_Public_*.json: match service\n"
          "                        tag rules by address\n"
          "      --fail-on WHAT    exit 1 if some host is denied (denied), did not reach its\n"
          "                        service (unreached), or is new since --diff OLD (new);\n"
          "                        never (default) keeps 0\n"
          "      --emit FORMAT     print only the rules to add: text, az, yaml or bicep\n"
          "      --resource-group RG, --workspace WS   names for the az and Bicep output\n"
          "\n"
          "Without -p or -a, --fail-on denied and --emit use the reports' own verdicts;\n"
          "a union is judged again against the rules its reports share (when they were\n"
          "judged against different rules it is not judged). Reports of a newer schema\n"
          "are refused.\n",
          out);
}

static const enum opt_id report_opts[] = {
    OPT_HELP,      OPT_FORMAT,    OPT_OUTPUT,       OPT_COLOR,       OPT_QUIET,
    OPT_PROFILE,   OPT_ALLOWLIST, OPT_SERVICE_TAGS, OPT_EMIT,        OPT_RESOURCE_GROUP,
    OPT_WORKSPACE, OPT_FAIL_ON,   OPT_WIDTH,        OPT_CONNECTIONS, OPT_DIFF,
};

struct report_args {
    const char **paths;
    size_t n_paths;
    const char *diff; /* --diff OLD.json */
};

static int report_option(int id, const char *arg, void *ctx)
{
    struct report_args *a = ctx;
    switch (id) {
    case -1: /* an operand: a report */
        a->paths[a->n_paths++] = arg;
        return -1;
    case OPT_DIFF:
        if (a->diff)
            return cli_usage_error("report", "--diff given twice ('%s' and '%s')", a->diff, arg);
        a->diff = arg;
        return -1;
    case OPT_HELP:
        usage(stdout);
        return EA_EXIT_OK;
    default:
        return EA_EXIT_INPUT;
    }
}

/* Read one report; returns an exit code. */
static int read_report(const char *path, struct ea_report *out)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *in = is_stdin ? stdin : fopen(path, "r");
    char err[1024];
    if (!in) {
        cli_error(NULL, "cannot open '%s': %s", path, strerror(errno));
        return EA_EXIT_INPUT;
    }
    bool ok = report_read_json(in, path, out, err, sizeof(err));
    int e = errno;
    if (!is_stdin)
        fclose(in);
    if (!ok) {
        cli_error(NULL, "%s", err);
        return e == ENOMEM ? EA_EXIT_INTERNAL : EA_EXIT_INPUT;
    }
    return EA_EXIT_OK;
}

/* The rules of the command line in place of the report's own, judged. */
static int judge_again(struct ea_report *r, const struct cli_common *c)
{
    ea_report_drop_policy(r);
    int rc = cli_load_rules(r, c);
    if (rc != EA_EXIT_OK)
        return rc;
    if (!policy_judge(r)) {
        cli_error(NULL, "out of memory");
        return EA_EXIT_INTERNAL;
    }
    return EA_EXIT_OK;
}

/* The union of reports[0..n) into *out, judged against the rules they
 * share (when no -p or -a will replace them). Returns an exit code. */
static int unite(struct ea_report *reports, const char *const *paths, size_t n,
                 const struct cli_common *c, struct ea_report *out)
{
    const struct ea_report **srcs = calloc(n, sizeof *srcs);
    if (!srcs) {
        cli_error(NULL, "out of memory");
        return EA_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < n; i++)
        srcs[i] = &reports[i];
    bool ok = ea_report_union(out, srcs, paths, n);
    free(srcs);
    if (!ok) {
        cli_error(NULL, "out of memory");
        return EA_EXIT_INTERNAL;
    }
    if (cli_has_rules(c))
        return EA_EXIT_OK; /* judged below */
    size_t judged = 0;
    bool same = true;
    for (size_t i = 0; i < n; i++) {
        judged += reports[i].has_policy;
        same = same && policy_same_rules(&reports[0], &reports[i]);
    }
    if (judged == n && same) {
        if (!policy_copy_rules(out, &reports[0]) || !policy_judge(out)) {
            cli_error(NULL, "out of memory");
            return EA_EXIT_INTERNAL;
        }
    } else if (judged && !c->quiet) {
        cli_error("report",
                  "warning: the reports were judged against different rules (or some not at "
                  "all): their union is not judged; give -p PROFILE or -a FILE");
    }
    return EA_EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
    struct cli_common c = {.cmd = "report"};
    struct report_args a = {0};
    struct ea_report *reports = NULL;
    size_t n_read = 0;
    struct ea_report report, old;
    ea_report_init(&report);
    ea_report_init(&old);
    int rc;
    a.paths = calloc((size_t)argc + 1, sizeof(*a.paths));
    if (!a.paths) {
        cli_error("report", "out of memory");
        return EA_EXIT_INTERNAL;
    }
    rc = cli_parse(argc, argv, report_opts, sizeof(report_opts) / sizeof(report_opts[0]), &c,
                   report_option, &a);
    if (rc >= 0)
        goto out;
    if (a.n_paths == 0) {
        rc = cli_usage_error("report", "%s", "report needs a JSON report ('-' for stdin)");
        goto out;
    }
    if (!cli_has_rules(&c) && c.service_tags) {
        rc = cli_usage_error("report", "%s", "--service-tags needs an allowlist (-p or -a)");
        goto out;
    }
    if (c.fail_on == FAIL_NEW && !a.diff) {
        rc = cli_usage_error("report", "%s", "--fail-on new needs --diff OLD.json");
        goto out;
    }
    size_t n_stdin = a.diff && strcmp(a.diff, "-") == 0;
    for (size_t i = 0; i < a.n_paths; i++)
        n_stdin += strcmp(a.paths[i], "-") == 0;
    if (n_stdin > 1) {
        rc = cli_usage_error("report", "%s", "standard input ('-') is given more than once");
        goto out;
    }

    reports = calloc(a.n_paths, sizeof *reports);
    if (!reports) {
        cli_error("report", "out of memory");
        rc = EA_EXIT_INTERNAL;
        goto out;
    }
    for (size_t i = 0; i < a.n_paths; i++) {
        ea_report_init(&reports[i]);
        n_read++;
        rc = read_report(a.paths[i], &reports[i]);
        if (rc != EA_EXIT_OK)
            goto out;
    }
    if (a.n_paths == 1) {
        report = reports[0]; /* the model moves: read back, it renders the same bytes */
        ea_report_init(&reports[0]);
    } else {
        rc = unite(reports, a.paths, a.n_paths, &c, &report);
        if (rc != EA_EXIT_OK)
            goto out;
    }
    if (!cli_has_rules(&c) && !report.has_policy && (c.fail_on == FAIL_DENIED || c.want_emit)) {
        rc = cli_usage_error("report",
                             "'%s' was not judged against an allowlist: --fail-on denied and "
                             "--emit need one (-p PROFILE or -a FILE)",
                             a.n_paths == 1 ? a.paths[0] : "the union");
        goto out;
    }
    if (cli_has_rules(&c)) {
        rc = judge_again(&report, &c);
        if (rc != EA_EXIT_OK)
            goto out;
    }
    if (a.diff) {
        rc = read_report(a.diff, &old);
        if (rc != EA_EXIT_OK)
            goto out;
        if (cli_has_rules(&c)) {
            struct cli_common quiet = c; /* the rules warned once already */
            quiet.quiet = true;
            rc = judge_again(&old, &quiet);
            if (rc != EA_EXIT_OK)
                goto out;
        }
        if (!ea_report_diff(&report, &old, a.diff)) {
            cli_error(NULL, "out of memory");
            rc = EA_EXIT_INTERNAL;
            goto out;
        }
    }
    /* judged again only against new rules; a report's own verdicts stand */
    /* explained when judged here: against new rules, or as a union */
    rc = cli_judge_and_describe(&report, &c, cli_has_rules(&c),
                                report.has_policy && (cli_has_rules(&c) || a.n_paths > 1));
    if (rc >= 0)
        goto out;
    rc = cli_write_report(&report, &c);
out:
    for (size_t i = 0; i < n_read; i++)
        ea_report_finish(&reports[i]);
    free(reports);
    ea_report_finish(&report);
    ea_report_finish(&old);
    free(a.paths);
    cli_common_free(&c);
    return rc;
}
