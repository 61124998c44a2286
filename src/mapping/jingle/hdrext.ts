/**
 * XEP-0294 Jingle RTP Header Extensions Negotiation 1.1.2 (`urn:xmpp:jingle:apps:rtp:rtp-hdrext:0`):
 * `<rtp-hdrext id uri senders/>` and `<extmap-allow-mixed/>` under an RTP `<description/>`
 * [X294 §3, §5; §1.2]. `senders` is absolute, like the content's, and defaults to `both`.
 *
 * RFC 8285 §5 extension attributes have no Jingle form of their own; X294 §3 carries them as
 * `<parameter name value/>` children ("a=b" pairs; a bare token as a name without value). The
 * model keeps the SDP text, so parameters are joined with spaces and split back on spaces.
 */
import { xml, type Element } from '@xmpp/component';
import type { HeaderExtension, Senders } from '../model.ts';
import { children, malformed, optionalAttr, optionalEnum, requiredAttr, requiredUint } from './attrs.ts';
import { NS_RTP_HDREXT } from './namespaces.ts';

const senderValues: readonly Senders[] = ['both', 'initiator', 'responder', 'none'];

/** RFC 8285 §5: 1–14 one-byte, 1–255 two-byte; X294 §3 lists 1-256 and 4096-4351 as well. */
const maxExtensionId = 4351;

export function parseHeaderExtensions(description: Element): HeaderExtension[] {
  return children(description, 'rtp-hdrext', NS_RTP_HDREXT).map((el) => {
    const id = requiredUint(el, 'id', maxExtensionId);
    if (id === 0) throw malformed(`<rtp-hdrext/> id 0 is reserved`);
    const ext: HeaderExtension = {
      id,
      uri: requiredAttr(el, 'uri'),
      senders: optionalEnum(el, 'senders', senderValues) ?? 'both',
    };
    const params = el
      .getChildElements()
      .filter((child) => child.getName() === 'parameter')
      .map((p) => {
        const name = requiredAttr(p, 'name');
        const value = optionalAttr(p, 'value');
        return value === undefined || value === '' ? name : `${name}=${value}`;
      });
    if (params.length > 0) ext.attributes = params.join(' ');
    return ext;
  });
}

export function parseExtmapAllowMixed(description: Element): boolean {
  return children(description, 'extmap-allow-mixed', NS_RTP_HDREXT).length > 0;
}

export function buildHeaderExtension(ext: HeaderExtension): Element {
  const el = xml('rtp-hdrext', {
    xmlns: NS_RTP_HDREXT,
    id: ext.id,
    uri: ext.uri,
    senders: ext.senders === 'both' ? undefined : ext.senders,
  });
  for (const token of (ext.attributes ?? '').split(/\s+/)) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    el.append(
      eq < 0
        ? xml('parameter', { name: token })
        : xml('parameter', { name: token.slice(0, eq), value: token.slice(eq + 1) }),
    );
  }
  return el;
}

export function buildExtmapAllowMixed(): Element {
  return xml('extmap-allow-mixed', { xmlns: NS_RTP_HDREXT });
}
