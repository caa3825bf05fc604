// What to paste into the encoder (OBS, vMix, ffmpeg), and into the backup encoder when there is one, with copy
// buttons. The secrets come from GET /channels/{id}/ingest; the stream keys are hidden until asked for. A
// MediaLive channel's encoder sends to MediaLive instead: in hybrid mode Lunora's RTMP ingest is where
// MediaLive's relay publishes, in direct mode Lunora receives nothing.
import { useEffect, useState } from 'preact/hooks';
import type { Channel, ChannelMediaLive, Ingest, IngestMediaLive } from '../api/types';
import { splitPushUrl } from '../domain/medialive';
import { CopyButton } from './copy_button';
import { useSession } from './session_context';

export function IngestCard({ channel }: { channel: Channel }) {
  const session = useSession();
  const [ingest, setIngest] = useState<Ingest | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Reloaded when the input settings change (a new port or passphrase changes the URLs, a backup adds some).
  useEffect(() => {
    let current = true;
    session.api.getIngest(channel.id).then(
      (value) => current && (setIngest(value), setError(null)),
      (err: unknown) => current && setError(err instanceof Error ? err.message : String(err)));
    return () => { current = false; };
  }, [channel.id, channel.input.ingest_url, channel.input.port, channel.backup_input?.ingest_url,
    channel.backup_input?.port, channel.medialive?.input_id, channel.medialive?.phase]);

  const ml = channel.medialive;

  return (
    <section class="card" aria-labelledby="ingest-title">
      <h2 id="ingest-title">Connect your encoder</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {!ingest && !error && <p class="muted">Loading…</p>}
      {ingest?.medialive && <MediaLiveIngest ingest={ingest.medialive} />}
      {ingest && ml?.mode === 'hybrid' && (
        <dl class="ingest" aria-label="MediaLive's relay">
          <div class="ingest-row">
            <dt>MediaLive's relay publishes here</dt>
            <dd><code>{ml.relay_url ?? ingest.rtmp_server}</code></dd>
          </div>
        </dl>
      )}
      {ingest && !ml && (
        <dl class="ingest">
          {ingest.srt_url && <Row label="SRT URL" value={ingest.srt_url} />}
          <Row label="RTMP server" value={ingest.rtmp_server} />
          <SecretRow label="RTMP stream key" value={ingest.rtmp_key} />
          {ingest.passphrase && <Row label="SRT passphrase" value={ingest.passphrase} />}
        </dl>
      )}
      {ingest?.backup && (
        <>
          <h3 class="ingest-heading">Backup encoder</h3>
          <dl class="ingest" aria-label="Backup encoder">
            {ingest.backup.srt_url && <Row label="Backup SRT URL" value={ingest.backup.srt_url} />}
            <Row label="Backup RTMP server" value={ingest.rtmp_server} />
            <SecretRow label="Backup RTMP stream key" value={ingest.backup.rtmp_key} />
          </dl>
        </>
      )}
      <p class="hint">
        {ml ? mediaLiveHint(ml, ingest?.medialive ?? null) : channel.input.protocol === 'srt'
          ? 'SRT: paste the SRT URL as the output (ffmpeg, vMix, OBS "Custom"). RTMP works too: server and key.'
          : 'OBS: Settings → Stream → Service "Custom", paste the server and the stream key.'}
      </p>
    </section>
  );
}

// Where the encoder sends for a MediaLive channel: MediaLive's RTMP push input (server and key, as OBS asks), or
// the encoder's own SRT listener that MediaLive calls.
function MediaLiveIngest({ ingest }: { ingest: IngestMediaLive }) {
  if (ingest.type === 'SRT_CALLER') {
    return (
      <dl class="ingest" aria-label="MediaLive input">
        {ingest.srt_listener && <Row label="Encoder's SRT listener" value={ingest.srt_listener} />}
      </dl>
    );
  }
  const parts = ingest.ingest_url ? splitPushUrl(ingest.ingest_url) : null;
  const others = ingest.input_urls.filter((url) => url !== ingest.ingest_url);
  return (
    <dl class="ingest" aria-label="MediaLive input">
      {parts && <Row label="MediaLive RTMP server" value={parts.server} />}
      {parts && <Row label="MediaLive stream key" value={parts.key} />}
      {ingest.ingest_url && !parts && <Row label="MediaLive RTMP URL" value={ingest.ingest_url} />}
      {others.map((url, i) => <Row key={url} label={`Pipeline ${i + 2} RTMP URL`} value={url} />)}
    </dl>
  );
}

function mediaLiveHint(ml: ChannelMediaLive, ingest: IngestMediaLive | null): string {
  const where = ingest ? `${ingest.note.charAt(0).toUpperCase()}${ingest.note.slice(1)}.` : '';
  return ml.mode === 'hybrid'
    ? `${where} MediaLive encodes it and relays one stream to Lunora, which sends it to the destinations.`.trim()
    : `${where} MediaLive encodes it and pushes to every destination itself: Lunora receives no media.`.trim();
}

// A key hidden until asked for, and copied either way.
function SecretRow({ label, value }: { label: string; value: string }) {
  const [show, setShow] = useState(false);
  return (
    <div class="ingest-row">
      <dt>{label}</dt>
      <dd>
        <code class="secret">{show ? value : '•'.repeat(Math.min(24, value.length))}</code>
        <span class="row-actions">
          <button type="button" class="button-small" aria-label={`${show ? 'Hide' : 'Show'} ${label}`}
            onClick={() => setShow(!show)}>{show ? 'Hide' : 'Show'}</button>
          <CopyButton value={value} what={label} />
        </span>
      </dd>
    </div>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <div class="ingest-row">
      <dt>{label}</dt>
      <dd>
        <code>{value}</code>
        <span class="row-actions"><CopyButton value={value} what={label} /></span>
      </dd>
    </div>
  );
}
