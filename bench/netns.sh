# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
#
# bench/netns.sh: the two network namespaces the capture generators share
# (sourced by gen-bulk.sh and gen-flows-seed.sh, never run by itself).
#
#   eab-client  the deployment: 198.18.1.2; tcpdump captures on its eab-c0
#   eab-net     the DNS server (dnsmasq, 198.18.1.53) and nginx over TLS
#               (198.18.1.10 for the seed exchange, .11-.14 for the bulk
#               downloads)
#   joined by one veth pair (eab-c0 <-> eab-n0), MTU 1500, every offload that
#   would merge or split segments turned off (GRO, GSO, TSO, gso_max_segs 1)
#   and checksums computed in software (tx off), so the capture holds the
#   frames a wire would carry (at most 1514 bytes) with valid checksums.
#   Neither namespace has a default route or a link to the host: nothing
#   leaves the machine. IPv6 is off on the pair so no router or neighbour
#   solicitations get into the capture.
#
# Names differ from samples/make-sample.sh (ea-client, ea-net), so both can
# exist at once. The caller sets WORK (scratch directory, removed by the
# caller) and calls netns_setup, netns_start_dns, netns_start_nginx,
# netns_capture_start / netns_capture_stop; netns_cleanup runs from the
# caller's EXIT trap and undoes everything, also after a failure.

NS_C=eab-client
NS_N=eab-net
NETNS_ETC=/etc/netns/$NS_C
CLIENT4=198.18.1.2
NET4=198.18.1.1
DNS4=198.18.1.53
SEED4=198.18.1.10
BULK4_BASE=198.18.1.1   # + 1..4: 198.18.1.11 .. 198.18.1.14
BENCH_DOMAIN=bench.example

NETNS_PIDS=()
CAPTURE_PID=

die() { echo "${0##*/}: error: $*" >&2; exit 1; }
log() { echo "${0##*/}: $*" >&2; }

netns_need() { # netns_need COMMAND PACKAGE...: collect the missing Debian packages
    local missing=() cmd pkg
    while [ $# -ge 2 ]; do
        cmd=$1 pkg=$2
        shift 2
        command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] ||
        die "missing Debian packages: ${missing[*]}
  install them with: apt-get install ${missing[*]}"
}

netns_check() {
    [ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, tcpdump)"
    export PATH="$PATH:/usr/sbin:/sbin"
    netns_need ip iproute2 tcpdump tcpdump curl curl openssl openssl \
        dnsmasq dnsmasq-base nginx nginx-light ethtool ethtool dig bind9-dnsutils
}

# Remove our namespaces, ending (by pid) every process still inside them.
netns_remove() {
    local ns pid
    for ns in "$NS_C" "$NS_N"; do
        [ -e "/run/netns/$ns" ] || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill "$pid" 2>/dev/null
        done
        sleep 0.3
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -9 "$pid" 2>/dev/null
        done
        ip netns del "$ns" 2>/dev/null
    done
    rm -f "$NETNS_ETC/resolv.conf"
    rmdir "$NETNS_ETC" 2>/dev/null || true
    rmdir /etc/netns 2>/dev/null || true
    return 0
}

netns_cleanup() {
    local pid
    for pid in "${NETNS_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${NETNS_PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    netns_remove
}

# wait_for FILE PATTERN SECONDS: wait until FILE contains PATTERN
wait_for() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

netns_setup() {
    local ns dev a i
    netns_remove   # leftovers of an interrupted earlier run
    log "setting up namespaces $NS_C and $NS_N"
    ip netns add "$NS_C"
    ip netns add "$NS_N"
    ip link add eab-c0 mtu 1500 gso_max_segs 1 netns "$NS_C" type veth \
        peer name eab-n0 mtu 1500 gso_max_segs 1 netns "$NS_N"
    for ns in "$NS_C" "$NS_N"; do
        dev=eab-c0
        [ "$ns" = "$NS_N" ] && dev=eab-n0
        ip -n "$ns" link set lo up
        ip netns exec "$ns" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$dev/disable_ipv6"
        ip netns exec "$ns" ethtool -K "$dev" gro off gso off tso off tx off sg off >/dev/null 2>&1 ||
            die "ethtool -K $dev gro off gso off tso off tx off sg off failed"
        ip netns exec "$ns" ethtool -k "$dev" |
            grep -Eq '^(generic-receive-offload|generic-segmentation-offload|tcp-segmentation-offload): on' &&
            die "offloads still on for $dev: $(ip netns exec "$ns" ethtool -k "$dev" | grep -E 'offload|segmentation')"
    done
    ip -n "$NS_C" addr add "$CLIENT4/24" dev eab-c0
    ip -n "$NS_N" addr add "$NET4/24" dev eab-n0
    ip -n "$NS_N" addr add "$DNS4/24" dev eab-n0
    ip -n "$NS_N" addr add "$SEED4/24" dev eab-n0
    for i in 1 2 3 4; do
        a=$BULK4_BASE$i
        ip -n "$NS_N" addr add "$a/24" dev eab-n0
    done
    ip -n "$NS_C" link set eab-c0 up
    ip -n "$NS_N" link set eab-n0 up
    # The client resolves through dnsmasq (ip netns exec bind-mounts this
    # file over /etc/resolv.conf).
    mkdir -p "$NETNS_ETC"
    printf 'nameserver %s\noptions timeout:2 attempts:1\n' "$DNS4" > "$NETNS_ETC/resolv.conf"
}

