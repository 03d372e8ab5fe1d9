import { eq } from "drizzle-orm";
import { getDb, type Executor } from "../../db/client";
import { partners } from "../../db/schema";
import { recordAudit, type Actor } from "../audit/record";
import { AppError } from "../errors";
import { partnerSettingsSchema, type PartnerSettingsInput } from "./schemas";

export const partnerColumns = {
  id: partners.id,
  name: partners.name,
  status: partners.status,
  sandbox: partners.sandbox,
  captchaRequired: partners.captchaRequired,
  quotaPerIpHour: partners.quotaPerIpHour,
  quotaTotalHour: partners.quotaTotalHour,
  allowedUserTypes: partners.allowedUserTypes,
  defaultCurrency: partners.defaultCurrency,
  kycApprovedLevel: partners.kycApprovedLevel,
  ownerStaffId: partners.ownerStaffId,
};

export type Partner = {
  id: number;
  name: string;
  status: "active" | "suspended";
  sandbox: boolean;
  captchaRequired: boolean;
  quotaPerIpHour: number;
  quotaTotalHour: number;
  allowedUserTypes: string[];
  defaultCurrency: string;
  kycApprovedLevel: number;
  ownerStaffId: string | null;
};

export async function findPartnerById(db: Executor, id: number): Promise<Partner | undefined> {
  const [row] = await db.select(partnerColumns).from(partners).where(eq(partners.id, id));
  return row;
}

/** The partner a public request acts for, refused when unknown or suspended. */
export async function requireActivePartner(db: Executor, id: number, field = "partnerId"): Promise<Partner> {
  const partner = await findPartnerById(db, id);
  if (!partner) throw AppError.field("partner_not_found", field, `No partner has id ${id}`);
  if (partner.status !== "active") throw AppError.field("partner_suspended", field, "This partner is suspended; contact its key account manager");
  return partner;
}

export interface CreatePartnerOptions {
  input: PartnerSettingsInput;
  ownerStaffId?: string | null;
  actor: Actor;
  ip?: string | null;
  requestId?: string | null;
}

export async function createPartner(db: Executor, o: CreatePartnerOptions): Promise<Partner> {
  const settings = partnerSettingsSchema.parse(o.input);
  const [row] = await db
    .insert(partners)
    .values({ ...settings, ownerStaffId: o.ownerStaffId ?? null })
    .returning(partnerColumns);
  const partner = row!;
  await recordAudit(db, { actor: o.actor, action: "partner.create", entityType: "partner", entityId: String(partner.id), partnerId: partner.id, after: partner, ip: o.ip, requestId: o.requestId });
  return partner;
}

/** For request handlers: the active partner with this id, on the shared database. */
export function loadActivePartner(id: number, field = "partnerId"): Promise<Partner> {
  return requireActivePartner(getDb(), id, field);
}
