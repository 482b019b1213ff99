#!/usr/bin/env python3
"""Holds N idle event streams (GET /api/v1/events/stream) open, for bench/streams.sh.

One asyncio process, a coroutine per stream that only reads. It takes one
command a line on stdin and answers one line on stdout, so that the script can
run wrk between commands while the streams stay open:

    open            open N streams; each must answer 200 text/event-stream and
                    ": connected" -> "opened N SECONDS" or "error WHY"
    check           -> "open K of N, heartbeats H, closed C"
    mark            start the clock that "await" measures from -> "marked"
    await TYPE SEC  wait until every open stream has had an "event: TYPE" since
                    the mark, or SEC seconds -> "event TYPE received R of N
                    first_ms F last_ms L" (R = 0: none arrived in time)
    close           reset every stream (RST, so that no TIME_WAIT is left on
                    this side) -> "closed N"
    quit            -> "bye"

Python 3 standard library only (Debian's python3).
"""
import argparse
import asyncio
import resource
import socket
import struct
import sys
import time


class Stream:
    __slots__ = ("reader", "writer", "task", "alive")

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.task = None
        self.alive = True


class Holder:
    def __init__(self, host, port, count, concurrency, key, secret):
        self.host = host
        self.port = port
        self.count = count
        self.concurrency = concurrency
        self.request = (
            "GET /api/v1/events/stream HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\n"
            f"X-Api-Key: {key}\r\n"
            f"X-Api-Secret: {secret}\r\n"
            "Accept: text/event-stream\r\n\r\n"
        ).encode()
        self.streams = []
        self.heartbeats = 0
        self.closed = 0  # streams that ended on the server's side while held
        self.mark = time.monotonic()
        self.events = {}  # type -> [count, first, last], since the mark

    async def open_one(self, gate):
        """A stream past its ": connected" line, or the reason it is not."""
        async with gate:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), 30)
            except (OSError, asyncio.TimeoutError) as e:
                return None, f"connect: {e!r}"
            try:
                writer.write(self.request)
                status = await asyncio.wait_for(reader.readline(), 30)
                parts = status.split()
                code = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
                content_type = b""
                while True:
                    line = await asyncio.wait_for(reader.readline(), 30)
                    if line in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-type":
                        content_type = value.strip()
                if code != 200:
                    body = await asyncio.wait_for(reader.read(300), 5)
                    writer.close()
                    return None, f"status {code}: {body.decode(errors='replace')}"
                if not content_type.startswith(b"text/event-stream"):
                    writer.close()
                    return None, f"content type {content_type!r}"
                first = await asyncio.wait_for(reader.readline(), 30)
                if first.rstrip(b"\r\n") != b": connected":
                    writer.close()
                    return None, f"first line {first!r}, not ': connected'"
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
                writer.close()
                return None, f"request: {e!r}"
            return Stream(reader, writer), None

    async def follow(self, s):
        """Reads the stream until it ends, counting heartbeats and events."""
        try:
            while True:
                line = await s.reader.readline()
                if not line:
                    break
                if line.startswith(b": heartbeat"):
                    self.heartbeats += 1
                elif line.startswith(b"event: "):
                    kind = line[7:].strip().decode()
                    now = time.monotonic()
                    seen = self.events.setdefault(kind, [0, now, now])
                    seen[0] += 1
                    seen[2] = now
        except (OSError, ValueError):
            pass
        except asyncio.CancelledError:
            return
        if s.alive:
            s.alive = False
            self.closed += 1

    async def open_all(self):
        gate = asyncio.Semaphore(self.concurrency)
        started = time.monotonic()
        results = await asyncio.gather(*(self.open_one(gate) for _ in range(self.count)))
        took = time.monotonic() - started
        errors = {}
        for stream, why in results:
            if stream is None:
                errors[why] = errors.get(why, 0) + 1
                continue
            stream.task = asyncio.create_task(self.follow(stream))
            self.streams.append(stream)
        if errors:
            worst = sorted(errors.items(), key=lambda kv: -kv[1])[:3]
            summary = "; ".join(f"{n} x {why}" for why, n in worst)
            return f"error opened {len(self.streams)} of {self.count}: {summary}"
        return f"opened {len(self.streams)} {took:.2f}"

    def check(self):
        alive = sum(1 for s in self.streams if s.alive)
        return f"open {alive} of {len(self.streams)}, heartbeats {self.heartbeats}, closed {self.closed}"

    async def wait_event(self, kind, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            seen = self.events.get(kind)
            if seen and seen[0] >= sum(1 for s in self.streams if s.alive):
                break
            await asyncio.sleep(0.01)
        seen = self.events.get(kind)
        if not seen:
            return f"event {kind} received 0 of {len(self.streams)} first_ms - last_ms -"
        return (f"event {kind} received {seen[0]} of {len(self.streams)} "
                f"first_ms {1000 * (seen[1] - self.mark):.0f} last_ms {1000 * (seen[2] - self.mark):.0f}")

    async def close_all(self):
        n = len(self.streams)
        linger = struct.pack("ii", 1, 0)
        for s in self.streams:
            s.alive = False
            sock = s.writer.get_extra_info("socket")
            if sock is not None:
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                except OSError:
                    pass
            s.writer.transport.abort()
            s.task.cancel()
        await asyncio.gather(*(s.task for s in self.streams), return_exceptions=True)
        self.streams = []
        self.heartbeats = 0
        self.closed = 0
        return f"closed {n}"


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--concurrency", type=int, default=200, help="streams being opened at once")
    ap.add_argument("--key", default="key_test_abc123")
    ap.add_argument("--secret", default="secret_test_xyz789")
    args = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.count + 64
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            print(f"error ulimit -n is {hard}, {need} needed", flush=True)
            return
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))

    holder = Holder(args.host, args.port, args.count, args.concurrency, args.key, args.secret)
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    while True:
        line = await stdin.readline()
        if not line:
            break
        words = line.decode().split()
        if not words:
            continue
        command = words[0]
        if command == "open":
            answer = await holder.open_all()
        elif command == "check":
            answer = holder.check()
        elif command == "mark":
            holder.mark = time.monotonic()
            holder.events = {}
            answer = "marked"
        elif command == "await" and len(words) == 3:
            answer = await holder.wait_event(words[1], float(words[2]))
        elif command == "close":
            answer = await holder.close_all()
        elif command == "quit":
            print("bye", flush=True)
            break
        else:
            answer = f"error unknown command {line.decode().strip()!r}"
        print(answer, flush=True)
    await holder.close_all()


if __name__ == "__main__":
    asyncio.run(main())
