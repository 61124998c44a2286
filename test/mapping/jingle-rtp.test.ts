import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildJingle } from '../../src/mapping/jingle/jingle.ts';
import type { RtpDescription } from '../../src/mapping/model.ts';
import { assertXmlEqual } from '../helpers/xml-equal.ts';
import { RAW_UDP_J2, content, jingleIq, parseText, throwsCode } from '../helpers/jingle-fixtures.ts';

const RTP = 'urn:xmpp:jingle:apps:rtp:1';
const FB = 'urn:xmpp:jingle:apps:rtp:rtcp-fb:0';
const HDREXT = 'urn:xmpp:jingle:apps:rtp:rtp-hdrext:0';
const SSMA = 'urn:xmpp:jingle:apps:rtp:ssma:0';

function descriptionOf(inner: string, attrs = `media='audio'`): RtpDescription {
  const d = parseText(jingleIq(content(`<description xmlns='${RTP}' ${attrs}>${inner}</description>${RAW_UDP_J2}`)))
    .session.contents[0]!.description;
  assert.equal(d?.kind, 'rtp');
  return d;
}

function buildDescription(d: RtpDescription) {
  return buildJingle({
    action: 'description-info',
    sid: 's',
    session: { contents: [{ name: 'voice', creator: 'initiator', senders: 'both', description: d }], groups: [] },
  })
    .getChildElements()[0]!
    .getChildElements()[0]!;
}

const empty: Omit<RtpDescription, 'media'> = {
  kind: 'rtp',
  payloadTypes: [],
  feedback: [],
  headerExtensions: [],
  extmapAllowMixed: false,
  rtcpMux: false,
  bandwidth: [],
  crypto: [],
  cryptoRequired: false,
  sources: [],
  sourceGroups: [],
};

describe('XEP-0167 payload types', () => {
  it('speex/16000 ptime 40 with vbr and cng parameters (assertion 62 source)', () => {
    const d = descriptionOf(`<payload-type id='96' name='speex' clockrate='16000' ptime='40'>
        <parameter name='vbr' value='on'/><parameter name='cng' value='on'/></payload-type>`);
    assert.deepEqual(d.payloadTypes, [
      {
        id: 96,
        name: 'speex',
        clockrate: 16000,
        ptime: 40,
        parameters: [
          { name: 'vbr', value: 'on' },
          { name: 'cng', value: 'on' },
        ],
        feedback: [],
      },
    ]);
  });

  it('channels 2 is kept, channels 1 is the implicit default (assertion 63 source)', () => {
    const d = descriptionOf(`<payload-type id='103' name='L16' clockrate='16000' channels='2'/>
      <payload-type id='0' name='PCMU' clockrate='8000' channels='1' maxptime='60'/>`);
    assert.equal(d.payloadTypes[0]!.channels, 2);
    assert.equal(d.payloadTypes[1]!.channels, undefined);
    assert.equal(d.payloadTypes[1]!.maxptime, 60);
  });

  it('keeps document order (= preference)', () => {
    const d = descriptionOf(
      `<payload-type id='8'/><payload-type id='0'/><payload-type id='101' name='telephone-event' clockrate='8000'/>`,
    );
    assert.deepEqual(
      d.payloadTypes.map((pt) => pt.id),
      [8, 0, 101],
    );
  });

  it('bad ids and numbers → malformed-jingle', () => {
    throwsCode(() => descriptionOf(`<payload-type name='PCMU'/>`), 'malformed-jingle', `'id'`);
    throwsCode(() => descriptionOf(`<payload-type id='128'/>`), 'malformed-jingle');
    throwsCode(() => descriptionOf(`<payload-type id='0' clockrate='8k'/>`), 'malformed-jingle');
    throwsCode(() => descriptionOf(`<payload-type id='0' channels='0'/>`), 'malformed-jingle');
    throwsCode(() => descriptionOf(`<payload-type id='0'><parameter value='x'/></payload-type>`), 'malformed-jingle');
  });

  it('missing media → malformed-jingle', () => {
    throwsCode(() => descriptionOf(`<payload-type id='0'/>`, `ssrc='1'`), 'malformed-jingle', `'media'`);
  });

  it('description ssrc is kept', () => {
    assert.equal(descriptionOf('', `media='video' ssrc='1234'`).ssrc, '1234');
  });

  it('builds payload types without default channels', () => {
    const el = buildDescription({
      ...empty,
      media: 'audio',
      payloadTypes: [
        {
          id: 96,
          name: 'speex',
          clockrate: 16000,
          ptime: 40,
          parameters: [{ name: 'vbr', value: 'on' }],
          feedback: [],
        },
        { id: 0, name: 'PCMU', clockrate: 8000, channels: 1, parameters: [], feedback: [] },
        { id: 111, name: 'opus', clockrate: 48000, channels: 2, maxptime: 120, parameters: [], feedback: [] },
      ],
    });
    assertXmlEqual(
      el,
      `<description xmlns='${RTP}' media='audio'>
        <payload-type id='96' name='speex' clockrate='16000' ptime='40'><parameter name='vbr' value='on'/></payload-type>
        <payload-type id='0' name='PCMU' clockrate='8000'/>
        <payload-type id='111' name='opus' clockrate='48000' channels='2' maxptime='120'/>
      </description>`,
    );
  });
});

