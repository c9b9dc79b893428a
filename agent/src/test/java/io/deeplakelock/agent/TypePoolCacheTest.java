package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link TypePoolCache}: one cache per class loader, found without a monitor. */
class TypePoolCacheTest {

  private final TypePoolCache pools = new TypePoolCache();

  @Test
  void oneLoaderAlwaysGetsTheSameCache() {
    ClassLoader loader = new ClassLoader(null) {};
    assertSame(pools.locate(loader), pools.locate(loader));
    assertSame(pools.locate(null), pools.locate(null), "the bootstrap loader has one too");
  }

  @Test
  void differentLoadersGetDifferentCaches() {
    assertNotSame(pools.locate(new ClassLoader(null) {}), pools.locate(new ClassLoader(null) {}));
    assertNotSame(pools.locate(null), pools.locate(getClass().getClassLoader()));
  }

  @Test
  void threadsRacingForANewLoaderAllGetOneCache() throws Exception {
    ClassLoader loader = new ClassLoader(null) {};
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Callable<TypePool.CacheProvider>> tasks = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        tasks.add(() -> pools.locate(loader));
      }
      TypePool.CacheProvider first = null;
      for (Future<TypePool.CacheProvider> f : threads.invokeAll(tasks, 10, TimeUnit.SECONDS)) {
        TypePool.CacheProvider got = f.get();
        if (first == null) {
          first = got;
        }
        assertSame(first, got);
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
