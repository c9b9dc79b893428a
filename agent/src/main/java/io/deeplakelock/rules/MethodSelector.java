package io.deeplakelock.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of a rule's {@code methods}: a method name, optionally with parameter types to pick one
 * overload, as in {@code append(java.lang.String,byte[])}.
 */
public final class MethodSelector {

  private static final Pattern FORM =
      Pattern.compile("\\s*([A-Za-z_$*][A-Za-z0-9_$*]*)\\s*(?:\\((.*)\\))?\\s*");
  private static final Pattern TYPE =
      Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*(\\[])*");

  private final String name;
  private final NamePattern pattern;
  private final List<String> parameterTypes; // null: any overload

  private MethodSelector(String name, List<String> parameterTypes) {
    this.name = name;
    this.pattern = NamePattern.of(name);
    this.parameterTypes = parameterTypes;
  }

  /**
   * Parses {@code name} or {@code name(type, ...)}.
   *
   * @throws DatasetExpression.SyntaxException with the offset of the problem
   */
  public static MethodSelector parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new DatasetExpression.SyntaxException(
          0,
          "'"
              + text
              + "' is not a method; write a name such as append, a glob such as delete*, or"
              + " pick an overload with append(java.lang.String,byte[])");
    }
    if (m.group(2) == null) {
      return new MethodSelector(m.group(1), null);
    }
    List<String> types = new ArrayList<>();
    String inside = m.group(2).trim();
    if (!inside.isEmpty()) {
      int offset = m.start(2);
      for (String raw : inside.split(",", -1)) {
        String type = raw.trim().replace("...", "[]");
        if (!TYPE.matcher(type).matches()) {
          throw new DatasetExpression.SyntaxException(
              offset,
              "'"
                  + raw.trim()
                  + "' is not a parameter type; write a primitive, a fully qualified class name"
                  + " or an array such as byte[]");
        }
        types.add(type);
        offset += raw.length() + 1;
      }
    }
    return new MethodSelector(m.group(1), Collections.unmodifiableList(types));
  }

  /** The name or glob as written, e.g. {@code append} or {@code delete*}. */
  public String name() {
    return name;
  }

  /** True when {@code methodName} is this name or matches this glob. */
  public boolean matchesName(String methodName) {
    return pattern.matches(methodName);
  }

  /** True when some method could match both selectors (same name, compatible overloads). */
  boolean overlaps(MethodSelector other) {
    boolean names =
        pattern.isExact() && other.pattern.isExact()
            ? name.equals(other.name)
            : pattern.isExact()
                ? other.matchesName(name)
                : other.pattern.isExact() ? matchesName(other.name) : true;
    return names
        && (parameterTypes == null
            || other.parameterTypes == null
            || sameTypes(parameterTypes, other.parameterTypes));
  }

  /** {@code String} and {@code java.lang.String} may name the same type: treat them so. */
  private static boolean sameTypes(List<String> a, List<String> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!sameType(a.get(i), b.get(i)) && !sameType(b.get(i), a.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** The parameter types as written (arrays as {@code byte[]}), or null for any overload. */
  public List<String> parameterTypes() {
    return parameterTypes;
  }

  /**
   * True when {@code typeName} (as {@link Class#getTypeName()} spells it) is what the rule wrote
   * for that parameter. A name without a package matches by simple name, so {@code String} works.
   */
  public static boolean sameType(String written, String typeName) {
    if (written.equals(typeName) || written.equals(typeName.replace('$', '.'))) {
      return true;
    }
    if (written.indexOf('.') < 0) {
      String simple = typeName.substring(typeName.lastIndexOf('.') + 1);
      return written.equals(simple)
          || written.equals(simple.substring(simple.lastIndexOf('$') + 1));
    }
    return false;
  }

  @Override
  public String toString() {
    return parameterTypes == null ? name : name + "(" + String.join(",", parameterTypes) + ")";
  }
}
