/* SPDX-License-Identifier: GPL-3.0-or-later */
/* egress-audit analyze: capture files in, a report out. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "commands.h"
#include "config.h"
#include "exitcode.h"
#include "options.h"
#include "policy.h"
#include "render.h"
#include "report_read.h"

enum { EA_MAX_JOBS = 64 }; /* -j: processes at most */

static void usage(FILE *out)
{
    fputs("usage: egress-audit analyze [OPTIONS] FILE...\n"
          "       egress-audit analyze [OPTIONS] -r FILE [-r FILE]... [BPF EXPRESSION]\n"
          "\n"
          "Reads the capture files in order as one run (rotated files continue each\n"
          "other's connections) and reports every connection the client made, its\n"
          "name (TLS SNI, HTTP Host or CONNECT authority), its outcome, the DNS names\n"
          "resolved to it, every DNS query, and counters.\n"
          "\n"
          "options:\n"
          "  -r, --read FILE       read FILE (may be repeated); as in tcpdump, the operands\n"
          "                        after -r are then a BPF filter: analyze -r x.pcap port 443\n"
          "  -f, --filter BPF      only packets matching the BPF filter (tcpdump syntax)\n"
          "  -c, --count COUNT     stop after COUNT packets (of all files together)\n"
          "  -n, --no-resolve      accepted for tcpdump habits: nothing is ever resolved\n"
          "  -F, --format FORMAT   text (default), json, md (Markdown), html, or csv (one\n"
          "                        row per connection)\n"
          "  -o, --output OUT      write the report to OUT instead of standard output\n"
          "  -v, --connections     text, md, html: list every connection and DNS query too\n"
          "      --width N         text: fit N columns (0: no limit; default: the terminal's,\n"
          "                        80 when not a terminal)\n"
          "      --color WHEN      auto (default), always or never; text only\n"
          "      --cutoff BYTES    bytes of each TCP direction to reassemble (default 32768)\n"
          "      --max-flows N     concurrent flows tracked before the oldest is evicted\n"
          "                        (default 262144)\n"
          "      --max-connections N  connection rows kept in the report; past it they\n"
          "                        are counted in their hosts, not listed (default 100000)\n"
          "      --max-hosts N     hosts kept in the report; connections to further hosts\n"
          "                        are counted in hosts_not_listed (default 1000000)\n"
          "      --max-dns N       DNS (name, type) rows kept; messages for further names\n"
          "                        are counted in dns_not_listed (default 1000000)\n"
          "  -j, --jobs N          split the run across N processes (1 to 64, default 1):\n"
          "                        each reads every file (in the same order) and reads the\n"
          "                        payload of its share of the flows, by a hash of their\n"
          "                        addresses and ports; the report is the same as with 1\n"
          "                        (not with standard input)\n"
          "  -q, --quiet           no progress or warnings on standard error\n"
          "  -h, --help            this help\n"
          "\n"
          "allowlist (every host gets a verdict: allowed, denied, port-not-coverable,\n"
          "no-name, infrastructure, infrastructure?; unused rules, near misses and the\n"
          "rules to add are reported):\n"
          "  -p, --profile NAME    a built-in profile (egress-audit rules --list); repeatable\n"
          "  -a, --allowlist FILE  rules: text, workspace YAML, az CLI or ARM JSON; repeatable\n"
          "      --service-tags FILE  Microsoft's ServiceTags_Public_*.json: match service\n"
          "                        tag rules by address\n"
          "      --fail-on WHAT    exit 1 if some host is denied (denied), or did not reach\n"
          "                        its service (unreached); never (default) keeps 0\n"
          "      --emit FORMAT     print only the rules to add: text, az, yaml or bicep\n"
          "      --resource-group RG, --workspace WS   names for the az and Bicep output\n"
          "\n"
          "A file cut off inside a record is analyzed up to the cut, with a warning,\n"
          "and the report says \"truncated\".\n",
          out);
}

