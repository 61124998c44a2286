/**
 * session-info payloads [X166 §6.8; X167 §8] (spec §6.2): what a received session-info asks
 * for. The session layer turns the answer into 180, a hold re-INVITE, an IQ result, or the IQ
 * error `feature-not-implemented` + `<unsupported-info/>` [X166 §6.8].
 */
import type { Element } from '@xmpp/component';
import { NS_RTP_INFO, NS_RTP_INFO_LEGACY } from './jingle/namespaces.ts';

// Output uses NS_RTP_INFO [X167 §16.3]; NS_RTP_INFO_LEGACY (an X166 §6.8 example) is input only.
export { NS_RTP_INFO, NS_RTP_INFO_LEGACY };

export type SessionInfoKind = 'ringing' | 'hold' | 'unhold' | 'active' | 'mute' | 'unmute' | 'ping' | 'unsupported';

const payloadNames: ReadonlySet<string> = new Set<SessionInfoKind>([
  'ringing',
  'hold',
  'unhold',
  'active',
  'mute',
  'unmute',
]);

/**
 * The kind of the session-info `jingleEl` carries. No payload is a ping [X166 §6.8]. The
 * first child element decides; a payload outside the RTP info namespaces, or a name X167 §8
 * does not define, is `unsupported`. `unhold` and `active` both end a hold (see `endsHold`).
 */
export function classifySessionInfo(jingleEl: Element): SessionInfoKind {
  const payload = jingleEl.getChildElements()[0];
  if (payload === undefined) return 'ping';
  const ns = payload.getNS();
  if (ns !== NS_RTP_INFO && ns !== NS_RTP_INFO_LEGACY) return 'unsupported';
  return payloadNames.has(payload.name) ? (payload.name as SessionInfoKind) : 'unsupported';
}

/** `<unhold/>` and `<active/>` both restore the directions held before [spec §6.2; X167 §8]. */
export function endsHold(kind: SessionInfoKind): boolean {
  return kind === 'unhold' || kind === 'active';
}
