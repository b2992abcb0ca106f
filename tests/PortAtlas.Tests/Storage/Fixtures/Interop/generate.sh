#!/usr/bin/env bash
# Regenerates the interop fixtures: Nmap and masscan output written by the tools themselves against two network
# namespaces this script creates (198.18.60.0/24, RFC 2544 benchmarking range) and deletes again. Root only.
# Every packet stays inside the two namespaces: the targets are 198.18.60.2, 198.18.60.9 (nobody), and ::1/127.0.0.1
# inside the second namespace.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
A=pa-h-interop-a B=pa-h-interop-b
cleanup() { ip netns pids $B 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add $A; ip netns add $B
ip link add pa-hi-a netns $A type veth peer name pa-hi-b netns $B
ip -n $A link set pa-hi-a address 02:00:5e:10:60:01; ip -n $B link set pa-hi-b address 02:00:5e:10:60:02
ip -n $A addr add 198.18.60.1/24 dev pa-hi-a; ip -n $B addr add 198.18.60.2/24 dev pa-hi-b
for n in $A $B; do ip -n $n link set lo up; done
ip -n $A link set pa-hi-a up; ip -n $B link set pa-hi-b up
tmp=$(mktemp -d)
openssl req -x509 -newkey rsa:2048 -nodes -keyout $tmp/key.pem -out $tmp/cert.pem -days 365 -subj "/CN=interop.test/O=PortAtlas fixture" >/dev/null 2>&1
inb() { ip netns exec $B "$@"; }
inb python3 -m http.server 8080 --bind :: >/dev/null 2>&1 &
inb openssl s_server -quiet -accept 8443 -cert $tmp/cert.pem -key $tmp/key.pem -www >/dev/null 2>&1 &
inb socat TCP-LISTEN:111,fork,reuseaddr EXEC:/bin/cat >/dev/null 2>&1 &
inb socat TCP-LISTEN:9929,fork,reuseaddr EXEC:/bin/cat >/dev/null 2>&1 &
inb socat TCP-LISTEN:2222,fork,reuseaddr SYSTEM:'echo SSH-2.0-OpenSSH_8.4p1 Debian-5; sleep 2' >/dev/null 2>&1 &
inb socat UDP-RECVFROM:7,fork EXEC:/bin/cat >/dev/null 2>&1 &
sleep 1
ina() { ip netns exec $A timeout -s INT -k 10 300 "$@"; }
P=22,80,111,443,2222,8080,8443,9929
if [ -z "${ONLY_MASSCAN:-}" ]; then
ina nmap -sS -p 1-1024,2222,8080,8443,9929 -oX $out/nmap-sS.xml 198.18.60.2 >/dev/null
ina nmap -sT -p $P -oX $out/nmap-sT.xml 198.18.60.2 >/dev/null
ina nmap -sU -p 7,53,161 -oX $out/nmap-sU.xml 198.18.60.2 >/dev/null
ina nmap -sV -p $P -oX $out/nmap-sV.xml 198.18.60.2 >/dev/null
ina nmap -O -p $P -oX $out/nmap-O.xml 198.18.60.2 >/dev/null
ina nmap -sO -p 1,6,17,47,132 -oX $out/nmap-sO.xml 198.18.60.2 >/dev/null
ina nmap -sT -p 8443 --script ssl-cert -oX $out/nmap-ssl-cert.xml 198.18.60.2 >/dev/null
ina nmap -sC -sV -p 2222,8080,8443 -oX $out/nmap-sC.xml 198.18.60.2 >/dev/null
ina nmap -sS -v -p $P -oX $out/nmap-down.xml 198.18.60.2 198.18.60.9 >/dev/null
ina nmap -sT -p $P -oX $out/nmap-repeated.xml 198.18.60.2 198.18.60.2 >/dev/null
ip netns exec $B timeout 120 nmap -6 -sT -p 8080,8443 -oX $out/nmap-ipv6.xml ::1 >/dev/null
ip netns exec $B timeout 120 nmap -sT -p 8080,8443 -oX $out/nmap-names.xml localhost >/dev/null
fi
# masscan needs an Ethernet-like adapter and the peer's MAC; a little traffic keeps its receive loop awake (PEERS.md).
for fmt in X J L; do
  ip netns exec $A timeout 40 ping -q -i 0.2 -c 150 198.18.60.2 >/dev/null 2>&1 &
  ip netns exec $A timeout -s INT -k 10 60 masscan 198.18.60.2 -p $P --adapter pa-hi-a --adapter-ip 198.18.60.1 \
    --router-mac 02:00:5e:10:60:02 --wait 2 --retries 2 --rate 1000 -o$fmt $out/masscan.$(echo $fmt | tr XJL xjl) >/dev/null 2>&1 || true
done
mv $out/masscan.x $out/masscan.xml; mv $out/masscan.j $out/masscan.json; mv $out/masscan.l $out/masscan.txt
rm -rf $tmp
echo "fixtures written to $out"
