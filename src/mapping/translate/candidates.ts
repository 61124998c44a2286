/**
 * Jingle candidate ids are REQUIRED NCNames unique in the session [X176 §13; X177 §4.2] but SDP
 * has none, so S→J invents them (spec §1.5, §1.6; listed as lossy in §1.9).
 */
import type { IdSource } from '../ids.ts';
import type { Transport } from '../model.ts';

export function assignCandidateIds(transport: Transport, ids: IdSource): Transport {
  if (transport.kind === 'ice-udp') {
    return { ...transport, candidates: transport.candidates.map((c) => ({ ...c, id: c.id ?? ids.candidateId() })) };
  }
  return { ...transport, candidates: transport.candidates.map((c) => ({ ...c, id: c.id ?? ids.candidateId() })) };
}
