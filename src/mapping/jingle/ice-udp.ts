/**
 * XEP-0176 Jingle ICE-UDP Transport Method 1.1.1 (`urn:xmpp:jingle:transports:ice-udp:1`):
 * `<transport ufrag pwd>` with `<candidate/>`s and `<remote-candidate/>` [X176 §5.3, §5.7; §1.6].
 * XEP-0320 `<fingerprint/>` children are read by dtls.ts, not here.
 *
 * Every value that ends up on an SDP line is checked against its RFC 8839 grammar here, so a
 * stanza can never inject white space or line breaks into the SDP the gateway writes.
 */
import { xml, type Element } from '@xmpp/component';
import { GatewayError } from '../errors.ts';
import type { CandidateType, IceCandidate, IceUdpTransport } from '../model.ts';
import { children, malformed, optionalAttr, optionalEnum, optionalUint, requiredAttr, requiredUint } from './attrs.ts';
import { NS_ICE_UDP } from './namespaces.ts';
import { isAddress } from './raw-udp.ts';

const candidateTypes: readonly CandidateType[] = ['host', 'srflx', 'prflx', 'relay'];
/** RFC 6544 §4.5 TCP candidate types. */
const tcpTypes = ['active', 'passive', 'so'] as const;

/** RFC 8839 §5.1: component-id 1*3DIGIT (1–256), priority 1*10DIGIT (at most 2^31-1, RFC 8445 §5.1.2). */
const maxComponent = 256;
const maxPriority = 0x7fffffff;
const maxPort = 65535;

/** RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/"; ufrag 4–256, pwd 22–256 chars. */
const iceChars = /^[A-Za-z0-9+/]*$/;

function checkCredential(value: string, what: 'ufrag' | 'pwd', min: number): string {
  if (value.length < min || value.length > 256 || !iceChars.test(value)) {
    throw new GatewayError(
      'ice-credentials',
      `ICE ${what} must be ${min}–256 characters of ALPHA, DIGIT, "+" and "/" (got ${value.length} characters)`,
    );
  }
  return value;
}

export function parseIceUdpTransport(el: Element): IceUdpTransport {
  const transport: IceUdpTransport = {
    kind: 'ice-udp',
    candidates: children(el, 'candidate', NS_ICE_UDP).map(parseCandidate),
  };
  const ufrag = optionalAttr(el, 'ufrag');
  if (ufrag !== undefined) transport.ufrag = checkCredential(ufrag, 'ufrag', 4);
  const pwd = optionalAttr(el, 'pwd');
  if (pwd !== undefined) transport.pwd = checkCredential(pwd, 'pwd', 22);
  const remote = children(el, 'remote-candidate', NS_ICE_UDP).map(parseRemoteCandidate);
  if (remote.length > 0) transport.remoteCandidates = remote.join(' ');
  return transport;
}

function parseCandidate(el: Element): IceCandidate {
  const foundation = requiredAttr(el, 'foundation');
  // RFC 8839 §5.1: foundation = 1*32ice-char
  if (foundation.length > 32 || !iceChars.test(foundation)) {
    throw malformed(`<candidate/> foundation is not 1–32 ICE characters: ${foundation.slice(0, 40)}`);
  }
  const protocol = requiredAttr(el, 'protocol').toLowerCase();
  if (!/^[a-z0-9][a-z0-9.+-]*$/.test(protocol)) throw malformed(`<candidate/> protocol is not a token`);
  const type = optionalEnum(el, 'type', candidateTypes);
  if (type === undefined) throw malformed(`<candidate/> lacks the required 'type' attribute`);
  const candidate: IceCandidate = {
    foundation,
    component: parseComponent(el),
    protocol,
    priority: requiredUint(el, 'priority', maxPriority),
    ip: parseAddress(el, 'ip'),
    port: requiredUint(el, 'port', maxPort),
    type,
    // X176 §5.3 makes generation REQUIRED; clients that omit it mean the first generation.
    generation: optionalUint(el, 'generation') ?? 0,
  };
  const id = optionalAttr(el, 'id');
  if (id !== undefined && id !== '') candidate.id = id;
  const relAddr = optionalAttr(el, 'rel-addr');
  if (relAddr !== undefined) candidate.relAddr = parseAddress(el, 'rel-addr');
  const relPort = optionalUint(el, 'rel-port', maxPort);
  if (relPort !== undefined) candidate.relPort = relPort;
  const network = optionalUint(el, 'network');
  if (network !== undefined) candidate.network = network;
  const tcptype = optionalEnum(el, 'tcptype', tcpTypes);
  if (tcptype !== undefined) candidate.tcptype = tcptype;
  return candidate;
}

function parseComponent(el: Element): number {
  const component = requiredUint(el, 'component', maxComponent);
  if (component === 0) throw malformed(`<${el.getName()}/> component 0 does not exist (components start at 1)`);
  return component;
}

function parseAddress(el: Element, name: string): string {
  const value = requiredAttr(el, name);
  if (!isAddress(value)) throw malformed(`<${el.getName()}/> '${name}' is not an IP address or host name`);
  return value;
}

/** `<remote-candidate component ip port/>` → RFC 8839 §5.2 `<component> <address> <port>`. */
function parseRemoteCandidate(el: Element): string {
  return `${parseComponent(el)} ${parseAddress(el, 'ip')} ${requiredUint(el, 'port', maxPort)}`;
}

export function buildIceUdpTransport(t: IceUdpTransport, security: Element[] = []): Element {
  const el = xml('transport', { xmlns: NS_ICE_UDP, ufrag: t.ufrag, pwd: t.pwd }, security);
  for (const c of t.candidates) {
    el.append(
      xml('candidate', {
        component: c.component,
        foundation: c.foundation,
        generation: c.generation,
        id: c.id,
        ip: c.ip,
        network: c.network,
        port: c.port,
        priority: c.priority,
        protocol: c.protocol.toLowerCase(),
        'rel-addr': c.relAddr,
        'rel-port': c.relPort,
        tcptype: c.tcptype,
        type: c.type,
      }),
    );
  }
  const remote = (t.remoteCandidates ?? '').trim().split(/\s+/);
  for (let i = 0; i + 2 < remote.length; i += 3) {
    el.append(xml('remote-candidate', { component: remote[i], ip: remote[i + 1], port: remote[i + 2] }));
  }
  return el;
}
