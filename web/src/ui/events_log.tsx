// What happened, newest first, as the browser saw it since the page was opened.
import type { LogEntry } from '../state/event_log';

function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function EventsLog({ entries }: { entries: LogEntry[] }) {
  return (
    <section class="card card-wide" aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      {entries.length === 0
        ? <p class="muted">Nothing happened since this page was opened.</p>
        : (
          <ol class="events" role="log" aria-live="polite">
            {entries.map((e, i) => (
              <li key={`${e.at}-${i}-${e.text}`} class={`event event-${e.level}`}>
                <time dateTime={new Date(e.at).toISOString()}>{clock(e.at)}</time> <span>{e.text}</span>
              </li>
            ))}
          </ol>
        )}
    </section>
  );
}
