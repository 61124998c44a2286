/**
 * Text formats of configuration values: domain names, SIP hosts, the outbound proxy's SIP URI
 * and listen addresses. Pure predicates and parsers; schema.ts turns their answers into zod
 * issues. Names are ASCII only (an internationalised name is written as its `xn--` A-label).
 */
import { isIPv4, isIPv6, isSipHostname } from '../mapping/address/host.ts';

export type ListenTransport = 'udp' | 'tcp' | 'tls';

/** A socket the service binds: `host` is an IPv4 address, a bare IPv6 address or a name. */
export interface HostPort {
  host: string;
  port: number;
}

export interface SipListenAddress extends HostPort {
  transport: ListenTransport;
}

/**
 * A DNS name for an XMPP domain: the RFC 3261 hostname grammar the mapping core uses (the top
 * label starts with a letter, so `1.2.3.999` is no name) without the final dot, which RFC 7622
 * §3.2 strips before any comparison — a configured domain is written without it.
 */
export function isDomainName(text: string): boolean {
  return !text.endsWith('.') && isSipHostname(text);
}

/** RFC 3261 §25.1 `host`: hostname / IPv4address / IPv6reference (the IPv6 form in brackets). */
export function isSipHost(text: string): boolean {
  if (text.startsWith('[') && text.endsWith(']')) return isIPv6(text.slice(1, -1));
  return isIPv4(text) || isSipHostname(text);
}

/** 1–65535, or 0 too when `allowZero` (a listen port the OS picks, useful in tests). */
function parsePort(text: string, allowZero: boolean): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 && (port > 0 || allowZero) ? port : undefined;
}

/**
 * `HOST:PORT` with an IPv6 host in brackets. Returns the parsed address or a sentence saying
 * what is wrong; the host keeps no brackets because socket APIs take the bare IPv6 form.
 */
export function parseHostPort(text: string, allowZeroPort: boolean): HostPort | string {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return `"${text}" is not HOST:PORT`;
  const hostText = text.slice(0, colon);
  const port = parsePort(text.slice(colon + 1), allowZeroPort);
  if (port === undefined) {
    return `"${text.slice(colon + 1)}" is not a port (${allowZeroPort ? '0' : '1'}–65535)`;
  }
  if (!isSipHost(hostText)) {
    return hostText.includes(':') && !hostText.startsWith('[')
      ? `IPv6 address "${hostText}" must be written in brackets, e.g. [::1]:${port}`
      : `"${hostText}" is not an IPv4 address, [IPv6] address or host name`;
  }
  const host = hostText.startsWith('[') ? hostText.slice(1, -1) : hostText.toLowerCase();
  return { host, port };
}

/** `udp:HOST:PORT`, `tcp:HOST:PORT` or `tls:HOST:PORT` — the SIP transports of spec §6.9. */
export function parseSipListen(text: string): SipListenAddress | string {
  const match = /^(udp|tcp|tls):(.*)$/.exec(text);
  if (match === null) return `"${text}" must start with udp:, tcp: or tls: (SIP over UDP, TCP and TLS only)`;
  const address = parseHostPort(match[2]!, true);
  return typeof address === 'string' ? address : { transport: match[1] as ListenTransport, ...address };
}

/**
 * Why two SIP listen entries cannot both be bound, or undefined: the same transport twice on one
 * address, or TCP and TLS (both TCP sockets) on one address.
 */
export function sipListenConflict(a: SipListenAddress, b: SipListenAddress): string | undefined {
  if (a.host !== b.host || a.port !== b.port || a.port === 0) return undefined;
  const sockets = (t: ListenTransport): string => (t === 'udp' ? 'udp' : 'tcp');
  if (sockets(a.transport) !== sockets(b.transport)) return undefined;
  return a.transport === b.transport
    ? `${a.transport}:${a.host}:${a.port} is listed twice`
    : `tcp and tls cannot share ${a.host}:${a.port} (both are TCP sockets)`;
}

/** `xmpp://HOST:PORT`, the component connection of XEP-0114 (@xmpp/component needs the port). */
export function checkXmppService(text: string): string | undefined {
  const match = /^xmpp:\/\/(.*)$/.exec(text);
  if (match === null) return `"${text}" must look like xmpp://HOST:PORT`;
  const address = parseHostPort(match[1]!, false);
  return typeof address === 'string' ? address : undefined;
}

// RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ); pname/pvalue = 1*paramchar.
const sipUserPattern = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const sipParamPattern = /^(?:[A-Za-z0-9\-_.!~*'()[\]/:&+$]|%[0-9A-Fa-f]{2})+$/;

/**
 * A `sip:`/`sips:` URI usable as the next hop of every outgoing INVITE (spec §6.9). Returns a
 * sentence saying what is wrong, or undefined. Headers (`?…`) are refused: a route target
 * carries none.
 */
export function checkSipProxyUri(text: string): string | undefined {
  const match = /^(sips?):(.*)$/i.exec(text);
  if (match === null) return `"${text}" is not a sip: or sips: URI`;
  const secure = match[1]!.toLowerCase() === 'sips';
  let rest = match[2]!;
  if (rest.includes('?')) return 'must not carry URI headers (?…)';
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    // RFC 3261 §19.1.1: passwords in the userinfo are NOT RECOMMENDED; it would also be printed.
    if (userinfo.includes(':')) return 'must not contain a password (RFC 3261 §19.1.1)';
    if (!sipUserPattern.test(userinfo)) return `"${userinfo}" is not a valid SIP user part`;
    rest = rest.slice(at + 1);
  }
  const [hostport = '', ...params] = rest.split(';');
  const hostError = checkSipHostPort(hostport);
  if (hostError !== undefined) return hostError;
  for (const param of params) {
    const [name = '', value, ...extra] = param.split('=');
    if (!sipParamPattern.test(name) || extra.length > 0 || (value !== undefined && !sipParamPattern.test(value))) {
      return `";${param}" is not a valid URI parameter`;
    }
    if (name.toLowerCase() !== 'transport' || value === undefined) continue;
    const transport = value.toLowerCase();
    if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') {
      return `transport=${value} is not supported (SIP over UDP, TCP and TLS only)`;
    }
    // RFC 3261 §26.2.2: a sips: target is reached over TLS, never over UDP.
    if (secure && transport === 'udp') return 'a sips: URI cannot use transport=udp';
  }
  return undefined;
}

function checkSipHostPort(hostport: string): string | undefined {
  const portSeparator = hostport.lastIndexOf(':');
  const hasPort = portSeparator > hostport.lastIndexOf(']');
  const host = hasPort ? hostport.slice(0, portSeparator) : hostport;
  if (!isSipHost(host)) return `"${host}" is not an IPv4 address, [IPv6] address or host name`;
  if (hasPort && parsePort(hostport.slice(portSeparator + 1), false) === undefined) {
    return `"${hostport.slice(portSeparator + 1)}" is not a port (1–65535)`;
  }
  return undefined;
}

/** The domain above `domain` (`gw.example.test` → `example.test`); undefined for one label. */
export function parentDomain(domain: string): string | undefined {
  const dot = domain.indexOf('.');
  return dot < 0 ? undefined : domain.slice(dot + 1);
}
