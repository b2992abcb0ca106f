#!/bin/sh
# Installs PortAtlas's `ports` from this unpacked tarball: the binaries (the look-up front `ports`, the full CLI
# `ports-full`) and their libraries in PREFIX/lib/portatlas,
# PREFIX/bin/ports, the manual and the bash, zsh and fish completions.
#   ./install.sh                  into /usr/local
#   PREFIX=$HOME/.local ./install.sh
#   ./install.sh --uninstall      removes what install.sh installed (same PREFIX)
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
prefix="${PREFIX:-/usr/local}"
files="bin/ports share/man/man1/ports.1 share/bash-completion/completions/ports share/zsh/site-functions/_ports share/fish/vendor_completions.d/ports.fish"

if [ "${1:-}" = "--uninstall" ]; then
  for f in $files; do rm -f "$prefix/$f"; done
  rm -rf "$prefix/lib/portatlas"
  echo "removed ports from $prefix"
  exit 0
fi

mkdir -p "$prefix/lib/portatlas" "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
  "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
cp "$here"/lib/* "$prefix/lib/portatlas/"
chmod 0755 "$prefix/lib/portatlas/ports" "$prefix/lib/portatlas/ports-full"
ln -sf "$prefix/lib/portatlas/ports" "$prefix/bin/ports"
cp "$here/ports.1" "$prefix/share/man/man1/ports.1"
cp "$here/completions/ports.bash" "$prefix/share/bash-completion/completions/ports"
cp "$here/completions/_ports" "$prefix/share/zsh/site-functions/_ports"
cp "$here/completions/ports.fish" "$prefix/share/fish/vendor_completions.d/ports.fish"
echo "installed ports in $prefix/bin (manual: man ports; remove with $0 --uninstall)"
