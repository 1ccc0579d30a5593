import type { JobData } from "../model/job.js";

/** Whether a revision is final (`stable`) or may still be touched in place (`draft`, a running job). */
export type RevisionStatus = "draft" | "stable";

/** Who changed a resource, when, and into which revision. */
export interface RevisionInfo {
  resourceId: string;
  revisionId: string;
  parentRevisionId: string | null;
  schemaVersion: string;
  /** SHA-256 of the revision's data as canonical JSON. */
  dataHash: string;
  status: RevisionStatus;
  createdTime: Date;
  /** On whose behalf the revision was made: the acting user, or for a run, the job's creator. */
  createdBy: string;
  /** Last written (a heartbeat touches a draft in place). */
  updatedTime: Date;
  /** Who wrote it: the acting user, `worker:<worker id>`, or `jobstar:recovery`. */
  updatedBy: string;
}

/** A resource as a whole: its current revision, how many there are, and who made it. */
export interface ResourceMeta {
  resourceId: string;
  model: string;
  currentRevisionId: string;
  totalRevisionCount: number;
  schemaVersion: string;
  isDeleted: boolean;
  createdTime: Date;
  createdBy: string;
  updatedTime: Date;
  updatedBy: string;
}

/** A revision of a resource: its info and its data (an instance of the job model). */
export interface Resource<T extends JobData = JobData> {
  info: RevisionInfo;
  data: T;
}

/** One line a handler logged. */
export interface JobLog {
  resourceId: string;
  /** The run (1 for the first attempt, then one more for each retry or rerun) that logged it. */
  run: number;
  time: Date;
  level: LogLevel;
  message: string;
}

/** Levels of {@link JobLog}. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** A page of a list: items, the cursor after the last one, and the total matching count. */
export interface Page<T> {
  items: T[];
  /** Each item's cursor, in the order of `items`. */
  cursors: string[];
  /** Whether more items follow in the page's direction. */
  hasMore: boolean;
  /** Pass as `after` to get the next page; null on the last page. */
  nextCursor: string | null;
  /** How many items match, over all pages. */
  totalCount: number;
}
