package io.deeplakelock.testapp.dataset;

/** One result of {@link Dataset#search}: a row, its text and its cosine similarity to the query. */
public final class Hit {
  private final long index;
  private final double score;
  private final String text;

  Hit(long index, double score, String text) {
    this.index = index;
    this.score = score;
    this.text = text;
  }

  /** The row index. */
  public long index() {
    return index;
  }

  /** Cosine similarity between the query and the row's embedding, in [-1, 1]. */
  public double score() {
    return score;
  }

  /** The row's text. */
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return "Hit{" + index + ", " + score + ", " + text + "}";
  }
}
