/**
 * Address mapping in the component model [§7]: every SIP party is a JID under `xmpp.domain`,
 * every XMPP party a SIP URI under `sip.domain`, and the whole foreign address travels in the
 * local part or user part (XEP-0106's gateway pattern [X106 §3.2, §4.2]; RFC 7247 §6).
 *
 *   SIP → XMPP   Request-URI  --pctDecode-->  callee JID                (§7.2)
 *                From URI     --pctDecode, escapeLocal-->  caller JID   (§7.3)
 *   XMPP → SIP   Jingle `to`  --unescapeLocal, pct-->  Request-URI      (§7.4)
 *                caller JID   --pct-->  From / Contact user part        (§7.5)
 *
 * §7.5 and §7.2 are inverses (calling a gateway From URI reaches the bare JID again), as are
 * §7.3 and §7.4 for URIs written in canonical form. Pure functions: no I/O.
 */
import { GatewayError, isGatewayError } from './errors.ts';
import { escapeLocal, pct, pctDecode, unescapeLocal } from './address/escaping.ts';
import { parseHostport, sameSipHost } from './address/host.ts';
import type { Jid } from './address/jid.ts';
import { formatBareJid, formatJid, localPartProblem, parseJid, quoteForMessage, sameJidDomain } from './address/jid.ts';
import { isSipScheme, splitSipUri, uriScheme } from './address/sip-uri.ts';
import { sipQuotedString } from './reasons/sip-status.ts';

export { escapeJidCharacters, escapeLocal, pct, pctDecode, unescapeLocal } from './address/escaping.ts';
export { isIPv4, isIPv6, isSipHostname, parseHostport, sameSipHost } from './address/host.ts';
export type { HostPort } from './address/host.ts';
export { formatBareJid, formatJid, localPartProblem, MAX_JID_PART_OCTETS, parseJid } from './address/jid.ts';
export type { Jid } from './address/jid.ts';
export { splitSipUri } from './address/sip-uri.ts';
export type { SipUriParts } from './address/sip-uri.ts';

/** The four §0.1 addressing keys. */
export interface AddressConfig {
  /** `xmpp.domain`: the component's domain, home of every JID that stands for a SIP party. */
  xmppDomain: string;
  /** `sip.domain`: the gateway's SIP host, home of every SIP URI that stands for an XMPP party. */
  sipDomain: string;
  /** `xmpp.defaultDomain`: appended to a Request-URI user part without `@` (§7.2 step 4). */
  xmppDefaultDomain?: string;
  /** `sip.defaultDomain`: host for a callee local part without `@` (§7.4 step 4). */
  sipDefaultDomain?: string;
}

export interface CalleeJid {
  jid: string;
  /** True → JMI propose to the bare JID (§6.7); false → session-initiate to the full JID. */
  bare: boolean;
}

/** The XMPP caller as the SIP side sees it (§7.5). */
export interface SipCallerIdentity {
  /** The bare JID, unquoted. */
  displayName: string;
  /** `pct(bare JID)`: the user part of From and Contact. */
  user: string;
  /** `sip:<user>@<sip.domain>`. */
  uri: string;
  /** `"<bare JID>" <uri>`, without a tag: the dialog layer adds it. */
  fromHeaderValue: string;
}

/** The Warning text §7.3 prescribes for an unmappable From. */
export const CALLER_UNMAPPABLE_TEXT = 'caller address cannot be mapped to a JID';

/**
 * §7.2: the JID a SIP Request-URI calls. Throws `unsupported-uri-scheme` (416) for any scheme
 * but sip/sips, `callee-unmappable` (404) for everything else that cannot be mapped.
 */
export function calleeJidFromRequestUri(uri: string, cfg: AddressConfig): CalleeJid {
  const parts = splitSipUri(uri);
  // RFC 3261 §21.4.14: 416 for a scheme the server does not handle (tel: included, §6.9).
  if (parts === undefined) {
    throw new GatewayError('unsupported-uri-scheme', `Request-URI scheme is not sip or sips: ${quoteForMessage(uri)}`);
  }
  if (parts.user === undefined || parts.user === '') {
    throw new GatewayError('callee-unmappable', `Request-URI ${quoteForMessage(uri)} has no user part`);
  }
  const decoded = pctDecode(parts.user, 'callee-unmappable');
  let jid: Jid;
  if (decoded.includes('@')) {
    // Step 3: the user part is a whole JID; escapes in its local part stay as written.
    jid = parseJid(decoded, 'callee-unmappable');
  } else if (cfg.xmppDefaultDomain === undefined) {
    throw new GatewayError('callee-unmappable', `${quoteForMessage(decoded)} has no @ and xmpp.defaultDomain is unset`);
  } else {
    // Step 4: the decoded string must be a local part by itself, so `/` is not a resource here.
    const problem = localPartProblem(decoded);
    if (problem !== undefined) {
      throw new GatewayError('callee-unmappable', `${quoteForMessage(decoded)} is not a JID local part: ${problem}`);
    }
    jid = parseJid(`${decoded}@${cfg.xmppDefaultDomain}`, 'callee-unmappable');
  }
  // Step 5: no hairpinning through the gateway's own domain.
  if (sameJidDomain(jid.domain, cfg.xmppDomain)) {
    throw new GatewayError('callee-unmappable', `${quoteForMessage(formatJid(jid))} is in the gateway's own domain`);
  }
  return { jid: formatJid(jid), bare: jid.resource === undefined };
}

