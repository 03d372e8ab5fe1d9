import { createMasterKey, listApiKeys, revokeApiKey } from "../../partners/api-keys";
import { apiKeyTargetSchema, createApiKeySchema, partnerTargetSchema } from "../../partners/schemas";
import { procedureFor, router } from "../trpc";

/** Master API keys of the partners a KAM owns (admins: every partner). */
const managerProcedure = procedureFor("admin", "kam");

export const apiKeyRouter = router({
  list: managerProcedure.input(partnerTargetSchema).query(({ ctx, input }) => listApiKeys(ctx.caller, input)),
  create: managerProcedure.input(createApiKeySchema).mutation(({ ctx, input }) => createMasterKey(ctx.caller, input)),
  revoke: managerProcedure.input(apiKeyTargetSchema).mutation(({ ctx, input }) => revokeApiKey(ctx.caller, input)),
});
