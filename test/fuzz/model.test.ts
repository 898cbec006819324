// Fuzz the LMB model builder (lmbTableFromTree) on random trees: every
// property it reads is absent, valid, mangled or noise, and the sysfs view is
// random too. It must never throw, finish quickly, and keep its invariants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memFileView, type MemEntry } from '../../lib/dt/file-view.js';
import { ensureNode, newTree, type DtTree } from '../../lib/dt/tree.js';
import { lmbTableFromTree } from '../../lib/model/lmbs-from-tree.js';
import { be32, encodeV1Entries, encodeV2Sets, lmbEntries, mangle, propBytes, v2Sets } from './arbitraries.js';
import { fuzzParams, fuzzTimeout } from './fuzz-runs.js';
import { drcListOfNode } from '../../lib/decode/drc.js';

const CODE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** absent, a plausible value, the plausible value mangled, or noise */
function prop(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array | undefined> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: valid },
    { weight: 3, arbitrary: fc.tuple(valid, mangle).map(([b, m]) => m(b)) },
    { weight: 1, arbitrary: propBytes },
  );
}

const u64 = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
};
const cells = (arb: fc.Arbitrary<number[]>) => arb.map(be32);
const small = fc.integer({ min: 0, max: 6 });

const treeSpec = fc.record({
  addressCells: prop(cells(fc.tuple(fc.constantFrom(2, 2, 1, 0, 4, 0xffffffff)))),
  sizeCells: prop(cells(fc.tuple(fc.constantFrom(2, 2, 1, 0, 3, 0xffffffff)))),
  drconf: fc.boolean(),
  lmbSize: prop(fc.constantFrom(0x10000000n, 0x100000000n, 0n, 1n, 0x1000000n).map(u64)),
  v1: prop(lmbEntries.map((es) => encodeV1Entries(es))),
  v2: prop(v2Sets.map((ss) => encodeV2Sets(ss.map((s) => ({ ...s, seq: s.seq % 5000 }))))),
  lookup: prop(fc.tuple(small, small, fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 40 })).map(([a, e, c]) => be32([a, e, ...c]))),
  refPoints: prop(cells(fc.array(fc.constantFrom(0, 1, 2, 4, 5, 0xffffffff), { maxLength: 4 }))),
  maxDomains: prop(cells(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 6 }))),
  vec5: prop(fc.uint8Array({ minLength: 0, maxLength: 30 })),
  drcInfo: prop(fc.constant(Uint8Array.from([...be32([1]), ...Buffer.from('MEM\0LMB \0'), ...be32([0x80000000, 0, 64, 1, 0xffffffff])]))),
  drcNames: prop(fc.constant(Uint8Array.from([...be32([2]), ...Buffer.from('LMB 0\0LMB 1\0')]))),
  memReg: prop(cells(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 8 }))),
  memAssoc: prop(cells(fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 6 }))),
  memDrc: prop(cells(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 2 }))),
  opal: fc.boolean(),
  bootargs: fc.constantFrom<string | undefined>(undefined, 'numa=off', 'quiet'),
});

type TreeSpec = typeof treeSpec extends fc.Arbitrary<infer T> ? T : never;

function buildTree(s: TreeSpec): DtTree {
  const t = newTree();
  const set = (path: string, name: string, v: Uint8Array | undefined) => {
    if (v !== undefined) ensureNode(t, path).setProp(name, v);
  };
  set('/', '#address-cells', s.addressCells);
  set('/', '#size-cells', s.sizeCells);
  set('/', 'ibm,drc-info', s.drcInfo);
  set('/', 'ibm,drc-names', s.drcNames);
  set(s.opal ? '/ibm,opal' : '/rtas', 'ibm,associativity-reference-points', s.refPoints);
  set('/rtas', 'ibm,max-associativity-domains', s.maxDomains);
  set('/chosen', 'ibm,architecture-vec-5', s.vec5);
  if (s.bootargs) set('/chosen', 'bootargs', Buffer.from(`${s.bootargs}\0`));
  if (s.drconf) {
    const d = '/ibm,dynamic-reconfiguration-memory';
    ensureNode(t, d);
    set(d, 'ibm,lmb-size', s.lmbSize);
    set(d, 'ibm,dynamic-memory', s.v1);
    set(d, 'ibm,dynamic-memory-v2', s.v2);
    set(d, 'ibm,associativity-lookup-arrays', s.lookup);
  }
  set('/memory@0', 'reg', s.memReg);
  set('/memory@0', 'ibm,associativity', s.memAssoc);
  set('/memory@10000000', 'ibm,my-drc-index', s.memDrc);
  set('/memory@10000000', 'reg', s.memReg);
  return t;
}

