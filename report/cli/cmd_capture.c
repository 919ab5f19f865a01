/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * egress-audit capture: a live interface in, cut pcap files and a report
 * out. Every frame is analyzed as it is written, so the report at the end
 * is the one `egress-audit analyze` would make of the files, without
 * reading them again. Optionally runs a command for the capture's length.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "capture_view.h"
#include "commands.h"
#include "config.h"
#include "exitcode.h"
#include "options.h"
#include "policy.h"

enum {
    STEP_MS = 250,          /* the loop looks at the clock, the command and signals */
    DRAIN_MS = 1000,        /* after the command exits: its last packets */
    SIGNAL_GRACE_MS = 3000, /* after a signal: the command's time to exit */
    EXIT_CANNOT_RUN = 127,  /* as a shell says of a command it cannot run */
};

static void usage(FILE *out)
{
    fputs("usage: egress-audit capture -i IFACE [-w FILE] [OPTIONS] [BPF EXPRESSION]\n"
          "       egress-audit capture -i IFACE [-w FILE] [OPTIONS] -- COMMAND [ARGS...]\n"
          "       egress-audit capture -D\n"
          "\n"
          "Captures on a live interface until Ctrl-C (or --duration, -c, or the end of\n"
          "COMMAND), writes the capture cut to what an audit needs, and analyzes every\n"
          "packet as it is written: the report at the end is what 'egress-audit analyze'\n"
          "makes of the written files. Needs root, or CAP_NET_RAW and CAP_NET_ADMIN.\n"
          "\n"
          "options:\n"
          "  -i, --interface IFACE  capture on IFACE ('any': all interfaces)\n"
          "  -D, --list-interfaces  list the interfaces, as tcpdump -D, and exit\n"
          "  -w, --write FILE       write the packets to FILE (pcap); without it, only analyze\n"
          "  -f, --filter BPF       capture filter (tcpdump syntax); the default is\n"
          "                         '" CAPTURE_DEFAULT_FILTER "'\n"
          "      --cutoff BYTES     write DNS, handshakes and the first BYTES of payload of\n"
          "                         each connection direction (TCP, and UDP such as QUIC);\n"
          "                         leave later packets out (default 32768; 0 keeps all)\n"
          "      --cutoff-headers   past the cutoff, write packets cut to their headers\n"
          "                         instead, so byte counts and FIN/RST survive\n"
          "  -G, --rotate-seconds N  a new file every N seconds; -w is then a strftime\n"
          "                         pattern: -w 'deploy-%Y%m%d-%H%M%S.pcap'\n"
          "  -C, --file-size MB     a new file once the current one is past MB million\n"
          "                         bytes: FILE, FILE1, FILE2, ...\n"
          "  -W, --file-count N     keep only the newest N files (with -C: a ring of N\n"
          "                         names, FILE0 to FILE<N-1>)\n"
          "  -Z, --relinquish-privileges USER  after opening the interface and the first\n"
          "                         file (both given to USER), run as USER\n"
          "      --duration SECONDS  stop after this long (also 30s, 10m, 2h)\n"
          "  -c, --count COUNT      stop after COUNT packets\n"
          "  -s, --snapshot-length BYTES  bytes kept of each packet (default 262144)\n"
          "  -B, --buffer-size KIB  kernel capture buffer (default 32768 KiB)\n"
          "      --live             a line on standard error for each host as it appears\n"
          "                         (time, name, port, outcome, verdict), and again when\n"
          "                         its outcome or verdict changes\n"
          "  -F, --format FORMAT    report format: text (default) or json\n"
          "  -o, --output OUT       write the report to OUT instead of standard output\n"
          "      --color WHEN       auto (default), always or never: live lines and text\n"
          "  -n, --no-resolve       accepted for tcpdump habits: nothing is ever resolved\n"
          "  -q, --quiet            no status line, summary or warnings on standard error\n"
          "  -h, --help             this help\n"
          "\n"
          "allowlist, as for analyze (verdicts live and in the report):\n"
          "  -p, --profile NAME    a built-in profile (egress-audit rules --list); repeatable\n"
          "  -a, --allowlist FILE  rules: text, workspace YAML, az CLI or ARM JSON; repeatable\n"
          "      --service-tags FILE  Microsoft's ServiceTags_Public_*.json\n"
          "      --fail-on WHAT    exit 1 if some host is denied (denied), or did not reach\n"
          "                        its service (unreached); never (default) keeps 0\n"
          "      --emit FORMAT     print only the rules to add: text, az, yaml or bicep\n"
          "      --resource-group RG, --workspace WS   names for the az and Bicep output\n"
          "\n"
          "-- COMMAND [ARGS...]: start the capture, run COMMAND (as the user who ran sudo,\n"
          "or as -Z USER), stop one second after it exits; the exit status is COMMAND's,\n"
          "or 1 when --fail-on trips and COMMAND succeeded.\n"
          "\n"
          "SIGINT, SIGTERM and SIGHUP stop the capture cleanly: the file is flushed and\n"
          "valid, and the report is written. If the disk fills, writing stops (the file\n"
          "stays valid), the analysis goes on and the report says so.\n",
          out);
}

