/** The CLI's view of its process, injected so commands are testable without spawning. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  env: Readonly<Record<string, string | undefined>>;
}

/** A usage or configuration problem: exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
  constructor(
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
  }
}
