// One word for what an LMB is to the partition. RESERVED wins over ASSIGNED
// because Linux never uses a RESERVED LMB (boot skips it, DLPAR refuses it).
import { LmbFlag, type Lmb } from './lmb.js';

export type LmbCategory = 'assigned' | 'reserved' | 'free';

export function lmbCategory(lmb: Pick<Lmb, 'flags'>): LmbCategory {
  if (lmb.flags & LmbFlag.RESERVED) return 'reserved';
  if (lmb.flags & LmbFlag.ASSIGNED) return 'assigned';
  return 'free';
}
