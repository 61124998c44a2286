/**
 * The stanzas the call layer emits. Every one is addressed `from` a JID under the component
 * domain [spec §6.8, assertion 124]; the caller passes that JID explicitly.
 */
import { xml, type Element } from '@xmpp/component';
import { buildJingle, type JingleBuildInput } from '../mapping/jingle/jingle.ts';
import { buildReasonElement, type ReasonInfo } from '../mapping/reasons.ts';
import { NS_RTP_INFO } from '../mapping/session-info.ts';

export const NS_JINGLE = 'urn:xmpp:jingle:1';

export function jingleSet(from: string, to: string, jingle: JingleBuildInput): Element {
  return xml('iq', { type: 'set', from, to }, buildJingle(jingle));
}

export function sessionTerminate(from: string, to: string, sid: string, reason: ReasonInfo): Element {
  return jingleSet(from, to, { action: 'session-terminate', sid, extra: [buildReasonElement(reason)] });
}

/** session-info `<ringing/>` [X167 §8.4]. */
export function sessionRinging(from: string, to: string, sid: string): Element {
  return jingleSet(from, to, { action: 'session-info', sid, extra: [xml('ringing', { xmlns: NS_RTP_INFO })] });
}

/** session-info with an RTP info payload (`<hold/>`, `<active/>`) [X167 §8]. */
export function sessionInfo(from: string, to: string, sid: string, payload: 'hold' | 'active' | 'unhold'): Element {
  return jingleSet(from, to, { action: 'session-info', sid, extra: [xml(payload, { xmlns: NS_RTP_INFO })] });
}
