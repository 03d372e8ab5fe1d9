import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { clients } from "../../db/schema";
import { AppError } from "../errors";
import { verifyAccessToken } from "./access-token";

export interface AuthenticatedClient {
  id: string;
  partnerId: number;
  email: string;
}

/** The client behind an `Authorization: Bearer <access token>` header, refused unless active. */
export async function authenticateClient(authorization: string | null): Promise<AuthenticatedClient> {
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization.trim()) : null;
  if (!match) {
    throw new AppError("unauthorized", "Send an access token as Authorization: Bearer <token>", {
      fields: [{ path: "Authorization", message: "Missing bearer token" }],
    });
  }
  const claims = await verifyAccessToken(match[1]!);
  const [client] = await getDb()
    .select({ id: clients.id, partnerId: clients.partnerId, email: clients.email, profileState: clients.profileState })
    .from(clients)
    .where(eq(clients.id, claims.clientId));
  if (!client || client.partnerId !== claims.partnerId)
    throw new AppError("invalid_token", "The access token is not valid");
  if (client.profileState !== "active")
    throw new AppError("account_inactive", `This account is ${client.profileState}`);
  return { id: client.id, partnerId: client.partnerId, email: client.email };
}