static const enum opt_id capture_opts[] = {
    OPT_HELP,           OPT_INTERFACE,      OPT_WRITE,     OPT_FILTER,          OPT_CUTOFF,
    OPT_CUTOFF_HEADERS, OPT_ROTATE_SECONDS, OPT_FILE_SIZE, OPT_FILE_COUNT,      OPT_USER,
    OPT_DURATION,       OPT_COUNT,          OPT_LIVE,      OPT_LIST_INTERFACES, OPT_BUFFER_SIZE,
    OPT_SNAPLEN,        OPT_NO_RESOLVE,     OPT_FORMAT,    OPT_OUTPUT,          OPT_COLOR,
    OPT_QUIET,          OPT_PROFILE,        OPT_ALLOWLIST, OPT_SERVICE_TAGS,    OPT_FAIL_ON,
    OPT_EMIT,           OPT_RESOURCE_GROUP, OPT_WORKSPACE,
};

struct capture_args {
    struct capture_live_opts live;
    bool cutoff_set, headers_set;
    const char *user;  /* -Z */
    unsigned duration; /* seconds; 0: none */
    bool live_view;
    bool list;
    const char **words; /* operands: a BPF expression, as tcpdump takes it */
    size_t n_words;
};

/* "30", "30s", "10m", "2h": seconds. */
static bool parse_duration(const char *s, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return false;
    unsigned long mult = 1;
    if (*end == 's')
        end++;
    else if (*end == 'm')
        mult = 60, end++;
    else if (*end == 'h')
        mult = 3600, end++;
    if (*end || v == 0 || v > UINT32_MAX / mult)
        return false;
    *out = (unsigned)(v * mult);
    return true;
}

