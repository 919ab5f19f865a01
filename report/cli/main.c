/* SPDX-License-Identifier: GPL-3.0-or-later */
/* egress-audit: the command line (one file per subcommand). */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "exitcode.h"

static void usage_main(FILE *out)
{
    fputs("usage: egress-audit COMMAND [OPTIONS]\n"
          "\n"
          "Which hosts did a capture of a deployment reach, and did each get through?\n"
          "\n"
          "commands:\n"
          "  analyze FILE...   analyze pcap/pcapng files ('-' reads stdin) as one run,\n"
          "                    optionally against an allowlist (-p PROFILE, -a FILE)\n"
          "  capture -i IFACE  capture live (-w FILE: a pcap cut to what the audit needs),\n"
          "                    analyzing as it goes; -- COMMAND captures for its life\n"
          "  report FILE.json...  re-render saved JSON reports (text, json, md, html,\n"
          "                    csv), judged against another allowlist (-p, -a), as their\n"
          "                    union, or with what changed since one (--diff); no capture\n"
          "  rules             print, convert or list allowlist rules and profiles\n"
          "\n"
          "  egress-audit COMMAND --help   options of a command\n"
          "  egress-audit --version\n"
          "\n"
          "exit status: 0 ok, 1 policy failure (--fail-on), 2 usage or input error,\n"
          "3 internal error (out of memory, output not written)\n",
          out);
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"analyze", cmd_analyze},
    {"report", cmd_report},
    {"capture", cmd_capture},
    {"rules", cmd_rules},
};

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
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "egress-audit: unknown command '%s'\n", cmd);
    usage_main(stderr);
    return EA_EXIT_INPUT;
}
