package io.deeplakelock.rules;

import io.deeplakelock.bridge.LockMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads and validates a rules file into an {@link AgentConfig}.
 *
 * <p>YAML 1.2 through snakeyaml-engine's composer, so no tag can construct an object and {@code no}
 * stays a string. The node tree is walked by hand so that every problem, from an unknown key to a
 * bad dataset expression, is reported at its own {@code file:line:col}; all problems of a file are
 * reported together.
 */
public final class RuleFile {

  /** Larger files are refused before parsing: a rules file is a few kilobytes. */
  static final int MAX_BYTES = 1024 * 1024;

  /** A longer linger only delays other processes; the benefit is gone after a few calls anyway. */
  static final long MAX_LINGER_MILLIS = 1000;

  // ENV_TAG: snakeyaml-engine tags a plain ${NAME} value itself; we expand it as text.
  private static final List<Tag> PLAIN_TAGS =
      Arrays.asList(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP, Tag.SEQ, Tag.ENV_TAG);

  private final String label;
  private final EnvExpander env;
  private final Function<String, String> environment;
  private final List<String> problems = new ArrayList<>();

  private RuleFile(String label, Function<String, String> environment) {
    this.label = label;
    this.env = new EnvExpander(environment);
    this.environment = environment;
  }

  /** Loads a rules file, expanding {@code ${NAME}} from the process environment. */
  public static AgentConfig load(Path file) throws RuleFileException {
    return load(file, System::getenv);
  }

