import type { Metadata } from "next";
import { Fragment, type ReactNode } from "react";
import {
  buildOpenApiDocument,
  type ErrorCodeDoc,
  type JsonSchema,
  type OpenApiDocument,
  type OpenApiExample,
  type OpenApiOperation,
  type OpenApiParameter,
} from "@/server/openapi/document";

export const metadata: Metadata = { title: "API documentation" };

// The servers entry comes from APP_URL at run time, and configuration is refused at build time in production.
export const dynamic = "force-dynamic";

const SCHEMA_REF = "#/components/schemas/";
// zod writes the safe-integer bounds on every int; they say nothing to a reader.
const SAFE_BOUND = Number.MAX_SAFE_INTEGER;

interface Operation extends OpenApiOperation {
  method: string;
  path: string;
}

interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  description?: string;
  notes: string[];
}

// ---------- reading the document ----------

function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ ...op, method, path })),
  );
}

function refName(schema: JsonSchema): string | undefined {
  return typeof schema.$ref === "string" && schema.$ref.startsWith(SCHEMA_REF)
    ? schema.$ref.slice(SCHEMA_REF.length)
    : undefined;
}

function resolve(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const name = refName(schema);
  return name ? resolve(doc, doc.components.schemas[name] ?? {}) : schema;
}

const variantsOf = (s: JsonSchema) => (s.oneOf ?? s.anyOf) as JsonSchema[] | undefined;
const code = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;

function typeLabel(doc: OpenApiDocument, schema: JsonSchema): string {
  const s = resolve(doc, schema);
  const variants = variantsOf(s);
  if (variants) return [...new Set(variants.map((v) => typeLabel(doc, v)))].join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  const base = Array.isArray(s.type) ? s.type.join(" | ") : typeof s.type === "string" ? s.type : "any";
  if (base === "array" && s.items) return `array of ${typeLabel(doc, s.items as JsonSchema)}`;
  return typeof s.format === "string" ? `${base} (${s.format})` : base;
}

function constraintNotes(doc: OpenApiDocument, schema: JsonSchema): string[] {
  const s = resolve(doc, schema);
  const notes: string[] = [];
  const variants = variantsOf(s);
  if (variants) for (const v of variants) notes.push(...constraintNotes(doc, v));
  if (Array.isArray(s.enum)) notes.push(`One of ${s.enum.map(code).join(", ")}`);
  if (s.const === true) notes.push("Must be `true`");
  const min = s.minLength as number | undefined;
  const max = s.maxLength as number | undefined;
  if (min !== undefined && max !== undefined) notes.push(`${min}–${max} characters`);
  else if (min !== undefined) notes.push(`At least ${min} characters`);
  else if (max !== undefined) notes.push(`At most ${max} characters`);
  const low = s.minimum as number | undefined;
  const high = s.maximum as number | undefined;
  const lowShown = low !== undefined && Math.abs(low) < SAFE_BOUND;
  const highShown = high !== undefined && Math.abs(high) < SAFE_BOUND;
  if (lowShown && highShown) notes.push(`From ${low} to ${high}`);
  else if (lowShown) notes.push(`At least ${low}`);
  else if (highShown) notes.push(`At most ${high}`);
  if (typeof s.exclusiveMinimum === "number") notes.push(`Greater than ${s.exclusiveMinimum}`);
  // A format (date, uuid, ipv4) says it better than the long pattern zod writes beside it.
  if (typeof s.pattern === "string" && s.format === undefined) notes.push(`Matches ${code(s.pattern)}`);
  for (const part of (s.allOf as JsonSchema[] | undefined) ?? [])
    if (typeof part.pattern === "string") notes.push(`Matches ${code(part.pattern)}`);
  if (s.default !== undefined) notes.push(`Default ${code(s.default)}`);
  if (s.example !== undefined) notes.push(`Example ${code(s.example)}`);
  return [...new Set(notes)];
}

