/**
 * Transports ⇄ SDP (spec §1.4–§1.6): SDP with ICE credentials is Jingle ICE-UDP [X176], SDP
 * without ICE is Jingle Raw UDP [X177]; the default candidate goes into c=/m= [RFC 8839 §3].
 */
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { GatewayError } from '../errors.ts';
import type {
  CandidateType,
  IceCandidate,
  IceUdpTransport,
  RawUdpCandidate,
  RawUdpTransport,
  Transport,
} from '../model.ts';
import { attributeValues, type SdpLine } from './lines.ts';

export type ParsedTransport = Transport;

export function parseTransport(
  m: MediaDescription,
  lines: readonly SdpLine[],
  session: readonly SdpLine[],
  parsed: SessionDescription,
  rtp: boolean,
): ParsedTransport {
  // String(): sdp-transform turns an all-digit value into a number (`a=ice-ufrag:1234`).
  const ufrag = m.iceUfrag ?? parsed.iceUfrag;
  const pwd = m.icePwd ?? parsed.icePwd;
  // spec §1.4: ICE applies when a=ice-ufrag and a=ice-pwd apply to the m-line (media or session level).
  if (ufrag !== undefined && pwd !== undefined) {
    const ice: IceUdpTransport = {
      kind: 'ice-udp',
      ufrag: String(ufrag),
      pwd: String(pwd),
      candidates: attributeValues(lines, 'candidate').map(parseCandidateAttribute),
    };
    const remote = attributeValues(lines, 'remote-candidates')[0] ?? attributeValues(session, 'remote-candidates')[0];
    if (remote !== undefined) ice.remoteCandidates = remote.trim();
    return ice;
  }
  return rawUdpFromConnection(m, parsed, rtp);
}

/** spec §1.4/§1.5: component 1 = c= + m= port; component 2 = a=rtcp, else port + 1 unless rtcp-mux. */
function rawUdpFromConnection(m: MediaDescription, parsed: SessionDescription, rtp: boolean): RawUdpTransport {
  const connection = m.connection?.ip ?? parsed.connection?.ip;
  // sdp-transform turns an all-digit field into a number (`c=IN IP4 1`).
  const ip = connection === undefined ? undefined : String(connection);
  if (ip === undefined) {
    if (m.port === 0) return { kind: 'raw-udp', candidates: [] };
    throw new GatewayError('sdp-syntax', `SDP m-line "${m.type}" has no c= address`);
  }
  const address = ip.split('/')[0]!;
  const candidates: RawUdpCandidate[] = [{ component: 1, ip: address, port: m.port, generation: 0 }];
  if (m.rtcp !== undefined) {
    candidates.push({ component: 2, ip: String(m.rtcp.address ?? address), port: m.rtcp.port, generation: 0 });
  } else if (rtp && m.rtcpMux === undefined) {
    // RTCP on port + 1 [RFC 3550 §11]; an XML stream has no RTCP.
    candidates.push({ component: 2, ip: address, port: m.port + 1, generation: 0 });
  }
  return { kind: 'raw-udp', candidates };
}

const candidateTypes = new Set<string>(['host', 'srflx', 'prflx', 'relay']);

export function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535;
}

/**
 * `a=candidate` [RFC 8839 §5.1]: foundation component transport priority address port
 * "typ" type, then raddr/rport and extension pairs in any order. `network` and libwebrtc's
 * `network-id` both map to Jingle `network`; other extensions (e.g. `ufrag`) are ignored.
 */
