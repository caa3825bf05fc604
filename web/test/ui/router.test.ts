import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash, type Route } from '../../src/ui/router';

describe('routes', () => {
  const routes: Route[] = [
    { page: 'home' },
    { page: 'new-channel' },
    { page: 'channel', channelId: 'ch_1' },
    { page: 'destinations', channelId: 'ch_1' },
    { page: 'add-destination', channelId: 'ch_1' },
    { page: 'edit-destination', channelId: 'ch_1', destinationId: 'd_2' },
    { page: 'monitoring', channelId: 'ch 3' },
  ];

  it('round-trips every route through the URL fragment', () => {
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
  });

  it('falls back to home or to the channel for unknown paths', () => {
    expect(parseRoute('')).toEqual({ page: 'home' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'home' });
    expect(parseRoute('#/channels/ch_1/whatever')).toEqual({ page: 'channel', channelId: 'ch_1' });
  });
});
