package io.deeplakelock.matching.sample.ctor;

import io.deeplakelock.matching.sample.Probe;
import java.util.function.Supplier;

/** A rule says {@code methods: ["*"]}: still no constructor, initialiser or lambda body. */
public class Widget {

  /** What the static initialiser saw. */
  public static final String SEEN_BY_STATIC_INIT = Probe.held();

  /** What the constructor saw. */
  public final String seenByConstructor;

  public Widget() {
    seenByConstructor = Probe.held();
  }

  public String spin() {
    return Probe.held();
  }

  /** Returns a lambda whose body is a synthetic method of this class. */
  public static Supplier<String> probe() {
    return () -> Probe.held();
  }
}
