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
#include "exitcode.h"
#include "model.h"
#include "render.h"

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
          "  analyze FILE...   analyze pcap/pcapng files ('-' reads stdin) as one run\n"
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
          "      --cutoff BYTES    bytes of each TCP direction to reassemble (default 16384)\n"
          "      --max-flows N     concurrent flows tracked before the oldest is evicted\n"
          "                        (default 262144)\n"
          "  -q, --quiet           no progress or warnings on standard error\n"
          "  -h, --help            this help\n"
          "\n"
          "A file cut off inside a record is analyzed up to the cut, with a warning,\n"
          "and the report says \"truncated\".\n",
          out);
}

__attribute__((format(printf, 1, 2))) static int die_usage(const char *fmt, ...)
{
    va_list ap;
    fputs("egress-audit: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'egress-audit analyze --help'.\n", stderr);
    return EA_EXIT_INPUT;
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
        {"filter", required_argument, NULL, 'f'}, {"format", required_argument, NULL, 'F'},
        {"output", required_argument, NULL, 'o'}, {"color", required_argument, NULL, 'C'},
        {"colour", required_argument, NULL, 'C'}, {"cutoff", required_argument, NULL, 'c'},
        {"max-flows", required_argument, NULL, 'm'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    struct analyze_opts opts = {0};
    enum format format = FORMAT_TEXT;
    const char *output = NULL, *color = "auto";
    bool quiet = false;
    const char **paths = calloc((size_t)argc + 1, sizeof(*paths));
    size_t n_paths = 0;
    int c, rc = EA_EXIT_OK;
    if (!paths)
        return EA_EXIT_INTERNAL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+r:f:F:o:qh", longopts, NULL)) != -1) {
        switch (c) {
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
                free(paths);
                return die_usage("unknown format '%s' (text, json)", optarg);
            }
            format = formats[i].f;
            break;
        }
        case 'o':
            output = optarg;
            break;
        case 'C':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                free(paths);
                return die_usage("--color takes auto, always or never, not '%s'", optarg);
            }
            color = optarg;
            break;
        case 'c':
            if (!parse_size(optarg, 64, 1 << 24, &opts.cutoff)) {
                free(paths);
                return die_usage("--cutoff takes 64 to 16777216 bytes, not '%s'", optarg);
            }
            break;
        case 'm':
            if (!parse_size(optarg, 1, (size_t)1 << 26, &opts.max_flows)) {
                free(paths);
                return die_usage("--max-flows takes 1 to 67108864, not '%s'", optarg);
            }
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage_analyze(stdout);
            free(paths);
            return EA_EXIT_OK;
        default:
            free(paths);
            fputs("Try 'egress-audit analyze --help'.\n", stderr);
            return EA_EXIT_INPUT;
        }
    }
    for (int i = optind; i < argc; i++)
        paths[n_paths++] = argv[i];
    if (n_paths == 0) {
        free(paths);
        return die_usage("%s", "analyze needs at least one capture file ('-' for stdin)");
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
    enum analyze_status st = analyze_files(paths, n_paths, &opts, &report, err, sizeof(err));
    if (st != ANALYZE_OK) {
        fprintf(stderr, "egress-audit: %s\n", err);
        rc = st == ANALYZE_INPUT_ERROR ? EA_EXIT_INPUT : EA_EXIT_INTERNAL;
        goto out;
    }

    FILE *out = stdout;
    bool to_stdout = !output || strcmp(output, "-") == 0;
    if (!to_stdout) {
        out = fopen(output, "w");
        if (!out) {
            fprintf(stderr, "egress-audit: cannot write '%s': %s\n", output, strerror(errno));
            rc = EA_EXIT_INPUT;
            goto out;
        }
    }
    int r = format == FORMAT_JSON ? render_json(&report, out)
                                  : render_text(&report, out, want_color(color, out));
    if (fflush(out) != 0)
        r = -1;
    if (!to_stdout && fclose(out) != 0)
        r = -1;
    if (r != 0) {
        fprintf(stderr, "egress-audit: cannot write '%s': %s\n", to_stdout ? "-" : output,
                strerror(errno ? errno : EIO));
        rc = EA_EXIT_INTERNAL;
    }
out:
    ea_report_finish(&report);
    free(paths);
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
    fprintf(stderr, "egress-audit: unknown command '%s'\n", cmd);
    usage_main(stderr);
    return EA_EXIT_INPUT;
}
