package io.deeplakelock.audit;

import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Finds the dataset expressions that, for one call, evaluate to a given dataset directory: the
 * call's arguments, the receiver's fields and getters, and the fields and getters of the arguments,
 * in that order of preference.
 *
 * <p>Only values that can name a path count ({@code String}, {@code Path}, {@code File}, {@code
 * URI}), compared in their canonical form. Getters are {@code get*} methods without parameters that
 * return one of those types; nothing else is called.
 */
final class ExpressionFinder {

  private final Function<String, String> canonical;

  /**
   * @param canonical a dataset value's canonical form, as lock paths compute it; null if none
   */
  ExpressionFinder(Function<String, String> canonical) {
    this.canonical = canonical;
  }

  /** The expressions that give {@code dataset} for this call, most preferred first. */
  List<String> find(Object self, Object[] args, String dataset) {
    List<String> out = new ArrayList<>();
    Object[] values = args == null ? new Object[0] : args;
    for (int i = 0; i < values.length; i++) {
      if (names(values[i], dataset)) {
        out.add("arg" + i);
      }
    }
    if (self != null) {
      members(self, "this", dataset, out);
    }
    for (int i = 0; i < values.length; i++) {
      Object arg = values[i];
      if (arg != null && !isPathLike(arg) && ServiceFrames.isService(arg.getClass().getName())) {
        members(arg, "arg" + i, dataset, out);
      }
    }
    return out;
  }

  private void members(Object target, String prefix, String dataset, List<String> out) {
    for (Class<?> c = target.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      if (!ServiceFrames.isService(c.getName())) {
        break;
      }
      for (Field field : c.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers()) || !isPathType(field.getType())) {
          continue;
        }
        try {
          field.setAccessible(true);
          if (names(field.get(target), dataset)) {
            out.add(prefix + "." + field.getName());
          }
        } catch (ReflectiveOperationException | RuntimeException e) {
          // not readable: not a candidate
        }
      }
    }
    Method[] getters = target.getClass().getMethods();
    java.util.Arrays.sort(getters, (a, b) -> a.getName().compareTo(b.getName()));
    for (Method getter : getters) {
      if (getter.getParameterCount() == 0
          && getter.getName().startsWith("get")
          && getter.getName().length() > 3
          && !Modifier.isStatic(getter.getModifiers())
          && isPathType(getter.getReturnType())
          && ServiceFrames.isService(getter.getDeclaringClass().getName())) {
        try {
          if (names(getter.invoke(target), dataset)) {
            out.add(prefix + "." + getter.getName() + "()");
          }
        } catch (ReflectiveOperationException | RuntimeException e) {
          // a getter that fails is no dataset expression
        }
      }
    }
  }

  private boolean names(Object value, String dataset) {
    if (!isPathLike(value)) {
      return false;
    }
    String text = String.valueOf(value);
    if (text.isEmpty()) {
      return false;
    }
    return dataset.equals(canonical.apply(text));
  }

  private static boolean isPathLike(Object value) {
    return value instanceof CharSequence
        || value instanceof Path
        || value instanceof File
        || value instanceof URI;
  }

  private static boolean isPathType(Class<?> type) {
    return CharSequence.class.isAssignableFrom(type)
        || Path.class.isAssignableFrom(type)
        || File.class.isAssignableFrom(type)
        || URI.class.isAssignableFrom(type);
  }
}
