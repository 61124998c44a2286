/**
 * XEP-0293 Jingle RTP Feedback Negotiation 1.0.2 (`urn:xmpp:jingle:apps:rtp:rtcp-fb:0`).
 * `<rtcp-fb type subtype/>` and `<rtcp-fb-trr-int value/>` appear under `<description/>` (they
 * apply to every payload type, SDP `*`) or under one `<payload-type/>` [X293 §3, §5; §1.2].
 */
import { xml, type Element } from '@xmpp/component';
import type { RtcpFeedback } from '../model.ts';
import { children, optionalAttr, requiredAttr, requiredUint } from './attrs.ts';
import { NS_RTCP_FB } from './namespaces.ts';

export interface FeedbackSet {
  feedback: RtcpFeedback[];
  trrInt?: number;
}

/** Feedback children of a `<description/>` or `<payload-type/>`, in document order. */
export function parseFeedback(parent: Element): FeedbackSet {
  const feedback: RtcpFeedback[] = [];
  for (const el of children(parent, 'rtcp-fb', NS_RTCP_FB)) {
    const type = requiredAttr(el, 'type');
    const subtype = optionalAttr(el, 'subtype');
    feedback.push(subtype === undefined || subtype === '' ? { type } : { type, subtype });
  }
  const trr = children(parent, 'rtcp-fb-trr-int', NS_RTCP_FB);
  // RFC 4585 §4.2 allows one trr-int per payload type; the first one wins.
  const first = trr[0];
  return first === undefined ? { feedback } : { feedback, trrInt: requiredUint(first, 'value') };
}

export function buildFeedback(set: FeedbackSet): Element[] {
  const out = set.feedback.map((fb) => xml('rtcp-fb', { xmlns: NS_RTCP_FB, type: fb.type, subtype: fb.subtype }));
  if (set.trrInt !== undefined) out.push(xml('rtcp-fb-trr-int', { xmlns: NS_RTCP_FB, value: set.trrInt }));
  return out;
}
