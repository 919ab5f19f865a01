#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/run.sh: the benchmark of issue 12 -- egress-audit against a floor and
# other readers of the same capture, measured interleaved in the same run.
#
#   bench/run.sh [-n RUNS] [-t TITLE] [-o RESULTS] FILE...
#   bench/run.sh --growth [-n RUNS] [-o RESULTS] BULKFILE
#
# For each FILE, RUNS rounds (default 3); each round runs every tool once,
# one after the other, so a slow moment of the machine hits all of them:
#
#   floor         bench/floor.c (a bare pcap_next_ex loop), compiled here
#   egress-audit  analyze -q -F json -o /dev/null FILE
#   tcpdump       -Z root -r FILE -w /dev/null
#   ndpiReader    -i FILE -v 0 (Debian package libndpi-bin; skipped if absent)
#   tshark        SNI and DNS names: -T fields -Y "tls.handshake.type==1 or dns",
#                 capped at TSHARK_TIMEOUT seconds (default 600; "> 600 s")
#
# Wall time is taken around each run (bash $EPOCHREALTIME, microseconds);
# CPU time (user + sys) and peak RSS from GNU time. The file is read once
# before the first round, so the page cache is warm. The table gives medians over the runs and the
# ratio of each median to the floor's. One more egress-audit run writes the
# JSON report to BENCH_DIR to read its counters (hosts listed, hosts not
# listed, flows evicted...) and check the issue's targets: files named bulk*
# are held to the bulk targets (wall <= 1.15x the floor, peak RSS <= 32 MiB),
# files named flows* to the flows targets (wall <= 3x the floor, peak RSS <=
# 256 MiB, every host listed: hosts_not_listed 0).
#
# --growth: BULKFILE concatenated 1x, 2x and 4x (bench/concat.py, each copy
# shifted in time), egress-audit's peak RSS for each; target: within 10%.
#
# The section (machine, versions, tables) goes to standard output and is
# appended to RESULTS (default bench/RESULTS.md; -o - for stdout only); -t
# puts a "## TITLE" heading above it.
#
# Environment: EA_BIN (default build/egress-audit), BENCH_DIR (scratch:
# floor binary, reports, concatenated files; default /tmp/ea-bench, never the
# repository), TSHARK_TIMEOUT (600), BENCH_TOOLS (default
# "floor egress-audit tcpdump ndpiReader tshark": a subset to run).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
EA_BIN=${EA_BIN:-$REPO/build/egress-audit}
BENCH_DIR=${BENCH_DIR:-/tmp/ea-bench}
TSHARK_TIMEOUT=${TSHARK_TIMEOUT:-600}
TOOLS=${BENCH_TOOLS:-floor egress-audit tcpdump ndpiReader tshark}

RUNS=3
TITLE=
RESULTS=$HERE/RESULTS.md
GROWTH=0
usage() {
    sed -n '5,7p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2
    exit 2
}
die() { echo "run.sh: $*" >&2; exit 2; }
log() { echo "run.sh: $*" >&2; }

ARGS=("$@")
while [ $# -gt 0 ]; do
    case $1 in
    -n) RUNS=${2:?}; shift 2 ;;
    -t) TITLE=${2:?}; shift 2 ;;
    -o) RESULTS=${2:?}; shift 2 ;;
    --growth) GROWTH=1; shift ;;
    -h | --help) usage ;;
    --) shift; break ;;
    -*) usage ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || usage
