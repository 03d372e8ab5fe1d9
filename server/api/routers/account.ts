import { changeOwnPassword, confirmTotpEnrollment, confirmTotpSchema, getAccountSecurity, startTotpEnrollment } from "../../staff/account";
import { changePasswordSchema } from "../../staff/schemas";
import { router, staffProcedure } from "../trpc";

export const accountRouter = router({
  me: staffProcedure.query(({ ctx }) => ({ id: ctx.staff.id, email: ctx.staff.email, name: ctx.staff.name, role: ctx.staff.role, mustEnrollTotp: ctx.staff.mustEnrollTotp })),
  security: staffProcedure.query(({ ctx }) => getAccountSecurity(ctx.staff.id)),
  startTotp: staffProcedure.mutation(({ ctx }) => startTotpEnrollment(ctx.staff)),
  confirmTotp: staffProcedure.input(confirmTotpSchema).mutation(({ ctx, input }) => confirmTotpEnrollment({ staffId: ctx.staff.id, input, ip: ctx.ip, requestId: ctx.requestId })),
  changePassword: staffProcedure.input(changePasswordSchema).mutation(({ ctx, input }) => changeOwnPassword({ staffId: ctx.staff.id, sessionId: ctx.staff.sessionId, input, ip: ctx.ip, requestId: ctx.requestId })),
});
