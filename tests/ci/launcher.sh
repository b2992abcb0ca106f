#!/usr/bin/env bash
# Issue 16: the ./ports launcher with the native front's staleness check. In a scratch copy of the tree's outline,
# with a stand-in for tools/publish-native.sh that copies an existing native build (no compiler runs): the first run
# builds, an unchanged tree does not, and a source file edited, added, removed or renamed, or a folder added, does.
#   tests/ci/launcher.sh [DIR]   (DIR: a native build, ports and ports-full; default .build/ports)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$(cd "${1:-$root/.build/ports}" && pwd)"
[ -x "$dir/ports" ] && [ -x "$dir/ports-full" ] || { echo "launcher.sh: no ports and ports-full in $dir"; exit 1; }
tree="$(mktemp -d /tmp/pa-launcher.XXXXXX)"
trap 'rm -rf "$tree"' EXIT
cp "$root/ports" "$tree/ports"
mkdir -p "$tree/tools" "$tree/src/Lib" "$tree/bin"
touch "$tree/Directory.Build.props" "$tree/Directory.Packages.props" "$tree/global.json" "$tree/src/Lib/A.cs" "$tree/src/Lib/B.cs"
cat >"$tree/tools/publish-native.sh" <<STANDIN
#!/bin/sh
[ ! -f "$tree/slow" ] || sleep 1
mkdir -p "\$1" && cp "$dir/ports" "$dir/ports-full" "$dir"/*.so "\$1/" && echo built >>"$tree/builds"
STANDIN
chmod +x "$tree/tools/publish-native.sh"
printf '#!/bin/sh\n' >"$tree/bin/clang" && chmod +x "$tree/bin/clang"   # the launcher builds natively when clang is there
export PATH="$tree/bin:$PATH" XDG_DATA_HOME="$tree/data"
unset PORTATLAS_SOURCE_ROOT PORTATLAS_STALE PORTATLAS_NO_AOT

pass=0 fail=0
expect() { # name, builds expected from this run (0 or 1)
  local before after
  before=$(cat "$tree/builds" 2>/dev/null | wc -l)
  "$tree/ports" 443 --format json 2>"$tree/err" | grep -q '"https"' || { fail=$((fail + 1)); echo "FAIL $1: no answer ($(head -c 200 "$tree/err"))"; return; }
  after=$(cat "$tree/builds" 2>/dev/null | wc -l)
  if [ $((after - before)) -eq "$2" ]; then pass=$((pass + 1)); echo "ok   $1: $((after - before)) build"; else fail=$((fail + 1)); echo "FAIL $1: $((after - before)) builds, expected $2"; fi
}
# Times are set, not waited for: the stamp (written when a build starts) is put back ten seconds before each change.
aged() { touch -d "@$(( $(date +%s) - 10 ))" "$tree/.build/stamp"; }
expect "first run" 1
expect "unchanged" 0
expect "unchanged again" 0
aged; touch "$tree/src/Lib/A.cs";                    expect "a file edited" 1
expect "unchanged after the rebuild" 0
aged; touch "$tree/src/Lib/C.cs";                    expect "a file added" 1
aged; rm "$tree/src/Lib/B.cs";                       expect "a file removed" 1
aged; mv "$tree/src/Lib/C.cs" "$tree/src/Lib/D.cs";  expect "a file renamed" 1
aged; rm "$tree/src/Lib/D.cs"; touch -d @1000000000 "$tree/src/Lib"; expect "a file removed, its folder's time put back" 1
aged; mkdir "$tree/src/New";                         expect "a folder added" 1
aged; touch "$tree/global.json";                     expect "global.json edited" 1
expect "unchanged at the end" 0
# Two runs that find the same change at once: one builds, the other waits for it and does not build again.
aged; touch "$tree/src/Lib/A.cs" "$tree/slow"
n=$(cat "$tree/builds" | wc -l)
"$tree/ports" 443 >/dev/null 2>&1 & first=$!
"$tree/ports" 443 >/dev/null 2>&1; wait "$first"
rm "$tree/slow"
if [ $(( $(cat "$tree/builds" | wc -l) - n )) -eq 1 ]; then pass=$((pass + 1)); echo "ok   two runs at once: 1 build"; else fail=$((fail + 1)); echo "FAIL two runs at once: $(( $(cat "$tree/builds" | wc -l) - n )) builds"; fi
# Handed-over commands go through the launcher too, with their exit codes.
"$tree/ports" show 42 --db "$tree/h.db" >/dev/null 2>&1; rc=$?
if [ "$rc" -eq 1 ]; then pass=$((pass + 1)); echo "ok   exit code through launcher and front: $rc"; else fail=$((fail + 1)); echo "FAIL exit code $rc, expected 1"; fi
echo "launcher.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
