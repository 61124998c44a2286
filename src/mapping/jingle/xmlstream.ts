/**
 * XEP-0247 Jingle XML Streams (`urn:xmpp:jingle:apps:xmlstream:0`, Deferred): an empty
 * `<description/>`. It is the application the XTLS ProtoXEP examples secure [XTLS-P §4]; its SDP
 * form is project-defined (docs/mapping.md).
 */
import { xml, type Element } from '@xmpp/component';
import type { XmlStreamDescription } from '../model.ts';
import { NS_XMLSTREAM } from './namespaces.ts';

export function parseXmlStreamDescription(): XmlStreamDescription {
  return { kind: 'xmlstream' };
}

export function buildXmlStreamDescription(): Element {
  return xml('description', { xmlns: NS_XMLSTREAM });
}
