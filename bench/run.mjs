#!/usr/bin/env node
// `npm run bench` (docs/reference/contracts.md "Contracts"): HTTP throughput and latency of Lifeline's hot
// paths, measured with autocannon against in-process servers on loopback, each as a ratio to a
// bare Fastify route measured in the same run on the same machine (absolute numbers vary from
// machine to machine; the ratio says what Lifeline's plumbing costs).
//
// The servers run on this thread; autocannon fires from a worker thread of its own
// (bench/load-worker.mjs), so the load generator does not take event-loop time from the server
// it measures.
//
// The OpenID Connect provider's hot paths are measured as a host application uses them: the
// token endpoint's refresh grant (each connection carries its own refresh-token chain forward,
// since rotation makes every refresh token single-use), introspection of a valid access token,
// and userinfo; their grants are minted through /oidc/auth with a signed-in browser's cookie.
//
// It also measures raw argon2id hashes/s with the configured parameters (the ceiling of
// sign-in), and the signed-in session check while sign-ins run beside it, and prints the
// ratios of issue 4: session check / bare route (target ≥ 0.5), sign-in / raw argon2id
// (target ≥ 0.9), session-check p99 under sign-in load / unloaded (target ≤ 2); and
// introspection / session check (target ≥ 1).
//
// Environment: BENCH_SECONDS (default 5) per scenario, BENCH_WARMUP_SECONDS (default 1),
// BENCH_CONNECTIONS (default 50), BENCH_ONLY (a regular expression: only the matching scenarios,
// with the bare route and the session check). DATABASE_URL=postgres://… runs Lifeline on PostgreSQL (use
// a disposable database); the default is a temporary SQLite file. The defaults keep the run
// under about two minutes.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Fastify from 'fastify';
import { hash } from '@node-rs/argon2';
import { parseConfig } from '../dist/config/parse-config.js';
import { startServer } from '../dist/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function positiveNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`bench: ${name} must be a positive number, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return value;
}

const seconds = positiveNumber('BENCH_SECONDS', 5);
const warmupSeconds = positiveNumber('BENCH_WARMUP_SECONDS', 1);
const connections = Math.round(positiveNumber('BENCH_CONNECTIONS', 50));
// BENCH_ONLY=<regular expression>: measure only the scenarios whose names match (with the bare
// route and the session check, the ratios' bases), e.g. while profiling one path.
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : undefined;

/** A TCP port that was free on loopback a moment ago (the OS picked it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs autocannon once in a worker thread of its own (bench/load-worker.mjs) and resolves with its
 * result. A scenario with `chains` gives each connection its own refresh-token chain.
 */
function fire(scenario, duration) {
  const { url, method = 'GET', headers = {}, body } = scenario;
  return new Promise((resolve, reject) => {
    const options = { url, method, headers, ...(body === undefined ? {} : { body }), connections: scenario.connections ?? connections, duration };
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), { workerData: { options, chains: scenario.chains } });
    // Ctrl-C stops the run early instead of leaving the worker behind.
    const stop = () => worker.postMessage('stop');
    process.once('SIGINT', stop);
    const done = (settle) => {
      process.off('SIGINT', stop);
      void worker.terminate();
      settle();
    };
    worker.once('message', (message) => done(() => (message.error ? reject(new Error(message.error)) : resolve(message.result))));
    worker.once('error', (error) => done(() => reject(error)));
  });
}

