// Checks two Vestegn API replicas over one PostgreSQL behind HAProxy, as clients would: requests
// spread over both, a write through one is read through the other at once, a change-feed follower
// reading through both sees every entry once in commit order while writers on both run, a
// client's rate limit is one budget (HAProxy keeps a client on one replica), and with one replica
// killed mid-load HAProxy takes it out and no read is lost. Node's own http; nothing to install.
//
//   BALANCER=http://127.0.0.1:P REPLICAS="http://127.0.0.1:A http://127.0.0.1:B" \
//   METRICS="http://127.0.0.1:M http://127.0.0.1:N" ISSUER=http://127.0.0.1:I RUN_DIR=… \
//   node check.mjs
//
// Clients come from addresses of their own on the loopback network (127.0.0.x), as different
// machines would: HAProxy balances by the client's address.
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

const BALANCER = process.env.BALANCER;
const REPLICAS = process.env.REPLICAS.split(' ');
const METRICS = process.env.METRICS.split(' ');
const ISSUER = process.env.ISSUER;
const RUN_DIR = process.env.RUN_DIR;
const ISHOEJ = 183;

/** One HTTP request from `from` (a loopback address); status, headers and body as text. */
function send(url, { method = 'GET', headers = {}, body, from = '127.0.0.1', timeoutMs = 30_000 } = {}) {
  return new Promise((resolve) => {
    const target = new URL(url);
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers: { ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) },
        localAddress: from,
        timeout: timeoutMs,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: text }));
        response.on('error', (error) => resolve({ status: 0, headers: {}, body: String(error) }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (error) => resolve({ status: 0, headers: {}, body: String(error) }));
    if (body) request.write(body);
    request.end();
  });
}

