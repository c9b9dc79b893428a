package io.deeplakelock.rules;

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
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads and validates a rules file into an {@link AgentConfig}: the file, its top-level sections
 * and the list of rules.
 *
 * <p>The YAML and its typed values are read by {@link YamlReader}, each rule by {@link RuleReader},
 * the {@code auth}, {@code acl} and {@code tls} keys by {@link SecuritySection}, the {@code audit}
 * section by {@link AuditSection}; {@link RuleConflicts} refuses rules that guard one method two
 * ways. Every problem, from an unknown key to a bad dataset expression, is reported at its own
 * {@code file:line:col}, all problems of a file together.
 */
public final class RuleFile {

  /** Larger files are refused before parsing: a rules file is a few kilobytes. */
  static final int MAX_BYTES = 1024 * 1024;

  /** A longer linger only delays other processes; the benefit is gone after a few calls anyway. */
  static final long MAX_LINGER_MILLIS = 1000;

  private static final List<String> TOP_KEYS =
      Arrays.asList("zookeeper", "locks", "mode", "audit", "rules");

  private static final List<String> ZOOKEEPER_KEYS =
      Arrays.asList(
          "connect", "sessionTimeout", "connectionTimeout", "namespace", "auth", "acl", "tls");

  private static final List<String> LOCKS_KEYS =
      Arrays.asList(
          "root",
          "timeout",
          "onTimeout",
          "readLocks",
          "protocol",
          "onLockLost",
          "coalesce",
          "linger");

  private final String label;
  private final YamlReader yaml;

  private RuleFile(String label, Function<String, String> environment) {
    this.label = label;
    this.yaml = new YamlReader(label, environment);
  }

  /** Loads a rules file, expanding {@code ${NAME}} from the process environment. */
  public static AgentConfig load(Path file) throws RuleFileException {
    return load(file, System::getenv);
  }

  /** Loads a rules file with the given environment (tests pass their own). */
  public static AgentConfig load(Path file, Function<String, String> environment)
      throws RuleFileException {
    String label = file.toString();
    SourcePosition start = new SourcePosition(label, 1, 1);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw RuleFileException.at(
          start,
          "cannot read the rules file ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "); pass an existing file as -javaagent:deeplake-lock.jar=path/to/rules.yaml");
    }
    if (bytes.length > MAX_BYTES) {
      throw RuleFileException.at(
          start,
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
      throw RuleFileException.at(start, "the file is not UTF-8 text; save it as UTF-8");
    }
    return parse(label, text, environment);
  }

  /** Parses rules file text; {@code label} names it in error messages. */
  public static AgentConfig parse(String label, String text, Function<String, String> environment)
      throws RuleFileException {
    return new RuleFile(label, environment).read(text);
  }

