// Integer expressions inside cells, "<(0x10 + 4) (1 << 3)>": C operators and
// precedence, 64-bit unsigned arithmetic as dtc does it.
import type { DtsScanner } from './dts-lexer.js';

const U64 = (1n << 64n) - 1n;
const wrap = (v: bigint) => v & U64;

/** binary operators by precedence level, loosest first */
const LEVELS: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<=', '>=', '<', '>'], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

function apply(op: string, a: bigint, b: bigint, s: DtsScanner, at: number): bigint {
  switch (op) {
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '|': return a | b;
    case '^': return a ^ b;
    case '&': return a & b;
    case '==': return a === b ? 1n : 0n;
    case '!=': return a !== b ? 1n : 0n;
    case '<=': return a <= b ? 1n : 0n;
    case '>=': return a >= b ? 1n : 0n;
    case '<': return a < b ? 1n : 0n;
    case '>': return a > b ? 1n : 0n;
    case '<<': return b >= 64n ? 0n : wrap(a << b);
    case '>>': return b >= 64n ? 0n : a >> b;
    case '+': return wrap(a + b);
    case '-': return wrap(a - b);
    case '*': return wrap(a * b);
    default:
      if (b === 0n) throw s.error('division by zero', at);
      return op === '/' ? a / b : a % b;
  }
}

function primary(s: DtsScanner, depth: number): bigint {
  s.skip();
  if (depth > 200) throw s.error('expression nested too deeply');
  if (s.accept('(')) {
    const v = ternary(s, depth + 1);
    s.expect(')', 'to close "("');
    return v;
  }
  if (s.accept('-')) return wrap(-primary(s, depth + 1));
  if (s.accept('~')) return wrap(~primary(s, depth + 1));
  if (s.accept('!')) return primary(s, depth + 1) === 0n ? 1n : 0n;
  if (s.accept('+')) return primary(s, depth + 1);
  if (s.text[s.pos] === "'") return s.charLiteral();
  const n = s.number();
  if (n === undefined) throw s.error(`expected a number in an expression, found ${s.found()}`);
  return BigInt(n);
}

function binary(s: DtsScanner, level: number, depth: number): bigint {
  if (level >= LEVELS.length) return primary(s, depth);
  let left = binary(s, level + 1, depth);
  for (;;) {
    s.skip();
    // longest operator first, and never mistake "&&" for "&" or "<<" for "<"
    const op = LEVELS[level]!.find((o) => s.text.startsWith(o, s.pos) && !(o.length === 1 && (s.text.startsWith(o + o, s.pos) || s.text.startsWith(`${o}=`, s.pos))));
    if (op === undefined) return left;
    const at = s.pos;
    s.pos += op.length;
    left = apply(op, left, binary(s, level + 1, depth), s, at);
  }
}

function ternary(s: DtsScanner, depth: number): bigint {
  const c = binary(s, 0, depth);
  if (!s.accept('?')) return c;
  const a = ternary(s, depth + 1);
  s.expect(':', 'in "?:"');
  const b = ternary(s, depth + 1);
  return c !== 0n ? a : b;
}

/** the scanner is at "("; returns the value as an unsigned 64-bit bigint */
export function evalCellExpr(s: DtsScanner): bigint {
  return primary(s, 0);
}
