#!/usr/bin/env python3
"""An independent implementation of doc/packet-format.md for the tests:
builds, sends and parses relay-ctrl packets.

  packet.py hex KEYFILE TS ADDR [--to HOST:PORT] [NAME=VALUE...]  print a request in hex
  packet.py body KEYFILE TS ADDR [--to HOST:PORT] [NAME=VALUE...] the same without MAC and end
  packet.py send HOST PORT KEYFILE TS ADDR [NAME=VALUE...] [--raw HEX] [--wait S] [--to HOST:PORT|-]
      send it (or the raw bytes given) and print the answer in hex, or "none"
--to names the receiver in the request (RECEIVER item); send names HOST
PORT unless told otherwise ("-": no RECEIVER item). HOST:PORT may be
[v6]:PORT.
  packet.py answer KEYFILE HEX                          parse and check an answer
  packet.py legacy-receiver HOST PORT OUTFILE           a relay-ctrl 3.2 receiver:
      answers each datagram with one byte, appends it to OUTFILE in hex
TS may be "now", "now+N" or "now-N" (seconds).
"""
import hmac, hashlib, ipaddress, os, socket, sys, time

def item(t, data):
    assert len(data) <= 255
    return bytes([t, len(data)]) + data

def timestamp(ts):
    if ts.startswith("now"):
        t = time.time() + (float(ts[3:]) if len(ts) > 3 else 0)
        return ("%.9f" % t).encode()
    return ts.encode()

def receiver(to):
    host, port = to.rsplit(":", 1)
    a = ipaddress.ip_address(host.strip("[]"))
    if a.version == 6 and a.ipv4_mapped: a = a.ipv4_mapped
    return a.packed + int(port).to_bytes(2, "big")

def build(key, ts, addr, env, response=False, mac_key=None, to=None):
    a = ipaddress.ip_address(addr)
    p = bytes([1]) + item(2 if response else 1, b"") + item(3, timestamp(ts))
    p += item(4 if a.version == 4 else 5, a.packed)
    if to: p += item(8, receiver(to))
    for e in env:
        p += item(6, e.encode())
    mac = hmac.new(mac_key if mac_key is not None else key, p, hashlib.sha256).digest()
    return p + item(7, mac) + b"\0"

def main(argv):
    if argv[0] in ("hex", "body"):
        key = open(argv[1], "rb").read()
        env, to = argv[4:], None
        if env[:1] == ["--to"]: to, env = env[1], env[2:]
        p = build(key, argv[2], argv[3], env, to=to)
        print((p if argv[0] == "hex" else p[:-35]).hex())
    elif argv[0] == "send":
        host, port = argv[1], int(argv[2])
        wait = 1.0
        raw = None
        to = ("[%s]" % host if ":" in host else host) + ":%d" % port
        rest = []
        i = 3
        while i < len(argv):
            if argv[i] == "--raw": raw = bytes.fromhex(argv[i + 1]); i += 2
            elif argv[i] == "--wait": wait = float(argv[i + 1]); i += 2
            elif argv[i] == "--to": to = None if argv[i + 1] == "-" else argv[i + 1]; i += 2
            else: rest.append(argv[i]); i += 1
        if raw is None:
            key = open(rest[0], "rb").read()
            raw = build(key, rest[1], rest[2], rest[3:], to=to)
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_DGRAM)
        if "RC_FROM" in os.environ:
            s.bind((os.environ["RC_FROM"], 0))
        s.settimeout(wait)
        s.sendto(raw, (host, port))
        try:
            print(s.recv(2048).hex())
        except socket.timeout:
            print("none")
    elif argv[0] == "answer":
        key = open(argv[1], "rb").read()
        b = bytes.fromhex(argv[2])
        body, mac = b[:-35], b[-33:-1]
        good = b[-35:-33] == bytes([7, 32]) and b[-1] == 0 and hmac.compare_digest(mac, hmac.new(key, body, hashlib.sha256).digest())
        kind = {1: "request", 2: "response"}.get(b[1], "?")
        print("%s %s" % (kind, "mac-ok" if good else "mac-bad"))
    elif argv[0] == "legacy-receiver":
        host, port, out = argv[1], int(argv[2]), argv[3]
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((host, port))
        open(out, "a").close()
        while True:
            data, src = s.recvfrom(2048)
            with open(out, "a") as f:
                f.write(data.hex() + "\n")
            s.sendto(b"\1", src)

main(sys.argv[1:])
