/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Exit codes of egress-audit, documented in README.md and egress-audit(1). */
#ifndef EA_EXITCODE_H
#define EA_EXITCODE_H

enum ea_exit {
    EA_EXIT_OK = 0,       /* done; the report was written */
    EA_EXIT_POLICY = 1,   /* a policy failure that --fail-on asked for */
    EA_EXIT_INPUT = 2,    /* usage error, or an input that cannot be read */
    EA_EXIT_INTERNAL = 3, /* out of memory, or the report could not be written */
};

#endif