static int capture_option(int id, const char *arg, void *ctx)
{
    struct capture_args *a = ctx;
    size_t n;
    switch (id) {
    case -1:
        a->words[a->n_words++] = arg;
        return -1;
    case OPT_HELP:
        usage(stdout);
        return EA_EXIT_OK;
    case OPT_INTERFACE:
        a->live.interface = arg;
        return -1;
    case OPT_WRITE:
        if (strcmp(arg, "-") == 0)
            return cli_usage_error("capture", "%s",
                                   "-w writes a file: standard output ('-') is for the report");
        a->live.write = arg;
        return -1;
    case OPT_FILTER:
        a->live.bpf = arg;
        return -1;
    case OPT_CUTOFF:
        if (!cli_parse_size(arg, 0, (size_t)1 << 30, &n))
            return cli_usage_error("capture", "--cutoff takes 0 to 1073741824 bytes, not '%s'",
                                   arg);
        a->live.cutoff = n;
        a->cutoff_set = true;
        return -1;
    case OPT_CUTOFF_HEADERS:
        a->live.cutoff_headers = true;
        a->headers_set = true;
        return -1;
    case OPT_ROTATE_SECONDS:
        if (!cli_parse_size(arg, 1, 1u << 30, &n))
            return cli_usage_error("capture", "-G takes a number of seconds, not '%s'", arg);
        a->live.rotate_seconds = (unsigned)n;
        return -1;
    case OPT_FILE_SIZE:
        if (!cli_parse_size(arg, 1, 1u << 24, &n))
            return cli_usage_error("capture", "-C takes a size in millions of bytes, not '%s'",
                                   arg);
        a->live.rotate_bytes = (uint64_t)n * 1000000u;
        return -1;
    case OPT_FILE_COUNT:
        if (!cli_parse_size(arg, 1, 100000, &n))
            return cli_usage_error("capture", "-W takes 1 to 100000 files, not '%s'", arg);
        a->live.keep_files = (unsigned)n;
        return -1;
    case OPT_USER:
        a->user = arg;
        return -1;
    case OPT_DURATION:
        if (!parse_duration(arg, &a->duration))
            return cli_usage_error("capture",
                                   "--duration takes seconds (30, 30s, 10m, 2h), not '%s'", arg);
        return -1;
    case OPT_COUNT:
        if (!cli_parse_size(arg, 1, SIZE_MAX, &n))
            return cli_usage_error("capture", "-c takes a count of packets, not '%s'", arg);
        a->live.max_packets = n;
        return -1;
    case OPT_LIVE:
        a->live_view = true;
        return -1;
    case OPT_LIST_INTERFACES:
        a->list = true;
        return -1;
    case OPT_BUFFER_SIZE:
        if (!cli_parse_size(arg, 64, 1u << 21, &n))
            return cli_usage_error("capture", "-B takes 64 to 2097152 KiB, not '%s'", arg);
        a->live.buffer_bytes = n * 1024;
        return -1;
    case OPT_SNAPLEN:
        if (!cli_parse_size(arg, 0, CAPTURE_DEFAULT_SNAPLEN, &n) || (n && n < 128))
            return cli_usage_error("capture", "-s takes 128 to 262144 bytes (0: 262144), not '%s'",
                                   arg);
        a->live.snaplen = (int)n;
        return -1;
    case OPT_NO_RESOLVE:
        return -1;
    default:
        return EA_EXIT_INPUT;
    }
}

/* ---- signals ---- */

static volatile sig_atomic_t g_signal, g_signals;
static struct capture_live *volatile g_live;

static void on_signal(int sig)
{
    g_signal = sig;
    g_signals++;
    capture_live_break(g_live);
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: poll(2) returns at once */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* ---- users ---- */

/* Who to become (-Z) or run the command as (sudo's user). */
struct user {
    bool set;
    uid_t uid;
    gid_t gid;
    char name[256];
    char home[PATH_MAX];
};

static bool user_of_pw(const struct passwd *pw, gid_t gid, struct user *out)
{
    if (strlen(pw->pw_name) >= sizeof out->name || strlen(pw->pw_dir) >= sizeof out->home)
        return false;
    out->set = true;
    out->uid = pw->pw_uid;
    out->gid = gid;
    memcpy(out->name, pw->pw_name, strlen(pw->pw_name) + 1);
    memcpy(out->home, pw->pw_dir, strlen(pw->pw_dir) + 1);
    return true;
}

/* The user who ran sudo (SUDO_UID, SUDO_GID), when we are root through it. */
static bool sudo_user(struct user *out)
{
    const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
    size_t uid, gid;
    if (geteuid() != 0 || !su || !sg || !cli_parse_size(su, 0, UINT32_MAX, &uid) ||
        !cli_parse_size(sg, 0, UINT32_MAX, &gid) || uid == 0)
        return false;
    const struct passwd *pw = getpwuid((uid_t)uid);
    if (!pw)
        return false;
    return user_of_pw(pw, (gid_t)gid, out);
}

/* Become u: supplementary groups, group, user; never able to return. */
static bool become(const struct user *u, char *err, size_t errlen)
{
    if (initgroups(u->name, u->gid) != 0 || setgid(u->gid) != 0 || setuid(u->uid) != 0) {
        snprintf(err, errlen, "cannot become user '%s': %s", u->name, strerror(errno));
        return false;
    }
    if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        snprintf(err, errlen, "could regain root after becoming '%s'", u->name);
        return false;
    }
    return true;
}

/* ---- the command ---- */

/* Start argv (as u when set), in our process group so that a terminal's
 * Ctrl-C reaches it too. Returns its pid, or -1 with err when it could not
 * be started (exec failed: *out_errno). */
