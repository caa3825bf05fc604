// What to paste into the encoder (OBS, vMix, ffmpeg), with copy buttons. The secrets come from
// GET /channels/{id}/ingest; the stream key is hidden until asked for.
import { useEffect, useState } from 'preact/hooks';
import type { Channel, Ingest } from '../api/types';
import { CopyButton } from './copy_button';
import { useSession } from './session_context';

export function IngestCard({ channel }: { channel: Channel }) {
  const session = useSession();
  const [ingest, setIngest] = useState<Ingest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showKey, setShowKey] = useState(false);

  // Reloaded when the input settings change (a new port or passphrase changes the URLs).
  useEffect(() => {
    let current = true;
    session.api.getIngest(channel.id).then(
      (value) => current && (setIngest(value), setError(null)),
      (err: unknown) => current && setError(err instanceof Error ? err.message : String(err)));
    return () => { current = false; };
  }, [channel.id, channel.input.ingest_url, channel.input.port]);

  return (
    <section class="card" aria-labelledby="ingest-title">
      <h2 id="ingest-title">Connect your encoder</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {!ingest && !error && <p class="muted">Loading…</p>}
      {ingest && (
        <dl class="ingest">
          {ingest.srt_url && <Row label="SRT URL" value={ingest.srt_url} />}
          <Row label="RTMP server" value={ingest.rtmp_server} />
          <div class="ingest-row">
            <dt>RTMP stream key</dt>
            <dd>
              <code class="secret">{showKey ? ingest.rtmp_key : '•'.repeat(Math.min(24, ingest.rtmp_key.length))}</code>
              <span class="row-actions">
                <button type="button" class="button-small" aria-pressed={showKey}
                  onClick={() => setShowKey(!showKey)}>{showKey ? 'Hide' : 'Show'}</button>
                <CopyButton value={ingest.rtmp_key} what="RTMP stream key" />
              </span>
            </dd>
          </div>
          {ingest.passphrase && <Row label="SRT passphrase" value={ingest.passphrase} />}
        </dl>
      )}
      <p class="hint">
        {channel.input.protocol === 'srt'
          ? 'SRT: paste the SRT URL as the output (ffmpeg, vMix, OBS "Custom"). RTMP works too: server and key.'
          : 'OBS: Settings → Stream → Service "Custom", paste the server and the stream key.'}
      </p>
    </section>
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
