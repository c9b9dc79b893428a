package io.deeplakelock.cli;

import io.deeplakelock.agent.GuardPlan;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.Rule;
import io.deeplakelock.rules.RuleFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.pool.TypePool;

/**
 * {@code check --config FILE [--classpath CP]}: what a rules file will guard, before any service
 * runs it. Loads no class: class files are read as data through a type pool.
 */
final class CheckCommand extends Command {

  static final String USAGE =
      "usage: java -jar deeplake-lock.jar check --config FILE [--classpath CP]\n"
          + "\n"
          + "Validates the rules file and, with --classpath (jars and directories separated by\n"
          + "'"
          + java.io.File.pathSeparator
          + "'), lists every method each rule guards, and every rule that matches nothing or\n"
          + "whose dataset expression cannot resolve on the classes it matches. As with java -cp,\n"
          + "dir/* is every jar of dir; a glob such as lib/*.jar is allowed too. Spring Boot jars\n"
          + "(BOOT-INF/classes, BOOT-INF/lib) and WARs (WEB-INF/classes, WEB-INF/lib) are read as\n"
          + "their class loaders read them. Nothing is loaded or run.\n"
          + "\n"
          + "Exit status: 0 all rules guard something and resolve, 1 some rule is dead,\n"
          + "unresolvable or in conflict, 2 the rules file is invalid or missing\n"
          + "(FILE:LINE:COL: message), 64 a usage error (a bad option or class path entry).\n";

  CheckCommand() {
    super(
        "check",
        "check --config FILE [--classpath CP]",
        "validate a rules file; list what each rule guards",
        CommandLine.options(CommandLine.Operand.NONE, "--config", "--classpath"),
        USAGE);
  }

  @Override
  int run(CommandLine.Arguments args, PrintStream out, PrintStream err)
      throws CommandLine.UsageException {
    String config = args.required("--config");
    String classPath = args.value("--classpath");
    Path file = Paths.get(config);
    if (!Files.isRegularFile(file)) {
      err.println(config + ":1:1: no such file");
      return Main.INVALID;
    }
    // The class path first: a usage error there prints nothing else.
    ClassScan scan = null;
    if (classPath != null) {
      try {
        scan = new ClassScan(classPath);
      } catch (ClassScan.BadEntryException e) {
        throw new CommandLine.UsageException(e.getMessage());
      } catch (IOException e) {
        err.println("deeplake-lock check: " + e.getMessage());
        return Main.USAGE;
      }
    }
    try {
      return check(config, file, scan, out, err);
    } finally {
      if (scan != null) {
        try {
          scan.close();
        } catch (IOException e) {
          // Only temporary copies of nested jars are left: the verdict stands.
          err.println("deeplake-lock check: " + e.getMessage());
        }
      }
    }
  }

  private static int check(
      String config, Path file, ClassScan scan, PrintStream out, PrintStream err) {
    AgentConfig parsed = RulesArgument.load(file, err);
    if (parsed == null) {
      return Main.INVALID;
    }
    out.println(
        config
            + ": valid, "
            + parsed.rules().size()
            + " rule(s); ZooKeeper "
            + parsed.connect()
            + ", lock root "
            + parsed.root());
    if (scan == null) {
      for (Rule rule : parsed.rules()) {
        out.println(describe(rule));
      }
      out.println("classes not scanned: give --classpath to list what each rule guards");
      return Main.OK;
    }
    return report(parsed, scan, out);
  }

