import { describe, expect, it } from 'vitest';
import { dlparNodes, hotplugNodes, locCodeCmp, slotDescription } from '../../lib/model/slot.js';
import { systemFromRoot } from '../../lib/compat/system.js';
import { testIo } from '../helpers/run.js';
import { buildTree, treeVolume } from '../compat/make-tree.js';
import { loadDesc } from '../compat/golden.js';

describe('locCodeCmp (lsslot loc_code_cmp)', () => {
  it('compares instance numbers as hex, segment by segment', () => {
    const names = ['U9-V16-C312', 'U9-V16-C0', 'U9-V16-C101', 'U9-V16-C11', 'U9-V16-C2'];
    expect([...names].sort(locCodeCmp)).toEqual(['U9-V16-C0', 'U9-V16-C2', 'U9-V16-C11', 'U9-V16-C101', 'U9-V16-C312']);
    // 0x1a > 0x9 although "1a" < "9" as text
    expect(locCodeCmp('P1-C1a', 'P1-C9')).toBe(1);
  });
  it('sorts a "/" connector before a "." sub-location and shorter strings first', () => {
    expect(locCodeCmp('P1-C1/Z1', 'P1-C1.2')).toBe(-1);
    expect(locCodeCmp('P1-C1.2', 'P1-C1/Z1')).toBe(1);
    expect(locCodeCmp('P1-C1', 'P1-C1-T1')).toBe(-1);
    expect(locCodeCmp('P1-C1/Z1', 'P1-C1/Z2')).toBe(-1);
  });
  it('treats names without hex instance numbers as equal (input order kept)', () => {
    expect(locCodeCmp('Port4', 'Port1')).toBe(0);
    expect(locCodeCmp('', '')).toBe(0);
  });
});

describe('slotDescription (node_type)', () => {
  it('maps PCI slot types 1-8 and 11-53, else the node kind', () => {
    expect(slotDescription({ drcType: '1', kind: 'hotplug' })).toBe('PCI 32 bit, 33MHz, 5 volt slot');
    expect(slotDescription({ drcType: '28', kind: 'hotplug' })).toBe('PCI-E capable, Rev 2, 8x lanes');
    expect(slotDescription({ drcType: '53', kind: 'hotplug' })).toBe('U.2 PCI-E capable, Rev 5, 4x lanes with 4x lanes connected');
    expect(slotDescription({ drcType: '9', kind: 'hotplug' })).toBe('Unknown slot type');
    expect(slotDescription({ drcType: '54', kind: 'logical' })).toBe('Logical I/O Slot');
    expect(slotDescription({ drcType: 'SLOT', kind: 'vio' })).toBe('Virtual I/O Slot');
    expect(slotDescription({ drcType: 'HEA', kind: 'hea-port' })).toBe('HEA Port I/O Slot');
  });
});

describe('slot inventory', () => {
  const io = testIo({ fs: treeVolume(buildTree(loadDesc('slots-many.json') as never)).fs });
  const view = systemFromRoot(io, undefined);
  it('finds owned and not-owned logical/virtual slots, device nodes and Linux devices', () => {
    const inv = dlparNodes(view, { pci: true, vio: true, hea: true });
    const byName = new Map(inv.nodes.map((n) => [n.drcName, n]));
    expect(byName.get('U9009.42A.1234567-P1-C5')).toMatchObject({ kind: 'logical', owned: true, dname: 'pci', ofdtPath: '/proc/device-tree/pci@800000020000002/pci@0' });
    expect(byName.get('U9009.42A.1234567-P1-C6')).toMatchObject({ owned: false, ofdtPath: '/proc/device-tree/pci@800000020000002' });
    expect(byName.get('U9040.MR9.132944X-V16-C5')).toMatchObject({ kind: 'vio', owned: false });
    expect(byName.get('U9040.MR9.132944X-V16-C0')!.sysfsPath).toBe('/sys/devices/vio/30000000');
    expect(byName.get('HEA1')!.children.map((c) => c.drcName)).toEqual(['Port4', 'Port1']);
  });
  it('marks a hot-plug slot whose device names another slot as skipped', () => {
    const inv = hotplugNodes(view);
    const c2 = inv.nodes.find((n) => n.drcName === 'U78D3.001.WZS0CEN-P1-C2')!;
    expect(c2.skip).toBe(true);
    const c1 = inv.nodes.find((n) => n.drcName === 'U78D3.001.WZS0CEN-P1-C1')!;
    expect(c1.children.map((c) => c.sysfsPath)).toEqual(['/sys/devices/pci0001:01/0001:01:00.0', '/sys/devices/pci0001:01/0001:01:00.1']);
  });
  it('lists PHBs with all their connectors, including a PHB without DRC lists', () => {
    const inv = dlparNodes(view, { phb: true });
    expect(inv.nodes.map((n) => n.drcName).sort()).toEqual(['PHB1', 'PHB2', 'PHB3']);
    expect(inv.messages.some(([, m]) => m.includes('pci@800000020000003'))).toBe(true);
  });
});
