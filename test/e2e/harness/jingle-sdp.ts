/**
 * The test side's own SDP ⇄ Jingle converter, for the werift XMPP endpoint (werift-peer.ts). It
 * is deliberately independent of src/mapping: the e2e test must prove the gateway, not a mirror
 * of it. It covers what a WebRTC audio client puts on the wire and nothing more: RTP description
 * (payload types, fmtp parameters, rtcp-mux) [XEP-0167], sources [XEP-0339], ICE-UDP and Raw UDP
 * transports [XEP-0176, XEP-0177], XEP-0320 fingerprints with `setup`, BUNDLE groups [XEP-0338].
 *
 * Sources matter: werift routes incoming RTP to a transceiver by the SSRCs of the remote SDP (or
 * by the MID header extension, which baresip does not send). An answer whose `a=ssrc` lines were
 * lost on the way leaves werift discarding every packet although ICE and DTLS are up.
 *
 * SDP read here may carry ICE credentials, fingerprint and setup at session level (baresip does,
 * spec §10); they apply to every m-line without their own. SDP written here puts everything at
 * media level and the default candidate in `c=`/`m=` (RFC 8839 §4.2.1.2).
 */
import { xml, type Element } from '@xmpp/component';

export const NS_JINGLE = 'urn:xmpp:jingle:1';
export const NS_RTP = 'urn:xmpp:jingle:apps:rtp:1';
export const NS_RTP_INFO = 'urn:xmpp:jingle:apps:rtp:info:1';
export const NS_ICE_UDP = 'urn:xmpp:jingle:transports:ice-udp:1';
export const NS_RAW_UDP = 'urn:xmpp:jingle:transports:raw-udp:1';
export const NS_DTLS = 'urn:xmpp:jingle:apps:dtls:0';
export const NS_GROUPING = 'urn:xmpp:jingle:apps:grouping:0';
export const NS_SSMA = 'urn:xmpp:jingle:apps:rtp:ssma:0';

/** Who wrote an SDP: its direction attributes are relative to that party [RFC 3264 §6.1]. */
export type SdpAuthor = 'initiator' | 'responder';

export interface SdpMediaSection {
  media: string;
  port: number;
  proto: string;
  formats: string[];
  /** `c=` address of the section, else the session's. */
  address: string | undefined;
  /** Attribute lines without `a=`: `name` or `name:value`. */
  attributes: string[];
}

export interface ParsedSdp {
  sessionAttributes: string[];
  sessionAddress: string | undefined;
  media: SdpMediaSection[];
}

export function parseSdp(sdp: string): ParsedSdp {
  const parsed: ParsedSdp = { sessionAttributes: [], sessionAddress: undefined, media: [] };
  let current: SdpMediaSection | undefined;
  for (const line of sdp.split(/\r?\n/)) {
    const type = line.charAt(0);
    const value = line.slice(2);
    if (line.charAt(1) !== '=') continue;
    if (type === 'm') {
      const [media = '', port = '0', proto = '', ...formats] = value.split(' ');
      current = { media, port: Number(port), proto, formats, address: parsed.sessionAddress, attributes: [] };
      parsed.media.push(current);
    } else if (type === 'c') {
      const address = value.split(' ')[2];
      if (current === undefined) parsed.sessionAddress = address;
      else current.address = address;
    } else if (type === 'a') {
      (current === undefined ? parsed.sessionAttributes : current.attributes).push(value);
    }
  }
  return parsed;
}

/** Values of `a=<name>:…` (or `[''`] for a flag `a=<name>`), media level first, else session level. */
function attributeValues(attributes: string[], name: string): string[] {
  const values: string[] = [];
  for (const attribute of attributes) {
    if (attribute === name) values.push('');
    else if (attribute.startsWith(`${name}:`)) values.push(attribute.slice(name.length + 1).trim());
  }
  return values;
}

