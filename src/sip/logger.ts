/** The logging surface the SIP layer uses: pino's (object first, message second). */
export type SipLogFn = (fields: Record<string, unknown>, message?: string) => void;

export interface SipLogger {
  trace: SipLogFn;
  debug: SipLogFn;
  warn: SipLogFn;
  error: SipLogFn;
}
