// drscope-manifest.json: the last entry of every capture. It says what the
// archive holds and, as important for a support case, what could not be read
// and why (a non-root capture has no /sys/firmware/fdt, for instance).
import type { PartStats, UnreadableItem } from './entry.js';

export const MANIFEST_NAME = 'drscope-manifest.json';
export const CAPTURE_FORMAT_VERSION = 1;

export interface CaptureManifest {
  schemaVersion: 1;
  format: 'drscope-capture';
  formatVersion: number;
  /** ISO time the capture started */
  capturedAt: string;
  hostname: string;
  kernel: { release?: string; version?: string };
  /** "/" for the live system, else the --root directory it was taken from */
  root: string;
  /** why it was taken: "manual", or the drmgr hook phase ("pre", "post") */
  trigger: string;
  parts: PartStats[];
  /** optional files this system does not have */
  absent: string[];
  unreadable: UnreadableItem[];
  /** write-only attributes stored as empty files (only their existence is meaningful) */
  writeOnly: string[];
  counts: { entries: number; memoryBlocks: number; treeNodes: number; treeProperties: number };
  durationMs: number;
}

/** Parse a manifest; undefined when it is not one of ours. */
export function parseManifest(bytes: Uint8Array): CaptureManifest | undefined {
  try {
    const j = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<CaptureManifest>;
    if (j.format !== 'drscope-capture' || typeof j.capturedAt !== 'string') return undefined;
    return j as CaptureManifest;
  } catch {
    return undefined;
  }
}

/** "20260102T030405Z": sortable, and safe in file names on every file system */
export function compactStamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

/** a host name reduced to characters that are safe in a file name */
export function safeHost(h: string): string {
  const s = h.trim().replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return s.slice(0, 64) || 'unknown';
}

/** capturedAt of the manifest at a capture root ("/drscope-manifest.json"), if any */
export function manifestTime(view: { readFile(p: string): Uint8Array | undefined }): string | undefined {
  let b: Uint8Array | undefined;
  try {
    b = view.readFile(`/${MANIFEST_NAME}`);
  } catch {
    return undefined;
  }
  return b === undefined ? undefined : parseManifest(b)?.capturedAt;
}
