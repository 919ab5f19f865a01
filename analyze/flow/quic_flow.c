/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * QUIC flows: which UDP flows are QUIC, their Initial packets decrypted
 * (analyze/parse/quic.h) for the ClientHello's name, and their outcome.
 *
 * A UDP flow is QUIC when its server port is 443 (and it is not DNS), or
 * when its first client datagram is a long-header Initial of a version we
 * can decrypt and decrypts (any port: HTTP/3 on 8443, 4433, ...). Only such
 * flows get a struct quic_track (about 17 KiB: the CRYPTO stream buffer),
 * at most EA_QUIC_MAX_TRACKED at once; it is released as soon as the flow
 * has told what it can (a ClientHello read and the server answered), so
 * later packets of a long transfer cost a flag test.
 */
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "pipeline.h"
#include "quic.h"

struct quic_track {
    struct quic_flow q;
    uint32_t hellos_taken; /* q.n_hellos already copied into the flow */
};

/* enum quic_drop -> its counter */
static const enum ea_counter drop_counter[QUIC_DROP__COUNT] = {
    [QUIC_DROP_TRUNCATED] = EA_C_QUIC_DROP_TRUNCATED,
    [QUIC_DROP_BAD_HEADER] = EA_C_QUIC_DROP_BAD_HEADER,
    [QUIC_DROP_UNKNOWN_VERSION] = EA_C_QUIC_DROP_UNKNOWN_VERSION,
    [QUIC_DROP_TOO_SHORT] = EA_C_QUIC_DROP_TOO_SHORT,
    [QUIC_DROP_NO_KEYS] = EA_C_QUIC_DROP_NO_KEYS,
    [QUIC_DROP_DECRYPT] = EA_C_QUIC_DROP_DECRYPT,
    [QUIC_DROP_CRYPTO_LIB] = EA_C_QUIC_DROP_CRYPTO_LIB,
    [QUIC_DROP_FRAME_UNKNOWN] = EA_C_QUIC_DROP_FRAME_UNKNOWN,
    [QUIC_DROP_FRAME_MALFORMED] = EA_C_QUIC_DROP_FRAME_MALFORMED,
    [QUIC_DROP_CRYPTO_CAP] = EA_C_QUIC_DROP_CRYPTO_CAP,
    [QUIC_DROP_CRYPTO_RANGES] = EA_C_QUIC_DROP_CRYPTO_RANGES,
    [QUIC_DROP_HELLO_NOT_CH] = EA_C_QUIC_DROP_HELLO_NOT_CH,
    [QUIC_DROP_HELLO_TOO_BIG] = EA_C_QUIC_DROP_HELLO_TOO_BIG,
    [QUIC_DROP_HELLO_MALFORMED] = EA_C_QUIC_DROP_HELLO_MALFORMED,
    [QUIC_DROP_RETRY_BAD] = EA_C_QUIC_DROP_RETRY_BAD,
};
_Static_assert(EA_C_QUIC_DROP_RETRY_BAD - EA_C_QUIC_DROP_TRUNCATED + 1 == QUIC_DROP__COUNT,
               "one counter per QUIC drop reason");

static bool is_dns_flow(const struct flow *f)
{
    return f->sport == 53 || f->cport == 53;
}

static void track_free(struct analyzer *a, struct flow *f, bool count)
{
    struct quic_track *t = f->quic;
    if (!t)
        return;
    if (count) {
        uint64_t *cn = a->report->counters;
        for (size_t i = 0; i < QUIC_DROP__COUNT; i++)
            cn[drop_counter[i]] += t->q.drops[i];
        cn[EA_C_QUIC_INITIALS] += t->q.client_initials;
    }
    quic_flow_finish(&t->q);
    free(t);
    f->quic = NULL;
    a->quic_tracked--;
}

static struct quic_track *track_new(struct analyzer *a, struct flow *f)
{
    if (a->quic_tracked >= EA_QUIC_MAX_TRACKED) {
        a->report->counters[EA_C_QUIC_NOT_TRACKED]++;
        return NULL;
    }
    if (!a->quic_scratch) {
        a->quic_scratch = malloc(QUIC_SCRATCH_MAX);
        if (!a->quic_scratch) {
            a->failed = true;
            return NULL;
        }
    }
    struct quic_track *t = malloc(sizeof *t);
    if (!t) {
        a->failed = true;
        return NULL;
    }
    quic_flow_init(&t->q);
    t->hellos_taken = 0;
    f->quic = t;
    a->quic_tracked++;
    return t;
}

/* Copy what the datagram taught into the flow. */
static void take(struct analyzer *a, struct flow *f, struct quic_track *t)
{
    const struct quic_flow *q = &t->q;
    if (q->client_initials)
        f->quic_seen |= QS_INITIAL;
    if (quic_flow_reached(q))
        f->quic_seen |= QS_REACHED;
    if (q->saw_version_negotiation && !(f->quic_seen & QS_VN)) {
        f->quic_seen |= QS_VN;
        f->flags |= EA_CF_QUIC_VN;
        a->report->counters[EA_C_QUIC_VERSION_NEGOTIATION]++;
    }
    if (q->unknown_version && !(f->flags & EA_CF_QUIC_UNKNOWN_VERSION)) {
        f->flags |= EA_CF_QUIC_UNKNOWN_VERSION;
        a->report->counters[EA_C_QUIC_UNKNOWN_VERSION]++;
    }
    if (q->has_hello && q->n_hellos != t->hellos_taken) {
        /* The first hello names the flow; a later attempt on the same
         * addresses (after a Retry, a new connection) keeps it. */
        a->report->counters[EA_C_QUIC_HELLOS] += q->n_hellos - t->hellos_taken;
        t->hellos_taken = q->n_hellos;
        flow_client_hello(a, f, &q->hello, 'q');
    }
}

