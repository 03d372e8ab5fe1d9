import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isPublicAddress } from "./address-guard";

/**
 * One HTTP POST of a webhook. Refused before any connection when the URL is
 * not https or names (or resolves to) an address that is not public, unless
 * private URLs are allowed. The address checked is the address connected to:
 * the check happens inside the connection's own DNS lookup, so a name cannot
 * resolve to a public address for the check and a private one for the call.
 * Redirects are not followed (a 3xx is a failed attempt); at most 4 KB of the
 * answer is read; the whole exchange is cut at the timeout.
 */

export const RESPONSE_BYTES_KEPT = 4096;

export type DeliveryOutcome =
  | { kind: "answered"; status: number; body: string; durationMs: number }
  | { kind: "failed"; error: string; durationMs: number }
  | { kind: "refused"; error: string; durationMs: 0 };

class RefusedDestination extends Error {
  override name = "RefusedDestination";
}

/** Why a URL may not be called, or undefined when it may (the name's addresses are checked again at connection). */
export function destinationProblem(rawUrl: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) return "the URL must use https";
  if (url.username || url.password) return "the URL must not carry credentials";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!allowPrivate && isIP(host) !== 0 && !isPublicAddress(host)) return "the URL must name a public address";
  if (!allowPrivate && (host === "localhost" || host.endsWith(".localhost")))
    return "the URL must name a public address";
  return undefined;
}

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const usable = allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address));
      if (usable.length === 0 || (!allowPrivate && usable.length !== addresses.length)) {
        return callback(new RefusedDestination(`${hostname} resolves to an address that is not public`), "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      const first = usable[0]!;
      callback(null, first.address, first.family);
    });
  };
}

export function postWebhook(o: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
}): Promise<DeliveryOutcome> {
  const problem = destinationProblem(o.url, o.allowPrivate);
  if (problem) return Promise.resolve({ kind: "refused", error: problem, durationMs: 0 });
  const url = new URL(o.url);
  const client = url.protocol === "https:" ? https : http;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: DeliveryOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = client.request(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Gatehouse-Webhooks/1",
          ...o.headers,
          "content-length": String(Buffer.byteLength(o.body)),
        },
        lookup: guardedLookup(o.allowPrivate),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on("data", (chunk: Buffer) => {
          if (kept >= RESPONSE_BYTES_KEPT) return;
          chunks.push(chunk.subarray(0, RESPONSE_BYTES_KEPT - kept));
          kept += Math.min(chunk.length, RESPONSE_BYTES_KEPT - kept);
          // Enough of the answer has been read: the rest is not waited for.
          if (kept >= RESPONSE_BYTES_KEPT) response.destroy();
        });
        const done = () =>
          finish({
            kind: "answered",
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            durationMs: elapsed(),
          });
        response.on("end", done);
        response.on("close", done);
        response.on("error", done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${o.timeoutMs} ms`));
    }, o.timeoutMs);
    request.on("error", (error) =>
      finish(
        error instanceof RefusedDestination
          ? { kind: "refused", error: error.message, durationMs: 0 }
          : { kind: "failed", error: error.message, durationMs: elapsed() },
      ),
    );
    request.end(o.body);
  });
}
