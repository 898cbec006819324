// When a capture was taken, from what it carries: drscope's manifest, the
// sample captures' date.txt, sosreport's sos_commands/date/date.
import { manifestTime } from '../capture/manifest.js';
import { readText, type FileView } from './file-view.js';

const DATE_FILES = ['/date.txt', '/sos_commands/date/date_--utc', '/sos_commands/date/date'];

/** ISO time, or undefined when the capture does not say */
export function captureTime(files: FileView): string | undefined {
  const fromManifest = manifestTime(files);
  if (fromManifest !== undefined) return fromManifest;
  for (const path of DATE_FILES) {
    const text = readText(files, path)?.trim().split('\n')[0];
    if (!text) continue;
    // `date` output: "Wed Nov 25 12:09:44 UTC 2026"; Date.parse understands it with a UTC zone
    const ms = Date.parse(text.replace(/^(\w{3} \w{3} +\d+ [\d:]+) (UTC|GMT) (\d{4})$/, '$1 $3 UTC'));
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  return undefined;
}
