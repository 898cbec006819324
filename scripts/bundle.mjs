#!/usr/bin/env node
// npm run bundle: one self-contained ESM file, build/drscope.mjs, for
// partitions without npm: `node drscope.mjs capture` with a bare node >= 20.
// All dependencies are inlined (xz-decompress already carries its wasm as a
// base64 data: URL, so nothing is read from disk at run time). The same file
// is lsslot/drmgr when invoked through a symlink of that name or as
// `node drscope.mjs lsslot ...`.
import { build } from 'esbuild';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
// --entries FILE: the package's own CLI module (npm run build): the same code
// as one file that only exports main/lsslotMain/drmgrMain/nodeIo for bin/*.js.
// Loading one file instead of ~120 modules plus yargs' own halves start-up.
const entriesOnly = process.argv[2] === '--entries';
const out = (entriesOnly ? process.argv[3] : process.argv[2]) ?? join(here, 'build', 'drscope.mjs');
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));

// the compat entry points are optional so the bundle builds while they are being written
const tools = [
  ['lsslot', 'lsslotMain', './lib/compat/lsslot/main.ts'],
  ['drmgr', 'drmgrMain', './lib/compat/drmgr/main.ts'],
].filter(([, , file]) => existsSync(join(here, file)));

const entry = `
import { main } from './lib/cli.ts';
import { nodeIo, onStdoutEpipe } from './lib/io.ts';
${tools.map(([, fn, file]) => `import { ${fn} } from '${file}';`).join('\n')}
const TOOLS = { ${tools.map(([name, fn]) => `${name}: ${fn}`).join(', ')} };
const self = (process.argv[1] ?? '').split('/').pop().replace(/\\.m?js$/, '');
let argv = process.argv.slice(2);
let tool = Object.hasOwn(TOOLS, self) ? self : undefined;
if (tool === undefined && argv[0] !== undefined && Object.hasOwn(TOOLS, argv[0])) {
  tool = argv[0];
  argv = argv.slice(1);
}
// "drscope diff a b | head" ends quietly with the command's own exit code; lsslot/drmgr end at once like the C tools
onStdoutEpipe(tool === undefined ? 'finish' : 'exit');
// yargs finds the version in a package.json next to the script; a copied bundle has none
if (tool === undefined && argv.length === 1 && argv[0] === '--version') {
  process.stdout.write(${JSON.stringify(`${pkg.version}\n`)});
} else process.exitCode = tool === undefined
  ? await main(argv, nodeIo())
  : await TOOLS[tool](argv, { ...nodeIo(), argv0: tool === self ? process.argv[1] : tool });
`;

const entries = `
export { main } from './lib/cli.ts';
export { nodeIo, onStdoutEpipe } from './lib/io.ts';
${tools.map(([, fn, file]) => `export { ${fn} } from '${file}';`).join('\n')}
`;

const t0 = Date.now();
const banner = (shebang) =>
  `${shebang ? '#!/usr/bin/env node\n' : ''}// drscope ${pkg.version} (${pkg.license}): single-file build, needs only node >= 20. Includes third-party code; licences at the end.\nimport { createRequire as __drscopeRequire } from 'node:module';\nconst require = __drscopeRequire(import.meta.url);`;
const bundle = (contents, outfile, shebang) =>
  build({
    stdin: { contents, resolveDir: here, sourcefile: 'drscope-bundle-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    minifyWhitespace: true,
    minifySyntax: true,
    // the package's build keeps names: --debug stack traces stay readable
    minifyIdentifiers: !entriesOnly,
    legalComments: 'eof',
    // CommonJS dependencies (cli-table3, xz-decompress) call require(): give them one
    banner: { js: banner(shebang) },
    logLevel: 'warning',
  });
await bundle(entriesOnly ? entries : entry, out, !entriesOnly);
// bin/lsslot.js and bin/drmgr.js load only the compat code (getopt, the C-view readers): no
// yargs, no table or JSON renderers, no xz. Half the bytes of the CLI bundle, ~0.1 s less start-up
// per call (they are run by scripts, once per DR connector).
const compatOut = join(dirname(out), 'compat.bundle.mjs');
if (entriesOnly && tools.length > 0) {
  await bundle(`export { nodeIo, onStdoutEpipe } from './lib/io.ts';\n${tools.map(([, fn, file]) => `export { ${fn} } from '${file}';`).join('\n')}\n`, compatOut, false);
}
if (!entriesOnly) chmodSync(out, 0o755);
const size = statSync(out).size;
const wasm = readFileSync(out, 'utf8').includes('data:application/wasm;base64,');
if (!wasm) {
  console.error('bundle: the xz-decompress wasm is not embedded in the bundle');
  process.exit(1);
}
const compat = entriesOnly && existsSync(compatOut) ? `; ${compatOut} ${statSync(compatOut).size} bytes (lsslot, drmgr)` : '';
console.error(`bundle: ${out} ${size} bytes (${(size / 1024).toFixed(0)} KiB), tools: drscope${tools.map(([n]) => `, ${n}`).join('')}, xz wasm embedded${compat}, ${Date.now() - t0} ms`);
