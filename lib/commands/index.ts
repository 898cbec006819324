// The registry of drscope subcommands. Each lives in its own file.
import type { CommandDef } from './command.js';
import { captureCommand } from './capture.js';
import { lmbsCommand } from './lmbs.js';

export const commands: CommandDef[] = [captureCommand, lmbsCommand];
