import { randomUUID } from "node:crypto";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { resetConfigForTests } from "../../env";
import { hashPassword } from "../../server/passwords/hasher";

// An import recounts the Overview's rollup when it ends, and the rollup is one row shared by every test file on
// this database while the overview tests count live: imports here leave it alone (FUNNEL_ROLLUP_SECONDS=0 skips
// the recount). tests/backoffice/overview.test.ts checks the recount after an import, inside its own rollup test.
process.env.FUNNEL_ROLLUP_SECONDS = "0";
resetConfigForTests();

/** Import files for the tests: rows as objects, written as CSV text the way a spreadsheet saves it. */

const HEADER = [
  "email",
  "firstName",
  "lastName",
  "countryCode",
  "birthDate",
  "verificationStatus",
  "verificationLevel",
  "passwordHash",
  "address1",
  "externalId",
] as const;

export type Row = Partial<Record<(typeof HEADER)[number], string>>;

export function importEmail(tag = "import"): string {
  return `${tag}-${randomUUID().slice(0, 12)}@example.test`;
}

export function row(overrides: Row = {}): Row {
  return {
    email: importEmail(),
    firstName: "Ada",
    lastName: "Lovelace",
    countryCode: "LV",
    birthDate: "1990-04-03",
    verificationStatus: "email_verified",
    verificationLevel: "1",
    passwordHash: "",
    address1: "",
    externalId: "",
    ...overrides,
  };
}

const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

export function csvOf(rows: Row[], o: { eol?: string; bom?: boolean; header?: readonly string[] } = {}): string {
  const header = o.header ?? HEADER;
  const eol = o.eol ?? "\n";
  const lines = [header.join(","), ...rows.map((r) => header.map((h) => cell(r[h as keyof Row] ?? "")).join(","))];
  return (o.bom ? "\uFEFF" : "") + lines.join(eol) + eol;
}

/** The text as an upload delivers it: bytes in small chunks, so records, CRLFs and characters straddle chunks. */
export async function* chunked(text: string, size = 7): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export const PASSWORD = "Imported123";
let hashes: Promise<{ argon2id: string; bcrypt: string }> | undefined;
/** One argon2id and one bcrypt hash of PASSWORD, made once per file. */
export function knownHashes(): Promise<{ argon2id: string; bcrypt: string }> {
  hashes ??= (async () => ({
    argon2id: await hashPassword(PASSWORD),
    bcrypt: await bcryptHash(PASSWORD, { cost: 4 }),
  }))();
  return hashes;
}
