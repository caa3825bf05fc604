// What to paste into the encoder (OBS, vMix, ffmpeg), and into the backup encoder when there is one, with copy
// buttons. The secrets come from GET /channels/{id}/ingest; the stream keys are hidden until asked for.
import { useEffect, useState } from 'preact/hooks';
import type { Channel, Ingest } from '../api/types';
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
    channel.backup_input?.port]);

  return (
    <section class="card" aria-labelledby="ingest-title">
      <h2 id="ingest-title">Connect your encoder</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {!ingest && !error && <p class="muted">Loading…</p>}
      {ingest && (
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
        {channel.input.protocol === 'srt'
          ? 'SRT: paste the SRT URL as the output (ffmpeg, vMix, OBS "Custom"). RTMP works too: server and key.'
          : 'OBS: Settings → Stream → Service "Custom", paste the server and the stream key.'}
      </p>
    </section>
  );
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
