#!/usr/bin/env bash
# Download the ppc64el guest pieces from Debian (bookworm) with a private APT
# configuration (nothing ppc64el is installed on the host) and build:
#   $CACHE/guest/vmlinux        the stock Debian kernel image (ELF, from the .deb)
#   $CACHE/guest/busybox        busybox-static (ppc64el)
#   $CACHE/guest/modules/...    the kernel's module tree (only what init loads is used)
#   $CACHE/guest/packages.txt   package, version, sha256 of each .deb
# Environment: CACHE (default <repo>/build/real-lpm), SUITE (default bookworm),
#              MIRROR (default http://deb.debian.org/debian), KPKG (kernel package
#              name; default: whatever linux-image-powerpc64le depends on).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${CACHE:-$REPO/build/real-lpm}"
SUITE="${SUITE:-bookworm}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
APTDIR="$CACHE/apt-$SUITE"
GUEST="$CACHE/guest"
log() { printf '[fetch-guest] %s\n' "$*" >&2; }

mkdir -p "$APTDIR"/{lists/partial,cache/archives/partial,sources.d,debs}
: > "$APTDIR/status"
cat > "$APTDIR/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $SUITE main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $SUITE-updates main
SRC
cat > "$APTDIR/apt.conf" <<CONF
APT::Architecture "ppc64el";
APT::Architectures { "ppc64el"; };
Dir::State::Lists "$APTDIR/lists";
Dir::State::status "$APTDIR/status";
Dir::Cache "$APTDIR/cache";
Dir::Cache::archives "$APTDIR/cache/archives";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Dir::Etc::SourceList "$APTDIR/sources.list";
Dir::Etc::SourceParts "$APTDIR/sources.d";
Debug::NoLocking "true";
APT::Sandbox::User "root";
CONF
export APT_CONFIG="$APTDIR/apt.conf"
log "apt-get update ($SUITE, ppc64el, $MIRROR)"
apt-get update -qq
if [[ -z "${KPKG:-}" ]]; then
  KPKG="$(apt-cache depends linux-image-powerpc64le | awk '/Depends: linux-image-[0-9]/{print $2; exit}')"
fi
log "kernel package: $KPKG"
rm -f "$APTDIR"/debs/*.deb
(cd "$APTDIR/debs" && apt-get download "$KPKG" busybox-static)

rm -rf "$GUEST" "$CACHE/unpack"
mkdir -p "$GUEST" "$CACHE/unpack"
: > "$GUEST/packages.txt"
for d in "$APTDIR"/debs/*.deb; do
  dpkg -x "$d" "$CACHE/unpack"
  printf '%s %s %s\n' "$(dpkg-deb -f "$d" Package)" "$(dpkg-deb -f "$d" Version)" \
    "$(sha256sum "$d" | cut -d' ' -f1)" >> "$GUEST/packages.txt"
done
KIMG="$(ls "$CACHE"/unpack/boot/vmlinux-* | head -1)"
cp "$KIMG" "$GUEST/vmlinux"
cp "$(ls "$CACHE"/unpack/boot/config-* | head -1)" "$GUEST/config"
cp "$CACHE/unpack/bin/busybox" "$GUEST/busybox"
mv "$CACHE"/unpack/lib/modules "$GUEST/modules"
rm -rf "$CACHE/unpack"
log "guest ready in $GUEST"
cat "$GUEST/packages.txt" >&2
