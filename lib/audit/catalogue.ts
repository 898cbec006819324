// Every audit finding code: severity, one-line title, what it means and what to
// do. docs/readme/diff-audit.md lists the same table; other engineers add codes
// with registerCode() next to their check.
import type { SeverityName } from '../model/finding.js';

export interface CatalogueEntry {
  severity: SeverityName;
  title: string;
  /** what it means and what to do (shown by --explain and in the docs) */
  description: string;
  /** group: "history" (needs >= 2 snapshots), "fingerprint", "numa", "integrity" */
  group: 'history' | 'fingerprint' | 'numa' | 'integrity' | 'capture';
}

export const catalogue: Record<string, CatalogueEntry> = {
  'kernel-overwrite': {
    severity: 'error',
    group: 'history',
    title: 'the kernel wrote its stale LMB table over the hypervisor\'s data',
    description:
      'A memory DLPAR made the kernel rewrite ibm,dynamic-memory(-v2) from its in-kernel LMB table (drmem_update_dt), and LMBs the DLPAR did not touch got the kernel\'s stale values back instead of the hypervisor\'s post-LPM ones. aa indexes: kernels before 5.15 keep the ones read at boot (5.15+ copies the hypervisor\'s, d144f4d5a8a8). Flags: every kernel keeps the ones read at boot, so a flag the hypervisor changed (DRC_INVALID, HOTREMOVABLE, RESERVED...) is reverted by the next DLPAR even on 5.15+. drmgr\'s NUMA-aware removal, lparnumascore and lsslot then decide on wrong data. What to do: treat the node/flags shown for these LMBs as wrong; for aa indexes use a 5.15+ kernel (or a backport); a reboot rebuilds the tree from firmware.',
  },
  'hypervisor-update': {
    severity: 'info',
    group: 'history',
    title: 'the hypervisor rewrote the memory description (LPM or PRRN)',
    description:
      'Between two snapshots the LMB aa indexes/flags or the lookup arrays changed in a way only firmware does (aa indexes/flags changed with no DLPAR, or to values the kernel\'s table never held; arrays changed in place or appended with no hot-added LMB using them; a non-canonical v2 layout; the LMB set changed). Usually a Live Partition Migration. Linux does not move memory between nodes afterwards, so node-mismatch findings are expected from here on.',
  },
  'update-dlpar-same-interval': {
    severity: 'info',
    group: 'history',
    title: 'a hypervisor update and a memory DLPAR between the same two snapshots',
    description:
      'If the DLPAR ran after the update, the kernel\'s rewrite replaced the hypervisor\'s flags (every kernel) and aa indexes (before 5.15) with its own table\'s, and where that changed nothing visible the tree cannot show it: those values cannot be checked. What to do: capture between the LPM and the next DLPAR (drscope hook install takes one after every LPM).',
  },
  'rewrite-v1-reserved-zeroed': {
    severity: 'info',
    group: 'fingerprint',
    title: 'v1 reserved cells zeroed: the kernel rewrote ibm,dynamic-memory',
    description: 'drmem_update_dt_v1 (4.16+) builds the property in a zero-filled buffer and never copies the reserved cell. Reserved cells that were non-zero and are now 0 show a kernel rewrite (a memory DLPAR) in this interval. Informational.',
  },
  'rewrite-v2-regrouped': {
    severity: 'info',
    group: 'fingerprint',
    title: 'v2 sets regrouped into aa/flags runs: the kernel rewrote ibm,dynamic-memory-v2',
    description: 'drmem_update_dt_v2 re-encodes the LMBs as runs of equal (aa index, flags), merging adjacent sets firmware kept apart (one set per DIMM). A property that went from non-canonical to canonical was written by the kernel. Informational.',
  },
  'rewrite-assigned-without-hotremovable': {
    severity: 'info',
    group: 'fingerprint',
    title: 'LMBs marked ASSIGNED without HOTREMOVABLE where firmware sets both: added by kernel DLPAR',
    description: 'DLPAR add only sets ASSIGNED; DLPAR remove only clears it. Firmware that marks its DIMM LMBs ASSIGNED|HOTREMOVABLE never writes ASSIGNED alone or HOTREMOVABLE alone, so those LMBs were added or removed by the kernel since boot. Informational.',
  },
  'rewrite-lookup-appended': {
    severity: 'info',
    group: 'fingerprint',
    title: 'associativity lookup arrays grew at the end: appended by kernel DLPAR',
    description: 'On DLPAR add the kernel looks the new LMB\'s associativity up in ibm,associativity-lookup-arrays and, when absent, appends it at the end (find_aa_index). Credited to the kernel only when every appended array is the aa index of an LMB hot-added in the same interval; arrays appended otherwise are the hypervisor\'s (hypervisor-update, lookup-appended-by-hypervisor), except arrays no LMB uses in an interval without a visible DLPAR: a DLPAR remove sets the aa index to 0xffffffff, so an add and a remove of the same LMB leave exactly that, and the step counts it as a kernel rewrite sign (kind lookup-appended-unused; no finding of its own, kernel-overwrite at most likely). Informational.',
  },
  'node-mismatch': {
    severity: 'warning',
    group: 'numa',
    title: 'device-tree node differs from the sysfs node of the memory block',
    description:
      'The NUMA node the device tree implies for an LMB (aa index -> lookup array -> primary domain) differs from the node Linux put the memory block on. Expected after an LPM on any kernel: Linux never re-homes memory. It means NUMA-aware tools (drmgr removal by node, lparnumascore) decide on the device-tree node, not where the memory really is. What to do: nothing is broken by itself; to re-home, remove and re-add the memory (DLPAR) or reboot.',
  },
  'duplicate-drc-index': {
    severity: 'error',
    group: 'integrity',
    title: 'two LMBs share a DRC index',
    description: 'DLPAR by index and drmgr pick the first LMB with an index; the other is unreachable. Firmware never does this; suspect a corrupt or hand-edited property.',
  },
  'overlapping-lmbs': {
    severity: 'error',
    group: 'integrity',
    title: 'LMB address ranges overlap',
    description: 'Two LMBs claim the same memory. Firmware never does this; suspect a corrupt property or a wrong ibm,lmb-size.',
  },
  'ai-invalid-with-index': {
    severity: 'warning',
    group: 'integrity',
    title: 'AI_INVALID set on an LMB with a usable aa index',
    description: 'Linux ignores the aa index when AI_INVALID (0x40) is set and gives the LMB no node; the index is meaningless. Check which of the two the firmware meant.',
  },
  'assigned-without-block': {
    severity: 'warning',
    group: 'integrity',
    title: 'ASSIGNED LMB without a sysfs memory block',
    description: 'The device tree says the partition owns the LMB but Linux has no memory block for it. Either the snapshot was taken in the middle of a DLPAR (the tree is updated once at the end) or the DLPAR failed half-way. Retake the snapshot; if it persists, check dmesg for pseries-hotplug-mem errors.',
  },
  'block-without-lmb': {
    severity: 'warning',
    group: 'integrity',
    title: 'sysfs memory block for an LMB the device tree does not mark ASSIGNED',
    description: 'Linux has memory where the device tree says the partition has none. Mid-DLPAR snapshot, or the tree was overwritten (ASSIGNED lost). lsslot/drmgr will not see this memory as removable.',
  },
  'history-order': {
    severity: 'warning',
    group: 'capture',
    title: 'snapshots are not in time order',
    description: 'The capture times of the sources go backwards. audit sorts the sources by capture time when every source has one (unless --keep-order); otherwise it reads them in the order given: pass them oldest first.',
  },
  'history-capture-unreadable': {
    severity: 'warning',
    group: 'capture',
    title: 'a capture in the LPM hook\'s spool could not be read and was left out',
    description:
      'audit --history reads every capture the hook took; one that is truncated or damaged (a full disk during the hook, a copy cut short) is left out and the rest of the history is audited without it. The message names the file and what is wrong with it. What to do: check the spool directory\'s free space; an interval that spans the missing capture has less evidence (an overwrite may show as likely instead of certain).',
  },
  'reboot-between': {
    severity: 'info',
    group: 'capture',
    title: 'the system rebooted between two snapshots',
    description: 'The boot-time FDTs differ (or, when a side has none, /chosen properties written once per boot do: bootargs, linux,initrd-start/end, linux,kernel-end, …), so the kernel re-read the tree from firmware; changes across this interval are not compared for kernel overwrites.',
  },
};

/** Add a code (for checks registered by other modules). An existing code keeps its entry. */
export function registerCode(code: string, entry: CatalogueEntry): void {
  if (!(code in catalogue)) catalogue[code] = entry;
}

/** Decoder/model findings passed through by the integrity check keep their own severity. */
export function severityOf(code: string, fallback: SeverityName): SeverityName {
  return catalogue[code]?.severity ?? fallback;
}
