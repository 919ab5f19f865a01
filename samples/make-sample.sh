#!/usr/bin/env bash
# make-sample.sh: regenerate a sample capture and its truth file:
#   samples/hf-deploy.pcap, hf-deploy.truth.tsv  (scenario "deploy", the default)
#   samples/hf-xet.pcap,    hf-xet.truth.tsv     (scenario "xet")
#
# Reproduces the egress of a "Hugging Face style" Azure ML model deployment
# in two Linux network namespaces, with real clients (dig, curl,
# openssl s_client) against local servers, and records it with tcpdump from
# inside the client namespace, as someone capturing on the deployment would.
#
# Scenarios (the namespaces, DNS server and test servers are the same; the
# names, what each server does and the client's steps differ):
#   deploy  the analyzer's corner cases: a ClientHello split over TCP segments
#           and over TLS records, IPv6, no SNI, refused, no answer, Azure
#           Firewall HTTP and TLS denies, DNS over TCP, NXDOMAIN, HTTPS record
#   xet     a 2026 Hugging Face download and Docker Hub pull, every host
#           reached (HTTP 200): huggingface.co, a 302 to Xet storage
#           (cas-bridge, cas-server US and EU, transfer), the CDN hosts under
#           hf.co (one through a CNAME), auth.docker.io, registry-1.docker.io
#           and its 307 to production.cloudfront.docker.com
#
#   ea-client  the deployment: 198.18.0.2, 2001:db8:ea::2; captures here
#   ea-net     everything else: the DNS server (dnsmasq, 198.18.0.53) and one
#              address per service name (see SERVICE ADDRESSES below)
#   joined by one veth pair (ea-c0 <-> ea-n0). Neither namespace has a default
#   route or any link to the host, so nothing can leave the machine.
#   Addresses: 198.18.0.0/24 (RFC 2544) and 2001:db8:ea::/64 (RFC 3849) only.
#
# Usage (as root, on Debian 12):   sudo samples/make-sample.sh [--scenario NAME] [--out-dir DIR]
#   --scenario NAME  deploy (default) or xet; SCENARIO=NAME in the environment does the same
#   --out-dir DIR    write the two outputs to DIR instead of next to this script
#   KEEP_WORK=1      keep the temporary directory (server logs, client output)
#
# Debian packages it needs:
#   apt-get install iproute2 tcpdump curl openssl bind9-dnsutils dnsmasq-base nftables python3
# (the xet scenario does without nftables).  Optional, for the self-check of
# the capture at the end (skipped without it):
#   apt-get install tshark
#
# Outputs (next to this script), NAME hf-deploy or hf-xet:
#   NAME.pcap       the capture (tcpdump -i any: LINUX_SLL2, link type 276)
#   NAME.truth.tsv  one line per TCP connection the client made, in order
#
# Re-running is safe: leftovers of an earlier, interrupted run (namespaces
# named ea-client/ea-net and the processes inside them) are removed first, and
# everything this run sets up is torn down on exit.

set -euo pipefail

export PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVERS_PY=$HERE/servers/ea_servers.py
PYTHON=${PYTHON:-/usr/bin/python3}

NS_C=ea-client
NS_N=ea-net
NETNS_ETC=/etc/netns/$NS_C

# SERVICE ADDRESSES (all in ea-net)
CLIENT4=198.18.0.2
CLIENT6=2001:db8:ea::2
NET4=198.18.0.1
NET6=2001:db8:ea::1
DNS4=198.18.0.53
HF4=198.18.0.10          # huggingface.co              TLS, reached; :8443 closed (refused)
CDN4=198.18.0.11         # d1x7example.cloudfront.net  (cdn-lfs.huggingface.co CNAME) TLS, reached
CAS4=198.18.0.12         # cas-bridge.xethub.hf.co     TLS deny (ClientHello read, then RST)
DOCKER4=198.18.0.13      # registry-1.docker.io        TLS, reached
DOCKER6=2001:db8:ea::13  #   and its AAAA
PYPI4=198.18.0.14        # pypi.org                    TLS (small MSS) + HTTP :80, reached
FILES4=198.18.0.15       # files.pythonhosted.org      HTTP :80 answers 470 (Azure Firewall deny)
XFER4=198.18.0.16        # transfer.xethub.hf.co       SYNs dropped (no answer)
TELEM4=198.18.0.17       # telemetry.unlisted-vendor.example  TLS, reached
NXNAME=models.unresolvable-mirror.example   # NXDOMAIN
# The xet scenario reuses HF4, CDN4 (now the CNAME target of cdn-lfs-us-1.hf.co),
# CAS4, XFER4 and DOCKER4 (A only), all plain HTTPS there, and adds:
CASSRV4=198.18.0.20      # cas-server.xethub.hf.co     TLS, reached
CASEU4=198.18.0.21       # cas-server.xethub-eu.hf.co  TLS, reached
AWSCDN4=198.18.0.22      # us.aws.cdn.hf.co            TLS, reached
GCPCDN4=198.18.0.23      # us.gcp.cdn.hf.co            TLS, reached
AUTH4=198.18.0.25        # auth.docker.io              TLS, reached
CFDOCKER4=198.18.0.26    # production.cloudfront.docker.com  TLS, reached

