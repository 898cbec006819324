// Exceptions mean "cannot build a tree / cannot run"; bad content inside a
// property is data (a Finding), never an exception. Only lib/cli.ts maps an
// error to an exit code.

export const ExitCode = { OK: 0, FINDINGS: 1, USAGE: 2, INPUT: 3, INTERNAL: 4 } as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type DtErrorCode =
  | 'USAGE'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_UNREADABLE'
  | 'UNKNOWN_FORMAT'
  | 'NO_DEVICE_TREE'
  | 'DTB_BAD_MAGIC'
  | 'DTB_BAD_VERSION'
  | 'DTB_TRUNCATED'
  | 'DTB_BAD_STRUCTURE'
  | 'DTB_ALIGNMENT'
  | 'DTB_BAD_OFFSET'
  | 'DTB_BAD_STRING'
  | 'DTS_SYNTAX'
  | 'TAR_BAD_HEADER'
  | 'ARCHIVE_UNSAFE'
  | 'ARCHIVE_TOO_LARGE'
  | 'DECOMPRESS_FAILED'
  | 'WRITE_FAILED';

export abstract class DtError extends Error {
  abstract readonly exitCode: ExitCodeValue;
  readonly code: DtErrorCode;
  /** file (or file:offset) the problem is in, shown first in the one-line message */
  readonly file: string | undefined;
  readonly offset: number | undefined;
  constructor(code: DtErrorCode, message: string, where?: { file?: string; offset?: number; cause?: unknown }) {
    super(message, where?.cause === undefined ? undefined : { cause: where.cause });
    this.code = code;
    this.file = where?.file;
    this.offset = where?.offset;
    this.name = new.target.name;
  }
}

export class UsageError extends DtError {
  readonly exitCode = ExitCode.USAGE;
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** The source is missing, unreadable or of an unknown kind. */
export class SourceError extends DtError {
  readonly exitCode = ExitCode.INPUT;
}

/** The source is a known format but corrupt (DTB, DTS, tar, compression). */
export class FormatError extends DtError {
  readonly exitCode = ExitCode.INPUT;
}

/** A write the user asked for (capture, hook install, drmgr action) failed. */
export class WriteError extends DtError {
  readonly exitCode = ExitCode.INPUT;
}

/** One line, as printed on stderr: "drscope: FILE[: offset 0xN]: message". */
export function formatError(prog: string, err: DtError): string {
  const where = err.file === undefined ? '' : `${err.file}${err.offset === undefined ? '' : `: offset 0x${err.offset.toString(16)}`}: `;
  return `${prog}: ${where}${err.message}`;
}
