import { describe, expect, it } from 'vitest';
import {
  createFrom, draftFrom, emptyDraft, formField, patchFrom, type RenditionDraft,
} from '../../src/domain/rendition_draft';
import { rendition, suggestion } from '../support/fixtures';

function draft(over: Partial<RenditionDraft> = {}): RenditionDraft {
  return { ...draftFrom(rendition()), ...over };
}

describe('the rendition form', () => {
  it('starts empty, on the server\'s default preset', () => {
    expect(emptyDraft()).toEqual({ name: '', width: '', height: '', fps: '', video_bitrate_kbps: '',
      audio_bitrate_kbps: '', keyframe_interval_s: '', preset: 'veryfast' });
  });

  it('is filled by a platform\'s suggestion, keeping the preset chosen', () => {
    expect(draftFrom(suggestion(), 'faster')).toEqual({ name: 'twitch-1080p30', width: '1920', height: '1080',
      fps: '30', video_bitrate_kbps: '6000', audio_bitrate_kbps: '128', keyframe_interval_s: '2', preset: 'faster' });
    expect(draftFrom(rendition({ audio_bitrate_kbps: null })).audio_bitrate_kbps).toBe('');
  });

  it('makes a whole rendition to create, an empty audio bitrate sent as null', () => {
    expect(createFrom(draft({ name: ' tw720 ', fps: '29.97', audio_bitrate_kbps: ' ' }))).toEqual({ ok: true, value: {
      name: 'tw720', width: 1280, height: 720, fps: 29.97, video_bitrate_kbps: 3000, audio_bitrate_kbps: null,
      keyframe_interval_s: 2, preset: 'veryfast' } });
  });

  it('names the field it cannot send: no name, not a number', () => {
    expect(createFrom(draft({ name: '' }))).toMatchObject({ ok: false, field: 'name' });
    expect(createFrom(draft({ width: '' }))).toEqual({ ok: false, field: 'width', message: 'Enter a number' });
    expect(createFrom(draft({ video_bitrate_kbps: '6 Mbps' }))).toMatchObject({ ok: false, field: 'video_bitrate_kbps' });
    expect(createFrom(draft({ audio_bitrate_kbps: 'lots' }))).toMatchObject({ ok: false, field: 'audio_bitrate_kbps' });
  });

  it('patches only what changed, and nothing when nothing did', () => {
    const r = rendition();
    expect(patchFrom(r, draft())).toEqual({ ok: true, value: {} });
    expect(patchFrom(r, draft({ video_bitrate_kbps: '6000', audio_bitrate_kbps: '', preset: 'superfast' })))
      .toEqual({ ok: true, value: { video_bitrate_kbps: 6000, audio_bitrate_kbps: null, preset: 'superfast' } });
    expect(patchFrom(r, draft({ fps: 'x' }))).toMatchObject({ ok: false, field: 'fps' });
  });

  it('knows which of the server\'s fields it shows', () => {
    expect(formField('video_bitrate_kbps')).toBe('video_bitrate_kbps');
    expect(formField('from_platform')).toBeNull();
    expect(formField(null)).toBeNull();
  });
});
