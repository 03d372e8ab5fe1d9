import { recordAuditExport, streamAuditCsv } from "@/server/audit/export";
import { auditFilterParamsOf, auditFiltersSchema } from "@/server/audit/schemas";
import { isRefusal, refusalError, requireStaff } from "@/server/auth/guard";
import { getStaffSession } from "@/server/auth/session";
import { callerAsStaff } from "@/server/caller";
import { csvResponse } from "@/server/http/csv-response";
import { route } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** GET /api/audit/export?…filters: the audit events matching the Audit log page's filters, as CSV. Admins only. */
export const GET = route(async (ctx) => {
  const staff = requireStaff(await getStaffSession(), { roles: ["admin"] });
  if (isRefusal(staff)) throw refusalError(staff);
  const filters = auditFiltersSchema.parse(auditFilterParamsOf(new URL(ctx.req.url).searchParams));
  const caller = await callerAsStaff(ctx.caller, staff);
  await recordAuditExport(caller, filters);
  return csvResponse(streamAuditCsv(caller, filters), { name: "audit-log", requestId: ctx.caller.requestId });
});
