"""A minimal RFC 6455 WebSocket client and echo server on asyncio streams, for the benches:
text frames, masking, ping/pong and close. No extensions, no fragmentation on send."""

import asyncio
import base64
import hashlib
import os
import struct

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()  # noqa: S324


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readexactly(2)
    opcode = head[0] & 0x0F
    masked = head[1] & 0x80
    length = head[1] & 0x7F
    if length == 126:
        length = struct.unpack("!H", await reader.readexactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", await reader.readexactly(8))[0]
    mask = await reader.readexactly(4) if masked else None
    payload = await reader.readexactly(length)
    if mask:
        payload = _masked(payload, mask)
    return opcode, payload


def _masked(payload: bytes, key: bytes) -> bytes:
    """`payload` XOR the repeated 4-byte `key`, as one big-integer XOR (not a loop per byte)."""
    n = len(payload)
    if not n:
        return payload
    keys = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(keys, "big")).to_bytes(n, "big")


def _frame(opcode: int, payload: bytes, *, mask: bool) -> bytes:
    head = bytearray([0x80 | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head.append(bit | n)
    elif n < 65536:
        head.append(bit | 126)
        head += struct.pack("!H", n)
    else:
        head.append(bit | 127)
        head += struct.pack("!Q", n)
    if not mask:
        return bytes(head) + payload
    key = os.urandom(4)
    return bytes(head) + key + _masked(payload, key)


class Client:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, host: str, port: int, path: str, headers: dict | None = None):
        reader, writer = await asyncio.open_connection(host, port)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            f"Origin: http://{host}:{port}",
        ] + [f"{k}: {v}" for k, v in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        response = await reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in response.split(b"\r\n", 1)[0]:
            writer.close()
            raise ConnectionError(response.split(b"\r\n", 1)[0].decode(errors="replace"))
        return cls(reader, writer)

    async def send(self, text: str) -> None:
        self.writer.write(_frame(0x1, text.encode(), mask=True))
        await self.writer.drain()

    async def recv(self) -> str:
        while True:
            opcode, payload = await _read_frame(self.reader)
            if opcode == 0x1:
                return payload.decode()
            if opcode == 0x9:
                self.writer.write(_frame(0xA, payload, mask=True))
            elif opcode == 0x8:
                raise ConnectionError("closed by the server")

    async def close(self) -> None:
        try:
            self.writer.write(_frame(0x8, b"\x03\xe8", mask=True))
            await self.writer.drain()
        except ConnectionError:
            pass
        self.writer.close()


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        request = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()  # a port probe
        return
    key = ""
    for line in request.decode().split("\r\n"):
        if line.lower().startswith("sec-websocket-key:"):
            key = line.split(":", 1)[1].strip()
    writer.write(
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {_accept_key(key)}\r\n\r\n"
        ).encode()
    )
    try:
        while True:
            opcode, payload = await _read_frame(reader)
            if opcode == 0x8:
                break
            if opcode == 0x1:
                writer.write(_frame(0x1, payload, mask=False))
                await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()


def run_echo_server(port: int) -> None:
    async def main():
        server = await asyncio.start_server(_echo, "127.0.0.1", port, backlog=4096)
        async with server:
            await server.serve_forever()

    asyncio.run(main())