static const enum opt_id analyze_opts[] = {
    OPT_HELP,           OPT_READ,      OPT_FILTER,       OPT_FORMAT,     OPT_OUTPUT,
    OPT_COLOR,          OPT_CUTOFF,    OPT_MAX_FLOWS,    OPT_QUIET,      OPT_MAX_CONNECTIONS,
    OPT_PROFILE,        OPT_ALLOWLIST, OPT_SERVICE_TAGS, OPT_FAIL_ON,    OPT_EMIT,
    OPT_RESOURCE_GROUP, OPT_WORKSPACE, OPT_COUNT,        OPT_NO_RESOLVE, OPT_WIDTH,
    OPT_CONNECTIONS,    OPT_MAX_HOSTS, OPT_MAX_DNS,      OPT_JOBS,
};

struct analyze_args {
    const char **paths; /* -r FILE, then (without -r) the operands */
    size_t n_paths;
    const char **operands;
    size_t n_operands;
    bool read_flag; /* -r given: operands are a BPF expression, as in tcpdump */
    struct capture_files_opts capture;
    struct analyze_opts analyze;
    size_t max_hosts; /* 0: the model's default */
    size_t max_dns;   /* 0: the model's default */
    size_t jobs;      /* -j: processes; 0 or 1: this one */
};

static int analyze_option(int id, const char *arg, void *ctx)
{
    struct analyze_args *a = ctx;
    switch (id) {
    case -1: /* an operand: a capture file, or a filter word after -r */
        a->operands[a->n_operands++] = arg;
        return -1;
    case OPT_READ:
        a->paths[a->n_paths++] = arg;
        a->read_flag = true;
        return -1;
    case OPT_NO_RESOLVE: /* -n, -nn: tcpdump habits; nothing is ever resolved */
        return -1;
    case OPT_COUNT: {
        size_t n;
        if (!cli_parse_size(arg, 1, SIZE_MAX, &n))
            return cli_usage_error("analyze", "-c takes a count of packets, not '%s'", arg);
        a->capture.max_packets = n;
        return -1;
    }
    case OPT_HELP:
        usage(stdout);
        return EA_EXIT_OK;
    case OPT_FILTER:
        a->capture.bpf = arg;
        return -1;
    case OPT_CUTOFF:
        if (!cli_parse_size(arg, 64, 1 << 24, &a->analyze.cutoff))
            return cli_usage_error("analyze", "--cutoff takes 64 to 16777216 bytes, not '%s'", arg);
        return -1;
    case OPT_MAX_FLOWS:
        if (!cli_parse_size(arg, 1, (size_t)1 << 26, &a->analyze.max_flows))
            return cli_usage_error("analyze", "--max-flows takes 1 to 67108864, not '%s'", arg);
        return -1;
    case OPT_MAX_CONNECTIONS:
        if (!cli_parse_size(arg, 1, (size_t)1 << 26, &a->analyze.max_conns))
            return cli_usage_error("analyze", "--max-connections takes 1 to 67108864, not '%s'",
                                   arg);
        return -1;
    case OPT_JOBS:
        if (!cli_parse_size(arg, 1, EA_MAX_JOBS, &a->jobs))
            return cli_usage_error("analyze", "-j takes 1 to %d processes, not '%s'", EA_MAX_JOBS,
                                   arg);
        return -1;
    case OPT_MAX_HOSTS:
        if (!cli_parse_size(arg, 1, (size_t)1 << 26, &a->max_hosts))
            return cli_usage_error("analyze", "--max-hosts takes 1 to 67108864, not '%s'", arg);
        return -1;
    case OPT_MAX_DNS:
        if (!cli_parse_size(arg, 1, (size_t)1 << 26, &a->max_dns))
            return cli_usage_error("analyze", "--max-dns takes 1 to 67108864, not '%s'", arg);
        return -1;
    default:
        return EA_EXIT_INPUT;
    }
}

