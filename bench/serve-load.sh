#!/usr/bin/env bash
# `ports serve` under load, two builds alternately (issue 18): bench/PortAtlas.WebLoad against BEFORE, then AFTER,
# RUNS times, with the load average before each run. Each run seeds its own store (same seeds) and its own server
# on 127.0.0.1; nothing leaves loopback.
#   bench/serve-load.sh BEFORE_DIR AFTER_DIR [RUNS] [REQUESTS_PER_CLIENT]   (dirs hold ports.dll, e.g. a copy of bin/Release/net10.0)
set -euo pipefail
before=${1:?usage: serve-load.sh BEFORE_DIR AFTER_DIR [RUNS] [REQUESTS_PER_CLIENT]}
after=${2:?usage: serve-load.sh BEFORE_DIR AFTER_DIR [RUNS] [REQUESTS_PER_CLIENT]}
runs=${3:-3}
export WEBLOAD_REQUESTS=${4:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
load="$here/bench/PortAtlas.WebLoad/bin/Release/net10.0/PortAtlas.WebLoad.dll"
[ -f "$load" ] || dotnet build "$here/bench/PortAtlas.WebLoad" -c Release >/dev/null
for run in $(seq 1 "$runs"); do
  for side in before after; do
    dir=$before; [ "$side" = after ] && dir=$after
    echo "== run $run $side ($dir) loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    timeout 900 dotnet "$load" dotnet "$dir/ports.dll"
  done
done
