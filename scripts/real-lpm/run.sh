#!/usr/bin/env bash
# Regenerate the real-LPM captures: samples/real-lpm-<variant>/.
#   sudo scripts/real-lpm/run.sh            # all variants
#   sudo scripts/real-lpm/run.sh form2      # one variant: form2 | form1 | form2-v1 | form2-stale (default plan)
#                                           # | dlpar-around | two-lpms | two-lpms-v1 | drop-node | no-lpm (other --plan)
# Host needs qemu-system-ppc (Debian bookworm: QEMU 7.2 + SLOF); installed here if missing.
# Guest kernel/busybox are downloaded into build/real-lpm (git-ignored) by fetch-guest.sh.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${CACHE:-$REPO/build/real-lpm}"
if ! command -v qemu-system-ppc64 >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
    qemu-system-ppc qemu-system-data
fi
[[ -f "$CACHE/guest/vmlinux" ]] || CACHE="$CACHE" "$HERE/fetch-guest.sh"
variants=("$@")
[[ ${#variants[@]} -gt 0 ]] || variants=(form2 form1 form2-v1 form2-stale dlpar-around two-lpms two-lpms-v1 drop-node no-lpm)
for v in "${variants[@]}"; do
  case "$v" in
    form2) machine=pseries-7.2; extra=() ;;
    form1) machine=pseries-6.1; extra=() ;;
    form2-v1) machine=pseries-7.2; extra=(--v1) ;;
    form2-stale) machine=pseries-7.2; extra=(--method remove-add) ;;
    dlpar-around) machine=pseries-7.2; extra=(--plan add:dimm1:512M:0,lpm,add:dimm2:512M:1,del:dimm1) ;;
    two-lpms) machine=pseries-7.2; extra=(--plan lpm,add:dimm1:512M:0,lpm,add:dimm2:512M:0,del:dimm1) ;;
    two-lpms-v1) machine=pseries-7.2; extra=(--v1 --plan lpm,add:dimm1:512M:0,lpm,add:dimm2:512M:0,del:dimm1) ;;
    drop-node) machine=pseries-7.2; extra=(--nodes 3 --mem 3G --dimm0 1G:0 --plan lpm:drop1,add:dimm1:512M:1,del:dimm1) ;;
    no-lpm) machine=pseries-7.2; extra=(--plan add:dimm1:512M:0,add:dimm2:512M:1,del:dimm1,del:dimm0) ;;
    *) echo "unknown variant $v" >&2; exit 2 ;;
  esac
  out="$REPO/samples/real-lpm-$v"
  rm -rf "$out"
  python3 "$HERE/run.py" --machine "$machine" --out "$out" --cache "$CACHE" "${extra[@]}"
done
