/** `check-config`: the effective configuration with secrets masked, or every problem and exit 2. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const bin = `${root}bin/jingle-sip-gateway`;
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, 'check-config', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });

const dir = mkdtempSync(join(tmpdir(), 'jsg-check-config-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const secret = 'file-secret-Zq81';
const file = join(dir, 'gateway.json');
writeFileSync(
  file,
  JSON.stringify({
    xmpp: { domain: 'gw.example.test', service: 'xmpp://127.0.0.1:5347', secret },
    sip: { domain: 'sip.example.test', listen: ['udp:127.0.0.2:5060', 'tcp:[::1]:5061'] },
    log: { level: 'warn' },
  }),
);

describe('jingle-sip-gateway check-config', () => {
  it('prints the effective config as JSON with defaults, derived values and listen addresses as text', () => {
    const r = run(['--config', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const config = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
    assert.deepEqual(config.xmpp, {
      domain: 'gw.example.test',
      service: 'xmpp://127.0.0.1:5347',
      secret: '[redacted]',
      allowedDomains: ['example.test'],
      limits: { maxStanzaBytes: 65536, maxDepth: 32, callsPerMinute: 30, concurrentCalls: 10 },
      dialPlan: { allow: [], deny: [] },
    });
    assert.deepEqual(config.sip, {
      domain: 'sip.example.test',
      listen: ['udp:127.0.0.2:5060', 'tcp:[::1]:5061'],
      timers: { t1Ms: 500, t2Ms: 4000 },
      limits: { maxMessageBytes: 16384, maxHeaderLineBytes: 8192, maxHeaders: 100 },
      allowedSources: ['0.0.0.0/0', '::/0'],
      rateLimit: { perSecond: 50, burst: 100, exemptSources: ['127.0.0.0/8', '::1/128'] },
      trunk: { expires: 3600 },
      inboundAuth: { nonceLifetimeMs: 300000 },
      tls: {},
    });
    assert.deepEqual(config.http, { listen: '127.0.0.1:9100' });
    assert.deepEqual(config.log, { level: 'warn' });
    assert.deepEqual(config.shutdown, { drainTimeoutMs: 30000 });
    assert.deepEqual(config.jingle, { security: 'auto', ringTimeoutMs: 60000, iqTimeoutMs: 30000 });
  });

  it('never prints the secret, from the file or from the environment', () => {
    const fromFile = run(['--config', file]);
    assert.equal(fromFile.stdout.includes(secret), false);
    const fromEnv = run(['--config', file], { GW_XMPP_SECRET: 'env-secret-Kp02' });
    assert.equal(fromEnv.status, 0, fromEnv.stderr);
    assert.equal(fromEnv.stdout.includes('env-secret-Kp02'), false);
    assert.match(fromEnv.stdout, /"secret": "\[redacted\]"/);
  });

  it('lets the environment override the file and --set override the environment', () => {
    const env = { GW_XMPP_DOMAIN: 'gw.example.org', GW_LOG_LEVEL: 'debug', GW_HTTP_LISTEN: '0.0.0.0:9200' };
    const r = run(['--config', file, '--set', 'log.level=trace'], env);
    assert.equal(r.status, 0, r.stderr);
    const config = JSON.parse(r.stdout) as {
      xmpp: { domain: string; allowedDomains: string[] };
      log: unknown;
      http: unknown;
    };
    assert.equal(config.xmpp.domain, 'gw.example.org');
    assert.deepEqual(config.xmpp.allowedDomains, ['example.org']);
    assert.deepEqual(config.http, { listen: '0.0.0.0:9200' });
    assert.deepEqual(config.log, { level: 'trace' });
  });

  it('reads the file named by GW_CONFIG when --config is absent', () => {
    const r = run([], { GW_CONFIG: file });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /"domain": "sip\.example\.test"/);
  });

  it('lists every problem, one per line, naming key and source, and exits 2 with nothing on stdout', () => {
    const r = run(['--set', 'http.listen=1.2.3.4', '--set', 'sip.domain=sip.example.test'], {
      GW_JINGLE_IQ_TIMEOUT_MS: 'abc',
      GW_SDP_XTLS_OFER: 'direct',
      GW_XMPP_DOMAIN: 'gw.example.test',
      GW_XMPP_SERVICE: 'xmpp://127.0.0.1:5347',
    });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.stderr.trimEnd().split('\n'), [
      'jingle-sip-gateway: check-config: invalid configuration',
      'GW_JINGLE_IQ_TIMEOUT_MS (jingle.iqTimeoutMs): must be a number, got "abc"',
      'GW_SDP_XTLS_OFER: unknown variable (did you mean GW_SDP_XTLS_OFFER?)',
      'xmpp.secret: is required; set xmpp.secret in the config file, GW_XMPP_SECRET, or --set xmpp.secret=…',
      '--set http.listen: "1.2.3.4" is not HOST:PORT',
    ]);
  });

  it('answers --help with exit 0 and an unknown option or a positional argument with exit 2', () => {
    const help = run(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: jingle-sip-gateway check-config /);
    assert.equal(run(['--bogus']).status, 2);
    const positional = run([file]);
    assert.equal(positional.status, 2);
    assert.match(positional.stderr, /^jingle-sip-gateway: check-config: Unexpected argument/);
  });
});
