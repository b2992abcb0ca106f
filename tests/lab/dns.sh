#!/usr/bin/env bash
# PortAtlas test lab: the reverse-DNS server (issue 14), in a namespace of its own.
#
#   tests/lab/dns.sh up      # namespace pa-dns, dnsmasq on 198.18.6.2:53 (PTR names for the lab hosts)
#   tests/lab/dns.sh down    # idempotent
#
# up.sh and down.sh call it; it can also run alone (it touches nothing but pa-dns and its veth).
# The scanner's tests point PORTATLAS_DNS_SERVERS at 198.18.6.2, so a reverse lookup of a lab host
# never reaches the machine's own resolver. The server answers only the names below: no recursion,
# no upstream, NXDOMAIN (authoritative) for every other reverse name.
#
# SAFETY: addresses 198.18.6.0/24 only; the namespace has no default route.
set -euo pipefail

if [[ $EUID -ne 0 ]]; then
  echo "dns.sh: must run as root" >&2
  exit 1
fi

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=$LAB_DIR/run/dns
NS=pa-dns
HOST_SIDE=pa-dns-h
NS_SIDE=pa-dns-n
ROOT_ADDR=198.18.6.1
DNS_ADDR=198.18.6.2

down() {
  if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$NS"; then
    pids=$(ip netns pids "$NS" 2>/dev/null || true)
    if [[ -n "$pids" ]]; then
      # shellcheck disable=SC2086
      kill -TERM $pids 2>/dev/null || true
      for _ in $(seq 1 30); do
        [[ -z "$(ip netns pids "$NS" 2>/dev/null)" ]] && break
        sleep 0.1
      done
      pids=$(ip netns pids "$NS" 2>/dev/null || true)
      # shellcheck disable=SC2086
      [[ -z "$pids" ]] || kill -KILL $pids 2>/dev/null || true
    fi
    ip netns delete "$NS" 2>/dev/null || true
  fi
  ip link show "$HOST_SIDE" >/dev/null 2>&1 && ip link delete "$HOST_SIDE" 2>/dev/null
  rm -rf "$RUN"
  return 0
}

up() {
  down
  mkdir -p "$RUN"
  chmod 755 "$RUN"
  ip netns add "$NS"
  ip link add "$HOST_SIDE" type veth peer name "$NS_SIDE"
  ip link set "$HOST_SIDE" address 02:50:41:00:06:01
  ip link set "$NS_SIDE" netns "$NS"
  ip netns exec "$NS" ip link set "$NS_SIDE" address 02:50:41:00:06:02
  ip addr add "$ROOT_ADDR/24" dev "$HOST_SIDE"
  ip link set "$HOST_SIDE" up
  ip netns exec "$NS" ip addr add "$DNS_ADDR/24" dev "$NS_SIDE"
  ip netns exec "$NS" ip link set "$NS_SIDE" up
  ip netns exec "$NS" ip link set lo up

  {
    cat <<CONF
no-resolv
no-hosts
no-poll
port=53
listen-address=$DNS_ADDR
bind-interfaces
user=dnsmasq
group=nogroup
pid-file=$RUN/dnsmasq.pid
log-facility=$RUN/dnsmasq.log
log-queries
local=/18.198.in-addr.arpa/
local=/19.198.in-addr.arpa/
local=/portatlas.test/
ptr-record=2.0.18.198.in-addr.arpa,lab.portatlas.test
ptr-record=2.3.18.198.in-addr.arpa,svc.portatlas.test
ptr-record=2.4.18.198.in-addr.arpa,svc2.portatlas.test
ptr-record=2.6.18.198.in-addr.arpa,dns.portatlas.test
# Nobody answers at 198.18.6.9: a host that is never up, with a name (tests of -R).
ptr-record=9.6.18.198.in-addr.arpa,down.portatlas.test
CONF
    # Every sweep host (198.18.1.1-254) has a name: a /24 sweep exercises parallel lookups.
    for i in $(seq 1 254); do
      echo "ptr-record=$i.1.18.198.in-addr.arpa,h$i.sweep.portatlas.test"
    done
  } > "$RUN/dnsmasq.conf"
  chown -R dnsmasq "$RUN" 2>/dev/null || true
  ip netns exec "$NS" /usr/sbin/dnsmasq --conf-file="$RUN/dnsmasq.conf"

  # Verified, not assumed: a PTR query answered with the lab host's name.
  for _ in $(seq 1 30); do
    if ip netns exec "$NS" ss -Hlun "sport = :53" | grep -q "$DNS_ADDR"; then
      break
    fi
    sleep 0.1
  done
  if command -v dig >/dev/null 2>&1; then
    name=$(dig +short +time=1 +tries=2 @"$DNS_ADDR" -x 198.18.0.2 || true)
    if [[ "$name" != "lab.portatlas.test." ]]; then
      echo "dns.sh: dnsmasq in $NS did not answer the PTR of 198.18.0.2 (got '$name')" >&2
      return 1
    fi
  fi
  echo "dns.sh: reverse DNS up at $DNS_ADDR (namespace $NS)"
}

case "${1:-}" in
  up) up ;;
  down) down; echo "dns.sh: down" ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
