// glibc getopt()/getopt_long() as the C tools see it: argument permutation
// (options may follow operands unless POSIXLY_CORRECT is set), grouped short
// options (-ab), attached or separate arguments (-cmem / -c mem), "--" ends
// options, and glibc's exact diagnostics when opterr is on. Our own long
// options (--root, --source, ...) are recognised here too so they can sit
// anywhere an option can, without changing how the original's options parse.

export interface LongOpt {
  name: string;
  hasArg: boolean;
  /** value reported for it (a short option letter, or the long name) */
  val: string;
  /** matched by its full name only, never by an abbreviation (our own options next to the original's) */
  exact?: boolean;
}

export type GetoptEvent =
  /** argIndex: where the argument's string is in the argv given (C strings sit in that order in memory) */
  | { kind: 'opt'; opt: string; arg?: string; argIndex?: number }
  /** unknown option or missing argument: what getopt returns as '?' (or ':'), optopt = opt */
  | { kind: 'error'; opt: string; message: string };

export interface GetoptResult {
  events: GetoptEvent[];
  /** operands (non-options), in order */
  operands: string[];
  /**
   * argv (without argv[0]) as glibc has permuted it when events[k] was returned
   * (permutedAt[k]), and after the final -1 (permutedFinal): non-options are
   * moved behind the options lazily, block by block, when the next element is
   * scanned. drmgr logs its argv after parse_options(), so the order shows.
   */
  permutedAt: string[][];
  permutedFinal: string[];
}

export interface GetoptConfig {
  optstring: string;
  longopts?: LongOpt[];
  /** program name for diagnostics (argv[0]) */
  prog: string;
  /** opterr: print glibc diagnostics (the messages are returned; the caller prints them) */
  opterr: boolean;
  posixlyCorrect?: boolean;
  /** plain getopt() plus our own exact long options: any other "--x" parses as short options, as in C */
  longExactOnly?: boolean;
}

