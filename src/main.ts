/**
 * Assembles the running gateway: the XEP-0114 component, the SIP stack and its dialog layer,
 * the call layer between them, and drain. Operational pieces (HTTP, signals) live in src/ops
 * and src/cli/run.ts; this module only knows ports and calls.
 */
import { randomBase64url } from './ops/random.ts';
import type { Element } from '@xmpp/component';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config/schema.ts';
import { randomIdSource } from './mapping/ids.ts';
import type { GatewayMetrics } from './ops/metrics.ts';
import { addressConfigFor, translateOptionsFor, type GatewayContext } from './session/context.ts';
import { AdmissionControl, EventLoopDelaySampler } from './session/admission.ts';
import { createCallAuthorizer } from './session/authorization.ts';
import { CallRegistry } from './session/registry.ts';
import { inviteHandler, jingleIqHandler, jmiMessageHandler } from './session/router.ts';
import { guardSipPort } from './sip/source-guard.ts';
import { inboundDigest, startTrunkRegistration, tlsMaterial, trunkCredentials } from './sip/security-config.ts';
import { createSipStack } from './sip/stack.ts';
import { createSipUserAgent } from './sip/user-agent.ts';
import { createXmppComponent } from './xmpp/component.ts';
import { createDiscoCache, discoInfoHandler } from './xmpp/disco.ts';
import { presenceHandler } from './xmpp/presence.ts';
import type { XmppStatus } from './xmpp/port.ts';

export interface GatewayHealth {
  ready: boolean;
  draining: boolean;
  xmpp: XmppStatus;
  sip: boolean;
  /** Trunk registration bound; absent without `sip.trunk.registrar`. */
  sipRegistered?: boolean;
  activeCalls: number;
}

export interface Gateway {
  /** Component online AND SIP listening AND not draining. */
  readonly ready: boolean;
  readonly draining: boolean;
  activeCalls(): number;
  health(): GatewayHealth;
  /** Refuses new calls, waits up to `timeoutMs` for active ones, then ends the rest politely. */
  drain(timeoutMs: number): Promise<void>;
  /** Closes the XMPP stream and the SIP sockets. Idempotent. */
  close(): Promise<void>;
}

