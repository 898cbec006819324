// Column-wise LMB storage shared by the v1 and v2 decoders: one typed array
// per field, so 262,144 LMBs cost a few MB and no per-LMB objects.

export interface LmbArrays {
  count: number;
  base: BigUint64Array;
  drc: Uint32Array;
  aa: Uint32Array;
  flags: Uint32Array;
  /** v1 only: the "reserved" cell (always 0 after a 4.16+ kernel rewrite) */
  reserved?: Uint32Array;
  /** v2 only: set number and position inside the set of each LMB */
  set?: Uint32Array;
  position?: Uint32Array;
}

export function allocLmbArrays(count: number, kind: 'v1' | 'v2'): LmbArrays {
  const a: LmbArrays = {
    count,
    base: new BigUint64Array(count),
    drc: new Uint32Array(count),
    aa: new Uint32Array(count),
    flags: new Uint32Array(count),
  };
  if (kind === 'v1') a.reserved = new Uint32Array(count);
  else {
    a.set = new Uint32Array(count);
    a.position = new Uint32Array(count);
  }
  return a;
}

/** Keep the first `count` entries (after a truncated property). */
export function truncateLmbArrays(a: LmbArrays, count: number): LmbArrays {
  if (count >= a.count) return a;
  return {
    count,
    base: a.base.subarray(0, count),
    drc: a.drc.subarray(0, count),
    aa: a.aa.subarray(0, count),
    flags: a.flags.subarray(0, count),
    ...(a.reserved ? { reserved: a.reserved.subarray(0, count) } : {}),
    ...(a.set ? { set: a.set.subarray(0, count) } : {}),
    ...(a.position ? { position: a.position.subarray(0, count) } : {}),
  };
}
