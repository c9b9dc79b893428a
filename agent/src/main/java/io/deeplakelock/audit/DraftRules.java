package io.deeplakelock.audit;

import io.deeplakelock.bridge.AuditBridge;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Writes discovery's draft rules file: one rule per entry method that touched files under the
 * roots, with {@code lock: write} if it changed any file and {@code read} if it only read, and the
 * dataset expression that held in every call seen; a commented {@code TODO} rule where none did.
 *
 * <p><b>Several JVMs.</b> What each JVM found is pooled in {@code <draft>.findings} (one line per
 * method and JVM) under a file lock, and the draft is rendered from all of it: the writer and the
 * reader processes of one service discover into one draft.
 */
public final class DraftRules {

  private static final Pattern TOP_KEY = Pattern.compile("[A-Za-z_][\\w-]*\\s*:.*");

  private DraftRules() {}

  /**
   * Pools this JVM's findings with those already in the findings file and (re)writes the draft.
   *
   * @param rulesText the rules file discovery runs with: its zookeeper and locks sections are kept
   * @return a line saying what was written
   */
  public static String write(Discovery discovery, Path draft, String rulesText) throws IOException {
    boolean quiet = AuditBridge.quiet(); // the agent's own files never count
    try {
      Path parent = draft.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Path pool = draft.resolveSibling(draft.getFileName() + ".findings");
      List<Finding> all = new ArrayList<>();
      try (FileChannel channel =
              FileChannel.open(
                  pool,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        if (!lock.isValid()) {
          throw new IOException("lost the lock on " + pool);
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
          // read it all
        }
        for (String line : new String(buffer.array(), StandardCharsets.UTF_8).split("\n")) {
          Finding f = Finding.fromLine(line);
          if (f != null && !f.jvm.equals(discovery.jvm())) {
            all.add(f);
          }
        }
        all.addAll(discovery.findings());
        StringBuilder lines = new StringBuilder();
        for (Finding f : all) {
          lines.append(f.toLine()).append('\n');
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)), 0);
        Rendered rendered = render(all, rulesText, discovery.roots());
        Files.write(draft, rendered.text.getBytes(StandardCharsets.UTF_8));
        return "discover wrote "
            + rendered.rules
            + " rule(s) and "
            + rendered.todos
            + " TODO(s) for "
            + rendered.methods
            + " method(s) to "
            + draft.toAbsolutePath()
            + " (findings of "
            + jvms(all)
            + " JVM(s) pooled in "
            + pool.getFileName()
            + ")";
      }
    } finally {
      AuditBridge.loud(quiet);
    }
  }

  private static int jvms(List<Finding> all) {
    Set<String> jvms = new LinkedHashSet<>();
    for (Finding f : all) {
      jvms.add(f.jvm);
    }
    return jvms.size();
  }

  static final class Rendered {
    final String text;
    final int rules;
    final int todos;
    final int methods;

    Rendered(String text, int rules, int todos, int methods) {
      this.text = text;
      this.rules = rules;
      this.todos = todos;
      this.methods = methods;
    }
  }

  /** One overload's pooled findings. */
  private static final class Overload {
    String parameters;
    long calls;
    Set<String> expressions; // held in every compared call of every JVM; null: none compared
  }

  /** One method (or overloads) to guard, before rules group them. */
  private static final class Proposal {
    final String className;
    final String lock;
    final String expression;
    final List<String> methods = new ArrayList<>();
    final Set<String> alternatives = new LinkedHashSet<>();
    final List<String> notes = new ArrayList<>();
    long calls;

    Proposal(String className, String lock, String expression) {
      this.className = className;
      this.lock = lock;
      this.expression = expression;
    }
  }

  static Rendered render(List<Finding> all, String rulesText, List<String> roots) {
    Map<String, List<Finding>> byMethod = new TreeMap<>();
    for (Finding f : all) {
      byMethod.computeIfAbsent(f.className + "#" + f.method, k -> new ArrayList<>()).add(f);
    }
    Map<String, Proposal> proposals = new LinkedHashMap<>(); // class, lock, expression
    StringBuilder todoText = new StringBuilder();
    Set<String> names = new LinkedHashSet<>();
    int todos = 0;
    for (List<Finding> group : byMethod.values()) {
      Finding first = group.get(0);
      long writes = 0;
      long reads = 0;
      int overloads = 1;
      Set<String> datasets = new LinkedHashSet<>();
      Map<String, Overload> seen = new LinkedHashMap<>();
      for (Finding f : group) {
        writes += f.writes;
        reads += f.reads;
        datasets.addAll(f.datasets);
        if (f.descriptor.equals(Finding.UNSEEN)) {
          continue;
        }
        overloads = Math.max(overloads, f.overloads);
        Overload o = seen.computeIfAbsent(f.descriptor, k -> new Overload());
        o.parameters = f.parameters;
        if (f.calls > 0 && f.expressions != null) {
          o.calls += f.calls;
          if (o.expressions == null) {
            o.expressions = new LinkedHashSet<>(f.expressions);
          } else {
            o.expressions.retainAll(f.expressions);
          }
        }
      }
      String lock = writes > 0 ? "write" : "read";
      String simple = simpleName(first.className);
      String note =
          simple
              + "."
              + first.method
              + ": "
              + writes
              + " file change(s), "
              + reads
              + " read-open(s) in "
              + String.join(", ", datasets);
      Map<String, List<Overload>> byExpression = new LinkedHashMap<>();
      List<Overload> unexplained = new ArrayList<>();
      for (Overload o : seen.values()) {
        if (o.expressions == null || o.expressions.isEmpty()) {
          unexplained.add(o);
        } else {
          byExpression
              .computeIfAbsent(o.expressions.iterator().next(), k -> new ArrayList<>())
              .add(o);
        }
      }
      for (Map.Entry<String, List<Overload>> e : byExpression.entrySet()) {
        List<Overload> os = e.getValue();
        boolean byName =
            overloads == 1
                || (byExpression.size() == 1 && unexplained.isEmpty() && os.size() == overloads);
        Proposal p =
            proposals.computeIfAbsent(
                first.className + "\t" + lock + "\t" + e.getKey(),
                k -> new Proposal(first.className, lock, e.getKey()));
        if (byName) {
          p.methods.add(first.method);
        } else {
          for (Overload o : os) {
            p.methods.add(first.method + "(" + o.parameters + ")");
          }
        }
        for (Overload o : os) {
          if (p.calls == 0) {
            p.alternatives.addAll(o.expressions);
          } else {
            p.alternatives.retainAll(o.expressions); // what held for every method of the rule
          }
          p.calls += o.calls;
        }
        p.notes.add(note);
      }
      if (seen.isEmpty() || !unexplained.isEmpty()) {
        todos++;
        List<String> methods = new ArrayList<>();
        if (seen.isEmpty() || overloads == 1) {
          methods.add(first.method);
        } else {
          for (Overload o : unexplained) {
            methods.add(first.method + "(" + o.parameters + ")");
          }
        }
        todoText
            .append("\n  # ")
            .append(note)
            .append('\n')
            .append(
                seen.isEmpty()
                    ? "  # TODO: no call of it was seen once it was instrumented (it ran only"
                        + " once per JVM? run discover again: the next run instruments it from the"
                        + " start), so its dataset is unknown."
                    : "  # TODO: no argument, field or getter held the dataset directory in every"
                        + " call seen.")
            .append(" Write its dataset: expression and uncomment.\n")
            .append("  # - name: ")
            .append(uniqueName(names, simple, lock + "-todo"))
            .append('\n')
            .append("  #   class: ")
            .append(first.className)
            .append('\n')
            .append("  #   methods: [")
            .append(String.join(", ", methods))
            .append("]\n")
            .append("  #   lock: ")
            .append(lock)
            .append('\n')
            .append("  #   dataset: TODO\n");
      }
    }
    StringBuilder rules = new StringBuilder();
    for (Proposal p : proposals.values()) {
      p.alternatives.remove(p.expression);
      rules.append('\n');
      for (String note : p.notes) {
        rules.append("  # ").append(note).append('\n');
      }
      rules
          .append("  - name: ")
          .append(uniqueName(names, simpleName(p.className), p.lock + "s"))
          .append('\n')
          .append("    class: ")
          .append(p.className)
          .append('\n')
          .append("    methods: [")
          .append(String.join(", ", p.methods))
          .append("]\n")
          .append("    lock: ")
          .append(p.lock)
          .append('\n')
          .append("    dataset: ")
          .append(p.expression)
          .append("   # named the dataset in all ")
          .append(p.calls)
          .append(" call(s) seen")
          .append(p.alternatives.isEmpty() ? "" : "; so did " + String.join(", ", p.alternatives))
          .append('\n');
    }
    rules.append(todoText);
    StringBuilder out = new StringBuilder();
    out.append("# Draft rules written by deeplake-lock (mode: discover). Read every rule before\n")
        .append(
            "# you use it: a method is proposed because it changed (write) or only read (read)\n")
        .append(
            "# files under the audit roots, and its dataset: because that expression named the\n")
        .append("# file's dataset directory in every call seen. Then check it against your jars:\n")
        .append("#   java -jar deeplake-lock.jar check --config THIS_FILE --classpath ...\n\n");
    out.append(sections(rulesText));
    out.append("mode: enforce\n");
    out.append("# Keep the audit on: it reports what this draft still misses.\n");
    out.append("audit:\n  mode: warn\n");
    if (!roots.isEmpty()) {
      out.append("  roots: [");
      for (int i = 0; i < roots.size(); i++) {
        out.append(i > 0 ? ", " : "").append(yamlQuoted(roots.get(i)));
      }
      out.append("]\n");
    }
    out.append("rules:").append(proposals.isEmpty() ? " []\n" : "\n").append(rules);
    return new Rendered(out.toString(), proposals.size(), todos, byMethod.size());
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  private static String uniqueName(Set<String> names, String simple, String suffix) {
    String base = (simple.replace('$', '-') + "-" + suffix).toLowerCase(Locale.ROOT);
    String name = base;
    for (int i = 2; !names.add(name); i++) {
      name = base + "-" + i;
    }
    return name;
  }

  /** The zookeeper and locks sections of the rules file, as written (placeholders kept). */
  static String sections(String rulesText) {
    StringBuilder out = new StringBuilder();
    boolean keep = false;
    for (String line : rulesText.split("\r?\n", -1)) {
      if (TOP_KEY.matcher(line).matches()) {
        keep = line.startsWith("zookeeper") || line.startsWith("locks");
      } else if (!line.isEmpty()
          && !Character.isWhitespace(line.charAt(0))
          && line.charAt(0) != '#') {
        keep = false;
      }
      if (keep && !line.trim().isEmpty() && !line.trim().startsWith("#")) {
        out.append(line).append('\n');
      }
    }
    if (out.length() == 0) {
      out.append("zookeeper:\n  connect: \"${DEEPLAKE_LOCK_ZK:-127.0.0.1:2181}\"\n");
    }
    return out.toString();
  }

  private static String yamlQuoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
