// The channel's error above everything else on its pages: a rendition that cannot keep up with real time (its
// destinations stutter) or that failed, in the server's words, which say what to do. Announced when it appears.
import type { Channel } from '../api/types';
import { channelErrorWords } from '../domain/renditions';

export function ChannelErrorBanner({ channel }: { channel: Channel }) {
  if (!channel.error) return null;
  const words = channelErrorWords(channel.error);
  return (
    <div class="channel-error" role="alert" data-field="channel-error" data-code={channel.error.code}>
      <p><strong>{words.title}</strong></p>
      <p>{words.message}</p>
    </div>
  );
}
