// Public library API: re-exports only.
export { main } from './cli.js';
export { nodeIo, type Io, type FsPort } from './io.js';
export * from './errors.js';
export * from './dt/tree.js';
export { loadSource } from './dt/load.js';
export type { Source } from './dt/source.js';
export type { Finding } from './model/finding.js';
