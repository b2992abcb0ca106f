#!/usr/bin/env bash
# Builds the native `ports` (Native AOT: the look-up front `ports` and the full CLI `ports-full` beside it, issue 16)
# and packages it with its manual and shell completions:
#   a Debian package   OUT/portatlas_VERSION_ARCH.deb      (dpkg-deb only, no other packaging tools)
#   a tarball          OUT/portatlas-VERSION-linux-RID.tar.gz, with install.sh
# Usage: packaging/build-deb.sh [OUT]   (default .build/packages). Needs the .NET SDK, clang and zlib1g-dev.
# PORTATLAS_NATIVE_DIR=DIR packages the native build already in DIR (the launcher's .build/ports) instead of
# publishing again: CI runs one Native AOT publish, not two.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$root/.build/packages}" && cd "${1:-$root/.build/packages}" && pwd)"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -1)"
arch="$(dpkg --print-architecture)"
case "$arch" in
  amd64) rid=linux-x64 ;;
  arm64) rid=linux-arm64 ;;
  *) echo "build-deb.sh: no .NET runtime identifier for $arch" >&2; exit 1 ;;
esac

publish="$out/publish"
rm -rf "$publish"
if [ -n "${PORTATLAS_NATIVE_DIR:-}" ]; then
  # Only a native build will do: a framework-dependent one (ports.dll beside it) needs .NET on the target.
  if [ ! -x "$PORTATLAS_NATIVE_DIR/ports" ] || [ ! -x "$PORTATLAS_NATIVE_DIR/ports-full" ] || [ -e "$PORTATLAS_NATIVE_DIR/ports.dll" ]; then
    echo "build-deb.sh: $PORTATLAS_NATIVE_DIR holds no Native AOT build of ports" >&2; exit 1
  fi
  echo "build-deb.sh: packaging the native build in $PORTATLAS_NATIVE_DIR" >&2
  mkdir -p "$publish" && cp -p "$PORTATLAS_NATIVE_DIR"/* "$publish/"
else
  echo "build-deb.sh: publishing ports $version for $rid (Native AOT)" >&2
  "$root/tools/publish-native.sh" "$publish" "$rid" >&2
fi
rm -f "$publish"/*.dbg "$publish"/*.pdb "$publish"/*.xml
[ -x "$publish/ports" ] && [ -x "$publish/ports-full" ] || { echo "build-deb.sh: no native binaries in $publish" >&2; exit 1; }

# The manual is the committed one (a unit test keeps it equal to 'ports manpage'); completions come from the binary.
completions="$out/completions"
rm -rf "$completions" && mkdir -p "$completions"
"$publish/ports" completion bash > "$completions/ports.bash"
"$publish/ports" completion zsh > "$completions/_ports"
"$publish/ports" completion fish > "$completions/ports.fish"

# Debian package: the binaries and their native libraries in /usr/lib/portatlas, /usr/bin/ports a link to the front
# (a Native AOT binary finds its libraries, and the front finds ports-full, beside its real path).
stage="$out/stage"
rm -rf "$stage"
install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/lib/portatlas"
install -m 0755 "$publish"/* "$stage/usr/lib/portatlas/"
ln -s ../lib/portatlas/ports "$stage/usr/bin/ports"
install -d "$stage/usr/share/man/man1"
gzip -9n < "$root/docs/ports.1" > "$stage/usr/share/man/man1/ports.1.gz"
install -D -m 0644 "$completions/ports.bash" "$stage/usr/share/bash-completion/completions/ports"
install -D -m 0644 "$completions/_ports" "$stage/usr/share/zsh/vendor-completions/_ports"
install -D -m 0644 "$completions/ports.fish" "$stage/usr/share/fish/vendor_completions.d/ports.fish"
install -D -m 0644 "$root/LICENSE" "$stage/usr/share/doc/portatlas/copyright"
find "$stage/usr/lib/portatlas" -type f ! -name ports ! -name ports-full -exec chmod 0644 {} +
size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: portatlas
Version: $version
Architecture: $arch
Maintainer: PortAtlas <portatlas@localhost>
Installed-Size: $size
Depends: libc6, zlib1g, libssl3t64 | libssl3
Section: net
Priority: optional
Homepage: https://github.com/portatlas/portatlas
Description: look up, scan, detect and assess network ports
 ports explains every port from the IANA registry and curated notes, scans
 hosts (TCP connect, raw SYN, UDP, SCTP), identifies services and versions,
 assesses them (findings, CISA KEV) and keeps a history of scans. It accepts
 nmap's everyday flags with nmap's meaning. Native binary: no .NET needed.
CONTROL
deb="$out/portatlas_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$deb" >&2

# Tarball with an install script, for systems without dpkg.
name="portatlas-$version-$rid"
tree="$out/$name"
rm -rf "$tree"
install -d "$tree/lib" "$tree/completions"
install -m 0755 "$publish"/* "$tree/lib/"
find "$tree/lib" -type f ! -name ports ! -name ports-full -exec chmod 0644 {} +
install -m 0644 "$root/docs/ports.1" "$tree/ports.1"
install -m 0644 "$completions"/* "$tree/completions/"
install -m 0644 "$root/LICENSE" "$tree/LICENSE"
install -m 0755 "$root/packaging/install.sh" "$tree/install.sh"
tar -C "$out" --owner=0 --group=0 -czf "$out/$name.tar.gz" "$name"
rm -rf "$tree"
echo "$deb"
echo "$out/$name.tar.gz"