  private static int report(AgentConfig config, ClassScan scan, PrintStream out) {
    GuardPlan plan = new GuardPlan(config.rules());
    ExpressionCheck expressions = new ExpressionCheck(scan.pool());
    Map<Rule, List<String>> lines = new LinkedHashMap<>();
    Map<Rule, Boolean> unresolved = new LinkedHashMap<>();
    for (Rule rule : config.rules()) {
      lines.put(rule, new ArrayList<String>());
      unresolved.put(rule, false);
    }
    List<String> conflicts = new ArrayList<>();
    int scanned = 0;
    for (String name : scan.classNames()) {
      TypePool.Resolution resolution = scan.pool().describe(name);
      if (!resolution.isResolved()) {
        continue;
      }
      TypeDescription type = resolution.resolve();
      scanned++;
      GuardPlan.Assignment assignment;
      try {
        assignment = plan.assign(type);
      } catch (RuntimeException e) {
        // A supertype outside the class path: subtype rules cannot decide for this class.
        conflicts.add("cannot check " + name + ": " + e.getMessage());
        continue;
      }
      // Every rule that selected a method: an identical rule's twin guards it too, and a rule
      // in a conflict is not dead but refused.
      for (Map.Entry<Rule, List<MethodDescription.InDefinedShape>> e :
          assignment.matched().entrySet()) {
        Rule rule = e.getKey();
        for (MethodDescription.InDefinedShape method : e.getValue()) {
          if (assignment.conflicts().containsKey(method)) {
            unresolved.put(rule, true);
            lines.get(rule).add("  CONFLICT " + signature(method) + " (see below)");
            continue;
          }
          List<String> problems = expressions.problems(rule, method);
          if (problems.isEmpty()) {
            lines.get(rule).add("  guards " + signature(method));
          } else {
            unresolved.put(rule, true);
            for (String problem : problems) {
              lines.get(rule).add("  UNRESOLVED " + signature(method) + ": " + problem);
            }
          }
        }
      }
      for (Map.Entry<MethodDescription.InDefinedShape, List<Rule>> e :
          assignment.conflicts().entrySet()) {
        StringBuilder names = new StringBuilder();
        for (Rule rule : e.getValue()) {
          names
              .append(names.length() == 0 ? "" : ", ")
              .append('\'')
              .append(rule.name())
              .append('\'');
        }
        conflicts.add(
            "CONFLICT "
                + signature(e.getKey())
                + ": rules "
                + names
                + " guard it differently; every call would be refused");
      }
    }
    out.println("scanned " + scanned + " class(es)");
    int ok = 0;
    int dead = 0;
    int broken = 0;
    for (Rule rule : config.rules()) {
      out.println(describe(rule));
      List<String> ruleLines = lines.get(rule);
      if (ruleLines.isEmpty()) {
        dead++;
        out.println(
            "  MATCHES NOTHING: no class on the class path matches "
                + rule.classSelector()
                + " with methods "
                + rule.methods());
        continue;
      }
      for (String line : ruleLines) {
        out.println(line);
      }
      if (unresolved.get(rule)) {
        broken++;
      } else {
        ok++;
      }
    }
    for (String conflict : conflicts) {
      out.println(conflict);
    }
    out.println(
        "result: "
            + ok
            + " rule(s) ok, "
            + dead
            + " matching nothing, "
            + broken
            + " unresolvable, "
            + conflicts.size()
            + " conflict(s)");
    return dead + broken + conflicts.size() == 0 ? Main.OK : Main.PROBLEMS;
  }

  private static String describe(Rule rule) {
    return "rule '"
        + rule.name()
        + "' ("
        + rule.position()
        + "): "
        + RuleFile.lockLabel(rule)
        + " ["
        + rule.policy()
        + (rule.afterAcquire() != null ? " afterAcquire=" + rule.afterAcquire().source() : "")
        + "]";
  }

  private static String signature(MethodDescription method) {
    StringBuilder out =
        new StringBuilder(method.getDeclaringType().asErasure().getName())
            .append('.')
            .append(method.getName())
            .append('(');
    List<TypeDescription> params = method.getParameters().asTypeList().asErasures();
    for (int i = 0; i < params.size(); i++) {
      out.append(i == 0 ? "" : ",").append(params.get(i).getActualName());
    }
    return out.append(')').append(method.isStatic() ? " static" : "").toString();
  }
}
