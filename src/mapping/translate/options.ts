/**
 * The mapping knobs of spec §0.1 as the translator sees them. The service's zod schema
 * (src/config) produces these values; the defaults here are the spec's.
 */
export interface TranslateOptions {
  /** `sdp.dtlsOffer`: SDP form of offers derived from XEP-0320 (spec §1.3.1). */
  dtlsOffer: 'direct' | 'capneg';
  /** `sdp.xtlsOffer`: SDP form of offers derived from XTLS. */
  xtlsOffer: 'direct' | 'capneg';
  /** `xtls.offerSetup`: a=setup of XTLS-derived offers (spec §3.4). */
  xtlsOfferSetup: 'active' | 'actpass';
  /** `sdp.tlsMethodsAttribute`: emit a=tls-methods [EXT] on XTLS-derived SDP (spec §5.2). */
  tlsMethodsAttribute: boolean;
  /** `sdp.capnegSecondOffer`: re-offer after an a=acfg answer (spec §2.7). */
  capnegSecondOffer: boolean;
}

export const defaultTranslateOptions: Readonly<TranslateOptions> = Object.freeze({
  dtlsOffer: 'direct',
  xtlsOffer: 'capneg',
  xtlsOfferSetup: 'active',
  tlsMethodsAttribute: true,
  capnegSecondOffer: true,
});

export function translateOptions(partial: Partial<TranslateOptions> = {}): TranslateOptions {
  return { ...defaultTranslateOptions, ...partial };
}
