"""The abuse client of bench/serve_abuse.sh: while the valid load runs (until STOP_FILE exists, at most MAX_S
seconds and ROUNDS rounds), sends bad requests of each kind to 127.0.0.1 and checks each gets its status; polls
readiness between rounds. Prints one JSON line: counts per kind, mismatches, slow-loris cut-off times.
    python3 serve_abuse.py PORT MODEL KEY STOP_FILE"""
import http.client, json, os, socket, struct, sys, time, zlib

port, model, key, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
MAX_S, ROUNDS = 120, 60
classify = f"/v1/models/{model}/classify"


def png_bomb(width, height):
    """A PNG header claiming width x height RGB pixels in a few dozen bytes (one row of compressed data)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(1 + 3 * width))) + chunk(b"IEND", b""))


def request(body, headers, path=classify, method="POST"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except (ConnectionError, socket.timeout):
        return "closed"   # the server may close a connection whose body it refused before reading it all
    finally:
        connection.close()


def slow_loris():
    """Half a request's headers, then silence: seconds until the server cuts the connection off."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(f"POST {classify} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".encode())
    start = time.monotonic()
    try:
        while s.recv(4096):
            pass
    except (ConnectionError, socket.timeout):
        pass
    s.close()
    return time.monotonic() - start


auth = {"Authorization": f"Bearer {key}"}
kinds = {   # name: (body, headers, expected statuses)
    "malformed_body": (b"\x00not an image" * 10, {**auth, "Content-Type": "image/png"}, {400}),
    "malformed_json": (b'{"inputs": [', {**auth, "Content-Type": "application/json"}, {400}),
    "oversized_body": (bytes(17 << 20), {**auth, "Content-Type": "image/png"}, {413, "closed"}),
    "pixel_bomb": (png_bomb(20000, 20000), {**auth, "Content-Type": "image/png"}, {413}),
    "wrong_key": (b"x", {"Authorization": "Bearer not-a-key", "Content-Type": "image/png"}, {401}),
    "no_key": (b"x", {"Content-Type": "image/png"}, {401}),
}
counts = {k: 0 for k in [*kinds, "slow_loris", "ready_polls"]}
bad, loris = [], []
start = time.monotonic()
for _ in range(ROUNDS):
    if os.path.exists(stop) or time.monotonic() - start > MAX_S:
        break
    for name, (body, headers, expected) in kinds.items():
        path = f"/v2/models/{model}/infer" if name == "malformed_json" else classify
        status = request(body, headers, path)
        counts[name] += 1
        if status not in expected:
            bad.append(f"{name}: {status}")
    loris.append(slow_loris())
    counts["slow_loris"] += 1
    status = request(None, {}, "/v2/health/ready", "GET")
    counts["ready_polls"] += 1
    if status != 200:
        bad.append(f"ready: {status}")
print(json.dumps({"counts": counts, "unexpected": bad, "slow_loris_cut_after_s": [round(min(loris), 1), round(max(loris), 1)] if loris else []}))