/* ---- -j N: one run split across processes ---- */

/* One worker: shard k of n of the run, its report as JSON into out (or, on
 * failure, the one line saying why). Only the first worker warns and shows
 * progress: every worker reads the same frames. Returns the exit code. */
static int analyze_worker(const struct analyze_args *a, unsigned k, unsigned n, FILE *out)
{
    struct ea_report r;
    char err[1024] = "";
    ea_report_init(&r);
    r.tool_version = EA_VERSION;
    /* Every host: a host the run keeps may come late in one shard's order
     * (its first connection there is not its first in the run), so the cap
     * is applied after the merge, in the run's order (ea_report_merge_shards). */
    r.max_hosts = REPORT_READ_MAX_ROWS;
    r.max_dns = REPORT_READ_MAX_ROWS; /* likewise: --max-dns is applied by the merge */
    r.shard = true;
    struct capture_files_opts co = a->capture;
    if (k > 0) {
        co.warnings = NULL;
        co.progress = NULL;
    }
    struct analyze_opts ao = a->analyze;
    ao.shard = k;
    ao.n_shards = n;
    int rc = EA_EXIT_OK;
    enum capture_status st =
        capture_analyze_files(a->paths, a->n_paths, &co, &ao, &r, err, sizeof(err));
    if (st != CAPTURE_OK) {
        fputs(err, out);
        rc = st == CAPTURE_INPUT_ERROR ? EA_EXIT_INPUT : EA_EXIT_INTERNAL;
    } else if (render_json(&r, out) != 0) {
        rc = EA_EXIT_INTERNAL;
    }
    if (fflush(out) != 0 && rc == EA_EXIT_OK)
        rc = EA_EXIT_INTERNAL;
    ea_report_finish(&r);
    return rc;
}

/* A failed worker, said once, as the run would have said it: its own
 * line, or how it ended. Returns the exit code. */
