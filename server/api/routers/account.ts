import {
  changeOwnPassword,
  confirmTotpEnrollment,
  confirmTotpSchema,
  getAccountSecurity,
  startTotpEnrollment,
} from "../../staff/account";
import { changePasswordSchema } from "../../staff/schemas";
import { router, staffProcedure } from "../trpc";

export const accountRouter = router({
  me: staffProcedure.query(({ ctx }) => ({
    id: ctx.staff.id,
    email: ctx.staff.email,
    name: ctx.staff.name,
    role: ctx.staff.role,
    mustEnrollTotp: ctx.staff.mustEnrollTotp,
  })),
  security: staffProcedure.query(({ ctx }) => getAccountSecurity(ctx.caller)),
  startTotp: staffProcedure.mutation(({ ctx }) => startTotpEnrollment(ctx.caller)),
  confirmTotp: staffProcedure
    .input(confirmTotpSchema)
    .mutation(({ ctx, input }) => confirmTotpEnrollment(ctx.caller, input)),
  changePassword: staffProcedure
    .input(changePasswordSchema)
    .mutation(({ ctx, input }) => changeOwnPassword(ctx.caller, input)),
});
