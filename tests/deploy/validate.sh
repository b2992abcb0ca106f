#!/usr/bin/env bash
# Offline checks of deploy/: the Kubernetes manifests against Kubernetes' published schemas (npm kubernetes-models,
# installed once into .build/k8s-validate), and the Containerfile's shape (no container runtime is needed or used).
# Exit 0 when both pass. Run by tests/run.sh; needs node and npm (the npm registry, first run only).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/.build/k8s-validate"
if [ ! -d "$tools/node_modules/kubernetes-models" ] || [ ! -d "$tools/node_modules/yaml" ]; then
  mkdir -p "$tools"
  [ -f "$tools/package.json" ] || echo '{"name":"pa-k8s-validate","private":true}' > "$tools/package.json"
  (cd "$tools" && npm install --no-audit --no-fund --silent kubernetes-models@5.1.0 yaml@2.9.1 >&2)
fi
cp "$root/tests/deploy/validate.mjs" "$tools/validate.mjs"
node "$tools/validate.mjs" "$root/deploy/kubernetes"

# The Containerfile: multi-stage, base images as ARGs (so they can be pinned by digest), never :latest, a numeric
# non-root USER in the final stage, an exec-form ENTRYPOINT, the native (AOT) publish, only CAP_NET_RAW granted.
cf="$root/deploy/Containerfile"
problems=0
check() { if ! grep -Eq "$1" "$cf"; then echo "deploy/Containerfile: $2" >&2; problems=$((problems + 1)); fi; }
[ "$(grep -Ec '^FROM ' "$cf")" -ge 2 ] || { echo "deploy/Containerfile: not multi-stage" >&2; problems=$((problems + 1)); }
check '^ARG SDK_IMAGE=' "the SDK image must be an ARG (pin by digest)"
check '^ARG RUNTIME_IMAGE=' "the runtime image must be an ARG (pin by digest)"
check 'PublishAot=true' "the binary must be the native (AOT) build"
check 'setcap cap_net_raw\+ep' "the binary must carry CAP_NET_RAW and nothing more"
check '^ENTRYPOINT \["' "ENTRYPOINT must be exec form"
if grep -Eq ':latest' "$cf"; then echo "deploy/Containerfile: uses :latest" >&2; problems=$((problems + 1)); fi
last_user="$(awk '/^FROM /{u=""} /^USER /{u=$2} END{print u}' "$cf")"
case "$last_user" in ""|0|0:*|root|root:*) echo "deploy/Containerfile: the final stage must run as a non-root USER" >&2; problems=$((problems + 1));; esac
if grep -Eq 'cap_(sys_admin|net_admin)' "$cf"; then echo "deploy/Containerfile: grants more than CAP_NET_RAW" >&2; problems=$((problems + 1)); fi
# What the first real build (tests/deploy/build-image.sh) found: the binary loads libe_sqlite3.so from beside itself,
# so the libraries must ship with it, and the ENTRYPOINT must be the file that carries the capability.
check 'install .*/out/\*\.so ' "the native libraries (libe_sqlite3.so: the history store) must ship beside the binary"
capped="$(sed -n 's#.*setcap cap_net_raw+ep /rootfs\([^ ]*\).*#\1#p' "$cf")"
entry="$(sed -n 's#^ENTRYPOINT \["\([^"]*\)".*#\1#p' "$cf")"
if [ -z "$capped" ] || [ "$capped" != "$entry" ]; then
  echo "deploy/Containerfile: ENTRYPOINT ($entry) is not the binary given CAP_NET_RAW (/rootfs$capped)" >&2; problems=$((problems + 1))
fi
bash -n "$root/tests/deploy/build-image.sh" || { echo "tests/deploy/build-image.sh: syntax error" >&2; problems=$((problems + 1)); }
[ "$problems" -eq 0 ] || exit 1
echo "Containerfile shape ok"
