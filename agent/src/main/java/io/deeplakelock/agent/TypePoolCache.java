package io.deeplakelock.agent;

import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.pool.TypePool;

/**
 * Caches parsed class files per class loader for subtype and annotation matching, so a supertype
 * shared by many classes is parsed once. Class loaders are held weakly: an undeployed web app's
 * loader, and its cache, can be collected.
 */
final class TypePoolCache extends AgentBuilder.PoolStrategy.WithTypePoolCache {

  private static final ClassLoader BOOTSTRAP_KEY = new ClassLoader(null) {};

  private final Map<ClassLoader, TypePool.CacheProvider> caches = new WeakHashMap<>();

  TypePoolCache() {
    super(TypePool.Default.ReaderMode.FAST);
  }

  @Override
  protected TypePool.CacheProvider locate(ClassLoader classLoader) {
    ClassLoader key = classLoader == null ? BOOTSTRAP_KEY : classLoader;
    synchronized (caches) {
      TypePool.CacheProvider cache = caches.get(key);
      if (cache == null) {
        cache = new TypePool.CacheProvider.Simple();
        caches.put(key, cache);
      }
      return cache;
    }
  }
}
