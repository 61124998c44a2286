/**
 * Header helpers of the dialog layer: tags, branches, reason phrases, option tags and the extra
 * headers callers pass by name.
 */
import { randomHex } from '../ops/random.ts';
import type { ExtraHeaders } from './dialog-types.ts';
import type { SipHeaders, SipNameAddr } from './message.ts';

/** RFC 3261 §8.1.1.6: a UAC SHOULD set Max-Forwards to 70. */
export const initialMaxForwards = 70;

/** Methods the gateway's user agent handles (RFC 3261 §20.5 Allow). */
export const defaultAllow: readonly string[] = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'UPDATE'];

/** RFC 3261 §21 reason phrases for the codes the gateway sends or synthesises. */
const phrases: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  410: 'Gone',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  430: 'Flow Failed',
  469: 'Bad Info Package',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

export function reasonPhrase(status: number): string {
  return phrases[status] ?? (status < 200 ? 'Session Progress' : status < 300 ? 'OK' : 'Error');
}

/** RFC 3261 §19.3: tags are cryptographically random, at least 32 bits. */
export function newTag(): string {
  return randomHex(8);
}

/** RFC 3261 §8.1.1.7: branch IDs start with the magic cookie `z9hG4bK`. */
export function newBranch(): string {
  return `z9hG4bK${randomHex(10)}`;
}

export function tagOf(address: SipNameAddr | undefined): string | undefined {
  const tag = address?.params.tag;
  return typeof tag === 'string' && tag !== '' ? tag : undefined;
}

/** `address` with its params copied, and `tag` set (or removed when undefined). */
export function withTag(address: SipNameAddr, tag: string | undefined): SipNameAddr {
  const params = { ...address.params };
  if (tag === undefined) delete params.tag;
  else params.tag = tag;
  return { ...(address.name !== undefined ? { name: address.name } : {}), uri: address.uri, params };
}

const token = /^[\w\-.!%*+`'~]+(?: +[\w\-.!%*+`'~]+)*$/;

/** A display name as RFC 3261 §25.1 writes it: tokens as they are, anything else quoted. */
export function displayName(name: string | undefined): string | undefined {
  if (name === undefined || name === '') return undefined;
  if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) return name;
  if (token.test(name)) return name;
  return `"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Writes `extra` into `headers` under lowercase names (the form `sip` stringifies verbatim). */
export function applyExtraHeaders(headers: SipHeaders, extra: ExtraHeaders | undefined): void {
  if (extra === undefined) return;
  for (const [name, value] of Object.entries(extra)) headers[name.toLowerCase()] = value;
}

/** Option tags of Require/Supported/Proxy-Require [RFC 3261 §20.32, §20.37], lowercase. */
export function optionTags(headers: SipHeaders, name: string): string[] {
  const value = headers[name.toLowerCase()];
  if (typeof value !== 'string') return [];
  return value
    .split(',')
    .map((tag) => tag.trim().toLowerCase())
    .filter((tag) => tag !== '');
}

/** True when a Route URI carries `;lr`, i.e. the hop is a loose router [RFC 3261 §16.12.1.1]. */
export function isLooseRouter(uri: string): boolean {
  const address = uri.split('?', 1)[0]!;
  return /;lr(?:[=;]|$)/i.test(address);
}

/** The user part of a SIP URI, if any. */
export function uriUser(uri: string): string | undefined {
  const match = /^sips?:([^@;?]+)@/i.exec(uri);
  return match?.[1];
}

/** The numeric Max-Forwards of a request, undefined when absent or unreadable. */
export function maxForwardsOf(headers: SipHeaders): number | undefined {
  const value: unknown = headers['max-forwards'];
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  return Number.isInteger(number) ? number : undefined;
}
