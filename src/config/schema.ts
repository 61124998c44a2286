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
import { cidrProblem, patternProblem } from '../session/policy.ts';

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
  ringTimeoutMs: milliseconds
    .default(60000)
    .describe(
      'How long a callee may ring, both directions: JMI propose → <retract/>, SIP 480 (§6.7); acknowledged session-initiate → <timeout/>, 480; INVITE without final response → CANCEL, <timeout/>',
    ),
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
      // Inbound stanza limits enforced before parsing (src/xmpp/stanza-guard.ts) [RFC 6120 §13.12].
      limits: z
        .strictObject({
          maxStanzaBytes: z
            .number()
            .int()
            .min(4096, { error: 'must be at least 4096 bytes' })
            .default(65536)
            .describe('Largest inbound stanza in UTF-8 bytes; a larger IQ → policy-violation'),
          maxDepth: z
            .number()
            .int()
            .min(8, { error: 'must be at least 8' })
            .default(32)
            .describe('Deepest element nesting of an inbound stanza (the stanza is 1); deeper → policy-violation'),
          // Per-user call limits (src/session/authorization.ts): a stolen account must not dial without end.
          callsPerMinute: z
            .number()
            .int()
            .min(1, { error: 'must be at least 1' })
            .default(30)
            .describe('Calls one bare JID may start per minute (token bucket); more → resource-constraint'),
          concurrentCalls: z
            .number()
            .int()
            .min(1, { error: 'must be at least 1' })
            .default(10)
            .describe('Calls one bare JID may have in progress at once; more → resource-constraint'),
        })
        .prefault({}),
      // Toll-fraud guard: which SIP callees XMPP users may dial (src/session/policy.ts dialString).
      dialPlan: z
        .strictObject({
          allow: z
            .array(z.string().superRefine(issueFromCheck(patternProblem)))
            .default([])
            .describe('Regular expressions over the dialled user@host; when set, a callee must match one'),
          deny: z
            .array(z.string().superRefine(issueFromCheck(patternProblem)))
            .default([])
            .describe('Regular expressions over the dialled user@host; a match → forbidden (deny wins)'),
        })
        .prefault({}),
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

// Digest credentials of the trunk and its optional registration [RFC 3261 §10, §22] (src/sip/register.ts).
const sipTrunk = z
  .strictObject({
    username: z.string().min(1).optional().describe('Digest user name for 401/407 challenges to the gateway'),
    password: z.string().min(1).optional().describe('Digest password (better: sip.trunk.passwordFile)'),
    passwordFile: z.string().min(1).optional().describe('File whose first line is the digest password'),
    realm: z.string().min(1).optional().describe('Answer only challenges of this realm; unset → any realm'),
    registrar: sipProxyUri.optional().describe('SIP URI of the trunk registrar; set → REGISTER at start, refreshed'),
    expires: z.number().int().min(60).max(86400).default(3600).describe('Registration lifetime asked for, s'),
  })
  .superRefine((trunk, ctx) => {
    if (trunk.password !== undefined && trunk.passwordFile !== undefined)
      ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: 'set either password or passwordFile' });
    if (trunk.registrar !== undefined && trunk.username === undefined)
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'is required with sip.trunk.registrar' });
  })
  .prefault({});

// Digest authentication of out-of-dialog INVITEs [RFC 3261 §22.4] (src/sip/digest.ts).
const sipInboundAuth = z
  .strictObject({
    realm: z.string().min(1).optional().describe('Realm of the 401 challenges; set → INVITEs need credentials'),
    users: z
      .array(z.strictObject({ username: z.string().min(1), password: z.string().min(1) }))
      .optional()
      .describe('Accepted credentials, [{username, password}] (config file only)'),
    usersFile: z.string().min(1).optional().describe('File of username:password lines, added to users'),
    nonceLifetimeMs: milliseconds.default(300000).describe('Age after which a nonce is stale (new 401, stale=true)'),
  })
  .superRefine((auth, ctx) => {
    if (auth.realm !== undefined && auth.users === undefined && auth.usersFile === undefined)
      ctx.addIssue({ code: 'custom', path: ['users'], message: 'users or usersFile is required with a realm' });
  })
  .prefault({});

