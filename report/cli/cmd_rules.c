/* SPDX-License-Identifier: GPL-3.0-or-later */
/* egress-audit rules: load allowlist rules, validate them, print them in
 * another form, or list the built-in profiles. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ascii.h"
#include "escape.h"

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
          "       egress-audit rules --explain PROFILE\n"
          "       egress-audit rules --diff A B\n"
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
          "      --explain NAME    a profile's source, dates, what changed and its rules\n"
          "      --diff A B        the rules one profile or rule file has and the other lacks\n"
          "  -h, --help            this help\n",
          out);
}

static const enum opt_id rules_opts[] = {
    OPT_HELP,           OPT_PROFILE,   OPT_ALLOWLIST, OPT_EMIT,    OPT_OUTPUT,
    OPT_RESOURCE_GROUP, OPT_WORKSPACE, OPT_LIST,      OPT_EXPLAIN, OPT_DIFF,
};

struct rules_args {
    bool list;
    const char *explain;
    const char *diff_a, *diff_b;
};

static int rules_option(int id, const char *arg, void *ctx)
{
    struct rules_args *a = ctx;
    switch (id) {
    case -1:
        if (a->diff_a && !a->diff_b) {
            a->diff_b = arg;
            return -1;
        }
        return cli_usage_error("rules", "unexpected argument '%s' (rule files go after -a)", arg);
    case OPT_EXPLAIN:
        a->explain = arg;
        return -1;
    case OPT_DIFF:
        a->diff_a = arg;
        return -1;
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

/* A profile name when one of that name exists, else a rule file. */
static bool load_spec(struct ea_report *r, const char *spec, char *err, size_t errlen)
{
    char probe[1024];
    if (!strchr(spec, '/') && !strchr(spec, '.') &&
        rules_load_profile(r, spec, NULL, probe, sizeof(probe)))
        return true;
    if (!strchr(spec, '/') && !strchr(spec, '.') && access(spec, R_OK) != 0) {
        snprintf(err, errlen, "%s", probe);
        return false;
    }
    return rules_load_file(r, spec, RULES_AUTO, NULL, err, errlen);
}

static bool has_pattern(const struct ea_report *r, const struct ea_rule *x)
{
    for (size_t i = 0; i < r->n_rules; i++) {
        const struct ea_rule *y = &r->rules[i];
        if (y->kind == x->kind && y->inactive == x->inactive && y->pattern.len == x->pattern.len &&
            ea_ascii_ieq(y->pattern.s, x->pattern.s, x->pattern.len))
            return true;
    }
    return false;
}

/* The rules one side has and the other lacks, by kind and pattern (case
 * and a trailing dot aside, as Azure matches them). */
static int rules_diff(const char *a_spec, const char *b_spec)
{
    struct ea_report ra, rb;
    char err[1024];
    int rc = EA_EXIT_OK;
    ea_report_init(&ra);
    ea_report_init(&rb);
    if (!load_spec(&ra, a_spec, err, sizeof(err)) || !load_spec(&rb, b_spec, err, sizeof(err))) {
        cli_error("rules", "%s", err);
        rc = EA_EXIT_INPUT;
        goto out;
    }
    if (!policy_prepare_rules(&ra) || !policy_prepare_rules(&rb)) {
        cli_error("rules", "out of memory");
        rc = EA_EXIT_INTERNAL;
        goto out;
    }
    const struct ea_report *side[2] = {&ra, &rb}, *other[2] = {&rb, &ra};
    const char *names[2] = {a_spec, b_spec};
    size_t common = 0;
    for (int s = 0; s < 2; s++) {
        size_t only = 0;
        for (size_t i = 0; i < side[s]->n_rules; i++) {
            const struct ea_rule *x = &side[s]->rules[i];
            if (has_pattern(other[s], x)) {
                common += s == 0;
                continue;
            }
            if (only++ == 0)
                printf("only in %s:\n", names[s]);
            fputs("  ", stdout);
            (void)ea_escape_fwrite(x->pattern.s ? x->pattern.s : "", x->pattern.len, stdout);
            if (x->inactive)
                fputs(" (Inactive)", stdout);
            fputs("  # ", stdout);
            (void)ea_escape_fwrite(x->origin.s ? x->origin.s : "", x->origin.len, stdout);
            fputc('\n', stdout);
        }
        if (!only)
            printf("only in %s: none\n", names[s]);
    }
    printf("in both: %zu rule%s\n", common, common == 1 ? "" : "s");
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("rules", "cannot write to standard output: %s", strerror(errno ? errno : EIO));
        rc = EA_EXIT_INTERNAL;
    }
out:
    ea_report_finish(&ra);
    ea_report_finish(&rb);
    return rc;
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
    if (a.explain) {
        char err[1024];
        if (!rules_explain_profile(stdout, a.explain, err, sizeof(err))) {
            cli_error("rules", "%s", err);
            rc = EA_EXIT_INPUT;
        }
        goto out;
    }
    if (a.diff_a) {
        if (!a.diff_b)
            rc = cli_usage_error("rules", "%s",
                                 "--diff takes two profiles or rule files: "
                                 "rules --diff A B");
        else
            rc = rules_diff(a.diff_a, a.diff_b);
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
