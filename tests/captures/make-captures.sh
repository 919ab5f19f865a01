#!/usr/bin/env bash
# make-captures.sh: regenerate the real-tool captures of tests/captures/
# (issue 11: accuracy on captures nobody designed for us).
#
# Real clients (curl, openssl s_client, dig) against local servers
# (servers.py, dnsmasq) in two network namespaces joined by a veth pair,
# recorded by tcpdump the ways deployments record them:
#
#   one-sided.pcap  tcpdump 'dst port 443': only the client's packets
#   snaplen96.pcap  tcpdump -s 96: every frame cut after 96 bytes
#   preludes.pcap   TLS after STARTTLS (SMTP, IMAP, POP3, FTP, XMPP, LDAP),
#                   PostgreSQL's SSLRequest, curl through an HTTP CONNECT proxy
#                   (one fronted: another name inside), SOCKS 5, 5h, 4, 4a;
#                   plain HTTP through CONNECT (curl -p) and SOCKS 5h
#   vxlan.pcap      the same TLS seen on the underlay of a VXLAN (what an
#                   Azure virtual network TAP delivers)
#   dns-ports.pcap  dig against a resolver on port 5300, over UDP and TCP
#   tfo.pcap        curl --tcp-fastopen, twice: the second ClientHello rides
#                   in the SYN (TCP Fast Open, RFC 7413)
#   frag6.pcap      dig over IPv6 for a 3 KB TXT record: the kernel sends the
#                   response in IPv6 fragments
#
# Addresses: 198.18.0.0/15 (RFC 2544) and 2001:db8::/32 (RFC 3849) only;
# neither namespace has a default route or a link to the host.
#
# Usage (as root, on Debian 12):   tests/captures/make-captures.sh
# Debian packages: iproute2 tcpdump curl openssl bind9-dnsutils dnsmasq-base python3
# The kernel needs the vxlan module (without it vxlan.pcap is not remade).
# The captures are committed: the test suite (e2e_captures.py) reads them
# everywhere, without root or these packages.

set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
NS_C=eaacc-client
NS_N=eaacc-net
C4=198.18.1.2
C6=2001:db8:ac::2
TLS4=198.18.1.10
TLS6=2001:db8:ac::10
STLS4=198.18.1.20
PROXY4=198.18.1.30
DNS4=198.18.1.53
DNS6=2001:db8:ac::53
VX_C=198.19.42.2
VX_S=198.19.42.10