/** A GraphQL request; the HTTP answer with its JSON body parsed. */
async function graphql(base, query, { token, variables = {}, from } = {}) {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const answer = await send(`${base}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    from,
  });
  let json = null;
  try {
    json = JSON.parse(answer.body);
  } catch {
    // Left null: the caller reports the status and text.
  }
  return { ...answer, json };
}

async function ok(base, query, options) {
  const answer = await graphql(base, query, options);
  assert.equal(answer.status, 200, `${base}: ${answer.status} ${answer.body}`);
  assert.equal(answer.json.errors, undefined, `${base}: ${answer.body}`);
  return answer;
}

async function token(sub, role) {
  const answer = await send(`${ISSUER}/test-token?sub=${sub}&municipality=${ISHOEJ}&role=${role}`);
  assert.equal(answer.status, 200, answer.body);
  return JSON.parse(answer.body).access_token;
}

const address = (n) => `127.0.0.${n}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const NAME = 'query Name { municipality(code: 183) { name } }';
const CREATE = `mutation Create($input: CreatePoliticalCommitteeInput!) {
  createPoliticalCommittee(input: $input) { id name } }`;
const committee = (name) => ({
  input: {
    municipalityCode: ISHOEJ,
    name,
    validFrom: '2024-01-01',
    provenance: { source: '002', section: 'Organisering' },
  },
});

const checks = [];
const check = (name, run) => checks.push({ name, run });

check('requests spread over both replicas, each client stays on one', async () => {
  const servedBy = new Map();
  for (let n = 10; n < 26; n++) {
    for (let i = 0; i < 3; i++) {
      const answer = await ok(BALANCER, NAME, { from: address(n) });
      assert.equal(answer.json.data.municipality.name, 'Ishøj');
      const server = answer.headers['x-served-by'];
      assert.ok(server, 'HAProxy names the replica');
      if (servedBy.has(n)) assert.equal(servedBy.get(n), server, `client ${address(n)} moved`);
      servedBy.set(n, server);
    }
  }
  assert.deepEqual(new Set(servedBy.values()), new Set(['replica1', 'replica2']));
});

check('writes spread too, and a write through one replica is read through the other at once', async () => {
  const editor = await token('replica-editor', 'editor');
  const servedBy = new Set();
  for (let n = 30; n < 38; n++) {
    const answer = await ok(BALANCER, CREATE, { token: editor, variables: committee(`Udvalg ${n}`), from: address(n) });
    servedBy.add(answer.headers['x-served-by']);
  }
  assert.deepEqual(servedBy, new Set(['replica1', 'replica2']));
  for (const [writer, reader] of [REPLICAS, [...REPLICAS].reverse()]) {
    const created = await ok(writer, CREATE, { token: editor, variables: committee(`Skrevet via ${writer}`) });
    const { id } = created.json.data.createPoliticalCommittee;
    const read = await ok(reader, `{ node(id: "${id}") { ... on PoliticalCommittee { name revision } } }`, {
      token: editor,
    });
    assert.deepEqual(read.json.data.node, { name: `Skrevet via ${writer}`, revision: 1 });
  }
});

const CHANGES = `query Changes($after: String) {
  changes(first: 50, after: $after) { pageInfo { endCursor } nodes { recordId action revision } } }`;

/** The feed after `cursor` through `base`, to its end: the entries and the last cursor. */
async function readToEnd(base, viewer, cursor) {
  const entries = [];
  for (;;) {
    const page = (await ok(base, CHANGES, { token: viewer, variables: { after: cursor } })).json.data.changes;
    entries.push(...page.nodes);
    if (page.nodes.length === 0) return { entries, cursor };
    cursor = page.pageInfo.endCursor;
  }
}

check('a follower reading through both replicas sees every entry once, in commit order, while writers on both run', async () => {
  const viewer = await token('feed-follower', 'viewer');
  const start = (await readToEnd(REPLICAS[0], viewer, null)).cursor;
  const writers = REPLICAS.map(async (replica, w) => {
    const editor = await token(`writer-${w}`, 'editor');
    const ids = [];
    for (let i = 0; i < 15; i++) {
      const answer = await ok(replica, CREATE, { token: editor, variables: committee(`Skriver ${w} nr. ${i}`) });
      ids.push(answer.json.data.createPoliticalCommittee.id);
    }
    return ids;
  });
  let done = false;
  const written = Promise.all(writers).finally(() => (done = true));
  const seen = [];
  let cursor = start;
  let turn = 0;
  // Until the writers are done and a page read after that is empty.
  for (;;) {
    const finished = done;
    const replica = REPLICAS[turn++ % REPLICAS.length];
    const page = (await ok(replica, CHANGES, { token: viewer, variables: { after: cursor } })).json.data.changes;
    seen.push(...page.nodes);
    if (page.nodes.length > 0) cursor = page.pageInfo.endCursor;
    else if (finished) break;
    else await sleep(10);
  }
  const ids = await written;
  const stored = (await readToEnd(REPLICAS[1], viewer, start)).entries;
  assert.deepEqual(seen, stored, 'the follower saw the feed as it is stored: every entry, once, in order');
  const key = (entry) => `${entry.recordId}@${entry.revision}`;
  assert.equal(new Set(seen.map(key)).size, seen.length, 'no entry twice');
  for (const writerIds of ids) {
    const positions = writerIds.map((id) => seen.findIndex((e) => e.recordId === id && e.action === 'CREATE'));
    assert.ok(positions.every((p) => p >= 0), 'every write is in the feed');
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b), "a writer's changes in the order it made them");
  }
  console.log(`  the follower read ${seen.length} entries in ${turn} pages, alternating replicas`);
});