describe('XEP-0167 rtcp-mux, bandwidth, SDES encryption', () => {
  it('<bandwidth type=AS>128</bandwidth> and <rtcp-mux/> (assertion 65 source)', () => {
    const d = descriptionOf(`<payload-type id='0'/><bandwidth type='AS'>128</bandwidth><rtcp-mux/>`);
    assert.deepEqual(d.bandwidth, [{ type: 'AS', value: 128 }]);
    assert.equal(d.rtcpMux, true);
  });

  it('bad bandwidth → malformed-jingle', () => {
    throwsCode(() => descriptionOf(`<bandwidth type='AS'>lots</bandwidth>`), 'malformed-jingle');
    throwsCode(() => descriptionOf(`<bandwidth>128</bandwidth>`), 'malformed-jingle');
  });

  it('<encryption required><crypto/></encryption>', () => {
    const d = descriptionOf(`<encryption required='1'>
        <crypto crypto-suite='AES_CM_128_HMAC_SHA1_80' key-params='inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32'
          session-params='KDR=1 UNENCRYPTED_SRTCP' tag='1'/>
        <crypto crypto-suite='AES_CM_128_HMAC_SHA1_32' key-params='inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32' tag='2'/>
      </encryption>`);
    assert.equal(d.cryptoRequired, true);
    assert.deepEqual(d.crypto, [
      {
        tag: 1,
        suite: 'AES_CM_128_HMAC_SHA1_80',
        keyParams: 'inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32',
        sessionParams: 'KDR=1 UNENCRYPTED_SRTCP',
      },
      {
        tag: 2,
        suite: 'AES_CM_128_HMAC_SHA1_32',
        keyParams: 'inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32',
      },
    ]);
  });

  it('crypto without key-params or with a bad required flag → malformed-jingle', () => {
    throwsCode(
      () => descriptionOf(`<encryption><crypto crypto-suite='X' tag='1'/></encryption>`),
      'malformed-jingle',
      'key-params',
    );
    throwsCode(() => descriptionOf(`<encryption required='yes'/>`), 'malformed-jingle');
  });
});

describe('XEP-0293 RTCP feedback', () => {
  it('description-level and per-PT rtcp-fb and trr-int (assertions 66, 67 source)', () => {
    const d = descriptionOf(`<payload-type id='96' name='VP8' clockrate='90000'>
        <rtcp-fb xmlns='${FB}' type='ccm' subtype='fir'/>
        <rtcp-fb-trr-int xmlns='${FB}' value='100'/>
      </payload-type>
      <rtcp-fb xmlns='${FB}' type='nack' subtype='pli'/>
      <rtcp-fb xmlns='${FB}' type='nack'/>
      <rtcp-fb-trr-int xmlns='${FB}' value='50'/>`);
    assert.deepEqual(d.feedback, [{ type: 'nack', subtype: 'pli' }, { type: 'nack' }]);
    assert.equal(d.trrInt, 50);
    assert.deepEqual(d.payloadTypes[0]!.feedback, [{ type: 'ccm', subtype: 'fir' }]);
    assert.equal(d.payloadTypes[0]!.trrInt, 100);
  });

  it('rtcp-fb in the RTP namespace is not feedback', () => {
    assert.deepEqual(descriptionOf(`<rtcp-fb type='nack'/>`).feedback, []);
  });

  it('missing type or value → malformed-jingle', () => {
    throwsCode(() => descriptionOf(`<rtcp-fb xmlns='${FB}'/>`), 'malformed-jingle', `'type'`);
    throwsCode(() => descriptionOf(`<rtcp-fb-trr-int xmlns='${FB}'/>`), 'malformed-jingle', `'value'`);
  });
});

