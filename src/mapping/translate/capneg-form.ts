/**
 * Capneg as the gateway's own offers use it: spec §2.6 (tcap/pcfg lines of the k-th capneg
 * m-line) and RFC 5939 §3.6.4 (reading the a=acfg answer).
 */
import { capnegOfferLines, readAcfgAnswer } from '../capneg/index.ts';
import { splitSdp, type SdpSections } from '../sdp/lines.ts';

/** `tcap:<2k-1> <secure> <plain>` and `pcfg:1 t=<2k-1>` for the m-line whose tcap is `tcap`. */
export function capnegOfferAttributes(tcap: number, secureProto: string, plainProto: string): string[] {
  const lines = capnegOfferLines((tcap + 1) / 2, secureProto, plainProto);
  return [`tcap:${lines.tcap}`, `pcfg:${lines.pcfg}`];
}

/** True when the answer's a=acfg validly selects the offered DTLS pcfg of m-line `index`. */
export function answerSelectsOwnPcfg(offerSdp: string, answer: SdpSections, index: number): boolean {
  const selected = readAcfgAnswer(splitSdp(offerSdp), answer, index);
  return selected !== undefined && selected.differsFromActual;
}
