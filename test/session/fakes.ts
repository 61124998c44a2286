/**
 * In-memory stand-ins for the two ports, for unit tests of the call layer: they record what the
 * calls send and let the test play the other side. Integration tests use the real ports.
 */
import { xml, type Element } from '@xmpp/component';
import pino from 'pino';
import { gatewayConfigSchema, type GatewayConfigInput } from '../../src/config/schema.ts';
import { sequentialIdSource } from '../../src/mapping/ids.ts';
import type { CallDirection, CallOutcome } from '../../src/session/call-state.ts';
import type { RefusalReason } from '../../src/session/policy.ts';
import { AdmissionControl } from '../../src/session/admission.ts';
import { createCallAuthorizer } from '../../src/session/authorization.ts';
import {
  addressConfigFor,
  translateOptionsFor,
  type CallObserver,
  type GatewayContext,
} from '../../src/session/context.ts';
import { CallRegistry } from '../../src/session/registry.ts';
import type {
  IncomingInvite,
  IncomingInviteHandlers,
  OutgoingInvite,
  OutgoingInviteHandlers,
  OutgoingInviteOptions,
  SipDialog,
  SipDialogHandlers,
  SipUserAgent,
} from '../../src/sip/dialog-types.ts';
import type { SipRequest, SipResponse } from '../../src/sip/message.ts';
import type { IqHandler, XmppPort, XmppStatus } from '../../src/xmpp/port.ts';

export class FakeXmpp implements XmppPort {
  readonly domain: string;
  status: XmppStatus = 'online';
  readonly sent: Element[] = [];
  readonly requests: { iq: Element; resolve: (el: Element) => void; reject: (err: unknown) => void }[] = [];
  private iqHandlers: IqHandler[] = [];
  private messageHandlers: ((m: Element) => void)[] = [];

