// A channel at a glance: its state and error, what to paste into the encoder, MediaLive (for a channel on AWS), the
// input's health, the backup input, the renditions and a preview. A MediaLive channel takes no backup input
// (MediaLive takes the feed), and in direct mode Lunora does not see the feed at all: no input health and no
// renditions either (the MediaLive card says so).
import { useState } from 'preact/hooks';
import type { Channel } from '../api/types';
import { channelList } from '../state/app_state';
import { ChannelErrorBanner } from './channel_error_banner';
import { ConfirmDialog } from './confirm_dialog';
import { FailoverCard } from './failover_card';
import { IngestCard } from './ingest_card';
import { InputHealthCard } from './input_health_card';
import { MediaLiveCard } from './medialive_card';
import { PreviewCard } from './preview_card';
import { RenditionsCard } from './renditions_card';
import { navigate } from './router';
import { useAppState, useSession } from './session_context';
import { StatusBadge } from './status_badge';

export function ChannelPage({ channel }: { channel: Channel }) {
  const ml = channel.medialive;
  return (
    <div class="page">
      <div class="page-title">
        <h1 tabIndex={-1}>{channel.name}</h1>
        <StatusBadge kind="channel" status={channel.state} />
        {channel.state_message && <span class="muted">{channel.state_message}</span>}
      </div>
      <ChannelErrorBanner channel={channel} />
      <div class="grid">
        <IngestCard channel={channel} />
        {ml && <MediaLiveCard channel={channel} />}
        {ml?.mode !== 'direct' && <InputHealthCard channel={channel} />}
        {(!ml || channel.backup_input) && <FailoverCard channel={channel} />}
        {ml?.mode !== 'direct' && <RenditionsCard channel={channel} />}
        <PreviewCard channel={channel} />
        <DeleteChannelCard channel={channel} />
      </div>
    </div>
  );
}

function DeleteChannelCard({ channel }: { channel: Channel }) {
  const session = useSession();
  const state = useAppState();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const live = channel.destinations_on;

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      // The dialog said the live destinations stop: force skips the 409 that would otherwise refuse.
      await session.api.deleteChannel(channel.id, live > 0);
      setConfirming(false);
      const next = channelList(state).find((c) => c.id !== channel.id);
      navigate(next ? { page: 'channel', channelId: next.id } : { page: 'home' }, true);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card card-quiet" aria-labelledby="delete-channel-title">
      <h2 id="delete-channel-title">Delete this channel</h2>
      <p class="muted">Closes its ingest and removes its destinations. This cannot be undone.</p>
      {error && <p class="error" role="alert">{error}</p>}
      <button type="button" class="button-danger" onClick={() => setConfirming(true)}>Delete channel</button>
      {confirming && (
        <ConfirmDialog title={`Delete channel “${channel.name}”?`} confirmLabel="Delete" busy={busy}
          onConfirm={remove} onCancel={() => setConfirming(false)}>
          <p>Its ingest closes and its destinations are removed.</p>
          {live > 0 && <p><strong>{live} destination{live === 1 ? ' is' : 's are'} live and will stop.</strong></p>}
        </ConfirmDialog>
      )}
    </section>
  );
}
