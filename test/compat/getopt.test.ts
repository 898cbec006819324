import { describe, expect, it } from 'vitest';
import { cStrtol, getopt, strtol, strtoul } from '../../lib/compat/getopt.js';

const cfg = { optstring: 'abc:d:F:ops:w:', prog: '/usr/sbin/lsslot', opterr: true };

describe('getopt (glibc behaviour)', () => {
  it('permutes operands, splits clusters, takes attached and separate arguments', () => {
    const r = getopt(['x', '-ab', '-cmem', 'y', '-d', '4', '--', '-o'], cfg);
    // argIndex: the argv element holding the argument (the C string after it in memory is argv[argIndex + 1])
    expect(r.events).toEqual([{ kind: 'opt', opt: 'a' }, { kind: 'opt', opt: 'b' }, { kind: 'opt', opt: 'c', arg: 'mem', argIndex: 2 }, { kind: 'opt', opt: 'd', arg: '4', argIndex: 5 }]);
    expect(r.operands).toEqual(['x', 'y', '-o']);
  });
  it('stops at the first operand with POSIXLY_CORRECT', () => {
    expect(getopt(['x', '-a'], { ...cfg, posixlyCorrect: true }).events).toEqual([]);
  });
  it('prints glibc diagnostics', () => {
    expect(getopt(['-x'], cfg).events[0]).toEqual({ kind: 'error', opt: 'x', message: "/usr/sbin/lsslot: invalid option -- 'x'\n" });
    expect(getopt(['-c'], cfg).events[0]).toEqual({ kind: 'error', opt: 'c', message: "/usr/sbin/lsslot: option requires an argument -- 'c'\n" });
    expect(getopt(['-x'], { ...cfg, opterr: false }).events[0]).toMatchObject({ kind: 'error', message: '' });
  });
  it('long options: exact, unique prefix, =value; our extras only when spelled exactly', () => {
    const longopts = [{ name: 'capabilities', hasArg: false, val: 'C' }, { name: 'root', hasArg: true, val: 'root' }];
    expect(getopt(['--cap', '--root=/x', '--root', '/y'], { ...cfg, longopts }).events).toEqual([{ kind: 'opt', opt: 'C' }, { kind: 'opt', opt: 'root', arg: '/x' }, { kind: 'opt', opt: 'root', arg: '/y' }]);
    // with plain getopt() an unknown "--help" is the short option '-' (invalid)
    expect(getopt(['--help'], { ...cfg, longopts, longExactOnly: true }).events[0]).toMatchObject({ kind: 'error', opt: '-' });
  });
  it('an exact-only long option is never matched by an abbreviation (drmgr: --d is not --dry-run)', () => {
    const longopts = [{ name: 'capabilities', hasArg: false, val: 'C' }, { name: 'dry-run', hasArg: false, val: 'dry-run', exact: true }];
    expect(getopt(['--d'], { ...cfg, longopts }).events[0]).toMatchObject({ kind: 'error', opt: '' });
    expect(getopt(['--dry-run', '--c'], { ...cfg, longopts }).events).toEqual([{ kind: 'opt', opt: 'dry-run' }, { kind: 'opt', opt: 'C' }]);
  });
});

describe('strtol / strtoul', () => {
  it('base 0 detects 0x, octal and decimal; stops at the first bad digit', () => {
    expect(strtol('0x80000010', 0)).toBe(0x80000010n);
    expect(strtol('020000000015', 0)).toBe(0x8000000dn);
    expect(strtol('2147483661', 0)).toBe(2147483661n);
    expect(strtol('LMB 5', 0)).toBe(0n);
    expect(strtol('12abc', 10)).toBe(12n);
    expect(cStrtol('0x', 16).value).toBe(0n);
  });
  it('strtoul wraps negatives and saturates', () => {
    expect(strtoul('-1', 10)).toBe((1n << 64n) - 1n);
    expect(strtoul('99999999999999999999999', 10)).toBe((1n << 64n) - 1n);
    expect(strtol('99999999999999999999999', 10)).toBe((1n << 63n) - 1n);
  });
});

describe('glibc argv permutation (drmgr logs argv after parse_options)', () => {
  const cfg = { optstring: 'ac:d:q:r', prog: 'drmgr', opterr: false };
  it('moves operands behind the options, in order, after the final scan', () => {
    const r = getopt(['x', '-d', '4', '-c', 'mem', 'y', '-a', '-q', '1', 'z'], cfg);
    expect(r.permutedFinal).toEqual(['-d', '4', '-c', 'mem', '-a', '-q', '1', 'x', 'y', 'z']);
  });
  it('is partial where parsing stops (a bad option): only blocks already passed are moved', () => {
    const r = getopt(['-d', '4', 'one', '-c', 'mem', 'two', '-r', '-q', '1', '-x', 'three'], cfg);
    const k = r.events.findIndex((e) => e.kind === 'error');
    expect(r.permutedAt[k]).toEqual(['-d', '4', '-c', 'mem', '-r', '-q', '1', 'one', 'two', '-x', 'three']);
    expect(r.permutedFinal).toEqual(['-d', '4', '-c', 'mem', '-r', '-q', '1', '-x', 'one', 'two', 'three']);
  });
  it('"--" goes before the operands; POSIXLY_CORRECT permutes nothing', () => {
    expect(getopt(['a', '-r', '--', 'b'], cfg).permutedFinal).toEqual(['-r', '--', 'a', 'b']);
    expect(getopt(['-r', 'a', '-a'], { ...cfg, posixlyCorrect: true }).permutedFinal).toEqual(['-r', 'a', '-a']);
  });
});
