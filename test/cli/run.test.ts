/**
 * `run`: configuration errors exit 2 before anything starts; with a fake gateway, the start order
 * (ops server before the gateway), the startup log line and the shutdown wiring.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/io.ts';
import { runService, type RunningGateway, type StartGateway } from '../../src/cli/run.ts';
import type { GatewayConfig } from '../../src/config/schema.ts';
import { startOpsServer } from '../../src/ops/http.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { GatewayMetrics } from '../../src/ops/metrics.ts';
import type { ShutdownOptions } from '../../src/ops/shutdown.ts';

const root = new URL('../../', import.meta.url).pathname;
const env = {
  GW_XMPP_DOMAIN: 'gw.example.test',
  GW_XMPP_SERVICE: 'xmpp://127.0.0.1:5347',
  GW_XMPP_SECRET: 'run-test-secret-Hq4',
  GW_SIP_DOMAIN: 'sip.example.test',
  GW_HTTP_LISTEN: '127.0.0.1:0',
  GW_SHUTDOWN_DRAIN_TIMEOUT_MS: '4321',
};

function fakeIo(environment: Record<string, string>): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    readStdin: () => Promise.resolve(''),
    env: environment,
  };
}

function logCapture() {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    destination: { write: (text: string) => void lines.push(JSON.parse(text) as Record<string, unknown>) },
  };
}

function getJson(port: number, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const fakeGateway: RunningGateway = {
  health: () => ({ ready: true, draining: false, xmpp: 'online', sip: true, activeCalls: 0 }),
  drain: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

describe('jingle-sip-gateway run', () => {
  it('exits 2 listing every configuration problem, before logging or starting anything', () => {
    const r = spawnSync(process.execPath, [`${root}bin/jingle-sip-gateway`, 'run', '--set', 'log.level=loud'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', GW_XMPP_DOMAIN: 'gw.example.test' },
    });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines[0], 'jingle-sip-gateway: run: invalid configuration');
    assert.ok(lines.some((l) => l.startsWith('xmpp.service: is required')));
    assert.ok(lines.some((l) => l.startsWith('xmpp.secret: is required')));
    assert.ok(lines.some((l) => l.startsWith('sip.domain: is required')));
    assert.ok(lines.some((l) => l.startsWith('--set log.level: ')));
  });

  it('starts the ops server, then the gateway, then installs shutdown, and logs the redacted config', async () => {
    const log = logCapture();
    let readyzWhileStarting: unknown;
    let startedWith: { config: GatewayConfig; metrics: unknown } | undefined;
    let shutdown: ShutdownOptions | undefined;
    const startGateway: StartGateway = async (config, deps) => {
      startedWith = { config, metrics: deps.metrics };
      const listening = log.lines.find((l) => l.msg === 'ops endpoint listening: /healthz /readyz /metrics');
      const port = (listening?.http as { port: number }).port;
      readyzWhileStarting = await getJson(port, '/readyz');
      return fakeGateway;
    };
    const code = await runService([], fakeIo(env), {
      startGateway,
      logDestination: log.destination,
      installShutdown: (options) => {
        shutdown = options;
        return () => undefined;
      },
    });
    assert.equal(code, 0);
    try {
      assert.deepEqual(readyzWhileStarting, { status: 503, body: { status: 'starting', ready: false } });
      assert.equal(startedWith?.config.xmpp.secret, 'run-test-secret-Hq4');
      assert.ok(startedWith?.metrics instanceof GatewayMetrics);
      assert.equal(shutdown?.drainTimeoutMs, 4321);
      assert.equal(shutdown?.gateway, fakeGateway);
      assert.deepEqual(
        log.lines.map((l) => l.msg),
        ['starting', 'ops endpoint listening: /healthz /readyz /metrics', 'gateway running'],
      );
      const config = log.lines[0]?.config as { xmpp: Record<string, unknown>; http: unknown; sip: unknown };
      assert.equal(config.xmpp.secret, '[redacted]');
      assert.deepEqual(config.http, { listen: '127.0.0.1:0' });
      assert.deepEqual((config.sip as { domain: string; listen: string[] }).domain, 'sip.example.test');
      assert.deepEqual((config.sip as { domain: string; listen: string[] }).listen, [
        'udp:0.0.0.0:5060',
        'tcp:0.0.0.0:5060',
      ]);
      assert.equal(JSON.stringify(log.lines).includes('run-test-secret-Hq4'), false);
      const port = (log.lines[1]?.http as { port: number }).port;
      assert.deepEqual(await getJson(port, '/readyz'), {
        status: 200,
        body: { status: 'ready', ready: true, draining: false, xmpp: 'online', sip: true, activeCalls: 0 },
      });
    } finally {
      await shutdown?.opsServer.close();
    }
  });

  it('exits 1 and closes the ops server when the gateway cannot start', async () => {
    const log = logCapture();
    let installed = false;
    const code = await runService([], fakeIo(env), {
      startGateway: () => Promise.reject(new Error('handshake refused')),
      logDestination: log.destination,
      installShutdown: () => {
        installed = true;
        return () => undefined;
      },
    });
    assert.equal(code, 1);
    assert.equal(installed, false);
    const fatal = log.lines.find((l) => l.msg === 'cannot start the gateway');
    assert.equal(fatal?.level, 'fatal');
    assert.equal((fatal?.err as { message: string }).message, 'handshake refused');
    const port = (log.lines[1]?.http as { port: number }).port;
    await assert.rejects(getJson(port, '/healthz'), { code: 'ECONNREFUSED' });
  });

  it('exits 1 without starting the gateway when http.listen is taken', async () => {
    const taken = await startOpsServer({
      listen: { host: '127.0.0.1', port: 0 },
      gateway: () => undefined,
      metrics: new GatewayMetrics({ processMetrics: false }),
      logger: createLogger({ level: 'silent' }),
    });
    try {
      const log = logCapture();
      let started = false;
      const code = await runService(['--set', `http.listen=127.0.0.1:${taken.address.port}`], fakeIo(env), {
        startGateway: () => {
          started = true;
          return Promise.resolve(fakeGateway);
        },
        logDestination: log.destination,
        installShutdown: () => () => undefined,
      });
      assert.equal(code, 1);
      assert.equal(started, false);
      const fatal = log.lines.find((l) => l.msg === 'cannot start the ops HTTP server');
      assert.equal((fatal?.err as { code: string }).code, 'EADDRINUSE');
    } finally {
      await taken.close();
    }
  });

  it('prints its help with exit 0', async () => {
    const io = fakeIo({});
    assert.equal(await runService(['--help'], io), 0);
    assert.match(io.out.join(''), /^Usage: jingle-sip-gateway run \[--config FILE\]/);
  });
});
