/**
 * Active calls by their two keys: the Jingle session (the XMPP party's full JID + sid, so a
 * stanza from anyone else about that sid is `unknown-session`, X166 §7.2) and the SIP Call-ID.
 */
import type { Call } from './call.ts';

export class CallRegistry {
  private readonly byJingle = new Map<string, Call>();
  private readonly byCallId = new Map<string, Call>();
  private readonly calls = new Set<Call>();
  private readonly emptyWaiters = new Set<() => void>();

  /**
   * Local part and domain compare case-insensitively, the resource exactly [RFC 7622 §3.2–§3.4]:
   * the server may stamp `from` in another case than the JID the call was placed to.
   */
  static jingleKey(peerJid: string, sid: string): string {
    const slash = peerJid.indexOf('/');
    const bare = slash < 0 ? peerJid : peerJid.slice(0, slash);
    const resource = slash < 0 ? '' : peerJid.slice(slash);
    return `${bare.toLowerCase()}${resource}\u0000${sid}`;
  }

  add(call: Call): void {
    this.calls.add(call);
    this.byCallId.set(call.callId, call);
  }

  /** Binds the Jingle key once the XMPP party's full JID is known (after JMI proceed). */
  bindJingle(call: Call, peerJid: string, sid: string): void {
    this.byJingle.set(CallRegistry.jingleKey(peerJid, sid), call);
  }

  findByJingle(peerJid: string, sid: string): Call | undefined {
    return this.byJingle.get(CallRegistry.jingleKey(peerJid, sid));
  }

  findByCallId(callId: string): Call | undefined {
    return this.byCallId.get(callId);
  }

  /** Calls that have not ended, for /readyz, metrics and drain. */
  get size(): number {
    return this.calls.size;
  }

  all(): Call[] {
    return [...this.calls];
  }

  remove(call: Call): void {
    if (!this.calls.delete(call)) return;
    if (this.byCallId.get(call.callId) === call) this.byCallId.delete(call.callId);
    for (const [key, value] of this.byJingle) if (value === call) this.byJingle.delete(key);
    if (this.calls.size === 0) for (const wake of [...this.emptyWaiters]) wake();
  }

  /** Resolves when no call is left, or after `timeoutMs`; true when empty. */
  waitUntilEmpty(timeoutMs: number): Promise<boolean> {
    if (this.calls.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (empty: boolean) => {
        clearTimeout(timer);
        this.emptyWaiters.delete(wake);
        resolve(empty);
      };
      const wake = () => {
        done(true);
      };
      const timer = setTimeout(() => {
        done(false);
      }, timeoutMs);
      this.emptyWaiters.add(wake);
    });
  }
}
