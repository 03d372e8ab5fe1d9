import type { staffRoleSchema } from "@/server/staff/schemas";

export type StaffRole = (typeof staffRoleSchema.options)[number];

export const roleLabels: Record<StaffRole, string> = { admin: "Admin", operations: "Operations", kam: "Key account manager" };
