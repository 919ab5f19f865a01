/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The option table and what the subcommands share (options.h). */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "escape.h"
#include "exitcode.h"
#include "names.h"
#include "policy.h"
#include "render.h"
#include "rules.h"

struct opt_def {
    const char *long_name;
    char letter; /* 0: long only */
    int has_arg; /* no_argument or required_argument */
};

/* Every option of every subcommand, once. */
static const struct opt_def opt_table[OPT__COUNT] = {
    [OPT_HELP] = {"help", 'h', no_argument},
    [OPT_PROFILE] = {"profile", 'p', required_argument},
    [OPT_ALLOWLIST] = {"allowlist", 'a', required_argument},
    [OPT_SERVICE_TAGS] = {"service-tags", 0, required_argument},
    [OPT_FORMAT] = {"format", 'F', required_argument},
    [OPT_OUTPUT] = {"output", 'o', required_argument},
    [OPT_EMIT] = {"emit", 0, required_argument},
    [OPT_RESOURCE_GROUP] = {"resource-group", 0, required_argument},
    [OPT_WORKSPACE] = {"workspace", 0, required_argument},
    [OPT_FAIL_ON] = {"fail-on", 0, required_argument},
    [OPT_QUIET] = {"quiet", 'q', no_argument},
    [OPT_COLOR] = {"color", 0, required_argument},
    [OPT_READ] = {"read", 'r', required_argument},
    [OPT_FILTER] = {"filter", 'f', required_argument},
    [OPT_CUTOFF] = {"cutoff", 0, required_argument},
    [OPT_MAX_FLOWS] = {"max-flows", 0, required_argument},
    [OPT_MAX_CONNECTIONS] = {"max-connections", 0, required_argument},
    [OPT_LIST] = {"list", 0, no_argument},
    [OPT_COUNT] = {"count", 'c', required_argument},
    [OPT_NO_RESOLVE] = {"no-resolve", 'n', no_argument},
    [OPT_EXPLAIN] = {"explain", 0, required_argument},
    [OPT_DIFF] = {"diff", 0, required_argument},
    [OPT_INTERFACE] = {"interface", 'i', required_argument},
    [OPT_WRITE] = {"write", 'w', required_argument},
    [OPT_CUTOFF_HEADERS] = {"cutoff-headers", 0, no_argument},
    [OPT_ROTATE_SECONDS] = {"rotate-seconds", 'G', required_argument},
    [OPT_FILE_SIZE] = {"file-size", 'C', required_argument},
    [OPT_FILE_COUNT] = {"file-count", 'W', required_argument},
    [OPT_USER] = {"relinquish-privileges", 'Z', required_argument},
    [OPT_DURATION] = {"duration", 0, required_argument},
    [OPT_LIVE] = {"live", 0, no_argument},
    [OPT_LIST_INTERFACES] = {"list-interfaces", 'D', no_argument},
    [OPT_BUFFER_SIZE] = {"buffer-size", 'B', required_argument},
    [OPT_SNAPLEN] = {"snapshot-length", 's', required_argument},
    [OPT_WIDTH] = {"width", 0, required_argument},
    [OPT_CONNECTIONS] = {"connections", 'v', no_argument},
    [OPT_MAX_HOSTS] = {"max-hosts", 0, required_argument},
    [OPT_MAX_DNS] = {"max-dns", 0, required_argument},
    [OPT_JOBS] = {"jobs", 'j', required_argument},
};

/* Long-only options are told apart from letters by values past a byte. */
enum { LONG_BASE = 0x100 };

static const struct ea_name formats[] = {
    {FORMAT_TEXT, "text"}, {FORMAT_JSON, "json"}, {FORMAT_MD, "md"},
    {FORMAT_HTML, "html"}, {FORMAT_CSV, "csv"},
};

static const struct ea_name fail_ons[] = {
    {FAIL_NEVER, "never"},
    {FAIL_DENIED, "denied"},
    {FAIL_UNREACHED, "unreached"},
    {FAIL_NEW, "new"},
};

