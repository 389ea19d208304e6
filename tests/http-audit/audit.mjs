// GraphQL over HTTP conformance: every audit of `graphql-http`'s `serverAudits`, run against a
// running server.
//
//   node audit.mjs http://127.0.0.1:8080/graphql
//
// One line per audit, in the package's order:
//   ok    <id>  <name>                        the audit passed
//   FAIL  <id>  <name>                        a MUST or SHOULD audit failed (counted), followed by
//                                             the reason, the request(s) sent and the response
//   note  <id>  <name>                        a MAY audit the server does not do (not counted),
//                                             followed by the same detail
// The requirement level is the first word of the audit's name (MUST, SHOULD, MAY; "MAY NOT …" is
// a MAY), which is also how graphql-http grades a failure: MUST → "error", SHOULD → "warn",
// MAY → "notice".
//
// The closing line, alone on its line, counts the MUST and SHOULD audits only:
//   audits: N passed, N failed
// Exit status: 0 when every MUST and SHOULD audit passes, 1 when any fails, 2 on a usage error.
//
// Audits run one after the other (not all at once as `auditServer` does) so each failure can be
// shown with the requests it sent; every request is bounded by a timeout so a stuck server
// cannot hang the run.

import { serverAudits } from 'graphql-http';

const REQUEST_TIMEOUT_MS = 10_000;
const BODY_PREVIEW_CHARS = 600;

const url = process.argv[2];
if (!url || !/^https?:\/\//.test(url)) {
  console.error('usage: node audit.mjs http://HOST:PORT/graphql');
  process.exit(2);
}

/** Requests sent by the audit now running, for the report of a failure. */
let sent = [];

/** `fetch`, recording each request and bounding it by a timeout. */
async function recordingFetch(input, init = {}) {
  sent.push({
    method: init.method ?? 'GET',
    url: String(input),
    headers: init.headers ?? {},
    body: init.body,
  });
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  return fetch(input, { ...init, signal });
}

function level(name) {
  const word = name.split(' ', 1)[0];
  return ['MUST', 'SHOULD', 'MAY'].includes(word) ? word : 'MUST';
}

function preview(text) {
  if (text === undefined || text === null) return '(none)';
  const flat = String(text).replace(/\s*\n\s*/g, ' ');
  return flat.length > BODY_PREVIEW_CHARS ? `${flat.slice(0, BODY_PREVIEW_CHARS)}… (${flat.length} chars)` : flat;
}

async function describeResponse(res) {
  if (!res) return ['response: (none)'];
  let body;
  try {
    body = await res.clone().text();
  } catch {
    try {
      body = await res.text();
    } catch {
      body = '(body already read by the audit)';
    }
  }
  return [
    `response: ${res.status} ${res.statusText}  content-type: ${res.headers.get('content-type') ?? '(none)'}`,
    `response body: ${preview(body)}`,
  ];
}

function describeRequests(requests) {
  return requests.flatMap((req) => {
    const given = Object.entries(req.headers);
    const headers = given.map(([k, v]) => `${k}: ${v}`);
    // Node's fetch sends `accept: */*` when the caller gives no Accept header, so an audit
    // "without Accept" reaches the server with `*/*`.
    if (!given.some(([k]) => k.toLowerCase() === 'accept')) {
      headers.push('accept: */* (added by fetch)');
    }
    return [
      `request: ${req.method} ${req.url}`,
      `request headers: ${headers.join('; ')}`,
      ...(req.body === undefined ? [] : [`request body: ${preview(req.body)}`]),
    ];
  });
}

const audits = serverAudits({ url, fetchFn: recordingFetch });
let passed = 0;
let failed = 0;
let mayPassed = 0;
let mayMissed = 0;

for (const { id, name, fn } of audits) {
  const required = level(name) !== 'MAY';
  sent = [];
  let result;
  try {
    result = await fn();
  } catch (err) {
    // graphql-http rethrows anything that is not an assertion failure (connection refused,
    // timeout, …): that is a failure of the audit too.
    result = { id, name, status: 'error', reason: `fatal: ${err?.cause?.message ?? err?.message ?? err}` };
  }

  if (result.status === 'ok') {
    if (required) passed++;
    else mayPassed++;
    console.log(`ok    ${id}  ${name}`);
    continue;
  }

  if (required) failed++;
  else mayMissed++;
  console.log(`${required ? 'FAIL' : 'note'}  ${id}  ${name}`);
  const detail = [
    `reason: ${result.reason}`,
    ...describeRequests(sent),
    ...(await describeResponse(result.response)),
  ];
  for (const line of detail) console.log(`        ${line}`);
}

console.log(`MAY audits (not counted): ${mayPassed} done, ${mayMissed} not done`);
console.log(`audits: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
