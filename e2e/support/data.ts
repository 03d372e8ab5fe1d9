import { randomUUID } from "node:crypto";
import { expect, type APIRequestContext } from "@playwright/test";
import { gatehouse } from "../fixtures";

/**
 * Test data made the way the outside world makes it: partners with the admin
 * CLI, clients through the running server's public registration API with the
 * partner's master key. Every name is unique, so specs never depend on each
 * other or on what an earlier run left in the database.
 */

/** A short random tag for names and emails that no other test (or run) uses. */
export const uniqueTag = () => randomUUID().replaceAll("-", "").slice(0, 10);

export interface TestPartner {
  partnerId: number;
  masterKey: string;
  name: string;
}

/** A partner with quotas off (so specs never run into the hourly registration quota) and its master key. */
export async function createPartner(
  o: { name?: string; sandbox?: boolean; owner?: string } = {},
): Promise<TestPartner> {
  const name = o.name ?? `E2E partner ${uniqueTag()}`;
  const created = await gatehouse<{ partnerId: number; masterKey: string }>([
    "partner",
    "create",
    "--name",
    name,
    ...(o.sandbox ? ["--sandbox"] : []),
    ...(o.owner ? ["--owner", o.owner] : []),
    "--quota-ip",
    "0",
    "--quota-total",
    "0",
  ]);
  return { ...created, name };
}

export interface ClientSpec {
  firstName: string;
  lastName: string;
  email: string;
  countryCode: string;
  verificationStatus?: "not_verified" | "email_verified" | "phone_verified" | "identified";
  verificationLevel?: number;
}

export interface RegisteredClient extends ClientSpec {
  clientId: string;
  /** The client's white-label access token, for the client's own API calls (`Authorization: Bearer …`). */
  token: string;
}

/** Registers a white-label client through POST /api/public/register, as the partner's backend does. */
export async function registerClient(
  request: APIRequestContext,
  partner: Pick<TestPartner, "masterKey">,
  client: ClientSpec,
): Promise<RegisteredClient> {
  const response = await request.post("/api/public/register", {
    headers: { Authorization: `Bearer ${partner.masterKey}` },
    data: {
      ...client,
      password: `Pw${uniqueTag()}9`,
      referralCode: null,
      agreed: true,
      birthDate: "1990-05-17",
    },
  });
  expect(response.status(), `registering ${client.email}: ${await response.text()}`).toBe(201);
  const { clientId, token } = (await response.json()) as { clientId: string; token: string };
  return { ...client, clientId, token };
}

/**
 * RFC 4180 CSV to rows of fields (quoted fields, doubled quotes, CRLF).
 * Small on purpose: enough for the export, which is what is under test.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}
