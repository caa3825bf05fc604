import { describe, expect, it } from 'vitest';
import { errorAdvice } from '../../src/domain/error_advice';
import { destination } from '../support/fixtures';

const failed = (code: string, platform: 'youtube' | 'custom' = 'youtube') => destination({
  platform, name: platform === 'custom' ? 'Studio B' : 'YouTube main', status: 'error',
  last_error: { code, message: 'raw server message', at: '2026-11-26T00:00:00.000Z' },
});

describe('errorAdvice', () => {
  it('says what to do about a refused stream key, naming the platform', () => {
    expect(errorAdvice(failed('publish_rejected'), 'YouTube')).toEqual(
      { summary: 'YouTube refused the stream', action: 'Check the stream key.' });
  });

  it('names a custom destination by its own name', () => {
    expect(errorAdvice(failed('refused', 'custom'), 'Custom RTMP/RTMPS/SRT')?.summary)
      .toBe('Studio B refused the connection');
  });

  it('has advice for every code the server reports', () => {
    for (const code of ['refused', 'timeout', 'dns', 'tls', 'publish_rejected', 'closed', 'unsupported_codec',
      'input_unavailable']) {
      const advice = errorAdvice(failed(code), 'YouTube');
      expect(advice?.action, code).not.toBe('raw server message');
    }
  });

  it('falls back to the server message for a code it does not know', () => {
    expect(errorAdvice(failed('quota'), 'YouTube')).toEqual({ summary: 'YouTube failed', action: 'raw server message' });
  });

  it('has nothing to say without an error', () => {
    expect(errorAdvice(destination(), 'YouTube')).toBeNull();
  });
});
