// The REST API over fetch(): the admin token on every request, JSON in and out, and every failure turned into
// an ApiError that carries the server's own code and message (`{"error":{"code","message","field"?}}`, and the
// ids of the destinations concerned: for `restart_required` the live ones a MediaLive restart would interrupt,
// for `rendition_in_use` those that use the rendition).
import type {
  Channel,
  ChannelCreate,
  ChannelCreated,
  ChannelPatch,
  Destination,
  DestinationCreate,
  DestinationPatch,
  Ingest,
  InputRole,
  Platform,
  Rendition,
  RenditionCreate,
  RenditionList,
  RenditionPatch,
} from './types';

// A destination change on a running direct-mode MediaLive channel restarts that channel: the server refuses it
// (409 restart_required) unless the call allows the restart.
export interface RestartOption {
  allowRestart?: boolean;
}

function restartQuery(options: RestartOption): string {
  return options.allowRestart ? '?allow_restart=true' : '';
}

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export class ApiError extends Error {
  constructor(
    readonly status: number, // 0: the server did not answer
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    readonly destinations: string[] = [], // ids: the live destinations a restart interrupts, those using a rendition
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get unauthorized(): boolean {
    return this.status === 401;
  }
}

// Reads an error body; anything that is not the API's error shape (a proxy's HTML page, an empty body) still
// gives a sentence a person can read.
async function errorFrom(response: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // the connection broke while reading the body: the status alone has to do
  }
  try {
    const body: unknown = JSON.parse(text);
    const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown; destinations?: unknown } }
      | null)?.error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      const listed: unknown[] = Array.isArray(error.destinations) ? error.destinations : [];
      const ids = listed.filter((d): d is string => typeof d === 'string');
      return new ApiError(response.status, error.code, error.message,
        typeof error.field === 'string' ? error.field : null, ids);
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, `http_${response.status}`,
    `The server answered ${response.status} ${response.statusText}`.trim());
}

function renditionPath(channelId: string, name?: string): string {
  const base = `/channels/${encodeURIComponent(channelId)}/renditions`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

export class ApiClient {
  constructor(
    readonly token: string,
    private readonly fetchFn: FetchFn = (input, init) => fetch(input, init),
    readonly base = '/api/v1',
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers = this.headers(body === undefined ? {} : { 'Content-Type': 'application/json' });
    const init: RequestInit = { method, headers, cache: 'no-store' };
    if (body !== undefined) init.body = JSON.stringify(body);
    let response: Response;
    try {
      response = await this.fetchFn(this.base + path, init);
    } catch {
      throw new ApiError(0, 'network', 'Lunora did not answer: is it running?');
    }
    if (!response.ok) throw await errorFrom(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  listChannels(): Promise<Channel[]> {
    return this.request<{ channels: Channel[] }>('GET', '/channels').then((r) => r.channels);
  }

  createChannel(body: ChannelCreate): Promise<ChannelCreated> {
    return this.request('POST', '/channels', body);
  }

  getChannel(id: string): Promise<Channel> {
    return this.request('GET', `/channels/${encodeURIComponent(id)}`);
  }

  patchChannel(id: string, body: ChannelPatch): Promise<Channel> {
    return this.request('PATCH', `/channels/${encodeURIComponent(id)}`, body);
  }

  // Puts the destinations on the other input at its next keyframe (`failover.switching_to` until then); 409
  // when the channel has no backup or that input delivers nothing.
  switchInput(id: string, to: InputRole): Promise<Channel> {
    return this.request('POST', `/channels/${encodeURIComponent(id)}/input/switch`, { to });
  }

  // With `force`, the server stops the channel's live destinations first instead of answering 409.
  deleteChannel(id: string, force = false): Promise<void> {
    return this.request('DELETE', `/channels/${encodeURIComponent(id)}${force ? '?force=true' : ''}`);
  }

  // The channel's renditions and a suggestion per platform to start a new one from.
  listRenditions(channelId: string): Promise<RenditionList> {
    return this.request('GET', renditionPath(channelId));
  }

  createRendition(channelId: string, body: RenditionCreate): Promise<Rendition> {
    return this.request('POST', renditionPath(channelId), body);
  }

  patchRendition(channelId: string, name: string, body: RenditionPatch): Promise<Rendition> {
    return this.request('PATCH', renditionPath(channelId, name), body);
  }

  // 409 rendition_in_use while destinations use it, unless `force`: they then get the input as it comes.
  deleteRendition(channelId: string, name: string, force = false): Promise<void> {
    return this.request('DELETE', `${renditionPath(channelId, name)}${force ? '?force=true' : ''}`);
  }

  getIngest(channelId: string): Promise<Ingest> {
    return this.request('GET', `/channels/${encodeURIComponent(channelId)}/ingest`);
  }

  listDestinations(channelId?: string): Promise<Destination[]> {
    const query = channelId ? `?channel_id=${encodeURIComponent(channelId)}` : '';
    return this.request<{ destinations: Destination[] }>('GET', `/destinations${query}`).then((r) => r.destinations);
  }

  createDestination(body: DestinationCreate): Promise<Destination> {
    return this.request('POST', '/destinations', body);
  }

  patchDestination(id: string, body: DestinationPatch, options: RestartOption = {}): Promise<Destination> {
    return this.request('PATCH', `/destinations/${encodeURIComponent(id)}${restartQuery(options)}`, body);
  }

  deleteDestination(id: string, options: RestartOption = {}): Promise<void> {
    return this.request('DELETE', `/destinations/${encodeURIComponent(id)}${restartQuery(options)}`);
  }

  startDestination(id: string, options: RestartOption = {}): Promise<Destination> {
    return this.request('POST', `/destinations/${encodeURIComponent(id)}/start${restartQuery(options)}`);
  }

  stopDestination(id: string, options: RestartOption = {}): Promise<Destination> {
    return this.request('POST', `/destinations/${encodeURIComponent(id)}/stop${restartQuery(options)}`);
  }

  listPlatforms(): Promise<Platform[]> {
    return this.request<{ platforms: Platform[] }>('GET', '/platforms').then((r) => r.platforms);
  }
}
