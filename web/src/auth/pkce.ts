// Sign-in through the OpenID provider as a public client: the authorization code flow with PKCE
// (RFC 7636), by `oauth4webapi` (discovery with its issuer checked, the verifier and challenge, the
// state and RFC 9207's `iss` in the answer, the code exchange and its answer). What is the page's
// own: where the pending sign-in waits during the redirect, and the Danish messages.
// The page loads this module (and the library) only when a sign-in starts or comes back.
import * as oauth from 'oauth4webapi';
import { isSignInAnswer, PENDING_KEY, type Pending } from './pending';
import { storeToken } from './token';

/**
 * Plain HTTP is for a provider on this machine only (development, the tests); anywhere else the
 * library's rule holds: HTTPS.
 */
export function allowsPlainHttp(issuer: URL): boolean {
  return ['127.0.0.1', '[::1]', 'localhost'].includes(issuer.hostname);
}

function transport(issuer: URL) {
  return { [oauth.allowInsecureRequests]: allowsPlainHttp(issuer) };
}

async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  try {
    return await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: 'oidc', ...transport(url) }));
  } catch (error) {
    throw new Error(`Log-ind-tjenesten kunne ikke findes: ${(error as Error).message}`);
  }
}

/** Where the provider sends the user back: this page, without any query. */
export function redirectUri(): string {
  return `${window.location.origin}/`;
}

/** Sends the browser to the provider's sign-in page. */
export async function startSignIn(issuer: string, clientId: string): Promise<void> {
  const server = await discover(issuer);
  if (!server.authorization_endpoint) throw new Error('Log-ind-tjenesten oplyser ikke sin adresse til log-ind.');
  const pending: Pending = {
    state: oauth.generateRandomState(),
    verifier: oauth.generateRandomCodeVerifier(),
    issuer,
    clientId,
    returnTo: window.location.search,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(server.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('scope', 'openid');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  window.location.assign(url.toString());
}

/**
 * Completes a sign-in when the provider has sent the user back with `code` and `state`: exchanges
 * the code for a token and takes them out of the address bar. Resolves to whether a sign-in was
 * completed; rejects with a message the page shows.
 */
export async function completeSignIn(): Promise<boolean> {
  if (!isSignInAnswer()) return false;
  const params = new URLSearchParams(window.location.search);
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = stored ? (JSON.parse(stored) as Pending) : null;
  // The code must not stay in the address bar (history, bookmarks), whatever happens next.
  window.history.replaceState(null, '', `/${pending?.returnTo ?? ''}`);
  if (!pending || pending.state !== params.get('state')) {
    if (params.has('error')) throw refusal(params);
    throw new Error('Log-ind-svaret hører ikke til en log-ind fra denne fane. Prøv igen.');
  }
  const server = await discover(pending.issuer);
  const client: oauth.Client = { client_id: pending.clientId };
  let callback: URLSearchParams;
  try {
    callback = oauth.validateAuthResponse(server, client, params, pending.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) throw refusal(error.cause);
    throw new Error(`Log-ind-svaret kan ikke bruges: ${(error as Error).message}`);
  }
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      server,
      client,
      oauth.None(),
      callback,
      redirectUri(),
      pending.verifier,
      transport(new URL(pending.issuer)),
    );
    const answer = await oauth.processAuthorizationCodeResponse(server, client, response);
    storeToken(answer.access_token);
  } catch (error) {
    const reason = error instanceof oauth.ResponseBodyError ? (error.error_description ?? error.error) : (error as Error).message;
    throw new Error(`Log-ind mislykkedes: ${reason}`);
  }
  return true;
}

function refusal(params: URLSearchParams): Error {
  return new Error(`Log-ind blev afvist: ${params.get('error_description') ?? params.get('error')}`);
}
