/**
 * XMPP→SIP offers: a Jingle session-initiate (already decoded into the model) → SDP offer.
 * Security selection per content follows spec §1.3.1; roles §3.4/§3.5; tls-id §3.6; the
 * capneg form §2.6; the second offer after an a=acfg answer §2.7.
 */
import { GatewayError } from '../errors.ts';
import type { IdSource } from '../ids.ts';
import type { Fingerprint, MediaContent, MediaSession, SetupRole } from '../model.ts';
import { writeSdp, type SdpMediaOut, type SdpOriginOut } from '../sdp/write.ts';
import { capnegOfferAttributes } from './capneg-form.ts';
import type { TranslateOptions } from './options.ts';
import { protosFor, xmlStreamProto } from './proto.ts';

export type SdpForm = 'direct' | 'capneg';

/** What the gateway offered for one content: needed to read the answer and to re-offer. */
export interface OfferedContent {
  name: string;
  mechanism: 'dtls' | 'xtls' | undefined;
  form: SdpForm;
  plainProto: string;
  secureProto: string;
  /** The m= proto actually written. */
  proto: string;
  setup?: SetupRole;
  fingerprints: Fingerprint[];
  methods: string[];
  /** The a=tls-methods [EXT] list written, while sdp.tlsMethodsAttribute (spec §5.2). */
  tlsMethods?: string[];
  tlsId?: string;
  /** The tcap number of the secure proto in a capneg m-line (spec §2.6: 2k-1). */
  tcap?: number;
}

export interface JingleOffer {
  sdp: string;
  origin: SdpOriginOut;
  session: MediaSession;
  contents: OfferedContent[];
}

/**
 * Maps a session-initiate's contents to an SDP offer. Throws GatewayError: `xtls-without-
 * fingerprint` (spec §1.3.1 rule 3: IQ result, then session-terminate <security-error/>).
 */
export function jingleOfferToSdp(
  session: MediaSession,
  options: TranslateOptions,
  ids: IdSource,
  origin: SdpOriginOut,
): JingleOffer {
  // RFC 8842 §5.1 / RFC 8843: with BUNDLE only the tagged (first) m-line of a group carries tls-id.
  const untagged = new Set(session.groups.filter((g) => g.semantics === 'BUNDLE').flatMap((g) => g.contents.slice(1)));
  let capnegCount = 0;
  const contents = session.contents.map((content) => {
    const offered = offerContent(content, options);
    if (offered.fingerprints.length > 0 && !untagged.has(content.name)) offered.tlsId = ids.tlsId();
    if (offered.form === 'capneg') offered.tcap = 2 * ++capnegCount - 1;
    return offered;
  });
  const offer: JingleOffer = { sdp: '', origin, session, contents };
  offer.sdp = writeOfferSdp(offer);
  return offer;
}

/**
 * spec §2.7: after an a=acfg answer that selected the DTLS pcfg, the second offer carries the
 * secure proto as the actual configuration, with the same fingerprints, setup, tls-id and
 * tls-methods, no tcap/pcfg, and o= version + 1 [RFC 5939 §3.6.4; RFC 8842 §5.5].
 */
export function secondOfferSdp(offer: JingleOffer, upgraded: ReadonlySet<string>): JingleOffer {
  const next: JingleOffer = {
    ...offer,
    origin: { ...offer.origin, sessionVersion: offer.origin.sessionVersion + 1 },
    contents: offer.contents.map((c) => {
      if (!upgraded.has(c.name) || c.form !== 'capneg') return c;
      const direct: OfferedContent = { ...c, form: 'direct', proto: c.secureProto };
      delete direct.tcap;
      return direct;
    }),
  };
  next.sdp = writeOfferSdp(next);
  return next;
}

function offerContent(content: MediaContent, options: TranslateOptions): OfferedContent {
  const security = content.security;
  if (security?.kind === 'xtls' && security.fingerprints.length === 0) {
    // spec §1.3.1 rule 3: TLS-SRP and OpenPGP cannot key DTLS-SRTP [RFC 5763 §5; RFC 5054 §2.5.1].
    throw new GatewayError(
      'xtls-without-fingerprint',
      `XTLS content "${content.name}" offers no certificate fingerprint (methods: ${security.methods.join(', ') || 'none'}); DTLS-SRTP needs x509`,
    );
  }
  const mechanism = security?.kind;
  const description = content.description;
  const protos =
    description.kind === 'rtp'
      ? protosFor(description, mechanism !== undefined)
      : { plain: xmlStreamProto(false), secure: xmlStreamProto(true) };
  // XML streams have no RTP capneg pattern: their secure form is always direct (docs/mapping.md).
  const form: SdpForm =
    mechanism === undefined || description.kind !== 'rtp'
      ? 'direct'
      : mechanism === 'dtls'
        ? options.dtlsOffer
        : options.xtlsOffer;
  const offered: OfferedContent = {
    name: content.name,
    mechanism,
    form,
    plainProto: protos.plain,
    secureProto: protos.secure,
    proto: mechanism !== undefined && form === 'direct' ? protos.secure : protos.plain,
    fingerprints: security?.fingerprints ?? [],
    methods: security?.kind === 'xtls' ? security.methods : [],
  };
  // spec §3.5: XEP-0320 setup is copied unchanged; XTLS offers use xtls.offerSetup (§3.4).
  if (security?.kind === 'dtls') offered.setup = security.setup;
  if (security?.kind === 'xtls') {
    offered.setup = options.xtlsOfferSetup;
    if (options.tlsMethodsAttribute && security.methods.length > 0) offered.tlsMethods = security.methods;
  }
  return offered;
}

function writeOfferSdp(offer: JingleOffer): string {
  const media: SdpMediaOut[] = offer.session.contents.map((content, i) => {
    const offered = offer.contents[i]!;
    const out: SdpMediaOut = { content, proto: offered.proto, withCrypto: offered.mechanism === undefined };
    if (offered.mechanism !== undefined) {
      out.security = { fingerprints: offered.fingerprints };
      if (offered.setup !== undefined) out.security.setup = offered.setup;
      if (offered.tlsId !== undefined) out.security.tlsId = offered.tlsId;
      if (offered.tlsMethods !== undefined) out.security.tlsMethods = offered.tlsMethods;
    }
    if (offered.form === 'capneg' && offered.tcap !== undefined) {
      out.capneg = capnegOfferAttributes(offered.tcap, offered.secureProto, offered.plainProto);
    }
    return out;
  });
  return writeSdp({ origin: offer.origin, author: 'initiator', groups: offer.session.groups, media });
}
