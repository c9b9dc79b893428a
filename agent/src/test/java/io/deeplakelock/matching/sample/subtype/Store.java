package io.deeplakelock.matching.sample.subtype;

/** The interface a {@code subtypesOf} rule names; its own methods are never instrumented. */
public interface Store {

  String put(String key);

  String get(String key);
}
