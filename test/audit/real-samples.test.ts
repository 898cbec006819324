// The real QEMU/Linux 6.1 DLPAR histories (boot -> add -> add -> remove) must audit
// with no kernel-overwrite finding: those rewrites are legitimate.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditSources } from '../../lib/audit/audit.js';
import { loadSource } from '../../lib/dt/load.js';
import { testIo } from '../helpers/run.js';

const SAMPLES = ['pseries-6.1-numa2', 'pseries-7.2-numa2', 'pseries-7.2-numa2-v1', 'pseries-7.2-nonuma'];

async function history(name: string) {
  const dir = `samples/${name}`;
  const files = readdirSync(dir).filter((f) => f.endsWith('.tar.gz')).sort();
  const io = testIo();
  return Promise.all(files.map((f) => loadSource(`${dir}/${f}`, {}, io)));
}

describe('audit on the real DLPAR histories', () => {
  for (const name of SAMPLES) {
    it(`${name}: no kernel-overwrite, no hypervisor-update, no node-mismatch`, async () => {
      const sources = await history(name);
      const r = auditSources(sources);
      const codes = r.findings.map((f) => f.code);
      expect(codes).not.toContain('kernel-overwrite');
      expect(codes).not.toContain('hypervisor-update');
      expect(codes).not.toContain('node-mismatch');
      expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
      // boot FDT baseline + one snapshot per capture
      expect(r.snapshots.length).toBe(sources.length + 1);
      expect(r.snapshots[0]!.origin).toBe('boot-fdt');
    });
  }
});
