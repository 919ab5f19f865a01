/* SPDX-License-Identifier: GPL-3.0-or-later */
/* egress-audit: the command line. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "config.h"
#include "emit.h"
#include "exitcode.h"
#include "model.h"
#include "policy.h"
#include "render.h"
#include "rules.h"

enum format {
    FORMAT_TEXT,
    FORMAT_JSON,
};

static const struct {
    enum format f;
    const char *name;
} formats[] = {
    {FORMAT_TEXT, "text"},
    {FORMAT_JSON, "json"},
};

static void usage_main(FILE *out)
{
    fputs("usage: egress-audit COMMAND [OPTIONS]\n"
          "\n"
          "Which hosts did a capture of a deployment reach, and did each get through?\n"
          "\n"
          "commands:\n"
          "  analyze FILE...   analyze pcap/pcapng files ('-' reads stdin) as one run,\n"
          "                    optionally against an allowlist (-p PROFILE, -a FILE)\n"
          "  rules             print, convert or list allowlist rules and profiles\n"
          "\n"
          "  egress-audit COMMAND --help   options of a command\n"
          "  egress-audit --version\n"
          "\n"
          "exit status: 0 ok, 1 policy failure (--fail-on), 2 usage or input error,\n"
          "3 internal error (out of memory, output not written)\n",
          out);
}

static void usage_analyze(FILE *out)
{
    fputs("usage: egress-audit analyze [OPTIONS] FILE...\n"
          "\n"
          "Reads the capture files in order as one run (rotated files continue each\n"
          "other's connections) and reports every connection the client made, its\n"
          "name (TLS SNI, HTTP Host or CONNECT authority), its outcome, the DNS names\n"
          "resolved to it, every DNS query, and counters.\n"
          "\n"
          "options:\n"
          "  -r FILE               read FILE (may be repeated; same as a FILE operand)\n"
          "  -f, --filter BPF      only packets matching the BPF filter (tcpdump syntax)\n"
          "  -F, --format FORMAT   text (default) or json\n"
          "  -o, --output OUT      write the report to OUT instead of standard output\n"
          "      --color WHEN      auto (default), always or never; text only\n"
          "      --cutoff BYTES    bytes of each TCP direction to reassemble (default 32768)\n"
          "      --max-flows N     concurrent flows tracked before the oldest is evicted\n"
          "                        (default 262144)\n"
          "      --max-connections N  connection rows kept in the report; past it they\n"
          "                        are counted in their hosts, not listed (default 100000)\n"
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

static void usage_rules(FILE *out)
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

__attribute__((format(printf, 1, 2))) static int die_usage(const char *fmt, ...)
{
    va_list ap;
    fputs("egress-audit: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'egress-audit --help'.\n", stderr);
    return EA_EXIT_INPUT;
}

struct policy_args {
    const char **profiles;
    size_t n_profiles;
    const char **files;
    size_t n_files;
    const char *service_tags;
};

/* Load every profile and file in order; all or nothing per source. */
static int load_rules(struct ea_report *r, const struct policy_args *pa, bool quiet)
{
    char err[1024];
    FILE *warn = quiet ? NULL : stderr;
    for (size_t i = 0; i < pa->n_profiles; i++) {
        if (!rules_load_profile(r, pa->profiles[i], warn, err, sizeof(err))) {
            fprintf(stderr, "egress-audit: %s\n", err);
            return EA_EXIT_INPUT;
        }
    }
    for (size_t i = 0; i < pa->n_files; i++) {
        if (!rules_load_file(r, pa->files[i], RULES_AUTO, warn, err, sizeof(err))) {
            fprintf(stderr, "egress-audit: %s\n", err);
            return EA_EXIT_INPUT;
        }
    }
    if (pa->service_tags && !rules_load_service_tags(r, pa->service_tags, err, sizeof(err))) {
        fprintf(stderr, "egress-audit: %s\n", err);
        return EA_EXIT_INPUT;
    }
    return EA_EXIT_OK;
}

