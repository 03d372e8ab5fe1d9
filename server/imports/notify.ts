import type { Tx } from "../../db/client";
import type { VerificationStatus } from "../../db/enums";
import { emailConfirmations, emailOutbox } from "../../db/schema";
import { randomToken, sha256Hex } from "../crypto";
import { runningJob } from "../jobs/runner";
import { OUTBOX_JOB } from "../mail/outbox";
import { renderEmail } from "../mail/templates";
import { partnerBaseUrl } from "../partners/hosts";
import type { Partner } from "../partners/lookup";
import { codeExpiry, newCode } from "../registration/code-lifecycle";
import { codeHashFor } from "../registration/email-confirmation";
import { webhookEventsFor } from "../webhooks/events";
import { enqueueWebhookEvents } from "../webhooks/deliveries";

/**
 * What an import tells, only when its job asks: emails to the imported
 * clients and `client.registered` to the partner's webhooks. Both are
 * written a batch at a time in the batch's transaction (multi-row inserts),
 * so they exist exactly when the clients do, and an import of 100,000 rows
 * does not become 100,000 round trips.
 */

/** A client a batch just created, as its insert returned it. */
export interface ImportedClient {
  id: string;
  email: string;
  verificationStatus: VerificationStatus;
  verificationLevel: number;
  userType: string;
  mustSetPassword: boolean;
}

const INSERT_CHUNK = 500;

async function insertInChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await insert(rows.slice(i, i + INSERT_CHUNK));
}

/**
 * A client whose email is not confirmed gets the registration's email
 * confirmation (a code and a link, as a white-label registration does); one
 * already confirmed gets word that the account moved (and, without a
 * password, that it must choose one through password reset).
 */
export async function queueImportEmails(tx: Tx, partner: Partner, clients: ImportedClient[]): Promise<void> {
  if (clients.length === 0) return;
  const now = new Date();
  const base = await partnerBaseUrl(partner, tx);
  const confirmations: Array<typeof emailConfirmations.$inferInsert> = [];
  const emails: Array<typeof emailOutbox.$inferInsert> = [];
  for (const c of clients) {
    let template: "email_confirmation" | "account_imported";
    let rendered: ReturnType<typeof renderEmail>;
    if (c.verificationStatus === "not_verified") {
      const code = newCode(partner);
      const token = randomToken(32);
      confirmations.push({
        clientId: c.id,
        partnerId: partner.id,
        codeHash: codeHashFor(c.id, code),
        linkTokenHash: sha256Hex(token),
        expiresAt: codeExpiry(now),
        lastSentAt: now,
      });
      template = "email_confirmation";
      rendered = renderEmail(template, {
        partnerName: partner.name,
        code,
        link: `${base}/confirm-email?token=${encodeURIComponent(token)}`,
      });
    } else {
      template = "account_imported";
      rendered = renderEmail(template, { partnerName: partner.name, mustSetPassword: c.mustSetPassword });
    }
    emails.push({
      template,
      toAddress: c.email,
      subject: rendered.subject,
      textBody: rendered.text,
      htmlBody: rendered.html,
      partnerId: partner.id,
      clientId: c.id,
    });
  }
  await insertInChunks(confirmations, (chunk) => tx.insert(emailConfirmations).values(chunk));
  await insertInChunks(emails, (chunk) => tx.insert(emailOutbox).values(chunk));
  runningJob(OUTBOX_JOB)?.wake();
}

/** `client.registered` for each client, with the same payload as a registration's (the rule in webhooks/events.ts). */
export async function queueImportWebhooks(tx: Tx, partnerId: number, clients: ImportedClient[]): Promise<void> {
  const events = clients.flatMap((c) =>
    webhookEventsFor({
      action: "client.register",
      entityType: "client",
      entityId: c.id,
      partnerId,
      after: {
        via: "import",
        userType: c.userType,
        verificationStatus: c.verificationStatus,
        verificationLevel: c.verificationLevel,
      },
    }),
  );
  await enqueueWebhookEvents(tx, partnerId, events);
}
