#!/usr/bin/env bash
# Address space for scaling measurements (issues 16 and 17): tens of thousands of hosts without a daemon each.
#
#   tests/lab/scale.sh up     # idempotent (downs first)
#   tests/lab/scale.sh down   # idempotent
#   tests/lab/scale.sh listen on|off   # answering hosts: listeners in pa-rst on 22, 80 and 443 (off by default)
#
#   pa-rst   answers for every address of 198.18.16.0/20, .32.0/19, .64.0/18 and .128.0/17 (61,440 addresses):
#            `ip route add local` on its loopback and no listener, so every TCP port answers RST (closed hosts) and
#            every ping is answered. link: root pa-rst-h 198.18.11.1/30 <-> pa-rst-n 198.18.11.2/30
#   pa-dark  198.19.0.0/16 (65,536 addresses) routed into a namespace whose nftables drop everything (silent space).
#            link: root pa-dark-h 198.18.11.5/30 <-> pa-dark-n 198.18.11.6/30
#
# Taken over from branch h-perf (pa-rst 198.18.64.0/18, pa-dark 198.18.128.0/17) and grown to a /16 of silence and
# 61,440 closed hosts. The rest of 198.18.0.0/20 is the lab's (pa-lab, pa-sweep, pa-svc, ...), so RST space stops short
# of 65,536.
#
# SAFETY: routes go only to these two namespaces; the namespaces have no default route; the root namespace keeps (or
# gets) `blackhole 198.18.0.0/15`, so no unassigned lab address follows the default route. down removes the routes with
# the veths.
set -euo pipefail
[[ $EUID -eq 0 ]] || { echo "scale.sh: must run as root" >&2; exit 1; }

RST_BLOCKS=(198.18.16.0/20 198.18.32.0/19 198.18.64.0/18 198.18.128.0/17)
DARK_BLOCKS=(198.19.0.0/16)

down() {
  # The listeners (listen on) die with the namespace's processes below.
  rm -f /run/pa-rst-listen.pid
  for ns in pa-rst pa-dark; do
    if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
      ip netns del "$ns"
    fi
  done
  # Deleting the veths removes the routes through them; these are for leftovers of an older layout.
  ip link del pa-rst-h 2>/dev/null || true
  ip link del pa-dark-h 2>/dev/null || true
  for block in "${RST_BLOCKS[@]}" "${DARK_BLOCKS[@]}"; do
    ip route del "$block" 2>/dev/null || true
  done
}

up() {
  down
  ip route add blackhole 198.18.0.0/15 2>/dev/null || true

  ip netns add pa-rst
  ip -n pa-rst link set lo up
  ip link add pa-rst-h address 02:50:41:00:40:01 type veth peer name pa-rst-n address 02:50:41:00:40:02 netns pa-rst
  ip addr add 198.18.11.1/30 dev pa-rst-h
  ip link set pa-rst-h up
  ip -n pa-rst addr add 198.18.11.2/30 dev pa-rst-n
  ip -n pa-rst link set pa-rst-n up
  for block in "${RST_BLOCKS[@]}"; do
    ip -n pa-rst route add local "$block" dev lo
  done
  # Answers go back only to the root side of the link (no default route in the namespace).
  ip -n pa-rst route add 198.18.0.0/15 via 198.18.11.1 dev pa-rst-n
  # Linux limits ICMP (not RSTs): let the namespace answer every ping of a discovery at full speed too.
  ip netns exec pa-rst sysctl -qw net.ipv4.icmp_ratelimit=0
  for block in "${RST_BLOCKS[@]}"; do
    ip route add "$block" via 198.18.11.2 dev pa-rst-h
  done

  ip netns add pa-dark
  ip -n pa-dark link set lo up
  ip link add pa-dark-h address 02:50:41:00:80:01 type veth peer name pa-dark-n address 02:50:41:00:80:02 netns pa-dark
  ip addr add 198.18.11.5/30 dev pa-dark-h
  ip link set pa-dark-h up
  ip -n pa-dark addr add 198.18.11.6/30 dev pa-dark-n
  ip -n pa-dark link set pa-dark-n up
  ip netns exec pa-dark nft -f - <<'EOF'
table inet pa_dark {
  chain in { type filter hook prerouting priority raw; policy drop; }
  chain out { type filter hook output priority raw; policy drop; }
}
EOF
  # The veth answers ARP below netfilter, so the root side can address the link; every IP packet is dropped.
  for block in "${DARK_BLOCKS[@]}"; do
    ip route add "$block" via 198.18.11.6 dev pa-dark-h
  done
}

LISTEN_PID=/run/pa-rst-listen.pid

listen_off() {
  if [[ -f $LISTEN_PID ]]; then
    kill "$(cat "$LISTEN_PID")" 2>/dev/null || true
    rm -f "$LISTEN_PID"
  fi
}

listen_on() {
  [[ -e /run/netns/pa-rst ]] || { echo "scale.sh: pa-rst is not up (scale.sh up)" >&2; exit 1; }
  listen_off
  # One process, three listeners that accept and close (a queue never accepted from fills and then drops SYNs). At
  # most an hour, should nobody turn it off.
  ip netns exec pa-rst timeout 3600 python3 "$(dirname "$0")/accept-listener.py" 0.0.0.0 22 80 443 >/dev/null 2>&1 &
  echo $! >"$LISTEN_PID"
  # Ready once the kernel lists the three.
  for _ in $(seq 50); do
    [[ $(ip netns exec pa-rst ss -Hltn 2>/dev/null | wc -l) -ge 3 ]] && return 0
    sleep 0.1
  done
  echo "scale.sh: the listeners did not come up" >&2; listen_off; exit 1
}

case ${1:-} in
  up) up ;;
  down) down ;;
  listen)
    case ${2:-} in
      on) listen_on ;;
      off) listen_off ;;
      *) echo "usage: $0 listen on|off" >&2; exit 2 ;;
    esac ;;
  *) echo "usage: $0 up|down|listen on|off" >&2; exit 2 ;;
esac
