/**
 * XEP-0177 Jingle Raw UDP Transport Method 1.1.1 (`urn:xmpp:jingle:transports:raw-udp:1`):
 * `<transport>` with `<candidate component ip port id generation type/>`; component 1 carries
 * RTP, component 2 RTCP [X177 §4.2; §1.5]. XEP-0320 fingerprints are read by dtls.ts.
 */
import { isIP } from 'node:net';
import { xml, type Element } from '@xmpp/component';
import type { RawUdpCandidate, RawUdpTransport } from '../model.ts';
import { children, malformed, optionalAttr, optionalUint, requiredAttr, requiredUint } from './attrs.ts';
import { NS_RAW_UDP } from './namespaces.ts';

/**
 * An IPv4 or IPv6 literal, or a DNS host name (browsers hide host addresses behind mDNS names
 * such as `<uuid>.local`, RFC 8839 §5.1 `connection-address`). Nothing with white space passes.
 */
export function isAddress(value: string): boolean {
  if (isIP(value) !== 0) return true;
  return (
    value.length <= 253 &&
    /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(value)
  );
}

export function parseRawUdpTransport(el: Element): RawUdpTransport {
  return { kind: 'raw-udp', candidates: children(el, 'candidate', NS_RAW_UDP).map(parseCandidate) };
}

function parseCandidate(el: Element): RawUdpCandidate {
  const component = requiredUint(el, 'component', 256);
  if (component === 0) throw malformed(`<candidate/> component 0 does not exist (components start at 1)`);
  const ip = requiredAttr(el, 'ip');
  if (!isAddress(ip)) throw malformed(`<candidate/> 'ip' is not an IP address or host name`);
  const candidate: RawUdpCandidate = {
    component,
    ip,
    port: requiredUint(el, 'port', 65535),
    // X177 §4.2 makes generation and id REQUIRED; tolerate their absence on input.
    generation: optionalUint(el, 'generation') ?? 0,
  };
  const id = optionalAttr(el, 'id');
  if (id !== undefined && id !== '') candidate.id = id;
  const type = optionalAttr(el, 'type');
  if (type !== undefined && type !== '') candidate.type = type;
  return candidate;
}

export function buildRawUdpTransport(t: RawUdpTransport, security: Element[] = []): Element {
  return xml(
    'transport',
    { xmlns: NS_RAW_UDP },
    security,
    t.candidates.map((c) =>
      xml('candidate', {
        component: c.component,
        generation: c.generation,
        id: c.id,
        ip: c.ip,
        port: c.port,
        type: c.type,
      }),
    ),
  );
}