/** Parse everything; events stop being meaningful once the caller reacts to an error, as in C. */
export function getopt(argv: readonly string[], cfg: GetoptConfig): GetoptResult {
  const events: GetoptEvent[] = [];
  const operands: string[] = [];
  const permutedAt: string[][] = [];
  // glibc's PERMUTE state: perm[first, last) is the block of non-options skipped last;
  // elements from i on are never moved, so argv[i] === perm[i] for the element being parsed
  const perm = [...argv];
  let first = 0;
  let last = 0;
  const exchange = (at: number) => {
    const moved = [...perm.slice(last, at), ...perm.slice(first, last)];
    perm.splice(first, at - first, ...moved);
    first += at - last;
    last = at;
  };
  let spec = cfg.optstring;
  let posix = cfg.posixlyCorrect ?? false;
  if (spec.startsWith('+')) {
    posix = true;
    spec = spec.slice(1);
  } else if (spec.startsWith('-')) spec = spec.slice(1);
  const colonMode = spec.startsWith(':');
  if (colonMode) spec = spec.slice(1);
  const takesArg = (c: string): boolean | undefined => {
    const i = spec.indexOf(c);
    if (c === ':' || i < 0) return undefined;
    return spec[i + 1] === ':';
  };
  const err = (opt: string, message: string) => {
    events.push({ kind: 'error', opt, message: cfg.opterr && !colonMode ? message : '' });
    permutedAt.push([...perm]);
  };
  const ok = (e: GetoptEvent) => {
    events.push(e);
    permutedAt.push([...perm]);
  };
  const nonOption = (a: string) => a === '-' || !a.startsWith('-');
  let i = 0;
  while (i < argv.length) {
    if (!posix) {
      // a new element: move the last block of non-options behind the options parsed since
      if (first !== last && last !== i) exchange(i);
      else if (last !== i) first = i;
      while (i < argv.length && nonOption(argv[i]!)) operands.push(argv[i++]!);
      last = i;
      if (i >= argv.length) break;
    }
    const a = argv[i]!;
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      if (!posix) {
        i++;
        if (first !== last && last !== i) exchange(i);
        else if (first === last) first = i;
        last = argv.length;
        i = argv.length;
      }
      break;
    }
    if (nonOption(a)) {
      // POSIXLY_CORRECT (or '+'): the first operand ends the options
      operands.push(...argv.slice(i));
      break;
    }
    const longName = a.slice(2).split('=')[0]!;
    if (a.startsWith('--') && cfg.longopts && (!cfg.longExactOnly || cfg.longopts.some((l) => l.name === longName))) {
      const body = a.slice(2);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const exact = cfg.longopts.find((l) => l.name === name);
      const prefixed = exact ? [exact] : cfg.longopts.filter((l) => !l.exact && l.name.startsWith(name));
      const distinct = new Set(prefixed.map((l) => `${l.val}/${l.hasArg}`));
      i++;
      if (prefixed.length === 0) {
        err('', `${cfg.prog}: unrecognized option '--${name}'\n`);
        continue;
      }
      if (distinct.size > 1) {
        err('', `${cfg.prog}: option '--${name}' is ambiguous; possibilities:${prefixed.map((l) => ` '--${l.name}'`).join('')}\n`);
        continue;
      }
      const lo = prefixed[0]!;
      if (eq >= 0) {
        if (!lo.hasArg) {
          err(lo.val, `${cfg.prog}: option '--${lo.name}' doesn't allow an argument\n`);
          continue;
        }
        ok({ kind: 'opt', opt: lo.val, arg: body.slice(eq + 1) });
      } else if (lo.hasArg) {
        if (i >= argv.length) {
          err(lo.val, `${cfg.prog}: option '--${lo.name}' requires an argument\n`);
          continue;
        }
        ok({ kind: 'opt', opt: lo.val, arg: argv[i++]! });
      } else ok({ kind: 'opt', opt: lo.val });
      continue;
    }
    // a cluster of short options
    i++;
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const has = takesArg(c);
      if (has === undefined) {
        err(c, `${cfg.prog}: invalid option -- '${c}'\n`);
        continue;
      }
      if (!has) {
        ok({ kind: 'opt', opt: c });
        continue;
      }
      if (j + 1 < a.length) {
        ok({ kind: 'opt', opt: c, arg: a.slice(j + 1), argIndex: i - 1 });
      } else if (i < argv.length) {
        ok({ kind: 'opt', opt: c, arg: argv[i]!, argIndex: i++ });
      } else {
        err(c, `${cfg.prog}: option requires an argument -- '${c}'\n`);
      }
      break;
    }
  }
  if (!posix && first !== last && last !== i) exchange(i);
  return { events, operands, permutedAt, permutedFinal: perm };
}

/** C strtol/strtoul prefix parse: leading blanks, sign, base 0/10/16 prefix rules; value of the longest valid prefix (0 when none). */
export function cStrtol(s: string, base: number): { value: bigint; rest: string; any: boolean } {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  let b = base;
  const hasHexPrefix = (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? ''));
  if ((b === 0 || b === 16) && hasHexPrefix) {
    i += 2;
    b = 16;
  } else if (b === 0) b = s[i] === '0' ? 8 : 10;
  let v = 0n;
  let any = false;
  const start = i;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 36);
    if (Number.isNaN(d) || d >= b) break;
    v = v * BigInt(b) + BigInt(d);
    any = true;
  }
  if (!any && hasHexPrefix) {
    /* unreachable: prefix requires a hex digit */
  }
  return { value: neg ? -v : v, rest: s.slice(any ? i : start), any };
}

/** strtol(s, NULL, base) as a C long (64-bit, saturating). */
export function strtol(s: string, base: number): bigint {
  const { value } = cStrtol(s, base);
  const max = (1n << 63n) - 1n;
  if (value > max) return max;
  if (value < -max - 1n) return -max - 1n;
  return value;
}

/** strtoul(s, NULL, base) as a C unsigned long (64-bit; negative wraps; overflow saturates). */
export function strtoul(s: string, base: number): bigint {
  const { value } = cStrtol(s, base);
  const m = 1n << 64n;
  const mag = value < 0n ? -value : value;
  if (mag >= m) return m - 1n;
  return value < 0n ? m - mag : value;
}

/** atoi(): strtol base 10 truncated to a C int */
export function atoi(s: string): number {
  return Number(BigInt.asIntN(32, strtol(s, 10)));
}
