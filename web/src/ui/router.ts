// The GUI's views live in the URL's fragment (/#/channels/...): the server serves `/` as the only document.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'home' }
  | { page: 'new-channel' }
  | { page: 'channel'; channelId: string }
  | { page: 'destinations'; channelId: string }
  | { page: 'add-destination'; channelId: string }
  | { page: 'edit-destination'; channelId: string; destinationId: string }
  | { page: 'monitoring'; channelId: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'channels' || parts.length < 2) return { page: 'home' };
  const channelId = parts[1] as string;
  if (channelId === 'new' && parts.length === 2) return { page: 'new-channel' };
  const rest = parts.slice(2).join('/');
  if (rest === '') return { page: 'channel', channelId };
  if (rest === 'destinations') return { page: 'destinations', channelId };
  if (rest === 'destinations/new') return { page: 'add-destination', channelId };
  if (parts[2] === 'destinations' && parts[4] === 'edit' && parts.length === 5) {
    return { page: 'edit-destination', channelId, destinationId: parts[3] as string };
  }
  if (rest === 'monitoring') return { page: 'monitoring', channelId };
  return { page: 'channel', channelId };
}

export function routeHash(route: Route): string {
  const c = 'channelId' in route ? `#/channels/${encodeURIComponent(route.channelId)}` : '';
  switch (route.page) {
    case 'home':
      return '#/';
    case 'new-channel':
      return '#/channels/new';
    case 'channel':
      return c;
    case 'destinations':
      return `${c}/destinations`;
    case 'add-destination':
      return `${c}/destinations/new`;
    case 'edit-destination':
      return `${c}/destinations/${encodeURIComponent(route.destinationId)}/edit`;
    case 'monitoring':
      return `${c}/monitoring`;
  }
}

export function navigate(route: Route, replace = false): void {
  const hash = routeHash(route);
  if (replace) {
    history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
