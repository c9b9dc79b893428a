package io.deeplakelock.cli;

import io.deeplakelock.rules.DatasetExpression;
import io.deeplakelock.rules.Rule;
import io.deeplakelock.rules.ValuePath;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.pool.TypePool;

/**
 * Resolves a rule's dataset expression and afterAcquire against a method's declared types, without
 * running anything: each step must name a field or no-argument getter of the type the previous step
 * declares. Steps through types that are not on the class path are reported too.
 */
final class ExpressionCheck {

  private final TypePool pool;

  ExpressionCheck(TypePool pool) {
    this.pool = pool;
  }

  /** Why the rule's expressions cannot work on {@code method}; empty when they resolve. */
  List<String> problems(Rule rule, MethodDescription method) {
    List<String> out = new ArrayList<>();
    DatasetExpression dataset = rule.lockPath() == null ? rule.dataset() : null;
    if (dataset != null) {
      for (ValuePath path : dataset.paths()) {
        String problem = resolve(path, method, false);
        if (problem != null) {
          out.add("dataset '" + path.source() + "': " + problem);
        }
      }
    }
    if (rule.afterAcquire() != null) {
      String problem = resolve(rule.afterAcquire(), method, true);
      if (problem != null) {
        out.add("afterAcquire '" + rule.afterAcquire().source() + "': " + problem);
      }
    }
    return out;
  }

  private String resolve(ValuePath path, MethodDescription method, boolean voidAllowed) {
    TypeDefinition type;
    if (path.argumentIndex() >= 0) {
      int count = method.getParameters().size();
      if (path.argumentIndex() >= count) {
        return "arg"
            + path.argumentIndex()
            + " is out of range: the method takes "
            + count
            + " argument(s)";
      }
      type = method.getParameters().get(path.argumentIndex()).getType().asErasure();
    } else if (path.readsThis()) {
      if (method.isStatic()) {
        return "'this' is not available in a static method; use argN or a static constant";
      }
      type = method.getDeclaringType().asErasure();
    } else {
      return null; // static Class.FIELD roots are resolved through the runtime class loader
    }
    for (String step : path.stepNames()) {
      TypeDescription current = type.asErasure();
      if (current.represents(void.class)) {
        return "'" + step + "' is applied to the void result of the step before it";
      }
      if (current.isPrimitive()) {
        return "'" + step + "' is applied to a primitive " + current.getName();
      }
      TypeDefinition next;
      try {
        next = step.endsWith("()") ? getterType(current, step) : fieldType(current, step);
      } catch (TypePool.Resolution.NoSuchTypeException e) {
        return "cannot check '" + step + "': " + e.getMessage() + " is not on the class path";
      }
      if (next == null) {
        return step.endsWith("()")
            ? "no method " + step + " without parameters in " + current.getName()
            : "no instance field '" + step + "' in " + current.getName();
      }
      type = next;
    }
    if (!voidAllowed && type.represents(void.class)) {
      return "the last step returns void, so there is no dataset value";
    }
    return null;
  }

  private static TypeDefinition fieldType(TypeDescription type, String name) {
    for (TypeDefinition t = type; t != null; t = t.getSuperClass()) {
      for (FieldDescription f : t.getDeclaredFields()) {
        if (f.getName().equals(name) && !f.isStatic()) {
          return f.getType().asErasure();
        }
      }
    }
    return null;
  }

  private static TypeDefinition getterType(TypeDescription type, String step) {
    String name = step.substring(0, step.length() - 2);
    List<TypeDefinition> queue = new ArrayList<>();
    queue.add(type);
    for (int i = 0; i < queue.size(); i++) {
      TypeDefinition t = queue.get(i);
      for (MethodDescription m : t.getDeclaredMethods()) {
        if (m.getName().equals(name) && m.getParameters().isEmpty() && !m.isStatic()) {
          return m.getReturnType().asErasure();
        }
      }
      if (t.getSuperClass() != null) {
        queue.add(t.getSuperClass());
      } else if (t.isInterface()) {
        queue.add(TypeDescription.ForLoadedType.of(Object.class));
      }
      for (TypeDefinition itf : t.getInterfaces()) {
        queue.add(itf);
      }
    }
    return null;
  }
}
