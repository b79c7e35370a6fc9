#!/usr/bin/env python3
"""write.py PORT PATH...: one session on ONE server; create each path, print its czxid."""
import sys
from kazoo.client import KazooClient
port = sys.argv[1]
zk = KazooClient(hosts="127.0.0.1:%s" % port, timeout=10.0)
try:
    zk.start(timeout=10)
except Exception as e:
    print("port %s: cannot connect: %r" % (port, e)); sys.exit(1)
for p in sys.argv[2:]:
    try:
        zk.create(p, b"x")
        st = zk.exists(p)
        print("port %s create %s OK czxid=0x%x" % (port, p, st.czxid))
    except Exception as e:
        print("port %s create %s FAILED %r" % (port, p, e))
zk.stop(); zk.close()
