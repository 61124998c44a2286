/**
 * Process shutdown for `run`, through close-with-grace. This file orders the steps; how the
 * gateway refuses and ends calls is Gateway.drain's business.
 *
 *   SIGTERM / SIGINT     drain (refuse new calls, wait up to drainTimeoutMs, end the rest),
 *                        close the gateway, close the ops server last, exit 0
 *   second signal        exit 1 at once, without waiting for the drain
 *   uncaught exception / close the gateway and the ops server without draining, exit 1
 *   unhandled rejection
 *   everything takes     exit 1 (a drain that hangs must not keep a rolling update waiting)
 *   longer than the drain limit plus closeGraceMs
 *
 * The ops server stays up during the drain: /readyz answers 503 `draining` so a load balancer
 * stops sending new calls while the current ones finish.
 */
import closeWithGrace from 'close-with-grace';
import type { Logger } from './logger.ts';

/** What shutdown needs of the gateway (src/main.ts Gateway). */
export interface DrainableGateway {
  drain(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface ShutdownOptions {
  gateway: DrainableGateway;
  opsServer: { close(): Promise<void> };
  drainTimeoutMs: number;
  logger: Logger;
  /** Time allowed after the drain limit for BYEs, session-terminates and socket closes. Default 10 s. */
  closeGraceMs?: number;
}

/**
 * close-with-grace also catches these; only SIGTERM and SIGINT drain, the rest keep Node's
 * default action (a fault signal must still end the process at once).
 */
const otherSignals = [
  'SIGHUP',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGSEGV',
  'SIGUSR2',
] as const satisfies readonly closeWithGrace.AllEvents[];

/** Installs the handlers; returns a function that removes them again (tests, embedding). */
export function installShutdown(options: ShutdownOptions): () => void {
  const { gateway, opsServer, drainTimeoutMs, logger } = options;
  const delay = drainTimeoutMs + (options.closeGraceMs ?? 10_000);
  const handle = closeWithGrace(
    {
      delay,
      skip: [...otherSignals],
      logger: {
        error: (message: unknown) => {
          logger.error({ detail: message }, 'shutdown');
        },
      },
      onSecondSignal: (signal) => {
        logger.warn({ signal }, 'second signal: exiting without waiting for calls');
      },
      onSecondError: (error) => {
        logger.fatal({ err: error }, 'error while shutting down: exiting');
      },
      onTimeout: (ms) => {
        logger.error({ delayMs: ms }, 'shutdown took too long: exiting');
      },
    },
    async ({ signal, err }) => {
      if (err !== undefined) {
        logger.fatal({ err }, 'uncaught error: closing without draining');
      } else if (signal !== undefined) {
        logger.info({ signal, drainTimeoutMs }, 'draining: refusing new calls');
        try {
          await gateway.drain(drainTimeoutMs);
          logger.info('drained');
        } catch (error) {
          // The stream and sockets must still be closed; the exit status stays 0 (a requested stop).
          logger.error({ err: error }, 'drain failed: closing');
        }
      }
      await gateway.close();
      await opsServer.close();
      logger.info({ exitCode: err === undefined ? 0 : 1 }, 'stopped');
    },
  );
  return handle.uninstall;
}