check("a client's rate limit is one budget: it stays on one replica until the budget is spent", async () => {
  const from = address(50);
  // A query that costs many points (its complexity), so that the budget is spent in a few requests.
  const heavy = '{ municipalities(first: 90) { nodes { units { staffRoles { title } } } } }';
  const answers = [];
  for (let i = 0; i < 200; i++) {
    const answer = await graphql(BALANCER, heavy, { from });
    answers.push(answer);
    if (answer.status === 429) break;
    assert.equal(answer.status, 200, answer.body);
  }
  const last = answers.at(-1);
  assert.equal(last.status, 429, `refused once the budget is spent (${answers.length} requests)`);
  assert.equal(last.json.errors[0].extensions.code, 'RATE_LIMITED');
  assert.equal(new Set(answers.map((a) => a.headers['x-served-by'])).size, 1, 'one replica served the client');
  const limit = Number(answers[0].headers['x-ratelimit-limit']);
  const remaining = answers.slice(0, -1).map((a) => Number(a.headers['x-ratelimit-remaining']));
  const cost = limit - remaining[0];
  assert.ok(cost > 0, `a request costs points (${limit} − ${remaining[0]})`);
  for (let i = 1; i < remaining.length; i++) {
    assert.ok(remaining[i] < remaining[i - 1], `one budget going down: ${remaining.join(', ')}`);
  }
  // Two replicas without stickiness would have let twice as many through.
  const accepted = answers.length - 1;
  assert.ok(accepted <= Math.ceil(limit / cost) + 1, `${accepted} requests of ${cost} points within ${limit}`);
  console.log(`  ${accepted} requests of ${cost} points accepted of ${limit}, then 429`);
});

check('one replica killed mid-load: HAProxy takes it out and no read is lost', async () => {
  const victim = Number(readFileSync(`${RUN_DIR}/replica2.pid`, 'utf8'));
  const clients = [];
  for (let n = 60; n < 68; n++) clients.push(address(n));
  const failures = [];
  const servedBy = { before: new Set(), after: new Set() };
  let killed = false;
  let answered = 0;
  const stopAt = Date.now() + 6000;
  const load = clients.map(async (from) => {
    while (Date.now() < stopAt) {
      const phase = killed ? 'after' : 'before';
      const answer = await graphql(BALANCER, NAME, { from });
      if (answer.status !== 200 || answer.json?.errors) failures.push(`${from}: ${answer.status} ${answer.body}`);
      else {
        answered++;
        // Requests sent after the kill and answered: only the survivor can have answered them.
        if (phase === 'after') servedBy.after.add(answer.headers['x-served-by']);
        else servedBy.before.add(answer.headers['x-served-by']);
      }
    }
  });
  await sleep(1500);
  process.kill(victim, 'SIGKILL');
  killed = true;
  await Promise.all(load);
  assert.deepEqual(failures, [], 'every read answered, retried on the other replica where needed');
  assert.deepEqual(servedBy.before, new Set(['replica1', 'replica2']), 'both served before the kill');
  assert.deepEqual(servedBy.after, new Set(['replica1']), 'only the survivor after');
  const stats = await send(`${process.env.STATS}/stats;csv`);
  const line = stats.body.split('\n').find((l) => l.startsWith('api,replica2,'));
  assert.match(line ?? '', /,DOWN/, `HAProxy marks replica2 down: ${line}`);
  console.log(`  ${answered} reads answered by ${clients.length} clients, none lost`);
});

check('each replica counts what it answered in its own metrics', async () => {
  const scrape = await send(`${METRICS[0]}/metrics`);
  assert.equal(scrape.status, 200);
  const sample = scrape.body
    .split('\n')
    .find((l) => l.startsWith('vestegn_graphql_operations_total{operation="Name",type="query",code="OK"}'));
  assert.ok(sample && Number(sample.split(' ').at(-1)) > 0, 'replica1 counted the Name reads');
  const write = scrape.body.split('\n').find((l) => l.startsWith('vestegn_write_duration_seconds_count{route="/graphql"'));
  assert.ok(write && Number(write.split(' ').at(-1)) > 0, 'and its writes');
});

let failed = 0;
for (const { name, run } of checks) {
  try {
    await run();
    console.log(`ok: ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAILED: ${name}\n${error.stack ?? error}`);
  }
}
console.log(`replica checks: ${checks.length - failed} of ${checks.length} passed`);
process.exit(failed ? 1 : 0);
