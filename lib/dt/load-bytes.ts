// PLACEHOLDER until archive/DTB/DTS detection lands (owned by the sources work).
import { SourceError } from '../errors.js';
import type { Io } from '../io.js';
import type { LoadOptions, Source } from './source.js';

export async function loadBytes(_bytes: Uint8Array, label: string, _opts: LoadOptions, _io: Io): Promise<Source> {
  throw new SourceError('UNKNOWN_FORMAT', 'only directories are supported so far', { file: label });
}
