import { config } from "../../env";
import { CLIENT_SCOPES } from "./access-token";

/**
 * OAuth 2.0 Authorization Server Metadata (RFC 8414) for the partner API's
 * token endpoint: what a client library needs to find it and check tokens.
 * The issuer is the `iss` of every access token.
 */
export function authorizationServerMetadata() {
  const base = config().APP_URL;
  return {
    issuer: base,
    token_endpoint: `${base}/oauth/token`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    grant_types_supported: ["password", "refresh_token"],
    token_endpoint_auth_methods_supported: ["none"],
    response_types_supported: [],
    scopes_supported: CLIENT_SCOPES,
    service_documentation: `${base}/docs`,
  };
}
