/**
 * SIP host syntax [RFC 3261 §25.1]: `hostport = host [ ":" port ]`, `host = hostname / IPv4address
 * / IPv6reference`. A host that came out of a JID local part (§7.4) goes verbatim into a
 * Request-URI and a To header, so it is checked against the grammar before it is used.
 */

export interface HostPort {
  /** As written: a hostname, a dotted IPv4 address or a bracketed IPv6 reference. */
  host: string;
  port: number | undefined;
}

// RFC 3261 §25.1: domainlabel = alphanum / alphanum *( alphanum / "-" ) alphanum;
// toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum — a top label never starts with a digit,
// which is what keeps `1.2.3.999` from passing as a hostname.
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const TOP_LABEL = /^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** `hostname = *( domainlabel "." ) toplabel [ "." ]`, within the DNS limits of RFC 1035 §2.3.4. */
export function isSipHostname(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  const top = labels.pop()!;
  return (
    top.length <= 63 && TOP_LABEL.test(top) && labels.every((label) => label.length <= 63 && DOMAIN_LABEL.test(label))
  );
}

/** Dotted quad with each octet 0–255 (RFC 3261 writes `1*3DIGIT`; larger values are not addresses). */
export function isIPv4(text: string): boolean {
  const octets = text.split('.');
  return octets.length === 4 && octets.every((octet) => /^[0-9]{1,3}$/.test(octet) && Number(octet) <= 255);
}

/** RFC 4291 §2.2 text form, including `::` compression and a trailing dotted IPv4 part. */
export function isIPv6(text: string): boolean {
  let groupsText = text;
  if (text.includes('.')) {
    // An embedded IPv4 address stands for the last two 16-bit groups.
    const lastColon = text.lastIndexOf(':');
    if (lastColon < 0 || !isIPv4(text.slice(lastColon + 1))) return false;
    groupsText = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = groupsText.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (part: string): string[] => (part === '' ? [] : part.split(':'));
  if (halves.length === 1) {
    const groups = groupsOf(groupsText);
    return groups.length === 8 && groups.every((group) => HEX_GROUP.test(group));
  }
  const groups = [...groupsOf(halves[0]!), ...groupsOf(halves[1]!)];
  return groups.length <= 7 && groups.every((group) => HEX_GROUP.test(group));
}

/** Parses an RFC 3261 `hostport`; undefined when it does not match the grammar. */
export function parseHostport(text: string): HostPort | undefined {
  let host: string;
  let rest: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || !isIPv6(text.slice(1, close))) return undefined;
    host = text.slice(0, close + 1);
    rest = text.slice(close + 1);
  } else {
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    rest = colon < 0 ? '' : text.slice(colon);
    if (!isIPv4(host) && !isSipHostname(host)) return undefined;
  }
  if (rest === '') return { host, port: undefined };
  if (!/^:[0-9]{1,5}$/.test(rest)) return undefined;
  const port = Number(rest.slice(1));
  return port <= 65535 ? { host, port } : undefined;
}

/**
 * Host comparison for the no-hairpin rules: DNS names compare case-insensitively and a final
 * dot names the same host [RFC 3261 §19.1.4]. A port on either side is ignored, so a configured
 * `sip.domain` with a port still matches.
 */
export function sameSipHost(a: string, b: string): boolean {
  return comparableHost(a) === comparableHost(b);
}

function comparableHost(text: string): string {
  const host = parseHostport(text)?.host ?? text;
  return (host.endsWith('.') ? host.slice(0, -1) : host).toLowerCase();
}
