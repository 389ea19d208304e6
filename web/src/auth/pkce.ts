// Sign-in through the OpenID provider as a public client: the authorization code flow with PKCE
// (RFC 7636). The verifier never leaves this tab until the code is exchanged; the state guards
// against a response this tab did not ask for.
import { storeToken } from './token';

const PENDING_KEY = 'vestegn.pendingSignIn';

interface Pending {
  state: string;
  verifier: string;
  issuer: string;
  clientId: string;
  /** The page's query string before the redirect (its selection), restored after it. */
  returnTo: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** S256: the challenge is the verifier's SHA-256, base64url-encoded. */
export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

async function discover(issuer: string): Promise<Discovery> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Log-ind-tjenesten svarede ${response.status}.`);
  const discovery = (await response.json()) as Partial<Discovery>;
  if (!discovery.authorization_endpoint || !discovery.token_endpoint) {
    throw new Error('Log-ind-tjenesten oplyser ikke sine adresser.');
  }
  return discovery as Discovery;
}

/**
 * The page's query string to start from: on the way back from the provider (with `code` or
 * `error`), the one saved before the sign-in began, otherwise the address's own.
 */
export function pageQuery(): string {
  const params = new URLSearchParams(window.location.search);
  if (!params.has('code') && !params.has('error')) return window.location.search;
  const stored = sessionStorage.getItem(PENDING_KEY);
  return stored ? ((JSON.parse(stored) as Pending).returnTo ?? '') : '';
}

/** Where the provider sends the user back: this page, without any query. */
export function redirectUri(): string {
  return `${window.location.origin}/`;
}

/** Sends the browser to the provider's sign-in page. */
export async function startSignIn(issuer: string, clientId: string): Promise<void> {
  const discovery = await discover(issuer);
  const pending: Pending = {
    state: randomString(),
    verifier: randomString(),
    issuer,
    clientId,
    returnTo: window.location.search,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(discovery.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('scope', 'openid');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('code_challenge', await challengeOf(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  window.location.assign(url.toString());
}

/**
 * Completes a sign-in when the provider has sent the user back with `code` and `state`: exchanges
 * the code for a token and takes them out of the address bar. Resolves to whether a sign-in was
 * completed; rejects with a message the page shows.
 */
export async function completeSignIn(): Promise<boolean> {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('code');
  const state = params.get('state');
  const providerError = params.get('error');
  if (!code && !providerError) return false;
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = stored ? (JSON.parse(stored) as Pending) : null;
  // The code must not stay in the address bar (history, bookmarks), whatever happens next.
  window.history.replaceState(null, '', `/${pending?.returnTo ?? ''}`);
  if (providerError) {
    throw new Error(`Log-ind blev afvist: ${params.get('error_description') ?? providerError}`);
  }
  if (!pending || pending.state !== state) {
    throw new Error('Log-ind-svaret hører ikke til en log-ind fra denne fane. Prøv igen.');
  }
  const discovery = await discover(pending.issuer);
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code ?? '',
      redirect_uri: redirectUri(),
      client_id: pending.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token) {
    throw new Error(`Log-ind mislykkedes: ${body.error_description ?? body.error ?? response.status}`);
  }
  storeToken(body.access_token);
  return true;
}