function mediaOrSession(parsed: ParsedSdp, section: SdpMediaSection, name: string): string[] {
  const own = attributeValues(section.attributes, name);
  return own.length > 0 ? own : attributeValues(parsed.sessionAttributes, name);
}

const DIRECTIONS = ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const;
type Direction = (typeof DIRECTIONS)[number];
type Senders = 'both' | 'initiator' | 'responder' | 'none';

// Jingle `senders` is absolute, SDP direction relative to its author [X166 §7.3; RFC 3264 §6.1].
const SENDERS_BY_DIRECTION: Record<SdpAuthor, Record<Direction, Senders>> = {
  initiator: { sendrecv: 'both', sendonly: 'initiator', recvonly: 'responder', inactive: 'none' },
  responder: { sendrecv: 'both', sendonly: 'responder', recvonly: 'initiator', inactive: 'none' },
};

function directionOf(section: SdpMediaSection, parsed: ParsedSdp): Direction {
  const all = [...section.attributes, ...parsed.sessionAttributes];
  return DIRECTIONS.find((direction) => all.includes(direction)) ?? 'sendrecv';
}

export interface SdpToJingleOptions {
  action: 'session-initiate' | 'session-accept';
  sid: string;
  author: SdpAuthor;
  initiator?: string;
  responder?: string;
  /** Content names by m-line index, for SDP without `a=mid` (an answer must keep the offer's). */
  contentNames?: string[];
}

/** A `<jingle/>` carrying the SDP's m-lines as contents. */
export function sdpToJingle(sdp: string, options: SdpToJingleOptions): Element {
  const parsed = parseSdp(sdp);
  const jingle = xml('jingle', {
    xmlns: NS_JINGLE,
    action: options.action,
    sid: options.sid,
    initiator: options.initiator,
    responder: options.responder,
  });
  parsed.media.forEach((section, index) => {
    const name = attributeValues(section.attributes, 'mid')[0] ?? options.contentNames?.[index] ?? String(index);
    jingle.append(
      xml(
        'content',
        {
          creator: 'initiator',
          name,
          senders: SENDERS_BY_DIRECTION[options.author][directionOf(section, parsed)],
        },
        descriptionOf(section),
        transportOf(parsed, section, index),
      ),
    );
  });
  for (const group of attributeValues(parsed.sessionAttributes, 'group')) {
    const [semantics = '', ...names] = group.split(' ');
    jingle.append(
      xml('group', { xmlns: NS_GROUPING, semantics }, ...names.map((content) => xml('content', { name: content }))),
    );
  }
  return jingle;
}

function descriptionOf(section: SdpMediaSection): Element {
  const description = xml('description', { xmlns: NS_RTP, media: section.media });
  const rtpmaps = attributeValues(section.attributes, 'rtpmap');
  const fmtps = attributeValues(section.attributes, 'fmtp');
  for (const id of section.formats) {
    const rtpmap = rtpmaps.find((value) => value.startsWith(`${id} `));
    const [encoding = '', clockrate, channels] = (rtpmap?.slice(id.length + 1) ?? '').split('/');
    const payloadType = xml('payload-type', {
      id,
      name: encoding === '' ? undefined : encoding,
      clockrate,
      channels: channels === undefined || channels === '1' ? undefined : channels,
    });
    const fmtp = fmtps.find((value) => value.startsWith(`${id} `));
    for (const parameter of fmtp?.slice(id.length + 1).split(';') ?? []) {
      const [key = '', ...rest] = parameter.trim().split('=');
      if (key !== '') payloadType.append(xml('parameter', { name: key, value: rest.join('=') }));
    }
    description.append(payloadType);
  }
  if (attributeValues(section.attributes, 'rtcp-mux').length > 0) description.append(xml('rtcp-mux'));
  // a=ssrc:<id> <name>[:<value>] → <source ssrc><parameter name value/></source> [X339 §2.1]
  const sources = new Map<string, Element>();
  for (const value of attributeValues(section.attributes, 'ssrc')) {
    const [ssrc = '', attribute = ''] = value.split(/ (.*)/s);
    const colon = attribute.indexOf(':');
    let source = sources.get(ssrc);
    if (source === undefined) {
      source = xml('source', { xmlns: NS_SSMA, ssrc });
      sources.set(ssrc, source);
      description.append(source);
    }
    source.append(
      xml(
        'parameter',
        colon < 0 ? { name: attribute } : { name: attribute.slice(0, colon), value: attribute.slice(colon + 1) },
      ),
    );
  }
  return description;
}

