// The registry of drscope subcommands. Each lives in its own file.
import type { CommandDef } from './command.js';
import { captureCommand } from './capture.js';
import { lmbsCommand } from './lmbs.js';
import { showCommand } from './show.js';
import { diffCommand } from './diff.js';
import { auditCommand } from './audit.js';

export const commands: CommandDef[] = [captureCommand, lmbsCommand, showCommand, diffCommand, auditCommand];
