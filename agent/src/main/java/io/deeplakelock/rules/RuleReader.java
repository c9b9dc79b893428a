package io.deeplakelock.rules;

import io.deeplakelock.bridge.LockMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads the entries of one file's {@code rules} list, one {@link Rule} at a time, reporting each
 * problem at the key it is about. Rule names must be unique within the file.
 */
final class RuleReader {

  private static final List<String> KEYS =
      Arrays.asList(
          "name",
          "class",
          "subtypesOf",
          "annotatedWith",
          "methods",
          "lock",
          "dataset",
          "lockPath",
          "timeout",
          "onTimeout",
          "readLocks",
          "onLockLost",
          "afterAcquire",
          "mode");

  /** A class name or glob: {@code com.acme.Dataset}, {@code com.acme.*Dataset}, {@code com..*}. */
  private static final Pattern CLASS_PATTERN =
      Pattern.compile("[A-Za-z_$*][\\w$*]*(\\.{1,2}[A-Za-z_$*][\\w$*]*)*");

  private static final Pattern TYPE_NAME =
      Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*");

  private final YamlReader yaml;
  private final LockPolicy defaults;
  private final RolloutMode fileMode;
  private final Map<String, Node> names = new HashMap<>(); // each name's first use

  /**
   * @param defaults the {@code locks} section's policy, which each rule may override
   * @param fileMode the file's {@code mode}, which each rule may override
   */
  RuleReader(YamlReader yaml, LockPolicy defaults, RolloutMode fileMode) {
    this.yaml = yaml;
    this.defaults = defaults;
    this.fileMode = fileMode;
  }

  /**
   * The policy keys ({@code timeout}, {@code onTimeout}, {@code readLocks}, {@code onLockLost}) of
   * the {@code locks} section or of a rule, over {@code base}.
   */
  static LockPolicy policy(YamlReader yaml, Map<String, Node> keys, LockPolicy base) {
    return new LockPolicy(
        yaml.positiveDuration(keys.get("timeout"), base.timeoutMillis()),
        yaml.choice(keys.get("onTimeout"), base.onTimeout()),
        yaml.bool(keys.get("readLocks"), base.readLocks()),
        yaml.choice(keys.get("onLockLost"), base.onLockLost()));
  }

  /**
   * The rule that {@code item} describes, numbered {@code id}; null when one of its values has a
   * problem. An unknown or repeated key is reported without stopping the rule.
   */
  Rule read(Node item, int id) {
    Map<String, Node> keys = yaml.mapping(item, "a rule", KEYS);
    int before = yaml.problemCount();
    String name = name(keys, item);
    NamePattern classPattern = classPattern(keys.get("class"));
    String subtypesOf = typeName(keys.get("subtypesOf"));
    String annotatedWith = typeName(keys.get("annotatedWith"));
    checkClassSelection(keys, item);
    List<MethodSelector> methods =
        keys.containsKey("methods") || !keys.containsKey("annotatedWith")
            ? methods(keys.get("methods"), item)
            : Collections.singletonList(MethodSelector.parse("*"));
    LockMode mode =
        keys.containsKey("lock")
            ? yaml.choice(keys.get("lock"), LockMode.values(), LockMode::label)
            : missing(item, "lock", "say lock: write or lock: read");
    String lockPath = yaml.znodePath(keys.get("lockPath"));
    DatasetExpression dataset = dataset(keys, item);
    LockPolicy policy = policy(yaml, keys, defaults);
    RolloutMode rollout =
        yaml.choice(
            keys.get("mode"),
            RolloutMode.FOR_RULES,
            RolloutMode::label,
            fileMode == RolloutMode.DISCOVER ? RolloutMode.SHADOW : fileMode);
    ValuePath afterAcquire = afterAcquire(keys.get("afterAcquire"));
    if (yaml.problemCount() != before) {
      return null;
    }
    return new Rule(
        id,
        name,
        yaml.position(item),
        classPattern,
        subtypesOf,
        annotatedWith,
        methods,
        mode,
        dataset,
        lockPath,
        policy,
        afterAcquire,
        rollout);
  }

