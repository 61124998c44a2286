/**
 * Presence for the component domain and the JIDs under it, so that clients list SIP contacts as
 * online and offer the call button: the gateway accepts every subscription and subscribes back
 * (XEP-0100 §4.1 style), answers probes and subscriptions with available presence carrying
 * XEP-0115 caps, and confirms unsubscriptions [RFC 6121 §3.1.5, §3.3, §4.3]. No roster is kept:
 * every answer is derived from the request alone.
 */
import { jid as parseJid, xml, type Element } from '@xmpp/component';
import { CAPS_NODE, capsVerification, identityFor } from './disco.ts';
import type { XmppPort } from './port.ts';

const NS_CAPS = 'http://jabber.org/protocol/caps';
/** Spec §7.3: a SIP party appears on XMPP with this resource. */
export const SIP_RESOURCE = 'sip';

export interface PresenceOptions {
  /** Attach XEP-0115 `<c/>` to available presence. Default true. */
  caps?: boolean;
}

/** The stanzas answering `presence`, in sending order; empty when there is nothing to answer. */
export function presenceReplies(presence: Element, domain: string, options: PresenceOptions = {}): Element[] {
  const from = presence.attrs.from;
  const to = presence.attrs.to;
  if (from === undefined || to === undefined) return [];
  const identity = identityFor(to, domain);
  if (identity === undefined) return [];
  let contact: string;
  let requester: string;
  try {
    contact = parseJid(to).bare().toString();
    requester = parseJid(from).bare().toString();
  } catch {
    return [];
  }
  // A user JID is online as <bare>/sip; the gateway itself as its domain.
  const availableFrom = contact.includes('@') ? `${contact}/${SIP_RESOURCE}` : contact;
  const available = (): Element =>
    xml(
      'presence',
      { from: availableFrom, to: from },
      options.caps === false
        ? undefined
        : xml('c', { xmlns: NS_CAPS, hash: 'sha-1', node: CAPS_NODE, ver: capsVerification(identity) }),
    );

  switch (presence.attrs.type) {
    case 'subscribe':
      return [
        xml('presence', { from: contact, to: requester, type: 'subscribed' }),
        xml('presence', { from: contact, to: requester, type: 'subscribe' }),
        available(),
      ];
    case 'probe':
      return [available()];
    case 'unsubscribe':
      return [xml('presence', { from: contact, to: requester, type: 'unsubscribed' })];
    default:
      return [];
  }
}

/** Sends the answers of presenceReplies(); send failures (stream down) are dropped. */
export function presenceHandler(
  xmpp: Pick<XmppPort, 'send' | 'domain'>,
  options: PresenceOptions = {},
): (presence: Element) => void {
  return (presence) => {
    for (const reply of presenceReplies(presence, xmpp.domain, options)) {
      xmpp.send(reply).catch(() => undefined);
    }
  };
}
