import { staffOf, type Caller } from "../caller";
import { AppError } from "../errors";

/**
 * Imports are operations' and admins' work: a KAM may not import into (or
 * read the imports of) even the partners they own, and nobody outside staff
 * may at all. The system (the CLI, the import worker) may.
 */
export function assertMayImport(caller: Caller): void {
  if (caller.actor.type === "system") return;
  const staff = staffOf(caller);
  if (staff.role === "kam") throw new AppError("forbidden", "Only operations and admin staff import clients");
}

/** The staff member acting, recorded on the jobs they create; null for the system. */
export function staffIdOf(caller: Caller): string | null {
  return caller.actor.type === "staff" ? caller.actor.id : null;
}
