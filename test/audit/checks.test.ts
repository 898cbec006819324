// Every audit finding code, positive and negative, on synthetic histories built
// with the kernel's own rewrite rules (lib/model/kernel-rewrite.ts encoders).
import { describe, expect, it } from 'vitest';
import { auditExitCode, auditSnapshots, timeOrder } from '../../lib/audit/audit.js';
import { catalogue } from '../../lib/audit/catalogue.js';
import type { Snapshot } from '../../lib/diff/diff.js';
import type { Source } from '../../lib/dt/source.js';
import { emptyFileView } from '../../lib/dt/file-view.js';
import { blocksFor, D, run, snap, type SynLmb, type SynSpec } from './helpers.js';

const NONE = 0xffffffff;
const A0 = [[0], [1]];
// boot: 2 reserved, 80000002-5 on node 1 (aa 1), 80000006-7 on node 0 (aa 0), 4 free
const bootLmbs = (): SynLmb[] => [...run(0, 2, NONE, 0xa0), ...run(2, 4, 1, 8), ...run(6, 2, 0, 8), ...run(8, 4, NONE, 0)];
const withAa = (lmbs: SynLmb[], changes: Record<number, number>): SynLmb[] => lmbs.map((l) => (changes[l.drc] !== undefined ? { ...l, aa: changes[l.drc]! } : l));
const add = (lmbs: SynLmb[], drcs: number[], aa: number): SynLmb[] => lmbs.map((l) => (drcs.includes(l.drc) ? { ...l, aa, flags: l.flags | 8 } : l));
const mk = (label: string, lmbs: SynLmb[], arrays = A0, extra: Partial<SynSpec> = {}): Snapshot => snap({ label, lmbs, arrays, ...extra, sysfs: 'sysfs' in extra ? extra.sysfs : blocksFor(lmbs, arrays) });
const codes = (s: Snapshot[]) => auditSnapshots(s).findings.map((f) => f.code);
const byCode = (s: Snapshot[], code: string) => auditSnapshots(s).findings.filter((f) => f.code === code);
const sorted = (xs: readonly number[] | undefined) => [...(xs ?? [])].sort((a, b) => a - b);

// LPM: 80000004-5 re-homed to node 0 (aa 1 -> 0), 80000006-7 to node 1 (aa 0 -> 1)
const lpmAa = { [D(4)]: 0, [D(5)]: 0, [D(6)]: 1, [D(7)]: 1 };

