/**
 * Jingle `senders` is absolute (it names parties); SDP direction is relative to the SDP's
 * author [X166 §7.3; RFC 3264 §6.1]. One role × value table serves both directions, so a
 * one-way-audio bug cannot hide in a second, fixed-viewpoint table (spec §1.1; the XEP-0294 §5
 * example confirms the author-relative reading).
 */
import type { Direction, Role, Senders } from './model.ts';

const directionBySenders: Record<Role, Record<Senders, Direction>> = {
  initiator: { both: 'sendrecv', initiator: 'sendonly', responder: 'recvonly', none: 'inactive' },
  responder: { both: 'sendrecv', initiator: 'recvonly', responder: 'sendonly', none: 'inactive' },
};

const sendersByDirection: Record<Role, Record<Direction, Senders>> = {
  initiator: { sendrecv: 'both', sendonly: 'initiator', recvonly: 'responder', inactive: 'none' },
  responder: { sendrecv: 'both', sendonly: 'responder', recvonly: 'initiator', inactive: 'none' },
};

/** The SDP direction an SDP written by `author` uses for `senders`. */
export function directionForSenders(senders: Senders, author: Role): Direction {
  return directionBySenders[author][senders];
}

/** The absolute `senders` meant by `direction` in an SDP written by `author`; absent = sendrecv. */
export function sendersForDirection(direction: Direction | undefined, author: Role): Senders {
  return sendersByDirection[author][direction ?? 'sendrecv'];
}

export function isDirection(value: string): value is Direction {
  return value === 'sendrecv' || value === 'sendonly' || value === 'recvonly' || value === 'inactive';
}
