// The backup input (issue 6): both inputs side by side (which one is on air, how each is doing), the switch
// under way, how often the channel failed over and why last, a button to switch by hand, and the settings: add or
// remove the backup, how soon to fail over and when to go back to the primary.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/api_client';
import type { BackupInput, Channel, ChannelInput, InputProtocol, InputRole } from '../api/types';
import {
  failbackWords, failoverAfterWords, inputHealthWords, roleWord, switchReasonWords, switchTarget,
} from '../domain/failover';
import { formatBitrate, formatDuration, secondsSince } from '../domain/format';
import { ConfirmDialog } from './confirm_dialog';
import { useAppState, useServerNow, useSession } from './session_context';

const BACKUP_COUNTERS_MS = 2000;

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function FailoverCard({ channel }: { channel: Channel }) {
  const session = useSession();
  const backup = channel.backup_input;
  const hasBackup = backup !== null;

  // The backup's bitrate is not in the live counters: read it while this card shows it.
  useEffect(() => {
    if (!hasBackup) return;
    void session.refreshBackupCounters(channel.id);
    const timer = setInterval(() => void session.refreshBackupCounters(channel.id), BACKUP_COUNTERS_MS);
    return () => clearInterval(timer);
  }, [session, channel.id, hasBackup]);

  return (
    <section class="card" aria-labelledby="backup-title" data-active-input={channel.active_input}>
      <h2 id="backup-title">Backup input</h2>
      {backup ? <Failover channel={channel} backup={backup} /> : <AddBackup channel={channel} />}
    </section>
  );
}

