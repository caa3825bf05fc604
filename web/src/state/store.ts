// Holds the AppState and tells subscribers when it changes.
import { initialState, reduce, type Action, type AppState } from './app_state';

export type Listener = (state: AppState) => void;

export class Store {
  private listeners = new Set<Listener>();

  constructor(private current: AppState = initialState()) {}

  get state(): AppState {
    return this.current;
  }

  dispatch(action: Action): void {
    const next = reduce(this.current, action);
    if (next === this.current) return;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