static pid_t start_command(char **argv, const struct user *u, char *err, size_t errlen)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot run '%s': %s", argv[0], strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot run '%s': %s", argv[0], strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        int e = 0;
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        /* Nothing of ours (the packet socket, the files) goes along. */
        if (fds[1] > 3)
            close_range(3, (unsigned)fds[1] - 1, 0);
        close_range((unsigned)fds[1] + 1, ~0u, 0);
        if (u->set && geteuid() == 0 && u->uid != 0) {
            if (initgroups(u->name, u->gid) != 0 || setgid(u->gid) != 0 || setuid(u->uid) != 0)
                e = errno ? errno : EPERM;
        }
        if (!e && u->set) {
            setenv("HOME", u->home, 1);
            setenv("USER", u->name, 1);
            setenv("LOGNAME", u->name, 1);
        }
        if (!e) {
            execvp(argv[0], argv);
            e = errno;
        }
        ssize_t w = write(fds[1], &e, sizeof e);
        (void)w;
        _exit(e == ENOENT ? EXIT_CANNOT_RUN : 126);
    }
    close(fds[1]);
    int e = 0;
    ssize_t r;
    do
        r = read(fds[0], &e, sizeof e);
    while (r < 0 && errno == EINTR);
    close(fds[0]);
    if (r == (ssize_t)sizeof e) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        snprintf(err, errlen, "cannot run '%s'%s%s: %s", argv[0], u->set ? " as " : "",
                 u->set ? u->name : "", strerror(e));
        return -1;
    }
    return pid;
}

static int exit_of_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return EA_EXIT_INTERNAL;
}

/* ---- running ---- */

struct run {
    struct capture_view *view;
    bool status_line;
    bool quiet;
};

static void on_warn(const char *line, void *ctx)
{
    struct run *r = ctx;
    if (r->view)
        capture_view_clear_status(r->view);
    if (!r->quiet)
        fprintf(stderr, "egress-audit capture: warning: %s\n", line);
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void megabytes(char *out, size_t n, uint64_t bytes)
{
    snprintf(out, n, "%llu.%llu MB", (unsigned long long)(bytes / 1000000),
             (unsigned long long)(bytes % 1000000 / 100000));
}

static void status_line(struct run *r, struct capture_live *l, double elapsed)
{
    struct capture_live_totals t;
    capture_live_totals(l, &t);
    char seen[32], written[32], line[256];
    megabytes(seen, sizeof seen, t.bytes_seen);
    megabytes(written, sizeof written, t.bytes_written);
    unsigned s = (unsigned)elapsed;
    int k = snprintf(line, sizeof line, "%u:%02u:%02u  %llu packets", s / 3600, s / 60 % 60, s % 60,
                     (unsigned long long)t.packets_seen);
    if (t.files && k > 0 && (size_t)k < sizeof line)
        k += snprintf(line + k, sizeof line - (size_t)k, ", %llu written (%s of %s)%s",
                      (unsigned long long)t.packets_written, written, seen,
                      t.writing ? "" : " WRITING STOPPED");
    else if (k > 0 && (size_t)k < sizeof line)
        k += snprintf(line + k, sizeof line - (size_t)k, " (%s)", seen);
    if (k > 0 && (size_t)k < sizeof line)
        snprintf(line + k, sizeof line - (size_t)k, "  %zu hosts  %llu dropped",
                 capture_view_hosts(r->view),
                 (unsigned long long)(t.kernel_drops + t.interface_drops));
    capture_view_status(r->view, line);
}

static void summary(const struct capture_live_totals *t)
{
    char seen[32], written[32];
    megabytes(seen, sizeof seen, t->bytes_seen);
    megabytes(written, sizeof written, t->bytes_written);
    if (t->files)
        fprintf(stderr,
                "egress-audit capture: %llu packets captured (%s), %llu written to %zu file%s "
                "(%s), %llu left out or cut by the cutoff; %llu dropped by the kernel, %llu "
                "by the interface\n",
                (unsigned long long)t->packets_seen, seen, (unsigned long long)t->packets_written,
                t->files, t->files == 1 ? "" : "s", written, (unsigned long long)t->cut_packets,
                (unsigned long long)t->kernel_drops, (unsigned long long)t->interface_drops);
    else
        fprintf(stderr,
                "egress-audit capture: %llu packets captured (%s); %llu dropped by the kernel, "
                "%llu by the interface\n",
                (unsigned long long)t->packets_seen, seen, (unsigned long long)t->kernel_drops,
                (unsigned long long)t->interface_drops);
}

/* Operands before "--" are a filter expression; after it, the command. */
static int split_command(int argc, char **argv, int *out_argc, char ***out_cmd)
{
    *out_argc = argc;
    *out_cmd = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            *out_argc = i;
            if (i + 1 >= argc)
                return cli_usage_error("capture", "%s", "'--' must be followed by a command");
            *out_cmd = argv + i + 1;
            break;
        }
    }
    return -1;
}

