import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { GET as errorReport } from "../../app/api/imports/[id]/errors/route";
import { POST as upload } from "../../app/api/imports/route";
import { getDb } from "../../db/client";
import { importJobs, importRows } from "../../db/schema";
import { getStaffSession } from "../../server/auth/session";
import { createTestPartner, type TestPartner } from "../support/api";
import { callerFor, createTestStaff, trpcOutcome } from "../support/staff";

// The upload route reads the next-auth session; here the test says who is signed in.
vi.mock("../../server/auth/session", () => ({ getStaffSession: vi.fn() }));

const ORIGIN = "http://gatehouse.test";
const HEADER = "email,firstName,lastName,countryCode,birthDate,verificationStatus,verificationLevel,passwordHash";
const tag = () => randomBytes(5).toString("hex");

type Staff = Awaited<ReturnType<typeof createTestStaff>>;

/** A file of three valid rows, one invalid (line 4, its country) and one repeating line 2: what a dry run sorts out. */
function sampleCsv() {
  const t = tag();
  const emails = [`ann.${t}@example.test`, `ben.${t}@example.test`, `bad.${t}@example.test`, `cat.${t}@example.test`];
  const csv = [
    HEADER,
    `${emails[0]},Ann,Lee,LV,1990-01-02,email_verified,1,`,
    `${emails[1]},Ben,Ozols,EE,1985-11-30,not_verified,0,`,
    `${emails[2]},Bad,Row,XX,1991-03-04,not_verified,0,`,
    `${emails[3]},"Cat, Jr.",Berzina,LT,1970-07-07,identified,3,`,
    `${emails[0]},Ann,Again,LV,1990-01-02,email_verified,1,`,
  ].join("\r\n");
  return { csv, emails };
}

/** The back office's form: partnerId first, then the file. */
function multipart(fields: Array<[string, string | Blob, string?]>): FormData {
  const form = new FormData();
  for (const [name, value, fileName] of fields) {
    if (typeof value === "string") form.append(name, value);
    else form.append(name, value, fileName);
  }
  return form;
}

