import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSipProxyUri,
  checkXmppService,
  isDomainName,
  isSipHost,
  parseHostPort,
  parseSipListen,
} from '../../src/config/formats.ts';
import { configKeysOf, envNameForKey, gatewayConfigKeys, mappingOptionKeys } from '../../src/config/keys.ts';
import { gatewayConfigSchema, mappingOptionsSchema, toMappingOptions } from '../../src/config/schema.ts';
import { z } from 'zod';

const minimal = {
  xmpp: { domain: 'gw.example.test', service: 'xmpp://127.0.0.1:5347', secret: 's3cret' },
  sip: { domain: 'sip.example.test' },
};

/** The issues of a failed parse as `path: message` strings. */
function issuesOf(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  assert.equal(result.success, false, 'expected the parse to fail');
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('formats', () => {
  it('accepts DNS names and refuses everything else', () => {
    for (const name of ['gw.example.test', 'localhost', 'a-b.c', 'xn--bcher-kva.example', '1x.example', 'EX.test']) {
      assert.equal(isDomainName(name), true, name);
    }
    const tooLong = `${'a'.repeat(63)}.`.repeat(4) + 'test';
    for (const name of ['', 'gw.example.', '-a.test', 'a-.test', 'a..b', 'a_b.test', 'ex ample', '1.2.3.4', tooLong]) {
      assert.equal(isDomainName(name), false, name);
    }
    assert.equal(isDomainName(`${'a'.repeat(64)}.test`), false);
  });

  it('accepts RFC 3261 hosts: names, IPv4, bracketed IPv6', () => {
    for (const host of ['sip.example.test', 'sip.example.test.', '192.0.2.1', '[2001:db8::1]', '[::1]']) {
      assert.equal(isSipHost(host), true, host);
    }
    for (const host of ['1.2.3.999', '2001:db8::1', '[example.test]', '192.0.2.1:5060', '[::1%eth0]', '']) {
      assert.equal(isSipHost(host), false, host);
    }
  });

  it('parses HOST:PORT with the host unbracketed and lowercased', () => {
    assert.deepEqual(parseHostPort('[::1]:9100', true), { host: '::1', port: 9100 });
    assert.deepEqual(parseHostPort('LocalHost:0', true), { host: 'localhost', port: 0 });
    assert.equal(parseHostPort('127.0.0.1:0', false), '"0" is not a port (1–65535)');
    assert.equal(parseHostPort('127.0.0.1:65536', true), '"65536" is not a port (0–65535)');
    assert.equal(parseHostPort('127.0.0.1', true), '"127.0.0.1" is not HOST:PORT');
    assert.equal(parseHostPort('::1:5060', true), 'IPv6 address "::1" must be written in brackets, e.g. [::1]:5060');
    assert.equal(parseHostPort('bad_host:1', true), '"bad_host" is not an IPv4 address, [IPv6] address or host name');
  });

  it('parses SIP listen entries of the three transports only', () => {
    assert.deepEqual(parseSipListen('tls:[2001:db8::5]:5061'), { transport: 'tls', host: '2001:db8::5', port: 5061 });
    assert.deepEqual(parseSipListen('udp:0.0.0.0:5060'), { transport: 'udp', host: '0.0.0.0', port: 5060 });
    assert.equal(
      parseSipListen('sctp:0.0.0.0:5060'),
      '"sctp:0.0.0.0:5060" must start with udp:, tcp: or tls: (SIP over UDP, TCP and TLS only)',
    );
    assert.equal(
      parseSipListen('UDP:0.0.0.0:5060'),
      '"UDP:0.0.0.0:5060" must start with udp:, tcp: or tls: (SIP over UDP, TCP and TLS only)',
    );
    assert.equal(parseSipListen('udp:0.0.0.0'), '"0.0.0.0" is not HOST:PORT');
  });

  it('checks xmpp.service as xmpp://HOST:PORT', () => {
    assert.equal(checkXmppService('xmpp://127.0.0.1:5347'), undefined);
    assert.equal(checkXmppService('xmpp://[::1]:5347'), undefined);
    assert.equal(checkXmppService('xmpp://prosody:5347'), undefined);
    assert.equal(checkXmppService('xmpp://127.0.0.1'), '"127.0.0.1" is not HOST:PORT');
    assert.equal(checkXmppService('tcp://127.0.0.1:5347'), '"tcp://127.0.0.1:5347" must look like xmpp://HOST:PORT');
    assert.equal(checkXmppService('xmpp://127.0.0.1:5347/'), '"5347/" is not a port (1–65535)');
  });

  it('checks the outbound proxy SIP URI', () => {
    for (const uri of [
      'sip:proxy.example.test',
      'sip:proxy.example.test:5060;lr',
      'SIP:192.0.2.7;transport=TCP',
      'sips:[2001:db8::1]:5061;transport=tls;lr',
      'sip:gw-out@proxy.example.test;maddr=192.0.2.1',
    ]) {
      assert.equal(checkSipProxyUri(uri), undefined, uri);
    }
    const refusals: [string, string][] = [
      ['proxy.example.test', '"proxy.example.test" is not a sip: or sips: URI'],
      ['tel:+15551234567', '"tel:+15551234567" is not a sip: or sips: URI'],
      ['sip:user:pw@proxy.example.test', 'must not contain a password (RFC 3261 §19.1.1)'],
      ['sip:proxy.example.test?Subject=x', 'must not carry URI headers (?…)'],
      ['sip:proxy.example.test:99999', '"99999" is not a port (1–65535)'],
      ['sip:proxy.example.test:0', '"0" is not a port (1–65535)'],
      ['sip:prox y.test', '"prox y.test" is not an IPv4 address, [IPv6] address or host name'],
      ['sip:2001:db8::1', '"2001:db8:" is not an IPv4 address, [IPv6] address or host name'],
      ['sip:proxy.example.test;transport=sctp', 'transport=sctp is not supported (SIP over UDP, TCP and TLS only)'],
      ['sips:proxy.example.test;transport=udp', 'a sips: URI cannot use transport=udp'],
      ['sip:proxy.example.test;lr=1=2', '";lr=1=2" is not a valid URI parameter'],
      ['sip:proxy.example.test;', '";" is not a valid URI parameter'],
      ['sip:us"er@proxy.example.test', '"us"er" is not a valid SIP user part'],
    ];
    for (const [uri, problem] of refusals) assert.equal(checkSipProxyUri(uri), problem, uri);
  });
});

describe('gatewayConfigSchema', () => {
  it('fills every default and derives xmpp.allowedDomains from xmpp.domain', () => {
    assert.deepEqual(gatewayConfigSchema.parse(minimal), {
      xmpp: {
        domain: 'gw.example.test',
        service: 'xmpp://127.0.0.1:5347',
        secret: 's3cret',
        allowedDomains: ['example.test'],
        limits: { maxStanzaBytes: 65536, maxDepth: 32, callsPerMinute: 30, concurrentCalls: 10 },
        dialPlan: { allow: [], deny: [] },
      },
      sip: {
        domain: 'sip.example.test',
        listen: [
          { transport: 'udp', host: '0.0.0.0', port: 5060 },
          { transport: 'tcp', host: '0.0.0.0', port: 5060 },
        ],
        timers: { t1Ms: 500, t2Ms: 4000 },
        limits: { maxMessageBytes: 16384, maxHeaderLineBytes: 8192, maxHeaders: 100 },
        allowedSources: ['0.0.0.0/0', '::/0'],
        rateLimit: { perSecond: 50, burst: 100, exemptSources: ['127.0.0.0/8', '::1/128'] },
        trunk: { expires: 3600 },
        inboundAuth: { nonceLifetimeMs: 300000 },
        tls: {},
      },
      sdp: { dtlsOffer: 'direct', xtlsOffer: 'capneg', tlsMethodsAttribute: true, capnegSecondOffer: true },
      xtls: { offerSetup: 'active' },
      jingle: { security: 'auto', ringTimeoutMs: 60000, iqTimeoutMs: 30000 },
      http: { listen: { host: '127.0.0.1', port: 9100 } },
      log: { level: 'info' },
      shutdown: { drainTimeoutMs: 30000 },
      overload: { maxCalls: 20000, maxSetups: 1000, maxEventLoopDelayMs: 50, retryAfterSeconds: 5 },
      calls: { maxDurationSeconds: 0 },
    });
  });

  it('keeps explicit values, lowercases names and parses listen entries', () => {
    const config = gatewayConfigSchema.parse({
      xmpp: { ...minimal.xmpp, domain: 'GW.Example.Test', allowedDomains: ['a.test', 'B.test'] },
      sip: {
        domain: '[2001:DB8::1]',
        defaultDomain: 'pstn.example.net',
        outboundProxy: 'sip:proxy.example.test;lr',
        listen: ['tls:127.0.0.1:5061'],
      },
      http: { listen: '[::1]:0' },
      log: { level: 'debug' },
    });
    assert.equal(config.xmpp.domain, 'gw.example.test');
    assert.deepEqual(config.xmpp.allowedDomains, ['a.test', 'b.test']);
    assert.equal(config.sip.domain, '[2001:db8::1]');
    assert.equal(config.sip.outboundProxy, 'sip:proxy.example.test;lr');
    assert.deepEqual(config.sip.listen, [{ transport: 'tls', host: '127.0.0.1', port: 5061 }]);
    assert.deepEqual(config.http.listen, { host: '::1', port: 0 });
    assert.equal(config.log.level, 'debug');
  });

  it('reports every missing required key by its own path', () => {
    assert.deepEqual(issuesOf(gatewayConfigSchema, { xmpp: {}, sip: {} }), [
      'xmpp.domain: is required',
      'xmpp.service: is required',
      'xmpp.secret: is required',
      'sip.domain: is required',
    ]);
  });

  it('refuses a single-label xmpp.domain without explicit allowedDomains', () => {
    assert.deepEqual(issuesOf(gatewayConfigSchema, { ...minimal, xmpp: { ...minimal.xmpp, domain: 'gateway' } }), [
      'xmpp.allowedDomains: must be set: xmpp.domain "gateway" has no parent domain to default to',
    ]);
    const explicit = { ...minimal, xmpp: { ...minimal.xmpp, domain: 'gateway', allowedDomains: ['localhost'] } };
    assert.deepEqual(gatewayConfigSchema.parse(explicit).xmpp.allowedDomains, ['localhost']);
    assert.deepEqual(issuesOf(gatewayConfigSchema, { ...minimal, xmpp: { ...minimal.xmpp, allowedDomains: [] } }), [
      'xmpp.allowedDomains: must list at least one domain',
    ]);
  });

  it('refuses default domains equal to the gateway domains (spec §7.2, §7.4)', () => {
    const input = {
      xmpp: { ...minimal.xmpp, defaultDomain: 'GW.example.test' },
      sip: { domain: 'sip.example.test', defaultDomain: 'sip.example.test' },
    };
    assert.deepEqual(issuesOf(gatewayConfigSchema, input), [
      "xmpp.defaultDomain: must differ from xmpp.domain (calls to the gateway's own domain are refused, spec §7.2)",
      "sip.defaultDomain: must differ from sip.domain (calls to the gateway's own domain are refused, spec §7.4)",
    ]);
  });

  it('validates timers as whole milliseconds within the setTimeout range', () => {
    const withTimers = (jingle: object, shutdown: object): object => ({ ...minimal, jingle, shutdown });
    assert.deepEqual(issuesOf(gatewayConfigSchema, withTimers({ ringTimeoutMs: 0, iqTimeoutMs: 1.5 }, {})), [
      'jingle.ringTimeoutMs: must be at least 1 ms',
      'jingle.iqTimeoutMs: must be a whole number of milliseconds',
    ]);
    assert.deepEqual(issuesOf(gatewayConfigSchema, withTimers({}, { drainTimeoutMs: 2147483648 })), [
      'shutdown.drainTimeoutMs: must be at most 2147483647 ms (the setTimeout limit)',
    ]);
    const edge = gatewayConfigSchema.parse(withTimers({ iqTimeoutMs: 1 }, { drainTimeoutMs: 2147483647 }));
    assert.equal(edge.jingle.iqTimeoutMs, 1);
    assert.equal(edge.shutdown.drainTimeoutMs, 2147483647);
  });

  it('refuses bad formats, enum values and unknown keys', () => {
    const input = {
      xmpp: { ...minimal.xmpp, service: 'xmpp://127.0.0.1', secret: '' },
      sip: { domain: 'sip_example', outboundProxy: 'sip:a:b@c.test', listen: ['udp:0.0.0.0:5060', 'udp:0.0.0.0:5060'] },
      sdp: { xtlsOffer: 'maybe', tlsMethodsAttribute: 'true' },
      log: { level: 'verbose' },
      extra: 1,
    };
    assert.deepEqual(issuesOf(gatewayConfigSchema, input), [
      'xmpp.service: "127.0.0.1" is not HOST:PORT',
      'xmpp.secret: must not be empty',
      'sip.domain: must be a host name, an IPv4 address or an [IPv6] address',
      'sip.outboundProxy: must not contain a password (RFC 3261 §19.1.1)',
      'sip.listen.1: udp:0.0.0.0:5060 is listed twice',
      'sdp.xtlsOffer: Invalid option: expected one of "capneg"|"direct"',
      'sdp.tlsMethodsAttribute: Invalid input: expected boolean, received string',
      'log.level: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"',
      ': Unrecognized key: "extra"',
    ]);
  });

  it('refuses tcp and tls on one address, allows udp beside either and port 0 twice', () => {
    const withListen = (listen: string[]): object => ({ ...minimal, sip: { ...minimal.sip, listen } });
    assert.deepEqual(
      issuesOf(gatewayConfigSchema, withListen(['tcp:[::1]:5060', 'udp:[::1]:5060', 'tls:[::1]:5060'])),
      ['sip.listen.2: tcp and tls cannot share ::1:5060 (both are TCP sockets)'],
    );
    const ok = gatewayConfigSchema.parse(withListen(['tcp:127.0.0.1:0', 'tls:127.0.0.1:0', 'udp:127.0.0.1:5060']));
    assert.equal(ok.sip.listen.length, 3);
    assert.deepEqual(issuesOf(gatewayConfigSchema, withListen([])), ['sip.listen: must list at least one address']);
  });
});

describe('mappingOptionsSchema', () => {
  it('is complete with no input: the §0.1 defaults and the §7.6 example domains', () => {
    assert.deepEqual(mappingOptionsSchema.parse({}), {
      xmpp: { domain: 'gw.example' },
      sip: { domain: 'sip.gw.example' },
      sdp: { dtlsOffer: 'direct', xtlsOffer: 'capneg', tlsMethodsAttribute: true, capnegSecondOffer: true },
      xtls: { offerSetup: 'active' },
      jingle: { security: 'auto', ringTimeoutMs: 60000, iqTimeoutMs: 30000 },
    });
  });

  it('refuses service keys: they are not mapping knobs', () => {
    assert.deepEqual(issuesOf(mappingOptionsSchema, { xmpp: { secret: 'x' }, log: {} }), [
      'xmpp: Unrecognized key: "secret"',
      ': Unrecognized key: "log"',
    ]);
  });

  it('is the view toMappingOptions gives of a gateway configuration', () => {
    const config = gatewayConfigSchema.parse({
      ...minimal,
      sip: { ...minimal.sip, defaultDomain: 'pstn.example.net' },
      xtls: { offerSetup: 'actpass' },
    });
    const expected = mappingOptionsSchema.parse({
      xmpp: { domain: 'gw.example.test' },
      sip: { domain: 'sip.example.test', defaultDomain: 'pstn.example.net' },
      xtls: { offerSetup: 'actpass' },
    });
    assert.deepEqual(toMappingOptions(config), expected);
    assert.equal(JSON.stringify(toMappingOptions(config)).includes('s3cret'), false);
  });
});

describe('key table', () => {
  it('derives environment names from the keys', () => {
    assert.equal(envNameForKey('sdp.xtlsOffer'), 'GW_SDP_XTLS_OFFER');
    assert.equal(envNameForKey('xtls.offerSetup'), 'GW_XTLS_OFFER_SETUP');
    assert.equal(envNameForKey('xmpp.allowedDomains'), 'GW_XMPP_ALLOWED_DOMAINS');
    assert.equal(envNameForKey('jingle.iqTimeoutMs'), 'GW_JINGLE_IQ_TIMEOUT_MS');
    assert.equal(envNameForKey('sdp.tlsMethodsAttribute'), 'GW_SDP_TLS_METHODS_ATTRIBUTE');
  });

  it('lists every gateway key with its kind, requiredness and default', () => {
    const rows = gatewayConfigKeys.map((k) => [k.key, k.envName, k.kind, k.required, k.defaultValue]);
    assert.deepEqual(rows, [
      ['xmpp.domain', 'GW_XMPP_DOMAIN', 'string', true, undefined],
      ['xmpp.defaultDomain', 'GW_XMPP_DEFAULT_DOMAIN', 'string', false, undefined],
      ['xmpp.service', 'GW_XMPP_SERVICE', 'string', true, undefined],
      ['xmpp.secret', 'GW_XMPP_SECRET', 'string', true, undefined],
      ['xmpp.allowedDomains', 'GW_XMPP_ALLOWED_DOMAINS', 'list', false, undefined],
      ['xmpp.limits.maxStanzaBytes', 'GW_XMPP_LIMITS_MAX_STANZA_BYTES', 'number', false, 65536],
      ['xmpp.limits.maxDepth', 'GW_XMPP_LIMITS_MAX_DEPTH', 'number', false, 32],
      ['xmpp.limits.callsPerMinute', 'GW_XMPP_LIMITS_CALLS_PER_MINUTE', 'number', false, 30],
      ['xmpp.limits.concurrentCalls', 'GW_XMPP_LIMITS_CONCURRENT_CALLS', 'number', false, 10],
      ['xmpp.dialPlan.allow', 'GW_XMPP_DIAL_PLAN_ALLOW', 'list', false, []],
      ['xmpp.dialPlan.deny', 'GW_XMPP_DIAL_PLAN_DENY', 'list', false, []],
      ['sip.domain', 'GW_SIP_DOMAIN', 'string', true, undefined],
      ['sip.defaultDomain', 'GW_SIP_DEFAULT_DOMAIN', 'string', false, undefined],
      ['sip.outboundProxy', 'GW_SIP_OUTBOUND_PROXY', 'string', false, undefined],
      ['sip.listen', 'GW_SIP_LISTEN', 'list', false, ['udp:0.0.0.0:5060', 'tcp:0.0.0.0:5060']],
      ['sip.timers.t1Ms', 'GW_SIP_TIMERS_T1_MS', 'number', false, 500],
      ['sip.timers.t2Ms', 'GW_SIP_TIMERS_T2_MS', 'number', false, 4000],
      ['sip.limits.maxMessageBytes', 'GW_SIP_LIMITS_MAX_MESSAGE_BYTES', 'number', false, 16384],
      ['sip.limits.maxHeaderLineBytes', 'GW_SIP_LIMITS_MAX_HEADER_LINE_BYTES', 'number', false, 8192],
      ['sip.limits.maxHeaders', 'GW_SIP_LIMITS_MAX_HEADERS', 'number', false, 100],
      ['sip.allowedSources', 'GW_SIP_ALLOWED_SOURCES', 'list', false, ['0.0.0.0/0', '::/0']],
      ['sip.rateLimit.perSecond', 'GW_SIP_RATE_LIMIT_PER_SECOND', 'number', false, 50],
      ['sip.rateLimit.burst', 'GW_SIP_RATE_LIMIT_BURST', 'number', false, 100],
      ['sip.rateLimit.exemptSources', 'GW_SIP_RATE_LIMIT_EXEMPT_SOURCES', 'list', false, ['127.0.0.0/8', '::1/128']],
      ['sip.trunk.username', 'GW_SIP_TRUNK_USERNAME', 'string', false, undefined],
      ['sip.trunk.password', 'GW_SIP_TRUNK_PASSWORD', 'string', false, undefined],
      ['sip.trunk.passwordFile', 'GW_SIP_TRUNK_PASSWORD_FILE', 'string', false, undefined],
      ['sip.trunk.realm', 'GW_SIP_TRUNK_REALM', 'string', false, undefined],
      ['sip.trunk.registrar', 'GW_SIP_TRUNK_REGISTRAR', 'string', false, undefined],
      ['sip.trunk.expires', 'GW_SIP_TRUNK_EXPIRES', 'number', false, 3600],
      ['sip.inboundAuth.realm', 'GW_SIP_INBOUND_AUTH_REALM', 'string', false, undefined],
      ['sip.inboundAuth.users', 'GW_SIP_INBOUND_AUTH_USERS', 'list', false, undefined],
      ['sip.inboundAuth.usersFile', 'GW_SIP_INBOUND_AUTH_USERS_FILE', 'string', false, undefined],
      ['sip.inboundAuth.nonceLifetimeMs', 'GW_SIP_INBOUND_AUTH_NONCE_LIFETIME_MS', 'number', false, 300000],
      ['sip.tls.certFile', 'GW_SIP_TLS_CERT_FILE', 'string', false, undefined],
      ['sip.tls.keyFile', 'GW_SIP_TLS_KEY_FILE', 'string', false, undefined],
      ['sip.tls.caFile', 'GW_SIP_TLS_CA_FILE', 'string', false, undefined],
      ['sdp.dtlsOffer', 'GW_SDP_DTLS_OFFER', 'string', false, 'direct'],
      ['sdp.xtlsOffer', 'GW_SDP_XTLS_OFFER', 'string', false, 'capneg'],
      ['sdp.tlsMethodsAttribute', 'GW_SDP_TLS_METHODS_ATTRIBUTE', 'boolean', false, true],
      ['sdp.capnegSecondOffer', 'GW_SDP_CAPNEG_SECOND_OFFER', 'boolean', false, true],
      ['xtls.offerSetup', 'GW_XTLS_OFFER_SETUP', 'string', false, 'active'],
      ['jingle.security', 'GW_JINGLE_SECURITY', 'string', false, 'auto'],
      ['jingle.ringTimeoutMs', 'GW_JINGLE_RING_TIMEOUT_MS', 'number', false, 60000],
      ['jingle.iqTimeoutMs', 'GW_JINGLE_IQ_TIMEOUT_MS', 'number', false, 30000],
      ['http.listen', 'GW_HTTP_LISTEN', 'string', false, '127.0.0.1:9100'],
      ['log.level', 'GW_LOG_LEVEL', 'string', false, 'info'],
      ['shutdown.drainTimeoutMs', 'GW_SHUTDOWN_DRAIN_TIMEOUT_MS', 'number', false, 30000],
      ['overload.maxCalls', 'GW_OVERLOAD_MAX_CALLS', 'number', false, 20000],
      ['overload.maxSetups', 'GW_OVERLOAD_MAX_SETUPS', 'number', false, 1000],
      ['overload.maxEventLoopDelayMs', 'GW_OVERLOAD_MAX_EVENT_LOOP_DELAY_MS', 'number', false, 50],
      ['overload.retryAfterSeconds', 'GW_OVERLOAD_RETRY_AFTER_SECONDS', 'number', false, 5],
      ['calls.maxDurationSeconds', 'GW_CALLS_MAX_DURATION_SECONDS', 'number', false, 0],
    ]);
    assert.deepEqual(
      gatewayConfigKeys.filter((k) => k.secret).map((k) => k.key),
      ['xmpp.secret', 'sip.trunk.password', 'sip.trunk.passwordFile'],
    );
    assert.deepEqual(gatewayConfigKeys.find((k) => k.key === 'jingle.security')?.choices, ['auto', 'dtls', 'xtls']);
    assert.equal(
      gatewayConfigKeys.every((k) => k.description !== ''),
      true,
    );
  });

  it('lists exactly the thirteen §0.1 knobs as mapping keys', () => {
    assert.deepEqual(
      mappingOptionKeys.map((k) => [k.key, k.required]),
      [
        ['xmpp.domain', false],
        ['xmpp.defaultDomain', false],
        ['sip.domain', false],
        ['sip.defaultDomain', false],
        ['sip.outboundProxy', false],
        ['sdp.dtlsOffer', false],
        ['sdp.xtlsOffer', false],
        ['sdp.tlsMethodsAttribute', false],
        ['sdp.capnegSecondOffer', false],
        ['xtls.offerSetup', false],
        ['jingle.security', false],
        ['jingle.ringTimeoutMs', false],
        ['jingle.iqTimeoutMs', false],
      ],
    );
  });

  it('refuses a schema whose keys would share an environment variable', () => {
    const clashing = z.object({ a: z.object({ bC: z.string() }), 'a.b': z.object({ c: z.string() }) });
    assert.throws(() => configKeysOf(clashing), { message: 'config keys a.bC and a.b.c both map to GW_A_B_C' });
  });
});
