// Add a rendition, starting from a platform's suggestion (it fills the fields) or from values typed in, or edit
// one (its name stays). The server says which field it refuses and why: the message shows under that field.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/api_client';
import type { Channel, PlatformId, Rendition, RenditionSuggestion } from '../api/types';
import {
  createFrom, draftFrom, emptyDraft, formField, patchFrom, X264_PRESETS, type Parsed, type RenditionDraft,
  type RenditionField,
} from '../domain/rendition_draft';
import { profileWords } from '../domain/renditions';
import { platformOf } from '../state/app_state';
import { Field, invalid } from './field';
import { useAppState, useSession } from './session_context';

interface Props {
  channel: Channel;
  existing: Rendition | null; // null: a new one
  onDone: () => void;
}

type FieldErrors = Partial<Record<RenditionField, string>>;

const id = (field: RenditionField) => `rendition-${field}`;

export function RenditionForm({ channel, existing, onDone }: Props) {
  const session = useSession();
  const [draft, setDraft] = useState<RenditionDraft>(existing ? draftFrom(existing) : emptyDraft());
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const title = existing ? `Edit ${existing.name}` : 'Add a rendition';

  useEffect(() => {
    document.getElementById(existing ? id('width') : 'rendition-suggestion')?.focus();
  }, []);

  function set(field: RenditionField, value: string) {
    setDraft((d) => ({ ...d, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  }

  // A suggestion fills every field; the preset chosen stays (suggestions have none).
  function pick(suggestion: RenditionSuggestion) {
    setDraft((d) => draftFrom(suggestion, d.preset));
    setErrors({});
  }

  function refuse(field: RenditionField, message: string) {
    setErrors({ [field]: message });
    document.getElementById(id(field))?.focus();
  }

  // The call the form makes, or what is wrong with the values before one can be made; null: nothing changed.
  function request(): Parsed<() => Promise<unknown>> | null {
    if (!existing) {
      const created = createFrom(draft);
      return created.ok ? { ok: true, value: () => session.api.createRendition(channel.id, created.value) } : created;
    }
    const patch = patchFrom(existing, draft);
    if (!patch.ok) return patch;
    if (Object.keys(patch.value).length === 0) return null;
    return { ok: true, value: () => session.api.patchRendition(channel.id, existing.name, patch.value) };
  }

  async function submit(event: Event) {
    event.preventDefault();
    setErrors({});
    setFormError(null);
    const call = request();
    if (!call) return onDone();
    if (!call.ok) return refuse(call.field, call.message);
    setBusy(true);
    try {
      await call.value();
      onDone();
    } catch (err) {
      const field = err instanceof ApiError ? formField(err.field) : null;
      // An edit has no name field: a refusal of the name shows under the form.
      if (field && (field !== 'name' || !existing) && err instanceof Error) refuse(field, err.message);
      else setFormError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const number = (field: RenditionField, label: string, hint?: string) => (
    <Field id={id(field)} label={label} error={errors[field]} hint={hint}>
      <input id={id(field)} inputMode="decimal" value={draft[field]} autocomplete="off"
        onInput={(e) => set(field, e.currentTarget.value)} {...invalid(errors[field], id(field))} />
    </Field>
  );

  return (
    <form class="form rendition-form" onSubmit={submit} noValidate aria-labelledby="rendition-form-title">
      <h3 id="rendition-form-title">{title}</h3>
      {!existing && <SuggestionPicker channel={channel} onPick={pick} />}
      {!existing && (
        <Field id={id('name')} label="Name" error={errors.name}
          hint="Letters, digits, '-', '_' or '.'; it cannot change later.">
          <input id={id('name')} value={draft.name} maxLength={40} autocomplete="off" spellcheck={false}
            onInput={(e) => set('name', e.currentTarget.value)} {...invalid(errors.name, id('name'))} />
        </Field>
      )}
      <div class="field-row">
        {number('width', 'Width')}
        {number('height', 'Height')}
      </div>
      <div class="field-row">
        {number('fps', 'Frame rate (fps)')}
        {number('keyframe_interval_s', 'Keyframe interval (s)')}
      </div>
      <div class="field-row">
        {number('video_bitrate_kbps', 'Video bitrate (kbps)')}
        {number('audio_bitrate_kbps', 'Audio bitrate (kbps)')}
      </div>
      <p class="hint">
        Audio bitrate empty: the input’s audio always passes through. Otherwise it is encoded again only when the
        input’s is higher.
      </p>
      <Field id={id('preset')} label="x264 preset" error={errors.preset}
        hint="Faster presets take less CPU. Lunora steps to a faster one by itself when the machine cannot keep up.">
        <select id={id('preset')} value={draft.preset} onChange={(e) => set('preset', e.currentTarget.value)}
          {...invalid(errors.preset, id('preset'))}>
          {X264_PRESETS.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </Field>
      {formError && <p class="error" role="alert">{formError}</p>}
      <div class="actions">
        <button type="submit" class="button-primary" disabled={busy}>
          {busy ? 'Saving…' : existing ? 'Save rendition' : 'Add rendition'}
        </button>
        <button type="button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}

// The server's suggestion for each platform (Twitch: 1080p30 at 6000 kbps, ...): picking one fills the form.
function SuggestionPicker({ channel, onPick }: { channel: Channel; onPick: (s: RenditionSuggestion) => void }) {
  const session = useSession();
  const state = useAppState();
  const [suggestions, setSuggestions] = useState<RenditionSuggestion[]>([]);
  const [picked, setPicked] = useState<PlatformId | ''>('');

  useEffect(() => {
    let open = true;
    session.api.listRenditions(channel.id)
      .then((list) => open && setSuggestions(list.suggestions))
      .catch(() => undefined); // the values can still be typed
    return () => { open = false; };
  }, [session, channel.id]);

  function pick(platform: PlatformId | '') {
    setPicked(platform);
    const suggestion = suggestions.find((s) => s.platform === platform);
    if (suggestion) onPick(suggestion);
  }

  return (
    <div class="field">
      <label for="rendition-suggestion">Start from</label>
      <select id="rendition-suggestion" value={picked} onChange={(e) => pick(e.currentTarget.value as PlatformId | '')}>
        <option value="">My own values</option>
        {suggestions.map((s) => (
          <option key={s.platform} value={s.platform}>
            {platformOf(state, s.platform)?.name ?? s.platform}: {profileWords(s)}
          </option>
        ))}
      </select>
    </div>
  );
}
