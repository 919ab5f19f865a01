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
    fputs("usage: egress-audit report [OPTIONS] REPORT.json\n"
          "\n"
          "Reads a JSON report (egress-audit analyze -F json; '-' reads stdin) and\n"
          "writes it again, as text or JSON, without the capture. With -p or -a the\n"
          "hosts are judged again against those rules instead of the report's own.\n"
          "\n"
          "options:\n"
          "  -F, --format FORMAT   text (default) or json\n"
          "  -o, --output OUT      write the report to OUT instead of standard output\n"
          "      --color WHEN      auto (default), always or never; text only\n"
          "  -q, --quiet           no warnings on standard error\n"
          "  -h, --help            this help\n"
          "\n"
          "allowlist (replaces the report's rules, verdicts, near misses and the rules\n"
          "to add):\n"
          "  -p, --profile NAME    a built-in profile (egress-audit rules --list); repeatable\n"
          "  -a, --allowlist FILE  rules: text, workspace YAML, az CLI or ARM JSON; repeatable\n"
          "      --service-tags FILE  Microsoft's ServiceTags_Public_*.json: match service\n"
          "                        tag rules by address\n"
          "      --fail-on WHAT    exit 1 if some host is denied (denied), or did not reach\n"
          "                        its service (unreached); never (default) keeps 0\n"
          "      --emit FORMAT     print only the rules to add: text, az, yaml or bicep\n"
          "      --resource-group RG, --workspace WS   names for the az and Bicep output\n"
          "\n"
          "--fail-on denied and --emit use the report's own verdicts when no -p or -a\n"
          "is given. Reports of a newer schema are refused.\n",
          out);
}

static const enum opt_id report_opts[] = {
    OPT_HELP,      OPT_FORMAT,       OPT_OUTPUT, OPT_COLOR,          OPT_QUIET,     OPT_PROFILE,
    OPT_ALLOWLIST, OPT_SERVICE_TAGS, OPT_EMIT,   OPT_RESOURCE_GROUP, OPT_WORKSPACE, OPT_FAIL_ON,
};

struct report_args {
    const char **paths;
    size_t n_paths;
};

static int report_option(int id, const char *arg, void *ctx)
{
    struct report_args *a = ctx;
    switch (id) {
    case -1: /* an operand: a report */
        a->paths[a->n_paths++] = arg;
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

int cmd_report(int argc, char **argv)
{
    struct cli_common c = {.cmd = "report"};
    struct report_args a = {0};
    int rc;
    a.paths = calloc((size_t)argc + 1, sizeof(*a.paths));
    if (!a.paths) {
        cli_error("report", "out of memory");
        return EA_EXIT_INTERNAL;
    }
    rc = cli_parse(argc, argv, report_opts, sizeof(report_opts) / sizeof(report_opts[0]), &c,
                   report_option, &a);
    if (rc >= 0)
        goto out_args;
    if (a.n_paths == 0) {
        rc = cli_usage_error("report", "%s", "report needs a JSON report ('-' for stdin)");
        goto out_args;
    }
    if (a.n_paths > 1) {
        cli_error("report",
                  "%zu reports given: reading several as one (their union) is not "
                  "implemented yet; give one",
                  a.n_paths);
        rc = EA_EXIT_INPUT;
        goto out_args;
    }
    if (!cli_has_rules(&c) && c.service_tags) {
        rc = cli_usage_error("report", "%s", "--service-tags needs an allowlist (-p or -a)");
        goto out_args;
    }

    struct ea_report report;
    ea_report_init(&report);
    rc = read_report(a.paths[0], &report);
    if (rc != EA_EXIT_OK)
        goto out;
    if (!cli_has_rules(&c) && !report.has_policy && (c.fail_on == FAIL_DENIED || c.want_emit)) {
        rc = cli_usage_error("report",
                             "'%s' was not judged against an allowlist: --fail-on denied and "
                             "--emit need one (-p PROFILE or -a FILE)",
                             a.paths[0]);
        goto out;
    }
    if (cli_has_rules(&c)) {
        /* the new rules replace the report's own, and everything judged by them */
        ea_report_drop_policy(&report);
        rc = cli_load_rules(&report, &c);
        if (rc != EA_EXIT_OK)
            goto out;
    }
    /* judged again only against new rules; a report's own verdicts stand */
    rc = cli_judge_and_describe(&report, &c, cli_has_rules(&c));
    if (rc >= 0)
        goto out;
    rc = cli_write_report(&report, &c);
out:
    ea_report_finish(&report);
out_args:
    free(a.paths);
    cli_common_free(&c);
    return rc;
}