describe('XEP-0294 header extensions', () => {
  it('rtp-hdrext with senders, default both, parameters, and extmap-allow-mixed (assertion 68 source)', () => {
    const d =
      descriptionOf(`<rtp-hdrext xmlns='${HDREXT}' id='2' uri='urn:ietf:params:rtp-hdrext:toffset' senders='initiator'/>
      <rtp-hdrext xmlns='${HDREXT}' id='3' uri='urn:example:params'><parameter name='key'/><parameter name='a' value='b'/></rtp-hdrext>
      <extmap-allow-mixed xmlns='${HDREXT}'/>`);
    assert.deepEqual(d.headerExtensions, [
      { id: 2, uri: 'urn:ietf:params:rtp-hdrext:toffset', senders: 'initiator' },
      { id: 3, uri: 'urn:example:params', senders: 'both', attributes: 'key a=b' },
    ]);
    assert.equal(d.extmapAllowMixed, true);
  });

  it('bad id, missing uri or bad senders → malformed-jingle', () => {
    throwsCode(() => descriptionOf(`<rtp-hdrext xmlns='${HDREXT}' id='0' uri='u'/>`), 'malformed-jingle');
    throwsCode(() => descriptionOf(`<rtp-hdrext xmlns='${HDREXT}' id='5000' uri='u'/>`), 'malformed-jingle');
    throwsCode(() => descriptionOf(`<rtp-hdrext xmlns='${HDREXT}' id='1'/>`), 'malformed-jingle', `'uri'`);
    throwsCode(
      () => descriptionOf(`<rtp-hdrext xmlns='${HDREXT}' id='1' uri='u' senders='sendonly'/>`),
      'malformed-jingle',
    );
  });

  it('builds senders only when not both, attributes as parameters', () => {
    const el = buildDescription({
      ...empty,
      media: 'video',
      headerExtensions: [
        { id: 2, uri: 'urn:ietf:params:rtp-hdrext:toffset', senders: 'initiator' },
        { id: 3, uri: 'urn:example:params', senders: 'both', attributes: 'key a=b' },
      ],
      extmapAllowMixed: true,
    });
    assertXmlEqual(
      el,
      `<description xmlns='${RTP}' media='video'>
        <rtp-hdrext xmlns='${HDREXT}' id='2' uri='urn:ietf:params:rtp-hdrext:toffset' senders='initiator'/>
        <rtp-hdrext xmlns='${HDREXT}' id='3' uri='urn:example:params'><parameter name='key'/><parameter name='a' value='b'/></rtp-hdrext>
        <extmap-allow-mixed xmlns='${HDREXT}'/>
      </description>`,
    );
  });
});

describe('XEP-0339 sources', () => {
  it('sources with parameters and ssrc-groups', () => {
    const d =
      descriptionOf(`<source xmlns='${SSMA}' ssrc='1111'><parameter name='cname' value='x@y'/><parameter name='flag'/></source>
      <source xmlns='${SSMA}' ssrc='2222'/>
      <ssrc-group xmlns='${SSMA}' semantics='FID'><source ssrc='1111'/><source ssrc='2222'/></ssrc-group>`);
    assert.deepEqual(d.sources, [
      { ssrc: '1111', parameters: [{ name: 'cname', value: 'x@y' }, { name: 'flag' }] },
      { ssrc: '2222', parameters: [] },
    ]);
    assert.deepEqual(d.sourceGroups, [{ semantics: 'FID', sources: ['1111', '2222'] }]);
  });

  it('bad ssrc, empty group or missing semantics → malformed-jingle', () => {
    throwsCode(() => descriptionOf(`<source xmlns='${SSMA}' ssrc='4294967296'/>`), 'malformed-jingle');
    throwsCode(() => descriptionOf(`<source xmlns='${SSMA}'/>`), 'malformed-jingle', `'ssrc'`);
    throwsCode(() => descriptionOf(`<ssrc-group xmlns='${SSMA}' semantics='FID'/>`), 'malformed-jingle');
    throwsCode(() => descriptionOf(`<ssrc-group xmlns='${SSMA}'><source ssrc='1'/></ssrc-group>`), 'malformed-jingle');
  });
});
