package io.deeplakelock.cli;

import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.RuleFile;
import io.deeplakelock.rules.RuleFileException;
import java.io.PrintStream;
import java.nio.file.Path;

/** The rules file a command is given, loaded as the agent loads it. */
final class RulesArgument {

  private RulesArgument() {}

  /**
   * The rules of {@code file}, or null after printing its problems ({@code file:line:col: ...}) on
   * stderr: the command then exits with {@link Main#INVALID}.
   */
  static AgentConfig load(Path file, PrintStream err) {
    try {
      return RuleFile.load(file);
    } catch (RuleFileException e) {
      for (String problem : e.problems()) {
        err.println(problem);
      }
      return null;
    }
  }
}
