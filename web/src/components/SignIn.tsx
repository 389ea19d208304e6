// Signing in: through the server's OpenID provider (authorization code with PKCE, as its public
// client), or with a development token where the server accepts them. Anonymous visitors see
// public records; a signed-in user also the records shared with their municipality.
import { useId, useState } from 'react';
import type { Chooser } from '../api';
import { forgetToken, readClaims, storeToken, type TokenClaims } from '../auth/token';

export function SignIn({
  options,
  token,
  onChange,
}: {
  options: Chooser['signIn'] | null;
  token: string | null;
  onChange: () => void;
}) {
  const [devToken, setDevToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  if (token) {
    const claims: TokenClaims | null = readClaims(token);
    return (
      <div className="sign-in">
        <p>
          Logget ind{claims?.subject ? ` som ${claims.subject}` : ''}
          {claims?.municipality ? `, kommune ${claims.municipality}` : ''}
          {claims?.roles.length ? ` (${claims.roles.join(', ')})` : ''}.
        </p>
        <button
          type="button"
          onClick={() => {
            forgetToken();
            onChange();
          }}
        >
          Log ud
        </button>
      </div>
    );
  }
  const provider = options?.issuer && options.publicClientId ? options : null;
  return (
    <div className="sign-in">
      <p>Du ser offentlige oplysninger.</p>
      {provider && (
        <button
          type="button"
          onClick={() => {
            setError(null);
            import('../auth/pkce')
              .then((m) => m.startSignIn(provider.issuer ?? '', provider.publicClientId ?? ''))
              .catch((e: Error) => setError(e.message));
          }}
        >
          Log ind
        </button>
      )}
      {options?.developmentTokens && (
        <details className="dev-sign-in">
          <summary>Log ind med en udviklingsnøgle</summary>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              const value = devToken.trim().replace(/^Bearer\s+/i, '');
              if (!value) {
                setError('Indsæt en nøgle først.');
                return;
              }
              storeToken(value);
              setDevToken('');
              setError(null);
              onChange();
            }}
          >
            <p id={`${id}-help`}>
              Serveren kører med <code>--dev-auth</code>. Lav en nøgle i projektmappen med{' '}
              <code>cargo run -q -- dev-token --municipality 183 --role viewer</code> og indsæt den her.
            </p>
            <label htmlFor={`${id}-token`}>Udviklingsnøgle</label>
            <textarea
              id={`${id}-token`}
              rows={3}
              value={devToken}
              aria-describedby={`${id}-help`}
              onChange={(e) => setDevToken(e.target.value)}
            />
            <button type="submit">Brug nøglen</button>
          </form>
        </details>
      )}
      {!provider && !options?.developmentTokens && options && (
        <p className="muted">Serveren er ikke sat op til log-ind.</p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
