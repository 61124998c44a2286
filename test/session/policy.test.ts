import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AddressSet,
  DialPlan,
  LogThrottle,
  TokenBuckets,
  cidrProblem,
  dialString,
  normalizeAddress,
  parseCidr,
  patternProblem,
} from '../../src/session/policy.ts';

function fakeClock() {
  const clock = { ms: 1_000_000 };
  return { clock, now: () => clock.ms };
}

describe('TokenBuckets', () => {
  it('admits a burst of `capacity`, then refuses with the time until the next token', () => {
    const { clock, now } = fakeClock();
    const buckets = new TokenBuckets({ capacity: 3, refillPerSecond: 0.5 }, now);
    assert.deepEqual(
      [1, 2, 3].map(() => buckets.take('a')),
      [{ ok: true }, { ok: true }, { ok: true }],
    );
    assert.deepEqual(buckets.take('a'), { ok: false, retryAfterMs: 2000 });
    clock.ms += 1500;
    assert.deepEqual(buckets.take('a'), { ok: false, retryAfterMs: 500 });
    clock.ms += 500;
    assert.deepEqual(buckets.take('a'), { ok: true });
    assert.deepEqual(buckets.take('a'), { ok: false, retryAfterMs: 2000 });
  });

  it('keeps one bucket per key', () => {
    const { now } = fakeClock();
    const buckets = new TokenBuckets({ capacity: 1, refillPerSecond: 1 }, now);
    assert.deepEqual(buckets.take('a'), { ok: true });
    assert.deepEqual(buckets.take('b'), { ok: true });
    assert.deepEqual(buckets.take('a'), { ok: false, retryAfterMs: 1000 });
  });

  it('refills no further than `capacity` after a long pause', () => {
    const { clock, now } = fakeClock();
    const buckets = new TokenBuckets({ capacity: 2, refillPerSecond: 10 }, now);
    buckets.take('a');
    clock.ms += 3_600_000;
    assert.deepEqual(
      [1, 2, 3].map(() => buckets.take('a').ok),
      [true, true, false],
    );
  });

  it('a clock that goes backwards adds no tokens', () => {
    const { clock, now } = fakeClock();
    const buckets = new TokenBuckets({ capacity: 1, refillPerSecond: 1 }, now);
    buckets.take('a');
    clock.ms -= 10_000;
    assert.equal(buckets.take('a').ok, false);
  });

  it('forgets the least recently used key past maxKeys', () => {
    const { now } = fakeClock();
    const buckets = new TokenBuckets({ capacity: 1, refillPerSecond: 0.001, maxKeys: 2 }, now);
    buckets.take('a');
    buckets.take('b');
    buckets.take('a'); // refused, but now the most recently used
    buckets.take('c'); // evicts b
    assert.equal(buckets.size, 2);
    assert.equal(buckets.take('a').ok, false);
    assert.equal(buckets.take('b').ok, true); // b was forgotten: a full bucket again
  });

  it('refuses nonsensical options', () => {
    const { now } = fakeClock();
    assert.throws(() => new TokenBuckets({ capacity: 0, refillPerSecond: 1 }, now), RangeError);
    assert.throws(() => new TokenBuckets({ capacity: 1, refillPerSecond: 0 }, now), RangeError);
  });
});

describe('CIDR lists', () => {
  it('parses IPv4 and IPv6 prefixes and bare addresses', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { family: 'ipv4', address: '10.0.0.0', prefix: 8 });
    assert.deepEqual(parseCidr('2001:db8::/32'), { family: 'ipv6', address: '2001:db8::', prefix: 32 });
    assert.deepEqual(parseCidr('192.0.2.7'), { family: 'ipv4', address: '192.0.2.7', prefix: 32 });
    assert.deepEqual(parseCidr('::1'), { family: 'ipv6', address: '::1', prefix: 128 });
    assert.deepEqual(parseCidr('0.0.0.0/0'), { family: 'ipv4', address: '0.0.0.0', prefix: 0 });
  });

  it('says what is wrong with a bad entry', () => {
    assert.equal(cidrProblem('10.0.0.0/33'), '"10.0.0.0/33": the prefix length must be a whole number from 0 to 32');
    assert.equal(cidrProblem('::/129'), '"::/129": the prefix length must be a whole number from 0 to 128');
    assert.equal(cidrProblem('10.0.0.0/x'), '"10.0.0.0/x": the prefix length must be a whole number from 0 to 32');
    assert.equal(cidrProblem('pbx.example.com/24'), '"pbx.example.com/24" does not start with an IPv4 or IPv6 address');
    assert.equal(cidrProblem('10.0.0.0/8/8'), '"10.0.0.0/8/8" has more than one "/"');
    assert.equal(cidrProblem('10.0.0.0/8'), undefined);
  });

  it('matches IPv4 sources by prefix', () => {
    const set = new AddressSet(['192.0.2.0/24', '198.51.100.9/32']);
    assert.equal(set.has('192.0.2.1'), true);
    assert.equal(set.has('192.0.2.255'), true);
    assert.equal(set.has('192.0.3.1'), false);
    assert.equal(set.has('198.51.100.9'), true);
    assert.equal(set.has('198.51.100.10'), false);
  });

  it('matches IPv6 sources by prefix, zones dropped', () => {
    const set = new AddressSet(['2001:db8:1::/48', 'fe80::/10']);
    assert.equal(set.has('2001:db8:1:ffff::5'), true);
    assert.equal(set.has('2001:db8:2::5'), false);
    assert.equal(set.has('fe80::1%eth0'), true);
    assert.equal(set.has('192.0.2.1'), false);
  });

  it('reads an IPv4-mapped IPv6 source (dual-stack socket) as IPv4', () => {
    assert.equal(normalizeAddress('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(normalizeAddress('::FFFF:192.0.2.1'), '192.0.2.1');
    assert.equal(new AddressSet(['192.0.2.0/24']).has('::ffff:192.0.2.1'), true);
    assert.equal(new AddressSet(['192.0.2.0/24']).has('::ffff:192.0.3.1'), false);
  });

  it('never matches what is not an address, and an empty list matches nothing', () => {
    assert.equal(new AddressSet(['0.0.0.0/0', '::/0']).has('not-an-ip'), false);
    assert.equal(new AddressSet(['0.0.0.0/0', '::/0']).has(''), false);
    const empty = new AddressSet([]);
    assert.equal(empty.empty, true);
    assert.equal(empty.has('127.0.0.1'), false);
  });

  it('throws on an invalid entry (the schema checks first)', () => {
    assert.throws(() => new AddressSet(['300.0.0.0/8']), RangeError);
  });
});

