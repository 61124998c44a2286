/**
 * XEP-0166 Jingle 1.1.2 (`urn:xmpp:jingle:1`): the `<jingle action sid initiator responder>`
 * envelope ⇄ a `JingleRequest` holding the neutral model [X166 §7; §1.1, §6.1].
 *
 *   <jingle/> ──parseJingle──▶ JingleRequest { action, sid, session, reasonElement, infoPayloads }
 *   <jingle/> ◀──buildJingle── { action, sid, initiator, responder, session, extra }
 *
 * Faults are GatewayErrors. Those answered with an IQ error (malformed stanza, bad setup,
 * fingerprint syntax, ICE credentials) are thrown at once; those answered with an IQ result and
 * a session-terminate (unsupported transport or application, hash policy) only after the whole
 * stanza has been read, so an invalid stanza is never acknowledged [X166 §6.3.2].
 */
import { xml, type Element } from '@xmpp/component';
import { GatewayError } from '../errors.ts';
import { checkJingleLimits } from '../limits.ts';
import type { ContentGroup, MediaSession } from '../model.ts';
import { malformed, optionalAttr, requiredAttr } from './attrs.ts';
import {
  buildContent,
  isCompleteContent,
  parseContent,
  type ContentParseContext,
  type JingleContent,
} from './content.ts';
import { buildGroup, parseGroups } from './grouping.ts';
import { NS_GROUPING, NS_JINGLE } from './namespaces.ts';

export type { JingleContent } from './content.ts';
export { isCompleteContent } from './content.ts';

/** The fifteen actions of X166 §7.2 (table in §7.1). */
export const jingleActions = [
  'content-accept',
  'content-add',
  'content-modify',
  'content-reject',
  'content-remove',
  'description-info',
  'security-info',
  'session-accept',
  'session-info',
  'session-initiate',
  'session-terminate',
  'transport-accept',
  'transport-info',
  'transport-reject',
  'transport-replace',
] as const;

export type JingleAction = (typeof jingleActions)[number];

export function isJingleAction(value: string): value is JingleAction {
  return (jingleActions as readonly string[]).includes(value);
}

/** Actions whose contents must each carry a description and a transport [X166 §7.2.1, §7.2.8, §7.2.10]. */
const completeActions: ReadonlySet<JingleAction> = new Set(['session-initiate', 'session-accept', 'content-add']);

/** Contents and groups of one stanza; for the complete actions every content is a `MediaContent`. */
export interface JingleSession {
  contents: JingleContent[];
  groups: ContentGroup[];
}

export interface JingleRequest {
  action: JingleAction;
  sid: string;
  initiator?: string;
  responder?: string;
  /** Empty contents for session-info/-terminate; a `MediaSession` for the complete actions. */
  session: JingleSession;
  /** The raw `<reason/>` child, if any (reasons are mapped elsewhere, §6.3). */
  reasonElement?: Element;
  /** Children other than `<content/>`, `<reason/>` and XEP-0338 `<group/>` (session-info payloads, §6.2). */
  infoPayloads: Element[];
}

export function parseJingle(jingle: Element): JingleRequest {
  if (jingle.getName() !== 'jingle') throw malformed(`expected <jingle/>, got <${jingle.getName()}/>`);
  const ns = jingle.getNS();
  if (ns !== NS_JINGLE) {
    // X166 §6.5 / §10: e.g. the pre-1.0 urn:xmpp:jingle:0 → service-unavailable
    throw new GatewayError('unsupported-jingle-namespace', `Jingle namespace ${ns ?? '(none)'} is not supported`);
  }
  // Counted before any content is parsed, so the work below stays bounded (limits.ts).
  checkJingleLimits(jingle);
  const actionText = requiredAttr(jingle, 'action');
  if (!isJingleAction(actionText)) {
    throw new GatewayError('unknown-action', `unknown Jingle action ${actionText.slice(0, 40)}`);
  }
  const action = actionText;
  const request: JingleRequest = {
    action,
    sid: requiredAttr(jingle, 'sid'),
    session: { contents: [], groups: [] },
    infoPayloads: [],
  };
  const initiator = optionalAttr(jingle, 'initiator');
  if (initiator !== undefined && initiator !== '') request.initiator = initiator;
  else if (action === 'session-initiate') throw malformed(`session-initiate lacks the 'initiator' attribute`);
  const responder = optionalAttr(jingle, 'responder');
  if (responder !== undefined && responder !== '') request.responder = responder;

  let terminal: GatewayError | undefined;
  const ctx: ContentParseContext = {
    action,
    complete: completeActions.has(action),
    deferTerminal(parse) {
      try {
        return parse();
      } catch (err) {
        if (!(err instanceof GatewayError) || err.entry.xmpp.disposition !== 'terminate') throw err;
        terminal ??= err;
        return undefined;
      }
    },
  };

  const names = new Set<string>();
  for (const child of jingle.getChildElements()) {
    const childNs = child.getNS();
    if (child.getName() === 'content' && childNs === NS_JINGLE) {
      const content = parseContent(child, ctx);
      // Content names become a=mid values, which must be unique in the description [RFC5888 §4].
      if (names.has(content.name)) throw malformed(`two contents are named ${content.name}`);
      names.add(content.name);
      request.session.contents.push(content);
    } else if (child.getName() === 'reason' && childNs === NS_JINGLE) {
      if (request.reasonElement !== undefined) throw malformed('<jingle/> has more than one <reason/>');
      request.reasonElement = child;
    } else if (!(child.getName() === 'group' && childNs === NS_GROUPING)) {
      request.infoPayloads.push(child);
    }
  }
  request.session.groups = parseGroups(jingle);

  if (ctx.complete) checkCompleteContents(action, request.session.contents);
  if (terminal !== undefined) throw terminal;
  return request;
}

function checkCompleteContents(action: JingleAction, contents: readonly JingleContent[]): void {
  if (contents.length === 0) throw malformed(`${action} has no <content/>`);
  const only = contents.length === 1 ? contents[0] : undefined;
  // X166 §7.3 disposition; RFC 3959: a body that is not the session description has no SDP form.
  if (only?.disposition !== undefined && only.disposition !== 'session') {
    throw new GatewayError(
      'non-session-disposition',
      `the only content has disposition '${only.disposition.slice(0, 30)}', not 'session'`,
    );
  }
}

/**
 * The contents of a parsed complete action as a `MediaSession`; `malformed-jingle` if a content
 * lacks its description or transport (never the case after parseJingle for session-initiate,
 * session-accept and content-add).
 */
export function requireMediaSession(session: JingleSession): MediaSession {
  const contents = session.contents.map((c) => {
    if (!isCompleteContent(c)) throw malformed(`content ${c.name} needs a <description/> and a <transport/>`);
    return c;
  });
  return { contents, groups: session.groups };
}

export interface JingleBuildInput {
  action: JingleAction;
  sid: string;
  initiator?: string;
  responder?: string;
  /** A `MediaSession`, or partial contents (transport-info, content-remove). */
  session?: JingleSession;
  /** Appended after contents and groups, e.g. `<reason/>` or a session-info payload. */
  extra?: Element[];
}

/** `<jingle xmlns='urn:xmpp:jingle:1'>`: contents in model order, then groups, then `extra`. */
export function buildJingle(req: JingleBuildInput): Element {
  return xml(
    'jingle',
    { xmlns: NS_JINGLE, action: req.action, initiator: req.initiator, responder: req.responder, sid: req.sid },
    (req.session?.contents ?? []).map(buildContent),
    (req.session?.groups ?? []).map(buildGroup),
    req.extra ?? [],
  );
}
