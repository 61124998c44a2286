/**
 * The answer to an incoming IQ get/set [RFC 6120 §8.2.3]: handlers are tried in registration
 * order; the first that does not return `false` answers with a result (its return value as the
 * payload) or, by throwing a StanzaError, with that error. Nobody → service-unavailable
 * (RFC 6120 §8.3.3.19). Results and errors are never answered; the caller only routes requests.
 */
import { xml, type Element } from '@xmpp/component';
import { StanzaError, type IqHandler } from './port.ts';
import { buildIqError, buildIqResult } from './stanza-error.ts';
import type { DroppedStanza, StanzaLimits } from './stanza-guard.ts';

/** Resolves with the reply to send; `onHandlerBug` hears of handlers that threw anything else. */
export async function answerIqRequest(
  iq: Element,
  handlers: readonly IqHandler[],
  onHandlerBug: (err: unknown) => void,
): Promise<Element> {
  // RFC 6120 §8.2.3: a get or set contains exactly one payload element.
  if (iq.getChildElements().length !== 1) return buildIqError(iq, new StanzaError('bad-request', 'modify'));
  for (const handler of handlers) {
    let outcome: Element | undefined | false;
    try {
      outcome = await handler(iq);
    } catch (err) {
      if (err instanceof StanzaError) return buildIqError(iq, err);
      onHandlerBug(err);
      return buildIqError(iq, new StanzaError('internal-server-error', 'cancel'));
    }
    if (outcome !== false) return buildIqResult(iq, outcome);
  }
  return buildIqError(iq, new StanzaError('service-unavailable', 'cancel'));
}

/** Human words for the limit a dropped stanza broke. */
export function describeLimit(dropped: DroppedStanza, limits: StanzaLimits): string {
  return dropped.reason === 'size'
    ? `larger than ${String(limits.maxStanzaBytes)} bytes`
    : `nested deeper than ${String(limits.maxDepth)} elements`;
}

/**
 * The error answering a request the inbound guard dropped, when its start tag shows an IQ
 * get/set with an id and sender; anything else is dropped silently. RFC 6120 §8.3.3.12
 * policy-violation (modify): the sender may retry with a smaller stanza.
 */
export function refusalForDroppedStanza(dropped: DroppedStanza, limits: StanzaLimits): Element | undefined {
  const request = dropped.startTag === undefined ? undefined : parseStartTag(dropped.startTag);
  const type = request?.attrs.type;
  if (request?.name !== 'iq' || (type !== 'get' && type !== 'set')) return undefined;
  if (request.attrs.id === undefined || request.attrs.from === undefined) return undefined;
  const text = `stanza ${describeLimit(dropped, limits)}`;
  return buildIqError(request, new StanzaError('policy-violation', 'modify', { text }));
}

/** The element a lone start tag opens (name and attributes, entities decoded), via the stream parser. */
function parseStartTag(startTag: string): Element | undefined {
  let root: Element | undefined;
  try {
    const parser = new xml.Parser();
    parser.on('start', (el) => {
      root = el;
    });
    parser.on('error', () => undefined);
    parser.write(startTag);
  } catch {
    return undefined;
  }
  return root;
}
