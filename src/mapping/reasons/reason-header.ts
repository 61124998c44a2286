/**
 * The SIP `Reason` header [RFC 3326 §2]: written on BYE and CANCEL when a Jingle session ends
 * for a reason other than success or cancel (spec §6.1, §6.3), read on incoming BYE and CANCEL
 * (spec §6.4 "BYE or CANCEL with `Reason: SIP ;cause=N`").
 *
 *   Reason       = "Reason" HCOLON reason-value *(COMMA reason-value)
 *   reason-value = protocol *(SEMI reason-params)
 *   reason-params = protocol-cause / reason-text / reason-extension
 *   protocol-cause = "cause" EQUAL cause      reason-text = "text" EQUAL quoted-string
 */
import { sipQuotedString } from './sip-status.ts';

/** The SIP-protocol reason of a Reason header; `text` absent when the header had none. */
export interface SipReasonCause {
  cause: number;
  text?: string;
}

/** `SIP ;cause=<code> ;text="<text>"`, spaced as the RFC 3326 §2 examples. */
export function formatSipReasonHeader(cause: number, text?: string): string {
  const textParam = text === undefined ? '' : ` ;text=${sipQuotedString(text)}`;
  return `SIP ;cause=${cause}${textParam}`;
}

/**
 * The SIP-protocol reason in a Reason header value, or undefined when there is none. Several
 * reason-values may be comma-separated (or several header fields joined with commas, RFC 3261
 * §7.3.1); the first with protocol `SIP` and a numeric cause wins. `Q.850` and other protocols
 * are ignored: the spec maps SIP causes only. Spacing, case of names and unquoted text values
 * are tolerated because real UAs write all three.
 */
export function parseSipReasonHeader(value: string): SipReasonCause | undefined {
  for (const reasonValue of splitOutsideQuotes(value, ',')) {
    const [protocol, ...params] = splitOutsideQuotes(reasonValue, ';');
    if (protocol?.trim().toUpperCase() !== 'SIP') continue;
    let cause: number | undefined;
    let text: string | undefined;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const name = param.slice(0, eq).trim().toLowerCase();
      const raw = param.slice(eq + 1).trim();
      if (name === 'cause' && /^\d{1,3}$/.test(raw)) cause = Number(raw);
      else if (name === 'text') text = unquote(raw);
    }
    if (cause === undefined) continue;
    return text === undefined ? { cause } : { cause, text };
  }
  return undefined;
}

/** Splits on `separator` except inside a quoted-string (which may hold quoted-pairs). */
function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    if (quoted && c === '\\' && i + 1 < value.length) {
      current += c + value.charAt(++i);
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** The content of a quoted-string with quoted-pairs resolved; a bare token is returned as is. */
function unquote(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  const body = raw.endsWith('"') && raw.length > 1 ? raw.slice(1, -1) : raw.slice(1);
  return body.replace(/\\(.)/g, '$1');
}
