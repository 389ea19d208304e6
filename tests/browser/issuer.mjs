// A minimal OpenID provider for the browser tests' sign-in: discovery, JWKS, an authorization
// endpoint that signs the test user in at once (no login form), and a token endpoint for the
// authorization code grant that insists on PKCE (S256) from the public client `vestegn-web`.
// Access tokens are RS256 JWTs for the audience `vestegn-api`: user `pkce-user`, municipality 183,
// role viewer. Other tests (the replicas' checks) ask `GET /test-token?sub=…&municipality=…&role=…`
// for a user of their choosing. Node's own crypto and http; nothing to install.
//
//   node issuer.mjs PORT    # serves http://127.0.0.1:PORT until killed; prints "ready" once up
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const issuer = `http://127.0.0.1:${port}`;
const CLIENT_ID = 'vestegn-web';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = 'browser-test-key';
const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
/** Codes handed out and not yet exchanged: code → what the authorization request said. */
const codes = new Map();

const base64url = (data) => Buffer.from(data).toString('base64url');

function accessToken(user = { sub: 'pkce-user', municipality: 183, roles: ['viewer'] }) {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid }));
  const claims = base64url(
    JSON.stringify({
      iss: issuer,
      aud: 'vestegn-api',
      ...user,
      iat: now,
      exp: now + 300,
    }),
  );
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), privateKey).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

function send(response, status, body, headers = {}) {
  response.writeHead(status, {
    'content-type': 'application/json',
    // The page fetches discovery and the token from its own origin.
    'access-control-allow-origin': '*',
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function readBody(request) {
  let body = '';
  for await (const chunk of request) body += chunk;
  return new URLSearchParams(body);
}

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', issuer);
  if (request.method === 'OPTIONS') {
    return send(response, 204, '', { 'access-control-allow-headers': 'content-type' });
  }
  if (url.pathname === '/.well-known/openid-configuration') {
    return send(response, 200, {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['none'],
    });
  }
  if (url.pathname === '/jwks') return send(response, 200, { keys: [jwk] });
  if (url.pathname === '/test-token') {
    const p = url.searchParams;
    const user = { sub: p.get('sub') ?? 'test-user', municipality: Number(p.get('municipality')), roles: p.getAll('role') };
    return send(response, 200, { access_token: accessToken(user), token_type: 'Bearer', expires_in: 300 });
  }
  if (url.pathname === '/authorize') {
    const p = url.searchParams;
    const refused =
      p.get('response_type') !== 'code' ||
      p.get('client_id') !== CLIENT_ID ||
      p.get('code_challenge_method') !== 'S256' ||
      !p.get('code_challenge') ||
      !p.get('state') ||
      !p.get('redirect_uri')?.startsWith('http://127.0.0.1:');
    if (refused) return send(response, 400, { error: 'invalid_request', query: url.search });
    const code = randomBytes(16).toString('base64url');
    codes.set(code, { challenge: p.get('code_challenge'), redirectUri: p.get('redirect_uri') });
    const back = new URL(p.get('redirect_uri'));
    back.searchParams.set('code', code);
    back.searchParams.set('state', p.get('state'));
    response.writeHead(302, { location: back.toString() });
    return response.end();
  }
  if (url.pathname === '/token' && request.method === 'POST') {
    const form = await readBody(request);
    const pending = codes.get(form.get('code') ?? '');
    codes.delete(form.get('code') ?? '');
    if (form.get('grant_type') !== 'authorization_code') return send(response, 400, { error: 'unsupported_grant_type' });
    if (!pending || form.get('client_id') !== CLIENT_ID || form.get('redirect_uri') !== pending.redirectUri) {
      return send(response, 400, { error: 'invalid_grant' });
    }
    const challenge = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
    if (challenge !== pending.challenge) {
      return send(response, 400, { error: 'invalid_grant', error_description: 'PKCE verifier does not match' });
    }
    return send(response, 200, { access_token: accessToken(), token_type: 'Bearer', expires_in: 300 });
  }
  send(response, 404, { error: 'not_found' });
});

server.listen(port, '127.0.0.1', () => console.log('ready'));
