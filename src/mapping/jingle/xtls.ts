/**
 * XTLS ProtoXEP 0.0.4 "XMPP Transport Layer Security" (xsf/xeps inbox/jingle-xtls.xml,
 * `urn:xmpp:jingle:security:xtls:0`): `<security/>` in `<content/>` with `<fingerprint/>` and
 * `<method name/>` children [XTLS-P §4; §1.8, §4.4, §5].
 *
 * The ProtoXEP names no hash algorithm for `<fingerprint/>`. The gateway always writes
 * `algo='<IANA name>'` [EXT] and on input takes `algo`, else `hash`, else the digest length.
 */
import { xml, type Element } from '@xmpp/component';
import { parseFingerprintList } from '../fingerprint.ts';
import type { XtlsSecurity } from '../model.ts';
import { children, malformed, optionalAttr, requiredAttr } from './attrs.ts';
import { NS_XTLS } from './namespaces.ts';

/** RFC 8866 §9 `token`. */
const sdpToken = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

/**
 * Reads `<security/>`. A fingerprint-less element (only `srp`/`openpgp`) is returned as is: the
 * translation layer answers it with `xtls-without-fingerprint` (§1.3.1 rule 3), which needs the
 * rest of the stanza to be valid first.
 */
export function parseXtlsSecurity(el: Element): XtlsSecurity {
  const fingerprints = parseFingerprintList(
    children(el, 'fingerprint', NS_XTLS).map((fp) => {
      const algo = optionalAttr(fp, 'algo');
      return {
        hash: algo === undefined || algo.trim() === '' ? optionalAttr(fp, 'hash') : algo,
        text: fp.getText(),
        inferAlgorithm: true,
      };
    }),
  );
  // XTLS-P §7.1: method names come from a registry (x509, srp, openpgp); unknown ones are kept.
  const methods = children(el, 'method', NS_XTLS).map((m) => {
    const name = requiredAttr(m, 'name');
    // The names travel in `a=tls-methods` [EXT], whose items are RFC 8866 tokens (§5.2).
    if (!sdpToken.test(name)) throw malformed(`XTLS <method/> name is not a token: ${name.slice(0, 30)}`);
    return name;
  });
  return { kind: 'xtls', fingerprints, methods };
}

export function buildXtlsSecurity(security: XtlsSecurity): Element {
  return xml(
    'security',
    { xmlns: NS_XTLS },
    security.fingerprints.map((fp) => xml('fingerprint', { algo: fp.hash }, fp.value)),
    security.methods.map((name) => xml('method', { name })),
  );
}
