/**
 * Service discovery [XEP-0030] for the component: the disco#info responder for the component
 * domain and every JID under it (spec §6.8), and a cache of callees' disco#info features used
 * for security selection (spec §1.3.2: "cached per full JID for the life of the process").
 */
import { createHash } from 'node:crypto';
import { jid as parseJid, xml, type Element } from '@xmpp/component';
import type { IqHandler, XmppPort } from './port.ts';

export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';
/** XEP-0115 §4: the node names this software; queries for `<node>#<ver>` get the same answer. */
export const CAPS_NODE = 'urn:jingle-sip-gateway:caps';

/**
 * Spec §6.8's list [X166 §11; X167 §10; X176 §7; X177 §7; X320 §2; XTLS-P §6; X293; X294; X338;
 * X106 §6], plus disco#info itself, which XEP-0030 §3.1 has every responder advertise. Sorted by
 * code unit order, as XEP-0115 §5.1 orders them for the caps hash.
 */
export const GATEWAY_FEATURES: readonly string[] = [
  'http://jabber.org/protocol/disco#info',
  'jid\\20escaping',
  'urn:ietf:rfc:3264',
  'urn:xmpp:jingle:1',
  'urn:xmpp:jingle:apps:dtls:0',
  'urn:xmpp:jingle:apps:grouping:0',
  'urn:xmpp:jingle:apps:rtp:1',
  'urn:xmpp:jingle:apps:rtp:audio',
  'urn:xmpp:jingle:apps:rtp:rtcp-fb:0',
  'urn:xmpp:jingle:apps:rtp:rtp-hdrext:0',
  'urn:xmpp:jingle:apps:rtp:video',
  'urn:xmpp:jingle:security:xtls:0',
  'urn:xmpp:jingle:transports:ice-udp:1',
  'urn:xmpp:jingle:transports:raw-udp:1',
];

export interface DiscoIdentity {
  category: string;
  type: string;
  name: string;
}

/** Spec §6.8: the domain is a gateway to SIP; each JID under it is a SIP party (a phone). */
export const GATEWAY_IDENTITY: DiscoIdentity = { category: 'gateway', type: 'sip', name: 'Jingle-SIP gateway' };
export const PHONE_IDENTITY: DiscoIdentity = { category: 'client', type: 'phone', name: 'SIP' };

/** The identity of `address` when it is the component domain or a JID under it, else undefined. */
export function identityFor(address: string, domain: string): DiscoIdentity | undefined {
  let parsed;
  try {
    parsed = parseJid(address);
  } catch {
    return undefined;
  }
  if (parsed.domain !== domain.toLowerCase()) return undefined;
  return parsed.local === '' ? GATEWAY_IDENTITY : PHONE_IDENTITY;
}

/** The disco#info `<query/>` answered for an entity with `identity`. */
export function buildDiscoInfo(identity: DiscoIdentity, node?: string): Element {
  return xml(
    'query',
    { xmlns: NS_DISCO_INFO, node },
    xml('identity', { category: identity.category, type: identity.type, name: identity.name }),
    ...GATEWAY_FEATURES.map((feature) => xml('feature', { var: feature })),
  );
}

/**
 * XEP-0115 §5.1 verification string: base64(SHA-1("category/type/lang/name<" + "feature<"…)),
 * features sorted. One identity, no language, no extended forms.
 */
export function capsVerification(identity: DiscoIdentity, features: readonly string[] = GATEWAY_FEATURES): string {
  const input =
    `${identity.category}/${identity.type}//${identity.name}<` +
    [...features]
      .sort()
      .map((f) => `${f}<`)
      .join('');
  return createHash('sha1').update(input, 'utf8').digest('base64');
}

/**
 * Answers disco#info (identity + features) and disco#items (empty) for the domain and any JID
 * under it; a `node` is echoed (XEP-0115 §6.2 caps queries, XEP-0030 §3.2). Other IQs: not mine.
 */
export function discoInfoHandler(domain: string): IqHandler {
  return (iq) => {
    // Every IQ passes here first (Jingle sets included): the cheap tests before parsing `to`.
    if (iq.attrs.type !== 'get') return Promise.resolve(false);
    const query = iq.getChildElements()[0];
    if (query === undefined) return Promise.resolve(false);
    const identity = identityFor(iq.attrs.to ?? '', domain);
    if (identity === undefined) return Promise.resolve(false);
    const node = query.attrs.node;
    if (query.is('query', NS_DISCO_INFO)) return Promise.resolve(buildDiscoInfo(identity, node));
    if (query.is('query', NS_DISCO_ITEMS)) return Promise.resolve(xml('query', { xmlns: NS_DISCO_ITEMS, node }));
    return Promise.resolve(false);
  };
}

export interface DiscoCacheOptions {
  /** How long a callee's features are trusted. Default: for the life of the process (spec §1.3.2). */
  ttlMs?: number;
  /** Oldest entries are forgotten beyond this many JIDs. Default 10 000. */
  maxEntries?: number;
  /** Milliseconds clock, for the TTL. */
  now?: () => number;
}

export interface DiscoCache {
  /** The callee's disco#info features; one query per full JID while cached. Rejects with the IQ's error. */
  features(jid: string, timeoutMs: number): Promise<ReadonlySet<string>>;
  clear(): void;
}

/**
 * Queries a callee's disco#info once per full JID (spec §8.2 assertion 50). Concurrent lookups
 * for the same JID share one query; failures are not cached, so the next call asks again.
 */
export function createDiscoCache(xmpp: Pick<XmppPort, 'request'>, options: DiscoCacheOptions = {}): DiscoCache {
  const ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { features: ReadonlySet<string>; expires: number }>();
  const inFlight = new Map<string, Promise<ReadonlySet<string>>>();

  async function query(target: string, timeoutMs: number): Promise<ReadonlySet<string>> {
    const result = await xmpp.request(
      xml('iq', { type: 'get', to: target }, xml('query', { xmlns: NS_DISCO_INFO })),
      timeoutMs,
    );
    const features = new Set<string>();
    for (const feature of result.getChild('query', NS_DISCO_INFO)?.getChildren('feature') ?? []) {
      const name = feature.attrs.var;
      if (name !== undefined) features.add(name);
    }
    cache.delete(target);
    cache.set(target, { features, expires: now() + ttlMs });
    while (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
    return features;
  }

  return {
    features(target, timeoutMs) {
      const cached = cache.get(target);
      if (cached !== undefined && cached.expires > now()) return Promise.resolve(cached.features);
      const pending = inFlight.get(target);
      if (pending !== undefined) return pending;
      const lookup = query(target, timeoutMs).finally(() => inFlight.delete(target));
      inFlight.set(target, lookup);
      return lookup;
    },
    clear() {
      cache.clear();
    },
  };
}
