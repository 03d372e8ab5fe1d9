import path from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";

/**
 * The layer rules of eslint.config.mjs, proven to bite: each probe is a file
 * as it would be written at that path, linted with the project's own
 * configuration (type-aware rules off for the probes, which do not exist on
 * disk). A wrong import must be refused and a right one accepted.
 */

const root = path.resolve(import.meta.dirname, "../..");
const eslint = new ESLint({
  cwd: root,
  ignore: false,
  overrideConfig: [{ files: ["**/lint-probe*", "tests/lint-fixtures/**"], ...tseslint.configs.disableTypeChecked }],
});

async function rulesBroken(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe("the layer rules", () => {
  it("db/ imports nothing from server/ or app/", async () => {
    expect(
      await rulesBroken(
        "db/lint-probe.ts",
        'import { AppError } from "../server/errors";\nexport const e = AppError;\n',
      ),
    ).toContain("no-restricted-imports");
    expect(
      await rulesBroken("db/schema/lint-probe.ts", 'import { x } from "../../app/page";\nexport const y = x;\n'),
    ).toContain("no-restricted-imports");
    expect(
      await rulesBroken("db/lint-probe.ts", 'import { sql } from "drizzle-orm";\nexport const q = sql`select 1`;\n'),
    ).toEqual([]);
  });

  it("app/ never imports db/", async () => {
    expect(
      await rulesBroken("app/lint-probe.ts", 'import { getDb } from "@/db/client";\nexport const d = getDb;\n'),
    ).toContain("no-restricted-imports");
    expect(
      await rulesBroken(
        "app/lint-probe.ts",
        'import { AppError } from "@/server/errors";\nexport const e = AppError;\n',
      ),
    ).toEqual([]);
  });

  it("domain services import neither the transport nor Next.js, nor app/", async () => {
    for (const code of [
      'import { router } from "../api/trpc";\nexport const r = router;\n',
      'import { route } from "../http/route";\nexport const r = route;\n',
      'import { getStaffSession } from "../auth/session";\nexport const s = getStaffSession;\n',
      'import { headers } from "next/headers";\nexport const h = headers;\n',
      'import { x } from "../../app/page";\nexport const y = x;\n',
    ]) {
      expect(await rulesBroken("server/audit/lint-probe.ts", code), code).toContain("no-restricted-imports");
    }
    expect(
      await rulesBroken(
        "server/audit/lint-probe.ts",
        'import { getDb } from "../../db/client";\nexport const d = getDb;\n',
      ),
    ).toEqual([]);
  });

  it("the transport does not reach into db/ or app/", async () => {
    expect(
      await rulesBroken(
        "server/api/lint-probe.ts",
        'import { getDb } from "../../db/client";\nexport const d = getDb;\n',
      ),
    ).toContain("no-restricted-imports");
    expect(
      await rulesBroken("server/api/lint-probe.ts", 'import { x } from "../../app/page";\nexport const y = x;\n'),
    ).toContain("no-restricted-imports");
  });

  it("an update or delete without a where clause is refused", async () => {
    const code =
      'import { getDb } from "../../db/client";\nimport { clients } from "../../db/schema";\nexport const wipe = () => getDb().delete(clients);\n';
    expect(await rulesBroken("server/audit/lint-probe.ts", code)).toContain("drizzle/enforce-delete-with-where");
  });

  it("an import cycle is refused", async () => {
    const [result] = await eslint.lintFiles([path.join(root, "tests/lint-fixtures/cycle-a.ts")]);
    expect(result!.messages.map((m) => m.ruleId)).toContain("import-x/no-cycle");
  });
});
