/**
 * XMPP→SIP answers: the SIP peer's SDP answer (200 or 183) → the Jingle session-accept (or
 * early transport-info) contents, checked against what the gateway offered. Roles follow
 * spec §3.1/§3.4/§3.5, capneg §2.4/§2.7, method hints §5.3.
 */
import { GatewayError } from '../errors.ts';
import { parseFingerprintAttribute } from '../fingerprint.ts';
import type { IdSource } from '../ids.ts';
import type { ContentSecurity, Fingerprint, MediaContent, MediaSession, SetupRole } from '../model.ts';
import { parseSdp, type SdpMedia } from '../sdp/parse.ts';
import { resolveAuthor } from '../sdp/rtp.ts';
import { sendersForDirection } from '../senders.ts';
import { answerSelectsOwnPcfg } from './capneg-form.ts';
import { secondOfferSdp, type JingleOffer, type OfferedContent } from './jingle-offer.ts';
import type { TranslateOptions } from './options.ts';
import { assignCandidateIds } from './candidates.ts';

export interface SdpAnswerResult {
  /** Contents for session-accept (creator/name from the offer; rejected m-lines flagged). */
  session: MediaSession;
  /** spec §2.7: the second offer to send after the ACK, when one is due. */
  secondOffer?: JingleOffer;
}

/** Reads the final SDP answer to a gateway offer. */
export function sdpAnswerToJingle(
  answerSdp: string,
  offer: JingleOffer,
  options: TranslateOptions,
  ids: IdSource,
): SdpAnswerResult {
  const answer = parseSdp(answerSdp);
  if (answer.media.length !== offer.contents.length) {
    // RFC 3264 §6: the answer has exactly as many m-lines as the offer.
    throw new GatewayError(
      'offer-answer-mismatch',
      `SDP answer has ${answer.media.length} m-lines for ${offer.contents.length} offered`,
    );
  }
  const upgraded = new Set<string>();
  const contents = answer.media.map((media, i) => {
    const offered = offer.contents[i]!;
    const base = offer.session.contents[i]!;
    const content = answeredContent(media, base, ids);
    if (media.port === 0 || content.rejected === true) return content;
    const security = answeredSecurity(
      media,
      offered,
      offered.form === 'capneg' && answerSelectsOwnPcfg(offer.sdp, answer.sections, i),
    );
    if (security !== undefined) {
      content.security = security;
      if (offered.form === 'capneg') upgraded.add(offered.name);
    }
    return content;
  });
  const result: SdpAnswerResult = { session: { contents, groups: offer.session.groups } };
  if (options.capnegSecondOffer && upgraded.size > 0) result.secondOffer = secondOfferSdp(offer, upgraded);
  return result;
}

/**
 * A 183 answer: spec §3.5 last row — on XEP-0320 contents the early fingerprint and candidates
 * go out as transport-info so DTLS can start early [X320 §1; RFC 8842 §5.2]; an `actpass`
 * early answer is not forwarded; XTLS contents wait for the session-accept.
 */
export function sdpEarlyAnswerToJingle(answerSdp: string, offer: JingleOffer, ids: IdSource): MediaSession | undefined {
  let answer;
  try {
    answer = parseSdp(answerSdp);
  } catch {
    return undefined;
  }
  if (answer.media.length !== offer.contents.length) return undefined;
  const contents: MediaContent[] = [];
  answer.media.forEach((media, i) => {
    const offered = offer.contents[i]!;
    if (media.port === 0 || offered.mechanism !== 'dtls' || offered.form !== 'direct') return;
    const setup = media.security.setup;
    if (setup === 'actpass' || setup === 'holdconn') return;
    const fingerprints = answerFingerprints(media);
    if (fingerprints.length === 0) return;
    const content = answeredContent(media, offer.session.contents[i]!, ids);
    content.security = { kind: 'dtls', fingerprints, setup: (setup as SetupRole | undefined) ?? 'passive' };
    contents.push(content);
  });
  return contents.length > 0 ? { contents, groups: [] } : undefined;
}

function answeredContent(media: SdpMedia, offered: MediaContent, ids: IdSource): MediaContent {
  const content: MediaContent = {
    name: offered.name,
    creator: offered.creator,
    senders: sendersForDirection(media.direction, 'responder'),
    description: media.description.kind === 'rtp' ? resolveAuthor(media.description, 'responder') : media.description,
    transport: assignCandidateIds(media.transport, ids),
  };
  if (media.port === 0) content.rejected = true;
  return content;
}

function answerFingerprints(media: SdpMedia): Fingerprint[] {
  return media.security.fingerprints.map(parseFingerprintAttribute);
}

function answeredSecurity(
  media: SdpMedia,
  offered: OfferedContent,
  acfgSelected: boolean,
): ContentSecurity | undefined {
  if (offered.mechanism === undefined) return undefined;
  // spec §2.7: no valid acfg → the actual (plain) configuration applies, and ordinary
  // setup/fingerprint lines mean nothing under it [RFC 5939 §3.6.2].
  if (offered.form === 'capneg' && !acfgSelected) return undefined;
  const fingerprints = answerFingerprints(media);
  if (fingerprints.length === 0) {
    throw new GatewayError(
      'answer-without-dtls',
      `SIP answer for content "${offered.name}" accepted the DTLS-SRTP offer without a=fingerprint`,
    );
  }
  const setup = media.security.setup;
  if (offered.mechanism === 'xtls') return xtlsAnswerSecurity(setup, fingerprints, media, offered);
  return { kind: 'dtls', fingerprints, setup: dtlsAnswerSetup(setup, offered) };
}

/**
 * spec §3.1/§3.5: allowed answers — to actpass: active or passive; to active: passive; to
 * passive: active. No a=setup in an answer means passive [RFC 4145 §4]. Anything else
 * (actpass, holdconn, a disallowed role) → ACK, BYE, <incompatible-parameters/>.
 */
function dtlsAnswerSetup(raw: string | undefined, offered: OfferedContent): SetupRole {
  const answer = raw ?? 'passive';
  const allowed: Record<string, string[]> = {
    actpass: ['active', 'passive'],
    active: ['passive'],
    passive: ['active'],
  };
  if (!(allowed[offered.setup ?? 'active'] ?? []).includes(answer)) {
    throw new GatewayError(
      'setup-conflict',
      `SIP answer a=setup:${answer} is not a valid answer to a=setup:${offered.setup ?? 'active'} (RFC 4145 §4)`,
    );
  }
  return answer as SetupRole;
}

/**
 * spec §3.4: the XTLS initiator is the TLS client, so the SIP answerer must be passive (or
 * silent, which means passive). active/actpass is a role conflict; holdconn follows §3.5.
 * spec §5.3: methods = the answer's a=tls-methods entries the offer contained, in the
 * answer's order, plus the implied x509.
 */
function xtlsAnswerSecurity(
  raw: string | undefined,
  fingerprints: Fingerprint[],
  media: SdpMedia,
  offered: OfferedContent,
): ContentSecurity {
  if (raw === 'holdconn') {
    throw new GatewayError('setup-conflict', 'SIP answer a=setup:holdconn to an XTLS-derived offer');
  }
  if (raw !== undefined && raw !== 'passive') {
    throw new GatewayError(
      'xtls-role-conflict',
      `XTLS role conflict: SIP answer a=setup:${raw}; the XTLS initiator must be the TLS client`,
    );
  }
  const methods = (media.security.tlsMethods ?? []).filter((m) => offered.methods.includes(m));
  if (!methods.includes('x509')) methods.push('x509');
  return { kind: 'xtls', fingerprints, methods };
}
