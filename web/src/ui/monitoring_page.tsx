// The monitoring dashboard: each destination's bitrate over the last minutes and its counters, and the log of
// what happened on this channel. A direct-mode MediaLive channel's feed never reaches Lunora: no input chart.
import type { Channel, Destination } from '../api/types';
import { formatBytes, formatDuration } from '../domain/format';
import { destinationsOf } from '../state/app_state';
import { BitrateChart } from './bitrate_chart';
import { EventsLog } from './events_log';
import { useAppState } from './session_context';
import { StatusBadge } from './status_badge';

export function MonitoringPage({ channel }: { channel: Channel }) {
  const state = useAppState();
  const destinations = destinationsOf(state, channel.id);
  return (
    <div class="page">
      <div class="page-title">
        <h1 tabIndex={-1}>Monitoring</h1>
        <StatusBadge kind="channel" status={channel.state} />
      </div>
      <div class="grid">
        {channel.medialive?.mode !== 'direct' && (
          <section class="card" aria-labelledby="monitor-input-title">
            <h2 id="monitor-input-title">Input</h2>
            <BitrateChart series={state.inputBitrate[channel.id]} label="Input bitrate" />
          </section>
        )}
        {destinations.map((d) => <DestinationMonitor key={d.id} destination={d} />)}
        {destinations.length === 0 && (
          <section class="card empty"><p>No destinations on this channel yet.</p></section>
        )}
        <EventsLog entries={state.log.filter((e) => e.channelId === channel.id || e.channelId === null)} />
      </div>
    </div>
  );
}

function DestinationMonitor({ destination: d }: { destination: Destination }) {
  const state = useAppState();
  const titleId = `monitor-${d.id}`;
  return (
    <article class="card" aria-labelledby={titleId} data-destination-id={d.id}>
      <div class="card-title">
        <h2 id={titleId}>{d.name}</h2>
        <StatusBadge kind="destination" status={d.status} />
      </div>
      <BitrateChart series={state.destinationBitrate[d.id]} label={`${d.name} bitrate`} />
      <dl class="counters">
        <div><dt>Sent</dt><dd>{formatBytes(d.stats.bytes_sent)}</dd></div>
        <div><dt>Uptime</dt><dd>{formatDuration(d.stats.uptime_s)}</dd></div>
        <div><dt>Reconnects</dt><dd>{d.stats.reconnects}</dd></div>
        <div><dt>Dropped packets</dt><dd>{d.stats.dropped_packets}</dd></div>
      </dl>
    </article>
  );
}
