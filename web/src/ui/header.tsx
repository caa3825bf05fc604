// The top bar: which channel, which page, whether live updates flow, and log out. Wraps onto several lines on
// a phone.
import type { StreamState } from '../api/event_stream';
import type { Channel } from '../api/types';
import { navigate, type Route } from './router';

interface Props {
  route: Route;
  channels: Channel[];
  stream: { state: StreamState; detail: string | null };
  onLogout: () => void;
}

const PAGES = [
  { page: 'channel', label: 'Channel' },
  { page: 'destinations', label: 'Destinations' },
  { page: 'monitoring', label: 'Monitoring' },
] as const;

const LIVE_WORDS: Record<StreamState, string> = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Offline',
};

function currentPage(route: Route): 'channel' | 'destinations' | 'monitoring' | null {
  switch (route.page) {
    case 'channel':
      return 'channel';
    case 'destinations':
    case 'add-destination':
    case 'edit-destination':
      return 'destinations';
    case 'monitoring':
      return 'monitoring';
    default:
      return null;
  }
}

export function Header({ route, channels, stream, onLogout }: Props) {
  const channelId = 'channelId' in route ? route.channelId : null;
  const page = currentPage(route);

  function switchChannel(id: string) {
    const target = page === 'monitoring' || page === 'destinations' ? page : 'channel';
    navigate({ page: target, channelId: id });
  }

  return (
    <header class="header">
      <a class="brand" href="#/"><img src="/assets/favicon.svg" alt="" width={24} height={24} /> Lunora</a>
      <div class="channel-picker">
        <label for="channel-select">Channel</label>
        <select id="channel-select" value={channelId ?? ''}
          onChange={(e) => e.currentTarget.value && switchChannel(e.currentTarget.value)}>
          {channelId === null && <option value="">Choose…</option>}
          {channels.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
        <a class="button button-small" href="#/channels/new"
          aria-current={route.page === 'new-channel' ? 'page' : undefined}>New channel</a>
      </div>
      {channelId && (
        <nav aria-label="Pages">
          {PAGES.map(({ page: p, label }) => (
            <a key={p} href={`#/channels/${encodeURIComponent(channelId)}${p === 'channel' ? '' : `/${p}`}`}
              aria-current={page === p ? 'page' : undefined}>{label}</a>
          ))}
        </nav>
      )}
      <div class="header-end">
        <span class={`live live-${stream.state}`} role="status" title={stream.detail ?? undefined}>
          <span class="live-dot" aria-hidden="true" />
          <span class="visually-hidden">Live updates: </span>{LIVE_WORDS[stream.state]}
        </span>
        <button type="button" class="button-small" onClick={onLogout}>Log out</button>
      </div>
    </header>
  );
}
