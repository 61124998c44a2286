/**
 * Conversions between the gateway's SipMessage shapes and the objects npm `sip` parses and
 * stringifies, and the next-hop rules for requests the gateway sends.
 *
 * Character set: `sip` reads and writes every message as a latin1 ("binary") string and
 * computes Content-Length as the string's length, so text is turned into UTF-8 bytes here on
 * the way out and decoded on the way in; SIP is UTF-8 [RFC 3261 §7.3.1], SDP too [RFC 8866 §5].
 */
import * as sip from 'sip';
import type { SipLibMessage, SipLibNameAddr, SipLibUri } from 'sip';
import type { SipHeaders, SipMessage, SipNameAddr, SipRequest, SipResponse, SipTransportName } from './message.ts';

const nonAscii = /[\u0080-\uffff]/;

function toLatin1(text: string): string {
  return nonAscii.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}

function fromLatin1(text: string): string {
  return nonAscii.test(text) ? Buffer.from(text, 'latin1').toString('utf8') : text;
}

const nameAddrHeaders = new Set(['to', 'from', 'refer-to']);
const nameAddrListHeaders = new Set(['contact', 'route', 'record-route', 'path']);

function nameAddrIn(value: SipLibNameAddr): SipNameAddr {
  const uri = value.uri === undefined ? '' : typeof value.uri === 'string' ? value.uri : sip.stringifyUri(value.uri);
  return {
    ...(value.name !== undefined ? { name: fromLatin1(value.name) } : {}),
    uri,
    params: { ...(value.params ?? {}) },
  };
}

function nameAddrOut(value: SipNameAddr): SipLibNameAddr {
  return {
    ...(value.name !== undefined ? { name: toLatin1(value.name) } : {}),
    uri: value.uri,
    params: { ...value.params },
  };
}

/** A parsed message from `sip` as a SipMessage (URIs as text, UTF-8 decoded). */
export function messageFromWire(message: SipLibMessage): SipMessage {
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (name === 'max-forwards' && typeof value === 'string' && /^\s*\d+\s*$/.test(value))
      headers[name] = Number(value);
    else if (typeof value === 'string') headers[name] = fromLatin1(value);
    else if (nameAddrHeaders.has(name)) headers[name] = nameAddrIn(value as SipLibNameAddr);
    else if (nameAddrListHeaders.has(name)) {
      // `Contact: *` (REGISTER) stays a one-element list with the URI `*`.
      headers[name] = value === '*' ? [{ uri: '*', params: {} }] : (value as SipLibNameAddr[]).map(nameAddrIn);
    } else headers[name] = value;
  }
  const content = message.content === undefined ? undefined : fromLatin1(message.content);
  if (message.method !== undefined) {
    const uri =
      typeof message.uri === 'string' ? message.uri : message.uri === undefined ? '' : sip.stringifyUri(message.uri);
    const request: SipRequest = { method: message.method, uri, headers: headers as unknown as SipHeaders, content };
    if (message.version !== undefined) request.version = message.version;
    return request;
  }
  const response: SipResponse = {
    status: message.status ?? 0,
    reason: fromLatin1(message.reason ?? ''),
    headers: headers as unknown as SipHeaders,
    content,
  };
  if (message.version !== undefined) response.version = message.version;
  return response;
}

/**
 * A SipMessage as a fresh `sip` object (the library mutates what it sends: Via, Route). Via comes
 * first so that the Via `sip` inserts is written first.
 */
export function messageToWire(message: SipMessage): SipLibMessage {
  const headers: Record<string, unknown> = {
    via: (message.headers.via ?? []).map((via) => ({ ...via, params: { ...via.params } })),
  };
  for (const [rawName, value] of Object.entries(message.headers)) {
    const name = rawName.toLowerCase();
    if (name === 'via' || name === 'content-length' || value === undefined) continue;
    if (typeof value === 'string') headers[name] = toLatin1(value);
    else if (nameAddrHeaders.has(name)) headers[name] = nameAddrOut(value as SipNameAddr);
    else if (nameAddrListHeaders.has(name)) headers[name] = (value as SipNameAddr[]).map(nameAddrOut);
    else headers[name] = value;
  }
  const content = message.content === undefined ? undefined : toLatin1(message.content);
  if ('method' in message) {
    return { method: message.method, uri: message.uri, version: message.version ?? '2.0', headers, content };
  }
  return {
    status: message.status,
    reason: toLatin1(message.reason),
    version: message.version ?? '2.0',
    headers,
    content,
  };
}

/** Where a request goes: transport and address of the next hop. */
export interface NextHop {
  transport: SipTransportName;
  /** `sip` URI form for RFC 3263 resolution when `host` is a name. */
  uri: SipLibUri;
  host: string;
  port: number | undefined;
}

const ipv4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

export function isIpv4(host: string): boolean {
  return ipv4.test(host);
}

/**
 * The next hop of a request [RFC 3261 §8.1.2]: `nextHop` (the outbound proxy), else the first
 * Route, else the Request-URI. Its transport is `;transport=`, TLS for `sips:`, UDP otherwise
 * [RFC 3263 §4.1, numeric hosts and names without NAPTR alike]. Undefined when the URI is not
 * a `sip:`/`sips:` URI `sip` can read (`tel:`, IPv6 hosts).
 */
export function nextHopOf(request: SipRequest, nextHop?: string): NextHop | undefined {
  const target = nextHop ?? request.headers.route?.[0]?.uri ?? request.uri;
  const uri = sip.parseUri(target);
  if (uri === undefined) return undefined;
  const param = uri.params.transport?.toUpperCase();
  const transport: SipTransportName =
    param === 'TCP' ? 'TCP' : param === 'TLS' || uri.schema === 'sips' ? 'TLS' : 'UDP';
  return { transport, uri, host: uri.host, port: Number.isFinite(uri.port) && uri.port > 0 ? uri.port : undefined };
}

export function defaultPort(transport: SipTransportName): number {
  return transport === 'TLS' ? 5061 : 5060;
}

/** `uri` with the loose-routing `;lr` parameter, for a pre-existing route set [RFC 3261 §8.1.1.1]. */
export function looseRouteUri(uri: string): string {
  const [address, headers] = uri.split('?', 2) as [string, string | undefined];
  const withLr = /;lr(?:[=;]|$)/i.test(address) ? address : `${address};lr`;
  return headers === undefined ? withLr : `${withLr}?${headers}`;
}
