/**
 * Who may place calls through the gateway (issue 4, "Authentication and authorization"):
 *
 * - XMPP → SIP: only users of `xmpp.allowedDomains`; per bare JID at most
 *   `xmpp.limits.concurrentCalls` calls at once and `xmpp.limits.callsPerMinute` started per
 *   minute (a token bucket); the callee must pass `xmpp.dialPlan` (deny wins over allow).
 * - SIP: every request must come from `sip.allowedSources`, else 403; each source address gets a
 *   token bucket of `sip.rateLimit.burst` refilled at `sip.rateLimit.perSecond`, else 503 with
 *   Retry-After [RFC 3261 §21.5.4, §20.33]. Sources in `sip.rateLimit.exemptSources` are not
 *   rate limited.
 *
 * A gateway that can dial out to the telephone network is a toll-fraud target: every refusal is
 * logged at info (throttled per reason and party, so a flood cannot flood the log) and counted
 * in `jsg_calls_refused_total{direction,reason}`.
 */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.ts';
import { GatewayError } from '../mapping/errors.ts';
import type { SipRemote, SipRequest } from '../sip/message.ts';
import type { CallObserver } from './context.ts';
import { AddressSet, DialPlan, LogThrottle, TokenBuckets, type Clock, type RefusalReason } from './policy.ts';
import type { CallRegistry } from './registry.ts';

/** How the SIP side refuses a request before any other work. */
export interface SipRefusal {
  status: 403 | 503;
  reason: 'source-not-allowed' | 'source-rate-exceeded';
  /** Seconds for Retry-After (503 only). */
  retryAfterSeconds?: number;
}

export interface CallAuthorizer {
  /** XMPP → SIP, first of all: the caller's domain must be in `xmpp.allowedDomains`. Throws GatewayError. */
  checkCaller(from: string): void;
  /**
   * XMPP → SIP, once the callee's URI is known and the offer mapped (so only calls that would
   * send an INVITE use up the rate): dial plan, concurrent calls, call rate. Throws GatewayError.
   */
  authorizeCall(from: string, calleeUri: string): void;
  /** A SIP request from `remote`: undefined to admit it, else how to refuse it. */
  admitSipRequest(remote: SipRemote, request: SipRequest): SipRefusal | undefined;
}

export interface CallAuthorizerDeps {
  logger: Logger;
  observer: CallObserver;
  registry: CallRegistry;
  now: Clock;
}

/** One log line per reason and party per this interval; the next one counts the skipped ones. */
export const refusalLogIntervalMs = 10_000;

/** `local@domain`, lowercased [RFC 7622 §3.2, §3.3]: the key of per-user limits. */
export function bareJid(jid: string): string {
  return jid.replace(/\/.*$/, '').toLowerCase();
}

export function createCallAuthorizer(config: GatewayConfig, deps: CallAuthorizerDeps): CallAuthorizer {
  const { logger, observer, registry, now } = deps;
  const { limits, dialPlan: dialRules } = config.xmpp;
  const allowedDomains = new Set(config.xmpp.allowedDomains);
  const callRate = new TokenBuckets(
    { capacity: limits.callsPerMinute, refillPerSecond: limits.callsPerMinute / 60 },
    now,
  );
  const dialPlan = new DialPlan(dialRules);
  const allowedSources = new AddressSet(config.sip.allowedSources);
  const inboundAuthConfigured = config.sip.inboundAuth.realm !== undefined;
  const rateExempt = new AddressSet(config.sip.rateLimit.exemptSources);
  const sourceRate = new TokenBuckets(
    { capacity: config.sip.rateLimit.burst, refillPerSecond: config.sip.rateLimit.perSecond },
    now,
  );
  const throttle = new LogThrottle(refusalLogIntervalMs, now);

  function refused(
    direction: 'xmpp-to-sip' | 'sip-to-xmpp',
    reason: RefusalReason,
    party: string,
    fields: Record<string, unknown>,
  ): void {
    observer.callRefused(direction, reason);
    const decision = throttle.shouldLog(`${reason}\u0000${party}`);
    if (!decision.log) return;
    const skipped = decision.suppressed > 0 ? { suppressed: decision.suppressed } : {};
    logger.info({ direction, reason, ...fields, ...skipped }, 'call refused by policy');
  }

  /** Calls this user placed that have not ended. */
  function activeCallsOf(user: string): number {
    return registry.callsPlacedBy(user);
  }

  return {
    checkCaller(from) {
      const domain = bareJid(from).replace(/^.*@/, '');
      if (allowedDomains.has(domain)) return;
      refused('xmpp-to-sip', 'caller-not-allowed', bareJid(from), { from });
      throw new GatewayError('caller-not-allowed', `users of ${domain} may not use this gateway`);
    },

    authorizeCall(from, calleeUri) {
      const user = bareJid(from);
      const dial = dialPlan.check(calleeUri);
      if (!dial.ok) {
        refused('xmpp-to-sip', 'destination-denied', user, { from, to: calleeUri, rule: dial.rule });
        throw new GatewayError('destination-denied', `calls to ${calleeUri} are not allowed`);
      }
      const active = activeCallsOf(user);
      if (active >= limits.concurrentCalls) {
        refused('xmpp-to-sip', 'concurrent-calls-exceeded', user, { from, to: calleeUri, active });
        throw new GatewayError(
          'concurrent-calls-exceeded',
          `${String(active)} calls in progress: at most ${String(limits.concurrentCalls)} at once`,
        );
      }
      const taken = callRate.take(user);
      if (!taken.ok) {
        const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
        refused('xmpp-to-sip', 'call-rate-exceeded', user, { from, to: calleeUri, retryAfterSeconds: seconds });
        throw new GatewayError(
          'call-rate-exceeded',
          `at most ${String(limits.callsPerMinute)} calls per minute: try again in ${String(seconds)} s`,
        );
      }
    },

    admitSipRequest(remote, request) {
      const source = remote.address;
      // Issue rule: requests come from sip.allowedSources OR are digest-authenticated. With
      // sip.inboundAuth configured, other sources pass on to the user agent, which challenges
      // their INVITEs (RFC 3261 §22.2); their in-dialog requests then belong to an authenticated call.
      if (!allowedSources.has(source) && !inboundAuthConfigured) {
        refused('sip-to-xmpp', 'source-not-allowed', source, { source, method: request.method });
        return { status: 403, reason: 'source-not-allowed' };
      }
      // An ACK cannot be answered and belongs to a transaction already admitted.
      if (request.method === 'ACK' || rateExempt.has(source)) return undefined;
      const taken = sourceRate.take(source);
      if (taken.ok) return undefined;
      const retryAfterSeconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      refused('sip-to-xmpp', 'source-rate-exceeded', source, { source, method: request.method, retryAfterSeconds });
      return { status: 503, reason: 'source-rate-exceeded', retryAfterSeconds };
    },
  };
}
