/**
 * IQ errors ⇄ SIP status (spec §6.5) [RFC 7247 §7.1 Table 2, §7.2 Table 3; X166 §10; RFC 6086
 * §4.2.2; RFC 6120 §8.3.3]. The XMPP layer renders the stanzas; these functions only choose.
 */
import { errorCatalogue, type JingleErrorCondition, type XmppCondition, type XmppErrorType } from '../errors.ts';
import { sipReasonPhrase } from './sip-status.ts';

/** A final response the SIP side sends; `contact` for 3xx, `warning` a Warning header value. */
export interface SipResponseSpec {
  status: number;
  phrase: string;
  warning?: string;
  contact?: string;
}

/** An IQ error the XMPP layer sends: defined condition, type, Jingle application condition. */
export interface IqErrorSpec {
  condition: XmppCondition;
  type: XmppErrorType;
  jingle?: JingleErrorCondition;
}

const response = (status: number): SipResponseSpec => ({ status, phrase: sipReasonPhrase(status) });

// [spec §6.5] after RFC 7247 Table 2; gone, registration-required, subscription-required and
// undefined-condition are not in the spec's list and follow RFC 7247 Table 2 directly.
const statusForCalleeCondition: Readonly<Record<XmppCondition, number>> = {
  'bad-request': 400,
  'jid-malformed': 400,
  conflict: 400,
  'registration-required': 400,
  'subscription-required': 400,
  'undefined-condition': 400,
  'item-not-found': 404,
  'remote-server-not-found': 404,
  'service-unavailable': 403,
  forbidden: 403,
  'not-allowed': 403,
  'policy-violation': 403,
  redirect: 302,
  gone: 410,
  'not-authorized': 401,
  'feature-not-implemented': 405,
  'not-acceptable': 406,
  'recipient-unavailable': 480,
  'remote-server-timeout': 408,
  'resource-constraint': 500,
  'internal-server-error': 500,
  'unexpected-request': 491,
};

/**
 * The final response to the SIP caller when the XMPP callee answers the gateway's
 * session-initiate, disco#info or JMI `<propose/>` with an IQ error. `redirectTarget` is the
 * `<redirect/>` (or `<gone/>`) address already mapped to a SIP URI per spec §7.5: it becomes the
 * Contact of 302 (301 for `<gone/>`). A `<redirect/>` without a usable target cannot be a 302
 * (nothing to retry at), so it reads as "temporarily elsewhere": 480.
 */
export function sipStatusForCalleeIqError(condition: XmppCondition, redirectTarget?: string): SipResponseSpec {
  if (condition === 'redirect' || condition === 'gone') {
    if (redirectTarget !== undefined) {
      return { ...response(condition === 'redirect' ? 302 : 301), contact: redirectTarget };
    }
    if (condition === 'redirect') return response(480);
  }
  return response(statusForCalleeCondition[condition]);
}

/** No response to the gateway's IQ within `jingle.iqTimeoutMs` [spec §0.1, §6.5]. */
export function sipStatusForCalleeIqTimeout(): SipResponseSpec {
  return response(408);
}

/**
 * The response to a SIP request (re-INVITE, UPDATE, INFO, …) whose Jingle counterpart the XMPP
 * peer answered with an IQ error [spec §6.5; X166 §10]. `method` is the SIP method, case-sensitive
 * [RFC 3261 §7.1]. Pairs the spec does not list fall back to the callee table.
 */
export function sipStatusForInDialogIqError(
  condition: XmppCondition,
  appCondition: JingleErrorCondition | undefined,
  method: string,
): SipResponseSpec {
  if (condition === 'item-not-found' && appCondition === 'unknown-session') return response(481);
  if (condition === 'conflict' && appCondition === 'tie-break') return response(491);
  if (condition === 'unexpected-request' && appCondition === 'out-of-order') return response(491);
  if (condition === 'feature-not-implemented' && appCondition === 'unsupported-info') {
    // RFC 6086 §4.2.2: an INFO whose package the UAS will not take is 469 Bad Info Package.
    return response(method === 'INFO' ? 469 : 501);
  }
  if (condition === 'not-acceptable') return response(488);
  return sipStatusForCalleeIqError(condition);
}

