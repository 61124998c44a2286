/**
 * Builds the "internal offer" of a potential configuration: the SDP the answerer would have
 * received had the offerer put that configuration in the m= line [RFC5939 §3.6.2]. Pure line
 * rewriting; the result is parsed like any other description.
 */
import type { SdpLine, SdpSections } from '../sdp/lines.ts';
import type { AttributeCapability } from './capabilities.ts';
import { stripCapnegAttributes } from './capabilities.ts';
import type { DeleteAttributes } from './grammar.ts';

export interface InternalOfferChoice {
  /** The proto for the m= line (a tcap's proto, or the m= line's own). */
  proto: string;
  deleteAttributes: DeleteAttributes | undefined;
  /** Acaps to add, in pcfg order (mandatory, then the included optional ones). */
  acaps: readonly AttributeCapability[];
}

export interface InternalOffer {
  /** The m-section, starting with its `m=` line. */
  lines: SdpLine[];
  /** Session-level lines after `-s`/`-ms` deletions, capneg attributes removed. */
  sessionLines: SdpLine[];
}

/** The proto field of an `m=` value, or undefined when the line is malformed. */
export function mediaProto(mValue: string): string | undefined {
  return /^\S+ +\S+ +(\S+)/.exec(mValue)?.[1];
}

/** The `m=` value with its proto replaced (a tcap, or the secure proto of a second offer). */
export function replaceMediaProto(mValue: string, proto: string): string {
  const match = /^(\S+ +\S+ +)\S+(.*)$/s.exec(mValue);
  if (match === null) throw new RangeError(`not an m= value: ${mValue}`);
  return `${match[1]!}${proto}${match[2]!}`;
}

/**
 * Capneg attributes are dropped, `-m`/`-s`/`-ms` delete the media-/session-level `a=` lines,
 * the referenced acaps are added before the remaining attributes in pcfg order, and the proto
 * replaces the m= proto [RFC5939 §3.5.1, §3.6.2; mapping §2.2 "Delete and add"].
 */
export function buildInternalOffer(
  sections: SdpSections,
  mediaIndex: number,
  choice: InternalOfferChoice,
): InternalOffer {
  const section = sections.media[mediaIndex];
  const mLine = section?.[0];
  if (section === undefined || mLine === undefined) throw new RangeError(`no m-section ${mediaIndex}`);
  const deleteMedia = choice.deleteAttributes === 'm' || choice.deleteAttributes === 'ms';
  const deleteSession = choice.deleteAttributes === 's' || choice.deleteAttributes === 'ms';

  const rest = stripCapnegAttributes(section.slice(1)).filter((line) => !(deleteMedia && line.type === 'a'));
  const added: SdpLine[] = choice.acaps.map((acap) => ({
    type: 'a',
    value: acap.value === undefined ? acap.name : `${acap.name}:${acap.value}`,
  }));
  // a= lines come last in an m-section [RFC 8866 §5]: "before existing attributes" is before
  // the first remaining a= line, after i=/c=/b=/k=.
  const firstAttribute = rest.findIndex((line) => line.type === 'a');
  const at = firstAttribute < 0 ? rest.length : firstAttribute;
  const lines = [
    { type: 'm', value: replaceMediaProto(mLine.value, choice.proto) },
    ...rest.slice(0, at),
    ...added,
    ...rest.slice(at),
  ];
  const sessionLines = stripCapnegAttributes(sections.session).filter((line) => !(deleteSession && line.type === 'a'));
  return { lines, sessionLines };
}
