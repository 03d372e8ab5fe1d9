import { listAuditEvents, listAuditFacets } from "../../audit/list";
import { auditListInputSchema } from "../../audit/schemas";
import { adminProcedure, router } from "../trpc";

export const auditRouter = router({
  list: adminProcedure.input(auditListInputSchema).query(({ ctx, input }) => listAuditEvents(ctx.caller, input)),
  facets: adminProcedure.query(({ ctx }) => listAuditFacets(ctx.caller)),
});
