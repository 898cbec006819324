#!/usr/bin/env node
import { drmgrMain, nodeIo } from '../dist/cli.bundle.mjs';

process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
process.exitCode = await drmgrMain(process.argv.slice(2), { ...nodeIo(), argv0: process.argv[1] });
