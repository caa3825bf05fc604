// The channel's live preview: the player page (/watch/{id}, hls.js) in a frame. Only the path of playback_url
// is used, so the frame is same-origin whatever public host the server advertises (the GUI's CSP allows
// frames from 'self' only).
import type { Channel } from '../api/types';
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
  return (
    <section class="card" aria-labelledby="preview-title">
      <div class="card-title">
        <h2 id="preview-title">Preview</h2>
        <StatusBadge kind="hls" status={channel.hls.status} />
      </div>
      <div class="preview">
        <iframe key={channel.id} src={playerPath(channel.playback_url)} title={`Preview of ${channel.name}`}
          allow="autoplay; fullscreen" />
      </div>
      {channel.hls.error && <p class="error">{channel.hls.error}</p>}
      <p class="hint">
        What viewers see, a few seconds behind. Share it: <a href={channel.playback_url} target="_blank"
          rel="noopener">open the player page</a>.
      </p>
    </section>
  );
}
