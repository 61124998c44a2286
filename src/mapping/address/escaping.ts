/**
 * The two character transformations of §7.1: XEP-0106 JID escaping (a foreign address inside a
 * JID local part) and percent-encoding (a JID inside a SIP user part).
 */
import { GatewayError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { localPartProblem, quoteForMessage } from './jid.ts';

// [X106 §3.2] The nine characters a local part cannot hold, and their escapes. The tenth
// sequence, `\5c`, stands for a backslash and is only written in front of another sequence.
const ESCAPE_OF: ReadonlyMap<string, string> = new Map([
  [' ', '\\20'],
  ['"', '\\22'],
  ['&', '\\26'],
  ["'", '\\27'],
  ['/', '\\2f'],
  [':', '\\3a'],
  ['<', '\\3c'],
  ['>', '\\3e'],
  ['@', '\\40'],
]);
// Lowercase only, as XEP-0106 writes them: `\2F` is three ordinary characters.
const CHARACTER_OF: ReadonlyMap<string, string> = new Map([
  ...[...ESCAPE_OF].map(([char, escape]): [string, string] => [escape.slice(1), char]),
  ['5c', '\\'],
]);

/**
 * XEP-0106 escaping without validation. A backslash that already starts one of the ten
 * sequences becomes `\5c` [X106 §4.2], so unescaping gives back the original string exactly.
 */
export function escapeJidCharacters(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i]!;
    if (char === '\\' && CHARACTER_OF.has(raw.slice(i + 1, i + 3))) out += '\\5c';
    else out += ESCAPE_OF.get(char) ?? char;
  }
  return out;
}

/**
 * Escapes a foreign address into a JID local part [X106 §4.2] and checks the result: `\20` may
 * not start or end it [X106 §4.1], it may not be longer than 1023 octets [RFC 7622 §3.3], and
 * characters XEP-0106 has no escape for (other white space, control characters) make it
 * unusable. Throws `GatewayError(code)`; the default fits §7.3, the one place the gateway
 * escapes.
 */
export function escapeLocal(raw: string, code: ErrorCode = 'caller-unmappable'): string {
  const escaped = escapeJidCharacters(raw);
  if (escaped.startsWith('\\20') || escaped.endsWith('\\20')) {
    throw new GatewayError(code, `${quoteForMessage(raw)} starts or ends with a space, which XEP-0106 cannot escape`);
  }
  const problem = localPartProblem(escaped);
  if (problem !== undefined) throw new GatewayError(code, `${quoteForMessage(raw)} cannot be escaped: ${problem}`);
  return escaped;
}

/** Reverses all ten XEP-0106 sequences, left to right; any other backslash stays [X106 §4.3]. */
export function unescapeLocal(local: string): string {
  let out = '';
  let i = 0;
  while (i < local.length) {
    const char = local[i]!;
    const unescaped = char === '\\' ? CHARACTER_OF.get(local.slice(i + 1, i + 3)) : undefined;
    if (unescaped === undefined) {
      out += char;
      i += 1;
    } else {
      out += unescaped;
      i += 3;
    }
  }
  return out;
}

// RFC 3261 §25.1: unreserved = alphanum / mark, mark = - _ . ! ~ * ' ( ),
// user-unreserved = & = + $ , ; ? /. Everything else in a user part is written `%HH`.
const USER_PART_LITERAL = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/]$/;
const utf8 = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF: it is part of the address, not a byte-order mark.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Percent-encodes every UTF-8 byte outside `unreserved` and `user-unreserved`, uppercase hex [§7.1]. */
export function pct(text: string): string {
  let out = '';
  for (const char of text) {
    if (USER_PART_LITERAL.test(char)) {
      out += char;
      continue;
    }
    for (const byte of utf8.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Strict percent-decoding of a SIP user part as UTF-8 [RFC 3261 §19.1.2; §7.2 step 2]: a `%`
 * not followed by two hex digits, or bytes that are not UTF-8 (overlong forms and encoded
 * surrogates included), throw `GatewayError(code)`. Characters not percent-encoded are kept as
 * they are, so a peer that sends raw UTF-8 is still understood.
 */
export function pctDecode(text: string, code: ErrorCode = 'callee-unmappable'): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '%') {
      out += text[i]!;
      i += 1;
      continue;
    }
    // A run of consecutive %HH is one byte sequence: a multi-byte character is never split
    // by a literal character, so decoding run by run equals decoding the whole.
    const bytes: number[] = [];
    while (text[i] === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new GatewayError(code, `${quoteForMessage(text)} has a % not followed by two hex digits`);
      }
      bytes.push(Number.parseInt(hex, 16));
      i += 3;
    }
    try {
      out += strictUtf8.decode(Uint8Array.from(bytes));
    } catch {
      throw new GatewayError(code, `${quoteForMessage(text)} does not percent-decode to UTF-8`);
    }
  }
  return out;
}
