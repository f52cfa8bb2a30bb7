// The load generator of `npm run bench` (bench/run.mjs): one autocannon run in a worker thread of
// its own, so that firing requests takes no event-loop time from the server it measures.
//
// A scenario with `chains` sends requests that each need the answer of the one before: every
// connection gets one chain (a refresh token) and carries it forward, sending the token the last
// answer issued. A refresh token is single-use (rotation; a used one coming back revokes the
// grant), so a shared token would turn every request but the first into a replay.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

// autocannon aggregates a run's result only on the main thread (its own worker mode does it
// there); here the same function runs on the run's raw result, with its own histograms decoded.
const require = createRequire(import.meta.url);
const aggregateResult = require('autocannon/lib/aggregateResult.js');
const { decodeHist } = require('autocannon/lib/histUtil.js');

const { options, chains } = workerData;

/** Each connection's own refresh-token chain: POST /oidc/token grant_type=refresh_token. */
function chainClients(template) {
  let next = 0;
  return (client) => {
    const chain = { token: template.tokens[next++ % template.tokens.length] };
    client.setRequests([
      {
        method: 'POST',
        path: template.path,
        headers: template.headers,
        setupRequest: (request) => ({ ...request, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: chain.token }).toString() }),
        onResponse: (status, body) => {
          // A failed refresh leaves the chain on its old token: the next request is then a replay
          // (counted as non-2xx), as it would be for a real client that lost the answer.
          if (status === 200) chain.token = JSON.parse(body).refresh_token;
        },
      },
    ]);
  };
}

const instance = autocannon({ ...options, ...(chains ? { setupClient: chainClients(chains) } : {}) }, (error, raw) => {
  if (error) {
    parentPort.postMessage({ error: error.message });
    return;
  }
  const result = aggregateResult(raw, options, { requests: decodeHist(raw.requests), throughput: decodeHist(raw.throughput) });
  // Only what bench/run.mjs reads (the result also holds what cannot cross threads).
  parentPort.postMessage({
    result: {
      requests: { average: result.requests.average },
      latency: { p50: result.latency.p50, p99: result.latency.p99 },
      statusCodeStats: result.statusCodeStats,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    },
  });
});
parentPort.on('message', (message) => {
  if (message === 'stop') instance.stop();
});