/** a random sysfs: block size text, some memoryN dirs with state/node links, node dirs */
const sysfsSpec = fc.option(
  fc.record({
    blockSize: fc.constantFrom<string | undefined>(undefined, '10000000\n', '0\n', 'zz\n', '', '100000000', 'ffffffffffffffffffff\n', '1\n'),
    blocks: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 12 }),
    state: fc.constantFrom('online\n', 'offline\n', '', 'going-offline\n', '\0\xff'),
    nodeLinks: fc.boolean(),
    possible: fc.constantFrom<string | undefined>(undefined, '0-1\n', '0\n', 'garbage', '0-999999999\n', ''),
  }),
  { nil: undefined },
);

type SysfsSpec = NonNullable<typeof sysfsSpec extends fc.Arbitrary<infer T> ? T : never>;

function buildFiles(s: SysfsSpec) {
  const m = new Map<string, MemEntry>();
  const mem = '/sys/devices/system/memory';
  m.set(mem, { kind: 'dir' });
  if (s.blockSize !== undefined) m.set(`${mem}/block_size_bytes`, { kind: 'file', data: Buffer.from(s.blockSize) });
  for (const b of s.blocks) {
    m.set(`${mem}/memory${b}/state`, { kind: 'file', data: Buffer.from(s.state) });
    m.set(`${mem}/memory${b}/removable`, { kind: 'file', data: Buffer.from('1\n') });
    if (s.nodeLinks) {
      m.set(`${mem}/memory${b}/node${b % 2}`, { kind: 'symlink', target: `../../node/node${b % 2}` });
      m.set(`/sys/devices/system/node/node${b % 2}/memory${b}`, { kind: 'symlink', target: `../../memory/memory${b}` });
    }
  }
  if (s.possible !== undefined) m.set('/sys/devices/system/node/possible', { kind: 'file', data: Buffer.from(s.possible) });
  return memFileView(m, 'fuzz');
}

describe('fuzz: lmbTableFromTree on random trees', () => {
  it(
    'never throws, stays fast, and keeps its invariants',
    () => {
      fc.assert(
        fc.property(treeSpec, sysfsSpec, fc.constantFrom('node', 'state', 'full') as fc.Arbitrary<'node' | 'state' | 'full'>, (spec, sys, detail) => {
          const tree = buildTree(spec);
          const files = sys ? buildFiles(sys) : undefined;
          // linear in what the tree describes: a v2 set of a few bytes may describe millions of
          // LMBs (up to MAX_EXPANDED_LMBS), a 20-byte ibm,drc-info set a million connectors (up to
          // MAX_DRC_ENTRIES, named for the LMBs); a blow-up on tiny input still fails
          const drcs = drcListOfNode(tree.root).entries.length;
          const t0 = performance.now();
          const t = lmbTableFromTree(tree, files, { detail });
          const ms = performance.now() - t0;
          expect(ms, `lmbTableFromTree took ${ms.toFixed(0)} ms for ${t.lmbs.length} LMBs, ${drcs} DRC entries`).toBeLessThan(1500 + 0.004 * (t.lmbs.length + drcs));
          expect(['v1', 'v2', 'legacy', 'none']).toContain(t.format);
          for (const f of t.findings) {
            expect(f.code).toMatch(CODE);
            expect(f.message.length).toBeGreaterThan(0);
            if (f.offset !== undefined && f.node && f.property) {
              const v = ensureNodeIfExists(tree, f.node)?.prop(f.property);
              if (v) expect(f.offset >= 0 && f.offset <= v.length, `${f.code} offset ${f.offset} > ${v.length}`).toBe(true);
            }
          }
          for (const l of t.lmbs) {
            expect(Number.isInteger(l.drcIndex) && l.drcIndex >= 0 && l.drcIndex <= 0xffffffff).toBe(true);
            expect(typeof l.address).toBe('bigint');
            expect(l.assigned).toBe((l.flags & 0x8) !== 0);
            if (l.node !== null) expect(Number.isInteger(l.node) && l.node >= 0).toBe(true);
            if (l.blocks && l.blockIndexes) for (const b of l.blocks) expect(l.blockIndexes).toContain(b.index);
          }
          // the JSON layer must be able to serialise it (no cycles; bigints are converted by the renderer).
          // A sample of the LMBs: millions (a v2 set can describe them) would pass V8's string limit
          // in one JSON.stringify here, where the real writer streams (lmbs --json)
          JSON.stringify({ ...t, lmbs: t.lmbs.slice(0, 2000) }, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v));
        }),
        fuzzParams(300),
      );
    },
    fuzzTimeout(),
  );
});

function ensureNodeIfExists(tree: DtTree, path: string) {
  let n = tree.root;
  for (const p of path.split('/')) {
    if (!p) continue;
    const c = n.children.get(p);
    if (!c) return undefined;
    n = c;
  }
  return n;
}
