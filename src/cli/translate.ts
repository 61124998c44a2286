/**
 * `jingle-sip-gateway translate`: the mapping core, offline. Reads a Jingle element (or a whole
 * <iq/>) or an SDP body (or a whole SIP message), prints the other side. Answers need the offer
 * they answer (`--answer-to`), so roles, senders and a=acfg come out right.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Element } from '@xmpp/component';
import { loadMappingOptions, formatProblems } from '../config/load.ts';
import type { MappingOptions } from '../config/schema.ts';
import { GatewayError } from '../mapping/errors.ts';
import { randomIdSource, sequentialIdSource, type IdSource } from '../mapping/ids.ts';
import { buildJingle, parseJingle, requireMediaSession, type JingleRequest } from '../mapping/jingle/jingle.ts';
import { findJingle, parseXmlElement } from '../mapping/jingle/xml.ts';
import type { MediaSession } from '../mapping/model.ts';
import { sipResponseForGatewayError } from '../mapping/reasons/gateway-error.ts';
import { jingleAnswerToSdp } from '../mapping/translate/jingle-answer.ts';
import { jingleOfferToSdp, type JingleOffer } from '../mapping/translate/jingle-offer.ts';
import type { TranslateOptions } from '../mapping/translate/options.ts';
import { sdpAnswerToJingle } from '../mapping/translate/sdp-answer.ts';
import { inspectSdpOffer, sdpOfferToJingle, type SecurityMechanism } from '../mapping/translate/sdp-offer.ts';
import { CliUsageError, type CliIo } from './io.ts';
import { prettyXml } from './pretty-xml.ts';
import { readSdpInput, type SdpInput } from './sip-input.ts';

export const translateUsage = `Usage: jingle-sip-gateway translate --from jingle|sdp [FILE] [options]

Reads FILE (or standard input) and prints the translation:
  --from jingle   a <jingle/> element or a whole <iq/>: session-initiate → SDP offer,
                  session-accept (with --answer-to SDP-OFFER) → SDP answer
  --from sdp      an SDP body or a whole SIP message: offer → <jingle action='session-initiate'/>,
                  answer (with --answer-to JINGLE-OFFER) → <jingle action='session-accept'/>

Options:
  --answer-to FILE   the offer the input answers (SDP for --from jingle, Jingle for --from sdp)
  --config FILE      JSON config file (mapping keys of docs/configuration.md)
  --set KEY=VALUE    one config key, e.g. --set sdp.xtlsOffer=direct (repeatable)
  --sid SID          Jingle sid for SDP input (default: from the Call-ID, else 'translate')
  --second-offer     after a session-accept, also print the RFC 5939 second offer when one is due
  --deterministic    predictable tls-id, candidate ids and o= session id (for tests and diffs)
  -h, --help         this text

Environment: GW_* variables (e.g. GW_SDP_XTLS_OFFER=direct, GW_XTLS_OFFER_SETUP=actpass).
Exit codes: 0 translated, 1 the input was rejected (code, XMPP condition and SIP status on
stderr), 2 usage or configuration error.
`;

interface TranslateContext {
  mapping: MappingOptions;
  options: TranslateOptions;
  ids: IdSource;
  origin: { sessionId: string; sessionVersion: number; address: string };
}

export async function runTranslate(argv: string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        'answer-to': { type: 'string' },
        config: { type: 'string' },
        set: { type: 'string', multiple: true },
        sid: { type: 'string' },
        'second-offer': { type: 'boolean' },
        deterministic: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new CliUsageError(`translate: ${(err as Error).message}\n\n${translateUsage}`);
  }
  const { values, positionals } = args;
  if (values.help === true) {
    io.stdout(translateUsage);
    return 0;
  }
  if (values.from !== 'jingle' && values.from !== 'sdp') {
    throw new CliUsageError(`translate: --from must be 'jingle' or 'sdp'\n\n${translateUsage}`);
  }
  if (positionals.length > 1) throw new CliUsageError('translate: at most one input FILE');
  const loaded = loadMappingOptions({ file: values.config, env: io.env, sets: values.set });
  if (!loaded.ok) throw new CliUsageError(`translate: invalid configuration\n${formatProblems(loaded.problems)}`);
  const ids = values.deterministic === true ? sequentialIdSource() : randomIdSource();
  const ctx: TranslateContext = {
    mapping: loaded.config,
    options: translateOptionsOf(loaded.config),
    ids,
    origin: { sessionId: ids.sessionId(), sessionVersion: 1, address: '0.0.0.0' },
  };
  const input = positionals[0] !== undefined ? await readText(positionals[0]) : await io.readStdin();
  const answerTo = values['answer-to'] !== undefined ? await readText(values['answer-to']) : undefined;
  try {
    const out =
      values.from === 'jingle'
        ? fromJingle(input, answerTo, ctx)
        : fromSdp(input, answerTo, ctx, values.sid, values['second-offer'] === true);
    io.stdout(out);
    return 0;
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    io.stderr(describeRejection(err, ctx.mapping.sip.domain));
    return 1;
  }
}

function fromJingle(input: string, answerTo: string | undefined, ctx: TranslateContext): string {
  const request = parseJingleText(input);
  if (request.action === 'session-initiate') {
    return jingleOfferToSdp(requireMediaSession(request.session), ctx.options, ctx.ids, ctx.origin).sdp;
  }
  if (request.action !== 'session-accept') {
    throw new CliUsageError(`translate: a <jingle action='${request.action}'/> has no SDP form here`);
  }
  if (answerTo === undefined) throw new CliUsageError('translate: a session-accept needs --answer-to SDP-OFFER');
  const accept = requireMediaSession(request.session);
  const inspected = inspectSdpOffer(readSdpInput(answerTo).sdp);
  const offer = sdpOfferToJingle(inspected, mechanismFor(ctx.mapping, accept), ctx.ids);
  return jingleAnswerToSdp(accept, offer, ctx.options, ctx.ids, ctx.origin);
}

function fromSdp(
  input: string,
  answerTo: string | undefined,
  ctx: TranslateContext,
  sidFlag: string | undefined,
  printSecondOffer: boolean,
): string {
  const sdp = readSdpInput(input);
  if (answerTo === undefined) {
    const offer = sdpOfferToJingle(inspectSdpOffer(sdp.sdp), mechanismFor(ctx.mapping), ctx.ids);
    const jingle = buildJingle({
      action: 'session-initiate',
      sid: sidFlag ?? sdp.sid ?? 'translate',
      initiator: initiatorFor(sdp, ctx),
      session: offer.session,
    });
    return prettyXml(jingle);
  }
  const initiate = parseJingleText(answerTo);
  if (initiate.action !== 'session-initiate') {
    throw new CliUsageError('translate: --answer-to must hold the session-initiate the SDP answers');
  }
  const offer: JingleOffer = jingleOfferToSdp(requireMediaSession(initiate.session), ctx.options, ctx.ids, ctx.origin);
  const result = sdpAnswerToJingle(sdp.sdp, offer, ctx.options, ctx.ids);
  const accept = acceptSession(result.session);
  const jingle = buildJingle({
    action: 'session-accept',
    sid: initiate.sid,
    ...(initiate.initiator !== undefined ? { initiator: initiate.initiator } : {}),
    session: accept,
  });
  let out = prettyXml(jingle);
  if (printSecondOffer && result.secondOffer) out += `\n${result.secondOffer.sdp}`;
  return out;
}

/** Rejected m-lines are not accepted contents (X166 §7.2.10: session-accept lists what is accepted). */
function acceptSession(session: MediaSession): MediaSession {
  const contents = session.contents.filter((c) => c.rejected !== true);
  const names = new Set(contents.map((c) => c.name));
  return { contents, groups: session.groups.filter((g) => g.contents.every((n) => names.has(n))) };
}