[ "$RUNS" -ge 1 ] 2>/dev/null || die "-n needs a positive number"
[ "$GROWTH" = 0 ] || [ $# -eq 1 ] || die "--growth takes one bulk file"
for f in "$@"; do
    [ -r "$f" ] || die "cannot read '$f'"
done
[ -x "$EA_BIN" ] || die "no binary $EA_BIN (meson setup build --buildtype=release && meson compile -C build)"
case $(realpath -m "$BENCH_DIR")/ in
"$REPO"/*) die "BENCH_DIR must be outside the repository" ;;
esac
if [ ! -x /usr/bin/time ]; then
    die "GNU time is missing: apt-get install time"
fi
command -v cc >/dev/null || die "no C compiler (apt-get install gcc libpcap-dev)"
mkdir -p "$BENCH_DIR"

FLOOR=$BENCH_DIR/floor
cc -O2 -o "$FLOOR" "$HERE/floor.c" -lpcap || die "cannot compile bench/floor.c (libpcap-dev?)"

have() {
    case $1 in
    floor | egress-audit) return 0 ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}
wanted() { case " $TOOLS " in *" $1 "*) return 0 ;; esac; return 1; }

# the command line of TOOL on FILE, as words in CMD
tool_cmd() {
    local f=$2
    case $1 in
    floor) CMD=("$FLOOR" "$f") ;;
    egress-audit) CMD=("$EA_BIN" analyze -q -F json -o /dev/null "$f") ;;
    tcpdump) CMD=(tcpdump -Z root -r "$f" -w /dev/null) ;; # -Z root: tcpdump would hand /dev/null to user tcpdump
    ndpiReader) CMD=(ndpiReader -i "$f" -v 0) ;;
    tshark) CMD=(timeout --foreground "$TSHARK_TIMEOUT" tshark -r "$f" -T fields
        -e tls.handshake.extensions_server_name -e dns.qry.name
        -Y "tls.handshake.type==1 or dns") ;;
    esac
}
# how the command reads in the table (paths shortened)
tool_shown() {
    case $1 in
    floor) echo 'floor FILE' ;;
    egress-audit) echo 'egress-audit analyze -q -F json -o /dev/null FILE' ;;
    tcpdump) echo 'tcpdump -Z root -r FILE -w /dev/null' ;;
    ndpiReader) echo 'ndpiReader -i FILE -v 0' ;;
    tshark) echo 'tshark -r FILE -T fields -e tls.handshake.extensions_server_name -e dns.qry.name -Y "tls.handshake.type==1 or dns"' ;;
    esac
}

# measure TOOL FILE: one run; appends "wall_s rss_kib cpu_s status" to $BENCH_DIR/m.TOOL
measure() {
    local tool=$1 f=$2 t0 t1 rc wall rss cpu status=ok
    tool_cmd "$tool" "$f"
    t0=$EPOCHREALTIME
    set +e
    /usr/bin/time -f 'TIME %M %U %S' -o "$BENCH_DIR/time.out" "${CMD[@]}" >"$BENCH_DIR/out.$tool" 2>"$BENCH_DIR/err.$tool"
    rc=$?
    set -e
    t1=$EPOCHREALTIME
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    read -r rss cpu < <(awk '$1 == "TIME" { print $2, $3 + $4 }' "$BENCH_DIR/time.out")
    if [ "$tool" = tshark ] && [ $rc -eq 124 ]; then
        status=timeout
    elif [ $rc -ne 0 ]; then
        log "$tool failed on $f (exit $rc): $(tail -3 "$BENCH_DIR/err.$tool")"
        status=failed
    fi
    echo "$wall ${rss:-0} ${cpu:-0} $status" >> "$BENCH_DIR/m.$tool"
    log "  $tool: ${wall} s, cpu ${cpu:-0} s, $((${rss:-0} / 1024)) MiB $status"
}

# median of the numbers on standard input
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

thousands() { # 1234567 -> 1,234,567
    echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'
}

machine() {
    local model mem commit dirty buildtype tool
    model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
    mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
    dirty=
    if [ -n "$(git -C "$REPO" status --porcelain -- . ':!bench' 2>/dev/null)" ]; then
        dirty=" (plus uncommitted changes outside bench/)"
    fi
    buildtype=$(meson introspect "$(dirname "$EA_BIN")" --buildoptions 2>/dev/null |
        python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"))' 2>/dev/null || echo unknown)
    echo "- Machine: $(nproc) CPUs (\`nproc\`), $model, $mem RAM, Linux $(uname -r), Debian $(cat /etc/debian_version 2>/dev/null)."
    tool=$(git -C "$REPO" log -1 --format=%h -- . ':!bench' 2>/dev/null || echo unknown)
    echo "- egress-audit: commit \`$commit\` (its sources as of \`$tool\`, the last commit outside bench/)$dirty, \`$EA_BIN\`, meson buildtype $buildtype."
    echo "- Versions: $(tcpdump --version 2>&1 | head -2 | tr '\n' ';' | sed 's/;$//; s/;/, /')$(have tshark && wanted tshark && echo ", tshark $(tshark --version | head -1 | awk '{ print $3 }')")$(have ndpiReader && wanted ndpiReader && echo ", nDPI $(ndpiReader -h 2>&1 | sed -n 's/.*nDPI \([0-9.]*\).*/\1/p' | head -1)"), $(cc --version | head -1)."
}

