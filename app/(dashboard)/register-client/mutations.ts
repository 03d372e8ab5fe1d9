"use server";

import type { inferRouterInputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { runAction, type ActionResult } from "@/server/api/server-caller";

type RegistrationInput = inferRouterInputs<AppRouter>["registration"]["create"];

/** Registers a client for a partner through `registration.create`, which checks the role and the input. */
export async function registerClient(input: RegistrationInput): Promise<ActionResult<{ clientId: string }>> {
  return runAction(async (api) => ({ clientId: (await api.registration.create(input)).clientId }), {
    path: "/register-client",
  });
}
