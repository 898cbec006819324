#!/usr/bin/env node
// dist/cli.bundle.mjs is lib/ as one module (npm run build): faster start-up than dist/cli.js
import { main, nodeIo } from '../dist/cli.bundle.mjs';

// `drscope lmbs | head` must end quietly, not with an EPIPE stack trace.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
process.exitCode = await main(process.argv.slice(2), nodeIo());