describe('kernel-overwrite', () => {
  const boot = bootLmbs();
  const lpm = withAa(boot, lpmAa);
  // sysfs never moves: keep the boot nodes
  const sys = blocksFor(boot, A0);

  it('certain: DLPAR after LPM puts the boot aa indexes back on untouched LMBs', () => {
    const afterAdd = add(boot, [D(8), D(9)], 1); // pre-5.15: stale boot values for 4-7
    const s = [mk('boot', boot, A0, { origin: 'boot-fdt' }), mk('lpm', lpm, A0, { sysfs: sys }), mk('add', afterAdd, A0, { sysfs: { ...sys, 8: 1, 9: 1 } })];
    const f = byCode(s, 'kernel-overwrite');
    expect(f).toHaveLength(1);
    expect(f[0]!.confidence).toBe('certain');
    expect(f[0]!.severity).toBe('error');
    expect(sorted(f[0]!.lmbs)).toEqual([D(4), D(5), D(6), D(7)]);
    expect(f[0]!.evidence?.step).toBe(2);
  });

  it('none on a 5.15+ kernel: the rewrite keeps the hypervisor values', () => {
    const afterAdd = add(lpm, [D(8), D(9)], 1);
    const s = [mk('boot', boot, A0, { origin: 'boot-fdt' }), mk('lpm', lpm, A0, { sysfs: sys }), mk('add', afterAdd, A0, { sysfs: { ...sys, 8: 1, 9: 1 } })];
    expect(codes(s)).not.toContain('kernel-overwrite');
    expect(codes(s)).toContain('hypervisor-update');
    expect(codes(s)).toContain('node-mismatch');
  });

  it('none for plain DLPAR histories (the kernel writes what it changed)', () => {
    const a1 = add(bootLmbs(), [D(8), D(9)], 1);
    const a2 = a1.map((l) => (l.drc === D(2) ? { ...l, aa: NONE, flags: 0 } : l));
    expect(codes([mk('boot', bootLmbs()), mk('a1', a1), mk('a2', a2)])).not.toContain('kernel-overwrite');
  });

  it('no boot FDT: untouched LMBs changing to values never seen are possible (likely when they return to their sysfs node)', () => {
    // the first snapshot stands in for the kernel's table; D(3) moves away from its sysfs node 1
    const odd = add(withAa(boot, { [D(3)]: 0 }), [D(8)], 1);
    const f = byCode([mk('s0', boot), mk('s1', odd, A0, { sysfs: { ...sys, 8: 1 } })], 'kernel-overwrite');
    expect(f.map((x) => [x.confidence, x.severity, x.lmbs, x.evidence?.basis, x.evidence?.kernelBaseline])).toEqual([['possible', 'warning', [D(3)], 'unknown-table', 'first-snapshot']]);
    expect(f[0]!.message).toContain('a reboot between the snapshots, which cannot be excluded without boot-time FDTs');
    // the first snapshot already post-LPM (D(4-7) elsewhere than sysfs says), the DLPAR puts them back: likely
    const back = byCode([mk('s0', lpm, A0, { sysfs: sys }), mk('s1', add(boot, [D(8)], 1), A0, { sysfs: { ...sys, 8: 1 } })], 'kernel-overwrite');
    expect(back.map((x) => [x.confidence, sorted(x.lmbs), x.evidence?.basis])).toEqual([['likely', [D(4), D(5), D(6), D(7)], 'unknown-table-cured']]);
  });

  it('no boot FDT: after a DLPAR with nothing else in its interval the tree is the table, so a later value it never held is the hypervisor\'s', () => {
    // s0 (no boot FDT) -> clean DLPAR add of D(8) -> LPM re-homes D(6-7) (aa 0 -> 1) + DLPAR add of D(9), 5.15+
    const a1 = add(boot, [D(8)], 1);
    const lpmAdd = add(withAa(a1, { [D(6)]: 1, [D(7)]: 1 }), [D(9)], 1);
    const s = [mk('s0', boot), mk('a1', a1, A0, { sysfs: { ...sys, 8: 1 } }), mk('lpm+add', lpmAdd, A0, { sysfs: { ...sys, 8: 1, 9: 1 } })];
    const r = auditSnapshots(s);
    expect(r.findings.filter((f) => f.code === 'kernel-overwrite')).toEqual([]);
    expect(r.findings.filter((f) => f.code === 'hypervisor-update').map((f) => sorted(f.lmbs))).toEqual([[D(6), D(7)]]);
    expect(r.steps.map((st) => st.kernel?.kernelBaseline)).toEqual(['first-snapshot', 'kernel-rewrite']);
    // without the clean DLPAR in between the table stays unknown: possible
    const direct = byCode([mk('s0', boot), mk('lpm+add', lpmAdd, A0, { sysfs: { ...sys, 8: 1, 9: 1 } })], 'kernel-overwrite');
    expect(direct.map((f) => [f.confidence, f.evidence?.basis])).toEqual([['possible', 'unknown-table']]);
    // once known, values written back to it are certain (pre-5.15: LPM, then a DLPAR puts aa 0 back)
    const lpmOnly = withAa(a1, { [D(6)]: 1, [D(7)]: 1 });
    const back = byCode([mk('s0', boot), mk('a1', a1, A0, { sysfs: { ...sys, 8: 1 } }), mk('lpm', lpmOnly, A0, { sysfs: { ...sys, 8: 1 } }), mk('add', add(a1, [D(9)], 1), A0, { sysfs: { ...sys, 8: 1, 9: 1 } })], 'kernel-overwrite');
    expect(back.map((f) => [f.confidence, sorted(f.lmbs), f.evidence?.kernelBaseline])).toEqual([['certain', [D(6), D(7)], 'kernel-rewrite']]);
    // first snapshot already post-LPM: the first DLPAR's write-back is unknown-table-cured, the
    // table becomes known only at the next clean DLPAR, and a new value after that is the hypervisor's
    const h = [mk('s0', lpm, A0, { sysfs: sys }), mk('a1', a1, A0, { sysfs: { ...sys, 8: 1 } }), mk('a2', add(a1, [D(9)], 1), A0, { sysfs: { ...sys, 8: 1, 9: 1 } })];
    const later = add(withAa(add(a1, [D(9)], 1), { [D(2)]: 0 }), [D(10)], 1);
    const r2 = auditSnapshots([...h, mk('lpm+add', later, A0, { sysfs: { ...sys, 8: 1, 9: 1, 10: 1 } })]);
    expect(r2.steps.map((st) => st.kernel?.kernelBaseline)).toEqual(['first-snapshot', 'first-snapshot', 'kernel-rewrite']);
    expect(r2.findings.filter((f) => f.code === 'kernel-overwrite').map((f) => [f.confidence, f.evidence?.basis, f.evidence?.step])).toEqual([['likely', 'unknown-table-cured', 1]]);
    expect(r2.findings.filter((f) => f.code === 'hypervisor-update' && f.evidence?.step === 3).map((f) => f.lmbs)).toEqual([[D(2)]]);
  });

  it('boot FDT: a value the kernel\'s table never held is the hypervisor\'s, never an overwrite (LPM + DLPAR in one interval, either order)', () => {
    const b = mk('boot', boot, A0, { origin: 'boot-fdt' });
    // 5.15+: the LPM re-homes D(6-7) (aa 0 -> 1, arrays unchanged), the DLPAR keeps the new index
    const lpmThenAdd = add(withAa(boot, { [D(6)]: 1, [D(7)]: 1 }), [D(8), D(9)], 1);
    for (const s of [[b, mk('pre', boot), mk('post', lpmThenAdd, A0, { sysfs: { ...sys, 8: 1, 9: 1 } })], [b, mk('post', lpmThenAdd, A0, { sysfs: { ...sys, 8: 1, 9: 1 } })]]) {
      const r = auditSnapshots(s);
      expect(r.findings.filter((f) => f.code === 'kernel-overwrite')).toEqual([]);
      const hv = r.findings.filter((f) => f.code === 'hypervisor-update');
      expect(hv.map((f) => sorted(f.lmbs))).toEqual([[D(6), D(7)]]);
      expect(r.steps[r.steps.length - 1]!.hypervisorUpdate.map((e) => e.kind)).toEqual(['lmbs-new-values']);
      expect(r.findings.map((f) => f.code)).toContain('update-dlpar-same-interval');
      expect(r.findings.find((f) => f.code === 'kernel-overwrite')?.message ?? '').not.toContain('are lost');
    }
    // the hypervisor wrote last (its flags on D(10), not the table's): nothing in the interval is the kernel's write
    const hvLast = add(withAa(boot, { [D(6)]: 0 }), [D(8)], 1).map((l) => (l.drc === D(10) ? { ...l, flags: 0x100 } : l));
    const lpmFirst = mk('lpm', withAa(boot, { [D(6)]: 1 }), A0, { sysfs: sys });
    expect(byCode([b, lpmFirst, mk('x', hvLast, A0, { sysfs: { ...sys, 8: 1 } })], 'kernel-overwrite')).toEqual([]);
    // the same without the hypervisor's flag: D(6) went back to the table's value, certain
    const kLast = add(withAa(boot, { [D(6)]: 0 }), [D(8)], 1);
    expect(byCode([b, lpmFirst, mk('x', kLast, A0, { sysfs: { ...sys, 8: 1 } })], 'kernel-overwrite').map((f) => [f.confidence, f.lmbs])).toEqual([['certain', [D(6)]]]);
  });

  it('a DLPAR before a hypervisor update in one interval: when the property shows the hypervisor wrote last (non-canonical v2), nothing is the kernel\'s write', () => {
    const b = mk('boot', boot, A0, { origin: 'boot-fdt' });
    const lpmFirst = mk('lpm', withAa(boot, { [D(6)]: 1 }), A0, { sysfs: sys });
    const final = add(boot, [D(8)], 1);
    const sysAdd = { ...sys, 8: 1 };
    // canonical (as drmem_update_dt_v2 writes it): D(6) went back to the table's aa 0, certain
    const canon = auditSnapshots([b, lpmFirst, mk('add', final, A0, { sysfs: sysAdd })]);
    expect(canon.findings.filter((f) => f.code === 'kernel-overwrite').map((f) => [f.confidence, f.lmbs])).toEqual([['certain', [D(6)]]]);
    // the same LMBs with the 80000002-5 run split in two: firmware wrote it, after the DLPAR
    const sets: Array<[number, bigint, number, number, number]> = [[2, 0n, D(0), NONE, 0xa0], [2, 0x20000000n, D(2), 1, 8], [2, 0x40000000n, D(4), 1, 8], [2, 0x60000000n, D(6), 0, 8], [1, 0x80000000n, D(8), 1, 8], [3, 0x90000000n, D(9), NONE, 0]];
    const split = auditSnapshots([b, lpmFirst, mk('add+lpm', final, A0, { sysfs: sysAdd, v2Sets: sets })]);
    expect(split.findings.filter((f) => f.code === 'kernel-overwrite' || f.code === 'update-dlpar-same-interval')).toEqual([]);
    const hv = split.findings.filter((f) => f.code === 'hypervisor-update' && f.evidence?.step === 2);
    expect(hv.map((f) => f.lmbs)).toEqual([[D(6)]]);
    expect(hv[0]!.message).toContain("before the hypervisor's update, which wrote the LMB property last (its v2 sets are not the runs drmem_update_dt_v2 writes)");
  });

  it('a DLPAR before a hypervisor update in one interval: the table keeps its own flags for the DLPAR\'d LMBs, so the next DLPAR writing them back is an overwrite (real-lpm add, LPM, remove)', () => {
    // boot -> [add D(8); then the LPM sends HOTREMOVABLE on D(8) and 0x100 on free D(10), v2 split
    // per region] -> remove D(8): the kernel writes its table: D(8) 0x0 (it never held 0x108), D(10) 0x0
    const b = mk('boot', boot, A0, { origin: 'boot-fdt' });
    const sets: Array<[number, bigint, number, number, number]> = [[2, 0n, D(0), NONE, 0xa0], [2, 0x20000000n, D(2), 1, 8], [2, 0x40000000n, D(4), 1, 8], [2, 0x60000000n, D(6), 0, 8], [1, 0x80000000n, D(8), 1, 0x108], [1, 0x90000000n, D(9), NONE, 0], [1, 0xa0000000n, D(10), 0, 0x100], [1, 0xb0000000n, D(11), NONE, 0]];
    const mid = add(boot, [D(8)], 1).map((l) => (l.drc === D(8) ? { ...l, flags: 0x108 } : l.drc === D(10) ? { ...l, aa: 0, flags: 0x100 } : l));
    const addLpm = mk('add+lpm', mid, A0, { sysfs: { ...sys, 8: 1 }, v2Sets: sets });
    const removed = boot.map((l) => (l.drc === D(10) ? { ...l, aa: 0 } : l)); // 5.15+: D(10) keeps the LPM's aa index
    const r = auditSnapshots([b, addLpm, mk('remove', removed, A0, { sysfs: sys })]);
    expect(r.steps[0]!.kernel?.hypervisorLast).toBe(true);
    const ko = r.findings.filter((f) => f.code === 'kernel-overwrite');
    expect(ko.map((f) => [f.confidence, f.evidence?.basis, sorted(f.lmbs), f.evidence?.overwrote])).toEqual([['certain', 'clean-dlpar', [D(8), D(10)], ['flags']]]);
    // the DLPAR'd LMB is not said to be one "it did not add or remove"
    expect(ko[0]!.message).toContain('1 LMB(s) it did not add or remove and 1 it removed');
  });

  it('a migration back (arrays and aa indexes restored) plus a DLPAR in one interval: possible, not an error', () => {
    const R = [[1], [0]];
    const reindexed = withAa(boot, { [D(2)]: 0, [D(3)]: 0, [D(4)]: 0, [D(5)]: 0, [D(6)]: 1, [D(7)]: 1 });
    const s = [mk('boot', boot, A0, { origin: 'boot-fdt' }), mk('pre', boot), mk('there', reindexed, R, { sysfs: sys }), mk('back+add', add(boot, [D(8)], 1), A0, { sysfs: { ...sys, 8: 1 } })];
    const f = byCode(s, 'kernel-overwrite');
    expect(f.map((x) => [x.confidence, x.severity, x.evidence?.basis])).toEqual([['possible', 'warning', 'migration-back']]);
    expect(f[0]!.message).toContain('a migration back to the original system gives this same tree');
    // to other arrays instead: likely
    const other = [[1], [0], [2]];
    const s2 = [...s.slice(0, 3), mk('other+add', add(boot, [D(8)], 1), other, { sysfs: { ...sys, 8: 1 } })];
    const likely = byCode(s2, 'kernel-overwrite');
    expect(likely.map((x) => x.confidence)).toEqual(['likely']);
    // likely: the hypervisor may have sent these values itself, so they are not said to be lost for sure
    expect(likely[0]!.message).toContain('are probably lost');
    expect(likely[0]!.message).not.toMatch(/ are lost/);
  });

  it('flags: a non-ASSIGNED bit the DLPAR did not touch changing is an overwrite too', () => {
    const hv = boot.map((l) => (l.drc === D(10) ? { ...l, flags: 0x100 } : l));
    const after = add(boot, [D(8)], 1);
    const f = byCode([mk('boot', boot, A0, { origin: 'boot-fdt' }), mk('hv', hv), mk('add', after, A0, { sysfs: { ...sys, 8: 1 } })], 'kernel-overwrite');
    expect(f.map((x) => x.lmbs)).toEqual([[D(10)]]);
  });

  it('possible: LPM and DLPAR in one interval, stale indexes under re-ordered arrays', () => {
    const A1 = [[1], [0]]; // the destination numbers its domains the other way round
    const after = add(boot, [D(8)], 0); // pre-5.15: untouched LMBs keep 1/0, which now mean node 0/1
    const f = byCode([mk('pre', boot), mk('post', after, A1, { sysfs: { ...sys, 8: 1 } })], 'kernel-overwrite');
    expect(f).toHaveLength(1);
    expect(f[0]!.confidence).toBe('possible');
    expect(f[0]!.severity).toBe('warning');
    expect(sorted(f[0]!.lmbs)).toEqual([D(2), D(3), D(4), D(5), D(6), D(7)]);
  });

  it('not possible when the hypervisor re-indexed and the kernel kept it (5.15+)', () => {
    const A1 = [[1], [0]];
    const reindexed = withAa(boot, { [D(2)]: 0, [D(3)]: 0, [D(4)]: 0, [D(5)]: 0, [D(6)]: 1, [D(7)]: 1 });
    const after = add(reindexed, [D(8)], 0);
    expect(codes([mk('pre', boot), mk('post', after, A1, { sysfs: { ...sys, 8: 1 } })])).not.toContain('kernel-overwrite');
  });

  it('not possible when the arrays only changed above the node level', () => {
    const F1 = [
      [0, 0, 0, 0],
      [0, 0, 0, 1],
    ];
    const F1b = [
      [0, 0, 5, 0],
      [0, 0, 5, 1],
    ];
    const after = add(boot, [D(8)], 1);
    const s = [snap({ label: 'pre', lmbs: boot, arrays: F1, form: 1 }), snap({ label: 'post', lmbs: after, arrays: F1b, form: 1 })];
    expect(codes(s)).not.toContain('kernel-overwrite');
  });

  it('an LPM that changed the LMB count: the rewrite restores the boot set and stays certain', () => {
    const bigger = [...lpm, ...run(12, 2, NONE, 0)];
    const afterAdd = add(boot, [D(8)], 1);
    const r = auditSnapshots([mk('boot', boot, A0, { origin: 'boot-fdt' }), mk('lpm', bigger, A0, { sysfs: sys }), mk('add', afterAdd, A0, { sysfs: { ...sys, 8: 1 } })]);
    expect(r.steps[0]!.hypervisorUpdate.map((e) => e.kind)).toContain('lmb-set-changed');
    expect(r.steps[1]!.kernelRewrite.map((e) => e.kind)).toEqual(['dlpar', 'lmb-set-rewritten']);
    const f = r.findings.filter((x) => x.code === 'kernel-overwrite');
    expect(f.map((x) => [x.confidence, sorted(x.lmbs)])).toEqual([['certain', [D(4), D(5), D(6), D(7)]]]);
  });

  it('an ASSIGNED flip with the sysfs block unchanged is the hypervisor\'s, not a DLPAR', () => {
    // the hypervisor's post-LPM property clears ASSIGNED on 80000006-7 (PAPR: "present at boot")
    const hv = lpm.map((l) => (l.drc === D(6) || l.drc === D(7) ? { ...l, flags: 0 } : l));
    const r1 = auditSnapshots([mk('boot', boot, A0, { origin: 'boot-fdt' }), mk('lpm', hv, A0, { sysfs: sys })]);
    expect(r1.steps[0]!.added).toEqual([]);
    expect(r1.steps[0]!.removed).toEqual([]);
    expect(r1.findings.map((f) => f.code)).not.toContain('kernel-overwrite');
    // a later DLPAR: the pre-5.15 kernel writes its table back, ASSIGNED included
    const afterAdd = add(boot, [D(8)], 1);
    const r2 = auditSnapshots([mk('boot', boot, A0, { origin: 'boot-fdt' }), mk('lpm', hv, A0, { sysfs: sys }), mk('add', afterAdd, A0, { sysfs: { ...sys, 8: 1 } })]);
    expect(r2.steps[1]!.added).toEqual([D(8)]);
    const f = r2.findings.filter((x) => x.code === 'kernel-overwrite');
    expect(f.map((x) => [x.confidence, sorted(x.lmbs)])).toEqual([['certain', [D(4), D(5), D(6), D(7)]]]);
  });

  it('no visible DLPAR, every change a return to the kernel table: likely; with the original arrays (a migration back) only the hypervisor update', () => {
    const A1 = [[0], [1], [2]];
    const hv = withAa(boot, { [D(4)]: 2, [D(5)]: 2 });
    const base = [mk('boot', boot, A0, { origin: 'boot-fdt' }), mk('lpm', hv, A1, { sysfs: sys })];
    const f = byCode([...base, mk('later', boot, A1, { sysfs: sys })], 'kernel-overwrite');
    expect(f.map((x) => [x.confidence, sorted(x.lmbs), x.evidence?.basis, x.evidence?.overwrote])).toEqual([['likely', [D(4), D(5)], 'no-rewrite', ['aa-index']]]);
    expect(f[0]!.message).not.toContain('replaced the lookup arrays');
    expect(f[0]!.message).toContain('aa 2 → 1');
    // the kernel's changes are not the hypervisor's too
    const r = auditSnapshots([...base, mk('later', boot, A1, { sysfs: sys })]);
    expect(r.findings.filter((x) => x.code === 'hypervisor-update').map((x) => x.evidence?.step)).toEqual([1]);
    // lookup arrays back to the original ones too: a migration back, info only
    expect(byCode([...base, mk('later', boot, A0, { sysfs: sys })], 'kernel-overwrite')).toEqual([]);
    const sameArrays = [mk('boot', boot, A0, { origin: 'boot-fdt' }), mk('lpm', withAa(boot, lpmAa), A0, { sysfs: sys }), mk('later', boot, A0, { sysfs: sys })];
    const r2 = auditSnapshots(sameArrays);
    expect(r2.findings.filter((x) => x.code === 'kernel-overwrite')).toEqual([]);
    expect(r2.findings.filter((x) => x.code === 'hypervisor-update').map((x) => x.evidence?.step)).toEqual([1, 2]);
    expect(auditExitCode(r2.findings, 'warning')).toBe(0);
    // a different, new value is a hypervisor update, not a revert
    expect(byCode([...base, mk('later', withAa(boot, { [D(4)]: 0, [D(5)]: 0 }), A1, { sysfs: sys })], 'kernel-overwrite')).toEqual([]);
  });

  it('says per run what went back (aa index, flags, both) and lists every kind in evidence.overwrote', () => {
    const hv = withAa(boot, { [D(4)]: 0 }).map((l) => (l.drc === D(10) ? { ...l, flags: 0x100 } : l.drc === D(5) ? { ...l, aa: 0, flags: 0x108 } : l));
    const after = add(boot, [D(8)], 1);
    const f = byCode([mk('boot', boot, A0, { origin: 'boot-fdt' }), mk('hv', hv, A0, { sysfs: sys }), mk('add', after, A0, { sysfs: { ...sys, 8: 1 } })], 'kernel-overwrite');
    expect(f).toHaveLength(1);
    expect(f[0]!.evidence?.overwrote).toEqual(['aa-index', 'flags']);
    const runs = f[0]!.evidence?.runs as Array<{ first: string; overwrote: string[] }>;
    expect(runs.map((r) => [r.first, r.overwrote])).toEqual([
      ['0x80000004', ['aa-index']],
      ['0x80000005', ['flags', 'aa-index']],
      ['0x8000000a', ['flags']],
    ]);
    const m = f[0]!.message;
    expect(m).toContain("The hypervisor's aa indexes for LMB 80000004–80000005 are lost");
    expect(m).toContain("The hypervisor's flags for LMB 80000005, 8000000a are lost");
    expect(m).toContain('LMB 80000005: aa 0 → 1, node 0 → 1, flags 0x108 → 0x8 (aa index and flags written back)');
    // flags only: no claim about aa indexes
    const flagsOnly = byCode([mk('boot', boot, A0, { origin: 'boot-fdt' }), mk('hv', boot.map((l) => (l.drc === D(10) ? { ...l, flags: 0x100 } : l)), A0, { sysfs: sys }), mk('add', after, A0, { sysfs: { ...sys, 8: 1 } })], 'kernel-overwrite');
    expect(flagsOnly.map((x) => x.evidence?.overwrote)).toEqual([['flags']]);
    expect(flagsOnly[0]!.message).not.toContain('aa indexes for');
  });

  it('v1 reserved cells: zeroed firmware boot values are only the fingerprint; values the hypervisor set later are a (warning) overwrite; boot RAM named by address', () => {
    const v1boot = (): SynLmb[] => [...Array.from({ length: 2 }, (_, i) => ({ drc: 0, aa: NONE, flags: 0xa0, base: BigInt(i) * 0x10000000n })), ...run(2, 4, 1, 8), ...run(6, 2, 0, 8), ...run(8, 4, NONE, 0)];
    const fw = v1boot().map((l) => ({ ...l, reserved: 7 }));
    const v1 = { format: 'v1' as const };
    const dlparOnly = [mk('boot', fw, A0, { ...v1, origin: 'boot-fdt' }), mk('s0', fw, A0, v1), mk('add', add(v1boot(), [D(8)], 1), A0, { ...v1, sysfs: { ...sys, 8: 1 } })];
    const r = auditSnapshots(dlparOnly);
    expect(r.findings.map((f) => f.code)).toEqual(['rewrite-v1-reserved-zeroed']);
    expect(r.findings[0]!.lmbText).toBe('@0x0–0x1fffffff, 80000002–8000000b');
    expect(r.findings[0]!.message).toContain('(LMB @0x0–0x1fffffff, 80000002–8000000b)');
    // the hypervisor set reserved cells on 80000004-5 after boot: those are lost
    const lpmRes = v1boot().map((l) => (l.drc === D(4) || l.drc === D(5) ? { ...l, reserved: 1 } : l));
    const r2 = auditSnapshots([mk('boot', v1boot(), A0, { ...v1, origin: 'boot-fdt' }), mk('lpm', lpmRes, A0, v1), mk('add', add(v1boot(), [D(8)], 1), A0, { ...v1, sysfs: { ...sys, 8: 1 } })]);
    const ko = r2.findings.filter((f) => f.code === 'kernel-overwrite');
    expect(ko.map((f) => [f.severity, f.evidence?.overwrote, sorted(f.lmbs)])).toEqual([['warning', ['reserved-cell'], [D(4), D(5)]]]);
    // firmware's boot values, dropped by the first rewrite, sent again by the hypervisor (LPM) and
    // dropped by the next DLPAR: the second time they were the hypervisor's
    const again = auditSnapshots([...dlparOnly, mk('lpm', add(v1boot(), [D(8)], 1).map((l) => (l.drc === D(4) ? { ...l, reserved: 7 } : l)), A0, { ...v1, sysfs: { ...sys, 8: 1 } }), mk('add2', add(v1boot(), [D(8), D(9)], 1), A0, { ...v1, sysfs: { ...sys, 8: 1, 9: 1 } })]);
    expect(again.findings.filter((f) => f.code === 'kernel-overwrite').map((f) => [f.severity, f.evidence?.overwrote, f.lmbs])).toEqual([['warning', ['reserved-cell'], [D(4)]]]);
  });

  it('update-dlpar-same-interval: a hypervisor update and a DLPAR in one interval (the flags it set cannot be checked)', () => {
    const b = mk('boot', boot, A0, { origin: 'boot-fdt' });
    const both = mk('lpm+add', add(boot, [D(8)], 1), [[0], [1], [5]], { sysfs: { ...sys, 8: 1 } });
    const f = byCode([b, both], 'update-dlpar-same-interval');
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('info');
    expect(f[0]!.message).toContain('drscope hook install');
    expect(byCode([b, mk('add', add(boot, [D(8)], 1), A0, { sysfs: { ...sys, 8: 1 } })], 'update-dlpar-same-interval')).toEqual([]);
    expect(byCode([b, mk('lpm', boot, [[0], [1], [5]], { sysfs: sys })], 'update-dlpar-same-interval')).toEqual([]);
  });

  it('without boot FDTs, changed /chosen boot-time properties mark a reboot', () => {
    const enc = new TextEncoder();
    const chosen = (s: Snapshot, args: string) => {
      s.tree.root.children.get('chosen')!.setProp('bootargs', enc.encode(`${args}\0`));
      return s;
    };
    // QEMU marks hot-plugged DIMM LMBs ASSIGNED|HOTREMOVABLE after a reboot
    const fwAfterReboot = add(boot, [D(8)], 1).map((l) => (l.drc === D(6) ? { ...l, flags: 0x108 } : l));
    const s = [chosen(mk('a', boot), 'quiet'), chosen(mk('b', fwAfterReboot, A0, { sysfs: { ...sys, 8: 1 } }), 'quiet numa=on')];
    const r = auditSnapshots(s);
    expect(r.steps[0]!.reboot).toBe(true);
    expect(r.steps[0]!.rebootEvidence).toBe('/chosen bootargs differs');
    expect(r.findings.map((f) => f.code)).toEqual(['reboot-between']);
    expect(r.findings[0]!.message).toContain('/chosen bootargs differs');
    // with no boot FDT the new boot's first snapshot only stands in for its table: a later
    // DLPAR interval changing an untouched LMB to a value never seen is possible, not the hypervisor's
    const later = add(withAa(fwAfterReboot, { [D(3)]: 0 }), [D(9)], 1);
    const r3 = auditSnapshots([...s, chosen(mk('c', later, A0, { sysfs: { ...sys, 8: 1, 9: 1 } }), 'quiet numa=on')]);
    expect(r3.steps[1]!.kernel?.kernelBaseline).toBe('first-snapshot');
    expect(r3.findings.filter((f) => f.code === 'kernel-overwrite').map((f) => [f.confidence, f.lmbs, f.evidence?.basis])).toEqual([['possible', [D(3)], 'unknown-table']]);
    // the same /chosen: no reboot is seen; the unexplained flag change is only possible
    const same = auditSnapshots([chosen(mk('a', boot), 'quiet'), chosen(mk('b', fwAfterReboot, A0, { sysfs: { ...sys, 8: 1 } }), 'quiet')]);
    expect(same.steps[0]!.reboot).toBe(false);
    expect(same.findings.filter((f) => f.code === 'kernel-overwrite').map((f) => [f.confidence, f.lmbs])).toEqual([['possible', [D(6)]]]);
  });

  it('a reboot resets the kernel table: no overwrite across it', () => {
    const after = add(boot, [D(8)], 1);
    const s = [mk('lpm', lpm, A0, { bootId: 'a' }), mk('rebooted+add', after, A0, { bootId: 'b' })];
    expect(codes(s)).not.toContain('kernel-overwrite');
    expect(codes(s)).toContain('reboot-between');
  });

  it('reports once: later rewrites that keep the stale values add nothing', () => {
    const a1 = add(boot, [D(8)], 1);
    const a2 = add(a1, [D(9)], 1);
    const s = [mk('boot', boot, A0, { origin: 'boot-fdt' }), mk('lpm', lpm), mk('a1', a1), mk('a2', a2)];
    expect(byCode(s, 'kernel-overwrite')).toHaveLength(1);
  });
});

