/**
 * The Jingle `<reason/>` element [X166 §7.4] with the project's `<sip-status/>` extension
 * [EXT, spec §0.3, §6.4]:
 *
 *   <reason><general-error/><text>SIP 404 Not Found</text>
 *     <sip-status xmlns='urn:jingle-sip-gateway:sip-status:0' code='404'>Not Found</sip-status></reason>
 *
 * The condition and `<text/>` carry no xmlns: they inherit `urn:xmpp:jingle:1` from the
 * enclosing `<jingle/>`. X166 §7.4 allows one more child in another namespace, which is where
 * `<sip-status/>` goes.
 */
import { xml, type Element } from '@xmpp/component';
import type { JingleReason } from '../errors.ts';
import { NS_JINGLE } from '../jingle/namespaces.ts';
import type { SipStatus } from './sip-status.ts';

export const NS_SIP_STATUS = 'urn:jingle-sip-gateway:sip-status:0';
/** XEP-0167 §7 RTP error conditions, which may sit in a reason next to (or instead of) the condition. */
export const NS_RTP_ERRORS = 'urn:xmpp:jingle:apps:rtp:errors:1';

/** A session-terminate reason as the mapping core sees it. */
export interface ReasonInfo {
  reason: JingleReason;
  text?: string;
  sipStatus?: SipStatus;
  /** The `<sid/>` inside `<alternative-session/>` [X166 §7.4]. */
  alternativeSid?: string;
}

const jingleReasons: ReadonlySet<string> = new Set<JingleReason>([
  'alternative-session',
  'busy',
  'cancel',
  'connectivity-error',
  'decline',
  'expired',
  'failed-application',
  'failed-transport',
  'general-error',
  'gone',
  'incompatible-parameters',
  'media-error',
  'security-error',
  'success',
  'timeout',
  'unsupported-applications',
  'unsupported-transports',
]);

export function isJingleReason(name: string): name is JingleReason {
  return jingleReasons.has(name);
}

/** The full `<reason/>` element for `info`. */
export function buildReasonElement(info: ReasonInfo): Element {
  const condition =
    info.reason === 'alternative-session' && info.alternativeSid !== undefined
      ? xml(info.reason, {}, xml('sid', {}, info.alternativeSid))
      : xml(info.reason);
  return xml(
    'reason',
    {},
    condition,
    info.text === undefined ? undefined : xml('text', {}, info.text),
    info.sipStatus === undefined
      ? undefined
      : xml('sip-status', { xmlns: NS_SIP_STATUS, code: String(info.sipStatus.code) }, info.sipStatus.phrase),
  );
}

/**
 * The reason carried by a `<reason/>` element. An unknown condition, or none at all, reads as
 * `general-error` (X166 §7.4 lists a closed set; a peer's newer condition is still an error).
 * A reason holding only an RTP `<invalid-crypto/>` or `<crypto-required/>` [X167 §7] reads as
 * `security-error`, the row those share in spec §6.3. Children in other namespaces are ignored.
 */
export function parseReasonElement(el: Element): ReasonInfo {
  let reason: JingleReason | undefined;
  let rtpSecurityError = false;
  let text: string | undefined;
  let sipStatus: SipStatus | undefined;
  let alternativeSid: string | undefined;

  for (const child of el.getChildElements()) {
    const ns = ownNamespace(child);
    if (ns === NS_SIP_STATUS && child.name === 'sip-status') {
      sipStatus = parseSipStatus(child) ?? sipStatus;
    } else if (ns === NS_RTP_ERRORS) {
      rtpSecurityError ||= child.name === 'invalid-crypto' || child.name === 'crypto-required';
    } else if (ns !== NS_JINGLE) {
      continue;
    } else if (child.name === 'text') {
      text = child.text();
    } else if (reason === undefined) {
      reason = isJingleReason(child.name) ? child.name : 'general-error';
      const sid = reason === 'alternative-session' ? child.getChildText('sid')?.trim() : undefined;
      if (sid !== undefined && sid !== '') alternativeSid = sid;
    }
  }

  return {
    reason: reason ?? (rtpSecurityError ? 'security-error' : 'general-error'),
    ...(text === undefined ? {} : { text }),
    ...(sipStatus === undefined ? {} : { sipStatus }),
    ...(alternativeSid === undefined ? {} : { alternativeSid }),
  };
}

/**
 * The namespace a child is in. A detached `<reason/>` (built here, or cut from its `<jingle/>`)
 * has no parent to inherit from, so a child without xmlns counts as the Jingle namespace.
 */
function ownNamespace(child: Element): string {
  return child.attrs.xmlns ?? child.getNS() ?? NS_JINGLE;
}

function parseSipStatus(el: Element): SipStatus | undefined {
  const code = el.attrs.code;
  if (code === undefined || !/^[1-6]\d\d$/.test(code)) return undefined;
  return { code: Number(code), phrase: el.text() };
}
