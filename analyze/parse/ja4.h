/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The JA4 fingerprint of a TLS ClientHello (FoxIO's published specification,
 * technical_details/JA4.md of FoxIO-LLC/ja4): which client made a
 * connection, the same across servers and names.
 *
 *   t13d1516h2_8daaf6152771_e5627efa2ab1
 *   │││ │ │ │  └ cipher suites, sorted, SHA-256, 12 hex digits
 *   │││ │ │ │               extension types sorted (no SNI, no ALPN), "_",
 *   │││ │ │ │               signature algorithms in order: SHA-256, 12 ┘
 *   │││ │ │ └ first and last character of the first ALPN protocol ("00": none)
 *   │││ │ └ extensions (GREASE left out), at most 99
 *   │││ └ cipher suites (GREASE left out), at most 99
 *   ││└ "d" server_name present, "i" not
 *   │└ version: highest supported_versions, else the hello's legacy version
 *   └ "t" TLS over TCP, "q" QUIC, "d" DTLS
 */
#ifndef EA_JA4_H
#define EA_JA4_H

#include <stdbool.h>
#include <stddef.h>

#include "tls.h"

/* "t13d1516h2_8daaf6152771_e5627efa2ab1": 10 + 1 + 12 + 1 + 12 */
#define JA4_TEXT_MAX 36

/*
 * Write the JA4 of ch ('t', 'q' or 'd' for transport) into out, NUL
 * terminated. False (out untouched) when a list was longer than the
 * ClientHello keeps (ch->ja4_cut) or libcrypto fails: a partial list would
 * give a fingerprint that looks right and is not.
 */
bool ja4_client_hello(const struct tls_client_hello *ch, char transport,
                      char out[JA4_TEXT_MAX + 1]);

#endif
