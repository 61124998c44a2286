/**
 * The answerer's view of an offer's capability negotiation (spec §2.3): every m-line's
 * potential configurations expanded into whole internal offers, so each can be parsed and
 * checked for usability like an ordinary description.
 */
import { checkRequiredOptionTags, potentialConfigurations, type AttributeCapability } from '../capneg/index.ts';
import { isCapnegAttribute } from '../capneg/capabilities.ts';
import type { DeleteAttributes } from '../capneg/grammar.ts';
import type { SdpSections } from '../sdp/lines.ts';

export interface OfferPcfgChoice {
  configNumber: number;
  tcap: number | undefined;
  deleteAttributes: DeleteAttributes | undefined;
  mandatoryAcaps: number[];
  /** The optional acaps of the chosen alternative, with what each holds. */
  optionalAcaps: AttributeCapability[];
  /** The whole description with this m-section replaced by the internal offer. */
  sections: SdpSections;
}

export interface OfferConfigurations {
  /** Per m-line, most preferred first. */
  configurations: OfferPcfgChoice[][];
  /** RFC 5939 §3.6.2: an a=creq we cannot meet → a session-level a=csup in the answer. */
  csupNeeded: boolean;
}

export function expandOfferConfigurations(sections: SdpSections): OfferConfigurations {
  // Most offers carry no capneg at all: skip reading capabilities once per m-line (a tenth of
  // an SDP → Jingle translation otherwise).
  if (![sections.session, ...sections.media].some((lines) => lines.some(isCapnegAttribute))) {
    return { configurations: sections.media.map(() => []), csupNeeded: false };
  }
  const configurations = sections.media.map((_, index) =>
    potentialConfigurations(sections, index).map((pc): OfferPcfgChoice => {
      const optional = new Set(pc.optionalAcaps);
      const media = sections.media.map((lines, i) => (i === index ? pc.lines : lines));
      return {
        configNumber: pc.configNumber,
        tcap: pc.tcap,
        deleteAttributes: pc.deleteAttributes,
        mandatoryAcaps: pc.mandatoryAcaps,
        optionalAcaps: pc.addedAcaps.filter((a) => optional.has(a.number)),
        sections: { session: pc.sessionLines, media },
      };
    }),
  );
  return { configurations, csupNeeded: checkRequiredOptionTags(sections).answerCsup !== undefined };
}
