// The channel's live preview: the player page (/watch/{id}, hls.js) in a frame. Only the path of playback_url
// is used, so the frame is same-origin whatever public host the server advertises (the GUI's CSP allows
// frames from 'self' only). A MediaLive channel's HLS on S3 or CloudFront is another origin: a link, no frame;
// a direct MediaLive channel without HLS has none (playback_url null).
import type { Channel } from '../api/types';
import { playbackKind } from '../domain/medialive';
import { StatusBadge } from './status_badge';

export function playerPath(playbackUrl: string): string {
  try {
    const url = new URL(playbackUrl, location.href);
    return url.pathname + url.search;
  } catch {
    return playbackUrl;
  }
}

export function PreviewCard({ channel }: { channel: Channel }) {
  const kind = playbackKind(channel);
  return (
    <section class="card" aria-labelledby="preview-title">
      <div class="card-title">
        <h2 id="preview-title">Preview</h2>
        {kind === 'player' && <StatusBadge kind="hls" status={channel.hls.status} />}
      </div>
      {kind === 'none' && <p class="muted" data-field="no-hls">HLS is not available for this channel.</p>}
      {kind === 'external' && channel.playback_url && (
        <p class="hint">
          MediaLive writes this channel's HLS: <a href={channel.playback_url} target="_blank" rel="noopener">open
          the stream</a> in a player that plays HLS (Safari, VLC).
        </p>
      )}
      {kind === 'player' && channel.playback_url && <Player channel={channel} url={channel.playback_url} />}
    </section>
  );
}

function Player({ channel, url }: { channel: Channel; url: string }) {
  return (
    <>
      <div class="preview">
        <iframe key={channel.id} src={playerPath(url)} title={`Preview of ${channel.name}`}
          allow="autoplay; fullscreen" />
      </div>
      {channel.hls.error && <p class="error">{channel.hls.error}</p>}
      <p class="hint">
        What viewers see, a few seconds behind. Share it: <a href={url} target="_blank"
          rel="noopener">open the player page</a>.
      </p>
    </>
  );
}
