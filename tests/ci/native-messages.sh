#!/usr/bin/env bash
# Issue 13, class 9: the Native AOT build must print readable messages, not .NET resource keys
# (IO_PathNotFound_Path, Xml_MissingRoot, Xml_UndeclaredEntity, ...), which it does when the trimmer drops the
# framework's message resources. Runs the native binary on hostile cases and checks, for each: the exit code, one line
# on stderr, a phrase of the readable message, no resource key, no stack trace and no control byte.
# Sends no packet: every case is refused before a probe.
#   tests/ci/native-messages.sh [path/to/native/ports]   (default $PORTATLAS_NATIVE_BIN, else .build/ports/ports)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${1:-${PORTATLAS_NATIVE_BIN:-$root/.build/ports/ports}}"
[ -x "$bin" ] || { echo "native-messages.sh: no native binary at $bin (run ./ports --help with clang installed)"; exit 1; }
work="$(mktemp -d /tmp/pa-native-messages.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export XDG_DATA_HOME="$work/data" NO_COLOR=1

printf '<?xml version="1.0"?><nmaprun><host>' > "$work/broken.xml"
printf '<?xml version="1.0"?><nmaprun args="&foo;"></nmaprun>' > "$work/entity.xml"
printf '' > "$work/empty.xml"
printf 'SQLite? no: this file is text, not a database, and long enough to have a header to read. %.0s' {1..20} > "$work/text.db"
printf '[]' > "$work/empty-array.json"
printf '<?xml version="1.0"?><nmaprun args="nmap 198.18.0.2" start="1700000000"></nmaprun>' > "$work/valid.xml"
mkdir -p "$work/dir"
"$bin" import "$work/valid.xml" --db "$work/h.db" >/dev/null 2>&1 || { echo "native-messages.sh: cannot import a valid file"; exit 1; }

pass=0 fail=0
check() { # name, expected exit, phrase (extended regex, case-insensitive), args...
  local name=$1 want=$2 phrase=$3; shift 3
  "$bin" "$@" >"$work/out" 2>"$work/err" </dev/null
  local rc=$? why=""
  local lines; lines=$(grep -c '' "$work/err")
  [ "$rc" -eq "$want" ] || why+=" exit $rc (expected $want);"
  [ "$lines" -eq 1 ] || why+=" $lines stderr lines (expected 1);"
  grep -qiE -- "$phrase" "$work/err" || why+=" no '$phrase' in stderr;"
  # A resource key: Word_Word(_Word) such as IO_PathNotFound_Path or Xml_UndeclaredEntity, or a key followed by ", arg".
  if grep -qE '\b[A-Z][A-Za-z0-9]*_[A-Z][A-Za-z0-9]*(_[A-Za-z0-9]+)*\b' "$work/err"; then why+=" resource key in stderr;"; fi
  if grep -qE '^\s+at |Exception:|Unhandled exception' "$work/err"; then why+=" stack trace;"; fi
  if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$work/out" "$work/err"; then why+=" control byte;"; fi
  if [ -z "$why" ]; then
    pass=$((pass + 1)); echo "ok   $name: $(head -c 160 "$work/err")"
  else
    fail=$((fail + 1)); echo "FAIL $name:$why"; sed 's/^/     | /' "$work/err" | head -5
  fi
}

check "missing Nmap XML"            2 "does not exist"                        import "$work/none.xml" --db "$work/h.db"
check "missing targets file"        2 "could not find|does not exist"         scan -iL "$work/none/t.txt" -p 1 --no-save
check "directory as targets file"   2 "directory"                             scan -iL "$work/dir" -p 1 --no-save
check "directory as --db"           2 "directory"                             history --db "$work/dir"
check "text file as --db"           1 "not a SQLite database"                 history --db "$work/text.db"
check "--db in a missing directory" 2 "does not exist"                        import "$work/valid.xml" --db "$work/none/h.db"
check "broken XML"                  2 "unexpected end of file"                import "$work/broken.xml" --db "$work/h.db"
check "undeclared entity"           2 "undeclared entity"                     import "$work/entity.xml" --db "$work/h.db"
check "empty XML"                   2 "not a format|root element|missing"     import "$work/empty.xml" --db "$work/h.db"
check "bad --rate"                  2 "bad --rate 'abc'"                      scan 127.0.0.1 -p 1 --rate abc --no-save
check "--rate NaN"                  2 "bad --rate"                            scan 127.0.0.1 -p 1 --rate NaN --no-save
check "bad port"                    2 "99999"                                 scan 127.0.0.1 -p 99999 --no-save
check "missing NVD file"            2 "does not exist"                        vulndb import "$work/none.json" --vulndb "$work/v.db"
check "NVD file of the wrong shape" 2 "expected"                              vulndb import "$work/empty-array.json" --vulndb "$work/v.db"
check "unknown scan id"             1 "no scan 42"                            show 42 --db "$work/h.db"
echo "native-messages.sh: $pass passed, $fail failed ($bin)"
[ "$fail" -eq 0 ]
