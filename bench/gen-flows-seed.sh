#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/gen-flows-seed.sh: the one real exchange that gen-flows.py rewrites
# into the "flows" benchmark capture of issue 12.
#
#   bench/gen-flows-seed.sh [OUT]     (as root; default bench/flows-seed.pcap)
#
# In the namespaces of bench/netns.sh, the client asks dnsmasq for
# h000001.bench.example (dig: one A query over UDP, one answer), then curl
# fetches https://h000001.bench.example/small from nginx over TLS with the
# address dig returned (--resolve): TCP handshake, TLS handshake, a 3-byte
# response, close_notify and FIN both ways. tcpdump -s 0 -w captures it on
# the client's veth, keeping only the IPv4 DNS and port-443 packets (no ARP).
# The checked-in bench/flows-seed.pcap was made by this script; re-running it
# gives a different TLS exchange (new keys and certificate), same shape.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/netns.sh
. "$HERE/netns.sh"

OUT=${1:-$HERE/flows-seed.pcap}
NAME=h000001.$BENCH_DOMAIN

netns_check
WORK=
cleanup() {
    local rc=$?
    set +e
    netns_cleanup
    if [ -n "$WORK" ]; then
        if [ "${KEEP_WORK:-0}" = 1 ] || [ $rc -ne 0 ]; then
            log "work directory kept: $WORK"
        else
            rm -rf "$WORK"
        fi
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

WORK=$(mktemp -d /tmp/ea-bench-work.XXXXXX)
chmod 755 "$WORK"
netns_setup
netns_start_dns "$NAME=$SEED4"
netns_start_nginx "$WORK"
# The answer must not depend on an ARP exchange inside the capture.
ip netns exec "$NS_C" ping -c 1 -W 1 "$SEED4" >/dev/null 2>&1 || true
ip netns exec "$NS_C" ping -c 1 -W 1 "$DNS4" >/dev/null 2>&1 || true

netns_capture_start "$WORK/seed.pcap" 'ip and (udp port 53 or tcp port 443)'
addr=$(ip netns exec "$NS_C" dig +short +tries=1 +time=2 "$NAME" A)
[ "$addr" = "$SEED4" ] || die "dig $NAME: '$addr', expected $SEED4"
sleep 0.05
body=$(ip netns exec "$NS_C" curl -sS -k --fail --http1.1 --resolve "$NAME:443:$addr" \
    "https://$NAME/small")
[ "$body" = ok ] || die "curl https://$NAME/small: '$body'"
netns_capture_stop

python3 "$HERE/pcapinfo.py" "$WORK/seed.pcap" >&2
cp "$WORK/seed.pcap" "$OUT"
chmod 644 "$OUT"
log "wrote $OUT"
