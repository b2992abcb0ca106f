#!/usr/bin/env bash
# Smoke test of the packages, as root: installs the Debian package with dpkg -i, runs `ports 443` from /usr/bin,
# checks the manual and the completions, removes it with dpkg -r and checks that nothing is left; then installs the
# tarball into a temporary prefix and uninstalls it. Sends no packet.
#   packaging/test-deb.sh [OUT]   (OUT as given to build-deb.sh; builds the packages when they are missing)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/.build/packages}"
[ "$(id -u)" -eq 0 ] || { echo "test-deb.sh: needs root (dpkg -i)"; exit 1; }
deb="$(ls "$out"/portatlas_*.deb 2>/dev/null | head -1 || true)"
tarball="$(ls "$out"/portatlas-*.tar.gz 2>/dev/null | head -1 || true)"
if [ -z "$deb" ] || [ -z "$tarball" ]; then
  "$root/packaging/build-deb.sh" "$out" >/dev/null
  deb="$(ls "$out"/portatlas_*.deb | head -1)"; tarball="$(ls "$out"/portatlas-*.tar.gz | head -1)"
fi
fail() { echo "test-deb.sh: FAIL: $*"; exit 1; }

if dpkg -s portatlas >/dev/null 2>&1; then fail "portatlas is already installed; remove it first"; fi
# Whatever fails below, the machine is left as it was: the package is removed (purged) and the temporary trees deleted.
prefix="" unpack=""
cleanup() {
  if dpkg -s portatlas >/dev/null 2>&1; then dpkg --purge portatlas >/dev/null 2>&1 || true; fi
  [ -z "$prefix" ] || rm -rf "$prefix"
  [ -z "$unpack" ] || rm -rf "$unpack"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
dpkg -i "$deb" >/dev/null
files="$(dpkg -L portatlas)"
[ "$(command -v ports)" = /usr/bin/ports ] || fail "ports is not /usr/bin/ports"
# No .NET runtime on the way: the binary is native.
env -i PATH=/usr/bin:/bin HOME=/tmp /usr/bin/ports 443 | grep -q https || fail "'ports 443' does not name https"
/usr/bin/ports --version | grep -q "IANA port registry" || fail "--version"
# The front answers 'ports 443' itself and hands the rest to ports-full (issue 16): both installed, executable.
[ -x /usr/lib/portatlas/ports-full ] || fail "no /usr/lib/portatlas/ports-full"
/usr/bin/ports 443 --format json | cmp -s - <(/usr/lib/portatlas/ports-full 443 --format json) || fail "the front and ports-full differ on 'ports 443'"
man -w ports >/dev/null 2>&1 || fail "man ports: no manual installed"
MANPAGER=cat MANWIDTH=80 man ports 2>/dev/null | grep -q "ports scan" || fail "man ports does not render"
[ -f /usr/share/bash-completion/completions/ports ] || fail "no bash completion"
replies="$(bash -c 'source /usr/share/bash-completion/completions/ports; COMP_WORDS=(ports sc); COMP_CWORD=1; _ports; echo "${COMPREPLY[*]}"')"
[[ " $replies " == *" scan "* ]] || fail "bash completion of 'ports sc' gave '$replies'"
dpkg -r portatlas >/dev/null
! dpkg -s portatlas 2>/dev/null | grep -q '^Status: install ok installed' || fail "still installed after dpkg -r"
left=0
while read -r f; do
  if [ -n "$f" ] && { [ -f "$f" ] || [ -L "$f" ]; }; then echo "left behind: $f"; left=1; fi
done <<< "$files"
[ "$left" -eq 0 ] || fail "dpkg -r left files"
[ ! -e /usr/lib/portatlas ] || fail "/usr/lib/portatlas left behind"
echo "test-deb.sh: deb ok ($(du -k "$deb" | cut -f1) KiB): installed, 'ports 443' ran from /usr/bin, removed cleanly"

prefix="$(mktemp -d)"; unpack="$(mktemp -d)"
tar -C "$unpack" -xzf "$tarball"
PREFIX="$prefix" "$unpack"/portatlas-*/install.sh >/dev/null
env -i PATH=/usr/bin:/bin "$prefix/bin/ports" 443 | grep -q https || fail "tarball: 'ports 443'"
env -i PATH=/usr/bin:/bin "$prefix/bin/ports" --version | grep -q "IANA port registry" || fail "tarball: --version (ports-full)"
MANPAGER=cat man -l "$prefix/share/man/man1/ports.1" 2>/dev/null | grep -q "ports scan" || fail "tarball: manual"
PREFIX="$prefix" "$unpack"/portatlas-*/install.sh --uninstall >/dev/null
[ -z "$(find "$prefix" -type f -o -type l)" ] || fail "tarball: uninstall left $(find "$prefix" -type f -o -type l | head -3)"
echo "test-deb.sh: tarball ok ($(du -k "$tarball" | cut -f1) KiB): installed into a prefix, ran, uninstalled cleanly"