# netns_start_dns NAME=ADDRESS...: dnsmasq answering these A records,
# authoritative for bench.example (no AAAA: NODATA, as curl asks for both)
netns_start_dns() {
    local kv i
    {
        printf '%s\n' no-resolv no-hosts no-poll bind-interfaces "listen-address=$DNS4" \
            port=53 user=root group=root local-ttl=60 "local=/$BENCH_DOMAIN/" \
            "log-facility=$WORK/dnsmasq.log"
        for kv in "$@"; do
            printf 'host-record=%s,%s\n' "${kv%%=*}" "${kv#*=}"
        done
    } > "$WORK/dnsmasq.conf"
    ip netns exec "$NS_N" dnsmasq --keep-in-foreground --conf-file="$WORK/dnsmasq.conf" \
        --pid-file="$WORK/dnsmasq.pid" >"$WORK/dnsmasq.out" 2>&1 &
    NETNS_PIDS+=($!)
    kv=$1
    for ((i = 0; i < 50; i++)); do
        ip netns exec "$NS_N" dig +short +tries=1 +time=1 @"$DNS4" "${kv%%=*}" 2>/dev/null |
            grep -qx "${kv#*=}" && return 0
        sleep 0.1
    done
    die "dnsmasq did not start: $(cat "$WORK/dnsmasq.out")"
}

# netns_start_nginx DOCROOT: nginx over TLS on port 443 of every eab-net
# address, with a self-signed certificate made now; /small answers "ok".
netns_start_nginx() {
    local root=$1 d i
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj "/CN=*.$BENCH_DOMAIN" -days 2 \
        -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null ||
        die "openssl could not make the certificate"
    for d in body proxy fastcgi uwsgi scgi; do
        mkdir -p "$WORK/nginx-$d"
    done
    cat > "$WORK/nginx.conf" <<EOF
worker_processes 2;
daemon off;
user root;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log notice;
events { worker_connections 256; }
http {
    access_log $WORK/nginx-access.log;
    client_body_temp_path $WORK/nginx-body;
    proxy_temp_path $WORK/nginx-proxy;
    fastcgi_temp_path $WORK/nginx-fastcgi;
    uwsgi_temp_path $WORK/nginx-uwsgi;
    scgi_temp_path $WORK/nginx-scgi;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 5;
    server {
        listen 443 ssl;
        server_name _;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $root;
        location = /small { default_type text/plain; return 200 "ok\n"; }
    }
}
EOF
    ip netns exec "$NS_N" nginx -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" \
        >"$WORK/nginx.out" 2>&1 &
    NETNS_PIDS+=($!)
    for ((i = 0; i < 50; i++)); do
        ip netns exec "$NS_N" curl -sk -o /dev/null --max-time 1 "https://$SEED4/small" && return 0
        sleep 0.1
    done
    die "nginx did not start: $(cat "$WORK/nginx.out" "$WORK/nginx-error.log" 2>/dev/null)"
}

# netns_capture_start FILE [BPF]: tcpdump -s 0 -w FILE on eab-c0 (Ethernet)
netns_capture_start() {
    local file=$1
    shift
    ip netns exec "$NS_C" tcpdump -i eab-c0 -s 0 -B 262144 -n -Z root -w "$file" "$@" \
        2>"$WORK/tcpdump.err" &
    CAPTURE_PID=$!
    NETNS_PIDS+=("$CAPTURE_PID")
    wait_for "$WORK/tcpdump.err" "listening on" 10 ||
        die "tcpdump did not start: $(cat "$WORK/tcpdump.err")"
    sleep 0.5
}

# netns_capture_stop: end tcpdump; fail if the kernel dropped packets
netns_capture_stop() {
    sleep 1   # the last FIN/ACKs
    kill -INT "$CAPTURE_PID"
    wait "$CAPTURE_PID" || true
    NETNS_PIDS=("${NETNS_PIDS[@]/#$CAPTURE_PID/}")
    log "tcpdump: $(grep -E 'captured|dropped' "$WORK/tcpdump.err" | tr '\n' ' ')"
    grep -q '^0 packets dropped by kernel' "$WORK/tcpdump.err" ||
        die "tcpdump dropped packets: $(cat "$WORK/tcpdump.err")"
}
