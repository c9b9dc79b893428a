package io.deeplakelock.rules;

import java.util.ArrayList;
import java.util.Arrays;
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
 * The YAML side of a rules file: composes its one document, reads mappings and typed scalars, and
 * collects every {@link Problem} at its own {@code file:line:col}.
 *
 * <p>YAML 1.2 through snakeyaml-engine's composer, so no tag can construct an object and {@code no}
 * stays a string. A read that finds a problem records it and returns null (or the fallback it was
 * given), so that the caller goes on and all problems of a file are reported together by {@link
 * #failOnProblems()}. A null node stands for an absent key: typed reads return null or the fallback
 * for it without a problem.
 *
 * <p>The public methods are what the section readers ({@link RuleFile}, {@link RuleReader}, {@link
 * SecuritySection}) use; the class itself stays inside this package.
 */
final class YamlReader {

  // ENV_TAG: snakeyaml-engine tags a plain ${NAME} value itself; we expand it as text.
  private static final List<Tag> PLAIN_TAGS =
      Arrays.asList(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP, Tag.SEQ, Tag.ENV_TAG);

  private final String label;
  private final Function<String, String> environment;
  private final EnvExpander env;
  private final List<Problem> problems = new ArrayList<>();

  /**
   * @param label names the file in every position
   * @param environment expands {@code ${NAME}} placeholders
   */
  YamlReader(String label, Function<String, String> environment) {
    this.label = label;
    this.environment = environment;
    this.env = new EnvExpander(environment);
  }

  // ---- the document ---------------------------------------------------------------------------

  /**
   * The root node of the file's one YAML document.
   *
   * @throws RuleFileException for an empty file, a second document or a YAML syntax error: nothing
   *     else can be read then
   */
  public Node compose(String text) throws RuleFileException {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(label)
            .setAllowDuplicateKeys(true) // duplicates are reported by mapping(), with positions
            .setMaxAliasesForCollections(20)
            .setCodePointLimit(RuleFile.MAX_BYTES)
            .build();
    try {
      Iterator<Node> documents = new Compose(settings).composeAllFromString(text).iterator();
      if (!documents.hasNext()) {
        throw RuleFileException.at(
            start(), "the rules file is empty; it needs a zookeeper section and a list of rules");
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
      SourcePosition where = mark.isPresent() ? at(mark.get()) : start();
      String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
      throw RuleFileException.at(
          where, "YAML syntax error: " + e.getProblem() + context + "; fix the YAML here");
    } catch (YamlEngineException e) {
      throw RuleFileException.at(start(), "YAML error: " + e.getMessage());
    }
  }

  /**
   * The keys of a mapping, each with its value node, in file order. Unknown and duplicate keys and
   * disallowed tags are reported and left out.
   *
   * @param what names the mapping in messages, e.g. {@code zookeeper} or {@code a rule}
   * @param allowed the keys it may have, in the order a message lists them
   */
  public Map<String, Node> mapping(Node node, String what, List<String> allowed) {
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
      } else if (out.containsKey(key)) {
        problem(
            keyNode,
            "duplicate key '" + key + "' (first at " + position(out.get(key)) + "); keep only one");
      } else if (checkTag(tuple.getValueNode())) {
        out.put(key, tuple.getValueNode());
      }
    }
    return out;
  }

  // ---- typed scalars --------------------------------------------------------------------------

  /** A scalar as text with environment placeholders expanded; null when absent or wrong. */
  public String text(Node node) {
    if (node == null || !checkTag(node)) {
      return null;
    }
    if (!(node instanceof ScalarNode) || node.getTag().equals(Tag.NULL)) {
      problem(node, "expected a single value here, not " + describe(node));
      return null;
    }
    try {
      return env.expand(((ScalarNode) node).getValue());
    } catch (EnvExpander.PlaceholderException e) {
      problemAt(node, e.offset, e.getMessage());
      return null;
    }
  }

  /** {@code true} or {@code false} (not YAML 1.1's yes, no, on, off); the fallback otherwise. */
  public boolean bool(Node node, boolean fallback) {
    String text = text(node);
    if (text == null) {
      return fallback;
    }
    if (text.equals("true") || text.equals("false")) {
      return Boolean.parseBoolean(text);
    }
    problem(node, "expected true or false, not '" + text + "'");
    return fallback;
  }

  /** One of {@code allowed}, by its label; null when absent or not one of them. */
  public <E> E choice(Node node, E[] allowed, Function<E, String> label) {
    return choice(node, allowed, label, null);
  }

  /**
   * A constant of the fallback's enum, by its label; the fallback when absent or not one of them.
   */
  public <E extends Enum<E> & Labelled> E choice(Node node, E fallback) {
    return choice(node, fallback.getDeclaringClass().getEnumConstants(), Labelled::label, fallback);
  }

  /** One of {@code allowed}, by its label; the fallback when absent or not one of them. */
  public <E> E choice(Node node, E[] allowed, Function<E, String> label, E fallback) {
    String text = text(node);
    if (text == null) {
      return fallback;
    }
    List<String> labels = new ArrayList<>();
    for (E candidate : allowed) {
      String spelling = label.apply(candidate);
      if (spelling.equals(text)) {
        return candidate;
      }
      labels.add(spelling);
    }
    problem(node, "'" + text + "' is not allowed here; write one of: " + String.join(", ", labels));
    return fallback;
  }

  /** A duration greater than zero in milliseconds, such as {@code 500ms}; else the fallback. */
  public long positiveDuration(Node node, long fallback) {
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

  /** An absolute znode path such as {@code /deeplake}; null when absent or not one. */
  public String znodePath(Node node) {
    String text = text(node);
    String error = text == null ? null : znodePathError(text);
    if (error != null) {
      problem(node, error);
      return null;
    }
    return text;
  }

  /** Why {@code path} is not an absolute znode path, or null when it is one. */
  public static String znodePathError(String path) {
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

  /** One environment variable, or null when unset: for values that must not be expanded. */
  public String variable(String name) {
    return environment.apply(name);
  }

  // ---- positions and problems -----------------------------------------------------------------

  /** Records a problem at the start of {@code node}. */
  public void problem(Node node, String message) {
    problems.add(new Problem(position(node), message));
  }

  /** Records a problem {@code offset} characters into a scalar's text. */
  public void problemAt(Node node, int offset, String message) {
    // Quoted scalars start one column before their text.
    int quote = node instanceof ScalarNode && !((ScalarNode) node).isPlain() ? 1 : 0;
    problems.add(new Problem(position(node).shiftedBy(offset + quote), message));
  }

  /**
   * How many problems were recorded so far: a reader compares counts to see if a part was clean.
   */
  public int problemCount() {
    return problems.size();
  }

  /** Throws every recorded problem at once, in file order; returns when there is none. */
  public void failOnProblems() throws RuleFileException {
    if (problems.isEmpty()) {
      return;
    }
    List<Problem> sorted = new ArrayList<>(problems);
    sorted.sort(Problem.IN_FILE_ORDER);
    List<String> lines = new ArrayList<>();
    for (Problem problem : sorted) {
      lines.add(problem.toString());
    }
    throw new RuleFileException(lines);
  }

  /** Where {@code node} starts. */
  public SourcePosition position(Node node) {
    Optional<Mark> mark = node.getStartMark();
    return mark.isPresent() ? at(mark.get()) : start();
  }

  private SourcePosition at(Mark mark) {
    return new SourcePosition(label, mark.getLine() + 1, mark.getColumn() + 1);
  }

  private SourcePosition start() {
    return new SourcePosition(label, 1, 1);
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

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return "an empty value";
  }

  private static String unknownKey(String key, String what, List<String> allowed) {
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
