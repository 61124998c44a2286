/**
 * SDP input for `translate`: a bare SDP body or a whole SIP message (as captured by SIPp or
 * sngrep); leading `#` comment lines are skipped. From a SIP message the Call-ID gives the
 * Jingle sid (spec §1.1) and the From URI the caller JID (spec §7.3).
 */
import { callerJidFromFromUri } from '../mapping/address.ts';

export interface SdpInput {
  sdp: string;
  sid?: string;
  callerJid?: (cfg: { xmpp: { domain: string }; sip: { domain: string } }) => string | undefined;
}

export function readSdpInput(text: string): SdpInput {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && (lines[0]!.startsWith('#') || lines[0]!.trim() === '')) lines.shift();
  if (!/^(?:[A-Z]+ \S+ SIP\/2\.0|SIP\/2\.0 \d{3})/.test(lines[0] ?? '')) return { sdp: lines.join('\r\n') };
  const blank = lines.findIndex((l) => l.trim() === '');
  const headers = lines.slice(1, blank < 0 ? lines.length : blank);
  const body = blank < 0 ? '' : lines.slice(blank + 1).join('\r\n');
  const input: SdpInput = { sdp: body };
  const callId = header(headers, 'call-id', 'i');
  // spec §1.1: sid = Call-ID up to its first '@' when that is an XML Nmtoken.
  const sid = callId?.split('@')[0];
  if (sid !== undefined && /^[\w.:-]+$/.test(sid)) input.sid = sid;
  const from = header(headers, 'from', 'f');
  const uri = from !== undefined ? (/<([^>]*)>/.exec(from)?.[1] ?? from.split(';')[0]!.trim()) : undefined;
  if (uri !== undefined) {
    input.callerJid = (cfg) => {
      try {
        return callerJidFromFromUri(uri, { xmppDomain: cfg.xmpp.domain, sipDomain: cfg.sip.domain });
      } catch {
        return undefined;
      }
    };
  }
  return input;
}

function header(headers: string[], name: string, compact: string): string | undefined {
  for (const line of headers) {
    const colon = line.indexOf(':');
    const key = line.slice(0, colon).trim().toLowerCase();
    if (key === name || key === compact) return line.slice(colon + 1).trim();
  }
  return undefined;
}
