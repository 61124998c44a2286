/**
 * One call's lifecycle, shared by both directions. States are string enums (logged as is); every
 * change goes through `nextCallState`, which refuses a transition the table does not list, so a
 * terminated call can never revive and an answer can never precede its offer.
 *
 *   XMPP→SIP: Initiating → Calling → Ringing → Active → Terminated
 *   SIP→XMPP: Initiating → [Proposing → Proceeding] → Calling → Ringing → Active → Terminated
 *
 * `Initiating` validates and maps the offer; `Proposing` waits for a XEP-0353 proceed; `Calling`
 * has the offer out (INVITE or session-initiate); `Ringing` saw a provisional / ringing; `Active`
 * is answered (200 + ACK, or session-accept); `Terminated` is final [RFC 3261 §12, §13; X166 §6].
 */
export enum CallState {
  Initiating = 'initiating',
  Proposing = 'proposing',
  Proceeding = 'proceeding',
  Calling = 'calling',
  Ringing = 'ringing',
  Active = 'active',
  Terminated = 'terminated',
}

export type CallDirection = 'xmpp-to-sip' | 'sip-to-xmpp';

/** What the caller learns when a call ends; also the metrics outcome label. */
export type CallOutcome = 'answered' | 'rejected' | 'cancelled' | 'failed' | 'timeout' | 'refused';

const transitions: Readonly<Record<CallState, readonly CallState[]>> = {
  [CallState.Initiating]: [CallState.Proposing, CallState.Calling, CallState.Terminated],
  [CallState.Proposing]: [CallState.Proceeding, CallState.Terminated],
  [CallState.Proceeding]: [CallState.Calling, CallState.Terminated],
  [CallState.Calling]: [CallState.Ringing, CallState.Active, CallState.Terminated],
  [CallState.Ringing]: [CallState.Active, CallState.Terminated],
  [CallState.Active]: [CallState.Terminated],
  [CallState.Terminated]: [],
};

export class CallStateError extends Error {
  constructor(
    readonly from: CallState,
    readonly to: CallState,
  ) {
    super(`call cannot go from ${from} to ${to}`);
    this.name = 'CallStateError';
  }
}

/** The guarded transition: returns `to`, or throws CallStateError when the table forbids it. */
export function nextCallState(from: CallState, to: CallState): CallState {
  if (!transitions[from].includes(to)) throw new CallStateError(from, to);
  return to;
}

export function canTransition(from: CallState, to: CallState): boolean {
  return transitions[from].includes(to);
}

/** States in which the call has not been answered yet (SIP: before the final response). */
export function isPending(state: CallState): boolean {
  return state !== CallState.Active && state !== CallState.Terminated;
}
