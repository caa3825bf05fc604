// One rendition of the channel: what it encodes to, who uses it, and while it runs how it keeps up (frame rates,
// speed against real time, CPU, the x264 preset it stepped to, what happens to the audio). Delete asks first; a
// rendition in use is refused by the server, and the question then names its destinations.
import { useId, useState } from 'preact/hooks';
import type { Channel, Rendition, RenditionStats } from '../api/types';
import {
  bitrateWords, deleteWithForce, feedsWords, keyframeWords, pictureWords, statsWords,
} from '../domain/renditions';
import { ConfirmDialog } from './confirm_dialog';
import { useInUseConfirm } from './rendition_in_use_confirm';
import { useAppState, useSession } from './session_context';
import { StatusBadge } from './status_badge';

export function RenditionItem({ channel, rendition: r, onEdit }: {
  channel: Channel; rendition: Rendition; onEdit: () => void;
}) {
  const session = useSession();
  const state = useAppState();
  const titleId = useId();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inUse = useInUseConfirm(r.name, state.destinations);

  async function remove() {
    setConfirming(false);
    setBusy(true);
    setError(null);
    try {
      await deleteWithForce((force) => session.api.deleteRendition(channel.id, r.name, force), inUse.ask);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  // In use: the server's refusal names the users, and that is the question. Unused: a plain one.
  const askFirst = () => (r.destinations.length > 0 ? void remove() : setConfirming(true));
  return (
    <article class="rendition" aria-labelledby={titleId} data-rendition={r.name}>
      <div class="card-title">
        <h3 id={titleId}>{r.name}</h3>
        <StatusBadge kind="rendition" status={r.state} />
      </div>
      <dl class="facts">
        <dt>Picture</dt>
        <dd data-field="picture">{pictureWords(r)}</dd>
        <dt>Bitrate</dt>
        <dd data-field="bitrate">{bitrateWords(r)}</dd>
        <dt>Keyframes</dt>
        <dd data-field="keyframes">{keyframeWords(r)}</dd>
        <dt>Used by</dt>
        <dd data-field="used-by">{feedsWords(r, state.destinations)}</dd>
        {!r.stats && <><dt>x264 preset</dt><dd data-field="preset">{r.preset}</dd></>}
      </dl>
      {r.stats && <RenditionStatsFacts rendition={r} stats={r.stats} />}
      {r.error && <p class="error" data-field="rendition-error">{r.error}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions">
        <button type="button" class="button-small" onClick={onEdit}>Edit</button>
        <button type="button" class="button-small button-danger-quiet" disabled={busy}
          onClick={askFirst}>Delete</button>
      </div>
      {confirming && (
        <ConfirmDialog title={`Delete rendition “${r.name}”?`} confirmLabel="Delete" busy={busy}
          onConfirm={() => void remove()} onCancel={() => setConfirming(false)}>
          <p>No destination uses it. Its settings are removed from the channel.</p>
        </ConfirmDialog>
      )}
      {inUse.dialog}
    </article>
  );
}

function RenditionStatsFacts({ rendition, stats }: { rendition: Rendition; stats: RenditionStats }) {
  const words = statsWords(rendition, stats);
  return (
    <dl class="facts" aria-label={`How ${rendition.name} keeps up`}>
      <dt>Frame rate</dt>
      <dd data-field="fps">{words.frameRate}</dd>
      <dt>Speed</dt>
      <dd data-field="speed">{words.speed}</dd>
      <dt>CPU</dt>
      <dd data-field="cpu">{words.cpu}</dd>
      <dt>x264 preset</dt>
      <dd data-field="preset">{words.preset}</dd>
      <dt>Audio</dt>
      <dd data-field="audio">{words.audio}</dd>
      <dt>Feeds now</dt>
      <dd data-field="outputs">{stats.outputs === 1 ? '1 destination' : `${stats.outputs} destinations`}</dd>
    </dl>
  );
}
