/**
 * XEP-0166 Jingle 1.1.2 `<content/>` [X166 §7.3]: one application (`<description/>`), one
 * transport and, optionally, the security layer, each read by its own module. Also where the
 * security mechanism of a content is chosen (§1.3.1 rule 1: XEP-0320 wins over XTLS).
 */
import { xml, type Element } from '@xmpp/component';
import { GatewayError } from '../errors.ts';
import type { ContentSecurity, Description, MediaContent, Role, Senders, Transport } from '../model.ts';
import { malformed, optionalAttr, optionalEnum, requiredAttr, singleChild } from './attrs.ts';
import { buildDtlsFingerprints, dtlsFingerprintElements, parseDtlsSecurity } from './dtls.ts';
import { buildIceUdpTransport, parseIceUdpTransport } from './ice-udp.ts';
import { NS_ICE_UDP, NS_RAW_UDP, NS_RTP, NS_XMLSTREAM, NS_XTLS } from './namespaces.ts';
import { buildRawUdpTransport, parseRawUdpTransport } from './raw-udp.ts';
import { buildRtpDescription, parseRtpDescription } from './rtp.ts';
import { buildXmlStreamDescription, parseXmlStreamDescription } from './xmlstream.ts';
import { buildXtlsSecurity, parseXtlsSecurity } from './xtls.ts';

/**
 * A content as it appears in any action. Only session-initiate, session-accept and content-add
 * must carry both a description and a transport (X166 §7.2); transport-info carries just the
 * transport, content-remove neither. A complete one is a model `MediaContent`.
 */
export interface JingleContent extends Omit<MediaContent, 'description' | 'transport'> {
  description?: Description;
  transport?: Transport;
}

export interface ContentParseContext {
  action: string;
  /** Description and transport are required (session-initiate, session-accept, content-add). */
  complete: boolean;
  /**
   * Runs `parse`; a fault answered by IQ result + session-terminate (unsupported transport or
   * application, hash policy) is recorded and `undefined` returned, so that a structural fault
   * later in the stanza still gets its IQ error (§6.5: a malformed stanza is never acknowledged).
   */
  deferTerminal<T>(parse: () => T): T | undefined;
}

const creators: readonly Role[] = ['initiator', 'responder'];
const senderValues: readonly Senders[] = ['both', 'initiator', 'responder', 'none'];

export function parseContent(el: Element, ctx: ContentParseContext): JingleContent {
  const content: JingleContent = {
    name: requiredAttr(el, 'name'),
    // X166 §7.3 makes creator REQUIRED; the initiator's is the common case and the safe guess.
    creator: optionalEnum(el, 'creator', creators) ?? 'initiator',
    senders: optionalEnum(el, 'senders', senderValues) ?? 'both',
  };
  const disposition = optionalAttr(el, 'disposition');
  if (disposition !== undefined) content.disposition = disposition;

  const descriptionEl = single(el, 'description');
  const transportEl = single(el, 'transport');
  if (ctx.complete && (descriptionEl === undefined || transportEl === undefined)) {
    throw malformed(`${ctx.action} <content name='${content.name}'/> needs a <description/> and a <transport/>`);
  }

  const description = descriptionEl && ctx.deferTerminal(() => parseDescription(descriptionEl));
  if (description !== undefined) content.description = description;
  const transport = transportEl && ctx.deferTerminal(() => parseTransport(transportEl));
  if (transport !== undefined) content.transport = transport;
  // Some clients (Jitsi) put <rtcp-mux/> in the ICE transport rather than the description.
  if (description?.kind === 'rtp' && transportEl?.getChildElements().some((c) => c.getName() === 'rtcp-mux')) {
    description.rtcpMux = true;
  }

  const security = ctx.deferTerminal(() => parseSecurity(el, descriptionEl, transportEl, ctx.action));
  if (security !== undefined) content.security = security;
  return content;
}

/** The only child of that local name, in whatever namespace (the namespace selects the codec). */
function single(el: Element, name: string): Element | undefined {
  const found = el.getChildElements().filter((child) => child.getName() === name);
  if (found.length > 1) throw malformed(`<content name='${el.attrs.name ?? ''}'/> has more than one <${name}/>`);
  return found[0];
}

function parseDescription(el: Element): Description {
  const ns = el.getNS();
  if (ns === NS_RTP) return parseRtpDescription(el);
  if (ns === NS_XMLSTREAM) return parseXmlStreamDescription();
  // X166 §7.4 <unsupported-applications/>; §1.1
  throw new GatewayError('unsupported-application', `application ${ns ?? '(no namespace)'} is not supported`);
}

function parseTransport(el: Element): Transport {
  const ns = el.getNS();
  if (ns === NS_ICE_UDP) return parseIceUdpTransport(el);
  if (ns === NS_RAW_UDP) return parseRawUdpTransport(el);
  // X166 §7.4 <unsupported-transports/>; §1.4
  throw new GatewayError('unsupported-transport', `transport ${ns ?? '(no namespace)'} is not supported`);
}

/**
 * §1.3.1 rule 1: XEP-0320 fingerprints in the transport (or, legacy, under the RTP
 * `<encryption/>`) win; an XTLS `<security/>` next to them is not even read.
 */
function parseSecurity(
  content: Element,
  description: Element | undefined,
  transport: Element | undefined,
  action: string,
): ContentSecurity | undefined {
  let dtls = transport === undefined ? [] : dtlsFingerprintElements(transport);
  if (dtls.length === 0 && description?.getNS() === NS_RTP) {
    const encryption = singleChild(description, 'encryption', NS_RTP);
    if (encryption !== undefined) dtls = dtlsFingerprintElements(encryption);
  }
  if (dtls.length > 0) return parseDtlsSecurity(dtls, action);
  const xtls = singleChild(content, 'security', NS_XTLS);
  return xtls === undefined ? undefined : parseXtlsSecurity(xtls);
}

/**
 * `<content creator name senders [disposition]>` then description, transport (with XEP-0320
 * fingerprints first inside it) and XTLS `<security/>`, always in that order. `senders` is
 * written even when `both`: the default is easy to miss and costs one attribute.
 */
export function buildContent(c: JingleContent): Element {
  const el = xml('content', { creator: c.creator, disposition: c.disposition, name: c.name, senders: c.senders });
  if (c.description !== undefined) {
    el.append(c.description.kind === 'rtp' ? buildRtpDescription(c.description) : buildXmlStreamDescription());
  }
  const dtls = c.security?.kind === 'dtls' ? buildDtlsFingerprints(c.security) : [];
  if (c.transport !== undefined) {
    el.append(
      c.transport.kind === 'ice-udp'
        ? buildIceUdpTransport(c.transport, dtls)
        : buildRawUdpTransport(c.transport, dtls),
    );
  } else if (dtls.length > 0) {
    // A programming error, not bad input: XEP-0320 has no place for a fingerprint without a transport.
    throw new Error(`content ${c.name}: XEP-0320 fingerprints need a transport to be written into`);
  }
  if (c.security?.kind === 'xtls') el.append(buildXtlsSecurity(c.security));
  return el;
}

/** A content that has both a description and a transport, i.e. a model `MediaContent`. */
export function isCompleteContent(c: JingleContent): c is MediaContent {
  return c.description !== undefined && c.transport !== undefined;
}
