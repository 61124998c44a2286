/**
 * SIP→XMPP answers: the callee's session-accept → the SDP answer for the SIP offerer.
 * Roles per spec §3.5 and §3.4, capneg acfg per §2.3 step 3 and §2.7, tls-id per §3.6,
 * method hints per §5.3. The answer never carries `actpass` nor `a=creq`.
 */
import { formatAcfg } from '../capneg/grammar.ts';
import { GatewayError } from '../errors.ts';
import type { IdSource } from '../ids.ts';
import type { MediaContent, MediaSession, SetupRole } from '../model.ts';
import { writeSdp, type SdpMediaOut, type SdpOriginOut } from '../sdp/write.ts';
import type { TranslateOptions } from './options.ts';
import type { DtlsConfiguration, OfferedMedia, SipOffer } from './sdp-offer.ts';

/** Builds the SDP answer. Throws GatewayError `setup-invalid` or `answer-without-dtls`. */
export function jingleAnswerToSdp(
  accept: MediaSession,
  offer: SipOffer,
  options: TranslateOptions,
  ids: IdSource,
  origin: SdpOriginOut,
): string {
  const byName = new Map(accept.contents.map((c) => [c.name, c]));
  const media = offer.media.map((offered) => {
    const accepted = offered.name !== undefined ? byName.get(offered.name) : undefined;
    if (!accepted || accepted.rejected === true) return rejectedMedia(offered);
    return answeredMedia(offered, accepted, options, ids);
  });
  const names = new Set(offer.media.map((m) => m.name));
  const out = {
    origin,
    author: 'responder' as const,
    groups: accept.groups.filter((g) => g.contents.every((n) => names.has(n))),
    media,
  };
  return writeSdp(offer.inspected.csupNeeded ? { ...out, sessionAttributes: ['csup:cap-v0'] } : out);
}

/** RFC 3264 §6: a declined stream keeps its m-line with port 0. */
function rejectedMedia(offered: OfferedMedia): SdpMediaOut {
  const m = offered.inspected.media;
  const content: MediaContent = {
    name: offered.name ?? m.mid ?? m.media,
    creator: 'initiator',
    senders: 'none',
    description: m.description,
    transport: { kind: 'raw-udp', candidates: [] },
    rejected: true,
  };
  const out: SdpMediaOut = { content, proto: m.proto, withCrypto: false, mid: m.mid ?? null };
  return out;
}

function answeredMedia(
  offered: OfferedMedia,
  accepted: MediaContent,
  options: TranslateOptions,
  ids: IdSource,
): SdpMediaOut {
  const actual = offered.inspected.media;
  const chosen = offered.configuration;
  const security = accepted.security;
  const withFingerprint = security !== undefined && security.fingerprints.length > 0;
  const base: SdpMediaOut = {
    content: { ...accepted, rejected: false },
    proto: actual.proto,
    withCrypto: true,
    mid: actual.mid ?? null,
  };
  if (!chosen || !withFingerprint) {
    if (chosen && (offered.inspected.dtlsOnly || security?.kind === 'xtls')) {
      // spec §1.3.2 "Answer": a DTLS-only offer, or an XTLS <security/> without fingerprint.
      throw new GatewayError(
        'answer-without-dtls',
        security?.kind === 'xtls'
          ? 'callee accepted with an XTLS <security/> that has no fingerprint'
          : 'callee accepted without DTLS-SRTP',
      );
    }
    // Best effort: the actual configuration, no a=acfg, no setup or fingerprint (spec §2.7).
    return base;
  }
  const out: SdpMediaOut = { ...base, proto: chosen.media.proto, withCrypto: false };
  const setup = answerSetup(security.kind === 'dtls' ? security.setup : undefined, chosen, security.kind);
  out.security = { fingerprints: security.fingerprints, setup };
  // spec §3.6: no tls-id in the offer → none in the answer; otherwise ours, per leg.
  if (chosen.media.security.tlsId !== undefined) out.security.tlsId = ids.tlsId();
  if (security.kind === 'xtls' && options.tlsMethodsAttribute && security.methods.length > 0) {
    out.security.tlsMethods = security.methods;
  }
  if (chosen.pcfg) {
    const pcfg = chosen.pcfg;
    // spec §2.7: an optional tls-methods acap counts as supported only when the mechanism is XTLS.
    const supported = pcfg.optionalAcaps
      .filter((acap) => acap.name !== 'tls-methods' || security.kind === 'xtls')
      .map((acap) => acap.number);
    out.capneg = [
      `acfg:${formatAcfg({
        configNumber: pcfg.configNumber,
        tcap: pcfg.tcap,
        deleteAttributes: pcfg.deleteAttributes,
        mandatoryAcaps: pcfg.mandatoryAcaps,
        supportedOptionalAcaps: supported,
      })}`,
    ];
  }
  return out;
}

/**
 * spec §3.5: a session-accept role must be active or passive and fit the offer (to actpass:
 * either; to active: passive; to passive: active); actpass/holdconn → bad-request, 488,
 * <incompatible-parameters/>. XTLS: the SIP caller is the TLS client, so always passive (§3.4).
 */
function answerSetup(accepted: SetupRole | undefined, chosen: DtlsConfiguration, kind: 'dtls' | 'xtls'): SetupRole {
  if (kind === 'xtls') return 'passive';
  const offered = chosen.setup ?? 'active';
  const allowed: Record<string, SetupRole[]> = {
    actpass: ['active', 'passive'],
    active: ['passive'],
    passive: ['active'],
  };
  // Own keys only: the offered role is the SIP peer's text (`a=setup:constructor`).
  const answers = Object.hasOwn(allowed, offered) ? allowed[offered]! : [];
  if (accepted === undefined || !answers.includes(accepted)) {
    throw new GatewayError(
      'setup-invalid',
      `session-accept setup='${accepted ?? ''}' does not answer the SIP offer's a=setup:${offered}`,
    );
  }
  return accepted;
}
