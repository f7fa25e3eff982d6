#!/usr/bin/env python3
"""A stream of authenticated logins for test/t/udp-faults.t:
  stream.py HOST PORT KEYFILE PREFIX COUNT ACKED STOPFILE [WAIT]
sends COUNT requests for PREFIX.0.2, PREFIX.0.3, ... (PREFIX: two octets) (USER=stream), one at a
time, each with a fresh timestamp, waiting up to WAIT seconds (0.2) for the answer; it
appends to ACKED each address whose signed response came back (flushed
before the next send), and stops early once STOPFILE exists. No retries:
that is relay-ctrl-send's job. Prints "sent N acked M"."""
import os, socket, sys, time
import hmac, hashlib, ipaddress

def main(argv):
    host, port, keyfile, prefix, count, acked, stop = argv[0], int(argv[1]), argv[2], argv[3], int(argv[4]), argv[5], argv[6]
    wait = float(argv[7]) if len(argv) > 7 else 0.2
    key = open(keyfile, "rb").read()
    def item(t, d): return bytes([t, len(d)]) + d
    def build(addr, response=False):
        p = bytes([1]) + item(2 if response else 1, b"") + item(3, ("%.9f" % time.time()).encode())
        p += item(4, ipaddress.ip_address(addr).packed)
        p += item(8, ipaddress.ip_address(host).packed + port.to_bytes(2, "big")) + item(6, b"USER=stream")
        return p + item(7, hmac.new(key, p, hashlib.sha256).digest()) + b"\0"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = got = 0
    with open(acked, "a") as out:
        for i in range(1, count + 1):
            if os.path.exists(stop): break
            addr = "%s.%d.%d" % (prefix, i // 250, i % 250 + 1)
            packed = ipaddress.ip_address(addr).packed
            try:
                s.sendto(build(addr), (host, port)); sent += 1
            except OSError:
                continue
            end = time.time() + wait
            while time.time() < end:
                s.settimeout(max(0.001, end - time.time()))
                try:
                    b = s.recv(2048)
                except OSError:
                    break
                body, mac = b[:-35], b[-33:-1]
                if len(b) > 40 and b[1] == 2 and b[-35:-33] == bytes([7, 32]) and packed in body \
                   and hmac.compare_digest(mac, hmac.new(key, body, hashlib.sha256).digest()):
                    out.write(addr + "\n"); out.flush(); got += 1
                    break
    print("sent %d acked %d" % (sent, got))

main(sys.argv[1:])
