#!/usr/bin/env python3
"""write.py PORT PATH...: one new session on ONE server; print its session id, create each path, print its czxid."""
import sys
from kazoo.client import KazooClient
port = sys.argv[1]
zk = KazooClient(hosts="127.0.0.1:%s" % port, timeout=10.0)
try:
    zk.start(timeout=20)
except Exception as e:
    print("port %s: cannot connect: %r" % (port, e)); sys.exit(1)
print("port %s session 0x%x" % (port, zk.client_id[0]))
for p in sys.argv[2:]:
    try:
        zk.create(p, b"x")
        st = zk.exists(p)
        print("port %s create %s OK czxid=0x%x" % (port, p, st.czxid))
    except Exception as e:
        print("port %s create %s FAILED %r" % (port, p, e))
zk.stop(); zk.close()
