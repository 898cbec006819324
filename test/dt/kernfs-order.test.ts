import { describe, expect, it } from 'vitest';
import { kernfsNameHash, kernfsOrder } from '../../lib/dt/kernfs-order.js';

describe('kernfs order', () => {
  it('hashes like fs/kernfs/dir.c (values from the oracle make-tree.py)', () => {
    // independently computed with the oracle's Python kernfs_name_hash()
    expect(kernfsNameHash('memory0')).toBe(KNOWN.memory0);
    expect(kernfsNameHash('cpus')).toBe(KNOWN.cpus);
  });
  it('sorts by hash then name', () => {
    const names = ['memory0', 'cpus', 'rtas', 'chosen'];
    const sorted = kernfsOrder(names);
    const hashes = sorted.map(kernfsNameHash);
    expect([...hashes].sort((a, b) => a - b)).toEqual(hashes);
  });
});

const KNOWN = { memory0: 1420162866, cpus: 1873583895 };
