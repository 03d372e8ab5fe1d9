import { createMasterKey, listApiKeys, revokeApiKey } from "../../partners/api-keys";
import { apiKeyTargetSchema, createApiKeySchema, partnerTargetSchema } from "../../partners/schemas";
import { procedureFor, router } from "../trpc";

/** Master API keys of the partners a KAM owns (admins: every partner). */
const managerProcedure = procedureFor("admin", "kam");

export const apiKeyRouter = router({
  list: managerProcedure.input(partnerTargetSchema).query(({ ctx, input }) => listApiKeys({ staff: ctx.staff, partnerId: input.partnerId })),
  create: managerProcedure.input(createApiKeySchema).mutation(({ ctx, input }) => createMasterKey({ by: ctx.staff, input, ip: ctx.ip, requestId: ctx.requestId })),
  revoke: managerProcedure.input(apiKeyTargetSchema).mutation(({ ctx, input }) => revokeApiKey({ staff: ctx.staff, input, ip: ctx.ip, requestId: ctx.requestId })),
});
