import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../src/cli/signals.js';

describe('exitCodeFor', () => {
  it('exits 128 + the signal number after a signal, as a shell reports it', () => {
    expect(exitCodeFor({ kind: 'signal', signal: 'SIGINT' })).toBe(130);
    expect(exitCodeFor({ kind: 'signal', signal: 'SIGTERM' })).toBe(143);
    expect(exitCodeFor({ kind: 'signal', signal: 'SIGHUP' })).toBe(129);
  });

  it('exits 0 after q: a deliberate quit is not an interruption', () => {
    expect(exitCodeFor({ kind: 'quit' })).toBe(0);
  });
});
