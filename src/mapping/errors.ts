/**
 * One error type that answers both sides of the gateway. Every rejection made by the mapping
 * core is a GatewayError whose stable `code` selects a catalogue entry: the XMPP error condition
 * (or the Jingle reason when the IQ is acknowledged and the session then terminated), and the
 * SIP status (with Warning code) it maps to. docs/errors.md documents the same catalogue.
 */

/** RFC 6120 §8.3.3 defined conditions used by the gateway. */
export type XmppCondition =
  | 'bad-request'
  | 'conflict'
  | 'feature-not-implemented'
  | 'forbidden'
  | 'gone'
  | 'internal-server-error'
  | 'item-not-found'
  | 'jid-malformed'
  | 'not-acceptable'
  | 'not-allowed'
  | 'not-authorized'
  | 'policy-violation'
  | 'recipient-unavailable'
  | 'redirect'
  | 'registration-required'
  | 'remote-server-not-found'
  | 'remote-server-timeout'
  | 'resource-constraint'
  | 'service-unavailable'
  | 'subscription-required'
  | 'undefined-condition'
  | 'unexpected-request';

export type XmppErrorType = 'cancel' | 'modify' | 'wait' | 'auth';

/** XEP-0166 §10 application error conditions (`urn:xmpp:jingle:errors:1`). */
export type JingleErrorCondition =
  'unknown-session' | 'out-of-order' | 'tie-break' | 'unsupported-info' | 'security-required';

/** XEP-0166 §7.4 reason conditions. */
export type JingleReason =
  | 'alternative-session'
  | 'busy'
  | 'cancel'
  | 'connectivity-error'
  | 'decline'
  | 'expired'
  | 'failed-application'
  | 'failed-transport'
  | 'general-error'
  | 'gone'
  | 'incompatible-parameters'
  | 'media-error'
  | 'security-error'
  | 'success'
  | 'timeout'
  | 'unsupported-applications'
  | 'unsupported-transports';

/**
 * How the XMPP side learns of the error: `iq-error` answers the IQ with an error; `terminate`
 * acknowledges the IQ and then ends the session with a reason [X166 §6.3.2].
 */
export type XmppDisposition = 'iq-error' | 'terminate';

export interface ErrorEntry {
  /** When the error is raised while handling a Jingle request. */
  xmpp: { disposition: XmppDisposition; condition: XmppCondition; type: XmppErrorType; jingle?: JingleErrorCondition };
  /** Reason for the session-terminate (disposition `terminate`, or teardown after a SIP answer). */
  reason: JingleReason;
  /** Final response to an INVITE (or BYE Reason cause) and the Warning code [RFC 3261 §20.43]. */
  sip: { status: number; warning?: number };
}

const iq = (
  condition: XmppCondition,
  type: XmppErrorType = 'cancel',
  jingle?: JingleErrorCondition,
): ErrorEntry['xmpp'] =>
  jingle === undefined
    ? { disposition: 'iq-error', condition, type }
    : { disposition: 'iq-error', condition, type, jingle };
const terminate = (condition: XmppCondition = 'not-acceptable'): ErrorEntry['xmpp'] => ({
  disposition: 'terminate',
  condition,
  type: 'cancel',
});

