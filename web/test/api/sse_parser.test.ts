import { describe, expect, it } from 'vitest';
import { SseParser, type SseMessage } from '../../src/api/sse_parser';

// What the server sends: a retry line, a keep-alive, two stored events and a stats event without id.
const STREAM = 'retry: 2000\n\n: keep-alive\n\nid: 41\nevent: destination\ndata: {"id":"d_1","status":"starting"}\n\n'
  + 'id: 42\nevent: destination_deleted\ndata: {"id":"d_2","channel_id":"ch_1"}\n\n'
  + 'event: stats\ndata: {"at":"2026-11-26T00:00:00.000Z"}\n\n';

const EXPECTED: SseMessage[] = [
  { event: 'destination', data: '{"id":"d_1","status":"starting"}', id: '41' },
  { event: 'destination_deleted', data: '{"id":"d_2","channel_id":"ch_1"}', id: '42' },
  { event: 'stats', data: '{"at":"2026-11-26T00:00:00.000Z"}', id: '42' }, // ids persist until changed
];

function feedAll(parser: SseParser, chunks: string[]): SseMessage[] {
  return chunks.flatMap((chunk) => parser.feed(chunk));
}

describe('SseParser', () => {
  it('parses the server stream in one chunk', () => {
    const parser = new SseParser();
    expect(parser.feed(STREAM)).toEqual(EXPECTED);
    expect(parser.retryMs).toBe(2000);
    expect(parser.lastEventId).toBe('42');
  });

  it('gives the same messages for every split of the stream into two chunks', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const messages = feedAll(new SseParser(), [STREAM.slice(0, cut), STREAM.slice(cut)]);
      expect(messages, `cut at ${cut}`).toEqual(EXPECTED);
    }
  });

  it('gives the same messages fed one character at a time', () => {
    expect(feedAll(new SseParser(), [...STREAM])).toEqual(EXPECTED);
  });

  it('accepts CRLF and CR line endings, also when a chunk ends between CR and LF', () => {
    for (const eol of ['\r\n', '\r']) {
      const text = STREAM.replaceAll('\n', eol);
      expect(feedAll(new SseParser(), [...text]), JSON.stringify(eol)).toEqual(EXPECTED);
      for (let cut = 0; cut <= text.length; cut++) {
        expect(feedAll(new SseParser(), [text.slice(0, cut), text.slice(cut)])).toEqual(EXPECTED);
      }
    }
  });

  it('joins several data lines with newlines and keeps an empty data line', () => {
    const parser = new SseParser();
    expect(parser.feed('data: a\ndata:b\ndata\n\ndata:\n\n')).toEqual([
      { event: 'message', data: 'a\nb\n', id: null },
      { event: 'message', data: '', id: null },
    ]);
  });

  it('dispatches nothing for a block without data, but keeps its id', () => {
    const parser = new SseParser();
    expect(parser.feed('id: 7\nevent: channel\n\n')).toEqual([]);
    expect(parser.lastEventId).toBe('7');
    expect(parser.feed('data: {}\n\n')).toEqual([{ event: 'message', data: '{}', id: '7' }]);
  });

  it('waits for the blank line before dispatching', () => {
    const parser = new SseParser();
    expect(parser.feed('event: channel\ndata: {"a":1}\n')).toEqual([]);
    expect(parser.feed('\n')).toEqual([{ event: 'channel', data: '{"a":1}', id: null }]);
  });

  it('ignores comments, unknown fields, a bad retry and an id with NUL', () => {
    const parser = new SseParser();
    parser.feed('retry: 1500\n\n');
    expect(parser.feed(': hello\nfoo: bar\nretry: soon\nid: 1\0\ndata: x\n\n')).toEqual([
      { event: 'message', data: 'x', id: null },
    ]);
    expect(parser.retryMs).toBe(1500);
  });

  it('keeps only one leading space of a value', () => {
    expect(new SseParser().feed('data:  two\n\n')).toEqual([{ event: 'message', data: ' two', id: null }]);
  });
});
