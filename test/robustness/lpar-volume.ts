// A small PowerVM-like LPAR laid out like "/" on a memfs volume (the bench
// generator, small), plus FsPort wrappers that misbehave the way a live
// system can: files that vanish between readdir and read (a DLPAR remove in
// progress) and files whose reads fail.
import { Volume, createFsFromVolume } from 'memfs';
import { lparLmbs, lparTree, type LmbFormat, type LparLmbs, type LparSpec } from '../../bench/lpar-tree.js';
import { writeRoot, type SysfsOptions } from '../../bench/write-root.js';
import type { FsPort } from '../../lib/io.js';

export const ROOT = '/lpar';
export const DT = `${ROOT}/proc/device-tree`;
export const DRCONF = `${DT}/ibm,dynamic-reconfiguration-memory`;
export const MEM = `${ROOT}/sys/devices/system/memory`;

export interface LparVolume {
  fs: FsPort;
  lmbs: LparLmbs;
}

/** 64 LMBs by default, 2 nodes, a few free: blocks exist for the assigned ones */
export function lparVolume(spec: Partial<LparSpec> & { format?: LmbFormat } = {}, sysfs: SysfsOptions = {}): LparVolume {
  const full: LparSpec = { lmbs: 64, format: 'v1', nodes: 2, freeTail: 0.1, holeEvery: 13, ...spec };
  const l = lparLmbs(full);
  const fs = createFsFromVolume(new Volume()) as unknown as FsPort;
  writeRoot(fs, ROOT, lparTree(l, full.format), l, sysfs);
  return { fs, lmbs: l };
}

type Hook = (path: string, fs: FsPort) => void;

/**
 * An FsPort whose readFileSync/openSync run `before(path)` first: delete the
 * file there and the read sees ENOENT after readdir listed it.
 */
export function hookedFs(fs: FsPort, before: Hook): FsPort {
  return new Proxy(fs, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'readFileSync' || prop === 'openSync') {
        return (path: string, ...rest: unknown[]) => {
          before(String(path), target);
          return (v as (...a: unknown[]) => unknown).call(target, path, ...rest);
        };
      }
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** delete every file matching `re` the first time something tries to read it */
export function vanishingFs(fs: FsPort, re: RegExp): FsPort {
  return hookedFs(fs, (path, t) => {
    if (re.test(path) && t.existsSync(path)) t.rmSync(path, { recursive: true, force: true });
  });
}

/** reads of files matching `re` throw an errno error (EIO, ENXIO, EBUSY...) */
export function failingFs(fs: FsPort, re: RegExp, code: string): FsPort {
  return hookedFs(fs, (path) => {
    if (re.test(path)) throw Object.assign(new Error(`${code}: simulated, ${path}`), { code });
  });
}
