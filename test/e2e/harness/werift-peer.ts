/**
 * An XMPP user's media engine for the "real encrypted call" test: werift 0.24 (npm) behind a
 * Jingle signalling connection, so that ICE, DTLS-SRTP and SRTP audio run end to end between
 * werift and a SIP phone (baresip) and only the signalling crosses the gateway (spec §10).
 *
 * werift on loopback: werift 0.24 leaves loopback ("internal") interfaces out of ICE gathering.
 * `iceAdditionalHostAddresses: ['127.0.0.1']` adds a 127.0.0.1 host candidate and
 * `iceInterfaceAddresses: { udp4: '127.0.0.1' }` binds its sockets there; werift then still
 * advertises the machine's other addresses, on sockets bound to 127.0.0.1 (unreachable at those
 * addresses), so only 127.0.0.1 candidates are put into the Jingle stanzas.
 */
import { xml, type Element } from '@xmpp/component';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { jingleChild, jingleToSdp, NS_ICE_UDP, NS_JINGLE, NS_RTP_INFO, sdpToJingle } from './jingle-sdp.ts';

export const WERIFT_HOST = '127.0.0.1';

/**
 * The part of an XMPP user (xmpp-user.ts) this module needs: the user's full JID, IQ requests
 * that resolve with the result (and reject on an error), and a wait for the next stanza that
 * matches. Incoming Jingle IQs must be acknowledged by the user connection (xmpp-user.ts does
 * that by default) unless `acknowledge` is set in the call options.
 */
export interface JingleSignalling {
  readonly fullJid: string;
  send(stanza: Element): Promise<void>;
  iq(stanza: Element, timeoutMs?: number): Promise<Element>;
  waitFor(predicate: (stanza: Element) => boolean, timeoutMs: number, description: string): Promise<Element>;
}

export interface CallOptions {
  /** Limit for the Jingle exchange and for each media promise (default 10 000 ms). */
  timeoutMs?: number;
  /** Send the IQ result for incoming Jingle sets here (when the user connection does not). */
  acknowledge?: boolean;
  /** RTP packets `srtpAudioReceived` waits for (default 5). */
  minPackets?: number;
}

export interface PlaceCallOptions extends CallOptions {
  /** The callee: a JID under the gateway's component domain. */
  to: string;
  sid: string;
}

export interface AnswerCallOptions extends CallOptions {
  /** Only a session-initiate from this JID (default: any). */
  from?: string;
  /** Send session-info `<ringing/>` before the accept (default true). */
  ring?: boolean;
}

export interface AudioReceived {
  payloadType: number;
  ssrc: number;
  packets: number;
}

export interface WeriftCall {
  readonly sid: string;
  /** The other party's JID (the gateway JID standing for the SIP phone). */
  readonly peer: string;
  readonly pc: RTCPeerConnection;
  readonly sessionInitiate: Element;
  readonly sessionAccept: Element;
  /** werift's own SDP (loopback candidates only) and the SDP it was given for the other side. */
  readonly localSdp: string;
  readonly remoteSdp: string;
  /** ICE reached connected or completed. */
  readonly iceConnected: Promise<void>;
  /** The DTLS handshake completed (werift's connectionState 'connected': ICE and DTLS). */
  readonly dtlsConnected: Promise<void>;
  /** `minPackets` RTP packets arrived and werift decrypted them (SRTP from the other side). */
  readonly srtpAudioReceived: Promise<AudioReceived>;
  packetsReceived(): number;
  /** ICE and connection state, packets received: for failure messages. */
  describe(): string;
  /** session-terminate with `reason` (default `success`), then close. */
  hangup(reason?: string): Promise<void>;
  /** Closes the peer connection (idempotent). */
  close(): Promise<void>;
}

/** A werift peer connection on loopback offering opus and PCMU audio. */
export function createLoopbackPeerConnection(): RTCPeerConnection {
  return new RTCPeerConnection({
    iceAdditionalHostAddresses: [WERIFT_HOST],
    iceInterfaceAddresses: { udp4: WERIFT_HOST },
    iceUseIpv6: false,
    codecs: {
      audio: [
        new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 }),
        new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }),
      ],
    },
  });
}

/** Drops `a=candidate` lines whose address is not `host` (see the header). */
export function keepCandidatesOn(sdp: string, host: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || line.split(' ')[4] === host)
    .join('\r\n');
}

