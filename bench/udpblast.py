#!/usr/bin/env python3
"""bench/udpblast.py HOST PORT KEYFILE N WINDOW [legacy]: sends N valid
requests to relay-ctrl-udp, pre-built (HMAC-SHA256, distinct timestamps
1 us apart starting now, addresses 10.0.0.0 + i mod 10000, the RECEIVER
item naming HOST PORT, USER=bench),
keeping up to WINDOW unanswered at a time, and counts the answers.
"legacy": bare-address datagrams instead (relay-ctrl 3.2's format).
bench/udpblast.py --dump FILE KEYFILE N HOST PORT [legacy]: writes the
same datagrams, for the receiver on HOST PORT, to FILE, each a 2-byte big-endian length then the bytes, for
the C sender bench/udpflood.
Prints: sent answered seconds rate rate-after-4096
(rate-after-4096: answers per second once 4096 were answered, i.e. with
the receiver's replay cache full). Gives up 1 s after the last answer."""
import hmac, hashlib, ipaddress, select, socket, sys, time

def main(argv):
    dump = argv[0] == "--dump"
    if dump:
        out, keyfile, n, host, port = argv[1], argv[2], int(argv[3]), argv[4], int(argv[5])
        legacy = len(argv) > 6 and argv[6] == "legacy"
    else:
        host, port, keyfile, n, window = argv[0], int(argv[1]), argv[2], int(argv[3]), int(argv[4])
        legacy = len(argv) > 5 and argv[5] == "legacy"
    key = open(keyfile, "rb").read()
    def item(t, d): return bytes([t, len(d)]) + d
    rcv = ipaddress.ip_address(host).packed + port.to_bytes(2, "big")
    t0 = time.time()
    pkts = []
    for i in range(n):
        a = ipaddress.IPv4Address(0x0a000000 + i % 10000)
        if legacy:
            pkts.append(str(a).encode())
            continue
        p = bytes([1]) + item(1, b"") + item(3, ("%.9f" % (t0 + i * 1e-6)).encode()) + item(4, a.packed) + item(8, rcv) + item(6, b"USER=bench")
        pkts.append(p + item(7, hmac.new(key, p, hashlib.sha256).digest()) + b"\0")
    if dump:
        with open(out, "wb") as f:
            for p in pkts: f.write(len(p).to_bytes(2, "big") + p)
        return
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, port))
    s.setblocking(False)
    sent = got = 0
    t_mark = None
    start = time.time()
    last = start
    while got < n:
        while sent < n and sent - got < window:
            s.send(pkts[sent]); sent += 1
        r, _, _ = select.select([s], [], [], 1.0)
        if not r:
            if sent == n or time.time() - last > 1.0: break
            got = sent  # lost ones: open the window again
            continue
        while True:
            try: b = s.recv(2048)
            except BlockingIOError: break
            if legacy or (len(b) > 2 and b[1] == 2):
                got += 1
                if got == 4096: t_mark = time.time()
        last = time.time()
    end = last
    rate2 = (got - 4096) / (end - t_mark) if t_mark and got > 4096 else 0
    print("%d %d %.3f %.0f %.0f" % (sent, got, end - start, got / (end - start), rate2))

main(sys.argv[1:])
