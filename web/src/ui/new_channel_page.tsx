// Create a channel: one more input (its own SRT port, and an RTMP key on the shared RTMP port) with its own
// destinations.
import { useState } from 'preact/hooks';
import { ApiError } from '../api/api_client';
import type { ChannelCreate, InputProtocol } from '../api/types';
import { navigate } from './router';
import { useSession } from './session_context';

export function NewChannelPage() {
  const session = useSession();
  const [name, setName] = useState('');
  const [protocol, setProtocol] = useState<InputProtocol>('srt');
  const [port, setPort] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body: ChannelCreate = { name: name.trim(), input: { protocol } };
    if (protocol === 'srt' && port.trim()) body.input = { ...body.input, port: Number(port) };
    if (protocol === 'srt' && passphrase) body.input = { ...body.input, passphrase };
    try {
      const created = await session.api.createChannel(body);
      navigate({ page: 'channel', channelId: created.id });
    } catch (err) {
      setError(err instanceof ApiError ? { field: err.field, message: err.message }
        : { field: null, message: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (field: string) => (error?.field === field ? error.message : null);
  return (
    <div class="page">
      <div class="page-title"><h1 tabIndex={-1}>New channel</h1></div>
      <form class="card form form-narrow" onSubmit={submit} noValidate>
        <label for="channel-name">Name</label>
        <input id="channel-name" value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
        {fieldError('name') && <p class="error" role="alert">{fieldError('name')}</p>}

        <fieldset>
          <legend>Input</legend>
          <label class="inline"><input type="radio" name="protocol" checked={protocol === 'srt'}
            onChange={() => setProtocol('srt')} /> SRT (its own port; RTMP works too)</label>
          <label class="inline"><input type="radio" name="protocol" checked={protocol === 'rtmp'}
            onChange={() => setProtocol('rtmp')} /> RTMP only (the shared RTMP port)</label>
        </fieldset>

        {protocol === 'srt' && (
          <>
            <label for="channel-port">SRT port (optional)</label>
            <input id="channel-port" inputMode="numeric" value={port} placeholder="next free from 9000"
              onInput={(e) => setPort(e.currentTarget.value)} />
            {fieldError('input.port') && <p class="error" role="alert">{fieldError('input.port')}</p>}
            <label for="channel-passphrase">SRT passphrase (optional, 10 to 79 characters)</label>
            <input id="channel-passphrase" type="password" autocomplete="new-password" value={passphrase}
              onInput={(e) => setPassphrase(e.currentTarget.value)} />
            {fieldError('input.passphrase') && <p class="error" role="alert">{fieldError('input.passphrase')}</p>}
          </>
        )}
        {error && !['name', 'input.port', 'input.passphrase'].includes(error.field ?? '') && (
          <p class="error" role="alert">{error.message}</p>
        )}
        <div class="actions">
          <button type="submit" class="button-primary" disabled={busy}>{busy ? 'Creating…' : 'Create channel'}</button>
          <button type="button" onClick={() => history.back()}>Cancel</button>
        </div>
      </form>
    </div>
  );
}
