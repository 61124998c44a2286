/**
 * The configuration schema: the single source of truth for every key, its type, default and
 * allowed values. `mappingOptionsSchema` holds the mapping knobs of spec §0.1 (what the offline
 * translator needs); `gatewayConfigSchema` adds the service keys. Key lists, environment
 * variable names and string coercion (keys.ts, load.ts) are derived from these objects.
 *
 * Keys are dotted in docs (`sdp.xtlsOffer`) and nested objects here (`{ sdp: { xtlsOffer } }`).
 */
import { z } from 'zod';
import {
  checkSipProxyUri,
  checkXmppService,
  isDomainName,
  isSipHost,
  parentDomain,
  parseHostPort,
  parseSipListen,
  sipListenConflict,
} from './formats.ts';
import type { HostPort, SipListenAddress } from './formats.ts';

/** "is required" for a missing value; zod's own message for a value of the wrong type. */
const requiredMessage = {
  error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : undefined),
};

// Names compare case-insensitively [RFC 7622 §3.2; RFC 3261 §19.1.4]; they are kept lowercase.
const domainName = z
  .string(requiredMessage)
  .toLowerCase()
  .refine(isDomainName, { error: 'must be a DNS domain name such as gw.example.test' });

const sipHost = z
  .string(requiredMessage)
  .toLowerCase()
  .refine(isSipHost, { error: 'must be a host name, an IPv4 address or an [IPv6] address' });

/** A timer in ms: a whole number ≥ 1 that Node's setTimeout honours (larger values fire at once). */
const milliseconds = z
  .number()
  .int({ error: 'must be a whole number of milliseconds' })
  .min(1, { error: 'must be at least 1 ms' })
  .max(2147483647, { error: 'must be at most 2147483647 ms (the setTimeout limit)' });

