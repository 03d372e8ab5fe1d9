import {
  changeStaffRole,
  deactivateStaff,
  reactivateStaff,
  resetStaffPassword,
  resetStaffTotp,
  setTotpRequired,
  unlockStaff,
} from "../../staff/admin";
import { addStaffMember, listStaff } from "../../staff/directory";
import { addStaffSchema, changeStaffRoleSchema, requireTotpSchema, staffTargetSchema } from "../../staff/schemas";
import { adminProcedure, router } from "../trpc";

export const staffRouter = router({
  list: adminProcedure.query(({ ctx }) => listStaff(ctx.caller)),
  create: adminProcedure.input(addStaffSchema).mutation(({ ctx, input }) => addStaffMember(ctx.caller, input)),
  requireTotp: adminProcedure.input(requireTotpSchema).mutation(({ ctx, input }) => setTotpRequired(ctx.caller, input)),
  unlock: adminProcedure.input(staffTargetSchema).mutation(({ ctx, input }) => unlockStaff(ctx.caller, input)),
  deactivate: adminProcedure.input(staffTargetSchema).mutation(({ ctx, input }) => deactivateStaff(ctx.caller, input)),
  resetPassword: adminProcedure
    .input(staffTargetSchema)
    .mutation(({ ctx, input }) => resetStaffPassword(ctx.caller, input)),
  resetTotp: adminProcedure.input(staffTargetSchema).mutation(({ ctx, input }) => resetStaffTotp(ctx.caller, input)),
  reactivate: adminProcedure.input(staffTargetSchema).mutation(({ ctx, input }) => reactivateStaff(ctx.caller, input)),
  changeRole: adminProcedure
    .input(changeStaffRoleSchema)
    .mutation(({ ctx, input }) => changeStaffRole(ctx.caller, input)),
});
