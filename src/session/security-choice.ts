/**
 * Which security mechanism the XMPP callee of a SIP-originated call gets (spec §1.3.2):
 * `jingle.security` forces one; `auto` asks the callee's disco#info — XEP-0320 first, then
 * XTLS, else none — and only when the offer has a DTLS configuration to map at all.
 */
import type { SecurityMechanism, InspectedOffer } from '../mapping/translate/sdp-offer.ts';
import type { GatewayContext } from './context.ts';

export const NS_DTLS = 'urn:xmpp:jingle:apps:dtls:0';
export const NS_XTLS = 'urn:xmpp:jingle:security:xtls:0';

export function offerHasDtls(offer: InspectedOffer): boolean {
  return offer.media.some((m) => m.mapped && m.configurations.length > 0);
}

/** Resolves the mechanism; rejects with the disco IQ's StanzaError / IqTimeoutError. */
export async function chooseSecurity(
  ctx: GatewayContext,
  callee: string,
  offer: InspectedOffer,
): Promise<SecurityMechanism> {
  const forced = ctx.config.jingle.security;
  if (forced !== 'auto') return forced;
  if (!offerHasDtls(offer)) return 'none';
  const features = await ctx.disco.features(callee, ctx.config.jingle.iqTimeoutMs);
  if (features.has(NS_DTLS)) return 'dtls';
  if (features.has(NS_XTLS)) return 'xtls';
  return 'none';
}
