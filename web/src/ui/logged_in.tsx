// The logged-in frame: the header (channel switcher, pages, live-connection state, log out) and the page the
// URL names.
import { useEffect, useRef } from 'preact/hooks';
import { channelList } from '../state/app_state';
import { ChannelPage } from './channel_page';
import { DestinationFormPage } from './destination_form_page';
import { DestinationsPage } from './destinations_page';
import { Header } from './header';
import { MonitoringPage } from './monitoring_page';
import { NewChannelPage } from './new_channel_page';
import { navigate, routeHash, useRoute, type Route } from './router';
import { useAppState, useSession } from './session_context';

export function LoggedIn({ onLogout }: { onLogout: () => void }) {
  const state = useAppState();
  const session = useSession();
  const route = useRoute();
  const channels = channelList(state);
  const first = channels[0];

  // `/` opens the first channel.
  useEffect(() => {
    if (route.page === 'home' && state.loaded && first) navigate({ page: 'channel', channelId: first.id }, true);
  }, [route.page, state.loaded, first?.id]);

  // After a navigation, focus goes to the new page's heading, so that keyboard and screen reader users start
  // there instead of at the link they used.
  const key = routeHash(route);
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [key]);

  return (
    <div class="shell">
      <Header route={route} channels={channels} stream={state.stream} onLogout={onLogout} />
      {state.stream.state === 'reconnecting' && (
        <p class="banner" role="status">
          Lost the live connection to Lunora; reconnecting… The page shows the last state it knew.
        </p>
      )}
      {/* Keyed by the route: each page starts with fresh state. Without it, ChannelPage of one channel would be
          reused for the next one, an open "Delete channel" dialog included. */}
      <main key={key}>{page(route, state.loaded, session.loadError, first?.id ?? null)}</main>
    </div>
  );

  function page(r: Route, loaded: boolean, loadError: string | null, firstId: string | null) {
    if (!loaded) {
      return <p class="empty" role="status">{loadError ? `Loading… (${loadError})` : 'Loading…'}</p>;
    }
    if (r.page === 'new-channel') return <NewChannelPage />;
    if (r.page === 'home') {
      return firstId ? null : (
        <section class="empty">
          <h1 tabIndex={-1}>No channel yet</h1>
          <p><a href="#/channels/new">Create a channel</a> to get ingest URLs for your encoder.</p>
        </section>
      );
    }
    const channel = state.channels[r.channelId];
    if (!channel) {
      return (
        <section class="empty">
          <h1 tabIndex={-1}>No such channel</h1>
          <p>It may have been deleted. {firstId && <a href={`#/channels/${firstId}`}>Open the first channel</a>}</p>
        </section>
      );
    }
    switch (r.page) {
      case 'channel':
        return <ChannelPage channel={channel} />;
      case 'destinations':
        return <DestinationsPage channel={channel} />;
      case 'add-destination':
        return <DestinationFormPage channel={channel} destinationId={null} />;
      case 'edit-destination':
        return <DestinationFormPage channel={channel} destinationId={r.destinationId} />;
      case 'monitoring':
        return <MonitoringPage channel={channel} />;
    }
  }
}
