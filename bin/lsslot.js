#!/usr/bin/env node
import { lsslotMain } from '../dist/compat/lsslot/main.js';
import { nodeIo } from '../dist/io.js';

process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
process.exitCode = await lsslotMain(process.argv.slice(2), { ...nodeIo(), argv0: process.argv[1] });
