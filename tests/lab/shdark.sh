#!/usr/bin/env bash
# Silent address space for issue 17's memory measurements: 198.18.32.0/19 routed from the root namespace over a veth
# into namespace pa-shdark, which answers nothing (no forwarding, nft drops everything). Every probe sent there is
# swallowed, so a scan of it decides every pair "filtered" after its retransmissions: the worst case for memory.
#   tests/lab/shdark.sh        bring it up (idempotent)
#   tests/lab/shdark.sh down   take it down
# The link uses 198.18.63.252/30 (root .253, namespace .254): scans of the /19 exclude that /30.
set -euo pipefail
ns=pa-shdark
if [ "${1:-}" = "down" ]; then
  ip route del 198.18.32.0/19 2>/dev/null || true
  ip link del pa-shd-h 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  exit 0
fi
if ! ip netns list | grep -qw "$ns"; then
  ip netns add "$ns"
  ip link add pa-shd-h type veth peer name pa-shd-n
  ip link set pa-shd-n netns "$ns"
  ip addr add 198.18.63.253/30 dev pa-shd-h
  ip link set pa-shd-h up
  ip -n "$ns" addr add 198.18.63.254/30 dev pa-shd-n
  ip -n "$ns" link set lo up
  ip -n "$ns" link set pa-shd-n up
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0
  ip netns exec "$ns" nft -f - <<'NFT'
table inet shdark {
  chain input { type filter hook input priority 0; policy drop; }
  chain forward { type filter hook forward priority 0; policy drop; }
  chain output { type filter hook output priority 0; policy drop; }
}
NFT
fi
ip route replace 198.18.32.0/19 via 198.18.63.254 dev pa-shd-h
