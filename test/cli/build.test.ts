/**
 * `npm run build` (the Docker image's entry point): the compiled tree runs the same commands as
 * bin/jingle-sip-gateway. Compiled into a temporary directory laid out like the repository
 * (dist/, package.json, node_modules), so the checkout's own dist/ is left alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'jsg-build-'));
const cli = join(out, 'dist', 'cli.js');

describe('the compiled gateway (npm run build)', () => {
  before(() => {
    const tsc = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(root, 'tsconfig.build.json'),
        '--outDir',
        join(out, 'dist'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    symlinkSync(join(root, 'package.json'), join(out, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
  });
  after(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('prints the effective configuration, the secret masked', () => {
    const r = spawnSync(
      process.execPath,
      [cli, 'check-config', '--config', join(root, 'config/gateway.example.json')],
      {
        encoding: 'utf8',
        env: { ...process.env, GW_XMPP_SECRET: 'not-to-be-printed' },
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const config = JSON.parse(r.stdout) as { xmpp: { domain: string; secret: string } };
    assert.equal(config.xmpp.domain, 'gw.example.test');
    assert.notEqual(config.xmpp.secret, 'not-to-be-printed');
    assert.doesNotMatch(r.stdout, /not-to-be-printed/);
  });

  it('translates a Jingle offer without tsx', () => {
    const r = spawnSync(
      process.execPath,
      [cli, 'translate', '--from', 'jingle', '--deterministic', join(root, 'examples/founding-xtls.xml')],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^a=fingerprint:sha-1 /m);
    assert.match(r.stdout, /^a=tcap:1 UDP\/TLS\/RTP\/SAVP/m);
  });
});
