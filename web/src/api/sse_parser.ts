// The Server-Sent Events wire format (WHATWG HTML, "Interpreting an event stream"), fed with text in chunks of
// any size: a chunk may end in the middle of a line, or between the CR and the LF of one line ending.

export interface SseMessage {
  event: string; // "message" when the block names none
  data: string;
  id: string | null; // the last id seen so far on this stream (ids persist across blocks, as the spec says)
}

export class SseParser {
  private buffer = '';
  private pendingCr = false; // the previous chunk ended in CR: a LF opening this one belongs to it
  private data: string[] = [];
  private eventType = '';
  private sawData = false;
  private idBuffer: string | null = null;
  // The id of the last completed block: what to resume from (an id line of a block cut by a broken connection
  // does not count, as the spec says).
  lastEventId: string | null = null;
  retryMs: number | null = null; // the last valid `retry:` field

  // Returns the messages completed by this chunk.
  feed(chunk: string): SseMessage[] {
    let text = chunk;
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const messages: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      this.line(this.buffer.slice(start, i), messages);
      if (c === '\r') {
        if (i + 1 === this.buffer.length) this.pendingCr = true;
        else if (this.buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return messages;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === '') return this.dispatch(out);
    if (line.startsWith(':')) return; // a comment: the server's keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.sawData = true;
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  // Seeds the id to resume from, e.g. for a new connection of the same stream.
  resumeFrom(id: string | null): void {
    this.lastEventId = id;
    this.idBuffer = id;
  }

  private dispatch(out: SseMessage[]): void {
    this.lastEventId = this.idBuffer;
    if (this.sawData) {
      out.push({ event: this.eventType || 'message', data: this.data.join('\n'), id: this.lastEventId });
    }
    this.data = [];
    this.sawData = false;
    this.eventType = '';
  }
}
