import { toAppError } from "../errors";
import { countRegistration, type RegistrationFlavour, type RegistrationOutcome } from "../metrics/registry";

/** What a refused registration counts as in gatehouse_registrations_total (see REGISTRATION_OUTCOMES). */
function outcomeOf(thrown: unknown): RegistrationOutcome {
  const { error, unexpected } = toAppError(thrown);
  if (error.code === "email_taken") return "duplicate";
  if (error.status === 429) return "rate_limited";
  if (error.status === 503) return "unavailable";
  if (unexpected || error.status >= 500) return "error";
  return "invalid";
}

/**
 * Runs one registration attempt of this flavour — reading the request
 * included, so malformed input counts as invalid — and counts its outcome:
 * `succeeded` (created unless said otherwise) or what its refusal means.
 */
export async function countedRegistration<T>(
  flavour: RegistrationFlavour,
  work: () => Promise<T>,
  succeeded: (value: T) => RegistrationOutcome = () => "created",
): Promise<T> {
  let value: T;
  try {
    value = await work();
  } catch (thrown) {
    countRegistration(flavour, outcomeOf(thrown));
    throw thrown;
  }
  countRegistration(flavour, succeeded(value));
  return value;
}

/** A white-label client confirmed the email: the registration's last step. */
export function countConfirmedRegistration(): void {
  countRegistration("white_label", "confirmed");
}