export interface GatewayDeps {
  logger: Logger;
  metrics: GatewayMetrics;
  /** Reconnect backoff of the component; tests shorten it (defaults: 500 ms doubling to 30 s). */
  xmppReconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

export async function startGateway(config: GatewayConfig, deps: GatewayDeps): Promise<Gateway> {
  const { logger, metrics } = deps;
  const registry = new CallRegistry();
  let draining = false;
  const authorizer = createCallAuthorizer(config, {
    logger,
    observer: metrics,
    registry,
    now: () => performance.now(),
  });

  // A wildcard socket has no address to put in Via and Contact: sip.domain stands for the gateway.
  const wildcard = config.sip.listen.some((a) => a.host === '0.0.0.0' || a.host === '::' || a.host === '[::]');
  // Files named by sip.trunk / sip.inboundAuth / sip.tls are read now: a bad one stops the start.
  const credentials = trunkCredentials(config.sip);
  const port = createSipStack({
    listen: config.sip.listen,
    tls: tlsMaterial(config.sip),
    limits: config.sip.limits,
    ...(wildcard ? { publicAddress: config.sip.domain } : {}),
    logger: logger.child({ component: 'sip' }),
    onMessage: (direction, message) => {
      metrics.sipMessage(direction, message);
    },
  });
  await port.listen();
  const sip = createSipUserAgent({
    // Allowed sources and per-source rate limits, before the user agent does anything with a request.
    port: guardSipPort(port, (remote, request) => authorizer.admitSipRequest(remote, request)),
    logger: logger.child({ component: 'sip-ua' }),
    timers: config.sip.timers,
    credentials,
    inboundAuth: inboundDigest(config.sip),
    ...(wildcard ? { contactHost: config.sip.domain } : {}),
  });

  const xmpp = createXmppComponent({
    service: config.xmpp.service,
    domain: config.xmpp.domain,
    secret: config.xmpp.secret,
    limits: config.xmpp.limits,
    logger: logger.child({ component: 'xmpp' }),
    ...(deps.xmppReconnect !== undefined ? { reconnect: deps.xmppReconnect } : {}),
  });
  // Session-terminates that could not go out while the stream was down (see Call.terminateXmpp).
  const outbox: Element[] = [];
  const outboxLimit = 10_000;
  xmpp.onStatus((status) => {
    metrics.xmppStatus(status);
    logger.info({ status }, 'XMPP component status');
    if (status !== 'online') return;
    for (const stanza of outbox.splice(0)) {
      xmpp.request(stanza, config.jingle.iqTimeoutMs).catch((err: unknown) => {
        logger.info({ err: err instanceof Error ? err.message : err }, 'deferred stanza not acknowledged');
      });
    }
  });

  const contactUri = (user: string, transport: 'udp' | 'tcp' | 'tls'): string => {
    const socket = port.addresses.find((a) => a.transport === transport) ?? port.addresses[0]!;
    const wildcard = socket.host === '0.0.0.0' || socket.host === '::' || socket.host === '[::]';
    const host = wildcard ? config.sip.domain : socket.host;
    const param = socket.transport === 'udp' ? '' : `;transport=${socket.transport}`;
    return `sip:${user}@${host}:${String(socket.port)}${param}`;
  };

  // Load shedding (overload.*): the sampler runs even with the delay limit off, for the metric.
  const eventLoop = new EventLoopDelaySampler();
  const admission = new AdmissionControl(config.overload, {
    calls: registry,
    eventLoopDelayMs: eventLoop.delayMs,
    observer: metrics,
    logger,
    now: () => performance.now(),
  });
  metrics.watchAdmission({ eventLoopDelayMs: eventLoop.delayMs, callsInSetup: () => registry.settingUp });

  const ctx: GatewayContext = {
    config,
    xmpp,
    sip,
    ids: randomIdSource(),
    translate: translateOptionsFor(config),
    address: addressConfigFor(config),
    logger,
    observer: metrics,
    disco: createDiscoCache(xmpp),
    registry,
    authorizer,
    admission,
    contactUri,
    isDraining: () => draining,
    newSid: () => randomBase64url(12).replace(/^[-\d]/, 's'),
    now: () => performance.now(),
    deferUntilOnline: (stanza) => {
      if (outbox.length >= outboxLimit) outbox.shift();
      outbox.push(stanza);
    },
  };

  xmpp.onIq(discoInfoHandler(config.xmpp.domain));
  xmpp.onIq(jingleIqHandler(ctx));
  xmpp.onMessage(jmiMessageHandler(ctx));
  xmpp.onPresence(presenceHandler(xmpp));
  sip.onInvite(inviteHandler(ctx));

  try {
    await xmpp.start();
  } catch (err) {
    eventLoop.stop();
    await sip.close();
    throw err;
  }
  const registration = startTrunkRegistration(config.sip, credentials, {
    port,
    contactUri,
    logger: logger.child({ component: 'sip-register' }),
    onRegistered: (registered) => {
      metrics.sipRegistered(registered);
    },
  });

  let closed: Promise<void> | undefined;
  const gateway: Gateway = {
    get ready() {
      return xmpp.status === 'online' && port.listening && !draining;
    },
    get draining() {
      return draining;
    },
    activeCalls: () => registry.size,
    health: () => ({
      ready: gateway.ready,
      draining,
      xmpp: xmpp.status,
      sip: port.listening,
      ...(registration !== undefined ? { sipRegistered: registration.registered } : {}),
      activeCalls: registry.size,
    }),
    async drain(timeoutMs) {
      draining = true;
      logger.info({ activeCalls: registry.size, timeoutMs }, 'draining');
      const empty = await registry.waitUntilEmpty(timeoutMs);
      if (empty) return;
      const rest = registry.all();
      logger.info({ calls: rest.length }, 'drain limit reached: ending the remaining calls');
      await Promise.all(
        rest.map((call) =>
          call.queue.run(() =>
            call.ended ? undefined : call.hangUp({ reason: 'success', text: 'gateway shutting down' }),
          ),
        ),
      );
    },
    close() {
      closed ??= (async () => {
        draining = true;
        eventLoop.stop();
        await xmpp.stop();
        await registration?.stop(); // RFC 3261 §10.2.2: remove the binding (Expires: 0)
        await sip.close();
      })();
      return closed;
    },
  };
  return gateway;
}
