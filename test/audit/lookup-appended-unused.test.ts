// Lookup arrays appended at the end that no LMB of the later snapshot uses. The kernel appends
// an array only in a DLPAR add (find_aa_index, hotplug-memory.c) and a DLPAR remove sets the
// LMB's aa index to 0xffffffff, so an add and a remove of the same LMB between two snapshots
// leave exactly this: an array nobody uses and no visible DLPAR. Found on the real kernel
// (samples/real-lpm-drop-node: the LPM dropped node 1's array, the hot-add on node 1 appended
// it again, the hot-remove left it unused); audit used to call such an array the hypervisor's
// and so lost the kernel overwrite of that interval.
import { describe, expect, it } from 'vitest';
import { auditSnapshots } from '../../lib/audit/audit.js';
import type { Snapshot } from '../../lib/diff/diff.js';
import { blocksFor, D, run, snap, type SynLmb, type SynSpec } from './helpers.js';

const NONE = 0xffffffff;
const A0 = [[0], [1]];
const A3 = [[0], [1], [2]];
// 2 reserved, 80000002-5 on node 1, 80000006-7 on node 0, 80000008-b free
const boot = (): SynLmb[] => [...run(0, 2, NONE, 0xa0), ...run(2, 4, 1, 8), ...run(6, 2, 0, 8), ...run(8, 4, NONE, 0)];
const mk = (label: string, lmbs: SynLmb[], arrays = A0, extra: Partial<SynSpec> = {}): Snapshot => snap({ label, lmbs, arrays, ...extra, sysfs: blocksFor(boot(), A0) });
// the LPM: free 80000008-9 HOTREMOVABLE, 8000000b DRC_INVALID (the kernel's table keeps 0)
const lpm = () => boot().map((l) => (l.drc === D(8) || l.drc === D(9) ? { ...l, flags: 0x100 } : l.drc === D(11) ? { ...l, flags: 0x20 } : l));

describe('lookup arrays appended that no LMB uses', () => {
  it('no DLPAR in sight: a hidden add + remove (kernel), so values back at the table are a likely kernel overwrite, not a hypervisor update', () => {
    const r = auditSnapshots([mk('boot', boot(), A0, { origin: 'boot-fdt' }), mk('lpm', lpm()), mk('add+del', boot(), A3)]);
    const st = r.steps[r.steps.length - 1]!;
    expect(st.kernelRewrite.map((e) => e.kind)).toEqual(['lookup-appended-unused']);
    expect(st.hypervisorUpdate).toEqual([]);
    const ko = r.findings.filter((f) => f.code === 'kernel-overwrite');
    expect(ko.map((f) => [f.severity, f.confidence, f.evidence?.basis, f.lmbs])).toEqual([['error', 'likely', 'fingerprint-only', [D(8), D(9), D(11)]]]);
    expect(ko[0]!.message).toContain('lookup-appended-unused');
    expect(r.findings.filter((f) => f.code === 'hypervisor-update' && f.evidence?.step === st.index)).toEqual([]);
  });

  it('no DLPAR in sight and values the kernel\'s table never held: still the hypervisor\'s', () => {
    const moved = boot().map((l) => (l.drc === D(8) ? { ...l, flags: 0x100 } : l));
    const r = auditSnapshots([mk('boot', boot(), A0, { origin: 'boot-fdt' }), mk('pre', boot()), mk('lpm', moved, A3)]);
    expect(r.findings.filter((f) => f.code === 'kernel-overwrite')).toEqual([]);
    expect(r.findings.filter((f) => f.code === 'hypervisor-update').map((f) => f.lmbs)).toEqual([[D(8)]]);
  });

  it('an appended array an LMB that was not hot-added uses is the hypervisor\'s', () => {
    const r = auditSnapshots([mk('boot', boot(), A0, { origin: 'boot-fdt' }), mk('lpm', boot().map((l) => (l.drc === D(6) ? { ...l, aa: 2 } : l)), A3)]);
    expect(r.steps[0]!.hypervisorUpdate.map((e) => e.kind)).toContain('lookup-appended-by-hypervisor');
    expect(r.steps[0]!.kernelRewrite).toEqual([]);
  });
});
