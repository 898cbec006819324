// Property-based fuzzing of the source readers. Contract: any input ends in a
// tree or a DtError (FormatError/SourceError) with a code; never a RangeError,
// TypeError or a hang. FUZZ_RUNS scales the run count (`npm run fuzz`).
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DtError, FormatError } from '../../lib/errors.js';
import { loadBytes } from '../../lib/dt/load-bytes.js';
import { readDtb } from '../../lib/dt/read-dtb.js';
import { readDts } from '../../lib/dt/read-dts.js';
import { readTar } from '../../lib/dt/read-tar.js';
import { writeDtb } from '../../lib/dt/write-dtb.js';
import { treesEqual } from '../../lib/dt/tree.js';
import { fuzzParams, fuzzTimeout, timed } from '../fuzz/fuzz-runs.js';
import { testIo } from '../helpers/run.js';
import { buildFdt, type FdtToken } from '../helpers/fdt-builder.js';
import { sampleFile } from './fixtures.js';
import { tarArchive, tarEntry } from './tar-builder.js';

const DTB = sampleFile('pseries-7.2-numa2', '00-boot.dtb');
const DTS = new TextDecoder().decode(sampleFile('pseries-7.2-numa2', '00-boot.full.dts'));
const TAR = new Uint8Array(gunzipSync(sampleFile('pseries-7.2-numa2', '00-boot.tar.gz')));

/** run f; a DtError is an accepted outcome, anything else thrown fails the property */
function formatErrorOr<T>(f: () => T): T | DtError {
  try {
    return f();
  } catch (e) {
    if (e instanceof DtError) return e;
    throw e;
  }
}

/** a copy of `base` with a few bytes overwritten and maybe cut */
const mutated = (base: Uint8Array, maxEdits: number) =>
  fc
    .tuple(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: maxEdits }), fc.option(fc.nat(base.length), { nil: undefined }))
    .map(([edits, cut]) => {
      const c = new Uint8Array(base);
      for (const [at, v] of edits) c[at] = v;
      return cut === undefined ? c : c.subarray(0, cut);
    });

const u32 = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 9, 0xffffffff, 0x80000000), fc.nat());
const token: fc.Arbitrary<FdtToken> = fc.oneof(
  fc.constantFrom<string>('', 'a', 'cpus', 'memory@0', 'x/y').map((begin): FdtToken => ({ begin })),
  fc.constant<FdtToken>({ end: true }),
  fc.record({ prop: fc.constantFrom('reg', 'name', 'ibm,lmb-size'), value: fc.uint8Array({ maxLength: 24 }) }).map((p): FdtToken => p),
  fc.record({ prop: fc.constant('p'), value: fc.uint8Array({ maxLength: 8 }), len: u32, nameoff: u32 }).map((p): FdtToken => p),
  fc.constant<FdtToken>({ nop: true }),
  fc.constant<FdtToken>({ fdtEnd: true }),
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((raw): FdtToken => ({ raw })),
);

describe('fuzz readDtb', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (b) => void timed('readDtb', 500, () => formatErrorOr(() => readDtb(b, 'f')))), fuzzParams(300));
  }, fuzzTimeout());
  it('the sample DTB with random byte edits and cuts', () => {
    fc.assert(fc.property(mutated(DTB, 8), (b) => void timed('readDtb', 500, () => formatErrorOr(() => readDtb(b, 'f')))), fuzzParams(300));
  }, fuzzTimeout());
  it('random token streams; whatever parses writes back to an equal tree', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), fc.integer({ min: 2, max: 20 }), (tokens, version) => {
        const r = formatErrorOr(() => readDtb(buildFdt({ tokens, version, lastCompVersion: Math.min(version, 16) }), 'f'));
        if (r instanceof DtError) {
          expect(r).toBeInstanceOf(FormatError);
          expect(r.code).toMatch(/^DTB_/);
        } else expect(treesEqual(readDtb(writeDtb(r), 'w').root, r.root)).toBe(true);
      }),
      fuzzParams(300),
    );
  }, fuzzTimeout());
});

const dtsChars = fc.constantFrom(...'/{}<>[]();=,&:"\'\\#@-+*~!?|^% \n\t0123456789abcdefxABCDEF_'.split(''), '/dts-v1/;', '/ {', '};', '<0x', '/bits/ ', '/memreserve/ ', '/delete-node/ ', '&{/', 'lbl: ', '"\\x4', '/*', '//');

describe('fuzz readDts', () => {
  it('random DTS-like text', () => {
    fc.assert(
      fc.property(fc.array(dtsChars, { maxLength: 80 }), (parts) => {
        const r = timed('readDts', 500, () => formatErrorOr(() => readDts(`/dts-v1/;\n${parts.join('')}`, 'f')));
        if (r instanceof DtError) expect(r.code).toBe('DTS_SYNTAX');
      }),
      fuzzParams(300),
    );
  }, fuzzTimeout());
  it('the sample DTS with random edits', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(DTS.length - 1), fc.nat(8), dtsChars), { minLength: 1, maxLength: 4 }), (edits) => {
        let t = DTS;
        for (const [at, del, ins] of edits) t = t.slice(0, at) + ins + t.slice(at + del);
        const r = timed('readDts', 2000, () => formatErrorOr(() => readDts(t, 'f')));
        if (r instanceof DtError) expect(r.code).toBe('DTS_SYNTAX');
      }),
      fuzzParams(200),
    );
  }, fuzzTimeout());
  it('deep nesting and long expressions stay bounded', () => {
    expect((formatErrorOr(() => readDts(`/dts-v1/;\n/ {${' a {'.repeat(100_000)}`, 'f')) as DtError).code).toBe('DTS_SYNTAX');
    expect((formatErrorOr(() => readDts(`/dts-v1/;\n/ { a = <${'('.repeat(100_000)}1>; };`, 'f')) as DtError).code).toBe('DTS_SYNTAX');
  });
});

describe('fuzz tar reader', () => {
  const entry = fc.record({
    name: fc.constantFrom('a', 'snap/device-tree/cpus/', 'x/../y', '/abs', './dot', '', 'n'.repeat(99), 'd/'),
    type: fc.constantFrom('0', '1', '2', '3', '5', '6', 'x', 'L', 'K', 'g', 'S', '\0'),
    data: fc.uint8Array({ maxLength: 600 }),
    linkname: fc.constantFrom('', 'a', '../..', '/etc/passwd', 'snap/x'),
    format: fc.constantFrom('ustar' as const, 'gnu' as const, 'v7' as const),
    declaredSize: fc.option(fc.oneof(fc.nat(2000), fc.constant(2 ** 40)), { nil: undefined }),
    badChecksum: fc.boolean(),
  });
  it('random entry lists (names, types, sizes, links)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 6 }), fc.boolean(), async (entries, end) => {
        const parts = entries.map((e) => tarEntry(e));
        const bytes = end ? tarArchive(...parts) : Buffer.concat(parts);
        try {
          await readTar(bytes, 't');
        } catch (e) {
          if (!(e instanceof DtError)) throw e;
        }
      }),
      fuzzParams(300),
    );
  }, fuzzTimeout());
  it('the sample tar with random byte edits and cuts, through loadBytes', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(TAR, 6), async (b) => {
        try {
          await loadBytes(b, 't.tar', {}, testIo());
        } catch (e) {
          if (!(e instanceof DtError)) throw e;
        }
      }),
      fuzzParams(100),
    );
  }, fuzzTimeout(60_000));
});
