import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../../../src/mapping/errors.ts';
import {
  buildGatewayErrorXmpp,
  reasonForGatewayError,
  sipResponseForGatewayError,
} from '../../../src/mapping/reasons/gateway-error.ts';

describe('buildGatewayErrorXmpp', () => {
  it('takes condition, type and app condition from the catalogue, text from the message', () => {
    assert.deepEqual(buildGatewayErrorXmpp(new GatewayError('tie-break', 'glare')), {
      condition: 'conflict',
      type: 'cancel',
      jingle: 'tie-break',
      text: 'glare',
    });
  });
  it('omits jingle when the entry has no app condition', () => {
    assert.deepEqual(buildGatewayErrorXmpp(new GatewayError('fingerprint-syntax', 'not hex')), {
      condition: 'bad-request',
      type: 'cancel',
      text: 'not hex',
    });
  });
});

describe('reasonForGatewayError', () => {
  it('gives the catalogue reason with the message as <text/>', () => {
    assert.deepEqual(reasonForGatewayError(new GatewayError('hash-not-allowed', 'md5 is not allowed')), {
      reason: 'security-error',
      text: 'md5 is not allowed',
    });
  });
});

describe('sipResponseForGatewayError', () => {
  it('renders the Warning header value with the gateway host', () => {
    assert.deepEqual(
      sipResponseForGatewayError(
        new GatewayError('offerless-invite', 'offerless INVITE not supported'),
        'sip.gw.example',
      ),
      { status: 488, phrase: 'Not Acceptable Here', warning: '399 sip.gw.example "offerless INVITE not supported"' },
    );
  });
  it('has no Warning when the entry has none', () => {
    assert.deepEqual(sipResponseForGatewayError(new GatewayError('unsupported-uri-scheme', 'tel:'), 'sip.gw.example'), {
      status: 416,
      phrase: 'Unsupported URI Scheme',
    });
  });
  it('escapes the message in the Warning text', () => {
    assert.deepEqual(
      sipResponseForGatewayError(new GatewayError('setup-invalid', 'setup "holdconn"'), 'sip.gw.example'),
      { status: 488, phrase: 'Not Acceptable Here', warning: '305 sip.gw.example "setup \\"holdconn\\""' },
    );
  });
});
