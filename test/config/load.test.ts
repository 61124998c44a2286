import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatProblems,
  loadGatewayConfig,
  loadMappingOptions,
  redactConfig,
  redactedMark,
} from '../../src/config/load.ts';
import type { ConfigProblem, ConfigResult } from '../../src/config/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'gw-config-test-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
/** Writes `content` (an object is written as JSON) to a fresh file and returns its path. */
function writeConfig(content: unknown, name = `config-${++fileCount}.json`): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

const requiredEnv = {
  GW_XMPP_DOMAIN: 'gw.example.test',
  GW_XMPP_SERVICE: 'xmpp://127.0.0.1:5347',
  GW_XMPP_SECRET: 'env-secret',
  GW_SIP_DOMAIN: 'sip.example.test',
};

function config<T>(result: ConfigResult<T>): T {
  if (!result.ok) assert.fail(`unexpected problems:\n${formatProblems(result.problems)}`);
  return result.config;
}

function problems<T>(result: ConfigResult<T>): ConfigProblem[] {
  if (result.ok) assert.fail('expected problems');
  return result.problems;
}

describe('loadGatewayConfig: precedence file < environment < flags', () => {
  const file = writeConfig({
    xmpp: { domain: 'file.example.test', service: 'xmpp://127.0.0.1:5347', secret: 'file-secret' },
    sip: { domain: 'sip.file.example.test' },
    sdp: { xtlsOffer: 'direct', dtlsOffer: 'capneg' },
    jingle: { iqTimeoutMs: 1000, ringTimeoutMs: 2000 },
  });

  it('takes each key from the highest source that gives it', () => {
    const loaded = config(
      loadGatewayConfig({
        file,
        env: { GW_SDP_XTLS_OFFER: 'capneg', GW_JINGLE_IQ_TIMEOUT_MS: '5000', PATH: '/usr/bin' },
        sets: ['jingle.iqTimeoutMs=7000', 'log.level=debug'],
      }),
    );
    assert.equal(loaded.xmpp.domain, 'file.example.test'); // file only
    assert.equal(loaded.sdp.dtlsOffer, 'capneg'); // file only
    assert.equal(loaded.sdp.xtlsOffer, 'capneg'); // env beats file
    assert.equal(loaded.jingle.iqTimeoutMs, 7000); // flag beats env and file
    assert.equal(loaded.jingle.ringTimeoutMs, 2000); // file
    assert.equal(loaded.log.level, 'debug'); // flag over default
    assert.equal(loaded.shutdown.drainTimeoutMs, 30000); // default
  });

  it('lets the last of repeated --set flags win', () => {
    const loaded = config(loadGatewayConfig({ env: requiredEnv, sets: ['log.level=warn', 'log.level=error'] }));
    assert.equal(loaded.log.level, 'error');
  });

  it('works from the environment alone, and reads GW_CONFIG as the file path', () => {
    assert.equal(config(loadGatewayConfig({ env: requiredEnv })).xmpp.secret, 'env-secret');
    const viaEnv = config(loadGatewayConfig({ env: { GW_CONFIG: file } }));
    assert.equal(viaEnv.xmpp.domain, 'file.example.test');
    const explicitWins = loadGatewayConfig({ file: join(dir, 'absent.json'), env: { GW_CONFIG: file } });
    assert.equal(problems(explicitWins)[0]?.origin, join(dir, 'absent.json'));
  });
});

