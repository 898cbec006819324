// The "source" block every --json document carries.
import type { Source } from '../dt/source.js';

export interface SourceJson {
  label: string;
  kind: string;
  layout: string;
  treeLocation: string;
  capturedAt?: string;
  hasBootTree: boolean;
}

export function sourceJson(s: Source): SourceJson {
  return { label: s.label, kind: s.kind, layout: s.layout, treeLocation: s.treeLocation, ...(s.capturedAt ? { capturedAt: s.capturedAt } : {}), hasBootTree: s.bootTree !== undefined };
}
