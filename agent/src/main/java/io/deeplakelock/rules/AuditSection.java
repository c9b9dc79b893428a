package io.deeplakelock.rules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads the {@code audit} section into {@link AuditSettings}, reporting problems through the file's
 * {@link YamlReader}.
 *
 * <p>The audit watches local files only: a root written as a URL ({@code s3://}, {@code hub://}) is
 * refused, because such datasets are never opened as files.
 */
final class AuditSection {

  static final List<String> KEYS = Arrays.asList("mode", "roots", "reportsPerMinute", "draft");

  /** More than this many lines a minute is no longer a report anyone reads. */
  static final int MAX_REPORTS_PER_MINUTE = 10_000;

  private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:.*", Pattern.DOTALL);

  private final YamlReader yaml;

  AuditSection(YamlReader yaml) {
    this.yaml = yaml;
  }

  /**
   * The section, or {@link AuditSettings#OFF} when it is absent.
   *
   * @param fileMode the file's {@code mode}: {@code discover} needs roots to watch
   * @param modeNode where the file says {@code mode}, for that problem's position
   */
  AuditSettings read(Node node, RolloutMode fileMode, Node modeNode) {
    if (node == null && fileMode != RolloutMode.DISCOVER) {
      return AuditSettings.OFF;
    }
    Map<String, Node> keys =
        node == null ? Collections.<String, Node>emptyMap() : yaml.mapping(node, "audit", KEYS);
    AuditSettings.Mode mode = yaml.choice(keys.get("mode"), AuditSettings.Mode.OFF);
    List<String> roots = roots(keys.get("roots"));
    int perMinute = reportsPerMinute(keys.get("reportsPerMinute"));
    String draft = keys.containsKey("draft") ? draft(keys.get("draft")) : null;
    if (fileMode == RolloutMode.DISCOVER && roots.isEmpty()) {
      yaml.problem(
          modeNode,
          "mode: discover needs directories to watch: add audit: {roots: [/data/datasets]} (each"
              + " directory directly under a root is taken for one dataset)");
    }
    if (fileMode == RolloutMode.DISCOVER && mode == AuditSettings.Mode.FAIL) {
      yaml.problem(
          keys.get("mode"),
          "audit.mode: fail refuses file changes, but mode: discover takes no locks, so every"
              + " change would be refused; use audit.mode off or warn while discovering");
    }
    return new AuditSettings(
        mode, roots, perMinute, draft == null ? AuditSettings.DEFAULT_DRAFT : draft);
  }

  private List<String> roots(Node node) {
    List<String> roots = new ArrayList<>();
    if (node == null) {
      return roots;
    }
    if (!(node instanceof SequenceNode)) {
      yaml.problem(node, "audit.roots must be a list of directories, e.g. roots: [/data/datasets]");
      return roots;
    }
    for (Node entry : ((SequenceNode) node).getValue()) {
      String root = yaml.text(entry);
      if (root == null) {
        continue;
      }
      String problem = rootProblem(root);
      if (problem != null) {
        yaml.problem(entry, problem);
      } else if (roots.contains(root)) {
        yaml.problem(entry, "root '" + root + "' is listed twice; keep one");
      } else {
        roots.add(root);
      }
    }
    return roots;
  }

  private static String rootProblem(String root) {
    if (root.trim().isEmpty()) {
      return "an audit root must be a directory, not empty";
    }
    if (URL.matcher(root).matches()) {
      String scheme = root.substring(0, root.indexOf(':')).toLowerCase(Locale.ROOT);
      return "'"
          + root
          + "' is not a local directory: the audit sees files the JVM opens, and "
          + scheme
          + ": datasets are never opened as files; list local directories only";
    }
    if (root.replace('\\', '/').replaceAll("/+", "/").equals("/")) {
      return "'/' would make every top-level directory a dataset; name the directory that holds"
          + " the datasets, e.g. /data/datasets";
    }
    return null;
  }

  private int reportsPerMinute(Node node) {
    String text = yaml.text(node);
    if (text == null) {
      return AuditSettings.DEFAULT_REPORTS_PER_MINUTE;
    }
    try {
      int value = Integer.parseInt(text.trim());
      if (value >= 1 && value <= MAX_REPORTS_PER_MINUTE) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    yaml.problem(
        node,
        "reportsPerMinute must be a whole number from 1 to "
            + MAX_REPORTS_PER_MINUTE
            + ", not '"
            + text
            + "' (each call site is reported once; this caps all of them together)");
    return AuditSettings.DEFAULT_REPORTS_PER_MINUTE;
  }

  private String draft(Node node) {
    String text = yaml.text(node);
    if (text != null && (text.trim().isEmpty() || URL.matcher(text).matches())) {
      yaml.problem(node, "audit.draft must be a local file path, e.g. draft: rules-draft.yaml");
      return null;
    }
    return text;
  }
}
