// The rendition form's values as typed (text), filled from a platform's suggestion or an existing rendition, and
// turned into the API's fields: a whole rendition to create, or only what changed for a PATCH. The server checks
// the ranges and says which field is wrong; here only what cannot be sent at all (no name, not a number).
import type { Rendition, RenditionCreate, RenditionPatch, RenditionSettings } from '../api/types';

// x264's presets, fastest first, as the server accepts them; it starts from the one chosen and steps to faster
// ones on its own when the machine cannot keep up.
export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower',
  'veryslow', 'placebo'] as const;
export const DEFAULT_PRESET = 'veryfast';

export type RenditionField = 'name' | 'width' | 'height' | 'fps' | 'video_bitrate_kbps' | 'audio_bitrate_kbps'
  | 'keyframe_interval_s' | 'preset';

export const RENDITION_FIELDS: readonly RenditionField[] = ['name', 'width', 'height', 'fps', 'video_bitrate_kbps',
  'audio_bitrate_kbps', 'keyframe_interval_s', 'preset'];

export type RenditionDraft = Record<RenditionField, string>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; field: RenditionField; message: string };

export function emptyDraft(): RenditionDraft {
  return { name: '', width: '', height: '', fps: '', video_bitrate_kbps: '', audio_bitrate_kbps: '',
    keyframe_interval_s: '', preset: DEFAULT_PRESET };
}

// A suggestion or a rendition as the form shows it; an empty audio bitrate means the audio passes through.
export function draftFrom(r: RenditionCreate, preset = r.preset ?? DEFAULT_PRESET): RenditionDraft {
  return {
    name: r.name,
    width: String(r.width),
    height: String(r.height),
    fps: String(r.fps),
    video_bitrate_kbps: String(r.video_bitrate_kbps),
    audio_bitrate_kbps: r.audio_bitrate_kbps === null ? '' : String(r.audio_bitrate_kbps),
    keyframe_interval_s: String(r.keyframe_interval_s),
    preset,
  };
}

const NUMBERS: ReadonlyArray<Exclude<keyof RenditionSettings, 'preset' | 'audio_bitrate_kbps'>> =
  ['width', 'height', 'fps', 'video_bitrate_kbps', 'keyframe_interval_s'];

function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

function parseSettings(draft: RenditionDraft): Parsed<Required<RenditionSettings>> {
  const settings: Partial<Required<RenditionSettings>> = { preset: draft.preset || DEFAULT_PRESET };
  for (const field of NUMBERS) {
    const value = parseNumber(draft[field]);
    if (value === null) return { ok: false, field, message: 'Enter a number' };
    settings[field] = value;
  }
  if (draft.audio_bitrate_kbps.trim() === '') {
    settings.audio_bitrate_kbps = null; // sent as null: left out, the server would pick 128 kbps
  } else {
    const audio = parseNumber(draft.audio_bitrate_kbps);
    if (audio === null) {
      const message = 'Enter a number, or leave it empty to pass the audio through';
      return { ok: false, field: 'audio_bitrate_kbps', message };
    }
    settings.audio_bitrate_kbps = audio;
  }
  return { ok: true, value: settings as Required<RenditionSettings> };
}

export function createFrom(draft: RenditionDraft): Parsed<RenditionCreate> {
  const name = draft.name.trim();
  if (!name) return { ok: false, field: 'name', message: 'Give the rendition a name, e.g. 720p30' };
  const settings = parseSettings(draft);
  return settings.ok ? { ok: true, value: { name, ...settings.value } } : settings;
}

// Only the settings that differ from the rendition's (the name never changes); empty when nothing does.
export function patchFrom(existing: Rendition, draft: RenditionDraft): Parsed<RenditionPatch> {
  const settings = parseSettings(draft);
  if (!settings.ok) return settings;
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings.value)) {
    if (existing[key as keyof RenditionSettings] !== value) patch[key] = value;
  }
  return { ok: true, value: patch as RenditionPatch };
}

// A server's `field` this form has an input for, or null (the error then shows under the form).
export function formField(field: string | null): RenditionField | null {
  return RENDITION_FIELDS.find((f) => f === field) ?? null;
}
