import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { ZodError } from "zod";
import { isRefusal, refusalError, requireStaff } from "../auth/guard";
import { partnerScopeOf, type PartnerScope, type Role } from "../auth/policies";
import type { StaffSession } from "../auth/session";
import { AppError, fieldErrorsFromIssues, toAppError, type FieldError } from "../errors";
import { log } from "../log";

/** The only file that calls initTRPC: context, procedures, error formatting. */

export interface TrpcContext {
  staff: StaffSession | undefined;
  ip: string;
  requestId: string;
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
    transformer: superjson,
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
    if (error.code === "internal_error") log.error("procedure failed", { path, requestId: ctx.requestId, error: result.error.cause ?? result.error });
    else log.warn("the database refused a procedure's input", { path, requestId: ctx.requestId, error: result.error.cause });
  }
  throw new TRPCError({ code: trpcCodeFor[error.status] ?? "INTERNAL_SERVER_ERROR", message: error.message, cause: error });
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
      const scope: PartnerScope = await partnerScopeOf(staff);
      return next({ ctx: { ...ctx, staff, scope } });
    });
}

const ALL_STAFF: Role[] = ["admin", "operations", "kam"];
export const staffProcedure = procedureFor(...ALL_STAFF);
export const operationsProcedure = procedureFor("admin", "operations");
export const adminProcedure = procedureFor("admin");

/** The actor recorded in audit events for a procedure's staff member. */
export function staffActor(ctx: { staff: StaffSession }) {
  return { type: "staff" as const, id: ctx.staff.id };
}
