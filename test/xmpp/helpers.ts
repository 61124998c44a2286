import type { XmppPort, XmppStatus } from '../../src/xmpp/port.ts';

/** Resolves once `port.status` is `status` (at once if it already is). */
export function waitForStatus(port: XmppPort, status: XmppStatus, timeoutMs: number): Promise<void> {
  if (port.status === status) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`component status ${port.status}, not ${status}, after ${String(timeoutMs)} ms`));
    }, timeoutMs);
    port.onStatus((next) => {
      if (done || next !== status) return;
      done = true;
      clearTimeout(timer);
      resolve();
    });
  });
}
