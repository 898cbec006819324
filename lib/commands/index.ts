// The registry of drscope subcommands. Each lives in its own file.
import type { CommandDef } from './command.js';
import { captureCommand } from './capture.js';
import { hookCommand } from './hook.js';
import { historyCommand } from './history.js';
import { lmbsCommand } from './lmbs.js';
import { showCommand } from './show.js';
import { diffCommand } from './diff.js';
import { auditCommand } from './audit.js';
import { lsslotCommand } from './lsslot.js';
import { drmgrCommand } from './drmgr.js';
import { slotsCommand } from './slots.js';

export const commands: CommandDef[] = [captureCommand, hookCommand, historyCommand, lmbsCommand, showCommand, diffCommand, auditCommand, lsslotCommand, drmgrCommand, slotsCommand];
