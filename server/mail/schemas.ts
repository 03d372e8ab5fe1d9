import { z } from "zod";

/** Outbox schemas, free of server-only imports so the Outbox page validates with them too. */

/**
 * What the Outbox page calls a message's state. The table's `queued` splits in
 * two: `failing` is queued again after a failed attempt (the worker retries it
 * with backoff); `failed` gave up after the last attempt and waits for staff.
 */
const outboxViewStatusSchema = z.enum(["queued", "failing", "failed", "sending", "sent"], {
  error: "status must be queued, failing, failed, sending or sent",
});
export type OutboxViewStatus = z.infer<typeof outboxViewStatusSchema>;

export const outboxListSchema = z.object({
  status: outboxViewStatusSchema.optional(),
  /** The whole recipient address, any case. */
  to: z
    .string()
    .trim()
    .max(254, "The address must be at most 254 characters")
    .pipe(z.email("Enter a whole email address"))
    .optional(),
  cursor: z.string().max(200).nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type OutboxListInput = z.output<typeof outboxListSchema>;

export const outboxTargetSchema = z.object({ id: z.uuid("id must be an email's id") });
export type OutboxTarget = z.output<typeof outboxTargetSchema>;