function transportOf(parsed: ParsedSdp, section: SdpMediaSection, index: number): Element {
  const ufrag = mediaOrSession(parsed, section, 'ice-ufrag')[0];
  const pwd = mediaOrSession(parsed, section, 'ice-pwd')[0];
  const ice = ufrag !== undefined && pwd !== undefined;
  const transport = xml('transport', ice ? { xmlns: NS_ICE_UDP, ufrag, pwd } : { xmlns: NS_RAW_UDP });
  const setup = mediaOrSession(parsed, section, 'setup')[0];
  for (const fingerprint of mediaOrSession(parsed, section, 'fingerprint')) {
    const [hash = '', value = ''] = fingerprint.split(/\s+/);
    transport.append(xml('fingerprint', { xmlns: NS_DTLS, hash: hash.toLowerCase(), setup }, value.toUpperCase()));
  }
  if (ice) {
    attributeValues(section.attributes, 'candidate').forEach((line, candidateIndex) => {
      transport.append(candidateElement(line, `c${String(index)}x${String(candidateIndex)}`));
    });
  } else if (section.address !== undefined) {
    transport.append(
      xml('candidate', {
        component: '1',
        generation: '0',
        id: `r${String(index)}`,
        ip: section.address,
        port: section.port,
      }),
    );
  }
  return transport;
}

/** `a=candidate` value → XEP-0176 `<candidate/>` [X176 §5.3; RFC 8839 §5.1]. */
function candidateElement(line: string, id: string): Element {
  const [foundation, component, protocol = '', priority, ip, port, , type, ...extensions] = line.split(' ');
  const extension = (name: string): string | undefined => {
    const at = extensions.indexOf(name);
    return at < 0 ? undefined : extensions[at + 1];
  };
  return xml('candidate', {
    foundation,
    component,
    protocol: protocol.toLowerCase(),
    priority,
    ip,
    port,
    type,
    'rel-addr': extension('raddr'),
    'rel-port': extension('rport'),
    generation: extension('generation') ?? '0',
    network: '0',
    id,
  });
}

export interface JingleToSdpOptions {
  author: SdpAuthor;
  sessionVersion?: number;
}

/** SDP for a `<jingle/>` session-initiate or session-accept, everything at media level. */
export function jingleToSdp(jingle: Element, options: JingleToSdpOptions): string {
  const lines = ['v=0', `o=- 4962303333 ${String(options.sessionVersion ?? 1)} IN IP4 127.0.0.1`, 's=-', 't=0 0'];
  for (const group of jingle.getChildren('group', NS_GROUPING)) {
    const names = group.getChildren('content').map((content) => content.attrs.name ?? '');
    lines.push(`a=group:${group.attrs.semantics ?? 'BUNDLE'} ${names.join(' ')}`);
  }
  for (const content of jingle.getChildren('content')) lines.push(...mediaSection(content, options.author));
  return `${lines.join('\r\n')}\r\n`;
}

