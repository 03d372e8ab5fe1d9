import { listAuditEvents, listAuditFacets } from "../../audit/list";
import { auditListInputSchema } from "../../audit/schemas";
import { adminProcedure, router } from "../trpc";

export const auditRouter = router({
  list: adminProcedure.input(auditListInputSchema).query(({ input }) => listAuditEvents(input)),
  facets: adminProcedure.query(() => listAuditFacets()),
});
