package io.deeplakelock.testapp.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * The workload locked by hand, as a user would write it with Curator: one {@link
 * InterProcessReadWriteLock} per dataset path, shared by all threads of the JVM (Curator's mutexes
 * keep per-thread ownership), acquired and released around every call, on this JVM's own client.
 */
final class CuratorCalls implements Calls {

  static final long ACQUIRE_TIMEOUT_SECONDS = 60;

  private final CuratorFramework client;
  private final InterProcessMutex[] readLocks;
  private final InterProcessMutex[] writeLocks;
  private final String[] datasets;

  CuratorCalls(String connect, int sessionTimeoutMillis, String root, List<String> datasets)
      throws InterruptedException {
    client =
        CuratorFrameworkFactory.newClient(
            connect, sessionTimeoutMillis, 10_000, new ExponentialBackoffRetry(100, 3));
    client.start();
    if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
      client.close();
      throw new IllegalStateException("Curator could not connect to " + connect + " in 30 s");
    }
    this.datasets = datasets.toArray(new String[0]);
    readLocks = new InterProcessMutex[this.datasets.length];
    writeLocks = new InterProcessMutex[this.datasets.length];
    for (int d = 0; d < this.datasets.length; d++) {
      // The agent's encoding of a dataset path into one znode name, so the layouts compare.
      String path = root + "/" + this.datasets[d].replace("/", "%2F");
      InterProcessReadWriteLock lock = new InterProcessReadWriteLock(client, path);
      readLocks[d] = lock.readLock();
      writeLocks[d] = lock.writeLock();
    }
  }

  @Override
  public long call(LockBenchApp app, int d, boolean write) throws Exception {
    InterProcessMutex lock = write ? writeLocks[d] : readLocks[d];
    // The same bound as the agent's lock timeout in the benchmark's rules.
    if (!lock.acquire(ACQUIRE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "no " + (write ? "write" : "read") + " lock on " + datasets[d] + " within 60 s");
    }
    try {
      return write ? app.write(datasets[d]) : app.read(datasets[d]);
    } finally {
      lock.release();
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
