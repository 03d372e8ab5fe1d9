import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { desc, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { emailOutbox } from "../../db/schema";
import { systemCaller } from "../../server/caller";
import { createMasterKey } from "../../server/partners/api-keys";
import { createPartner } from "../../server/partners/create";
import type { Partner } from "../../server/partners/lookup";
import { createApiKeySchema, createPartnerSchema, type PartnerSettingsInput } from "../../server/partners/schemas";
import { startTestServer, type TestServer } from "./http-server";

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Starts the route handlers over HTTP for the test file and returns a small client. */
export function useApi() {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  return apiClient(() => server.url);
}

/** A small JSON client of the app served at `baseUrl()`. */
export function apiClient(baseUrl: () => string) {
  async function call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const init: RequestInit = {
      method,
      headers: {
        ...(body !== undefined && typeof body !== "string" ? { "content-type": "application/json" } : {}),
        ...headers,
      },
    };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    const res = await fetch(baseUrl() + path, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // Left as text: the assertion will show what came back.
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }
  return {
    get url() {
      return baseUrl();
    },
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>("GET", path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>("POST", path, body, headers),
    call,
  };
}

export function uniqueEmail(tag = "client"): string {
  return `${tag}-${randomUUID().slice(0, 12)}@example.test`;
}

export interface TestPartner extends Partner {
  masterKey: string;
}

/** A partner of the test's own, with quotas off unless the test sets them. */
export async function createTestPartner(settings: Partial<PartnerSettingsInput> = {}): Promise<TestPartner> {
  const test = systemCaller("test");
  const input = createPartnerSchema.parse({
    name: `Test partner ${randomUUID().slice(0, 8)}`,
    quotaPerIpHour: 0,
    quotaTotalHour: 0,
    ...settings,
  });
  return getDb().transaction(async (tx) => {
    const partner = await createPartner(test, input, tx);
    const key = await createMasterKey(test, createApiKeySchema.parse({ partnerId: partner.id, name: "test key" }), tx);
    return { ...partner, masterKey: key.key };
  });
}

/** The newest email queued for an address (the development mailbox). */
export async function latestEmailTo(address: string) {
  const [row] = await getDb()
    .select({
      id: emailOutbox.id,
      template: emailOutbox.template,
      subject: emailOutbox.subject,
      text: emailOutbox.textBody,
      html: emailOutbox.htmlBody,
    })
    .from(emailOutbox)
    .where(sql`lower(${emailOutbox.toAddress}) = lower(${address})`)
    .orderBy(desc(emailOutbox.createdAt))
    .limit(1);
  return row;
}

export function codeIn(text: string | undefined): string {
  const match = /\b(\d{6})\b/.exec(text ?? "");
  if (!match) throw new Error(`no 6-digit code in email: ${text}`);
  return match[1]!;
}

export const STRONG_PARTNER_PASSWORD = "A9#bL8@z";
export const STRONG_WL_PASSWORD = "Qwerty123";

export function whiteLabelBody(overrides: Record<string, unknown> = {}) {
  return {
    firstName: "Test",
    lastName: "Register",
    email: uniqueEmail("wl"),
    countryCode: "LV",
    password: STRONG_WL_PASSWORD,
    referralCode: null,
    agreed: true,
    birthDate: "2005-04-03",
    ...overrides,
  };
}