/** Calls `to` over Jingle with werift's offer; resolves once the session-accept is applied. */
export async function placeCall(user: JingleSignalling, options: PlaceCallOptions): Promise<WeriftCall> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pc = createLoopbackPeerConnection();
  const media = watchMedia(pc, timeoutMs, options.minPackets ?? 5);
  try {
    pc.addTransceiver('audio', { direction: 'sendrecv' });
    await pc.setLocalDescription(await pc.createOffer());
    await gatheringComplete(pc, timeoutMs);
    const localSdp = keepCandidatesOn(pc.localDescription?.sdp ?? '', WERIFT_HOST);
    const initiate = sdpToJingle(localSdp, {
      action: 'session-initiate',
      sid: options.sid,
      initiator: user.fullJid,
      author: 'initiator',
    });
    const sessionInitiate = xml('iq', { type: 'set', to: options.to }, initiate);
    await user.iq(sessionInitiate, timeoutMs);
    const answer = await user.waitFor(
      (stanza) => isJingleFrom(stanza, options.sid, ['session-accept', 'session-terminate']),
      timeoutMs,
      `session-accept for ${options.sid}`,
    );
    if (options.acknowledge === true) await acknowledge(user, answer);
    const accept = jingleChild(answer)!;
    if (accept.attrs.action === 'session-terminate') {
      throw new Error(`call ${options.sid} ended before it was accepted: ${answer.toString()}`);
    }
    requireIce(accept);
    const remoteSdp = jingleToSdp(accept, { author: 'responder' });
    await pc.setRemoteDescription({ type: 'answer', sdp: remoteSdp });
    return callHandle(user, pc, media, {
      sid: options.sid,
      peer: options.to,
      sessionInitiate,
      sessionAccept: answer,
      localSdp,
      remoteSdp,
    });
  } catch (error) {
    media.stop();
    await pc.close();
    throw error;
  }
}

/** Waits for a session-initiate, answers it with werift; resolves once the accept is sent. */
export async function answerCall(user: JingleSignalling, options: AnswerCallOptions = {}): Promise<WeriftCall> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const offer = await user.waitFor(
    (stanza) =>
      isJingleFrom(stanza, undefined, ['session-initiate']) &&
      (options.from === undefined || stanza.attrs.from === options.from),
    timeoutMs,
    'session-initiate',
  );
  if (options.acknowledge === true) await acknowledge(user, offer);
  const initiate = jingleChild(offer)!;
  const sid = initiate.attrs.sid ?? '';
  const peer = offer.attrs.from ?? '';
  requireIce(initiate);
  const pc = createLoopbackPeerConnection();
  const media = watchMedia(pc, timeoutMs, options.minPackets ?? 5);
  try {
    const remoteSdp = jingleToSdp(initiate, { author: 'initiator' });
    await pc.setRemoteDescription({ type: 'offer', sdp: remoteSdp });
    for (const transceiver of pc.getTransceivers()) transceiver.setDirection('sendrecv');
    if (options.ring ?? true) {
      await user.iq(
        xml(
          'iq',
          { type: 'set', to: peer },
          xml('jingle', { xmlns: NS_JINGLE, action: 'session-info', sid }, xml('ringing', { xmlns: NS_RTP_INFO })),
        ),
        timeoutMs,
      );
    }
    await pc.setLocalDescription(await pc.createAnswer());
    await gatheringComplete(pc, timeoutMs);
    const localSdp = keepCandidatesOn(pc.localDescription?.sdp ?? '', WERIFT_HOST);
    const accept = sdpToJingle(localSdp, {
      action: 'session-accept',
      sid,
      initiator: initiate.attrs.initiator,
      responder: user.fullJid,
      author: 'responder',
      contentNames: initiate.getChildren('content').map((content) => content.attrs.name ?? ''),
    });
    const sessionAccept = xml('iq', { type: 'set', to: peer }, accept);
    await user.iq(sessionAccept, timeoutMs);
    return callHandle(user, pc, media, { sid, peer, sessionInitiate: offer, sessionAccept, localSdp, remoteSdp });
  } catch (error) {
    media.stop();
    await pc.close();
    throw error;
  }
}

function isJingleFrom(stanza: Element, sid: string | undefined, actions: string[]): boolean {
  if (stanza.name !== 'iq' || stanza.attrs.type !== 'set') return false;
  const jingle = jingleChild(stanza);
  return (
    jingle !== undefined &&
    actions.includes(jingle.attrs.action ?? '') &&
    (sid === undefined || jingle.attrs.sid === sid)
  );
}

