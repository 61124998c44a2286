/** The ops HTTP endpoint over real HTTP on 127.0.0.1 with an OS-chosen port and a fake gateway. */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { readiness, startOpsServer, type GatewayHealth, type OpsServer } from '../../src/ops/http.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { GatewayMetrics } from '../../src/ops/metrics.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function fetchFrom(server: OpsServer, path: string, method = 'GET', agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: server.address.host, port: server.address.port, path, method, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ops HTTP server', () => {
  const metrics = new GatewayMetrics({ processMetrics: false });
  let health: GatewayHealth | undefined;
  let server: OpsServer;

  before(async () => {
    server = await startOpsServer({
      listen: { host: '127.0.0.1', port: 0 },
      gateway: () => (health === undefined ? undefined : { health: () => health! }),
      metrics,
      logger: createLogger({ level: 'silent' }),
    });
  });
  after(() => server.close());

  it('binds the asked host and reports the port the OS chose', () => {
    assert.equal(server.address.host, '127.0.0.1');
    assert.ok(server.address.port > 0);
  });

  it('answers /healthz 200 {status:"ok"} even before the gateway exists', async () => {
    health = undefined;
    const reply = await fetchFrom(server, '/healthz');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(reply.headers['cache-control'], 'no-store');
    assert.deepEqual(JSON.parse(reply.body), { status: 'ok' });
  });

  it('answers /readyz 503 starting while there is no gateway yet', async () => {
    health = undefined;
    const reply = await fetchFrom(server, '/readyz');
    assert.equal(reply.status, 503);
    assert.deepEqual(JSON.parse(reply.body), { status: 'starting', ready: false });
  });

  it('answers /readyz 503 not-ready while the component is offline, with the health fields', async () => {
    health = { ready: false, draining: false, xmpp: 'connecting', sip: true, activeCalls: 0 };
    const reply = await fetchFrom(server, '/readyz');
    assert.equal(reply.status, 503);
    assert.deepEqual(JSON.parse(reply.body), {
      status: 'not-ready',
      ready: false,
      draining: false,
      xmpp: 'connecting',
      sip: true,
      activeCalls: 0,
    });
  });

  it('answers /readyz 200 ready with the active calls when ready, query strings ignored', async () => {
    health = { ready: true, draining: false, xmpp: 'online', sip: true, activeCalls: 3 };
    const reply = await fetchFrom(server, '/readyz?verbose=1');
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), {
      status: 'ready',
      ready: true,
      draining: false,
      xmpp: 'online',
      sip: true,
      activeCalls: 3,
    });
  });

  it('answers /readyz 503 draining while draining, even if the gateway still says ready', async () => {
    health = { ready: true, draining: true, xmpp: 'online', sip: true, activeCalls: 1 };
    const reply = await fetchFrom(server, '/readyz');
    assert.equal(reply.status, 503);
    assert.deepEqual(JSON.parse(reply.body), {
      status: 'draining',
      ready: false,
      draining: true,
      xmpp: 'online',
      sip: true,
      activeCalls: 1,
    });
  });

  it('serves /metrics as Prometheus text with the registry content type', async () => {
    metrics.callStarted('sip-to-xmpp');
    const reply = await fetchFrom(server, '/metrics');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(reply.body, /^jsg_active_calls 1$/m);
    assert.match(reply.body, /^# TYPE jsg_calls_total counter$/m);
  });

  it('answers HEAD like GET without a body', async () => {
    const reply = await fetchFrom(server, '/healthz', 'HEAD');
    assert.equal(reply.status, 200);
    assert.equal(reply.body, '');
  });

  it('answers 404 for other paths and 405 with Allow for other methods', async () => {
    const missing = await fetchFrom(server, '/');
    assert.equal(missing.status, 404);
    assert.equal((await fetchFrom(server, '/healthz/')).status, 404);
    assert.equal((await fetchFrom(server, '/__proto__')).status, 404);
    const post = await fetchFrom(server, '/readyz', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    assert.equal((await fetchFrom(server, '/nowhere', 'DELETE')).status, 404);
  });
});

describe('ops HTTP server lifecycle', () => {
  it('closes idempotently and refuses connections afterwards', async () => {
    const server = await startOpsServer({
      listen: { host: '127.0.0.1', port: 0 },
      gateway: () => undefined,
      metrics: new GatewayMetrics({ processMetrics: false }),
      logger: createLogger({ level: 'silent' }),
    });
    assert.equal((await fetchFrom(server, '/healthz')).status, 200);
    await Promise.all([server.close(), server.close()]);
    await server.close();
    await assert.rejects(fetchFrom(server, '/healthz'), { code: 'ECONNREFUSED' });
  });

  it('closes while a keep-alive client still holds an idle connection', { timeout: 10_000 }, async () => {
    const server = await startOpsServer({
      listen: { host: '127.0.0.1', port: 0 },
      gateway: () => undefined,
      metrics: new GatewayMetrics({ processMetrics: false }),
      logger: createLogger({ level: 'silent' }),
    });
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal((await fetchFrom(server, '/healthz', 'GET', agent)).status, 200);
      await server.close();
    } finally {
      agent.destroy();
    }
  });

  it('rejects when the address is taken', async () => {
    const first = await startOpsServer({
      listen: { host: '127.0.0.1', port: 0 },
      gateway: () => undefined,
      metrics: new GatewayMetrics({ processMetrics: false }),
      logger: createLogger({ level: 'silent' }),
    });
    try {
      await assert.rejects(
        startOpsServer({
          listen: first.address,
          gateway: () => undefined,
          metrics: new GatewayMetrics({ processMetrics: false }),
          logger: createLogger({ level: 'silent' }),
        }),
        { code: 'EADDRINUSE' },
      );
    } finally {
      await first.close();
    }
  });
});

describe('readiness', () => {
  it('maps health to status words and never calls a draining gateway ready', () => {
    assert.deepEqual(readiness(undefined), { status: 'starting', ready: false });
    const base = { xmpp: 'online', sip: true, activeCalls: 0 };
    assert.equal(readiness({ ...base, ready: true, draining: false }).status, 'ready');
    assert.equal(readiness({ ...base, ready: false, draining: false }).status, 'not-ready');
    assert.equal(readiness({ ...base, ready: false, draining: true }).status, 'draining');
  });
});
