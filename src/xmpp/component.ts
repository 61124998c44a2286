/**
 * XmppPort over @xmpp/component: the gateway's XEP-0114 connection to its XMPP server.
 *
 *   offline ──start()──▶ connecting ──handshake ok──▶ online
 *                          ▲    │ not-authorized            │ stream lost
 *                          │    ▼                           ▼
 *                          │  stopped ◀──stop()── (any)   offline ──backoff──▶ connecting
 *
 * What the library does not do, and this adapter adds:
 * - Reconnection with exponential backoff and full jitter (backoff.ts) instead of @xmpp/reconnect's
 *   fixed one-second retry, and no retry at all after `not-authorized` [X114 §3], which
 *   @xmpp/reconnect would repeat forever.
 * - An inbound guard (stanza-guard.ts) between the socket and the parser: size and depth limits,
 *   and restricted XML refused [RFC 6120 §11.1]. It replaces the connection's `_onData`.
 * - IQ routing of its own: incoming IQs are taken out in `_onElement` before @xmpp/iq's callee
 *   middleware, which would answer service-unavailable while an async handler still works.
 *   Requests nobody handles get service-unavailable; results and errors are never answered
 *   [RFC 6120 §8.2.3]; our own requests are matched by id and sender (iq-tracker.ts).
 * Both overrides rely on @xmpp/connection 0.13 binding these methods per connection; the version
 * is pinned in package.json.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Socket } from 'node:net';
import { component, xml, type Element } from '@xmpp/component';
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff.ts';
import { IqTracker } from './iq-tracker.ts';
import { XmppAuthenticationError, XmppOfflineError, type IqHandler, type XmppPort, type XmppStatus } from './port.ts';
import { answerIqRequest, describeLimit, refusalForDroppedStanza } from './iq-router.ts';
import { writeCoalescer } from './write-coalescer.ts';
import { StanzaGuard, type DroppedStanza, type StanzaLimits, type StreamViolation } from './stanza-guard.ts';

/** The subset of a pino logger the component uses. */
export interface XmppLogger {
  trace(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  isLevelEnabled?(level: string): boolean;
}

export interface XmppComponentOptions {
  /** `xmpp://host:port` of the server's component listener. */
  service: string;
  domain: string;
  secret: string;
  logger?: XmppLogger;
  limits?: Partial<StanzaLimits>;
  reconnect?: Partial<BackoffOptions>;
  /** One connection attempt (TCP, stream open, handshake) must be online within this. Default 10 s. */
  connectTimeoutMs?: number;
  /** Random source of the backoff jitter, ∈ [0, 1). */
  random?: () => number;
}

/**
 * Jingle stanzas are a few KiB; a WebRTC offer with many candidates stays far below 64 KiB, and
 * the deepest Jingle path (iq/jingle/content/description/payload-type/rtcp-fb…) is under 10
 * levels. Both are `xmpp.limits.*` keys (README "Limits").
 */
export const defaultStanzaLimits: StanzaLimits = { maxStanzaBytes: 64 * 1024, maxDepth: 32 };

const NS_XMPP_STREAMS = 'urn:ietf:params:xml:ns:xmpp-streams';

/** The parts of @xmpp/component's entity (an @xmpp/connection) the adapter drives. */
interface ComponentEntity {
  status: string;
  socket: Socket | null;
  parser: { write(text: string): void } | null;
  reconnect: { stop(): void };
  on(event: string, listener: (...args: never[]) => void): void;
  emit(event: string, ...args: unknown[]): boolean;
  connect(service: string): Promise<void>;
  open(options: { domain: string }): Promise<unknown>;
  send(element: Element): Promise<void>;
  write(text: string): Promise<void>;
  stop(): Promise<unknown>;
  disconnect(timeout?: number): Promise<void>;
  _onData(data: Buffer): void;
  _onElement(element: Element): void;
}

const silentLogger: XmppLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  isLevelEnabled: () => false,
};

let requestCounter = 0;

