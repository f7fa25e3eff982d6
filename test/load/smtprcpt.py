#!/usr/bin/env python3
"""SMTP load for test/t/load.t: smtprcpt.py HOST PORT CONCURRENCY RCPT FROM...
One connection per FROM address (a source address to bind to; repeat an
address for several connections), at most CONCURRENCY at a time: banner,
EHLO, MAIL, RCPT TO:<RCPT>, QUIT. Prints one line per connection,
"FROM CODE" (the RCPT reply code) or "FROM error WHAT", in the order given."""
import socket, sys, threading

def session(host, port, src, rcpt):
    s = socket.create_connection((host, port), timeout=15, source_address=(src, 0))
    f = s.makefile("rb")
    def reply():
        while True:
            line = f.readline()
            if not line:
                raise EOFError("connection closed")
            if line[3:4] != b"-":
                return line[:3].decode()
    def cmd(c):
        s.sendall(c.encode() + b"\r\n")
        return reply()
    try:
        if reply() != "220": return "error banner"
        if cmd("EHLO client.example.org") != "250": return "error EHLO"
        if cmd("MAIL FROM:<alice@example.com>") != "250": return "error MAIL"
        code = cmd("RCPT TO:<%s>" % rcpt)
        cmd("QUIT")
        return code
    finally:
        f.close(); s.close()

def main(argv):
    host, port, conc, rcpt, froms = argv[0], int(argv[1]), int(argv[2]), argv[3], argv[4:]
    out = [None] * len(froms)
    lock = threading.Lock()
    nxt = [0]
    def worker():
        while True:
            with lock:
                i = nxt[0]; nxt[0] += 1
            if i >= len(froms): return
            try: out[i] = session(host, port, froms[i], rcpt)
            except Exception as e: out[i] = "error %s" % type(e).__name__
    ts = [threading.Thread(target=worker) for _ in range(conc)]
    for t in ts: t.start()
    for t in ts: t.join()
    for a, r in zip(froms, out): print(a, r)

main(sys.argv[1:])