static int worker_failed(FILE *f, unsigned k, unsigned n, int status)
{
    if (WIFSIGNALED(status)) {
        cli_error("analyze", "worker %u of %u was killed by signal %d (%s)", k + 1, n,
                  WTERMSIG(status), strsignal(WTERMSIG(status)));
        return EA_EXIT_INTERNAL;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : EA_EXIT_INTERNAL;
    char line[1024];
    size_t len = 0;
    if (fseek(f, 0, SEEK_SET) == 0)
        len = fread(line, 1, sizeof(line) - 1, f);
    line[len] = '\0';
    if (len > 0 && line[0] != '{')
        cli_error("analyze", "%s", line);
    else
        cli_error("analyze", "worker %u of %u failed (exit status %d)", k + 1, n, code);
    return code == EA_EXIT_INPUT ? EA_EXIT_INPUT : EA_EXIT_INTERNAL;
}

/* Fork n workers, wait for all of them, and merge their reports into
 * report (which holds the rules). A worker that fails stops the others.
 * Returns -1 on success, else the exit code. */
static int analyze_jobs(const struct analyze_args *a, struct ea_report *report, unsigned n)
{
    FILE *out[EA_MAX_JOBS] = {0};
    pid_t pid[EA_MAX_JOBS] = {0};
    int status[EA_MAX_JOBS] = {0};
    struct ea_report shard[EA_MAX_JOBS];
    struct ea_report *shards[EA_MAX_JOBS];
    unsigned started = 0, n_read = 0;
    int rc = -1;
    for (unsigned k = 0; k < n; k++) {
        out[k] = tmpfile(); /* unlinked: nothing is left behind */
        if (!out[k]) {
            cli_error("analyze", "cannot make a temporary file: %s", strerror(errno));
            rc = EA_EXIT_INTERNAL;
            goto out;
        }
    }
    fflush(stdout);
    fflush(stderr);
    for (; started < n; started++) {
        pid[started] = fork();
        if (pid[started] < 0) {
            cli_error("analyze", "cannot start worker %u of %u: %s", started + 1, n,
                      strerror(errno));
            rc = EA_EXIT_INTERNAL;
            break;
        }
        if (pid[started] == 0) /* the worker: never returns into the parent's code */
            _exit(analyze_worker(a, started, n, out[started]));
    }
    /* Wait for every worker (no zombie is left); after a failure the rest
     * are stopped, and the first one to fail is the one reported. */
    unsigned left = started, failed = n;
    while (left > 0) {
        int st;
        pid_t p = wait(&st);
        if (p < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (unsigned k = 0; k < started; k++) {
            if (pid[k] != p)
                continue;
            pid[k] = 0;
            status[k] = st;
            left--;
            if ((!WIFEXITED(st) || WEXITSTATUS(st) != 0) && failed == n) {
                failed = k;
                for (unsigned j = 0; j < started; j++)
                    if (pid[j] > 0)
                        kill(pid[j], SIGTERM);
            }
        }
    }
    if (rc >= 0)
        goto out;
    if (failed < n) {
        rc = worker_failed(out[failed], failed, n, status[failed]);
        goto out;
    }
    char err[1024];
    for (; n_read < n; n_read++) {
        char name[64];
        snprintf(name, sizeof name, "worker %u of %u", n_read + 1, n);
        ea_report_init(&shard[n_read]);
        shards[n_read] = &shard[n_read];
        if (fseek(out[n_read], 0, SEEK_SET) != 0 ||
            !report_read_json(out[n_read], name, &shard[n_read], err, sizeof err)) {
            cli_error("analyze", "%s", err);
            n_read++; /* initialized: finished below */
            rc = EA_EXIT_INTERNAL;
            goto out;
        }
    }
    if (!ea_report_merge_shards(report, shards, n)) {
        cli_error("analyze", "out of memory");
        rc = EA_EXIT_INTERNAL;
    }
out:
    for (unsigned k = 0; k < n_read; k++)
        ea_report_finish(&shard[k]);
    for (unsigned k = 0; k < n; k++)
        if (out[k])
            fclose(out[k]);
    return rc;
}

/* Standard input at most once, and no file twice (the same device and
 * inode, whatever the path says). Returns -1, or the exit code. */
static int check_inputs(const char *const *paths, size_t n)
{
    size_t n_stdin = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(paths[i], "-") == 0) {
            if (++n_stdin > 1)
                return cli_usage_error("analyze", "%s",
                                       "standard input ('-') is given more than once");
            continue;
        }
        struct stat si;
        if (stat(paths[i], &si) != 0 || !S_ISREG(si.st_mode))
            continue; /* reading it will say what is wrong */
        for (size_t k = 0; k < i; k++) {
            struct stat sk;
            if (strcmp(paths[k], "-") != 0 && stat(paths[k], &sk) == 0 && sk.st_dev == si.st_dev &&
                sk.st_ino == si.st_ino)
                return cli_usage_error("analyze", "'%s' and '%s' are the same file", paths[k],
                                       paths[i]);
        }
    }
    return -1;
}

