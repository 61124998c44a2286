/** GatewayMetrics: Prometheus text of every gateway metric, per-instance registries, bounded labels. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayMetrics, sipMethodLabel } from '../../src/ops/metrics.ts';
import type { SipHeaders, SipRequest, SipResponse } from '../../src/sip/message.ts';

const headers: SipHeaders = {
  to: { uri: 'sip:bob@example.test', params: {} },
  from: { uri: 'sip:alice@example.test', params: { tag: '1' } },
  'call-id': 'c1',
  cseq: { seq: 1, method: 'INVITE' },
};
const request = (method: string): SipRequest => ({ method, uri: 'sip:bob@example.test', headers });
const response = (status: number): SipResponse => ({ status, reason: 'X', headers });

/** The sample lines of one metric family, without HELP/TYPE. */
async function samples(metrics: GatewayMetrics, family: string): Promise<string[]> {
  const text = await metrics.metricsText();
  return text.split('\n').filter((line) => line.startsWith(`${family}{`) || line.startsWith(`${family} `));
}

describe('GatewayMetrics', () => {
  it('counts active calls and finished calls by direction and outcome, zero series present from the start', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    assert.deepEqual(await samples(metrics, 'jsg_active_calls'), ['jsg_active_calls 0']);
    const calls = await samples(metrics, 'jsg_calls_total');
    assert.equal(calls.length, 12);
    assert.ok(calls.every((line) => line.endsWith(' 0')));
    metrics.callStarted('xmpp-to-sip');
    metrics.callStarted('sip-to-xmpp');
    metrics.callStarted('sip-to-xmpp');
    metrics.callEnded('sip-to-xmpp', 'rejected');
    assert.deepEqual(await samples(metrics, 'jsg_active_calls'), ['jsg_active_calls 2']);
    const after = await samples(metrics, 'jsg_calls_total');
    assert.ok(after.includes('jsg_calls_total{direction="sip-to-xmpp",outcome="rejected"} 1'));
    assert.ok(after.includes('jsg_calls_total{direction="xmpp-to-sip",outcome="rejected"} 0'));
  });

  it('observes setup time in the histogram buckets of its direction', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    metrics.callAnswered('xmpp-to-sip', 0.7);
    metrics.callAnswered('xmpp-to-sip', 12);
    const lines = await samples(metrics, 'jsg_call_setup_seconds_bucket');
    assert.ok(lines.includes('jsg_call_setup_seconds_bucket{le="0.5",direction="xmpp-to-sip"} 0'));
    assert.ok(lines.includes('jsg_call_setup_seconds_bucket{le="1",direction="xmpp-to-sip"} 1'));
    assert.ok(lines.includes('jsg_call_setup_seconds_bucket{le="20",direction="xmpp-to-sip"} 2'));
    assert.ok(lines.includes('jsg_call_setup_seconds_bucket{le="+Inf",direction="sip-to-xmpp"} 0'));
    assert.deepEqual(
      lines.filter((l) => l.includes('xmpp-to-sip')).map((l) => /le="([^"]+)"/.exec(l)?.[1]),
      ['0.05', '0.1', '0.25', '0.5', '1', '2', '3', '5', '10', '20', '30', '+Inf'],
    );
    assert.deepEqual(await samples(metrics, 'jsg_call_setup_seconds_count'), [
      'jsg_call_setup_seconds_count{direction="xmpp-to-sip"} 2',
      'jsg_call_setup_seconds_count{direction="sip-to-xmpp"} 0',
    ]);
  });

  it('follows the XMPP connection: connected 0/1, a reconnect counted only after a first online', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    assert.deepEqual(await samples(metrics, 'jsg_xmpp_connected'), ['jsg_xmpp_connected 0']);
    metrics.xmppStatus('connecting');
    metrics.xmppStatus('online');
    assert.deepEqual(await samples(metrics, 'jsg_xmpp_connected'), ['jsg_xmpp_connected 1']);
    assert.deepEqual(await samples(metrics, 'jsg_xmpp_reconnects_total'), ['jsg_xmpp_reconnects_total 0']);
    metrics.xmppStatus('offline');
    assert.deepEqual(await samples(metrics, 'jsg_xmpp_connected'), ['jsg_xmpp_connected 0']);
    metrics.xmppStatus('connecting');
    metrics.xmppStatus('online');
    metrics.xmppStatus('online');
    assert.deepEqual(await samples(metrics, 'jsg_xmpp_reconnects_total'), ['jsg_xmpp_reconnects_total 1']);
    metrics.xmppStatus('stopped');
    assert.deepEqual(await samples(metrics, 'jsg_xmpp_connected'), ['jsg_xmpp_connected 0']);
  });

  it('counts SIP messages by direction and method or response class', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    metrics.sipMessage('in', request('INVITE'));
    metrics.sipMessage('out', response(100));
    metrics.sipMessage('out', response(180));
    metrics.sipMessage('out', response(486));
    metrics.sipMessage('in', request('ACK'));
    assert.deepEqual(await samples(metrics, 'jsg_sip_messages_total'), [
      'jsg_sip_messages_total{direction="in",method="INVITE"} 1',
      'jsg_sip_messages_total{direction="out",method="response_1xx"} 2',
      'jsg_sip_messages_total{direction="out",method="response_4xx"} 1',
      'jsg_sip_messages_total{direction="in",method="ACK"} 1',
    ]);
  });

  it('counts mapping errors by catalogue code, anything else as other', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    metrics.mappingError('fingerprint-syntax');
    metrics.mappingError('fingerprint-syntax');
    metrics.mappingError('made-up-by-a-peer');
    assert.deepEqual(await samples(metrics, 'jsg_mapping_errors_total'), [
      'jsg_mapping_errors_total{code="fingerprint-syntax"} 2',
      'jsg_mapping_errors_total{code="other"} 1',
    ]);
  });

  it('keeps registries apart and includes the Node.js process metrics by default', async () => {
    const a = new GatewayMetrics();
    const b = new GatewayMetrics();
    a.callStarted('xmpp-to-sip');
    assert.deepEqual(await samples(b, 'jsg_active_calls'), ['jsg_active_calls 0']);
    const text = await a.metricsText();
    assert.match(text, /^# TYPE process_cpu_user_seconds_total counter$/m);
    assert.match(text, /^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
    assert.equal(a.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  });
});

describe('sipMethodLabel', () => {
  it('keeps known methods, folds unknown ones and odd statuses into fixed labels', () => {
    assert.equal(sipMethodLabel(request('bye')), 'BYE');
    assert.equal(sipMethodLabel(request('PRACK')), 'PRACK');
    assert.equal(sipMethodLabel(request('XYZZY')), 'other');
    assert.equal(sipMethodLabel(response(200)), 'response_2xx');
    assert.equal(sipMethodLabel(response(699)), 'response_6xx');
    assert.equal(sipMethodLabel(response(99)), 'response_other');
    assert.equal(sipMethodLabel(response(700)), 'response_other');
  });
});
