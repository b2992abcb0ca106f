#!/usr/bin/env bash
# The test command: unit tests always; as root, the lab integration tests too, first on a clean link and
# then with impairment (50 ms delay and 2% loss each way). Prints "N passed, N failed, N skipped" and exits
# non-zero on any failure.
#   tests/run.sh            unit tests, plus lab tests when run as root
#   PORTATLAS_LAB_REQUIRED=1 tests/run.sh   a lab that cannot come up is a failure (CI)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Reverse DNS (issue 14): every scan in the tests asks only the lab's DNS server (tests/lab/dns.sh), never the
# machine's resolver; PORTATLAS_SAFE_TARGETS=1 refuses any other server.
export PORTATLAS_SAFE_TARGETS=1 PORTATLAS_DNS_SERVERS=198.18.6.2
log="$root/.build/test-logs"
mkdir -p "$log"
rm -f "$log"/*.log

passed=0 failed=0 skipped=0 status=0
run() { # name, dotnet test arguments...
  local name=$1; shift
  echo "== $name"
  dotnet test "$@" 2>&1 | tee "$log/$name.log"
  local rc=${PIPESTATUS[0]}
  # Microsoft.Testing.Platform's summary: "  failed: N", "  succeeded: N", "  skipped: N".
  local f s k
  f=$(awk '/^  failed: /{v=$2} END{print v+0}' "$log/$name.log")
  s=$(awk '/^  succeeded: /{v=$2} END{print v+0}' "$log/$name.log")
  k=$(awk '/^  skipped: /{v=$2} END{print v+0}' "$log/$name.log")
  passed=$((passed + s)); failed=$((failed + f)); skipped=$((skipped + k))
  # Exit code 8 is "zero tests ran" (every test filtered out): not a failure by itself.
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 8 ]; then status=1; [ "$f" -gt 0 ] || failed=$((failed + 1)); fi
}

lab=0
if [ "$(id -u)" -eq 0 ] && [ -x tests/lab/up.sh ]; then
  if tests/lab/up.sh > "$log/lab-up.log" 2>&1; then
    lab=1
  else
    echo "tests/run.sh: the lab did not come up (see $log/lab-up.log)"
    tail -20 "$log/lab-up.log"
    [ -n "${PORTATLAS_LAB_REQUIRED:-}" ] && status=1 && failed=$((failed + 1))
  fi
  trap 'tests/lab/down.sh >/dev/null 2>&1; tests/ci/postgres.sh --stop >/dev/null 2>&1' EXIT
elif [ -n "${PORTATLAS_LAB_REQUIRED:-}" ]; then
  echo "tests/run.sh: the lab needs root"; status=1; failed=$((failed + 1))
fi

# The store's PostgreSQL tests need a server: a private cluster on 127.0.0.1:55432 (root only).
if [ "$(id -u)" -eq 0 ] && [ -z "${PORTATLAS_TEST_POSTGRES:-}" ]; then
  if pg=$(tests/ci/postgres.sh 2>"$log/postgres.log" | tail -1) && [ -n "$pg" ]; then
    export PORTATLAS_TEST_POSTGRES="$pg"
  else
    echo "tests/run.sh: PostgreSQL did not start (see $log/postgres.log)"; tail -5 "$log/postgres.log"
    [ -n "${PORTATLAS_LAB_REQUIRED:-}" ] && status=1 && failed=$((failed + 1))
  fi
fi

dotnet build PortAtlas.slnx -c Release --nologo -v quiet > "$log/build.log" 2>&1 || { cat "$log/build.log"; echo "0 passed, 1 failed"; exit 1; }
run unit --project tests/PortAtlas.Tests -c Release --no-build
run integration --project tests/PortAtlas.IntegrationTests -c Release --no-build
# deploy/: the Kubernetes manifests against Kubernetes' published schemas, offline, and the Containerfile's shape (issue 17).
echo "== deploy"
if tests/deploy/validate.sh > "$log/deploy.log" 2>&1; then passed=$((passed + 1)); cat "$log/deploy.log"; else cat "$log/deploy.log"; failed=$((failed + 1)); status=1; fi

if [ "$lab" -eq 1 ]; then
  if tests/lab/up.sh --delay 50ms --loss 2% --no-svc > "$log/lab-up-impaired.log" 2>&1; then
    PORTATLAS_LAB_IMPAIRED=1 run impaired --project tests/PortAtlas.IntegrationTests -c Release --no-build -- --filter-trait "Lab=impaired"
  else
    echo "tests/run.sh: the impaired lab did not come up (see $log/lab-up-impaired.log)"; status=1; failed=$((failed + 1))
  fi
fi

echo
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
