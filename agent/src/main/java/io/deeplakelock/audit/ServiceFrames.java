package io.deeplakelock.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The frames of the service's own code on a thread's stack, innermost first: every frame but the
 * JDK's and the agent's.
 */
public final class ServiceFrames {

  private static final String[] FOREIGN = {
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "io.deeplakelock.agent.",
    "io.deeplakelock.audit.",
    "io.deeplakelock.bridge.",
    "io.deeplakelock.lock.",
    "io.deeplakelock.rules.",
    "io.deeplakelock.log.",
    "io.deeplakelock.cli.",
    "io.deeplakelock.shaded.",
    "net.bytebuddy."
  };

  private final List<StackTraceElement> frames;

  ServiceFrames(List<StackTraceElement> frames) {
    this.frames = Collections.unmodifiableList(frames);
  }

  /** The service frames of the current thread. */
  public static ServiceFrames current() {
    return of(new Throwable().getStackTrace());
  }

  static ServiceFrames of(StackTraceElement[] stack) {
    List<StackTraceElement> service = new ArrayList<>();
    for (StackTraceElement frame : stack) {
      if (isService(frame.getClassName())) {
        service.add(frame);
      }
    }
    return new ServiceFrames(service);
  }

  /** True for a class of the service: neither the JDK's nor the agent's. */
  public static boolean isService(String className) {
    for (String prefix : FOREIGN) {
      if (className.startsWith(prefix)) {
        return false;
      }
    }
    return true;
  }

  /** Innermost first. */
  public List<StackTraceElement> frames() {
    return frames;
  }

  public boolean isEmpty() {
    return frames.isEmpty();
  }

  /** The innermost service frame, with its line: what "one call site" means. */
  public String site() {
    return frames.isEmpty() ? "(no service code on the stack)" : frames.get(0).toString();
  }

  /**
   * The outermost frame of the run of frames, from the innermost outwards, whose class is in the
   * innermost frame's package: the library's entry point, which a rule should guard. Null when
   * there is no service frame.
   */
  public StackTraceElement entry() {
    if (frames.isEmpty()) {
      return null;
    }
    String pkg = packageOf(frames.get(0).getClassName());
    StackTraceElement entry = frames.get(0);
    for (StackTraceElement frame : frames) {
      if (!packageOf(frame.getClassName()).equals(pkg)) {
        break;
      }
      if (!frame.getMethodName().startsWith("lambda$")) {
        entry = frame;
      }
    }
    return entry;
  }

  /** {@code class.method} of {@link #entry()}, or null. */
  public String entryMethod() {
    StackTraceElement entry = entry();
    return entry == null ? null : entry.getClassName() + "." + entry.getMethodName();
  }

  /** The first {@code n} frames, innermost first, joined by " < ". */
  public String first(int n) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(n, frames.size()); i++) {
      if (i > 0) {
        out.append(" < ");
      }
      out.append(frames.get(i));
    }
    return out.length() == 0 ? site() : out.toString();
  }

  static String packageOf(String className) {
    int dot = className.lastIndexOf('.');
    return dot < 0 ? "" : className.substring(0, dot);
  }
}
