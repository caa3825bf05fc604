// One destination: its status in words and for how long, its bitrate, why it failed and what to do, what it gets
// (the input as it comes, or a rendition), warnings where that breaks its platform's requirements, and its
// controls. The card is named after the destination, so "Start" inside it is unambiguous for assistive
// technologies and for tests. On a running direct-mode MediaLive channel a change restarts MediaLive: the card
// asks first (restart_confirm).
import { useId, useState } from 'preact/hooks';
import type { Channel, Destination } from '../api/types';
import { errorAdvice } from '../domain/error_advice';
import { formatBitrate, formatDuration, secondsSince } from '../domain/format';
import { destinationRenditionWords } from '../domain/renditions';
import { requirementWarnings } from '../domain/requirements';
import { withRestart } from '../domain/restart';
import { platformOf } from '../state/app_state';
import { ConfirmDialog } from './confirm_dialog';
import { useRestartConfirm } from './restart_confirm';
import { navigate } from './router';
import { useAppState, useServerNow, useSession } from './session_context';
import { StatusBadge } from './status_badge';

export function DestinationCard({ destination: d, channel }: { destination: Destination; channel: Channel }) {
  const session = useSession();
  const state = useAppState();
  const now = useServerNow(state.clockSkewMs);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const restart = useRestartConfirm(state.destinations);
  const platform = platformOf(state, d.platform);
  const platformName = platform?.name ?? d.platform;
  const advice = d.status === 'error' ? errorAdvice(d, platformName) : null;
  const rendition = d.rendition ? channel.renditions.find((r) => r.name === d.rendition) : undefined;
  // A rendition's warnings are the server's: they follow from its settings. A passthrough destination's follow the
  // input, worked out here from the live counters (the server's copy only changes with the destination's own
  // events). Custom servers' limits are a guess (the common denominator): warning against them would cry wolf.
  const warnings = d.rendition ? d.warnings.map((w) => w.message)
    : platform && platform.id !== 'custom' ? requirementWarnings(channel.input, platformName, platform.requirements)
      : [];
  const renditionTrouble = rendition && (rendition.state === 'overloaded' || rendition.state === 'error');

  // `action(allowRestart)`: asked again with the restart allowed once the person confirmed it.
  async function act(action: (allowRestart: boolean) => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await withRestart(action, restart.ask);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const retryIn = d.next_retry_at ? Math.ceil((Date.parse(d.next_retry_at) - now) / 1000) : 0;
  return (
    <article class={`card destination destination-${d.status}`} aria-labelledby={titleId} data-destination-id={d.id}>
      <div class="card-title">
        <h2 id={titleId}>{d.name}</h2>
        <StatusBadge kind="destination" status={d.status} />
      </div>
      <p class="status-line">
        <span>for {formatDuration(secondsSince(d.status_since, now))}</span>
        {d.status_detail && <span> · {d.status_detail}</span>}
        {d.status === 'streaming' && <span> · <strong data-field="bitrate">{formatBitrate(d.stats.bitrate_kbps)}</strong></span>}
      </p>
      <p class="destination-target">
        <span class="platform">{platformName}</span> <code>{d.url}</code>
        {d.stream_key_hint && <span class="muted key-hint"> key {d.stream_key_hint}</span>}
      </p>
      {advice && (
        <div class="advice" data-field="error">
          <p><strong>{advice.summary}:</strong> {advice.action}</p>
          <p class="muted">
            {d.last_error?.message}
            {d.next_retry_at && retryIn > 0 ? ` · Retrying in ${retryIn} s` : d.next_retry_at ? ' · Retrying now' : ''}
          </p>
        </div>
      )}
      <p class="destination-rendition" data-field="rendition">
        {destinationRenditionWords(d, channel)}
        {renditionTrouble && <> <StatusBadge kind="rendition" status={rendition.state} /></>}
      </p>
      {warnings.length > 0 && (
        <ul class="warnings" aria-label={`Warnings for ${d.name}`} data-field="warnings">
          {warnings.map((w) => <li key={w}>{w}</li>)}
        </ul>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions">
        {d.enabled
          ? <button type="button" disabled={busy}
              onClick={() => act((allowRestart) => session.api.stopDestination(d.id, { allowRestart }))}>Stop</button>
          : <button type="button" class="button-primary" disabled={busy || d.status === 'stopping'}
              onClick={() => act((allowRestart) => session.api.startDestination(d.id, { allowRestart }))}>Start</button>}
        <button type="button"
          onClick={() => navigate({ page: 'edit-destination', channelId: channel.id, destinationId: d.id })}>Edit</button>
        <button type="button" class="button-danger-quiet" onClick={() => setConfirming(true)}>Delete</button>
      </div>
      {confirming && (
        <ConfirmDialog title={`Delete “${d.name}”?`} confirmLabel="Delete" busy={busy}
          onConfirm={() => {
            setConfirming(false); // a restart question, if any, comes in its own dialog
            void act((allowRestart) => session.api.deleteDestination(d.id, { allowRestart }));
          }}
          onCancel={() => setConfirming(false)}>
          <p>{d.enabled ? 'It is live: it stops first. ' : ''}Its URL and stream key are removed from Lunora.</p>
        </ConfirmDialog>
      )}
      {restart.dialog}
    </article>
  );
}
