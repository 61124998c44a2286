/**
 * A GatewayError rendered for either side from its catalogue entry (src/mapping/errors.ts,
 * docs/errors.md). The message is the human sentence on both: IQ error `<text/>`, Jingle reason
 * `<text/>`, SIP Warning text.
 */
import type { GatewayError, JingleErrorCondition, XmppCondition, XmppErrorType } from '../errors.ts';
import type { ReasonInfo } from './reason-element.ts';
import type { SipResponseSpec } from './iq-errors.ts';
import { formatSipWarning, sipReasonPhrase } from './sip-status.ts';

/** The IQ error the XMPP layer renders for a GatewayError. */
export interface GatewayXmppError {
  condition: XmppCondition;
  type: XmppErrorType;
  jingle?: JingleErrorCondition;
  text: string;
}

/**
 * The IQ error for `err`. For an entry whose disposition is `terminate` the IQ itself is
 * acknowledged and the session ended with `reasonForGatewayError` [X166 §6.3.2]; the condition
 * here is then only used when there is no session to terminate.
 */
export function buildGatewayErrorXmpp(err: GatewayError): GatewayXmppError {
  const { condition, type, jingle } = err.entry.xmpp;
  return jingle === undefined ? { condition, type, text: err.message } : { condition, type, jingle, text: err.message };
}

/** The session-terminate reason for `err`; no sip-status, since no SIP status caused it. */
export function reasonForGatewayError(err: GatewayError): ReasonInfo {
  return { reason: err.entry.reason, text: err.message };
}

/** The final response for `err`, its Warning as a header value with `sipDomain` as warn-agent. */
export function sipResponseForGatewayError(err: GatewayError, sipDomain: string): SipResponseSpec {
  const { status, warning } = err.entry.sip;
  const phrase = sipReasonPhrase(status);
  if (warning === undefined) return { status, phrase };
  return { status, phrase, warning: formatSipWarning({ code: warning, text: err.message }, sipDomain) };
}
