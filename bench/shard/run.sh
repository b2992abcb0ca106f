#!/usr/bin/env bash
# Issue 17 measurements: sharded scans of the lab's /24 (read-only) with 1, 2 and 4 shard processes writing into
# PostgreSQL; the rate rows are written at; RSS against target-set size over silent space (tests/lab/shdark.sh).
#   bench/shard/run.sh DB_URL [REPEATS]     DB_URL: a postgres:// URL (tests/ci/postgres.sh's cluster, own database)
# Needs root (SYN scans), the lab up, and tests/lab/shdark.sh up for the RSS part. Prints tab-separated rows.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
db="$1"; repeats="${2:-3}"
ports=(dotnet "$root/src/PortAtlas.Cli/bin/Release/net10.0/ports.dll")
psql_db() { PGPASSWORD=portatlas-test psql -h 127.0.0.1 -p 55432 -U portatlas -d "${db##*/}" -Atc "$1"; }

echo -e "what\ttechnique\tshards\trun\tseconds\tpairs\tpairs_per_s\tmax_rss_kib"
for technique in connect syn; do
  for shards in 1 2 4; do
    for run in $(seq 1 "$repeats"); do
      group="bench-$technique-$shards-$run-$RANDOM$RANDOM"
      start=$(date +%s.%N)
      pids=()
      for ((i = 0; i < shards; i++)); do
        /usr/bin/time -f "%M" -o "/tmp/pa-shard-rss.$i" "${ports[@]}" scan 198.18.1.0/24 --top-ports 100 "--$technique" --seed 4242 \
          --shard "$i/$shards" --group "$group" --db "$db" --no-progress --format jsonl > /dev/null 2>"/tmp/pa-shard-err.$i" &
        pids+=($!)
      done
      for pid in "${pids[@]}"; do wait "$pid"; done
      end=$(date +%s.%N)
      rss=$(cat /tmp/pa-shard-rss.* | sort -n | tail -1); rm -f /tmp/pa-shard-rss.*
      pairs=$(psql_db "SELECT SUM(decided) FROM group_shards WHERE group_name = '$group'")
      secs=$(echo "$end - $start" | bc -l)
      printf "throughput\t%s\t%d\t%d\t%.2f\t%d\t%.0f\t%d\n" "$technique" "$shards" "$run" "$secs" "$pairs" "$(echo "$pairs / $secs" | bc -l)" "$rss"
    done
  done
done

# Write rate: rows (hosts + listed ports) of each shard's save over the time from the report's end to its commit.
group="bench-write-$RANDOM$RANDOM"
"${ports[@]}" scan 198.18.1.0/24 -p 1-1000 --connect --all-states --seed 99 --shard 0/1 --group "$group" --db "$db" --no-progress --format jsonl > /dev/null 2>/dev/null
psql_db "SELECT 'write', s.id, (SELECT COUNT(*) FROM ports p WHERE p.scan_id = s.id) + (SELECT COUNT(*) FROM hosts h WHERE h.scan_id = s.id), g.updated_at - s.finished, length(s.report_json)
         FROM group_shards g JOIN scans s ON s.id = g.scan_id WHERE g.group_name = '$group'" | tr '|' '\t'

# RSS against the number of hosts: SYN scans of silent space, every pair filtered after retransmissions.
if ip route get 198.18.40.1 2>/dev/null | grep -q pa-shd-h; then
  for spec in 198.18.32.0/24 198.18.32.0/22 198.18.32.0/20 198.18.32.0/19; do
    for store in none sqlite; do
      extra=(--no-save); [ "$store" = sqlite ] && extra=(--db "/tmp/pa-shard-rss-$RANDOM.db")
      start=$(date +%s.%N)
      /usr/bin/time -f "%M" -o /tmp/pa-shard-rss "${ports[@]}" scan "$spec" --exclude 198.18.63.252/30 --top-ports 100 --syn -Pn --max-retries 1 \
        --rate 200000 --seed 7 "${extra[@]}" --no-progress --format jsonl > /tmp/pa-shard-rss.out 2>/dev/null || true
      end=$(date +%s.%N)
      printf "rss\t%s\t%s\t%.1f\t%d lines\t%d\n" "$spec" "$store" "$(echo "$end - $start" | bc -l)" "$(wc -l < /tmp/pa-shard-rss.out)" "$(cat /tmp/pa-shard-rss)"
    done
  done
  rm -f /tmp/pa-shard-rss /tmp/pa-shard-rss.out /tmp/pa-shard-rss-*.db*
fi