/** The bare route: what Fastify itself costs on this machine, the yardstick of every ratio. */
async function startBaseline() {
  const app = Fastify({ logger: false });
  app.get('/health', async () => ({ status: 'ok' }));
  const port = await freePort();
  await app.listen({ host: '127.0.0.1', port });
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** Lifeline as `npm start` runs it (SQLite, worker in process), quiet and without an API rate limit in the way. */
async function startLifeline(dir) {
  const port = await freePort();
  const config = parseConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : `sqlite:${join(dir, 'lifeline.db')}`,
    DATA_DIR: dir,
    SECRET_KEY: randomBytes(32).toString('base64'),
    // Raised for the bench (and said so in the output): 50 connections from one address would
    // otherwise meet the per-client API limit within a second.
    RATE_LIMIT_API_PER_MINUTE: '1000000',
    // Likewise for "Passwort vergessen?" (20 an hour per client, 5 per identifier by default).
    PASSWORD_RESET_PER_CLIENT_PER_HOUR: '1000000',
    PASSWORD_RESET_PER_IDENTIFIER_PER_HOUR: '1000000',
  });
  const server = await startServer(config);
  return { url: `http://127.0.0.1:${port}`, close: () => server.close(), version: config.version, services: server.services, config };
}

const BENCH_PASSWORD = 'Bench-Passwort-lang-genug-1';

/** A confirmed account and a signed-in session cookie, for the authenticated scenarios. */
async function prepareAccount(lifeline) {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const { services } = lifeline;
  await services.signup.signup({ email, password: BENCH_PASSWORD, locale: 'de', timeZone: 'Europe/Berlin', origin: { ip: '127.0.0.1', userAgent: null } });
  await services.worker.runOnce();
  const [mail] = await services.devMailbox.list();
  const token = decodeURIComponent(/token=([^\s&]+)/.exec(mail.text)[1]);
  await services.signup.confirm(token, { ip: '127.0.0.1', userAgent: null });
  const login = await fetch(`${lifeline.url}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: BENCH_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`bench sign-in failed: ${login.status}`);
  const cookie = login.headers
    .getSetCookie()
    .find((c) => c.startsWith('lifeline_session='))
    .split(';')[0];
  return { email, cookie };
}

const OIDC_REDIRECT_URI = 'http://127.0.0.1:9/bench-callback';

/** A first-party client of the provider (as `lifeline client create … --first-party` makes one). */
async function prepareOidcClient(lifeline) {
  const { clientId, clientSecret } = await lifeline.services.oidc.clients.create({ name: 'bench', redirectUris: [OIDC_REDIRECT_URI], firstParty: true });
  return { clientId, basic: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}` };
}

/**
 * One grant as a host application gets it: GET /oidc/auth (PKCE S256, offline_access) with the
 * signed-in browser's cookie, the interaction redirects followed, then the code at the token
 * endpoint. Resolves with the access and refresh token.
 */
