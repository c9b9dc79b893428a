package io.deeplakelock;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks an integration test that drives the agent's internals in its own JVM with the libraries'
 * own classes (a Curator client of its own, {@code TestingServer}, ZooKeeper's ACL types). Such a
 * test cannot run against the shaded jar, where Curator and ZooKeeper are relocated, so the pom's
 * {@code unshaded-it} failsafe execution runs it against {@code target/classes}; the default
 * execution, against the shaded jar, leaves it out.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(Unshaded.TAG)
public @interface Unshaded {

  /** The JUnit tag the pom selects on. */
  String TAG = "unshaded";
}
