import { partnerScopeOf } from "@/server/auth/policies";
import { getStaffSession } from "@/server/auth/session";
import { recordClientExport, streamClientsCsv } from "@/server/clients/export";
import { clientFiltersSchema, filterParamsOf } from "@/server/clients/schemas";
import { AppError } from "@/server/errors";
import { csvResponse } from "@/server/http/csv-response";
import { json, route } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** GET /api/clients/export?…filters: the clients matching the back office's list filters, as CSV. */
export const GET = route(async (ctx) => {
  const staff = await getStaffSession();
  if (!staff) return json({ error: { code: "unauthorized", message: "Sign in first", fields: [], requestId: ctx.requestId } }, 401);
  if (staff.mustEnrollTotp) throw new AppError("forbidden", "Set up two-factor authentication first");
  const parsed = clientFiltersSchema.safeParse(filterParamsOf(new URL(ctx.req.url).searchParams));
  if (!parsed.success) throw parsed.error;
  const scope = await partnerScopeOf(staff);
  await recordClientExport({ actor: { type: "staff", id: staff.id }, input: parsed.data, ip: ctx.ip, requestId: ctx.requestId });
  return csvResponse(streamClientsCsv({ scope, input: parsed.data }), { name: "clients", requestId: ctx.requestId });
});
