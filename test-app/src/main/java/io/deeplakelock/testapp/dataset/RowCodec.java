package io.deeplakelock.testapp.dataset;

/**
 * Turns column values into the one-line payloads of a chunk file and back.
 *
 * <p>Decoding throws {@link IllegalArgumentException} on anything it cannot parse; the dataset
 * turns that into a {@link CorruptDatasetException} that names the file and row.
 */
final class RowCodec {
  private RowCodec() {}

  /** Escapes backslashes and line breaks so a string fits on one line. */
  static String encodeString(String value) {
    StringBuilder out = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        default:
          out.append(c);
      }
    }
    return out.toString();
  }

  static String decodeString(String payload) {
    StringBuilder out = new StringBuilder(payload.length());
    for (int i = 0; i < payload.length(); i++) {
      char c = payload.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (++i == payload.length()) {
        throw new IllegalArgumentException("dangling escape");
      }
      char escaped = payload.charAt(i);
      if (escaped == '\\') {
        out.append('\\');
      } else if (escaped == 'n') {
        out.append('\n');
      } else if (escaped == 'r') {
        out.append('\r');
      } else {
        throw new IllegalArgumentException("unknown escape \\" + escaped);
      }
    }
    return out.toString();
  }

  static String encodeEmbedding(float[] embedding) {
    StringBuilder out = new StringBuilder(embedding.length * 12);
    for (int i = 0; i < embedding.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(embedding[i]);
    }
    return out.toString();
  }

  static float[] decodeEmbedding(String payload, int dim) {
    String[] parts = payload.split(",", -1);
    if (parts.length != dim) {
      throw new IllegalArgumentException(
          "embedding has " + parts.length + " values, the dataset's dimension is " + dim);
    }
    float[] embedding = new float[dim];
    for (int i = 0; i < dim; i++) {
      try {
        embedding[i] = Float.parseFloat(parts[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "embedding value " + i + " is not a number: " + parts[i]);
      }
    }
    return embedding;
  }

  static String encodeDeleted(boolean deleted) {
    return deleted ? "1" : "0";
  }

  static boolean decodeDeleted(String payload) {
    if ("0".equals(payload)) {
      return false;
    }
    if ("1".equals(payload)) {
      return true;
    }
    throw new IllegalArgumentException("tombstone is neither 0 nor 1: " + payload);
  }
}
