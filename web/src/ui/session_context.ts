// The logged-in Session, reachable from every component, and hooks onto its state.
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { AppState } from '../state/app_state';
import type { Session } from '../state/session';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a logged-in view');
  return session;
}

export function useAppState(): AppState {
  const session = useSession();
  const [state, setState] = useState(session.store.state);
  useEffect(() => {
    setState(session.store.state);
    return session.store.subscribe(setState);
  }, [session]);
  return state;
}

// "Now" on the server's clock, refreshed every second (times in state, uptimes, retry countdowns).
export function useServerNow(skewMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now + skewMs;
}