function parseJingleText(text: string): JingleRequest {
  const el: Element = parseXmlElement(text.replace(/^\s*(#[^\n]*\n\s*)*/, ''));
  return parseJingle(findJingle(el));
}

/**
 * Offline there is no callee to ask (spec §1.3.2 disco#info), so `auto` means XEP-0320 — what
 * Conversations and Dino support — unless the session-accept being translated carries XTLS.
 */
function mechanismFor(mapping: MappingOptions, accept?: MediaSession): SecurityMechanism {
  if (mapping.jingle.security === 'dtls' || mapping.jingle.security === 'xtls') return mapping.jingle.security;
  return accept?.contents.some((c) => c.security?.kind === 'xtls') === true ? 'xtls' : 'dtls';
}

function initiatorFor(sdp: SdpInput, ctx: TranslateContext): string {
  return sdp.callerJid?.(ctx.mapping) ?? `sip-caller@${ctx.mapping.xmpp.domain}/sip`;
}

export function translateOptionsOf(mapping: MappingOptions): TranslateOptions {
  return {
    dtlsOffer: mapping.sdp.dtlsOffer,
    xtlsOffer: mapping.sdp.xtlsOffer,
    xtlsOfferSetup: mapping.xtls.offerSetup,
    tlsMethodsAttribute: mapping.sdp.tlsMethodsAttribute,
    capnegSecondOffer: mapping.sdp.capnegSecondOffer,
  };
}

/** stderr text for a rejection: the stable code, what XMPP and SIP would be told. */
export function describeRejection(err: GatewayError, sipDomain: string): string {
  const x = err.entry.xmpp;
  const xmpp =
    x.disposition === 'iq-error'
      ? `IQ error ${x.condition} (${x.type})${x.jingle !== undefined ? ` + <${x.jingle}/>` : ''}`
      : `IQ result, then session-terminate <${err.jingleReason}/>`;
  const sip = sipResponseForGatewayError(err, sipDomain);
  const warning = sip.warning !== undefined ? `, Warning: ${sip.warning}` : '';
  return `error: ${err.code}: ${err.message}\n  xmpp: ${xmpp}\n  sip:  ${sip.status} ${sip.phrase}${warning}\n`;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CliUsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