int cmd_analyze(int argc, char **argv)
{
    struct cli_common c = {.cmd = "analyze"};
    struct analyze_args a = {0};
    char *filter_words = NULL;
    int rc;
    a.paths = calloc((size_t)argc + 1, sizeof(*a.paths));
    a.operands = calloc((size_t)argc + 1, sizeof(*a.operands));
    if (!a.paths || !a.operands) {
        free(a.paths);
        free(a.operands);
        cli_error("analyze", "out of memory");
        return EA_EXIT_INTERNAL;
    }
    rc = cli_parse(argc, argv, analyze_opts, sizeof(analyze_opts) / sizeof(analyze_opts[0]), &c,
                   analyze_option, &a);
    if (rc >= 0)
        goto out_args;
    rc = EA_EXIT_OK;
    if (a.read_flag && a.n_operands) {
        /* tcpdump -r F port 443: the words after the files are the filter */
        if (a.capture.bpf) {
            rc = cli_usage_error("analyze", "a filter given twice: -f '%s' and '%s'...",
                                 a.capture.bpf, a.operands[0]);
            goto out_args;
        }
        size_t len = 1;
        for (size_t i = 0; i < a.n_operands; i++)
            len += strlen(a.operands[i]) + 1;
        filter_words = calloc(len, 1);
        if (!filter_words) {
            rc = EA_EXIT_INTERNAL;
            goto out_args;
        }
        size_t at = 0;
        for (size_t i = 0; i < a.n_operands; i++) {
            size_t n = strlen(a.operands[i]);
            if (i)
                filter_words[at++] = ' ';
            memcpy(filter_words + at, a.operands[i], n);
            at += n;
        }
        a.capture.bpf = filter_words;
    } else {
        for (size_t i = 0; i < a.n_operands; i++)
            a.paths[a.n_paths++] = a.operands[i];
    }
    if (a.n_paths == 0) {
        rc = cli_usage_error("analyze", "%s",
                             "analyze needs at least one capture file ('-' for stdin)");
        goto out_args;
    }
    if (!cli_has_rules(&c) && (c.fail_on == FAIL_DENIED || c.want_emit || c.service_tags)) {
        rc = cli_usage_error("analyze", "%s",
                             "--fail-on denied, --emit and --service-tags need an allowlist "
                             "(-p PROFILE or -a FILE)");
        goto out_args;
    }
    if (c.fail_on == FAIL_NEW) {
        rc = cli_usage_error("analyze", "%s",
                             "--fail-on new compares with an older report: egress-audit report "
                             "NEW.json --diff OLD.json --fail-on new");
        goto out_args;
    }
    if (c.want_emit && c.format_set) {
        rc = cli_usage_error("analyze", "%s",
                             "--emit prints only the rules to add: it does not go with -F");
        goto out_args;
    }
    rc = check_inputs(a.paths, a.n_paths);
    if (rc >= 0)
        goto out_args;
    for (size_t i = 0; a.jobs > 1 && i < a.n_paths; i++) {
        if (strcmp(a.paths[i], "-") == 0) {
            rc = cli_usage_error("analyze", "%s",
                                 "-j reads each file once per process: not standard input ('-')");
            goto out_args;
        }
    }
    rc = cli_check_output(&c);
    if (rc >= 0)
        goto out_args;
    rc = EA_EXIT_OK;
    if (!c.quiet) {
        a.capture.warnings = stderr;
        if (isatty(STDERR_FILENO))
            a.capture.progress = stderr;
    }

    struct ea_report report;
    char err[1024] = "";
    ea_report_init(&report);
    report.tool_version = EA_VERSION;
    report.max_hosts = a.max_hosts;
    report.max_dns = a.max_dns;
    /* Rules first: a bad rule file fails before the capture is read. */
    rc = cli_load_rules(&report, &c);
    if (rc != EA_EXIT_OK)
        goto out;
    if (a.jobs > 1) {
        rc = analyze_jobs(&a, &report, (unsigned)a.jobs);
        if (rc >= 0)
            goto out;
        rc = EA_EXIT_OK;
    } else {
        enum capture_status st = capture_analyze_files(a.paths, a.n_paths, &a.capture, &a.analyze,
                                                       &report, err, sizeof(err));
        if (st != CAPTURE_OK) {
            cli_error("analyze", "%s", err);
            rc = st == CAPTURE_INPUT_ERROR ? EA_EXIT_INPUT : EA_EXIT_INTERNAL;
            goto out;
        }
    }
    rc = cli_judge_and_describe(&report, &c, true, cli_has_rules(&c));
    if (rc >= 0)
        goto out;
    rc = cli_write_report(&report, &c);
out:
    ea_report_finish(&report);
out_args:
    free(filter_words);
    free(a.paths);
    free(a.operands);
    cli_common_free(&c);
    return rc;
}
