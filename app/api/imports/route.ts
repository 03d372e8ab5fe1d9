import { config } from "@/env";
import { isRefusal, refusalError, requireStaff } from "@/server/auth/guard";
import { getStaffSession } from "@/server/auth/session";
import { callerAsStaff } from "@/server/caller";
import { AppError } from "@/server/errors";
import { isCrossSite } from "@/server/http/cross-site";
import { multipartBoundary, MultipartReader } from "@/server/http/multipart";
import { json, route } from "@/server/http/route";
import { limitedBody, watchedSource } from "@/server/http/upload";
import { stageImport } from "@/server/imports/stage";

export const dynamic = "force-dynamic";

/** Generous: a file of 100,000 rows is well under it, and the body is streamed, never held. */
const UPLOAD_LIMIT_BYTES = 64 * 1024 * 1024;
const CSV_TYPES = /^(text\/csv|application\/csv|text\/plain)\s*(;|$)/i;
const PARTNER_ID = /^\d{1,10}$/;

interface Upload {
  partnerId: number;
  fileName: string | null;
  source: AsyncIterator<Uint8Array>;
}

/** The partnerId as the number the service takes; its schema refuses one out of range, naming the field. */
function partnerIdOf(raw: string | null | undefined, where: string): number {
  const value = raw?.trim() ?? "";
  if (value === "")
    throw AppError.field("validation_failed", "partnerId", `Choose the partner the clients belong to (${where})`);
  if (!PARTNER_ID.test(value)) throw AppError.field("validation_failed", "partnerId", "partnerId must be a number");
  return Number(value);
}

/**
 * The file and its partner from either form of the body: multipart/form-data
 * (the back office's form: `partnerId`, then `file`), or the CSV itself as
 * text/csv with `?partnerId=` (and `?fileName=`). The file's bytes are not
 * read here: they stream on into the dry run.
 */
async function uploadOf(req: Request, body: AsyncIterator<Uint8Array>): Promise<Upload> {
  const query = new URL(req.url).searchParams;
  const type = req.headers.get("content-type");
  const boundary = multipartBoundary(type);
  if (boundary) {
    const form = new MultipartReader(body, boundary);
    let partnerId = query.get("partnerId");
    for (let part = await form.nextPart(); part; part = await form.nextPart()) {
      if (part.name === "partnerId") partnerId = await MultipartReader.text(part, 32);
      else if (part.name === "file") {
        const fileName = part.fileName?.trim().slice(0, 255) || null;
        return {
          partnerId: partnerIdOf(partnerId, "send the partnerId field before the file"),
          fileName,
          source: part.body[Symbol.asyncIterator](),
        };
      }
    }
    throw AppError.field("validation_failed", "file", "Choose a CSV file to upload (the form field file)");
  }
  if (type !== null && CSV_TYPES.test(type))
    return {
      partnerId: partnerIdOf(query.get("partnerId"), "?partnerId= in the address"),
      fileName: query.get("fileName")?.trim().slice(0, 255) || null,
      source: body,
    };
  throw AppError.field(
    "unsupported_media_type",
    "file",
    "Send the file as text/csv (with ?partnerId=), or as multipart/form-data with the fields partnerId and file",
  );
}

/**
 * POST /api/imports: uploads a partner's CSV of existing clients and answers
 * 201 with the import job after its dry run (counts; the invalid rows are read
 * with `import.invalidRows`, the report from /api/imports/{id}/errors).
 * Operations staff and admins only; cookie-authenticated, so a request from
 * another site is refused as the tRPC endpoint refuses it.
 */
export const POST = route(async (ctx) => {
  if (isCrossSite(ctx.req, config().APP_URL)) throw new AppError("forbidden", "Cross-site requests are refused");
  const staff = requireStaff(await getStaffSession(), { roles: ["admin", "operations"] });
  if (isRefusal(staff)) throw refusalError(staff);
  const caller = await callerAsStaff(ctx.caller, staff);
  const body = watchedSource(limitedBody(ctx.req, UPLOAD_LIMIT_BYTES, "file"));
  try {
    const upload = await uploadOf(ctx.req, body.source[Symbol.asyncIterator]());
    const job = await stageImport(caller, {
      partnerId: upload.partnerId,
      fileName: upload.fileName,
      source: { [Symbol.asyncIterator]: () => upload.source },
    });
    return json(job, 201);
  } catch (error) {
    // The upload's own refusal (too large, a broken form) wins over what the CSV reader made of it.
    const failure = body.failure();
    if (failure === undefined) throw error;
    if (failure instanceof AppError) throw failure;
    throw AppError.field("invalid_request", "file", "The upload was interrupted before the file was complete");
  }
});