describe('loadGatewayConfig: coercion of environment and flag strings', () => {
  it('coerces booleans, numbers and comma-separated lists by the key type', () => {
    const loaded = config(
      loadGatewayConfig({
        env: {
          ...requiredEnv,
          GW_SDP_TLS_METHODS_ATTRIBUTE: 'false',
          GW_XMPP_ALLOWED_DOMAINS: 'a.example, b.example',
          GW_SIP_LISTEN: 'udp:127.0.0.1:5070,tls:[::1]:5071',
        },
        sets: ['sdp.capnegSecondOffer=false', 'shutdown.drainTimeoutMs=1'],
      }),
    );
    assert.equal(loaded.sdp.tlsMethodsAttribute, false);
    assert.equal(loaded.sdp.capnegSecondOffer, false);
    assert.deepEqual(loaded.xmpp.allowedDomains, ['a.example', 'b.example']);
    assert.deepEqual(loaded.sip.listen, [
      { transport: 'udp', host: '127.0.0.1', port: 5070 },
      { transport: 'tls', host: '::1', port: 5071 },
    ]);
    assert.equal(loaded.shutdown.drainTimeoutMs, 1);
  });

  it('keeps 0 as 0 (then the schema refuses it) and never falls back to the default', () => {
    assert.deepEqual(problems(loadGatewayConfig({ env: { ...requiredEnv, GW_JINGLE_IQ_TIMEOUT_MS: '0' } })), [
      {
        key: 'jingle.iqTimeoutMs',
        source: 'env',
        origin: 'GW_JINGLE_IQ_TIMEOUT_MS',
        message: 'must be at least 1 ms',
      },
    ]);
  });

  it('refuses strings that are not exactly of the key type', () => {
    const result = loadGatewayConfig({
      env: { ...requiredEnv, GW_JINGLE_IQ_TIMEOUT_MS: 'abc', GW_SDP_TLS_METHODS_ATTRIBUTE: 'yes' },
      sets: ['jingle.ringTimeoutMs=1e3', 'sdp.capnegSecondOffer=TRUE', 'xmpp.allowedDomains=a.test,,b.test'],
    });
    assert.deepEqual(problems(result), [
      {
        key: 'jingle.iqTimeoutMs',
        source: 'env',
        origin: 'GW_JINGLE_IQ_TIMEOUT_MS',
        message: 'must be a number, got "abc"',
      },
      {
        key: 'sdp.tlsMethodsAttribute',
        source: 'env',
        origin: 'GW_SDP_TLS_METHODS_ATTRIBUTE',
        message: 'must be true or false, got "yes"',
      },
      {
        key: 'jingle.ringTimeoutMs',
        source: 'flag',
        origin: '--set jingle.ringTimeoutMs',
        message: 'must be a number, got "1e3"',
      },
      {
        key: 'sdp.capnegSecondOffer',
        source: 'flag',
        origin: '--set sdp.capnegSecondOffer',
        message: 'must be true or false, got "TRUE"',
      },
      {
        key: 'xmpp.allowedDomains',
        source: 'flag',
        origin: '--set xmpp.allowedDomains',
        message: 'has an empty entry in the comma-separated list "a.test,,b.test"',
      },
    ]);
  });

  it('does not let a lower source stand in for a rejected value', () => {
    const file = writeConfig({ jingle: { iqTimeoutMs: 1000 } });
    const result = loadGatewayConfig({ file, env: requiredEnv, sets: ['jingle.iqTimeoutMs=soon'] });
    assert.deepEqual(
      problems(result).map((p) => p.key),
      ['jingle.iqTimeoutMs'],
    );
  });

  it('turns an empty list variable into an empty list, which the schema refuses', () => {
    assert.deepEqual(problems(loadGatewayConfig({ env: { ...requiredEnv, GW_SIP_LISTEN: '' } })), [
      { key: 'sip.listen', source: 'env', origin: 'GW_SIP_LISTEN', message: 'must list at least one address' },
    ]);
  });
});

