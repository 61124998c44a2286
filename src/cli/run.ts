/**
 * `jingle-sip-gateway run`: the service. Loads the configuration (config file < GW_* environment
 * < --set flags), then starts, in this order:
 *
 *   logger + metrics → ops HTTP server → gateway (XMPP component + SIP) → signal handlers
 *
 * The ops server comes first so /healthz answers and /readyz says `starting` (503) while the
 * component connects. The command returns once everything runs; the open sockets keep the
 * process alive until a signal drains and ends it (src/ops/shutdown.ts).
 */
import { readFileSync } from 'node:fs';
import type { DestinationStream } from 'pino';
import type { GatewayConfig } from '../config/schema.ts';
import { startOpsServer, type HealthSource, type OpsServer } from '../ops/http.ts';
import { createLogger, type Logger } from '../ops/logger.ts';
import { GatewayMetrics } from '../ops/metrics.ts';
import { installShutdown, type DrainableGateway, type ShutdownOptions } from '../ops/shutdown.ts';
import { loadServiceConfig, parseConfigArgs, printableConfig } from './check-config.ts';
import type { CliIo } from './io.ts';

export const runUsage = `Usage: jingle-sip-gateway run [--config FILE] [--set KEY=VALUE]...

Runs the gateway: an XMPP component (XEP-0114) and a SIP user agent, with health, readiness and
metrics on http.listen. Logs are JSON lines on standard output. SIGTERM or SIGINT drains (new
calls refused, active calls get up to shutdown.drainTimeoutMs) and stops; a second signal stops
at once.

Options:
  --config FILE      JSON config file (default: the file named by GW_CONFIG, if any)
  --set KEY=VALUE    one config key, e.g. --set log.level=debug (repeatable, the last wins)
  -h, --help         this text

Sources, later ones winning per key: config file < environment (GW_*) < --set.
'jingle-sip-gateway check-config' prints the configuration run would use. Keys and variables:
docs/configuration.md; operations: docs/operations.md.
Exit codes: 2 invalid configuration, 1 the gateway could not start; once running, 0 after a
drain, 1 after a second signal, an uncaught error or a drain that overran.
`;

/** The running gateway as this command uses it (src/main.ts Gateway satisfies it). */
export type RunningGateway = HealthSource & DrainableGateway;

export type StartGateway = (
  config: GatewayConfig,
  deps: { logger: Logger; metrics: GatewayMetrics },
) => Promise<RunningGateway>;

/** Seams for tests; production uses none of them. */
export interface RunOverrides {
  startGateway?: StartGateway;
  logDestination?: DestinationStream;
  installShutdown?: (options: ShutdownOptions) => () => void;
}

export async function runService(argv: string[], io: CliIo, overrides: RunOverrides = {}): Promise<number> {
  const args = parseConfigArgs('run', argv, runUsage);
  if (args.help) {
    io.stdout(runUsage);
    return 0;
  }
  const config = loadServiceConfig('run', args, io);
  const logger = createLogger({
    level: config.log.level,
    ...(overrides.logDestination !== undefined ? { destination: overrides.logDestination } : {}),
  });
  const metrics = new GatewayMetrics();
  logger.info({ version: packageVersion(), node: process.version, config: printableConfig(config) }, 'starting');

  let started: RunningGateway | undefined;
  let opsServer: OpsServer;
  try {
    opsServer = await startOpsServer({ listen: config.http.listen, gateway: () => started, metrics, logger });
  } catch (error) {
    logger.fatal({ err: error, listen: config.http.listen }, 'cannot start the ops HTTP server');
    return 1;
  }
  logger.info({ http: opsServer.address }, 'ops endpoint listening: /healthz /readyz /metrics');
  let gateway: RunningGateway;
  try {
    // Loaded here, not at the top: check-config and translate need none of the XMPP/SIP stacks.
    const start = overrides.startGateway ?? (await import('../main.ts')).startGateway;
    gateway = await start(config, { logger, metrics });
    started = gateway;
  } catch (error) {
    logger.fatal({ err: error }, 'cannot start the gateway');
    await opsServer.close();
    return 1;
  }
  (overrides.installShutdown ?? installShutdown)({
    gateway,
    opsServer,
    drainTimeoutMs: config.shutdown.drainTimeoutMs,
    logger,
  });
  logger.info({ health: gateway.health() }, 'gateway running');
  return 0;
}

function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
