import { asc, eq } from "drizzle-orm";
import type postgres from "postgres";
import type { JobLog, LogLevel } from "../../resource/types.js";
import type { Db } from "../database.js";
import { jobLogs } from "../tables.js";

/** A line to store. */
export interface LogLine {
  resourceId: string;
  run: number;
  time: Date;
  level: LogLevel;
  message: string;
}

/** Stores handler log lines in one statement. */
export async function appendLogLines(
  sql: postgres.Sql | postgres.TransactionSql,
  lines: LogLine[],
): Promise<void> {
  if (lines.length === 0) return;
  await sql`
    insert into jobstar.job_logs (resource_id, run, time, level, message)
    select resource_id, run, time, level, message
    from json_to_recordset(${JSON.stringify(
      lines.map((l) => ({
        resource_id: l.resourceId,
        run: l.run,
        time: l.time,
        level: l.level,
        message: l.message,
      })),
    )}::json) as l(resource_id text, run int, time timestamptz, level text, message text)`;
}

/** A job's log lines, oldest first. */
export async function getLogs(db: Db, resourceId: string): Promise<JobLog[]> {
  const rows = await db
    .select()
    .from(jobLogs)
    .where(eq(jobLogs.resourceId, resourceId))
    .orderBy(asc(jobLogs.id));
  return rows.map((row) => ({
    resourceId: row.resourceId,
    run: row.run,
    time: row.time,
    level: row.level as LogLevel,
    message: row.message,
  }));
}