# The xet scenario's redirects: the server at the first host answers the
# path with the status and Location (--redirect of servers/ea_servers.py).
XET_RESOLVE_PATH=/google-bert/bert-base-uncased/resolve/main/model.safetensors
XET_BRIDGE_URL=https://cas-bridge.xethub.hf.co/xet-bridge-us/621ffdc136f3a1c0/68d45e234eb4a928074dfd868cead0219ab85354cc53d20e772753c6bb9169d3
LFS_RESOLVE_PATH=/google-bert/bert-base-uncased/resolve/main/pytorch_model.bin
LFS_CDN_URL=https://cdn-lfs-us-1.hf.co/repos/4a/2b/4a2bexample/097417381d6c7230bd9e3557456d726de6e83245ec8b24f529f60198a67b203a
BLOB_PATH=/v2/library/python/blobs/sha256:2d4ae6f7b3cbad2a1a8e8ee6b8aa4f7e47a3c7b4b2b0e05bd0d8f3a0a4b6c9e1
BLOB_CDN_URL=https://production.cloudfront.docker.com/registry-v2/docker/registry/v2/blobs/sha256/2d/2d4ae6f7b3cbad2a1a8e8ee6b8aa4f7e47a3c7b4b2b0e05bd0d8f3a0a4b6c9e1/data

# The pypi.org server advertises this MSS (route advmss), so the client's
# ClientHello goes out in several small segments.  168 - 12 bytes of TCP
# timestamp option = 156 bytes of payload per segment, which with OpenSSL 3.0's
# default ClientHello puts the segment boundary inside the SNI host name.
PYPI_ADVMSS=168

SLEEP=${SLEEP:-1}        # pause between scenario steps

die() { echo "make-sample: error: $*" >&2; exit 1; }
log() { echo "make-sample: $*" >&2; }

# ---------------------------------------------------------------- arguments
SCENARIO=${SCENARIO:-deploy}
OUT_DIR=$HERE
while [ $# -gt 0 ]; do
    case $1 in
    --scenario | --out-dir)
        [ $# -ge 2 ] || die "$1 needs a value"
        if [ "$1" = --scenario ]; then SCENARIO=$2; else OUT_DIR=$2; fi
        shift 2
        ;;
    --scenario=*) SCENARIO=${1#*=}; shift ;;
    --out-dir=*) OUT_DIR=${1#*=}; shift ;;
    -h | --help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (--help lists them)" ;;
    esac
done
case $SCENARIO in
deploy) OUT_NAME=hf-deploy ;;
xet) OUT_NAME=hf-xet ;;
*) die "unknown scenario '$SCENARIO': deploy or xet" ;;
esac
[ -d "$OUT_DIR" ] || die "--out-dir $OUT_DIR: no such directory"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
OUT_PCAP=$OUT_DIR/$OUT_NAME.pcap
OUT_TRUTH=$OUT_DIR/$OUT_NAME.truth.tsv

# The addresses each scenario gives ea-net (besides NET4/NET6 and DNS4).
if [ "$SCENARIO" = deploy ]; then
    NET_ADDRS4=("$HF4" "$CDN4" "$CAS4" "$DOCKER4" "$PYPI4" "$FILES4" "$XFER4" "$TELEM4")
    NET_ADDRS6=("$DOCKER6")
else
    NET_ADDRS4=("$HF4" "$CDN4" "$CAS4" "$DOCKER4" "$XFER4" "$CASSRV4" "$CASEU4" "$AWSCDN4"
        "$GCPCDN4" "$AUTH4" "$CFDOCKER4")
    NET_ADDRS6=()
fi

# ---------------------------------------------------------------- checks
[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, tcpdump): sudo $0"

missing=()
need() { # need COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 || missing+=("$2")
}
need ip iproute2
need tcpdump tcpdump
need curl curl
need openssl openssl
need dig bind9-dnsutils
need dnsmasq dnsmasq-base
[ "$SCENARIO" != deploy ] || need nft nftables
[ -x "$PYTHON" ] || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
    die "missing Debian packages: ${missing[*]}
  install them with: apt-get install ${missing[*]}"
fi
[ -f "$SERVERS_PY" ] || die "missing $SERVERS_PY"
HAVE_TSHARK=0
command -v tshark >/dev/null 2>&1 && HAVE_TSHARK=1

