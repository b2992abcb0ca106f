#!/bin/sh
# Publishes the native (Native AOT) build of `ports` into OUT (issue 16): the small look-up front as `ports`, which
# answers `ports 443` itself and execs the full CLI for everything else, and the full CLI as `ports-full` beside it,
# with the native libraries the full CLI loads from beside itself. The .dbg files keep their published names, which
# the binaries' debug links name. Needs the .NET SDK, clang and zlib1g-dev.
#   tools/publish-native.sh OUT [RID]     (RID: linux-x64 by default); extra dotnet publish arguments may follow RID
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$1
rid=${2:-linux-x64}
shift
[ $# -eq 0 ] || shift
mkdir -p "$out"
dotnet publish "$root/src/PortAtlas.Cli/PortAtlas.Cli.csproj" -c Release -r "$rid" -p:PublishAot=true -o "$out" \
  --nologo -v quiet "$@"
mv -f "$out/ports" "$out/ports-full"
rm -rf "$out/.front"
dotnet publish "$root/src/PortAtlas.Lookup/PortAtlas.Lookup.csproj" -c Release -r "$rid" -p:PublishAot=true \
  -o "$out/.front" --nologo -v quiet "$@"
mv -f "$out/.front/PortAtlas.Lookup" "$out/ports"
mv -f "$out/.front/PortAtlas.Lookup.dbg" "$out/" 2>/dev/null || true
rm -rf "$out/.front"
