import { describe, expect, it } from 'vitest';
import { gunzipCapped } from '../../lib/dt/decompress.js';
import { readDtb } from '../../lib/dt/read-dtb.js';
import { readTar } from '../../lib/dt/read-tar.js';
import { newTree, treesEqual, ensureNode } from '../../lib/dt/tree.js';
import { writeDtb } from '../../lib/dt/write-dtb.js';
import { SCENARIOS, sampleFile } from './fixtures.js';

describe('writeDtb', () => {
  it.each(SCENARIOS)('%s: read(dtc blob) -> write gives dtc\'s bytes back', (s) => {
    const blob = sampleFile(s, '00-boot.dtb');
    const out = writeDtb(readDtb(blob, 'x'));
    expect(Buffer.from(out).equals(Buffer.from(blob))).toBe(true);
  });

  it.each(SCENARIOS)('%s: the kernel boot FDT round-trips to an equal tree', async (s) => {
    const { entries } = await readTar(gunzipCapped(sampleFile(s, '00-boot.tar.gz'), 'x'), 'x');
    const fdt = entries.get('/snap-00-boot/sys-firmware-fdt.dtb')!.data!;
    const a = readDtb(fdt, 'fdt');
    const b = readDtb(writeDtb(a), 'again');
    expect(treesEqual(a.root, b.root)).toBe(true);
    expect(b.memreserve).toEqual(a.memreserve);
    expect(b.bootCpuidPhys).toBe(a.bootCpuidPhys);
  });

  it('writes memreserve, empty values, odd lengths and shared name suffixes', () => {
    const t = newTree();
    t.memreserve.push({ address: 0x1000n, size: 0x2000n });
    t.bootCpuidPhys = 3;
    t.root.setProp('ibm,lmb-size', Uint8Array.of(0, 0, 0, 0, 0x10, 0, 0, 0));
    t.root.setProp('lmb-size', Uint8Array.of(1, 2, 3)); // suffix of the previous name: shares its string
    ensureNode(t, '/a@1/b').setProp('empty', new Uint8Array());
    const blob = writeDtb(t);
    const back = readDtb(blob, 'w');
    expect(treesEqual(t.root, back.root)).toBe(true);
    expect(back.memreserve).toEqual([{ address: 0x1000n, size: 0x2000n }]);
    expect(back.bootCpuidPhys).toBe(3);
    const strings = Buffer.from(blob.subarray(new DataView(blob.buffer).getUint32(12))).toString('latin1');
    expect(strings).toBe('ibm,lmb-size\0empty\0');
  });
});