/* Nothing more to learn: the name is known and the server answered. */
static bool told_all(const struct flow *f, const struct quic_track *t)
{
    return t->q.has_hello && (f->quic_seen & QS_REACHED);
}

void quic_track_datagram(struct analyzer *a, struct flow *f, int dir, const struct pkt *p,
                         bool first)
{
    bool by_port = f->sport == 443;
    if (first && !is_dns_flow(f)) {
        /* The server port decides, else the client's first datagram. */
        if (by_port) {
            f->flags |= EA_CF_QUIC;
            f->quic_seen |= QS_QUIC;
            a->report->counters[EA_C_QUIC_FLOWS]++;
            (void)track_new(a, f);
        } else if (dir == DIR_C2S && quic_looks_like_initial(p->payload, p->payload_len)) {
            (void)track_new(a, f);
        }
    }
    struct quic_track *t = f->quic;
    if (!t || p->payload_len == 0)
        return;
    if (dir == DIR_C2S)
        (void)quic_flow_client_datagram(&t->q, p->payload, p->payload_len, a->quic_scratch);
    else
        (void)quic_flow_server_datagram(&t->q, p->payload, p->payload_len, a->quic_scratch);
    if (first && !by_port) {
        if (t->q.client_initials == 0) {
            /* Looked like an Initial on another port, but did not decrypt:
             * not QUIC; what it dropped is not counted as QUIC's. */
            track_free(a, f, false);
            return;
        }
        f->flags |= EA_CF_QUIC;
        f->quic_seen |= QS_QUIC;
        a->report->counters[EA_C_QUIC_FLOWS]++;
    }
    take(a, f, t);
    if (told_all(f, t))
        track_free(a, f, true);
}

bool quic_track_outcome(const struct flow *f, enum ea_outcome *out, enum ea_outcome_why *why)
{
    if (!(f->flags & EA_CF_QUIC) || f->proto != EA_UDP)
        return false;
    if (f->quic_seen & QS_REACHED) {
        *why = EA_OW_QUIC_HANDSHAKE;
        *out = EA_OUT_REACHED;
    } else if (f->pkts[DIR_S2C] == 0) {
        *why = (f->quic_seen & QS_INITIAL) ? EA_OW_QUIC_NO_ANSWER : EA_OW_UDP_NO_REPLY;
        *out = EA_OUT_NO_ANSWER;
    } else if (f->quic_seen & QS_VN) {
        /* a server answered, though not (yet) with a handshake */
        *why = EA_OW_QUIC_VN;
        *out = EA_OUT_REACHED;
    } else {
        /* short-header packets of a connection whose start was not captured */
        *why = EA_OW_UDP_REPLY;
        *out = EA_OUT_REACHED;
    }
    return true;
}

void quic_track_end(struct analyzer *a, struct flow *f)
{
    track_free(a, f, true);
}

void quic_track_finish(struct analyzer *a)
{
    free(a->quic_scratch);
    a->quic_scratch = NULL;
    for (size_t i = 0; i < a->n_ech_names; i++)
        ea_str_clear(&a->ech_names[i]);
    a->n_ech_names = 0;
}

/* ---- ECH: a real public name, or maybe GREASE ---- */

/* Public names of ECH deployments (the outer SNI their clients send). */
static const char *const known_public_names[] = {
    "cloudflare-ech.com", /* Cloudflare's ECH public name (blog.cloudflare.com, 2023-10) */
};

void ech_note_public_name(struct analyzer *a, const char *name, size_t len)
{
    if (len == 0 || ech_is_public_name(a, name, len))
        return;
    if (a->n_ech_names == EA_ECH_NAMES_MAX) {
        /* the oldest goes */
        ea_str_clear(&a->ech_names[0]);
        memmove(&a->ech_names[0], &a->ech_names[1],
                (EA_ECH_NAMES_MAX - 1) * sizeof(a->ech_names[0]));
        a->n_ech_names--;
        memset(&a->ech_names[a->n_ech_names], 0, sizeof(a->ech_names[0]));
    }
    if (ea_str_set(&a->ech_names[a->n_ech_names], name, len))
        a->n_ech_names++;
    else
        a->failed = true;
}

bool ech_is_public_name(const struct analyzer *a, const char *name, size_t len)
{
    if (len > 1 && name[len - 1] == '.')
        len--;
    for (size_t i = 0; i < sizeof known_public_names / sizeof known_public_names[0]; i++) {
        size_t n = strlen(known_public_names[i]);
        if (n == len && ea_ascii_ieq(name, known_public_names[i], n))
            return true;
    }
    for (size_t i = 0; i < a->n_ech_names; i++) {
        size_t n = a->ech_names[i].len;
        if (n > 1 && a->ech_names[i].s[n - 1] == '.')
            n--;
        if (n == len && ea_ascii_ieq(name, a->ech_names[i].s, n))
            return true;
    }
    return false;
}
