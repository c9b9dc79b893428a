package io.deeplakelock.rules;

/** A place in a rules file, printed the way compilers do: {@code file:line:col} (1-based). */
public final class SourcePosition {

  private final String file;
  private final int line;
  private final int column;

  public SourcePosition(String file, int line, int column) {
    this.file = file;
    this.line = line;
    this.column = column;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** The same line, {@code offset} characters further right. */
  public SourcePosition shiftedBy(int offset) {
    return new SourcePosition(file, line, column + offset);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