  private String name(Map<String, Node> keys, Node item) {
    Node node = keys.get("name");
    if (node == null) {
      return missing(item, "name", "give the rule a unique name, e.g. name: writes");
    }
    String name = yaml.text(node);
    Node first = name == null ? null : names.putIfAbsent(name, node);
    if (first != null) {
      yaml.problem(
          node,
          "rule name '"
              + name
              + "' is used twice (first at "
              + yaml.position(first)
              + "); names must be unique");
    }
    return name;
  }

  private NamePattern classPattern(Node node) {
    String className = yaml.text(node);
    if (className == null) {
      return null;
    }
    if (!CLASS_PATTERN.matcher(className).matches()) {
      yaml.problem(
          node,
          "'"
              + className
              + "' is not a class name or glob; write it fully qualified (com.acme.Dataset)"
              + " or as a glob (com.acme.*Dataset, com.acme..*)");
      return null;
    }
    return NamePattern.of(className);
  }

  private String typeName(Node node) {
    String text = yaml.text(node);
    if (text != null && !TYPE_NAME.matcher(text).matches()) {
      yaml.problem(
          node, "'" + text + "' is not a fully qualified type name, e.g. com.acme.DatasetStore");
      return null;
    }
    return text;
  }

  private void checkClassSelection(Map<String, Node> keys, Node item) {
    if (!keys.containsKey("class")
        && !keys.containsKey("subtypesOf")
        && !keys.containsKey("annotatedWith")) {
      yaml.problem(
          item,
          "the rule selects no classes; give class: com.acme.Dataset (or a glob), subtypesOf:"
              + " com.acme.Store or annotatedWith: com.acme.Guarded");
    }
    if (keys.containsKey("class") && keys.containsKey("subtypesOf")) {
      yaml.problem(
          keys.get("subtypesOf"),
          "give either class or subtypesOf, not both (subtypesOf already includes the named"
              + " type's own methods)");
    }
  }

  private List<MethodSelector> methods(Node node, Node item) {
    List<MethodSelector> out = new ArrayList<>();
    if (node == null) {
      missing(item, "methods", "list them, e.g. methods: [append, update]");
      return out;
    }
    List<Node> entries =
        node instanceof SequenceNode
            ? ((SequenceNode) node).getValue()
            : Collections.singletonList(node);
    if (entries.isEmpty()) {
      yaml.problem(node, "'methods' is empty; list at least one method name");
    }
    for (Node entry : entries) {
      String text = yaml.text(entry);
      if (text == null) {
        continue;
      }
      try {
        out.add(MethodSelector.parse(text));
      } catch (DatasetExpression.SyntaxException e) {
        yaml.problemAt(entry, e.offset(), e.getMessage());
      }
    }
    return out;
  }

  private DatasetExpression dataset(Map<String, Node> keys, Node item) {
    if (keys.containsKey("dataset")) {
      return expression(keys.get("dataset"));
    }
    if (!keys.containsKey("lockPath")) {
      yaml.problem(
          item,
          "the rule has no 'dataset': say where the dataset path comes from (arg0, this.path,"
              + " this.getPath(), a constant) or give a fixed lockPath");
    }
    return null;
  }

  /** {@code afterAcquire}: one call of a no-argument method on the receiver. */
  private ValuePath afterAcquire(Node node) {
    DatasetExpression parsed = expression(node);
    if (parsed == null) {
      return null;
    }
    List<ValuePath> paths = parsed.paths();
    ValuePath path = paths.size() == 1 ? paths.get(0) : null;
    if (path != null
        && path.source().equals(parsed.source())
        && path.readsThis()
        && !path.stepNames().isEmpty()
        && path.stepNames().get(path.stepNames().size() - 1).endsWith("()")) {
      return path;
    }
    yaml.problem(
        node, "afterAcquire must call a no-argument method on the receiver, e.g. this.reload()");
    return null;
  }

  private DatasetExpression expression(Node node) {
    String text = yaml.text(node);
    if (text == null) {
      return null;
    }
    try {
      return DatasetExpression.parse(text);
    } catch (DatasetExpression.SyntaxException e) {
      yaml.problemAt(node, e.offset(), e.getMessage());
      return null;
    }
  }

  private <T> T missing(Node item, String key, String fix) {
    yaml.problem(item, "the rule has no '" + key + "'; " + fix);
    return null;
  }
}
