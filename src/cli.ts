/**
 * jingle-sip-gateway command line: `run` (the service), `check-config` (the configuration `run`
 * would use) and `translate` (offline Jingle ⇄ SDP).
 *
 * Exit codes: 0 success, 1 the input was rejected by the mapping (a GatewayError) or the service
 * could not start, 2 usage or configuration error.
 */
import { runCheckConfig } from './cli/check-config.ts';
import { runService } from './cli/run.ts';
import { runTranslate } from './cli/translate.ts';
import { CliUsageError, type CliIo } from './cli/io.ts';

const usage = `Usage: jingle-sip-gateway <command> [options]

Commands:
  run            Run the gateway service (XMPP component + SIP user agent)
  check-config   Print the effective configuration (secrets redacted), or every problem in it
  translate      Translate a Jingle element to SDP or SDP to a Jingle element, offline

Run 'jingle-sip-gateway <command> --help' for a command's options.
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(usage);
      return command === undefined ? 2 : 0;
    }
    if (command === 'run') return await runService(rest, io);
    if (command === 'check-config') return runCheckConfig(rest, io);
    if (command === 'translate') return await runTranslate(rest, io);
    throw new CliUsageError(`unknown command '${command}'`);
  } catch (err) {
    if (err instanceof CliUsageError) {
      io.stderr(`jingle-sip-gateway: ${err.message}\n${err.showUsage ? usage : ''}`);
      return 2;
    }
    throw err;
  }
}

const isEntryPoint = process.argv[1] !== undefined && /jingle-sip-gateway$|cli\.[jt]s$/.test(process.argv[1]);
if (isEntryPoint) {
  const io: CliIo = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
