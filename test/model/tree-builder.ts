// Small helpers to build pseries-like trees in tests.
import { ensureNode, newTree, type DtTree } from '../../lib/dt/tree.js';
import { be32, be64, cat, str } from '../helpers/cells.js';

export const MB256 = 0x10000000n;

export function v1Entry(base: bigint, drc: number, aa: number, flags: number, reserved = 0): Uint8Array {
  return cat(be64(base), be32(drc, reserved, aa, flags));
}
export function v2Set(seq: number, base: bigint, drc: number, aa: number, flags: number): Uint8Array {
  return cat(be32(seq), be64(base), be32(drc, aa, flags));
}

export function vec5(form: 0 | 1 | 2): Uint8Array {
  const b = new Uint8Array(27);
  b[0] = 25;
  b[2] = 0x20;
  b[5] = form === 2 ? 0xa0 : form === 1 ? 0x80 : 0;
  b[22] = 0x80;
  return b;
}

export interface TreeOpts {
  form?: 0 | 1 | 2;
  refPoints?: number[];
  lookup?: number[];
  v1?: Uint8Array[];
  v2?: Uint8Array[];
  lmbSize?: bigint;
  maxDomains?: number[];
  drc?: { index: number; name: string }[];
}

export function pseriesTree(o: TreeOpts): DtTree {
  const t = newTree();
  t.root.setProp('#address-cells', be32(2));
  t.root.setProp('#size-cells', be32(2));
  if (o.form !== undefined) ensureNode(t, '/chosen').setProp('ibm,architecture-vec-5', vec5(o.form));
  const rtas = ensureNode(t, '/rtas');
  if (o.refPoints) rtas.setProp('ibm,associativity-reference-points', be32(...o.refPoints));
  if (o.maxDomains) rtas.setProp('ibm,max-associativity-domains', be32(...o.maxDomains));
  const d = ensureNode(t, '/ibm,dynamic-reconfiguration-memory');
  d.setProp('ibm,lmb-size', be64(o.lmbSize ?? MB256));
  if (o.lookup) d.setProp('ibm,associativity-lookup-arrays', be32(...o.lookup));
  if (o.v1) d.setProp('ibm,dynamic-memory', cat(be32(o.v1.length), ...o.v1));
  if (o.v2) d.setProp('ibm,dynamic-memory-v2', cat(be32(o.v2.length), ...o.v2));
  if (o.drc) {
    t.root.setProp('ibm,drc-indexes', be32(o.drc.length, ...o.drc.map((x) => x.index)));
    t.root.setProp('ibm,drc-names', cat(be32(o.drc.length), str(...o.drc.map((x) => x.name))));
    t.root.setProp('ibm,drc-types', cat(be32(o.drc.length), str(...o.drc.map(() => 'MEM'))));
    t.root.setProp('ibm,drc-power-domains', be32(o.drc.length, ...o.drc.map(() => 0xffffffff)));
  }
  return t;
}

export function memoryNode(t: DtTree, base: bigint, size: bigint, assoc?: number[], drc?: number): void {
  const n = ensureNode(t, `/memory@${base.toString(16)}`);
  n.setProp('device_type', str('memory'));
  n.setProp('reg', be64(base, size));
  if (assoc) n.setProp('ibm,associativity', be32(assoc.length, ...assoc));
  if (drc !== undefined) n.setProp('ibm,my-drc-index', be32(drc));
}
