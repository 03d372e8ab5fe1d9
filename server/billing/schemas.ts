import { z } from "zod";
import {
  INVOICE_KINDS,
  INVOICE_STATUSES,
  PAYMENT_STATUSES,
  SUBSCRIPTION_STATUSES,
  TIER_INTERVALS,
} from "../../db/enums";
import { plainText } from "../plain-text";
import { amountSchema, currencySchema } from "./money";

/**
 * Billing schemas, free of server-only imports so the back-office forms
 * validate with them too. Amounts arrive as decimal strings (or numbers with
 * two decimals) and become minor units; they leave as decimal strings.
 */

export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

const uuidOf = (label: string) => z.uuid({ error: `${label} must be a UUID` });

const tierIdSchema = (label: string) =>
  z
    .number({ error: `${label} must be a positive whole number` })
    .int(`${label} must be a positive whole number`)
    .min(1, `${label} must be a positive whole number`)
    .max(2_147_483_647, `${label} must be a positive whole number`);

// Tiers (back office and CLI).

const tariffDetailSchema = z.object({
  key: plainText()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "A key is a short identifier such as transfers_per_month"),
  label: plainText().trim().min(1, "A label is required").max(100, "A label is at most 100 characters"),
  order: z
    .number({ error: "Order must be a whole number" })
    .int("Order must be a whole number")
    .min(0, "Order must be 0 or more")
    .max(1000, "Order must be at most 1000"),
  value: plainText().trim().max(200, "A value is at most 200 characters"),
});

const tierFields = {
  name: plainText("Name is required")
    .trim()
    .min(2, "Name must be at least 2 characters")
    .max(80, "Name must be at most 80 characters"),
  description: plainText().trim().max(1000, "Description must be at most 1000 characters"),
  level: z
    .number({ error: "Level must be a whole number from 0 to 5" })
    .int("Level must be a whole number from 0 to 5")
    .min(0, "Level must be a whole number from 0 to 5")
    .max(5, "Level must be a whole number from 0 to 5"),
  amount: amountSchema("Amount"),
  initialAmount: amountSchema("Initial payment amount"),
  currency: currencySchema,
  interval: z.enum(TIER_INTERVALS, { error: "The interval is DAYS30" }),
  features: z
    .array(plainText().trim().min(1, "A feature cannot be empty").max(200, "A feature is at most 200 characters"))
    .max(30, "At most 30 features"),
  tariffDetails: z
    .array(tariffDetailSchema)
    .max(30, "At most 30 tariff details")
    .refine((list) => new Set(list.map((d) => d.key)).size === list.length, "Each tariff detail key must be different"),
  mostPopular: z.boolean({ error: "mostPopular must be true or false" }),
  trialAvailable: z.boolean({ error: "trialAvailable must be true or false" }),
};

export const createTierSchema = z.object({
  partnerId: tierIdSchema("partnerId"),
  name: tierFields.name,
  description: tierFields.description.default(""),
  level: tierFields.level.default(0),
  amount: tierFields.amount,
  /** Defaults to the recurring amount. */
  initialAmount: tierFields.initialAmount.optional(),
  currency: tierFields.currency,
  interval: tierFields.interval.default("DAYS30"),
  features: tierFields.features.default([]),
  tariffDetails: tierFields.tariffDetails.default([]),
  mostPopular: tierFields.mostPopular.default(false),
  trialAvailable: tierFields.trialAvailable.default(false),
});
export type CreateTierInput = z.input<typeof createTierSchema>;

/** Only the fields sent change. A tier's currency is fixed once created: subscribers' invoices depend on it. */
export const updateTierSchema = z.object({
  tierId: tierIdSchema("tierId"),
  name: tierFields.name.optional(),
  description: tierFields.description.optional(),
  level: tierFields.level.optional(),
  amount: tierFields.amount.optional(),
  initialAmount: tierFields.initialAmount.optional(),
  features: tierFields.features.optional(),
  tariffDetails: tierFields.tariffDetails.optional(),
  mostPopular: tierFields.mostPopular.optional(),
  trialAvailable: tierFields.trialAvailable.optional(),
});
export type UpdateTierInput = z.input<typeof updateTierSchema>;

export const tierTargetSchema = z.object({ tierId: tierIdSchema("tierId") });
export const moveTierSchema = z.object({
  tierId: tierIdSchema("tierId"),
  direction: z.enum(["up", "down"], { error: "direction is up or down" }),
});
export type TierTarget = z.output<typeof tierTargetSchema>;
export type MoveTierInput = z.output<typeof moveTierSchema>;

// Public API.

/** A tier as the back office shows it: decimal-string amounts, features and tariff details at the top. */
export interface TierView {
  id: number;
  name: string;
  description: string;
  level: number;
  amount: string;
  initialPaymentAmount: string;
  currency: string;
  interval: (typeof TIER_INTERVALS)[number];
  features: string[];
  tariffDetails: { key: string; label: string; order: number; value: string }[];
  mostPopular: boolean;
  trialAvailable: boolean;
}

