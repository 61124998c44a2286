/**
 * The m= proto derivation table of spec §1.3.1 and the proto classes of §1.3.2.
 *
 *   <crypto/>  rtcp-fb   plain proto        secure proto (DTLS)
 *   no         no        RTP/AVP            UDP/TLS/RTP/SAVP
 *   no         yes       RTP/AVPF           UDP/TLS/RTP/SAVPF
 *   yes        no/yes    RTP/SAVP[F]        —   (with DTLS <crypto/> is not mapped)
 *
 * [X167 §4; X293 §3; RFC 5764 §8]
 */
import type { RtpDescription } from '../model.ts';

export interface ProtoPair {
  plain: string;
  secure: string;
}

export function usesFeedback(description: RtpDescription): boolean {
  return (
    description.feedback.length > 0 ||
    description.trrInt !== undefined ||
    description.payloadTypes.some((pt) => pt.feedback.length > 0 || pt.trrInt !== undefined)
  );
}

/** Protos for an RTP content; `withDtls` drops SDES so the plain proto is RTP/AVP[F]. */
export function protosFor(description: RtpDescription, withDtls: boolean): ProtoPair {
  const f = usesFeedback(description) ? 'F' : '';
  const sdes = !withDtls && description.crypto.length > 0;
  return { plain: sdes ? `RTP/SAVP${f}` : `RTP/AVP${f}`, secure: `UDP/TLS/RTP/SAVP${f}` };
}

const dtlsProtos = new Set(['UDP/TLS/RTP/SAVP', 'UDP/TLS/RTP/SAVPF']);
const rtpProtos = new Set(['RTP/AVP', 'RTP/AVPF', 'RTP/SAVP', 'RTP/SAVPF', ...dtlsProtos]);

/** DTLS-SRTP transports [RFC 5764 §8]. */
export function isDtlsProto(proto: string): boolean {
  return dtlsProtos.has(proto.toUpperCase());
}

/** Protos the gateway maps to Jingle RTP; anything else gets port 0 in the answer (spec §1.3.2). */
export function isRtpProto(proto: string): boolean {
  return rtpProtos.has(proto.toUpperCase());
}

/** The Jingle XML-stream m-line protos (project-defined, docs/mapping.md). */
export function xmlStreamProto(secured: boolean): string {
  return secured ? 'TCP/TLS' : 'TCP';
}
