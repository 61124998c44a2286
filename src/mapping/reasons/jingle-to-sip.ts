/**
 * Jingle reason → SIP (spec §6.3) [X166 §6.7, §7.4; X167 §5, §7; RFC 3261 §20.43; RFC 3326 §2].
 *
 * What the SIP side does when the XMPP side sends session-terminate depends on where the call is:
 *
 *   XMPP side is responder, call pending   → final 3xx–6xx response to the INVITE
 *   call active (2xx sent or received)     → BYE, `Reason` with the cause
 *   XMPP side is initiator, call pending   → CANCEL, `Reason` with the cause
 *
 * One status per reason serves all three: the final response status is also the Reason cause.
 */
import type { JingleReason } from '../errors.ts';
import { formatSipReasonHeader } from './reason-header.ts';
import { defaultWarningText, sipReasonPhrase, type SipWarning } from './sip-status.ts';

export type TerminationSituation = 'responder-pending' | 'active' | 'initiator-pending';

/** What the SIP side sends for a session-terminate. `reasonHeader` is a Reason header value. */
export type SipTermination =
  | { kind: 'final-response'; status: number; reasonPhrase: string; warning?: SipWarning; reasonHeader?: string }
  | { kind: 'bye'; reasonHeader?: string }
  | { kind: 'cancel'; reasonHeader?: string };

interface ReasonRow {
  status: number;
  /** Warning code of the pending final response; 399 carries the Jingle `<text/>`. */
  warning?: number;
  /** `success` and `cancel` are normal endings: no Reason header [spec §6.1]. */
  normalEnding?: true;
}

// [spec §6.3] The table, one row per reason.
const rows: Readonly<Record<JingleReason, ReasonRow>> = {
  busy: { status: 486 },
  'alternative-session': { status: 486 },
  decline: { status: 603 },
  cancel: { status: 603, normalEnding: true },
  success: { status: 603, normalEnding: true },
  gone: { status: 480 },
  'connectivity-error': { status: 480 },
  'failed-transport': { status: 480 },
  timeout: { status: 408 },
  expired: { status: 408 },
  'unsupported-applications': { status: 488, warning: 304 },
  'unsupported-transports': { status: 488, warning: 302 },
  'incompatible-parameters': { status: 488, warning: 305 },
  'failed-application': { status: 488, warning: 305 },
  // RTP `invalid-crypto`/`crypto-required` arrive as security-error (see parseReasonElement).
  'security-error': { status: 488, warning: 399 },
  'media-error': { status: 500 },
  'general-error': { status: 500 },
};

/** The SIP status standing for `reason`: the pending final response and the Reason cause. */
export function sipStatusForJingleReason(reason: JingleReason): number {
  return rows[reason].status;
}

/**
 * The SIP action for a session-terminate with `reason` in `situation`. `text` is the reason's
 * `<text/>`: it becomes the Warning text where the row has a Warning code (the RFC 3261 §20.43
 * default text when absent). `alternativeSid` is the `<sid/>` of `<alternative-session/>`, which
 * the Reason text carries [spec §6.3].
 */
export function sipForJingleReason(
  reason: JingleReason,
  situation: TerminationSituation,
  text?: string,
  alternativeSid?: string,
): SipTermination {
  const row = rows[reason];
  const reasonHeader = row.normalEnding
    ? undefined
    : formatSipReasonHeader(row.status, reasonText(reason, alternativeSid));

  switch (situation) {
    case 'responder-pending': {
      const warning = row.warning === undefined ? undefined : warningFor(row.warning, reason, text);
      return {
        kind: 'final-response',
        status: row.status,
        reasonPhrase: sipReasonPhrase(row.status),
        ...(warning === undefined ? {} : { warning }),
        // Only alternative-session has something to say beyond the status: the other sid.
        ...(reason === 'alternative-session' && reasonHeader !== undefined ? { reasonHeader } : {}),
      };
    }
    case 'active':
      return reasonHeader === undefined ? { kind: 'bye' } : { kind: 'bye', reasonHeader };
    case 'initiator-pending':
      return reasonHeader === undefined ? { kind: 'cancel' } : { kind: 'cancel', reasonHeader };
  }
}

/** The Reason `text`: the condition name [spec §6.1], plus the other sid for alternative-session. */
function reasonText(reason: JingleReason, alternativeSid: string | undefined): string {
  return reason === 'alternative-session' && alternativeSid !== undefined ? `${reason} ${alternativeSid}` : reason;
}

function warningFor(code: number, reason: JingleReason, text: string | undefined): SipWarning {
  if (text !== undefined && text.trim() !== '') return { code, text };
  // 399 has no meaning of its own, so without a human text the condition name says the most.
  return { code, text: code === 399 ? reason : defaultWarningText(code) };
}