# report_check FILE: one egress-audit run writing the JSON report; prints
# "key value" lines of the counters the targets need
report_check() {
    local f=$1 json
    json=$BENCH_DIR/report-$(basename "$f" .pcap).json
    "$EA_BIN" analyze -q -F json -o "$json" "$f"
    python3 - "$json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["stats"]["counters"]
hosts = d["hosts"]
print("hosts_listed", len(hosts))
print("sni_hosts", sum(1 for h in hosts if h.get("name_source") == "sni"))
print("connections_listed", len(d["connections"]))
print("dns_listed", len(d["dns"]))
for k in ("packets", "flows", "flows_evicted", "connections_not_listed", "hosts_not_listed",
          "tls_malformed", "reasm_warnings"):
    print(k, c.get(k, 0))
EOF
}

# ------------------------------------------------------------------ one file
# bench_file FILE: RUNS interleaved rounds; prints the markdown of the file
bench_file() {
    local f=$1 tool r size packets name kind fw fc ew erss ec
    name=$(basename "$f")
    size=$(stat -c %s "$f")
    log "$name: warming the page cache"
    cat "$f" > /dev/null
    read -r packets _ < <("$FLOOR" "$f")
    rm -f "$BENCH_DIR"/m.*
    for ((r = 1; r <= RUNS; r++)); do
        log "$name: round $r of $RUNS"
        for tool in $TOOLS; do
            have "$tool" || continue
            measure "$tool" "$f"
        done
    done
    log "$name: report check"
    report_check "$f" > "$BENCH_DIR/check"
    cnt() { awk -v k="$1" '$1 == k { print $2 }' "$BENCH_DIR/check"; }

    echo
    echo "#### \`$name\`: $(thousands "$packets") packets, $(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1e9 }') GB"
    echo
    echo "| tool | median wall | runs (s) | MB/s | packets/s | peak RSS | × floor | CPU (user+sys) | CPU × floor |"
    echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    fw=$(awk '$4 == "ok" { print $1 }' "$BENCH_DIR/m.floor" | median)
    fc=$(awk '$4 == "ok" { print $3 }' "$BENCH_DIR/m.floor" | median)
    for tool in $TOOLS; do
        if ! have "$tool"; then
            echo "| \`$tool\` | not installed | | | | | | | |"
            continue
        fi
        local walls med rss line cpu
        walls=$(awk '{ print ($4 == "timeout" ? "> " : "") $1 }' "$BENCH_DIR/m.$tool" | paste -sd, - | sed 's/,/, /g')
        if grep -q ' failed$' "$BENCH_DIR/m.$tool"; then
            echo "| \`$(tool_shown "$tool")\` | failed | $walls | | | | | | |"
            continue
        fi
        rss=$(awk '{ print $2 }' "$BENCH_DIR/m.$tool" | median)
        rss=$(awk -v k="$rss" 'BEGIN { printf "%.1f MiB", k / 1024 }')
        if grep -q ' timeout$' "$BENCH_DIR/m.$tool"; then
            echo "| \`$(tool_shown "$tool")\` | > $TSHARK_TIMEOUT s (capped) | $walls | | | ≥ $rss | > $(awk -v a="$TSHARK_TIMEOUT" -v b="$fw" 'BEGIN { printf "%.0f", a / b }')× | | |"
            continue
        fi
        med=$(awk '{ print $1 }' "$BENCH_DIR/m.$tool" | median)
        cpu=$(awk '{ print $3 }' "$BENCH_DIR/m.$tool" | median)
        line=$(awk -v w="$med" -v s="$size" -v p="$packets" -v fw="$fw" -v c="$cpu" -v fc="$fc" 'BEGIN {
            printf "%.2f s | %s | %.0f | %.0f | %s | %.2f× | %.2f s | %s", w, "WALLS", s / 1e6 / w, p / w, "RSS", w / fw, c, (fc > 0 ? sprintf("%.2f×", c / fc) : "n/a") }')
        pps=$(echo "$line" | awk -F' [|] ' '{ print $4 }')
        line=${line/| $pps |/| $(thousands "$pps") |}
        line=${line/WALLS/$walls}
        line=${line/RSS/$rss}
        echo "| \`$(tool_shown "$tool")\` | $line |"
    done
    echo
    echo "egress-audit's report on this file (one more run, \`-o\` a file): $(thousands "$(cnt packets)") packets, $(thousands "$(cnt flows)") flows, $(thousands "$(cnt hosts_listed)") hosts listed ($(thousands "$(cnt sni_hosts)") named by SNI), hosts_not_listed $(thousands "$(cnt hosts_not_listed)"), $(thousands "$(cnt connections_listed)") connection rows, connections_not_listed $(thousands "$(cnt connections_not_listed)"), flows_evicted $(cnt flows_evicted), tls_malformed $(cnt tls_malformed), reasm_warnings $(cnt reasm_warnings)."

    kind=
    case $name in
    bulk*) kind=bulk ;;
    flows*) kind=flows ;;
    esac
    [ -n "$kind" ] && [ -s "$BENCH_DIR/m.egress-audit" ] || return 0
    ew=$(awk '$4 == "ok" { print $1 }' "$BENCH_DIR/m.egress-audit" | median)
    ec=$(awk '$4 == "ok" { print $3 }' "$BENCH_DIR/m.egress-audit" | median)
    erss=$(awk '{ print $2 }' "$BENCH_DIR/m.egress-audit" | median)
    echo
    awk -v kind="$kind" -v ew="$ew" -v fw="$fw" -v ec="$ec" -v fc="$fc" -v rss="$erss" \
        -v pr="$(paste -d' ' "$BENCH_DIR/m.floor" "$BENCH_DIR/m.egress-audit" | awk '$4 == "ok" && $8 == "ok" { printf "%s%.2f×", sep, $5 / $1; sep = ", " }')" \
        -v hnl="$(cnt hosts_not_listed)" -v hl="$(cnt sni_hosts)" 'BEGIN {
        ratio = ew / fw; mib = rss / 1024
        if (kind == "bulk") { tr = 1.15; tm = 32 } else { tr = 3; tm = 256 }
        cpu = (fc > 0 ? sprintf("CPU time %.2f× the floor: %s", ec / fc, (ec / fc <= tr ? "within" : "also over")) : "floor CPU time below 10 ms")
        printf "Targets (%s): wall %.2f× the floor, target ≤ %.2f×: **%s** (%s); peak RSS %.1f MiB, target ≤ %d MiB: **%s**", \
            kind, ratio, tr, (ratio <= tr ? "met" : "missed"), cpu, mib, tm, (mib <= tm ? "met" : "missed")
        if (pr != "")
            printf "; per-round wall ratios egress-audit / floor: %s", pr
        if (kind == "flows")
            printf "; every host in the JSON report: %d SNI hosts listed, hosts_not_listed %d: **%s**", \
                hl, hnl, (hnl == 0 ? "met" : "missed")
        print "."
    }'
}

