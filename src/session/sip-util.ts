/** Small SIP helpers the call layer shares. */
import type { SipResponse } from '../sip/message.ts';
import { headerText } from '../sip/message.ts';

/** Warning codes of a response, in header order [RFC 3261 §20.43]. */
export function warningCodes(response: SipResponse): number[] {
  const text = headerText(response.headers, 'warning');
  if (text === undefined) return [];
  return [...text.matchAll(/(?:^|,)\s*(\d{3})\s/g)].map((m) => Number(m[1]));
}

export function hasSdpBody(message: {
  content?: string | undefined;
  headers: { 'content-type'?: string | undefined };
}): boolean {
  const type = message.headers['content-type'];
  return (
    message.content !== undefined &&
    message.content.trim() !== '' &&
    (type === undefined || type.split(';')[0]!.trim().toLowerCase() === 'application/sdp')
  );
}

/** The transport a URI asks for (`;transport=` or `sips:`), UDP by default [RFC 3263 §4.1]. */
export function uriTransport(uri: string): 'udp' | 'tcp' | 'tls' {
  if (/^sips:/i.test(uri)) return 'tls';
  const param = /;transport=([a-z]+)/i.exec(uri)?.[1]?.toLowerCase();
  return param === 'tcp' ? 'tcp' : param === 'tls' ? 'tls' : 'udp';
}

/** Outcome label for a final error response. */
export function outcomeForStatus(status: number): 'rejected' | 'timeout' | 'failed' {
  if (status === 486 || status === 600 || status === 603) return 'rejected';
  if (status === 408 || status === 480 || status === 504) return 'timeout';
  return 'failed';
}