describe('hypervisor-update', () => {
  it('LMBs the hypervisor flagged DRC_INVALID keeping their DRC index are named by address and DRC, as the overwrite names them', () => {
    const boot = bootLmbs();
    const sys0 = blocksFor(boot, A0);
    const b = mk('boot', boot, A0, { origin: 'boot-fdt' });
    const inval = boot.map((l) => (l.drc === D(10) || l.drc === D(11) ? { ...l, flags: 0x20 } : l));
    const s = [b, mk('lpm', inval), mk('add', add(boot, [D(8)], 1), A0, { sysfs: { ...sys0, 8: 1 } })];
    const r = auditSnapshots(s);
    expect(r.findings.find((f) => f.code === 'hypervisor-update')!.lmbText).toBe('@0xa0000000–0xbfffffff (DRC 8000000a–8000000b)');
    expect(r.findings.find((f) => f.code === 'kernel-overwrite')!.lmbText).toBe('8000000a–8000000b');
    // QEMU boot RAM (DRC_INVALID, v2 expansion drc 0, 1): by address only
    expect(r.findings.find((f) => f.code === 'hypervisor-update')!.message).not.toContain('DRC 00000000');
    const ram = boot.map((l) => (l.drc === D(0) || l.drc === D(1) ? { ...l, drc: l.drc - D(0), base: BigInt(l.drc - D(0)) * 0x10000000n, flags: 0x20 } : l));
    const r2 = auditSnapshots([mk('boot', ram, A0, { origin: 'boot-fdt' }), mk('lpm', ram.map((l) => (l.flags === 0x20 ? { ...l, flags: 0x120 } : l)))]);
    expect(r2.findings.find((f) => f.code === 'hypervisor-update')!.lmbText).toBe('@0x0–0x1fffffff');
  });
  it('positive: aa indexes change with no DLPAR', () => {
    const f = byCode([mk('a', bootLmbs()), mk('b', withAa(bootLmbs(), lpmAa))], 'hypervisor-update');
    expect(f).toHaveLength(1);
    expect(sorted(f[0]!.lmbs)).toEqual([D(4), D(5), D(6), D(7)]);
  });
  it('positive: lookup arrays replaced in place', () => {
    expect(codes([mk('a', bootLmbs()), mk('b', bootLmbs(), [[0], [2]])])).toContain('hypervisor-update');
  });
  it('negative: a DLPAR alone', () => {
    expect(codes([mk('a', bootLmbs()), mk('b', add(bootLmbs(), [D(8)], 1))])).not.toContain('hypervisor-update');
  });
});

