package io.deeplakelock.rules;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One expression of a dataset value: a root ({@code this}, {@code argN} or a {@code static}
 * constant) and a chain of {@code .field} / {@code .getter()} steps.
 *
 * <p>Each step resolves its accessor once per receiver class into a {@link MethodHandle} kept in a
 * {@link ClassValue}, so a guarded call costs a handle invocation per step, not a reflective
 * lookup, and classes can still be unloaded.
 *
 * <p><b>Why just over 400 lines.</b> One job, a path from its text to its value: parsing it,
 * evaluating it from a call's arguments or from the one value the advice passes ({@link #input}),
 * and resolving each step's accessor, with the messages that explain a step that cannot resolve.
 * Parse and evaluation walk the same steps, so they stay in one class.
 */
public final class ValuePath {

  private static final Pattern STEP = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\(\\))?");
  private static final Pattern CLASS_NAME =
      Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)+");
  private static final MethodType OBJECT_TO_OBJECT =
      MethodType.methodType(Object.class, Object.class);

  private final String source;
  private final int argumentIndex; // -1: this or static
  private final StaticRoot staticRoot; // null unless "static ..."
  private final Step[] steps; // an array: walking it per call allocates no iterator

  private ValuePath(String source, int argumentIndex, StaticRoot staticRoot, List<Step> steps) {
    this.source = source;
    this.argumentIndex = argumentIndex;
    this.staticRoot = staticRoot;
    this.steps = steps.toArray(new Step[0]);
  }

  static ValuePath parse(String text, int baseOffset) {
    if (text.startsWith("static ")) {
      String target = text.substring("static ".length()).trim();
      if (!CLASS_NAME.matcher(target).matches()) {
        throw new DatasetExpression.SyntaxException(
            baseOffset,
            "'" + text + "' must name a static field as static com.example.Config.FIELD");
      }
      int dot = target.lastIndexOf('.');
      StaticRoot root = new StaticRoot(target.substring(0, dot), target.substring(dot + 1));
      return new ValuePath(text, -1, root, new ArrayList<Step>());
    }
    String[] tokens = text.split("\\.", -1);
    int argumentIndex = -1;
    if (tokens[0].startsWith("arg")) {
      try {
        argumentIndex = Integer.parseInt(tokens[0].substring(3));
      } catch (NumberFormatException e) {
        throw new DatasetExpression.SyntaxException(baseOffset, "'" + tokens[0] + "' is too large");
      }
    }
    List<Step> steps = new ArrayList<>();
    int offset = baseOffset + tokens[0].length() + 1;
    for (int i = 1; i < tokens.length; i++) {
      String token = tokens[i];
      if (!STEP.matcher(token).matches()) {
        throw new DatasetExpression.SyntaxException(
            offset,
            "'"
                + token
                + "' is not a field or getter; write a name (a field) or name() (a no-argument"
                + " method), e.g. this.path or this.getPath()");
      }
      boolean call = token.endsWith("()");
      steps.add(new Step(call ? token.substring(0, token.length() - 2) : token, call));
      offset += token.length() + 1;
    }
    return new ValuePath(text, argumentIndex, null, steps);
  }

  public String source() {
    return source;
  }

  /** The argument this path starts from, or -1. */
  public int argumentIndex() {
    return argumentIndex;
  }

  public boolean readsThis() {
    return argumentIndex < 0 && staticRoot == null;
  }

  /** True when the path is its root alone ({@code argN} or {@code this}): no step, no static. */
  boolean isBareRoot() {
    return staticRoot == null && steps.length == 0;
  }

  /** The steps' names, with {@code ()} on getters, for tools that check them. */
  public List<String> stepNames() {
    List<String> names = new ArrayList<>();
    for (Step step : steps) {
      names.add(step.call ? step.name + "()" : step.name);
    }
    return names;
  }

  /**
   * Resolves a step against a class without calling it: null when it resolves, else why not. Used
   * by tools that check rules before a service runs.
   */
  public static String explainUnresolvable(Class<?> type, String stepName) {
    boolean call = stepName.endsWith("()");
    Step step = new Step(call ? stepName.substring(0, stepName.length() - 2) : stepName, call);
    Object accessor = step.accessors.get(type);
    return accessor instanceof String ? (String) accessor : null;
  }

  /** What a call must pass for this path: nothing for a {@code static} root, else its root. */
  public CallInput input() {
    if (staticRoot != null) {
      return CallInput.NONE;
    }
    return argumentIndex >= 0 ? CallInput.argument(argumentIndex) : CallInput.THIS;
  }

  /** Evaluates the path for one call; see {@link DatasetExpression#evaluate}. */
  public Object evaluate(Class<?> origin, Object self, Object[] args) {
    return nonNull(walk(root(origin, self, args)));
  }

  /**
   * As {@link #evaluate}, from the one value {@link #input()} names: the receiver (null in a static
   * method) or the argument; ignored for a {@code static} root.
   */
  public Object evaluateFrom(Class<?> origin, Object input) {
    return nonNull(walk(rootFrom(origin, input)));
  }

  private Object nonNull(Object value) {
    if (value == null) {
      throw new EvaluationException("'" + walked(steps.length) + "' is null");
    }
    return value;
  }

  /**
   * Runs the path for its effect, as {@code afterAcquire} does ({@code this.reload()}): the last
   * step may return {@code void}, {@code null} or anything else, which is ignored. Only a null
   * receiver on the way, or a step that throws, fails.
   */
  public void invoke(Class<?> origin, Object self, Object[] args) {
    walk(root(origin, self, args));
  }

  /** As {@link #invoke}, from the one value {@link #input()} names. */
  public void invokeFrom(Class<?> origin, Object input) {
    walk(rootFrom(origin, input));
  }

  private Object root(Class<?> origin, Object self, Object[] args) {
    if (staticRoot != null) {
      return staticRoot.read(origin);
    } else if (argumentIndex >= 0) {
      if (args == null || argumentIndex >= args.length) {
        throw new EvaluationException(
            "'arg"
                + argumentIndex
                + "' is out of range: the method takes "
                + (args == null ? 0 : args.length)
                + " argument(s)");
      }
      return args[argumentIndex];
    }
    return thisOf(self);
  }

  private Object rootFrom(Class<?> origin, Object input) {
    if (staticRoot != null) {
      return staticRoot.read(origin);
    }
    return argumentIndex >= 0 ? input : thisOf(input);
  }

  private static Object thisOf(Object self) {
    if (self == null) {
      throw new EvaluationException("'this' is not available in a static method");
    }
    return self;
  }

  /** The value of the last step from {@code root}, which may be null (a void method reads so). */
  private Object walk(Object root) {
    Object value = root;
    for (int i = 0; i < steps.length; i++) {
      if (value == null) {
        throw new EvaluationException("'" + walked(i) + "' is null");
      }
      value = steps[i].apply(value);
    }
    return value;
  }

  /** The expression up to its first {@code count} steps, for a message (built only on failure). */
  private String walked(int count) {
    StringBuilder out =
        new StringBuilder(staticRoot != null ? "static " + staticRoot.describe() : rootName());
    for (int i = 0; i < count; i++) {
      out.append('.').append(steps[i].call ? steps[i].name + "()" : steps[i].name);
    }
    return out.toString();
  }

  private String rootName() {
    return argumentIndex >= 0 ? "arg" + argumentIndex : "this";
  }

  /** A failure to compute a dataset value; the lock handler turns it into a refused call. */
  public static final class EvaluationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EvaluationException(String message) {
      super(message);
    }

    EvaluationException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A {@code static Class.FIELD} root, resolved through the guarded class's own loader. */
  private static final class StaticRoot {
    private final String className;
    private final String fieldName;
    private final ClassValue<Object> handles =
        new ClassValue<Object>() {
          @Override
          protected Object computeValue(Class<?> origin) {
            try {
              Class<?> owner = Class.forName(className, true, origin.getClassLoader());
              Field field = findField(owner, fieldName);
              if (field == null || !Modifier.isStatic(field.getModifiers())) {
                return "no static field '" + fieldName + "' in " + className;
              }
              field.setAccessible(true);
              return MethodHandles.lookup().unreflectGetter(field);
            } catch (ClassNotFoundException e) {
              return "class " + className + " is not visible from " + origin.getName();
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
              return "cannot read " + describe() + ": " + e;
            }
          }
        };

    StaticRoot(String className, String fieldName) {
      this.className = className;
      this.fieldName = fieldName;
    }

    String describe() {
      return className + "." + fieldName;
    }

    Object read(Class<?> origin) {
      Object handle = handles.get(origin);
      if (handle instanceof String) {
        throw new EvaluationException((String) handle);
      }
      try {
        return ((MethodHandle) handle).invoke();
      } catch (Throwable t) {
        throw new EvaluationException("reading " + describe() + " failed: " + t, t);
      }
    }
  }

  /** One {@code .field} or {@code .getter()} step with its per-class accessor cache. */
  private static final class Step {
    private final String name;
    private final boolean call;
    // Per receiver class: a MethodHandle (Object)Object, or a String saying why it cannot resolve.
    private final ClassValue<Object> accessors =
        new ClassValue<Object>() {
          @Override
          protected Object computeValue(Class<?> type) {
            return call ? resolveGetter(type) : resolveField(type);
          }
        };

    Step(String name, boolean call) {
      this.name = name;
      this.call = call;
    }

    Object apply(Object receiver) {
      Object accessor = accessors.get(receiver.getClass());
      if (accessor instanceof String) {
        throw new EvaluationException((String) accessor);
      }
      try {
        return ((MethodHandle) accessor).invokeExact(receiver);
      } catch (Throwable t) {
        throw new EvaluationException(
            (call ? name + "()" : "field " + name)
                + " of "
                + receiver.getClass().getName()
                + " failed: "
                + t,
            t);
      }
    }

    private Object resolveField(Class<?> type) {
      Field field = findField(type, name);
      if (field == null || Modifier.isStatic(field.getModifiers())) {
        String getter = "get" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
        return "no instance field '"
            + name
            + "' in "
            + type.getName()
            + (findGetter(type, getter) != null ? "; did you mean " + getter + "()?" : "");
      }
      try {
        field.setAccessible(true);
        return MethodHandles.lookup().unreflectGetter(field).asType(OBJECT_TO_OBJECT);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return "cannot read field '" + name + "' of " + type.getName() + ": " + e;
      }
    }

    private Object resolveGetter(Class<?> type) {
      Method method = findGetter(type, name);
      if (method == null) {
        return "no method " + name + "() without parameters in " + type.getName();
      }
      // void is fine for afterAcquire (this.reload()); as a dataset value it reads as null.
      try {
        return accessibleHandle(type, method).asType(OBJECT_TO_OBJECT);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return "cannot call " + name + "() on " + type.getName() + ": " + e;
      }
    }
  }

  private static Field findField(Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (f.getName().equals(name)) {
          return f;
        }
      }
    }
    return null;
  }

  private static Method findGetter(Class<?> type, String name) {
    try {
      return type.getMethod(name);
    } catch (NoSuchMethodException e) {
      for (Class<?> c = type; c != null; c = c.getSuperclass()) {
        for (Method m : c.getDeclaredMethods()) {
          if (m.getName().equals(name)
              && m.getParameterTypes().length == 0
              && !Modifier.isStatic(m.getModifiers())) {
            return m;
          }
        }
      }
      return null;
    }
  }

  /**
   * A handle for {@code method}, preferring a public declaration in an exported type: a JDK object
   * such as {@code sun.nio.fs.UnixPath} must be called through {@code Path.toString()}, since its
   * own class is closed to reflection.
   */
  private static MethodHandle accessibleHandle(Class<?> type, Method method)
      throws IllegalAccessException {
    // By name only: a JDK class may narrow the return type (UnixPath.normalize() returns
    // UnixPath), while the public interface declares Path.
    for (Class<?> c : supertypes(type)) {
      if (!Modifier.isPublic(c.getModifiers())) {
        continue;
      }
      try {
        Method declared = c.getMethod(method.getName());
        if (Modifier.isPublic(declared.getDeclaringClass().getModifiers())) {
          return MethodHandles.publicLookup().unreflect(declared);
        }
      } catch (NoSuchMethodException | IllegalAccessException | RuntimeException ignored) {
        // not public here (or not exported); try the next supertype
      }
    }
    method.setAccessible(true);
    return MethodHandles.lookup().unreflect(method);
  }

  private static List<Class<?>> supertypes(Class<?> type) {
    List<Class<?>> out = new ArrayList<>();
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      out.add(c);
    }
    for (int i = 0; i < out.size(); i++) {
      for (Class<?> itf : out.get(i).getInterfaces()) {
        if (!out.contains(itf)) {
          out.add(itf);
        }
      }
    }
    return out;
  }
}
