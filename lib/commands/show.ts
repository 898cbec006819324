// drscope show [source] [node-path]: the properties of one node, each decoded
// when drscope knows it (like lsprop, but meaningful), dtc-style otherwise.
import type { Argv } from 'yargs';
import { issuesToFindings } from '../decode/result.js';
import { getNode, compareNames, type DtNode, type DtTree } from '../dt/tree.js';
import { SourceError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { rootCells } from '../model/drconf.js';
import type { Finding } from '../model/finding.js';
import { DRCONF_PATH } from '../model/numa.js';
import { paint } from '../render/color.js';
import { findingLine } from '../render/finding-line.js';
import { hexString } from '../render/hex.js';
import { toJsonText } from '../render/json.js';
import { describeProperty, type PropertyContext } from '../render/property.js';
import { sourceJson } from '../render/source-json.js';
import type { CommandDef } from './command.js';
import { sourceFromArgs, withSource } from './source-arg.js';

/** raw bytes go into --json up to this size unless --raw */
const RAW_JSON_MAX = 1024;

/**
 * One positional is a node path when it starts with "/" and is not an
 * existing file or directory other than "/" (or --root/--source is given).
 */
export function splitShowArgs(args: Record<string, unknown>, io: Io): { source: string | undefined; path: string | undefined } {
  const a = typeof args.source === 'string' ? args.source : undefined;
  const b = typeof args.path === 'string' ? args.path : undefined;
  if (b !== undefined || a === undefined) return { source: a, path: b };
  if (!a.startsWith('/')) return { source: a, path: undefined };
  if (typeof args.root === 'string' || a === '/') return { source: undefined, path: a };
  return io.fs.existsSync(a) ? { source: a, path: undefined } : { source: undefined, path: a };
}

function cellsOf(node: DtNode, name: string): number | undefined {
  const b = node.prop(name);
  return b && b.length === 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0) : undefined;
}

export function propertyContext(tree: DtTree, node: DtNode, limit: number): PropertyContext {
  const root = rootCells(tree);
  const parent = node.parent ?? node;
  return { addressCells: cellsOf(parent, '#address-cells') ?? 2, sizeCells: cellsOf(parent, '#size-cells') ?? 1, rootAddressCells: root.addressCells, rootSizeCells: root.sizeCells, limit, nodePath: node.path };
}

export const showCommand: CommandDef = {
  command: 'show [source] [path]',
  describe: 'show the properties of a device-tree node (default: the drconf node), decoded where drscope knows them',
  builder: (y: Argv) =>
    withSource(y)
      .positional('path', { type: 'string', describe: 'node path (or node/property), e.g. /rtas or /ibm,dynamic-reconfiguration-memory/ibm,lmb-size' })
      .option('limit', { type: 'string', default: '64', describe: 'list items shown per property in text mode' })
      .option('raw', { type: 'boolean', describe: 'also print the raw bytes (hex) of every property' })
      .example('$0 show', 'the live drconf node')
      .example('$0 show snap.tar.gz /rtas', 'a node of a snapshot')
      .example('$0 show --root /mnt/sysroot /ibm,dynamic-reconfiguration-memory/ibm,dynamic-memory-v2 --json', 'one property as JSON'),
  async run(args, ctx) {
    const { io } = ctx;
    const { source: spec, path: wanted } = splitShowArgs(args, io);
    // parsed here, not by yargs: its number type turns 'abc' into NaN before we can name what was typed
    const limit = /^\s*\d+\s*$/.test(String(args.limit)) && Number(args.limit) > 0 ? Number(args.limit) : NaN;
    if (Number.isNaN(limit)) throw new UsageError(`--limit ${String(args.limit)}: not a positive whole number`);
    const source = await sourceFromArgs({ ...args, source: spec }, io);
    const tree = source.tree;
    const path = wanted ?? (getNode(tree, DRCONF_PATH) ? DRCONF_PATH : '/');
    let node = getNode(tree, path);
    let only: string | undefined;
    if (!node) {
      const slash = path.lastIndexOf('/');
      const parent = getNode(tree, slash <= 0 ? '/' : path.slice(0, slash));
      only = path.slice(slash + 1);
      if (!parent || !parent.props.has(only)) throw new SourceError('SOURCE_NOT_FOUND', `no node or property ${path} in this tree`, { file: source.label });
      node = parent;
    }
    const pctx = propertyContext(tree, node, limit);
    const names = only !== undefined ? [only] : [...node.props.keys()].sort(compareNames);
    const findings: Finding[] = [...source.findings];
    const props = names.map((name) => {
      const bytes = node.prop(name)!;
      const v = describeProperty(name, bytes, pctx);
      findings.push(...issuesToFindings(v.issues, node.path, name));
      return { name, bytes, view: v };
    });
    const children = only !== undefined ? [] : [...node.children.keys()].sort(compareNames);
    if (args.json) {
      io.stdout.write(
        toJsonText({
          schemaVersion: 1,
          source: sourceJson(source),
          node: node.path,
          properties: props.map(({ name, bytes, view }) => ({
            name,
            length: bytes.length,
            decoder: view.decoder,
            value: view.value,
            text: view.lines,
            ...(args.raw || bytes.length <= RAW_JSON_MAX ? { raw: hexString(bytes) } : {}),
          })),
          children,
          findings,
        }),
      );
      return 0;
    }
    for (const f of findings) io.stderr.write(findingLine(f));
    const width = Math.min(36, Math.max(0, ...props.map((p) => p.name.length)));
    const out: string[] = [paint(ctx.color, 'bold', only !== undefined ? `${node.path === '/' ? '' : node.path}/${only}` : node.path)];
    for (const { name, bytes, view } of props) {
      const pad = ' '.repeat(width + 2);
      const head = name.length > width ? `${name}\n${pad}` : name.padEnd(width + 2);
      const [first = '', ...rest] = view.lines;
      out.push(`${paint(ctx.color, 'cyan', head)}${first}`);
      for (const l of rest) out.push(`${pad}  ${l}`);
      if (args.raw) out.push(`${pad}raw: ${hexString(bytes)}`);
    }
    for (const c of children) out.push(`${c}/`);
    io.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};
