import { desc, eq } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { partners } from "../../db/schema";
import { config } from "../../env";
import { AppError } from "../errors";
import type { KycProvider } from "./provider-contract";
import { sandboxProvider } from "./sandbox-provider";
import { SumsubClient } from "./sumsub-client";

let sumsub: SumsubClient | undefined;

/**
 * Who verifies a partner's clients. A sandbox partner's testers use the
 * built-in sandbox, where they approve themselves; a live partner's clients
 * only ever go to Sumsub. Without Sumsub credentials a live partner has no
 * provider at all, and its clients are told so (503) rather than handed the
 * sandbox.
 */
export function kycProviderFor(partner: { sandbox: boolean }): KycProvider {
  if (partner.sandbox) return sandboxProvider;
  const c = config();
  if (!c.sumsubConfigured) {
    throw new AppError(
      "kyc_unavailable",
      "Identity verification is not available for this partner yet; contact the partner's support",
    );
  }
  sumsub ??= new SumsubClient({
    baseUrl: c.SUMSUB_BASE_URL,
    appToken: c.SUMSUB_APP_TOKEN!,
    secretKey: c.SUMSUB_SECRET_KEY ?? "",
  });
  return sumsub;
}

/**
 * The one warning a production start logs when live partners cannot verify
 * identities (no Sumsub credentials), naming them (the newest 20, and how
 * many more); undefined when there is nothing to warn about.
 */
export async function missingKycProviderWarning(db: Executor): Promise<string | undefined> {
  if (config().sumsubConfigured) return undefined;
  const live = await db
    .select({ id: partners.id, name: partners.name })
    .from(partners)
    .where(eq(partners.sandbox, false))
    .orderBy(desc(partners.id));
  if (live.length === 0) return undefined;
  const named = live.slice(0, 20).map((p) => `${p.id} (${p.name})`);
  const more = live.length > named.length ? ` and ${live.length - named.length} more` : "";
  return `Sumsub is not configured (SUMSUB_APP_TOKEN): identity verification answers 503 kyc_unavailable for the clients of live partners ${named.join(", ")}${more}`;
}
