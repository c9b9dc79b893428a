package io.deeplakelock.agent;

import java.util.concurrent.atomic.AtomicReference;

/**
 * When the JMX bean ({@link AgentStatus}) is registered after a start with {@code -javaagent}: as
 * soon as the service loads its first guarded class, or {@link #DELAY_SECONDS} after start-up,
 * whichever comes first (when attached, at once). Creating the platform MBean server costs about
 * 0.1 s of CPU, twice that with the compilation it sets off; a JVM that never loads a guarded class
 * (a short-lived tool, a hello world) does not pay it, and a service pays it after its own start-up
 * rather than during it.
 */
final class StatusBeanRegistration {

  /** The longest a service that loads no guarded class waits for its bean. */
  static final long DELAY_SECONDS = 10;

  private static final AtomicReference<Runnable> pending = new AtomicReference<>();

  private StatusBeanRegistration() {}

  /** {@code register} runs at the first {@link #now} call (and never again). */
  static void arm(Runnable register) {
    pending.set(register);
  }

  /** Forgets a registration not yet run (the agent registers at once, or is going away). */
  static void disarm() {
    pending.set(null);
  }

  /** Runs the armed registration, if any; cheap when there is none. */
  static void now() {
    if (pending.get() == null) {
      return;
    }
    Runnable register = pending.getAndSet(null);
    if (register != null) {
      register.run();
    }
  }
}
