// The whole GUI: the login page until a token is known, then the logged-in views around one Session.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Session } from '../state/session';
import { LoggedIn } from './logged_in';
import { LoginPage } from './login_page';
import { SessionContext } from './session_context';
import { clearToken, loadToken, saveToken } from './token_storage';

export function App() {
  const [token, setToken] = useState(loadToken);
  const [notice, setNotice] = useState<string | null>(null);

  function logout(why: string) {
    clearToken();
    setToken(null);
    setNotice(why);
  }

  if (!token) {
    return <LoginPage notice={notice} onLogin={(value) => { saveToken(value); setNotice(null); setToken(value); }} />;
  }
  return <SessionRoot token={token} onLogout={logout} />;
}

function SessionRoot({ token, onLogout }: { token: string; onLogout: (why: string) => void }) {
  const session = useMemo(() => new Session(token, {
    onUnauthorized: () => onLogout('The server no longer accepts this token: log in again.'),
  }), [token]);
  useEffect(() => {
    session.start();
    return () => session.stop();
  }, [session]);
  return (
    <SessionContext.Provider value={session}>
      <LoggedIn onLogout={() => onLogout('You are logged out.')} />
    </SessionContext.Provider>
  );
}
