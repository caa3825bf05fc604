// Is the encoder there, and what does it send: codec, size, frame rate, keyframe interval, bitrate over time;
// and while it is gone, whether the slate holds the destinations.
import type { Channel } from '../api/types';
import { formatBitrate, formatDuration, secondsSince } from '../domain/format';
import { BitrateChart } from './bitrate_chart';
import { useAppState, useServerNow } from './session_context';

function slateText(channel: Channel): string {
  const slate = channel.input.slate;
  if (slate.error) return `Cannot make one: ${slate.error}`;
  if (slate.on) return 'On the wire: destinations see "We\'ll be right back" until the encoder is back';
  if (channel.input_loss_slate_after_ms === 0) return 'Off: destinations get nothing while the input is lost';
  const after = `${channel.input_loss_slate_after_ms / 1000} s`;
  return slate.count > 0
    ? `Ready (after ${after} without input); used ${slate.count}× for ${Math.round(slate.seconds)} s`
    : `Ready (after ${after} without input)`;
}

export function InputHealthCard({ channel }: { channel: Channel }) {
  const state = useAppState();
  const now = useServerNow(state.clockSkewMs);
  const input = channel.input;
  const video = input.video;
  const audio = input.audio;
  // With a backup, this card is the primary's; which one is on air is said here and on the backup's card.
  const backup = channel.backup_input !== null;
  return (
    <section class="card" aria-labelledby="input-title">
      <div class="card-title">
        <h2 id="input-title">{backup ? 'Primary input' : 'Input'}</h2>
        {backup && channel.active_input === 'primary' && <span class="badge badge-good">On air</span>}
        {backup && channel.active_input === 'backup' && <span class="badge badge-neutral">Standing by</span>}
      </div>
      <dl class="facts">
        <dt>Connected</dt>
        <dd data-field="connected">
          {input.connected
            ? `Yes${input.connected_protocol ? `, over ${input.connected_protocol.toUpperCase()}` : ''}`
              + (input.connected_since ? `, for ${formatDuration(secondsSince(input.connected_since, now))}` : '')
            : !input.listening ? 'No: the ingest is not listening'
              : channel.medialive ? 'No: waiting for MediaLive’s relay' : 'No: waiting for the encoder'}
        </dd>
        <dt>Video</dt>
        <dd>{video ? `${video.codec.toUpperCase()}, ${video.width}×${video.height}` : '—'}</dd>
        <dt>Frame rate</dt>
        <dd>{video && video.fps > 0 ? `${Math.round(video.fps * 100) / 100} fps` : '—'}</dd>
        <dt>Keyframe interval</dt>
        <dd>{video && video.keyframe_interval_s > 0 ? `${video.keyframe_interval_s.toFixed(1)} s` : '—'}</dd>
        <dt>Audio</dt>
        <dd>
          {audio
            ? `${audio.codec.toUpperCase()}${audio.sample_rate ? `, ${audio.sample_rate / 1000} kHz` : ''}`
              + (audio.channels === 1 ? ', mono' : audio.channels === 2 ? ', stereo' : '')
            : '—'}
        </dd>
        <dt>Bitrate</dt>
        <dd>{input.connected ? formatBitrate(input.bitrate_kbps) : '—'}</dd>
        <dt>Slate</dt>
        <dd data-field="slate">{slateText(channel)}</dd>
      </dl>
      <BitrateChart series={state.inputBitrate[channel.id]} label={backup ? 'Primary input bitrate' : 'Input bitrate'}
        height={140} />
    </section>
  );
}
