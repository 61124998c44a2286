/**
 * Stanzas written in one turn of the event loop leave the process in one write. Under load the
 * gateway handles a batch of SIP messages and stanzas per turn, and a TCP send per stanza was the
 * largest single cost in the CPU profile (docs/performance.md): corking turns the batch into one
 * writev. The socket is uncorked in the same turn (the check phase), so no stanza waits for a timer.
 */
import type { Socket } from 'node:net';

/** Returns the function to call before each write on the socket `current()` returns. */
export function writeCoalescer(current: () => Socket | null): () => void {
  let corked: Socket | undefined;
  return () => {
    const socket = current();
    if (socket === null || corked === socket) return;
    corked = socket;
    socket.cork();
    setImmediate(() => {
      corked = undefined;
      socket.uncork();
    });
  };
}