/** A tier as the partner API lists it, in Vault's shape: amounts are numbers, features and tariff details sit under `details`. */
const availableTierSchema = z
  .object({
    id: z.number().int().meta({ description: "Send it as `subscriptionDetailsId` to start a subscription." }),
    name: z.string(),
    description: z.string(),
    level: z.number().int(),
    amount: z
      .number()
      .meta({ description: "Recurring amount per interval, in the currency's major unit", example: 9.99 }),
    initialPaymentAmount: z.number().meta({ description: "The first invoice's amount", example: 9.99 }),
    currency: z.string().meta({ example: "EUR" }),
    subscriptionInterval: z.enum(TIER_INTERVALS),
    mostPopular: z.boolean(),
    trialAvailable: z.boolean(),
    details: z.object({
      feature: z.array(z.string()),
      tariffDetails: z
        .array(z.object({ key: z.string(), label: z.string(), order: z.number().int(), value: z.string() }))
        .meta({ description: "In `order`" }),
    }),
  })
  .meta({
    id: "SubscriptionTier",
    example: {
      id: 7,
      name: "Premium",
      description: "Higher limits and a dedicated manager",
      level: 2,
      amount: 9.99,
      initialPaymentAmount: 19.99,
      currency: "EUR",
      subscriptionInterval: "DAYS30",
      mostPopular: true,
      trialAvailable: false,
      details: {
        feature: ["Unlimited transfers", "Priority support"],
        tariffDetails: [{ key: "limit", label: "Monthly limit", order: 1, value: "50,000 EUR" }],
      },
    },
  });
export type AvailableTier = z.infer<typeof availableTierSchema>;
export const tierListSchema = z.array(availableTierSchema).meta({ id: "SubscriptionTierList" });

export const startSubscriptionSchema = z
  .object({
    accountId: uuidOf("accountId").meta({ description: "One of the client's accounts, from `GET /wallet/accounts`." }),
    subscriptionDetailsId: z
      .union(
        [
          z.number(),
          z
            .string()
            .regex(/^\d{1,10}$/)
            .transform(Number),
        ],
        { error: "subscriptionDetailsId must be a tier id from GET /reg/subscription/details/available" },
      )
      .pipe(
        z
          .number()
          .int("subscriptionDetailsId must be a tier id from GET /reg/subscription/details/available")
          .min(1, "subscriptionDetailsId must be a tier id from GET /reg/subscription/details/available")
          .max(2_147_483_647, "subscriptionDetailsId must be a tier id from GET /reg/subscription/details/available"),
      ),
    anyCurrency: z.boolean({ error: "anyCurrency must be true or false" }).default(false).meta({
      description:
        "Accepted for compatibility. Gatehouse does not convert currencies: the account's currency must be the tier's either way.",
    }),
  })
  .meta({ id: "StartSubscriptionRequest" });
export type StartSubscriptionInput = z.output<typeof startSubscriptionSchema>;

export const subscriptionStartedSchema = z
  .object({
    id: z.uuid().meta({ description: "The invoice to pay (the seed's `invoiceId`)." }),
    subscriptionId: z.uuid(),
    payUrl: z.string().meta({
      description: "The invoice resource; pay it with `POST /invoice/payment` and `POST /invoice/payment/pay`.",
    }),
    result: z.literal(0),
    desc: z.string(),
  })
  .meta({ id: "SubscriptionStarted" });

export const subscriptionViewSchema = z
  .object({
    id: z.uuid(),
    accountId: z.uuid(),
    subscriptionDetailsId: z.number().int(),
    name: z.string(),
    status: z.enum(SUBSCRIPTION_STATUSES).meta({
      description:
        "`INIT` until the first invoice is paid, `ACTIVE` while paid, `DEACTIVATING` when cancelled and running to the end of the period, then `CANCELLED`.",
    }),
    amount: z.string(),
    currency: z.string(),
    interval: z.enum(TIER_INTERVALS),
    currentPeriodStart: z.string().nullable(),
    currentPeriodEnd: z
      .string()
      .nullable()
      .meta({ description: "Access lasts until this moment; a renewal invoice is issued then." }),
    openInvoiceId: z.uuid().nullable().meta({ description: "An invoice waiting to be paid, if any." }),
    cancelledAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: "Subscription" });
export type SubscriptionView = z.infer<typeof subscriptionViewSchema>;
export const subscriptionListSchema = z.array(subscriptionViewSchema).meta({ id: "SubscriptionList" });

export const invoiceViewSchema = z
  .object({
    id: z.uuid(),
    subscriptionId: z.uuid(),
    kind: z.enum(INVOICE_KINDS),
    amount: z.string(),
    currency: z.string(),
    status: z.enum(INVOICE_STATUSES),
    dueDate: z.string(),
    periodStart: z.string().nullable().meta({
      description:
        "For renewals, the period this invoice pays for; the initial invoice's period starts when it is paid.",
    }),
    paidAt: z.string().nullable(),
    paymentId: z.uuid().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: "Invoice" });
