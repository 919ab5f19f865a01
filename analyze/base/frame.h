/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One captured frame as capture/ hands it to the analyzer. */
#ifndef EA_FRAME_H
#define EA_FRAME_H

#include <stdint.h>
#include <sys/time.h>

/* A view, valid for the call it is passed to only. */
struct ea_frame {
    struct timeval ts;
    uint32_t caplen; /* bytes at data */
    uint32_t len;    /* length on the wire */
    const uint8_t *data;
};

#endif
