import type { AuditActorType } from "@/server/audit/schemas";
import type { InvoiceStatus, SubscriptionStatus } from "@/server/billing/schemas";
import type { ClientSort, ClientState } from "@/server/clients/schemas";
import type { KycProviderName } from "@/server/kyc/schemas";
import type { z } from "zod";
import type { Role } from "@/server/auth/policies";
import type { OutboxViewStatus } from "@/server/mail/schemas";
import type { verificationStatusSchema } from "@/server/registration/schemas";

/**
 * The back office's words for stored values, and its one way of writing a
 * moment: every page and island says them from here. Type-only imports: the
 * module is as small in the browser as the tables below.
 */

export type VerificationStatus = z.infer<typeof verificationStatusSchema>;

export const verificationLabels: Record<VerificationStatus, string> = {
  not_verified: "Not verified",
  email_verified: "Email verified",
  phone_verified: "Phone verified",
  identified: "Identified",
};

export const clientStateLabels: Record<ClientState, string> = {
  active: "Active",
  suspended: "Suspended",
  blocked: "Blocked",
};

export const clientSortLabels: Record<ClientSort, string> = {
  created_desc: "Newest first",
  created_asc: "Oldest first",
  email_asc: "Email A–Z",
};

export const staffRoleLabels: Record<Role, string> = {
  admin: "Admin",
  operations: "Operations",
  kam: "Key account manager",
};

export const partnerStatusLabels = { active: "Active", suspended: "Suspended" } as const;

/** The statuses are the API's words, which integrators and support share; the hints say what they mean. */
export const subscriptionStatusHints: Record<SubscriptionStatus, string> = {
  INIT: "started, first invoice unpaid",
  ACTIVE: "paid and running",
  DEACTIVATING: "cancelled, runs to the end of its period",
  CANCELLED: "ended",
};

export const invoiceStatusLabels: Record<InvoiceStatus, string> = { open: "Open", paid: "Paid", void: "Void" };

export const invoiceKindLabels = { initial: "First payment", renewal: "Renewal" } as const;
export type InvoiceKind = keyof typeof invoiceKindLabels;

export const outboxStatusLabels: Record<OutboxViewStatus, string> = {
  queued: "Queued",
  failing: "Failing, will retry",
  failed: "Failed",
  sending: "Sending",
  sent: "Sent",
};

export const kycQueueLabels = { pending: "Pending", onHold: "On hold", retry: "Rejected, may retry" } as const;
export type KycQueue = keyof typeof kycQueueLabels;

export const kycProviderLabels: Record<KycProviderName, string> = {
  SUMSUB: "Sumsub",
  SANDBOX: "Sandbox",
  MANUAL: "Staff review only",
};

export const pendingKindLabels = { registration: "Partner API registration", email: "White-label email" } as const;
export type PendingKind = keyof typeof pendingKindLabels;

export const auditActorTypeLabels: Record<AuditActorType, string> = {
  staff: "Any staff member",
  api_key: "Any API key",
  client: "Any client",
  system: "System",
  anonymous: "Anonymous (sign-in attempts)",
};

/** An amount as the API writes it (decimal text in major units) with its currency: "9.99 EUR". */
export const formatMoney = (amount: string, currency: string) => `${amount} ${currency}`;

/** A partner's client count, "1,204", or "10,000+" where counting stopped. */
export const formatClientCount = (p: { clientCount: number; clientCountCapped: boolean }) =>
  `${p.clientCount.toLocaleString("en")}${p.clientCountCapped ? "+" : ""}`;

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });

/** Countries by their English names, for a picker: "Latvia" for LV. */
export function countryOptions(codes: Iterable<string>): Array<{ code: string; name: string }> {
  return [...codes]
    .map((code) => ({ code, name: regionNames.of(code) ?? code }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A label table as the options of a select, in the table's order. */
export function optionsOf<K extends string>(labels: Record<K, string>): Array<{ value: K; label: string }> {
  return (Object.entries(labels) as Array<[K, string]>).map(([value, label]) => ({ value, label }));
}

const minutes = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const seconds = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

/**
 * A moment in UTC, "4 Sept 2026, 05:24" (with `seconds`, "05:24:10"), or a
 * dash. Tables say "(UTC)" in their headers; elsewhere `zone` spells it out.
 * Written on the server wherever it can be, so server and browser never
 * disagree about a date.
 */
export function formatDateTime(d: Date | null | undefined, o: { seconds?: boolean; zone?: boolean } = {}): string {
  if (!d) return "—";
  const text = (o.seconds ? seconds : minutes).format(d);
  return o.zone ? `${text} UTC` : text;
}

const wholeHours = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });

/** How long something has waited, short: "45 s", "12 min", "3 h", "2 d". */
export function formatAge(since: Date, now: number): string {
  const s = Math.max(0, Math.floor((now - since.getTime()) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${wholeHours.format(Math.floor(s / 3600))} h`;
  return `${wholeHours.format(Math.floor(s / 86_400))} d`;
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto", style: "short" });

/** A moment relative to now: "3 min ago", "in 7 min", "2 days ago". */
export function formatFromNow(date: Date, now: number): string {
  const s = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return relative.format(s, "second");
  if (abs < 3600) return relative.format(Math.round(s / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(s / 3600), "hour");
  return relative.format(Math.round(s / 86_400), "day");
}