export const errorCatalogue = {
  // --- Jingle stanza structure [X166 §6.3.2, §7, §10] ---
  'malformed-jingle': { xmpp: iq('bad-request'), reason: 'general-error', sip: { status: 400 } },
  'unknown-action': { xmpp: iq('bad-request'), reason: 'general-error', sip: { status: 400 } },
  'unsupported-jingle-namespace': { xmpp: iq('service-unavailable'), reason: 'general-error', sip: { status: 400 } },
  'non-session-disposition': {
    xmpp: iq('bad-request'),
    reason: 'failed-application',
    sip: { status: 488, warning: 304 },
  },
  'unknown-session': {
    xmpp: iq('item-not-found', 'cancel', 'unknown-session'),
    reason: 'general-error',
    sip: { status: 481 },
  },
  'out-of-order': {
    xmpp: iq('unexpected-request', 'wait', 'out-of-order'),
    reason: 'general-error',
    sip: { status: 491 },
  },
  'tie-break': { xmpp: iq('conflict', 'cancel', 'tie-break'), reason: 'general-error', sip: { status: 491 } },
  'unsupported-info': {
    xmpp: iq('feature-not-implemented', 'modify', 'unsupported-info'),
    reason: 'general-error',
    sip: { status: 501 },
  },
  // --- fingerprints and hashes [§4] ---
  'fingerprint-syntax': { xmpp: iq('bad-request'), reason: 'security-error', sip: { status: 488, warning: 399 } },
  'fingerprint-length': { xmpp: iq('bad-request'), reason: 'security-error', sip: { status: 488, warning: 399 } },
  'hash-not-allowed': { xmpp: terminate(), reason: 'security-error', sip: { status: 488, warning: 399 } },
  // --- setup roles [§3] ---
  'setup-missing': { xmpp: iq('bad-request'), reason: 'incompatible-parameters', sip: { status: 488, warning: 399 } },
  'setup-invalid': { xmpp: iq('bad-request'), reason: 'incompatible-parameters', sip: { status: 488, warning: 305 } },
  'setup-conflict': { xmpp: terminate(), reason: 'incompatible-parameters', sip: { status: 488, warning: 305 } },
  'xtls-role-conflict': { xmpp: terminate(), reason: 'security-error', sip: { status: 488, warning: 399 } },
  'holdconn-offer': { xmpp: terminate(), reason: 'incompatible-parameters', sip: { status: 488, warning: 399 } },
  'xtls-passive-offer': { xmpp: terminate(), reason: 'security-error', sip: { status: 488, warning: 399 } },
  // --- security selection [§1.3] ---
  'xtls-without-fingerprint': { xmpp: terminate(), reason: 'security-error', sip: { status: 488, warning: 399 } },
  'no-dtls-mechanism': { xmpp: terminate(), reason: 'security-error', sip: { status: 488, warning: 399 } },
  'answer-without-dtls': { xmpp: terminate(), reason: 'security-error', sip: { status: 488, warning: 399 } },
  'new-dtls-association': { xmpp: iq('not-acceptable'), reason: 'security-error', sip: { status: 488, warning: 399 } },
  // --- media and transports [§1.2–§1.6] ---
  'ice-credentials': { xmpp: iq('bad-request'), reason: 'failed-transport', sip: { status: 400 } },
  'unsupported-transport': {
    xmpp: terminate(),
    reason: 'unsupported-transports',
    sip: { status: 488, warning: 302 },
  },
  'unsupported-application': {
    xmpp: terminate(),
    reason: 'unsupported-applications',
    sip: { status: 488, warning: 304 },
  },
  'no-usable-media': { xmpp: terminate(), reason: 'incompatible-parameters', sip: { status: 488, warning: 304 } },
  'sdp-syntax': { xmpp: iq('bad-request'), reason: 'incompatible-parameters', sip: { status: 400 } },
  // --- input limits [issue 4; RFC 6120 §8.3.3.12 policy-violation: retry with less; limits.ts] ---
  'sdp-limit': {
    xmpp: iq('policy-violation', 'modify'),
    reason: 'incompatible-parameters',
    sip: { status: 488, warning: 399 },
  },
  'jingle-limit': {
    xmpp: iq('policy-violation', 'modify'),
    reason: 'general-error',
    sip: { status: 488, warning: 399 },
  },
  'offer-answer-mismatch': {
    xmpp: iq('bad-request'),
    reason: 'incompatible-parameters',
    sip: { status: 488, warning: 305 },
  },
  // --- SIP request handling [§6.9] ---
  'offerless-invite': { xmpp: terminate(), reason: 'incompatible-parameters', sip: { status: 488, warning: 399 } },
  'unsupported-media-type': { xmpp: terminate(), reason: 'failed-application', sip: { status: 415 } },
  'unsupported-uri-scheme': { xmpp: iq('item-not-found'), reason: 'general-error', sip: { status: 416 } },
  // --- addresses [§7] ---
  'callee-unmappable': { xmpp: iq('item-not-found'), reason: 'general-error', sip: { status: 404 } },
  'caller-unmappable': { xmpp: iq('forbidden'), reason: 'general-error', sip: { status: 403, warning: 399 } },
  // --- service policy [issue: allowed domains, drain] ---
  'caller-not-allowed': { xmpp: iq('forbidden'), reason: 'general-error', sip: { status: 403, warning: 399 } },
  // --- call authorization [issue 4; src/session/authorization.ts; RFC 6120 §8.3.3.18 resource-constraint: wait] ---
  'destination-denied': { xmpp: iq('forbidden'), reason: 'general-error', sip: { status: 403, warning: 399 } },
  'call-rate-exceeded': { xmpp: iq('resource-constraint', 'wait'), reason: 'general-error', sip: { status: 503 } },
  'concurrent-calls-exceeded': {
    xmpp: iq('resource-constraint', 'wait'),
    reason: 'general-error',
    sip: { status: 503 },
  },
  'gateway-draining': { xmpp: iq('service-unavailable', 'wait'), reason: 'general-error', sip: { status: 503 } },
  // Admission control [src/session/admission.ts; RFC 6120 §8.3.3.18; RFC 3261 §21.5.4 with Retry-After].
  'gateway-overloaded': { xmpp: iq('resource-constraint', 'wait'), reason: 'general-error', sip: { status: 503 } },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof errorCatalogue;

/**
 * An expected, catchable rejection (SIP.js's Exception vs Error split): bad input, never a bug.
 * `message` is the human sentence; it becomes the IQ error `<text/>`, the Jingle reason
 * `<text/>` or the SIP Warning text.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly code: ErrorCode;
  readonly entry: ErrorEntry;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.entry = errorCatalogue[code];
  }

  get xmppCondition(): XmppCondition {
    return this.entry.xmpp.condition;
  }

  get jingleReason(): JingleReason {
    return this.entry.reason;
  }

  get sipStatus(): number {
    return this.entry.sip.status;
  }

  /** `Warning: <code> <host> "<text>"` [RFC 3261 §20.43], when the entry has a warning code. */
  sipWarning(host: string): string | undefined {
    const code = this.entry.sip.warning;
    if (code === undefined) return undefined;
    return `${code} ${host} "${this.message.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  }
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
