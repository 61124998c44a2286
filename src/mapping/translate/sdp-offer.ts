/**
 * SIP→XMPP offers in two steps (spec §1.3.2):
 *
 *   inspectSdpOffer(text)          mechanism-independent checks (proto, hash, holdconn), made
 *                                  before any XMPP traffic; lists each m-line's DTLS configurations
 *   sdpOfferToJingle(offer, mech)  once the callee's mechanism is known (disco#info or config):
 *                                  picks a configuration per m-line and builds the Jingle contents
 */
import { GatewayError } from '../errors.ts';
import { parseFingerprintAttribute } from '../fingerprint.ts';
import type { IdSource } from '../ids.ts';
import type { ContentSecurity, Fingerprint, MediaContent, MediaSession } from '../model.ts';
import { parseSdp, parseSdpSections, type ParsedSdp, type SdpMedia } from '../sdp/parse.ts';
import { decodeMid } from '../sdp/write.ts';
import { sendersForDirection } from '../senders.ts';
import { assignCandidateIds } from './candidates.ts';
import { expandOfferConfigurations, type OfferPcfgChoice } from './capneg-offer.ts';
import { isDtlsProto, isRtpProto } from './proto.ts';

export type SecurityMechanism = 'dtls' | 'xtls' | 'none';

/** One usable DTLS configuration of an m-line: the actual one, or an expanded pcfg. */
export interface DtlsConfiguration {
  media: SdpMedia;
  fingerprints: Fingerprint[];
  setup?: string;
  methods: string[];
  pcfg?: OfferPcfgChoice;
}

export interface InspectedMedia {
  media: SdpMedia;
  /** An RTP or XML-stream proto on a port other than 0. */
  mapped: boolean;
  /** The actual configuration is DTLS-SRTP (no plain fallback). */
  dtlsOnly: boolean;
  /** Usable DTLS configurations, most preferred first. */
  configurations: DtlsConfiguration[];
}

export interface InspectedOffer {
  parsed: ParsedSdp;
  media: InspectedMedia[];
  /** RFC 5939 §3.6.2: a session-level a=creq we cannot meet → answer with a=csup. */
  csupNeeded: boolean;
}

/** The checks that do not depend on the callee. Throws GatewayError (488 + Warning 399 …). */
export function inspectSdpOffer(text: string): InspectedOffer {
  const parsed = parseSdp(text);
  const expansion = expandOfferConfigurations(parsed.sections);
  const media = parsed.media.map((m): InspectedMedia => {
    const mapped = m.port !== 0 && (isRtpProto(m.proto) || m.description.kind === 'xmlstream');
    const dtlsOnly = mapped && (isDtlsProto(m.proto) || m.proto.toUpperCase() === 'TCP/TLS');
    if (!mapped) return { media: m, mapped, dtlsOnly, configurations: [] };
    if (dtlsOnly) {
      // spec §1.3.2: an unusable actual DTLS configuration → 488 + Warning 399, no Jingle traffic.
      return { media: m, mapped, dtlsOnly, configurations: [usableConfiguration(m, undefined, true)!] };
    }
    const configurations: DtlsConfiguration[] = [];
    for (const choice of expansion.configurations[m.index] ?? []) {
      const internal = parseSdpSections(choice.sections).media[m.index];
      if (!internal || !isDtlsProto(internal.proto)) continue;
      const usable = usableConfiguration(internal, choice, false);
      if (usable) configurations.push(usable);
    }
    return { media: m, mapped, dtlsOnly, configurations };
  });
  if (!media.some((m) => m.mapped)) {
    throw new GatewayError('no-usable-media', 'no m-line with an RTP or XML-stream proto the gateway maps');
  }
  return { parsed, media, csupNeeded: expansion.csupNeeded };
}

/**
 * A DTLS configuration is usable with at least one fingerprint of an accepted hash and a role
 * other than holdconn (spec §1.3.2; §4.3 step 4; RFC 8842 §5.1). An unusable pcfg is skipped;
 * an unusable actual configuration is an error (`strict`).
 */
function usableConfiguration(
  media: SdpMedia,
  pcfg: OfferPcfgChoice | undefined,
  strict: boolean,
): DtlsConfiguration | undefined {
  try {
    if (media.security.setup === 'holdconn') {
      throw new GatewayError('holdconn-offer', 'holdconn not allowed for DTLS');
    }
    const fingerprints: Fingerprint[] = [];
    let firstError: GatewayError | undefined;
    for (const value of media.security.fingerprints) {
      try {
        fingerprints.push(parseFingerprintAttribute(value));
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        firstError ??= err;
      }
    }
    if (fingerprints.length === 0) {
      throw firstError ?? new GatewayError('hash-not-allowed', 'DTLS-SRTP offer without a=fingerprint');
    }
    const configuration: DtlsConfiguration = { media, fingerprints, methods: media.security.tlsMethods ?? [] };
    if (media.security.setup !== undefined) configuration.setup = media.security.setup;
    if (pcfg !== undefined) configuration.pcfg = pcfg;
    return configuration;
  } catch (err) {
    if (strict || !(err instanceof GatewayError)) throw err;
    return undefined;
  }
}