describe('rewrite fingerprints', () => {
  it('rewrite-v1-reserved-zeroed: non-zero reserved cells become 0 on a rewrite', () => {
    const fw = bootLmbs().map((l) => ({ ...l, reserved: 7 }));
    const after = add(bootLmbs(), [D(8)], 1);
    expect(codes([mk('fw', fw, A0, { format: 'v1' }), mk('k', after, A0, { format: 'v1' })])).toContain('rewrite-v1-reserved-zeroed');
    expect(codes([mk('fw', bootLmbs(), A0, { format: 'v1' }), mk('k', after, A0, { format: 'v1' })])).not.toContain('rewrite-v1-reserved-zeroed');
  });

  it('rewrite-v2-regrouped: firmware one-set-per-DIMM merged into runs', () => {
    const lmbs = [...run(0, 4, 1, 0x108), ...run(4, 4, 1, 0x108), ...run(8, 4, NONE, 0)];
    const fw: SynSpec['v2Sets'] = [
      [4, 0n, D(0), 1, 0x108],
      [4, 0x40000000n, D(4), 1, 0x108],
      [4, 0x80000000n, D(8), NONE, 0],
    ];
    const after = add(lmbs, [D(8)], 1);
    expect(codes([mk('fw', lmbs, A0, { v2Sets: fw }), mk('k', after)])).toContain('rewrite-v2-regrouped');
    expect(codes([mk('fw', lmbs), mk('k', after)])).not.toContain('rewrite-v2-regrouped');
  });

  it('rewrite-lookup-appended: arrays grown at the tail', () => {
    const after = add(bootLmbs(), [D(8)], 2);
    const f = byCode([mk('a', bootLmbs()), mk('b', after, [[0], [1], [2]], { sysfs: { ...blocksFor(bootLmbs(), A0), 8: 2 } })], 'rewrite-lookup-appended');
    expect(f).toHaveLength(1);
    expect(codes([mk('a', bootLmbs()), mk('b', bootLmbs(), [[0], [2]])])).not.toContain('rewrite-lookup-appended');
  });

  it('arrays appended without a hot-added LMB using them are the hypervisor\'s, not the kernel\'s', () => {
    const A3 = [[0], [1], [2]];
    const b = mk('boot', bootLmbs(), A0, { origin: 'boot-fdt' });
    const sys = blocksFor(bootLmbs(), A0);
    // LPM: the new array [2] for 80000006-7, no DLPAR
    const moved = withAa(bootLmbs(), { [D(6)]: 2, [D(7)]: 2 });
    const r = auditSnapshots([b, mk('pre', bootLmbs()), mk('lpm', moved, A3, { sysfs: sys })]);
    expect(r.steps[1]!.kernelRewrite).toEqual([]);
    expect(r.steps[1]!.hypervisorUpdate.map((e) => e.kind)).toEqual(['lookup-appended-by-hypervisor', 'lmbs-changed-without-dlpar']);
    expect(r.findings.map((f) => f.code)).not.toContain('rewrite-lookup-appended');
    // the same LPM plus a DLPAR add on node 0 (index 0) in one interval: still the hypervisor's, and no overwrite
    const both = add(moved, [D(8)], 0);
    const r2 = auditSnapshots([b, mk('pre', bootLmbs()), mk('lpm+add', both, A3, { sysfs: { ...sys, 8: 0 } })]);
    expect(r2.steps[1]!.kernelRewrite.map((e) => e.kind)).toEqual(['dlpar']);
    expect(r2.findings.map((f) => f.code)).not.toContain('kernel-overwrite');
    expect(r2.findings.map((f) => f.code)).not.toContain('rewrite-lookup-appended');
    // a pre-5.15 kernel writing back 80000006-7's stale index: nothing visible, but the unused array says the hypervisor was here
    const r3 = auditSnapshots([b, mk('pre', bootLmbs()), mk('lpm+add', add(bootLmbs(), [D(8)], 0), A3, { sysfs: { ...sys, 8: 0 } })]);
    expect(r3.findings.map((f) => f.code).sort()).toEqual(['hypervisor-update', 'update-dlpar-same-interval']);
  });

  it('rewrite-assigned-without-hotremovable: ASSIGNED alone where firmware sets both', () => {
    const fw = [...run(0, 4, 1, 0x108), ...run(4, 4, NONE, 0)];
    const after = add(fw, [D(4)], 1);
    const f = byCode([mk('fw', fw), mk('k', after)], 'rewrite-assigned-without-hotremovable');
    expect(f.map((x) => x.lmbs)).toEqual([[D(4)]]);
    // QEMU v1 style firmware (ASSIGNED only) proves nothing
    const v1fw = [...run(0, 4, 1, 0x8), ...run(4, 4, NONE, 0)];
    expect(codes([mk('fw', v1fw), mk('k', add(v1fw, [D(4)], 1))])).not.toContain('rewrite-assigned-without-hotremovable');
  });
});

