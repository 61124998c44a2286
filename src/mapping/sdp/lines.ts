/**
 * SDP as lines: the raw layer under the parser. Capability negotiation [RFC 5939] rewrites
 * m-sections line by line (deletions, added acaps, a new proto) before the result is parsed
 * like any other description, so both the parser and capneg work on this representation.
 */
import { GatewayError } from '../errors.ts';
import { checkSdpSections, checkSdpSize } from '../limits.ts';

/** One `<type>=<value>` line [RFC 8866 §5]. */
export interface SdpLine {
  type: string;
  value: string;
}

/** Session-level lines, then one array per m-section whose first line is its `m=`. */
export interface SdpSections {
  session: SdpLine[];
  media: SdpLine[][];
}

const notXmlCharacter =
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  /[\0-\x08\x0b-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Splits SDP text (CRLF or bare LF) into sections. Blank lines are ignored. Bounded by limits.ts. */
export function splitSdp(text: string): SdpSections {
  checkSdpSize(text);
  const session: SdpLine[] = [];
  const media: SdpLine[][] = [];
  let current = session;
  let number = 0;
  for (const raw of text.split('\n')) {
    number += 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    // XML 1.0 §2.2: what the gateway cannot carry into a Jingle stanza is refused here, before any
    // value reaches the model (controls other than tab, U+FFFE/U+FFFF, lone surrogates). A CR inside a
    // line is no SDP either [RFC 8866 §9: byte-string excludes CR and LF]. The line is not quoted:
    // the message may become a Jingle <text/>.
    if (notXmlCharacter.test(line)) {
      throw new GatewayError('sdp-syntax', `SDP line ${String(number)} holds a character XML cannot carry`);
    }
    if (line.length < 2 || line[1] !== '=' || !/^[a-z]$/.test(line[0]!)) {
      throw new GatewayError('sdp-syntax', `SDP line is not <type>=<value>: ${truncate(line)}`);
    }
    const entry = { type: line[0]!, value: line.slice(2) };
    if (entry.type === 'm') {
      current = [entry];
      media.push(current);
    } else {
      current.push(entry);
    }
  }
  if (session[0]?.type !== 'v') throw new GatewayError('sdp-syntax', 'SDP does not start with v=');
  const sections = { session, media };
  checkSdpSections(sections);
  return sections;
}

/** Serialises sections with CRLF line ends, as every SDP the gateway emits [RFC 8866 §5]. */
export function joinSdp(sections: SdpSections): string {
  let out = '';
  for (const line of sections.session) out += `${line.type}=${line.value}\r\n`;
  for (const section of sections.media) for (const line of section) out += `${line.type}=${line.value}\r\n`;
  return out;
}

/** `a=<name>[:<value>]` → name and value; the value keeps its leading white space. */
export function splitAttribute(value: string): { name: string; value: string | undefined } {
  const colon = value.indexOf(':');
  return colon < 0 ? { name: value, value: undefined } : { name: value.slice(0, colon), value: value.slice(colon + 1) };
}

/** Values of every `a=<name>` line in a list of lines, in order. */
export function attributeValues(lines: readonly SdpLine[], name: string): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (line.type !== 'a') continue;
    const attr = splitAttribute(line.value);
    if (attr.name === name) out.push(attr.value ?? '');
  }
  return out;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
