// The acceptance test: capture from a --root tree, then lmbs --json
// and lsslot -c mem give the same results from the tree and from the capture.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli.js';
import { lsslotMain } from '../../lib/compat/lsslot/main.js';
import { runMain } from '../helpers/run.js';
import { sampleRoot } from '../capture/sample-root.js';

const SAMPLES = ['samples/pseries-7.2-numa2/02-after-add-dimm2-512M-node0.tar.gz', 'samples/pseries-6.1-numa2/03-after-del-dimm1.tar.gz', 'samples/pseries-7.2-numa2-v1/01-after-add-dimm1-1G-node1.tar.gz', 'samples/pseries-7.2-nonuma/01-after-add-dimm1-1G.tar.gz'];
const roots: string[] = [];
let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'drscope-capcmd-'));
});
afterAll(() => {
  for (const d of [...roots, out]) fs.rmSync(d, { recursive: true, force: true });
});

const withoutSource = (json: string) => {
  const j = JSON.parse(json) as Record<string, unknown>;
  delete j.source;
  return j;
};

describe('capture reads back like the system it came from', () => {
  it.each(SAMPLES)('%s: lmbs --json, lmbs and lsslot -c mem are equal on the tree and its capture', async (sample) => {
    const root = await sampleRoot(sample);
    roots.push(root);
    const file = path.join(out, `${path.basename(path.dirname(sample))}-${path.basename(sample)}`);
    expect((await runMain(main, ['capture', '--root', root, '-o', file, '-q'])).code).toBe(0);

    const treeJson = await runMain(main, ['lmbs', '--json', '--root', root]);
    const capJson = await runMain(main, ['lmbs', '--json', file]);
    expect(capJson.code).toBe(0);
    expect(withoutSource(capJson.stdout)).toEqual(withoutSource(treeJson.stdout));
    expect((withoutSource(capJson.stdout).lmbs as unknown[]).length).toBeGreaterThan(0);
    expect((await runMain(main, ['lmbs', file])).stdout).toBe((await runMain(main, ['lmbs', '--root', root])).stdout);

    const treeLs = await runMain(lsslotMain, ['-c', 'mem', '--root', root]);
    const capLs = await runMain(lsslotMain, ['-c', 'mem', '--source', file]);
    expect(treeLs.code).toBe(0);
    expect(capLs).toEqual(treeLs);
    expect(capLs.stdout).toMatch(/DRC Index: 8/);
    expect((await runMain(main, ['lsslot', '-c', 'mem', '--source', file])).stdout).toBe(treeLs.stdout);
  });
});
