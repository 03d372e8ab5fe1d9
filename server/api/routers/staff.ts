import { changeStaffRole, deactivateStaff, reactivateStaff, resetStaffPassword, resetStaffTotp, setTotpRequired, unlockStaff } from "../../staff/admin";
import { addStaffMember, listStaff } from "../../staff/directory";
import { addStaffSchema, changeStaffRoleSchema, requireTotpSchema, staffTargetSchema } from "../../staff/schemas";
import { adminProcedure, router, staffActor } from "../trpc";

export const staffRouter = router({
  list: adminProcedure.query(() => listStaff()),
  create: adminProcedure.input(addStaffSchema).mutation(({ ctx, input }) => addStaffMember({ input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  requireTotp: adminProcedure.input(requireTotpSchema).mutation(({ ctx, input }) => setTotpRequired({ ...input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  unlock: adminProcedure.input(staffTargetSchema).mutation(({ ctx, input }) => unlockStaff({ ...input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  deactivate: adminProcedure.input(staffTargetSchema).mutation(({ ctx, input }) => deactivateStaff({ ...input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  resetPassword: adminProcedure.input(staffTargetSchema).mutation(({ ctx, input }) => resetStaffPassword({ ...input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  resetTotp: adminProcedure.input(staffTargetSchema).mutation(({ ctx, input }) => resetStaffTotp({ ...input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  reactivate: adminProcedure.input(staffTargetSchema).mutation(({ ctx, input }) => reactivateStaff({ ...input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  changeRole: adminProcedure.input(changeStaffRoleSchema).mutation(({ ctx, input }) => changeStaffRole({ ...input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
});
