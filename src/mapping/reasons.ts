/**
 * Signalling reasons and errors across the gateway (spec §6.3–§6.5): one import point for the
 * session layer. The tables live in src/mapping/reasons/, one concept per file.
 */
export { sipForJingleReason, sipStatusForJingleReason } from './reasons/jingle-to-sip.ts';
export type { SipTermination, TerminationSituation } from './reasons/jingle-to-sip.ts';
export { jingleReasonForSipRequest, jingleReasonForSipStatus } from './reasons/sip-to-jingle.ts';
export type { SipFailureContext } from './reasons/sip-to-jingle.ts';
export { formatSipReasonHeader, parseSipReasonHeader } from './reasons/reason-header.ts';
export type { SipReasonCause } from './reasons/reason-header.ts';
export {
  NS_RTP_ERRORS,
  NS_SIP_STATUS,
  buildReasonElement,
  isJingleReason,
  parseReasonElement,
} from './reasons/reason-element.ts';
export type { ReasonInfo } from './reasons/reason-element.ts';
export {
  iqErrorForSipStatus,
  parseXmppCondition,
  sipStatusForCalleeIqError,
  sipStatusForCalleeIqTimeout,
  sipStatusForInDialogIqError,
  xmppErrorTypeFor,
} from './reasons/iq-errors.ts';
export type { IqErrorSpec, SipResponseSpec } from './reasons/iq-errors.ts';
export { buildGatewayErrorXmpp, reasonForGatewayError, sipResponseForGatewayError } from './reasons/gateway-error.ts';
export type { GatewayXmppError } from './reasons/gateway-error.ts';
export {
  defaultWarningText,
  formatSipWarning,
  sipQuotedString,
  sipReasonPhrase,
  sipStatus,
} from './reasons/sip-status.ts';
export type { SipStatus, SipWarning } from './reasons/sip-status.ts';
