import type { Metadata } from "next";
import { AppError } from "@/server/errors";
import { getSandboxApplicant } from "@/server/kyc/sandbox-provider";
import { SandboxActions } from "./sandbox-actions";

export const metadata: Metadata = { title: "Sandbox verification", robots: { index: false, follow: false } };
export const dynamic = "force-dynamic";

type Applicant = Awaited<ReturnType<typeof getSandboxApplicant>>;

function stateOf(a: Pick<Applicant, "reviewStatus" | "reviewAnswer" | "rejectType">): string {
  if (a.reviewStatus === "completed")
    return a.reviewAnswer === "GREEN"
      ? "Approved"
      : a.rejectType === "FINAL"
        ? "Rejected (final)"
        : "Rejected (may retry)";
  return { init: "Started: nothing submitted yet", pending: "Submitted: waiting for review", onHold: "On hold" }[
    a.reviewStatus
  ];
}

/**
 * Stands in for Sumsub's Web SDK for a sandbox partner's clients: the link
 * from POST /reg/verification opens it, and a tester plays both the
 * applicant (submit) and the reviewer (approve or reject). A live partner's
 * client never gets such a link, and its token is refused here.
 */
export default async function KycSandboxPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  let applicant: Applicant | undefined;
  let problem: string | undefined;
  try {
    applicant = await getSandboxApplicant(token);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    problem = error.message;
  }

  return (
    <main className="mx-auto max-w-2xl px-6 py-12">
      <p className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm font-medium text-amber-900">
        This page serves sandbox partners only. Nothing here checks a real document.
      </p>
      <h1 className="text-2xl font-semibold tracking-tight">Sandbox verification — for testing only</h1>
      {applicant ? (
        <>
          <dl className="mt-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-2">
            <div>
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Client</dt>
              <dd className="mt-0.5">{applicant.email}</dd>
            </div>
            <div>
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Partner</dt>
              <dd className="mt-0.5">{applicant.partnerId}</dd>
            </div>
            <div>
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Applicant</dt>
              <dd className="mt-0.5 break-all font-mono text-xs">{applicant.applicantId}</dd>
            </div>
            <div>
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Level</dt>
              <dd className="mt-0.5">{applicant.levelName}</dd>
            </div>
            <div>
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Current state</dt>
              <dd className="mt-0.5 font-medium">{stateOf(applicant)}</dd>
            </div>
            {applicant.rejectLabels.length > 0 && (
              <div>
                <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Reject labels</dt>
                <dd className="mt-0.5 font-mono text-xs">{applicant.rejectLabels.join(", ")}</dd>
              </div>
            )}
            {applicant.moderationComment && (
              <div className="sm:col-span-2">
                <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Moderation comment</dt>
                <dd className="mt-0.5">{applicant.moderationComment}</dd>
              </div>
            )}
          </dl>
          <SandboxActions token={token} />
        </>
      ) : (
        <p role="alert" className="mt-6 rounded-md border border-rose-200 bg-rose-50 p-4 text-sm text-rose-900">
          {problem}
        </p>
      )}
    </main>
  );
}