static FILE *open_output(const char *output, bool *to_stdout)
{
    *to_stdout = !output || strcmp(output, "-") == 0;
    if (*to_stdout)
        return stdout;
    FILE *out = fopen(output, "w");
    if (!out)
        fprintf(stderr, "egress-audit: cannot write '%s': %s\n", output, strerror(errno));
    return out;
}

static int close_output(FILE *out, bool to_stdout, const char *output, int r)
{
    if (fflush(out) != 0)
        r = -1;
    if (!to_stdout && fclose(out) != 0)
        r = -1;
    if (r != 0) {
        fprintf(stderr, "egress-audit: cannot write '%s': %s\n", to_stdout ? "-" : output,
                strerror(errno ? errno : EIO));
        return EA_EXIT_INTERNAL;
    }
    return EA_EXIT_OK;
}

static bool parse_size(const char *s, size_t min, size_t max, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
        return false;
    *out = (size_t)v;
    return true;
}

static bool want_color(const char *when, FILE *out)
{
    if (strcmp(when, "always") == 0)
        return true;
    if (strcmp(when, "never") == 0)
        return false;
    const char *term = getenv("TERM");
    return isatty(fileno(out)) && !getenv("NO_COLOR") && term && strcmp(term, "dumb") != 0;
}

static int cmd_analyze(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"filter", required_argument, NULL, 'f'},
        {"format", required_argument, NULL, 'F'},
        {"output", required_argument, NULL, 'o'},
        {"color", required_argument, NULL, 'C'},
        {"colour", required_argument, NULL, 'C'},
        {"cutoff", required_argument, NULL, 'c'},
        {"max-flows", required_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},
        {"max-connections", required_argument, NULL, 'M'},
        {"help", no_argument, NULL, 'h'},
        {"profile", required_argument, NULL, 'p'},
        {"allowlist", required_argument, NULL, 'a'},
        {"service-tags", required_argument, NULL, 'T'},
        {"fail-on", required_argument, NULL, 'X'},
        {"emit", required_argument, NULL, 'E'},
        {"resource-group", required_argument, NULL, 'G'},
        {"workspace", required_argument, NULL, 'W'},
        {NULL, 0, NULL, 0},
    };
    struct policy_args pa = {0};
    struct emit_opts eo = {0};
    enum emit_format emit = EMIT_TEXT;
    bool want_emit = false;
    enum { FAIL_NEVER, FAIL_DENIED, FAIL_UNREACHED } fail_on = FAIL_NEVER;
    struct analyze_opts opts = {0};
    enum format format = FORMAT_TEXT;
    const char *output = NULL, *color = "auto";
    bool quiet = false;
    const char **paths = calloc((size_t)argc + 1, sizeof(*paths));
    pa.profiles = calloc((size_t)argc + 1, sizeof(*pa.profiles));
    pa.files = calloc((size_t)argc + 1, sizeof(*pa.files));
    size_t n_paths = 0;
    int c, rc = EA_EXIT_OK;
    if (!paths || !pa.profiles || !pa.files) {
        free(paths);
        free(pa.profiles);
        free(pa.files);
        return EA_EXIT_INTERNAL;
    }
    optind = 1;
    while ((c = getopt_long(argc, argv, "+r:f:F:o:qhp:a:", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            pa.profiles[pa.n_profiles++] = optarg;
            break;
        case 'a':
            pa.files[pa.n_files++] = optarg;
            break;
        case 'T':
            pa.service_tags = optarg;
            break;
        case 'X':
            if (strcmp(optarg, "never") == 0)
                fail_on = FAIL_NEVER;
            else if (strcmp(optarg, "denied") == 0)
                fail_on = FAIL_DENIED;
            else if (strcmp(optarg, "unreached") == 0)
                fail_on = FAIL_UNREACHED;
            else {
                rc = die_usage("--fail-on takes denied, unreached or never, not '%s'", optarg);
                goto out_args;
            }
            break;
        case 'E':
            if (!emit_format_parse(optarg, &emit)) {
                rc = die_usage("--emit takes text, az, yaml or bicep, not '%s'", optarg);
                goto out_args;
            }
            want_emit = true;
            break;
        case 'G':
            eo.resource_group = optarg;
            break;
        case 'W':
            eo.workspace = optarg;
            break;
        case 'r':
            paths[n_paths++] = optarg;
            break;
        case 'f':
            opts.bpf = optarg;
            break;
        case 'F': {
            size_t i;
            for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
                if (strcmp(optarg, formats[i].name) == 0)
                    break;
            if (i == sizeof(formats) / sizeof(formats[0])) {
                rc = die_usage("unknown format '%s' (text, json)", optarg);
                goto out_args;
            }
            format = formats[i].f;
            break;
        }
        case 'o':
            output = optarg;
            break;
        case 'C':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                rc = die_usage("--color takes auto, always or never, not '%s'", optarg);
                goto out_args;
            }
            color = optarg;
            break;
        case 'c':
            if (!parse_size(optarg, 64, 1 << 24, &opts.cutoff)) {
                rc = die_usage("--cutoff takes 64 to 16777216 bytes, not '%s'", optarg);
                goto out_args;
            }
            break;
        case 'm':
            if (!parse_size(optarg, 1, (size_t)1 << 26, &opts.max_flows)) {
                rc = die_usage("--max-flows takes 1 to 67108864, not '%s'", optarg);
                goto out_args;
            }
            break;
        case 'M':
            if (!parse_size(optarg, 1, (size_t)1 << 26, &opts.max_conns)) {
                rc = die_usage("--max-connections takes 1 to 67108864, not '%s'", optarg);
                goto out_args;
            }
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage_analyze(stdout);
            rc = EA_EXIT_OK;
            goto out_args;
        default:
            fputs("Try 'egress-audit analyze --help'.\n", stderr);
            rc = EA_EXIT_INPUT;
            goto out_args;
        }
    }
    for (int i = optind; i < argc; i++)
        paths[n_paths++] = argv[i];
    bool policy = pa.n_profiles || pa.n_files;
    if (n_paths == 0) {
        rc = die_usage("%s", "analyze needs at least one capture file ('-' for stdin)");
        goto out_args;
    }
    if (!policy && (fail_on == FAIL_DENIED || want_emit || pa.service_tags)) {
        rc = die_usage("%s", "--fail-on denied, --emit and --service-tags need an allowlist "
                             "(-p PROFILE or -a FILE)");
        goto out_args;
    }
    if (!quiet) {
        opts.warnings = stderr;
        if (isatty(STDERR_FILENO))
            opts.progress = stderr;
    }

    struct ea_report report;
    char err[1024] = "";
    ea_report_init(&report);
    report.tool_version = EA_VERSION;
    /* Rules first: a bad rule file fails before the capture is read. */
    rc = load_rules(&report, &pa, quiet);
    if (rc != EA_EXIT_OK)
        goto out;
    enum analyze_status st = analyze_files(paths, n_paths, &opts, &report, err, sizeof(err));
    if (st != ANALYZE_OK) {
        fprintf(stderr, "egress-audit: %s\n", err);
        rc = st == ANALYZE_INPUT_ERROR ? EA_EXIT_INPUT : EA_EXIT_INTERNAL;
        goto out;
    }
    if (policy && !policy_judge(&report)) {
        fputs("egress-audit: out of memory\n", stderr);
        rc = EA_EXIT_INTERNAL;
        goto out;
    }

    bool to_stdout;
    FILE *out = open_output(output, &to_stdout);
    if (!out) {
        rc = EA_EXIT_INPUT;
        goto out;
    }
    int r;
    if (want_emit)
        r = emit_remedies(&report, emit, &eo, out);
    else if (format == FORMAT_JSON)
        r = render_json(&report, out);
    else
        r = render_text(&report, out, want_color(color, out));
    rc = close_output(out, to_stdout, output, r);
    if (rc == EA_EXIT_OK && fail_on == FAIL_DENIED && report.verdict_hosts[EA_V_DENIED] > 0)
        rc = EA_EXIT_POLICY;
    if (rc == EA_EXIT_OK && fail_on == FAIL_UNREACHED) {
        for (size_t i = 0; i < report.n_hosts; i++)
            if (report.hosts[i].outcome != EA_OUT_REACHED)
                rc = EA_EXIT_POLICY;
    }
