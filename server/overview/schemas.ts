import { z } from "zod";

/** Overview schemas, free of server-only imports so the page can use them too. */

/** The periods the Overview page offers; the service accepts any whole number of days up to the largest. */
export const FUNNEL_PERIODS = [7, 30, 90] as const;
export const DEFAULT_FUNNEL_DAYS = 30;

export const funnelInputSchema = z.object({
  /** One partner; omitted = every partner the staff member may see. */
  partnerId: z
    .number({ error: "partnerId must be a positive 32-bit integer" })
    .int("partnerId must be a positive 32-bit integer")
    .min(1, "partnerId must be a positive 32-bit integer")
    .max(2_147_483_647, "partnerId must be a positive 32-bit integer")
    .optional(),
  /** Registrations started in the last `days` UTC days, today included. */
  days: z
    .number({ error: "days must be a whole number" })
    .int("days must be a whole number")
    .min(1, "days must be at least 1")
    .max(FUNNEL_PERIODS.at(-1)!, `days must be at most ${FUNNEL_PERIODS.at(-1)}`)
    .default(DEFAULT_FUNNEL_DAYS),
});
export type FunnelInput = z.output<typeof funnelInputSchema>;

/** The onboarding funnel's stages, in order. */
export const FUNNEL_STAGES = [
  { key: "started", label: "Registrations started" },
  { key: "confirmed", label: "Email confirmed" },
  { key: "identified", label: "KYC identified" },
  { key: "subscribed", label: "Subscribed" },
] as const;
export type StageKey = (typeof FUNNEL_STAGES)[number]["key"];
