/**
 * Offerer side of RFC 5939: validate the `a=acfg` of an answer against the offer. A valid one
 * means the answer is processed as if the selected potential configuration had been the offer;
 * an invalid or absent one means plain RFC 3264 [RFC5939 §3.6.3; mapping §2.4].
 */
import type { SdpSections } from '../sdp/lines.ts';
import type { AttributeCapability } from './capabilities.ts';
import { acapInScope, pcfgParts, readCapabilities, tcapProto } from './capabilities.ts';
import type { AcapList, Acfg, DeleteAttributes, SelectedConfigList } from './grammar.ts';
import type { InternalOffer } from './internal-offer.ts';
import { buildInternalOffer, mediaProto } from './internal-offer.ts';

export interface SelectedConfiguration extends InternalOffer {
  configNumber: number;
  tcap: number | undefined;
  /** The proto of the selected configuration, equal to the answer's m= proto. */
  proto: string;
  deleteAttributes: DeleteAttributes | undefined;
  mandatoryAcaps: number[];
  /** The optional acaps the answerer listed as supported. */
  optionalAcaps: number[];
  /**
   * The selection is not the offer's actual configuration (another proto, acaps or deletions):
   * a second offer with it as the actual configuration SHOULD follow [RFC5939 §3.6.3; mapping §2.7].
   */
  differsFromActual: boolean;
}

/**
 * The configuration an answer's m-line selected with `a=acfg`, or undefined when there is none
 * or it is invalid: its config-number must name a valid pcfg of the same offered m-line, it
 * must list exactly one offered alternative (the `t=`, the delete-attributes, every mandatory
 * and only offered optional acaps of one `a=` alternative, every "+" extension), and the
 * answer's m= proto must be the selected one [RFC5939 §3.5.2, §3.6.3].
 */
export function readAcfgAnswer(
  offerSections: SdpSections,
  answerSections: SdpSections,
  mediaIndex: number,
): SelectedConfiguration | undefined {
  const offerSection = offerSections.media[mediaIndex];
  const answerSection = answerSections.media[mediaIndex];
  if (offerSection?.[0] === undefined || answerSection?.[0] === undefined) return undefined;
  const acfg = readCapabilities(answerSections).media[mediaIndex]?.acfg;
  if (acfg === undefined) return undefined;
  const offerCaps = readCapabilities(offerSections);
  const pcfg = offerCaps.media[mediaIndex]?.pcfgs.find((p) => p.configNumber === acfg.configNumber);
  if (pcfg === undefined) return undefined;
  const offered = pcfgParts(pcfg);
  const selected = selectedLists(acfg);

  // t=: required exactly when the pcfg had one, and one of its alternatives.
  const tcap = selected.transport?.tcap;
  if ((offered.tcaps === undefined) !== (tcap === undefined)) return undefined;
  if (tcap !== undefined && !offered.tcaps!.includes(tcap)) return undefined;

  const acaps = matchAttributeSelection(offered.deleteAttributes, offered.alternatives, selected.attributes);
  if (acaps === undefined) return undefined;

  const offeredExtensions = new Set(pcfg.lists.flatMap((l) => (l.kind === 'extension' ? [l.name] : [])));
  const selectedExtensions = new Set(selected.extensions.map((e) => e.name));
  if (![...selectedExtensions].every((name) => offeredExtensions.has(name))) return undefined;
  if (!offered.mandatoryExtensions.every((name) => selectedExtensions.has(name))) return undefined;

  const actualProto = mediaProto(offerSection[0].value);
  const proto = tcap === undefined ? actualProto : tcapProto(offerCaps, mediaIndex, tcap);
  const answerProto = mediaProto(answerSection[0].value);
  if (proto === undefined || answerProto?.toUpperCase() !== proto.toUpperCase()) return undefined;

  const deleteAttributes = offered.deleteAttributes;
  const added: AttributeCapability[] = [...acaps.mandatory, ...acaps.optional].map((n) =>
    acapInScope(offerCaps, mediaIndex, n)!,
  );
  return {
    configNumber: pcfg.configNumber,
    tcap,
    proto,
    deleteAttributes,
    mandatoryAcaps: acaps.mandatory,
    optionalAcaps: acaps.optional,
    differsFromActual: proto !== actualProto || added.length > 0 || deleteAttributes !== undefined,
    ...buildInternalOffer(offerSections, mediaIndex, { proto, deleteAttributes, acaps: added }),
  };
}

function selectedLists(acfg: Acfg): {
  attributes: Extract<SelectedConfigList, { kind: 'attributes' }> | undefined;
  transport: Extract<SelectedConfigList, { kind: 'transport' }> | undefined;
  extensions: Extract<SelectedConfigList, { kind: 'extension' }>[];
} {
  let attributes: Extract<SelectedConfigList, { kind: 'attributes' }> | undefined;
  let transport: Extract<SelectedConfigList, { kind: 'transport' }> | undefined;
  const extensions: Extract<SelectedConfigList, { kind: 'extension' }>[] = [];
  for (const list of acfg.lists) {
    if (list.kind === 'attributes') attributes = list;
    else if (list.kind === 'transport') transport = list;
    else extensions.push(list);
  }
  return { attributes, transport, extensions };
}

/**
 * The acaps of the one offered alternative the acfg's `a=` list selects: same delete-attributes,
 * all its mandatory acaps and a subset of its optional ones. Supported optional acaps are listed
 * plainly after the mandatory ones [RFC5939 §3.5.2]; a bracketed form is accepted too.
 */
function matchAttributeSelection(
  offeredDelete: DeleteAttributes | undefined,
  offeredAlternatives: readonly AcapList[] | undefined,
  selected: Extract<SelectedConfigList, { kind: 'attributes' }> | undefined,
): AcapList | undefined {
  if (selected === undefined) {
    // Nothing listed: only a pcfg without a= list, or an alternative that is all optional.
    if (offeredAlternatives === undefined) return { mandatory: [], optional: [] };
    if (offeredDelete !== undefined) return undefined;
    return offeredAlternatives.some((alt) => alt.mandatory.length === 0) ? { mandatory: [], optional: [] } : undefined;
  }
  if (offeredAlternatives === undefined || selected.deleteAttributes !== offeredDelete) return undefined;
  const listed = [...selected.acaps, ...selected.bracketedAcaps];
  if (new Set(listed).size !== listed.length) return undefined;
  if (offeredAlternatives.length === 0) return listed.length === 0 ? { mandatory: [], optional: [] } : undefined;
  for (const alt of offeredAlternatives) {
    if (!alt.mandatory.every((n) => listed.includes(n))) continue;
    if (!listed.every((n) => alt.mandatory.includes(n) || alt.optional.includes(n))) continue;
    return { mandatory: [...alt.mandatory], optional: alt.optional.filter((n) => listed.includes(n)) };
  }
  return undefined;
}
