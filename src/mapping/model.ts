/**
 * The neutral media model: what a Jingle session and an SDP description have in common.
 *
 *   SDP text ⇄ (sdp/parse, sdp/write) ⇄ MediaSession ⇄ (jingle/*) ⇄ <jingle/> element
 *
 * Everything here is absolute (Jingle's point of view): `senders` and header-extension
 * directions name parties, not the SDP author. The author-relative SDP direction is derived
 * in `senders.ts` with the author role as an explicit parameter.
 */

export type Role = 'initiator' | 'responder';
export type Senders = 'both' | 'initiator' | 'responder' | 'none';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
export type SetupRole = 'active' | 'passive' | 'actpass' | 'holdconn';

/** IANA "Hash Function Textual Names" [RFC 8122 §8]. */
export type HashName = 'md2' | 'md5' | 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512';

/** A normalised certificate fingerprint: lowercase IANA hash name, uppercase colon-hex value. */
export interface Fingerprint {
  hash: HashName;
  value: string;
}

/** XEP-0320: fingerprints with an explicit RFC 4145 role. */
export interface DtlsSecurity {
  kind: 'dtls';
  fingerprints: Fingerprint[];
  setup: SetupRole;
}

/** XTLS ProtoXEP: fingerprints and ordered TLS method names; roles are fixed by XTLS itself. */
export interface XtlsSecurity {
  kind: 'xtls';
  fingerprints: Fingerprint[];
  methods: string[];
}

export type ContentSecurity = DtlsSecurity | XtlsSecurity;

export interface Parameter {
  name: string;
  value: string;
}

/** XEP-0293 / RFC 4585 feedback; trr-int is kept apart because it carries a number. */
export interface RtcpFeedback {
  type: string;
  subtype?: string;
}

export interface PayloadType {
  id: number;
  name?: string;
  clockrate?: number;
  channels?: number;
  ptime?: number;
  maxptime?: number;
  parameters: Parameter[];
  feedback: RtcpFeedback[];
  trrInt?: number;
}

/** XEP-0294 header extension; `senders` is absolute like content senders. */
export interface HeaderExtension {
  id: number;
  uri: string;
  senders: Senders;
  attributes?: string;
}

/** XEP-0167 §7 / RFC 4568 SDES crypto line. */
export interface Crypto {
  tag: number;
  suite: string;
  keyParams: string;
  sessionParams?: string;
}

export interface SourceParameter {
  name: string;
  value?: string;
}

/** XEP-0339 source and source group. */
export interface Source {
  ssrc: string;
  parameters: SourceParameter[];
}

export interface SourceGroup {
  semantics: string;
  sources: string[];
}

export interface Bandwidth {
  type: string;
  value: number;
}

export interface RtpDescription {
  kind: 'rtp';
  media: string;
  ssrc?: string;
  payloadTypes: PayloadType[];
  feedback: RtcpFeedback[];
  trrInt?: number;
  headerExtensions: HeaderExtension[];
  extmapAllowMixed: boolean;
  rtcpMux: boolean;
  bandwidth: Bandwidth[];
  crypto: Crypto[];
  cryptoRequired: boolean;
  sources: Source[];
  sourceGroups: SourceGroup[];
}

/** XEP-0247 Jingle XML Streams; its SDP form is project-defined (docs/mapping.md). */
export interface XmlStreamDescription {
  kind: 'xmlstream';
}

export type Description = RtpDescription | XmlStreamDescription;

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** XEP-0176 §5.3 candidate; `id` is Jingle-only and regenerated on S→J. */
export interface IceCandidate {
  id?: string;
  foundation: string;
  component: number;
  protocol: string;
  priority: number;
  ip: string;
  port: number;
  type: CandidateType;
  relAddr?: string;
  relPort?: number;
  generation: number;
  network?: number;
  tcptype?: string;
}

export interface IceUdpTransport {
  kind: 'ice-udp';
  ufrag?: string;
  pwd?: string;
  candidates: IceCandidate[];
  remoteCandidates?: string;
}

/** XEP-0177 candidate: component 1 is RTP, component 2 RTCP. */
export interface RawUdpCandidate {
  id?: string;
  component: number;
  ip: string;
  port: number;
  generation: number;
  type?: string;
}

export interface RawUdpTransport {
  kind: 'raw-udp';
  candidates: RawUdpCandidate[];
}

export type Transport = IceUdpTransport | RawUdpTransport;

export interface MediaContent {
  name: string;
  creator: Role;
  senders: Senders;
  disposition?: string;
  description: Description;
  transport: Transport;
  security?: ContentSecurity;
  /** SDP port 0: a rejected or removed m-line [RFC 3264 §8.2]. */
  rejected?: boolean;
}

export interface ContentGroup {
  semantics: string;
  contents: string[];
}

export interface MediaSession {
  contents: MediaContent[];
  groups: ContentGroup[];
}