describe('dial plan', () => {
  it('matches user@host, percent-decoded, without visual separators or user parameters', () => {
    assert.equal(dialString('sip:+19005550100@trunk.example'), '+19005550100@trunk.example');
    assert.equal(dialString('sip:%2B1-900-555-0100@Trunk.Example:5060'), '+19005550100@trunk.example');
    assert.equal(dialString('sip:+1(900)555.0100;isub=12@trunk.example'), '+19005550100@trunk.example');
    assert.equal(dialString('sips:alice%40example.org@pbx.example'), 'alice@example.org@pbx.example');
    assert.equal(dialString('sip:alice-smith@pbx.example'), 'alice-smith@pbx.example');
    assert.equal(dialString('sip:1234@[2001:db8::1]:5060'), '1234@[2001:db8::1]');
    assert.equal(dialString('sip:%zz@pbx.example'), '%zz@pbx.example');
    assert.equal(dialString('tel:+15551234'), undefined);
  });

  const premium = new DialPlan({ allow: [], deny: ['^\\+1900', '^\\+44(9|87)'] });

  it('refuses premium ranges with deny patterns, however the number is written', () => {
    assert.deepEqual(premium.check('sip:+19005550100@trunk.example'), { ok: false, rule: 'deny', pattern: '^\\+1900' });
    assert.deepEqual(premium.check('sip:+1-900-555-0100@trunk.example'), {
      ok: false,
      rule: 'deny',
      pattern: '^\\+1900',
    });
    assert.deepEqual(premium.check('sip:%2B449099000000@trunk.example'), {
      ok: false,
      rule: 'deny',
      pattern: '^\\+44(9|87)',
    });
    assert.deepEqual(premium.check('sip:+448712345678@trunk.example'), {
      ok: false,
      rule: 'deny',
      pattern: '^\\+44(9|87)',
    });
    assert.deepEqual(premium.check('sip:+442071234567@trunk.example'), { ok: true });
    assert.deepEqual(premium.check('sip:+15551234567@trunk.example'), { ok: true });
  });

  it('with allow patterns, calls only what matches one; deny wins over allow', () => {
    const plan = new DialPlan({ allow: ['^\\+1', '@pbx\\.example$'], deny: ['^\\+1900'] });
    assert.deepEqual(plan.check('sip:+15551234567@trunk.example'), { ok: true });
    assert.deepEqual(plan.check('sip:alice@PBX.example'), { ok: true });
    assert.deepEqual(plan.check('sip:+442071234567@trunk.example'), { ok: false, rule: 'allow' });
    assert.deepEqual(plan.check('sip:+19005550100@pbx.example'), { ok: false, rule: 'deny', pattern: '^\\+1900' });
  });

  it('is case-insensitive', () => {
    const plan = new DialPlan({ allow: [], deny: ['^premium'] });
    assert.deepEqual(plan.check('sip:PREMIUM-line@pbx.example'), { ok: false, rule: 'deny', pattern: '^premium' });
  });

  it('refuses a URI it cannot read when anything is configured… and also when nothing is', () => {
    assert.deepEqual(new DialPlan({ allow: [], deny: [] }).check('tel:+15551234'), { ok: false, rule: 'allow' });
    assert.deepEqual(new DialPlan({ allow: [], deny: [] }).check('sip:+15551234@trunk.example'), { ok: true });
  });

  it('validates patterns for the schema', () => {
    assert.equal(patternProblem('^\\+1900'), undefined);
    assert.match(patternProblem('^(\\+1900') ?? '', /^"\^\(\\\+1900" is not a valid regular expression: /);
  });
});

describe('LogThrottle', () => {
  it('logs once per key and interval, then reports how many lines it skipped', () => {
    const { clock, now } = fakeClock();
    const throttle = new LogThrottle(10_000, now);
    assert.deepEqual(throttle.shouldLog('a'), { log: true, suppressed: 0 });
    assert.deepEqual(throttle.shouldLog('a'), { log: false });
    assert.deepEqual(throttle.shouldLog('a'), { log: false });
    assert.deepEqual(throttle.shouldLog('b'), { log: true, suppressed: 0 });
    clock.ms += 10_000;
    assert.deepEqual(throttle.shouldLog('a'), { log: true, suppressed: 2 });
    assert.deepEqual(throttle.shouldLog('a'), { log: false });
  });
});