die() { echo "make-captures: error: $*" >&2; exit 1; }
log() { echo "make-captures: $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, tcpdump)"
for cmd in ip tcpdump curl openssl dig dnsmasq; do
    command -v "$cmd" >/dev/null || die "missing $cmd (apt-get install iproute2 tcpdump curl openssl bind9-dnsutils dnsmasq-base)"
done

PIDS=()
WORK=$(mktemp -d /tmp/eaacc-captures.XXXXXX)
remove_netns() {
    local ns pid
    for ns in "$NS_C" "$NS_N"; do
        [ -e "/run/netns/$ns" ] || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        sleep 0.2
        ip netns del "$ns" 2>/dev/null || true
    done
}
cleanup() {
    local rc=$? pid
    set +e
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    remove_netns
    if [ "${KEEP_WORK:-0}" = 1 ] || [ $rc -ne 0 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
    exit $rc
}
trap cleanup EXIT
remove_netns

log "namespaces $NS_C and $NS_N"
ip netns add "$NS_C"
ip netns add "$NS_N"
ip link add eaacc-c0 gso_max_segs 1 netns "$NS_C" type veth peer name eaacc-n0 gso_max_segs 1 netns "$NS_N"
for ns in "$NS_C" "$NS_N"; do ip -n "$ns" link set lo up; done
ip netns exec "$NS_C" sh -c 'echo 0 > /proc/sys/net/ipv6/conf/eaacc-c0/router_solicitations'
ip netns exec "$NS_N" sh -c 'echo 0 > /proc/sys/net/ipv6/conf/eaacc-n0/router_solicitations'
ip -n "$NS_C" addr add "$C4/24" dev eaacc-c0
ip -n "$NS_C" addr add "$C6/64" dev eaacc-c0 nodad
for a in 198.18.1.1 "$TLS4" "$STLS4" "$PROXY4" "$DNS4"; do ip -n "$NS_N" addr add "$a/24" dev eaacc-n0; done
ip -n "$NS_N" addr add "$TLS6/64" dev eaacc-n0 nodad
ip -n "$NS_N" addr add "$DNS6/64" dev eaacc-n0 nodad
for ns in "$NS_C" "$NS_N"; do  # TCP Fast Open, client and server (per namespace)
    ip netns exec "$ns" sh -c 'echo 3 > /proc/sys/net/ipv4/tcp_fastopen'
done
ip -n "$NS_C" link set eaacc-c0 up
ip -n "$NS_N" link set eaacc-n0 up

HAVE_VXLAN=0
if ip -n "$NS_C" link add eaacc-vx0 type vxlan id 42 remote 198.18.1.1 local "$C4" dstport 4789 dev eaacc-c0 2>/dev/null; then
    ip -n "$NS_N" link add eaacc-vx1 type vxlan id 42 remote "$C4" local 198.18.1.1 dstport 4789 dev eaacc-n0
    ip -n "$NS_C" addr add "$VX_C/24" dev eaacc-vx0
    ip -n "$NS_N" addr add "$VX_S/24" dev eaacc-vx1
    ip -n "$NS_C" link set eaacc-vx0 up
    ip -n "$NS_N" link set eaacc-vx1 up
    HAVE_VXLAN=1
else
    log "no vxlan in this kernel: vxlan.pcap is kept as it is"
fi

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=eaacc" \
    -days 30 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
LISTEN=(tls="$TLS4:443" tls="[$TLS6]:443" tls-tfo="$TLS4:8443" http="$TLS4:80" smtp="$STLS4:587" imap="$STLS4:143" pop3="$STLS4:110"
        ftp="$STLS4:21" xmpp="$STLS4:5222" ldap="$STLS4:389" postgres="$STLS4:5432"
        connect="$PROXY4:3128" socks="$PROXY4:1080")
[ "$HAVE_VXLAN" = 1 ] && LISTEN+=(tls="$VX_S:443")
ip netns exec "$NS_N" "$PYTHON" -u "$HERE/servers.py" --cert "$WORK/cert.pem" --key "$WORK/key.pem" \
    --host connect.example="$TLS4" --host allowed.example="$TLS4" --host socks5h.example="$TLS4" \
    --host socks4a.example="$TLS4" --host tunnel-http.example="$TLS4" \
    --host socks-http.example="$TLS4" "${LISTEN[@]}" >"$WORK/servers.log" 2>&1 &
PIDS+=($!)
for ((i = 0; i < 50; i++)); do grep -q ready "$WORK/servers.log" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$WORK/servers.log" || die "servers did not start: $(cat "$WORK/servers.log")"

BIG_TXT=$(for i in $(seq 1 12); do printf '%0250d,' "$i"; done)
for port in 53 5300; do
    ip netns exec "$NS_N" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
        --listen-address="$DNS4" --listen-address="$DNS6" --port="$port" --user=root --group=root \
        --txt-record=big-txt.example,"${BIG_TXT%,}" --edns-packet-max=4096 \
        --pid-file="$WORK/dnsmasq.$port.pid" --local=/example/ \
        --host-record=cut-dns.example,"$TLS4" --host-record=port5300.example,"$TLS4" \
        --host-record=tcp5300.example,"$TLS4" >"$WORK/dnsmasq.$port.log" 2>&1 &
    PIDS+=($!)
done
sleep 0.5

C() { ip netns exec "$NS_C" timeout 20 "$@"; }
TCPDUMP_PID=
start_capture() { # FILE tcpdump-args...
    local file=$1
    shift
    ip netns exec "$NS_C" tcpdump -i eaacc-c0 -U -Z root -w "$WORK/$file" "$@" 2>"$WORK/$file.err" &
    TCPDUMP_PID=$!
    for ((i = 0; i < 50; i++)); do grep -q "listening on" "$WORK/$file.err" && break; sleep 0.1; done
    sleep 0.3
}
stop_capture() { # FILE
    sleep 1
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    grep -q '^0 packets dropped by kernel' "$WORK/$1.err" || die "tcpdump dropped packets: $(cat "$WORK/$1.err")"
    cp "$WORK/$1" "$HERE/$1"
    chmod 644 "$HERE/$1"
    log "wrote $1 ($(stat -c %s "$HERE/$1") bytes)"
}
curl_ok() { C curl -sS -k -o /dev/null "$@" || die "curl $* failed"; }

log "one-sided.pcap: tcpdump 'dst port 443'"
start_capture one-sided.pcap 'dst port 443'
curl_ok --resolve oneway.example:443:"$TLS4" https://oneway.example/
curl_ok -6 --resolve oneway6.example:443:"[$TLS6]" https://oneway6.example/
stop_capture one-sided.pcap

log "snaplen96.pcap: tcpdump -s 96"
start_capture snaplen96.pcap -s 96
curl_ok --resolve cut.example:443:"$TLS4" https://cut.example/
C dig +tries=1 +time=2 @"$DNS4" cut-dns.example A >/dev/null || die "dig failed"
stop_capture snaplen96.pcap

log "preludes.pcap: STARTTLS, SSLRequest, CONNECT, SOCKS"
start_capture preludes.pcap
for spec in smtp:587 imap:143 pop3:110 ftp:21 xmpp:5222 ldap:389 postgres:5432; do
    proto=${spec%%:*}
    port=${spec#*:}
    extra=()
    [ "$proto" = xmpp ] && extra=(-xmpphost chat.example)
    out=$(echo | C openssl s_client -starttls "$proto" "${extra[@]}" -connect "$STLS4:$port" \
        -servername "$proto.example" 2>&1) || true
    grep -q "^New, TLS" <<<"$out" || die "openssl s_client -starttls $proto: no TLS session: $out"
    sleep 0.3
done
curl_ok --proxy "http://$PROXY4:3128" https://connect.example/
curl_ok --proxy "http://$PROXY4:3128" --connect-to fronted.example:443:allowed.example:443 https://fronted.example/
curl_ok --socks5-hostname "$PROXY4:1080" https://socks5h.example/
curl_ok --socks5 "$PROXY4:1080" --resolve socks5.example:443:"$TLS4" https://socks5.example/
curl_ok --socks4a "$PROXY4:1080" https://socks4a.example/
curl_ok --socks4 "$PROXY4:1080" --resolve socks4.example:443:"$TLS4" https://socks4.example/
curl_ok -p --proxy "http://$PROXY4:3128" http://tunnel-http.example/simple/
curl_ok --socks5-hostname "$PROXY4:1080" http://socks-http.example/simple/
stop_capture preludes.pcap

if [ "$HAVE_VXLAN" = 1 ]; then
    log "vxlan.pcap: the underlay of a VXLAN"
    start_capture vxlan.pcap 'udp port 4789'
    curl_ok --resolve vxlan.example:443:"$VX_S" https://vxlan.example/
    stop_capture vxlan.pcap
fi

log "tfo.pcap: TCP Fast Open"
start_capture tfo.pcap 'port 8443'
curl_ok --tcp-fastopen --resolve tfo1.example:8443:"$TLS4" https://tfo1.example:8443/
sleep 0.3
curl_ok --tcp-fastopen --resolve tfo2.example:8443:"$TLS4" https://tfo2.example:8443/
stop_capture tfo.pcap

log "frag6.pcap: a DNS response in IPv6 fragments"
start_capture frag6.pcap 'ip6'
C dig -6 +tries=1 +time=2 +bufsize=4096 +ignore @"$DNS6" big-txt.example TXT >"$WORK/dig-frag6" ||
    die "dig -6 big-txt.example failed"
grep -q 'status: NOERROR' "$WORK/dig-frag6" || die "dig -6 big-txt.example: $(cat "$WORK/dig-frag6")"
stop_capture frag6.pcap

log "dns-ports.pcap: a resolver on port 5300"
start_capture dns-ports.pcap 'port 5300'
C dig +tries=1 +time=2 -p 5300 @"$DNS4" port5300.example A >/dev/null || die "dig -p 5300 failed"
C dig +tcp +tries=1 +time=2 -p 5300 @"$DNS4" tcp5300.example A >/dev/null || die "dig +tcp -p 5300 failed"
stop_capture dns-ports.pcap
log "done"