static char *join_words(const char *const *w, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(w[i]) + 1;
    char *s = calloc(len, 1);
    if (!s)
        return NULL;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(w[i]);
        if (i)
            s[at++] = ' ';
        memcpy(s + at, w[i], k);
        at += k;
    }
    return s;
}

static int check_args(struct capture_args *a, const struct cli_common *c)
{
    if (!a->live.interface)
        return cli_usage_error("capture", "%s",
                               "capture needs an interface: -i IFACE ('any' for all; -D lists "
                               "them)");
    if (!a->live.write && (a->live.rotate_seconds || a->live.rotate_bytes || a->live.keep_files ||
                           a->cutoff_set || a->headers_set))
        return cli_usage_error("capture", "%s",
                               "-G, -C, -W, --cutoff and --cutoff-headers are about the files "
                               "written: they need -w FILE");
    if (a->live.keep_files && !a->live.rotate_seconds && !a->live.rotate_bytes)
        return cli_usage_error("capture", "%s", "-W needs -G or -C (files to rotate)");
    if (a->live.rotate_seconds && !strchr(a->live.write, '%'))
        return cli_usage_error("capture",
                               "with -G, -w is a strftime pattern such as "
                               "'deploy-%%Y%%m%%d-%%H%%M%%S.pcap': '%s' would be overwritten "
                               "every %u seconds",
                               a->live.write, a->live.rotate_seconds);
    if (!cli_has_rules(c) && (c->fail_on == FAIL_DENIED || c->want_emit || c->service_tags))
        return cli_usage_error("capture", "%s",
                               "--fail-on denied, --emit and --service-tags need an allowlist "
                               "(-p PROFILE or -a FILE)");
    if (c->want_emit && c->format_set)
        return cli_usage_error("capture", "%s",
                               "--emit prints only the rules to add: it does not go with -F");
    if (a->live.write && c->output && strcmp(a->live.write, c->output) == 0)
        return cli_usage_error("capture", "-w and -o name the same file '%s'", c->output);
    if (a->n_words && a->live.bpf)
        return cli_usage_error("capture", "a filter given twice: -f '%s' and '%s'...", a->live.bpf,
                               a->words[0]);
    return -1;
}

/* With -Z: the report file (made as root by cli_check_output) and, when
 * files are rotated, their folder must be the user's to write. */
static int prepare_user(const struct cli_common *c, const struct user *u)
{
    struct stat st;
    /* a regular file only: -o /dev/null must stay root's */
    if (c->output && strcmp(c->output, "-") != 0 && geteuid() == 0 && lstat(c->output, &st) == 0 &&
        S_ISREG(st.st_mode) && chown(c->output, u->uid, u->gid) != 0) {
        cli_error("capture", "cannot give '%s' to user '%s': %s", c->output, u->name,
                  strerror(errno));
        return EA_EXIT_INPUT;
    }
    return -1;
}

static int check_rotation_dir(const struct capture_args *a, const struct user *u)
{
    if (!a->live.write || (!a->live.rotate_seconds && !a->live.rotate_bytes))
        return -1;
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", a->live.write);
    const char *dir = dirname(copy);
    if (access(dir, W_OK | X_OK) != 0) {
        cli_error("capture",
                  "user '%s' cannot make files in '%s' (%s): the rotated files after the first "
                  "are made as that user",
                  u->name, dir, strerror(errno));
        return EA_EXIT_INPUT;
    }
    return -1;
}

