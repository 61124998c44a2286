/** Stanza helpers shared by the end-to-end tests. */
import { readFileSync } from 'node:fs';
import { xml, type Element } from '@xmpp/component';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import type { XmppUser } from './harness/xmpp-user.ts';

export const NS_JINGLE = 'urn:xmpp:jingle:1';

export function goldenText(name: string): string {
  return readFileSync(new URL(`../golden/${name}`, import.meta.url), 'utf8');
}

/** A golden `<jingle/>` with its initiator and sid replaced. */
export function goldenJingle(name: string, initiator: string, sid: string): Element {
  const text = goldenText(name)
    .replace(/initiator='[^']*'/, `initiator='${initiator}'`)
    .replace(/sid='[^']*'/, `sid='${sid}'`);
  return parseXmlElement(text);
}

export function jingleOf(stanza: Element): Element | undefined {
  return stanza.getChildElements().find((c) => c.getName() === 'jingle' && c.getNS() === NS_JINGLE);
}

export function isJingle(action: string, sid?: string): (stanza: Element) => boolean {
  return (stanza) => {
    if (stanza.getName() !== 'iq' || stanza.attrs.type !== 'set') return false;
    const jingle = jingleOf(stanza);
    return jingle !== undefined && jingle.attrs.action === action && (sid === undefined || jingle.attrs.sid === sid);
  };
}

export function terminateStanza(to: string, sid: string, reason = 'success'): Element {
  return xml(
    'iq',
    { type: 'set', to },
    xml('jingle', { xmlns: NS_JINGLE, action: 'session-terminate', sid }, xml('reason', {}, xml(reason))),
  );
}

/** The reason condition name of a session-terminate. */
export function reasonOf(stanza: Element): string | undefined {
  const reason = jingleOf(stanza)?.getChild('reason');
  return reason
    ?.getChildElements()
    .find((c) => c.getNS() === NS_JINGLE || c.getNS() === undefined)
    ?.getName();
}

export async function sendJingle(user: XmppUser, to: string, jingle: Element): Promise<Element> {
  return user.iq(xml('iq', { type: 'set', to }, jingle), 10_000);
}

let counter = 0;
export function newSid(prefix = 's'): string {
  return `${prefix}${String(Date.now())}${String(++counter)}`;
}

export const ANSWER_FINGERPRINT =
  'BD:E8:2C:D3:BD:B6:98:50:45:7D:5B:36:89:53:31:15:52:25:88:82:06:95:88:A3:3D:A5:43:8D:5C:21:21:66';

/**
 * What a Jingle client answers to a session-initiate: same content names and transport type,
 * PCMU, a loopback candidate and an XEP-0320 fingerprint with `setup` (never actpass).
 */
export function acceptFor(initiate: Element, responder: string, setup: 'active' | 'passive' = 'active'): Element {
  const xtls = 'urn:xmpp:jingle:security:xtls:0';
  const jingle = jingleOf(initiate)!;
  const contents = jingle.getChildren('content').map((content) => {
    const transport = content.getChildElements().find((c) => c.getName() === 'transport')!;
    const ice = transport.getNS() === 'urn:xmpp:jingle:transports:ice-udp:1';
    const fingerprint = xml(
      'fingerprint',
      { xmlns: 'urn:xmpp:jingle:apps:dtls:0', hash: 'sha-256', setup },
      ANSWER_FINGERPRINT,
    );
    const secured = transport.getChild('fingerprint', 'urn:xmpp:jingle:apps:dtls:0') !== undefined;
    const candidate = ice
      ? xml('candidate', {
          component: '1',
          foundation: '1',
          generation: '0',
          id: 'a1',
          ip: '127.0.0.1',
          network: '0',
          port: '40100',
          priority: '2130706431',
          protocol: 'udp',
          type: 'host',
        })
      : xml('candidate', { component: '1', generation: '0', id: 'a1', ip: '127.0.0.1', port: '40100' });
    const security = content.getChild('security', xtls)
      ? xml(
          'security',
          { xmlns: xtls },
          xml('fingerprint', { algo: 'sha-256' }, ANSWER_FINGERPRINT),
          xml('method', { name: 'x509' }),
        )
      : undefined;
    return xml(
      'content',
      { creator: 'initiator', name: content.attrs.name },
      xml(
        'description',
        { xmlns: 'urn:xmpp:jingle:apps:rtp:1', media: 'audio' },
        xml('payload-type', { id: '0', name: 'PCMU', clockrate: '8000' }),
      ),
      xml(
        'transport',
        ice
          ? { xmlns: transport.getNS(), ufrag: 'bobUfrag', pwd: 'bobPasswordBobPassword1' }
          : { xmlns: transport.getNS() },
        secured ? fingerprint : undefined,
        candidate,
      ),
      security,
    );
  });
  return xml('jingle', { xmlns: NS_JINGLE, action: 'session-accept', sid: jingle.attrs.sid, responder }, ...contents);
}

export function ringingJingle(sid: string): Element {
  return xml(
    'jingle',
    { xmlns: NS_JINGLE, action: 'session-info', sid },
    xml('ringing', { xmlns: 'urn:xmpp:jingle:apps:rtp:info:1' }),
  );
}