async function mintGrant(lifeline, account, client) {
  const jar = new Map([account.cookie.split('=', 2)]);
  const verifier = randomBytes(32).toString('base64url');
  const params = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: OIDC_REDIRECT_URI,
    response_type: 'code',
    scope: 'openid email offline_access',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
  });
  let url = `${lifeline.url}/oidc/auth?${params}`;
  let code;
  for (let hop = 0; hop < 12 && code === undefined; hop += 1) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') } });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0];
      const at = pair.indexOf('=');
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1)];
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = response.headers.get('location');
    const text = await response.text();
    if (!location) throw new Error(`bench authorization stopped at ${url}: HTTP ${response.status} ${text.slice(0, 200)}`);
    const next = new URL(location, url);
    if (next.href.startsWith(OIDC_REDIRECT_URI)) {
      code = next.searchParams.get('code') ?? undefined;
      if (!code) throw new Error(`bench authorization failed: ${next.search}`);
    }
    url = next.href;
  }
  if (!code) throw new Error('bench authorization: no code after 12 redirects');
  const token = await fetch(`${lifeline.url}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: client.basic },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: OIDC_REDIRECT_URI, code_verifier: verifier }).toString(),
  });
  const tokens = await token.json();
  if (token.status !== 200 || !tokens.refresh_token) throw new Error(`bench token exchange failed: ${token.status} ${JSON.stringify(tokens).slice(0, 200)}`);
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
}

/**
 * Raw argon2id with Lifeline's parameters and concurrency: the most sign-ins per second this
 * machine could do.
 */
async function argon2Rate(config, durationSeconds) {
  const options = { algorithm: 2, memoryCost: config.argon2.memoryKib, timeCost: config.argon2.iterations, parallelism: config.argon2.parallelism };
  // As many at once as Lifeline lets run (ARGON2_CONCURRENCY): the same ceiling sign-in has.
  const threads = config.argon2.concurrency;
  const until = performance.now() + durationSeconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: threads }, async () => {
      while (performance.now() < until) {
        await hash('Bench-Passwort-lang-genug-1', options);
        done += 1;
      }
    }),
  );
  return { perSecond: done / durationSeconds, threads };
}

/**
 * The scenario as it is fired now: one with `prepare` gets fresh credentials each time (a refresh
 * token works once; an access token expires), for `count` connections.
 */
async function materialize(scenario, count) {
  return scenario.prepare ? { ...scenario, ...(await scenario.prepare(count)) } : scenario;
}

/** Checks that a scenario answers what it should before measuring it (a fast 500 is no result). */
async function probe(template) {
  const scenario = await materialize(template, 1);
  // A chain scenario's request is the first of its first chain.
  const body = scenario.chains ? new URLSearchParams({ grant_type: 'refresh_token', refresh_token: scenario.chains.tokens[0] }).toString() : scenario.body;
  const response = await fetch(scenario.url, { method: scenario.method ?? 'GET', headers: scenario.headers ?? {}, body });
  const text = await response.text();
  if (response.status !== scenario.status) {
    throw new Error(`${scenario.name}: expected HTTP ${scenario.status}, got ${response.status}: ${text.slice(0, 200)}`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes(scenario.type)) throw new Error(`${scenario.name}: expected content-type ${scenario.type}, got ${type}`);
  if (scenario.check && !scenario.check(JSON.parse(text))) throw new Error(`${scenario.name}: unexpected answer ${text.slice(0, 200)}`);
}

function formatTable(header, rows) {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => '| ' + cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'lifeline-bench-'));
const servers = [];
try {
  const baseline = await startBaseline();
  servers.push(baseline);
  const lifeline = await startLifeline(dir);
  servers.push(lifeline);

  const account = await prepareAccount(lifeline);
  // A host application's key and one verification of the account: hosts poll its status.
  const { key: hostKey } = await lifeline.services.apiKeys.create('bench-host');
  const accountId = (await (await fetch(`${lifeline.url}/api/v1/session`, { headers: { cookie: account.cookie } })).json()).account.id;
  const started = await fetch(`${lifeline.url}/api/v1/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${hostKey}` },
    body: JSON.stringify({ accountId, action: 'export-data' }),
  });
  if (started.status !== 201) throw new Error(`bench verification start failed: ${started.status}`);
  const verificationId = (await started.json()).id;
  // A host application of the OpenID Connect provider: its grants are minted anew for every run
  // (each connection of the refresh scenario needs a chain of its own; access tokens expire).
  const oidcClient = await prepareOidcClient(lifeline);
  const grants = async (count) => {
    const minted = [];
    // A few at once: the flow is several requests, each cheap.
    for (let i = 0; i < count; i += 10)
      minted.push(...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, () => mintGrant(lifeline, account, oidcClient)))));
    return minted;
  };
  const scenarios = [
    { name: 'bare Fastify GET /health (baseline)', url: `${baseline.url}/health`, status: 200, type: 'application/json' },
    { name: 'GET /health', url: `${lifeline.url}/health`, status: 200, type: 'application/json' },
    { name: 'GET /api/v1/meta (guards, rate limit)', url: `${lifeline.url}/api/v1/meta`, status: 200, type: 'application/json' },
    { name: 'GET /api/v1/no-such-route (404 problem)', url: `${lifeline.url}/api/v1/no-such-route`, status: 404, type: 'application/problem+json' },
    { name: 'GET /metrics', url: `${lifeline.url}/metrics`, status: 200, type: 'text/plain' },
    {
      name: 'GET /api/v1/session (signed in)',
      url: `${lifeline.url}/api/v1/session`,
      headers: { cookie: account.cookie },
      status: 200,
      type: 'application/json',
    },
    {
      name: 'GET /api/v1/recovery (signed in, profile)',
      url: `${lifeline.url}/api/v1/recovery`,
      headers: { cookie: account.cookie },
      status: 200,
      type: 'application/json',
    },
    {
      name: 'GET /api/v1/verifications/:id (host API key, status)',
      url: `${lifeline.url}/api/v1/verifications/${verificationId}`,
      headers: { authorization: `Bearer ${hostKey}` },
      status: 200,
      type: 'application/json',
    },
    {
      // The answer writes a flow row; the lookup, the code and the mail follow after it (here:
      // an address without an account, whose answer is the same by design).
      name: 'POST /api/v1/password/forgot (flow row; lookup after the answer)',
      url: `${lifeline.url}/api/v1/password/forgot`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: 'niemand@example.com' }),
      status: 202,
      type: 'application/json',
    },
    {
      // Every connection carries its own refresh token forward (rotation makes each single-use);
      // each answer stores the old token as used and a new refresh and access token, and signs an ID token.
      name: 'POST /oidc/token (refresh grant, rotation)',
      url: `${lifeline.url}/oidc/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: oidcClient.basic },
      prepare: async (count) => ({
        chains: {
          tokens: (await grants(count)).map((g) => g.refreshToken),
          path: '/oidc/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: oidcClient.basic },
        },
      }),
      status: 200,
      type: 'application/json',
      check: (json) => typeof json.refresh_token === 'string' && typeof json.access_token === 'string',
    },
    {
      name: 'POST /oidc/token/introspection (valid access token)',
      url: `${lifeline.url}/oidc/token/introspection`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: oidcClient.basic },
      prepare: async () => ({ body: new URLSearchParams({ token: (await grants(1))[0].accessToken }).toString() }),
      status: 200,
      type: 'application/json',
      check: (json) => json.active === true,
    },
    {
      name: 'GET /oidc/me (userinfo, bearer access token)',
      url: `${lifeline.url}/oidc/me`,
      prepare: async () => ({ headers: { authorization: `Bearer ${(await grants(1))[0].accessToken}` } }),
      status: 200,
      type: 'application/json',
      check: (json) => typeof json.sub === 'string' && typeof json.email === 'string',
    },
    {
      name: 'POST /api/v1/login (argon2id, new session; 8 connections)',
      // One account signing in from one address: more than 10 at once would (rightly) meet the
      // password throttle, which counts a check before its hash is done. Two cores hash anyway.
      connections: 8,
      url: `${lifeline.url}/api/v1/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: account.email, password: BENCH_PASSWORD }),
      status: 200,
      type: 'application/json',
    },
  ];

  const { version: nodeVersion } = process;
  const cpuList = cpus();
  const autocannonVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'autocannon', 'package.json'), 'utf8')).version;
  process.stdout.write(
    [
      `Lifeline ${lifeline.version} bench`,
      `Node ${nodeVersion}, ${availableParallelism()} CPUs (${cpuList[0]?.model.trim() ?? 'unknown model'}), ${process.platform}/${process.arch}`,
      `autocannon ${autocannonVersion}: ${connections} connections, ${warmupSeconds} s warm-up + ${seconds} s per scenario, load from a worker thread`,
      '',
    ].join('\n') + '\n',
  );

  const sessionScenario = scenarios.find((s) => s.name.startsWith('GET /api/v1/session'));
  const loginScenario = scenarios.find((s) => s.name.startsWith('POST /api/v1/login'));
  const measured = only ? scenarios.filter((s, index) => index === 0 || s === sessionScenario || only.test(s.name)) : scenarios;
  // Every scenario is checked and warmed up before any is measured: the routes share most of
  // their code (hooks, serialisers), so the first measured one would otherwise pay for the JIT.
  for (const scenario of measured) {
    await probe(scenario);
    process.stderr.write(`  warm-up: ${scenario.name}\n`);
    await fire(await materialize(scenario, scenario.connections ?? connections), warmupSeconds);
  }
  const results = [];
  for (const scenario of measured) {
    process.stderr.write(`  measuring: ${scenario.name}\n`);
    const result = await fire(await materialize(scenario, scenario.connections ?? connections), seconds);
    const total = Object.values(result.statusCodeStats ?? {}).reduce((sum, s) => sum + s.count, 0);
    const expected = result.statusCodeStats?.[String(scenario.status)]?.count ?? 0;
    results.push({
      scenario,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      answers: total,
      non2xx: result.non2xx,
      unexpected: total - expected + result.errors + result.timeouts,
    });
  }

  // The sign-in ratios need the whole run (BENCH_ONLY leaves them out).
  const argon2 = only ? undefined : (process.stderr.write('  measuring: raw argon2id hashes/s\n'), await argon2Rate(lifeline.config, seconds));
  if (!only) process.stderr.write('  measuring: GET /api/v1/session while sign-ins run\n');
  const [loaded] = only ? [undefined] : await Promise.all([fire(sessionScenario, seconds), fire(loginScenario, seconds)]);

  const base = results[0].rps;
  const rows = results.map((r) => [
    r.scenario.name,
    Math.round(r.rps).toLocaleString('en-US'),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    (r.rps / base).toFixed(2),
    r.answers.toLocaleString('en-US'),
    r.non2xx.toLocaleString('en-US'),
    String(r.unexpected),
  ]);
  process.stdout.write('\n' + formatTable(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'answers', 'non-2xx', 'unexpected'], rows) + '\n');
  process.stdout.write(
    "\nratio: req/s relative to the bare Fastify route in this run; answers: all answers of the measured run; non-2xx: answers outside 200–299 (the 404 route's are expected); unexpected: answers with another status than the expected one, errors, timeouts.\n",
  );
  const session = results.find((r) => r.scenario === sessionScenario);
  const login = results.find((r) => r.scenario === loginScenario);
  const introspection = results.find((r) => r.scenario.name.startsWith('POST /oidc/token/introspection'));
  const targets = [
    ['session check / bare route (req/s)', session.rps / base, '≥ 0.5'],
    ...(login && argon2 ? [['sign-in / raw argon2id (per second)', login.rps / argon2.perSecond, '≥ 0.9']] : []),
    ...(loaded ? [['session-check p99 while sign-ins run / unloaded', loaded.latency.p99 / session.p99, '≤ 2']] : []),
    // A host that checks every request by introspection must not pay more than a session check.
    ...(introspection ? [['introspection / session check (req/s)', introspection.rps / session.rps, '≥ 1']] : []),
  ];
  process.stdout.write(
    [
      '',
      ...(argon2
        ? [
            `raw argon2id (m=${lifeline.config.argon2.memoryKib} KiB, t=${lifeline.config.argon2.iterations}, p=${lifeline.config.argon2.parallelism}), ${argon2.threads} at once: ${argon2.perSecond.toFixed(1)} hashes/s`,
          ]
        : []),
      ...(loaded
        ? [
            `GET /api/v1/session while sign-ins run: ${Math.round(loaded.requests.average).toLocaleString('en-US')} req/s, p99 ${loaded.latency.p99.toFixed(1)} ms`,
          ]
        : []),
      `database: ${lifeline.config.database.dialect}; API rate limit raised to 1 000 000/min for the bench${only ? `; only ${only} (BENCH_ONLY)` : ''}`,
      '',
      formatTable(
        ['ratio', 'value', 'target'],
        targets.map(([name, value, target]) => [name, value.toFixed(2), target]),
      ),
      '',
    ].join('\n'),
  );
  if (results.some((r) => r.unexpected > 0)) process.exitCode = 1;
} finally {
  for (const server of servers.reverse()) await server.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