int cmd_capture(int argc, char **argv)
{
    struct cli_common c = {.cmd = "capture"};
    struct capture_args a = {0};
    struct run run = {0};
    struct user drop_to = {0}, cmd_user = {0};
    struct analyzer *an = NULL;
    struct capture_live *l = NULL;
    char *filter_words = NULL;
    char **command = NULL;
    char err[PATH_MAX + 1024] = "";
    int parse_argc, rc;
    struct ea_report report;
    ea_report_init(&report);
    report.tool_version = EA_VERSION;

    rc = split_command(argc, argv, &parse_argc, &command);
    if (rc >= 0)
        return rc;
    a.words = calloc((size_t)argc + 1, sizeof *a.words);
    if (!a.words) {
        cli_error("capture", "out of memory");
        return EA_EXIT_INTERNAL;
    }
    rc = cli_parse(parse_argc, argv, capture_opts, sizeof capture_opts / sizeof capture_opts[0], &c,
                   capture_option, &a);
    if (rc >= 0)
        goto out;
    if (a.list) {
        rc = capture_list_interfaces(stdout, err, sizeof err) ? EA_EXIT_OK : EA_EXIT_INPUT;
        if (rc)
            cli_error("capture", "%s", err);
        goto out;
    }
    rc = check_args(&a, &c);
    if (rc >= 0)
        goto out;
    if (a.n_words) {
        filter_words = join_words(a.words, a.n_words);
        if (!filter_words) {
            cli_error("capture", "out of memory");
            rc = EA_EXIT_INTERNAL;
            goto out;
        }
        a.live.bpf = filter_words;
    }
    if (!a.cutoff_set)
        a.live.cutoff = CAPTURE_DEFAULT_CUTOFF;
    if (a.user) {
        const struct passwd *pw = getpwnam(a.user);
        if (!pw || !user_of_pw(pw, pw->pw_gid, &drop_to)) {
            rc = cli_usage_error("capture", "-Z: no user '%s'", a.user);
            goto out;
        }
        if (geteuid() != 0 && drop_to.uid != geteuid()) {
            rc = cli_usage_error("capture", "-Z %s needs root", a.user);
            goto out;
        }
        a.live.set_owner = true;
        a.live.owner_uid = (unsigned)drop_to.uid;
        a.live.owner_gid = (unsigned)drop_to.gid;
    }
    if (command) {
        if (drop_to.set)
            cmd_user = drop_to;
        else
            (void)sudo_user(&cmd_user);
    }
    rc = cli_check_output(&c);
    if (rc >= 0)
        goto out;
    /* Rules first: a bad rule file fails before anything is captured. */
    rc = cli_load_rules(&report, &c);
    if (rc != EA_EXIT_OK)
        goto out;

    run.quiet = c.quiet;
    /* A command owns the terminal (its own progress bars): no status line. */
    run.status_line = !c.quiet && isatty(STDERR_FILENO) && !command;
    bool color = cli_want_color(c.color, stderr);
    if (a.live_view || run.status_line) {
        run.view = capture_view_new(&report, stderr, a.live_view, color);
        if (!run.view) {
            cli_error("capture", "out of memory");
            rc = EA_EXIT_INTERNAL;
            goto out;
        }
    }
    struct analyze_opts aopts = {0}; /* as analyze: the report equals analyze of the files */
    an = analyzer_new(&aopts, &report, err, sizeof err);
    if (!an) {
        cli_error("capture", "%s", err);
        rc = EA_EXIT_INTERNAL;
        goto out;
    }
    if (run.view)
        analyzer_on_conn(an, capture_view_on_conn, run.view);
    a.live.warn = on_warn;
    a.live.warn_ctx = &run;
    enum capture_status st = capture_live_open(&a.live, an, &report, &l, err, sizeof err);
    if (st != CAPTURE_OK) {
        cli_error("capture", "%s", err);
        rc = st == CAPTURE_NO_MEMORY ? EA_EXIT_INTERNAL : EA_EXIT_INPUT;
        goto out;
    }
    if (drop_to.set) {
        rc = prepare_user(&c, &drop_to);
        if (rc >= 0)
            goto out;
        if (!become(&drop_to, err, sizeof err)) {
            cli_error("capture", "%s", err);
            rc = EA_EXIT_INPUT;
            goto out;
        }
        rc = check_rotation_dir(&a, &drop_to);
        if (rc >= 0)
            goto out;
    }
    g_live = l;
    catch_signals();
    if (!c.quiet) {
        fprintf(stderr,
                "egress-audit capture: listening on %s, link-type %s, snapshot length %d bytes, "
                "filter '%s'",
                a.live.interface, capture_live_linktype_name(l),
                a.live.snaplen ? a.live.snaplen : CAPTURE_DEFAULT_SNAPLEN, capture_live_filter(l));
        if (a.live.write && a.live.cutoff)
            fprintf(stderr, "; writing '%s' (the first %llu bytes of each connection direction%s)",
                    a.live.write, (unsigned long long)a.live.cutoff,
                    a.live.cutoff_headers ? ", then headers" : "");
        else if (a.live.write)
            fprintf(stderr, "; writing '%s' (everything)", a.live.write);
        fputc('\n', stderr);
    }

    pid_t child = -1;
    int child_status = 0;
    bool child_done = false;
    if (command) {
        child = start_command(command, &cmd_user, err, sizeof err);
        if (child < 0) {
            cli_error("capture", "%s", err);
            rc = EXIT_CANNOT_RUN;
            goto out;
        }
    }

    bool failed = false;
    double start = mono_now(), drain_until = 0, grace_until = 0;
    int handled_signals = 0;
    time_t last_tick = time(NULL);
    for (;;) {
        enum capture_step sp = capture_live_step(l, STEP_MS, err, sizeof err);
        if (sp == CAPTURE_STEP_FAILED) {
            if (run.view)
                capture_view_clear_status(run.view);
            cli_error("capture", "%s", err);
            failed = true;
            break;
        }
        if (sp == CAPTURE_STEP_COUNT)
            break;
        double now = mono_now();
        if (child > 0 && !child_done && waitpid(child, &child_status, WNOHANG) == child) {
            child_done = true;
            drain_until = now + DRAIN_MS / 1000.0;
        }
        if (g_signals > handled_signals) {
            bool first = handled_signals == 0;
            handled_signals = g_signals;
            if (!first || child <= 0 || child_done)
                break;
            /* The command gets the signal too (a terminal's Ctrl-C already
             * reached it: it shares our process group) and a moment to exit. */
            int sig = g_signal;
            bool from_tty =
                sig == SIGINT && isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
            if (!from_tty)
                kill(child, sig);
            grace_until = now + SIGNAL_GRACE_MS / 1000.0;
        }
        if (grace_until > 0 && (child_done || now >= grace_until))
            break;
        if (child_done && grace_until == 0 && now >= drain_until)
            break;
        if (a.duration && now - start >= a.duration)
            break;
        time_t wall = time(NULL);
        if (wall != last_tick) {
            last_tick = wall;
            if (run.view) {
                capture_view_tick(run.view, wall);
                if (run.status_line)
                    status_line(&run, l, now - start);
            }
        }
    }
    g_live = NULL;
    if (!failed)
        capture_live_drain(l);
    struct capture_live_totals tot;
    capture_live_close(l, &tot);
    l = NULL;
    if (!analyzer_finish(an)) {
        cli_error("capture", "out of memory");
        rc = EA_EXIT_INTERNAL;
        goto out;
    }
    if (run.view) {
        capture_view_flush(run.view);
        capture_view_clear_status(run.view);
    }
    if (!c.quiet)
        summary(&tot);
    rc = cli_judge_and_describe(&report, &c, true, cli_has_rules(&c));
    if (rc >= 0)
        goto out;
    rc = cli_write_report(&report, &c);
    if (failed && rc == EA_EXIT_OK)
        rc = EA_EXIT_INPUT;
    if (child > 0) {
        if (!child_done && waitpid(child, &child_status, WNOHANG) == child)
            child_done = true;
        if (child_done) {
            int crc = exit_of_status(child_status);
            if (crc != 0 || rc == EA_EXIT_OK)
                rc = crc;
        } else {
            if (!c.quiet)
                fprintf(stderr, "egress-audit capture: '%s' (pid %d) is still running\n",
                        command[0], (int)child);
            if (rc == EA_EXIT_OK)
                rc = 128 + (g_signal ? g_signal : SIGTERM);
        }
    }
out:
    if (l)
        capture_live_close(l, NULL);
    g_live = NULL;
    analyzer_free(an);
    capture_view_free(run.view);
    ea_report_finish(&report);
    free(filter_words);
    free(a.words);
    cli_common_free(&c);
    return rc;
}