function Failover({ channel, backup }: { channel: Channel; backup: BackupInput }) {
  const session = useSession();
  const state = useAppState();
  const now = useServerNow(state.clockSkewMs);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const failover = channel.failover;
  const target = switchTarget(channel);
  const switching = failover.switching_to;

  async function act(action: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  const lastSwitch = failover.last_reason && failover.last_at
    ? `${capitalized(switchReasonWords(failover.last_reason))}, ${formatDuration(secondsSince(failover.last_at, now))} ago`
    : 'None yet';
  return (
    <>
      <table class="inputs">
        <caption class="visually-hidden">The primary and the backup input</caption>
        <thead>
          <tr>
            <td />
            <InputHeading role="primary" channel={channel} />
            <InputHeading role="backup" channel={channel} />
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Encoder</th>
            <td data-field="primary-health">{healthWithTime(channel.input, now)}</td>
            <td data-field="backup-health">{healthWithTime(backup, now)}</td>
          </tr>
          <tr>
            <th scope="row">Bitrate</th>
            <td>{channel.input.connected ? formatBitrate(channel.input.bitrate_kbps) : '—'}</td>
            <td data-field="backup-bitrate">{backup.connected ? formatBitrate(backup.bitrate_kbps) : '—'}</td>
          </tr>
          <tr>
            <th scope="row">Video</th>
            <td>{videoWords(channel.input)}</td>
            <td>{videoWords(backup)}</td>
          </tr>
          <tr>
            <th scope="row">Ingest</th>
            <td>{ingestWords(channel.input)}</td>
            <td>{ingestWords(backup)}</td>
          </tr>
        </tbody>
      </table>
      {switching && (
        <p class="notice switching" role="status" data-field="switching">
          Switching to the {roleWord(switching)} input at its next keyframe…
        </p>
      )}
      <dl class="facts">
        <dt>Failovers</dt>
        <dd data-field="failovers">{failover.count} to the backup, {failover.failbacks} back to the primary</dd>
        <dt>Last switch</dt>
        <dd data-field="last-switch">{lastSwitch}</dd>
        <dt>Fails over</dt>
        <dd>{failoverAfterWords(channel.failover_after_ms)}</dd>
        <dt>Fails back</dt>
        <dd>{failbackWords(channel.failback_after_s)}</dd>
      </dl>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions">
        {target && (
          <button type="button" class="button-primary" disabled={busy || switching === target}
            onClick={() => act(() => session.api.switchInput(channel.id, target))}>
            Switch to {roleWord(target)}
          </button>
        )}
        {switching && switching !== channel.active_input && (
          <button type="button" disabled={busy}
            onClick={() => act(() => session.api.switchInput(channel.id, channel.active_input))}>
            Stay on {roleWord(channel.active_input)}
          </button>
        )}
        <button type="button" class="button-danger-quiet" onClick={() => setConfirming(true)}>Remove backup</button>
      </div>
      <FailoverSettings channel={channel} />
      {confirming && (
        <ConfirmDialog title="Remove the backup input?" confirmLabel="Remove" busy={busy}
          onConfirm={() => act(() => session.api.patchChannel(channel.id, { backup_input: null }))
            .then(() => setConfirming(false))}
          onCancel={() => setConfirming(false)}>
          <p>Its listener and its RTMP key close; the channel no longer fails over.</p>
          {channel.active_input === 'backup' && <p><strong>It is on air: the destinations go back to the primary input.</strong></p>}
        </ConfirmDialog>
      )}
    </>
  );
}

// A column heading: the input's name, and whether it is on air or taking over.
function InputHeading({ role, channel }: { role: InputRole; channel: Channel }) {
  const onAir = channel.active_input === role;
  const next = channel.failover.switching_to === role && !onAir;
  return (
    <th scope="col" data-input={role} data-on-air={onAir ? 'true' : 'false'}>
      <span class="input-name">{role === 'primary' ? 'Primary' : 'Backup'}</span>
      {onAir && <span class="badge badge-good">On air</span>}
      {next && <span class="badge badge-busy">Next</span>}
    </th>
  );
}

function healthWithTime(input: ChannelInput | BackupInput, now: number): string {
  const words = inputHealthWords(input);
  return input.connected && input.connected_since
    ? `${words}, for ${formatDuration(secondsSince(input.connected_since, now))}` : words;
}

// Every input also takes RTMP on a key of its own (on the ingest card).
function ingestWords(input: ChannelInput | BackupInput): string {
  return input.protocol === 'srt' ? `SRT port ${input.port} or RTMP` : 'RTMP';
}

function videoWords(input: ChannelInput | BackupInput): string {
  const video = input.video;
  if (!video) return '—';
  const fps = video.fps > 0 ? `, ${Math.round(video.fps * 100) / 100} fps` : '';
  return `${video.codec.toUpperCase()}, ${video.width}×${video.height}${fps}`;
}

// No backup yet: what one is for, and how to add it.
function AddBackup({ channel }: { channel: Channel }) {
  const session = useSession();
  const [protocol, setProtocol] = useState<InputProtocol>('srt');
  const [port, setPort] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.api.patchChannel(channel.id, {
        backup_input: protocol === 'srt' && port.trim() ? { protocol, port: Number(port) } : { protocol },
      });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form" onSubmit={submit} noValidate>
      <p class="muted">
        A second encoder that takes over when this one stops delivering, with no slate in between, and hands
        back when it is healthy again.
      </p>
      <fieldset>
        <legend>Backup encoder sends</legend>
        <label class="inline"><input type="radio" name="backup-protocol" checked={protocol === 'srt'}
          onChange={() => setProtocol('srt')} /> SRT (a port of its own; RTMP works too)</label>
        <label class="inline"><input type="radio" name="backup-protocol" checked={protocol === 'rtmp'}
          onChange={() => setProtocol('rtmp')} /> RTMP only (its own key on the shared RTMP port)</label>
      </fieldset>
      {protocol === 'srt' && (
        <>
          <label for="backup-port">Backup SRT port (optional)</label>
          <input id="backup-port" inputMode="numeric" value={port} placeholder="next free one"
            onInput={(e) => setPort(e.currentTarget.value)} />
        </>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions">
        <button type="submit" disabled={busy}>{busy ? 'Adding…' : 'Add backup input'}</button>
      </div>
    </form>
  );
}

// How soon the channel fails over and when it goes back, in a fold of its own.
function FailoverSettings({ channel }: { channel: Channel }) {
  const session = useSession();
  const [after, setAfter] = useState(String(channel.failover_after_ms));
  const [back, setBack] = useState(String(channel.failback_after_s));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const [saved, setSaved] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await session.api.patchChannel(channel.id, { failover_after_ms: Number(after), failback_after_s: Number(back) });
      setSaved(true);
    } catch (err) {
      setError(err instanceof ApiError ? { field: err.field, message: err.message }
        : { field: null, message: errorText(err) });
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (field: string) => (error?.field === field ? error.message : null);
  return (
    <details class="settings">
      <summary>Failover settings</summary>
      <form class="form" onSubmit={submit} noValidate>
        <label for="failover-after">Fail over after (milliseconds without media, 200 to 60000)</label>
        <input id="failover-after" inputMode="numeric" value={after}
          onInput={(e) => { setAfter(e.currentTarget.value); setSaved(false); }}
          aria-invalid={fieldError('failover_after_ms') ? 'true' : undefined} />
        {fieldError('failover_after_ms') && <p class="error" role="alert">{fieldError('failover_after_ms')}</p>}
        <label for="failback-after">Fail back after (seconds the primary delivers; 0 = only by hand)</label>
        <input id="failback-after" inputMode="numeric" value={back}
          onInput={(e) => { setBack(e.currentTarget.value); setSaved(false); }}
          aria-invalid={fieldError('failback_after_s') ? 'true' : undefined} />
        {fieldError('failback_after_s') && <p class="error" role="alert">{fieldError('failback_after_s')}</p>}
        {error && !['failover_after_ms', 'failback_after_s'].includes(error.field ?? '') && (
          <p class="error" role="alert">{error.message}</p>
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save settings'}</button>
          {saved && <span class="ok" role="status">Saved</span>}
        </div>
      </form>
    </details>
  );
}
