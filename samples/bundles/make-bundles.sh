#!/usr/bin/env bash
# Rebuild the fake support bundles in this directory from a real sample capture
# (see README.md). Needs root and the lsslot oracle (../../../shared/oracle,
# setup.sh done): the lsslot outputs inside the bundles come from IBM's real
# lsslot run on exactly the sample's device tree. Tests never run this.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
oracle="${ORACLE:-$repo/../shared/oracle}"
sample="$repo/samples/pseries-7.2-numa2/02-after-add-dimm2-512M-node0.tar.gz"
host=lpar1
sos="sosreport-$host-04123456-2026-11-25-kpvqnqd"
scc="scc_${host}_261125_1030"
export XZ_OPT=-9e
export TZ=UTC
mtime='2026-11-25 10:30:00'

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tar xzf "$sample" -C "$tmp"
snap="$(echo "$tmp"/snap-*)"

# the real lsslot on this tree (stdout and stderr together, as sos and supportconfig store them)
npx esbuild "$here/sample-to-oracle-json.ts" --bundle --platform=node --format=esm --packages=external --log-level=warning --outfile="$repo/build/sample-to-oracle-json.mjs"
(cd "$repo" && node build/sample-to-oracle-json.mjs "$sample") > "$tmp/desc.json"
run_lsslot() { bash "$oracle/run-lsslot.sh" "$tmp/desc.json" "$@" 2>&1 || true; }
run_lsslot > "$tmp/lsslot"
run_lsslot -c phb > "$tmp/lsslot_-c_phb"
run_lsslot -c pci > "$tmp/lsslot_-c_pci"
run_lsslot -c mem > "$tmp/lsslot_-c_mem"

# --- sosreport: files keep their absolute path; command output in sos_commands/<plugin>/<mangled>
mk_sos() { # $1 = top dir, $2 = "partial" to drop what sos's size limit can drop
  local d="$tmp/$1"
  mkdir -p "$d/proc" "$d/sos_commands/powerpc" "$d/sos_commands/numa" "$d/sys/devices/system" "$d/sos_reports" "$d/sos_logs"
  cp -r "$snap/device-tree" "$d/proc/device-tree"
  cp "$snap/proc/cpuinfo" "$snap/proc/meminfo" "$snap/proc/version" "$d/proc/"
  cp -r "$snap/sys/devices/system/node" "$d/sys/devices/system/node" # numa plugin
  find "$d/sys/devices/system/node" -name memory-links -delete       # sos copies files, not the links
  cp "$tmp/lsslot" "$tmp/lsslot_-c_phb" "$tmp/lsslot_-c_pci" "$d/sos_commands/powerpc/"
  printf 'available: 2 nodes (0-1)\n' > "$d/sos_commands/numa/numactl_--hardware"
  printf 'sosreport: 4.8.2\n' > "$d/version.txt"
  printf '{"version": "4.8.2", "cmdline": "sos report --batch", "components": {"report": {"plugins": ["powerpc", "numa", "memory"]}}}\n' > "$d/sos_reports/manifest.json"
  if [ "${2:-}" = partial ]; then
    # sos's log_size cap skips files once the /proc/device-tree/ copy is over the limit
    rm "$d/proc/device-tree/ibm,dynamic-reconfiguration-memory/ibm,associativity-lookup-arrays"
    rm -r "$d/proc/device-tree/vdevice"
    printf '[plugin:powerpc] files were skipped: size limit of 25 MiB reached for /proc/device-tree/\n' > "$d/sos_logs/sos.log"
  fi
  tar -C "$tmp" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" -cJf "$here/$3" "$1"
}
mk_sos "$sos" full "$sos.tar.xz"
mk_sos "${sos/kpvqnqd/partial}" partial "${sos/kpvqnqd/partial}.tar.xz"

# --- supportconfig: ppc64/device-tree = cp -r /proc/device-tree/*, lsslot in hardware.txt blocks
d="$tmp/$scc"
mkdir -p "$d/ppc64"
cp -r "$snap/device-tree" "$d/ppc64/device-tree"
block() { printf '#==[ Command ]======================================#\n# %s\n' "$1"; cat "$2"; printf '\n'; }
{
  printf '#==[ Command ]======================================#\n# /usr/bin/ppc64_cpu --smt\nSMT is off\n\n'
  block '/usr/sbin/lsslot' "$tmp/lsslot"
  block '/usr/sbin/lsslot -c phb' "$tmp/lsslot_-c_phb"
  block '/usr/sbin/lsslot -c pci' "$tmp/lsslot_-c_pci"
  printf '#==[ Command ]======================================#\n# /usr/sbin/amsstat\nERROR: Command not found or not executable\n\n'
} > "$d/hardware.txt"
printf '#==[ Command ]======================================#\n# /bin/uname -a\n%s\n\n' "$(cat "$snap/uname.txt")" > "$d/basic-environment.txt"
tar -C "$tmp" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" -cJf "$here/$scc.txz" "$scc"

# reference: what the real lsslot prints for memory on this tree (not in the bundles: sos and
# supportconfig do not run lsslot -c mem)
cp "$tmp/lsslot_-c_mem" "$here/expected-lsslot-c-mem.txt"
ls -l "$here"/*.tar.xz "$here"/*.txz
