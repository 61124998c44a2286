/**
 * The operations endpoint on `http.listen`: liveness, readiness and Prometheus metrics, for
 * orchestrators and scrapers on a private network. It serves three read-only paths and nothing
 * else, so it needs no framework.
 *
 *   GET /healthz  200 while the process runs (liveness: restart me only if this fails)
 *   GET /readyz   200 when the gateway takes calls; 503 while starting, not ready or draining
 *   GET /metrics  Prometheus text exposition
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.ts';
import type { GatewayMetrics } from './metrics.ts';

/** What Gateway.health() reports (src/main.ts). */
export interface GatewayHealth {
  ready: boolean;
  draining: boolean;
  xmpp: string;
  sip: boolean;
  activeCalls: number;
}

export interface HealthSource {
  health(): GatewayHealth;
}

export interface OpsServerOptions {
  listen: { host: string; port: number };
  /** The running gateway, or undefined while it starts: the server is up before the gateway is. */
  gateway: () => HealthSource | undefined;
  metrics: Pick<GatewayMetrics, 'metricsText' | 'contentType'>;
  logger: Logger;
}

export interface OpsServer {
  /** The bound address; the port is the real one when 0 was asked for. */
  readonly address: { host: string; port: number };
  /** Stops listening and ends idle keep-alive connections. Idempotent. */
  close(): Promise<void>;
}

/** `status` in the /readyz body: one word for dashboards, the flags for the details. */
export type ReadinessStatus = 'ready' | 'starting' | 'not-ready' | 'draining';

export interface ReadinessBody extends Partial<GatewayHealth> {
  status: ReadinessStatus;
  ready: boolean;
}

export function readiness(health: GatewayHealth | undefined): ReadinessBody {
  if (health === undefined) return { status: 'starting', ready: false };
  const status: ReadinessStatus = health.draining ? 'draining' : health.ready ? 'ready' : 'not-ready';
  // A draining gateway is never ready, whatever its own flag says: new calls would be refused.
  return { ...health, status, ready: health.ready && !health.draining };
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { logger } = options;
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      logger.warn({ err: error, path: request.url }, 'ops endpoint failed');
      if (!response.headersSent) sendText(response, 500, 'internal error\n');
      else response.destroy();
    });
  });
  // Probes and scrapers ask every few seconds; a stalled client must not hold a socket for long.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => {
    logger.error({ err: error }, 'ops endpoint error');
  });
  const bound = server.address() as AddressInfo;
  const address = { host: bound.address, port: bound.port };
  let closing: Promise<void> | undefined;
  return {
    address,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

async function handle(options: OpsServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://ops.invalid').pathname;
  options.logger.trace({ method: request.method, path }, 'ops request');
  const route = routes.get(path);
  if (route === undefined) {
    sendText(response, 404, 'not found\n');
  } else if (request.method !== 'GET' && request.method !== 'HEAD') {
    // RFC 9110 §9.1: a server that supports GET supports HEAD; Node leaves out the body itself.
    response.setHeader('Allow', 'GET, HEAD');
    sendText(response, 405, 'method not allowed\n');
  } else {
    await route(options, response);
  }
}

type Route = (options: OpsServerOptions, response: ServerResponse) => Promise<void> | void;

const routes = new Map<string, Route>([
  [
    '/healthz',
    (_options, response) => {
      sendJson(response, 200, { status: 'ok' });
    },
  ],
  [
    '/readyz',
    (options, response) => {
      const body = readiness(options.gateway()?.health());
      sendJson(response, body.ready ? 200 : 503, body);
    },
  ],
  [
    '/metrics',
    async (options, response) => {
      const text = await options.metrics.metricsText();
      send(response, 200, options.metrics.contentType, text);
    },
  ],
]);

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
}

function sendText(response: ServerResponse, status: number, text: string): void {
  send(response, status, 'text/plain; charset=utf-8', text);
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    // Health answers describe this instant: a cache between probe and gateway would lie.
    'Cache-Control': 'no-store',
  });
  response.end(body);
}
