#!/usr/bin/env bash
# Builds deploy/Containerfile for real with podman and runs the image (issue 17): --version, a lookup, a connect scan
# and a SYN scan (non-root, CAP_NET_RAW only) of a port the container opens itself in its own network namespace
# (--network none: nothing but lo), no shell, uid 64198, the binary's file capability, a writable data directory,
# the image size and, with a second uncached build, reproducibility. One line per check; exit 1 when any fails.
#
# Needs root and podman + debootstrap (installed from apt when missing). The real base images
# (mcr.microsoft.com) are not reachable here, so local stand-ins are made once (kept; delete them to remake):
#   localhost/pa-sdk:10.0           Debian bookworm minbase (debootstrap from the machine's apt mirror) + this
#                                   machine's .NET SDK (/usr/share/dotnet)
#   localhost/pa-runtime-deps:10.0  no shell, no package manager: only the files of libc6, libgcc-s1, libstdc++6,
#                                   libssl3 and zlib1g, the CA bundle, and passwd/group with root and app (1654),
#                                   as Microsoft's chiseled runtime-deps image has
# SDK_IMAGE / RUNTIME_IMAGE name other bases (e.g. the real ones pinned by digest). NuGet packages come from this
# machine's cache, mounted read-only into the build; the build stage's apt-get uses the host's network.
#
# Usage: tests/deploy/build-image.sh [--no-repro]
#   default: two uncached builds (~30 min here) compared for reproducibility; --no-repro: one build, cache allowed
# Environment: PA_IMAGE_WORK (default /var/tmp/portatlas-image): the stand-ins' root filesystems (~2 GB).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
repro=1
for arg in "$@"; do
  case "$arg" in
    --no-repro) repro=0 ;;
    *) echo "build-image.sh: unknown argument '$arg' (only --no-repro)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "build-image.sh: needs root (podman builds and debootstrap)" >&2; exit 2; }

work="${PA_IMAGE_WORK:-/var/tmp/portatlas-image}"
sdk_image="${SDK_IMAGE:-localhost/pa-sdk:10.0}"
runtime_image="${RUNTIME_IMAGE:-localhost/pa-runtime-deps:10.0}"
nuget="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
commit="$(git -C "$root" rev-parse --short HEAD)"
epoch="$(git -C "$root" log -1 --format=%ct)"
tag="localhost/portatlas:$commit"
ctr="pa-image-check-$$"
started=$(date +%s)
failures=0

pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }
cleanup() { podman rm -f -t 0 "$ctr" >/dev/null 2>&1 || true; }
trap cleanup EXIT

missing=()
command -v podman >/dev/null || missing+=(podman)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v getcap >/dev/null || missing+=(libcap2-bin)
command -v runc >/dev/null || missing+=(runc)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== apt-get install ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" uidmap fuse-overlayfs >/dev/null
fi

# --- the stand-in base images --------------------------------------------------------------------------------------
rootfs="$work/bookworm"
if [ ! -e "$rootfs/.complete" ]; then
  echo "== debootstrap bookworm into $rootfs (once)" >&2
  rm -rf "$rootfs"
  mirror="$(awk '/^URIs:/{print $2; exit} /^deb /{print $2; exit}' /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list 2>/dev/null || true)"
  # clang, zlib1g-dev and libcap2-bin are what the Containerfile's build stage installs (then a no-op); libicu72 is
  # what the SDK itself needs.
  debootstrap --variant=minbase --include=clang,zlib1g-dev,libcap2-bin,libicu72,ca-certificates,libssl3 \
    bookworm "$rootfs" "${mirror:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 \
    || { echo "build-image.sh: debootstrap failed (see $work/debootstrap.log)" >&2; exit 1; }
  touch "$rootfs/.complete"
fi

