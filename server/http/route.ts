import type { z } from "zod";
import { config } from "../../env";
import type { Caller } from "../caller";
import { AppError, fieldErrorsFromIssues } from "../errors";
import { withLogFields } from "../log";
import { resolvePartner } from "../partners/request-partner";
import type { ResolvedPartner } from "../partners/resolve";
import { currentClientAddress } from "./client-address";
import { applyCors } from "./cors";
import { toHttpError } from "./errors";
import { observeRequest, routeTemplate } from "./observe";
import { requestIdOf } from "./request-id";
import { resolveRequestHost } from "./request-host";

interface RequestContext {
  req: Request;
  /**
   * Who calls, and from where: anonymous, with the request's address, id and
   * user agent. A handler that authenticates a client (bearer token) or a
   * master key narrows it with callerAs and hands it to the service.
   */
  caller: Caller;
  params: Record<string, string>;
  /** The request's path, without the query. */
  path: string;
  /** The host the request was sent to, as request-host.ts reads it behind trusted proxies; undefined when it is no hostname. */
  host: string | undefined;
  /**
   * The partner the request acts for, by the one order (server/partners/
   * request-partner.ts); the answer's CORS headers are then that partner's.
   */
  partner(o?: PartnerOptions): Promise<ResolvedPartner>;
  partner(o: PartnerOptions & { optional: true }): Promise<ResolvedPartner | undefined>;
  header(name: string): string | null;
  /** Reads the JSON body once (size-limited) and validates it with the schema. */
  body<S extends z.ZodType>(schema: S): Promise<z.output<S>>;
  /** The raw body text, size-limited (for signature checks). */
  text(): Promise<string>;
}

interface PartnerOptions {
  /** Authorization carries a partner's master API key on this endpoint (the white-label flavour). */
  masterKey?: boolean;
  /** partnerId from the body, where the flavour accepts it there. */
  partnerIdBody?: number;
  /** partnerId from the query, for pages that cannot set headers; the header wins when both are sent. */
  partnerIdQuery?: string | null;
  optional?: boolean;
}

type RouteParams = { params: Promise<Record<string, string | string[]>> };
type Handler = (ctx: RequestContext) => Promise<Response>;

async function readLimited(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new AppError("payload_too_large", `The body must be at most ${limit} bytes`);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new AppError("payload_too_large", `The body must be at most ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** The stored answer of an idempotent request; a replay says so in `Idempotent-Replayed`. */
export function idempotentJson(result: { status: number; body: unknown; replayed: boolean }): Response {
  return json(result.body, result.status, result.replayed ? { "idempotent-replayed": "true" } : {});
}

interface RouteOptions {
  /** The route's label in metrics and logs when the path and its parameters do not make it (the API's not-found answers). */
  template?: string;
}

/**
 * Wraps a REST handler: request id, client IP, body limit, JSON parsing and
 * validation, and the one error mapping; then one histogram sample and one
 * log line (observe.ts). Handlers only read input, call a service and return JSON.
 */
export function route(handler: Handler, options: RouteOptions = {}) {
  return async (req: Request, routeParams?: RouteParams): Promise<Response> => {
    const startedAt = performance.now();
    const requestId = requestIdOf(req.headers);
    const path = new URL(req.url).pathname;
    const rawParams = (routeParams ? await routeParams.params : undefined) ?? {};
    const template = options.template ?? routeTemplate(path, rawParams);
    let host: string | undefined;
    let partnerId: number | undefined;
    let response: Response;
    let failure: unknown;
    try {
      const c = config();
      host = resolveRequestHost({
        host: req.headers.get("host"),
        forwardedHost: req.headers.get("x-forwarded-host"),
        trustedProxies: c.TRUSTED_PROXY_COUNT,
      });
      let textPromise: Promise<string> | undefined;
      const readText = () => (textPromise ??= readLimited(req, c.BODY_LIMIT_BYTES));
      const params = Object.fromEntries(
        Object.entries(rawParams).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]),
      );
      const ctx: RequestContext = {
        req,
        caller: {
          actor: { type: "anonymous" },
          ip: currentClientAddress(),
          requestId,
          userAgent: req.headers.get("user-agent"),
        },
        params,
        path,
        host,
        partner: (async (o: PartnerOptions = {}) => {
          const signals = {
            masterKey: o.masterKey ? req.headers.get("authorization") : undefined,
            partnerIdHeader: req.headers.get("partnerid") ?? o.partnerIdQuery ?? null,
            partnerIdBody: o.partnerIdBody,
            host,
          };
          const resolved = o.optional
            ? await resolvePartner(ctx.caller, signals, { optional: true })
            : await resolvePartner(ctx.caller, signals);
          partnerId = resolved?.partner.id;
          return resolved;
        }) as RequestContext["partner"],
        header: (name) => req.headers.get(name),
        text: readText,
        async body(schema) {
          const type = req.headers.get("content-type");
          if (type && !/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
            throw new AppError("unsupported_media_type", "Send the body as application/json");
          }
          const raw = await readText();
          let value: unknown = {};
          if (raw.trim() !== "") {
            try {
              value = JSON.parse(raw);
            } catch {
              throw new AppError("invalid_json", "The body is not valid JSON", {
                fields: [{ path: "(body)", message: "Malformed JSON" }],
              });
            }
          }
          const parsed = await schema.safeParseAsync(value);
          if (!parsed.success)
            throw new AppError("validation_failed", "The request is not valid", {
              fields: fieldErrorsFromIssues(parsed.error.issues),
            });
          return parsed.data;
        },
      };
      // Every line logged while the handler runs carries the request id.
      response = await withLogFields({ requestId }, () => handler(ctx));
    } catch (error) {
      const mapped = toHttpError(error, requestId);
      if (mapped.unexpected) failure = error;
      response = json(mapped.body, mapped.status, mapped.headers);
    }
    response.headers.set("x-request-id", requestId);
    if (!response.headers.has("cache-control")) response.headers.set("cache-control", "no-store");
    await applyCors(req, response, { path, host, partnerId, requestId });
    // One histogram sample and one log line; an unexpected failure makes it an error line with `err`.
    observeRequest({
      requestId,
      method: req.method,
      route: template,
      status: response.status,
      startedAt,
      partnerId,
      err: failure,
    });
    return response;
  };
}
