#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/gen-bulk.sh: the "bulk" benchmark capture of issue 12 -- a few huge
# transfers, as when a deployment downloads model weights.
#
#   bench/gen-bulk.sh [OUTDIR]        (as root; OUTDIR default /tmp/ea-bench)
#
# Real clients in network namespaces (bench/netns.sh): the client resolves
# FLOWS names (weights-1.bench.example ...) through dnsmasq with its own
# resolver (real A and AAAA queries over UDP), then curl downloads one
# SIZE_MB file over TLS from nginx per name, all FLOWS downloads at once
# (PARALLEL=0: one after the other). tcpdump -s 0 -w captures in the client
# namespace on the veth, whose offloads are off: Ethernet frames of at most
# 1514 bytes, as on a wire.
#
# Output: OUTDIR/bulk.pcap (default 4 x 512 MiB: about 2.2 GB, 2.2 M packets).
# Never inside the repository. The served file lives in /dev/shm while the
# script runs. Environment: FLOWS (default 4, at most 4), SIZE_MB (default
# 512), PARALLEL (default 1), KEEP_WORK=1 keeps the scratch directory.
#
# Debian packages: iproute2 tcpdump curl openssl dnsmasq-base nginx-light
# ethtool bind9-dnsutils python3.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/netns.sh
. "$HERE/netns.sh"

OUTDIR=${1:-/tmp/ea-bench}
FLOWS=${FLOWS:-4}
SIZE_MB=${SIZE_MB:-512}
PARALLEL=${PARALLEL:-1}
[ "$FLOWS" -ge 1 ] && [ "$FLOWS" -le 4 ] || die "FLOWS must be 1..4"
case $(realpath -m "$OUTDIR")/ in
"$(realpath "$HERE/..")"/*) die "OUTDIR must be outside the repository" ;;
esac

netns_check
WORK=
DATA=
cleanup() {
    local rc=$?
    set +e
    netns_cleanup
    [ -n "$DATA" ] && rm -rf "$DATA"
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

mkdir -p "$OUTDIR"
OUT=$OUTDIR/bulk.pcap
need_mb=$((FLOWS * SIZE_MB * 11 / 10 + 100))
free_mb=$(df -Pm "$OUTDIR" | awk 'NR == 2 { print $4 }')
[ "$free_mb" -gt "$need_mb" ] || die "$OUTDIR: $free_mb MB free, need about $need_mb MB"

WORK=$(mktemp -d /tmp/ea-bench-work.XXXXXX)
DATA=$(mktemp -d /dev/shm/ea-bench-data.XXXXXX)
chmod 755 "$WORK" "$DATA"
log "serving a $SIZE_MB MiB file from $DATA (tmpfs)"
head -c "$((SIZE_MB * 1024 * 1024))" /dev/zero > "$DATA/model.safetensors"

netns_setup
names=()
records=()
for ((i = 1; i <= FLOWS; i++)); do
    names+=("weights-$i.$BENCH_DOMAIN")
    records+=("weights-$i.$BENCH_DOMAIN=$BULK4_BASE$i")
done
netns_start_dns "${records[@]}"
netns_start_nginx "$DATA"

netns_capture_start "$WORK/bulk.pcap"
log "downloading $FLOWS x $SIZE_MB MiB over TLS (parallel=$PARALLEL)"
pids=()
start=$(date +%s.%N)
for ((i = 1; i <= FLOWS; i++)); do
    # curl resolves the name itself through /etc/resolv.conf: real DNS packets
    ip netns exec "$NS_C" curl -sS -k --fail -o /dev/null \
        -w "%{http_code} %{remote_ip} %{size_download} %{time_total}\n" \
        "https://${names[i - 1]}/model.safetensors" >"$WORK/curl.$i" 2>&1 &
    if [ "$PARALLEL" = 1 ]; then
        pids+=($!)
    else
        wait $! || die "curl ${names[i - 1]}: $(cat "$WORK/curl.$i")"
    fi
done
for ((i = 0; i < ${#pids[@]}; i++)); do
    wait "${pids[i]}" || die "curl ${names[i]}: $(cat "$WORK/curl.$((i + 1))")"
done
end=$(date +%s.%N)
for ((i = 1; i <= FLOWS; i++)); do
    read -r code ip size _ < "$WORK/curl.$i"
    [ "$code" = 200 ] && [ "$ip" = "$BULK4_BASE$i" ] && [ "$size" = $((SIZE_MB * 1024 * 1024)) ] ||
        die "curl ${names[i - 1]}: $(cat "$WORK/curl.$i")"
done
log "downloads done in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s"
netns_capture_stop

python3 "$HERE/pcapinfo.py" --max-len 1514 "$WORK/bulk.pcap" >&2 ||
    die "frames longer than 1514 bytes: an offload is still on"
mv "$WORK/bulk.pcap" "$OUT"
chmod 644 "$OUT"
log "wrote $OUT ($(stat -c %s "$OUT") bytes)"
