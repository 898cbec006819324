// The fake support bundles in samples/bundles (README there): every command
// reads them, partial trees are findings, and the real lsslot outputs they
// carry equal what drscope's lsslot computes from their device tree.
import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli.js';
import { lsslotMain } from '../../lib/compat/lsslot/main.js';
import { loadSource } from '../../lib/dt/load.js';
import { runMain, testIo } from '../helpers/run.js';

const DIR = 'samples/bundles';
const SOS = `${DIR}/sosreport-lpar1-04123456-2026-11-25-kpvqnqd.tar.xz`;
const PARTIAL = `${DIR}/sosreport-lpar1-04123456-2026-11-25-partial.tar.xz`;
const SCC = `${DIR}/scc_lpar1_261125_1030.txz`;
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('latin1'));

describe('support bundles as sources', () => {
  it.each([
    [SOS, 'sosreport'],
    [PARTIAL, 'sosreport'],
    [SCC, 'supportconfig'],
  ])('%s loads as a %s with the sample tree', async (file, layout) => {
    const src = await loadSource(file, {}, testIo());
    expect(src.layout).toBe(layout);
    expect(src.tree.root.children.has('ibm,dynamic-reconfiguration-memory')).toBe(true);
  });

  it.each([SOS, PARTIAL, SCC])('lmbs --json, show, and audit run on %s', async (file) => {
    const l = await runMain(main, ['lmbs', '--json', file]);
    expect(l.code).toBe(0);
    const j = JSON.parse(l.stdout) as { lmbs: { flags: string[] }[] };
    expect(j.lmbs).toHaveLength(32);
    expect((await runMain(main, ['show', file])).code).toBe(0);
    const a = await runMain(main, ['audit', '--json', file]);
    expect([0, 1]).toContain(a.code);
    JSON.parse(a.stdout);
  });

  it('a complete bundle audits clean; the partial sosreport is a finding (exit 1), not a failure', async () => {
    expect((await runMain(main, ['audit', SOS])).code).toBe(0);
    const p = await runMain(main, ['audit', '--json', PARTIAL]);
    expect(p.code).toBe(1);
    expect(p.stdout).toMatch(/partial-tree/);
    expect(p.stdout).toMatch(/ibm,associativity-lookup-arrays/);
  });

  it('diff sosreport vs supportconfig of the same system: no differences', async () => {
    const d = await runMain(main, ['diff', SOS, SCC]);
    expect(d.code).toBe(0);
  });

  it('drscope lsslot prints what the real lsslot printed into the sosreport and the supportconfig', async () => {
    const sos = await loadSource(SOS, {}, testIo());
    const scc = await loadSource(SCC, {}, testIo());
    const hw = text(scc.files.readFile('/hardware.txt'))!;
    for (const [args, sosName] of [[[], 'lsslot'], [['-c', 'phb'], 'lsslot_-c_phb'], [['-c', 'pci'], 'lsslot_-c_pci']] as const) {
      const golden = text(sos.files.readFile(`/sos_commands/powerpc/${sosName}`));
      expect(golden, sosName).toBeDefined();
      const r = await runMain(lsslotMain, [...args, '--source', SOS]);
      expect(r.stdout, sosName).toBe(golden);
      // the same text sits in the supportconfig's command block
      const head = `# /usr/sbin/lsslot${args.length ? ` ${args.join(' ')}` : ''}\n`;
      const at = hw.indexOf(head);
      expect(at, head).toBeGreaterThan(0);
      expect(hw.slice(at + head.length).startsWith(golden!)).toBe(true);
    }
    expect(text(sos.files.readFile('/sos_commands/powerpc/lsslot_-c_phb'))).toMatch(/^PHB name {2}OFDT Name/);
  });
});
