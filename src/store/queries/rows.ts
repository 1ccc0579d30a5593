import type { ResourceMeta, RevisionInfo } from "../../resource/types.js";
import type { resources, revisions } from "../tables.js";

/** A `resources` row. */
export type ResourceRow = typeof resources.$inferSelect;
/** A `revisions` row. */
export type RevisionRow = typeof revisions.$inferSelect;

/** `<resourceId>:<n>`. */
export function revisionIdOf(resourceId: string, number: number): string {
  return `${resourceId}:${number}`;
}

export function toRevisionInfo(row: RevisionRow): RevisionInfo {
  return {
    resourceId: row.resourceId,
    revisionId: row.revisionId,
    parentRevisionId: row.parentRevisionId,
    schemaVersion: row.schemaVersion,
    dataHash: row.dataHash,
    status: row.status,
    createdTime: row.createdTime,
    createdBy: row.createdBy,
    updatedTime: row.updatedTime,
    updatedBy: row.updatedBy,
  };
}

export function toResourceMeta(row: ResourceRow): ResourceMeta {
  return {
    resourceId: row.resourceId,
    model: row.model,
    currentRevisionId: row.currentRevisionId,
    totalRevisionCount: row.totalRevisionCount,
    schemaVersion: row.schemaVersion,
    isDeleted: row.isDeleted,
    createdTime: row.createdTime,
    createdBy: row.createdBy,
    updatedTime: row.updatedTime,
    updatedBy: row.updatedBy,
  };
}
