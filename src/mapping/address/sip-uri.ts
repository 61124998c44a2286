/**
 * Just enough SIP URI parsing for address mapping [RFC 3261 §19.1.1]:
 * `sip:user:password@host:port;uri-parameters?headers`. The user part is returned still
 * percent-encoded; parameters and headers are dropped, as §7.2 and §7.3 ignore them.
 */

export interface SipUriParts {
  /** Lowercased: scheme names compare case-insensitively [RFC 3261 §19.1.4]. */
  scheme: string;
  /** Undefined when the URI has no `@`; the password after a `:` is dropped. */
  user: string | undefined;
  /** `host[:port]` as written, unchecked. */
  hostport: string;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** Splits any `<scheme>:<rest>` URI; undefined when there is no scheme at all. */
export function uriScheme(uri: string): string | undefined {
  return SCHEME.exec(uri)?.[1]?.toLowerCase();
}

export function isSipScheme(scheme: string | undefined): boolean {
  return scheme === 'sip' || scheme === 'sips';
}

/**
 * Splits a `sip:`/`sips:` URI; undefined for other schemes. The first `@` ends the userinfo:
 * RFC 3261 §25.1 allows no raw `@` in user, password, parameters or headers, while a user part
 * may hold `;`, `?` and `/` (user-unreserved), so those cannot be used to find its end.
 */
export function splitSipUri(uri: string): SipUriParts | undefined {
  const scheme = uriScheme(uri);
  if (scheme === undefined || !isSipScheme(scheme)) return undefined;
  const rest = uri.slice(scheme.length + 1);
  const at = rest.indexOf('@');
  const userinfo = at < 0 ? undefined : rest.slice(0, at);
  const afterUserinfo = at < 0 ? rest : rest.slice(at + 1);
  const end = afterUserinfo.search(/[;?]/);
  const colon = userinfo?.indexOf(':') ?? -1;
  return {
    scheme,
    user: colon < 0 ? userinfo : userinfo!.slice(0, colon),
    hostport: end < 0 ? afterUserinfo : afterUserinfo.slice(0, end),
  };
}
