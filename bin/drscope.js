#!/usr/bin/env node
// dist/cli.bundle.mjs is lib/ as one module (npm run build): faster start-up than dist/cli.js
import { main, nodeIo, onStdoutEpipe } from '../dist/cli.bundle.mjs';

onStdoutEpipe('finish');
process.exitCode = await main(process.argv.slice(2), nodeIo());
