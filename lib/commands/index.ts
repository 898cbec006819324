// The registry of drscope subcommands. Each lives in its own file.
import type { CommandDef } from './command.js';

export const commands: CommandDef[] = [];
