/**
 * SIP → Jingle reason (spec §6.4): the `<reason/>` of the session-terminate sent to the XMPP side
 * when the SIP side fails or ends the call. Every reason caused by a SIP status code carries
 * that code and phrase as `sipStatus`, rendered as the `<sip-status/>` extension [EXT, spec §0.3].
 */
import type { JingleReason } from '../errors.ts';
import type { ReasonInfo } from './reason-element.ts';
import { parseSipReasonHeader } from './reason-header.ts';

/** What the session layer knows about how a final response came about. */
export interface SipFailureContext {
  /** The gateway answered a 401/407 challenge itself and was rejected again. */
  digestAttemptFailed?: boolean;
  /** The gateway sent CANCEL for this INVITE (so a 487 is the expected echo of it). */
  cancelSent?: boolean;
}

/**
 * The Jingle reason for a final error response `status` with the received `phrase`, or null
 * when nothing further goes to the XMPP side (487 after the gateway's own CANCEL: the Jingle
 * session-terminate that caused the CANCEL already ended the session). `warningCodes` are the
 * codes of the response's Warning headers in order.
 */
export function jingleReasonForSipStatus(
  status: number,
  phrase: string,
  warningCodes: readonly number[] = [],
  context: SipFailureContext = {},
): ReasonInfo | null {
  if (!Number.isInteger(status) || status < 300 || status > 699) {
    throw new RangeError(`SIP status ${status} is not a final error response`);
  }
  if (status === 487 && context.cancelSent === true) return null;
  const sipStatus = { code: status, phrase };
  const reason = specificReason(status, warningCodes, context);
  if (reason !== undefined) return { reason, sipStatus };
  // 404, 604, 484, 485, unfollowed 3xx, other 4xx and 5xx: say what SIP said.
  const text = `SIP ${status} ${phrase}`.trim();
  return { reason: 'general-error', text, sipStatus };
}

// [spec §6.4] The rows with a reason of their own; undefined = general-error with text.
function specificReason(
  status: number,
  warningCodes: readonly number[],
  context: SipFailureContext,
): JingleReason | undefined {
  switch (status) {
    case 486:
    case 600:
      return 'busy';
    case 480:
    case 410:
      return 'gone';
    case 408:
    case 504:
      return 'timeout';
    case 488:
    case 606:
      return notAcceptableReason(warningCodes);
    case 415:
      return 'failed-application';
    case 401:
    case 403:
    case 407:
      // Only a failed digest attempt is a security failure; a plain 403 is a policy answer.
      return context.digestAttemptFailed === true ? 'security-error' : undefined;
    case 604:
      return undefined;
  }
  // 603 and every other 6xx: the callee (everywhere) declined.
  return status >= 600 ? 'decline' : undefined;
}

/** 488/606: the first Warning naming a transport (302) or media type (304) problem decides. */
function notAcceptableReason(warningCodes: readonly number[]): JingleReason {
  for (const code of warningCodes) {
    if (code === 302) return 'unsupported-transports';
    if (code === 304) return 'unsupported-applications';
  }
  return 'incompatible-parameters';
}

/**
 * The Jingle reason for a BYE or CANCEL from the SIP side, given its Reason header value(s)
 * joined with commas (undefined when absent). Without a SIP cause: CANCEL → `<cancel/>`, BYE →
 * `<success/>`, and no sip-status [spec §8.2 assertion 94]. With `SIP ;cause=N` → the row for N
 * with sip-status N and the `text` parameter as phrase (empty if absent) [spec §6.4]; a 2xx cause
 * (e.g. CANCEL "Call completed elsewhere", cause 200) keeps the normal ending.
 */
export function jingleReasonForSipRequest(method: 'BYE' | 'CANCEL', reasonHeader?: string): ReasonInfo {
  const normalEnding: JingleReason = method === 'BYE' ? 'success' : 'cancel';
  const parsed = reasonHeader === undefined ? undefined : parseSipReasonHeader(reasonHeader);
  if (parsed === undefined || parsed.cause < 200 || parsed.cause > 699) return { reason: normalEnding };
  const phrase = parsed.text ?? '';
  if (parsed.cause < 300) return { reason: normalEnding, sipStatus: { code: parsed.cause, phrase } };
  // A request carries no Warning and the gateway sent no CANCEL the peer could be echoing.
  const info = jingleReasonForSipStatus(parsed.cause, phrase);
  return info ?? { reason: normalEnding };
}
