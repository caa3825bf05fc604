import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '../../src/api/api_client';
import { channel, destination, rendition, suggestion } from '../support/fixtures';
import { FakeFetch } from '../support/fake_fetch';

const TOKEN = 'test-admin-token-0123456789';

describe('ApiClient', () => {
  it('sends the admin token on every request and JSON bodies with their content type', async () => {
    const fake = new FakeFetch()
      .json('GET /api/v1/channels', 200, { channels: [channel()] })
      .json('POST /api/v1/destinations', 201, destination());
    const api = new ApiClient(TOKEN, fake.fetch);
    expect(await api.listChannels()).toEqual([channel()]);
    await api.createDestination({ channel_id: 'ch_main', name: 'YouTube', platform: 'youtube', stream_key: 'k' });
    expect(fake.calls[0]!.headers).toEqual({ authorization: `Bearer ${TOKEN}` });
    expect(fake.calls[1]!.headers).toEqual({ authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' });
    expect(JSON.parse(fake.calls[1]!.body!)).toEqual(
      { channel_id: 'ch_main', name: 'YouTube', platform: 'youtube', stream_key: 'k' });
  });

  it('builds the routes of the API', async () => {
    const fake = new FakeFetch()
      .json('GET /api/v1/destinations', 200, { destinations: [] })
      .json('POST /api/v1/destinations/d%2Fx/start', 202, destination({ status: 'starting' }))
      .json('DELETE /api/v1/channels/ch_1', 204, undefined)
      .json('PATCH /api/v1/destinations/d_1', 200, destination());
    const api = new ApiClient(TOKEN, fake.fetch);
    await api.listDestinations('ch 1');
    await api.startDestination('d/x');
    await api.deleteChannel('ch_1', true);
    await api.patchDestination('d_1', { url: 'rtmp://h/app' });
    expect(fake.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/destinations?channel_id=ch%201',
      'POST /api/v1/destinations/d%2Fx/start',
      'DELETE /api/v1/channels/ch_1?force=true',
      'PATCH /api/v1/destinations/d_1',
    ]);
  });

  it('reads, changes and switches a channel\'s input', async () => {
    const fake = new FakeFetch()
      .json('GET /api/v1/channels/ch_1', 200, channel())
      .json('PATCH /api/v1/channels/ch_1', 200, channel())
      .json('POST /api/v1/channels/ch_1/input/switch', 202, channel());
    const api = new ApiClient(TOKEN, fake.fetch);
    await api.getChannel('ch_1');
    await api.patchChannel('ch_1', { backup_input: { protocol: 'srt', port: 9001 }, failback_after_s: 0 });
    await api.patchChannel('ch_1', { backup_input: null });
    await api.switchInput('ch_1', 'backup');
    expect(fake.calls.map((c) => `${c.method} ${c.url} ${c.body ?? ''}`)).toEqual([
      'GET /api/v1/channels/ch_1 ',
      'PATCH /api/v1/channels/ch_1 {"backup_input":{"protocol":"srt","port":9001},"failback_after_s":0}',
      'PATCH /api/v1/channels/ch_1 {"backup_input":null}',
      'POST /api/v1/channels/ch_1/input/switch {"to":"backup"}',
    ]);
  });

  it('passes on why a switch was refused', async () => {
    const fake = new FakeFetch().json('POST /api/v1/channels/ch_1/input/switch', 409,
      { error: { code: 'conflict', message: 'the backup input delivers no media' } });
    const error = await new ApiClient(TOKEN, fake.fetch).switchInput('ch_1', 'backup').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, message: 'the backup input delivers no media' });
  });

  it('allows a MediaLive restart on the destination calls that may need one', async () => {
    const fake = new FakeFetch()
      .json('POST /api/v1/destinations/d_1/start', 202, destination({ status: 'starting' }))
      .json('POST /api/v1/destinations/d_1/stop', 202, destination())
      .json('PATCH /api/v1/destinations/d_1', 200, destination())
      .json('DELETE /api/v1/destinations/d_1', 204, undefined);
    const api = new ApiClient(TOKEN, fake.fetch);
    await api.startDestination('d_1', { allowRestart: true });
    await api.stopDestination('d_1', { allowRestart: true });
    await api.patchDestination('d_1', { stream_key: 'k' }, { allowRestart: true });
    await api.deleteDestination('d_1', { allowRestart: true });
    await api.stopDestination('d_1', { allowRestart: false });
    expect(fake.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/v1/destinations/d_1/start?allow_restart=true',
      'POST /api/v1/destinations/d_1/stop?allow_restart=true',
      'PATCH /api/v1/destinations/d_1?allow_restart=true',
      'DELETE /api/v1/destinations/d_1?allow_restart=true',
      'POST /api/v1/destinations/d_1/stop',
    ]);
  });

  it('keeps the live destinations a refused MediaLive restart would interrupt', async () => {
    const fake = new FakeFetch().json('POST /api/v1/destinations/d_1/start', 409, { error: {
      code: 'restart_required', message: 'MediaLive channel 1234567 is RUNNING', destinations: ['d_2', 7, 'd_3'] } });
    const error = await new ApiClient(TOKEN, fake.fetch).startDestination('d_1').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, code: 'restart_required', destinations: ['d_2', 'd_3'] });
  });

  it('builds the rendition routes, the name in the path, force only when asked', async () => {
    const fake = new FakeFetch()
      .json('GET /api/v1/channels/ch_1/renditions', 200, { renditions: [rendition()], suggestions: [suggestion()] })
      .json('POST /api/v1/channels/ch_1/renditions', 201, rendition())
      .json('PATCH /api/v1/channels/ch_1/renditions/720p30', 200, rendition({ video_bitrate_kbps: 2500 }))
      .json('DELETE /api/v1/channels/ch_1/renditions/720p30', 204, undefined);
    const api = new ApiClient(TOKEN, fake.fetch);
    expect((await api.listRenditions('ch_1')).suggestions[0]?.platform).toBe('twitch');
    const { name, width, height, fps, video_bitrate_kbps, audio_bitrate_kbps, keyframe_interval_s } = rendition();
    await api.createRendition('ch_1',
      { name, width, height, fps, video_bitrate_kbps, audio_bitrate_kbps, keyframe_interval_s });
    expect((await api.patchRendition('ch_1', '720p30', { video_bitrate_kbps: 2500 })).video_bitrate_kbps).toBe(2500);
    await api.deleteRendition('ch_1', '720p30');
    await api.deleteRendition('ch_1', '720p30', true);
    expect(fake.calls.map((c) => `${c.method} ${c.url} ${c.body ?? ''}`)).toEqual([
      'GET /api/v1/channels/ch_1/renditions ',
      'POST /api/v1/channels/ch_1/renditions {"name":"720p30","width":1280,"height":720,"fps":30,'
        + '"video_bitrate_kbps":3000,"audio_bitrate_kbps":128,"keyframe_interval_s":2}',
      'PATCH /api/v1/channels/ch_1/renditions/720p30 {"video_bitrate_kbps":2500}',
      'DELETE /api/v1/channels/ch_1/renditions/720p30 ',
      'DELETE /api/v1/channels/ch_1/renditions/720p30?force=true ',
    ]);
  });

  it('keeps the ids of the destinations that use a rendition', async () => {
    const fake = new FakeFetch().json('DELETE /api/v1/channels/ch_1/renditions/tw', 409, { error: {
      code: 'rendition_in_use', message: 'rendition "tw" is used by 1 destination(s): Twitch',
      destinations: ['d_tw', 7] } });
    const error = await new ApiClient(TOKEN, fake.fetch).deleteRendition('ch_1', 'tw').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, code: 'rendition_in_use', destinations: ['d_tw'] });
  });

  it('answers undefined for 204', async () => {
    const fake = new FakeFetch().json('DELETE /api/v1/destinations/d_1', 204, undefined);
    await expect(new ApiClient(TOKEN, fake.fetch).deleteDestination('d_1')).resolves.toBeUndefined();
  });

  it('turns the error body into an ApiError with code, message and field', async () => {
    const fake = new FakeFetch().json('POST /api/v1/destinations', 422,
      { error: { code: 'validation_failed', message: 'url is required for a custom destination', field: 'url' } });
    const error = await new ApiClient(TOKEN, fake.fetch)
      .createDestination({ channel_id: 'c', name: 'n', platform: 'custom' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, code: 'validation_failed', field: 'url',
      message: 'url is required for a custom destination' });
  });

  it('marks a 401 as unauthorized', async () => {
    const fake = new FakeFetch().json('GET /api/v1/channels', 401,
      { error: { code: 'unauthorized', message: 'this route needs the admin token' } });
    const error = await new ApiClient(TOKEN, fake.fetch).listChannels().catch((e: unknown) => e);
    expect((error as ApiError).unauthorized).toBe(true);
    expect((error as ApiError).field).toBeNull();
  });

  it('reads a body that is not the API error shape as a plain HTTP error', async () => {
    const fake = new FakeFetch().on('GET /api/v1/platforms',
      () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const error = await new ApiClient(TOKEN, fake.fetch).listPlatforms().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'http_502', message: 'The server answered 502 Bad Gateway' });
  });

  it('says the server did not answer when fetch fails', async () => {
    const fake = new FakeFetch().on('GET /api/v1/channels', new TypeError('Failed to fetch'));
    const error = await new ApiClient(TOKEN, fake.fetch).listChannels().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: 'network' });
  });
});