/**
 * §7.3: the caller JID for a From URI, `<escape(user@host)>@<xmpp.domain>/sip`; the host is
 * lowercased, port, parameters and password are dropped, a URI without user part gives just
 * the host. Throws `caller-unmappable` (403 + Warning 399) with the §7.3 text.
 */
export function callerJidFromFromUri(uri: string, cfg: AddressConfig): string {
  try {
    const parts = splitSipUri(uri);
    if (parts === undefined) throw new GatewayError('caller-unmappable', 'From URI is not sip or sips');
    const host = parseHostport(parts.hostport)?.host.toLowerCase();
    if (host === undefined) throw new GatewayError('caller-unmappable', 'From host is not an RFC 3261 host');
    if (parts.user === '') throw new GatewayError('caller-unmappable', 'From URI has an empty user part');
    const address = parts.user === undefined ? host : `${pctDecode(parts.user, 'caller-unmappable')}@${host}`;
    return `${escapeLocal(address, 'caller-unmappable')}@${cfg.xmppDomain}/sip`;
  } catch (err) {
    // Every reason is answered with the one sentence §7.3 prescribes for the Warning header.
    if (isGatewayError(err)) throw new GatewayError('caller-unmappable', CALLER_UNMAPPABLE_TEXT);
    throw err;
  }
}

/**
 * §7.4: the SIP Request-URI (and To) for a Jingle `to` under `xmpp.domain`. The local part is
 * unescaped; with an `@` it is `user@hostport` split at the last `@`, without one it is a user
 * at `sip.defaultDomain`. Throws `callee-unmappable` (IQ item-not-found, no INVITE).
 */
export function calleeUriFromJid(to: string, cfg: AddressConfig): string {
  const jid = parseJid(to, 'callee-unmappable');
  if (!sameJidDomain(jid.domain, cfg.xmppDomain)) {
    throw new GatewayError('callee-unmappable', `${quoteForMessage(to)} is not in the gateway's domain`);
  }
  if (jid.local === undefined) {
    throw new GatewayError('callee-unmappable', `${quoteForMessage(to)} has no local part to call`);
  }
  const address = unescapeLocal(jid.local);
  // The last `@`: a SIP user part may contain `@` (as %40), a host never does.
  const at = address.lastIndexOf('@');
  if (at >= 0) {
    const user = address.slice(0, at);
    const hostport = address.slice(at + 1);
    if (user === '') throw new GatewayError('callee-unmappable', `${quoteForMessage(to)} has an empty SIP user part`);
    if (parseHostport(hostport) === undefined) {
      throw new GatewayError('callee-unmappable', `${quoteForMessage(hostport)} is not an RFC 3261 hostport`);
    }
    // The gateway calling itself would loop a call back into XMPP.
    if (sameSipHost(hostport, cfg.sipDomain)) {
      throw new GatewayError('callee-unmappable', `${quoteForMessage(to)} points back at the gateway's SIP domain`);
    }
    return `sip:${pct(user)}@${hostport}`;
  }
  if (cfg.sipDefaultDomain === undefined) {
    throw new GatewayError('callee-unmappable', `${quoteForMessage(address)} has no @ and sip.defaultDomain is unset`);
  }
  return `sip:${pct(address)}@${cfg.sipDefaultDomain}`;
}

/**
 * §7.4 step 5: `jingle@responder` is the addressed JID, with resource `sip` when it is bare
 * (Jingle wants a full JID there [X166 §7.1]).
 */
export function responderJidForCallee(to: string): string {
  const jid = parseJid(to, 'callee-unmappable');
  return formatJid(jid.resource === undefined ? { ...jid, resource: 'sip' } : jid);
}

/**
 * §7.5: how an XMPP caller appears on SIP. The bare JID is the display name and, percent-
 * encoded, the user part at `sip.domain`; calling that URI back reaches the bare JID (§7.2
 * step 3). A domain-only JID is refused (`caller-unmappable`): its URI would call back to
 * `xmpp.defaultDomain` instead (§7.2 step 4).
 */
export function callerIdentityForJid(jid: string, cfg: AddressConfig): SipCallerIdentity {
  const parsed = parseJid(jid, 'caller-unmappable');
  if (parsed.local === undefined) {
    throw new GatewayError('caller-unmappable', `${quoteForMessage(jid)} has no local part to call back`);
  }
  const bare = formatBareJid(parsed);
  const user = pct(bare);
  const uri = `sip:${user}@${cfg.sipDomain}`;
  return { displayName: bare, user, uri, fromHeaderValue: `${sipQuotedString(bare)} <${uri}>` };
}

/** One quoted-string writer for every SIP header the gateway builds (it also strips CR/LF). */
export { sipQuotedString };

/** Whether a URI's scheme is one §6.9 accepts (sip, sips); false for tel: and the rest. */
export function hasSipScheme(uri: string): boolean {
  return isSipScheme(uriScheme(uri));
}
