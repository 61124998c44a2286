/**
 * Bounds on the size of a session description, checked before it is parsed any further, so
 * hostile input costs bounded time and memory (issue 4 "Limits enforced before parsing";
 * RFC 6120 §13.12 and RFC 3261 §26.1.5 on denial of service). Over a limit, SDP from SIP is a
 * `sdp-limit` GatewayError (488 + Warning 399) and a Jingle stanza a `jingle-limit` one (IQ error
 * `policy-violation`, modify: the peer may retry with less).
 *
 * Why these numbers (every one is several times what real peers send):
 * - m-lines / contents 16: a video conference offer with simulcast has 3–6 m-lines (audio,
 *   video, screen share, data channel); the golden files and ../shared/vectors have at most 4.
 * - candidates per m-line 32: Chrome and Firefox gather host, srflx and relay candidates per
 *   interface and per protocol, about 4–12 in total; the golden files have at most 3.
 * - fingerprints per m-line 8: RFC 8122 §5 allows several hash functions, and only six are
 *   registered (§4.1 of the mapping spec); one or two in practice.
 * - payload types per m-line 64: Chrome offers about 40 video formats (with RTX, RED and ULPFEC);
 *   the dynamic range has 96 values (RFC 3551 §3).
 * - size 64 KiB: the XMPP stanza limit (`xmpp.limits.maxStanzaBytes` default) and four times the
 *   default SIP message limit (16 KiB); the largest golden SDP is 1.2 KB, Jingle 2.5 KB.
 * - capneg potential configurations per m-line 32: every combination of a pcfg's `t=` and `a=`
 *   alternatives is built and parsed [RFC 5939 §3.5.1], so they multiply; real offers have 1–4.
 */
import type { Element } from '@xmpp/component';
import { GatewayError } from './errors.ts';
import type { SdpSections } from './sdp/lines.ts';

export const mediaLimits = {
  /** m-lines of an SDP, contents of a Jingle stanza. */
  maxMedia: 16,
  /** `a=candidate` lines of an m-section; `<candidate/>` of a transport. */
  maxCandidates: 32,
  /** `a=fingerprint` lines of an m-section or the session; `<fingerprint/>` in a content. */
  maxFingerprints: 8,
  /** Formats on an m= line; `<payload-type/>` of a description. */
  maxPayloadTypes: 64,
  /** SDP text or Jingle element, in UTF-16 code units (≤ UTF-8 bytes for ASCII SDP). */
  maxBytes: 64 * 1024,
  /** RFC 5939 potential configurations of one m-line (pcfg × `t=` × `a=` alternatives). */
  maxCapnegConfigurations: 32,
} as const;

function sdpLimit(what: string, limit: number): GatewayError {
  return new GatewayError('sdp-limit', `SDP has more than ${String(limit)} ${what}`);
}

function jingleLimit(what: string, limit: number): GatewayError {
  return new GatewayError('jingle-limit', `Jingle has more than ${String(limit)} ${what}`);
}

/** Before the text is split into lines. */
export function checkSdpSize(text: string): void {
  if (text.length > mediaLimits.maxBytes) throw sdpLimit('characters', mediaLimits.maxBytes);
}

/** After splitting, before anything is parsed. */
export function checkSdpSections(sections: SdpSections): void {
  if (sections.media.length > mediaLimits.maxMedia) throw sdpLimit('m-lines', mediaLimits.maxMedia);
  if (countAttributes(sections.session, 'fingerprint') > mediaLimits.maxFingerprints) {
    throw sdpLimit('session-level fingerprints', mediaLimits.maxFingerprints);
  }
  sections.media.forEach((section, index) => {
    const where = `in m-line ${String(index + 1)}`;
    // m=<media> <port> <proto> <fmt> ... [RFC 8866 §5.14]
    const formats = (section[0]?.value.trim().split(/\s+/).length ?? 3) - 3;
    if (formats > mediaLimits.maxPayloadTypes) throw sdpLimit(`formats ${where}`, mediaLimits.maxPayloadTypes);
    if (countAttributes(section, 'candidate') > mediaLimits.maxCandidates) {
      throw sdpLimit(`candidates ${where}`, mediaLimits.maxCandidates);
    }
    if (countAttributes(section, 'fingerprint') > mediaLimits.maxFingerprints) {
      throw sdpLimit(`fingerprints ${where}`, mediaLimits.maxFingerprints);
    }
  });
}

/** Called while the potential configurations of one m-line are counted. */
export function checkCapnegConfigurations(count: number, mediaIndex: number): void {
  if (count > mediaLimits.maxCapnegConfigurations) {
    throw sdpLimit(`potential configurations in m-line ${String(mediaIndex + 1)}`, mediaLimits.maxCapnegConfigurations);
  }
}

function countAttributes(lines: readonly { type: string; value: string }[], name: string): number {
  let n = 0;
  for (const line of lines) {
    if (line.type === 'a' && (line.value === name || line.value.startsWith(`${name}:`))) n += 1;
  }
  return n;
}

/** The `<jingle/>` element, before its contents are read. Namespaces are not checked here. */
export function checkJingleLimits(jingle: Element): void {
  if (exceedsSize(jingle, mediaLimits.maxBytes)) throw jingleLimit('characters', mediaLimits.maxBytes);
  const contents = jingle.getChildElements().filter((c) => c.getName() === 'content');
  if (contents.length > mediaLimits.maxMedia) throw jingleLimit('contents', mediaLimits.maxMedia);
  for (const content of contents) {
    const where = `in content ${(content.attrs.name ?? '').slice(0, 40)}`;
    for (const child of content.getChildElements()) {
      if (child.getName() === 'transport' && countChildren(child, 'candidate') > mediaLimits.maxCandidates) {
        throw jingleLimit(`candidates ${where}`, mediaLimits.maxCandidates);
      }
      if (child.getName() === 'description' && countChildren(child, 'payload-type') > mediaLimits.maxPayloadTypes) {
        throw jingleLimit(`payload types ${where}`, mediaLimits.maxPayloadTypes);
      }
    }
    // XEP-0320 puts them in the transport, legacy clients under <encryption/>, XTLS in <security/>.
    if (countDescendants(content, 'fingerprint') > mediaLimits.maxFingerprints) {
      throw jingleLimit(`fingerprints ${where}`, mediaLimits.maxFingerprints);
    }
  }
}

function countChildren(el: Element, name: string): number {
  return el.getChildElements().filter((c) => c.getName() === name).length;
}

function countDescendants(el: Element, name: string): number {
  let n = 0;
  for (const child of el.getChildElements()) {
    if (child.getName() === name) n += 1;
    n += countDescendants(child, name);
  }
  return n;
}

/**
 * Whether the element's names, attributes and text add up to more than `budget` characters
 * (a lower bound of its serialised size); stops counting as soon as they do.
 */
function exceedsSize(root: Element, budget: number): boolean {
  let size = 0;
  const stack: (Element | string)[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node === 'string') {
      size += node.length;
    } else {
      size += 2 * node.name.length + 5;
      for (const [name, value] of Object.entries(node.attrs)) size += name.length + value.length + 4;
      for (const child of node.children) stack.push(child);
    }
    if (size > budget) return true;
  }
  return false;
}
