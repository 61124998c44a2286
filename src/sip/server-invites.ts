/**
 * The INVITE server transactions the UA remembers: keyed by Call-ID and top Via branch (RFC 3261
 * §17.2.3, for CANCEL and retransmissions), and grouped by Call-ID for the checks that compare a
 * request with every transaction of its call — merged requests (§8.2.2.2) and requests inside an
 * early dialog (§12.1). Entries live on for 64·T1 after their transaction ends, so at a few
 * hundred calls per second the table holds tens of thousands: those checks must not scan it.
 */
import type { UasInvite } from './uas-invite.ts';

export class ServerInviteTable {
  private readonly byKey = new Map<string, UasInvite>();
  private readonly byCallId = new Map<string, UasInvite[]>();

  static key(callId: string, branch: string): string {
    return `${callId}\n${branch}`;
  }

  get size(): number {
    return this.byKey.size;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get(key: string): UasInvite | undefined {
    return this.byKey.get(key);
  }

  set(key: string, invite: UasInvite): void {
    this.delete(key);
    this.byKey.set(key, invite);
    const group = this.byCallId.get(invite.callId);
    if (group === undefined) this.byCallId.set(invite.callId, [invite]);
    else group.push(invite);
  }

  delete(key: string): void {
    const invite = this.byKey.get(key);
    if (invite === undefined) return;
    this.byKey.delete(key);
    const group = this.byCallId.get(invite.callId) ?? [];
    const rest = group.filter((other) => other !== invite);
    if (rest.length === 0) this.byCallId.delete(invite.callId);
    else this.byCallId.set(invite.callId, rest);
  }

  /** The remembered INVITE transactions of one Call-ID (usually one, a few after re-forking). */
  withCallId(callId: string): readonly UasInvite[] {
    return this.byCallId.get(callId) ?? [];
  }

  clear(): void {
    this.byKey.clear();
    this.byCallId.clear();
  }
}