function post(body: BodyInit, o: { query?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return upload(
    new Request(`${ORIGIN}/api/imports${o.query ?? ""}`, {
      method: "POST",
      body,
      headers: o.headers,
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    }),
  );
}

/** Runs `call` with `staff` signed in; a session a refused request never read is not left over for the next. */
async function as<T>(staff: Staff | undefined, call: () => Promise<T>): Promise<T> {
  vi.mocked(getStaffSession).mockReset().mockResolvedValueOnce(staff);
  return call();
}

const jobsOf = (partnerId: number) =>
  getDb().select({ id: importJobs.id }).from(importJobs).where(eq(importJobs.partnerId, partnerId));

describe("POST /api/imports", () => {
  let operations: Staff;
  let admin: Staff;
  let kam: Staff;
  let partner: TestPartner;
  beforeAll(async () => {
    [operations, admin, kam] = await Promise.all([
      createTestStaff("operations"),
      createTestStaff("admin"),
      createTestStaff("kam"),
    ]);
    partner = await createTestPartner();
  });

  it("stages a CSV sent from the form as a dry run: 201 with the counts, the invalid row's reasons, nothing imported", async () => {
    const { csv, emails } = sampleCsv();
    const res = await as(operations, () =>
      post(
        multipart([
          ["partnerId", String(partner.id)],
          ["file", new Blob([csv], { type: "text/csv" }), "clients.csv"],
        ]),
      ),
    );
    expect(res.status).toBe(201);
    const job = (await res.json()) as Record<string, unknown>;
    expect(job).toMatchObject({
      partnerId: partner.id,
      partnerName: partner.name,
      fileName: "clients.csv",
      status: "validated",
      rows: 5,
      ready: 3,
      invalid: 1,
      duplicates: 1,
      imported: 0,
      error: null,
      sendEmails: false,
      sendWebhooks: false,
    });
    const jobId = job.id as string;

    const rows = await callerFor(operations).import.invalidRows({ jobId, limit: 10 });
    expect(rows).toEqual([
      {
        line: 4,
        email: emails[2],
        errors: [{ field: "countryCode", message: "countryCode must be an ISO 3166-1 alpha-2 code such as LV" }],
      },
    ]);
    expect(await callerFor(admin).import.get({ jobId })).toMatchObject({ id: jobId, status: "validated", ready: 3 });
    const staged = await getDb()
      .select({ line: importRows.line, status: importRows.status })
      .from(importRows)
      .where(eq(importRows.jobId, jobId));
    expect(staged.sort((a, b) => a.line - b.line).map((r) => r.status)).toEqual([
      "ready",
      "ready",
      "invalid",
      "ready",
      "duplicate",
    ]);
  });

  it("takes the CSV itself as text/csv with ?partnerId= and ?fileName=", async () => {
    const { csv } = sampleCsv();
    const res = await as(admin, () =>
      post(csv, {
        query: `?partnerId=${partner.id}&fileName=${encodeURIComponent("raw upload.csv")}`,
        headers: { "content-type": "text/csv; charset=utf-8" },
      }),
    );
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      fileName: "raw upload.csv",
      rows: 5,
      ready: 3,
      invalid: 1,
      duplicates: 1,
    });
  });

  it("streams the body in: a file or a form sent in small chunks without a Content-Length is read whole", async () => {
    const inChunks = (bytes: Uint8Array, size: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
          controller.close();
        },
      });
    const raw = await as(operations, () =>
      post(inChunks(new TextEncoder().encode(sampleCsv().csv), 7), {
        query: `?partnerId=${partner.id}`,
        headers: { "content-type": "text/csv" },
      }),
    );
    expect(raw.status).toBe(201);
    expect(await raw.json()).toMatchObject({ rows: 5, ready: 3, invalid: 1, duplicates: 1 });

    // The form's boundaries fall across chunks: each piece is smaller than the boundary itself.
    const encoded = new Response(
      multipart([
        ["partnerId", String(partner.id)],
        ["file", new Blob([sampleCsv().csv], { type: "text/csv" }), "chunked.csv"],
      ]),
    );
    const contentType = encoded.headers.get("content-type")!;
    const bytes = new Uint8Array(await encoded.arrayBuffer());
    const form = await as(operations, () => post(inChunks(bytes, 5), { headers: { "content-type": contentType } }));
    expect(form.status).toBe(201);
    expect(await form.json()).toMatchObject({ fileName: "chunked.csv", rows: 5, ready: 3, invalid: 1, duplicates: 1 });
  });

  it("refuses anyone signed out (401), a KAM (403) and a request from another site (403), staging nothing", async () => {
    const own = await createTestPartner();
    const send = () =>
      multipart([
        ["partnerId", String(own.id)],
        ["file", new Blob([sampleCsv().csv], { type: "text/csv" }), "clients.csv"],
      ]);

    const anonymous = await as(undefined, () => post(send()));
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: "unauthorized" } });

    const byKam = await as(kam, () => post(send()));
    expect(byKam.status).toBe(403);
    expect(await byKam.json()).toMatchObject({ error: { code: "forbidden" } });

    const crossSiteHeaders: Array<Record<string, string>> = [
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
    ];
    for (const headers of crossSiteHeaders) {
      const crossSite = await as(operations, () => post(send(), { headers }));
      expect(crossSite.status).toBe(403);
      expect(await crossSite.json()).toMatchObject({ error: { code: "forbidden" } });
    }

    expect(await jobsOf(own.id)).toEqual([]);
    const sameOrigin = await as(operations, () => post(send(), { headers: { origin: ORIGIN } }));
    expect(sameOrigin.status).toBe(201);
  });

  it("names partnerId when it is missing, not a number, sent after the file, or no partner's", async () => {
    const file = () => new Blob([sampleCsv().csv], { type: "text/csv" });
    const cases: Array<[FormData, number, RegExp]> = [
      [multipart([["file", file(), "a.csv"]]), 422, /Choose the partner/],
      [
        multipart([
          ["partnerId", "abc"],
          ["file", file(), "a.csv"],
        ]),
        422,
        /partnerId must be a number/,
      ],
      [
        multipart([
          ["file", file(), "a.csv"],
          ["partnerId", String(partner.id)],
        ]),
        422,
        /before the file/,
      ],
      [
        multipart([
          ["partnerId", "2000000000"],
          ["file", file(), "a.csv"],
        ]),
        404,
        /No partner has id 2000000000/,
      ],
    ];
    for (const [form, status, message] of cases) {
      const res = await as(operations, () => post(form));
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { fields: Array<{ path: string; message: string }> } };
      expect(body.error.fields).toEqual([{ path: "partnerId", message: expect.stringMatching(message) }]);
    }

    const raw = await as(operations, () => post("x", { headers: { "content-type": "text/csv" } }));
    expect(raw.status).toBe(422);
    expect(await raw.json()).toMatchObject({ error: { fields: [{ path: "partnerId" }] } });
  });

  it("answers a binary or non-CSV file, a wrong body type and a form without a file with a 4xx naming the file (and line), never a 500", async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]),
      randomBytes(64),
    ]);
    const binary = await as(operations, () =>
      post(
        multipart([
          ["partnerId", String(partner.id)],
          ["file", new Blob([png], { type: "image/png" }), "photo.png"],
        ]),
      ),
    );
    expect(binary.status).toBe(422);
    const binaryBody = (await binary.json()) as { error: { code: string; message: string; fields: unknown[] } };
    expect(binaryBody.error.message).toMatch(/^Line \d+: /);
    expect(binaryBody.error.fields).toEqual([{ path: "file", message: binaryBody.error.message }]);

    const notCsv = await as(operations, () =>
      post('{"clients": []}', { query: `?partnerId=${partner.id}`, headers: { "content-type": "text/csv" } }),
    );
    expect(notCsv.status).toBe(422);
    expect(await notCsv.json()).toMatchObject({
      error: { code: "validation_failed", message: expect.stringMatching(/^Line 1: /), fields: [{ path: "file" }] },
    });

    const octets = await as(operations, () =>
      post(png, { query: `?partnerId=${partner.id}`, headers: { "content-type": "application/octet-stream" } }),
    );
    expect(octets.status).toBe(415);
    expect(await octets.json()).toMatchObject({
      error: { code: "unsupported_media_type", fields: [{ path: "file" }] },
    });

    const noFile = await as(operations, () => post(multipart([["partnerId", String(partner.id)]])));
    expect(noFile.status).toBe(422);
    expect(await noFile.json()).toMatchObject({ error: { fields: [{ path: "file" }] } });

    const broken = await as(operations, () =>
      post(`--xyz\r\nContent-Disposition: form-data; name="partnerId"\r\n\r\n${partner.id}\r\n--xyz\r\nContent-Dispo`, {
        headers: { "content-type": "multipart/form-data; boundary=xyz" },
      }),
    );
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: "invalid_request", fields: [{ path: "file" }] } });
  });

  it("refuses a body over 64 MB with 413, whether its Content-Length says so or its bytes show it on the way", async () => {
    const declared = await as(operations, () =>
      post("email\n", {
        query: `?partnerId=${partner.id}`,
        headers: { "content-type": "text/csv", "content-length": String(64 * 1024 * 1024 + 1) },
      }),
    );
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({
      error: { code: "payload_too_large", message: "The upload must be at most 64 MB", fields: [{ path: "file" }] },
    });

    // A form whose first field alone is past the cap, streamed without a length: refused once the cap is passed.
    const megabyte = new Uint8Array(1024 * 1024).fill(0x61);
    let sent = 0;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('--b0undary\r\nContent-Disposition: form-data; name="padding"\r\n\r\n'));
      },
      pull(controller) {
        if (sent++ < 70) controller.enqueue(megabyte);
        else controller.close();
      },
    });
    const streamed = await as(operations, () =>
      post(body, {
        query: `?partnerId=${partner.id}`,
        headers: { "content-type": "multipart/form-data; boundary=b0undary" },
      }),
    );
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { code: "payload_too_large", fields: [{ path: "file" }] } });
    expect(sent).toBeLessThan(70);
  });
});

