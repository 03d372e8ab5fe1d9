import { z } from "zod";
import { systemCaller } from "../caller";

/** The CLI is the operator, recorded as a system actor that sees every partner. */
export const cli = systemCaller("cli");

export interface CommandResult {
  lines: string[];
  /** With --json: printed alone on the last line. */
  json?: Record<string, unknown>;
  /** Non-zero when the command ran but found a problem (an unbalanced ledger). */
  exitCode?: number;
}

export const partnerFlag = z
  .string({ error: "--partner is required" })
  .regex(/^[1-9]\d{0,9}$/, "--partner takes a partnerId")
  .transform(Number);
