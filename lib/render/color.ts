// Colour only on a TTY, honouring NO_COLOR / FORCE_COLOR / TERM=dumb, and an
// explicit --color/--no-color which wins.
import type { Io } from '../io.js';

export function useColor(io: Io, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  const env = io.env;
  if (env.NO_COLOR !== undefined) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  if (env.TERM === 'dumb') return false;
  return io.stdout.isTTY;
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type ColorName = keyof typeof codes;

export function paint(on: boolean, color: ColorName, text: string): string {
  return on ? `\x1b[${codes[color]}m${text}\x1b[${color === 'bold' ? 22 : 39}m` : text;
}
