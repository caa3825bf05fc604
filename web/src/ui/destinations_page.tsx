// The channel's destinations: add, start and stop each or all, and see how each one is doing.
import { useState } from 'preact/hooks';
import type { Channel, Destination } from '../api/types';
import { destinationsOf } from '../state/app_state';
import { DestinationCard } from './destination_card';
import { navigate } from './router';
import { useAppState, useSession } from './session_context';

export function DestinationsPage({ channel }: { channel: Channel }) {
  const state = useAppState();
  const session = useSession();
  const destinations = destinationsOf(state, channel.id);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  async function forEach(targets: Destination[], act: (id: string) => Promise<unknown>) {
    setBusy(true);
    const results = await Promise.allSettled(targets.map((d) => act(d.id)));
    setErrors(results.flatMap((r, i) => r.status === 'rejected'
      ? [`${targets[i]?.name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
    setBusy(false);
  }

  const off = destinations.filter((d) => !d.enabled);
  const on = destinations.filter((d) => d.enabled);
  return (
    <div class="page">
      <div class="page-title">
        <h1 tabIndex={-1}>Destinations</h1>
        <div class="toolbar">
          <button type="button" class="button-primary"
            onClick={() => navigate({ page: 'add-destination', channelId: channel.id })}>Add destination</button>
          <button type="button" disabled={busy || off.length === 0}
            onClick={() => forEach(off, (id) => session.api.startDestination(id))}>Start all</button>
          <button type="button" disabled={busy || on.length === 0}
            onClick={() => forEach(on, (id) => session.api.stopDestination(id))}>Stop all</button>
        </div>
      </div>
      {errors.length > 0 && <div class="error" role="alert">{errors.map((e) => <p key={e}>{e}</p>)}</div>}
      {!channel.input.connected && destinations.length > 0 && (
        <p class="notice">No input yet: started destinations wait in “Starting” until the encoder connects.</p>
      )}
      {destinations.length === 0
        ? (
          <section class="card empty">
            <p>No destinations yet. Add YouTube, Twitch, Facebook, Kick, Restream or any RTMP, RTMPS or SRT server.</p>
          </section>
        )
        : <ul class="destination-list">{destinations.map((d) => <li key={d.id}><DestinationCard destination={d} channel={channel} /></li>)}</ul>}
    </div>
  );
}