# ---------------------------------------------------------------- cleanup
PIDS=()
WORK=
cleanup() {
    local rc=$? pid
    set +e
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    remove_netns
    rm -f "$NETNS_ETC/resolv.conf"
    rmdir "$NETNS_ETC" 2>/dev/null
    rmdir /etc/netns 2>/dev/null
    if [ -n "$WORK" ]; then
        if [ "${KEEP_WORK:-0}" = 1 ] || [ $rc -ne 0 ]; then
            log "work directory kept: $WORK"
        else
            rm -rf "$WORK"
        fi
    fi
    exit $rc
}

# Remove our namespaces, ending (by pid) any process still inside them.
remove_netns() {
    local ns pid
    for ns in "$NS_C" "$NS_N"; do
        [ -e "/run/netns/$ns" ] || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill "$pid" 2>/dev/null
        done
        sleep 0.2
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -9 "$pid" 2>/dev/null
        done
        ip netns del "$ns" 2>/dev/null
    done
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

remove_netns   # leftovers of an interrupted earlier run
WORK=$(mktemp -d /tmp/ea-sample.XXXXXX)
chmod 755 "$WORK"

# wait_for FILE PATTERN SECONDS: wait until FILE contains PATTERN
wait_for() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# ---------------------------------------------------------------- topology
log "setting up namespaces $NS_C and $NS_N"
ip netns add "$NS_C"
ip netns add "$NS_N"
# gso_max_segs 1: no segmentation offload (GSO/TSO) on the veth pair.  Without
# it the sending kernel hands tcpdump one large "super-segment" instead of the
# MSS-sized segments a wire would carry, and the multi-segment ClientHello
# would show up as one packet.  Checksum offload is left on, as on real hosts,
# so the packets carry unfinished (bad) TCP/UDP checksums in the capture.
ip link add ea-c0 gso_max_segs 1 netns "$NS_C" type veth peer name ea-n0 gso_max_segs 1 netns "$NS_N"
ip -d -n "$NS_C" link show ea-c0 | grep -q 'gso_max_segs 1 ' ||
    die "could not turn off segmentation offload on ea-c0 (gso_max_segs 1)"
for ns in "$NS_C" "$NS_N"; do
    ip -n "$ns" link set lo up
done
# There are no routers: keep the interfaces from soliciting one.
ip netns exec "$NS_C" sh -c 'echo 0 > /proc/sys/net/ipv6/conf/ea-c0/router_solicitations'
ip netns exec "$NS_N" sh -c 'echo 0 > /proc/sys/net/ipv6/conf/ea-n0/router_solicitations'

ip -n "$NS_C" addr add "$CLIENT4/24" dev ea-c0
ip -n "$NS_C" addr add "$CLIENT6/64" dev ea-c0 nodad
for a in "$NET4" "$DNS4" "${NET_ADDRS4[@]}"; do
    ip -n "$NS_N" addr add "$a/24" dev ea-n0
done
for a in "$NET6" "${NET_ADDRS6[@]}"; do
    ip -n "$NS_N" addr add "$a/64" dev ea-n0 nodad
done
ip -n "$NS_C" link set ea-c0 up
ip -n "$NS_N" link set ea-n0 up

if [ "$SCENARIO" = deploy ]; then
    # pypi.org's replies (SYN-ACK included) use a route with a small advmss.
    ip -n "$NS_N" rule add from "$PYPI4" lookup 100 pref 100
    ip -n "$NS_N" route add 198.18.0.0/24 dev ea-n0 src "$PYPI4" advmss "$PYPI_ADVMSS" table 100

    # transfer.xethub.hf.co: a firewall silently drops the SYNs.
    ip netns exec "$NS_N" nft -f - <<EOF
table inet ea_filter {
    chain input {
        type filter hook input priority 0; policy accept;
        ip daddr $XFER4 tcp dport 443 drop
    }
}
EOF
fi

# The client resolves through the local DNS server (ip netns exec bind-mounts
# this file over /etc/resolv.conf).
mkdir -p "$NETNS_ETC"
printf 'nameserver %s\noptions timeout:2 attempts:1\n' "$DNS4" > "$NETNS_ETC/resolv.conf"

# ---------------------------------------------------------------- servers
log "starting dnsmasq and the test servers"
# HTTPS (type 65) record for huggingface.co: priority 1, target ".",
# alpn="h2,http/1.1", ipv4hint=198.18.0.10
HTTPS_RR=0001:00:0001:000c:02:6832:08:687474702f312e31:0004:0004:c612000a
cat > "$WORK/dnsmasq.conf" <<EOF
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address=$DNS4
port=53
user=root
group=root
log-queries
log-facility=$WORK/dnsmasq.log
local-ttl=60
# authoritative here: names below these without a record get NXDOMAIN/NODATA
local=/huggingface.co/
local=/hf.co/
local=/docker.io/
local=/pypi.org/
local=/pythonhosted.org/
local=/cloudfront.net/
local=/example/
EOF
if [ "$SCENARIO" = deploy ]; then
    cat >> "$WORK/dnsmasq.conf" <<EOF
host-record=huggingface.co,$HF4
cname=cdn-lfs.huggingface.co,d1x7example.cloudfront.net
host-record=d1x7example.cloudfront.net,$CDN4
host-record=cas-bridge.xethub.hf.co,$CAS4
host-record=transfer.xethub.hf.co,$XFER4
host-record=registry-1.docker.io,$DOCKER4,$DOCKER6
host-record=pypi.org,$PYPI4
host-record=files.pythonhosted.org,$FILES4
host-record=telemetry.unlisted-vendor.example,$TELEM4
dns-rr=huggingface.co,65,$HTTPS_RR
EOF
else
    cat >> "$WORK/dnsmasq.conf" <<EOF
local=/docker.com/
host-record=huggingface.co,$HF4
host-record=cas-bridge.xethub.hf.co,$CAS4
host-record=cas-server.xethub.hf.co,$CASSRV4
host-record=cas-server.xethub-eu.hf.co,$CASEU4
host-record=transfer.xethub.hf.co,$XFER4
host-record=us.aws.cdn.hf.co,$AWSCDN4
host-record=us.gcp.cdn.hf.co,$GCPCDN4
cname=cdn-lfs-us-1.hf.co,d1x7example.cloudfront.net
host-record=d1x7example.cloudfront.net,$CDN4
host-record=auth.docker.io,$AUTH4
host-record=registry-1.docker.io,$DOCKER4
host-record=production.cloudfront.docker.com,$CFDOCKER4
EOF
fi
ip netns exec "$NS_N" dnsmasq --keep-in-foreground --conf-file="$WORK/dnsmasq.conf" \
    --pid-file="$WORK/dnsmasq.pid" >"$WORK/dnsmasq.out" 2>&1 &
PIDS+=($!)

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=egress-audit sample server" -days 30 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

if [ "$SCENARIO" = deploy ]; then
    SERVER_ARGS=(--https "$HF4:443" --https "$CDN4:443" --https "$DOCKER4:443" --https "[$DOCKER6]:443"
        --https "$PYPI4:443" --https "$XFER4:443" --https "$TELEM4:443"
        --http "$PYPI4:80" --http-deny "$FILES4:80" --tls-deny "$CAS4:443")
else
    SERVER_ARGS=(--redirect 302 "$XET_RESOLVE_PATH" "$XET_BRIDGE_URL"
        --redirect 302 "$LFS_RESOLVE_PATH" "$LFS_CDN_URL"
        --redirect 307 "$BLOB_PATH" "$BLOB_CDN_URL")
    for a in "${NET_ADDRS4[@]}"; do
        SERVER_ARGS+=(--https "$a:443")
    done
fi
ip netns exec "$NS_N" "$PYTHON" -u "$SERVERS_PY" --cert "$WORK/cert.pem" --key "$WORK/key.pem" \
    "${SERVER_ARGS[@]}" >"$WORK/servers.log" 2>&1 &
PIDS+=($!)

wait_for "$WORK/servers.log" ready 10 || die "test servers did not start: $(cat "$WORK/servers.log")"
for ((i = 0; i < 50; i++)); do
    ip netns exec "$NS_N" dig +short +tries=1 +time=1 @"$DNS4" huggingface.co >/dev/null 2>&1 && break
    sleep 0.1
done
[ $i -lt 50 ] || die "dnsmasq did not start: $(cat "$WORK/dnsmasq.out")"

# ---------------------------------------------------------------- capture
log "starting tcpdump in $NS_C"
CAP=$WORK/capture.pcap
ip netns exec "$NS_C" tcpdump -i any -s 0 -U -Z root -w "$CAP" 2>"$WORK/tcpdump.err" &
TCPDUMP_PID=$!
PIDS+=("$TCPDUMP_PID")
wait_for "$WORK/tcpdump.err" "listening on" 10 || die "tcpdump did not start: $(cat "$WORK/tcpdump.err")"
sleep 0.5

# ---------------------------------------------------------------- scenario
C() { ip netns exec "$NS_C" timeout 20 "$@"; }

TRUTH=$WORK/truth.tsv
printf 'name\tname_source\tdst\tdport\ttransport\toutcome\tnote\n' > "$TRUTH"
# truth NAME NAME_SOURCE DST DPORT OUTCOME NOTE
truth() { printf '%s\t%s\t%s\t%s\ttcp\t%s\t%s\n' "$@" >> "$TRUTH"; }
STEP=0
step() { STEP=$((STEP + 1)); log "step $STEP: $*"; }
pause() { sleep "$SLEEP"; }

# dig_check NAME TYPE EXPECTED_STATUS EXPECTED_ANSWER_SUBSTRING [dig options]
dig_check() {
    local name=$1 type=$2 status=$3 want=$4 out
    shift 4
    out=$(C dig +tries=1 +time=2 "$@" "$name" "$type") || die "dig $* $name $type failed: $out"
    grep -q "status: $status" <<<"$out" || die "dig $name $type: expected $status: $out"
    [ -z "$want" ] || grep -q -- "$want" <<<"$out" || die "dig $name $type: expected '$want' in: $out"
}

# curl_check EXPECTED_RC EXPECTED_HTTP_CODE EXPECTED_REMOTE_IP curl-args...
# REDIRECTS=N curl_check ... -L ...: curl must have followed N redirects; the
# code and address are then the last request's.
curl_check() {
    local want_rc=$1 want_code=$2 want_ip=$3 want_redirects=${REDIRECTS:-0} out rc code ip redirects
    shift 3
    set +e
    out=$(C curl -sS -k -o "$WORK/body.$STEP" -w '%{http_code}|%{remote_ip}|%{num_redirects}' "$@" \
        2>"$WORK/curl.$STEP.err")
    rc=$?
    set -e
    echo "$out rc=$rc $(cat "$WORK/curl.$STEP.err")" > "$WORK/curl.$STEP.out"
    IFS='|' read -r code ip redirects <<<"$out"
    [ "$rc" = "$want_rc" ] || die "curl $*: exit $rc, expected $want_rc ($out; $(cat "$WORK/curl.$STEP.err"))"
    [ "$code" = "$want_code" ] || die "curl $*: HTTP code $code, expected $want_code"
    [ -z "$want_ip" ] || [ "$ip" = "$want_ip" ] || die "curl $*: connected to $ip, expected $want_ip"
    [ "$redirects" = "$want_redirects" ] || die "curl $*: $redirects redirects followed, expected $want_redirects"
}

# sclient_check HOST REQUEST_HOST s_client-args...: expect an HTTP 200 back
sclient_check() {
    local rhost=$1 out
    shift
    out=$(printf 'GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$rhost" |
        C openssl s_client -quiet "$@" 2>&1) || die "openssl s_client $*: failed: $out"
    echo "$out" > "$WORK/s_client.$STEP.out"
    grep -q '^HTTP/1.1 200 OK' <<<"$out" || die "openssl s_client $*: no HTTP 200: $out"
}

# The deploy scenario: the analyzer's corner cases (see samples/README.md).
scenario_deploy() {
    step "DNS over UDP (dig), DNS over TCP (dig +tcp), an NXDOMAIN, an HTTPS record"
    dig_check huggingface.co A NOERROR "$HF4"
    dig_check cdn-lfs.huggingface.co A NOERROR "$CDN4"
    dig_check cas-bridge.xethub.hf.co A NOERROR "$CAS4"
    dig_check registry-1.docker.io A NOERROR "$DOCKER4"
    dig_check registry-1.docker.io AAAA NOERROR "$DOCKER6"
    dig_check pypi.org A NOERROR "$PYPI4"
    dig_check files.pythonhosted.org A NOERROR "$FILES4"
    dig_check transfer.xethub.hf.co A NOERROR "$XFER4"
    dig_check telemetry.unlisted-vendor.example A NOERROR "$TELEM4"
    dig_check "$NXNAME" A NXDOMAIN ""
    dig_check huggingface.co HTTPS NOERROR "alpn="
    dig_check files.pythonhosted.org A NOERROR "$FILES4" +tcp
    truth "" none "$DNS4" 53 reached "dns=-; DNS over TCP: dig +tcp files.pythonhosted.org A (UDP DNS queries are not lines)"
    pause

    step "curl https://huggingface.co/api/models/... (reached)"
    curl_check 0 200 "$HF4" https://huggingface.co/api/models/bert-base-uncased
    truth huggingface.co sni "$HF4" 443 reached "dns=huggingface.co; curl, TLS 1.3, HTTP 200"
    pause

    step "curl https://cdn-lfs.huggingface.co/... through a CNAME (reached)"
    curl_check 0 200 "$CDN4" https://cdn-lfs.huggingface.co/repos/4a/2b/4a2bexample/model.safetensors
    truth cdn-lfs.huggingface.co sni "$CDN4" 443 reached "dns=cdn-lfs.huggingface.co; CNAME d1x7example.cloudfront.net; curl, HTTP 200"
    pause

    step "openssl s_client pypi.org:443, ClientHello over several TCP segments (reached)"
    sclient_check pypi.org -connect pypi.org:443 -servername pypi.org
    truth pypi.org sni "$PYPI4" 443 reached "dns=pypi.org; openssl s_client; server MSS $PYPI_ADVMSS: ClientHello in 3 TCP segments, SNI host name split across the first two"
    pause

    step "openssl s_client huggingface.co:443, ClientHello in two TLS records (reached)"
    sclient_check huggingface.co -connect huggingface.co:443 -servername huggingface.co -max_send_frag 512 \
        -alpn h2,http/1.1,spdy/3.1,h2c,hq-interop,h3,h3-29,acme-tls/1,stun.turn,webrtc,c-webrtc,ftp,imap,pop3,managesieve,coap,xmpp-client,xmpp-server,sunrpc,irc,nntp,nnsp,doq,sip/2,tds/8.0,dicom,postgresql,radius/1.0,radius/1.1
    truth huggingface.co sni "$HF4" 443 reached "dns=huggingface.co; openssl s_client -max_send_frag 512 and a long ALPN list: ClientHello in 2 TLS records, one TCP segment"
    pause

    step "curl -6 https://registry-1.docker.io/v2/ over IPv6 (reached)"
    curl_check 0 200 "$DOCKER6" -6 https://registry-1.docker.io/v2/
    truth registry-1.docker.io sni "$DOCKER6" 443 reached "dns=registry-1.docker.io (AAAA); curl -6, HTTP 200"
    pause

    step "curl https://huggingface.co:8443/ with nothing listening (refused)"
    curl_check 7 000 "" https://huggingface.co:8443/
    truth "" none "$HF4" 8443 refused "dns=huggingface.co; curl https://huggingface.co:8443/: RST to the SYN, so no ClientHello and no SNI"
    pause

    step "curl https://transfer.xethub.hf.co/ whose SYNs are dropped (no answer)"
    curl_check 28 000 "" --connect-timeout 3 https://transfer.xethub.hf.co/xet/chunks/0
    truth "" none "$XFER4" 443 no-answer "dns=transfer.xethub.hf.co; curl --connect-timeout 3: SYNs dropped by an nft rule, no SNI ever sent"
    pause

    step "openssl s_client to $HF4:443 without SNI (reached)"
    sclient_check "$HF4" -connect "$HF4:443" -noservername
    truth "" none "$HF4" 443 reached "dns=-; openssl s_client -noservername to an IP literal ($HF4 was answered for huggingface.co earlier)"
    pause

    step "curl http://files.pythonhosted.org/packages/... answered 470 (Azure Firewall deny)"
    curl_check 0 470 "$FILES4" http://files.pythonhosted.org/packages/source/r/requests/requests-2.31.0.tar.gz
    grep -q '^Action: Deny' "$WORK/body.$STEP" || die "files.pythonhosted.org: no Azure Firewall deny body"
    truth files.pythonhosted.org http_host "$FILES4" 80 denied "dns=files.pythonhosted.org; curl, plain HTTP: 470 status code 470 with 'Action: Deny. Reason: No rule matched.'"
    pause

    step "curl https://cas-bridge.xethub.hf.co/... reset after the ClientHello (TLS deny)"
    curl_check 35 000 "" https://cas-bridge.xethub.hf.co/xet-bridge-us/0123abcd
    truth cas-bridge.xethub.hf.co sni "$CAS4" 443 denied "dns=cas-bridge.xethub.hf.co; curl: handshake completes, the server reads the ClientHello and resets (RST), no ServerHello"
    pause

    step "curl http://pypi.org/simple/requests/ (reached)"
    curl_check 0 200 "$PYPI4" http://pypi.org/simple/requests/
    truth pypi.org http_host "$PYPI4" 80 reached "dns=pypi.org; curl, plain HTTP 200"
    pause

    step "curl https://telemetry.unlisted-vendor.example/ (reached, a name no allowlist has)"
    curl_check 0 200 "$TELEM4" https://telemetry.unlisted-vendor.example/v1/events
    truth telemetry.unlisted-vendor.example sni "$TELEM4" 443 reached "dns=telemetry.unlisted-vendor.example; curl, HTTP 200"
}

# The xet scenario: what a 2026 Hugging Face download and a Docker Hub pull
# reach.  Every host answers HTTP 200 (after its redirect, for the three
# -L steps); whether a firewall would let them through is the analyzer's
# question (-p huggingface denies them, -p huggingface-hub -p docker-hub
# allows them).  curl looks each name up (A and AAAA) just before it connects,
# a redirect's target too.
scenario_xet() {
    step "DNS over UDP (dig) for every name, one CDN name through a CNAME"
    dig_check huggingface.co A NOERROR "$HF4"
    dig_check cas-bridge.xethub.hf.co A NOERROR "$CAS4"
    dig_check cas-server.xethub.hf.co A NOERROR "$CASSRV4"
    dig_check transfer.xethub.hf.co A NOERROR "$XFER4"
    dig_check cas-server.xethub-eu.hf.co A NOERROR "$CASEU4"
    dig_check us.aws.cdn.hf.co A NOERROR "$AWSCDN4"
    dig_check us.gcp.cdn.hf.co A NOERROR "$GCPCDN4"
    dig_check cdn-lfs-us-1.hf.co A NOERROR "CNAME.*d1x7example.cloudfront.net"
    dig_check cdn-lfs-us-1.hf.co A NOERROR "$CDN4"
    dig_check auth.docker.io A NOERROR "$AUTH4"
    dig_check registry-1.docker.io A NOERROR "$DOCKER4"
    dig_check production.cloudfront.docker.com A NOERROR "$CFDOCKER4"
    pause

    step "curl https://huggingface.co/api/models/... (the Hub API)"
    curl_check 0 200 "$HF4" https://huggingface.co/api/models/google-bert/bert-base-uncased
    truth huggingface.co sni "$HF4" 443 reached "dns=huggingface.co; curl, Hub API, HTTP 200"
    pause

    step "curl -L https://huggingface.co/.../resolve/main/model.safetensors: 302 to cas-bridge.xethub.hf.co"
    REDIRECTS=1 curl_check 0 200 "$CAS4" -L "https://huggingface.co$XET_RESOLVE_PATH"
    truth huggingface.co sni "$HF4" 443 reached "dns=huggingface.co; curl -L .../resolve/main/model.safetensors: 302 Found to cas-bridge.xethub.hf.co"
    truth cas-bridge.xethub.hf.co sni "$CAS4" 443 reached "dns=cas-bridge.xethub.hf.co; curl -L following huggingface.co's 302 (Xet bridge), HTTP 200"
    pause

    step "curl https://cas-server.xethub.hf.co/v1/reconstructions/... (Xet, US)"
    curl_check 0 200 "$CASSRV4" https://cas-server.xethub.hf.co/v1/reconstructions/68d45e234eb4a928074dfd868cead0219ab85354cc53d20e772753c6bb9169d3
    truth cas-server.xethub.hf.co sni "$CASSRV4" 443 reached "dns=cas-server.xethub.hf.co; curl, Xet CAS server (US), HTTP 200"
    pause

    step "curl https://transfer.xethub.hf.co/xorbs/... (Xet, US)"
    curl_check 0 200 "$XFER4" https://transfer.xethub.hf.co/xorbs/default/5c2a9b1e0d7f8a6b4c3e2d1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b
    truth transfer.xethub.hf.co sni "$XFER4" 443 reached "dns=transfer.xethub.hf.co; curl, Xet transfer (US), HTTP 200"
    pause

    step "curl https://cas-server.xethub-eu.hf.co/v1/reconstructions/... (Xet, EU)"
    curl_check 0 200 "$CASEU4" https://cas-server.xethub-eu.hf.co/v1/reconstructions/68d45e234eb4a928074dfd868cead0219ab85354cc53d20e772753c6bb9169d3
    truth cas-server.xethub-eu.hf.co sni "$CASEU4" 443 reached "dns=cas-server.xethub-eu.hf.co; curl, Xet CAS server (EU), HTTP 200"
    pause

    step "curl https://us.aws.cdn.hf.co/... (CDN)"
    curl_check 0 200 "$AWSCDN4" https://us.aws.cdn.hf.co/repos/4a/2b/4a2bexample/68d45e234eb4a928
    truth us.aws.cdn.hf.co sni "$AWSCDN4" 443 reached "dns=us.aws.cdn.hf.co; curl, CDN, HTTP 200"
    pause

    step "curl https://us.gcp.cdn.hf.co/... (CDN)"
    curl_check 0 200 "$GCPCDN4" https://us.gcp.cdn.hf.co/repos/4a/2b/4a2bexample/68d45e234eb4a928
    truth us.gcp.cdn.hf.co sni "$GCPCDN4" 443 reached "dns=us.gcp.cdn.hf.co; curl, CDN, HTTP 200"
    pause

    step "curl -L https://huggingface.co/.../resolve/main/pytorch_model.bin: 302 to cdn-lfs-us-1.hf.co (a CNAME)"
    REDIRECTS=1 curl_check 0 200 "$CDN4" -L "https://huggingface.co$LFS_RESOLVE_PATH"
    truth huggingface.co sni "$HF4" 443 reached "dns=huggingface.co; curl -L .../resolve/main/pytorch_model.bin: 302 Found to cdn-lfs-us-1.hf.co"
    truth cdn-lfs-us-1.hf.co sni "$CDN4" 443 reached "dns=cdn-lfs-us-1.hf.co; CNAME d1x7example.cloudfront.net; curl -L following huggingface.co's 302 (LFS CDN), HTTP 200"
    pause

    step "curl https://auth.docker.io/token?... (Docker Hub token)"
    curl_check 0 200 "$AUTH4" 'https://auth.docker.io/token?service=registry.docker.io&scope=repository:library/python:pull'
    truth auth.docker.io sni "$AUTH4" 443 reached "dns=auth.docker.io; curl, Docker Hub token, HTTP 200"
    pause

    step "curl -L https://registry-1.docker.io/v2/.../blobs/...: 307 to production.cloudfront.docker.com"
    REDIRECTS=1 curl_check 0 200 "$CFDOCKER4" -L "https://registry-1.docker.io$BLOB_PATH"
    truth registry-1.docker.io sni "$DOCKER4" 443 reached "dns=registry-1.docker.io; curl -L .../blobs/sha256:...: 307 Temporary Redirect to production.cloudfront.docker.com"
    truth production.cloudfront.docker.com sni "$CFDOCKER4" 443 reached "dns=production.cloudfront.docker.com; curl -L following the registry's 307 (image layer), HTTP 200"
}

"scenario_$SCENARIO"

# ---------------------------------------------------------------- finish capture
sleep 1.5   # let the last FIN/ACKs arrive and tcpdump write them
kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID" || true
PIDS=("${PIDS[@]/#$TCPDUMP_PID/}")
log "tcpdump: $(grep -E 'captured|dropped' "$WORK/tcpdump.err" | tr '\n' ' ')"
grep -q '^0 packets dropped by kernel' "$WORK/tcpdump.err" || die "tcpdump dropped packets: $(cat "$WORK/tcpdump.err")"

linktype=$(od -An -tu4 -j20 -N4 "$CAP" | tr -d ' ')
[ "$linktype" = 276 ] || die "capture link type is $linktype, expected 276 (LINUX_SLL2)"

# ---------------------------------------------------------------- self-check
if [ "$HAVE_TSHARK" = 1 ]; then
    log "checking the capture with tshark"
    # the connections in the capture: client SYNs, first per stream, in order
    tshark -r "$CAP" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' -T fields \
        -e tcp.stream -e ip.dst -e ipv6.dst -e tcp.dstport 2>/dev/null |
        awk -F'\t' '!seen[$1]++ { print ($2 != "" ? $2 : $3) "\t" $4 }' > "$WORK/syns.tsv"
    tail -n +2 "$TRUTH" | cut -f3,4 > "$WORK/truth-dst.tsv"
    diff "$WORK/truth-dst.tsv" "$WORK/syns.tsv" >/dev/null ||
        die "connections in the capture differ from the truth file:
$(diff "$WORK/truth-dst.tsv" "$WORK/syns.tsv")"
    # every ClientHello: stream, SNI, TCP segments it took, TLS records it took
    tshark -r "$CAP" -Y 'tls.handshake.type==1' -T fields -E occurrence=a -E aggregator=, \
        -e tcp.stream -e tls.handshake.extensions_server_name -e tcp.segment.count -e tls.record.length \
        2>/dev/null > "$WORK/hellos.tsv"
    # the SNIs, in order, are the truth file's sni names
    cut -f2 "$WORK/hellos.tsv" | grep -v '^$' > "$WORK/hello-snis.txt" || true
    awk -F'\t' 'NR > 1 && $2 == "sni" { print $1 }' "$TRUTH" > "$WORK/truth-snis.txt"
    diff "$WORK/truth-snis.txt" "$WORK/hello-snis.txt" >/dev/null ||
        die "the ClientHellos' SNIs differ from the truth file's sni names:
$(diff "$WORK/truth-snis.txt" "$WORK/hello-snis.txt")"
    if [ "$SCENARIO" = deploy ]; then
        awk -F'\t' '$2 == "pypi.org" && $3 >= 2 { ok = 1 } END { exit !ok }' "$WORK/hellos.tsv" ||
            die "no pypi.org ClientHello spanning 2+ TCP segments:
$(cat "$WORK/hellos.tsv")"
        awk -F'\t' '$2 == "huggingface.co" && $4 ~ /,/ { ok = 1 } END { exit !ok }' "$WORK/hellos.tsv" ||
            die "no huggingface.co ClientHello spanning 2 TLS records:
$(cat "$WORK/hellos.tsv")"
    fi
    log "ClientHellos (stream, SNI, TCP segments if more than one, TLS record lengths):"
    sed 's/^/    /' "$WORK/hellos.tsv" >&2
else
    log "tshark not installed: skipping the capture self-check"
fi

cp "$CAP" "$OUT_PCAP"
cp "$TRUTH" "$OUT_TRUTH"
chmod 644 "$OUT_PCAP" "$OUT_TRUTH"
log "wrote $OUT_PCAP ($(stat -c %s "$OUT_PCAP") bytes, link type $linktype) and $OUT_TRUTH ($(($(wc -l < "$OUT_TRUTH") - 1)) connections)"