if [ "$sdk_image" = localhost/pa-sdk:10.0 ] && ! podman image exists "$sdk_image"; then
  echo "== $sdk_image from $rootfs + $(dotnet --version 2>/dev/null || echo '?') in /usr/share/dotnet" >&2
  dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
  rm -rf "$rootfs/usr/share/dotnet"
  cp -a "$dotnet_root" "$rootfs/usr/share/dotnet"
  ln -sfn /usr/share/dotnet/dotnet "$rootfs/usr/bin/dotnet"
  tar --numeric-owner --exclude=./.complete --exclude=./proc/* --exclude=./sys/* --exclude=./dev/* -C "$rootfs" -cf - . \
    | podman import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV DOTNET_ROOT=/usr/share/dotnet' --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
        --change 'ENV DOTNET_NOLOGO=true' --change 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=1' \
        --change 'ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false' --change 'ENV NUGET_XMLDOC_MODE=skip' \
        --change 'CMD ["/bin/bash"]' - "$sdk_image" >/dev/null
  rm -rf "$rootfs/usr/share/dotnet" "$rootfs/usr/bin/dotnet"
fi

if [ "$runtime_image" = localhost/pa-runtime-deps:10.0 ] && ! podman image exists "$runtime_image"; then
  echo "== $runtime_image (no shell) from the libraries of $rootfs" >&2
  rt="$work/runtime-deps"
  rm -rf "$rt"
  mkdir -p "$rt/usr/lib/x86_64-linux-gnu" "$rt/usr/lib64" "$rt/etc/ssl/certs" "$rt/usr/lib/ssl" "$rt/tmp"
  ln -s usr/lib "$rt/lib"
  ln -s usr/lib64 "$rt/lib64"
  chmod 1777 "$rt/tmp"
  # Files only (no directories, no docs, nothing under a bin directory); merged /usr: /lib/x is /usr/lib/x.
  for pkg in libc6 libgcc-s1 libstdc++6 libssl3 zlib1g; do chroot "$rootfs" dpkg-query -L "$pkg"; done \
    | sed -E 's#^/(lib|lib64)/#/usr/\1/#' | grep -Ev '^/usr/share/|/s?bin/|/gconv/' | sort -u \
    | while read -r f; do
        if [ -f "$rootfs$f" ] || [ -L "$rootfs$f" ]; then mkdir -p "$rt$(dirname "$f")"; cp -a "$rootfs$f" "$rt$f"; fi
      done
  cp "$rootfs/etc/ssl/certs/ca-certificates.crt" "$rt/etc/ssl/certs/"
  ln -s /etc/ssl/certs "$rt/usr/lib/ssl/certs"
  ln -s /etc/ssl/certs/ca-certificates.crt "$rt/usr/lib/ssl/cert.pem"
  printf 'root:x:0:0:root:/root:/noshell\napp:x:1654:1654::/home/app:/noshell\n' >"$rt/etc/passwd"
  printf 'root:x:0:\napp:x:1654:\n' >"$rt/etc/group"
  tar --numeric-owner --sort=name --mtime=@0 -C "$rt" -cf - . | podman import - "$runtime_image" >/dev/null
fi

# --- how podman runs containers on this machine ------------------------------------------------------------------------
# The defaults first; then what this VM needed: runc (crun refuses a hybrid cgroup v1/v2 layout) and rlimits no higher
# than the ones podman runs under (without CAP_SYS_RESOURCE the default nofile and nproc of 1048576 cannot be set).
pglobal=()
plimits=()
probe() { podman "${pglobal[@]}" run --rm --network none "${plimits[@]}" "$runtime_image" /usr/lib64/ld-linux-x86-64.so.2 --version >/dev/null 2>&1; }
hard_nofile=$(ulimit -Hn)
hard_nproc=$(ulimit -Hu)
pid_max=$(cat /proc/sys/kernel/pid_max)
if [ "$hard_nproc" = unlimited ] || [ "$hard_nproc" -gt "$pid_max" ]; then hard_nproc=$pid_max; fi
found=0
for runtime in "" runc; do
  for limits in "" "nofile=$hard_nofile:$hard_nofile nproc=$hard_nproc:$hard_nproc"; do
    pglobal=(${runtime:+--runtime "$runtime"})
    plimits=()
    for l in $limits; do plimits+=(--ulimit "$l"); done
    if probe; then found=1; break 2; fi
  done
done
[ "$found" -eq 1 ] || { echo "build-image.sh: podman cannot run a container here (tried crun and runc, default and host rlimits)" >&2; exit 1; }
echo "== podman ${pglobal[*]} run ${plimits[*]}" >&2
p() { podman "${pglobal[@]}" "$@"; }

# --- the build -----------------------------------------------------------------------------------------------------
build() { # $1: extra podman build flags
  local mount=()
  [ -d "$nuget" ] && mount=(-v "$nuget:/root/.nuget/packages:ro")
  # The host's CA bundle: this machine reaches the NuGet registry (restore's vulnerability audit) through a TLS proxy
  # whose CA only the host trusts. Mounted, so nothing of it lands in an image.
  [ -f /etc/ssl/certs/ca-certificates.crt ] && mount+=(-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro)
  # shellcheck disable=SC2086
  nice -n 10 podman "${pglobal[@]}" build -f "$root/deploy/Containerfile" --network host "${plimits[@]}" "${mount[@]}" $1 \
    --build-arg SDK_IMAGE="$sdk_image" --build-arg RUNTIME_IMAGE="$runtime_image" \
    --build-arg SOURCE_DATE_EPOCH="$epoch" --timestamp "$epoch" -t "$tag" "$root"
}
t=$(date +%s)
# For the reproducibility check both builds are uncached: buildah's layer cache ignores --timestamp, and a cached step
# brings its old creation time and intermediate image ids (named in the history) into the image.
first_flags=""
[ "$repro" -eq 1 ] && first_flags="--no-cache"
if ! build "$first_flags" >"$work/build.log" 2>&1; then
  tail -n 30 "$work/build.log" >&2
  fail "build: podman build -f deploy/Containerfile (log: $work/build.log)"
  exit 1
fi
build_s=$(( $(date +%s) - t ))
pass "build: $tag in ${build_s} s"
size=$(podman image inspect --format '{{.Size}}' "$tag")
pass "size: $(( size / 1024 / 1024 )) MiB ($size bytes)"

run() { p run --rm --network none "${plimits[@]}" --cap-drop=ALL --cap-add=NET_RAW "$tag" "$@"; }

# --- what it does ----------------------------------------------------------------------------------------------------
if out=$(run --version 2>&1) && grep -q "$(sed -n 's#.*<Version>\(.*\)</Version>.*#\1#p' "$root/Directory.Build.props")" <<<"$out"; then
  pass "ports --version: $(head -n 1 <<<"$out")"
else
  fail "ports --version: $out"
fi
if out=$(run 443 2>&1) && grep -qi 'https' <<<"$out"; then pass "ports 443: names https"; else fail "ports 443: $out"; fi

# --- what it is --------------------------------------------------------------------------------------------------------
user=$(podman image inspect --format '{{.Config.User}}' "$tag")
[ "$user" = "64198:64198" ] && pass "image user: $user" || fail "image user: '$user', expected 64198:64198"
if p run --rm --network none "${plimits[@]}" --entrypoint /bin/sh "$tag" -c true >/dev/null 2>&1; then
  fail "no shell: --entrypoint /bin/sh ran"
else
  pass "no shell: --entrypoint /bin/sh fails"
fi
mnt=$(podman image mount "$tag")
shells=$(cd "$mnt" && find . \( -name sh -o -name bash -o -name dash -o -name busybox -o -name apt -o -name dpkg \) ! -type d | tr '\n' ' ')
[ -z "$shells" ] && pass "no shell or package manager in the file system" || fail "found in the image: $shells"
caps=$(getcap "$mnt/usr/lib/portatlas/ports" | sed 's#.* ##')
[ "$caps" = "cap_net_raw=ep" ] && pass "file capability kept through COPY: $caps" || fail "file capability of /usr/lib/portatlas/ports: '$caps'"
owner=$(stat -c '%u:%g' "$mnt/usr/lib/portatlas" "$mnt"/usr/lib/portatlas/* | sort -u | tr '\n' ' ')
[ "$owner" = "0:0 " ] && pass "binary and libraries owned by root" || fail "/usr/lib/portatlas owned by $owner"
owner=$(stat -c '%u:%g %a' "$mnt/data")
[ "${owner% *}" = "64198:64198" ] && pass "/data owned by $owner" || fail "/data owned by $owner"
podman image unmount "$tag" >/dev/null

# --- scans of its own loopback ------------------------------------------------------------------------------------------
# `ports serve` listens on 127.0.0.1:8080 inside the container (--network none: its own namespace, only lo); scans run
# in the same container with exec, so they see that listener and nothing else. 8081 is closed.
p run -d --name "$ctr" --network none "${plimits[@]}" --cap-drop=ALL --cap-add=NET_RAW "$tag" serve >/dev/null
ready=0
for _ in $(seq 1 120); do
  if podman logs "$ctr" 2>&1 | grep -q 'serving'; then ready=1; break; fi
  [ "$(podman inspect --format '{{.State.Running}}' "$ctr")" = true ] || break
  sleep 0.5
done
if [ "$ready" -ne 1 ]; then
  fail "ports serve did not start: $(podman logs "$ctr" 2>&1 | tail -n 3)"
else
  uid=$(podman top "$ctr" user | tail -n 1 | tr -d ' ')
  [ "$uid" = 64198 ] && pass "runs as uid $uid" || fail "runs as '$uid', expected 64198"
  capeff=$(podman top "$ctr" capeff | tail -n 1 | tr -d ' ')
  [ "$capeff" = NET_RAW ] && pass "effective capabilities: $capeff" || fail "effective capabilities: '$capeff', expected NET_RAW"
  scan() { # $1: technique flag; prints "port state" lines
    p exec "$ctr" /usr/lib/portatlas/ports scan 127.0.0.1 -p 8080,8081 "$1" --all-states --format csv --no-progress "${@:2}" \
      | awk -F, 'NR > 1 { print $3 " " $5 }'
  }
  expect_scan() { # $1: name, $2: technique flag, rest: extra flags
    local got
    if got=$(scan "$2" "${@:3}" 2>&1) && grep -qx '8080 open' <<<"$got" && grep -qx '8081 closed' <<<"$got"; then
      pass "$1: 8080 open, 8081 closed"
    else
      fail "$1: $(tr '\n' ';' <<<"$got")"
    fi
  }
  expect_scan "connect scan (saved to /data)" --connect
  expect_scan "SYN scan as uid 64198 with only CAP_NET_RAW" --syn --no-save
  if hist=$(p exec "$ctr" /usr/lib/portatlas/ports history 2>&1) && grep -q '127.0.0.1' <<<"$hist"; then
    pass "history in /data lists the saved scan"
  else
    fail "history: $(head -n 3 <<<"$hist")"
  fi
  # no-new-privileges (Kubernetes allowPrivilegeEscalation: false): the binary still runs and a connect scan works.
  # Whether a SYN scan then works depends on the runtime, not the image (podman hands a non-root user its added
  # capabilities as ambient ones, which no_new_privs keeps; containerd sets none): reported, not checked.
  nnp=(p run --rm --network none "${plimits[@]}" --cap-drop=ALL --cap-add=NET_RAW --security-opt no-new-privileges "$tag")
  if out=$("${nnp[@]}" scan 127.0.0.1 -p 8081 --connect --no-save --no-progress --all-states --format csv 2>&1) && grep -q '8081,.*closed' <<<"$out"; then
    pass "no-new-privileges: connect scan runs"
  else
    fail "no-new-privileges: connect scan: $(tr '\n' ';' <<<"$out")"
  fi
  if out=$("${nnp[@]}" scan 127.0.0.1 -p 8081 --syn --no-save --no-progress 2>&1); then
    printf 'info  no-new-privileges: a SYN scan runs under this runtime (NET_RAW held before the exec)\n'
  else
    printf 'info  no-new-privileges: a SYN scan is refused under this runtime: %s\n' "$(head -n 1 <<<"$out")"
  fi
  # A +ep file capability outside the bounding set: the kernel refuses the exec (documented in the Containerfile).
  if p run --rm --network none "${plimits[@]}" --cap-drop=ALL "$tag" --version >/dev/null 2>&1; then
    fail "without NET_RAW in the bounding set the binary ran (the Containerfile says it cannot)"
  else
    pass "without NET_RAW in the bounding set the exec is refused (as documented)"
  fi
fi
cleanup

# --- reproducibility --------------------------------------------------------------------------------------------------
if [ "$repro" -eq 1 ]; then
  first_id=$(podman image inspect --format '{{.Id}}' "$tag")
  first_layers=$(podman image inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' "$tag")
  t=$(date +%s)
  if build "--no-cache" >"$work/build2.log" 2>&1; then
    second_id=$(podman image inspect --format '{{.Id}}' "$tag")
    second_layers=$(podman image inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' "$tag")
    if [ "$first_layers" = "$second_layers" ]; then
      pass "reproducible file system: a second uncached build ($(( $(date +%s) - t )) s) gave the same layers"
    else
      fail "not reproducible: layers differing: $(diff <(echo "$first_layers") <(echo "$second_layers") | grep -c '^>' || true)"
    fi
    if [ "$first_id" = "$second_id" ]; then
      pass "reproducible image: the same image id ${first_id:0:12}"
    else
      fail "not reproducible: image ${first_id:0:12} then ${second_id:0:12} (same layers: the config differs)"
    fi
  else
    fail "second build (log: $work/build2.log)"
  fi
fi

echo "image $tag; $failures failed; $(( $(date +%s) - started )) s"
[ "$failures" -eq 0 ]
