#!/usr/bin/env bash
# Start time of `ports 443` (a registry lookup: start, load the registry, print, exit) in three ways, alternated in
# rounds so that the shared machine's load falls on all three alike (issue 17):
#   host       the image's own binary, copied out of the image and run on this machine
#   run        podman run --rm --network none IMAGE 443 (a new container each time)
#   exec       podman exec into a running container of the image (the process start alone)
# Prints one row per round and way (hyperfine median of 10 runs, /proc/loadavg), then the medians over the rounds.
# Needs root, podman, hyperfine and an image built by tests/deploy/build-image.sh. Usage: bench/image-start.sh [IMAGE] [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
image="${1:-localhost/portatlas:$(git -C "$root" rev-parse --short HEAD)}"
rounds="${2:-3}"
work="$(mktemp -d /var/tmp/pa-image-start.XXXXXX)"
ctr="pa-image-start-$$"
# The same podman settings as tests/deploy/build-image.sh found for this VM (runc; rlimits no higher than the host's).
pglobal=(--runtime runc)
nproc=$(ulimit -Hu); pid_max=$(cat /proc/sys/kernel/pid_max)
if [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pid_max" ]; then nproc=$pid_max; fi
plimits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit "nproc=$nproc:$nproc")
cleanup() { podman rm -f -t 0 "$ctr" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

mnt=$(podman image mount "$image")
cp -a "$mnt/usr/lib/portatlas/." "$work/"
podman image unmount "$image" >/dev/null
podman "${pglobal[@]}" run -d --name "$ctr" --network none "${plimits[@]}" --cap-drop=ALL --cap-add=NET_RAW "$image" serve >/dev/null
for _ in $(seq 1 120); do podman logs "$ctr" 2>&1 | grep -q serving && break; sleep 0.5; done

declare -A cmd=(
  [host]="$work/ports 443"
  [run]="podman ${pglobal[*]} run --rm --network none ${plimits[*]} --cap-drop=ALL --cap-add=NET_RAW $image 443"
  [exec]="podman exec $ctr /usr/lib/portatlas/ports 443"
)
declare -A all=()
printf '%-5s %-5s %10s  %s\n' round way median_ms loadavg
for r in $(seq 1 "$rounds"); do
  for way in host run exec; do
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    hyperfine -N --style none --warmup 2 --runs 10 --export-json "$work/$way.json" "${cmd[$way]}" >/dev/null 2>&1
    ms=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['results'][0]['median']*1000:.1f}\")" "$work/$way.json")
    all[$way]="${all[$way]:-} $ms"
    printf '%-5s %-5s %10s  %s\n' "$r" "$way" "$ms" "$load"
  done
done
for way in host run exec; do
  printf 'median over rounds: %-5s %s ms\n' "$way" "$(tr ' ' '\n' <<<"${all[$way]}" | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')"
done