describe('loadGatewayConfig: problems', () => {
  it('reports missing required keys with where to set them', () => {
    const result = loadGatewayConfig({ env: { GW_XMPP_DOMAIN: 'gw.example.test', GW_SIP_DOMAIN: 'sip.example.test' } });
    assert.deepEqual(problems(result), [
      {
        key: 'xmpp.service',
        source: 'default',
        origin: 'no value given',
        message: 'is required; set xmpp.service in the config file, GW_XMPP_SERVICE, or --set xmpp.service=…',
      },
      {
        key: 'xmpp.secret',
        source: 'default',
        origin: 'no value given',
        message: 'is required; set xmpp.secret in the config file, GW_XMPP_SECRET, or --set xmpp.secret=…',
      },
    ]);
  });

  it('reports unknown keys in every source, with a suggestion for near misses', () => {
    const file = writeConfig({
      xmpp: { domian: 'x' },
      sdp: { xtlsoffer: 'direct' },
      bogus: { a: 1 },
      'log.level': 'x',
    });
    const result = loadGatewayConfig({
      file,
      env: { ...requiredEnv, GW_SDP_XTLS_OFER: 'direct', GW_NOTHING_LIKE_IT: '1' },
      sets: ['sip.listn=udp:0.0.0.0:5060', 'nothing.likeIt=1'],
    });
    assert.deepEqual(problems(result), [
      { key: 'xmpp.domian', source: 'file', origin: file, message: 'unknown key (did you mean xmpp.domain?)' },
      { key: 'sdp.xtlsoffer', source: 'file', origin: file, message: 'unknown key (did you mean sdp.xtlsOffer?)' },
      { key: 'bogus', source: 'file', origin: file, message: 'unknown key' },
      {
        key: 'log.level',
        source: 'file',
        origin: file,
        message: 'unknown key; write nested objects, e.g. { "log": { "level": … } }',
      },
      { key: null, source: 'env', origin: 'GW_NOTHING_LIKE_IT', message: 'unknown variable' },
      {
        key: null,
        source: 'env',
        origin: 'GW_SDP_XTLS_OFER',
        message: 'unknown variable (did you mean GW_SDP_XTLS_OFFER?)',
      },
      {
        key: 'sip.listn',
        source: 'flag',
        origin: '--set sip.listn',
        message: 'unknown key (did you mean sip.listen?)',
      },
      { key: 'nothing.likeIt', source: 'flag', origin: '--set nothing.likeIt', message: 'unknown key' },
    ]);
  });

  it('reports malformed --set arguments', () => {
    const result = loadGatewayConfig({ env: requiredEnv, sets: ['log.level', '=debug'] });
    assert.deepEqual(problems(result), [
      { key: null, source: 'flag', origin: '--set log.level', message: 'must be --set key=value' },
      { key: null, source: 'flag', origin: '--set =debug', message: 'must be --set key=value' },
    ]);
  });

  it('reports schema violations with the source of the offending value', () => {
    const file = writeConfig({ sip: { listen: ['udp:0.0.0.0:5060', 'tls:0.0.0.0:5061', 'sctp:0.0.0.0:1'] } });
    const result = loadGatewayConfig({
      file,
      env: { ...requiredEnv, GW_SDP_DTLS_OFFER: 'sometimes' },
      sets: ['sip.outboundProxy=http://proxy.test'],
    });
    assert.deepEqual(problems(result), [
      {
        key: 'sip.outboundProxy',
        source: 'flag',
        origin: '--set sip.outboundProxy',
        message: '"http://proxy.test" is not a sip: or sips: URI',
      },
      {
        key: 'sip.listen',
        source: 'file',
        origin: file,
        message: 'entry 3: "sctp:0.0.0.0:1" must start with udp:, tcp: or tls: (SIP over UDP, TCP and TLS only)',
      },
      {
        key: 'sdp.dtlsOffer',
        source: 'env',
        origin: 'GW_SDP_DTLS_OFFER',
        message: 'Invalid option: expected one of "direct"|"capneg"',
      },
    ]);
  });

  it('refuses file values of the wrong JSON type (no coercion inside a file)', () => {
    const file = writeConfig({ jingle: { iqTimeoutMs: '5000' }, sdp: 'direct', xmpp: { allowedDomains: 'a.test' } });
    assert.deepEqual(problems(loadGatewayConfig({ file, env: requiredEnv })), [
      { key: 'sdp', source: 'file', origin: file, message: 'must be an object' },
      {
        key: 'xmpp.allowedDomains',
        source: 'file',
        origin: file,
        message: 'Invalid input: expected array, received string',
      },
      {
        key: 'jingle.iqTimeoutMs',
        source: 'file',
        origin: file,
        message: 'Invalid input: expected number, received string',
      },
    ]);
  });

  it('reports unreadable, non-JSON and wrongly shaped files', () => {
    const fileProblem = (file: string): ConfigProblem[] => problems(loadGatewayConfig({ file, env: requiredEnv }));
    const yaml = writeConfig('xmpp:\n  domain: x\n', 'config.yaml');
    assert.deepEqual(fileProblem(yaml), [
      { key: null, source: 'file', origin: yaml, message: 'only JSON config files (.json) are supported' },
    ]);
    const absent = join(dir, 'absent.json');
    assert.deepEqual(fileProblem(absent), [
      { key: null, source: 'file', origin: absent, message: 'cannot read the file: no such file' },
    ]);
    const directory = join(dir, 'a-directory.json');
    mkdirSync(directory);
    assert.match(fileProblem(directory)[0]!.message, /^cannot read the file: Error: EISDIR/);
    const broken = writeConfig('{\n  "xmpp": {\n    "domain": "x",\n  }\n}\n');
    assert.match(fileProblem(broken)[0]!.message, /^not valid JSON: .* \(line 4, column 3\)$/);
    const array = writeConfig([]);
    assert.deepEqual(fileProblem(array), [
      { key: null, source: 'file', origin: array, message: 'must contain a JSON object' },
    ]);
  });

  it('accepts a file that starts with a byte order mark', () => {
    const file = writeConfig('\uFEFF{ "log": { "level": "warn" } }');
    assert.equal(config(loadGatewayConfig({ file, env: requiredEnv })).log.level, 'warn');
  });

  it('formats problems as one line each', () => {
    const result = loadGatewayConfig({
      file: join(dir, 'absent.json'),
      env: { GW_XMPP_DOMAIN: 'gw.example.test', GW_SIP_DOMAIN: 'sip.example.test', GW_XMPP_SECRET: 'x', GW_LOG: 'x' },
      sets: ['log.level=loud', 'xmpp.service=xmpp://h:1'],
    });
    assert.equal(
      formatProblems(problems(result)),
      [
        `${join(dir, 'absent.json')}: cannot read the file: no such file`,
        'GW_LOG: unknown variable',
        '--set log.level: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"',
      ].join('\n'),
    );
  });

  it('never echoes a secret in a problem', () => {
    const result = loadGatewayConfig({
      env: { ...requiredEnv, GW_XMPP_SECRET: '', GW_XMPP_SECRETT: 'hunter2' },
      sets: ['xmpp.secret', 'xmpp.secret=hunter3', 'xmpp.secret='],
    });
    const text = formatProblems(problems(result));
    assert.equal(text.includes('hunter'), false);
    assert.match(text, /--set xmpp.secret: must not be empty/);
  });
});