describe('node-mismatch', () => {
  it('positive: DT node differs from the sysfs node (after an LPM)', () => {
    const lmbs = withAa(bootLmbs(), lpmAa);
    const f = byCode([mk('now', lmbs, A0, { sysfs: blocksFor(bootLmbs(), A0) })], 'node-mismatch');
    expect(f).toHaveLength(1);
    expect(sorted(f[0]!.lmbs)).toEqual([D(4), D(5), D(6), D(7)]);
    expect(f[0]!.evidence?.runs).toEqual([
      { first: '0x80000004', last: '0x80000005', count: 2, deviceTreeNode: 0, sysfsNode: 1 },
      { first: '0x80000006', last: '0x80000007', count: 2, deviceTreeNode: 1, sysfsNode: 0 },
    ]);
  });
  it('negative: nodes agree / no sysfs view', () => {
    expect(codes([mk('now', bootLmbs())])).not.toContain('node-mismatch');
    expect(codes([snap({ label: 'dtb', lmbs: withAa(bootLmbs(), lpmAa), arrays: A0 })])).not.toContain('node-mismatch');
  });
});

describe('integrity', () => {
  it('duplicate-drc-index', () => {
    const lmbs = bootLmbs().map((l, i) => (i === 9 ? { ...l, drc: D(8), base: 9n * 0x10000000n } : l));
    expect(codes([mk('x', lmbs, A0, { format: 'v1' })])).toContain('duplicate-drc-index');
    expect(codes([mk('x', bootLmbs(), A0, { format: 'v1' })])).not.toContain('duplicate-drc-index');
  });
  it('overlapping-lmbs', () => {
    const lmbs = bootLmbs().map((l, i) => (i === 9 ? { ...l, base: 8n * 0x10000000n + 0x1000n } : l));
    expect(codes([mk('x', lmbs, A0, { format: 'v1' })])).toContain('overlapping-lmbs');
    expect(codes([mk('x', bootLmbs(), A0, { format: 'v1' })])).not.toContain('overlapping-lmbs');
  });
  it('ai-invalid-with-index', () => {
    const lmbs = bootLmbs().map((l) => (l.drc === D(2) ? { ...l, flags: 0x48 } : l));
    expect(codes([mk('x', lmbs)])).toContain('ai-invalid-with-index');
    const ok = bootLmbs().map((l) => (l.drc === D(8) ? { ...l, flags: 0x40 } : l));
    expect(codes([mk('x', ok)])).not.toContain('ai-invalid-with-index');
  });
  it('assigned-without-block and block-without-lmb', () => {
    const sys = blocksFor(bootLmbs(), A0);
    const { 2: _gone, ...missing } = sys;
    expect(byCode([mk('x', bootLmbs(), A0, { sysfs: missing })], 'assigned-without-block').map((f) => f.lmbs)).toEqual([[D(2)]]);
    expect(byCode([mk('x', bootLmbs(), A0, { sysfs: { ...sys, 9: 0 } })], 'block-without-lmb').map((f) => f.lmbs)).toEqual([[D(9)]]);
    const clean = codes([mk('x', bootLmbs())]);
    expect(clean).not.toContain('assigned-without-block');
    expect(clean).not.toContain('block-without-lmb');
    // a boot FDT (no sysfs) never reports block problems
    expect(codes([snap({ label: 'dtb', lmbs: bootLmbs(), arrays: A0 })])).not.toContain('assigned-without-block');
  });
  it('passes model findings through (aa index beyond the arrays, unknown flags), once per history', () => {
    const lmbs = bootLmbs().map((l) => (l.drc === D(2) ? { ...l, aa: 5 } : l.drc === D(9) ? { ...l, flags: 0x1000 } : l));
    const sysfs = blocksFor(bootLmbs(), A0);
    const c = codes([mk('a', lmbs, A0, { sysfs }), mk('b', lmbs, A0, { sysfs })]);
    expect(c.filter((x) => x === 'aa-index-out-of-range')).toHaveLength(1);
    expect(c.filter((x) => x === 'unknown-lmb-flags')).toHaveLength(1);
  });
});

