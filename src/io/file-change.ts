/**
 * Every change skene makes to a project is one of these. The dry run, the diff shown before
 * confirming and the final Created / Updated / Unchanged report all come from the same plan.
 */
export interface FileChange {
  /** Relative to the project folder, POSIX style. */
  path: string;
  action: 'create' | 'update' | 'skip';
  /** Current content; undefined when the file does not exist. */
  before: string | undefined;
  after: string;
  /** Why this change is made, shown in the summary ("gate POST /api/v1/reports/"). */
  reason?: string;
  /**
   * What the file is to the user: generated runtime files are shown as one line in the diff
   * (they are skene's code, not an edit of the user's), everything else as a full diff.
   */
  kind?: 'config' | 'runtime' | 'template' | 'wiring';
}

export interface ManualStep {
  /** File and line a person must edit. */
  file: string;
  line: number;
  why: string;
  /** The exact lines to add. */
  snippet: string;
}

export interface ChangePlan {
  changes: FileChange[];
  /** Edits skene could not make safely, with copy-paste instructions. */
  manual: ManualStep[];
}
