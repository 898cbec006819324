#!/usr/bin/env node
import { lsslotMain, nodeIo, onStdoutEpipe } from '../dist/cli.bundle.mjs';

onStdoutEpipe('exit');
process.exitCode = await lsslotMain(process.argv.slice(2), { ...nodeIo(), argv0: process.argv[1] });
