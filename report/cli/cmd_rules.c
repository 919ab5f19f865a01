/* SPDX-License-Identifier: GPL-3.0-or-later */
/* egress-audit rules: load allowlist rules, validate them, print them in
 * another form, or list the built-in profiles. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "emit.h"
#include "exitcode.h"
#include "options.h"
#include "policy.h"
#include "rules.h"

static void usage(FILE *out)
{
    fputs("usage: egress-audit rules [-p PROFILE]... [-a FILE]... [--emit FORMAT]\n"
          "       egress-audit rules --list\n"
          "\n"
          "Loads rules (validating them: errors name file:line) and prints them in\n"
          "another form.\n"
          "\n"
          "options:\n"
          "  -p, --profile NAME    a built-in profile; repeatable\n"
          "  -a, --allowlist FILE  text, workspace YAML, az CLI or ARM JSON rules; repeatable\n"
          "      --emit FORMAT     text (default), az, yaml or bicep\n"
          "      --resource-group RG, --workspace WS   names for the az and Bicep output\n"
          "      --list            list the built-in profiles with their sources and dates\n"
          "  -h, --help            this help\n",
          out);
}

static const enum opt_id rules_opts[] = {
    OPT_HELP,   OPT_PROFILE,        OPT_ALLOWLIST, OPT_EMIT,
    OPT_OUTPUT, OPT_RESOURCE_GROUP, OPT_WORKSPACE, OPT_LIST,
};

struct rules_args {
    bool list;
};

static int rules_option(int id, const char *arg, void *ctx)
{
    struct rules_args *a = ctx;
    switch (id) {
    case -1:
        return cli_usage_error("rules", "unexpected argument '%s' (rule files go after -a)", arg);
    case OPT_HELP:
        usage(stdout);
        return EA_EXIT_OK;
    case OPT_LIST:
        a->list = true;
        return -1;
    default:
        return EA_EXIT_INPUT;
    }
}

int cmd_rules(int argc, char **argv)
{
    struct cli_common c = {.cmd = "rules"};
    struct rules_args a = {0};
    int rc = cli_parse(argc, argv, rules_opts, sizeof(rules_opts) / sizeof(rules_opts[0]), &c,
                       rules_option, &a);
    if (rc >= 0)
        goto out;
    rc = EA_EXIT_OK;
    if (a.list) {
        char err[1024];
        if (!rules_list_profiles(stdout, err, sizeof(err))) {
            cli_error("rules", "%s", err);
            rc = EA_EXIT_INPUT;
        }
        goto out;
    }
    if (!cli_has_rules(&c)) {
        rc = cli_usage_error("rules", "%s", "rules needs -p PROFILE, -a FILE or --list");
        goto out;
    }
    struct ea_report report;
    ea_report_init(&report);
    rc = cli_load_rules(&report, &c);
    if (rc == EA_EXIT_OK && !policy_prepare_rules(&report)) {
        cli_error("rules", "out of memory");
        rc = EA_EXIT_INTERNAL;
    }
    if (rc == EA_EXIT_OK) {
        bool to_stdout;
        FILE *out = cli_open_output(&c, &to_stdout);
        if (out)
            rc = cli_close_output(
                &c, out, to_stdout,
                emit_rules(&report, c.want_emit ? c.emit : EMIT_TEXT, &c.emit_opts, out));
        else
            rc = EA_EXIT_INPUT;
    }
    ea_report_finish(&report);
out:
    cli_common_free(&c);
    return rc;
}
