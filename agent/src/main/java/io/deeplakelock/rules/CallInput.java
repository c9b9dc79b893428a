package io.deeplakelock.rules;

/**
 * What a rule reads from a guarded call to find its dataset and run its {@code afterAcquire}:
 * nothing, the receiver, one argument, or (for expressions that read several) all of them. The
 * agent weaves advice that passes only this, so that a call passes no argument array.
 */
public final class CallInput {

  /** Which part of the call. */
  public enum Kind {
    /** Nothing: a fixed lock path, a constant dataset or a {@code static} root. */
    NONE,
    /** The receiver ({@code this}). */
    THIS,
    /** One argument, {@link #index()}. */
    ARGUMENT,
    /** The receiver and every argument: the expressions read more than one of them. */
    ALL
  }

  public static final CallInput NONE = new CallInput(Kind.NONE, -1);
  public static final CallInput THIS = new CallInput(Kind.THIS, -1);
  public static final CallInput ALL = new CallInput(Kind.ALL, -1);

  private final Kind kind;
  private final int index;

  private CallInput(Kind kind, int index) {
    this.kind = kind;
    this.index = index;
  }

  /** The argument {@code index} (0-based). */
  public static CallInput argument(int index) {
    return new CallInput(Kind.ARGUMENT, index);
  }

  public Kind kind() {
    return kind;
  }

  /** The argument's index for {@link Kind#ARGUMENT}; -1 otherwise. */
  public int index() {
    return index;
  }

  /** What a call must pass for both this and {@code other}: the one value both read, or all. */
  public CallInput and(CallInput other) {
    if (other == null || other.kind == Kind.NONE || equals(other)) {
      return this;
    }
    return kind == Kind.NONE ? other : ALL;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CallInput && ((CallInput) o).kind == kind && ((CallInput) o).index == index;
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + index;
  }

  @Override
  public String toString() {
    return kind == Kind.ARGUMENT ? "arg" + index : kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
