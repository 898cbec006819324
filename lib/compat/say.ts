// powerpc-utils' say(): every message goes to the log (when one is open) and to
// stderr only when its level <= the output level. lsslot starts at level 0,
// so its ERROR messages are invisible unless -d is given; drmgr starts at 1.
import type { Io } from '../io.js';

export const Level = { ERROR: 1, WARN: 2, INFO: 3, DEBUG: 4, EXTRA_DEBUG: 5 } as const;

/** The C code formats into a 256-byte buffer and marks longer messages. */
const BUF = 256;
const TRUNC_AT = 243;

export class Say {
  level: number;
  /** where the log copy goes (drmgr's /var/log/drmgr), if open */
  log: ((text: string) => void) | undefined;
  constructor(
    private readonly io: Io,
    level: number,
  ) {
    this.level = level;
  }

  say(level: number, msg: string): void {
    let text = msg;
    if (Buffer.byteLength(text, 'latin1') >= BUF) text = `${Buffer.from(text, 'latin1').subarray(0, TRUNC_AT).toString('latin1')}<truncated>\n`;
    this.log?.(text);
    // say() compares its enum say_level (unsigned: all values positive) with the int
    // output_level, so the level is converted to unsigned: -d -1 shows every message.
    // Other tests of the level (>= 14 for RTAS debug, >= DEBUG for not-owned LMBs) are signed.
    if (level <= this.level >>> 0) this.io.stderr.write(Buffer.from(text, 'latin1'));
  }
}

/** C strings are bytes: print what a program would, without UTF-8 re-encoding of latin1 data. */
export function bytesOf(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}
