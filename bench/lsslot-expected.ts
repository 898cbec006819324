// What powerpc-utils `lsslot -c mem` prints for a generated LPAR, written from
// the format description (powerpc-utils.md 1.8), independently of lib/compat,
// so the benchmark can check drscope's output byte for byte at 131,072 blocks.
import { DRCONF_ASSIGNED, type LparLmbs } from './lpar-tree.js';

/** `present(block)` says whether memory<block> exists; all generated blocks read removable=1. */
export function expectedLsslotMem(l: LparLmbs, lookup: number[][], present: (block: number) => boolean): string {
  const parts: string[] = [`Dynamic Reconfiguration Memory (LMB size 0x${l.lmbSize.toString(16)})\n`];
  const perLmb = 1; // block size == LMB size
  for (let i = 0; i < l.drc.length; i++) {
    if (!(l.flags[i]! & DRCONF_ASSIGNED)) continue;
    const addr = BigInt(i) * l.lmbSize;
    const blocks: number[] = [];
    for (let k = 0; k < perLmb; k++) if (present(i * perLmb + k)) blocks.push(i * perLmb + k);
    const aa = l.aa[i]!;
    const assoc = aa === 0xffffffff ? 'Not Set\n' : `(index: ${aa}) ${(lookup[aa] ?? []).map((c) => `${c | 0} `).join('')}\n`;
    parts.push(
      ': \n',
      `    DRC Index: ${l.drc[i]!.toString(16)}        Address: ${addr.toString(16)}\n`,
      `    Removable: ${blocks.length > 0 ? 'Yes' : 'No '}             Associativity: ${assoc}`,
      `    Section(s):${blocks
        .reverse()
        .map((b, k) => (k === 0 ? ` ${b}` : `, ${b}`))
        .join('')}\n`,
    );
  }
  return parts.join('');
}
