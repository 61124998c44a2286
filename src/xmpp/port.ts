/**
 * XmppPort: what the gateway needs from its XEP-0114 component connection. `src/xmpp/component.ts`
 * implements it over @xmpp/component with reconnection, inbound stanza guards and IQ tracking.
 */
import type { Element } from '@xmpp/component';
import type { JingleErrorCondition, XmppCondition, XmppErrorType } from '../mapping/errors.ts';

export type XmppStatus = 'connecting' | 'online' | 'offline' | 'stopped';

/**
 * Thrown by an IQ handler to answer with an error stanza [RFC 6120 §8.3]; `jingle` adds the
 * `urn:xmpp:jingle:errors:1` application condition [X166 §10]. Also what `request()` rejects with
 * when the peer answers type='error'.
 */
export class StanzaError extends Error {
  readonly condition: XmppCondition;
  readonly type: XmppErrorType;
  readonly jingle: JingleErrorCondition | undefined;
  /** The error stanza received, for errors from a peer. */
  readonly stanza: Element | undefined;
  constructor(
    condition: XmppCondition,
    type: XmppErrorType,
    options: { text?: string; jingle?: JingleErrorCondition; stanza?: Element } = {},
  ) {
    super(options.text ?? condition);
    this.name = 'StanzaError';
    this.condition = condition;
    this.type = type;
    this.jingle = options.jingle;
    this.stanza = options.stanza;
  }
}

/** `request()` got no answer within its timeout. */
export class IqTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no IQ response within ${String(timeoutMs)} ms`);
    this.name = 'IqTimeoutError';
  }
}

/** `send()`/`request()` while the stream is down. */
export class XmppOfflineError extends Error {
  constructor() {
    super('XMPP component is not connected');
    this.name = 'XmppOfflineError';
  }
}

/**
 * `start()` rejects with this when the server refuses the component handshake (stream error
 * `not-authorized`, XEP-0114 §3: wrong secret or unknown component domain); no reconnection follows.
 */
export class XmppAuthenticationError extends Error {
  constructor(readonly domain: string) {
    super(`XMPP server refused the component handshake for ${domain} (not-authorized: check xmpp.secret)`);
    this.name = 'XmppAuthenticationError';
  }
}

/**
 * Handles an IQ get/set addressed to the component or a JID under it. Resolve with the child of
 * the result (or undefined for an empty result); throw a StanzaError for an error reply. Return
 * `false` synchronously-or-not to say "not mine" (the port answers service-unavailable when no
 * handler took it).
 */
export type IqHandler = (iq: Element) => Promise<Element | undefined | false>;

export interface XmppPort {
  readonly domain: string;
  readonly status: XmppStatus;
  /** Connects; resolves when online the first time. Rejects (and stops reconnecting) on a bad secret. */
  start(): Promise<void>;
  /** Sends a stanza; `from` defaults to the component domain. Throws XmppOfflineError when offline. */
  send(stanza: Element): Promise<void>;
  /** Sends an IQ get/set (an `id` is added if missing) and resolves with the result stanza. */
  request(iq: Element, timeoutMs: number): Promise<Element>;
  /** IQ handlers are tried in registration order. */
  onIq(handler: IqHandler): void;
  onMessage(handler: (message: Element) => void): void;
  onPresence(handler: (presence: Element) => void): void;
  onStatus(handler: (status: XmppStatus) => void): void;
  /** Closes the stream and stops reconnecting. Idempotent. */
  stop(): Promise<void>;
}