const sipTls = z
  .strictObject({
    certFile: z.string().min(1).optional().describe('PEM certificate of tls: listeners and outgoing TLS'),
    keyFile: z.string().min(1).optional().describe('PEM private key of sip.tls.certFile'),
    caFile: z.string().min(1).optional().describe('PEM CAs trusted for outgoing TLS; unset → the system CAs'),
  })
  .prefault({});

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
      // RFC 3261 §17.1.1.1 T1/T2 of the user agent layer (2xx retransmission, 64·T1 ACK and CANCEL
      // timeouts); npm `sip`'s own transaction timers stay fixed at T1 = 500 ms (src/sip/stack.ts).
      timers: z
        .strictObject({
          t1Ms: milliseconds
            .default(500)
            .describe('RFC 3261 T1 of the SIP user agent layer: first 2xx retransmission, 64·T1 ACK timeout'),
          t2Ms: milliseconds
            .default(4000)
            .describe('RFC 3261 T2 of the SIP user agent layer: cap of the 2xx retransmission interval'),
        })
        .prefault({}),
      // Inbound SIP limits enforced before parsing (src/sip/stack-limits.ts) [RFC 3261 §18.3, §21.4.11].
      limits: z
        .strictObject({
          maxMessageBytes: z
            .number()
            .int()
            .min(1500, { error: 'must be at least 1500 bytes' })
            .max(65535, { error: 'must be at most 65535 bytes' })
            .default(16384)
            .describe('Largest SIP datagram or TCP/TLS message (headers + body); larger → 513, TCP closed'),
          maxHeaderLineBytes: z
            .number()
            .int()
            .min(256, { error: 'must be at least 256 bytes' })
            .default(8192)
            .describe('Largest SIP header field, continuation lines included; longer → 400'),
          maxHeaders: z
            .number()
            .int()
            .min(20, { error: 'must be at least 20' })
            .default(100)
            .describe('Most header fields in one SIP message; more → 400'),
        })
        .prefault({}),
      // Checked before any other work on a request (src/sip/source-guard.ts, src/session/authorization.ts).
      allowedSources: z
        .array(z.string().superRefine(issueFromCheck(cidrProblem)))
        .min(1, { error: 'must list at least one CIDR' })
        .default(['0.0.0.0/0', '::/0'])
        .describe('CIDRs SIP requests may come from; others → 403. Default: anywhere'),
      rateLimit: z
        .strictObject({
          perSecond: z
            .number()
            .positive({ error: 'must be more than 0' })
            .default(50)
            .describe('SIP requests per second per source address (token refill rate); more → 503'),
          burst: z
            .number()
            .int()
            .min(1, { error: 'must be at least 1' })
            .default(100)
            .describe('SIP requests a source address may send at once (token bucket size)'),
          exemptSources: z
            .array(z.string().superRefine(issueFromCheck(cidrProblem)))
            .default(['127.0.0.0/8', '::1/128'])
            .describe('CIDRs not rate limited (e.g. a local proxy or your trunk)'),
        })
        .prefault({}),
      trunk: sipTrunk,
      inboundAuth: sipInboundAuth,
      tls: sipTls,
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
  // Admission control (src/session/admission.ts): new calls past these get 503 / resource-constraint.
  overload: z
    .strictObject({
      maxCalls: z
        .number()
        .int()
        .min(0, { error: 'must be 0 (no limit) or more' })
        .default(20000)
        .describe('Calls in progress at once (any state); a new call past it is refused; 0 = no limit'),
      maxSetups: z
        .number()
        .int()
        .min(0, { error: 'must be 0 (no limit) or more' })
        .default(1000)
        .describe('Calls in set-up (not answered yet) at once; a new call past it is refused; 0 = no limit'),
      maxEventLoopDelayMs: z
        .number()
        .int()
        .min(0, { error: 'must be 0 (off) or more' })
        .default(50)
        .describe('Event-loop delay (p90 over 1 s) above which new calls are refused; 0 = off'),
      retryAfterSeconds: z
        .number()
        .int()
        .min(1, { error: 'must be at least 1' })
        .max(3600, { error: 'must be at most 3600' })
        .default(5)
        .describe('Retry-After (s) of the 503 to a refused INVITE'),
    })
    .prefault({}),
  // No RFC 4028 session timers: a call whose BYE was lost would stay up for ever; this bounds it.
  calls: z
    .strictObject({
      maxDurationSeconds: z
        .number()
        .int()
        .min(0, { error: 'must be 0 (off) or more' })
        .max(2147483, { error: 'must be at most 2147483 s (the setTimeout limit)' })
        .default(0)
        .describe('Answered calls last at most this long, then BYE and session-terminate <expired/>; 0 = off'),
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
