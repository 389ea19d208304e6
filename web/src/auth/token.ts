// The signed-in user's access token, kept in this tab's sessionStorage (not localStorage: it
// ends with the tab, and other tabs do not share it).

const TOKEN_KEY = 'vestegn.accessToken';

/** What the page shows about the signed-in user: read from the token, not trusted. */
export interface TokenClaims {
  subject?: string;
  municipality?: string;
  roles: string[];
  /** Seconds since the epoch. */
  expires?: number;
}

export function storedToken(): string | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  const claims = readClaims(token);
  if (claims?.expires && claims.expires * 1000 < Date.now()) {
    sessionStorage.removeItem(TOKEN_KEY);
    return null;
  }
  return token;
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** The claims of a JWT, for display only (the server checks the signature); null if opaque. */
export function readClaims(token: string): TokenClaims | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const roles = findRoles(claims);
    const municipality = claims.municipality;
    return {
      subject: typeof claims.sub === 'string' ? claims.sub : undefined,
      municipality:
        typeof municipality === 'string' || typeof municipality === 'number'
          ? String(municipality)
          : undefined,
      roles,
      expires: typeof claims.exp === 'number' ? claims.exp : undefined,
    };
  } catch {
    return null;
  }
}

/** `roles`, or Keycloak's `realm_access.roles`. */
function findRoles(claims: Record<string, unknown>): string[] {
  const direct = claims.roles;
  const realm = (claims.realm_access as { roles?: unknown } | undefined)?.roles;
  const roles = Array.isArray(direct) ? direct : Array.isArray(realm) ? realm : [];
  return roles.filter((role): role is string => typeof role === 'string');
}
