// Lay a bundled sample capture out like "/" (a --root tree) in a temp dir:
// device-tree -> proc/device-tree, sys-firmware-fdt.dtb -> sys/firmware/fdt,
// the node-links / memory-links listings -> real sysfs symlinks; plus a few
// cpu, devspec and PCI-slot files so every capture part has something to read.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSource } from '../../lib/dt/load.js';
import { testIo } from '../helpers/run.js';

export async function sampleRoot(sample: string, hostname = 'lpar-test'): Promise<string> {
  const src = await loadSource(sample, {}, testIo());
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'drscope-root-'));
  const put = (p: string, data: Uint8Array | string) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), data);
  };
  const copy = (from: string, to: string) => {
    const k = src.files.kind(from);
    if (k === 'dir') {
      fs.mkdirSync(path.join(root, to), { recursive: true });
      for (const n of src.files.list(from) ?? []) copy(`${from}/${n}`, `${to}/${n}`);
      return;
    }
    if (k !== 'file') return;
    const base = path.basename(from);
    const data = src.files.readFile(from)!;
    const words = Buffer.from(data).toString('utf8').split(/\s+/).filter(Boolean);
    if (base === 'node-links') {
      for (const w of words) fs.symlinkSync(`../../node/${w}`, path.join(root, path.dirname(to), w));
    } else if (base === 'memory-links') {
      for (const w of words) fs.symlinkSync(`../../memory/${w}`, path.join(root, path.dirname(to), w));
    } else put(to, data);
  };
  copy('/device-tree', '/proc/device-tree');
  copy('/sys', '/sys');
  copy('/proc', '/proc');
  const fdt = src.files.readFile('/sys-firmware-fdt.dtb');
  if (fdt) put('/sys/firmware/fdt', fdt);
  put('/proc/sys/kernel/hostname', `${hostname}\n`);
  put('/proc/sys/kernel/osrelease', '6.1.0-50-powerpc64le\n');
  for (let c = 0; c < 2; c++) {
    put(`/sys/devices/system/cpu/cpu${c}/physical_id`, `${c}\n`);
    put(`/sys/devices/system/cpu/cpu${c}/online`, '1\n');
    fs.symlinkSync('../../node/node0', path.join(root, `sys/devices/system/cpu/cpu${c}/node0`));
  }
  put('/sys/devices/system/cpu/online', '0-1\n');
  put('/sys/devices/vio/30000000/devspec', '/vdevice/vty@30000000\n');
  put('/sys/devices/vio/30000000/name', 'vty\n');
  put('/sys/bus/pci/slots/C1/address', '0000:00:01\n');
  put('/sys/kernel/dlpar', 'memory,cpu\n');
  fs.mkdirSync(path.join(root, 'var/lock'), { recursive: true }); // lsslot --root takes its lock here
  return root;
}
