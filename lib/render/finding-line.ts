// A Finding as one stderr line: "drscope: warning: /node/prop: message (offset 0x1c)".
import type { Finding } from '../model/finding.js';

export function findingLine(f: Finding, prog = 'drscope'): string {
  const where = f.offset !== undefined && !/offset/.test(f.message) ? ` (offset 0x${f.offset.toString(16)})` : '';
  const file = f.file !== undefined && f.node === undefined && !f.message.includes(f.file) ? `${f.file}: ` : '';
  return `${prog}: ${f.severity}: ${file}${f.message}${where}\n`;
}