function fieldRows(doc: OpenApiDocument, schema: JsonSchema, prefix = ""): FieldRow[] {
  const s = resolve(doc, schema);
  const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required as string[] | undefined) ?? []);
  return Object.entries(properties).flatMap(([key, property]) => {
    const inner = resolve(doc, property);
    const name = prefix + key;
    const row: FieldRow = {
      name,
      type: typeLabel(doc, property),
      required: required.has(key),
      description: (property.description ?? inner.description) as string | undefined,
      notes: constraintNotes(doc, property),
    };
    const items = inner.type === "array" && inner.items ? resolve(doc, inner.items as JsonSchema) : undefined;
    if (inner.properties) return [row, ...fieldRows(doc, inner, `${name}.`)];
    if (items?.properties) return [row, ...fieldRows(doc, items, `${name}[].`)];
    return [row];
  });
}

/** A union body (one of several objects) becomes one table per option, labelled by its discriminator. */
function bodyOptions(doc: OpenApiDocument, schema: JsonSchema): Array<{ label?: string; schema: JsonSchema }> {
  const s = resolve(doc, schema);
  const variants = variantsOf(s);
  if (!variants) return [{ schema: s }];
  return variants.map((variant, i) => {
    const v = resolve(doc, variant);
    const properties = (v.properties ?? {}) as Record<string, JsonSchema>;
    const discriminator = Object.entries(properties).find(([, p]) => p.const !== undefined);
    const label = discriminator
      ? `${discriminator[0]} = ${JSON.stringify(discriminator[1].const)}`
      : `with ${((v.required as string[] | undefined) ?? Object.keys(properties)).join(" and ")}`;
    return { label: `option ${i + 1} of ${variants.length}, ${label}`, schema: v };
  });
}

function allErrorCodes(ops: Operation[]): Array<ErrorCodeDoc & { status: number }> {
  const seen = new Map<string, ErrorCodeDoc & { status: number }>();
  for (const op of ops) {
    for (const [status, response] of Object.entries(op.responses)) {
      for (const entry of response["x-error-codes"] ?? []) seen.set(entry.code, { ...entry, status: Number(status) });
    }
  }
  return [...seen.values()].sort((a, b) => a.status - b.status || a.code.localeCompare(b.code));
}

// ---------- curl ----------

const shellQuote = (value: string) =>
  /[$]/.test(value) ? `"${value.replace(/["\\`]/g, "\\$&")}"` : `'${value.replace(/'/g, `'\\''`)}'`;

function curl(server: string, op: Operation, example?: OpenApiExample): string {
  const headers: Record<string, string | null> = {};
  if (example) headers["content-type"] = "application/json";
  for (const p of op.parameters ?? []) {
    if (p.in === "header" && (p.required || p.name === "partnerId")) headers[p.name] = String(p.example);
  }
  if (op.security?.some((s) => "bearerAuth" in s)) headers.Authorization = "Bearer $ACCESS_TOKEN";
  Object.assign(headers, example?.["x-headers"] ?? {});
  let path = op.path;
  for (const p of op.parameters ?? []) if (p.in === "path") path = path.replace(`{${p.name}}`, String(p.example));
  const lines = [`curl -X ${op.method.toUpperCase()} ${shellQuote(server + path)}`];
  for (const [name, value] of Object.entries(headers))
    if (value !== null) lines.push(`  -H ${shellQuote(`${name}: ${value}`)}`);
  if (example) lines.push(`  -d ${shellQuote(JSON.stringify(example.value, null, 2))}`);
  return lines.join(" \\\n");
}

// ---------- rendering ----------

