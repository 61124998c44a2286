/**
 * XEP-0339 Source-Specific Media Attributes in Jingle 1.0.1 (`urn:xmpp:jingle:apps:rtp:ssma:0`):
 * `<source ssrc>` with `<parameter name value/>` children ⇄ `a=ssrc:<id> <attr>[:<value>]`, and
 * `<ssrc-group semantics>` of `<source ssrc/>` ⇄ `a=ssrc-group` [X339 §2.1, §2.2; RFC5576 §4].
 * Dropping either breaks simulcast and FID (RTX) pairing, so both are carried in order.
 */
import { xml, type Element } from '@xmpp/component';
import type { Source, SourceGroup, SourceParameter } from '../model.ts';
import { children, malformed, optionalAttr, requiredAttr } from './attrs.ts';
import { NS_SSMA } from './namespaces.ts';

/** RFC 3550 SSRC: a 32-bit unsigned integer, written in decimal in SDP [RFC5576 §4.1]. */
function parseSsrc(el: Element): string {
  const ssrc = requiredAttr(el, 'ssrc');
  if (!/^\d{1,10}$/.test(ssrc) || Number(ssrc) > 0xffffffff) {
    throw malformed(`<${el.getName()}/> ssrc is not a 32-bit decimal number: ${ssrc.slice(0, 20)}`);
  }
  return ssrc;
}

export function parseSources(description: Element): Source[] {
  return children(description, 'source', NS_SSMA).map((el) => ({
    ssrc: parseSsrc(el),
    parameters: el
      .getChildElements()
      .filter((child) => child.getName() === 'parameter')
      .map((p): SourceParameter => {
        const name = requiredAttr(p, 'name');
        const value = optionalAttr(p, 'value');
        return value === undefined ? { name } : { name, value };
      }),
  }));
}

export function parseSourceGroups(description: Element): SourceGroup[] {
  return children(description, 'ssrc-group', NS_SSMA).map((el) => {
    const semantics = requiredAttr(el, 'semantics');
    const sources = el
      .getChildElements()
      .filter((child) => child.getName() === 'source')
      .map(parseSsrc);
    // RFC 5576 §4.2: ssrc-group = semantics 1*(SP ssrc-id)
    if (sources.length === 0) throw malformed(`<ssrc-group semantics='${semantics}'/> has no <source/>`);
    return { semantics, sources };
  });
}

export function buildSource(source: Source): Element {
  return xml(
    'source',
    { xmlns: NS_SSMA, ssrc: source.ssrc },
    source.parameters.map((p) => xml('parameter', { name: p.name, value: p.value })),
  );
}

export function buildSourceGroup(group: SourceGroup): Element {
  return xml(
    'ssrc-group',
    { xmlns: NS_SSMA, semantics: group.semantics },
    group.sources.map((ssrc) => xml('source', { ssrc })),
  );
}
