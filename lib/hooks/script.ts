// The drmgr LPM hook drscope installs in /etc/drmgr.d/pmig/ (drmgr-hooks(8)).
// drmgr runs every executable there at each phase of a partition migration
// with ONLY DRC_TYPE and PHASE in the environment (no PATH), stdin from
// /dev/null and stdout/stderr to pipes. So the script names node and drscope
// by the absolute paths recorded at install time, writes nothing to the pipes
// and always exits 0: a failed capture must never stop or fail a migration.

export const HOOK_MARKER = '# drscope LPM hook';
export const HOOK_DIR = '/etc/drmgr.d/pmig';
export const HOOK_FILE = 'drscope';
export const DEFAULT_SPOOL = '/var/lib/drscope';
export const DEFAULT_KEEP = 20;
export const HOOK_LOG = 'hook.log';

export interface HookConfig {
  node: string;
  drscope: string;
  /** spool directory as seen by the captured system ("/var/lib/drscope") */
  spool: string;
  keep: number;
  /** --root given at install time (tests); undefined on a real system */
  root?: string;
  installedAt: string;
}

/** POSIX sh single-quoting */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function hookScript(c: HookConfig): string {
  const rootArgs = c.root === undefined ? '' : ` --root ${shQuote(c.root)}`;
  const realSpool = (c.root === undefined ? '' : c.root.replace(/\/+$/, '')) + c.spool;
  return `#!/bin/sh
${HOOK_MARKER} (installed by "drscope hook install" at ${c.installedAt}).
# Captures the partition before (PHASE=pre) and after (PHASE=post) every
# migration into ${c.spool}; "drscope history" lists them, "drscope audit
# --history" audits them in order. Remove with "drscope hook remove".
# drmgr passes only DRC_TYPE and PHASE: every path below is absolute. The hook
# never fails a migration: it exits 0 whatever happens and logs to
# ${c.spool}/${HOOK_LOG}.
# drscope-node: ${c.node}
# drscope-path: ${c.drscope}
# drscope-spool: ${c.spool}
# drscope-keep: ${c.keep}
NODE=${shQuote(c.node)}
DRSCOPE=${shQuote(c.drscope)}
LOG=${shQuote(`${realSpool}/${HOOK_LOG}`)}
case "$DRC_TYPE:$PHASE" in
  pmig:pre|pmig:post) ;;
  *) exit 0 ;;
esac
if [ -x "$NODE" ] && [ -f "$DRSCOPE" ]; then
  "$NODE" "$DRSCOPE" hook run --phase "$PHASE" --spool ${shQuote(c.spool)} --keep ${c.keep}${rootArgs} </dev/null >>"$LOG" 2>&1
else
  echo "$PHASE: drscope hook: $NODE or $DRSCOPE is missing; no capture (reinstall with drscope hook install)" >>"$LOG" 2>/dev/null
fi
exit 0
`;
}

/** The recorded settings of an installed hook; undefined when the file is not ours. */
export function parseHookScript(text: string): Omit<HookConfig, 'installedAt' | 'root'> | undefined {
  if (!text.includes(HOOK_MARKER)) return undefined;
  const get = (k: string) => new RegExp(`^# drscope-${k}: (.*)$`, 'm').exec(text)?.[1];
  const node = get('node');
  const drscope = get('path');
  const spool = get('spool');
  const keep = Number(get('keep'));
  if (!node || !drscope || !spool || !Number.isInteger(keep)) return undefined;
  return { node, drscope, spool, keep };
}
