import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildJingle, parseJingle, requireMediaSession } from '../../src/mapping/jingle/jingle.ts';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import type { MediaSession } from '../../src/mapping/model.ts';
import { assertXmlEqual } from '../helpers/xml-equal.ts';
import { FP1, FP256, FP256B } from '../helpers/jingle-fixtures.ts';

const rich: MediaSession = {
  contents: [
    {
      name: 'voice',
      creator: 'initiator',
      senders: 'both',
      description: {
        kind: 'rtp',
        media: 'audio',
        payloadTypes: [
          {
            id: 111,
            name: 'opus',
            clockrate: 48000,
            channels: 2,
            ptime: 20,
            maxptime: 120,
            parameters: [
              { name: 'minptime', value: '10' },
              { name: 'useinbandfec', value: '1' },
            ],
            feedback: [{ type: 'transport-cc' }],
          },
          { id: 0, name: 'PCMU', clockrate: 8000, parameters: [], feedback: [] },
          {
            id: 101,
            name: 'telephone-event',
            clockrate: 8000,
            parameters: [{ name: 'events', value: '0-15' }],
            feedback: [],
          },
        ],
        feedback: [],
        headerExtensions: [{ id: 1, uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', senders: 'both' }],
        extmapAllowMixed: true,
        rtcpMux: true,
        bandwidth: [{ type: 'AS', value: 64 }],
        crypto: [
          {
            tag: 1,
            suite: 'AES_CM_128_HMAC_SHA1_80',
            keyParams: 'inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32',
          },
        ],
        cryptoRequired: false,
        sources: [
          {
            ssrc: '3735928559',
            parameters: [
              { name: 'cname', value: 'romeo-audio' },
              { name: 'msid', value: 'stream0 track0' },
            ],
          },
        ],
        sourceGroups: [],
      },
      transport: {
        kind: 'ice-udp',
        ufrag: '8hhy',
        pwd: 'asd88fgpdd777uzjYhagZg',
        candidates: [
          {
            id: 'c1',
            foundation: '1',
            component: 1,
            protocol: 'udp',
            priority: 2130706431,
            ip: '10.0.1.1',
            port: 8998,
            type: 'host',
            generation: 0,
            network: 1,
          },
          {
            id: 'c2',
            foundation: '2',
            component: 1,
            protocol: 'udp',
            priority: 1694498815,
            ip: '192.0.2.3',
            port: 45664,
            type: 'srflx',
            relAddr: '10.0.1.1',
            relPort: 8998,
            generation: 0,
          },
          {
            id: 'c3',
            foundation: '3',
            component: 1,
            protocol: 'udp',
            priority: 2130706175,
            ip: '2001:db8::1',
            port: 9000,
            type: 'host',
            generation: 0,
          },
        ],
      },
      security: {
        kind: 'dtls',
        fingerprints: [
          { hash: 'sha-256', value: FP256 },
          { hash: 'sha-1', value: FP1 },
        ],
        setup: 'actpass',
      },
    },
    {
      name: 'webcam',
      creator: 'initiator',
      senders: 'initiator',
      description: {
        kind: 'rtp',
        media: 'video',
        ssrc: '1111',
        payloadTypes: [
          {
            id: 96,
            name: 'VP8',
            clockrate: 90000,
            parameters: [],
            feedback: [{ type: 'nack' }, { type: 'nack', subtype: 'pli' }, { type: 'ccm', subtype: 'fir' }],
            trrInt: 100,
          },
          { id: 97, name: 'rtx', clockrate: 90000, parameters: [{ name: 'apt', value: '96' }], feedback: [] },
        ],
        feedback: [{ type: 'goog-remb' }],
        trrInt: 50,
        headerExtensions: [
          { id: 2, uri: 'urn:ietf:params:rtp-hdrext:toffset', senders: 'initiator' },
          { id: 3, uri: 'urn:example:hdrext', senders: 'responder', attributes: 'flag k=v' },
        ],
        extmapAllowMixed: false,
        rtcpMux: true,
        bandwidth: [
          { type: 'AS', value: 512 },
          { type: 'TIAS', value: 500000 },
        ],
        crypto: [],
        cryptoRequired: true,
        sources: [
          { ssrc: '1111', parameters: [{ name: 'cname', value: 'romeo-video' }] },
          { ssrc: '2222', parameters: [{ name: 'cname', value: 'romeo-video' }, { name: 'x-flag' }] },
        ],
        sourceGroups: [{ semantics: 'FID', sources: ['1111', '2222'] }],
      },
      transport: {
        kind: 'ice-udp',
        ufrag: '8hhy',
        pwd: 'asd88fgpdd777uzjYhagZg',
        candidates: [],
        remoteCandidates: '1 10.0.1.2 9001',
      },
      security: {
        kind: 'xtls',
        fingerprints: [
          { hash: 'sha-256', value: FP256B },
          { hash: 'sha-1', value: FP1 },
        ],
        methods: ['x509', 'srp', 'openpgp'],
      },
    },
  ],
  groups: [{ semantics: 'BUNDLE', contents: ['voice', 'webcam'] }],
};

const richXml = `<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' initiator='romeo@montague.lit/orchard'
    sid='a73sjjvkla37jfea'>
  <content creator='initiator' name='voice' senders='both'>
    <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>
      <payload-type id='111' name='opus' clockrate='48000' channels='2' ptime='20' maxptime='120'>
        <parameter name='minptime' value='10'/>
        <parameter name='useinbandfec' value='1'/>
        <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='transport-cc'/>
      </payload-type>
      <payload-type id='0' name='PCMU' clockrate='8000'/>
      <payload-type id='101' name='telephone-event' clockrate='8000'><parameter name='events' value='0-15'/></payload-type>
      <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='1' uri='urn:ietf:params:rtp-hdrext:ssrc-audio-level'/>
      <extmap-allow-mixed xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0'/>
      <bandwidth type='AS'>64</bandwidth>
      <rtcp-mux/>
      <encryption>
        <crypto crypto-suite='AES_CM_128_HMAC_SHA1_80' key-params='inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32' tag='1'/>
      </encryption>
      <source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='3735928559'>
        <parameter name='cname' value='romeo-audio'/>
        <parameter name='msid' value='stream0 track0'/>
      </source>
    </description>
    <transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='8hhy' pwd='asd88fgpdd777uzjYhagZg'>
      <fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='actpass'>${FP256}</fingerprint>
      <fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-1' setup='actpass'>${FP1}</fingerprint>
      <candidate component='1' foundation='1' generation='0' id='c1' ip='10.0.1.1' network='1' port='8998' priority='2130706431' protocol='udp' type='host'/>
      <candidate component='1' foundation='2' generation='0' id='c2' ip='192.0.2.3' port='45664' priority='1694498815' protocol='udp' rel-addr='10.0.1.1' rel-port='8998' type='srflx'/>
      <candidate component='1' foundation='3' generation='0' id='c3' ip='2001:db8::1' port='9000' priority='2130706175' protocol='udp' type='host'/>
    </transport>
  </content>
  <content creator='initiator' name='webcam' senders='initiator'>
    <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='video' ssrc='1111'>
      <payload-type id='96' name='VP8' clockrate='90000'>
        <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='nack'/>
        <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='nack' subtype='pli'/>
        <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='ccm' subtype='fir'/>
        <rtcp-fb-trr-int xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' value='100'/>
      </payload-type>
      <payload-type id='97' name='rtx' clockrate='90000'><parameter name='apt' value='96'/></payload-type>
      <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='goog-remb'/>
      <rtcp-fb-trr-int xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' value='50'/>
      <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='2' uri='urn:ietf:params:rtp-hdrext:toffset' senders='initiator'/>
      <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='3' uri='urn:example:hdrext' senders='responder'>
        <parameter name='flag'/>
        <parameter name='k' value='v'/>
      </rtp-hdrext>
      <bandwidth type='AS'>512</bandwidth>
      <bandwidth type='TIAS'>500000</bandwidth>
      <rtcp-mux/>
      <encryption required='true'/>
      <source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1111'><parameter name='cname' value='romeo-video'/></source>
      <source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='2222'>
        <parameter name='cname' value='romeo-video'/>
        <parameter name='x-flag'/>
      </source>
      <ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='FID'><source ssrc='1111'/><source ssrc='2222'/></ssrc-group>
    </description>
    <transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='8hhy' pwd='asd88fgpdd777uzjYhagZg'>
      <remote-candidate component='1' ip='10.0.1.2' port='9001'/>
    </transport>
    <security xmlns='urn:xmpp:jingle:security:xtls:0'>
      <fingerprint algo='sha-256'>${FP256B}</fingerprint>
      <fingerprint algo='sha-1'>${FP1}</fingerprint>
      <method name='x509'/>
      <method name='srp'/>
      <method name='openpgp'/>
    </security>
  </content>
  <group xmlns='urn:xmpp:jingle:apps:grouping:0' semantics='BUNDLE'><content name='voice'/><content name='webcam'/></group>
</jingle>`;

const envelope = {
  action: 'session-initiate',
  sid: 'a73sjjvkla37jfea',
  initiator: 'romeo@montague.lit/orchard',
} as const;

describe('Jingle round trip of a rich session', () => {
  it('build writes the expected, deterministic XML', () => {
    assertXmlEqual(buildJingle({ ...envelope, session: rich }), richXml);
  });

  it('parse(build(x)) deep-equals x, through serialised text', () => {
    const text = buildJingle({ ...envelope, session: rich }).toString();
    const req = parseJingle(parseXmlElement(text));
    assert.equal(req.action, 'session-initiate');
    assert.equal(req.sid, envelope.sid);
    assert.equal(req.initiator, envelope.initiator);
    assert.deepEqual(requireMediaSession(req.session), rich);
  });

  it('build(parse(xml)) gives the XML back', () => {
    const req = parseJingle(parseXmlElement(richXml));
    assertXmlEqual(buildJingle({ ...envelope, session: req.session }), richXml);
  });

  it('defaults are the only thing a round trip normalises', () => {
    const withDefaults: MediaSession = structuredClone(rich);
    const voice = withDefaults.contents[0]!;
    if (voice.description.kind !== 'rtp') throw new Error('fixture');
    voice.description.payloadTypes[1]!.channels = 1;
    const back = requireMediaSession(parseJingle(buildJingle({ ...envelope, session: withDefaults })).session);
    assert.deepEqual(back, rich);
  });
});