  private AgentConfig read(String text) throws RuleFileException {
    Node root = yaml.compose(text);
    Map<String, Node> top = yaml.mapping(root, "the rules file", TOP_KEYS);
    RolloutMode fileMode = yaml.choice(top.get("mode"), RolloutMode.ENFORCE);
    Map<String, Node> zk = section(top, "zookeeper", ZOOKEEPER_KEYS);
    if (!top.containsKey("zookeeper")) {
      yaml.problem(
          root, "'zookeeper' is required; add a zookeeper section with connect: host:port");
    }
    Map<String, Node> locks = section(top, "locks", LOCKS_KEYS);

    String connect = yaml.text(zk.get("connect"));
    if (top.containsKey("zookeeper") && !zk.containsKey("connect")) {
      yaml.problem(
          top.get("zookeeper"), "zookeeper.connect is required, e.g. connect: 127.0.0.1:2181");
    }
    long sessionTimeout = yaml.positiveDuration(zk.get("sessionTimeout"), 30_000L);
    long connectionTimeout = yaml.positiveDuration(zk.get("connectionTimeout"), 10_000L);
    String namespace = namespace(zk.get("namespace"));
    ZooKeeperSecurity security = new SecuritySection(yaml).read(zk);

    String lockRoot = locks.containsKey("root") ? yaml.znodePath(locks.get("root")) : "/deeplake";
    AgentConfig.Protocol protocol = yaml.choice(locks.get("protocol"), AgentConfig.Protocol.KAZOO);
    LockPolicy defaults = RuleReader.policy(yaml, locks, LockPolicy.defaults());
    boolean coalesce = yaml.bool(locks.get("coalesce"), true);
    long linger = linger(locks.get("linger"));

    AuditSettings audit = new AuditSection(yaml).read(top.get("audit"), fileMode, top.get("mode"));

    List<Rule> rules =
        rules(
            top.get("rules"),
            root,
            new RuleReader(yaml, defaults, fileMode),
            fileMode == RolloutMode.DISCOVER);
    yaml.failOnProblems();
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
        rules,
        fileMode,
        audit);
  }

  /** The keys of a top-level section; none when it is absent. */
  private Map<String, Node> section(Map<String, Node> top, String name, List<String> allowed) {
    return top.containsKey(name)
        ? yaml.mapping(top.get(name), name, allowed)
        : Collections.<String, Node>emptyMap();
  }

  /** {@code zookeeper.namespace}: a chroot written without its leading '/'. */
  private String namespace(Node node) {
    String text = yaml.text(node);
    if (text == null) {
      return null;
    }
    String error =
        text.startsWith("/") ? "drop the leading '/'" : YamlReader.znodePathError("/" + text);
    if (error != null) {
      yaml.problem(node, "'" + text + "' is not a namespace: " + error + " (write e.g. deeplake)");
      return null;
    }
    return text;
  }

  /**
   * {@code locks.linger}: unset for adaptive lingering ({@link AgentConfig#ADAPTIVE_LINGER}), 0
   * (off) or a fixed duration up to {@link #MAX_LINGER_MILLIS}.
   */
  private long linger(Node node) {
    if (node == null) {
      return AgentConfig.ADAPTIVE_LINGER;
    }
    String text = yaml.text(node);
    if (text == null || text.trim().equals("0")) {
      return 0;
    }
    try {
      long millis = Durations.parseMillis(text);
      if (millis > MAX_LINGER_MILLIS) {
        yaml.problem(
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
      yaml.problem(node, e.getMessage() + " (or 0 for off)");
      return 0;
    }
  }

  /**
   * The {@code rules} list: each entry read, then checked against the rules before it. With {@code
   * mode: discover} it may be absent or empty: finding the rules is what that mode is for.
   */
  private List<Rule> rules(Node node, Node root, RuleReader reader, boolean discovering) {
    List<Rule> rules = new ArrayList<>();
    if (node == null && discovering) {
      return rules;
    }
    if (node == null) {
      yaml.problem(
          root, "'rules' is required: list the methods to guard (see config/ for examples)");
      return rules;
    }
    if (!(node instanceof SequenceNode)) {
      yaml.problem(node, "'rules' must be a list of rules, each starting with '- name: ...'");
      return rules;
    }
    List<Node> items = ((SequenceNode) node).getValue();
    if (items.isEmpty() && !discovering) {
      yaml.problem(node, "'rules' is empty; list at least one rule");
    }
    for (Node item : items) {
      Rule rule = reader.read(item, rules.size());
      if (rule != null) {
        String conflict = RuleConflicts.find(rule, rules);
        if (conflict != null) {
          yaml.problem(item, conflict);
        }
        rules.add(rule);
      }
    }
    return rules;
  }

  // ---- kept for callers outside this package; the behaviour is the rule's own ----------------

  /** Same as {@link Rule#sameGuard(Rule)}. */
  public static boolean sameGuard(Rule a, Rule b) {
    return a.sameGuard(b);
  }

  /** Same as {@link Rule#sameLock(Rule)}. */
  public static boolean sameLockOnly(Rule a, Rule b) {
    return a.sameLock(b);
  }

  /** Same as {@link Rule#guardLabel()}. */
  public static String guardLabel(Rule rule) {
    return rule.guardLabel();
  }

  /** Same as {@link Rule#lockLabel()}. */
  public static String lockLabel(Rule rule) {
    return rule.lockLabel();
  }
}
