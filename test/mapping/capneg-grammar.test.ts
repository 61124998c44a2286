import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatAcap,
  formatAcfg,
  formatOptionTags,
  formatPcfg,
  formatTcap,
  parseAcap,
  parseAcfg,
  parseCapnegNumber,
  parseOptionTags,
  parsePcfg,
  parseTcap,
} from '../../src/mapping/capneg/grammar.ts';

describe('capneg numbers [RFC5939 §3.3.1]', () => {
  it('accepts 1 .. 2^31-1 written as 1*10DIGIT', () => {
    assert.equal(parseCapnegNumber('1'), 1);
    assert.equal(parseCapnegNumber('2147483647'), 2147483647);
    assert.equal(parseCapnegNumber('007'), 7);
  });
  it('rejects 0, 2^31, more than 10 digits, signs and blanks', () => {
    assert.equal(parseCapnegNumber('0'), undefined);
    assert.equal(parseCapnegNumber('2147483648'), undefined);
    assert.equal(parseCapnegNumber('00000000001'), undefined);
    assert.equal(parseCapnegNumber('-1'), undefined);
    assert.equal(parseCapnegNumber('+1'), undefined);
    assert.equal(parseCapnegNumber(''), undefined);
    assert.equal(parseCapnegNumber(' 1'), undefined);
  });
});

describe('a=csup / a=creq option-tag lists', () => {
  it('parses comma lists without white space', () => {
    assert.deepEqual(parseOptionTags('cap-v0'), ['cap-v0']);
    assert.deepEqual(parseOptionTags('cap-v0,med-v0,foo'), ['cap-v0', 'med-v0', 'foo']);
  });
  it('rejects white space, empty tags and non-token characters', () => {
    assert.equal(parseOptionTags('cap-v0, foo'), undefined);
    assert.equal(parseOptionTags('cap-v0,'), undefined);
    assert.equal(parseOptionTags(''), undefined);
    assert.equal(parseOptionTags('cap:v0'), undefined);
  });
  it('formats', () => {
    assert.equal(formatOptionTags(['cap-v0']), 'cap-v0');
    assert.equal(formatOptionTags(['cap-v0', 'foo']), 'cap-v0,foo');
    assert.throws(() => formatOptionTags([]), RangeError);
  });
});

describe('a=acap [RFC5939 §3.3.1]', () => {
  it('parses name:value and property attributes', () => {
    assert.deepEqual(parseAcap('1 setup:actpass'), { number: 1, name: 'setup', value: 'actpass' });
    assert.deepEqual(parseAcap('3 tls-methods:x509 srp'), { number: 3, name: 'tls-methods', value: 'x509 srp' });
    assert.deepEqual(parseAcap('12\trtcp-mux'), { number: 12, name: 'rtcp-mux', value: undefined });
    assert.deepEqual(parseAcap('2  fingerprint:sha-256 02:1A'), {
      number: 2,
      name: 'fingerprint',
      value: 'sha-256 02:1A',
    });
  });
  it('rejects a missing separator, a bad number, an empty name or value', () => {
    assert.equal(parseAcap('1'), undefined);
    assert.equal(parseAcap('1setup:actpass'), undefined);
    assert.equal(parseAcap(' 1 setup:actpass'), undefined);
    assert.equal(parseAcap('0 setup:actpass'), undefined);
    assert.equal(parseAcap('1 :actpass'), undefined);
    assert.equal(parseAcap('1 setup:'), undefined);
    assert.equal(parseAcap('1 a=setup:actpass'), undefined);
  });
  it('formats', () => {
    assert.equal(formatAcap({ number: 1, name: 'setup', value: 'actpass' }), '1 setup:actpass');
    assert.equal(formatAcap({ number: 4, name: 'rtcp-mux', value: undefined }), '4 rtcp-mux');
  });
});

