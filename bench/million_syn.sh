#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The million-SYN benchmark: peak memory and speed of `egress-audit analyze`
# on a capture of N SYNs (default 1,000,000) to distinct (address, port)
# pairs, against tcpdump and tshark reading the same file on the same
# machine in the same run, so the figures are ratios to a baseline.
# Target (the flow-table issue): peak RSS under 256 MiB with the default
# --max-flows, and the report says how many flows were evicted.
#
#   bench/million_syn.sh [N]
#
# Environment: EA_BIN (default build/egress-audit), BENCH_DIR (default /tmp;
# the capture is ~70 MB and the JSON report several hundred MB: never the
# repository), BENCH_STRICT=1 (exit 1 when the target is missed),
# BENCH_NO_TSHARK=1 (skip tshark; its conversation table takes ~2 GB and
# ~15 s for a million flows).
# Needs python3 and GNU time (/usr/bin/time; Debian package `time`, installed
# here with apt-get when missing and run as root).
set -eu

cd "$(dirname "$0")/.."
N=${1:-1000000}
BIN=${EA_BIN:-build/egress-audit}
DIR=${BENCH_DIR:-/tmp}
PCAP=$DIR/ea-million-syn.pcap
JSON=$DIR/ea-million-syn.json
TEXT=$DIR/ea-million-syn.txt
TARGET_MIB=256

[ -x "$BIN" ] || { echo "million_syn: no binary $BIN (ninja -C build)" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y --no-install-recommends time >/dev/null
    else
        echo "million_syn: /usr/bin/time missing: apt-get install -y time" >&2
        exit 2
    fi
fi

echo "generating $N SYNs into $PCAP" >&2
python3 tests/hostile/gen_hostile.py --syn-flood "$N" "$PCAP"

# measure LABEL CMD...: run CMD under GNU time; sets WALL (s) and RSS (KiB).
measure() {
    label=$1
    shift
    if ! /usr/bin/time -v -o "$DIR/ea-bench-time.$label" "$@" >/dev/null 2>"$DIR/ea-bench-err.$label"; then
        echo "million_syn: $label failed: $*" >&2
        cat "$DIR/ea-bench-err.$label" "$DIR/ea-bench-time.$label" >&2
        exit 1
    fi
    WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' \
        "$DIR/ea-bench-time.$label")
    RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/ea-bench-time.$label")
}

row() { # label wall rss
    awk -v l="$1" -v w="$2" -v r="$3" -v n="$N" \
        'BEGIN { printf "%-34s %8.2f s %9.1f MiB %12.0f pkt/s\n", l, w, r / 1024, (w > 0 ? n / w : 0) }'
}

measure ea_json "$BIN" analyze -q -F json -o "$JSON" "$PCAP"
EA_WALL=$WALL EA_RSS=$RSS
measure ea_text "$BIN" analyze -q --color never -o "$TEXT" "$PCAP"
EAT_WALL=$WALL EAT_RSS=$RSS
# Baselines. tcpdump -w only copies records; tcpdump -nn decodes and prints
# every packet. tshark -q without a filter or tap does not dissect (it reads
# and indexes the file); with -z conv,tcp it dissects every packet and keeps
# a table of TCP conversations: the nearest thing to what egress-audit does.
measure tcpdump tcpdump -Z root -r "$PCAP" -w /dev/null
TD_WALL=$WALL TD_RSS=$RSS
measure tcpdump_nn tcpdump -nn -r "$PCAP"
TDN_WALL=$WALL TDN_RSS=$RSS
TS_WALL= TS_RSS= TSC_WALL= TSC_RSS=
if [ "${BENCH_NO_TSHARK:-0}" != 1 ] && command -v tshark >/dev/null; then
    measure tshark tshark -r "$PCAP" -q
    TS_WALL=$WALL TS_RSS=$RSS
    measure tshark_conv tshark -r "$PCAP" -q -z conv,tcp
    TSC_WALL=$WALL TSC_RSS=$RSS
fi

# The report's figures, without loading a report of hundreds of MB: the
# counters are the last object; every connection row has one "sport" key.
ROWS=$(grep -c '"sport":' "$JSON" || true)
COUNTERS=$(python3 - "$JSON" <<'EOF'
import json, sys
with open(sys.argv[1], "rb") as fh:
    fh.seek(0, 2)
    fh.seek(max(0, fh.tell() - 65536))
    tail = fh.read()
at = tail.rfind(b'"stats"')
c = json.loads(b"{" + tail[at:].rstrip()[:-1] + b"}")["stats"]["counters"]
print(c["packets"], c["flows"], c["flows_evicted"], c.get("connections_not_listed", "-"))
EOF
)
set -- $COUNTERS
PACKETS=$1 FLOWS=$2 EVICTED=$3 NOT_LISTED=$4

echo
echo "million-SYN benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM, $(uname -sr)"
echo "capture: $PCAP, $N SYNs, $(du -m "$PCAP" | cut -f1) MB"
echo "command: /usr/bin/time -v $BIN analyze -q -F json -o $JSON $PCAP"
echo
row "egress-audit -F json" "$EA_WALL" "$EA_RSS"
row "egress-audit (text)" "$EAT_WALL" "$EAT_RSS"
row "tcpdump -r FILE -w /dev/null" "$TD_WALL" "$TD_RSS"
row "tcpdump -nn -r FILE >/dev/null" "$TDN_WALL" "$TDN_RSS"
if [ -n "$TS_WALL" ]; then
    row "tshark -r FILE -q" "$TS_WALL" "$TS_RSS"
    row "tshark -r FILE -q -z conv,tcp" "$TSC_WALL" "$TSC_RSS"
fi
echo
echo "report: packets $PACKETS, flows $FLOWS, flows_evicted $EVICTED, connection rows $ROWS, connections_not_listed $NOT_LISTED, JSON $(du -m "$JSON" | cut -f1) MB"
ratio() { # label egress-audit-value baseline-value
    awk -v l="$1" -v a="$2" -v b="${3:-0}" 'BEGIN { if (b > 0) printf "  %-44s %8.2fx\n", l, a / b }'
}
echo "ratios, egress-audit -F json / baseline:"
ratio "peak RSS / tcpdump -nn" "$EA_RSS" "$TDN_RSS"
ratio "peak RSS / tshark -q" "$EA_RSS" "$TS_RSS"
ratio "peak RSS / tshark -q -z conv,tcp" "$EA_RSS" "$TSC_RSS"
ratio "wall time / tcpdump -nn" "$EA_WALL" "$TDN_WALL"
ratio "wall time / tshark -q" "$EA_WALL" "$TS_WALL"
ratio "wall time / tshark -q -z conv,tcp" "$EA_WALL" "$TSC_WALL"
OVER=$(awk -v e="$EA_RSS" -v et="$EAT_RSS" -v m="$TARGET_MIB" 'BEGIN { print ((e > m * 1024 || et > m * 1024) ? 1 : 0) }')
if [ "$OVER" = 1 ]; then
    echo "target: peak RSS < $TARGET_MIB MiB: MISSED (json $((EA_RSS / 1024)) MiB, text $((EAT_RSS / 1024)) MiB)"
else
    echo "target: peak RSS < $TARGET_MIB MiB: met (json $((EA_RSS / 1024)) MiB, text $((EAT_RSS / 1024)) MiB)"
fi
if [ "$EVICTED" -gt 0 ] 2>/dev/null; then
    echo "the report says $EVICTED flows were evicted"
else
    echo "the report says no flow was evicted"
fi
[ "$OVER" = 1 ] && [ "${BENCH_STRICT:-0}" = 1 ] && exit 1
exit 0
