/** The service logger: JSON lines, level names, secrets redacted, per-call child bindings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callLogger, createLogger, type LogLevel } from '../../src/ops/logger.ts';

/** A logger writing into an array of parsed JSON lines. */
function capture(level: LogLevel = 'trace') {
  const lines: Record<string, unknown>[] = [];
  const destination = { write: (text: string) => void lines.push(JSON.parse(text) as Record<string, unknown>) };
  return { logger: createLogger({ level, destination }), lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line with the level name, the service name and the message', () => {
    const { logger, lines } = capture('info');
    logger.info({ port: 5060 }, 'listening');
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line?.level, 'info');
    assert.equal(line?.name, 'jingle-sip-gateway');
    assert.equal(line?.msg, 'listening');
    assert.equal(line?.port, 5060);
    assert.match(String(line?.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('drops lines below the configured level and writes nothing at silent', () => {
    const warn = capture('warn');
    warn.logger.info('hidden');
    warn.logger.debug('hidden');
    warn.logger.error('shown');
    assert.deepEqual(
      warn.lines.map((l) => l.msg),
      ['shown'],
    );
    const silent = capture('silent');
    silent.logger.fatal('hidden');
    assert.equal(silent.lines.length, 0);
  });

  it('redacts the component secret, passwords and secrets at any of the first three levels', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        config: { xmpp: { secret: 'S1', domain: 'gw.example.test' } },
        xmpp: { secret: 'S2', service: 'xmpp://127.0.0.1:5347' },
        secret: 'S3',
        password: 'P1',
        options: { password: 'P2', user: 'romeo' },
        user: { credentials: { secret: 'S4', password: 'P3' } },
      },
      'startup',
    );
    const text = JSON.stringify(lines);
    for (const value of ['S1', 'S2', 'S3', 'S4', 'P1', 'P2', 'P3']) assert.equal(text.includes(`"${value}"`), false);
    const [line] = lines;
    assert.deepEqual(line?.config, { xmpp: { secret: '[redacted]', domain: 'gw.example.test' } });
    assert.deepEqual(line?.xmpp, { secret: '[redacted]', service: 'xmpp://127.0.0.1:5347' });
    assert.equal(line?.secret, '[redacted]');
    assert.equal(line?.password, '[redacted]');
    assert.deepEqual(line?.options, { password: '[redacted]', user: 'romeo' });
    assert.deepEqual(line?.user, { credentials: { secret: '[redacted]', password: '[redacted]' } });
  });

  it('redacts SIP credentials (Authorization, Proxy-Authorization) in dumped messages', () => {
    const { logger, lines } = capture();
    const headers = { authorization: 'Digest username="a", response="r1"', 'proxy-authorization': 'Digest r2' };
    logger.trace({ sip: { method: 'INVITE', headers: { ...headers, 'call-id': 'c1' } } }, 'sip out');
    logger.trace({ headers }, 'sip in');
    assert.deepEqual(lines[0]?.sip, {
      method: 'INVITE',
      headers: { authorization: '[redacted]', 'proxy-authorization': '[redacted]', 'call-id': 'c1' },
    });
    assert.deepEqual(lines[1]?.headers, { authorization: '[redacted]', 'proxy-authorization': '[redacted]' });
  });
});

describe('callLogger', () => {
  it('binds direction, Call-ID and sid to every line of the call, leaving the parent unchanged', () => {
    const { logger, lines } = capture();
    const call = callLogger(logger, { callId: 'a84b4c76e66710@gw', sid: 'a73sjjvkla37jfea', direction: 'xmpp-to-sip' });
    call.info({ status: 180 }, 'ringing');
    logger.info('not a call');
    assert.equal(lines[0]?.direction, 'xmpp-to-sip');
    assert.equal(lines[0]?.callId, 'a84b4c76e66710@gw');
    assert.equal(lines[0]?.sid, 'a73sjjvkla37jfea');
    assert.equal(lines[0]?.status, 180);
    assert.equal('callId' in (lines[1] ?? {}), false);
  });

  it('makes the pino child only when a line is written at an enabled level, and only once', () => {
    const { logger, lines } = capture('warn');
    let children = 0;
    const child = logger.child.bind(logger);
    logger.child = ((...args: Parameters<typeof child>) => {
      children += 1;
      return child(...args);
    }) as typeof logger.child;
    const call = callLogger(logger, { callId: 'c1@gw', sid: 's1', direction: 'sip-to-xmpp' });
    call.debug('below the level');
    call.info({ status: 180 }, 'below the level');
    assert.equal(call.isLevelEnabled('info'), false);
    assert.equal(children, 0);
    call.warn('first');
    call.error({ status: 500 }, 'second');
    assert.equal(children, 1);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.callId, l.sid]),
      [
        ['warn', 'first', 'c1@gw', 's1'],
        ['error', 'second', 'c1@gw', 's1'],
      ],
    );
  });

  it('leaves out ids the call does not have yet', () => {
    const { logger, lines } = capture();
    callLogger(logger, { sid: 's1', direction: 'sip-to-xmpp' }).info('proposing');
    assert.equal(lines[0]?.sid, 's1');
    assert.equal('callId' in (lines[0] ?? {}), false);
  });
});
