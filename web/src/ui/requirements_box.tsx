// What a platform accepts, and where the channel's input falls short of it right now; with a rendition chosen, the
// destination gets that instead of the input (the server checks it on save: the card shows its warnings).
import type { ChannelInput, Platform, Rendition } from '../api/types';
import { profileWords } from '../domain/renditions';
import { requirementWarnings } from '../domain/requirements';

function codecs(list: string[]): string {
  return list.map((c) => c.toUpperCase()).join(', ');
}

export function RequirementsBox({ platform, input, rendition = null }: {
  platform: Platform; input: ChannelInput; rendition?: Rendition | null;
}) {
  const r = platform.requirements;
  const warnings = rendition ? [] : requirementWarnings(input, platform.name, r);
  return (
    <section class="requirements" aria-labelledby="requirements-title">
      <h2 id="requirements-title">What {platform.name} accepts</h2>
      <dl class="facts">
        <dt>Video</dt>
        <dd>{codecs(r.video_codecs)}, up to {r.max_width}×{r.max_height} at {r.max_fps} fps</dd>
        <dt>Video bitrate</dt>
        <dd>at most {r.max_video_bitrate_kbps} kbps</dd>
        <dt>Audio</dt>
        <dd>{codecs(r.audio_codecs)}{r.max_audio_bitrate_kbps > 0 ? `, at most ${r.max_audio_bitrate_kbps} kbps` : ''}</dd>
        <dt>Keyframe interval</dt>
        <dd>{r.keyframe_interval_s} s</dd>
      </dl>
      {r.notes && <p class="hint">{r.notes}</p>}
      {platform.help_url && <p class="hint"><a href={platform.help_url} target="_blank" rel="noopener">{platform.name} help</a></p>}
      {warnings.length > 0 && (
        <div class="warnings-box" role="status">
          <p><strong>Your input does not meet these now:</strong></p>
          <ul class="warnings">{warnings.map((w) => <li key={w}>{w}</li>)}</ul>
        </div>
      )}
      {rendition && (
        <p class="hint" data-field="sends">
          This destination gets the rendition <strong>{rendition.name}</strong> ({profileWords(rendition)}), not the
          input as it comes: its card warns if that breaks these.
        </p>
      )}
      {!rendition && input.connected && warnings.length === 0 && <p class="ok">Your input meets these requirements.</p>}
    </section>
  );
}
