"use client";

import { useRouter } from "next/navigation";
import { useState, useSyncExternalStore, type FormEvent } from "react";
import type { FieldErrors } from "../../_components/field-errors";
import { Button, ErrorNotice, Field, inputClass } from "../../_components/ui";

interface PartnerChoice {
  id: number;
  name: string;
  status: "active" | "suspended";
}

interface ErrorAnswer {
  error?: { message?: string; fields?: Array<{ path: string; message: string }> };
}

/** The form's own fields; a message about any other part of the upload is shown under the form. */
const FORM_FIELDS = new Set(["partnerId", "file"]);

/**
 * Sends the file to POST /api/imports as it is (the browser streams it; a
 * server action would hold it in memory and cap it at a megabyte), then opens
 * the job, which shows the dry run. The server's field errors (the partner,
 * the file and the line it stumbled on) are shown beside the fields.
 */
const noSubscription = () => () => undefined;

export function UploadForm({ partners }: { partners: PartnerChoice[] }) {
  const router = useRouter();
  // The upload runs in the browser: until the page is live, the button waits rather than submit a bare form.
  const live = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const [partnerId, setPartnerId] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  // A message goes as soon as its field changes, not at the next submit.
  const clear = (field: string) =>
    setErrors((current) => Object.fromEntries(Object.entries(current).filter(([path]) => path !== field)));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(undefined);
    const local: FieldErrors = {};
    if (partnerId === "") local.partnerId = "Choose the partner the clients belong to";
    if (!file) local.file = "Choose a CSV file to upload";
    setErrors(local);
    if (!file || Object.keys(local).length > 0) return;

    const form = new FormData();
    // The partner goes first: the server reads the file as it arrives, and must know whose clients they are.
    form.append("partnerId", partnerId);
    form.append("file", file, file.name);
    setBusy(true);
    let response: Response | undefined;
    let answer: unknown;
    try {
      response = await fetch("/api/imports", { method: "POST", body: form });
      answer = await response.json();
    } catch {
      answer = undefined;
    }
    if (response?.status === 201 && answer && typeof answer === "object" && "id" in answer) {
      router.push(`/imports/${String(answer.id)}`);
      return;
    }
    setBusy(false);
    const error = (answer as ErrorAnswer | undefined)?.error;
    const fields: FieldErrors = {};
    for (const f of error?.fields ?? []) if (FORM_FIELDS.has(f.path)) fields[f.path] ??= f.message;
    setErrors(fields);
    if (Object.keys(fields).length === 0)
      setProblem(error?.message ?? "The file could not be sent; check the connection and try again.");
  }

  return (
    <section aria-labelledby="upload-heading" className="mb-8 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="upload-heading" className="text-lg font-semibold text-slate-900">
        Upload a file
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        A CSV file (UTF-8) with the columns email, firstName, lastName, countryCode, birthDate, verificationStatus,
        verificationLevel and passwordHash, and optionally postalCode, state, address1, address2, referralCode and
        externalId; up to 100,000 rows. Nothing is imported until you have seen the dry run and started the import.
      </p>
      <form
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-busy={busy}
        className="mt-4 grid gap-4 sm:grid-cols-2 sm:items-start"
      >
        <Field label="Partner" error={errors.partnerId}>
          {(p) => (
            <select
              {...p}
              name="partnerId"
              value={partnerId}
              onChange={(e) => {
                setPartnerId(e.target.value);
                clear("partnerId");
              }}
              disabled={busy}
              className={inputClass}
            >
              <option value="">Choose a partner</option>
              {partners.map((partner) => (
                <option key={partner.id} value={String(partner.id)} disabled={partner.status !== "active"}>
                  {partner.name} ({partner.id}){partner.status !== "active" ? " · suspended" : ""}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="CSV file" error={errors.file} hint="At most 64 MB">
          {(p) => (
            <input
              {...p}
              type="file"
              name="file"
              accept=".csv,text/csv"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                clear("file");
              }}
              disabled={busy}
              className={`${inputClass} file:mr-3 file:rounded file:border-0 file:bg-slate-100 file:px-2 file:py-1 file:text-sm`}
            />
          )}
        </Field>
        <div className="flex items-center gap-3 sm:col-span-2">
          <Button type="submit" disabled={busy || !live}>
            {busy ? "Checking the file…" : "Upload and check"}
          </Button>
          {busy && (
            <p role="status" className="text-sm text-slate-600">
              Reading and checking every row; a large file takes a little while.
            </p>
          )}
        </div>
      </form>
      {problem && (
        <div className="mt-4">
          <ErrorNotice>{problem}</ErrorNotice>
        </div>
      )}
    </section>
  );
}
