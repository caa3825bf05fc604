// Log in with the admin token. The token is tried against the API before it is kept, so a typo is caught here
// and not on the next page.
import { useState } from 'preact/hooks';
import { ApiClient, ApiError } from '../api/api_client';

interface Props {
  notice: string | null; // why the user is here again ("You are logged out.")
  onLogin: (token: string) => void;
}

export function LoginPage({ notice, onLogin }: Props) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const value = token.trim();
    if (!value) return setError('Enter the admin token.');
    setBusy(true);
    setError(null);
    try {
      await new ApiClient(value).listChannels();
      onLogin(value);
    } catch (err) {
      setError(err instanceof ApiError && err.unauthorized
        ? 'This token is not valid. Use the admin token Lunora printed when it first started.'
        : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <form class="card login-card" onSubmit={submit} aria-labelledby="login-title" noValidate>
        <div class="brand brand-large"><img src="/assets/favicon.svg" alt="" width={36} height={36} /> Lunora</div>
        <h1 id="login-title">Log in</h1>
        {notice && <p class="notice" role="status">{notice}</p>}
        <p class="hint">
          Use the admin token: Lunora prints it on its first start and keeps it in <code>data/admin-token</code> (or
          it is the <code>LUNORA_API_TOKEN</code> you set). It stays in this browser tab only.
        </p>
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" autoFocus
          value={token} onInput={(e) => setToken(e.currentTarget.value)}
          aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'login-error' : undefined} />
        {error && <p id="login-error" class="error" role="alert">{error}</p>}
        <button type="submit" class="button-primary" disabled={busy}>{busy ? 'Checking…' : 'Log in'}</button>
      </form>
    </main>
  );
}
