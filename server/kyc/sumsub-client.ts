import { AppError } from "../errors";
import { log } from "../log";
import type { ApplicantReview, KycProvider } from "./provider-contract";
import { rejectTypeSchema, reviewAnswerSchema } from "./schemas";
import { signSumsubRequest } from "./signing";

export interface SumsubClientOptions {
  baseUrl: string;
  appToken: string;
  secretKey: string;
  timeoutMs?: number;
  /** For tests: a fixed clock in seconds. */
  now?: () => number;
}

/** A failed call to Sumsub: the client sees 503, the log keeps Sumsub's answer. */
function unavailable(what: string, detail: Record<string, unknown>): AppError {
  log.warn("sumsub request failed", { what, ...detail });
  return new AppError("service_unavailable", "The identity verification provider is unavailable; retry shortly", {
    retryAfterSeconds: 30,
  });
}

/**
 * Sumsub's REST API. Every request carries X-App-Token, X-App-Access-Ts and
 * X-App-Access-Sig (HMAC-SHA256 of ts + method + path with query + body).
 */
export class SumsubClient implements KycProvider {
  readonly name = "SUMSUB" as const;
  private readonly origin: string;
  private readonly basePath: string;

  constructor(private readonly o: SumsubClientOptions) {
    const url = new URL(o.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, "");
  }

  private async request<T>(
    method: "GET" | "POST",
    pathWithQuery: string,
    body?: unknown,
    accept: number[] = [],
  ): Promise<{ status: number; body: T }> {
    const fullPath = this.basePath + pathWithQuery;
    const text = body === undefined ? "" : JSON.stringify(body);
    const headers: Record<string, string> = {
      accept: "application/json",
      ...signSumsubRequest({
        appToken: this.o.appToken,
        secret: this.o.secretKey,
        method,
        pathWithQuery: fullPath,
        body: text,
        ts: this.o.now?.(),
      }),
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(this.origin + fullPath, {
        method,
        headers,
        body: body === undefined ? undefined : text,
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw unavailable(`${method} ${pathWithQuery}`, { error: String(error) });
    }
    const raw = await res.text();
    let parsed: unknown;
    try {
      parsed = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (!res.ok && !accept.includes(res.status)) {
      const e = (parsed ?? {}) as { description?: unknown; errorName?: unknown; correlationId?: unknown };
      throw unavailable(`${method} ${pathWithQuery}`, {
        status: res.status,
        description: e.description,
        errorName: e.errorName,
        correlationId: e.correlationId,
      });
    }
    return { status: res.status, body: parsed as T };
  }

  async createApplicant(o: { externalUserId: string; levelName: string }): Promise<{ applicantId: string }> {
    const created = await this.request<{ id?: string }>(
      "POST",
      `/resources/applicants?levelName=${encodeURIComponent(o.levelName)}`,
      { externalUserId: o.externalUserId },
      [409],
    );
    if (created.status !== 409 && created.body?.id) return { applicantId: created.body.id };
    // 409: the applicant already exists (a retry after a lost answer); find it by our id.
    const existing = await this.request<{ id?: string }>(
      "GET",
      `/resources/applicants/-;externalUserId=${encodeURIComponent(o.externalUserId)}/one`,
    );
    if (!existing.body?.id) throw unavailable("find applicant", { externalUserId: o.externalUserId });
    return { applicantId: existing.body.id };
  }

  async createAccessToken(o: {
    externalUserId: string;
    applicantId: string;
    levelName: string;
    ttlSeconds: number;
  }): Promise<{ token: string }> {
    const res = await this.request<{ token?: string }>("POST", "/resources/accessTokens/sdk", {
      userId: o.externalUserId,
      levelName: o.levelName,
      ttlInSecs: o.ttlSeconds,
    });
    if (!res.body?.token) throw unavailable("access token", { externalUserId: o.externalUserId });
    return { token: res.body.token };
  }

  async getApplicantReview(applicantId: string): Promise<ApplicantReview> {
    type Applicant = {
      id?: string;
      externalUserId?: string;
      review?: {
        levelName?: string;
        reviewStatus?: string;
        reviewResult?: {
          reviewAnswer?: string;
          reviewRejectType?: string;
          rejectLabels?: string[];
          moderationComment?: string;
          clientComment?: string;
        };
      };
    };
    const { body } = await this.request<Applicant>(
      "GET",
      `/resources/applicants/${encodeURIComponent(applicantId)}/one`,
    );
    const result = body?.review?.reviewResult;
    const answer = reviewAnswerSchema.safeParse(result?.reviewAnswer);
    const rejectType = rejectTypeSchema.safeParse(result?.reviewRejectType);
    return {
      applicantId: body?.id ?? applicantId,
      externalUserId: body?.externalUserId ?? null,
      levelName: body?.review?.levelName ?? null,
      reviewStatus: body?.review?.reviewStatus ?? "init",
      reviewResult: answer.success
        ? {
            reviewAnswer: answer.data,
            rejectType: rejectType.success ? rejectType.data : null,
            rejectLabels: result?.rejectLabels ?? [],
            moderationComment: result?.moderationComment ?? null,
            clientComment: result?.clientComment ?? null,
          }
        : null,
    };
  }
}