describe("the import router", () => {
  it("starts a staged job with the sends it was asked for, cancels it, and refuses to start it again", async () => {
    const operations = await createTestStaff("operations");
    const partner = await createTestPartner();
    const staged = await as(operations, () =>
      post(sampleCsv().csv, { query: `?partnerId=${partner.id}`, headers: { "content-type": "text/csv" } }),
    );
    const { id: jobId } = (await staged.json()) as { id: string };
    const api = callerFor(operations);

    const listed = await api.import.list({ partnerId: partner.id });
    expect(listed.map((j) => [j.id, j.status])).toEqual([[jobId, "validated"]]);

    const started = await api.import.start({ jobId, sendEmails: false, sendWebhooks: true });
    expect(started).toMatchObject({ id: jobId, status: "importing", sendEmails: false, sendWebhooks: true });
    expect(started.startedAt).toBeInstanceOf(Date);

    expect(await api.import.cancel({ jobId })).toMatchObject({ id: jobId, status: "cancelled" });
    expect(await trpcOutcome(api.import.start({ jobId, sendEmails: false, sendWebhooks: false }))).toEqual({
      code: "CONFLICT",
    });
    expect(await trpcOutcome(api.import.get({ jobId: randomUUID() }))).toEqual({ code: "NOT_FOUND" });
  });
});

describe("GET /api/imports/{id}/errors", () => {
  it("downloads every invalid and duplicate row by line as CSV, for operations and admins only", async () => {
    const [operations, kam] = await Promise.all([createTestStaff("operations"), createTestStaff("kam")]);
    const partner = await createTestPartner();
    const { csv, emails } = sampleCsv();
    const staged = await as(operations, () =>
      post(csv, { query: `?partnerId=${partner.id}`, headers: { "content-type": "text/csv" } }),
    );
    const { id } = (await staged.json()) as { id: string };
    const get = (jobId: string) =>
      errorReport(new Request(`${ORIGIN}/api/imports/${jobId}/errors`), { params: Promise.resolve({ id: jobId }) });

    const res = await as(operations, () => get(id));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(
      new RegExp(`^attachment; filename="import-${id.slice(0, 8)}-errors-\\d{8}\\.csv"$`),
    );
    const lines = (await res.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe("line,email,field,message");
    expect(lines.slice(1)).toEqual([
      `4,${emails[2]},countryCode,countryCode must be an ISO 3166-1 alpha-2 code such as LV`,
      `6,${emails[0]},email,Repeats line 2`,
    ]);

    const anonymous = await as(undefined, () => get(id));
    expect(anonymous.status).toBe(401);
    const byKam = await as(kam, () => get(id));
    expect(byKam.status).toBe(403);
    for (const unknown of [randomUUID(), "not-a-job"]) {
      const missing = await as(operations, () => get(unknown));
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error: { code: "not_found" } });
    }
  });
});
