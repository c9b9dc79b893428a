package io.deeplakelock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.rules.LockPolicy;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Unit tests for {@link CallFrames}: a frame is written only where a field changed and keeps its
 * values once popped (so that a loop of one call site stores no reference under G1), yet it never
 * keeps the guarded method's class, so a class loader unloaded by its application (a redeployed
 * WAR) does not stay reachable from a pooled thread.
 */
class CallFramesTest {

  private static final LockRequest READ =
      new LockRequest("read-rule", LockMode.READ, LockPolicy.defaults());
  private static final LockRequest WRITE =
      new LockRequest("write-rule", LockMode.WRITE, LockPolicy.defaults());

  /** A class with no dependencies, loaded again by a throwaway loader in the leak test. */
  public static final class Guarded {}

  @Test
  void aReusedFrameDescribesTheCallNowInItNotTheOneBefore() {
    CallFrames frames = new CallFrames(0);
    frames.push(null, null, false, READ, Guarded.class, "read", "/data/a");
    frames.close();
    frames.push(null, null, false, WRITE, String.class, "write", "/data/b");
    assertEquals(
        "write lock on dataset '/data/b' (lock path /p, rule 'write-rule', java.lang.String.write)",
        frames.call(0).describe("/p"));
    frames.close();
    // A call with no class (a LockCall's caller): the method names its class itself.
    frames.push(null, null, false, READ, null, "Dataset.append", null);
    assertEquals(
        "read lock (lock path /p, rule 'read-rule', Dataset.append)",
        frames.call(0).describe("/p"));
  }

  @Test
  void aPoppedFrameKeepsNoReferenceToTheGuardedMethodsClassLoader() throws Exception {
    CallFrames frames = new CallFrames(0);
    ReferenceQueue<ClassLoader> collected = new ReferenceQueue<>();
    WeakReference<ClassLoader> loader = callFromAThrowawayLoader(frames, collected);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Reference<? extends ClassLoader> gone = null;
    while (gone == null && System.nanoTime() < deadline) {
      System.gc();
      gone = collected.remove(100); // a bounded wait for the collector's notice
    }
    assertEquals(
        loader,
        gone,
        "the loader of a guarded method's class stayed reachable after its call ended");
    assertEquals(0, frames.depth());
  }

  /** One guarded call from a class of a loader only the weak reference returned can reach. */
  private static WeakReference<ClassLoader> callFromAThrowawayLoader(
      CallFrames frames, ReferenceQueue<ClassLoader> collected) throws Exception {
    URL classes = CallFramesTest.class.getProtectionDomain().getCodeSource().getLocation();
    URLClassLoader throwaway = new URLClassLoader(new URL[] {classes}, null);
    Class<?> origin = throwaway.loadClass(Guarded.class.getName());
    assertNotSame(Guarded.class, origin); // defined again, by the throwaway loader
    frames.push(null, null, false, READ, origin, "read", "/data/a");
    frames.close();
    assertNull(frames.currentInfo());
    throwaway.close();
    return new WeakReference<>(throwaway, collected);
  }
}
