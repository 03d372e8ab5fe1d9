import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";
import { isRefusal, refusalError, requireStaff } from "../auth/guard";
import type { Role } from "../auth/policies";
import { getStaffSession, type StaffSession } from "../auth/session";
import { callerAsStaff, type Caller } from "../caller";
import { AppError, fieldErrorsFromIssues, toAppError, type FieldError } from "../errors";
import { currentClientAddress } from "../http/client-address";
import { log } from "../log";

/** The only file that calls initTRPC: context, procedures, error formatting. */

export interface TrpcContext {
  /** The signed-in staff member, checked by each procedure (the staff guard) before it becomes the caller's actor. */
  staff: StaffSession | undefined;
  /** Anonymous here; a procedure's guard makes it the staff member's, with their partner scope. */
  caller: Caller;
}

/**
 * The context of one call: the same for the HTTP endpoint and for the pages'
 * and server actions' server caller (server-caller.ts), so both are one path.
 */
export async function createTrpcContext(o: { requestId: string; userAgent: string | null }): Promise<TrpcContext> {
  return trpcContext({
    staff: await getStaffSession(),
    ip: currentClientAddress(),
    requestId: o.requestId,
    userAgent: o.userAgent,
  });
}

/** The context for a staff session already read (the server-side caller of scripts and tests). */
export function trpcContext(o: {
  staff: StaffSession | undefined;
  ip: string;
  requestId: string;
  userAgent?: string | null;
}): TrpcContext {
  return {
    staff: o.staff,
    caller: { actor: { type: "anonymous" }, ip: o.ip, requestId: o.requestId, userAgent: o.userAgent ?? null },
  };
}

export interface ProcedureMeta {
  /** Who may call the procedure; every procedure must say (the role matrix test checks). */
  roles: readonly Role[];
}

const trpcCodeFor: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  402: "PAYMENT_REQUIRED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  409: "CONFLICT",
  410: "NOT_FOUND",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE_CONTENT",
  423: "TOO_MANY_REQUESTS",
  429: "TOO_MANY_REQUESTS",
  503: "SERVICE_UNAVAILABLE",
};

interface ErrorData {
  appCode: string;
  fields: FieldError[];
}

const t = initTRPC
  .context<TrpcContext>()
  .meta<ProcedureMeta>()
  .create({
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      let data: ErrorData = { appCode: error.code.toLowerCase(), fields: [] };
      let message = shape.message;
      if (cause instanceof ZodError) {
        data = { appCode: "validation_failed", fields: fieldErrorsFromIssues(cause.issues) };
        message = "Some fields need attention";
      } else if (cause instanceof AppError) {
        data = { appCode: cause.code, fields: cause.fields };
      } else if (error.code === "INTERNAL_SERVER_ERROR") {
        message = "Something went wrong on our side";
      }
      return { message, code: shape.code, data: { ...data, httpStatus: shape.data.httpStatus, path: shape.data.path } };
    },
  });

/**
 * Maps anything a procedure throws onto a tRPC error through toAppError, the
 * normaliser REST uses too. tRPC's own refusals (input failing its schema)
 * already carry their code and pass as they are.
 */
const errorMapping = t.middleware(async ({ next, path, ctx }) => {
  const result = await next();
  if (result.ok || result.error.code !== "INTERNAL_SERVER_ERROR") return result;
  const { error, unexpected } = toAppError(result.error.cause);
  if (unexpected) {
    if (error.code === "internal_error")
      log.error("procedure failed", {
        path,
        requestId: ctx.caller.requestId,
        error: result.error.cause ?? result.error,
      });
    else
      log.warn("the database refused a procedure's input", {
        path,
        requestId: ctx.caller.requestId,
        error: result.error.cause,
      });
  }
  throw new TRPCError({
    code: trpcCodeFor[error.status] ?? "INTERNAL_SERVER_ERROR",
    message: error.message,
    cause: error,
  });
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

/**
 * A procedure for the given roles. The staff guard (server/auth/guard.ts)
 * runs before input parsing, so a caller without the role learns nothing
 * about the input rules. Staff who must enrol in TOTP can only reach `account.*`.
 */
export function procedureFor(...roles: Role[]) {
  return t.procedure
    .meta({ roles })
    .use(errorMapping)
    .use(async ({ ctx, next, path }) => {
      const staff = requireStaff(ctx.staff, { roles, allowWhileEnrolling: path.startsWith("account.") });
      if (isRefusal(staff)) throw refusalError(staff);
      const caller = await callerAsStaff(ctx.caller, staff);
      return next({ ctx: { ...ctx, staff, caller } });
    });
}

const ALL_STAFF: Role[] = ["admin", "operations", "kam"];
export const staffProcedure = procedureFor(...ALL_STAFF);
export const operationsProcedure = procedureFor("admin", "operations");
export const adminProcedure = procedureFor("admin");
