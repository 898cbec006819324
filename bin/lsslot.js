#!/usr/bin/env node
import { lsslotMain, nodeIo } from '../dist/cli.bundle.mjs';

process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
process.exitCode = await lsslotMain(process.argv.slice(2), { ...nodeIo(), argv0: process.argv[1] });
