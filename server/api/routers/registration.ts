import { registerClientForPartner } from "../../registration/back-office";
import { backOfficeRegistrationSchema } from "../../registration/schemas";
import { operationsProcedure, router } from "../trpc";

export const registrationRouter = router({
  create: operationsProcedure
    .input(backOfficeRegistrationSchema)
    .mutation(({ ctx, input }) => registerClientForPartner(ctx.caller, input)),
});