out:
    ea_report_finish(&report);
out_args:
    free(paths);
    free(pa.profiles);
    free(pa.files);
    return rc;
}

static int cmd_rules(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, 'p'},
        {"allowlist", required_argument, NULL, 'a'},
        {"emit", required_argument, NULL, 'E'},
        {"resource-group", required_argument, NULL, 'G'},
        {"workspace", required_argument, NULL, 'W'},
        {"output", required_argument, NULL, 'o'},
        {"list", no_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct policy_args pa = {0};
    struct emit_opts eo = {0};
    enum emit_format emit = EMIT_TEXT;
    const char *output = NULL;
    bool list = false;
    int c, rc = EA_EXIT_OK;
    pa.profiles = calloc((size_t)argc + 1, sizeof(*pa.profiles));
    pa.files = calloc((size_t)argc + 1, sizeof(*pa.files));
    if (!pa.profiles || !pa.files) {
        rc = EA_EXIT_INTERNAL;
        goto out;
    }
    optind = 1;
    while ((c = getopt_long(argc, argv, "+p:a:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            pa.profiles[pa.n_profiles++] = optarg;
            break;
        case 'a':
            pa.files[pa.n_files++] = optarg;
            break;
        case 'E':
            if (!emit_format_parse(optarg, &emit)) {
                rc = die_usage("--emit takes text, az, yaml or bicep, not '%s'", optarg);
                goto out;
            }
            break;
        case 'G':
            eo.resource_group = optarg;
            break;
        case 'W':
            eo.workspace = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'L':
            list = true;
            break;
        case 'h':
            usage_rules(stdout);
            goto out;
        default:
            fputs("Try 'egress-audit rules --help'.\n", stderr);
            rc = EA_EXIT_INPUT;
            goto out;
        }
    }
    if (optind < argc) {
        rc = die_usage("unexpected argument '%s' (rule files go after -a)", argv[optind]);
        goto out;
    }
    if (list) {
        char err[1024];
        if (!rules_list_profiles(stdout, err, sizeof(err))) {
            fprintf(stderr, "egress-audit: %s\n", err);
            rc = EA_EXIT_INPUT;
        }
        goto out;
    }
    if (!pa.n_profiles && !pa.n_files) {
        rc = die_usage("%s", "rules needs -p PROFILE, -a FILE or --list");
        goto out;
    }
    struct ea_report report;
    ea_report_init(&report);
    rc = load_rules(&report, &pa, false);
    if (rc == EA_EXIT_OK) {
        bool to_stdout;
        FILE *out = open_output(output, &to_stdout);
        if (out)
            rc = close_output(out, to_stdout, output, emit_rules(&report, emit, &eo, out));
        else
            rc = EA_EXIT_INPUT;
    }
    ea_report_finish(&report);
out:
    free(pa.profiles);
    free(pa.files);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage_main(stderr);
        return EA_EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(stdout);
        return EA_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("egress-audit %s\n", EA_VERSION);
        return EA_EXIT_OK;
    }
    if (strcmp(cmd, "analyze") == 0)
        return cmd_analyze(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0)
        return cmd_rules(argc - 1, argv + 1);
    fprintf(stderr, "egress-audit: unknown command '%s'\n", cmd);
    usage_main(stderr);
    return EA_EXIT_INPUT;
}