  /** Loads a rules file with the given environment (tests pass their own). */
  public static AgentConfig load(Path file, Function<String, String> environment)
      throws RuleFileException {
    String label = file.toString();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw RuleFileException.at(
          new SourcePosition(label, 1, 1),
          "cannot read the rules file ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "); pass an existing file as -javaagent:deeplake-lock.jar=path/to/rules.yaml");
    }
    if (bytes.length > MAX_BYTES) {
      throw RuleFileException.at(
          new SourcePosition(label, 1, 1),
          "the file has "
              + bytes.length
              + " bytes; a rules file may have at most "
              + MAX_BYTES
              + " (1 MiB)");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw RuleFileException.at(
          new SourcePosition(label, 1, 1), "the file is not UTF-8 text; save it as UTF-8");
    }
    return parse(label, text, environment);
  }

  /** Parses rules file text; {@code label} names it in error messages. */
  public static AgentConfig parse(String label, String text, Function<String, String> environment)
      throws RuleFileException {
    return new RuleFile(label, environment).read(text);
  }

  private AgentConfig read(String text) throws RuleFileException {
    Node root = composeSingleDocument(text);
    Map<String, Node> top =
        mapping(root, "the rules file", Arrays.asList("zookeeper", "locks", "mode", "rules"));
    RolloutMode fileMode =
        top.containsKey("mode")
            ? orDefault(
                choice(top.get("mode"), RolloutMode.class, "enforce", "observe", "shadow"),
                RolloutMode.ENFORCE)
            : RolloutMode.ENFORCE;
    Map<String, Node> zk =
        top.containsKey("zookeeper")
            ? mapping(
                top.get("zookeeper"),
                "zookeeper",
                Arrays.asList(
                    "connect",
                    "sessionTimeout",
                    "connectionTimeout",
                    "namespace",
                    "auth",
                    "acl",
                    "tls"))
            : missing(root, "zookeeper", "add a zookeeper section with connect: host:port");
    Map<String, Node> locks =
        top.containsKey("locks")
            ? mapping(
                top.get("locks"),
                "locks",
                Arrays.asList(
                    "root",
                    "timeout",
                    "onTimeout",
                    "readLocks",
                    "protocol",
                    "onLockLost",
                    "coalesce",
                    "linger"))
            : Collections.<String, Node>emptyMap();

    String connect = zk.containsKey("connect") ? text(zk.get("connect")) : null;
    if (!zk.containsKey("connect") && top.containsKey("zookeeper")) {
      problem(top.get("zookeeper"), "zookeeper.connect is required, e.g. connect: 127.0.0.1:2181");
    }
    long sessionTimeout = positiveDuration(zk.get("sessionTimeout"), 30_000L);
    long connectionTimeout = positiveDuration(zk.get("connectionTimeout"), 10_000L);
    String namespace = zk.containsKey("namespace") ? namespace(zk.get("namespace")) : null;
    ZooKeeperSecurity security = new SecuritySection(this).read(zk);

    String lockRoot = locks.containsKey("root") ? znodePath(locks.get("root")) : "/deeplake";
    AgentConfig.Protocol protocol =
        locks.containsKey("protocol")
            ? choice(locks.get("protocol"), AgentConfig.Protocol.class, "kazoo", "curator")
            : AgentConfig.Protocol.KAZOO;
    LockPolicy defaults = policy(locks, LockPolicy.defaults());
    boolean coalesce =
        !locks.containsKey("coalesce") || !Boolean.FALSE.equals(bool(locks.get("coalesce")));
    long linger = linger(locks.get("linger"));

    List<Rule> rules = new ArrayList<>();
    if (!top.containsKey("rules")) {
      problem(root, "'rules' is required: list the methods to guard (see config/ for examples)");
    } else {
      rules = rules(top.get("rules"), defaults, fileMode);
    }
    if (!problems.isEmpty()) {
      throw new RuleFileException(inFileOrder(problems));
    }
    return new AgentConfig(
        label,
        connect,
        sessionTimeout,
        connectionTimeout,
        namespace,
        security,
        lockRoot,
        protocol,
        coalesce,
        linger,
        rules);
  }

  /** {@code locks.linger}: 0 (off) or a duration up to {@link #MAX_LINGER_MILLIS}. */
  private long linger(Node node) {
    if (node == null) {
      return 0;
    }
    String text = text(node);
    if (text == null || text.trim().equals("0")) {
      return 0;
    }
    try {
      long millis = Durations.parseMillis(text);
      if (millis > MAX_LINGER_MILLIS) {
        problem(
            node,
            "linger "
                + text.trim()
                + " is too long: a lingering write node makes every other process wait for its"
                + " release notification; use at most "
                + Durations.format(MAX_LINGER_MILLIS)
                + " (20ms is typical), or 0 for off");
        return 0;
      }
      return millis;
    } catch (IllegalArgumentException e) {
      problem(node, e.getMessage() + " (or 0 for off)");
      return 0;
    }
  }

  private static <T> T orDefault(T value, T fallback) {
    return value == null ? fallback : value;
  }

  private List<Rule> rules(Node node, LockPolicy defaults, RolloutMode fileMode) {
    List<Rule> rules = new ArrayList<>();
    if (!(node instanceof SequenceNode)) {
      problem(node, "'rules' must be a list of rules, each starting with '- name: ...'");
      return rules;
    }
    List<Node> items = ((SequenceNode) node).getValue();
    if (items.isEmpty()) {
      problem(node, "'rules' is empty; list at least one rule");
    }
    Map<String, Node> names = new LinkedHashMap<>();
    for (Node item : items) {
      Map<String, Node> r =
          mapping(
              item,
              "a rule",
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
                  "mode"));
      int before = problems.size();
      String name = required(r, item, "name", "give the rule a unique name, e.g. name: writes");
      if (name != null && names.containsKey(name)) {
        problem(
            r.get("name"),
            "rule name '"
                + name
                + "' is used twice (first at "
                + position(names.get(name))
                + "); names must be unique");
      } else if (name != null) {
        names.put(name, r.get("name"));
      }
      NamePattern classPattern = null;
      if (r.containsKey("class")) {
        String className = text(r.get("class"));
        if (className != null
            && !className.matches("[A-Za-z_$*][\\w$*]*(\\.{1,2}[A-Za-z_$*][\\w$*]*)*")) {
          problem(
              r.get("class"),
              "'"
                  + className
                  + "' is not a class name or glob; write it fully qualified (com.acme.Dataset)"
                  + " or as a glob (com.acme.*Dataset, com.acme..*)");
        } else if (className != null) {
          classPattern = NamePattern.of(className);
        }
      }
      String subtypesOf = r.containsKey("subtypesOf") ? typeName(r.get("subtypesOf")) : null;
      String annotatedWith =
          r.containsKey("annotatedWith") ? typeName(r.get("annotatedWith")) : null;
      if (!r.containsKey("class")
          && !r.containsKey("subtypesOf")
          && !r.containsKey("annotatedWith")) {
        problem(
            item,
            "the rule selects no classes; give class: com.acme.Dataset (or a glob), subtypesOf:"
                + " com.acme.Store or annotatedWith: com.acme.Guarded");
      }
      if (r.containsKey("class") && r.containsKey("subtypesOf")) {
        problem(
            r.get("subtypesOf"),
            "give either class or subtypesOf, not both (subtypesOf already includes the named"
                + " type's own methods)");
      }
      List<MethodSelector> methods =
          r.containsKey("methods") || !r.containsKey("annotatedWith")
              ? methods(r, item)
              : Collections.singletonList(MethodSelector.parse("*"));
      LockMode mode =
          r.containsKey("lock")
              ? choice(r.get("lock"), LockMode.class, "read", "write")
              : requiredMissing(item, "lock", "say lock: write or lock: read");
      String lockPath = r.containsKey("lockPath") ? znodePath(r.get("lockPath")) : null;
      DatasetExpression dataset = null;
      if (r.containsKey("dataset")) {
        dataset = expression(r.get("dataset"));
      } else if (!r.containsKey("lockPath")) {
        problem(
            item,
            "the rule has no 'dataset': say where the dataset path comes from (arg0, this.path,"
                + " this.getPath(), a constant) or give a fixed lockPath");
      }
      LockPolicy policy = policy(r, defaults);
      RolloutMode rollout =
          r.containsKey("mode")
              ? orDefault(
                  choice(r.get("mode"), RolloutMode.class, "enforce", "observe", "shadow"),
                  fileMode)
              : fileMode;
      ValuePath afterAcquire =
          r.containsKey("afterAcquire") ? afterAcquire(r.get("afterAcquire")) : null;
      if (problems.size() == before) {
        Rule rule =
            new Rule(
                rules.size(),
                name,
                position(item),
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
        checkConflicts(rule, rules, item);
        rules.add(rule);
      }
    }
    return rules;
  }

  /**
   * Refuses two rules that put different locks on one method of one named class; such a method
   * cannot be guarded without guessing. (Globs and subtypes are checked as classes load.)
   */
  private void checkConflicts(Rule rule, List<Rule> earlier, Node where) {
    if (rule.classPattern() == null || !rule.classPattern().isExact()) {
      return;
    }
    for (Rule other : earlier) {
      if (other.classPattern() == null
          || !other.classPattern().isExact()
          || !other.className().equals(rule.className())
          || sameGuard(rule, other)) {
        continue;
      }
      for (MethodSelector a : rule.methods()) {
        for (MethodSelector b : other.methods()) {
          if (a.overlaps(b)) {
            problem(
                where,
                "rules '"
                    + other.name()
                    + "' ("
                    + other.position()
                    + ") and '"
                    + rule.name()
                    + "' both guard "
                    + rule.className()
                    + "."
                    + a
                    + (sameLockOnly(other, rule)
                        ? " with different settings ("
                            + guardLabel(other)
                            + " vs "
                            + guardLabel(rule)
                            + "); a method is guarded one way"
                        : " with different locks ("
                            + lockLabel(other)
                            + " vs "
                            + lockLabel(rule)
                            + "); a method takes one lock")
                    + ": remove it from one of the rules");
            return;
          }
        }
      }
    }
  }

  /**
   * True when two rules do exactly the same to a call (lock, policies, afterAcquire, mode), so
   * either may guard a method both match; any difference makes that method a conflict.
   */
  public static boolean sameGuard(Rule a, Rule b) {
    return a.mode() == b.mode()
        && String.valueOf(a.lockPath()).equals(String.valueOf(b.lockPath()))
        && String.valueOf(a.dataset()).equals(String.valueOf(b.dataset()))
        && a.policy().toString().equals(b.policy().toString())
        && String.valueOf(a.afterAcquire() == null ? null : a.afterAcquire().source())
            .equals(String.valueOf(b.afterAcquire() == null ? null : b.afterAcquire().source()))
        && a.rollout() == b.rollout();
  }

  /** True when two rules take the same lock (they may still differ in other settings). */
  public static boolean sameLockOnly(Rule a, Rule b) {
    return lockLabel(a).equals(lockLabel(b));
  }

  /** Everything a rule does to a call, for conflict messages. */
  public static String guardLabel(Rule rule) {
    return lockLabel(rule)
        + " "
        + rule.policy()
        + (rule.afterAcquire() != null ? " afterAcquire=" + rule.afterAcquire().source() : "")
        + (rule.rollout() != RolloutMode.ENFORCE ? " mode=" + rule.rollout().label() : "");
  }

  /** How a rule's lock reads in messages: {@code write lock on this.path}. */
  public static String lockLabel(Rule rule) {
    return rule.mode().label()
        + " lock on "
        + (rule.lockPath() != null ? rule.lockPath() : String.valueOf(rule.dataset()));
  }

  private String typeName(Node node) {
    String text = text(node);
    if (text != null && !text.matches("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*")) {
      problem(
          node, "'" + text + "' is not a fully qualified type name, e.g. com.acme.DatasetStore");
      return null;
    }
    return text;
  }

  private ValuePath afterAcquire(Node node) {
    String text = text(node);
    if (text == null) {
      return null;
    }
    try {
      DatasetExpression parsed = DatasetExpression.parse(text);
      List<ValuePath> paths = parsed.paths();
      if (paths.size() == 1
          && paths.get(0).source().equals(text.trim())
          && paths.get(0).readsThis()
          && !paths.get(0).stepNames().isEmpty()
          && paths.get(0).stepNames().get(paths.get(0).stepNames().size() - 1).endsWith("()")) {
        return paths.get(0);
      }
      problem(
          node, "afterAcquire must call a no-argument method on the receiver, e.g. this.reload()");
    } catch (DatasetExpression.SyntaxException e) {
      problemAt(node, e.offset(), e.getMessage());
    }
    return null;
  }

  private List<MethodSelector> methods(Map<String, Node> rule, Node ruleNode) {
    List<MethodSelector> out = new ArrayList<>();
    Node node = rule.get("methods");
    if (node == null) {
      problem(ruleNode, "the rule has no 'methods'; list them, e.g. methods: [append, update]");
      return out;
    }
    List<Node> items =
        node instanceof SequenceNode
            ? ((SequenceNode) node).getValue()
            : Collections.singletonList(node);
    if (items.isEmpty()) {
      problem(node, "'methods' is empty; list at least one method name");
    }
    for (Node item : items) {
      String text = text(item);
      if (text == null) {
        continue;
      }
      try {
        out.add(MethodSelector.parse(text));
      } catch (DatasetExpression.SyntaxException e) {
        problemAt(item, e.offset(), e.getMessage());
      }
    }
    return out;
  }

  private DatasetExpression expression(Node node) {
    String text = text(node);
    if (text == null) {
      return null;
    }
    try {
      return DatasetExpression.parse(text);
    } catch (DatasetExpression.SyntaxException e) {
      problemAt(node, e.offset(), e.getMessage());
      return null;
    }
  }

  private LockPolicy policy(Map<String, Node> keys, LockPolicy base) {
    LockPolicy policy = base;
    if (keys.containsKey("timeout")) {
      policy =
          policy.withTimeoutMillis(positiveDuration(keys.get("timeout"), base.timeoutMillis()));
    }
    if (keys.containsKey("onTimeout")) {
      LockPolicy.OnTimeout v =
          choice(keys.get("onTimeout"), LockPolicy.OnTimeout.class, "fail", "run-unlocked");
      policy = v == null ? policy : policy.withOnTimeout(v);
    }
    if (keys.containsKey("readLocks")) {
      Boolean v = bool(keys.get("readLocks"));
      policy = v == null ? policy : policy.withReadLocks(v);
    }
    if (keys.containsKey("onLockLost")) {
      LockPolicy.OnLockLost v =
          choice(keys.get("onLockLost"), LockPolicy.OnLockLost.class, "throw", "log");
      policy = v == null ? policy : policy.withOnLockLost(v);
    }
    return policy;
  }

  // ---- YAML structure ----------------------------------------------------------------------

  private Node composeSingleDocument(String text) throws RuleFileException {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(label)
            .setAllowDuplicateKeys(true) // duplicates are reported by mapping(), with positions
            .setMaxAliasesForCollections(20)
            .setCodePointLimit(MAX_BYTES)
            .build();
    try {
      Iterator<Node> documents = new Compose(settings).composeAllFromString(text).iterator();
      if (!documents.hasNext()) {
        throw RuleFileException.at(
            new SourcePosition(label, 1, 1),
            "the rules file is empty; it needs a zookeeper section and a list of rules");
      }
      Node first = documents.next();
      if (documents.hasNext()) {
        Node second = documents.next();
        throw RuleFileException.at(
            position(second),
            "the file holds more than one YAML document; keep one (remove this '---' and what"
                + " follows, or merge it into the first)");
      }
      return first;
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> mark = e.getProblemMark();
      SourcePosition where =
          mark.isPresent()
              ? new SourcePosition(label, mark.get().getLine() + 1, mark.get().getColumn() + 1)
              : new SourcePosition(label, 1, 1);
      String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
      throw RuleFileException.at(
          where, "YAML syntax error: " + e.getProblem() + context + "; fix the YAML here");
    } catch (YamlEngineException e) {
      throw RuleFileException.at(new SourcePosition(label, 1, 1), "YAML error: " + e.getMessage());
    }
  }

  Map<String, Node> mapping(Node node, String what, List<String> allowed) {
    Map<String, Node> out = new LinkedHashMap<>();
    if (!checkTag(node)) {
      return out;
    }
    if (!(node instanceof MappingNode)) {
      problem(node, what + " must be a mapping of key: value lines");
      return out;
    }
    for (NodeTuple tuple : ((MappingNode) node).getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode)) {
        problem(keyNode, "keys must be plain words, such as " + allowed.get(0));
        continue;
      }
      String key = ((ScalarNode) keyNode).getValue();
      if (!allowed.contains(key)) {
        problem(keyNode, unknownKey(key, what, allowed));
        continue;
      }
      if (out.containsKey(key)) {
        problem(
            keyNode,
            "duplicate key '" + key + "' (first at " + position(out.get(key)) + "); keep only one");
        continue;
      }
      if (checkTag(tuple.getValueNode())) {
        out.put(key, tuple.getValueNode());
      }
    }
    return out;
  }

  private String unknownKey(String key, String what, List<String> allowed) {
    String suggestion = null;
    for (String candidate : allowed) {
      if (candidate.equalsIgnoreCase(key) || editDistance(candidate, key) <= 2) {
        suggestion = candidate;
        break;
      }
    }
    return "unknown key '"
        + key
        + "' in "
        + what
        + (suggestion != null ? "; did you mean '" + suggestion + "'?" : "")
        + " (allowed: "
        + String.join(", ", allowed)
        + ")";
  }

  private boolean checkTag(Node node) {
    if (!PLAIN_TAGS.contains(node.getTag())) {
      problem(
          node,
          "YAML tag '"
              + node.getTag().getValue()
              + "' is not allowed in a rules file; remove it and write a plain value");
      return false;
    }
    return true;
  }

  private <T> Map<String, T> missing(Node where, String key, String fix) {
    problem(where, "'" + key + "' is required; " + fix);
    return Collections.emptyMap();
  }

  private String required(Map<String, Node> keys, Node owner, String key, String fix) {
    if (!keys.containsKey(key)) {
      problem(owner, "the rule has no '" + key + "'; " + fix);
      return null;
    }
    return text(keys.get(key));
  }

  private <T> T requiredMissing(Node owner, String key, String fix) {
    problem(owner, "the rule has no '" + key + "'; " + fix);
    return null;
  }

  // ---- typed scalars ------------------------------------------------------------------------

  /** One environment variable, or null when unset. */
  String variable(String name) {
    return environment.apply(name);
  }

  /** A scalar as text with environment placeholders expanded, or null after a problem. */
  String text(Node node) {
    if (!checkTag(node)) {
      return null;
    }
    if (!(node instanceof ScalarNode) || node.getTag().equals(Tag.NULL)) {
      problem(node, "expected a single value here, not " + describe(node));
      return null;
    }
    ScalarNode scalar = (ScalarNode) node;
    try {
      return env.expand(scalar.getValue());
    } catch (EnvExpander.PlaceholderException e) {
      problemAt(node, e.offset, e.getMessage());
      return null;
    }
  }

  private long positiveDuration(Node node, long fallback) {
    if (node == null) {
      return fallback;
    }
    String text = text(node);
    if (text == null) {
      return fallback;
    }
    try {
      long millis = Durations.parseMillis(text);
      if (millis <= 0) {
        problem(node, "the duration must be greater than zero, e.g. 500ms or 30s");
        return fallback;
      }
      return millis;
    } catch (IllegalArgumentException e) {
      problem(node, e.getMessage());
      return fallback;
    }
  }

  Boolean bool(Node node) {
    String text = text(node);
    if (text == null) {
      return null;
    }
    if (text.equals("true") || text.equals("false")) {
      return Boolean.valueOf(text);
    }
    problem(node, "expected true or false, not '" + text + "'");
    return null;
  }

  <E extends Enum<E>> E choice(Node node, Class<E> type, String... labels) {
    String text = text(node);
    if (text == null) {
      return null;
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i].equals(text)) {
        return type.getEnumConstants()[i];
      }
    }
    problem(node, "'" + text + "' is not allowed here; write one of: " + String.join(", ", labels));
    return null;
  }

  private String znodePath(Node node) {
    String text = text(node);
    if (text == null) {
      return null;
    }
    String error = znodePathError(text);
    if (error != null) {
      problem(node, error);
      return null;
    }
    return text;
  }

  private String namespace(Node node) {
    String text = text(node);
    if (text == null) {
      return null;
    }
    String error = text.startsWith("/") ? "drop the leading '/'" : znodePathError("/" + text);
    if (error != null) {
      problem(node, "'" + text + "' is not a namespace: " + error + " (write e.g. deeplake)");
      return null;
    }
    return text;
  }

  /** Why {@code path} is not an absolute znode path, or null when it is one. */
  static String znodePathError(String path) {
    if (!path.startsWith("/")) {
      return "'" + path + "' must be an absolute znode path starting with '/', e.g. /deeplake";
    }
    if (path.length() > 1 && path.endsWith("/")) {
      return "'" + path + "' must not end with '/'";
    }
    if (path.equals("/")) {
      return "'/' is the ZooKeeper root; use a node of your own, e.g. /deeplake";
    }
    for (String segment : path.substring(1).split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "'" + path + "' has an empty, '.' or '..' segment; ZooKeeper does not allow them";
      }
      for (char c : segment.toCharArray()) {
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
          return "'" + path + "' holds a control character; ZooKeeper does not allow them";
        }
      }
    }
    return null;
  }

  // ---- positions and problems -------------------------------------------------------------

  void problem(Node node, String message) {
    problems.add(position(node) + ": " + message);
  }

  void problemAt(Node node, int offset, String message) {
    // Quoted scalars start one column before their text.
    int quote = node instanceof ScalarNode && !((ScalarNode) node).isPlain() ? 1 : 0;
    problems.add(position(node).shiftedBy(offset + quote) + ": " + message);
  }

  private SourcePosition position(Node node) {
    Optional<Mark> mark = node.getStartMark();
    return mark.isPresent()
        ? new SourcePosition(label, mark.get().getLine() + 1, mark.get().getColumn() + 1)
        : new SourcePosition(label, 1, 1);
  }

  /** Sorts {@code file:line:col: message} lines by line, then column. */
  private List<String> inFileOrder(List<String> lines) {
    List<String> sorted = new ArrayList<>(lines);
    int prefix = label.length() + 1;
    sorted.sort(
        (a, b) -> {
          int[] pa = lineAndColumn(a, prefix);
          int[] pb = lineAndColumn(b, prefix);
          return pa[0] != pb[0] ? Integer.compare(pa[0], pb[0]) : Integer.compare(pa[1], pb[1]);
        });
    return sorted;
  }

  private static int[] lineAndColumn(String problem, int prefix) {
    String[] parts = problem.substring(prefix).split(":", 3);
    try {
      return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    } catch (RuntimeException e) {
      return new int[] {0, 0};
    }
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return "an empty value";
  }

  private static int editDistance(String a, String b) {
    String x = a.toLowerCase(Locale.ROOT);
    String y = b.toLowerCase(Locale.ROOT);
    int[] prev = new int[y.length() + 1];
    int[] cur = new int[y.length() + 1];
    for (int j = 0; j <= y.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= x.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= y.length(); j++) {
        int cost = x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[y.length()];
  }
}
