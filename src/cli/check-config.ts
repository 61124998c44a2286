/**
 * `jingle-sip-gateway check-config`: loads the service configuration exactly as `run` does
 * (config file < GW_* environment < --set flags) and prints it with secrets masked, or prints
 * every problem. Lets an operator see what the service would run with before starting it.
 */
import { parseArgs } from 'node:util';
import { formatProblems, loadGatewayConfig, redactConfig } from '../config/load.ts';
import type { GatewayConfig } from '../config/schema.ts';
import type { ConfigResult } from '../config/load.ts';
import type { HostPort, SipListenAddress } from '../config/formats.ts';
import { CliUsageError, type CliIo } from './io.ts';

export const checkConfigUsage = `Usage: jingle-sip-gateway check-config [--config FILE] [--set KEY=VALUE]...

Prints the effective service configuration as JSON, secrets shown as [redacted], and exits 0;
or lists every problem, one per line, and exits 2.

Options:
  --config FILE      JSON config file (default: the file named by GW_CONFIG, if any)
  --set KEY=VALUE    one config key, e.g. --set log.level=debug (repeatable, the last wins)
  -h, --help         this text

Sources, later ones winning per key: config file < environment (GW_*) < --set.
Keys and variables: docs/configuration.md.
`;

export interface ConfigArgs {
  help: boolean;
  config?: string | undefined;
  sets: string[];
}

/** The options `run` and `check-config` share; anything else is a usage error. */
export function parseConfigArgs(command: string, argv: string[], usage: string): ConfigArgs {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        set: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return { help: values.help === true, config: values.config, sets: values.set ?? [] };
  } catch (err) {
    throw new CliUsageError(`${command}: ${(err as Error).message}\n\n${usage}`);
  }
}

/** Loads the service configuration from the command line's sources; a usage error lists every problem. */
export function loadServiceConfig(command: string, args: ConfigArgs, io: CliIo): GatewayConfig {
  const loaded: ConfigResult<GatewayConfig> = loadGatewayConfig({ file: args.config, env: io.env, sets: args.sets });
  if (!loaded.ok) throw new CliUsageError(`${command}: invalid configuration\n${formatProblems(loaded.problems)}`);
  return loaded.config;
}

export function runCheckConfig(argv: string[], io: CliIo): number {
  const args = parseConfigArgs('check-config', argv, checkConfigUsage);
  if (args.help) {
    io.stdout(checkConfigUsage);
    return 0;
  }
  const config = loadServiceConfig('check-config', args, io);
  io.stdout(`${JSON.stringify(printableConfig(config), null, 2)}\n`);
  return 0;
}

/**
 * The configuration as a config file would write it (listen addresses back in their `HOST:PORT`
 * text form), secrets masked: for `check-config` and the startup log line.
 */
export function printableConfig(config: GatewayConfig): Record<string, unknown> {
  const fileForm = {
    ...config,
    sip: { ...config.sip, listen: config.sip.listen.map(sipListenText) },
    http: { ...config.http, listen: hostPortText(config.http.listen) },
  };
  return redactConfig(fileForm);
}

function hostPortText({ host, port }: HostPort): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function sipListenText(address: SipListenAddress): string {
  return `${address.transport}:${hostPortText(address)}`;
}
