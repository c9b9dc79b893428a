package io.deeplakelock.agent;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.pool.TypePool;

/**
 * Caches parsed class files per class loader for subtype and annotation matching, so a supertype
 * shared by many classes is parsed once. Class loaders are held weakly: an undeployed web app's
 * loader, and its cache, can be collected.
 *
 * <p><b>No monitor on the way.</b> {@link #locate} runs inside class loading, where a thread that
 * blocks on a contended monitor pins its carrier if it is virtual (a frozen class-loading frame
 * cannot unmount), as {@code VirtualThreadPinningIT} saw on JDK 25. A loader's cache is therefore
 * found with a lock-free read of a concurrent map keyed by weak references; only the first class of
 * a new loader writes to it.
 */
final class TypePoolCache extends AgentBuilder.PoolStrategy.WithTypePoolCache {

  private static final ClassLoader BOOTSTRAP_KEY = new ClassLoader(null) {};

  private final ConcurrentHashMap<Object, TypePool.CacheProvider> caches =
      new ConcurrentHashMap<>();
  private final ReferenceQueue<ClassLoader> collected = new ReferenceQueue<>();

  TypePoolCache() {
    super(TypePool.Default.ReaderMode.FAST);
  }

  @Override
  protected TypePool.CacheProvider locate(ClassLoader classLoader) {
    ClassLoader key = classLoader == null ? BOOTSTRAP_KEY : classLoader;
    TypePool.CacheProvider cache = caches.get(new Lookup(key));
    if (cache != null) {
      return cache;
    }
    for (Object gone; (gone = collected.poll()) != null; ) {
      caches.remove(gone);
    }
    TypePool.CacheProvider fresh = new TypePool.CacheProvider.Simple();
    cache = caches.putIfAbsent(new WeakKey(key, collected), fresh);
    return cache != null ? cache : fresh;
  }

  /** A stored key: the loader, weakly, compared by identity. */
  private static final class WeakKey extends WeakReference<ClassLoader> {
    private final int hash;

    WeakKey(ClassLoader loader, ReferenceQueue<ClassLoader> queue) {
      super(loader, queue);
      this.hash = System.identityHashCode(loader);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      if (other == this) {
        return true;
      }
      ClassLoader mine = get();
      return mine != null
          && (other instanceof WeakKey
              ? mine == ((WeakKey) other).get()
              : other instanceof Lookup && mine == ((Lookup) other).loader);
    }
  }

  /** A look-up key: the loader, strongly, for the time of one look-up. */
  private static final class Lookup {
    final ClassLoader loader;

    Lookup(ClassLoader loader) {
      this.loader = loader;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(loader);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof WeakKey && ((WeakKey) other).get() == loader;
    }
  }
}
