// One item of a capture archive, before it is packed. Paths are relative to
// the system root ("proc/device-tree/cpus/name"), without a leading slash.

export interface CaptureEntry {
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  data?: Uint8Array;
  /** symlink target, stored verbatim (sysfs uses relative targets) */
  target?: string;
  /** permission bits to keep (write-only sysfs attributes stay recognisable) */
  mode?: number;
}

export interface UnreadableItem {
  path: string;
  errno: string;
  reason: string;
}

/** What each part of the capture yielded, for the manifest. */
export interface PartStats {
  name: string;
  /** where it was read from, inside the captured root ("/proc/device-tree") */
  from: string;
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
  /** false when the whole part was absent (e.g. no /sys/bus/pci/slots) */
  present: boolean;
}

/** Shared bookkeeping while the collectors run. */
export class CaptureReport {
  readonly parts: PartStats[] = [];
  readonly unreadable: UnreadableItem[] = [];
  /** write-only attributes captured as empty placeholders (their existence matters to drmgr) */
  readonly writeOnly: string[] = [];

  part(name: string, from: string): PartStats {
    const p: PartStats = { name, from, files: 0, dirs: 0, symlinks: 0, bytes: 0, present: true };
    this.parts.push(p);
    return p;
  }

  count(p: PartStats, e: CaptureEntry): void {
    if (e.kind === 'file') {
      p.files++;
      p.bytes += e.data?.length ?? 0;
    } else if (e.kind === 'dir') p.dirs++;
    else p.symlinks++;
  }
}
