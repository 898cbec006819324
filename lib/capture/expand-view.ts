// Present a drscope capture's memory-block table as the sysfs files it came
// from: /sys/devices/system/memory/memoryN/{state,...,nodeX} and the
// /sys/devices/system/node/nodeX/memoryN links. Parsed lazily, on the first
// look at either directory.
import type { EntryKind, FileView } from '../dt/file-view.js';
import { BLOCK_ATTRS, MEMORY_TABLE_NAME, parseTable, rowCells, uncell, type ParsedTable } from './memory-table.js';

const MEM = '/sys/devices/system/memory';
const NODE = '/sys/devices/system/node';
const BLOCK_RE = /^\/sys\/devices\/system\/memory\/memory(\d+)(?:\/([^/]+))?$/;
const NODE_RE = /^\/sys\/devices\/system\/node\/node(\d+)(?:\/memory(\d+))?$/;
const NODES_COL = BLOCK_ATTRS.length + 1;

function norm(p: string): string {
  // readers pass clean absolute paths; only odd ones pay for the regexes
  if (p.charCodeAt(0) === 47 && !p.includes('//') && (p.length === 1 || !p.endsWith('/'))) return p;
  const s = `/${p}`.replace(/\/+/g, '/');
  return s.length > 1 ? s.replace(/\/$/, '') : s;
}

/** true when this capture root stores its memory blocks as a table */
export function hasMemoryTable(view: FileView): boolean {
  return view.kind(`/${MEMORY_TABLE_NAME}`) === 'file';
}

/** The view itself when it has no table; else a view with the blocks expanded. */
export function expandCaptureView(view: FileView): FileView {
  if (!hasMemoryTable(view)) return view;
  let table: ParsedTable | undefined;
  // readers look at several attributes of one block in a row: keep its split line
  let lastId = -1;
  let lastCells: string[] | undefined;
  const cellsOf = (id: number): string[] | undefined => {
    if (id !== lastId) {
      lastId = id;
      lastCells = rowCells(t(), id);
    }
    return lastCells;
  };
  const t = (): ParsedTable => {
    if (!table) {
      const bytes = view.readFile(`/${MEMORY_TABLE_NAME}`);
      table = parseTable(bytes ?? new Uint8Array(0));
    }
    return table;
  };

  /** what a path is in the table: undefined = not a table path (ask the archive) */
  const lookup = (p: string): { kind: EntryKind; data?: Uint8Array; target?: string; list?: string[] } | null | undefined => {
    if (!p.startsWith(MEM) && !p.startsWith(NODE)) return undefined;
    let m = BLOCK_RE.exec(p);
    if (m) {
      const id = Number(m[1]);
      const cells = cellsOf(id);
      if (!cells) return undefined;
      const nodes = cells[NODES_COL] === '-' || cells[NODES_COL] === '' ? [] : cells[NODES_COL]!.split(',');
      if (m[2] === undefined) {
        const list = BLOCK_ATTRS.filter((_, i) => cells[i + 1] !== '-') as string[];
        return { kind: 'dir', list: [...list, ...nodes.map((n) => `node${n}`)] };
      }
      const ai = (BLOCK_ATTRS as readonly string[]).indexOf(m[2]);
      if (ai >= 0) {
        const data = uncell(cells[ai + 1]!);
        return data === undefined ? null : { kind: 'file', data };
      }
      const nm = /^node(\d+)$/.exec(m[2]);
      if (nm && nodes.includes(nm[1]!)) return { kind: 'symlink', target: `../../node/node${nm[1]}` };
      return null;
    }
    m = NODE_RE.exec(p);
    if (m && m[2] !== undefined) {
      // through the block's own row: O(1), readers resolve every link of every node
      const cells = cellsOf(Number(m[2]));
      const linked = cells !== undefined && cells[NODES_COL] !== '-' && cells[NODES_COL]!.split(',').includes(m[1]!);
      return linked ? { kind: 'symlink', target: `../../memory/memory${m[2]}` } : undefined;
    }
    return undefined;
  };

  return {
    readFile(path) {
      const r = lookup(norm(path));
      if (r === undefined) return view.readFile(path);
      return r?.kind === 'file' ? r.data : undefined;
    },
    list(path) {
      const p = norm(path);
      if (p === MEM) {
        const base = view.list(path) ?? [];
        const ids = t().ids;
        const out = new Array<string>(base.length + ids.length);
        for (let i = 0; i < base.length; i++) out[i] = base[i]!;
        for (let i = 0; i < ids.length; i++) out[base.length + i] = `memory${ids[i]}`;
        return out;
      }
      const nm = NODE_RE.exec(p);
      if (nm && nm[2] === undefined) {
        const base = view.list(path);
        const blocks = t().nodeBlocks.get(Number(nm[1]));
        if (!blocks) return base;
        const out = base ? [...base] : [];
        for (let i = 0; i < blocks.length; i++) out.push(`memory${blocks[i]}`);
        return out;
      }
      const r = lookup(p);
      if (r === undefined) return view.list(path);
      return r?.list;
    },
    kind(path) {
      const p = norm(path);
      if (p === MEM) return view.kind(path) ?? 'dir';
      const r = lookup(p);
      if (r === undefined) return view.kind(path);
      return r?.kind;
    },
    readlink(path) {
      const r = lookup(norm(path));
      if (r === undefined) return view.readlink(path);
      return r?.target;
    },
    ...(view.listError ? { listError: (path: string) => view.listError!(path) } : {}),
    describe(path) {
      return view.describe(path);
    },
  };
}