# ------------------------------------------------------------------ growth
bench_growth() {
    local f=$1 k copy name size packets fw ew fc ec rss base=
    echo
    echo "#### Growth: \`$(basename "$f")\` concatenated 1×, 2×, 4×"
    echo
    echo "Each copy shifted in time to start 61 s after the one before ended (\`bench/concat.py\`). $RUNS runs of each, interleaved with the floor; medians."
    echo
    echo "| input | packets | GB | egress-audit wall | × floor | CPU × floor | egress-audit peak RSS | vs 1× |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    local rsss=()
    for k in 1 2 4; do
        if [ "$k" = 1 ]; then
            copy=$f
        else
            copy=$BENCH_DIR/$(basename "$f" .pcap)-x$k.pcap
            log "writing $copy"
            python3 "$HERE/concat.py" "$k" "$f" "$copy"
        fi
        name=$(basename "$copy")
        size=$(stat -c %s "$copy")
        cat "$copy" > /dev/null
        read -r packets _ < <("$FLOOR" "$copy")
        rm -f "$BENCH_DIR"/m.*
        for ((r = 1; r <= RUNS; r++)); do
            log "$name: round $r of $RUNS"
            measure floor "$copy"
            measure egress-audit "$copy"
        done
        fw=$(awk '{ print $1 }' "$BENCH_DIR/m.floor" | median)
        ew=$(awk '{ print $1 }' "$BENCH_DIR/m.egress-audit" | median)
        fc=$(awk '{ print $3 }' "$BENCH_DIR/m.floor" | median)
        ec=$(awk '{ print $3 }' "$BENCH_DIR/m.egress-audit" | median)
        rss=$(awk '{ print $2 }' "$BENCH_DIR/m.egress-audit" | median)
        [ -n "$base" ] || base=$rss
        rsss+=("$rss")
        awk -v k="$k" -v p="$(thousands "$packets")" -v s="$size" -v ew="$ew" -v fw="$fw" -v ec="$ec" -v fc="$fc" -v rss="$rss" -v base="$base" 'BEGIN {
            printf "| %d× | %s | %.2f | %.2f s | %.2f× | %s | %.1f MiB | %+.1f%% |\n", k, p, s / 1e9, ew, ew / fw, (fc > 0 ? sprintf("%.2f×", ec / fc) : "n/a"), rss / 1024, (rss / base - 1) * 100 }'
        [ "$copy" = "$f" ] || rm -f "$copy"
    done
    echo
    printf '%s\n' "${rsss[@]}" | awk '{ v[NR] = $1; if (NR == 1 || $1 < lo) lo = $1; if ($1 > hi) hi = $1 } END {
        printf "Target: peak RSS of 1×, 2×, 4× within 10%%: largest %.1f%% above smallest: **%s**.\n", (hi / lo - 1) * 100, (hi <= lo * 1.10 ? "met" : "missed") }'
}

