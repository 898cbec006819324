#!/usr/bin/env bash
# Regenerate test/compat/golden/out/*.txt with the REAL lsslot/drmgr
# (powerpc-utils 1.3.13 under qemu-user; see /work/shared/oracle/README.md).
# Needs root and the oracle rootfs (oracle setup.sh). The tests never run this.
#
#   sudo scripts/regen-goldens.sh            # all cases
#   sudo scripts/regen-goldens.sh NAME...    # only these cases
#
# ORACLE (default /work/shared/oracle) points at the oracle scripts;
# LSSLOT_ORACLE_HOME as for the oracle. Output format = the oracle's
# run-examples.sh format; drmgr cases also show /sys/kernel/dlpar (and
# /var/log/drmgr when the case name contains ".log"), timestamps masked.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
G="$HERE/test/compat/golden"
ORACLE="${ORACLE:-/work/shared/oracle}"
ORACLE_HOME_DIR="${LSSLOT_ORACLE_HOME:-${HOME:?}/.cache/lsslot-oracle}"
R="$ORACLE_HOME_DIR/rootfs"
[[ -x "$ORACLE/run-lsslot.sh" ]] || { echo "regen-goldens: no oracle at $ORACLE" >&2; exit 2; }
[[ -d "$R" ]] || { echo "regen-goldens: no rootfs at $R (run the oracle's setup.sh)" >&2; exit 2; }
version="$(awk '$1=="powerpc-ibm-utils"{print $1" "$2}' "$R/.oracle-packages")"
trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
only=" $* "
n=0
while IFS='|' read -r name prog json args; do
  name="$(trim "$name")"; [[ -z "$name" || "$name" == \#* ]] && continue
  [[ $# -gt 0 && "$only" != *" $name "* ]] && continue
  prog="$(trim "$prog")"; json="$(trim "$json")"; args="$(trim "$args")"
  show=()
  if [[ "$prog" == drmgr ]]; then
    show=(--show /sys/kernel/dlpar)
    [[ "$name" == *.log* ]] && show+=(--show /var/log/drmgr)
  fi
  o="$(mktemp)"; e="$(mktemp)"
  # arguments split on whitespace (no quoting); the one token '' stands for an empty argument
  read -ra words <<< "$args"
  for k in "${!words[@]}"; do [[ "${words[$k]}" == "''" ]] && words[$k]=""; done
  "$ORACLE/run-lsslot.sh" --rootfs "$R" --bin "$prog" "${show[@]}" "$G/desc/$json" "${words[@]}" >"$o" 2>"$e"
  rc=$?
  {
    echo "# description: desc/$json"
    echo "# program: $prog from rootfs ($version)"
    echo "\$ $prog${args:+ $args}"
    echo "[stdout]"; cat "$o"
    echo "[stderr]"; sed -E 's/^########## .* ##########$/########## <timestamp> ##########/' "$e"
    echo "[exit status] $rc"
  } > "$G/out/$name.txt"
  rm -f "$o" "$e"
  n=$((n+1))
  echo "$name: rc=$rc" >&2
done < "$G/cases.txt"
echo "$n cases regenerated" >&2