/** Inline `code` and **bold**, as the document's descriptions use them. */
function Inline({ text }: { text: string }) {
  return (
    <>
      {text.split(/(`[^`]+`|\*\*[^*]+\*\*)/).map((part, i) =>
        part.startsWith("`") && part.endsWith("`") && part.length > 1 ? (
          <code key={i} className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.9em] text-slate-800">
            {part.slice(1, -1)}
          </code>
        ) : part.startsWith("**") && part.endsWith("**") && part.length > 3 ? (
          <strong key={i}>{part.slice(2, -2)}</strong>
        ) : (
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </>
  );
}

/** Paragraphs and "- " lists: all the markdown the document's descriptions contain. */
function Prose({ text }: { text: string }) {
  return (
    <div className="space-y-3 leading-relaxed text-slate-700">
      {text.split(/\n{2,}/).map((block, i) => {
        const lines = block.split("\n");
        return lines.every((l) => l.startsWith("- ")) ? (
          <ul key={i} className="list-disc space-y-1 pl-6">
            {lines.map((l, j) => (
              <li key={j}>
                <Inline text={l.slice(2)} />
              </li>
            ))}
          </ul>
        ) : (
          <p key={i}>
            <Inline text={block} />
          </p>
        );
      })}
    </div>
  );
}

function MethodBadge({ method }: { method: string }) {
  const colour = method === "get" ? "bg-sky-800" : method === "post" ? "bg-emerald-800" : "bg-slate-700";
  return (
    <span
      className={`inline-block min-w-14 rounded px-2 py-0.5 text-center font-mono text-xs font-bold tracking-wide text-white ${colour}`}
    >
      {method.toUpperCase()}
    </span>
  );
}

function Table({ caption, head, children }: { caption: string; head: string[]; children: ReactNode }) {
  return (
    // Focusable so keyboard users can scroll a wide table on a narrow screen.
    <div
      role="region"
      aria-label={caption}
      tabIndex={0}
      className="mt-3 overflow-x-auto rounded-lg border border-slate-200 bg-white focus:outline-2 focus:outline-indigo-700"
    >
      <table className="w-full min-w-[36rem] border-collapse text-left text-sm">
        <caption className="border-b border-slate-200 bg-slate-50 px-3 py-2 text-left text-sm font-medium text-slate-700">
          {caption}
        </caption>
        <thead>
          <tr className="border-b border-slate-200">
            {head.map((h) => (
              <th key={h} scope="col" className="px-3 py-2 font-semibold text-slate-900">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 align-top">{children}</tbody>
      </table>
    </div>
  );
}

function Required({ required }: { required: boolean }) {
  return required ? (
    <span className="font-medium text-rose-800">required</span>
  ) : (
    <span className="text-slate-600">optional</span>
  );
}

function FieldTable({ caption, rows, response = false }: { caption: string; rows: FieldRow[]; response?: boolean }) {
  return (
    <Table caption={caption} head={["Field", "Type", response ? "Present" : "Required", "Description"]}>
      {rows.map((r) => (
        <tr key={r.name}>
          <th scope="row" className="whitespace-nowrap px-3 py-2 font-mono text-sm font-medium text-slate-900">
            {r.name}
          </th>
          <td className="px-3 py-2 font-mono text-xs text-slate-700">{r.type}</td>
          <td className="px-3 py-2">
            {response ? (
              <span className="text-slate-700">{r.required ? "always" : "sometimes"}</span>
            ) : (
              <Required required={r.required} />
            )}
          </td>
          <td className="px-3 py-2 text-slate-700">
            {r.description ? <Inline text={r.description} /> : null}
            {r.notes.length > 0 ? (
              <ul className="mt-1 space-y-0.5 text-xs text-slate-600">
                {r.notes.map((n) => (
                  <li key={n} className="wrap-anywhere">
                    <Inline text={n} />
                  </li>
                ))}
              </ul>
            ) : null}
          </td>
        </tr>
      ))}
    </Table>
  );
}

function ParameterTable({ doc, op, title }: { doc: OpenApiDocument; op: Operation; title: string }) {
  const schemes = doc.components.securitySchemes;
  const auth = op.security?.flatMap((s) => Object.keys(s)) ?? [];
  const optionalAuth = op.security?.some((s) => Object.keys(s).length === 0) ?? false;
  const params: Array<
    OpenApiParameter | { name: string; in: "header"; required: boolean; description: string; type: string }
  > = [
    ...auth.map((scheme) => ({
      name: "Authorization",
      in: "header" as const,
      required: !optionalAuth,
      description: textOf(schemes[scheme]?.description),
      type: scheme === "masterKey" ? "Bearer <master API key>" : "Bearer <access token>",
    })),
    ...(op.parameters ?? []),
  ];
  if (params.length === 0)
    return <p className="mt-2 text-sm text-slate-600">No headers or parameters beyond the usual ones.</p>;
  return (
    <Table caption={`Headers and parameters of ${title}`} head={["Name", "In", "Type", "Required", "Description"]}>
      {params.map((p) => (
        <tr key={`${p.in}:${p.name}`}>
          <th scope="row" className="whitespace-nowrap px-3 py-2 font-mono text-sm font-medium text-slate-900">
            {p.name}
          </th>
          <td className="px-3 py-2 text-slate-700">{p.in}</td>
          <td className="px-3 py-2 font-mono text-xs text-slate-700">
            {"schema" in p ? typeLabel(doc, p.schema) : p.type}
          </td>
          <td className="px-3 py-2">
            <Required required={p.required} />
          </td>
          <td className="px-3 py-2 text-slate-700">
            <Inline text={p.description} />
            {"schema" in p ? (
              <ul className="mt-1 space-y-0.5 text-xs text-slate-600">
                {constraintNotes(doc, p.schema).map((n) => (
                  <li key={n} className="wrap-anywhere">
                    <Inline text={n} />
                  </li>
                ))}
              </ul>
            ) : null}
          </td>
        </tr>
      ))}
    </Table>
  );
}

function ResponseSection({ doc, op, title }: { doc: OpenApiDocument; op: Operation; title: string }) {
  const entries = Object.entries(op.responses);
  const successes = entries.filter(([status]) => Number(status) < 400);
  return (
    <>
      <Table caption={`Responses of ${title}`} head={["Status", "Meaning", "Body"]}>
        {entries.map(([status, r]) => {
          const schema = r.content?.["application/json"]?.schema;
          return (
            <tr key={status}>
              <th
                scope="row"
                className={`px-3 py-2 font-mono font-semibold ${Number(status) < 400 ? "text-emerald-800" : "text-rose-800"}`}
              >
                {status}
              </th>
              <td className="px-3 py-2 text-slate-700">
                <Inline text={r["x-error-codes"] ? r.description.replace(/:.*$/, "") : r.description} />
                {r["x-error-codes"] ? (
                  <ul className="mt-1 space-y-1">
                    {r["x-error-codes"].map((e) => (
                      <li key={e.code}>
                        <code className="font-mono text-xs font-semibold text-slate-900">{e.code}</code>
                        <span className="text-slate-600">
                          {" "}
                          — <Inline text={e.description} />
                        </span>
                      </li>
                    ))}
                  </ul>
                ) : null}
              </td>
              <td className="whitespace-nowrap px-3 py-2 font-mono text-xs text-slate-700">
                {schema ? (refName(schema) ?? typeLabel(doc, schema)) : "—"}
              </td>
            </tr>
          );
        })}
      </Table>
      {successes.map(([status, r]) => {
        const schema = r.content?.["application/json"]?.schema;
        if (!schema) return null;
        const resolved = resolve(doc, schema);
        const item =
          resolved.type === "array" && resolved.items ? resolve(doc, resolved.items as JsonSchema) : undefined;
        const rows = fieldRows(doc, item ?? resolved);
        if (rows.length === 0) return null;
        return (
          <FieldTable
            key={status}
            caption={`Response body of ${title} (${status})${item ? ": an array of objects with" : ""}`}
            rows={rows}
            response
          />
        );
      })}
    </>
  );
}

function Endpoint({ doc, op }: { doc: OpenApiDocument; op: Operation }) {
  const title = `${op.method.toUpperCase()} ${op.path}`;
  const server = doc.servers[0]?.url ?? "";
  const media = op.requestBody?.content["application/json"];
  const examples = Object.values(media?.examples ?? {});
  return (
    <section aria-labelledby={op.operationId} className="border-t border-slate-200 pt-8">
      <h3 id={op.operationId} className="scroll-mt-6 flex flex-wrap items-center gap-3 text-xl font-semibold">
        <MethodBadge method={op.method} /> <code className="font-mono text-lg text-slate-900">{op.path}</code>
      </h3>
      <p className="mt-2 font-medium text-slate-900">{op.summary}</p>
      <div className="mt-2">
        <Prose text={op.description} />
      </div>

      <h4 className="mt-6 text-base font-semibold text-slate-900">Headers and parameters</h4>
      <ParameterTable doc={doc} op={op} title={title} />

      <h4 className="mt-6 text-base font-semibold text-slate-900">Request body</h4>
      {media ? (
        <>
          <p className="mt-1 text-sm text-slate-600">
            JSON (<code className="font-mono">application/json</code>), schema{" "}
            <code className="font-mono">{refName(media.schema) ?? "inline"}</code>.
          </p>
          {bodyOptions(doc, media.schema).map((option) => (
            <FieldTable
              key={option.label ?? "body"}
              caption={`Request body of ${title}${option.label ? `, ${option.label}` : ""}`}
              rows={fieldRows(doc, option.schema)}
            />
          ))}
        </>
      ) : (
        <p className="mt-1 text-sm text-slate-600">None.</p>
      )}

      <h4 className="mt-6 text-base font-semibold text-slate-900">Responses</h4>
      <ResponseSection doc={doc} op={op} title={title} />

      <h4 className="mt-6 text-base font-semibold text-slate-900">Example</h4>
      {(examples.length > 0 ? examples : [undefined]).map((example, i) => (
        <figure key={i} className="mt-3">
          {example ? <figcaption className="mb-1 text-sm text-slate-700">{example.summary}</figcaption> : null}
          <pre className="overflow-x-auto rounded-lg bg-slate-900 p-4 text-sm leading-relaxed text-slate-100">
            <code>{curl(server, op, example)}</code>
          </pre>
        </figure>
      ))}
    </section>
  );
}

const ERROR_EXAMPLE = {
  error: {
    code: "validation_failed",
    message: "The request is not valid",
    fields: [{ path: "password", message: "Password must contain a digit" }],
    requestId: "8f14e45f-ceea-467f-a0e6-6b1a2c3d4e5f",
  },
};

export default function ApiDocsPage() {
  const doc = buildOpenApiDocument();
  const ops = operationsOf(doc);
  const groups = doc.tags
    .map((tag) => ({ tag, ops: ops.filter((op) => op.tags.includes(tag.name)) }))
    .filter((g) => g.ops.length > 0);
  const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-");

  return (
    <div className="mx-auto max-w-7xl px-4 py-8 lg:grid lg:grid-cols-[15rem_minmax(0,1fr)] lg:gap-10 lg:px-8">
      <a
        href="#content"
        className="sr-only rounded bg-white px-3 py-2 text-indigo-800 focus:not-sr-only focus:absolute focus:left-4 focus:top-4"
      >
        Skip to content
      </a>
      <nav
        aria-label="API documentation contents"
        className="mb-8 text-sm lg:sticky lg:top-6 lg:mb-0 lg:max-h-[calc(100vh-3rem)] lg:self-start lg:overflow-y-auto"
      >
        <p className="font-semibold text-slate-900">Contents</p>
        <ul className="mt-2 space-y-1">
          {[
            ["flavours", "Two API flavours"],
            ["authentication", "Authentication"],
            ["errors", "Errors"],
          ].map(([id, label]) => (
            <li key={id}>
              <a className="text-indigo-800 underline-offset-2 hover:underline" href={`#${id}`}>
                {label}
              </a>
            </li>
          ))}
        </ul>
        {groups.map(({ tag, ops: groupOps }) => (
          <div key={tag.name} className="mt-4">
            <a className="font-semibold text-slate-900 underline-offset-2 hover:underline" href={`#${slug(tag.name)}`}>
              {tag.name}
            </a>
            <ul className="mt-1 space-y-1">
              {groupOps.map((op) => (
                <li key={op.operationId}>
                  <a
                    className="flex items-baseline gap-2 text-indigo-800 underline-offset-2 hover:underline"
                    href={`#${op.operationId}`}
                  >
                    <span className="w-9 shrink-0 font-mono text-xs font-bold text-slate-700">
                      {op.method.toUpperCase()}
                    </span>{" "}
                    <span className="break-all font-mono text-xs">{op.path}</span>
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>

      <main id="content" className="min-w-0">
        <h1 className="text-3xl font-semibold tracking-tight text-slate-900">{doc.info.title}</h1>
        <p className="mt-2 text-slate-700">
          Version {doc.info.version} · OpenAPI {doc.openapi} ·{" "}
          <a className="text-indigo-800 underline" href="/api/openapi.json">
            Download the OpenAPI document
          </a>{" "}
          · Base URL <code className="font-mono">{doc.servers[0]?.url}</code>
        </p>

        <section aria-labelledby="flavours" className="mt-8">
          <h2 id="flavours" className="text-2xl font-semibold text-slate-900">
            Two API flavours
          </h2>
          <div className="mt-3">
            <Prose text={doc.info.description} />
          </div>
        </section>

        <section aria-labelledby="authentication" className="mt-10">
          <h2 id="authentication" className="text-2xl font-semibold text-slate-900">
            Authentication
          </h2>
          <dl className="mt-3 space-y-3">
            {Object.entries(doc.components.securitySchemes).map(([name, scheme]) => (
              <div key={name}>
                <dt className="font-mono font-semibold text-slate-900">{name}</dt>
                <dd className="text-slate-700">
                  <Inline text={textOf(scheme.description)} />
                </dd>
              </div>
            ))}
          </dl>
        </section>

        <section aria-labelledby="errors" className="mt-10">
          <h2 id="errors" className="text-2xl font-semibold text-slate-900">
            Errors
          </h2>
          <p className="mt-3 text-slate-700">
            Every error is JSON of one shape, never an HTML page or a stack trace. Branch on{" "}
            <code className="font-mono">error.code</code>; show <code className="font-mono">error.message</code> and the
            per-field messages to people; quote the <code className="font-mono">requestId</code> (also in the{" "}
            <code className="font-mono">x-request-id</code> header) when asking for support. 429 and 503 answers carry{" "}
            <code className="font-mono">Retry-After</code>.
          </p>
          <pre className="mt-3 overflow-x-auto rounded-lg bg-slate-900 p-4 text-sm text-slate-100">
            <code>{JSON.stringify(ERROR_EXAMPLE, null, 2)}</code>
          </pre>
          <FieldTable
            caption="Fields of an error answer (schema Error)"
            rows={fieldRows(doc, doc.components.schemas.Error ?? {})}
            response
          />
          <h3 className="mt-6 text-lg font-semibold text-slate-900">Error codes</h3>
          <Table caption="Error codes and their HTTP status" head={["Code", "Status", "Meaning"]}>
            {allErrorCodes(ops).map((e) => (
              <tr key={e.code}>
                <th scope="row" className="whitespace-nowrap px-3 py-2 font-mono text-sm font-medium text-slate-900">
                  {e.code}
                </th>
                <td className="px-3 py-2 font-mono text-slate-700">{e.status}</td>
                <td className="px-3 py-2 text-slate-700">
                  <Inline text={e.description} />
                </td>
              </tr>
            ))}
          </Table>
        </section>

        {groups.map(({ tag, ops: groupOps }) => (
          <section key={tag.name} aria-labelledby={slug(tag.name)} className="mt-12">
            <h2 id={slug(tag.name)} className="text-2xl font-semibold text-slate-900">
              {tag.name}
            </h2>
            <p className="mt-2 text-slate-700">
              <Inline text={tag.description} />
            </p>
            <div className="mt-6 space-y-10">
              {groupOps.map((op) => (
                <Endpoint key={op.operationId} doc={doc} op={op} />
              ))}
            </div>
          </section>
        ))}
      </main>
    </div>
  );
}

/** A description from the document, which is a string wherever this page reads one. */
function textOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}
