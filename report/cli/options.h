/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The command line's one option table (after curl's aliases[]): every
 * option is defined once, with its long name, letter and argument, and
 * each subcommand lists the ones it takes. Options shared by the commands
 * (-p, -a, -F, -o, --emit, ...) are also parsed once, into struct cli_common.
 * Parsing is separate from running. GNU argument order: options may follow
 * operands; "--" ends them.
 */
#ifndef EA_CLI_OPTIONS_H
#define EA_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "emit.h"
#include "model.h"

enum opt_id {
    OPT_HELP = 0,
    OPT_PROFILE,
    OPT_ALLOWLIST,
    OPT_SERVICE_TAGS,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_EMIT,
    OPT_RESOURCE_GROUP,
    OPT_WORKSPACE,
    OPT_FAIL_ON,
    OPT_QUIET,
    OPT_COLOR,
    OPT_READ,
    OPT_FILTER,
    OPT_CUTOFF,
    OPT_MAX_FLOWS,
    OPT_MAX_CONNECTIONS,
    OPT_LIST,
    OPT_COUNT,
    OPT_NO_RESOLVE,
    OPT_EXPLAIN,
    OPT_DIFF,
    /* capture */
    OPT_INTERFACE,
    OPT_WRITE,
    OPT_CUTOFF_HEADERS,
    OPT_ROTATE_SECONDS,
    OPT_FILE_SIZE,
    OPT_FILE_COUNT,
    OPT_USER,
    OPT_DURATION,
    OPT_LIVE,
    OPT_LIST_INTERFACES,
    OPT_BUFFER_SIZE,
    OPT_SNAPLEN,
    OPT_WIDTH,
    OPT_CONNECTIONS,
    OPT_MAX_HOSTS,
    OPT_MAX_DNS,
    OPT_JOBS,
    OPT__COUNT
};

enum report_format {
    FORMAT_TEXT = 0,
    FORMAT_JSON,
    FORMAT_MD,
    FORMAT_HTML,
    FORMAT_CSV,
};

enum fail_on {
    FAIL_NEVER = 0,
    FAIL_DENIED,
    FAIL_UNREACHED,
    FAIL_NEW, /* a host that the --diff base did not have (egress-audit report) */
};

/* What the shared options said. */
struct cli_common {
    const char *cmd; /* "analyze", for messages */
    const char **profiles;
    size_t n_profiles;
    const char **allowlists;
    size_t n_allowlists;
    const char *service_tags;
    enum report_format format;
    bool format_set;
    const char *output; /* NULL or "-": standard output */
    bool want_emit;
    enum emit_format emit;
    struct emit_opts emit_opts;
    enum fail_on fail_on;
    bool quiet;
    const char *color; /* auto, always, never */
    bool width_set;    /* --width N: the text report's width (0: no limit) */
    unsigned width;
    bool connections; /* -v, --connections: list every connection and DNS query */
};

/* Called for each option that is not a shared one (and for operands, with
 * id -1 and arg the operand). Returns an exit code to stop with, or -1 to go
 * on. */
typedef int (*cli_option_fn)(int id, const char *arg, void *ctx);

/*
 * Parse argv (argv[0] is the subcommand) against the options in ids[0..n).
 * Shared options fill *common; the others, and the operands in order, go to
 * fn. Returns -1 when parsing went through, else the exit code to return
 * (0 after --help, which fn is called for as OPT_HELP; 2 on a usage error,
 * with a message on stderr naming the command).
 */
int cli_parse(int argc, char **argv, const enum opt_id *ids, size_t n, struct cli_common *common,
              cli_option_fn fn, void *ctx);
void cli_common_free(struct cli_common *c);

/* "egress-audit analyze: ..." on stderr, then the hint to --help; returns 2. */
__attribute__((format(printf, 2, 3))) int cli_usage_error(const char *cmd, const char *fmt, ...);
/* "egress-audit analyze: ..." on stderr. */
__attribute__((format(printf, 2, 3))) void cli_error(const char *cmd, const char *fmt, ...);

/* --color WHEN for the stream out: always, never, or auto (a terminal,
 * without NO_COLOR, TERM not dumb). */
bool cli_want_color(const char *when, FILE *out);

/* A count or size in [min, max]; false on anything else. */
bool cli_parse_size(const char *s, size_t min, size_t max, size_t *out);

/* Load every profile, then every rule file, then the service tags, in
 * order; all or nothing per source. Returns an exit code. */
int cli_load_rules(struct ea_report *r, const struct cli_common *c);
bool cli_has_rules(const struct cli_common *c);

/* The output stream: standard output for NULL or "-". NULL with a message
 * when it cannot be opened. */
FILE *cli_open_output(const struct cli_common *c, bool *to_stdout);
/* Check before any work that the output can be written: creates (or
 * truncates) the file. Returns -1 when it can, else the exit code (3). */
int cli_check_output(const struct cli_common *c);
/* Flush and close; rc is the renderer's result. Returns an exit code. */
int cli_close_output(const struct cli_common *c, FILE *out, bool to_stdout, int rc);

/* Judge r against the loaded rules (when there are any) and describe its
 * hosts: each host's service from the service catalog, and for denied
 * hosts what the catalog and the other built-in profiles know (policy.h
 * policy_explain, when explain: r was judged here). judge false: no new
 * verdicts (a report read back keeps its own). Returns -1, or an exit code
 * with a message. */
int cli_judge_and_describe(struct ea_report *r, const struct cli_common *c, bool judge,
                           bool explain);

/* Render r as the options ask (the report in its format, or --emit's
 * rules to add) to the output, and apply --fail-on. Returns an exit code. */
int cli_write_report(const struct ea_report *r, const struct cli_common *c);

#endif
