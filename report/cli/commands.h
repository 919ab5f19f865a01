/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The subcommands: one file each. argv[0] is the subcommand's name. */
#ifndef EA_CLI_COMMANDS_H
#define EA_CLI_COMMANDS_H

int cmd_analyze(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
