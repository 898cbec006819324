import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../lib/cli.js';
import { checkSource, hardwareBlocks, recordedLsslot, sosArgs } from '../../../lib/audit/checks/lsslot-output.js';
import { loadSource } from '../../../lib/dt/load.js';
import type { FileView } from '../../../lib/dt/file-view.js';
import { runMain, testIo } from '../../helpers/run.js';

const SOS = 'samples/bundles/sosreport-lpar1-04123456-2026-11-25-kpvqnqd.tar.xz';
const SCC = 'samples/bundles/scc_lpar1_261125_1030.txz';
const MEM = fs.readFileSync('samples/bundles/expected-lsslot-c-mem.txt', 'latin1');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** unpack a bundle into a temp dir (below its top directory) so a test can edit it */
async function unpacked(bundle: string): Promise<string> {
  const src = await loadSource(bundle, {}, testIo());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drscope-bundle-'));
  dirs.push(dir);
  const copy = (v: FileView, p: string) => {
    const k = v.kind(p);
    if (k === 'dir') for (const n of v.list(p) ?? []) copy(v, p === '/' ? `/${n}` : `${p}/${n}`);
    else if (k === 'file') {
      fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
      fs.writeFileSync(path.join(dir, p), v.readFile(p)!);
    }
  };
  copy(src.files, '/');
  return dir;
}

describe('audit check lsslot-output', () => {
  it('unmangles sos command file names', () => {
    expect(sosArgs('lsslot')).toEqual([]);
    expect(sosArgs('lsslot_-c_phb')).toEqual(['-c', 'phb']);
    expect(sosArgs('lsslot_-c_pci.1')).toEqual(['-c', 'pci']);
    expect(sosArgs('lsslotd')).toBeUndefined();
    expect(sosArgs('lsvpd')).toBeUndefined();
  });

  it('splits supportconfig hardware.txt into command blocks (empty output, last block, trailing blank line)', () => {
    const hw = '#==[ Command ]======#\n# /usr/sbin/lsslot\n\n#==[ Command ]======#\n# /usr/sbin/lsslot -c phb\nPHB name\nPHB 0\n\n#==[ Command ]======#\n# /usr/sbin/amsstat\nERROR: Command not found or not executable\n\n';
    expect(hardwareBlocks(hw)).toEqual([
      { command: '/usr/sbin/lsslot', output: '' },
      { command: '/usr/sbin/lsslot -c phb', output: 'PHB name\nPHB 0\n' },
      { command: '/usr/sbin/amsstat', output: 'ERROR: Command not found or not executable\n' },
    ]);
  });

  it.each([SOS, SCC])('finds the three recorded lsslot outputs of %s and they all agree with the tree', async (bundle) => {
    const src = await loadSource(bundle, {}, testIo());
    const rec = recordedLsslot(src.files);
    expect(rec.map((r) => r.args.join(' ')).sort()).toEqual(['', '-c pci', '-c phb']);
    expect(rec.find((r) => r.args[1] === 'phb')!.text).toMatch(/^PHB name/);
    expect(checkSource(src, bundle)).toEqual([]);
  });

  it('flags a recorded lsslot -c phb that lost a slot (audit exit 1, first differing line as evidence)', async () => {
    const dir = await unpacked(SOS);
    const f = path.join(dir, 'sos_commands/powerpc/lsslot_-c_phb');
    const lines = fs.readFileSync(f, 'latin1').split('\n');
    lines.splice(3, 1);
    fs.writeFileSync(f, lines.join('\n'));
    const r = await runMain(main, ['audit', '--json', dir]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { findings: { code: string; evidence: { command: string; line: number } }[] };
    const f1 = j.findings.filter((x) => x.code === 'lsslot-output-mismatch');
    expect(f1).toHaveLength(1);
    expect(f1[0]!.evidence).toMatchObject({ command: 'lsslot -c phb', line: 4 });
  });

  it('flags a supportconfig hardware.txt block that disagrees', async () => {
    const dir = await unpacked(SCC);
    const f = path.join(dir, 'hardware.txt');
    fs.writeFileSync(f, fs.readFileSync(f, 'latin1').replace('C0      PCI-E capable', 'C0      PCI-X capable'));
    const src = await loadSource(dir, {}, testIo());
    const found = checkSource(src, 'scc');
    expect(found.map((x) => [x.code, x.evidence?.command])).toEqual([['lsslot-output-mismatch', 'lsslot -c pci']]);
    expect(found[0]!.message).toMatch(/hardware.txt: # \/usr\/sbin\/lsslot -c pci/);
  });

  it('lsslot -c mem without sysfs in the bundle: compares only what the tree decides', async () => {
    const dir = await unpacked(SOS);
    const f = path.join(dir, 'sos_commands/powerpc/lsslot_-c_mem');
    fs.writeFileSync(f, MEM);
    expect(checkSource(await loadSource(dir, {}, testIo()), 'sos')).toEqual([]);
    fs.writeFileSync(f, MEM.replace('DRC Index: 80000008', 'DRC Index: 80000009'));
    const found = checkSource(await loadSource(dir, {}, testIo()), 'sos');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'lsslot-output-mismatch', severity: 'warning', evidence: { command: 'lsslot -c mem', sysfsIgnored: true } });
    expect(found[0]!.evidence!.recorded).toMatch(/80000009/);
  });

  it('lists forms it does not re-render as info, and skips "command not found" blocks', async () => {
    const dir = await unpacked(SOS);
    fs.writeFileSync(path.join(dir, 'sos_commands/powerpc/lsslot_-c_cpu'), 'drc-name  OFDT-node\n');
    fs.writeFileSync(path.join(dir, 'sos_commands/powerpc/lsslot_-c_port'), 'ERROR: Command not found or not executable\n');
    const found = checkSource(await loadSource(dir, {}, testIo()), 'sos');
    expect(found.map((x) => [x.code, x.severity])).toEqual([['lsslot-output-unchecked', 'info']]);
  });
});
