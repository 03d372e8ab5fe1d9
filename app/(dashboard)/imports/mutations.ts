"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";

/** Starts importing a dry run's ready rows, with or without the welcome emails and client.registered webhooks. */
export async function startImport(input: {
  jobId: string;
  sendEmails: boolean;
  sendWebhooks: boolean;
}): Promise<ActionResult<{ status: string }>> {
  return runAction(
    async (api) => {
      const job = await api.import.start(input);
      return { status: job.status };
    },
    { path: `/imports/${encodeURIComponent(String(input.jobId))}` },
  );
}

/** Cancels a dry run, or stops an import between batches (clients already imported stay). */
export async function cancelImport(input: { jobId: string }): Promise<ActionResult> {
  return runAction(async (api) => void (await api.import.cancel(input)), {
    path: `/imports/${encodeURIComponent(String(input.jobId))}`,
  });
}
