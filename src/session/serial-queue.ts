/**
 * One queue per call: every event of a call (IQ, SIP message, timer) runs to completion before
 * the next starts, in arrival order, so the state machine never sees two events interleaved at
 * an `await`. A failing task does not stop the queue; a posted task's error goes to `onError`.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly onError: (err: unknown) => void) {}

  /**
   * Runs `task` after every earlier task; resolves or rejects with its outcome. The caller owns
   * the error (an IQ handler turns it into an error reply), so `onError` does not see it.
   */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(() => task());
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Like `run` for fire-and-forget events: errors go to `onError` only. */
  post(task: () => Promise<void> | void): void {
    if (this.closed) return;
    this.run(task).catch((err: unknown) => {
      this.onError(err);
    });
  }

  /** Later `post`s are dropped (the call is over); `run` still works for teardown. */
  close(): void {
    this.closed = true;
  }

  /** Resolves when every task queued so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}
