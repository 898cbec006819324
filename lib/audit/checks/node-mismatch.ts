// node-mismatch: the node the device tree implies for an LMB differs from the node
// of its sysfs memory block. Checked on the newest snapshot that has a sysfs view
// (the current state); Linux never re-homes memory, so this is expected after an LPM.
import type { Finding } from '../../model/finding.js';
import { LmbFlag } from '../../model/lmb.js';
import { anyBlocksListed, blockNodeAt, hasBlock, NO_NODE } from '../../model/lmb-columns.js';
import { drcRange, drcRuns, type AuditCheck, type AuditContext } from '../types.js';

export const nodeMismatchCheck: AuditCheck = {
  id: 'node-mismatch',
  codes: ['node-mismatch'],
  run(ctx: AuditContext): Finding[] {
    const snap = [...ctx.snapshots].reverse().find((s) => s.origin === 'tree' && anyBlocksListed(s.table));
    if (!snap) return [];
    // runs of consecutive LMBs with the same (dt node, sysfs node)
    const runs: Array<{ first: number; last: number; dt: number; sysfs: number; count: number }> = [];
    const lmbs: number[] = [];
    const t = snap.table;
    for (let k = 0; k < t.count; k++) {
      const node = t.node[k]!;
      if (!(t.flags[k]! & LmbFlag.ASSIGNED) || !hasBlock(t, k) || node === NO_NODE) continue;
      const sysNode = blockNodeAt(t, k);
      if (sysNode === null || sysNode === node) continue;
      const drcIndex = t.drc[k]!;
      lmbs.push(drcIndex);
      const r = runs[runs.length - 1];
      if (r && r.dt === node && r.sysfs === sysNode && drcIndex === r.last + 1) {
        r.last = drcIndex;
        r.count++;
      } else runs.push({ first: drcIndex, last: drcIndex, dt: node, sysfs: sysNode, count: 1 });
    }
    if (!lmbs.length) return [];
    const shown = runs.slice(0, 6).map((r) => `LMB ${drcRange(r.first, r.last)}: device tree node ${r.dt}, sysfs node ${r.sysfs}`);
    return [
      {
        code: 'node-mismatch',
        severity: 'warning',
        confidence: 'certain',
        lmbs,
        message:
          `${snap.label}: ${lmbs.length} LMB(s) sit on a different NUMA node in sysfs than the device tree says (${shown.join('; ')}${runs.length > 6 ? '; …' : ''}). ` +
          `Linux never moves memory between nodes, so after an LPM this is expected on any kernel; but drmgr's NUMA-aware removal and lparnumascore use the device-tree node for LMB ${drcRuns(lmbs, 4)}. To re-home the memory, remove and re-add it (DLPAR) or reboot.`,
        evidence: { snapshot: snap.label, runs: runs.map((r) => ({ first: `0x${r.first.toString(16)}`, last: `0x${r.last.toString(16)}`, count: r.count, deviceTreeNode: r.dt, sysfsNode: r.sysfs })) },
      },
    ];
  },
};
