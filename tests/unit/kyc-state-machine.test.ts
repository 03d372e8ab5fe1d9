import { describe, expect, it } from "vitest";
import {
  INITIAL_STATE,
  submissionBlock,
  transition,
  type ClientFacts,
  type KycEvent,
  type KycState,
} from "../../server/kyc/state-machine";

const emailVerified: ClientFacts = {
  verificationStatus: "email_verified",
  verificationLevel: 0,
  emailConfirmed: true,
  approvedLevel: 3,
};
const identified: ClientFacts = {
  verificationStatus: "identified",
  verificationLevel: 3,
  emailConfirmed: true,
  approvedLevel: 3,
};

const T = 1_700_000_000_000;
const state = (s: Partial<KycState>): KycState => ({ ...INITIAL_STATE, lastEventAtMs: T, ...s });
const green: KycEvent = { type: "applicantReviewed", createdAtMs: T + 10, review: { reviewAnswer: "GREEN" } };
const redRetry: KycEvent = {
  type: "applicantReviewed",
  createdAtMs: T + 10,
  review: {
    reviewAnswer: "RED",
    rejectType: "RETRY",
    rejectLabels: ["BAD_PHOTO"],
    moderationComment: "Upload a sharper photo",
    clientComment: "Blurred",
  },
};
const redFinal: KycEvent = {
  type: "applicantReviewed",
  createdAtMs: T + 10,
  review: { reviewAnswer: "RED", rejectType: "FINAL", rejectLabels: ["FORGERY"], clientComment: "Forged passport" },
};

const cases: Array<{
  name: string;
  from: KycState;
  event: KycEvent;
  facts?: ClientFacts;
  expect: Partial<KycState> & { outcome: "applied" | "stale"; client: unknown };
}> = [
  {
    name: "applicantCreated starts at init",
    from: INITIAL_STATE,
    event: { type: "applicantCreated", createdAtMs: T },
    expect: { outcome: "applied", reviewStatus: "init", lastEventAtMs: T, client: null },
  },
  {
    name: "applicantPending moves to pending",
    from: state({}),
    event: { type: "applicantPending", createdAtMs: T + 1 },
    expect: { outcome: "applied", reviewStatus: "pending", client: null },
  },
  {
    name: "applicantOnHold moves to onHold",
    from: state({ reviewStatus: "pending" }),
    event: { type: "applicantOnHold", createdAtMs: T + 1 },
    expect: { outcome: "applied", reviewStatus: "onHold", client: null },
  },
  {
    name: "GREEN completes and identifies the client at the partner's level",
    from: state({ reviewStatus: "pending" }),
    event: green,
    expect: {
      outcome: "applied",
      reviewStatus: "completed",
      reviewAnswer: "GREEN",
      rejectType: null,
      lastEventAtMs: T + 10,
      client: { verificationStatus: "identified", verificationLevel: 3 },
    },
  },
  {
    name: "GREEN for an already identified client at that level changes nothing on the client",
    from: state({ reviewStatus: "pending" }),
    event: green,
    facts: identified,
    expect: { outcome: "applied", reviewAnswer: "GREEN", client: null },
  },
  {
    name: "RED RETRY keeps labels and both comments, no client change",
    from: state({ reviewStatus: "pending" }),
    event: redRetry,
    expect: {
      outcome: "applied",
      reviewStatus: "completed",
      reviewAnswer: "RED",
      rejectType: "RETRY",
      rejectLabels: ["BAD_PHOTO"],
      moderationComment: "Upload a sharper photo",
      clientComment: "Blurred",
      client: null,
    },
  },
  {
    name: "RED FINAL is final",
    from: state({ reviewStatus: "pending" }),
    event: redFinal,
    expect: {
      outcome: "applied",
      rejectType: "FINAL",
      clientComment: "Forged passport",
      moderationComment: null,
      client: null,
    },
  },
  {
    name: "RED after GREEN takes the identification back",
    from: state({ reviewStatus: "completed", reviewAnswer: "GREEN" }),
    event: redFinal,
    facts: identified,
    expect: {
      outcome: "applied",
      reviewAnswer: "RED",
      client: { verificationStatus: "email_verified", verificationLevel: 0 },
    },
  },
  {
    name: "RED without a reject type is treated as RETRY",
    from: state({ reviewStatus: "pending" }),
    event: { type: "applicantReviewed", createdAtMs: T + 10, review: { reviewAnswer: "RED" } },
    expect: { outcome: "applied", rejectType: "RETRY", client: null },
  },
  {
    name: "applicantPending after RED RETRY clears the verdict (a resubmission)",
    from: state({
      reviewStatus: "completed",
      reviewAnswer: "RED",
      rejectType: "RETRY",
      rejectLabels: ["X"],
      moderationComment: "m",
    }),
    event: { type: "applicantPending", createdAtMs: T + 1 },
    expect: {
      outcome: "applied",
      reviewStatus: "pending",
      reviewAnswer: null,
      rejectType: null,
      rejectLabels: [],
      moderationComment: null,
      client: null,
    },
  },
  {
    name: "applicantReset goes back to init without touching the client",
    from: state({ reviewStatus: "completed", reviewAnswer: "GREEN" }),
    event: { type: "applicantReset", createdAtMs: T + 1 },
    facts: identified,
    expect: { outcome: "applied", reviewStatus: "init", reviewAnswer: null, client: null },
  },
  {
    name: "an event older than the last applied one is stale",
    from: state({ reviewStatus: "completed", reviewAnswer: "GREEN", lastEventAtMs: T + 100 }),
    event: redFinal,
    expect: { outcome: "stale", reviewAnswer: "GREEN", lastEventAtMs: T + 100, client: null },
  },
  {
    name: "an event at the same millisecond still applies",
    from: state({ reviewStatus: "pending", lastEventAtMs: T + 10 }),
    event: green,
    expect: {
      outcome: "applied",
      reviewAnswer: "GREEN",
      client: { verificationStatus: "identified", verificationLevel: 3 },
    },
  },
];

describe("KYC state machine", () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = transition(c.from, c.event, c.facts ?? emailVerified);
      const { outcome, client, ...fields } = c.expect;
      expect(result.outcome).toBe(outcome);
      expect(result.client).toEqual(client);
      expect(result.state).toMatchObject(fields);
      if (outcome === "stale") expect(result.state).toBe(c.from);
    });
  }

  it("blocks submission once approved or finally rejected, and only then", () => {
    expect(submissionBlock({ reviewStatus: "completed", reviewAnswer: "GREEN", rejectType: null })).toBe("approved");
    expect(submissionBlock({ reviewStatus: "completed", reviewAnswer: "RED", rejectType: "FINAL" })).toBe("final");
    expect(submissionBlock({ reviewStatus: "completed", reviewAnswer: "RED", rejectType: "RETRY" })).toBeNull();
    for (const reviewStatus of ["init", "pending", "onHold"] as const)
      expect(submissionBlock({ reviewStatus, reviewAnswer: null, rejectType: null })).toBeNull();
  });

  it("refuses an applicantReviewed without a result (the webhook schema requires one)", () => {
    expect(() => transition(INITIAL_STATE, { type: "applicantReviewed", createdAtMs: T }, emailVerified)).toThrow();
  });
});
