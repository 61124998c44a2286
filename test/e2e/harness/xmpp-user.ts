/**
 * An XMPP user for integration tests: @xmpp/client over plain TCP with SASL PLAIN (the test
 * Prosody offers no TLS and no SCRAM), every incoming stanza buffered from the start of the
 * connection so that `waitFor` never misses one that arrived before it was called.
 *
 * Incoming IQ get/set never reach @xmpp/client's own iq-callee middleware, which would answer
 * every unhandled request with service-unavailable and leave a test no way to answer itself.
 * They are taken out before the middleware sees them: Jingle sets are acknowledged when
 * `autoAckJingle` is on, disco#info, ping and roster pushes are answered, and everything else is
 * left to the test.
 */
import { client, xml, type Client, type Element, type JID } from '@xmpp/client';

const NS_JINGLE = 'urn:xmpp:jingle:1';
const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const NS_PING = 'urn:xmpp:ping';
const NS_ROSTER = 'jabber:iq:roster';

/** What a Jingle RTP client with DTLS and ICE advertises [X166 §11; X167 §10; X176 §7; X320 §2]. */
export const DEFAULT_USER_FEATURES = [
  NS_DISCO_INFO,
  NS_JINGLE,
  'urn:xmpp:jingle:apps:dtls:0',
  'urn:xmpp:jingle:apps:rtp:1',
  'urn:xmpp:jingle:apps:rtp:audio',
  'urn:xmpp:jingle:apps:rtp:video',
  'urn:xmpp:jingle:transports:ice-udp:1',
];

export interface ConnectUserOptions {
  /** `xmpp://127.0.0.1:<c2sPort>` */
  service: string;
  domain: string;
  username: string;
  password: string;
  resource?: string;
  /** Answer every incoming Jingle IQ set with an empty result. Default true. */
  autoAckJingle?: boolean;
  /** Features answered to disco#info queries; `null` leaves disco#info to the test. */
  discoFeatures?: string[] | null;
}

/** `iq()` got type='error'; `stanza` is the whole error IQ. */
export class IqErrorResponse extends Error {
  constructor(readonly stanza: Element) {
    super(`IQ error: ${stanza.toString()}`);
    this.name = 'IqErrorResponse';
  }
}

export interface XmppUser {
  readonly jid: JID;
  /** Full JID as a string. */
  readonly fullJid: string;
  readonly bareJid: string;
  readonly client: Client;
  /** Every stanza received so far, in order, including the ones `waitFor` consumed. */
  readonly received: readonly Element[];
  send(stanza: Element): Promise<void>;
  /** Sends an IQ get/set (id added if missing); resolves with the result, rejects with IqErrorResponse. */
  iq(stanza: Element, timeoutMs?: number): Promise<Element>;
  /**
   * Resolves with the first not yet consumed received stanza matching `predicate` (consuming it),
   * waiting up to `timeoutMs` for one to arrive.
   */
  waitFor(predicate: (stanza: Element) => boolean, timeoutMs: number, description: string): Promise<Element>;
  /** Sends available presence. */
  presence(): Promise<void>;
  close(): Promise<void>;
}

interface ClientInternals {
  _onElement(element: Element): void;
}

interface Waiter {
  predicate: (stanza: Element) => boolean;
  resolve: (stanza: Element) => void;
}

let iqCounter = 0;

