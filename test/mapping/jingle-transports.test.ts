import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildJingle } from '../../src/mapping/jingle/jingle.ts';
import type { IceUdpTransport, RawUdpTransport, Transport } from '../../src/mapping/model.ts';
import { assertXmlEqual } from '../helpers/xml-equal.ts';
import { J1, RTP_PCMU, content, jingleIq, parseText, throwsCode } from '../helpers/jingle-fixtures.ts';

const ICE = 'urn:xmpp:jingle:transports:ice-udp:1';
const RAW = 'urn:xmpp:jingle:transports:raw-udp:1';

function transportOf(transportXml: string): Transport | undefined {
  return parseText(jingleIq(content(`${RTP_PCMU}${transportXml}`))).session.contents[0]!.transport;
}

function ice(inner: string, creds = `ufrag='8hhy' pwd='asd88fgpdd777uzjYhagZg'`): string {
  return `<transport xmlns='${ICE}' ${creds}>${inner}</transport>`;
}

function candidate(attrs: Record<string, string | undefined>): string {
  const base: Record<string, string | undefined> = {
    component: '1',
    foundation: '1',
    generation: '0',
    id: 'c1',
    ip: '10.0.1.1',
    port: '8998',
    priority: '2130706431',
    protocol: 'udp',
    type: 'host',
    ...attrs,
  };
  const text = Object.entries(base)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}='${v!}'`)
    .join(' ');
  return `<candidate ${text}/>`;
}

function buildTransport(t: Transport) {
  return buildJingle({
    action: 'transport-info',
    sid: 's',
    session: { contents: [{ name: 'voice', creator: 'initiator', senders: 'both', transport: t }], groups: [] },
  })
    .getChildElements()[0]!
    .getChildElements()[0]!;
}

describe('XEP-0176 ICE-UDP: parse', () => {
  it('J1 → ufrag, pwd and the host candidate (the assertion 73 source)', () => {
    assert.deepEqual(parseText(J1).session.contents[0]!.transport, {
      kind: 'ice-udp',
      ufrag: '8hhy',
      pwd: 'asd88fgpdd777uzjYhagZg',
      candidates: [
        {
          foundation: '1',
          component: 1,
          protocol: 'udp',
          priority: 2130706431,
          ip: '10.0.1.1',
          port: 8998,
          type: 'host',
          generation: 0,
          id: 'el0747fg11',
          network: 1,
        },
      ],
    } satisfies IceUdpTransport);
  });

  it('reads every attribute: srflx with rel-addr/rel-port, prflx, relay, IPv6, tcptype (assertion 74 source)', () => {
    const t = transportOf(
      ice(
        candidate({
          type: 'srflx',
          ip: '192.0.2.3',
          port: '45664',
          'rel-addr': '10.0.1.1',
          'rel-port': '8998',
          network: '0',
        }) +
          candidate({ id: 'c2', type: 'prflx', generation: '1' }) +
          candidate({ id: 'c3', type: 'relay', ip: '2001:db8::9', protocol: 'UDP' }) +
          candidate({ id: 'c4', protocol: 'tcp', tcptype: 'passive', port: '9' }),
      ),
    ) as IceUdpTransport;
    assert.deepEqual(
      t.candidates.map((c) => [
        c.type,
        c.ip,
        c.port,
        c.relAddr,
        c.relPort,
        c.network,
        c.generation,
        c.protocol,
        c.tcptype,
      ]),
      [
        ['srflx', '192.0.2.3', 45664, '10.0.1.1', 8998, 0, 0, 'udp', undefined],
        ['prflx', '10.0.1.1', 8998, undefined, undefined, undefined, 1, 'udp', undefined],
        ['relay', '2001:db8::9', 8998, undefined, undefined, undefined, 0, 'udp', undefined],
        ['host', '10.0.1.1', 9, undefined, undefined, undefined, 0, 'tcp', 'passive'],
      ],
    );
  });

  it('accepts mDNS host names and a missing generation (→ 0) or id', () => {
    const t = transportOf(
      ice(candidate({ ip: '0f5f6f52-3b8f-4a58-9c31-0d2f26cdd7b1.local', generation: undefined, id: undefined })),
    );
    const c = (t as IceUdpTransport).candidates[0]!;
    assert.equal(c.ip, '0f5f6f52-3b8f-4a58-9c31-0d2f26cdd7b1.local');
    assert.equal(c.generation, 0);
    assert.equal(c.id, undefined);
  });

  for (const attr of ['component', 'foundation', 'ip', 'port', 'priority', 'protocol', 'type']) {
    it(`missing '${attr}' → malformed-jingle`, () => {
      throwsCode(() => transportOf(ice(candidate({ [attr]: undefined }))), 'malformed-jingle', attr);
    });
  }

  for (const [attr, value] of [
    ['port', '70000'],
    ['port', '-1'],
    ['priority', 'high'],
    ['component', '0'],
    ['generation', '1.5'],
    ['type', 'local'],
    ['ip', '10.0.1.1 evil'],
    ['foundation', 'a b'],
    ['tcptype', 'sideways'],
    ['rel-port', 'x'],
  ] as const) {
    it(`${attr}='${value}' → malformed-jingle`, () => {
      throwsCode(() => transportOf(ice(candidate({ [attr]: value }))), 'malformed-jingle');
    });
  }

  it('ufrag under 4 or pwd under 22 characters → ice-credentials, bad-request (assertion 76)', () => {
    const short = throwsCode(() => transportOf(ice('', `ufrag='8hh' pwd='asd88fgpdd777uzjYhagZg'`)), 'ice-credentials');
    assert.equal(short.xmppCondition, 'bad-request');
    throwsCode(() => transportOf(ice('', `ufrag='8hhy' pwd='asd88fgpdd777uzjYhagZ'`)), 'ice-credentials');
  });

  it('over-long or non-ice-char credentials → ice-credentials', () => {
    throwsCode(
      () => transportOf(ice('', `ufrag='${'a'.repeat(257)}' pwd='asd88fgpdd777uzjYhagZg'`)),
      'ice-credentials',
    );
    throwsCode(() => transportOf(ice('', `ufrag='8h-y' pwd='asd88fgpdd777uzjYhagZg'`)), 'ice-credentials');
  });

  it('boundary lengths 4/22 and 256/256 with + and / are accepted', () => {
    const t = transportOf(ice('', `ufrag='a+/b' pwd='${'p'.repeat(22)}'`)) as IceUdpTransport;
    assert.equal(t.ufrag, 'a+/b');
    const long = transportOf(ice('', `ufrag='${'u'.repeat(256)}' pwd='${'p'.repeat(256)}'`)) as IceUdpTransport;
    assert.equal(long.pwd?.length, 256);
  });

  it('a transport without credentials or candidates (trickle) parses', () => {
    assert.deepEqual(transportOf(`<transport xmlns='${ICE}'/>`), { kind: 'ice-udp', candidates: [] });
  });

  it('<remote-candidate/> → RFC 8839 remote-candidates text', () => {
    const t = transportOf(ice(`<remote-candidate component='1' ip='10.0.1.2' port='9001'/>`)) as IceUdpTransport;
    assert.equal(t.remoteCandidates, '1 10.0.1.2 9001');
  });

  it('<rtcp-mux/> inside the ICE transport sets the description flag', () => {
    const req = parseText(jingleIq(content(`${RTP_PCMU}${ice('<rtcp-mux/>')}`)));
    const d = req.session.contents[0]!.description;
    assert.equal(d?.kind === 'rtp' ? d.rtcpMux : undefined, true);
  });
});

describe('XEP-0176 ICE-UDP: build', () => {
  it('writes every attribute, lowercase protocol, generation 0 and ids kept (assertion 75 output side)', () => {
    const el = buildTransport({
      kind: 'ice-udp',
      ufrag: '8hhy',
      pwd: 'asd88fgpdd777uzjYhagZg',
      candidates: [
        {
          id: 'c0123456789ab',
          foundation: '1',
          component: 1,
          protocol: 'UDP',
          priority: 2130706431,
          ip: '10.0.1.1',
          port: 8998,
          type: 'host',
          generation: 0,
        },
        {
          id: 'c0123456789ac',
          foundation: '2',
          component: 1,
          protocol: 'udp',
          priority: 1694498815,
          ip: '2001:db8::1',
          port: 45664,
          type: 'srflx',
          relAddr: '10.0.1.1',
          relPort: 8998,
          generation: 0,
          network: 1,
        },
      ],
      remoteCandidates: '1 10.0.1.2 9001',
    });
    assertXmlEqual(
      el,
      `<transport xmlns='${ICE}' ufrag='8hhy' pwd='asd88fgpdd777uzjYhagZg'>
        <candidate component='1' foundation='1' generation='0' id='c0123456789ab' ip='10.0.1.1' port='8998'
          priority='2130706431' protocol='udp' type='host'/>
        <candidate component='1' foundation='2' generation='0' id='c0123456789ac' ip='2001:db8::1' network='1' port='45664'
          priority='1694498815' protocol='udp' rel-addr='10.0.1.1' rel-port='8998' type='srflx'/>
        <remote-candidate component='1' ip='10.0.1.2' port='9001'/>
      </transport>`,
    );
  });
});

describe('XEP-0177 Raw UDP', () => {
  const j2Transport = `<transport xmlns='${RAW}'>
    <candidate component='1' generation='0' id='a9j3mnbtu1' ip='10.1.1.104' port='13540'/>
    <candidate component='2' generation='0' id='a9j3mnbtu2' ip='10.1.1.104' port='13541' type='host'/>
  </transport>`;
  const expected: RawUdpTransport = {
    kind: 'raw-udp',
    candidates: [
      { component: 1, ip: '10.1.1.104', port: 13540, generation: 0, id: 'a9j3mnbtu1' },
      { component: 2, ip: '10.1.1.104', port: 13541, generation: 0, id: 'a9j3mnbtu2', type: 'host' },
    ],
  };

  it('parses component, ip, port, id, generation, type', () => {
    assert.deepEqual(transportOf(j2Transport), expected);
  });

  it('builds the same element', () => {
    assertXmlEqual(buildTransport(expected), j2Transport);
  });

  it('missing ip or port, or a bad component → malformed-jingle', () => {
    throwsCode(
      () => transportOf(`<transport xmlns='${RAW}'><candidate component='1' port='1'/></transport>`),
      'malformed-jingle',
      'ip',
    );
    throwsCode(
      () => transportOf(`<transport xmlns='${RAW}'><candidate component='1' ip='10.0.0.1'/></transport>`),
      'malformed-jingle',
      'port',
    );
    throwsCode(
      () => transportOf(`<transport xmlns='${RAW}'><candidate component='x' ip='10.0.0.1' port='1'/></transport>`),
      'malformed-jingle',
    );
  });

  it('an IPv6 candidate is kept as written', () => {
    const t = transportOf(
      `<transport xmlns='${RAW}'><candidate component='1' ip='2001:db8::5' port='40084'/></transport>`,
    );
    assert.deepEqual(t, {
      kind: 'raw-udp',
      candidates: [{ component: 1, ip: '2001:db8::5', port: 40084, generation: 0 }],
    });
  });
});
