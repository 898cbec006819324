// Source specs for diff/audit, where several sources are named at once:
//   PATH        a snapshot (directory, archive, DTB, DTS, "-")
//   @live       the running system (or --root DIR)
//   boot:SPEC   the boot-time FDT (/sys/firmware/fdt, sys-firmware-fdt.dtb) of SPEC
import type { Snapshot } from '../diff/diff.js';
import { bootSnapshot, snapshotFromSource } from '../audit/snapshots.js';
import { loadSource } from '../dt/load.js';
import type { Source } from '../dt/source.js';
import { SourceError } from '../errors.js';
import type { Io } from '../io.js';

export const LIVE = '@live';

export interface SideSpec {
  spec: string;
  boot: boolean;
}

export function parseSide(text: string): SideSpec {
  if (text.startsWith('boot:')) return { spec: text.slice(5) || LIVE, boot: true };
  return { spec: text, boot: false };
}

export async function loadSide(side: SideSpec, root: string | undefined, io: Io): Promise<Source> {
  const live = side.spec === LIVE;
  const src = await loadSource(live ? undefined : side.spec, root !== undefined ? { root } : {}, io);
  if (live && root === undefined) src.label = 'live system';
  return src;
}

/** the snapshot a side names; throws SourceError when boot: is asked of a source without a boot FDT */
export function sideSnapshot(side: SideSpec, src: Source): Snapshot {
  if (!side.boot) return snapshotFromSource(src);
  const b = bootSnapshot(src);
  if (!b) throw new SourceError('NO_DEVICE_TREE', 'no boot-time FDT in this source (/sys/firmware/fdt or sys-firmware-fdt.dtb; on a live system it is readable by root only)', { file: src.label });
  return b;
}
