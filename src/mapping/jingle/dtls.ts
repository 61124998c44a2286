/**
 * XEP-0320 Use of DTLS-SRTP in Jingle Sessions 1.0.0 (`urn:xmpp:jingle:apps:dtls:0`):
 * `<fingerprint hash setup>HEX</fingerprint>` in the `<transport/>` [X320 §1; §1.7, §3.3].
 * The legacy place under the RTP `<encryption/>` is read too (content.ts picks the elements).
 */
import { xml, type Element } from '@xmpp/component';
import { GatewayError } from '../errors.ts';
import { parseFingerprintList } from '../fingerprint.ts';
import type { DtlsSecurity, SetupRole } from '../model.ts';
import { optionalAttr } from './attrs.ts';
import { NS_DTLS } from './namespaces.ts';

/** The roles XEP-0320 maps; `holdconn` MUST NOT be used with DTLS-SRTP [RFC8842 §5.1; §3.3]. */
const mappedRoles: readonly SetupRole[] = ['active', 'passive', 'actpass'];

/**
 * Actions that answer an offer: `actpass` there leaves both ends waiting for the other to pick
 * a role [RFC4145 §4.1; X320 §1 "such a transport-info never carries actpass", §3.3].
 */
const answerActions: ReadonlySet<string> = new Set(['session-accept', 'transport-info']);

/** XEP-0320 fingerprint children of `parent`, in document order. */
export function dtlsFingerprintElements(parent: Element): Element[] {
  return parent.getChildElements().filter((child) => child.getName() === 'fingerprint' && child.getNS() === NS_DTLS);
}

/**
 * Reads one content's XEP-0320 fingerprints (at least one element). All share one `setup`
 * [RFC8122 §5.1]; setup faults are checked before any fingerprint, then fingerprint syntax, then
 * hash policy (fingerprint.ts).
 */
export function parseDtlsSecurity(elements: readonly Element[], action: string): DtlsSecurity {
  let setup: SetupRole | undefined;
  for (const el of elements) {
    const role = parseSetup(el, action);
    if (setup !== undefined && role !== setup) {
      throw new GatewayError(
        'setup-invalid',
        `XEP-0320 fingerprints of one content disagree on setup: ${setup}, ${role}`,
      );
    }
    setup = role;
  }
  if (setup === undefined) throw new Error('parseDtlsSecurity needs at least one <fingerprint/>');
  const fingerprints = parseFingerprintList(
    elements.map((el) => ({ hash: optionalAttr(el, 'hash'), text: el.getText(), inferAlgorithm: false })),
  );
  return { kind: 'dtls', fingerprints, setup };
}

function parseSetup(el: Element, action: string): SetupRole {
  const setup = optionalAttr(el, 'setup');
  // X320 §7 makes setup REQUIRED: the role cannot be guessed without it.
  if (setup === undefined || setup === '') {
    throw new GatewayError('setup-missing', `XEP-0320 <fingerprint/> lacks the required 'setup' attribute`);
  }
  if (!(mappedRoles as readonly string[]).includes(setup)) {
    throw new GatewayError(
      'setup-invalid',
      `XEP-0320 setup must be active, passive or actpass, not ${setup.slice(0, 20)}`,
    );
  }
  if (setup === 'actpass' && answerActions.has(action)) {
    throw new GatewayError(
      'setup-invalid',
      `setup='actpass' is not allowed in ${action}: the answerer must pick a role`,
    );
  }
  return setup as SetupRole;
}

/** `<fingerprint xmlns hash setup>` per fingerprint, in order, for the `<transport/>`. */
export function buildDtlsFingerprints(security: DtlsSecurity): Element[] {
  return security.fingerprints.map((fp) =>
    xml('fingerprint', { xmlns: NS_DTLS, hash: fp.hash, setup: security.setup }, fp.value),
  );
}
