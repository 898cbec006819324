#!/usr/bin/env node
// dist/compat.bundle.mjs (npm run build): the compat code alone, without the drscope CLI (faster start-up)
import { drmgrMain, nodeIo, onStdoutEpipe } from '../dist/compat.bundle.mjs';

onStdoutEpipe('exit');
process.exitCode = await drmgrMain(process.argv.slice(2), { ...nodeIo(), argv0: process.argv[1] });
