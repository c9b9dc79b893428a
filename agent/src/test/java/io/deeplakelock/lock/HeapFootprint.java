package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.rules.LockPolicy;
import io.deeplakelock.rules.RuleFile;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;

/**
 * Prints how much heap the lock layer uses with many datasets locked at once: one thread holds a
 * read lock on each of N datasets (default 1,000), and the retained heap is measured after full
 * collections, before the service starts and while the locks are held.
 *
 * <p>ZooKeeper runs in this JVM (curator-test), so the figure includes the server's 2N znodes: it
 * is an upper bound for the agent. Run by {@code bin/bench-fastpath}; args: {@code [datasets]}.
 */
public final class HeapFootprint {

  private HeapFootprint() {}

  public static void main(String[] args) throws Exception {
    int datasets = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (TestingServer server = new TestingServer()) {
      String yaml =
          "zookeeper:\n  connect: \""
              + server.getConnectString()
              + "\"\nlocks:\n  linger: 20ms\nrules:\n  - {name: r, class: com.example.Dataset,"
              + " methods: [search], lock: read, dataset: arg0}\n";
      long before = retained(memory);
      LockService service = LockService.start(RuleFile.parse("heap.yaml", yaml, n -> null));
      if (!service.client().blockUntilConnected(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("no ZooKeeper at " + server.getConnectString());
      }
      long connected = retained(memory);
      LockPolicy policy =
          new LockPolicy(30_000, LockPolicy.OnTimeout.FAIL, true, LockPolicy.OnLockLost.THROW);
      LockRequest request = new LockRequest("r", LockMode.READ, policy);
      CallFrames frames = service.frames();
      for (int i = 0; i < datasets; i++) {
        String dataset = "/data/heap/dataset-" + i;
        service
            .lock(LockPath.forDataset("/deeplake", dataset, Paths.get("/")))
            .enter(frames, request, HeapFootprint.class, "search", dataset);
      }
      long held = retained(memory);
      while (frames.depth() > 0) {
        frames.close();
      }
      long released = retained(memory);
      // Then many more datasets, one at a time, as a service that meets new datasets all day.
      int further = 10 * datasets;
      for (int i = 0; i < further; i++) {
        String dataset = "/data/heap/further-" + i;
        service
            .lock(LockPath.forDataset("/deeplake", dataset, Paths.get("/")))
            .enter(frames, request, HeapFootprint.class, "search", dataset);
        frames.close();
      }
      long afterFurther = retained(memory);
      int kept = service.locks().size();
      service.close();
      System.out.printf(
          "heap retained (MB, after full GC; includes the in-process ZooKeeper server's znodes):%n"
              + "  agent client connected, no locks: %.2f%n"
              + "  %d datasets read-locked at once:     %.2f  (%.0f bytes per dataset)%n"
              + "  all released:                      %.2f%n"
              + "  %d more datasets, each locked and released in turn: %.2f  (%.0f bytes per"
              + " further dataset; %d lock objects kept)%n",
          mb(connected - before),
          datasets,
          mb(held - before),
          (held - connected) / (double) datasets,
          mb(released - before),
          further,
          mb(afterFurther - before),
          (afterFurther - released) / (double) further,
          kept);
    }
  }

  private static long retained(MemoryMXBean memory) {
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
    }
    return least;
  }

  private static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
