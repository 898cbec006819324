// The registry of drscope subcommands. Each lives in its own file.
import type { CommandDef } from './command.js';
import { captureCommand } from './capture.js';

export const commands: CommandDef[] = [captureCommand];
