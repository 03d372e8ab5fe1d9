import { z } from "zod";
import { partnerTargetSchema } from "./schemas";

/**
 * Where a partner's white-label app may run: the hostnames it is served from
 * (a request to one of them acts for that partner) and the browser origins
 * allowed to call the public API (CORS). Plain rules and schemas, shared by
 * the partner page's form, the CLI and the API.
 */

const MAX_HOSTS = 10;
const MAX_ORIGINS = 10;

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

/** A hostname as stored: lower case, no port, no trailing dot; at least two labels. */
const hostSchema = z
  .string({ error: "A host is a hostname such as app.example.com" })
  .trim()
  .toLowerCase()
  .transform((h) => h.replace(/\.$/, ""))
  .refine((h) => HOSTNAME.test(h), "A host is a hostname such as app.example.com (no scheme, port or path)");

/** An origin as a browser sends it: scheme, host and port only. */
function originOf(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) return undefined;
    return url.origin === text.replace(/\/$/, "") ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A developer's own machine, over http or https: localhost (and names under
 * it), the whole of 127.0.0.0/8, [::1] and IPv4-mapped loopback. Whatever the
 * scheme, a page there is whoever runs that machine, not the partner's app.
 * Origins reach this test in URL's canonical form (originOf), so these
 * spellings are the only ones.
 */
const LOOPBACK =
  /^https?:\/\/(([a-z0-9-]+\.)*localhost\.?|127(\.\d{1,3}){3}|\[::1\]|\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\])(:\d{1,5})?$/;

/** Whether an origin is a development one, which only sandbox partners may list. */
export function isLocalDevelopmentOrigin(origin: string): boolean {
  return LOOPBACK.test(origin);
}

export const originSchema = z
  .string({ error: "An origin is a URL such as https://app.example.com" })
  .trim()
  .transform((text, ctx) => {
    const origin = originOf(text);
    if (!origin) {
      ctx.addIssue({
        code: "custom",
        message: "An origin is a scheme and host such as https://app.example.com, with no path",
      });
      return z.NEVER;
    }
    if (!origin.startsWith("https://") && !isLocalDevelopmentOrigin(origin)) {
      ctx.addIssue({
        code: "custom",
        message: "An origin must use https (http://localhost is allowed for sandbox partners)",
      });
      return z.NEVER;
    }
    return origin;
  });

const unique = (list: string[]) => new Set(list).size === list.length;

export const hostsSchema = z
  .array(hostSchema)
  .max(MAX_HOSTS, `At most ${MAX_HOSTS} hosts`)
  .refine(unique, "List each host once");
export const originsSchema = z
  .array(originSchema)
  .max(MAX_ORIGINS, `At most ${MAX_ORIGINS} origins`)
  .refine(unique, "List each origin once");

/** The change the partner page and the CLI send: both lists whole, as they should be from now on. */
export const partnerHostsInputSchema = partnerTargetSchema.extend({
  hosts: hostsSchema,
  allowedOrigins: originsSchema,
});
export type PartnerHostsInput = z.output<typeof partnerHostsInputSchema>;

/** A live partner may not allow development origins (http or https): its clients' browsers are real. */
export function originsProblem(origins: readonly string[], sandbox: boolean): string | undefined {
  if (sandbox) return undefined;
  const local = origins.find(isLocalDevelopmentOrigin);
  return local
    ? `${local} is for sandbox partners only; a live partner's origins are https origins of its own hosts`
    : undefined;
}

/** The headers the public API reads, which a browser must be allowed to send. */
export const CORS_ALLOWED_HEADERS =
  "content-type, authorization, partnerid, captcha-token, device-type, idempotency-key, x-request-id";
export const CORS_ALLOWED_METHODS = "GET, POST, OPTIONS";

/** The CORS headers for a request from `origin` to a partner allowing `allowed`: none unless the origin is allowed (never `*`). */
export function corsHeaders(origin: string | null, allowed: readonly string[]): Record<string, string> {
  if (!origin || !allowed.includes(origin)) return {};
  return {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": "x-request-id, retry-after, idempotent-replayed",
  };
}
