/**
 * XEP-0353 Jingle Message Initiation 0.6 codec (`urn:xmpp:jingle-message:0`), for SIP calls to a
 * bare JID (spec §6.7): the gateway sends propose / retract / finish and reads the callee's
 * ringing / proceed / reject (and retract / finish / accept from its other devices).
 *
 *   <message type='chat' from='caller@gw/sip' to='juliet@capulet.lit' id='sid'>
 *     <propose xmlns='urn:xmpp:jingle-message:0' id='sid'>
 *       <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/>
 *     </propose>
 *     <store xmlns='urn:xmpp:hints'/>
 *   </message>
 */
import { xml, type Element } from '@xmpp/component';
import type { JingleReason } from '../mapping/errors.ts';
import { NS_JINGLE, NS_RTP } from '../mapping/jingle/namespaces.ts';
import { buildReasonElement, parseReasonElement } from '../mapping/reasons/reason-element.ts';

export const NS_JMI = 'urn:xmpp:jingle-message:0';
export const NS_HINTS = 'urn:xmpp:hints';

export type JmiEvent =
  | { kind: 'propose'; id: string; media: string[] }
  | { kind: 'ringing' | 'proceed' | 'accept'; id: string }
  | { kind: 'reject' | 'retract' | 'finish'; id: string; reason?: JingleReason; text?: string };

export type JmiKind = JmiEvent['kind'];

const kinds: ReadonlySet<string> = new Set<JmiKind>([
  'propose',
  'ringing',
  'proceed',
  'accept',
  'reject',
  'retract',
  'finish',
]);

interface Addressing {
  from: string;
  to: string;
  /** The propose id, which is the Jingle sid (spec §1.1). */
  id: string;
}

/**
 * X353 §3.1: one `<description/>` per proposed medium; `<store/>` [XEP-0334] so that the
 * server archives it for devices that come online while it rings. The message id repeats the
 * propose id, as X353 §3.1's examples do.
 */
export function buildJmiPropose(options: Addressing & { media: readonly string[] }): Element {
  return xml(
    'message',
    { type: 'chat', from: options.from, to: options.to, id: options.id },
    xml(
      'propose',
      { xmlns: NS_JMI, id: options.id },
      ...options.media.map((media) => xml('description', { xmlns: NS_RTP, media })),
    ),
    xml('store', { xmlns: NS_HINTS }),
  );
}

/** X353 §3.3: the caller withdraws before any device proceeded (`<cancel/>`, `<timeout/>`). */
export function buildJmiRetract(options: Addressing & { reason: JingleReason; text?: string }): Element {
  return withReason('retract', options);
}

/** X353 §3.7: the session a propose led to is over, with the session-terminate reason. */
export function buildJmiFinish(options: Addressing & { reason: JingleReason; text?: string }): Element {
  return withReason('finish', options);
}

function withReason(
  kind: 'retract' | 'finish',
  options: Addressing & { reason: JingleReason; text?: string },
): Element {
  const reason = buildReasonElement({
    reason: options.reason,
    ...(options.text === undefined ? {} : { text: options.text }),
  });
  // Outside <jingle/> the reason must name its namespace itself.
  reason.attrs.xmlns = NS_JINGLE;
  return xml(
    'message',
    { type: 'chat', from: options.from, to: options.to, id: `${kind}-${options.id}` },
    xml(kind, { xmlns: NS_JMI, id: options.id }, reason),
    xml('store', { xmlns: NS_HINTS }),
  );
}

/** The JMI payload of a message, or undefined when it carries none (or one without an id). */
export function parseJmiMessage(message: Element): JmiEvent | undefined {
  if (message.name !== 'message' || message.attrs.type === 'error') return undefined;
  const payload = message.getChildElements().find((child) => child.attrs.xmlns === NS_JMI && kinds.has(child.name));
  const id = payload?.attrs.id;
  if (payload === undefined || id === undefined || id === '') return undefined;
  const kind = payload.name as JmiKind;
  switch (kind) {
    case 'propose':
      return {
        kind,
        id,
        media: payload
          .getChildren('description', NS_RTP)
          .map((description) => description.attrs.media)
          .filter((media): media is string => media !== undefined),
      };
    case 'ringing':
    case 'proceed':
    case 'accept':
      return { kind, id };
    case 'reject':
    case 'retract':
    case 'finish': {
      const reasonElement = payload.getChild('reason', NS_JINGLE);
      if (reasonElement === undefined) return { kind, id };
      const info = parseReasonElement(reasonElement);
      return { kind, id, reason: info.reason, ...(info.text === undefined ? {} : { text: info.text }) };
    }
  }
}
