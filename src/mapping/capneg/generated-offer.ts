/**
 * The capneg attributes of offers the gateway writes, and the m-sections of its second offer
 * [mapping §2.6, §2.7; RFC 5763 §7.1 pattern].
 */
import type { SdpLine } from '../sdp/lines.ts';
import { stripCapnegAttributes } from './capabilities.ts';
import { formatPcfg, formatTcap } from './grammar.ts';
import { replaceMediaProto } from './internal-offer.ts';

/**
 * Attribute values for the k-th capneg m-line (k = 1, 2, … in m-line order):
 * `a=tcap:<2k-1> <secure> <plain>` and `a=pcfg:1 t=<2k-1>`. Two protos per tcap keep the
 * numbers of different m-lines disjoint [RFC5939 §3.4.2; mapping §2.6, assertions 37, 38, 49].
 */
export function capnegOfferLines(k: number, secureProto: string, plainProto: string): { tcap: string; pcfg: string } {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`capneg m-line ordinal must be 1, 2, …: ${k}`);
  const first = 2 * k - 1;
  return {
    tcap: formatTcap({ first, protos: [secureProto, plainProto] }),
    pcfg: formatPcfg({ configNumber: 1, lists: [{ kind: 'transports', tcaps: [first] }] }),
  };
}

/**
 * An m-section of the second offer: the selected proto becomes the actual one and the capneg
 * attributes go; every other line (fingerprint, setup, tls-id, tls-methods) stays, so the DTLS
 * association is kept [RFC5939 §3.6.3; RFC8842 §5.5; mapping §2.7, assertion 40].
 */
export function secondOfferMediaSection(lines: readonly SdpLine[], proto: string): SdpLine[] {
  return stripCapnegAttributes(lines).map((line, i) =>
    i === 0 && line.type === 'm' ? { type: 'm', value: replaceMediaProto(line.value, proto) } : line,
  );
}
