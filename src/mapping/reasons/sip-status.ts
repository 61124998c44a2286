/**
 * SIP status codes as the gateway writes them: the standard reason phrases and the Warning
 * header value. The phrase is only a default for status codes the gateway emits; a received
 * phrase is always passed through as received (it may be localised) [RFC 3261 §21].
 */

/** A final response (or Reason cause) as a status code and its reason phrase. */
export interface SipStatus {
  code: number;
  phrase: string;
}

/** A Warning header the gateway adds to a final response [RFC 3261 §20.43]. */
export interface SipWarning {
  code: number;
  text: string;
}

// RFC 3261 §21 unless noted: the phrases a gateway-generated response uses.
const reasonPhrases: Readonly<Record<number, string>> = {
  180: 'Ringing',
  183: 'Session Progress',
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  421: 'Extension Required',
  423: 'Interval Too Brief',
  469: 'Bad Info Package', // RFC 6086 §11.6
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  485: 'Ambiguous',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  493: 'Undecipherable',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

// RFC 3261 §21: an unknown code is treated as the x00 code of its class, so its phrase is too.
const classPhrases: Readonly<Record<number, string>> = {
  1: 'Trying',
  2: 'OK',
  3: 'Multiple Choices',
  4: 'Bad Request',
  5: 'Server Internal Error',
  6: 'Busy Everywhere',
};

/** The RFC 3261 reason phrase for `code` (the class default for codes without one). */
export function sipReasonPhrase(code: number): string {
  return reasonPhrases[code] ?? classPhrases[Math.floor(code / 100)] ?? 'Unknown';
}

export function sipStatus(code: number): SipStatus {
  return { code, phrase: sipReasonPhrase(code) };
}

// RFC 3261 §20.43 suggests these texts for the warn-codes the gateway uses.
const warningTexts: Readonly<Record<number, string>> = {
  302: 'Incompatible transport protocol',
  304: 'Media type not available',
  305: 'Incompatible media format',
  399: 'Miscellaneous warning',
};

/** The RFC 3261 §20.43 default text for a warn-code. */
export function defaultWarningText(code: number): string {
  return warningTexts[code] ?? 'Miscellaneous warning';
}

/**
 * A quoted-string with `"` and `\` escaped as quoted-pairs [RFC 3261 §25.1]. CR and LF cannot
 * appear even escaped, and human text (a Jingle `<text/>`, an error message) must never be able
 * to start a new header line, so control characters become spaces.
 */
export function sipQuotedString(text: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ');
  return `"${printable.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Warning header value `<code> <host> "<text>"` [RFC 3261 §20.43]. */
export function formatSipWarning(warning: SipWarning, host: string): string {
  return `${warning.code} ${host} ${sipQuotedString(warning.text)}`;
}