export type InvoiceView = z.infer<typeof invoiceViewSchema>;

export const invoicePathSchema = z.object({ invoiceId: uuidOf("invoiceId") });
export const subscriptionPathSchema = z.object({ subscriptionId: uuidOf("subscriptionId") });
export type InvoicePath = z.output<typeof invoicePathSchema>;
export type SubscriptionPath = z.output<typeof subscriptionPathSchema>;

export const paymentRequestSchema = z
  .object({
    invoiceId: uuidOf("invoiceId"),
    type: z
      .literal("PLATFORM", { error: 'type must be "PLATFORM"' })
      .default("PLATFORM")
      .meta({ description: "Paid from one of the client's accounts through the ledger." }),
    accountId: uuidOf("accountId")
      .optional()
      .meta({ description: "The account to debit; defaults to the subscription's account." }),
    currency: currencySchema.optional().meta({ description: "If sent, must be the invoice's currency." }),
  })
  .meta({ id: "PaymentRequest" });
export type PaymentRequestInput = z.output<typeof paymentRequestSchema>;

export const payRequestSchema = z
  .object({
    invoiceId: uuidOf("invoiceId").optional(),
    paymentId: uuidOf("paymentId").optional(),
  })
  .refine((b) => (b.invoiceId === undefined) !== (b.paymentId === undefined), {
    path: ["invoiceId"],
    message: "Send either invoiceId or paymentId",
  })
  .meta({ id: "PayRequest" });
export type PayRequestInput = z.output<typeof payRequestSchema>;

export const paymentViewSchema = z
  .object({
    id: z.uuid(),
    invoiceId: z.uuid(),
    type: z.literal("PLATFORM"),
    accountId: z.uuid(),
    amount: z.string(),
    currency: z.string(),
    status: z.enum(PAYMENT_STATUSES),
    paidAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: "Payment" });
export type PaymentView = z.infer<typeof paymentViewSchema>;

export const paidSchema = z
  .object({
    payment: paymentViewSchema,
    invoice: invoiceViewSchema,
    subscription: subscriptionViewSchema,
    balance: z.string().meta({ description: "The debited account's balance after the payment." }),
    alreadyPaid: z
      .boolean()
      .meta({ description: "True when the invoice had been paid before this call: nothing was debited this time." }),
  })
  .meta({ id: "InvoicePaid" });
export type PaidView = z.infer<typeof paidSchema>;

// Back office.

export const creditAccountSchema = z.object({
  clientId: uuidOf("clientId"),
  amount: amountSchema("Amount").refine((minor) => minor > 0n, "Amount must be more than 0"),
  note: plainText().trim().max(200, "The note is at most 200 characters").default(""),
});
export type CreditAccountInput = z.output<typeof creditAccountSchema>;

export const clientBillingTargetSchema = z.object({ clientId: uuidOf("clientId") });
export type ClientBillingTarget = z.output<typeof clientBillingTargetSchema>;

export const voidInvoiceSchema = z.object({
  invoiceId: uuidOf("invoiceId"),
  reason: plainText("Give a reason")
    .trim()
    .min(3, "Give a reason of at least 3 characters")
    .max(500, "The reason is at most 500 characters"),
});
export type VoidInvoiceInput = z.output<typeof voidInvoiceSchema>;
export const staffCancelSubscriptionSchema = z.object({
  subscriptionId: uuidOf("subscriptionId"),
  reason: plainText("Give a reason")
    .trim()
    .min(3, "Give a reason of at least 3 characters")
    .max(500, "The reason is at most 500 characters"),
});
export type StaffCancelSubscriptionInput = z.output<typeof staffCancelSubscriptionSchema>;

const partnerFilter = z.number().int().min(1).max(2_147_483_647).optional();
const cursorField = z.string().max(200).nullish();
const limitField = z.number().int().min(1).max(100).default(50);

export const subscriptionListInputSchema = z.object({
  partnerId: partnerFilter,
  status: z.enum(SUBSCRIPTION_STATUSES).optional(),
  tierId: z.number().int().min(1).max(2_147_483_647).optional(),
  /** An exact client email, any case. */
  email: plainText().trim().max(320).optional(),
  cursor: cursorField,
  limit: limitField,
});
export type SubscriptionListInput = z.output<typeof subscriptionListInputSchema>;

export const invoiceListInputSchema = z.object({
  partnerId: partnerFilter,
  status: z.enum(INVOICE_STATUSES).optional(),
  kind: z.enum(INVOICE_KINDS).optional(),
  email: plainText().trim().max(320).optional(),
  cursor: cursorField,
  limit: limitField,
});
export type InvoiceListInput = z.output<typeof invoiceListInputSchema>;
