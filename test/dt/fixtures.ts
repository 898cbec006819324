// Shared helpers for the source-layer tests: the real samples, unpacked by our
// own tar reader into memfs (tests never call tar/dtc/xz).
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { Volume, createFsFromVolume } from 'memfs';
import { gunzipCapped } from '../../lib/dt/decompress.js';
import { readTar } from '../../lib/dt/read-tar.js';
import type { FsPort } from '../../lib/io.js';

export const SAMPLES = join(import.meta.dirname, '../../samples');

/** every scenario folder under samples/ with a 00-boot capture in all formats (tar.gz, dtc-made DTB, full DTS) */
export const SCENARIOS = nodeFs
  .readdirSync(SAMPLES)
  .filter((d) => ['00-boot.tar.gz', '00-boot.dtb', '00-boot.full.dts'].every((f) => nodeFs.existsSync(join(SAMPLES, d, f))))
  .sort();

/** every folder under samples/ holding captures */
const CAPTURE_DIRS = nodeFs
  .readdirSync(SAMPLES)
  .filter((d) => nodeFs.statSync(join(SAMPLES, d)).isDirectory())
  .sort();

export function sampleFile(scenario: string, name: string): Uint8Array {
  return new Uint8Array(nodeFs.readFileSync(join(SAMPLES, scenario, name)));
}

/** every *.tar.gz capture, as [scenario, file] */
export const CAPTURES: [string, string][] = CAPTURE_DIRS.flatMap((s) =>
  nodeFs
    .readdirSync(join(SAMPLES, s))
    .filter((f) => f.endsWith('.tar.gz'))
    .sort()
    .map((f): [string, string] => [s, f]),
);

/** unpack a sample tar.gz into a fresh memfs volume at /cap (dirs, files, symlinks) */
export async function unpackToMemfs(scenario: string, name: string): Promise<FsPort> {
  const tar = gunzipCapped(sampleFile(scenario, name), name);
  const { entries } = await readTar(tar, name);
  const vol = new Volume();
  vol.mkdirSync('/cap', { recursive: true });
  for (const [path, e] of [...entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const full = `/cap${path}`;
    const dir = full.slice(0, full.lastIndexOf('/'));
    vol.mkdirSync(dir, { recursive: true });
    if (e.kind === 'dir') vol.mkdirSync(full, { recursive: true });
    else if (e.kind === 'file') vol.writeFileSync(full, Buffer.from(e.data ?? new Uint8Array()));
    else vol.symlinkSync(e.target ?? '', full);
  }
  return createFsFromVolume(vol) as unknown as FsPort;
}