describe('a=tcap [RFC5939 §3.4.2]', () => {
  it('parses one or more protos', () => {
    assert.deepEqual(parseTcap('1 UDP/TLS/RTP/SAVP RTP/AVP'), { first: 1, protos: ['UDP/TLS/RTP/SAVP', 'RTP/AVP'] });
    assert.deepEqual(parseTcap('5 RTP/SAVPF'), { first: 5, protos: ['RTP/SAVPF'] });
    assert.deepEqual(parseTcap('3\tRTP/AVP  RTP/AVPF'), { first: 3, protos: ['RTP/AVP', 'RTP/AVPF'] });
  });
  it('rejects no proto, malformed protos, trailing blanks and numbers past 2^31-1', () => {
    assert.equal(parseTcap('1'), undefined);
    assert.equal(parseTcap('1 RTP//AVP'), undefined);
    assert.equal(parseTcap('1 RTP/AVP '), undefined);
    assert.equal(parseTcap('1 RTP/AVP,RTP/SAVP'), undefined);
    assert.equal(parseTcap('2147483647 RTP/AVP RTP/SAVP'), undefined);
    assert.deepEqual(parseTcap('2147483647 RTP/AVP'), { first: 2147483647, protos: ['RTP/AVP'] });
  });
  it('formats', () => {
    assert.equal(formatTcap({ first: 3, protos: ['UDP/TLS/RTP/SAVP', 'RTP/AVP'] }), '3 UDP/TLS/RTP/SAVP RTP/AVP');
  });
});

describe('a=pcfg [RFC5939 §3.5.1]', () => {
  it('parses a bare config number (the actual configuration)', () => {
    assert.deepEqual(parsePcfg('1'), { configNumber: 1, lists: [] });
  });
  it('parses t= alternatives', () => {
    assert.deepEqual(parsePcfg('1 t=1'), { configNumber: 1, lists: [{ kind: 'transports', tcaps: [1] }] });
    assert.deepEqual(parsePcfg('2 t=3|1'), { configNumber: 2, lists: [{ kind: 'transports', tcaps: [3, 1] }] });
  });
  it('parses mandatory, optional and mandatory-optional lists with | alternatives', () => {
    assert.deepEqual(parsePcfg('1 t=1 a=1,2,[3]'), {
      configNumber: 1,
      lists: [
        { kind: 'transports', tcaps: [1] },
        { kind: 'attributes', deleteAttributes: undefined, alternatives: [{ mandatory: [1, 2], optional: [3] }] },
      ],
    });
    assert.deepEqual(parsePcfg('4 a=1|2,[3,4]|[5]')?.lists, [
      {
        kind: 'attributes',
        deleteAttributes: undefined,
        alternatives: [
          { mandatory: [1], optional: [] },
          { mandatory: [2], optional: [3, 4] },
          { mandatory: [], optional: [5] },
        ],
      },
    ]);
  });
  it('parses delete-attributes, alone and with a list', () => {
    assert.deepEqual(parsePcfg('1 a=-m')?.lists, [{ kind: 'attributes', deleteAttributes: 'm', alternatives: [] }]);
    assert.deepEqual(parsePcfg('1 a=-ms:1')?.lists, [
      { kind: 'attributes', deleteAttributes: 'ms', alternatives: [{ mandatory: [1], optional: [] }] },
    ]);
    assert.equal(parsePcfg('1 a=-s:1|2')?.lists[0]?.kind, 'attributes');
  });
  it('parses extension configurations with and without +', () => {
    assert.deepEqual(parsePcfg('1 +foo=1,2 bar=x|y')?.lists, [
      { kind: 'extension', mandatory: true, name: 'foo', value: '1,2' },
      { kind: 'extension', mandatory: false, name: 'bar', value: 'x|y' },
    ]);
  });
  it('rejects off-grammar potential configurations', () => {
    for (const bad of [
      '',
      '0 t=1',
      ' 1 t=1',
      '1 t=1 ',
      '1  ',
      '1 t=',
      '1 t=1,2',
      '1 t=1||2',
      '1 a=',
      '1 a=1,',
      '1 a=1,,2',
      '1 a=[1],2',
      '1 a=1,[2],3',
      '1 a=1,[2],[3]',
      '1 a=1,[]',
      '1 a=[1]]',
      '1 a=1|',
      '1 a=-x',
      '1 a=-m,1',
      '1 a=-m:',
      '1 a=1 a=2',
      '1 t=1 t=2',
      '1 a=x',
      '1 +a=1',
      '1 foo=',
      '1 fo-o=1',
      '1 t=2147483648',
    ]) {
      assert.equal(parsePcfg(bad), undefined, `pcfg '${bad}' must be rejected`);
    }
  });
  it('formats in written order', () => {
    for (const text of ['1', '1 t=1', '1 t=1 a=1,2,[3]', '2 a=-m:1|[2] t=3|4', '1 a=-s', '1 +foo=1 t=1']) {
      const pcfg = parsePcfg(text);
      assert.ok(pcfg !== undefined, text);
      assert.equal(formatPcfg(pcfg), text);
    }
  });
});

