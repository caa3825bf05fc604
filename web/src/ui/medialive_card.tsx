// A channel on AWS Elemental MediaLive: its mode and what that means for restarts, MediaLive's channel and state,
// what Lunora is doing to it, AWS's own error, and the cost meter. Shown only for `engine: "medialive"`.
import type { Channel, ChannelMediaLive } from '../api/types';
import { costWords, feedWords, modeWords, outputWords, restartPendingWords, stateWords } from '../domain/medialive';
import { useAppState } from './session_context';

export function MediaLiveCard({ channel }: { channel: Channel }) {
  const ml = channel.medialive;
  if (!ml) return null;
  return (
    <section class="card" aria-labelledby="medialive-title">
      <h2 id="medialive-title">AWS MediaLive</h2>
      <MediaLiveFacts ml={ml} />
      <p class="hint" data-field="feed">{feedWords(ml.mode)}</p>
      {ml.restart_pending && <p class="notice" data-field="restart-pending">{restartPendingWords()}</p>}
      {ml.error && (
        <div class="advice" data-field="medialive-error">
          <p><strong>AWS said:</strong> {ml.error}</p>
        </div>
      )}
      <CostMeter ml={ml} />
    </section>
  );
}

function MediaLiveFacts({ ml }: { ml: ChannelMediaLive }) {
  const state = useAppState();
  const mode = modeWords(ml.mode);
  return (
    <>
      <p class="hint" data-field="mode">
        <strong>{mode.name} mode</strong>{mode.explanation && `: ${mode.explanation}.`}
      </p>
      <dl class="facts">
        <dt>MediaLive channel</dt>
        <dd data-field="medialive-channel">{ml.channel_id ? <code>{ml.channel_id}</code> : 'Not made yet'}</dd>
        <dt>State</dt>
        <dd data-field="medialive-state">{stateWords(ml)}</dd>
        <dt>Pushes to</dt>
        <dd data-field="medialive-outputs">{outputWords(ml, state.destinations)}</dd>
      </dl>
    </>
  );
}

function CostMeter({ ml }: { ml: ChannelMediaLive }) {
  const cost = costWords(ml.cost);
  return (
    <>
      <h3 class="ingest-heading">Cost</h3>
      <dl class="facts" aria-label="MediaLive cost">
        <dt>Running time</dt>
        <dd data-field="running-time">{cost.runningTime}</dd>
        <dt>Billed</dt>
        <dd data-field="billed">{cost.billed}</dd>
        <dt>Estimate</dt>
        <dd data-field="estimate">{cost.estimate}</dd>
      </dl>
      {cost.minimumLeft && <p class="hint" data-field="minimum-left">{cost.minimumLeft}</p>}
    </>
  );
}
