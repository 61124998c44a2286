/**
 * SIP message shapes shared by the dialog layer and every SipPort implementation. They follow
 * the parsed form of the `sip` stack (headers keyed by lowercase name, structured values for the
 * headers a dialog needs) so the adapter passes messages through without copying.
 */

/** `name-addr` / `addr-spec` with header parameters [RFC 3261 §20.10, §20.20, §20.39]. */
export interface SipNameAddr {
  name?: string | undefined;
  uri: string;
  params: Record<string, string | null | undefined>;
}

export interface SipVia {
  version?: string;
  protocol?: string;
  host?: string;
  port?: number | undefined;
  params: Record<string, string | number | null | undefined>;
}

export interface SipCSeq {
  seq: number;
  method: string;
}

/**
 * Headers by lowercase name. The structured ones are typed; any other header is a raw string (or
 * the stack's parsed value, which callers must not rely on).
 */
export interface SipHeaders {
  via?: SipVia[];
  to: SipNameAddr;
  from: SipNameAddr;
  'call-id': string;
  cseq: SipCSeq;
  contact?: SipNameAddr[] | undefined;
  route?: SipNameAddr[] | undefined;
  'record-route'?: SipNameAddr[] | undefined;
  'content-type'?: string | undefined;
  'content-length'?: number | undefined;
  'max-forwards'?: number | undefined;
  [name: string]: unknown;
}

export interface SipRequest {
  method: string;
  uri: string;
  version?: string;
  headers: SipHeaders;
  content?: string | undefined;
}

export interface SipResponse {
  status: number;
  reason: string;
  version?: string;
  headers: SipHeaders;
  content?: string | undefined;
}

export type SipMessage = SipRequest | SipResponse;

export type SipTransportName = 'UDP' | 'TCP' | 'TLS';

/** Where a message came from, and the local socket it arrived on. */
export interface SipRemote {
  protocol: SipTransportName;
  address: string;
  port: number;
  local: { address: string; port: number };
}

export function isSipRequest(message: SipMessage): message is SipRequest {
  return 'method' in message;
}

/** A header value as text, for headers the stack does not structure (Reason, Supported, …). */
export function headerText(headers: SipHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'string') return value;
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}
