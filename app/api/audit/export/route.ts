import { recordAuditExport, streamAuditCsv } from "@/server/audit/export";
import { auditFilterParamsOf, auditFiltersSchema } from "@/server/audit/schemas";
import { isRefusal, refusalError, requireStaff } from "@/server/auth/guard";
import { getStaffSession } from "@/server/auth/session";
import { csvResponse } from "@/server/http/csv-response";
import { route } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** GET /api/audit/export?…filters: the audit events matching the Audit log page's filters, as CSV. Admins only. */
export const GET = route(async (ctx) => {
  const staff = requireStaff(await getStaffSession(), { roles: ["admin"] });
  if (isRefusal(staff)) throw refusalError(staff);
  const parsed = auditFiltersSchema.safeParse(auditFilterParamsOf(new URL(ctx.req.url).searchParams));
  if (!parsed.success) throw parsed.error;
  await recordAuditExport({ actor: { type: "staff", id: staff.id }, input: parsed.data, ip: ctx.ip, requestId: ctx.requestId });
  return csvResponse(streamAuditCsv({ input: parsed.data }), { name: "audit-log", requestId: ctx.requestId });
});
