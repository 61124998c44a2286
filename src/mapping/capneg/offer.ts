/**
 * Answerer side of RFC 5939: turn a received offer into its potential configurations, most
 * preferred first, each as a fully expanded internal offer [RFC5939 §3.6.2; mapping §2.3].
 * The caller parses each internal offer, keeps the first it can use ("usable", mapping §1.3.2),
 * and answers with `formatAcfg(configuration)`; none usable → `actualConfiguration`.
 */
import { checkCapnegConfigurations } from '../limits.ts';
import type { SdpLine, SdpSections } from '../sdp/lines.ts';
import type { AttributeCapability, Capabilities } from './capabilities.ts';
import {
  SUPPORTED_OPTION_TAGS,
  acapInScope,
  pcfgParts,
  readCapabilities,
  stripCapnegAttributes,
  tcapProto,
} from './capabilities.ts';
import type { AcapList, DeleteAttributes, Pcfg } from './grammar.ts';
import { formatOptionTags } from './grammar.ts';
import type { InternalOffer } from './internal-offer.ts';
import { buildInternalOffer, mediaProto } from './internal-offer.ts';

/** One fully expanded candidate; its fields are also the input of `formatAcfg`. */
export interface PotentialConfiguration extends InternalOffer {
  configNumber: number;
  /** The chosen tcap number; undefined when the pcfg has no `t=` (the m= proto stays). */
  tcap: number | undefined;
  /** The proto of the internal offer's m= line. */
  proto: string;
  deleteAttributes: DeleteAttributes | undefined;
  /** Mandatory acaps of the chosen alternative, in pcfg order. */
  mandatoryAcaps: number[];
  /** Every optional acap of the chosen alternative, in pcfg order. */
  optionalAcaps: number[];
  /** The optional acaps included in `lines` (all, unless `supportsOptionalAcap` says otherwise). */
  supportedOptionalAcaps: number[];
  /** The acaps added to `lines`, in order, with what each holds. */
  addedAcaps: AttributeCapability[];
}

export interface PotentialConfigurationOptions {
  /** Decides which optional acaps go into the internal offer (and later the acfg); default all. */
  supportsOptionalAcap?: (acap: AttributeCapability) => boolean;
}

export interface RequiredOptionTagCheck {
  /** Tags of a session-level `a=creq` this gateway does not support: no pcfg on any m-line. */
  sessionUnsupported: string[];
  /** Per m-line, tags of its own `a=creq` not supported: no pcfg on that m-line. */
  mediaUnsupported: string[][];
  /** Value for a session-level `a=csup` in the answer when anything required is unsupported. */
  answerCsup: string | undefined;
}

/**
 * `a=creq` with an unsupported option tag: at session level no pcfg is used anywhere, at
 * media level only on that m-line; the answer is plain RFC 3264 and lists what is supported
 * in a session-level `a=csup` (one list: the supported set is the same at every level)
 * [RFC5939 §3.6.2; mapping §2.3 step 1; assertion 48]. `a=creq` never appears in an answer.
 */
export function checkRequiredOptionTags(
  sections: SdpSections,
  caps = readCapabilities(sections),
): RequiredOptionTagCheck {
  const unsupported = (tags: readonly string[]): string[] => tags.filter((t) => !SUPPORTED_OPTION_TAGS.includes(t));
  const sessionUnsupported = unsupported(caps.session.creq);
  const mediaUnsupported = caps.media.map((m) => unsupported(m.creq));
  const any = sessionUnsupported.length > 0 || mediaUnsupported.some((tags) => tags.length > 0);
  return {
    sessionUnsupported,
    mediaUnsupported,
    answerCsup: any ? formatOptionTags(SUPPORTED_OPTION_TAGS) : undefined,
  };
}

/**
 * The candidates of one m-line: valid pcfgs by ascending config-number, and inside a pcfg every
 * combination of its `t=` and `a=` alternatives, the list written first varying slowest, each
 * most preferred first [RFC5939 §3.5.1]. A pcfg demanding a "+" extension is left out (this
 * gateway supports none). Empty when capneg is absent or switched off by `a=creq`.
 */
