// Server-Sent Events read with fetch(): paygate's streams want the
// X-Api-Key / X-Api-Secret headers, which EventSource cannot send. A parser
// of text/event-stream, and follow(), which keeps one stream open until its
// signal aborts: it reconnects after a drop, with Last-Event-ID when the
// stream numbers its messages, so that nothing is missed and nothing repeats.
import { credentials, ApiError } from '/static/dashboard/api.js';

// The text/event-stream format as the HTML standard parses it: fed text in
// any chunks; lines end with \r\n, \n or \r; "field: value" loses one space
// after the colon; data lines join with \n; a message without data is not
// dispatched; the last id seen stays the stream's last event id.
export class SseParser {
  constructor({ onMessage = () => {}, onComment = () => {}, onRetry = () => {} } = {}) {
    this.onMessage = onMessage;
    this.onComment = onComment;
    this.onRetry = onRetry;
    this.lastEventId = '';
    this.buffer = '';
    this.data = [];
    this.event = '';
  }

  feed(text) {
    this.buffer += text;
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf('\r', start);
      const lf = this.buffer.indexOf('\n', start);
      if (cr < 0 && lf < 0) break;
      let end;
      let next;
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        // A \r at the end of what has come may be the first half of \r\n.
        if (cr === this.buffer.length - 1) break;
        end = cr;
        next = this.buffer[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else {
        end = lf;
        next = lf + 1;
      }
      this.line(this.buffer.slice(start, end));
      start = next;
    }
    this.buffer = this.buffer.slice(start);
  }

  line(line) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) {
      this.onComment(line.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.onRetry(Number(value));
  }

  dispatch() {
    const { data, event } = this;
    this.data = [];
    this.event = '';
    if (data.length === 0) return;
    this.onMessage({ id: this.lastEventId, event: event || 'message', data: data.join('\n') });
  }
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

// Answers that another try would get again: stop instead of reconnecting.
const FINAL = new Set([400, 401, 403, 404]);

// Follows the stream at `path` (under /api/v1) until `signal` aborts.
//   resumable: send Last-Event-ID (the last id received) when reconnecting
//   onOpen({ resumed }): the stream is live; resumed when it went on from an id
//   onMessage({ id, event, data }), onState(state, error): 'connecting',
//   'live', 'reconnecting' (error says why), 'stopped' (error: a final answer)
//   idleMs: a stream silent this long (no heartbeat either) is taken as dead
//   fetchImpl: stands in for fetch (tests cut connections with it)
export function follow(path, {
  signal, resumable = false, lastEventId = '', onOpen = () => {}, onMessage = () => {},
  onState = () => {}, idleMs = 45000, fetchImpl = (...a) => fetch(...a),
} = {}) {
  let lastId = lastEventId;
  let retryMs = 1000;
  let delay = retryMs;
  const run = async () => {
    while (!signal.aborted) {
      const attempt = new AbortController();
      const stop = () => attempt.abort();
      signal.addEventListener('abort', stop, { once: true });
      let idle;
      const touch = () => {
        clearTimeout(idle);
        idle = setTimeout(() => attempt.abort(new Error('the stream went silent')), idleMs);
      };
      let failure = new Error('the stream ended');
      try {
        const creds = credentials();
        const headers = { Accept: 'text/event-stream' };
        if (creds) {
          headers['X-Api-Key'] = creds.key;
          headers['X-Api-Secret'] = creds.secret;
        }
        const resumed = resumable && lastId !== '';
        if (resumed) headers['Last-Event-ID'] = lastId;
        onState('connecting');
        touch();
        const res = await fetchImpl(`/api/v1${path}`, {
          headers, signal: attempt.signal, credentials: 'omit', cache: 'no-store',
        });
        if (!res.ok) {
          const body = await res.json().catch(() => null);
          throw new ApiError(res.status, body);
        }
        const parser = new SseParser({
          onMessage: (m) => {
            if (m.id !== '') lastId = m.id;
            onMessage(m);
          },
          onRetry: (ms) => { retryMs = Math.max(ms, 250); },
        });
        delay = retryMs;
        onState('live');
        onOpen({ resumed });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          touch();
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch (e) {
        if (signal.aborted) break;
        if (FINAL.has(e.status)) {
          onState('stopped', e);
          return;
        }
        failure = attempt.signal.aborted && attempt.signal.reason instanceof Error ? attempt.signal.reason : e;
      } finally {
        clearTimeout(idle);
        signal.removeEventListener('abort', stop);
        attempt.abort();
      }
      if (signal.aborted) break;
      onState('reconnecting', failure);
      await sleep(delay, signal);
      // A refused or dropped stream backs off, up to 30 s between tries.
      delay = Math.min(delay * 2, 30000);
    }
  };
  return run().catch((e) => onState('stopped', e));
}
