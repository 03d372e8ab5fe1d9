import { isRefusal, refusalError, requireStaff } from "@/server/auth/guard";
import { getStaffSession } from "@/server/auth/session";
import { callerAsStaff } from "@/server/caller";
import { AppError } from "@/server/errors";
import { csvResponse } from "@/server/http/csv-response";
import { route } from "@/server/http/route";
import { importJobTargetSchema } from "@/server/imports/schemas";
import { errorReportCsv, getImportJob } from "@/server/imports/views";

export const dynamic = "force-dynamic";

/**
 * GET /api/imports/{id}/errors: the job's per-row error report as a CSV
 * download (line, email, field, message; every invalid and duplicate row).
 * Operations staff and admins only.
 */
export const GET = route(async (ctx) => {
  const staff = requireStaff(await getStaffSession(), { roles: ["admin", "operations"] });
  if (isRefusal(staff)) throw refusalError(staff);
  const target = importJobTargetSchema.safeParse({ jobId: ctx.params.id });
  // An id that is not one names no job, like an id that is not there.
  if (!target.success) throw new AppError("not_found", "No such import job");
  const caller = await callerAsStaff(ctx.caller, staff);
  // Checked before the answer starts, so an unknown job is a 404 rather than a broken download.
  const job = await getImportJob(caller, target.data);
  const report = errorReportCsv(caller, { jobId: job.id });
  return csvResponse(
    (async function* (): AsyncGenerator<string, void, undefined> {
      yield* report;
    })(),
    { name: `import-${job.id.slice(0, 8)}-errors`, requestId: ctx.caller.requestId },
  );
});
