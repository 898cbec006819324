// Test-only raw DTB builder (libfdt's fdt_sw in miniature): the structure block
// is a list of tokens, so a test can write blobs no real writer would produce
// (bad tags, unterminated names, properties outside nodes, ...).
export type FdtToken =
  | { begin: string | Uint8Array }
  | { end: true }
  | { prop: string; value?: Uint8Array; nameoff?: number; len?: number }
  | { nop: true }
  | { fdtEnd: true }
  | { raw: Uint8Array };

export interface FdtBlobSpec {
  tokens: FdtToken[];
  memrsv?: { address: bigint; size: bigint }[];
  /** extra bytes appended to the strings block (e.g. an unterminated name) */
  stringsTail?: Uint8Array;
  version?: number;
  lastCompVersion?: number;
  bootCpuidPhys?: number;
}

const pad4 = (n: number) => n + ((4 - (n % 4)) % 4);

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, false);
  return b;
}

export function buildFdt(spec: FdtBlobSpec): Uint8Array {
  const enc = new TextEncoder();
  let strings = '';
  const nameOff = (n: string) => {
    const i = strings.indexOf(`${n}\0`);
    if (i >= 0) return i;
    strings += `${n}\0`;
    return strings.length - n.length - 1;
  };
  const parts: Uint8Array[] = [];
  for (const t of spec.tokens) {
    if ('begin' in t) {
      const name = typeof t.begin === 'string' ? enc.encode(t.begin) : t.begin;
      const b = new Uint8Array(4 + pad4(name.length + 1));
      b.set(u32(1));
      b.set(name, 4);
      parts.push(b);
    } else if ('end' in t) parts.push(u32(2));
    else if ('prop' in t) {
      const value = t.value ?? new Uint8Array();
      const b = new Uint8Array(12 + pad4(value.length));
      b.set(u32(3));
      b.set(u32(t.len ?? value.length), 4);
      b.set(u32(t.nameoff ?? nameOff(t.prop)), 8);
      b.set(value, 12);
      parts.push(b);
    } else if ('nop' in t) parts.push(u32(4));
    else if ('fdtEnd' in t) parts.push(u32(9));
    else parts.push(t.raw);
  }
  const struct = Buffer.concat(parts);
  const strBytes = Buffer.concat([Buffer.from(strings, 'latin1'), spec.stringsTail ?? new Uint8Array()]);
  const memrsv = spec.memrsv ?? [];
  const offRsv = 40;
  const offStruct = offRsv + 16 * (memrsv.length + 1);
  const offStrings = offStruct + struct.length;
  const total = offStrings + strBytes.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const hdr = [0xd00dfeed, total, offStruct, offStrings, offRsv, spec.version ?? 17, spec.lastCompVersion ?? 16, spec.bootCpuidPhys ?? 0, strBytes.length, struct.length];
  hdr.forEach((v, i) => dv.setUint32(4 * i, v >>> 0, false));
  memrsv.forEach((m, i) => {
    dv.setBigUint64(offRsv + 16 * i, m.address, false);
    dv.setBigUint64(offRsv + 16 * i + 8, m.size, false);
  });
  out.set(struct, offStruct);
  out.set(strBytes, offStrings);
  return out;
}

/** a minimal valid tree: / { compatible = "x"; child { } } */
export function minimalTokens(): FdtToken[] {
  return [{ begin: '' }, { prop: 'compatible', value: new TextEncoder().encode('x\0') }, { begin: 'child@1' }, { end: true }, { end: true }, { fdtEnd: true }];
}

/** set a big-endian u32 header field in a copy of `blob` */
export function withField(blob: Uint8Array, offset: number, value: number): Uint8Array {
  const c = new Uint8Array(blob);
  new DataView(c.buffer).setUint32(offset, value >>> 0, false);
  return c;
}
