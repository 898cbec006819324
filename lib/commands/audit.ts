// drscope audit <source>...: findings over a history of snapshots (oldest first).
import type { Argv } from 'yargs';
import { auditExitCode, auditSources } from '../audit/audit.js';
import { catalogue } from '../audit/catalogue.js';
import { FormatError, SourceError, UsageError } from '../errors.js';
import type { Finding, SeverityName } from '../model/finding.js';
import { auditJson } from '../render/audit-json.js';
import { renderAuditText, renderCatalogue } from '../render/audit-text.js';
import { toJsonText, writeJsonText } from '../render/json.js';
import type { CommandDef } from './command.js';
import { historySources } from '../hooks/spool.js';
import { LIVE, loadSide, parseSide } from './side-spec.js';

const LEVELS = ['info', 'warning', 'error'] as const;

export const auditCommand: CommandDef = {
  command: 'audit [sources..]',
  describe: 'report kernel overwrites of hypervisor LMB data, rewrite fingerprints, NUMA node mismatches and integrity problems over snapshots in time order',
  builder: (y: Argv) =>
    y
      .positional('sources', { type: 'string', array: true, describe: `sources oldest first (paths, "${LIVE}"); default: the live system (or --root) with its boot-time FDT as the earlier snapshot` })
      .option('fail-on', { type: 'string', choices: LEVELS, default: 'warning', describe: 'exit 1 when a finding is at or above this severity' })
      .option('ignore', { type: 'string', requiresArg: true, describe: 'drop findings with this code (repeatable, or comma-separated)' })
      .option('boot', { type: 'boolean', default: true, describe: 'use boot-time FDTs as the earliest snapshot (--no-boot: do not)' })
      .option('verbose', { alias: 'v', type: 'boolean', describe: 'explain each finding code' })
      .option('list-codes', { type: 'boolean', describe: 'print every finding code with its severity and meaning, then exit' })
      .option('history', { type: 'boolean', describe: 'audit the LPM hook\'s captures (drscope history) oldest first, then any sources named' })
      .option('keep-order', { type: 'boolean', describe: 'audit the sources in the order given (default: sorted by capture time when every source has one)' })
      .option('spool', { type: 'string', describe: 'spool directory for --history (default /var/lib/drscope)' })
      .example('$0 audit', 'audit the live system against its boot-time FDT (root)')
      .example('$0 audit pre-lpm.tar.gz post-lpm.tar.gz after-dlpar.tar.gz', 'audit a history of captures')
      .example('$0 audit --history', 'audit every capture the LPM hook took, oldest first'),
  async run(args, ctx) {
    const { io } = ctx;
    if (args.listCodes) {
      if (args.json) io.stdout.write(toJsonText({ schemaVersion: 1, codes: catalogue }));
      else io.stdout.write(renderCatalogue());
      return 0;
    }
    const root = typeof args.root === 'string' && args.root !== '' ? args.root : undefined;
    const specs = ((args.sources as string[] | undefined) ?? []).map(String).filter((s) => s !== '');
    const history = args.history ? historySources(io, root, args.spool as string | undefined) : [];
    if (specs.length === 0 && history.length === 0) specs.push(LIVE);
    if (specs.some((s) => s.startsWith('boot:'))) throw new UsageError('audit uses boot-time FDTs by itself; name the sources only (use --no-boot to leave them out)');
    if (specs.filter((s) => s === '-').length > 1) throw new UsageError('standard input ("-") can be read only once');
    // one value per --ignore (an array option would swallow the sources after it)
    const ignore = [args.ignore ?? []].flat().flatMap((c) => String(c).split(',')).map((c) => c.trim()).filter((c) => c !== '');
    for (const code of ignore) if (!(code in catalogue)) io.stderr.write(`drscope: warning: --ignore ${code}: not a known finding code (see --list-codes)\n`);
    const sources = [];
    // a spool capture that cannot be read (cut short by a full disk, damaged) is
    // left out with a warning: the rest of the history is still worth auditing.
    // Sources named on the command line stay fatal (exit 3): the user asked for them.
    const skipped: Finding[] = [];
    let firstError: unknown;
    for (const s of history) {
      try {
        sources.push(await loadSide(parseSide(s), root, io));
      } catch (e) {
        if (!(e instanceof SourceError || e instanceof FormatError)) throw e;
        firstError ??= e;
        skipped.push({ code: 'history-capture-unreadable', severity: 'warning', file: s, message: `${s}: ${e.message}: left out of the history` });
      }
    }
    if (sources.length === 0 && specs.length === 0 && firstError !== undefined) throw firstError;
    for (const s of specs) sources.push(await loadSide(parseSide(s), root, io));
    const failOn = (args.failOn as SeverityName | undefined) ?? 'warning';
    const bootBaseline = args.boot !== false;
    const r = auditSources(sources, { ignore, bootBaseline, keepOrder: Boolean(args.keepOrder), loadFindings: skipped });
    if (r.reordered) io.stderr.write(`drscope: audit: sources given out of time order; audited sorted by capture time: ${r.reordered.used.join(' ')} (--keep-order: as given)\n`);
    const code = auditExitCode(r.findings, failOn);
    if (args.json) writeJsonText(auditJson(r, failOn, code), (chunk) => io.stdout.write(chunk));
    else io.stdout.write(renderAuditText(r, { color: ctx.color, verbose: Boolean(args.verbose) }));
    return code;
  },
};
