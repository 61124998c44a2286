/**
 * Active calls by their two keys: the Jingle session (the XMPP party's full JID + sid, so a
 * stanza from anyone else about that sid is `unknown-session`, X166 §7.2) and the SIP Call-ID.
 */
import { bareJid } from './authorization.ts';
import type { Call } from './call.ts';

export class CallRegistry {
  private readonly byJingle = new Map<string, Call>();
  /** The Jingle keys bound to each call, so removing a call does not scan every session. */
  private readonly jingleKeysOf = new Map<Call, string[]>();
  private readonly byCallId = new Map<string, Call>();
  private readonly calls = new Set<Call>();
  /** Calls not answered yet: what admission control's `overload.maxSetups` bounds (src/session/admission.ts). */
  private readonly unanswered = new Set<Call>();
  private readonly emptyWaiters = new Set<() => void>();
  /** XMPP → SIP calls in progress per caller (lowercased bare JID), for the per-user limit. */
  private readonly placedBy = new Map<string, number>();
  private readonly callerOf = new Map<Call, string>();

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
    this.unanswered.add(call);
    this.byCallId.set(call.callId, call);
    if (call.direction === 'xmpp-to-sip') {
      const caller = bareJid(call.peerJid);
      this.callerOf.set(call, caller);
      this.placedBy.set(caller, (this.placedBy.get(caller) ?? 0) + 1);
    }
  }

  /** XMPP → SIP calls in progress placed by `bareJid` (lowercased, no resource). */
  callsPlacedBy(bareJid: string): number {
    return this.placedBy.get(bareJid) ?? 0;
  }

  /** The call was answered: its set-up is over (Call.answered). */
  established(call: Call): void {
    this.unanswered.delete(call);
  }

  /** Binds the Jingle key once the XMPP party's full JID is known (after JMI proceed). */
  bindJingle(call: Call, peerJid: string, sid: string): void {
    const key = CallRegistry.jingleKey(peerJid, sid);
    this.byJingle.set(key, call);
    const keys = this.jingleKeysOf.get(call);
    if (keys === undefined) this.jingleKeysOf.set(call, [key]);
    else keys.push(key);
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

  /** Of the calls that have not ended, those not answered yet. */
  get settingUp(): number {
    return this.unanswered.size;
  }

  all(): Call[] {
    return [...this.calls];
  }

  remove(call: Call): void {
    if (!this.calls.delete(call)) return;
    this.unanswered.delete(call);
    if (this.byCallId.get(call.callId) === call) this.byCallId.delete(call.callId);
    for (const key of this.jingleKeysOf.get(call) ?? []) if (this.byJingle.get(key) === call) this.byJingle.delete(key);
    this.jingleKeysOf.delete(call);
    const caller = this.callerOf.get(call);
    if (caller !== undefined) {
      this.callerOf.delete(call);
      const left = (this.placedBy.get(caller) ?? 1) - 1;
      if (left > 0) this.placedBy.set(caller, left);
      else this.placedBy.delete(caller);
    }
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
