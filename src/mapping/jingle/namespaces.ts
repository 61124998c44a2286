/**
 * XML namespaces of the Jingle family the codec reads and writes (§6.8 lists the disco features).
 * Each is the namespace registered by the specification named next to it (§11 for versions).
 */

/** XEP-0166 Jingle 1.1.2. */
export const NS_JINGLE = 'urn:xmpp:jingle:1';
/** XEP-0166 §10 application error conditions. */
export const NS_JINGLE_ERRORS = 'urn:xmpp:jingle:errors:1';
/** XEP-0167 Jingle RTP Sessions 1.2.3. */
export const NS_RTP = 'urn:xmpp:jingle:apps:rtp:1';
/** XEP-0167 §8 session-info payloads (`<ringing/>`, `<hold/>`, …). */
export const NS_RTP_INFO = 'urn:xmpp:jingle:apps:rtp:info:1';
/** Accepted on input only: the form used in an XEP-0166 §6.8 example (§6.2). */
export const NS_RTP_INFO_LEGACY = 'urn:xmpp:jingle:apps:rtp:1:info';
/** XEP-0293 Jingle RTP Feedback Negotiation 1.0.2. */
export const NS_RTCP_FB = 'urn:xmpp:jingle:apps:rtp:rtcp-fb:0';
/** XEP-0294 Jingle RTP Header Extensions Negotiation 1.1.2 (also `<extmap-allow-mixed/>`). */
export const NS_RTP_HDREXT = 'urn:xmpp:jingle:apps:rtp:rtp-hdrext:0';
/** XEP-0339 Source-Specific Media Attributes in Jingle 1.0.1. */
export const NS_SSMA = 'urn:xmpp:jingle:apps:rtp:ssma:0';
/** XEP-0338 Jingle Grouping Framework 1.0.0. */
export const NS_GROUPING = 'urn:xmpp:jingle:apps:grouping:0';
/** XEP-0247 Jingle XML Streams. */
export const NS_XMLSTREAM = 'urn:xmpp:jingle:apps:xmlstream:0';
/** XEP-0176 Jingle ICE-UDP Transport Method 1.1.1. */
export const NS_ICE_UDP = 'urn:xmpp:jingle:transports:ice-udp:1';
/** XEP-0177 Jingle Raw UDP Transport Method 1.1.1. */
export const NS_RAW_UDP = 'urn:xmpp:jingle:transports:raw-udp:1';
/** XEP-0320 Use of DTLS-SRTP in Jingle Sessions 1.0.0. */
export const NS_DTLS = 'urn:xmpp:jingle:apps:dtls:0';
/** XTLS ProtoXEP 0.0.4 (inbox/jingle-xtls.xml) `<security/>`. */
export const NS_XTLS = 'urn:xmpp:jingle:security:xtls:0';