describe('a=acfg [RFC5939 §3.5.2]', () => {
  it('parses selected configurations', () => {
    assert.deepEqual(parseAcfg('1 t=1'), { configNumber: 1, lists: [{ kind: 'transport', tcap: 1 }] });
    assert.deepEqual(parseAcfg('1 t=1 a=1,2,3')?.lists[1], {
      kind: 'attributes',
      deleteAttributes: undefined,
      acaps: [1, 2, 3],
      bracketedAcaps: [],
    });
    assert.deepEqual(parseAcfg('1 a=-m:1,[2]')?.lists[0], {
      kind: 'attributes',
      deleteAttributes: 'm',
      acaps: [1],
      bracketedAcaps: [2],
    });
    assert.deepEqual(parseAcfg('3 foo=bar')?.lists, [{ kind: 'extension', name: 'foo', value: 'bar' }]);
  });
  it('rejects alternatives, several t=, a "+" extension and other off-grammar values', () => {
    for (const bad of ['', '1 t=1|2', '1 a=1|2', '1 t=1 t=2', '1 +foo=1', '1 t=0', '1 a=1,,2', '1 t=1 ', 'x t=1']) {
      assert.equal(parseAcfg(bad), undefined, `acfg '${bad}' must be rejected`);
    }
  });
  it('formats the assertion 42/45/46 values: optional acaps listed plainly after the mandatory ones', () => {
    const base = { configNumber: 1, tcap: 1, mandatoryAcaps: [], supportedOptionalAcaps: [] };
    assert.equal(formatAcfg(base), '1 t=1');
    assert.equal(formatAcfg({ ...base, mandatoryAcaps: [1, 2] }), '1 t=1 a=1,2');
    assert.equal(formatAcfg({ ...base, mandatoryAcaps: [1, 2], supportedOptionalAcaps: [3] }), '1 t=1 a=1,2,3');
  });
  it('formats delete-attributes, a pcfg without t= and extensions', () => {
    assert.equal(
      formatAcfg({
        configNumber: 2,
        tcap: undefined,
        deleteAttributes: 'm',
        mandatoryAcaps: [4],
        supportedOptionalAcaps: [],
      }),
      '2 a=-m:4',
    );
    assert.equal(
      formatAcfg({ configNumber: 2, tcap: 3, deleteAttributes: 'ms', mandatoryAcaps: [], supportedOptionalAcaps: [] }),
      '2 t=3 a=-ms',
    );
    assert.equal(
      formatAcfg({
        configNumber: 5,
        tcap: 1,
        mandatoryAcaps: [],
        supportedOptionalAcaps: [],
        extensions: [{ name: 'foo', value: 'x' }],
      }),
      '5 t=1 foo=x',
    );
    assert.throws(
      () => formatAcfg({ configNumber: 0, tcap: 1, mandatoryAcaps: [], supportedOptionalAcaps: [] }),
      RangeError,
    );
  });
  it('every formatted acfg parses back', () => {
    const text = formatAcfg({
      configNumber: 7,
      tcap: 9,
      deleteAttributes: 's',
      mandatoryAcaps: [1],
      supportedOptionalAcaps: [5],
    });
    assert.equal(text, '7 t=9 a=-s:1,5');
    assert.deepEqual(parseAcfg(text), {
      configNumber: 7,
      lists: [
        { kind: 'transport', tcap: 9 },
        { kind: 'attributes', deleteAttributes: 's', acaps: [1, 5], bracketedAcaps: [] },
      ],
    });
  });
});
