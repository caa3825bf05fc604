import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/api_client';
import { actOnAll, isRestartRequired, restartQuestion, withRestart } from '../../src/domain/restart';
import { destination } from '../support/fixtures';

const MESSAGE = 'MediaLive channel 1234567 is RUNNING and MediaLive edits only an IDLE channel: this change stops '
  + 'and starts it';
const refused = (...destinations: string[]) => new ApiError(409, 'restart_required', MESSAGE, null, destinations);
const destinations = {
  d_yt: destination(),
  d_tw: destination({ id: 'd_tw', name: 'Twitch' }),
  d_fb: destination({ id: 'd_fb', name: 'Facebook' }),
};

// A server that refuses every call without allow_restart for the ids in `restarts`, and logs the calls.
function server(restarts: string[], broken: string[] = []) {
  const calls: string[] = [];
  const call = async (id: string, allowRestart: boolean) => {
    calls.push(`${id}${allowRestart ? '?allow_restart=true' : ''}`);
    if (broken.includes(id)) throw new ApiError(502, 'store_failed', 'the store did not answer');
    if (restarts.includes(id) && !allowRestart) throw refused('d_yt');
  };
  return { calls, call };
}

describe('a MediaLive restart', () => {
  it('is what a 409 restart_required means, and nothing else', () => {
    expect(isRestartRequired(refused())).toBe(true);
    expect(isRestartRequired(new ApiError(409, 'conflict', 'no'))).toBe(false);
    expect(isRestartRequired(new Error('restart_required'))).toBe(false);
  });

  it('quotes the server and names the interrupted destinations, once each, by name', () => {
    expect(restartQuestion([refused('d_yt', 'd_tw'), refused('d_tw', 'd_gone')], destinations))
      .toEqual({ message: MESSAGE, names: ['YouTube', 'Twitch', 'd_gone'] });
    expect(restartQuestion([refused('d_yt', 'd_tw')], destinations, ['d_yt', 'd_tw']).names).toEqual([]);
  });

  it('asks before repeating a refused call with the restart allowed', async () => {
    const asked: ApiError[][] = [];
    const { calls, call } = server(['d_tw']);
    expect(await withRestart((allow) => call('d_tw', allow), async (errors) => { asked.push(errors); return true; }))
      .toBe(true);
    expect(calls).toEqual(['d_tw', 'd_tw?allow_restart=true']);
    expect(asked).toHaveLength(1);
    expect(asked[0]![0]!.destinations).toEqual(['d_yt']);
  });

  it('sends nothing more when the person keeps MediaLive as it is, and asks nothing when no restart is needed',
    async () => {
      const { calls, call } = server(['d_tw']);
      expect(await withRestart((allow) => call('d_tw', allow), async () => false)).toBe(false);
      expect(await withRestart((allow) => call('d_fb', allow), async () => { throw new Error('asked'); })).toBe(true);
      expect(calls).toEqual(['d_tw', 'd_fb']);
    });

  it('passes on any other error', async () => {
    const { call } = server([], ['d_tw']);
    await expect(withRestart((allow) => call('d_tw', allow), async () => true))
      .rejects.toMatchObject({ code: 'store_failed' });
  });
});

describe('start all and stop all on a MediaLive channel', () => {
  it('asks once for every refused call, then sends only those again with the restart allowed', async () => {
    const asked: ApiError[][] = [];
    const { calls, call } = server(['d_tw', 'd_fb']);
    const failures = await actOnAll(['d_yt', 'd_tw', 'd_fb'], call, async (errors) => { asked.push(errors); return true; });
    expect(failures).toEqual([]);
    expect(asked.map((errors) => errors.length)).toEqual([2]);
    expect(calls).toEqual(['d_yt', 'd_tw', 'd_fb', 'd_tw?allow_restart=true', 'd_fb?allow_restart=true']);
  });

  it('reports the other failures in the order of the list, and no declined restart as one', async () => {
    const { calls, call } = server(['d_tw'], ['d_yt']);
    const failures = await actOnAll(['d_yt', 'd_tw', 'd_fb'], call, async () => false);
    expect(failures.map((f) => f.id)).toEqual(['d_yt']);
    expect(calls).toEqual(['d_yt', 'd_tw', 'd_fb']);
  });

  it('reports a call that fails even with the restart allowed', async () => {
    let allowed = false;
    const failures = await actOnAll(['d_tw', 'd_yt'], async (id, allow) => {
      if (!allow) throw refused();
      allowed = true;
      if (id === 'd_tw') throw new ApiError(409, 'conflict', 'the channel was deleted');
    }, async () => true);
    expect(allowed).toBe(true);
    expect(failures.map((f) => [f.id, (f.error as ApiError).code])).toEqual([['d_tw', 'conflict']]);
  });
});
