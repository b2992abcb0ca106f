#!/usr/bin/env bash
# PortAtlas test lab: tear everything down. Idempotent; safe to run when the
# lab is not (or only partly) up.
#
# - kills every process living in the lab namespaces (daemons, the sweep
#   listener, the NFQUEUE delay stage) by PID, TERM then KILL;
# - deletes the namespaces (their veths, addresses, nft/iptables rules go
#   with them);
# - removes the root-namespace veth ends and routes if any are left;
# - removes runtime state under tests/lab/run/ (keeps run/cache/: host keys,
#   TLS cert and database templates, which only speed up the next up.sh,
#   and the compiled run/nfq-delay).
set -uo pipefail

if [[ $EUID -ne 0 ]]; then
  echo "down.sh: must run as root" >&2
  exit 1
fi

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=$LAB_DIR/run
NAMESPACES=(pa-lab pa-sweep pa-svc pa-svc2)

ns_pids() {
  ip netns pids "$1" 2>/dev/null || true
}

for ns in "${NAMESPACES[@]}"; do
  if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns"; then
    pids=$(ns_pids "$ns")
    if [[ -n "$pids" ]]; then
      # shellcheck disable=SC2086
      kill -TERM $pids 2>/dev/null || true
      for _ in $(seq 1 50); do          # up to 5 s
        pids=$(ns_pids "$ns")
        [[ -z "$pids" ]] && break
        sleep 0.1
      done
      pids=$(ns_pids "$ns")
      if [[ -n "$pids" ]]; then
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
        sleep 0.2
      fi
    fi
    ip netns delete "$ns" 2>/dev/null || true
  fi
done

"$LAB_DIR/tls.sh" down >/dev/null 2>&1 || true

# Root-namespace leftovers (normally gone with the namespaces).
for dev in pa-lab-h pa-sw-h pa-svc-h pa-svc2-h; do
  ip link show "$dev" >/dev/null 2>&1 && ip link delete "$dev" 2>/dev/null
done
ip route del 198.18.1.0/24 2>/dev/null || true
ip route del blackhole 198.18.0.0/15 2>/dev/null || true

# The reverse-DNS namespace (issue 14).
"$LAB_DIR/dns.sh" down >/dev/null 2>&1 || true

# The scaling space (issues 16/17).
"$LAB_DIR/scale.sh" down >/dev/null 2>&1 || true

# The UDP rate-limit hosts (issue 16).
"$LAB_DIR/udp.sh" down >/dev/null 2>&1 || true

# Runtime state (keep the cache).
if [[ -d "$RUN" ]]; then
  find "$RUN" -mindepth 1 -maxdepth 1 ! -name cache ! -name nfq-delay -exec rm -rf {} +
fi
rm -f "$LAB_DIR/manifest.tsv"
rm -f /run/pa-lab

echo "down.sh: lab is down"
exit 0