static void verror(const char *cmd, const char *fmt, va_list ap)
{
    if (cmd)
        fprintf(stderr, "egress-audit %s: ", cmd);
    else
        fputs("egress-audit: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(cmd, fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(cmd, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "Try 'egress-audit %s --help'.\n", cmd);
    else
        fputs("Try 'egress-audit --help'.\n", stderr);
    return EA_EXIT_INPUT;
}

bool cli_parse_size(const char *s, size_t min, size_t max, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
        return false;
    *out = (size_t)v;
    return true;
}

/* A shared option: handled here. Returns -1 to go on, or an exit code. */
static int common_option(enum opt_id id, const char *arg, struct cli_common *c)
{
    switch (id) {
    case OPT_PROFILE:
        c->profiles[c->n_profiles++] = arg;
        return -1;
    case OPT_ALLOWLIST:
        c->allowlists[c->n_allowlists++] = arg;
        return -1;
    case OPT_SERVICE_TAGS:
        c->service_tags = arg;
        return -1;
    case OPT_FORMAT: {
        int v;
        if (ea_name_find(formats, EA_NAMES_LEN(formats), arg, strlen(arg), false, &v)) {
            c->format = (enum report_format)v;
            c->format_set = true;
            return -1;
        }
        return cli_usage_error(c->cmd, "unknown format '%s' (text, json, md, html, csv)", arg);
    }
    case OPT_OUTPUT:
        c->output = arg;
        return -1;
    case OPT_EMIT:
        if (!emit_format_parse(arg, &c->emit))
            return cli_usage_error(c->cmd, "--emit takes text, az, yaml or bicep, not '%s'", arg);
        c->want_emit = true;
        return -1;
    case OPT_RESOURCE_GROUP:
        c->emit_opts.resource_group = arg;
        return -1;
    case OPT_WORKSPACE:
        c->emit_opts.workspace = arg;
        return -1;
    case OPT_FAIL_ON: {
        int v;
        if (!ea_name_find(fail_ons, EA_NAMES_LEN(fail_ons), arg, strlen(arg), false, &v))
            return cli_usage_error(
                c->cmd, "--fail-on takes denied, unreached, new or never, not '%s'", arg);
        c->fail_on = (enum fail_on)v;
        return -1;
    }
    case OPT_WIDTH: {
        size_t w;
        if (!cli_parse_size(arg, 0, 65535, &w))
            return cli_usage_error(
                c->cmd, "--width takes a number of columns (0: no limit), not '%s'", arg);
        c->width = (unsigned)w;
        c->width_set = true;
        return -1;
    }
    case OPT_CONNECTIONS:
        c->connections = true;
        return -1;
    case OPT_QUIET:
        c->quiet = true;
        return -1;
    case OPT_COLOR:
        if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never"))
            return cli_usage_error(c->cmd, "--color takes auto, always or never, not '%s'", arg);
        c->color = arg;
        return -1;
    default:
        return -2; /* not a shared option */
    }
}

int cli_parse(int argc, char **argv, const enum opt_id *ids, size_t n, struct cli_common *common,
              cli_option_fn fn, void *ctx)
{
    struct option longopts[OPT__COUNT + 2];
    char shortopts[2 * OPT__COUNT + 3];
    size_t nl = 0, ns = 0;
    shortopts[ns++] = ':';
    int rc = -1;
    if (!common->color)
        common->color = "auto";
    common->profiles = calloc((size_t)argc + 1, sizeof(*common->profiles));
    common->allowlists = calloc((size_t)argc + 1, sizeof(*common->allowlists));
    if (!common->profiles || !common->allowlists) {
        cli_error(common->cmd, "out of memory");
        return EA_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < n; i++) {
        const struct opt_def *d = &opt_table[ids[i]];
        int val = d->letter ? d->letter : LONG_BASE + (int)ids[i];
        longopts[nl++] = (struct option){d->long_name, d->has_arg, NULL, val};
        if (ids[i] == OPT_COLOR) /* both spellings */
            longopts[nl++] = (struct option){"colour", d->has_arg, NULL, val};
        if (d->letter) {
            shortopts[ns++] = d->letter;
            if (d->has_arg == required_argument)
                shortopts[ns++] = ':';
        }
    }
    longopts[nl] = (struct option){NULL, 0, NULL, 0};
    shortopts[ns] = '\0';
    /* Our own messages, prefixed with the command: a leading ':' makes
     * getopt tell a missing argument (':') from an unknown option ('?'). */
    opterr = 0;
    optind = 1;
    int c;
    while (rc < 0 && (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == '?' || c == ':') {
            const char *arg = argv[optind - 1];
            char what[64] = {'-', (char)optopt, '\0'};
            if (strncmp(arg, "--", 2) == 0) /* a long option: as written, without "=..." */
                snprintf(what, sizeof what, "%.*s", (int)strcspn(arg, "="), arg);
            return cli_usage_error(
                common->cmd, c == ':' ? "option '%s' needs an argument" : "unknown option '%s'",
                what);
        }
        enum opt_id id = OPT__COUNT;
        for (size_t i = 0; i < n; i++) {
            const struct opt_def *d = &opt_table[ids[i]];
            if ((d->letter && c == d->letter) || c == LONG_BASE + (int)ids[i])
                id = ids[i];
        }
        if (id == OPT__COUNT)
            return EA_EXIT_INPUT;
        rc = common_option(id, optarg, common);
        if (rc == -2)
            rc = fn((int)id, optarg, ctx);
    }
    for (int i = optind; rc < 0 && i < argc; i++)
        rc = fn(-1, argv[i], ctx);
    return rc;
}

void cli_common_free(struct cli_common *c)
{
    free(c->profiles);
    free(c->allowlists);
    c->profiles = NULL;
    c->allowlists = NULL;
}

bool cli_has_rules(const struct cli_common *c)
{
    return c->n_profiles || c->n_allowlists;
}

int cli_load_rules(struct ea_report *r, const struct cli_common *c)
{
    char err[1024];
    FILE *warn = c->quiet ? NULL : stderr;
    for (size_t i = 0; i < c->n_profiles; i++) {
        if (!rules_load_profile(r, c->profiles[i], warn, err, sizeof(err))) {
            cli_error(c->cmd, "%s", err);
            return EA_EXIT_INPUT;
        }
    }
    for (size_t i = 0; i < c->n_allowlists; i++) {
        if (!rules_load_file(r, c->allowlists[i], RULES_AUTO, warn, err, sizeof(err))) {
            cli_error(c->cmd, "%s", err);
            return EA_EXIT_INPUT;
        }
    }
    if (c->service_tags && !rules_load_service_tags(r, c->service_tags, err, sizeof(err))) {
        cli_error(c->cmd, "%s", err);
        return EA_EXIT_INPUT;
    }
    return EA_EXIT_OK;
}

int cli_check_output(const struct cli_common *c)
{
    if (!c->output || strcmp(c->output, "-") == 0)
        return -1;
    FILE *f = fopen(c->output, "w");
    if (!f) {
        cli_error(c->cmd, "cannot write the report to '%s': %s", c->output, strerror(errno));
        return EA_EXIT_INTERNAL;
    }
    fclose(f);
    return -1;
}

FILE *cli_open_output(const struct cli_common *c, bool *to_stdout)
{
    *to_stdout = !c->output || strcmp(c->output, "-") == 0;
    if (*to_stdout)
        return stdout;
    FILE *out = fopen(c->output, "w");
    if (!out)
        cli_error(c->cmd, "cannot write the report to '%s': %s", c->output, strerror(errno));
    return out;
}

int cli_close_output(const struct cli_common *c, FILE *out, bool to_stdout, int rc)
{
    if (fflush(out) != 0)
        rc = -1;
    if (!to_stdout && fclose(out) != 0)
        rc = -1;
    if (rc != 0) {
        if (to_stdout)
            cli_error(c->cmd, "cannot write the report to standard output: %s",
                      strerror(errno ? errno : EIO));
        else
            cli_error(c->cmd, "cannot write the report to '%s': %s", c->output,
                      strerror(errno ? errno : EIO));
        return EA_EXIT_INTERNAL;
    }
    return EA_EXIT_OK;
}

/* The text report's width: --width, else the terminal's (COLUMNS, then the
 * TIOCGWINSZ ioctl), else 80 columns (not a terminal: a file, a pipe). */
static unsigned text_width(const struct cli_common *c, FILE *out)
{
    enum { DEFAULT_WIDTH = 80 };
    if (c->width_set)
        return c->width;
    int fd = fileno(out);
    if (fd < 0 || !isatty(fd))
        return DEFAULT_WIDTH;
    const char *env = getenv("COLUMNS");
    size_t n;
    if (env && cli_parse_size(env, 1, 65535, &n))
        return (unsigned)n;
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return DEFAULT_WIDTH;
}

bool cli_want_color(const char *when, FILE *out)
{
    if (strcmp(when, "always") == 0)
        return true;
    if (strcmp(when, "never") == 0)
        return false;
    const char *term = getenv("TERM");
    return isatty(fileno(out)) && !getenv("NO_COLOR") && term && strcmp(term, "dumb") != 0;
}

enum { FAILING_HOSTS_SHOWN = 20 };

/* --fail-on: the hosts that made it fail, one line each on stderr, up to a
 * limit and a count of the rest. Names are escaped like the text report. */
static void say_failing_hosts(const struct ea_report *r, const struct cli_common *c)
{
    size_t said = 0, more = 0;
    for (size_t i = 0; i < r->n_hosts; i++) {
        const struct ea_host *h = &r->hosts[i];
        bool fails =
            c->fail_on == FAIL_DENIED ? h->verdict == EA_V_DENIED : h->outcome != EA_OUT_REACHED;
        if (c->fail_on == FAIL_NEW)
            continue; /* said below, from the diff */
        if (!fails)
            continue;
        if (said == FAILING_HOSTS_SHOWN) {
            more++;
            continue;
        }
        said++;
        fprintf(stderr, "egress-audit %s: %s: ", c->cmd,
                c->fail_on == FAIL_DENIED ? "denied" : "unreached");
        (void)ea_escape_fwrite(h->key.s ? h->key.s : "", h->key.len, stderr);
        const char *why = c->fail_on == FAIL_DENIED ? ea_verdict_why_text(h->verdict_why)
                                                    : ea_outcome_name(h->outcome);
        fprintf(stderr, ":%u/%s (%s)\n", (unsigned)h->port,
                ea_transport_name(h->transport) ? ea_transport_name(h->transport) : "?",
                why ? why : "-");
    }
    for (size_t i = 0; c->fail_on == FAIL_NEW && i < r->diff.n_changes; i++) {
        const struct ea_change *ch = &r->diff.changes[i];
        if (ch->kind != EA_CHANGE_NEW)
            continue;
        if (said == FAILING_HOSTS_SHOWN) {
            more++;
            continue;
        }
        said++;
        fprintf(stderr, "egress-audit %s: new: ", c->cmd);
        (void)ea_escape_fwrite(ch->key.s ? ch->key.s : "", ch->key.len, stderr);
        fprintf(stderr, ":%u/%s (%s)\n", (unsigned)ch->port,
                ea_transport_name(ch->transport) ? ea_transport_name(ch->transport) : "?",
                ea_outcome_name(ch->new_outcome) ? ea_outcome_name(ch->new_outcome) : "-");
    }
    if (more)
        fprintf(stderr, "egress-audit %s: ... and %zu more (the report lists them all)\n", c->cmd,
                more);
}

int cli_judge_and_describe(struct ea_report *r, const struct cli_common *c, bool judge,
                           bool explain)
{
    if (judge && cli_has_rules(c) && !policy_judge(r)) {
        cli_error(c->cmd, "out of memory");
        return EA_EXIT_INTERNAL;
    }
    /* The catalog is data that ships with the tool; without it (an odd
     * install) the report goes on without services, after a warning. */
    char err[1024];
    struct catalog *cat = catalog_new();
    if (cat && !catalog_load_dir(cat, catalog_dir(), err, sizeof(err))) {
        if (!c->quiet)
            fprintf(stderr, "egress-audit %s: warning: no service catalog: %s\n", c->cmd, err);
        catalog_free(cat);
        cat = NULL;
    }
    bool ok = policy_describe_hosts(r, cat) && (!explain || policy_explain(r, cat));
    catalog_free(cat);
    if (!ok) {
        cli_error(c->cmd, "out of memory");
        return EA_EXIT_INTERNAL;
    }
    return -1;
}

int cli_write_report(const struct ea_report *r, const struct cli_common *c)
{
    bool to_stdout;
    FILE *out = cli_open_output(c, &to_stdout);
    if (!out)
        return EA_EXIT_INTERNAL;
    errno = 0;
    int w;
    struct render_opts ro = {.connections = c->connections, .emit = &c->emit_opts};
    if (c->want_emit) {
        w = emit_remedies(r, c->emit, &c->emit_opts, out);
    } else {
        switch (c->format) {
        case FORMAT_JSON:
            w = render_json(r, out);
            break;
        case FORMAT_MD:
            w = render_md(r, out, &ro);
            break;
        case FORMAT_HTML:
            w = render_html(r, out, &ro);
            break;
        case FORMAT_CSV:
            w = render_csv(r, out);
            break;
        case FORMAT_TEXT:
        default:
            ro.color = cli_want_color(c->color, out);
            ro.width = text_width(c, out);
            w = render_text(r, out, &ro);
            break;
        }
    }
    int rc = cli_close_output(c, out, to_stdout, w);
    if (rc == EA_EXIT_OK && !c->want_emit && c->format == FORMAT_CSV && !c->quiet &&
        r->counters[EA_C_CONNS_NOT_LISTED])
        cli_error(c->cmd,
                  "warning: %llu connections past --max-connections are not in the CSV (their "
                  "hosts count them: see the other formats)",
                  (unsigned long long)r->counters[EA_C_CONNS_NOT_LISTED]);
    if (rc == EA_EXIT_OK && c->fail_on == FAIL_DENIED && r->verdict_hosts[EA_V_DENIED] > 0)
        rc = EA_EXIT_POLICY;
    if (rc == EA_EXIT_OK && c->fail_on == FAIL_UNREACHED && r->unreached_hosts > 0)
        rc = EA_EXIT_POLICY;
    if (rc == EA_EXIT_OK && c->fail_on == FAIL_NEW && r->diff.counts[EA_CHANGE_NEW] > 0)
        rc = EA_EXIT_POLICY;
    if (rc == EA_EXIT_POLICY)
        say_failing_hosts(r, c);
    return rc;
}