const issueFromCheck = (check: (text: string) => string | undefined) => (text: string, ctx: z.RefinementCtx) => {
  const problem = check(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
};

const sipProxyUri = z.string().superRefine(issueFromCheck(checkSipProxyUri));

const sipListenEntry = z.string().transform((text, ctx): SipListenAddress => {
  const parsed = parseSipListen(text);
  if (typeof parsed !== 'string') return parsed;
  ctx.addIssue({ code: 'custom', message: parsed });
  return z.NEVER;
});

const hostPort = z.string().transform((text, ctx): HostPort => {
  const parsed = parseHostPort(text, true);
  if (typeof parsed !== 'string') return parsed;
  ctx.addIssue({ code: 'custom', message: parsed });
  return z.NEVER;
});

// --- Mapping knobs with a default, shared by both schemas [spec §0.1] ---

const sdpFields = {
  dtlsOffer: z.enum(['direct', 'capneg']).default('direct').describe('SDP form of offers derived from XEP-0320 (§1.3)'),
  xtlsOffer: z.enum(['capneg', 'direct']).default('capneg').describe('SDP form of offers derived from XTLS (§1.3)'),
  tlsMethodsAttribute: z
    .boolean()
    .default(true)
    .describe('Emit a=tls-methods [EXT] on XTLS-derived offers and answers (§5)'),
  capnegSecondOffer: z
    .boolean()
    .default(true)
    .describe('Send the RFC 5939 second offer (re-INVITE) after an a=acfg answer (§2.7)'),
};

const xtlsFields = {
  offerSetup: z.enum(['active', 'actpass']).default('active').describe('a=setup of XTLS-derived offers (§3.4)'),
};

const jingleFields = {
  security: z
    .enum(['auto', 'dtls', 'xtls'])
    .default('auto')
    .describe('Security mechanism toward the XMPP callee of a SIP-originated call (§1.3.2)'),
  ringTimeoutMs: milliseconds.default(60000).describe('JMI propose without <proceed/> → <retract/>, SIP 480 (§6.7)'),
  iqTimeoutMs: milliseconds
    .default(30000)
    .describe('Gateway IQ (session-initiate, disco#info) without response → SIP 408 (§6.5)'),
};

// --- Addressing [spec §7]; the domains are required by the gateway, defaulted for translate ---

const describeXmppDomain = 'Component domain: JIDs of SIP parties and every stanza `from` (§6.8, §7)';
const describeSipDomain = "The gateway's own SIP host: From/Contact of XMPP callers, Call-ID suffix (§7.5)";

const xmppAddressFields = {
  defaultDomain: domainName.optional().describe('Appended to a Request-URI user part without @; unset → 404 (§7.2)'),
};

const sipAddressFields = {
  defaultDomain: sipHost.optional().describe('Host for a callee local part without @; unset → item-not-found (§7.4)'),
  outboundProxy: sipProxyUri
    .optional()
    .describe('SIP URI of the next hop of every outgoing INVITE; unset → RFC 3263 (§6.9)'),
};

/**
 * A default domain equal to the gateway's own would address the gateway itself: spec §7.2 step 5
 * answers such a JID 404, and §7.4 step 3 refuses `sip.domain` as a callee host.
 */
function refuseOwnDomain(what: 'xmpp' | 'sip') {
  return (value: { domain: string; defaultDomain?: string | undefined }, ctx: z.RefinementCtx) => {
    if (value.defaultDomain !== value.domain) return;
    ctx.addIssue({
      code: 'custom',
      path: ['defaultDomain'],
      message: `must differ from ${what}.domain (calls to the gateway's own domain are refused, spec §${what === 'xmpp' ? '7.2' : '7.4'})`,
    });
  };
}

// Shape of the §7.6 example, under the reserved .example TLD so a translation never names a real host.
const exampleXmppDomain = 'gw.example';
const exampleSipDomain = 'sip.gw.example';

export const mappingOptionsSchema = z.strictObject({
  xmpp: z
    .strictObject({ domain: domainName.default(exampleXmppDomain).describe(describeXmppDomain), ...xmppAddressFields })
    .superRefine(refuseOwnDomain('xmpp'))
    .prefault({}),
  sip: z
    .strictObject({ domain: sipHost.default(exampleSipDomain).describe(describeSipDomain), ...sipAddressFields })
    .superRefine(refuseOwnDomain('sip'))
    .prefault({}),
  sdp: z.strictObject(sdpFields).prefault({}),
  xtls: z.strictObject(xtlsFields).prefault({}),
  jingle: z.strictObject(jingleFields).prefault({}),
});

/** The mapping knobs of spec §0.1, every one resolved (defaults applied). */
export type MappingOptions = z.output<typeof mappingOptionsSchema>;
export type MappingOptionsInput = z.input<typeof mappingOptionsSchema>;

// --- Service keys ---

const gatewayXmpp = z
  .strictObject(
    {
      domain: domainName.describe(describeXmppDomain),
      ...xmppAddressFields,
      service: z
        .string(requiredMessage)
        .superRefine(issueFromCheck(checkXmppService))
        .describe('XEP-0114 component connection to the XMPP server, xmpp://HOST:PORT'),
      secret: z
        .string(requiredMessage)
        .min(1, { error: 'must not be empty' })
        .describe('Component secret shared with the XMPP server (XEP-0114 handshake)'),
      allowedDomains: z
        .array(domainName.describe('XMPP domain'))
        .min(1, { error: 'must list at least one domain' })
        .optional()
        .describe('XMPP domains whose users may use the gateway; default: xmpp.domain minus its first label'),
    },
    requiredMessage,
  )
  .superRefine(refuseOwnDomain('xmpp'))
  .transform((xmpp, ctx) => {
    if (xmpp.allowedDomains !== undefined) return { ...xmpp, allowedDomains: xmpp.allowedDomains };
    const parent = parentDomain(xmpp.domain);
    if (parent !== undefined) return { ...xmpp, allowedDomains: [parent] };
    ctx.addIssue({
      code: 'custom',
      path: ['allowedDomains'],
      message: `must be set: xmpp.domain "${xmpp.domain}" has no parent domain to default to`,
    });
    return z.NEVER;
  });

const gatewaySip = z
  .strictObject(
    {
      domain: sipHost.describe(describeSipDomain),
      ...sipAddressFields,
      listen: z
        .array(sipListenEntry)
        .min(1, { error: 'must list at least one address' })
        .superRefine((addresses, ctx) => {
          addresses.forEach((address, i) => {
            for (const earlier of addresses.slice(0, i)) {
              const conflict = sipListenConflict(earlier, address);
              if (conflict !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: conflict });
            }
          });
        })
        .prefault(['udp:0.0.0.0:5060', 'tcp:0.0.0.0:5060'])
        .describe('SIP sockets, each udp:HOST:PORT, tcp:HOST:PORT or tls:HOST:PORT'),
    },
    requiredMessage,
  )
  .superRefine(refuseOwnDomain('sip'));

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const gatewayConfigSchema = z.strictObject({
  // No defaults for these two groups: they hold required keys.
  xmpp: gatewayXmpp,
  sip: gatewaySip,
  sdp: z.strictObject(sdpFields).prefault({}),
  xtls: z.strictObject(xtlsFields).prefault({}),
  jingle: z.strictObject(jingleFields).prefault({}),
  http: z
    .strictObject({
      listen: hostPort.prefault('127.0.0.1:9100').describe('Health, readiness and metrics endpoint, HOST:PORT'),
    })
    .prefault({}),
  log: z
    .strictObject({ level: z.enum(logLevels).default('info').describe('Log level (pino level names)') })
    .prefault({}),
  shutdown: z
    .strictObject({
      drainTimeoutMs: milliseconds
        .default(30000)
        .describe('On SIGTERM, how long active calls may continue before they are ended'),
    })
    .prefault({}),
});

/** The whole service configuration, every default and derived value resolved. */
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;

/** The mapping view of a gateway configuration: what the pure mapping core may see (no secret). */
export function toMappingOptions(config: GatewayConfig): MappingOptions {
  const { xmpp, sip, sdp, xtls, jingle } = config;
  return {
    xmpp: { domain: xmpp.domain, ...definedOnly({ defaultDomain: xmpp.defaultDomain }) },
    sip: {
      domain: sip.domain,
      ...definedOnly({ defaultDomain: sip.defaultDomain, outboundProxy: sip.outboundProxy }),
    },
    sdp: { ...sdp },
    xtls: { ...xtls },
    jingle: { ...jingle },
  };
}

/** Drops unset optional keys, so the view has the same keys as a parsed MappingOptions. */
function definedOnly<T extends Record<string, string | undefined>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
