import { recordAuditExport, streamAuditCsv } from "@/server/audit/export";
import { auditFilterParamsOf, auditFiltersSchema } from "@/server/audit/schemas";
import { getStaffSession } from "@/server/auth/session";
import { AppError } from "@/server/errors";
import { csvResponse } from "@/server/http/csv-response";
import { json, route } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** GET /api/audit/export?…filters: the audit events matching the Audit log page's filters, as CSV. Admins only. */
export const GET = route(async (ctx) => {
  const staff = await getStaffSession();
  if (!staff) return json({ error: { code: "unauthorized", message: "Sign in first", fields: [], requestId: ctx.requestId } }, 401);
  if (staff.mustEnrollTotp) throw new AppError("forbidden", "Set up two-factor authentication first");
  if (staff.role !== "admin") throw new AppError("forbidden", "Only admins read the audit log");
  const parsed = auditFiltersSchema.safeParse(auditFilterParamsOf(new URL(ctx.req.url).searchParams));
  if (!parsed.success) throw parsed.error;
  await recordAuditExport({ actor: { type: "staff", id: staff.id }, input: parsed.data, ip: ctx.ip, requestId: ctx.requestId });
  return csvResponse(streamAuditCsv({ input: parsed.data }), { name: "audit-log", requestId: ctx.requestId });
});
