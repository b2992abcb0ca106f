#!/usr/bin/env bash
# Issue 16: the native build's look-up front (`ports`) must answer look-ups exactly as the full binary (`ports-full`)
# does, and hand every other command line to it unchanged: the same process (execv, no child left), the same exit
# code, stdin and stdout, the same signal dispositions and open descriptors. Sends no packet.
#   tests/ci/native-front.sh [DIR]   (default .build/ports: the launcher's native build)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${1:-$root/.build/ports}"
front="$dir/ports" full="$dir/ports-full"
[ -x "$front" ] && [ -x "$full" ] || { echo "native-front.sh: no ports and ports-full in $dir (run ./ports --version with clang installed)"; exit 1; }
work="$(mktemp -d /tmp/pa-native-front.XXXXXX)"
holder=""
trap '[ -z "$holder" ] || kill "$holder" 2>/dev/null; rm -rf "$work"' EXIT
export XDG_DATA_HOME="$work/data" PORTATLAS_SAFE_TARGETS=1 PORTATLAS_DNS_SERVERS=198.18.6.2
unset PORTATLAS_SOURCE_ROOT PORTATLAS_STALE
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# The same bytes and exit code from both, for look-ups (answered by the front) and other commands (handed over).
same() { # name, args...
  local name=$1; shift
  "$front" "$@" >"$work/f.out" 2>"$work/f.err" </dev/null; local a=$?
  "$full" "$@" >"$work/g.out" 2>"$work/g.err" </dev/null; local b=$?
  if [ "$a" -eq "$b" ] && cmp -s "$work/f.out" "$work/g.out" && cmp -s "$work/f.err" "$work/g.err"; then
    ok "$name (exit $a, $(wc -c <"$work/f.out") bytes)"
  else
    bad "$name: exit $a vs $b"; diff "$work/f.out" "$work/g.out" | head -5; diff "$work/f.err" "$work/g.err" | head -5
  fi
}
same "443 as JSON"              443 --format json
same "443 as a table"           443
same "lookup, CSV, two queries" lookup 22/udp 6665-6669 -f csv
same "a port past 65535"        70000
same "a reversed range"         10-5 --format json
same "a dynamic port"           60000
same "--version (handed over)"  --version
same "a name (handed over)"     ldaps --format json
same "a bad option (handed over)" scan 127.0.0.1 --rate abc --no-save -n
same "an unknown scan (handed over)" show 42 --db "$work/h.db"

# stdin reaches the full binary: an Nmap XML file imported from /dev/stdin.
printf '<?xml version="1.0"?><nmaprun args="nmap 198.18.0.2" start="1700000000"></nmaprun>' >"$work/valid.xml"
if "$front" import /dev/stdin --db "$work/i.db" <"$work/valid.xml" >/dev/null 2>"$work/err" && "$front" history --db "$work/i.db" --format json | grep -q '"id"'; then
  ok "stdin passes through (import /dev/stdin)"
else
  bad "import /dev/stdin through the front: $(head -c 200 "$work/err")"
fi

# The process the caller started becomes the full binary, with no child, and the same signals and descriptors as the
# full binary started directly. Each waits on an open pipe for its target list, then exits 2 (no targets).
observe() { # binary -> "exe children SigBlk SigIgn SigCgt fds", and the exit code in $work/rc
  rm -f "$work/fifo"; mkfifo "$work/fifo"
  "$1" scan -iL /dev/stdin -p 1 --no-save -n --connect <"$work/fifo" >/dev/null 2>&1 &
  local pid=$!
  exec 7>"$work/fifo"
  holder=$pid
  local seen="" last="" i
  for i in $(seq 100); do
    # Wait until the exec is done and the binary is settled, waiting for its input (two samples alike).
    seen="$(readlink "/proc/$pid/exe") $(pgrep -P "$pid" | wc -l) $(grep -E '^Sig(Blk|Ign|Cgt)' "/proc/$pid/status" | tr -d '\t' | tr '\n' ' ')$(ls "/proc/$pid/fd" | wc -l)"
    case "$seen" in *ports-full\ *) [ "$seen" != "$last" ] || break ;; esac
    last=$seen
    sleep 0.1
  done
  exec 7>&-
  wait "$pid"; echo $? >"$work/rc"; holder=""
  echo "$seen"
}
direct=$(observe "$full"); direct_rc=$(cat "$work/rc")
via=$(observe "$front"); via_rc=$(cat "$work/rc")
if [ "$direct" = "$via" ] && [ "$direct_rc" = "$via_rc" ] && [ "$via_rc" = 2 ]; then
  ok "exec: same process, no child, same signals and descriptors ($via), exit $via_rc"
else
  bad "exec: direct '$direct' exit $direct_rc, through the front '$via' exit $via_rc"
fi
echo "native-front.sh: $pass passed, $fail failed ($dir)"
[ "$fail" -eq 0 ]
