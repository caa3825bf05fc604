// Add or edit a destination: a platform preset fills the URL and shows what the platform accepts; the stream
// key is masked and, when editing, left as it is unless a new one is typed (the API never shows it back); the
// destination gets the input as it comes or one of the channel's renditions. A new URL or key for a live
// destination of a running direct-mode MediaLive channel restarts MediaLive: asked first.
import { useState } from 'preact/hooks';
import { ApiError } from '../api/api_client';
import type { Channel, DestinationPatch, Platform, PlatformId } from '../api/types';
import { PASSTHROUGH_WORDS, renditionOption } from '../domain/renditions';
import { withRestart } from '../domain/restart';
import { platformOf } from '../state/app_state';
import { Field, invalid } from './field';
import { RequirementsBox } from './requirements_box';
import { useRestartConfirm } from './restart_confirm';
import { navigate } from './router';
import { useAppState, useSession } from './session_context';

interface Props {
  channel: Channel;
  destinationId: string | null; // null: a new one
}

const FIELDS = ['name', 'platform', 'url', 'stream_key', 'rendition'] as const;
type FieldErrors = Partial<Record<(typeof FIELDS)[number], string>>;

export function DestinationFormPage({ channel, destinationId }: Props) {
  const state = useAppState();
  const session = useSession();
  const existing = destinationId ? state.destinations[destinationId] : undefined;
  const firstPlatform = state.platforms[0];
  const [platformId, setPlatformId] = useState<PlatformId | null>(existing?.platform ?? null);
  const [name, setName] = useState(existing?.name ?? '');
  const [nameTouched, setNameTouched] = useState(Boolean(existing));
  const [url, setUrl] = useState<string | null>(existing?.url ?? null);
  const [key, setKey] = useState('');
  const [showKey, setShowKey] = useState(false);
  const [renditionName, setRenditionName] = useState<string | null>(existing?.rendition ?? null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const restart = useRestartConfirm(state.destinations);

  if (destinationId && !existing) {
    return <div class="page"><h1 tabIndex={-1}>Edit destination</h1><p>This destination no longer exists.</p></div>;
  }
  if (!firstPlatform) return <div class="page"><h1 tabIndex={-1}>Add destination</h1><p role="status">Loading the platforms…</p></div>;

  // Until the user picks, the form shows the first preset with its default URL.
  const platform: Platform = (platformId && platformOf(state, platformId)) || firstPlatform;
  const shownUrl = url ?? platform.default_url ?? '';
  const shownName = nameTouched ? name : (existing?.name ?? platform.name);
  const title = existing ? `Edit ${existing.name}` : 'Add destination';
  const back = () => navigate({ page: 'destinations', channelId: channel.id });

  function choosePlatform(id: PlatformId) {
    const next = platformOf(state, id);
    setPlatformId(id);
    setUrl(next?.default_url ?? '');
    setErrors({});
  }

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      if (existing) {
        const patch: DestinationPatch = {};
        if (shownName !== existing.name) patch.name = shownName;
        if (platform.id !== existing.platform) patch.platform = platform.id;
        if (shownUrl !== existing.url) patch.url = shownUrl;
        if (key) patch.stream_key = key;
        if (renditionName !== existing.rendition) patch.rendition = renditionName;
        const applied = Object.keys(patch).length === 0 || await withRestart(
          (allowRestart) => session.api.patchDestination(existing.id, patch, { allowRestart }), restart.ask);
        if (!applied) return; // the person kept MediaLive running as it is: the form stays as typed
      } else {
        await session.api.createDestination({ channel_id: channel.id, name: shownName, platform: platform.id,
          url: shownUrl || null, stream_key: key || null, rendition: renditionName });
      }
      back();
    } catch (err) {
      if (err instanceof ApiError && err.field && (FIELDS as readonly string[]).includes(err.field)) {
        setErrors({ [err.field]: err.message });
        document.getElementById(`destination-${err.field}`)?.focus();
      } else {
        setFormError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      setBusy(false);
    }
  }

  const alternatives = [platform.ingest.rtmps, platform.ingest.rtmp].filter((u): u is string => !!u && u !== shownUrl);
  const keyRequired = platform.stream_key_required && !existing;
  const rendition = channel.renditions.find((r) => r.name === renditionName) ?? null;
  // A direct-mode MediaLive channel encodes in AWS: Lunora has no renditions there.
  const renditions = channel.medialive?.mode !== 'direct';
  const renditionHint = channel.renditions.length === 0
    ? 'The channel has no renditions yet: add one on the channel page to send this destination another size or bitrate.'
    : existing?.enabled ? 'Changing it reconnects this destination only.' : undefined;
  return (
    <div class="page">
      <div class="page-title"><h1 tabIndex={-1}>{title}</h1></div>
      <div class="grid grid-form">
        <form class="card form" onSubmit={submit} noValidate aria-labelledby="form-title">
          <h2 id="form-title" class="visually-hidden">{title}</h2>
          <label for="destination-platform">Platform</label>
          <select id="destination-platform" value={platform.id}
            onChange={(e) => choosePlatform(e.currentTarget.value as PlatformId)}>
            {state.platforms.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>

          <Field id="destination-name" label="Name" error={errors.name}>
            <input id="destination-name" value={shownName} required maxLength={100}
              onInput={(e) => { setNameTouched(true); setName(e.currentTarget.value); }} {...invalid(errors.name, 'destination-name')} />
          </Field>

          <Field id="destination-url" label="Server URL" error={errors.url}
            hint={platform.id === 'custom' ? 'rtmp://, rtmps:// or srt:// — e.g. rtmp://host:1935/live' : undefined}>
            <input id="destination-url" value={shownUrl} inputMode="url" spellcheck={false} autocomplete="off"
              placeholder={platform.id === 'custom' ? 'rtmp://host:1935/live' : undefined}
              onInput={(e) => setUrl(e.currentTarget.value)} {...invalid(errors.url, 'destination-url')} />
          </Field>
          {alternatives.length > 0 && (
            <p class="hint">Also: {alternatives.map((u) => (
              <button key={u} type="button" class="button-link" onClick={() => setUrl(u)}>{u}</button>))}</p>
          )}

          <Field id="destination-stream_key" label={keyRequired ? 'Stream key' : 'Stream key (optional)'}
            error={errors.stream_key}
            hint={existing ? `Leave empty to keep the current key${existing.stream_key_hint ? ` (${existing.stream_key_hint})` : ''}.` : undefined}>
            <div class="input-with-button">
              <input id="destination-stream_key" type={showKey ? 'text' : 'password'} value={key}
                autocomplete="off" spellcheck={false} onInput={(e) => setKey(e.currentTarget.value)}
                {...invalid(errors.stream_key, 'destination-stream_key')} />
              <button type="button" class="button-small" aria-pressed={showKey} aria-controls="destination-stream_key"
                onClick={() => setShowKey(!showKey)}>{showKey ? 'Hide key' : 'Show key'}</button>
            </div>
          </Field>

          {renditions && (
            <Field id="destination-rendition" label="Rendition" error={errors.rendition} hint={renditionHint}>
              <select id="destination-rendition" value={renditionName ?? ''}
                onChange={(e) => setRenditionName(e.currentTarget.value || null)}
                {...invalid(errors.rendition, 'destination-rendition')}>
                <option value="">{PASSTHROUGH_WORDS}</option>
                {channel.renditions.map((r) => <option key={r.name} value={r.name}>{renditionOption(r)}</option>)}
              </select>
            </Field>
          )}

          {formError && <p class="error" role="alert">{formError}</p>}
          <div class="actions">
            <button type="submit" class="button-primary" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
            <button type="button" onClick={back}>Cancel</button>
          </div>
        </form>
        <aside class="card"><RequirementsBox platform={platform} input={channel.input} rendition={rendition} /></aside>
      </div>
      {restart.dialog}
    </div>
  );
}