async function acknowledge(user: JingleSignalling, request: Element): Promise<void> {
  await user.send(xml('iq', { type: 'result', id: request.attrs.id, to: request.attrs.from }));
}

/** werift has no Raw UDP: a WebRTC endpoint needs ICE (spec §10: ICE-UDP answers ICE-UDP). */
function requireIce(jingle: Element): void {
  for (const content of jingle.getChildren('content')) {
    if (content.getChild('transport', NS_ICE_UDP) === undefined) {
      throw new Error(
        `content ${content.attrs.name ?? ''} has no ICE-UDP transport; werift needs ICE: ${jingle.toString()}`,
      );
    }
  }
}

function gatheringComplete(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unSubscribe();
      reject(new Error(`werift ICE gathering not complete within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = pc.iceGatheringStateChange.subscribe((state) => {
      if (state !== 'complete') return;
      clearTimeout(timer);
      subscription.unSubscribe();
      resolve();
    });
  });
}

interface MediaWatch {
  iceConnected: Promise<void>;
  dtlsConnected: Promise<void>;
  srtpAudioReceived: Promise<AudioReceived>;
  packets(): number;
  stop(): void;
}

/** The three media milestones as promises, each failing after `timeoutMs` or on 'failed'. */
function watchMedia(pc: RTCPeerConnection, timeoutMs: number, minPackets: number): MediaWatch {
  const timers: NodeJS.Timeout[] = [];
  let packets = 0;
  const states = (): string =>
    `ICE ${pc.iceConnectionState}, connection ${pc.connectionState}, ${String(packets)} RTP packets`;
  const milestone = <T>(what: string, start: (resolve: (value: T) => void, reject: (error: Error) => void) => void) => {
    const promise = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`werift: ${what} not reached within ${timeoutMs} ms (${states()})`));
      }, timeoutMs);
      // A call the test forgot to close must not keep the process alive for the timeout.
      timer.unref();
      timers.push(timer);
      start(resolve, reject);
    });
    // Settled promises nobody awaited must not become unhandled rejections.
    promise.catch(() => undefined);
    return promise;
  };
  const iceConnected = milestone<undefined>('ICE connected', (resolve, reject) => {
    pc.iceConnectionStateChange.subscribe((state) => {
      if (state === 'connected' || state === 'completed') resolve(undefined);
      if (state === 'failed' || state === 'closed') reject(new Error(`werift: ICE ${state} (${states()})`));
    });
  });
  const dtlsConnected = milestone<undefined>('DTLS connected', (resolve, reject) => {
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') resolve(undefined);
      if (state === 'failed' || state === 'closed') reject(new Error(`werift: connection ${state} (${states()})`));
    });
  });
  const srtpAudioReceived = milestone<AudioReceived>('SRTP audio received', (resolve) => {
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((packet) => {
        packets += 1;
        if (packets === minPackets) {
          resolve({ payloadType: packet.header.payloadType, ssrc: packet.header.ssrc, packets });
        }
      });
    });
  });
  return {
    iceConnected: iceConnected.then(() => undefined),
    dtlsConnected: dtlsConnected.then(() => undefined),
    srtpAudioReceived,
    packets: () => packets,
    stop: () => {
      for (const timer of timers) clearTimeout(timer);
    },
  };
}

interface CallFacts {
  sid: string;
  peer: string;
  sessionInitiate: Element;
  sessionAccept: Element;
  localSdp: string;
  remoteSdp: string;
}

function callHandle(user: JingleSignalling, pc: RTCPeerConnection, media: MediaWatch, facts: CallFacts): WeriftCall {
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    media.stop();
    await pc.close();
  };
  const handle: WeriftCall = {
    ...facts,
    pc,
    iceConnected: media.iceConnected,
    dtlsConnected: media.dtlsConnected,
    srtpAudioReceived: media.srtpAudioReceived,
    packetsReceived: () => media.packets(),
    describe: () =>
      `werift call ${facts.sid}: ICE ${pc.iceConnectionState}, connection ${pc.connectionState}, ` +
      `${String(media.packets())} RTP packets\nlocal SDP:\n${facts.localSdp}\nremote SDP:\n${facts.remoteSdp}`,
    hangup: async (reason = 'success') => {
      try {
        await user.iq(
          xml(
            'iq',
            { type: 'set', to: facts.peer },
            xml(
              'jingle',
              { xmlns: NS_JINGLE, action: 'session-terminate', sid: facts.sid },
              xml('reason', {}, xml(reason)),
            ),
          ),
        );
      } finally {
        await close();
      }
    },
    close,
  };
  return handle;
}
