// Trunk registration [RFC 3261 §10.2]: REGISTER with digest, refresh before expiry, retry after
// failure, 423 Min-Expires, un-REGISTER on stop — against a loopback registrar driven by the test.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { digestResponse, parseAuthParams } from '../../src/sip/digest.ts';
import type { SipRequest, SipResponse } from '../../src/sip/message.ts';
import type { SipPort } from '../../src/sip/port.ts';
import { grantedExpires, refreshDelayMs, RegistrationState, TrunkRegistration } from '../../src/sip/register.ts';
import { gatewayHost, Peer, portOf, startPort, token } from './helpers.ts';

describe('refresh timing', () => {
  it('refreshes at 80 % or 30 s before the end, whichever is earlier, after at least 1 s', () => {
    assert.equal(refreshDelayMs(3600), 2880_000);
    assert.equal(refreshDelayMs(100), 70_000);
    assert.equal(refreshDelayMs(60), 30_000);
    assert.equal(refreshDelayMs(10), 1000);
  });

  it('reads the granted lifetime from our Contact, else Expires, else what was asked', () => {
    const base = { status: 200, reason: 'OK' };
    const headers = {
      to: { uri: 'sip:a@b', params: {} },
      from: { uri: 'sip:a@b', params: {} },
      'call-id': 'c',
      cseq: { seq: 1, method: 'REGISTER' },
    };
    const ours = 'sip:gw@127.0.0.2:5060';
    const withContact: SipResponse = {
      ...base,
      headers: {
        ...headers,
        contact: [
          { uri: 'sip:other@192.0.2.1', params: { expires: '10' } },
          { uri: ours, params: { expires: '120' } },
        ],
        expires: '600',
      },
    };
    assert.equal(grantedExpires(withContact, ours, 3600), 120);
    assert.equal(grantedExpires({ ...base, headers: { ...headers, expires: '600' } }, ours, 3600), 600);
    assert.equal(grantedExpires({ ...base, headers }, ours, 3600), 3600);
  });
});

function authParams(request: SipRequest): Record<string, string> {
  const [entry] = request.headers.authorization as Record<string, string>[];
  const text = Object.entries(entry!)
    .filter(([name]) => name !== 'scheme')
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  return parseAuthParams(`Digest ${text}`).params;
}

describe('TrunkRegistration', () => {
  let port: SipPort;
  let registrar: Peer;
  const contact = (): string => `sip:gw@${gatewayHost}:${portOf(port)}`;

  before(async () => {
    port = await startPort(gatewayHost, ['udp']);
    registrar = await Peer.start(['udp']);
  });
  after(async () => {
    await port.close();
    await registrar.close();
  });

  function registration(states: RegistrationState[], expires = 3600): TrunkRegistration {
    return new TrunkRegistration({
      port,
      registrar: `sip:127.0.0.1:${portOf(registrar.port)}`,
      aor: 'sip:gw-account@trunk.example',
      contact: contact(),
      expires,
      credentials: { username: 'gw-account', password: 'pw' },
      retry: { initialMs: 50, maxMs: 200 },
      onStateChange: (state) => states.push(state),
    });
  }

  it('registers through a 401, refreshes before expiry, and unregisters on stop', async () => {
    const states: RegistrationState[] = [];
    const reg = registration(states);
    reg.start();
    const first = await registrar.nextRequest('REGISTER');
    assert.equal(first.request.uri, `sip:127.0.0.1:${portOf(registrar.port)}`);
    assert.equal(first.request.headers.to.uri, 'sip:gw-account@trunk.example');
    assert.equal(first.request.headers.contact?.[0]?.uri, contact());
    assert.equal(String(first.request.headers.expires), '3600');
    const challenge = registrar.response(first.request, 401, token());
    challenge.headers['www-authenticate'] = [
      { scheme: 'Digest', realm: '"trunk.example"', nonce: '"n1"', qop: '"auth"', algorithm: 'SHA-256' },
    ];
    first.respond(challenge);

    const second = await registrar.nextRequest('REGISTER');
    assert.equal(second.request.headers['call-id'], first.request.headers['call-id']);
    assert.equal(second.request.headers.cseq.seq, first.request.headers.cseq.seq + 1);
    const p = authParams(second.request);
    assert.equal(p.algorithm, 'SHA-256');
    const expected = digestResponse({
      algorithm: 'SHA-256',
      username: 'gw-account',
      realm: 'trunk.example',
      password: 'pw',
      method: 'REGISTER',
      uri: first.request.uri,
      nonce: 'n1',
      qop: 'auth',
      nc: p.nc,
      cnonce: p.cnonce,
    });
    assert.equal(p.response, expected);
    // Granted for 10 s only → refreshed after 1 s (refreshDelayMs).
    const ok = registrar.response(second.request, 200, token());
    ok.headers.contact = [{ uri: contact(), params: { expires: '10' } }];
    second.respond(ok);

    const refresh = await registrar.nextRequest('REGISTER', 3000);
    assert.equal(reg.state, RegistrationState.Registering);
    assert.equal(refresh.request.headers['call-id'], first.request.headers['call-id']);
    assert.equal(refresh.request.headers.cseq.seq, second.request.headers.cseq.seq + 1);
    const ok2 = registrar.response(refresh.request, 200, token());
    ok2.headers.expires = '3600';
    refresh.respond(ok2);
    await waitFor(() => reg.registered);

    const stopped = reg.stop();
    const unregister = await registrar.nextRequest('REGISTER');
    assert.equal(String(unregister.request.headers.expires), '0');
    unregister.respond(registrar.response(unregister.request, 200, token()));
    await stopped;
    assert.deepEqual(states, [
      RegistrationState.Registering,
      RegistrationState.Registered,
      RegistrationState.Registering,
      RegistrationState.Registered,
      RegistrationState.Stopped,
    ]);
  });

  it('re-registers with backoff after a failure, and follows 423 Min-Expires', async () => {
    const states: RegistrationState[] = [];
    const reg = registration(states, 60);
    reg.start();
    const first = await registrar.nextRequest('REGISTER');
    first.respond(registrar.response(first.request, 503, token()));
    const again = await registrar.nextRequest('REGISTER');
    assert.equal(reg.state, RegistrationState.Registering);
    const brief = registrar.response(again.request, 423, token());
    brief.headers['min-expires'] = '120';
    again.respond(brief);
    const longer = await registrar.nextRequest('REGISTER');
    assert.equal(String(longer.request.headers.expires), '120');
    longer.respond(registrar.response(longer.request, 200, token()));
    await waitFor(() => reg.registered);
    assert.deepEqual(states, [
      RegistrationState.Registering,
      RegistrationState.Failed,
      RegistrationState.Registering,
      RegistrationState.Registered,
    ]);
    const stopped = reg.stop();
    const unregister = await registrar.nextRequest('REGISTER');
    unregister.respond(registrar.response(unregister.request, 200, token()));
    await stopped;
  });

  it('a second 401 is a failure (no endless retry with wrong credentials)', async () => {
    const states: RegistrationState[] = [];
    const reg = registration(states);
    reg.start();
    for (let i = 0; i < 2; i++) {
      const r = await registrar.nextRequest('REGISTER');
      const challenge = registrar.response(r.request, 401, token());
      challenge.headers['www-authenticate'] = [{ scheme: 'Digest', realm: '"t"', nonce: `"n${i}"` }];
      r.respond(challenge);
    }
    await waitFor(() => reg.state === RegistrationState.Failed);
    await reg.stop();
    assert.deepEqual(states, [RegistrationState.Registering, RegistrationState.Failed, RegistrationState.Stopped]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