  constructor(domain: string) {
    this.domain = domain;
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
  send(stanza: Element): Promise<void> {
    this.sent.push(stanza);
    return Promise.resolve();
  }
  request(iq: Element): Promise<Element> {
    this.sent.push(iq);
    return new Promise((resolve, reject) => {
      this.requests.push({ iq, resolve, reject });
    });
  }
  onIq(handler: IqHandler): void {
    this.iqHandlers.push(handler);
  }
  onMessage(handler: (m: Element) => void): void {
    this.messageHandlers.push(handler);
  }
  onPresence(): void {}
  onStatus(): void {}
  stop(): Promise<void> {
    return Promise.resolve();
  }
  /** Delivers an IQ set as Prosody would; resolves with the handler's outcome. */
  async deliverIq(iq: Element): Promise<{ result?: Element | undefined; error?: unknown }> {
    for (const handler of this.iqHandlers) {
      try {
        const out = await handler(iq);
        if (out !== false) return { result: out };
      } catch (error) {
        return { error };
      }
    }
    return { error: new Error('no handler') };
  }
  deliverMessage(message: Element): void {
    for (const handler of this.messageHandlers) handler(message);
  }
  /** Stanzas sent so far whose <jingle/> has `action`. */
  jingle(action: string): Element[] {
    return this.sent.filter((s) =>
      s.getChildElements().some((c) => c.getName() === 'jingle' && c.attrs.action === action),
    );
  }
}

export class FakeDialog implements SipDialog {
  readonly callId: string;
  readonly localTag = 'local';
  readonly remoteTag = 'remote';
  readonly remoteTarget = 'sip:peer@127.0.0.1';
  readonly confirmed = true;
  handlers: SipDialogHandlers | undefined;
  readonly requests: {
    method: string;
    headers?: Readonly<Record<string, string>> | undefined;
    body?: string | undefined;
  }[] = [];
  closed = false;
  constructor(callId: string) {
    this.callId = callId;
  }
  handle(handlers: SipDialogHandlers): void {
    this.handlers = handlers;
  }
  request(
    method: string,
    options: { body?: string; headers?: Readonly<Record<string, string>> } = {},
  ): Promise<SipResponse> {
    this.requests.push({ method, headers: options.headers, body: options.body });
    return Promise.resolve(sipResponse(200, 'OK', this.callId));
  }
  makeResponse(
    request: SipRequest,
    status: number,
    options: { body?: string; headers?: Readonly<Record<string, string>> } = {},
  ): SipResponse {
    return sipResponse(status, '', request.headers['call-id'], options.body, { ...options.headers });
  }
  close(): void {
    this.closed = true;
  }
}

export function sipResponse(
  status: number,
  reason: string,
  callId: string,
  content?: string,
  headers: Record<string, string> = {},
): SipResponse {
  return {
    status,
    reason,
    headers: {
      to: { uri: 'sip:to@x', params: {} },
      from: { uri: 'sip:from@x', params: {} },
      'call-id': callId,
      cseq: { seq: 1, method: 'INVITE' },
      ...(content !== undefined ? { 'content-type': 'application/sdp' } : {}),
      ...headers,
    },
    content,
  };
}

export class FakeOutgoingInvite implements OutgoingInvite {
  cancelled: string | undefined | null = null;
  constructor(
    readonly options: OutgoingInviteOptions,
    readonly handlers: OutgoingInviteHandlers,
  ) {}
  get callId(): string {
    return this.options.callId;
  }
  cancel(reasonHeader?: string): void {
    this.cancelled = reasonHeader;
  }
}

export class FakeSip implements SipUserAgent {
  readonly invites: FakeOutgoingInvite[] = [];
  inviteHandler: ((invite: IncomingInvite) => void) | undefined;
  activeDialogs = 0;
  invite(options: OutgoingInviteOptions, handlers: OutgoingInviteHandlers): OutgoingInvite {
    const invite = new FakeOutgoingInvite(options, handlers);
    this.invites.push(invite);
    return invite;
  }
  onInvite(handler: (invite: IncomingInvite) => void): void {
    this.inviteHandler = handler;
  }
  onOutOfDialogRequest(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Observed {
  started: CallDirection[];
  ended: [CallDirection, CallOutcome][];
  errors: string[];
  refused: [CallDirection, RefusalReason][];
}

export function fakeContext(overrides: Partial<GatewayConfigInput> = {}) {
  const config = gatewayConfigSchema.parse({
    xmpp: { service: 'xmpp://127.0.0.1:5347', domain: 'gw.example', secret: 's', allowedDomains: ['example.org'] },
    sip: { domain: 'sip.gw.example', listen: ['udp:127.0.0.2:5060'] },
    ...overrides,
  });
  const xmpp = new FakeXmpp(config.xmpp.domain);
  const sip = new FakeSip();
  const observed: Observed = { started: [], ended: [], errors: [], refused: [] };
  const features = new Map<string, ReadonlySet<string>>();
  let sid = 0;
  let clock = 0;
  const deferred: Element[] = [];
  const logger = pino({ level: 'silent' });
  const observer: CallObserver = {
    callStarted: (d) => observed.started.push(d),
    callAnswered: () => undefined,
    callEnded: (d, o) => observed.ended.push([d, o]),
    mappingError: (code) => observed.errors.push(code),
    callRefused: (d, reason) => observed.refused.push([d, reason]),
  };
  const registry = new CallRegistry();
  /** The authorizer's clock (rate limits), moved by hand: `policyClock.ms += 60_000`. */
  const policyClock = { ms: 0 };
  const authorizer = createCallAuthorizer(config, { logger, observer, registry, now: () => policyClock.ms });
  /** The event-loop delay admission control reads, set by hand: `eventLoop.delayMs = 80`. */
  const eventLoop = { delayMs: 0 };
  const admission = new AdmissionControl(config.overload, {
    calls: registry,
    eventLoopDelayMs: () => eventLoop.delayMs,
    observer,
    logger,
    now: () => policyClock.ms,
  });
  const ctx: GatewayContext = {
    config,
    xmpp,
    sip,
    ids: sequentialIdSource(),
    translate: translateOptionsFor(config),
    address: addressConfigFor(config),
    logger,
    observer,
    disco: { features: (jid) => Promise.resolve(features.get(jid) ?? new Set()) },
    registry,
    authorizer,
    admission,
    contactUri: (user) => `sip:${user}@127.0.0.2:5060`,
    isDraining: () => false,
    newSid: () => `sid${String(++sid)}`,
    now: () => (clock += 10),
    deferUntilOnline: (stanza) => {
      deferred.push(stanza);
    },
  };
  return { ctx, xmpp, sip, observed, features, deferred, policyClock, eventLoop };
}

/** Lets setImmediate/queued work run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

export function iqSet(from: string, to: string, child: Element): Element {
  return xml('iq', { type: 'set', from, to, id: 'iq1' }, child);
}

/** An INVITE the gateway received, as the dialog layer hands it over; records the answers. */
export class FakeIncomingInvite implements IncomingInvite {
  readonly remote = {
    protocol: 'UDP' as const,
    address: '127.0.0.1',
    port: 5070,
    local: { address: '127.0.0.2', port: 5060 },
  };
  handlers: IncomingInviteHandlers | undefined;
  readonly provisionals: number[] = [];
  final:
    { status: number; reason?: string | undefined; headers?: Readonly<Record<string, string>> | undefined } | undefined;
  accepted: { sdp: string; dialog: FakeDialog } | undefined;

  constructor(readonly request: SipRequest) {}
  get callId(): string {
    return this.request.headers['call-id'];
  }
  get finished(): boolean {
    return this.final !== undefined || this.accepted !== undefined;
  }
  handle(handlers: IncomingInviteHandlers): void {
    this.handlers = handlers;
  }
  provisional(status: number): void {
    this.provisionals.push(status);
  }
  accept(sdp: string): SipDialog {
    const dialog = new FakeDialog(this.callId);
    this.accepted = { sdp, dialog };
    return dialog;
  }
  reject(status: number, options: { reason?: string; headers?: Readonly<Record<string, string>> } = {}): void {
    this.final = { status, reason: options.reason, headers: options.headers };
  }
}

export function inviteRequest(uri: string, body: string, headers: Record<string, string> = {}): SipRequest {
  return {
    method: 'INVITE',
    uri,
    headers: {
      to: { uri, params: {} },
      from: { uri: 'sip:alice@pbx.example.org', params: { tag: 'a1' } },
      'call-id': 'call-1@pbx.example.org',
      cseq: { seq: 1, method: 'INVITE' },
      'content-type': 'application/sdp',
      ...headers,
    },
    content: body,
  };
}