// RFC 6120 §8.3.3: the error type each defined condition is shown with.
const typeForCondition: Readonly<Record<XmppCondition, XmppErrorType>> = {
  'bad-request': 'modify',
  conflict: 'cancel',
  'feature-not-implemented': 'cancel',
  forbidden: 'auth',
  gone: 'cancel',
  'internal-server-error': 'cancel',
  'item-not-found': 'cancel',
  'jid-malformed': 'modify',
  'not-acceptable': 'modify',
  'not-allowed': 'cancel',
  'not-authorized': 'auth',
  'policy-violation': 'modify',
  'recipient-unavailable': 'wait',
  redirect: 'modify',
  'registration-required': 'auth',
  'remote-server-not-found': 'cancel',
  'remote-server-timeout': 'wait',
  'resource-constraint': 'wait',
  'service-unavailable': 'cancel',
  'subscription-required': 'auth',
  'undefined-condition': 'cancel',
  'unexpected-request': 'wait',
};

/** The RFC 6120 §8.3.3 error type of a defined condition. */
export function xmppErrorTypeFor(condition: XmppCondition): XmppErrorType {
  return typeForCondition[condition];
}

// RFC 7247 §7.2 Table 3, SIP response code → XMPP condition.
const conditionForSipStatus: Readonly<Record<number, XmppCondition>> = {
  400: 'bad-request',
  401: 'not-authorized',
  402: 'bad-request',
  403: 'forbidden',
  404: 'item-not-found',
  405: 'feature-not-implemented',
  406: 'not-acceptable',
  407: 'not-authorized',
  408: 'remote-server-timeout',
  410: 'gone',
  413: 'policy-violation',
  414: 'policy-violation',
  415: 'bad-request',
  416: 'bad-request',
  420: 'bad-request',
  421: 'bad-request',
  423: 'bad-request',
  480: 'recipient-unavailable',
  482: 'not-acceptable',
  483: 'not-acceptable',
  484: 'item-not-found',
  485: 'item-not-found',
  486: 'recipient-unavailable',
  487: 'service-unavailable',
  488: 'not-acceptable',
  493: 'bad-request',
  500: 'internal-server-error',
  501: 'feature-not-implemented',
  502: 'remote-server-not-found',
  503: 'service-unavailable',
  504: 'remote-server-timeout',
  505: 'not-acceptable',
  513: 'bad-request',
  600: 'service-unavailable',
  603: 'service-unavailable',
  604: 'item-not-found',
  606: 'not-acceptable',
};

// RFC 3261 §21: an unknown code is handled as the x00 code of its class.
const conditionForSipClass: Readonly<Record<number, XmppCondition>> = {
  3: 'redirect',
  4: 'bad-request',
  5: 'internal-server-error',
  6: 'service-unavailable',
};

const catalogueIqError = (code: 'unknown-session' | 'tie-break'): IqErrorSpec => {
  const { condition, type, jingle } = errorCatalogue[code].xmpp;
  return { condition, type, jingle };
};

/**
 * The IQ error for a Jingle request when the SIP request made for it fails before the IQ got
 * its result [spec §6.5]. 481 and 491 keep their Jingle meaning (unknown session; glare, where
 * RFC 7247 Table 3 says `unexpected-request` [X166 §7.2.16; RFC 3261 §14.1]) and match the
 * `unknown-session` and `tie-break` catalogue entries; everything else follows RFC 7247 Table 3.
 */
export function iqErrorForSipStatus(status: number): IqErrorSpec {
  if (!Number.isInteger(status) || status < 300 || status > 699) {
    throw new RangeError(`SIP status ${status} is not a final error response`);
  }
  if (status === 481) return catalogueIqError('unknown-session');
  if (status === 491) return catalogueIqError('tie-break');
  const condition = conditionForSipStatus[status] ?? conditionForSipClass[Math.floor(status / 100)] ?? 'bad-request';
  return { condition, type: typeForCondition[condition] };
}

const xmppConditions: ReadonlySet<string> = new Set(Object.keys(typeForCondition));

/** A received defined-condition element name as an XmppCondition; unknown → undefined-condition. */
export function parseXmppCondition(name: string): XmppCondition {
  return xmppConditions.has(name) ? (name as XmppCondition) : 'undefined-condition';
}
