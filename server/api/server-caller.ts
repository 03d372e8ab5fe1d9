import "server-only";
import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { randomUUID } from "node:crypto";
import { ZodError } from "zod";
import { AppError, fieldErrorsFromIssues, fieldMessages } from "../errors";
import { log } from "../log";
import { createCaller } from "./root";
import { createTrpcContext, type TrpcContext } from "./trpc";

/**
 * The back office's pages and server actions call procedures here, on the
 * server, through `appRouter.createCaller` with the context the tRPC endpoint
 * builds (createTrpcContext) for the same request: the staff session, the
 * client's address and user agent and a request id. Roles, TOTP enrolment,
 * the partner scope, input validation and error mapping all come from the
 * kernel (server/api/trpc.ts), exactly as for a call over HTTP. This file is
 * also the one place where a refusal becomes what a page or an action answers
 * (docs/architecture.md, "A back-office list page").
 */

export type ServerCaller = ReturnType<typeof createCaller>;

type OutputsOf<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<infer R> ? R : OutputsOf<T[K]>;
};
/**
 * What each procedure answers a page or an action through the caller, by
 * path (`ProcedureOutputs["client"]["get"]`): its own values, dates as Dates.
 * tRPC's `inferRouterOutputs` is the JSON an HTTP client would receive instead.
 */
export type ProcedureOutputs = OutputsOf<ServerCaller>;

async function serverContext(): Promise<TrpcContext> {
  return createTrpcContext({ requestId: randomUUID(), userAgent: (await headers()).get("user-agent") });
}

/** Why a call did not go through, as a page or an island shows it. */
export interface Refusal {
  ok: false;
  kind:
    "signed-out" | "must-enroll-totp" | "forbidden" | "not-found" | "invalid" | "refused" | "unavailable" | "failed";
  /** Safe to show as it is. */
  message: string;
  /** One message per offending field, keyed by its dotted path (server/errors.ts `fieldMessages`). */
  fieldErrors: Record<string, string>;
  /** Where the staff member can resolve it: sign in again, or set up two-factor authentication. */
  action?: { label: string; href: string };
}

/** What a server action answers: never an exception, which the browser would only see as a failed request. */
export type ActionResult<T = void> = { ok: true; value: T } | Refusal;

const TOTP_ENROLMENT = "/account/security";

const signInHref = (path: string | undefined) => (path ? `/login?callbackUrl=${encodeURIComponent(path)}` : "/login");

/** The refusal a thrown error stands for; undefined for a bug, which is not the caller's to see. */
function refusalOf(error: unknown, ctx: TrpcContext, path: string | undefined): Refusal | undefined {
  if (!(error instanceof TRPCError)) return undefined;
  const cause = error.cause;
  const fieldErrors =
    cause instanceof ZodError
      ? fieldMessages(fieldErrorsFromIssues(cause.issues))
      : cause instanceof AppError
        ? fieldMessages(cause.fields)
        : {};
  const message =
    cause instanceof ZodError ? "Some fields are not valid; correct the highlighted fields." : error.message;
  const refusal = (kind: Refusal["kind"], extra: Partial<Refusal> = {}): Refusal => ({
    ok: false,
    kind,
    message,
    fieldErrors,
    ...extra,
  });
  switch (error.code) {
    case "UNAUTHORIZED":
      return refusal("signed-out", {
        message: "Your session has ended; sign in again.",
        action: { label: "Sign in", href: signInHref(path) },
      });
    case "FORBIDDEN":
      // The kernel refuses everything but the account pages until a required TOTP is set up.
      if (ctx.staff?.mustEnrollTotp) {
        return refusal("must-enroll-totp", {
          message: "Set up two-factor authentication before using the back office.",
          action: { label: "Set it up", href: TOTP_ENROLMENT },
        });
      }
      return refusal("forbidden");
    case "NOT_FOUND":
      return refusal("not-found");
    case "BAD_REQUEST":
    case "UNPROCESSABLE_CONTENT":
      return refusal("invalid");
    case "SERVICE_UNAVAILABLE":
      return refusal("unavailable");
    case "INTERNAL_SERVER_ERROR":
      return undefined;
    default:
      return refusal("refused");
  }
}

/**
 * The refusal for input an action checks itself before any procedure sees it
 * (a form's own schema, such as the new password typed twice), in the shape a
 * procedure's validation failure takes.
 */
export function invalidInput(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): Refusal {
  return {
    ok: false,
    kind: "invalid",
    message: "Some fields are not valid; correct the highlighted fields.",
    fieldErrors: fieldMessages(fieldErrorsFromIssues(issues)),
  };
}

/** A page's data, or the refusal the page shows in place of it. */
export type PageData<T> = { ok: true; data: T } | Refusal;

/**
 * Loads a page's data through the procedures. Refusals a page cannot show are
 * answered here once for every page: signed out → the sign-in page (leading
 * back to `path`, the page's path and query), TOTP enrolment required → the
 * account security page, not found → the 404 page. A role the procedure is not
 * for, invalid filters and an unavailable database come back as values, for
 * the page to say in its own words. A bug is thrown, to the error page.
 */
export async function loadPage<T>(path: string, load: (api: ServerCaller) => Promise<T>): Promise<PageData<T>> {
  const ctx = await serverContext();
  let refusal: Refusal | undefined;
  try {
    return { ok: true, data: await load(createCaller(ctx)) };
  } catch (error) {
    refusal = refusalOf(error, ctx, path);
    if (!refusal) throw error;
  }
  if (refusal.kind === "signed-out" || refusal.kind === "must-enroll-totp") redirect(refusal.action!.href);
  if (refusal.kind === "not-found") notFound();
  return refusal;
}

/**
 * Runs a server action's procedure calls. Anyone can call an action over
 * HTTP, so it goes through the kernel like any call: the session is checked
 * again, the role, the scope and the input too. Every outcome is a value;
 * `path` is where signing in again leads back to.
 */
export async function runAction<T>(
  run: (api: ServerCaller) => Promise<T>,
  o: { path?: string } = {},
): Promise<ActionResult<T>> {
  const ctx = await serverContext();
  try {
    return { ok: true, value: await run(createCaller(ctx)) };
  } catch (error) {
    const refusal = refusalOf(error, ctx, o.path);
    if (refusal) return refusal;
    // The kernel has logged a procedure's own failure; anything else failed here.
    if (!(error instanceof TRPCError)) log.error("server action failed", { requestId: ctx.caller.requestId, error });
    return { ok: false, kind: "failed", message: "Something went wrong on our side; try again.", fieldErrors: {} };
  }
}
