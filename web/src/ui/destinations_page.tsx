// The channel's destinations: add, start and stop each or all, and see how each one is doing. "Start all" and
// "Stop all" on a running direct-mode MediaLive channel ask once about the restart, for every call it refused. A
// direct-mode MediaLive channel's feed goes to MediaLive, not to Lunora: no "No input yet" there, a pointer to the
// MediaLive card instead.
import { useState } from 'preact/hooks';
import type { Channel, Destination } from '../api/types';
import { actOnAll } from '../domain/restart';
import { destinationsOf } from '../state/app_state';
import { ChannelErrorBanner } from './channel_error_banner';
import { DestinationCard } from './destination_card';
import { useRestartConfirm } from './restart_confirm';
import { navigate, routeHash } from './router';
import { useAppState, useSession } from './session_context';

export function DestinationsPage({ channel }: { channel: Channel }) {
  const state = useAppState();
  const session = useSession();
  const destinations = destinationsOf(state, channel.id);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  const off = destinations.filter((d) => !d.enabled);
  const on = destinations.filter((d) => d.enabled);
  const restart = useRestartConfirm(state.destinations);
  const direct = channel.medialive?.mode === 'direct';

  // `ends`: the calls stop these destinations, so a restart question does not count them as interrupted.
  async function forEach(targets: Destination[], ends: boolean,
    act: (id: string, allowRestart: boolean) => Promise<unknown>) {
    setBusy(true);
    const ids = targets.map((d) => d.id);
    const failures = await actOnAll(ids, act, (errors) => restart.ask(errors, ends ? ids : []));
    setErrors(failures.map(({ id, error }) =>
      `${targets.find((d) => d.id === id)?.name ?? id}: ${error instanceof Error ? error.message : String(error)}`));
    setBusy(false);
  }

  const startAll = () => forEach(off, false, (id, allowRestart) => session.api.startDestination(id, { allowRestart }));
  const stopAll = () => forEach(on, true, (id, allowRestart) => session.api.stopDestination(id, { allowRestart }));

  return (
    <div class="page">
      <div class="page-title">
        <h1 tabIndex={-1}>Destinations</h1>
        <div class="toolbar">
          <button type="button" class="button-primary"
            onClick={() => navigate({ page: 'add-destination', channelId: channel.id })}>Add destination</button>
          <button type="button" disabled={busy || off.length === 0} onClick={startAll}>Start all</button>
          <button type="button" disabled={busy || on.length === 0} onClick={stopAll}>Stop all</button>
        </div>
      </div>
      <ChannelErrorBanner channel={channel} />
      {errors.length > 0 && <div class="error" role="alert">{errors.map((e) => <p key={e}>{e}</p>)}</div>}
      {direct && destinations.length > 0 && (
        <p class="hint" data-field="medialive-feed">
          MediaLive takes the feed and pushes to these destinations itself: started destinations show “Streaming”
          once it runs. Its state is on the <a href={routeHash({ page: 'channel', channelId: channel.id })}>channel
          page</a> (AWS MediaLive).
        </p>
      )}
      {!direct && !channel.input.connected && destinations.length > 0 && (
        <p class="notice">
          No input yet: started destinations wait in “Starting” until {channel.medialive
            ? 'MediaLive’s relay arrives' : 'the encoder connects'}.
        </p>
      )}
      {destinations.length === 0
        ? (
          <section class="card empty">
            <p>No destinations yet. Add YouTube, Twitch, Facebook, Kick, Restream or any RTMP, RTMPS or SRT server.</p>
          </section>
        )
        : <ul class="destination-list">{destinations.map((d) => <li key={d.id}><DestinationCard destination={d} channel={channel} /></li>)}</ul>}
      {restart.dialog}
    </div>
  );
}
