#!/usr/bin/env node
import { drmgrMain, nodeIo, onStdoutEpipe } from '../dist/cli.bundle.mjs';

onStdoutEpipe('exit');
process.exitCode = await drmgrMain(process.argv.slice(2), { ...nodeIo(), argv0: process.argv[1] });
