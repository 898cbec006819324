#!/usr/bin/env node
import { main } from '../dist/cli.js';
import { nodeIo } from '../dist/io.js';

// `drscope lmbs | head` must end quietly, not with an EPIPE stack trace.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
process.exitCode = await main(process.argv.slice(2), nodeIo());
