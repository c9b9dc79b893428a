package io.deeplakelock.testapp.dataset;

import java.util.Arrays;

/** One row of a {@link Dataset} as {@link Dataset#get} read it, including its tombstone. */
public final class Row {
  private final long index;
  private final String text;
  private final String metadata;
  private final float[] embedding;
  private final boolean deleted;

  Row(long index, String text, String metadata, float[] embedding, boolean deleted) {
    this.index = index;
    this.text = text;
    this.metadata = metadata;
    this.embedding = embedding.clone();
    this.deleted = deleted;
  }

  /** The row index, stable for the life of the dataset. */
  public long index() {
    return index;
  }

  /** The text column. */
  public String text() {
    return text;
  }

  /** The metadata column. */
  public String metadata() {
    return metadata;
  }

  /** A copy of the embedding column. */
  public float[] embedding() {
    return embedding.clone();
  }

  /** Whether the row has been deleted (tombstoned). */
  public boolean isDeleted() {
    return deleted;
  }

  @Override
  public String toString() {
    return "Row{"
        + index
        + ", "
        + text
        + ", "
        + metadata
        + ", "
        + Arrays.toString(embedding)
        + (deleted ? ", deleted" : "")
        + "}";
  }
}