describe('loadMappingOptions', () => {
  it('reads the mapping knobs and ignores service keys in the file and the environment', () => {
    const file = writeConfig({
      xmpp: { domain: 'gw.example.test', secret: 'x', service: 'xmpp://127.0.0.1:5347' },
      sdp: { xtlsOffer: 'direct' },
      http: { listen: '127.0.0.1:9100' },
      log: { level: 'debug' },
    });
    const options = config(
      loadMappingOptions({ file, env: { GW_XMPP_SECRET: 'x', GW_LOG_LEVEL: 'trace', GW_XTLS_OFFER_SETUP: 'actpass' } }),
    );
    assert.deepEqual(options, {
      xmpp: { domain: 'gw.example.test' },
      sip: { domain: 'sip.gw.example' },
      sdp: { dtlsOffer: 'direct', xtlsOffer: 'direct', tlsMethodsAttribute: true, capnegSecondOffer: true },
      xtls: { offerSetup: 'actpass' },
      jingle: { security: 'auto', ringTimeoutMs: 60000, iqTimeoutMs: 30000 },
    });
  });

  it('refuses service keys in --set and unknown keys anywhere', () => {
    const file = writeConfig({ sdp: { capneg: true } });
    const result = loadMappingOptions({ file, env: { GW_SDP_CAPNEG: 'true' }, sets: ['log.level=debug'] });
    assert.deepEqual(problems(result), [
      { key: 'sdp.capneg', source: 'file', origin: file, message: 'unknown key' },
      { key: null, source: 'env', origin: 'GW_SDP_CAPNEG', message: 'unknown variable' },
      {
        key: 'log.level',
        source: 'flag',
        origin: '--set log.level',
        message: 'is a gateway service key; this command does not use it',
      },
    ]);
  });

  it('loads config/mapping.example.json and config/gateway.example.json', () => {
    const root = new URL('../../config/', import.meta.url).pathname;
    const mapping = config(loadMappingOptions({ file: join(root, 'mapping.example.json'), env: {} }));
    assert.deepEqual(mapping, {
      xmpp: { domain: 'gw.example', defaultDomain: 'capulet.lit' },
      sip: { domain: 'sip.gw.example', defaultDomain: 'pstn.example.net', outboundProxy: 'sip:proxy.example.net;lr' },
      sdp: { dtlsOffer: 'direct', xtlsOffer: 'capneg', tlsMethodsAttribute: true, capnegSecondOffer: true },
      xtls: { offerSetup: 'active' },
      jingle: { security: 'auto', ringTimeoutMs: 60000, iqTimeoutMs: 30000 },
    });
    const gateway = config(loadGatewayConfig({ file: join(root, 'gateway.example.json'), env: {} }));
    assert.equal(gateway.xmpp.service, 'xmpp://127.0.0.1:5347');
    assert.deepEqual(gateway.sip.listen, [
      { transport: 'udp', host: '127.0.0.1', port: 5060 },
      { transport: 'tcp', host: '127.0.0.1', port: 5060 },
    ]);
    // One gateway.json also serves `translate --config`.
    assert.equal(
      config(loadMappingOptions({ file: join(root, 'gateway.example.json'), env: {} })).sip.domain,
      'localhost',
    );
  });
});

describe('redactConfig', () => {
  it('masks xmpp.secret and anything named like a secret or password, leaving the rest', () => {
    const loaded = config(loadGatewayConfig({ env: requiredEnv }));
    const redacted = redactConfig(loaded);
    assert.equal(redacted.xmpp.secret, redactedMark);
    assert.deepEqual({ ...redacted, xmpp: { ...redacted.xmpp, secret: 'env-secret' } }, loaded);
    assert.equal(loaded.xmpp.secret, 'env-secret', 'the original is not modified');
    assert.deepEqual(
      redactConfig({ a: { dbPassword: 'p', apiSecret: 's', list: [{ password: 'q', user: 'u' }], unset: undefined } }),
      {
        a: {
          dbPassword: redactedMark,
          apiSecret: redactedMark,
          list: [{ password: redactedMark, user: 'u' }],
          unset: undefined,
        },
      },
    );
    assert.equal(JSON.stringify(redacted).includes('env-secret'), false);
  });
});
