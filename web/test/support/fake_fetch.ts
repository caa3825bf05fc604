// A scripted fetch(): JSON answers by "METHOD path", and event streams the test writes into chunk by chunk.
import type { FetchFn } from '../../src/api/api_client';

export interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

// An open text/event-stream response body the test feeds.
export class StreamBody {
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly stream = new ReadableStream<Uint8Array>({ start: (c) => { this.controller = c; } });
  private encoder = new TextEncoder();
  closed = false;

  write(text: string): void {
    this.controller.enqueue(this.encoder.encode(text));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.controller.close();
  }

  fail(): void {
    if (this.closed) return;
    this.closed = true;
    this.controller.error(new TypeError('network error'));
  }
}

// A function may answer later (a promise): a request the test holds open.
type Answer = Response | (() => Response | Promise<Response>) | Error;

export class FakeFetch {
  calls: Call[] = [];
  private answers = new Map<string, Answer[]>();
  streams: StreamBody[] = [];
  streamStatus: number[] = []; // statuses for the next event-stream requests; 200 when empty
  streamErrorBodies = new Map<number, unknown>(); // JSON bodies of the event stream's non-200 answers; {} unless set

  // Queues an answer for "GET /api/v1/channels"; the last queued one repeats.
  on(key: string, answer: Answer): this {
    const list = this.answers.get(key) ?? [];
    list.push(answer);
    this.answers.set(key, list);
    return this;
  }

  json(key: string, status: number, body: unknown): this {
    return this.on(key, () => new Response(body === undefined ? null : JSON.stringify(body),
      { status, headers: { 'Content-Type': 'application/json' } }));
  }

  readonly fetch: FetchFn = async (input, init) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => { headers[name] = value; });
    const method = init?.method ?? 'GET';
    const call = { url: input, method, headers, body: typeof init?.body === 'string' ? init.body : null };
    this.calls.push(call);
    const path = input.split('?')[0];
    if (path === '/api/v1/events') return this.openStream(init?.signal ?? null);
    const list = this.answers.get(`${method} ${path}`);
    if (!list || list.length === 0) throw new Error(`FakeFetch: nothing scripted for ${method} ${path}`);
    const answer = list.length > 1 ? list.shift()! : list[0]!;
    if (answer instanceof Error) throw answer;
    return typeof answer === 'function' ? answer() : answer;
  };

  private openStream(signal: AbortSignal | null): Response {
    const status = this.streamStatus.shift() ?? 200;
    if (status !== 200) {
      const body = this.streamErrorBodies.get(status);
      return new Response(body === undefined ? '{}' : JSON.stringify(body),
        { status, headers: { 'Content-Type': 'application/json' } });
    }
    const body = new StreamBody();
    signal?.addEventListener('abort', () => body.fail());
    this.streams.push(body);
    return new Response(body.stream, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
  }

  streamCalls(): Call[] {
    return this.calls.filter((c) => c.url.startsWith('/api/v1/events'));
  }
}
