// Digest computation against the RFC test vectors, challenge parsing and choice, and the
// server side (nonce expiry → stale=true, wrong password, foreign nonce).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  digestAuthorization,
  digestResponse,
  InboundDigest,
  parseAuthParams,
  parseChallenges,
  pickChallenge,
} from '../../src/sip/digest.ts';

describe('digestResponse', () => {
  it('matches RFC 2617 §3.5 (MD5, qop=auth)', () => {
    const response = digestResponse({
      algorithm: 'MD5',
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
    });
    assert.equal(response, '6629fae49393a05397450978507c4ef1');
  });

  const rfc7616 = {
    username: 'Mufasa',
    realm: 'http-auth@example.org',
    password: 'Circle of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    qop: 'auth' as const,
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };

  it('matches RFC 7616 §3.9.1 with MD5', () => {
    assert.equal(digestResponse({ ...rfc7616, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
  });

  it('matches RFC 7616 §3.9.1 with SHA-256 (RFC 8760)', () => {
    assert.equal(
      digestResponse({ ...rfc7616, algorithm: 'SHA-256' }),
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  it('computes the RFC 2069 form without qop', () => {
    // H(H(A1):nonce:H(A2)), checked with md5sum in a shell.
    const response = digestResponse({
      algorithm: 'MD5',
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    });
    assert.equal(response, '670fd8c2df070c60b045671b8b24ff02');
  });

  it('refuses an unknown algorithm', () => {
    assert.throws(() => digestResponse({ ...rfc7616, algorithm: 'SHA-1' }), /not supported/);
  });
});

describe('challenges', () => {
  it('parses raw text and the sip stack form alike', () => {
    const text = 'Digest realm="trunk.example", nonce="abc\\"d", qop="auth,auth-int", algorithm=SHA-256, stale=TRUE';
    const fromText = parseChallenges(text);
    const fromStack = parseChallenges([
      {
        scheme: 'Digest',
        realm: '"trunk.example"',
        nonce: '"abc\\"d"',
        qop: '"auth,auth-int"',
        algorithm: 'SHA-256',
        stale: 'TRUE',
      },
    ]);
    const expected = [
      {
        realm: 'trunk.example',
        nonce: 'abc"d',
        opaque: undefined,
        algorithm: 'SHA-256',
        qop: ['auth', 'auth-int'],
        stale: true,
      },
    ];
    assert.deepEqual(fromText, expected);
    assert.deepEqual(fromStack, expected);
  });

  it('ignores non-Digest schemes and challenges without nonce', () => {
    assert.deepEqual(parseChallenges(['Basic realm="x"', 'Digest realm="x"']), []);
  });

  it('prefers SHA-256 over MD5 and honours the configured realm', () => {
    const challenges = parseChallenges([
      'Digest realm="a", nonce="1", algorithm=MD5, qop="auth"',
      'Digest realm="a", nonce="2", algorithm=SHA-256, qop="auth"',
      'Digest realm="b", nonce="3", algorithm=MD5',
      'Digest realm="a", nonce="4", algorithm=SHA-1',
    ]);
    assert.equal(pickChallenge(challenges, { username: 'u', password: 'p' })?.nonce, '2');
    assert.equal(pickChallenge(challenges, { username: 'u', password: 'p', realm: 'b' })?.nonce, '3');
    assert.equal(pickChallenge(challenges, { username: 'u', password: 'p', realm: 'c' }), undefined);
    const intOnly = parseChallenges('Digest realm="a", nonce="5", qop="auth-int"');
    assert.equal(pickChallenge(intOnly, { username: 'u', password: 'p' }), undefined);
  });

  it('builds an Authorization value with qop=auth, nc and cnonce', () => {
    const [challenge] = parseChallenges(
      'Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", qop="auth", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    const value = digestAuthorization(
      challenge!,
      { username: 'Mufasa', password: 'Circle Of Life' },
      'GET',
      '/dir/index.html',
      '0a4f113b',
    );
    assert.deepEqual(value, {
      scheme: 'Digest',
      username: '"Mufasa"',
      realm: '"testrealm@host.com"',
      nonce: '"dcd98b7102dd2f0e8b11d0f600bfb0c093"',
      uri: '"/dir/index.html"',
      response: '"6629fae49393a05397450978507c4ef1"',
      algorithm: 'MD5',
      opaque: '"5ccc069c403ebaf9f0171e9517f40e41"',
      qop: 'auth',
      nc: '00000001',
      cnonce: '"0a4f113b"',
    });
  });
});

describe('InboundDigest', () => {
  function setup(): { server: InboundDigest; clock: { t: number } } {
    const clock = { t: 1_700_000_000_000 };
    const server = new InboundDigest({
      realm: 'gw.example',
      users: new Map([['alice', 's3cret']]),
      nonceLifetimeMs: 60_000,
      now: () => clock.t,
    });
    return { server, clock };
  }

  function answer(server: InboundDigest, password: string, method = 'INVITE'): Record<string, string> {
    const [challenge] = parseChallenges([server.challenge()]);
    return digestAuthorization(challenge!, { username: 'alice', password }, method, 'sip:bob@gw.example', 'cn1');
  }

  it('accepts the right password and refuses a wrong one or a missing header', () => {
    const { server } = setup();
    assert.deepEqual(server.verify('INVITE', [answer(server, 's3cret')]), { ok: true, username: 'alice' });
    assert.deepEqual(server.verify('INVITE', [answer(server, 'wrong')]), {
      ok: false,
      stale: false,
      why: 'bad-response',
    });
    assert.deepEqual(server.verify('INVITE', undefined), { ok: false, stale: false, why: 'no-credentials' });
  });

  it('refuses credentials computed for another method', () => {
    const { server } = setup();
    assert.equal(server.verify('INVITE', [answer(server, 's3cret', 'BYE')]).ok, false);
  });

  it('reports an expired nonce as stale', () => {
    const { server, clock } = setup();
    const authorization = answer(server, 's3cret');
    clock.t += 60_001;
    assert.deepEqual(server.verify('INVITE', [authorization]), { ok: false, stale: true, why: 'stale' });
    assert.equal(
      parseAuthParams(
        `Digest ${Object.entries(server.challenge(true))
          .filter(([k]) => k !== 'scheme')
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
      ).params.stale,
      'true',
    );
  });

  it('refuses a nonce it did not issue', () => {
    const { server } = setup();
    const other = new InboundDigest({ realm: 'gw.example', users: new Map([['alice', 's3cret']]) });
    assert.deepEqual(server.verify('INVITE', [answer(other, 's3cret')]), {
      ok: false,
      stale: false,
      why: 'bad-nonce',
    });
  });
});
