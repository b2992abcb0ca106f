#!/usr/bin/env bash
# PortAtlas test lab: UDP hosts that rate-limit ICMP (issue 16), in namespaces of their own.
#
#   tests/lab/udp.sh up      # namespaces pa-udp1..3 at 198.18.8.2-4 behind bridge pa-udp-br (198.18.8.1)
#   tests/lab/udp.sh down    # idempotent
#
# up.sh and down.sh call it; it can also run alone (it touches nothing but its namespaces and bridge).
# Each host runs a few UDP services (tests/lab/udp-responder.py: echo ports answer, silent ports never do);
# every other UDP port is closed and answers ICMP port-unreachable under the kernel's DEFAULT rate limit
# (net.ipv4.icmp_ratelimit=1000 ms, a burst of 6 per peer), which is what the lab is for: left untouched.
# Writes tests/lab/run/udp/manifest.tsv (address, protocol, port, state) from verified listeners.
#
# SAFETY: addresses 198.18.8.0/24 only; the namespaces have no default route.
set -euo pipefail

if [[ $EUID -ne 0 ]]; then
  echo "udp.sh: must run as root" >&2
  exit 1
fi

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=$LAB_DIR/run/udp
BRIDGE=pa-udp-br
ROOT_ADDR=198.18.8.1
PY=/usr/bin/python3

# host index, address, echo ports, silent ports (all from the top-100 UDP ranking, so a top-ports scan meets them).
HOSTS=(
  "1 198.18.8.2 53,123,161,5353 1900"
  "2 198.18.8.3 69,500,11211 4500"
  "3 198.18.8.4 137,1812,5060,47808 3478"
)

down() {
  for spec in "${HOSTS[@]}"; do
    read -r i _ _ _ <<<"$spec"
    ns=pa-udp$i
    if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns"; then
      pids=$(ip netns pids "$ns" 2>/dev/null || true)
      # shellcheck disable=SC2086
      [[ -z "$pids" ]] || kill -KILL $pids 2>/dev/null || true
      ip netns delete "$ns" 2>/dev/null || true
    fi
    # A failing `a && b` as a loop's last command ends the script under set -e: an if does not.
    if ip link show "pa-udp$i-h" >/dev/null 2>&1; then ip link delete "pa-udp$i-h" 2>/dev/null || true; fi
  done
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link delete "$BRIDGE" 2>/dev/null || true; fi
  rm -rf "$RUN"
  return 0
}

up() {
  down
  mkdir -p "$RUN"
  ip link add "$BRIDGE" type bridge
  ip link set "$BRIDGE" address 02:50:41:00:08:01
  ip addr add "$ROOT_ADDR/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  {
    echo "# UDP rate-limit lab (tests/lab/udp.sh), written $(date -u +%Y-%m-%dT%H:%M:%SZ). Every UDP port not listed is closed."
    printf 'address\tprotocol\tport\tstate\n'
  } > "$RUN/manifest.tsv.tmp"
  for spec in "${HOSTS[@]}"; do
    read -r i addr echo silent <<<"$spec"
    ns=pa-udp$i
    ip netns add "$ns"
    ip link add "pa-udp$i-h" type veth peer name "pa-udp$i-n"
    ip link set "pa-udp$i-n" netns "$ns"
    ip link set "pa-udp$i-h" master "$BRIDGE"
    ip link set "pa-udp$i-h" up
    ip netns exec "$ns" ip link set "pa-udp$i-n" address "02:50:41:00:08:0$((i + 1))"
    ip netns exec "$ns" ip addr add "$addr/24" dev "pa-udp$i-n"
    ip netns exec "$ns" ip link set "pa-udp$i-n" up
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" setsid "$PY" "$LAB_DIR/udp-responder.py" "$addr" --echo "$echo" --silent "$silent" \
      </dev/null >"$RUN/$ns.log" 2>&1 &
    for p in ${echo//,/ }; do printf '%s\tudp\t%s\topen\n' "$addr" "$p"; done >> "$RUN/manifest.tsv.tmp"
    for p in ${silent//,/ }; do printf '%s\tudp\t%s\topen|filtered\n' "$addr" "$p"; done >> "$RUN/manifest.tsv.tmp"
  done
  # Verified, not assumed: every listed port is bound in its namespace.
  for spec in "${HOSTS[@]}"; do
    read -r i addr echo silent <<<"$spec"
    ok=0
    for _ in $(seq 1 50); do
      have=$(ip netns exec "pa-udp$i" ss -Hlun 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
      ok=1
      for p in ${echo//,/ } ${silent//,/ }; do grep -qx "$p" <<<"$have" || ok=0; done
      [[ $ok -eq 1 ]] && break
      sleep 0.1
    done
    if [[ $ok -ne 1 ]]; then
      echo "udp.sh: the responder in pa-udp$i did not bind all of $echo,$silent (see $RUN/pa-udp$i.log)" >&2
      return 1
    fi
  done
  mv "$RUN/manifest.tsv.tmp" "$RUN/manifest.tsv"
  echo "udp.sh: UDP rate-limit hosts up at 198.18.8.2-4 (namespaces pa-udp1..3)"
}

case "${1:-}" in
  up) up ;;
  down) down; echo "udp.sh: down" ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
