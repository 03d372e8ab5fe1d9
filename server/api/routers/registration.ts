import { registerClientForPartner } from "../../registration/back-office";
import { countedRegistration } from "../../registration/outcomes";
import { backOfficeRegistrationSchema } from "../../registration/schemas";
import { operationsProcedure, router } from "../trpc";

export const registrationRouter = router({
  create: operationsProcedure
    .input(backOfficeRegistrationSchema)
    .mutation(({ ctx, input }) =>
      countedRegistration("back_office", () => registerClientForPartner(ctx.caller, input)),
    ),
});
