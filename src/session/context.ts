/**
 * Everything a call needs from the running gateway, built once by src/main.ts. Calls see ports
 * (XmppPort, SipUserAgent) and pure mapping options, never the transports behind them.
 */
import type { Element } from '@xmpp/component';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.ts';
import type { AddressConfig } from '../mapping/address.ts';
import type { IdSource } from '../mapping/ids.ts';
import type { TranslateOptions } from '../mapping/translate/options.ts';
import type { SipUserAgent } from '../sip/dialog-types.ts';
import type { XmppPort } from '../xmpp/port.ts';
import type { AdmissionControl } from './admission.ts';
import type { CallAuthorizer } from './authorization.ts';
import type { CallDirection, CallOutcome } from './call-state.ts';
import type { RefusalReason } from './policy.ts';
import type { CallRegistry } from './registry.ts';

/** What the call layer reports; src/ops/metrics.ts implements it with Prometheus metrics. */
export interface CallObserver {
  callStarted(direction: CallDirection): void;
  callAnswered(direction: CallDirection, setupSeconds: number): void;
  callEnded(direction: CallDirection, outcome: CallOutcome): void;
  mappingError(code: string): void;
  /** A call (or, from a SIP source, any request) refused by policy before any work (src/session/authorization.ts). */
  callRefused(direction: CallDirection, reason: RefusalReason): void;
}

/** A callee's disco#info features, cached per full JID (spec §8.2 assertion 50). */
export interface FeatureLookup {
  features(jid: string, timeoutMs: number): Promise<ReadonlySet<string>>;
}

export interface GatewayContext {
  readonly config: GatewayConfig;
  readonly xmpp: XmppPort;
  readonly sip: SipUserAgent;
  readonly ids: IdSource;
  readonly translate: TranslateOptions;
  readonly address: AddressConfig;
  readonly logger: Logger;
  readonly observer: CallObserver;
  readonly disco: FeatureLookup;
  readonly registry: CallRegistry;
  /** Allowed callers, dial plan, per-user call limits (src/session/authorization.ts). */
  readonly authorizer: CallAuthorizer;
  /** Load shedding: whether a new call may start now (src/session/admission.ts). */
  readonly admission: Pick<AdmissionControl, 'admit'>;
  /** The gateway's Contact URI for a user part, on the socket that suits `transport`. */
  contactUri(user: string, transport: 'udp' | 'tcp' | 'tls'): string;
  /** True while SIGTERM drains: new calls are refused. */
  isDraining(): boolean;
  /** A fresh Jingle sid / JMI id (XML NCName, unguessable). */
  newSid(): string;
  /** Monotonic milliseconds, for setup-time metrics. */
  now(): number;
  /** Sends an IQ set once the component is online again (bounded; oldest dropped first). */
  deferUntilOnline(stanza: Element): void;
}

export function translateOptionsFor(config: GatewayConfig): TranslateOptions {
  return {
    dtlsOffer: config.sdp.dtlsOffer,
    xtlsOffer: config.sdp.xtlsOffer,
    xtlsOfferSetup: config.xtls.offerSetup,
    tlsMethodsAttribute: config.sdp.tlsMethodsAttribute,
    capnegSecondOffer: config.sdp.capnegSecondOffer,
  };
}

export function addressConfigFor(config: GatewayConfig): AddressConfig {
  const address: AddressConfig = { xmppDomain: config.xmpp.domain, sipDomain: config.sip.domain };
  if (config.xmpp.defaultDomain !== undefined) address.xmppDefaultDomain = config.xmpp.defaultDomain;
  if (config.sip.defaultDomain !== undefined) address.sipDefaultDomain = config.sip.defaultDomain;
  return address;
}
