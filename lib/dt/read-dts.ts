// DTS text -> DtTree: what `dtc -O dts` prints, plus the usual hand-written
// forms (labels, &label / &{/path} references, /bits/, byte strings, string
// lists, merged and deleted nodes). Not supported, refused with DTS_SYNTAX and a
// line number: the C preprocessor, /include/, overlays (/plugin/).
import { DtsScanner } from './dts-lexer.js';
import { evalCellExpr } from './dts-expr.js';
import { TREE_MAX_NODES } from './read-dtb.js';
import { newTree, type DtNode, type DtTree } from './tree.js';

/** a growable byte buffer (property values can be megabytes of cells) */
class ByteSink {
  buf = new Uint8Array(64);
  len = 0;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  push(bytes: ArrayLike<number>): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }
  /** big-endian integer of `bits` width (already masked) */
  int(v: bigint | number, bits: number): void {
    this.room(bits / 8);
    if (bits === 32 && typeof v === 'number') {
      this.buf[this.len] = v >>> 24;
      this.buf[this.len + 1] = (v >>> 16) & 0xff;
      this.buf[this.len + 2] = (v >>> 8) & 0xff;
      this.buf[this.len + 3] = v & 0xff;
    } else {
      let b = BigInt(v);
      for (let i = bits / 8 - 1; i >= 0; i--) {
        this.buf[this.len + i] = Number(b & 0xffn);
        b >>= 8n;
      }
    }
    this.len += bits / 8;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

type Ref = { label?: string; path?: string };
/** a <&label> cell: byte `offset` inside parts[part] */
type PhandleRef = { ref: Ref; part: number; offset: number; pos: number };
/** a property assignment or deletion, replayed once every label is known */
type Op =
  | { kind: 'set'; node: DtNode; name: string; parts: (Uint8Array | { pathRef: Ref; pos: number })[]; phandleRefs: PhandleRef[] }
  | { kind: 'delete'; node: DtNode; name: string };

/** same cap as the DTB reader: real trees are < 10 deep, and the parser recurses per level */
const DTS_MAX_DEPTH = 64;

export function readDts(text: string, file: string): DtTree {
  return new DtsParser(text, file).parse();
}

class DtsParser {
  private readonly s: DtsScanner;
  private readonly tree = newTree();
  private readonly labels = new Map<string, DtNode>();
  private readonly ops: Op[] = [];
  private nodes = 0;

  constructor(text: string, file: string) {
    this.s = new DtsScanner(text.replace(/^\uFEFF/, ''), file);
  }

  parse(): DtTree {
    const s = this.s;
    if (!s.accept('/dts-v1/')) throw s.error(`expected "/dts-v1/;" at the start (version 0 DTS and preprocessor input are not supported), found ${s.found()}`);
    s.expect(';', 'after /dts-v1/');
    while (!s.eof()) this.topLevel();
    this.replay();
    return this.tree;
  }

  private unsupported(): void {
    const s = this.s;
    if (s.peek('/plugin/')) throw s.error('device-tree overlays (/plugin/) are not supported');
    if (s.peek('/include/')) throw s.error('/include/ is not supported: give a single self-contained DTS (e.g. dtc -O dts output)');
    if (s.peek('/omit-if-no-ref/')) throw s.error('/omit-if-no-ref/ is not supported');
    if (/^#\s*(include|define|undef|ifn?def|if|else|elif|endif|pragma)\b/.test(s.text.slice(s.pos, s.pos + 12))) throw s.error('C preprocessor directives are not supported: run the file through cpp (or dtc -O dts) first');
  }

  private topLevel(): void {
    const s = this.s;
    this.unsupported();
    while (s.label() !== undefined);
    if (s.accept('/dts-v1/')) {
      s.expect(';', 'after /dts-v1/');
    } else if (s.accept('/memreserve/')) {
      const address = this.int64('a /memreserve/ address');
      const size = this.int64('a /memreserve/ size');
      s.expect(';', 'after /memreserve/');
      this.tree.memreserve.push({ address, size });
    } else if (s.accept('/delete-node/')) {
      s.expect('&', 'after top-level /delete-node/');
      const at = s.pos;
      const node = this.resolve(s.reference(), at);
      if (!node.parent) throw s.error('cannot delete the root node', at);
      node.parent.children.delete(node.name);
      s.expect(';', 'after /delete-node/');
    } else if (s.accept('&')) {
      const at = s.pos;
      this.body(this.resolve(s.reference(), at));
      s.expect(';', 'after a node');
    } else if (s.accept('/')) {
      this.body(this.tree.root);
      s.expect(';', 'after the root node');
    } else throw s.error(`expected "/ {", "&label {" or /memreserve/, found ${s.found()}`);
  }

  private int64(what: string): bigint {
    const v = this.s.number();
    if (v === undefined) throw this.s.error(`expected ${what}, found ${this.s.found()}`);
    if (BigInt(v) >= 1n << 64n) throw this.s.error(`${what} does not fit in 64 bits`);
    return BigInt(v);
  }

  /** `{ ... }` of a node; the node already exists */
  private body(node: DtNode, depth = 0): void {
    const s = this.s;
    if (depth > DTS_MAX_DEPTH) throw s.error(`nodes nested deeper than ${DTS_MAX_DEPTH} levels`);
    s.expect('{', 'to open a node');
    node.origin ??= `${s.file}:${s.where().line}`;
    for (;;) {
      this.unsupported();
      if (s.accept('}')) return;
      if (s.accept('/delete-property/')) {
        const name = s.word();
        if (name === undefined) throw s.error('expected a property name after /delete-property/');
        this.ops.push({ kind: 'delete', node, name });
        s.expect(';', 'after /delete-property/');
        continue;
      }
      if (s.accept('/delete-node/')) {
        const name = s.word();
        if (name === undefined) throw s.error('expected a node name after /delete-node/');
        node.children.delete(name);
        s.expect(';', 'after /delete-node/');
        continue;
      }
      const labels: string[] = [];
      for (let l = s.label(); l !== undefined; l = s.label()) labels.push(l);
      const at = s.pos;
      const name = s.word();
      if (name === undefined) throw s.error(`expected a property or node name, found ${s.found()}`);
      if (s.peek('{')) {
        if (++this.nodes > TREE_MAX_NODES) throw s.error(`more than ${TREE_MAX_NODES} nodes: refusing`, at);
        const child = node.addChild(name);
        for (const l of labels) this.defineLabel(l, child, at);
        this.body(child, depth + 1);
        s.expect(';', `after node "${name}"`);
      } else if (s.accept('=')) {
        this.property(node, name);
      } else if (s.accept(';')) {
        this.ops.push({ kind: 'set', node, name, parts: [], phandleRefs: [] });
      } else throw s.error(`expected "=", ";" or "{" after "${name}", found ${s.found()}`);
    }
  }

  private defineLabel(label: string, node: DtNode, at: number): void {
    const old = this.labels.get(label);
    if (old && old !== node) throw this.s.error(`label "${label}" is already used for ${old.path}`, at);
    this.labels.set(label, node);
  }

  /** values after '=' up to ';' */
  private property(node: DtNode, name: string): void {
    const s = this.s;
    const op: Op & { kind: 'set' } = { kind: 'set', node, name, parts: [], phandleRefs: [] };
    let sink = new ByteSink();
    const flush = () => {
      if (sink.len > 0) op.parts.push(sink.bytes());
      sink = new ByteSink();
    };
    do {
      while (s.label() !== undefined);
      if (s.peek('"')) {
        sink.push(s.string());
        sink.push([0]);
      } else if (s.accept('[')) {
        this.byteString(sink);
      } else if (s.accept('&')) {
        const at = s.pos;
        flush();
        op.parts.push({ pathRef: s.reference(), pos: at });
      } else {
        let bits = 32;
        if (s.accept('/bits/')) {
          const b = s.number();
          if (b !== 8 && b !== 16 && b !== 32 && b !== 64) throw s.error('/bits/ must be 8, 16, 32 or 64');
          bits = b;
        }
        s.expect('<', `to start the value of "${name}"`);
        this.cells(sink, bits, op);
      }
      while (s.label() !== undefined);
    } while (s.accept(','));
    s.expect(';', `after the value of "${name}"`);
    flush();
    this.ops.push(op);
  }

  private cells(sink: ByteSink, bits: number, op: Op & { kind: 'set' }): void {
    const s = this.s;
    const mask = (1n << BigInt(bits)) - 1n;
    for (;;) {
      s.skip();
      const c = s.text.charCodeAt(s.pos);
      if (c === 62 /* > */) {
        s.pos++;
        return;
      }
      // a label inside a cell list starts with a letter or "_" (numbers never do)
      if (((c | 32) >= 97 && (c | 32) <= 122) || c === 95) {
        if (s.label() !== undefined) continue;
      }
      const at = s.pos;
      if (s.accept('&')) {
        if (bits !== 32) throw s.error('a phandle reference needs 32-bit cells', at);
        // the sink becomes parts[op.parts.length] when it is flushed
        op.phandleRefs.push({ ref: s.reference(), part: op.parts.length, offset: sink.len, pos: at });
        sink.int(0, 32);
        continue;
      }
      let v: bigint | number | undefined;
      if (s.text[s.pos] === "'") v = s.charLiteral();
      else if (s.text[s.pos] === '(') v = evalCellExpr(s);
      else v = s.number();
      if (v === undefined) throw s.error(`expected a number, "&label" or ">" in a cell list, found ${s.found()}`);
      if (typeof v === 'number' && bits === 32 && v <= 0xffffffff) sink.int(v, 32);
      else {
        const b = BigInt(v);
        // dtc's rule: out of range unless the extra high bits are all ones (a negative value)
        if (b > mask && (b | mask) !== (1n << 64n) - 1n) throw s.error(`value does not fit in ${bits} bits`, at);
        sink.int(b & mask, bits);
      }
    }
  }

  private byteString(sink: ByteSink): void {
    const s = this.s;
    for (;;) {
      s.skip();
      if (s.accept(']')) return;
      if (s.label() !== undefined) continue;
      const m = /^[0-9a-fA-F]{2}/.exec(s.text.slice(s.pos, s.pos + 2));
      if (!m) throw s.error(`expected hex byte pairs in [...], found ${s.found()}`);
      sink.push([parseInt(m[0], 16)]);
      s.pos += 2;
    }
  }

  private resolve(ref: Ref, at: number): DtNode {
    if (ref.label !== undefined) {
      const n = this.labels.get(ref.label);
      if (!n) throw this.s.error(`reference to undefined label "${ref.label}"`, at);
      return n;
    }
    let node: DtNode | undefined = this.tree.root;
    for (const part of (ref.path ?? '').split('/')) {
      if (part === '') continue;
      node = node?.children.get(part);
    }
    if (!node) throw this.s.error(`reference to a path that does not exist: "${ref.path}"`, at);
    return node;
  }

  /** properties in source order, then phandle cells patched in */
  private replay(): void {
    const pending: { node: DtNode; name: string; value: Uint8Array; refs: { ref: Ref; offset: number; pos: number }[] }[] = [];
    const enc = new TextEncoder();
    for (const op of this.ops) {
      if (op.kind === 'delete') {
        op.node.props.delete(op.name);
        continue;
      }
      const chunks = op.parts.map((p) => (p instanceof Uint8Array ? p : enc.encode(`${this.resolve(p.pathRef, p.pos).path}\0`)));
      const starts: number[] = [];
      let total = 0;
      for (const c of chunks) {
        starts.push(total);
        total += c.length;
      }
      const value = chunks.length === 1 ? chunks[0]! : new Uint8Array(total);
      if (chunks.length !== 1) chunks.forEach((c, i) => value.set(c, starts[i]!));
      op.node.setProp(op.name, value);
      if (op.phandleRefs.length > 0) pending.push({ node: op.node, name: op.name, value, refs: op.phandleRefs.map((r) => ({ ref: r.ref, pos: r.pos, offset: starts[r.part]! + r.offset })) });
    }
    for (const p of pending) {
      if (p.node.props.get(p.name) !== p.value) continue; // overwritten later in the source
      for (const r of p.refs) new DataView(p.value.buffer).setUint32(r.offset, this.phandleOf(this.resolve(r.ref, r.pos)), false);
    }
  }

  /** the node's phandle; dtc gives one (max + 1) to a referenced node that has none */
  private phandleOf(node: DtNode): number {
    const have = node.prop('phandle') ?? node.prop('linux,phandle');
    if (have && have.length === 4) return new DataView(have.buffer, have.byteOffset).getUint32(0, false);
    let max = 0;
    const visit = (n: DtNode) => {
      for (const k of ['phandle', 'linux,phandle']) {
        const v = n.prop(k);
        if (v && v.length === 4) max = Math.max(max, new DataView(v.buffer, v.byteOffset).getUint32(0, false));
      }
      n.children.forEach(visit);
    };
    visit(this.tree.root);
    const value = max + 1;
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value, false);
    node.setProp('phandle', b);
    return value;
  }
}
