package io.deeplakelock.matching.sample.subtype;

/** A sub-interface: its implementations are subtypes of {@link Store} too. */
public interface SubStore extends Store {

  String size();
}
