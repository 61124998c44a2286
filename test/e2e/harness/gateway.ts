/**
 * The gateway under test, in this process: SIP on 127.0.0.2 (peers use 127.0.0.1, so the `sip`
 * stack never mistakes a peer's URI for its own address), the component on the test Prosody.
 * Set GW_TEST_LOG=debug (or trace) to see the gateway's log on stderr.
 */
import pino from 'pino';
import { gatewayConfigSchema, type GatewayConfig, type GatewayConfigInput } from '../../../src/config/schema.ts';
import { startGateway, type Gateway } from '../../../src/main.ts';
import { GatewayMetrics } from '../../../src/ops/metrics.ts';
import { freeDualPort } from './ports.ts';

export const GATEWAY_SIP_HOST = '127.0.0.2';
export const GATEWAY_SIP_DOMAIN = 'sip.gw.test';

export interface TestGateway {
  gateway: Gateway;
  config: GatewayConfig;
  metrics: GatewayMetrics;
  sipPort: number;
  /** `127.0.0.2:<port>`, for SIPp's remote address. */
  sipAddress: string;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  prosody: { service: string; componentDomain: string; componentSecret: string; domain: string };
  /** Next hop of outgoing INVITEs, e.g. `sip:127.0.0.1:5070` for a SIPp UAS. */
  outboundProxy?: string;
  /** Extra keys merged over the defaults (jingle timeouts, sdp forms, overload limits…). */
  overrides?: Partial<Pick<GatewayConfigInput, 'sdp' | 'xtls' | 'jingle' | 'overload'>>;
  /** `sip.timers` (T1/T2 of the user agent layer), shortened by tests of retransmission and timeouts. */
  sipTimers?: { t1Ms?: number; t2Ms?: number };
  /** Further `sip.*` keys (trunk, inboundAuth, tls, listen…), merged last over the SIP group. */
  sip?: Partial<GatewayConfigInput['sip']>;
}

export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const sipPort = await freeDualPort(GATEWAY_SIP_HOST);
  const { prosody } = options;
  const config = gatewayConfigSchema.parse({
    xmpp: {
      service: prosody.service,
      domain: prosody.componentDomain,
      secret: prosody.componentSecret,
      allowedDomains: [prosody.domain],
      defaultDomain: prosody.domain,
    },
    sip: {
      domain: GATEWAY_SIP_DOMAIN,
      listen: [`udp:${GATEWAY_SIP_HOST}:${String(sipPort)}`, `tcp:${GATEWAY_SIP_HOST}:${String(sipPort)}`],
      ...(options.outboundProxy !== undefined ? { outboundProxy: options.outboundProxy } : {}),
      ...(options.sipTimers !== undefined ? { timers: options.sipTimers } : {}),
      ...options.sip,
    },
    http: { listen: '127.0.0.1:0' },
    ...options.overrides,
  });
  const level = (process.env.GW_TEST_LOG ?? 'silent') as pino.Level | 'silent';
  const logger = pino({ level }, pino.destination(2));
  const metrics = new GatewayMetrics();
  // Fast reconnects keep the reconnect tests short and deterministic.
  const gateway = await startGateway(config, {
    logger,
    metrics,
    xmppReconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
  });
  return {
    gateway,
    config,
    metrics,
    sipPort,
    sipAddress: `${GATEWAY_SIP_HOST}:${String(sipPort)}`,
    close: () => gateway.close(),
  };
}