describe('capture checks', () => {
  const withTime = (s: Snapshot, at: string): Snapshot => {
    const source: Source = { label: s.label, kind: 'dir', layout: 'tree', tree: s.tree, treeLocation: s.label, files: emptyFileView, findings: [], capturedAt: at };
    return { ...s, source };
  };
  it('timeOrder: sorted by capture time only when every source has one', () => {
    const src = (label: string, at?: string): Source => ({ label, kind: 'dir', layout: 'tree', tree: mk(label, bootLmbs()).tree, treeLocation: label, files: emptyFileView, findings: [], ...(at ? { capturedAt: at } : {}) });
    const b = src('b', '2026-01-02T00:00:00Z');
    const a = src('a', '2026-01-01T00:00:00Z');
    expect(timeOrder([b, a])).toEqual({ sources: [a, b], reordered: true });
    expect(timeOrder([a, b])).toEqual({ sources: [a, b], reordered: false });
    const c = src('c');
    expect(timeOrder([b, a, c])).toEqual({ sources: [b, a, c], reordered: false });
    // equal times keep the given order
    const a2 = src('a2', '2026-01-01T00:00:00Z');
    expect(timeOrder([a2, a]).sources.map((s) => s.label)).toEqual(['a2', 'a']);
  });
  it('history-order', () => {
    expect(codes([withTime(mk('a', bootLmbs()), '2026-01-02T00:00:00Z'), withTime(mk('b', bootLmbs()), '2026-01-01T00:00:00Z')])).toContain('history-order');
    expect(codes([withTime(mk('a', bootLmbs()), '2026-01-01T00:00:00Z'), withTime(mk('b', bootLmbs()), '2026-01-02T00:00:00Z')])).not.toContain('history-order');
  });
});

describe('options and catalogue', () => {
  it('--ignore drops a code; exit code follows --fail-on', () => {
    const s = [mk('now', withAa(bootLmbs(), lpmAa), A0, { sysfs: blocksFor(bootLmbs(), A0) })];
    const all = auditSnapshots(s).findings;
    expect(auditExitCode(all, 'warning')).toBe(1);
    expect(auditExitCode(all, 'error')).toBe(0);
    expect(auditSnapshots(s, { ignore: ['node-mismatch'] }).findings.map((f) => f.code)).not.toContain('node-mismatch');
  });
  it('every code a check can emit is in the catalogue', async () => {
    const { checkRegistry } = await import('../../lib/audit/audit.js');
    for (const c of checkRegistry) for (const code of c.codes) expect(catalogue[code], code).toBeDefined();
  });
});
