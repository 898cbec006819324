// A Finding is anything drscope wants to tell about the data: a malformed
// property, a partial capture, an audit result. Bad content is never an
// exception; it becomes a Finding and everything else still lists.

export const Severity = { info: 'info', warning: 'warning', error: 'error' } as const;
export type SeverityName = keyof typeof Severity;
export const severityRank: Record<SeverityName, number> = { info: 0, warning: 1, error: 2 };

export interface Finding {
  /** stable kebab-case code, usable with --ignore */
  code: string;
  severity: SeverityName;
  message: string;
  /** device-tree node path, when the finding is about a node/property */
  node?: string;
  property?: string;
  /** byte offset inside the property value */
  offset?: number;
  /** file (in the snapshot) the finding is about */
  file?: string;
  /** DRC indexes of the LMBs concerned */
  lmbs?: number[];
  /** the same LMBs for people: DRC runs, LMBs without a real DRC index (DRC_INVALID, drc 0 repeated) by address */
  lmbText?: string;
  /** how sure (audit): "certain" | "likely" | "possible" */
  confidence?: 'certain' | 'likely' | 'possible';
  /** free-form evidence, JSON-serialisable (64-bit values as "0x..." strings) */
  evidence?: Record<string, unknown>;
}
