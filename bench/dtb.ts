// DtTree -> DTB for the benchmark inputs, through the product's own writer
// (lib/dt/write-dtb.ts, dtc layout); every bench run also feeds the result to
// `dtc -I dtb`, which must accept it.
import { writeDtb } from '../lib/dt/write-dtb.js';
import type { DtTree } from '../lib/dt/tree.js';

export function encodeLparDtb(tree: DtTree): Uint8Array {
  return writeDtb(tree);
}
