// Character-level scanner for DTS text. DTS is context-sensitive ("64-bit" is a
// property name, "64" inside <...> a number), so instead of one token stream the
// parser asks for the kind of token it expects at each point, as dtc's lexer
// does with its start conditions.
import { FormatError } from '../errors.js';

const NAME_RE = /[a-zA-Z0-9,._+*#?@-]+/y;
const NUMBER_RE = /(0[xX][0-9a-fA-F]+|[0-9]+)(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU]?)(?![a-zA-Z0-9_])/y;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class DtsScanner {
  pos = 0;
  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  /** line and column (1-based) of an offset, for messages */
  where(pos = this.pos): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = this.text.indexOf('\n'); i >= 0 && i < pos; i = this.text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: pos - lineStart + 1 };
  }

  error(message: string, pos = this.pos): FormatError {
    const { line, column } = this.where(pos);
    return new FormatError('DTS_SYNTAX', `line ${line}, column ${column}: ${message}`, { file: this.file });
  }

  /** what is at the cursor, quoted, for "expected X, found Y" */
  found(): string {
    if (this.pos >= this.text.length) return 'end of file';
    const next = this.text.slice(this.pos, this.pos + 12);
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x08\x0e-\x1f\ufffd]/.test(next)) return 'binary data';
    return JSON.stringify(next.split('\n')[0]);
  }

  /** skip whitespace, comments and cpp line markers ("# 1 \"file\"") */
  skip(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) {
        this.pos++;
      } else if (t.startsWith('//', this.pos)) {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl + 1;
      } else if (t.startsWith('/*', this.pos)) {
        const end = t.indexOf('*/', this.pos + 2);
        if (end < 0) throw this.error('unterminated /* comment');
        this.pos = end + 2;
      } else if (c === 35 /* # */ && this.atLineStart() && /^#\s*\d/.test(t.slice(this.pos, this.pos + 8))) {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl + 1;
      } else return;
    }
  }

  private atLineStart(): boolean {
    for (let i = this.pos - 1; i >= 0; i--) {
      const ch = this.text[i];
      if (ch === '\n') return true;
      if (ch !== ' ' && ch !== '\t') return false;
    }
    return true;
  }

  eof(): boolean {
    this.skip();
    return this.pos >= this.text.length;
  }

  peek(s: string): boolean {
    this.skip();
    return this.text.startsWith(s, this.pos);
  }

  /** consume `s` if it is next */
  accept(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string, what: string): void {
    if (!this.accept(s)) throw this.error(`expected "${s}" ${what}, found ${this.found()}`);
  }

  /** a node or property name (also label names, before their ':') */
  word(): string | undefined {
    this.skip();
    NAME_RE.lastIndex = this.pos;
    const m = NAME_RE.exec(this.text);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  /** a label definition "name:" at the cursor; consumed only when it is one */
  label(): string | undefined {
    this.skip();
    const start = this.pos;
    const w = this.word();
    if (w !== undefined && LABEL_RE.test(w) && this.text[this.pos] === ':') {
      this.pos++;
      return w;
    }
    this.pos = start;
    return undefined;
  }

  /** after '&': "label" or "{/path}" */
  reference(): { label?: string; path?: string } {
    if (this.text[this.pos] === '{') {
      const end = this.text.indexOf('}', this.pos);
      if (end < 0) throw this.error('unterminated &{/path} reference');
      const path = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return { path };
    }
    const start = this.pos;
    while (this.pos < this.text.length && /[a-zA-Z0-9_]/.test(this.text[this.pos]!)) this.pos++;
    if (this.pos === start) throw this.error('expected a label name after "&"');
    return { label: this.text.slice(start, this.pos) };
  }

  /** integer literal: 0x.., 0.. (octal), decimal, with optional U/L suffixes */
  number(): bigint | number | undefined {
    this.skip();
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.text);
    if (!m) return undefined;
    this.pos += m[0].length;
    const lit = m[1]!;
    // the common case (cells printed by dtc) stays a plain number: no BigInt per cell
    if (lit.length <= 10 && (lit[1] === 'x' || lit[1] === 'X')) return parseInt(lit, 16);
    if (/^0[xX]/.test(lit)) return BigInt(lit);
    if (lit.length <= 15 && (lit === '0' || lit[0] !== '0')) return parseInt(lit, 10);
    if (lit.length > 1 && lit.startsWith('0')) {
      if (!/^[0-7]+$/.test(lit)) throw this.error(`bad octal number ${lit}`);
      return BigInt(`0o${lit.slice(1)}`);
    }
    return BigInt(lit);
  }

  /** one escape sequence after a backslash, as a byte value */
  private escape(): number {
    const c = this.text[this.pos++];
    switch (c) {
      case 'n': return 10;
      case 't': return 9;
      case 'r': return 13;
      case 'a': return 7;
      case 'b': return 8;
      case 'f': return 12;
      case 'v': return 11;
      case '\\': return 92;
      case '"': return 34;
      case "'": return 39;
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(this.text.slice(this.pos, this.pos + 2));
        if (!m) throw this.error('\\x needs hex digits');
        this.pos += m[0].length;
        return parseInt(m[0], 16);
      }
      default: {
        const m = /^[0-7]{1,3}/.exec(this.text.slice(this.pos - 1, this.pos + 2));
        if (!m) throw this.error(`unknown escape \\${c ?? ''}`);
        this.pos += m[0].length - 1;
        return parseInt(m[0], 8) & 0xff;
      }
    }
  }

  /** a "..." string as bytes (UTF-8 for non-ASCII characters), without the NUL */
  string(): number[] {
    this.skip();
    if (this.text[this.pos] !== '"') throw this.error(`expected a string, found ${this.found()}`);
    const start = this.pos++;
    const out: number[] = [];
    for (;;) {
      if (this.pos >= this.text.length) throw this.error('unterminated string', start);
      const ch = this.text[this.pos++]!;
      if (ch === '"') return out;
      if (ch === '\n') throw this.error('newline inside a string', start);
      if (ch === '\\') out.push(this.escape());
      else if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
      else {
        const cp = this.text.codePointAt(this.pos - 1)!;
        if (cp > 0xffff) this.pos++;
        out.push(...new TextEncoder().encode(String.fromCodePoint(cp)));
      }
    }
  }

  /** a 'c' character literal as its byte value */
  charLiteral(): bigint {
    this.pos++; // opening quote
    const ch = this.text[this.pos++];
    const v = ch === '\\' ? this.escape() : (ch ?? '').charCodeAt(0);
    if (this.text[this.pos++] !== "'") throw this.error('bad character literal');
    return BigInt(v);
  }
}
