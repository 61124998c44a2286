/**
 * IQ replies and the `<error/>` element of RFC 6120 §8.3: built from a StanzaError when a
 * handler refuses a request, parsed into one when a peer refuses ours.
 *
 *   <error type='cancel'>
 *     <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
 *     <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>…</text>
 *     <unknown-session xmlns='urn:xmpp:jingle:errors:1'/>
 *   </error>
 *
 * RFC 6120 §8.3.2 fixes the order: defined condition, optional text, optional application
 * condition (here the XEP-0166 §10 Jingle condition).
 */
import { xml, type Element } from '@xmpp/component';
import type { JingleErrorCondition, XmppCondition, XmppErrorType } from '../mapping/errors.ts';
import { StanzaError } from './port.ts';

export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
export const NS_JINGLE_ERRORS = 'urn:xmpp:jingle:errors:1';

const conditions: ReadonlySet<string> = new Set<XmppCondition>([
  'bad-request',
  'conflict',
  'feature-not-implemented',
  'forbidden',
  'gone',
  'internal-server-error',
  'item-not-found',
  'jid-malformed',
  'not-acceptable',
  'not-allowed',
  'not-authorized',
  'policy-violation',
  'recipient-unavailable',
  'redirect',
  'registration-required',
  'remote-server-not-found',
  'remote-server-timeout',
  'resource-constraint',
  'service-unavailable',
  'subscription-required',
  'undefined-condition',
  'unexpected-request',
]);
const errorTypes: ReadonlySet<string> = new Set<XmppErrorType>(['cancel', 'modify', 'wait', 'auth']);
const jingleConditions: ReadonlySet<string> = new Set<JingleErrorCondition>([
  'unknown-session',
  'out-of-order',
  'tie-break',
  'unsupported-info',
  'security-required',
]);

/** The `<error/>` child for `error`; `<text/>` only when the message differs from the condition. */
export function buildErrorElement(error: StanzaError): Element {
  const text = error.message !== '' && error.message !== error.condition ? error.message : undefined;
  return xml(
    'error',
    { type: error.type },
    xml(error.condition, { xmlns: NS_STANZAS }),
    text === undefined ? undefined : xml('text', { xmlns: NS_STANZAS, 'xml:lang': 'en' }, text),
    error.jingle === undefined ? undefined : xml(error.jingle, { xmlns: NS_JINGLE_ERRORS }),
  );
}

/**
 * The StanzaError a type='error' stanza carries. An unknown or missing condition reads as
 * `undefined-condition` and an unknown type as `cancel` (RFC 6120 §8.3.2 makes both mandatory,
 * so a peer that omits them still failed the request).
 */
export function parseStanzaError(stanza: Element): StanzaError {
  const error = stanza.getChild('error');
  let condition: XmppCondition = 'undefined-condition';
  let text: string | undefined;
  let jingle: JingleErrorCondition | undefined;
  for (const child of error?.getChildElements() ?? []) {
    const ns = child.attrs.xmlns;
    if (ns === NS_STANZAS && child.name === 'text') text = child.text();
    else if (ns === NS_STANZAS && conditions.has(child.name)) condition = child.name as XmppCondition;
    else if (ns === NS_JINGLE_ERRORS && jingleConditions.has(child.name)) jingle = child.name as JingleErrorCondition;
  }
  const rawType = error?.attrs.type;
  const type: XmppErrorType = rawType !== undefined && errorTypes.has(rawType) ? (rawType as XmppErrorType) : 'cancel';
  return new StanzaError(condition, type, {
    stanza,
    ...(text === undefined ? {} : { text }),
    ...(jingle === undefined ? {} : { jingle }),
  });
}

/** RFC 6120 §8.2.3: the reply goes back to the sender, from the JID the request was addressed to. */
function replyAttrs(request: Element, type: 'result' | 'error'): Record<string, string | undefined> {
  return { type, id: request.attrs.id, to: request.attrs.from, from: request.attrs.to };
}

export function buildIqResult(request: Element, payload?: Element): Element {
  return xml('iq', replyAttrs(request, 'result'), payload);
}

export function buildIqError(request: Element, error: StanzaError): Element {
  return xml('iq', replyAttrs(request, 'error'), buildErrorElement(error));
}