export function parseCandidateAttribute(value: string): IceCandidate {
  const t = value.trim().split(/\s+/);
  const [foundation, component, protocol, priority, ip, port, typ, type] = t;
  if (
    t.length < 8 ||
    typ !== 'typ' ||
    // RFC 8839 §5.1: component-id 1*3DIGIT, priority 1*10DIGIT; a port is 16 bits. Larger numbers
    // would be written back as `1e+21`.
    !/^\d{1,3}$/.test(component!) ||
    !/^\d{1,10}$/.test(priority!) ||
    Number(priority) > 0xffffffff ||
    !isPort(port!) ||
    !candidateTypes.has(type!)
  ) {
    throw new GatewayError('sdp-syntax', `a=candidate is malformed: ${value.slice(0, 80)}`);
  }
  const candidate: IceCandidate = {
    foundation: foundation!,
    component: Number(component),
    protocol: protocol!.toLowerCase(),
    priority: Number(priority),
    ip: ip!,
    port: Number(port),
    type: type as CandidateType,
    generation: 0,
  };
  for (let i = 8; i + 1 < t.length; i += 2) {
    const name = t[i]!;
    const v = t[i + 1]!;
    if (name === 'raddr') candidate.relAddr = v;
    else if (name === 'rport' && isPort(v)) candidate.relPort = Number(v);
    else if (name === 'generation' && /^\d{1,9}$/.test(v)) candidate.generation = Number(v);
    else if ((name === 'network' || name === 'network-id') && /^\d{1,9}$/.test(v)) candidate.network = Number(v);
    else if (name === 'tcptype') candidate.tcptype = v;
  }
  return candidate;
}

export function formatCandidateAttribute(c: IceCandidate): string {
  let line = `candidate:${c.foundation} ${c.component} ${c.protocol.toUpperCase()} ${c.priority} ${c.ip} ${c.port} typ ${c.type}`;
  if (c.relAddr !== undefined) line += ` raddr ${c.relAddr}`;
  if (c.relPort !== undefined) line += ` rport ${c.relPort}`;
  if (c.tcptype !== undefined) line += ` tcptype ${c.tcptype}`;
  line += ` generation ${c.generation}`;
  if (c.network !== undefined) line += ` network-id ${c.network}`;
  return line;
}

export interface TransportLines {
  connection: string;
  port: number;
  attributes: string[];
}

/** Transport → `c=`, the m= port and its attribute lines (spec §1.4–§1.6). */
export function writeTransport(transport: Transport): TransportLines {
  if (transport.kind === 'raw-udp') {
    const rtp = transport.candidates.find((c) => c.component === 1);
    const rtcp = transport.candidates.find((c) => c.component === 2);
    if (!rtp) return { connection: 'IN IP4 0.0.0.0', port: 9, attributes: [] };
    const attributes: string[] = [];
    if (rtcp)
      attributes.push(rtcp.ip === rtp.ip ? `rtcp:${rtcp.port}` : `rtcp:${rtcp.port} ${connectionAddress(rtcp.ip)}`);
    return { connection: connectionAddress(rtp.ip), port: rtp.port, attributes };
  }
  const attributes: string[] = [];
  // spec §1.6: the default candidate is the highest-priority component-1 candidate.
  const best = (component: number): IceCandidate | undefined =>
    transport.candidates
      .filter((c) => c.component === component)
      .reduce<IceCandidate | undefined>((a, c) => (a === undefined || c.priority > a.priority ? c : a), undefined);
  const rtp = best(1);
  const rtcp = best(2);
  if (rtp && rtcp) attributes.push(`rtcp:${rtcp.port} ${connectionAddress(rtcp.ip)}`);
  if (transport.ufrag !== undefined) attributes.push(`ice-ufrag:${transport.ufrag}`);
  if (transport.pwd !== undefined) attributes.push(`ice-pwd:${transport.pwd}`);
  attributes.push('ice-options:trickle');
  for (const c of transport.candidates) attributes.push(formatCandidateAttribute(c));
  if (transport.remoteCandidates !== undefined) attributes.push(`remote-candidates:${transport.remoteCandidates}`);
  // RFC 8840 §4.1.1: before any candidate, the default is 0.0.0.0 port 9 and no a=rtcp.
  if (!rtp) return { connection: 'IN IP4 0.0.0.0', port: 9, attributes };
  return { connection: connectionAddress(rtp.ip), port: rtp.port, attributes };
}

function connectionAddress(ip: string): string {
  return ip.includes(':') ? `IN IP6 ${ip}` : `IN IP4 ${ip}`;
}
