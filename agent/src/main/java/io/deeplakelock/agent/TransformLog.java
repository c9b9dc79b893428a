package io.deeplakelock.agent;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports what instrumentation did. A class that a rule names but that could not be instrumented is
 * an ERROR: its methods run without the lock, and that must never be silent.
 */
final class TransformLog extends AgentBuilder.Listener.Adapter {

  private static final Logger log = LoggerFactory.getLogger(TransformLog.class);

  private final GuardTransformer transformer;

  TransformLog(GuardTransformer transformer) {
    this.transformer = transformer;
  }

  @Override
  public void onTransformation(
      TypeDescription type,
      ClassLoader loader,
      JavaModule module,
      boolean loaded,
      DynamicType dynamicType) {
    log.debug("instrumented {} (loader {})", type.getName(), loader);
    StatusBeanRegistration.now(); // the service uses guarded code: time for the JMX bean
  }

  @Override
  public void onError(
      String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
    if (transformer.selected(typeName)) {
      log.error(
          "could not instrument {} (loader {}): its guarded methods run WITHOUT the dataset lock",
          typeName,
          loader,
          error);
    } else {
      log.debug("skipped {}: {}", typeName, error.toString());
    }
  }
}
