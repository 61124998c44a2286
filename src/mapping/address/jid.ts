/**
 * JID parsing and validation [RFC 7622 §3]. Not a full PRECIS implementation: the checks are
 * those that keep a JID routable and its stanzas well-formed — the separators, the characters
 * RFC 7622 §3.3.1 forbids in a local part, white space and control characters, and the
 * 1023-octet limit per part. XEP-0106 escapes in a local part are kept as written (§7.2 step 3).
 */
import { GatewayError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { isIPv6 } from './host.ts';

export interface Jid {
  /** Undefined for a domain-only JID. */
  local: string | undefined;
  /** Without the final dot, which RFC 7622 §3.2 strips before routing or comparing. */
  domain: string;
  /** Undefined for a bare JID. */
  resource: string | undefined;
}

/** RFC 7622 §3.1: each part is limited to 1023 octets of UTF-8. */
export const MAX_JID_PART_OCTETS = 1023;

const utf8 = new TextEncoder();

export function utf8Length(text: string): number {
  return utf8.encode(text).length;
}

// RFC 7622 §3.3.1 forbids these eight in a local part; XEP-0106 exists to escape them.
const LOCAL_FORBIDDEN = /["&'/:<>@]/;
// White space (RFC 7613's UsernameCaseMapped profile disallows it), control characters, lone
// surrogates and U+FFFE/U+FFFF: none can appear in a local part, and the last three cannot be
// written in XML at all.
const UNUSABLE_IN_LOCAL = /[\s\p{Cc}\p{Cs}\uFFFE\uFFFF]/u;
// A resource is an OpaqueString [RFC 7622 §3.4]: spaces are fine, control characters are not.
const UNUSABLE_IN_RESOURCE = /[\p{Cc}\p{Cs}\uFFFE\uFFFF]/u;
// Domain labels: letters, digits and marks (so IDNs in U-label form pass), hyphen, and the
// underscore seen in real deployments' host names.
const DOMAIN_LABEL = /^[\p{L}\p{N}\p{M}_-]+$/u;

/** Why `local` is not a usable JID local part, or undefined when it is. */
export function localPartProblem(local: string): string | undefined {
  if (local === '') return 'the local part is empty';
  if (LOCAL_FORBIDDEN.test(local)) return 'the local part contains one of " & \' / : < > @';
  if (UNUSABLE_IN_LOCAL.test(local)) return 'the local part contains white space or a control character';
  if (utf8Length(local) > MAX_JID_PART_OCTETS) return 'the local part is longer than 1023 octets';
  return undefined;
}

/** Why `domain` (final dot already removed) is not a usable JID domain part. */
function domainPartProblem(domain: string): string | undefined {
  if (domain === '') return 'the domain part is empty';
  if (utf8Length(domain) > MAX_JID_PART_OCTETS) return 'the domain part is longer than 1023 octets';
  // RFC 7622 §3.2: a domain part is a DNS name, an IPv4 address or a bracketed IPv6 address.
  if (domain.startsWith('[')) {
    return domain.endsWith(']') && isIPv6(domain.slice(1, -1)) ? undefined : 'the domain part is not an IPv6 literal';
  }
  return domain.split('.').every((label) => DOMAIN_LABEL.test(label)) ? undefined : 'the domain part is not a domain';
}

function resourcePartProblem(resource: string): string | undefined {
  if (resource === '') return 'the resource part is empty';
  if (UNUSABLE_IN_RESOURCE.test(resource)) return 'the resource part contains a control character';
  if (utf8Length(resource) > MAX_JID_PART_OCTETS) return 'the resource part is longer than 1023 octets';
  return undefined;
}

/**
 * Splits and checks a JID [RFC 7622 §3.1]: the resource is everything after the first `/`, the
 * local part everything before the first `@` of what remains. Throws `GatewayError(code)`.
 */
export function parseJid(text: string, code: ErrorCode = 'callee-unmappable'): Jid {
  const slash = text.indexOf('/');
  const bare = slash < 0 ? text : text.slice(0, slash);
  const resource = slash < 0 ? undefined : text.slice(slash + 1);
  const at = bare.indexOf('@');
  const local = at < 0 ? undefined : bare.slice(0, at);
  const writtenDomain = at < 0 ? bare : bare.slice(at + 1);
  const domain = writtenDomain.endsWith('.') ? writtenDomain.slice(0, -1) : writtenDomain;
  const problem =
    (local === undefined ? undefined : localPartProblem(local)) ??
    domainPartProblem(domain) ??
    (resource === undefined ? undefined : resourcePartProblem(resource));
  if (problem !== undefined) throw new GatewayError(code, `${quoteForMessage(text)} is not a valid JID: ${problem}`);
  return { local, domain, resource };
}

export function formatBareJid(jid: Jid): string {
  return jid.local === undefined ? jid.domain : `${jid.local}@${jid.domain}`;
}

export function formatJid(jid: Jid): string {
  const bare = formatBareJid(jid);
  return jid.resource === undefined ? bare : `${bare}/${jid.resource}`;
}

/**
 * Domain parts compare case-insensitively [RFC 7622 §3.2]. Lowercasing stands in for the full
 * IDNA2008 mapping, which is enough to recognise the gateway's own (configured) domain.
 */
export function sameJidDomain(a: string, b: string): boolean {
  const strip = (domain: string): string => (domain.endsWith('.') ? domain.slice(0, -1) : domain);
  return strip(a).toLowerCase() === strip(b).toLowerCase();
}

/** Short, single-line rendering of untrusted input for error sentences. */
export function quoteForMessage(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(shown);
}
