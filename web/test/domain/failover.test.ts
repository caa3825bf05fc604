import { describe, expect, it } from 'vitest';
import type { SwitchReason } from '../../src/api/types';
import {
  failbackWords, failoverAfterWords, inputHealthWords, switchLogLine, switchReasonWords, switchTarget,
} from '../../src/domain/failover';
import { backupInput, channel } from '../support/fixtures';

describe('failover in words', () => {
  it('switches to the input that is not on air, and to none without a backup', () => {
    expect(switchTarget(channel())).toBeNull();
    expect(switchTarget(channel({ backup_input: backupInput() }))).toBe('backup');
    expect(switchTarget(channel({ backup_input: backupInput(), active_input: 'backup' }))).toBe('primary');
  });

  it('tells listening, connected and delivering apart', () => {
    expect(inputHealthWords(backupInput({ listening: false }))).toBe('Not listening');
    expect(inputHealthWords(backupInput())).toBe('Waiting for the encoder');
    expect(inputHealthWords(backupInput({ connected: true, connected_protocol: 'rtmp' })))
      .toBe('Connected over RTMP, no media');
    expect(inputHealthWords(backupInput({ connected: true, connected_protocol: 'srt', delivering: true })))
      .toBe('Delivering over SRT');
    expect(inputHealthWords({ ...channel().input, connected: true, delivering: true })).toBe('Delivering');
  });

  it('has words for every reason the server gives, and spells out a newer one', () => {
    for (const reason of ['primary_lost', 'backup_lost', 'failback', 'manual', 'backup_removed'] as SwitchReason[]) {
      expect(switchReasonWords(reason), reason).not.toBe(reason);
    }
    expect(switchReasonWords('cosmic_ray' as SwitchReason)).toBe('cosmic_ray');
  });

  it('states the settings as a producer reads them', () => {
    expect(failoverAfterWords(1000)).toBe('after 1 s without media');
    expect(failoverAfterWords(250)).toBe('after 0.3 s without media');
    expect(failbackWords(0)).toBe('Back to the primary only by hand');
    expect(failbackWords(10)).toBe('Back to the primary once it has delivered for 10 s');
  });

  it('logs a lost input as a warning and a planned switch as news', () => {
    expect(switchLogLine('main', 'backup', 'primary_lost'))
      .toEqual(['warning', 'Channel main: backup input on air (the primary input stopped delivering)']);
    expect(switchLogLine('main', 'primary', 'manual')).toEqual(['info', 'Channel main: primary input on air (switched by hand)']);
  });
});