export function createXmppComponent(options: XmppComponentOptions): XmppPort {
  const { service, domain } = options;
  const log = options.logger ?? silentLogger;
  const limits: StanzaLimits = { ...defaultStanzaLimits, ...options.limits };
  const backoff: BackoffOptions = { ...defaultBackoff, ...options.reconnect };
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const random = options.random ?? Math.random;
  const traceEnabled = (): boolean => log.isLevelEnabled?.('trace') ?? false;

  const entity = component({ service, domain, password: options.secret }) as ComponentEntity;
  // Reconnection is driven here (backoff, jitter, stop on not-authorized).
  entity.reconnect.stop();

  const iqHandlers: IqHandler[] = [];
  const messageHandlers: ((message: Element) => void)[] = [];
  const presenceHandlers: ((presence: Element) => void)[] = [];
  const statusHandlers: ((status: XmppStatus) => void)[] = [];
  const tracker = new IqTracker();

  let status: XmppStatus = 'offline';
  let attempts = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let stopping = false;
  let authFailed = false;
  let stopped: Promise<void> | undefined;
  let started: Promise<void> | undefined;
  let startWaiter: { resolve: () => void; reject: (error: Error) => void } | undefined;
  let decoder = new StringDecoder('utf8');

  const guard = new StanzaGuard(limits, {
    forward: (text) => entity.parser?.write(text),
    dropped: (stanza) => {
      onDroppedStanza(stanza);
    },
    violation: (violation) => {
      void onStreamViolation(violation);
    },
  });

  function setStatus(next: XmppStatus): void {
    if (status === next) return;
    status = next;
    for (const handler of statusHandlers) {
      try {
        handler(next);
      } catch (err) {
        log.error({ err }, 'XMPP status handler failed');
      }
    }
  }

  // ---- connection lifecycle -------------------------------------------------------------------

  entity._onData = (data: Buffer) => {
    const text = decoder.write(data);
    entity.emit('input', text);
    guard.write(text);
  };

  const libraryOnElement = entity._onElement.bind(entity);
  entity._onElement = (element: Element) => {
    if (traceEnabled()) log.trace({ stanza: element.toString() }, 'XMPP in');
    if (element.name === 'iq') {
      onIq(element);
      return;
    }
    libraryOnElement(element);
  };

  entity.on('stanza', (stanza: Element) => {
    const handlers = stanza.name === 'message' ? messageHandlers : stanza.name === 'presence' ? presenceHandlers : [];
    for (const handler of handlers) {
      try {
        handler(stanza);
      } catch (err) {
        log.error({ err, stanza: stanza.toString() }, 'XMPP stanza handler failed');
      }
    }
  });

  // Signalling is request/response on one long-lived stream: with Nagle's algorithm a second
  // small write (a session-accept right after an IQ result) waits for the server's delayed ACK,
  // adding up to 40 ms per hop on Linux (docs/operations.md "Latency").
  entity.on('connect', () => {
    entity.socket?.setNoDelay(true);
  });

  entity.on('online', () => {
    clearTimeout(watchdog);
    attempts = 0;
    log.info({ domain }, 'XMPP component online');
    setStatus('online');
    startWaiter?.resolve();
    startWaiter = undefined;
  });

  entity.on('disconnect', () => {
    clearTimeout(watchdog);
    tracker.rejectAll(new XmppOfflineError());
    if (stopping || authFailed) {
      setStatus('stopped');
      return;
    }
    log.warn({ domain }, 'XMPP component disconnected');
    setStatus('offline');
    scheduleReconnect();
  });

  entity.on('error', (err: Error & { condition?: string }) => {
    if (err.name === 'StreamError' && err.condition === 'not-authorized') {
      onAuthenticationFailure();
      return;
    }
    log.warn({ err: { name: err.name, message: err.message } }, 'XMPP connection error');
  });

  function onAuthenticationFailure(): void {
    if (authFailed) return;
    authFailed = true;
    clearTimeout(reconnectTimer);
    reconnectTimer = undefined;
    const error = new XmppAuthenticationError(domain);
    log.error({ domain }, error.message);
    startWaiter?.reject(error);
    startWaiter = undefined;
  }

  async function attempt(): Promise<void> {
    if (stopping || authFailed) return;
    setStatus('connecting');
    guard.reset();
    decoder = new StringDecoder('utf8');
    watchdog = setTimeout(() => {
      log.warn({ connectTimeoutMs }, 'XMPP connection attempt timed out');
      entity.socket?.destroy();
    }, connectTimeoutMs);
    try {
      await entity.connect(service);
      // @xmpp/component answers the stream header with the handshake; 'online' follows.
      await entity.open({ domain });
    } catch (err) {
      log.debug({ err: { message: (err as Error).message } }, 'XMPP connection attempt failed');
      // Closing the socket leads to 'disconnect', which schedules the next attempt; when the
      // socket is already gone, 'disconnect' has fired.
      entity.socket?.destroy();
    }
  }

  function scheduleReconnect(): void {
    if (reconnectTimer !== undefined || stopping || authFailed) return;
    const delayMs = backoffDelay(attempts, backoff, random);
    attempts += 1;
    log.info({ delayMs, attempt: attempts }, 'XMPP component reconnecting');
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void attempt();
    }, delayMs);
  }

  // ---- inbound guard --------------------------------------------------------------------------

  function onDroppedStanza(dropped: DroppedStanza): void {
    const limit = describeLimit(dropped, limits);
    log.warn({ reason: dropped.reason, startTag: dropped.startTag?.slice(0, 512) }, `dropped inbound stanza ${limit}`);
    const refusal = refusalForDroppedStanza(dropped, limits);
    if (refusal !== undefined) reply(refusal);
  }

  async function onStreamViolation(violation: StreamViolation): Promise<void> {
    // RFC 6120 §11.1: restricted XML closes the stream with <restricted-xml/>.
    const condition = violation.kind === 'oversize-header' ? 'policy-violation' : 'restricted-xml';
    log.error({ violation: violation.kind, condition }, 'XMPP stream violation: closing the stream');
    const streamError = xml('stream:error', {}, xml(condition, { xmlns: NS_XMPP_STREAMS }));
    try {
      await entity.write(`${streamError.toString()}</stream:stream>`);
      await entity.disconnect(1000);
    } catch {
      entity.socket?.destroy();
    }
  }

  // ---- IQs --------------------------------------------------------------------------------------

  function onIq(iq: Element): void {
    const type = iq.attrs.type;
    if (type === 'result' || type === 'error') {
      const outcome = tracker.settle(iq);
      if (outcome !== 'settled') log.debug({ id: iq.attrs.id, from: iq.attrs.from, outcome }, 'unmatched IQ answer');
      return;
    }
    if (type !== 'get' && type !== 'set') {
      log.debug({ type }, 'IQ of unknown type ignored');
      return;
    }
    if (iq.attrs.id === undefined) {
      log.debug({ from: iq.attrs.from }, 'IQ request without id ignored');
      return;
    }
    void answerIqRequest(iq, iqHandlers, (err) => {
      log.error({ err, stanza: iq.toString() }, 'IQ handler failed');
    }).then(reply);
  }

  function reply(stanza: Element): void {
    port.send(stanza).catch((err: unknown) => {
      log.debug({ err: { message: (err as Error).message }, id: stanza.attrs.id }, 'IQ reply not sent');
    });
  }

  const coalesceWrites = writeCoalescer(() => entity.socket);

  // ---- the port --------------------------------------------------------------------------------

  const port: XmppPort = {
    domain,
    get status() {
      return status;
    },
    start() {
      if (started !== undefined) return started;
      if (stopping) return Promise.reject(new XmppOfflineError());
      started = new Promise<void>((resolve, reject) => {
        startWaiter = { resolve, reject };
      });
      void attempt();
      return started;
    },
    async send(stanza) {
      if (status !== 'online') throw new XmppOfflineError();
      // X114 §3: every stanza carries `from`; the gateway's are in its own domain (spec §6.8).
      stanza.attrs.from ??= domain;
      if (traceEnabled()) log.trace({ stanza: stanza.toString() }, 'XMPP out');
      coalesceWrites();
      try {
        await entity.send(stanza);
      } catch (err) {
        if (status !== 'online') throw new XmppOfflineError();
        throw err;
      }
    },
    async request(iq, timeoutMs) {
      const type = iq.attrs.type;
      if (iq.name !== 'iq' || (type !== 'get' && type !== 'set')) {
        throw new TypeError('request() sends IQ get/set stanzas only');
      }
      const to = iq.attrs.to;
      if (to === undefined) throw new TypeError('request() needs a `to` address');
      requestCounter += 1;
      iq.attrs.id ??= `gw${String(requestCounter)}-${Math.floor(random() * 0xffffffff).toString(36)}`;
      const id = iq.attrs.id;
      if (status !== 'online') throw new XmppOfflineError();
      const answer = tracker.expect(id, to, timeoutMs);
      try {
        await port.send(iq);
      } catch (err) {
        tracker.cancel(id);
        answer.catch(() => undefined);
        throw err;
      }
      return answer;
    },
    onIq(handler) {
      iqHandlers.push(handler);
    },
    onMessage(handler) {
      messageHandlers.push(handler);
    },
    onPresence(handler) {
      presenceHandlers.push(handler);
    },
    onStatus(handler) {
      statusHandlers.push(handler);
    },
    stop() {
      stopped ??= stopComponent();
      return stopped;
    },
  };

  async function stopComponent(): Promise<void> {
    stopping = true;
    clearTimeout(reconnectTimer);
    clearTimeout(watchdog);
    reconnectTimer = undefined;
    tracker.rejectAll(new XmppOfflineError());
    startWaiter?.reject(new XmppOfflineError());
    startWaiter = undefined;
    if (status === 'online') {
      try {
        // Closes the stream politely (</stream:stream>, waits for the server's) and the socket.
        await entity.stop();
      } catch {
        entity.socket?.destroy();
      }
    } else {
      entity.socket?.destroy();
    }
    setStatus('stopped');
  }

  return port;
}
