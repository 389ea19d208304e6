// A sign-in waiting for the provider's answer, kept in this tab's session storage across the
// redirect; small, so that the page needs the sign-in module (`pkce.ts`) only when it is used.

export const PENDING_KEY = 'vestegn.pendingSignIn';

export interface Pending {
  state: string;
  verifier: string;
  issuer: string;
  clientId: string;
  /** The page's query string before the redirect (its selection), restored after it. */
  returnTo: string;
}

/** Whether the address is the provider's answer to a sign-in (`code` or `error`). */
export function isSignInAnswer(search: string = window.location.search): boolean {
  const params = new URLSearchParams(search);
  return params.has('code') || params.has('error');
}

/**
 * The page's query string to start from: on the way back from the provider, the one saved before
 * the sign-in began, otherwise the address's own.
 */
export function pageQuery(): string {
  if (!isSignInAnswer()) return window.location.search;
  const stored = sessionStorage.getItem(PENDING_KEY);
  return stored ? ((JSON.parse(stored) as Pending).returnTo ?? '') : '';
}
