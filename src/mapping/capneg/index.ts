/** RFC 5939 SDP capability negotiation [mapping §2]: one import path for the rest of the gateway. */
export * from './grammar.ts';
export * from './capabilities.ts';
export * from './internal-offer.ts';
export * from './offer.ts';
export * from './answer.ts';
export * from './generated-offer.ts';