export async function connectUser(options: ConnectUserOptions): Promise<XmppUser> {
  const autoAckJingle = options.autoAckJingle ?? true;
  const discoFeatures = options.discoFeatures === undefined ? DEFAULT_USER_FEATURES : options.discoFeatures;
  const entity = client({
    service: options.service,
    domain: options.domain,
    username: options.username,
    password: options.password,
    ...(options.resource === undefined ? {} : { resource: options.resource }),
  });
  entity.reconnect.stop();

  const received: Element[] = [];
  const unconsumed: Element[] = [];
  const waiters = new Set<Waiter>();
  const errors: Error[] = [];
  entity.on('error', (error) => {
    errors.push(error);
  });

  function deliver(stanza: Element): void {
    received.push(stanza);
    for (const waiter of waiters) {
      if (waiter.predicate(stanza)) {
        waiters.delete(waiter);
        waiter.resolve(stanza);
        return;
      }
    }
    unconsumed.push(stanza);
  }

  function reply(request: Element, payload?: Element): Promise<void> {
    const result = xml('iq', { type: 'result', id: request.attrs.id, to: request.attrs.from }, payload);
    return entity.send(result);
  }

  function answerRequest(iq: Element): void {
    const child = iq.getChildElements()[0];
    let answered: Promise<void> | undefined;
    if (autoAckJingle && iq.attrs.type === 'set' && child?.is('jingle', NS_JINGLE)) {
      answered = reply(iq);
    } else if (discoFeatures !== null && iq.attrs.type === 'get' && child?.is('query', NS_DISCO_INFO)) {
      answered = reply(
        iq,
        xml(
          'query',
          { xmlns: NS_DISCO_INFO, node: child.attrs.node },
          xml('identity', { category: 'client', type: 'pc', name: 'test user' }),
          ...discoFeatures.map((feature) => xml('feature', { var: feature })),
        ),
      );
    } else if (iq.attrs.type === 'get' && child?.is('ping', NS_PING)) {
      answered = reply(iq);
    } else if (iq.attrs.type === 'set' && child?.is('query', NS_ROSTER)) {
      // RFC 6121 §2.1.6: a roster push is acknowledged.
      answered = reply(iq);
    }
    answered?.catch((error: unknown) => errors.push(error as Error));
  }

  // Requests bypass the middleware (see the header); results, errors and everything else keep the
  // library's path, which resource binding depends on.
  const internals = entity as unknown as ClientInternals;
  const libraryOnElement = internals._onElement.bind(entity);
  internals._onElement = (element: Element) => {
    const type = element.attrs.type;
    if (element.name === 'iq' && (type === 'get' || type === 'set')) {
      deliver(element);
      answerRequest(element);
      return;
    }
    libraryOnElement(element);
  };
  entity.on('stanza', (stanza) => {
    if (stanza.name === 'iq' && (stanza.attrs.type === 'get' || stanza.attrs.type === 'set')) return;
    deliver(stanza);
  });

  let jid: JID;
  try {
    jid = await entity.start();
  } catch (error) {
    await entity.stop().catch(() => undefined);
    throw error;
  }

  async function waitFor(
    predicate: (stanza: Element) => boolean,
    timeoutMs: number,
    description: string,
  ): Promise<Element> {
    const index = unconsumed.findIndex(predicate);
    if (index >= 0) return unconsumed.splice(index, 1)[0]!;
    return new Promise<Element>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (stanza) => {
          clearTimeout(timer);
          resolve(stanza);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        const recent = received
          .slice(-5)
          .map((stanza) => stanza.toString())
          .join('\n  ');
        reject(new Error(`${jid.toString()}: no ${description} within ${timeoutMs} ms; last received:\n  ${recent}`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  }

  return {
    jid,
    fullJid: jid.toString(),
    bareJid: jid.bare().toString(),
    client: entity,
    received,
    send: (stanza) => entity.send(stanza),
    async iq(stanza, timeoutMs = 5000) {
      iqCounter += 1;
      stanza.attrs.id ??= `test-iq-${String(iqCounter)}`;
      const { id } = stanza.attrs;
      const answer = waitFor(
        (el) => el.name === 'iq' && el.attrs.id === id && (el.attrs.type === 'result' || el.attrs.type === 'error'),
        timeoutMs,
        `answer to IQ ${id}`,
      );
      await entity.send(stanza);
      const response = await answer;
      if (response.attrs.type === 'error') throw new IqErrorResponse(response);
      return response;
    },
    waitFor,
    presence: () => entity.send(xml('presence')),
    async close() {
      for (const waiter of waiters) waiters.delete(waiter);
      if (entity.status === 'offline') return;
      try {
        await entity.stop();
      } catch {
        // Already gone (the server was stopped first): nothing left to close.
      }
    },
  };
}
