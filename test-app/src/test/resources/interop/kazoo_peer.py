"""A Python service taking a kazoo lock, as the Deep Lake documentation shows.

usage: kazoo_peer.py HOSTS LOCK_PATH|dataset:PATH write|read|steal-write TIMEOUT_S RELEASE_FILE [REPEAT]

With dataset:PATH the lock path is computed by dataset_lock_path(), the function README.md gives
Python users, so the tests also check that the README's mapping matches the agent's.

Prints STARTED, then per acquisition ACQUIRED <ms> / RELEASED <ms> (or TIMEOUT <ms>) on stdout.
Acquisition i (from 0) holds the lock until the file RELEASE_FILE.i exists. One lock object is
reused for every acquisition, exactly like `lock = zk.WriteLock("/deeplake")` in a long-running
service.

steal-write first deletes every child of the lock path, as an operator or a clean-up script might,
and prints DELETED <count> <ms>; then it takes the WriteLock like write.
"""
import os
import re
import sys
import time
import urllib.parse

from kazoo.client import KazooClient
from kazoo.exceptions import LockTimeout


def dataset_lock_path(dataset, root="/deeplake"):
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]+):(.*)", dataset, re.S)
    if m and m.group(1).lower() == "file":
        canonical = os.path.abspath(urllib.parse.unquote(urllib.parse.urlparse(dataset).path))
    elif m:
        canonical = m.group(1).lower() + ":" + m.group(2).rstrip("/")
    else:
        canonical = os.path.abspath(dataset)
    return root + "/" + urllib.parse.quote(canonical, safe="")


def now_ms():
    return int(time.time() * 1000)


def main():
    hosts, path, mode, timeout, release = sys.argv[1:6]
    repeat = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    if path.startswith("dataset:"):
        path = dataset_lock_path(path[len("dataset:"):])
    zk = KazooClient(hosts=hosts)
    zk.start(timeout=30)
    writer = mode in ("write", "steal-write")
    lock = zk.WriteLock(path, "python") if writer else zk.ReadLock(path, "python")
    print("STARTED %d" % now_ms(), flush=True)
    if mode == "steal-write":
        children = zk.get_children(path)
        for child in children:
            zk.delete(path + "/" + child)
        print("DELETED %d %d" % (len(children), now_ms()), flush=True)
    try:
        for i in range(repeat):
            try:
                lock.acquire(timeout=float(timeout))
            except LockTimeout:
                print("TIMEOUT %d" % now_ms(), flush=True)
                sys.exit(3)
            print("ACQUIRED %d %d" % (i, now_ms()), flush=True)
            deadline = time.time() + 120
            while not os.path.exists("%s.%d" % (release, i)):
                if time.time() > deadline:
                    print("NO-RELEASE %d" % now_ms(), flush=True)
                    sys.exit(4)
                time.sleep(0.01)
            lock.release()
            print("RELEASED %d %d" % (i, now_ms()), flush=True)
    finally:
        zk.stop()
        zk.close()


if __name__ == "__main__":
    main()
