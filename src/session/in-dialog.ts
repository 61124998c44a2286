/**
 * In-dialog SIP requests that do not end the call (spec §6.1 last rows, §3.5, §6.2, §9). Re-INVITE
 * and UPDATE that keep the DTLS association are answered locally with the session as it stands,
 * directions answered per RFC 3264 §6.1 (a hold offer gets recvonly/inactive) [RFC 3261 §14.2;
 * RFC 3311]; one asking for a new association is refused (spec §0.2, assertion 31). The call
 * goes on either way; the caller learns whether the peer now holds.
 */
import type { ExtraHeaders, SipDialog } from '../sip/dialog-types.ts';
import { headerText } from '../sip/message.ts';
import type { IncomingSipRequest } from '../sip/port.ts';
import { formatSipWarning } from '../mapping/reasons.ts';
import { answerDirection, bumpVersion, isHold, mediaDirections, withDirections } from './sdp-direction.ts';

export interface DialogSdp {
  localSdp: string | undefined;
  remoteSdp: string | undefined;
}

const sdpType = 'application/sdp';

/** What an answered in-dialog request changed: the bodies now in force, the peer's hold state. */
export interface InDialogOutcome {
  localSdp?: string;
  remoteSdp?: string;
  /** spec §6.2: the offer put us on hold (true) or resumed (false). */
  held?: boolean;
}

export function answerInDialogRequest(
  incoming: IncomingSipRequest,
  dialog: SipDialog,
  sdp: DialogSdp,
  sipDomain: string,
): InDialogOutcome {
  const { request } = incoming;
  const respond = (status: number, options: { body?: string; headers?: ExtraHeaders } = {}) => {
    const body = options.body;
    incoming.respond(
      dialog.makeResponse(request, status, {
        ...(body !== undefined ? { body, contentType: sdpType } : {}),
        ...(options.headers !== undefined ? { headers: options.headers } : {}),
      }),
    );
  };
  const warning = (text: string) => ({ Warning: formatSipWarning({ code: 399, text }, sipDomain) });
  switch (request.method) {
    case 'INVITE':
    case 'UPDATE': {
      const offer = request.content ?? '';
      if (sdp.localSdp === undefined) {
        respond(488);
        return {};
      }
      const current = answerFromLocal(sdp.localSdp, sdp.remoteSdp);
      if (offer.trim() === '') {
        // RFC 3261 §14.2: an offerless re-INVITE gets our session as the offer.
        respond(200, { body: current });
        return {};
      }
      if (sdp.remoteSdp !== undefined) {
        const change = associationChange(sdp.remoteSdp, offer);
        if (change !== undefined) {
          // RFC 8842 §5.5: a new tls-id or fingerprint asks for a new DTLS association (spec §3.5).
          respond(488, { headers: warning(change) });
          return {};
        }
      }
      const offered = mediaDirections(offer);
      if (offered.length !== mediaDirections(current).length) {
        // spec §6.1 maps added/removed m-lines to content-add/-remove, which the gateway does not do yet.
        respond(488, { headers: warning('adding or removing media streams is not supported') });
        return {};
      }
      let answer = withDirections(current, (i) => answerDirection(offered[i]!.direction));
      if (answer !== current) answer = bumpVersion(answer);
      respond(200, { body: answer });
      return { localSdp: answer, remoteSdp: offer, held: isHold(offer) };
    }
    case 'INFO':
      // RFC 6086 §4.2.2: an Info-Package we do not support → 469; legacy INFO is acknowledged.
      if (headerText(request.headers, 'info-package') !== undefined) {
        respond(469, { headers: { 'Recv-Info': '' } });
      } else {
        respond(200);
      }
      return {};
    case 'OPTIONS':
      respond(200);
      return {};
    default:
      respond(501);
      return {};
  }
}

function attributeValues(sdp: string, name: string): string[] {
  const prefix = `a=${name}:`;
  return sdp
    .split(/\r?\n/)
    .filter((line) => line.toLowerCase().startsWith(prefix))
    .map((line) => line.slice(prefix.length).trim().toLowerCase());
}

/** Why `next` asks for a different DTLS association than `previous`, or undefined. */
export function associationChange(previous: string, next: string): string | undefined {
  const before = attributeValues(previous, 'tls-id');
  const after = attributeValues(next, 'tls-id');
  if (before.length > 0 && after.length > 0 && before.join(' ') !== after.join(' ')) {
    return 'new DTLS association (tls-id changed) is not supported';
  }
  const fpBefore = attributeValues(previous, 'fingerprint').sort().join(' ');
  const fpAfter = attributeValues(next, 'fingerprint').sort().join(' ');
  if (fpBefore !== '' && fpAfter !== '' && fpBefore !== fpAfter) {
    return 'new DTLS association (fingerprint changed) is not supported';
  }
  return undefined;
}

/**
 * Our SDP as an answer to a refresh: an offer we sent may say `actpass`; the answer keeps the role the
 * first exchange settled (the complement of the peer's) [RFC 4145 §4.1; RFC 8842 §5.3].
 */
export function answerFromLocal(localSdp: string, remoteSdp: string | undefined): string {
  // RFC 5939 §3.6.3: the second offer carries the agreed configuration as the actual one, so
  // the answer to it is plain SDP without a=acfg.
  localSdp = localSdp.replace(/^a=acfg:.*\r?\n/gm, '');
  if (!/a=setup:actpass/i.test(localSdp)) return localSdp;
  const remoteSetup = remoteSdp === undefined ? [] : attributeValues(remoteSdp, 'setup');
  const ours = remoteSetup[0] === 'passive' ? 'active' : 'passive';
  return localSdp.replace(/a=setup:actpass/gi, `a=setup:${ours}`);
}
