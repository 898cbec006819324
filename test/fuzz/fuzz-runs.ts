// One knob for every fuzz test (ours and test/dt's): FUZZ_RUNS. Unset = the
// bounded run of the normal suite (seconds); `npm run fuzz` sets 100000.
// FUZZ_SEED replays a failure fast-check reported.
export function fuzzRuns(quick: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(n) && n > 0 ? n : quick;
}

/** fast-check parameters: runs scaled from the quick count, seed when replaying */
export function fuzzParams(quick: number): { numRuns: number; seed?: number; endOnFailure: boolean } {
  const seed = Number(process.env.FUZZ_SEED);
  return { numRuns: fuzzRuns(quick), endOnFailure: true, ...(Number.isFinite(seed) && process.env.FUZZ_SEED ? { seed } : {}) };
}

/** vitest timeout for a fuzz test: generous when FUZZ_RUNS is large */
export function fuzzTimeout(quickMs = 30_000): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(n) && n > 1000 ? 3_600_000 : quickMs;
}

/** Run f and fail if one call takes longer than `ms` (a hang or a quadratic blow-up on tiny input). */
export function timed<T>(what: string, ms: number, f: () => T): T {
  const t0 = performance.now();
  const r = f();
  const dt = performance.now() - t0;
  if (dt > ms) throw new Error(`${what} took ${dt.toFixed(0)} ms (limit ${ms} ms)`);
  return r;
}