function mediaSection(content: Element, author: SdpAuthor): string[] {
  const description = content.getChild('description', NS_RTP);
  if (description === undefined) throw new Error(`content ${content.attrs.name ?? ''} has no RTP description`);
  const transport = content.getChild('transport', NS_ICE_UDP) ?? content.getChild('transport', NS_RAW_UDP);
  if (transport === undefined)
    throw new Error(`content ${content.attrs.name ?? ''} has no ICE-UDP or Raw UDP transport`);
  const payloadTypes = description.getChildren('payload-type');
  const fingerprints = transport.getChildren('fingerprint', NS_DTLS);
  const candidates = transport.getChildren('candidate').filter((candidate) => candidate.attrs.component === '1');
  // RFC 8839 §4.2.1.2: the default candidate is the highest-priority component-1 candidate.
  const best = [...candidates].sort((a, b) => Number(b.attrs.priority ?? 0) - Number(a.attrs.priority ?? 0))[0];
  const address = best?.attrs.ip ?? '0.0.0.0';
  const port = best?.attrs.port ?? '9';
  const proto = fingerprints.length > 0 ? 'UDP/TLS/RTP/SAVPF' : 'RTP/AVPF';
  const senders = (content.attrs.senders ?? 'both') as Senders;
  const direction = DIRECTIONS.find((candidate) => SENDERS_BY_DIRECTION[author][candidate] === senders) ?? 'sendrecv';
  const lines = [
    `m=${description.attrs.media ?? 'audio'} ${port} ${proto} ${payloadTypes.map((pt) => pt.attrs.id).join(' ')}`,
    `c=IN ${address.includes(':') ? 'IP6' : 'IP4'} ${address}`,
    `a=mid:${content.attrs.name ?? ''}`,
    `a=${direction}`,
  ];
  if (description.getChild('rtcp-mux') !== undefined) lines.push('a=rtcp-mux');
  if (transport.attrs.ufrag !== undefined) lines.push(`a=ice-ufrag:${transport.attrs.ufrag}`);
  if (transport.attrs.pwd !== undefined) lines.push(`a=ice-pwd:${transport.attrs.pwd}`);
  for (const fingerprint of fingerprints) {
    lines.push(`a=fingerprint:${fingerprint.attrs.hash ?? ''} ${fingerprint.getText().trim()}`);
  }
  const setup = fingerprints[0]?.attrs.setup;
  if (setup !== undefined) lines.push(`a=setup:${setup}`);
  for (const pt of payloadTypes) {
    if (pt.attrs.name === undefined) continue;
    const channels = pt.attrs.channels === undefined ? '' : `/${pt.attrs.channels}`;
    lines.push(`a=rtpmap:${pt.attrs.id ?? ''} ${pt.attrs.name}/${pt.attrs.clockrate ?? ''}${channels}`);
    const parameters = pt.getChildren('parameter').map((p) => `${p.attrs.name ?? ''}=${p.attrs.value ?? ''}`);
    if (parameters.length > 0) lines.push(`a=fmtp:${pt.attrs.id ?? ''} ${parameters.join(';')}`);
  }
  for (const source of description.getChildren('source', NS_SSMA)) {
    for (const parameter of source.getChildren('parameter')) {
      const value = parameter.attrs.value === undefined ? '' : `:${parameter.attrs.value}`;
      lines.push(`a=ssrc:${source.attrs.ssrc ?? ''} ${parameter.attrs.name ?? ''}${value}`);
    }
  }
  if (transport.getNS() === NS_ICE_UDP) {
    for (const candidate of transport.getChildren('candidate')) lines.push(`a=${candidateLine(candidate)}`);
  }
  return lines;
}

function candidateLine(candidate: Element): string {
  const a = candidate.attrs;
  const related = a['rel-addr'] === undefined ? '' : ` raddr ${a['rel-addr']} rport ${a['rel-port'] ?? '9'}`;
  return (
    `candidate:${a.foundation ?? '1'} ${a.component ?? '1'} ${(a.protocol ?? 'udp').toUpperCase()} ` +
    `${a.priority ?? '1'} ${a.ip ?? ''} ${a.port ?? ''} typ ${a.type ?? 'host'}${related} generation ${a.generation ?? '0'}`
  );
}

/** The `<jingle/>` of an IQ, if any. */
export function jingleChild(stanza: Element): Element | undefined {
  return stanza.getChild('jingle', NS_JINGLE);
}
