import { z } from "zod";
import { whiteLabelRegistrationSchema } from "../registration/schemas";

/**
 * One row of an import file, checked with the white-label registration's own
 * field schemas (email, names, country, birth date, verification status and
 * level, address), so a value the API would refuse is refused here with the
 * API's message. Cells arrive as text: an empty cell is a missing value.
 */

export const REQUIRED_COLUMNS = [
  "email",
  "firstName",
  "lastName",
  "countryCode",
  "birthDate",
  "verificationStatus",
  "verificationLevel",
  "passwordHash",
] as const;
const OPTIONAL_COLUMNS = ["postalCode", "state", "address1", "address2", "referralCode", "externalId"] as const;
export const IMPORT_COLUMNS = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** argon2id in its PHC form, as Gatehouse and most libraries write it. */
const ARGON2ID = /^\$argon2id\$v=19\$m=\d{1,7},t=\d{1,3},p=\d{1,3}\$[A-Za-z0-9+/]{8,}={0,2}\$[A-Za-z0-9+/]{16,}={0,2}$/;
/** bcrypt's modular crypt form: $2a$, $2b$ or $2y$, a two-digit cost, 22 characters of salt and 31 of hash. */
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/**
 * The most work one imported hash may ask of a sign-in. Verifying runs with
 * the hash's own parameters, so a file of hashes at bcrypt cost 31 or argon2id
 * m=10 GB would let whoever wrote it tie up the hashing threads (or the
 * memory) at every sign-in attempt for those addresses. Real exports sit far
 * below these bounds (bcrypt 10–12; argon2id 19–64 MiB).
 */
const MAX_ARGON2ID = { m: 262_144, t: 10, p: 8 } as const;
const MAX_BCRYPT_COST = 14;

function hashCostProblem(hash: string): string | undefined {
  const argon = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
  if (argon) {
    const [m, t, p] = [Number(argon[1]), Number(argon[2]), Number(argon[3])];
    if (m > MAX_ARGON2ID.m || t > MAX_ARGON2ID.t || p > MAX_ARGON2ID.p)
      return `passwordHash asks more of a sign-in than allowed: argon2id at most m=${MAX_ARGON2ID.m},t=${MAX_ARGON2ID.t},p=${MAX_ARGON2ID.p} (this one: m=${m},t=${t},p=${p})`;
  }
  const bcrypt = /^\$2[aby]\$(\d\d)\$/.exec(hash);
  if (bcrypt && Number(bcrypt[1]) > MAX_BCRYPT_COST)
    return `passwordHash asks more of a sign-in than allowed: bcrypt cost at most ${MAX_BCRYPT_COST} (this one: ${Number(bcrypt[1])})`;
  return undefined;
}

type PasswordHashKind = "argon2id" | "bcrypt" | "none";

function passwordHashKind(hash: string): PasswordHashKind | undefined {
  if (hash === "") return "none";
  if (ARGON2ID.test(hash)) return "argon2id";
  if (BCRYPT.test(hash)) return "bcrypt";
  return undefined;
}

const passwordHashSchema = z
  .string()
  .trim()
  .max(512, "passwordHash must be at most 512 characters")
  .refine(
    (v) => passwordHashKind(v) !== undefined,
    "passwordHash must be an argon2id hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash), a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters) or empty (the client then sets a password through password reset)",
  )
  .superRefine((v, ctx) => {
    const problem = hashCostProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const externalIdSchema = z
  .string()
  .trim()
  .max(128, "externalId must be at most 128 characters")
  .refine((v) => !/[\p{Cc}\p{Cf}]/u.test(v), "externalId must not contain control characters");

const wl = whiteLabelRegistrationSchema.shape;

const importRowSchema = z.object({
  email: wl.email,
  firstName: wl.firstName,
  lastName: wl.lastName,
  countryCode: wl.countryCode,
  birthDate: wl.birthDate,
  verificationStatus: z.enum(wl.verificationStatus.unwrap().options, {
    error: `verificationStatus must be one of ${wl.verificationStatus.unwrap().options.join(", ")}`,
  }),
  verificationLevel: wl.verificationLevel.unwrap(),
  passwordHash: passwordHashSchema,
  postalCode: wl.postalCode,
  state: wl.state,
  address1: wl.address1,
  address2: wl.address2,
  referralCode: wl.referralCode.optional(),
  externalId: externalIdSchema.optional(),
});

/** A row as staged in import_rows.data: what the client is created from. */
export type ImportRowData = z.output<typeof importRowSchema>;

export interface FieldProblem {
  field: string;
  message: string;
}

/** Cells by column name; a required column's empty cell is passed as undefined so its schema says it is required. */
export function validateImportRow(
  cells: Partial<Record<ImportColumn, string>>,
): { ok: true; data: ImportRowData } | { ok: false; errors: FieldProblem[] } {
  const input: Record<string, unknown> = {};
  for (const column of IMPORT_COLUMNS) {
    const raw = cells[column];
    if (raw === undefined) continue;
    // An empty optional cell is no value; an empty passwordHash is "must reset"; an empty referralCode is null.
    if (raw.trim() === "") {
      if (column === "passwordHash") input[column] = "";
      else if (column === "referralCode") input[column] = null;
      continue;
    }
    input[column] = raw;
  }
  const parsed = importRowSchema.safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join(".") || "(row)";
    if (seen.has(field)) continue;
    seen.add(field);
    errors.push({ field, message: issue.message });
  }
  return { ok: false, errors };
}