# ------------------------------------------------------------------ main
OUT=$BENCH_DIR/section.md
{
    if [ -n "$TITLE" ]; then
        echo
        echo "## $TITLE"
    fi
    echo
    # shellcheck disable=SC2016 # the backquotes are markdown
    printf '### %s, commit `%s`: `%sbench/run.sh %s`\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
        "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)" "${BENCH_TOOLS:+BENCH_TOOLS=\"$BENCH_TOOLS\" }" "$(printf '%q ' "${ARGS[@]}" | sed 's/ $//')"
    echo
    machine
    echo "- Method: $RUNS interleaved rounds per file after one \`cat FILE > /dev/null\` (page cache warm); wall time around each process (\`\$EPOCHREALTIME\`), peak RSS and CPU time (user + sys) from GNU \`time -f '%M %U %S'\`; medians. CPU time is given beside wall time because the machine may be shared: it is what a busy machine changes least. MB/s is file bytes / 10^6 / wall. The floor is \`bench/floor.c\` (\`cc -O2 ... -lpcap\`: a bare \`pcap_next_ex\` loop)."
    echo "- Load average (1, 5, 15 min) at the start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows here; the rounds are interleaved so it hits every tool)."
    if [ "$GROWTH" = 1 ]; then
        bench_growth "$1"
    else
        have ndpiReader || echo "- ndpiReader: not installed (Debian package libndpi-bin), left out."
        for f in "$@"; do
            bench_file "$f"
        done
    fi
    echo
    echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} > "$OUT"
cat "$OUT"
if [ "$RESULTS" != - ]; then
    cat "$OUT" >> "$RESULTS"
    log "appended to $RESULTS"
fi
