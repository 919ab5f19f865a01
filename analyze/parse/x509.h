/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The names an X.509 certificate is for (RFC 5280): the subject's
 * commonName (§4.1.2.6, X.520) and the subjectAltName dNSName entries
 * (§4.2.1.6). Only the DER needed to reach them is read, through the
 * cursor; nothing is allocated. TLS 1.2 sends the server's certificate in
 * cleartext (RFC 5246 §7.4.2), so a passive observer sees which names it
 * covers; TLS 1.3 encrypts it.
 */
#ifndef EA_X509_H
#define EA_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

/* Names kept per certificate; more set `cut`. */
#define X509_NAMES_MAX 16

struct x509_names {
    size_t n;
    bool cut;                         /* more names than kept */
    bool covers;                      /* some name, kept or not, covers the host asked about */
    struct cur names[X509_NAMES_MAX]; /* views into the DER: commonNames, then dNSNames;
                                         a name equal to one kept (any case) is not kept twice */
};

/* Read the subject commonName(s) and SAN dNSNames of one DER certificate,
 * and whether any of them covers host (x509_name_covers; host may be NULL).
 * PARSE_MALFORMED (with a reason) when the DER does not hold a certificate
 * as far as those fields; *out written only on PARSE_OK. */
enum parse_result x509_subject_names(const uint8_t *der, size_t len, const char *host,
                                     size_t host_len, struct x509_names *out,
                                     const char **out_reason);

/* Does a certificate name cover host (RFC 6125 §6.4: case-insensitive;
 * a "*" only as the whole left-most label, matching exactly one label)? */
bool x509_name_covers(const uint8_t *name, size_t name_len, const char *host, size_t host_len);

#endif