export function potentialConfigurations(
  sections: SdpSections,
  mediaIndex: number,
  options: PotentialConfigurationOptions = {},
): PotentialConfiguration[] {
  const section = mediaSection(sections, mediaIndex);
  const actualProto = mediaProto(section[0]!.value);
  const caps = readCapabilities(sections);
  const required = checkRequiredOptionTags(sections, caps);
  if (actualProto === undefined || required.sessionUnsupported.length > 0) return [];
  if ((required.mediaUnsupported[mediaIndex] ?? []).length > 0) return [];

  const out: PotentialConfiguration[] = [];
  let count = 0;
  for (const pcfg of caps.media[mediaIndex]?.pcfgs ?? []) {
    const parts = pcfgParts(pcfg);
    if (parts.mandatoryExtensions.length > 0) continue;
    const transports: (number | undefined)[] = parts.tcaps ?? [undefined];
    const alternatives: AcapList[] =
      parts.alternatives === undefined || parts.alternatives.length === 0
        ? [{ mandatory: [], optional: [] }]
        : parts.alternatives;
    // Combinations multiply and each is built and parsed: bounded before any is (limits.ts).
    count += transports.length * alternatives.length;
    checkCapnegConfigurations(count, mediaIndex);
    const combine = (tcap: number | undefined, alternative: AcapList): PotentialConfiguration =>
      expand(sections, mediaIndex, caps, options, {
        pcfg,
        tcap,
        proto: tcap === undefined ? actualProto : tcapProto(caps, mediaIndex, tcap)!,
        deleteAttributes: parts.deleteAttributes,
        alternative,
      });
    if (transportsWrittenFirst(pcfg)) {
      for (const tcap of transports) for (const alternative of alternatives) out.push(combine(tcap, alternative));
    } else {
      for (const alternative of alternatives) for (const tcap of transports) out.push(combine(tcap, alternative));
    }
  }
  return out;
}

/** The m-section as the actual configuration: capneg attributes removed [RFC5939 §3.6.2]. */
export function actualConfiguration(sections: SdpSections, mediaIndex: number): SdpLine[] {
  return stripCapnegAttributes(mediaSection(sections, mediaIndex));
}

/** `UDP/TLS/RTP/SAVP` or `UDP/TLS/RTP/SAVPF`: DTLS-SRTP [RFC 5764 §8]. */
export function isDtlsProto(proto: string): boolean {
  return /^UDP\/TLS\/RTP\/SAVPF?$/i.test(proto);
}

export type DtlsConfiguration =
  | { source: 'pcfg'; configuration: PotentialConfiguration }
  | { source: 'actual'; lines: SdpLine[]; sessionLines: SdpLine[] };

/**
 * The "DTLS configurations" of an m-line, most preferred first: each potential configuration
 * with a DTLS proto, then the actual configuration if its proto is DTLS (a DTLS-only offer)
 * [mapping §1.3.2]. The caller checks each for usability (fingerprint hash, setup role) and
 * skips unusable pcfgs [mapping §3.4, §3.5].
 */
export function dtlsConfigurations(
  sections: SdpSections,
  mediaIndex: number,
  options: PotentialConfigurationOptions = {},
): DtlsConfiguration[] {
  const out: DtlsConfiguration[] = potentialConfigurations(sections, mediaIndex, options)
    .filter((c) => isDtlsProto(c.proto))
    .map((configuration) => ({ source: 'pcfg', configuration }));
  const actual = actualConfiguration(sections, mediaIndex);
  if (isDtlsProto(mediaProto(actual[0]!.value) ?? '')) {
    out.push({ source: 'actual', lines: actual, sessionLines: stripCapnegAttributes(sections.session) });
  }
  return out;
}

interface Selection {
  pcfg: Pcfg;
  tcap: number | undefined;
  proto: string;
  deleteAttributes: DeleteAttributes | undefined;
  alternative: AcapList;
}

function expand(
  sections: SdpSections,
  mediaIndex: number,
  caps: Capabilities,
  options: PotentialConfigurationOptions,
  selection: Selection,
): PotentialConfiguration {
  // readCapabilities only keeps pcfgs whose every reference resolves in this m-line's scope.
  const resolve = (n: number): AttributeCapability => acapInScope(caps, mediaIndex, n)!;
  const supported = selection.alternative.optional.filter((n) => options.supportsOptionalAcap?.(resolve(n)) ?? true);
  const addedAcaps = [...selection.alternative.mandatory, ...supported].map(resolve);
  const internal = buildInternalOffer(sections, mediaIndex, {
    proto: selection.proto,
    deleteAttributes: selection.deleteAttributes,
    acaps: addedAcaps,
  });
  return {
    configNumber: selection.pcfg.configNumber,
    tcap: selection.tcap,
    proto: selection.proto,
    deleteAttributes: selection.deleteAttributes,
    mandatoryAcaps: [...selection.alternative.mandatory],
    optionalAcaps: [...selection.alternative.optional],
    supportedOptionalAcaps: supported,
    addedAcaps,
    ...internal,
  };
}

function transportsWrittenFirst(pcfg: Pcfg): boolean {
  const t = pcfg.lists.findIndex((l) => l.kind === 'transports');
  const a = pcfg.lists.findIndex((l) => l.kind === 'attributes');
  return t >= 0 && (a < 0 || t < a);
}

function mediaSection(sections: SdpSections, mediaIndex: number): SdpLine[] {
  const section = sections.media[mediaIndex];
  if (section === undefined || section[0]?.type !== 'm') throw new RangeError(`no m-section ${mediaIndex}`);
  return section;
}