/** The configuration chosen for one m-line, kept for building the answer. */
export interface OfferedMedia {
  inspected: InspectedMedia;
  /** The Jingle content name, when the m-line is part of the session-initiate. */
  name?: string;
  configuration?: DtlsConfiguration;
  mechanism: SecurityMechanism;
}

export interface SipOffer {
  inspected: InspectedOffer;
  mechanism: SecurityMechanism;
  media: OfferedMedia[];
  /** Contents for the session-initiate (the SIP offerer is the Jingle initiator). */
  session: MediaSession;
}

export function sdpOfferToJingle(offer: InspectedOffer, mechanism: SecurityMechanism, ids: IdSource): SipOffer {
  const names = new Set<string>();
  const media = offer.media.map((inspected): OfferedMedia => {
    if (!inspected.mapped) return { inspected, mechanism };
    const configuration = chooseConfiguration(inspected, mechanism);
    const out: OfferedMedia = { inspected, mechanism, name: contentName(inspected.media, names) };
    if (configuration) out.configuration = configuration;
    return out;
  });
  const contents = media.filter((m) => m.name !== undefined).map((m) => offeredContent(m, mechanism, ids));
  const nameByMid = new Map(media.map((m) => [m.inspected.media.mid, m.name]));
  const groups = offer.parsed.groups
    .map((g) => ({
      semantics: g.semantics,
      contents: g.contents.map((mid) => nameByMid.get(mid)).filter((n): n is string => n !== undefined),
    }))
    .filter((g) => g.contents.length > 0);
  return { inspected: offer, mechanism, media, session: { contents, groups } };
}

function chooseConfiguration(inspected: InspectedMedia, mechanism: SecurityMechanism): DtlsConfiguration | undefined {
  if (inspected.dtlsOnly) {
    const actual = inspected.configurations[0]!;
    if (mechanism === 'none') {
      throw new GatewayError('no-dtls-mechanism', 'callee supports neither XEP-0320 nor XTLS');
    }
    if (mechanism === 'xtls' && actual.setup === 'passive') {
      throw new GatewayError('xtls-passive-offer', 'XTLS requires the caller to be the TLS client');
    }
    return actual;
  }
  if (mechanism === 'none') return undefined;
  // spec §3.4: with XTLS a passive pcfg is skipped like an unusable one.
  return inspected.configurations.find((c) => mechanism !== 'xtls' || c.setup !== 'passive');
}

function offeredContent(offered: OfferedMedia, mechanism: SecurityMechanism, ids: IdSource): MediaContent {
  const chosen = offered.configuration;
  const media = chosen?.media ?? offered.inspected.media;
  let description = media.description;
  // spec §1.9: <crypto/> next to a DTLS fingerprint is dropped — DTLS-SRTP keys the media.
  if (chosen && description.kind === 'rtp') description = { ...description, crypto: [] };
  const content: MediaContent = {
    name: offered.name!,
    creator: 'initiator',
    senders: sendersForDirection(media.direction, 'initiator'),
    description,
    transport: assignCandidateIds(media.transport, ids),
  };
  if (chosen) content.security = securityForMechanism(chosen, mechanism);
  return content;
}

/** spec §1.3.2 table and §5.3: XEP-0320 copies the role (none → active); XTLS adds implied x509. */
function securityForMechanism(chosen: DtlsConfiguration, mechanism: SecurityMechanism): ContentSecurity {
  if (mechanism === 'xtls') {
    const methods = [...chosen.methods];
    if (!methods.includes('x509')) methods.push('x509');
    return { kind: 'xtls', fingerprints: chosen.fingerprints, methods };
  }
  const setup = chosen.setup === 'passive' || chosen.setup === 'actpass' ? chosen.setup : 'active';
  return { kind: 'dtls', fingerprints: chosen.fingerprints, setup };
}

/** Content name = the decoded a=mid (spec §1.1), else the media type, made unique. */
function contentName(media: SdpMedia, taken: Set<string>): string {
  const base = media.mid !== undefined ? decodeMid(media.mid) : media.media;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}
