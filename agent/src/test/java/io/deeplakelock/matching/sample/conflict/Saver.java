package io.deeplakelock.matching.sample.conflict;

/** Named by a {@code subtypesOf} rule that overlaps a class glob. */
public interface Saver {

  String save();
}
